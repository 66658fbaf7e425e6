//! Benchmark of replicas sharing one PostgreSQL: the fan-out's pace, the watcher's checks per second,
//! and how long the survivors take to pick up a killed replica's notices.
//!
//! Run (PostgreSQL at `TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`; each run
//! uses a schema of its own and drops it):
//!
//! ```sh
//! cargo run --release --example replica_bench -- fanout --replicas 1     # also 2 and 3; 10,000 notices
//! cargo run --release --example replica_bench -- fanout --replicas 3 --kill-after 3000
//! cargo run --release --example replica_bench -- checks --replicas 1     # also 3; 100,000 due parcels
//! ```
//!
//! Why it is shaped this way:
//! - A replica here is what a `kuaidi-bot run` process holds, in-process: its own engine with its own
//!   connection pool (`sim::sandbox_engine`), and for the fan-out its own outbox drain, Telegram
//!   delivery and [`Pace::shared`] — the pieces that must agree through the database. Only the
//!   dispatcher is left out (no one asks during the fan-out). Separate processes would add nothing the
//!   database sees, and in-process replicas can be killed mid-send (`JoinHandle::abort` drops what is in
//!   flight, as SIGKILL does) and timed from one clock.
//! - `fanout`: `--notices` chats each with one notice waiting (`outbox::queue_fan_out`), delivered to the
//!   fake Bot API with its strict limiter (429 above 30 in any rolling second) and `--rtt-ms` of round
//!   trip. The rate should stay at Telegram's pace (28/s) whatever the number of replicas: the budget is
//!   one, not one per replica. `--kill-after N` aborts replica 0 once N notices were delivered and
//!   reports the takeover: from the kill until the last notice then claimed (by anyone) is delivered —
//!   the dead replica's claims come back after `OUTBOX_LEASE` (`--lease-s`).
//! - `checks`: `--due` parcels seeded due now (`Store::seed_watched_parcels`), each with a subscriber,
//!   checked by `--replicas` watchers against their in-process simulators, on a clock standing still at
//!   09:00 Beijing (so nights and floors play no part); checks per second over `--seconds`, counted as
//!   upstream queries in the database.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::{Parser, Subcommand};
use kuaidi_bot::app::Engine;
use kuaidi_bot::clock::{ManualClock, SharedClock, SystemClock};
use kuaidi_bot::store::{Spread, WatchedSeed};
use kuaidi_bot::telegram::{BotOptions, Pace, TelegramDelivery, build_bot, default_limits};
use kuaidi_test_support::fake_telegram::FakeTelegram;
use kuaidi_test_support::outbox::queue_fan_out;
use kuaidi_test_support::sim::{sandbox_engine, start_time};
use kuaidi_test_support::store::{self as test_store, TestStore};
use tokio_util::sync::CancellationToken;

const TELEGRAM_LIMIT: u32 = 30;
const FIRST_CHAT: i64 = 5_000_000;

#[derive(Parser)]
#[command(about = "Replicas on one PostgreSQL: fan-out pace, watcher checks per second, takeover")]
struct Args {
    #[command(subcommand)]
    run: Run,
}

#[derive(Subcommand)]
enum Run {
    /// Notices waiting in the outbox, sent by N replicas under one shared Telegram budget.
    Fanout {
        #[arg(long, default_value_t = 1)]
        replicas: usize,
        #[arg(long, default_value_t = 10_000)]
        notices: usize,
        #[arg(long, default_value_t = 50)]
        rtt_ms: u64,
        /// Abort replica 0 (as SIGKILL would) once this many notices were delivered.
        #[arg(long)]
        kill_after: Option<usize>,
        /// `OUTBOX_LEASE` in seconds.
        #[arg(long, default_value_t = 30)]
        lease_s: u64,
    },
    /// Due parcels checked by N replicas' watchers.
    Checks {
        #[arg(long, default_value_t = 1)]
        replicas: usize,
        #[arg(long, default_value_t = 100_000)]
        due: i64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let Some(test) = test_store::postgres().await else {
        eprintln!("replica_bench needs PostgreSQL (TEST_POSTGRES_URL)");
        std::process::exit(2);
    };
    match Args::parse().run {
        Run::Fanout { replicas, notices, rtt_ms, kill_after, lease_s } => {
            fanout(&test, replicas, notices, rtt_ms, kill_after, lease_s).await
        }
        Run::Checks { replicas, due, seconds } => checks(&test, replicas, due, seconds).await,
    }
}

/// `count` engines on the test database, each with its own pool (a replica each).
async fn engines(test: &TestStore, count: usize, clock: SharedClock, env: &[(&str, &str)]) -> Vec<Arc<Engine>> {
    let mut engines = Vec::new();
    for _ in 0..count.max(1) {
        engines.push(Arc::new(sandbox_engine(test, clock.clone(), env).await.expect("engine")));
    }
    engines
}

fn rate(count: usize, span: Duration) -> f64 {
    if count < 2 || span.is_zero() { 0.0 } else { (count - 1) as f64 / span.as_secs_f64() }
}

async fn fanout(
    test: &TestStore,
    replicas: usize,
    notices: usize,
    rtt_ms: u64,
    kill_after: Option<usize>,
    lease_s: u64,
) {
    let seeding = Instant::now();
    queue_fan_out(&test.store, FIRST_CHAT, notices, Utc::now()).await;
    println!("seeded {notices} chats with one notice each in {:.1} s", seeding.elapsed().as_secs_f64());
    let tg = FakeTelegram::start().await;
    tg.set_global_rate_limit(Some(TELEGRAM_LIMIT));
    tg.set_round_trip(Some(Duration::from_millis(rtt_ms)).filter(|trip| !trip.is_zero()));
    let lease = format!("{lease_s}s");
    let engines = engines(test, replicas, Arc::new(SystemClock), &[("OUTBOX_LEASE", &lease)]).await;
    let options = BotOptions {
        token: FakeTelegram::TOKEN.to_owned(),
        api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
        pace: Some(default_limits()),
        shared_pace: None,
    };
    let stop = CancellationToken::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for engine in &engines {
        let pace = Pace::shared(default_limits(), engine.store.clone(), "123456");
        let outbox = engine.outbox(TelegramDelivery::new(build_bot(&options), Some(pace)));
        let shutdown = stop.clone();
        tasks.push(tokio::spawn(async move { outbox.run(shutdown).await }));
    }
    let delivered = |tg: &FakeTelegram| tg.sent_count();
    let deadline = started + Duration::from_secs((notices as u64 * 2) / 27 + 120);
    let mut killed: Option<(Instant, Vec<i64>)> = None;
    while delivered(&tg) < notices && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if killed.is_none() && kill_after.is_some_and(|after| delivered(&tg) >= after) {
            tasks[0].abort();
            let at = Instant::now();
            // The notices claimed at the kill, by any replica: the dead one's come back after the lease.
            let claimed = test_store::claimed_notice_chats(test, Utc::now()).await;
            println!(
                "killed replica 0 after {} deliveries; {} notices were claimed then",
                delivered(&tg),
                claimed.len()
            );
            killed = Some((at, claimed));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.cancel();
    for task in tasks {
        let _ = task.await;
    }
    let sent = tg.sent_messages();
    let mut per_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
    for message in &sent {
        per_chat.entry(message.chat_id).or_default().push(message.at);
    }
    let repeats: usize = per_chat.values().map(|times| times.len() - 1).sum();
    let mut times: Vec<Instant> = sent.iter().map(|message| message.at).collect();
    times.sort_unstable();
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        println!("nothing was delivered");
        std::process::exit(1);
    };
    let (low, high) = (times.len() / 10, (times.len() * 9 / 10).saturating_sub(1).max(times.len() / 10));
    println!(
        "{replicas} replica(s), round trip {rtt_ms} ms: {} delivered to {} of {notices} chats in {:.1} s — {:.2} msg/s \
         first→last, {:.2} msg/s steady (middle 80 %); 429s: {}; repeats: {repeats}; unsent left: {}",
        sent.len(),
        per_chat.len(),
        (last - first).as_secs_f64(),
        rate(times.len(), last - first),
        rate(high - low + 1, times[high] - times[low]),
        tg.too_many_requests_count(),
        test.store.unsent_notices().await.unwrap_or(u64::MAX),
    );
    if let Some((at, claimed)) = killed {
        let taken_over = claimed
            .iter()
            .filter_map(|chat| per_chat.get(chat).and_then(|times| times.iter().max()))
            .map(|delivered_at| delivered_at.saturating_duration_since(at))
            .max()
            .unwrap_or_default();
        println!(
            "takeover: every notice claimed at the kill was delivered {:.1} s after it (OUTBOX_LEASE {lease_s} s)",
            taken_over.as_secs_f64()
        );
    }
}

async fn checks(test: &TestStore, replicas: usize, due: i64, seconds: u64) {
    let now = start_time();
    let seed = WatchedSeed {
        count: due,
        courier: "yuantong".to_owned(),
        number_prefix: "YT98".to_owned(),
        first_chat: FIRST_CHAT,
        parcels_per_chat: 5,
        lang: "zh".to_owned(),
        created_at: now - chrono::Duration::days(1),
        spread: Spread {
            start: now - chrono::Duration::minutes(10),
            spacing: chrono::Duration::milliseconds(1),
            slots: due.max(1),
            shuffle: 7919,
        },
        batch: 100_000,
    };
    let seeding = Instant::now();
    test.store.seed_watched_parcels(&seed, |_| {}).await.expect("seed");
    println!("seeded {due} due parcels in {:.1} s", seeding.elapsed().as_secs_f64());
    let clock = ManualClock::new(now);
    let engines = engines(test, replicas, Arc::new(clock), &[("USER_RATE_LIMIT", "1000000/s")]).await;
    let before = test.store.count_upstream_queries().await.expect("count");
    let stop = CancellationToken::new();
    let mut tasks = Vec::new();
    for engine in &engines {
        let mut watcher_engine_config = engine.watch.clone();
        watcher_engine_config.idle_poll = Duration::from_millis(50);
        let watcher =
            kuaidi_bot::watch::Watcher::new(engine.tracker.clone(), engine.clock.clone(), watcher_engine_config);
        let shutdown = stop.clone();
        tasks.push(tokio::spawn(async move { watcher.run(shutdown).await }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let checked = test.store.count_upstream_queries().await.expect("count") - before;
    let span = started.elapsed();
    stop.cancel();
    for task in tasks {
        let _ = task.await;
    }
    let queried = test.store.count_upstream_queries().await.expect("count") - before;
    println!(
        "{replicas} replica(s): {checked} checks in {:.1} s — {:.0} checks/s with {due} due ({} in all once stopped, \
         each parcel at most once: {})",
        span.as_secs_f64(),
        checked as f64 / span.as_secs_f64(),
        queried,
        queried <= due as u64
    );
}
