//! The upstream-economy benchmark: how many Kuaidi100 queries the watcher spends per parcel, and how
//! late people hear of what happened to it, against fixed-interval polling.
//!
//! Run: `cargo run --release --example economy_bench`
//! (options: `-- --parcels 1000 --spread-hours 48 --max-days 40 --shards 8`; about 1.5 minutes on 2 cores).
//!
//! What it measures. 1,000 simulated parcels (yuantong numbers ending in 0 or 1, so each one is "just
//! picked up" at its first query and its whole life is ahead) are each subscribed by one chat and watched
//! through their whole lives on a driven clock. Per strategy it reports upstream queries per parcel,
//! the most queries of one parcel in any rolling 24 h, and the median and p95 delay from an event
//! happening to its notification, for (a) every event after the subscription, (b) "out for delivery"
//! events (state family 5: codes 5, 501) and (c) "delivered" events (family 3: 3, 301–304); for the real
//! policy also the simulator's count of lock-rule violations (must be 0), where its queries went (by the
//! state that planned each one, and how many at night), and how many out-for-delivery and delivered
//! events were only caught by a check planned at a slower pace than the floor (and, for out for
//! delivery, by which state: a failed attempt's "problem" before a re-delivery, or "in transit" when
//! the outlet's arrival and the courier's round both fell between two checks).
//!
//! How. The policy under test is the real one: the bot's `Tracker` and `Watcher` (floor 30 min, cap
//! 48/24 h; `WatcherConfig::new`), wired by `Engine::start` in sandbox mode (`sim::sandbox_engine` of
//! `kuaidi-test-support`) on a SQLite store in a temp file, against the in-process Kuaidi100 simulator
//! with Kuaidi100's lock rule, all on a `ManualClock`. Subscriptions are spread evenly over
//! `--spread-hours` from a Monday 09:00 Beijing and done like `/sub`: one query through the tracker, then
//! `watch::Subscriptions::subscribe` (as `/sub` does), which records the lines and state seen and plans the first check. The clock then
//! jumps from one moment to the next that matters (the next subscription or the store's earliest due
//! check), so every check runs exactly when it is due, as the live watcher (1 s idle poll) nearly does;
//! `watcher.tick()` runs the due checks and the outbox is drained after every tick, so a notice's time is
//! the clock's time at that tick. Each notice says how many new lines it brings (`new_lines` +
//! `more_lines`); they are matched, in order, to the parcel's timeline from the simulator
//! (`Sandbox::timeline`, anchored at the subscription query), whose event times are the true ones (the
//! newest notified line's printed time is checked against them). Delay = notice time − event time; only
//! events after the subscription count. Watching runs until every watch has stopped (finished, or 14
//! days unchanged) or `--max-days` after the last subscription. The parcels are split over `--shards`
//! independent worlds (each its own clock, simulator, store, tracker and watcher) run side by side: the
//! policy treats every parcel on its own, so this changes no figure, it only uses the cores while each
//! world waits on SQLite and loopback HTTP.
//!
//! The two baselines are computed, not run (no queries are made for them): on the same parcels'
//! timelines, polls at the subscription time + k × interval, 24 hours a day; an event is notified at
//! the first poll at or after it; polling stops at the first poll that sees a finished parcel
//! (delivered, returned, refused) or, for a parcel that never finishes, by the watcher's own rule (no
//! change seen for 14 days). The real policy, unlike them, skips 23:00–07:00 Beijing time except for
//! parcels out for delivery. Note that no poller that keeps the 30-minute floor can beat fixed 30-minute
//! polling on delay: an event caught at the floor's pace waits U(0, 30 min), median 15 min.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Asia::Shanghai;
use kuaidi_bot::clock::{Clock, ManualClock};
use kuaidi_bot::input::tracking_number;
use kuaidi_bot::kuaidi100::{Family, Lang, state};
use kuaidi_bot::sandbox::{self, Parcel};
use kuaidi_bot::tracking::{Asker, Report, TrackRequest};
use kuaidi_bot::watch::{Notice, NoticeKind, STOP_UNCHANGED_AFTER_DAYS, Subscribe};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::sim::{sandbox_engine, start_time};
use kuaidi_test_support::store as test_store;

const COURIER: &str = "yuantong";
/// Kuaidi100's lock rule, which the bot's limits are set to.
const FLOOR_MINUTES: i64 = 30;
const CAP: u32 = 48;

fn arg(name: &str, default: i64) -> i64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Which of the reported event classes a state code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    OutForDelivery,
    Delivered,
    Other,
}

fn class_of(code: &str) -> Class {
    match state::lookup(code).map(|state| state.family) {
        Some(Family::OutForDelivery) => Class::OutForDelivery,
        Some(Family::Delivered) => Class::Delivered,
        _ => Class::Other,
    }
}

/// What planned a watcher query: the state of the parcel at the query before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Planner {
    Subscription,
    InTransit,
    Customs,
    InCity,
    OutForDelivery,
    AtLocker,
    Problem,
    Other,
}

impl Planner {
    fn of(code: &str) -> Self {
        match (code, state::lookup(code).map(|state| state.family)) {
            ("1001", _) => Planner::InCity,
            ("501", _) => Planner::AtLocker,
            (_, Some(Family::OutForDelivery)) => Planner::OutForDelivery,
            (_, Some(Family::Customs)) => Planner::Customs,
            (_, Some(Family::Problem)) => Planner::Problem,
            (_, Some(Family::InTransit | Family::PickedUp | Family::Returning | Family::Transferred)) => {
                Planner::InTransit
            }
            _ => Planner::Other,
        }
    }

    /// Checked every floor (by day; 1001 and 501 not at night).
    fn is_floor_paced(self) -> bool {
        matches!(self, Planner::InCity | Planner::OutForDelivery | Planner::AtLocker)
    }

    fn label(self) -> &'static str {
        match self {
            Planner::Subscription => "/sub",
            Planner::InTransit => "in transit/returning",
            Planner::Customs => "customs",
            Planner::InCity => "1001 in city",
            Planner::OutForDelivery => "5 out for delivery",
            Planner::AtLocker => "501 at locker",
            Planner::Problem => "problem",
            Planner::Other => "other",
        }
    }
}

fn is_finished(code: &str) -> bool {
    state::lookup(code).is_some_and(|state| state.is_terminal())
}

/// One watched parcel, as the benchmark follows it.
struct Watched {
    number: String,
    subscribe_at: DateTime<Utc>,
    /// Lines already seen when subscribing.
    seen_at_subscription: usize,
    /// Lines notified so far (including those seen at subscription).
    notified: usize,
    /// When each line (oldest first) was notified; `None` for lines seen at subscription or never notified.
    notified_at: Vec<Option<DateTime<Utc>>>,
    /// (count of lines notified after this notice, the newest notified line's time text), to check.
    newest_lines: Vec<(usize, String)>,
    /// How the watch ended.
    ended: Option<NoticeKind>,
    /// When the parcel was queried: the subscription, then every check the watcher made.
    queried_at: Vec<DateTime<Utc>>,
}

/// Delays (seconds) and query counts of one strategy.
#[derive(Default)]
struct Figures {
    queries: Vec<u64>,
    max_in_24h: u64,
    all: Vec<i64>,
    out_for_delivery: Vec<i64>,
    delivered: Vec<i64>,
    /// Events after the subscription that were never notified.
    missed: usize,
}

impl Figures {
    fn add(&mut self, code: &str, delay: Duration) {
        let seconds = delay.num_seconds();
        self.all.push(seconds);
        match class_of(code) {
            Class::OutForDelivery => self.out_for_delivery.push(seconds),
            Class::Delivered => self.delivered.push(seconds),
            Class::Other => {}
        }
    }

    fn queries_per_parcel(&self) -> f64 {
        self.queries.iter().sum::<u64>() as f64 / self.queries.len().max(1) as f64
    }

    fn sort(&mut self) {
        self.all.sort_unstable();
        self.out_for_delivery.sort_unstable();
        self.delivered.sort_unstable();
    }
}

fn human(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else { return "-".to_owned() };
    let minutes = (seconds + 30) / 60;
    if minutes < 60 { format!("{minutes}m") } else { format!("{}h{:02}m", minutes / 60, minutes % 60) }
}

fn median_p95(sorted: &[i64]) -> String {
    format!("{:>6} / {:<6}", human(percentile(sorted, 0.5)), human(percentile(sorted, 0.95)))
}

/// The most entries of sorted `times` in any rolling 24 h window (the lock rule's window: `(t-24h, t]`).
fn max_in_24h(times: &[DateTime<Utc>]) -> u64 {
    let mut best = 0;
    let mut first = 0;
    for (last, time) in times.iter().enumerate() {
        while *time - times[first] >= Duration::hours(24) {
            first += 1;
        }
        best = best.max(last + 1 - first);
    }
    best as u64
}

/// Fixed-interval polling of one parcel, computed from its timeline.
fn fixed_polling(
    parcel: &Parcel,
    t0: DateTime<Utc>,
    interval: Duration,
    horizon: DateTime<Utc>,
    figures: &mut Figures,
) {
    let events = &parcel.events;
    let mut seen = parcel.revealed(t0).len();
    let mut polls = vec![t0];
    let mut last_change = t0;
    let mut poll = t0;
    while !is_finished(events[seen - 1].code) {
        poll += interval;
        if poll > horizon {
            break;
        }
        polls.push(poll);
        let now_seen = parcel.revealed(poll).len();
        for event in &events[seen..now_seen] {
            figures.add(event.code, poll - event.time);
        }
        if now_seen > seen {
            seen = now_seen;
            last_change = poll;
        }
        if poll - last_change >= Duration::days(STOP_UNCHANGED_AFTER_DAYS) {
            break;
        }
    }
    figures.missed += events.len() - seen;
    figures.queries.push(polls.len() as u64);
    figures.max_in_24h = figures.max_in_24h.max(max_in_24h(&polls));
}

/// What one shard (an independent world: clock, simulator, store, tracker, watcher) brings back.
struct Shard {
    /// Each parcel as followed, its timeline from the simulator and the simulator's books on it.
    parcels: Vec<(Watched, Parcel, sandbox::ParcelStats)>,
    total_queries: u64,
    lock_violations: u64,
    upstream_answered: u64,
    refused: u64,
    ticks: u64,
    clock_jumps: u64,
    notices: u64,
    ended_at: DateTime<Utc>,
    still_watched: bool,
}

/// Subscribes and watches `watched` (sorted by subscription time) until every watch has stopped or
/// `horizon`, on a clock of its own that jumps from one due moment to the next.
async fn run_shard(mut watched: Vec<Watched>, start: DateTime<Utc>, horizon: DateTime<Utc>, chat_base: i64) -> Shard {
    let clock = ManualClock::new(start);
    let store = test_store::sqlite().await.expect("sqlite store");
    // The lock rule for the simulator and the tracker alike, and no per-user throttle.
    let env = [
        ("QUERY_MIN_INTERVAL", format!("{FLOOR_MINUTES}m")),
        ("QUERY_MAX_PER_DAY", CAP.to_string()),
        ("USER_RATE_LIMIT", "1000000/s".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let mut engine = sandbox_engine(&store, Arc::new(clock.clone()), &env).await.expect("engine starts");
    let sim = engine.sandbox.take().expect("sandbox mode");
    let tracker = engine.tracker.clone();
    let batch = engine.watch.batch;
    let watcher = engine.watcher();
    let subscriptions = engine.subscriptions.clone();
    let index: HashMap<String, usize> = watched.iter().enumerate().map(|(i, w)| (w.number.clone(), i)).collect();

    let mut next_subscription = 0;
    let (mut ticks, mut notices, mut clock_jumps) = (0_u64, 0_u64, 0_u64);
    loop {
        // The earliest due checks: the first of them says when, and those due then are what `tick`
        // will take (same query, same order), noted for the breakdown by state.
        let due = engine.store.due_parcels(horizon, batch).await.expect("due parcels");
        let subscription = watched.get(next_subscription).map(|w| w.subscribe_at);
        let next = match (due.first().map(|parcel| parcel.due_at), subscription) {
            (Some(due), Some(sub)) => due.min(sub),
            (Some(at), None) | (None, Some(at)) => at,
            (None, None) => break,
        };
        if next > horizon {
            break;
        }
        if next > clock.now() {
            clock.set(next);
            clock_jumps += 1;
        }
        let now = clock.now();

        // Subscriptions due now, like `/sub`: ask once, record what was seen, plan the first check.
        while let Some(parcel) = watched.get_mut(next_subscription).filter(|w| w.subscribe_at <= now) {
            let chat = chat_base + next_subscription as i64;
            let number = tracking_number(&parcel.number).expect("valid number");
            let request = TrackRequest::new(Some(COURIER), number, Asker::User(chat)).with_lang(Lang::Zh);
            let tracked = tracker.track(request).await.expect("first query");
            let seen_lines = match &tracked.report {
                Report::Answer { result, .. } => result.data.len(),
                Report::NoResultYet => 0,
                Report::Failed(error) => panic!("{}: {error}", parcel.number),
            };
            let outcome = subscriptions.subscribe(chat, &tracked, Lang::Zh).await.expect("subscribe");
            assert_eq!(outcome, Subscribe::Created, "{}", parcel.number);
            parcel.seen_at_subscription = seen_lines;
            parcel.notified = seen_lines;
            parcel.notified_at = vec![None; seen_lines];
            parcel.queried_at.push(now);
            next_subscription += 1;
        }

        // Checks due now, then what they queued.
        let due_now: Vec<_> = due.iter().filter(|parcel| parcel.due_at <= now).collect();
        if due_now.is_empty() {
            continue;
        }
        for parcel in due_now {
            watched[index[&parcel.key.number]].queried_at.push(now);
        }
        ticks += 1;
        watcher.tick().await.expect("watcher tick");
        let pending = engine.store.pending_notices(now, 10_000).await.expect("pending notices");
        if pending.is_empty() {
            continue;
        }
        for notice in &pending {
            let notice: Notice = serde_json::from_str(&notice.payload).expect("notice payload");
            let parcel = &mut watched[index[&notice.number]];
            let new = notice.new_lines.len() + notice.more_lines as usize;
            parcel.notified += new;
            parcel.notified_at.resize(parcel.notified, Some(now));
            if let Some(newest) = notice.new_lines.first() {
                parcel.newest_lines.push((parcel.notified, newest.time.clone()));
            }
            if notice.kind.ends_watching() {
                parcel.ended = Some(notice.kind);
            }
        }
        notices += pending.len() as u64;
        let ids: Vec<i64> = pending.iter().map(|notice| notice.id).collect();
        engine.store.mark_sent(&ids, now).await.expect("mark sent");
    }
    let still_watched = engine.store.next_due_at().await.expect("next due").is_some();

    // The books: the simulator's own count of queries and lock violations.
    let stats = sim.sandbox.stats();
    let mut books: HashMap<String, sandbox::ParcelStats> =
        stats.parcels.into_iter().map(|parcel| (parcel.num.clone(), parcel)).collect();
    let metrics = tracker.metrics();
    let parcels = watched
        .into_iter()
        .map(|parcel| {
            let timeline = sim.sandbox.timeline(COURIER, &parcel.number);
            let books = books.remove(&parcel.number).expect("the simulator saw every parcel");
            (parcel, timeline, books)
        })
        .collect();
    let ended_at = clock.now();
    sim.shutdown().await.expect("simulator stops");
    Shard {
        parcels,
        total_queries: stats.total_queries,
        lock_violations: stats.lock_violations,
        upstream_answered: metrics.upstream_answered,
        refused: metrics.refused_by_floor + metrics.refused_by_daily_cap,
        ticks,
        clock_jumps,
        notices,
        ended_at,
        still_watched,
    }
}

#[tokio::main]
async fn main() {
    let parcels = usize::try_from(arg("--parcels", 1_000)).unwrap_or(1_000).max(1);
    let spread = Duration::hours(arg("--spread-hours", 48));
    let max_days = arg("--max-days", 40);
    let shards = usize::try_from(arg("--shards", 8)).unwrap_or(8).clamp(1, parcels);

    let started = Instant::now();
    let start = start_time();
    let all: Vec<Watched> = (0..parcels)
        .map(|i| Watched {
            number: format!("YT96{:010}{}", i * 7_919 + 12_345, i % 2),
            subscribe_at: start + Duration::seconds(spread.num_seconds() * i as i64 / parcels as i64),
            seen_at_subscription: 0,
            notified: 0,
            notified_at: Vec::new(),
            newest_lines: Vec::new(),
            ended: None,
            queried_at: Vec::new(),
        })
        .collect();
    let horizon = all[parcels - 1].subscribe_at + Duration::days(max_days);
    let mut groups: Vec<Vec<Watched>> = (0..shards).map(|_| Vec::new()).collect();
    for (i, parcel) in all.into_iter().enumerate() {
        groups[i % shards].push(parcel);
    }
    let tasks: Vec<_> = groups
        .into_iter()
        .enumerate()
        .map(|(shard, group)| tokio::spawn(run_shard(group, start, horizon, 1 + (shard * parcels) as i64)))
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("shard runs"));
    }
    let sum = |field: fn(&Shard) -> u64| results.iter().map(field).sum::<u64>();
    let (total_queries, lock_violations) = (sum(|s| s.total_queries), sum(|s| s.lock_violations));
    let (upstream_answered, refused) = (sum(|s| s.upstream_answered), sum(|s| s.refused));
    let (ticks, clock_jumps, notices) = (sum(|s| s.ticks), sum(|s| s.clock_jumps), sum(|s| s.notices));
    let simulated = results.iter().map(|s| s.ended_at).max().unwrap_or(start) - start;
    let still_watched = results.iter().any(|s| s.still_watched);

    let mut bot = Figures::default();
    let mut every_30m = Figures::default();
    let mut every_2h = Figures::default();
    // The watcher's notifications that came from a check planned at a slower pace than the floor.
    let mut caught_by_slow_check = Figures::default();
    let mut mismatched_lines = 0;
    let mut unaccounted_queries = 0;
    let mut by_planner: BTreeMap<Planner, u64> = BTreeMap::new();
    let mut slow_ofd_by_planner: BTreeMap<Planner, u64> = BTreeMap::new();
    let mut at_night = 0_u64;
    let (mut finished, mut unchanged, mut other_end) = (0, 0, 0);
    let (mut finishing_queries, mut stuck_queries) = ((0_u64, 0_u64), (0_u64, 0_u64));
    for (parcel, timeline, books) in results.iter().flat_map(|shard| &shard.parcels) {
        let events = &timeline.events;
        bot.queries.push(books.queries);
        bot.max_in_24h = bot.max_in_24h.max(books.max_in_24h);
        let finishes = events.last().is_some_and(|event| is_finished(event.code));
        let bucket = if finishes { &mut finishing_queries } else { &mut stuck_queries };
        bucket.0 += books.queries;
        bucket.1 += 1;
        if parcel.queried_at.len() as u64 != books.queries {
            unaccounted_queries += 1;
        }
        for (k, at) in parcel.queried_at.iter().enumerate() {
            let planned_by = match k.checked_sub(1).and_then(|previous| parcel.queried_at.get(previous)) {
                None => Planner::Subscription,
                Some(previous) => Planner::of(timeline.revealed(*previous).last().map_or("", |event| event.code)),
            };
            *by_planner.entry(planned_by).or_default() += 1;
            let hour = at.with_timezone(&Shanghai).hour();
            if !(7..23).contains(&hour) {
                at_night += 1;
            }
        }
        match parcel.ended {
            Some(NoticeKind::Finished) => finished += 1,
            Some(NoticeKind::Unchanged) => unchanged += 1,
            _ => other_end += 1,
        }
        for (count, time) in &parcel.newest_lines {
            if events.get(count - 1).is_none_or(|event| event.beijing_time() != *time) {
                mismatched_lines += 1;
            }
        }
        let planner_of_query_at = |at: DateTime<Utc>| {
            let k = parcel.queried_at.partition_point(|queried| *queried < at);
            let previous = k.checked_sub(1).and_then(|previous| parcel.queried_at.get(previous));
            previous.map_or(Planner::Subscription, |previous| {
                Planner::of(timeline.revealed(*previous).last().map_or("", |event| event.code))
            })
        };
        for (i, event) in events.iter().enumerate().skip(parcel.seen_at_subscription) {
            match parcel.notified_at.get(i).copied().flatten() {
                Some(at) => {
                    bot.add(event.code, at - event.time);
                    let planner = planner_of_query_at(at);
                    if !planner.is_floor_paced() {
                        caught_by_slow_check.add(event.code, at - event.time);
                        if class_of(event.code) == Class::OutForDelivery {
                            *slow_ofd_by_planner.entry(planner).or_default() += 1;
                        }
                    }
                }
                None => bot.missed += 1,
            }
        }
        fixed_polling(timeline, parcel.subscribe_at, Duration::minutes(30), horizon, &mut every_30m);
        fixed_polling(timeline, parcel.subscribe_at, Duration::hours(2), horizon, &mut every_2h);
    }
    for figures in [&mut bot, &mut every_30m, &mut every_2h, &mut caught_by_slow_check] {
        figures.sort();
    }

    println!(
        "economy_bench: {parcels} parcels ({COURIER}, numbers ending in 0/1: whole life ahead), subscribed over {} h \
         from {} Beijing; floor {FLOOR_MINUTES} min, cap {CAP}/24 h; {shards} independent shards",
        spread.num_hours(),
        start.with_timezone(&Shanghai).format("%a %Y-%m-%d %H:%M"),
    );
    println!(
        "run: {:.1} s wall, {:.1} simulated days, {clock_jumps} clock jumps, {ticks} ticks, {notices} notices; \
         watches ended: {finished} finished, {unchanged} unchanged 14 d, {other_end} other{}",
        started.elapsed().as_secs_f64(),
        simulated.num_minutes() as f64 / 1_440.0,
        if still_watched { " (horizon reached with parcels still watched!)" } else { "" }
    );
    println!(
        "events after subscription: {} ({} out for delivery, {} delivered); notified-line time checks failed: {mismatched_lines}",
        bot.all.len() + bot.missed,
        bot.out_for_delivery.len(),
        bot.delivered.len()
    );
    println!();
    println!(
        "{:<34} {:>9} {:>7}   {:<15}   {:<15}   {:<15}   {:>6}",
        "strategy", "queries/", "max in", "all events", "out for deliv.", "delivered", "missed"
    );
    println!(
        "{:<34} {:>9} {:>7}   {:<15}   {:<15}   {:<15}   {:>6}",
        "", "parcel", "24 h", "p50 / p95", "p50 / p95", "p50 / p95", "events"
    );
    for (name, figures) in [
        ("watcher policy (real run)", &bot),
        ("fixed 30 min, 24 h a day (computed)", &every_30m),
        ("fixed 2 h, 24 h a day (computed)", &every_2h),
    ] {
        println!(
            "{name:<34} {:>9.1} {:>7}   {}   {}   {}   {:>6}",
            figures.queries_per_parcel(),
            figures.max_in_24h,
            median_p95(&figures.all),
            median_p95(&figures.out_for_delivery),
            median_p95(&figures.delivered),
            figures.missed
        );
    }
    println!();
    let per = |(queries, count): (u64, u64)| queries as f64 / count.max(1) as f64;
    println!(
        "watcher queries/parcel: {:.1} for the {} parcels that finish, {:.1} for the {} that never do (stuck, watched \
         until 14 days unchanged)",
        per(finishing_queries),
        finishing_queries.1,
        per(stuck_queries),
        stuck_queries.1
    );
    let breakdown: Vec<String> = by_planner
        .iter()
        .map(|(planner, queries)| format!("{} {:.1}", planner.label(), *queries as f64 / parcels as f64))
        .collect();
    println!(
        "watcher queries/parcel by the state that planned them: {}; made at night (23:00-07:00 Beijing): {:.1}{}",
        breakdown.join(", "),
        at_night as f64 / parcels as f64,
        if unaccounted_queries > 0 {
            format!(" ({unaccounted_queries} parcels' query counts differ from the simulator's!)")
        } else {
            String::new()
        }
    );
    let slow = |caught: &[i64], all: &[i64]| {
        format!(
            "{} of {} ({:.1}%), median {}",
            caught.len(),
            all.len(),
            100.0 * caught.len() as f64 / all.len().max(1) as f64,
            human(percentile(caught, 0.5))
        )
    };
    println!(
        "watcher notices from a check planned at a slower pace than the floor (in transit, customs, problem): out for \
         delivery {}; delivered {}",
        slow(&caught_by_slow_check.out_for_delivery, &bot.out_for_delivery),
        slow(&caught_by_slow_check.delivered, &bot.delivered)
    );
    println!(
        "out for delivery caught by a slower check, by the state that planned it: {}",
        slow_ofd_by_planner
            .iter()
            .map(|(planner, count)| format!("{} {count}", planner.label()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "simulator: {total_queries} queries in all, lock violations: {lock_violations} (must be 0); tracker: \
         {upstream_answered} answered upstream, {refused} refused by floor or daily cap"
    );

    let fewer_queries = bot.queries_per_parcel() < every_2h.queries_per_parcel();
    let median = |sorted: &[i64]| percentile(sorted, 0.5).unwrap_or(i64::MAX);
    let ofd_ok = median(&bot.out_for_delivery) <= median(&every_30m.out_for_delivery);
    let delivered_ok = median(&bot.delivered) <= median(&every_30m.delivered);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let minutes = |sorted: &[i64]| median(sorted) as f64 / 60.0;
    println!(
        "target: fewer queries/parcel than fixed 2 h ({:.1} vs {:.1}): {}; median delay no worse than fixed 30 min for \
         out for delivery ({:.1} vs {:.1} min): {}, for delivered ({:.1} vs {:.1} min): {}; no lock violations: {}",
        bot.queries_per_parcel(),
        every_2h.queries_per_parcel(),
        verdict(fewer_queries),
        minutes(&bot.out_for_delivery),
        minutes(&every_30m.out_for_delivery),
        verdict(ofd_ok),
        minutes(&bot.delivered),
        minutes(&every_30m.delivered),
        verdict(delivered_ok),
        verdict(lock_violations == 0)
    );
}
