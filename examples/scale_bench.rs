//! Benchmark of subscriptions at scale: 1,000,000 watched parcels in SQLite.
//!
//! Run: `cargo build --release && cargo run --release --example scale_bench` (about 1 minute once the
//! database is seeded; seeding 1,000,000 rows adds about 15 s, once: the file is kept in the temp
//! directory and reused while its counts match). Options after `--`: `--subscriptions N` (default
//! 1,000,000), `--bin PATH` (default: the `kuaidi-bot` of the same target directory as this example,
//! e.g. `$CARGO_TARGET_DIR/release/kuaidi-bot`; build it first), `--db PATH` (the seeded database),
//! `--run-secs S` (default 20), `--calls N` (default 1,000), `--keep` (keep the binary's database
//! copy and log), and `--after-downtime` (every parcel 1 to 8 days overdue, as after a long
//! downtime; use with `--run-secs 60`).
//!
//! What it measures, against the targets of the issue:
//! 1. the store: latency of `Store::due_parcels(now, 100)` (the query of one watcher tick; median and
//!    p99 of `--calls` calls) at a `now` where about 1,000 parcels are due, and for comparison where
//!    none and where all are due; latency of `Store::next_due_at()`; SQLite's query plans of both and
//!    of the sender's `pending_notices`;
//! 2. the real binary (`kuaidi-bot run`, sandbox mode since no Kuaidi100 credentials are given) on a
//!    copy of that database, talking to the fake Bot API of the tests (in this process, 429 above 30
//!    messages per rolling second): start-up time (spawn → the fake sees the first `getUpdates`), and
//!    resident memory (`VmRSS` of `/proc/<pid>/status`, every second, and the peak `VmHWM`) after
//!    `--run-secs` while the watcher works through the parcels due at start (target under 100 MB).
//!    Meanwhile a user sends `/track` for a new parcel at 3 s (its reply latency shows whether the bot
//!    stays responsive); at the end, SIGTERM and the time to stop, and the warnings of the bot's log.
//!
//! How the database is seeded: the schema comes from `Store::connect` (the real migrations); then
//! `Store::seed_watched_parcels` (one recursive `INSERT … SELECT` per 100,000 rows, each in a
//! transaction) writes `N` parcels of courier `yuantong` (numbers `YT98` + 11 digits), each with one
//! active subscription (5 parcels per chat), no answer yet, and `watch_next_at` spread evenly over 7 days
//! in a shuffled order. For the binary, the copy's `watch_next_at` are shifted (`Store::shift_schedule`)
//! so that about 2,000 parcels are due at start (fewer than 25 minutes overdue, so that the watcher's
//! start-up `spread_overdue` has nothing to move) and the rest fall due over the next 7 days.
//! `QUERY_MIN_INTERVAL` and the other limits are the defaults. Parcels carry no stored answer, so the
//! file is smaller than a production one (answers are JSON of a few KB); no query of the watcher reads
//! that column. Everything the benchmark reads or writes in the database goes through `Store` (the bulk
//! functions of `src/store/bulk.rs`): no SQL here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use kuaidi_bot::store::{Spread, Store, WatchedSeed, from_millis, to_millis};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};

/// `watch_next_at` of the seeded parcels spans this many days.
const SPAN_DAYS: i64 = 7;
/// A prime larger than any sensible `N` (Knuth's multiplicative hash): `id * SHUFFLE % N` visits every
/// slot once, and parcels of neighbouring ids (the same chat) fall due far apart.
const SHUFFLE: i64 = 2_654_435_761;
/// Rows per seeding transaction.
const SEED_BATCH: i64 = 100_000;
/// Parcels due when measuring one tick's query, and due when the binary starts.
const DUE_FOR_QUERY: i64 = 1_000;
const DUE_AT_START: i64 = 2_000;
/// The binary's watcher spreads checks overdue by more than the floor (30 min); stay under it.
const MAX_OVERDUE_MS: i64 = 25 * 60 * 1000;
/// Chat ids start here; 5 parcels per chat.
const FIRST_CHAT: i64 = 10_000_000;
const PARCELS_PER_CHAT: i64 = 5;

#[derive(Parser)]
#[command(about = "Subscriptions at scale: due-parcel queries, start-up time and memory of the real binary")]
struct Args {
    /// Parcels, each with one subscription.
    #[arg(long, default_value_t = 1_000_000)]
    subscriptions: i64,
    /// The seeded database (kept and reused); default: `<temp>/kuaidi-bot-scale-<N>.db`.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The `kuaidi-bot` binary to run (build it first with `cargo build --release`).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// How long the binary runs before its memory is read.
    #[arg(long, default_value_t = 20)]
    run_secs: u64,
    /// Make every parcel 1 to 8 days overdue, as after a long downtime, so that the watcher's start-up
    /// `spread_overdue` has to move them all (give it `--run-secs 60`).
    #[arg(long)]
    after_downtime: bool,
    /// Keep the binary's copy of the database and its log for inspection.
    #[arg(long)]
    keep: bool,
    /// Calls of `due_parcels` per measurement.
    #[arg(long, default_value_t = 1_000)]
    calls: usize,
}

/// Where the seeded timeline sits: parcel `id` is due at `t0 + slot(id) * spacing`.
#[derive(Clone, Copy)]
struct Timeline {
    n: i64,
    t0: i64,
    spacing: i64,
}

impl Timeline {
    fn new(n: i64, t0: i64) -> Self {
        Self { n, t0, spacing: (SPAN_DAYS * 86_400_000 / n).max(1) }
    }

    /// The timeline's slots, starting at `start` (milliseconds since the epoch).
    fn spread_from(&self, start: i64) -> Spread {
        Spread {
            start: from_millis(start),
            spacing: chrono::Duration::milliseconds(self.spacing),
            slots: self.n,
            shuffle: SHUFFLE,
        }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn open(path: &Path) -> Store {
    Store::connect(&sqlite_url(path)).await.expect("open the database")
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A count for the report: -1 when it could not be read.
fn or_minus_one(count: Option<u64>) -> i64 {
    count.and_then(|count| i64::try_from(count).ok()).unwrap_or(-1)
}

/// The seeded database's timeline if it holds exactly `n` watched parcels with one subscription each.
async fn existing(path: &Path, n: i64) -> Option<Timeline> {
    if !path.exists() {
        return None;
    }
    // Not a database of ours (or not one this schema can use): seed anew.
    let store = Store::connect(&sqlite_url(path)).await.ok()?;
    let census = store.census().await;
    store.close().await;
    let census = census.ok()?;
    let t0 = to_millis(census.first_created_at?);
    let n_rows = u64::try_from(n).ok()?;
    let seeded = [census.parcels, census.watched_parcels, census.active_subscriptions] == [n_rows; 3];
    seeded.then(|| Timeline::new(n, t0))
}

async fn seed(path: &Path, n: i64) -> Timeline {
    remove_db(path);
    let started = Instant::now();
    // The real migrations make the schema.
    let store = open(path).await;
    let timeline = Timeline::new(n, to_millis(Utc::now()));
    let seed = WatchedSeed {
        count: n,
        courier: "yuantong".to_owned(),
        number_prefix: "YT98".to_owned(),
        first_chat: FIRST_CHAT,
        parcels_per_chat: PARCELS_PER_CHAT,
        lang: "zh".to_owned(),
        created_at: from_millis(timeline.t0),
        spread: timeline.spread_from(timeline.t0),
        batch: SEED_BATCH,
    };
    store.seed_watched_parcels(&seed, |high| eprintln!("  … seeded {high} of {n}")).await.expect("seed");
    store.checkpoint().await.expect("checkpoint");
    store.close().await;
    println!("seeded {n} parcels and subscriptions in {:.1} s", started.elapsed().as_secs_f64());
    timeline
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Runs `call` `calls` times after a warm-up and prints median and p99.
async fn timed<F, Fut>(label: &str, calls: usize, mut call: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut found = 0;
    for _ in 0..calls.div_ceil(20) {
        found = call().await;
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        found = call().await;
        times.push(start.elapsed());
    }
    times.sort_unstable();
    println!(
        "{label}: returns {found}; median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({calls} calls)",
        ms(percentile(&times, 0.5).unwrap_or_default()),
        ms(percentile(&times, 0.99).unwrap_or_default()),
        ms(times.last().copied().unwrap_or_default())
    );
}

async fn store_figures(path: &Path, timeline: Timeline, calls: usize) {
    let store = open(path).await;
    let due_query = timeline.t0 + DUE_FOR_QUERY.min(timeline.n) * timeline.spacing;
    let due = store.count_due(from_millis(due_query)).await.expect("count due");
    println!("\n1. the store ({} parcels; {due} due at the chosen now)", timeline.n);
    for (label, now) in [
        (format!("due_parcels(now, 100) with {due} due"), due_query),
        ("due_parcels(now, 100) with none due".to_owned(), timeline.t0 - 1),
        (format!("due_parcels(now, 100) with all {} due", timeline.n), timeline.t0 + SPAN_DAYS * 86_400_000),
    ] {
        let store = store.clone();
        timed(&label, calls, move || {
            let store = store.clone();
            async move { store.due_parcels(from_millis(now), 100).await.expect("due_parcels").len() }
        })
        .await;
    }
    let next = store.next_due_at().await.expect("next_due_at");
    let expected = from_millis(timeline.t0);
    let store_next = store.clone();
    timed(&format!("next_due_at() (= t0: {})", next == Some(expected)), calls, move || {
        let store = store_next.clone();
        async move { usize::from(store.next_due_at().await.expect("next_due_at").is_some()) }
    })
    .await;
    // The statements of the watcher (src/store/watch.rs) and of the sender (src/store/outbox.rs): the
    // sender's by the partial index on unsent rows, never the history.
    let plans = store.query_plans(from_millis(due_query)).await.expect("query plans");
    println!("plan of due_parcels: {}", plans.due_parcels);
    println!("plan of next_due_at: {}", plans.next_due_at);
    println!("plan of pending_notices (sender): {}", plans.pending_notices);
    store.close().await;
}

/// The binary: `--bin`, else the one next to this example (`<target>/release/examples/..`), else
/// `$CARGO_TARGET_DIR/release`, else `<crate>/target/release`.
fn binary(arg: Option<PathBuf>) -> PathBuf {
    if let Some(path) = arg {
        return path;
    }
    let beside = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.join("kuaidi-bot")));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(|dir| PathBuf::from(dir).join("release/kuaidi-bot"));
    let in_crate = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/kuaidi-bot");
    beside.into_iter().chain(target_dir).chain([in_crate.clone()]).find(|path| path.exists()).unwrap_or(in_crate)
}

/// The newest modification time of the files under `dir`.
fn newest(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let meta = entry.metadata().ok()?;
            if meta.is_dir() { newest(&entry.path()) } else { meta.modified().ok() }
        })
        .max()
}

/// `VmRSS` and `VmHWM` of a process, in MB.
fn memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The chat that asks the bot something while it works, and what it asks (a parcel never seen).
const PROBE_CHAT: i64 = 42;
const PROBE: &str = "/track yto YT9899999999999";
/// Seconds after the spawn at which the probe is sent.
const PROBE_AT: u64 = 3;

async fn binary_figures(template: &Path, timeline: Timeline, bin: &Path, args: &Args) {
    let run_secs = args.run_secs.max(PROBE_AT + 1);
    println!("\n2. the binary {}", bin.display());
    if !bin.exists() {
        println!("not found: build it with `cargo build --release`, or pass --bin PATH");
        std::process::exit(1);
    }
    let built = std::fs::metadata(bin).and_then(|meta| meta.modified()).ok();
    let sources = newest(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    if let (Some(built), Some(sources)) = (built, sources)
        && built < sources
    {
        println!("note: src/ changed after this binary was built: it may be stale (`cargo build --release`)");
    }

    // A fresh copy, so that the seeded database stays as seeded.
    let work = template.with_file_name(format!(
        "{}-run.db",
        template.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    remove_db(&work);
    let copying = Instant::now();
    std::fs::copy(template, &work).expect("copy the database");
    let copy_time = copying.elapsed();
    let retiming = Instant::now();
    let now = to_millis(Utc::now());
    let lead = if args.after_downtime {
        8 * 86_400_000
    } else {
        (DUE_AT_START.min(timeline.n) * timeline.spacing).min(MAX_OVERDUE_MS)
    };
    let store = open(&work).await;
    store.shift_schedule(&timeline.spread_from(now - lead)).await.expect("shift the timeline");
    store.checkpoint().await.expect("checkpoint");
    let due_at_start = or_minus_one(Some(store.count_due(Utc::now()).await.expect("count due")));
    store.close().await;
    println!(
        "copied the database in {:.1} s and shifted its timeline in {:.1} s: {due_at_start} parcels due at start",
        copy_time.as_secs_f64(),
        retiming.elapsed().as_secs_f64()
    );

    let tg = FakeTelegram::start().await;
    tg.set_global_rate_limit(Some(30));
    let dir = work.parent().unwrap_or(Path::new(".")).to_path_buf();
    let log_path = work.with_extension("log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let spawned = Instant::now();
    let spawned_wall = Utc::now();
    let mut child = Command::new(bin)
        .arg("run")
        .current_dir(&dir)
        .env("DATABASE_URL", sqlite_url(&work))
        .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
        .env("TELOXIDE_API_URL", tg.api_url())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("KUAIDI100_CUSTOMER")
        .env_remove("KUAIDI100_KEY")
        .env_remove("QUERY_MIN_INTERVAL")
        .env_remove("QUERY_MAX_PER_DAY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the binary starts");
    let pid = child.id();

    let polls = tg.wait_for_requests("getUpdates", 1, Duration::from_secs(120)).await;
    let Some(first_poll) = polls.first() else {
        println!("no getUpdates within 120 s; see {}", log_path.display());
        let _ = child.kill();
        std::process::exit(1);
    };
    let start_up = first_poll.at.saturating_duration_since(spawned);
    let get_me = tg.requests_to("getMe").first().map(|request| request.at.saturating_duration_since(spawned));
    println!(
        "start-up (spawn → first getUpdates): {:.0} ms (getMe at {:.0} ms)",
        ms(start_up),
        get_me.map(ms).unwrap_or(f64::NAN)
    );

    let mut samples = Vec::new();
    let mut first_delivery = None;
    let watching = open(&work).await;
    let mut probe_sent = None;
    for second in 1..=run_secs {
        tokio::time::sleep_until((spawned + Duration::from_secs(second)).into()).await;
        if second == PROBE_AT {
            tg.send_text(Chat::private(PROBE_CHAT), User::new(PROBE_CHAT, "Li").lang("zh"), PROBE);
            probe_sent = Some(Instant::now());
        }
        if first_delivery.is_none() {
            first_delivery = tg.sent_messages().first().map(|m| m.at.saturating_duration_since(spawned));
        }
        // Every check of the watcher is one upstream query, recorded in this small table.
        let checked = or_minus_one(watching.count_upstream_queries().await.ok());
        match memory(pid) {
            Some((rss, _)) => samples.push((second, rss, checked, tg.sent_count())),
            None => {
                println!("the binary exited early; see {}", log_path.display());
                std::process::exit(1);
            }
        }
    }
    let (rss, peak) = memory(pid).unwrap_or((f64::NAN, f64::NAN));
    let census = watching.census().await.ok();
    let checked = or_minus_one(census.map(|census| census.queried_parcels));
    let queued = or_minus_one(census.map(|census| census.notices));
    let unsent = or_minus_one(census.map(|census| census.unsent_notices));
    let due_left = or_minus_one(watching.count_due(Utc::now()).await.ok());
    watching.close().await;
    let series: Vec<String> = samples
        .iter()
        .filter(|(second, ..)| second % 5 == 0 || *second == 1)
        .map(|(second, rss, checked, sent)| format!("{second}s {rss:.1} MB/{checked} checked/{sent} sent"))
        .collect();
    println!("RSS over time (MB / parcels checked / messages delivered): {}", series.join(", "));
    match (probe_sent, tg.messages_to(PROBE_CHAT).first()) {
        (Some(sent), Some(reply)) => println!(
            "a user's `{PROBE}` sent at {PROBE_AT} s was answered in {:.0} ms",
            ms(reply.at.saturating_duration_since(sent))
        ),
        _ => println!("a user's `{PROBE}` sent at {PROBE_AT} s got NO answer within {run_secs} s"),
    }
    let worked_through = samples.iter().find(|(_, _, checked, _)| *checked >= due_at_start).map(|(second, ..)| second);
    if let Some(second) = worked_through {
        println!("the {due_at_start} parcels due at start were all checked within {second} s of spawning");
    }
    println!(
        "after {run_secs} s: VmRSS {rss:.1} MB, peak VmHWM {peak:.1} MB (target under 100 MB: {})",
        if peak < 100.0 { "met" } else { "MISSED" }
    );
    println!(
        "watcher: {checked} parcels checked, {due_left} still due; outbox: {queued} notices, {unsent} unsent; \
         {} messages delivered (first at {:.1} s), {} 429s",
        tg.sent_count(),
        first_delivery.map(|at| at.as_secs_f64()).unwrap_or(f64::NAN),
        tg.too_many_requests_count()
    );

    let (sent_before, unsent_before) = (tg.sent_count(), unsent);
    let stopping = Instant::now();
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let deadline = stopping + Duration::from_secs(30);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    match status {
        Some(status) => println!("SIGTERM → exit in {:.0} ms ({status})", ms(stopping.elapsed())),
        None => println!("the binary did not stop within 30 s of SIGTERM (killed)"),
    }
    println!(
        "while stopping: {} more messages delivered ({unsent_before} were unsent at SIGTERM); 429s in all: {}",
        tg.sent_count() - sent_before,
        tg.too_many_requests_count()
    );
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    // The watcher logs the start-up spread when it is done; its timestamp says how long it took.
    if let Some(line) = log.lines().find(|line| line.contains("spread overdue parcel checks")) {
        let at = line.split_whitespace().next().and_then(|stamp| chrono::DateTime::parse_from_rfc3339(stamp).ok());
        let moved = line.split_whitespace().find(|word| word.starts_with("moved=")).unwrap_or("moved=?");
        let after = at.map(|at| (at.with_timezone(&Utc) - spawned_wall).num_milliseconds() as f64 / 1e3);
        println!("start-up spread_overdue: {moved}, done {:.1} s after the spawn", after.unwrap_or(f64::NAN));
    }
    // Warnings and errors other than the sandbox notes, counted by their text without the timestamp.
    let mut problems: Vec<(String, usize)> = Vec::new();
    for line in log.lines().filter(|line| line.contains("ERROR") || line.contains("WARN")) {
        let text = line.split_once(' ').map_or(line, |(_, rest)| rest).trim().to_owned();
        if text.contains("sandbox") {
            continue;
        }
        match problems.iter_mut().find(|(seen, _)| *seen == text) {
            Some((_, times)) => *times += 1,
            None => problems.push((text, 1)),
        }
    }
    println!(
        "log: {} lines, {} warnings/errors other than sandbox notes",
        log.lines().count(),
        problems.iter().map(|(_, times)| times).sum::<usize>()
    );
    for (text, times) in &problems {
        println!("  {times} × {text}");
    }
    if args.keep {
        println!("kept {} and {}", work.display(), log_path.display());
    } else {
        remove_db(&work);
        let _ = std::fs::remove_file(&log_path);
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let n = args.subscriptions.max(1);
    let template = args.db.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("kuaidi-bot-scale-{n}.db")));
    let timeline = match existing(&template, n).await {
        Some(timeline) => {
            println!("reusing {} ({n} parcels and subscriptions)", template.display());
            timeline
        }
        None => {
            println!("seeding {} with {n} parcels and subscriptions", template.display());
            seed(&template, n).await
        }
    };
    let size = std::fs::metadata(&template).map(|meta| meta.len()).unwrap_or(0);
    println!("database file: {:.0} MB", size as f64 / 1e6);
    store_figures(&template, timeline, args.calls).await;
    binary_figures(&template, timeline, &binary(args.bin.clone()), &args).await;
}
