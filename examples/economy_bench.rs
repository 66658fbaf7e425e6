//! The upstream-economy benchmark: how many billed Kuaidi100 calls the watcher spends per parcel, and
//! how late people hear of what happened to it, in each `WATCH_MODE` and against fixed-interval polling.
//!
//! Run: `cargo run --release --example economy_bench`
//! (options: `-- --parcels 1000 --spread-hours 48 --max-days 40 --shards 8 --modes poll,push,hybrid`;
//! `--safety-floors 48 --last-mile city+delivery+locker+problem` set the hybrid run; `--frontier` adds
//! hybrid runs of several settings, `--frontier 48:city+delivery,96:city+delivery` of the ones listed
//! (safety floors:last mile, names as `LastMile::as_str`); `--locker-floors 4 --city-until 18
//! --delivery-until 21 --patience-floors 48` override hybrid's last-mile pace (`Policy::hybrid`) for
//! every hybrid run. The three modes take about 2.5 minutes on 2 cores (poll ~1 min, push ~20 s,
//! hybrid ~70 s), each frontier setting about as long as hybrid.)
//!
//! What it measures. 1,000 simulated parcels (yuantong numbers ending in 0 or 1, so each one is "just
//! picked up" at its first query and its whole life is ahead) are each subscribed by one chat and watched
//! through their whole lives on a driven clock, once per mode (`poll`, `push`, `hybrid`): the same
//! numbers, subscription times and timelines in every run. Per run it reports **billed calls per
//! parcel = queries + subscribe calls**, from the simulator's books (`Stats::total_queries` and
//! `subscribe_calls`; per parcel `ParcelStats::queries` and `subscribes`), the chat's own `/sub` query
//! included (every mode makes it: it shows the chat the parcel; "watching" is the rest); the most
//! queries of one parcel in any rolling 24 h; and the median and p95 delay from an event happening to
//! its notification, for (a) every event after the subscription, (b) "out for delivery" (state family 5
//! but 501: code 5), (c) "at a locker or station" (501) and (d) "delivered" (family 3: 3, 301–304).
//! Before push modes existed (b) included 501; poll mode's figures are otherwise the same as then (~39
//! queries per parcel). Also per run: the simulator's count of lock-rule violations (must be 0), its
//! pushes (sent, acknowledged, retried, dropped), where the queries went (by the state the bot last
//! heard of before each one, by query or push, and how many at night), which notices a push brought,
//! and how many out-for-delivery and delivered events were only caught by a query planned at a slower
//! pace than the floor (and, for out for delivery, by which state). At the end: one table of every run
//! and the baselines, the targets (push: about 1 billed call per parcel for watching; hybrid:
//! ≤ 12 billed calls per parcel, out-for-delivery and delivered medians ≤ 20 min), met or missed by
//! how much, and with more than one hybrid setting the frontier: setting → billed calls per parcel and
//! the medians and p95s.
//!
//! How. The policy under test is the real one: the bot's `Tracker` and `Watcher` (floor 30 min, cap
//! 48/24 h; `WatcherConfig::new`), wired by `Engine::start` in sandbox mode with `WATCH_MODE=<mode>`
//! (`sim::sandbox_engine_calling_back` of `kuaidi-test-support`) on a SQLite store in a temp file,
//! against the in-process Kuaidi100 simulator with Kuaidi100's lock rule, all on a `ManualClock`. A
//! hybrid setting other than the default is set on `engine.watch` (`Policy::push_safety_floors`,
//! `WatcherConfig::last_mile`) before the watcher and the push intake are made. Each world serves the
//! bot's own HTTP server (`kuaidi_bot::http::router` with `engine.http_state(…)`, whose `push` is `engine.push_intake()`)
//! on 127.0.0.1:0, and the simulator's callback base points there, so pushes travel as in production:
//! a signed `POST /kuaidi100/push` over loopback, verified and taken in by the bot. Subscriptions are
//! spread evenly over `--spread-hours` from a Monday 09:00 Beijing and done like `/sub`: one query
//! through the tracker, then `watch::Subscriptions::subscribe` (as `/sub` does), which records the lines
//! and state seen, plans the first check and, in push and hybrid mode, records the intent to subscribe.
//! The clock then jumps from one moment to the next that matters (the next subscription, the store's
//! earliest due check, or the simulator's next push moment: a subscription's `next_check` or a pending
//! push's `due`, from `Sandbox::push_subscriptions`), so every check and push happens exactly when it is
//! due, as the live watcher (1 s idle poll) nearly does. After each move `Sandbox::deliver_due_pushes`
//! sends the pushes due (it returns once the bot has answered them) and the outbox is drained; then, if
//! checks are due or a parcel was just subscribed, `watcher.tick()` makes the subscribe calls (billed)
//! and the due checks, and the outbox is drained again, so a notice's time is the clock's time at that
//! step and its source (push or query) is known. A check counts as a query when the simulator's count of
//! the parcel's queries rose (push mode's safety judgments make none). Each notice says how many new
//! lines it brings (`new_lines` + `more_lines`, the same for pushes and checks); they are matched, in
//! order, to the parcel's timeline from the simulator (`Sandbox::timeline`, anchored at the subscription
//! query), whose event times are the true ones (the newest notified line's printed time is checked
//! against them). Delay = notice time − event time; only events after the subscription count. Watching
//! runs until every watch has stopped (finished, or 14 days unchanged) or `--max-days` after the last
//! subscription. The parcels are split over `--shards` independent worlds (each its own clock,
//! simulator, store, tracker, watcher and HTTP server) run side by side: the policy treats every parcel
//! on its own, so this changes no figure, it only uses the cores while each world waits on SQLite and
//! loopback HTTP.
//!
//! The two baselines are computed, not run (no queries are made for them): on the same parcels'
//! timelines, polls at the subscription time + k × interval, 24 hours a day; an event is notified at
//! the first poll at or after it; polling stops at the first poll that sees a finished parcel
//! (delivered, returned, refused) or, for a parcel that never finishes, by the watcher's own rule (no
//! change seen for 14 days). The real policy, unlike them, skips 23:00–07:00 Beijing time except for
//! parcels out for delivery. Note that no poller that keeps the 30-minute floor can beat fixed 30-minute
//! polling on delay: an event caught at the floor's pace waits U(0, 30 min), median 15 min. Pushes come
//! on the simulator's own clock (first 15 min–4 h after subscribing, then a check about every 4 h that
//! pushes on change), so an event only a push brings waits about 2 h (median); hybrid polls the last
//! mile at the floor's pace to catch "out for delivery" and "delivered" sooner, and that is where its
//! queries go (see its "by the state that planned them" line).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Asia::Shanghai;
use kuaidi_bot::clock::{Clock, ManualClock};
use kuaidi_bot::http::Readiness;
use kuaidi_bot::input::tracking_number;
use kuaidi_bot::kuaidi100::{Family, Lang, state};
use kuaidi_bot::sandbox::{self, Parcel};
use kuaidi_bot::tracking::{Asker, Report, TrackRequest};
use kuaidi_bot::watch::{
    LastMile, Notice, NoticeKind, PUSH_SAFETY_FLOORS, STOP_UNCHANGED_AFTER_DAYS, Subscribe, WatchMode,
};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::sim::{sandbox_engine_calling_back, start_time};
use kuaidi_test_support::store as test_store;

const COURIER: &str = "yuantong";
/// Kuaidi100's lock rule, which the bot's limits are set to.
const FLOOR_MINUTES: i64 = 30;
const CAP: u32 = 48;

fn arg_text(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn arg(name: &str, default: i64) -> i64 {
    arg_text(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// How one run watches: the mode, and for hybrid the safety interval and the last mile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Setting {
    mode: WatchMode,
    safety_floors: i32,
    last_mile: LastMile,
}

impl Setting {
    fn label(self) -> String {
        match self.mode {
            WatchMode::Hybrid => {
                format!("hybrid, safety {} floors, last mile {}", self.safety_floors, self.last_mile.as_str())
            }
            mode => mode.as_str().to_owned(),
        }
    }

    /// For the main table: the mode, and a hybrid setting only when it is not the bot's default.
    fn short_label(self) -> String {
        match self.mode {
            WatchMode::Hybrid if !self.is_default() => {
                format!("hybrid {}:{}", self.safety_floors, self.last_mile.as_str())
            }
            mode => mode.as_str().to_owned(),
        }
    }

    fn is_default(self) -> bool {
        self.safety_floors == PUSH_SAFETY_FLOORS && self.last_mile == LastMile::default()
    }
}

/// Which of the reported event classes a state code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    OutForDelivery,
    AtLocker,
    Delivered,
    Other,
}

fn class_of(code: &str) -> Class {
    match (code, state::lookup(code).map(|state| state.family)) {
        ("501", _) => Class::AtLocker,
        (_, Some(Family::OutForDelivery)) => Class::OutForDelivery,
        (_, Some(Family::Delivered)) => Class::Delivered,
        _ => Class::Other,
    }
}

/// What planned a watcher query: the state of the parcel as the bot last heard of it before (at the
/// query before it, or a push since).
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

/// What brought a line's notice: a push, or a watcher query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Push,
    Query,
}

/// One watched parcel, as the benchmark follows it.
#[derive(Clone)]
struct Watched {
    number: String,
    subscribe_at: DateTime<Utc>,
    /// Lines already seen when subscribing.
    seen_at_subscription: usize,
    /// Lines notified so far (including those seen at subscription).
    notified: usize,
    /// When each line (oldest first) was notified and by what; `None` for lines seen at subscription or
    /// never notified.
    notified_at: Vec<Option<(DateTime<Utc>, Source)>>,
    /// (count of lines notified after this notice, the newest notified line's time text), to check.
    newest_lines: Vec<(usize, String)>,
    /// How the watch ended.
    ended: Option<NoticeKind>,
    /// When the parcel was queried: the subscription, then every check of the watcher's that made one.
    queried_at: Vec<DateTime<Utc>>,
    /// When a push brought news of it.
    pushed_at: Vec<DateTime<Utc>>,
    /// Watcher checks due that made no query (push mode's judgments, a refused query).
    checks_without_query: u64,
}

impl Watched {
    /// The state the bot last heard of before `at` (a query or a push), as the planner of a query at `at`.
    fn planner_at(&self, timeline: &Parcel, at: DateTime<Utc>) -> Planner {
        let before = |times: &[DateTime<Utc>]| {
            let k = times.partition_point(|time| *time < at);
            k.checked_sub(1).map(|previous| times[previous])
        };
        let queried = before(&self.queried_at);
        let heard = queried.into_iter().chain(before(&self.pushed_at)).max();
        match (queried, heard) {
            (None, _) | (_, None) => Planner::Subscription,
            (Some(_), Some(heard)) => Planner::of(timeline.revealed(heard).last().map_or("", |event| event.code)),
        }
    }
}

/// Delays (seconds) and query counts of one strategy.
#[derive(Default)]
struct Figures {
    /// Billed calls per parcel: queries + subscribe calls.
    billed: Vec<u64>,
    queries: Vec<u64>,
    subscribes: Vec<u64>,
    /// Of the queries, the subscribing chat's own first one (`/sub` shows it the parcel): 1 per parcel.
    sub_queries: Vec<u64>,
    max_in_24h: u64,
    all: Vec<i64>,
    out_for_delivery: Vec<i64>,
    at_locker: Vec<i64>,
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
            Class::AtLocker => self.at_locker.push(seconds),
            Class::Delivered => self.delivered.push(seconds),
            Class::Other => {}
        }
    }

    fn per_parcel(counts: &[u64]) -> f64 {
        counts.iter().sum::<u64>() as f64 / counts.len().max(1) as f64
    }

    fn billed_per_parcel(&self) -> f64 {
        Self::per_parcel(&self.billed)
    }

    /// Billed calls per parcel for watching it: all but the `/sub` query, which every mode makes.
    fn watching_per_parcel(&self) -> f64 {
        self.billed_per_parcel() - Self::per_parcel(&self.sub_queries)
    }

    fn sort(&mut self) {
        self.all.sort_unstable();
        self.out_for_delivery.sort_unstable();
        self.at_locker.sort_unstable();
        self.delivered.sort_unstable();
    }

    fn class(&self, class: Class) -> &[i64] {
        match class {
            Class::OutForDelivery => &self.out_for_delivery,
            Class::AtLocker => &self.at_locker,
            Class::Delivered => &self.delivered,
            Class::Other => &self.all,
        }
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

fn median(sorted: &[i64]) -> i64 {
    percentile(sorted, 0.5).unwrap_or(i64::MAX)
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
    figures.billed.push(polls.len() as u64);
    figures.subscribes.push(0);
    figures.sub_queries.push(1);
    figures.max_in_24h = figures.max_in_24h.max(max_in_24h(&polls));
}

/// What one shard (an independent world: clock, simulator, store, tracker, watcher, HTTP server) brings
/// back.
struct Shard {
    /// Each parcel as followed, its timeline from the simulator and the simulator's books on it.
    parcels: Vec<(Watched, Parcel, sandbox::ParcelStats)>,
    stats: sandbox::Stats,
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
async fn run_shard(
    mut watched: Vec<Watched>,
    setting: Setting,
    start: DateTime<Utc>,
    horizon: DateTime<Utc>,
    chat_base: i64,
) -> Shard {
    let clock = ManualClock::new(start);
    let store = test_store::sqlite().await.expect("sqlite store");
    // The lock rule for the simulator and the tracker alike, and no per-user throttle.
    let env = [
        ("QUERY_MIN_INTERVAL", format!("{FLOOR_MINUTES}m")),
        ("QUERY_MAX_PER_DAY", CAP.to_string()),
        ("USER_RATE_LIMIT", "1000000/s".to_owned()),
        ("WATCH_MODE", setting.mode.as_str().to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(name, value)| (*name, value.as_str())).collect();
    // The bot's HTTP server, which the simulator pushes to (`POST /kuaidi100/push`), on a loopback port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let callback_base = format!("http://{}", listener.local_addr().expect("local address"));
    let mut engine = sandbox_engine_calling_back(&store, Arc::new(clock.clone()), &env, Some(&callback_base))
        .await
        .expect("engine starts");
    assert_eq!(engine.watch.mode, setting.mode);
    engine.watch.policy = engine.watch.policy.with_push_safety_floors(setting.safety_floors);
    engine.watch.last_mile = setting.last_mile;
    // Hybrid's last-mile pace (`Policy::hybrid`), overridable to draw the frontier.
    let policy = &mut engine.watch.policy;
    policy.locker_floors = i32::try_from(arg("--locker-floors", i64::from(policy.locker_floors))).unwrap_or(1);
    policy.city_until_hour = u32::try_from(arg("--city-until", i64::from(policy.city_until_hour))).unwrap_or(23);
    policy.city_from_hour = u32::try_from(arg("--city-from", i64::from(policy.city_from_hour))).unwrap_or(7);
    policy.delivery_until_hour =
        u32::try_from(arg("--delivery-until", i64::from(policy.delivery_until_hour))).unwrap_or(24);
    policy.last_mile_patience_floors =
        i32::try_from(arg("--patience-floors", i64::from(policy.last_mile_patience_floors))).unwrap_or(i32::MAX);
    let state = engine.http_state(Readiness::new());
    let app = kuaidi_bot::http::router(state, axum::Router::new());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let sim = engine.sandbox.take().expect("sandbox mode");
    let tracker = engine.tracker.clone();
    let batch = engine.watch.batch;
    let watcher = engine.watcher();
    let subscriptions = engine.subscriptions.clone();
    let pushes = setting.mode.subscribes();
    let index: HashMap<String, usize> = watched.iter().enumerate().map(|(i, w)| (w.number.clone(), i)).collect();

    let mut next_subscription = 0;
    let (mut ticks, mut notices, mut clock_jumps) = (0_u64, 0_u64, 0_u64);
    loop {
        // The earliest due checks: the first of them says when, and those due then are what `tick`
        // will take (same query, same order), noted for the breakdown by state.
        let due = engine.store.due_parcels(horizon, batch).await.expect("due parcels");
        let subscription = watched.get(next_subscription).map(|w| w.subscribe_at);
        // The simulator's next push moments: a subscription's next check, a pending push (or retry).
        let push = if pushes {
            sim.sandbox
                .push_subscriptions()
                .into_iter()
                .flat_map(|subscription| [subscription.next_check, subscription.pending.map(|pending| pending.due)])
                .flatten()
                .min()
        } else {
            None
        };
        let Some(next) = due.first().map(|parcel| parcel.due_at).into_iter().chain(subscription).chain(push).min()
        else {
            break;
        };
        if next > horizon {
            break;
        }
        if next > clock.now() {
            clock.set(next);
            clock_jumps += 1;
        }
        let now = clock.now();

        // Subscriptions due now, like `/sub`: ask once, record what was seen, plan the first check
        // (and, in push and hybrid mode, record the intent that the next tick's subscribe call serves).
        let mut subscribed = false;
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
            let outcome = subscriptions.subscribe(chat, None, &tracked, Lang::Zh, None).await.expect("subscribe");
            assert_eq!(outcome, Subscribe::Created, "{}", parcel.number);
            parcel.seen_at_subscription = seen_lines;
            parcel.notified = seen_lines;
            parcel.notified_at = vec![None; seen_lines];
            parcel.queried_at.push(now);
            next_subscription += 1;
            subscribed = true;
        }

        // Pushes due now (the simulator POSTs them to the bot's server and waits for the answers), then
        // what they queued.
        if pushes && sim.sandbox.deliver_due_pushes().await > 0 {
            notices += drain(&engine.store, &mut watched, &index, now, Source::Push).await;
        }

        // Subscribe calls and checks due now, then what they queued.
        let due_now: Vec<&str> =
            due.iter().filter(|parcel| parcel.due_at <= now).map(|parcel| parcel.key.number.as_str()).collect();
        if due_now.is_empty() && !(pushes && subscribed) {
            continue;
        }
        ticks += 1;
        watcher.tick().await.expect("watcher tick");
        if !due_now.is_empty() {
            let stats = sim.sandbox.stats();
            let queries: HashMap<&str, u64> =
                stats.parcels.iter().map(|parcel| (parcel.num.as_str(), parcel.queries)).collect();
            for number in due_now {
                let parcel = &mut watched[index[number]];
                let made = queries.get(number).copied().unwrap_or(0).saturating_sub(parcel.queried_at.len() as u64);
                if made == 0 {
                    parcel.checks_without_query += 1;
                }
                parcel.queried_at.extend(std::iter::repeat_n(now, made as usize));
            }
        }
        notices += drain(&engine.store, &mut watched, &index, now, Source::Query).await;
    }
    let still_watched = engine.store.next_due_at().await.expect("next due").is_some();

    // The books: the simulator's own count of queries, subscribe calls and lock violations.
    let stats = sim.sandbox.stats();
    let mut books: HashMap<String, sandbox::ParcelStats> =
        stats.parcels.iter().map(|parcel| (parcel.num.clone(), parcel.clone())).collect();
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
    server.abort();
    sim.shutdown().await.expect("simulator stops");
    Shard {
        parcels,
        stats,
        upstream_answered: metrics.upstream_answered,
        refused: metrics.refused_by_floor + metrics.refused_by_daily_cap,
        ticks,
        clock_jumps,
        notices,
        ended_at,
        still_watched,
    }
}

/// Takes the notices queued so far, as the outbox would send them now: each one's lines are matched,
/// in order, to its parcel's timeline. Returns how many there were.
async fn drain(
    store: &kuaidi_bot::store::Store,
    watched: &mut [Watched],
    index: &HashMap<String, usize>,
    now: DateTime<Utc>,
    source: Source,
) -> u64 {
    let pending = store.pending_notices(now, 10_000).await.expect("pending notices");
    if pending.is_empty() {
        return 0;
    }
    for notice in &pending {
        let notice: Notice = serde_json::from_str(&notice.payload).expect("notice payload");
        let parcel = &mut watched[index[&notice.number]];
        let new = notice.new_lines.len() + notice.more_lines as usize;
        parcel.notified += new;
        parcel.notified_at.resize(parcel.notified, Some((now, source)));
        if let Some(newest) = notice.new_lines.first() {
            parcel.newest_lines.push((parcel.notified, newest.time.clone()));
        }
        if source == Source::Push && parcel.pushed_at.last() != Some(&now) {
            parcel.pushed_at.push(now);
        }
        if notice.kind.ends_watching() {
            parcel.ended = Some(notice.kind);
        }
    }
    let ids: Vec<i64> = pending.iter().map(|notice| notice.id).collect();
    store.mark_sent(&ids, now).await.expect("mark sent");
    pending.len() as u64
}

/// The parcels, not yet subscribed: the same numbers and subscription times in every run.
fn parcels_to_watch(parcels: usize, start: DateTime<Utc>, spread: Duration) -> Vec<Watched> {
    (0..parcels)
        .map(|i| Watched {
            number: format!("YT96{:010}{}", i * 7_919 + 12_345, i % 2),
            subscribe_at: start + Duration::seconds(spread.num_seconds() * i as i64 / parcels as i64),
            seen_at_subscription: 0,
            notified: 0,
            notified_at: Vec::new(),
            newest_lines: Vec::new(),
            ended: None,
            queried_at: Vec::new(),
            pushed_at: Vec::new(),
            checks_without_query: 0,
        })
        .collect()
}

/// One run of one setting over every parcel, and what it measured.
struct Run {
    setting: Setting,
    figures: Figures,
    /// The shards, for the baselines (computed on the same timelines).
    shards: Vec<Shard>,
}

/// Runs `setting` on `all` split over `shards` worlds side by side, prints its details, returns its figures.
async fn run(setting: Setting, all: &[Watched], shards: usize, start: DateTime<Utc>, horizon: DateTime<Utc>) -> Run {
    let started = Instant::now();
    let parcels = all.len();
    let mut groups: Vec<Vec<Watched>> = (0..shards).map(|_| Vec::new()).collect();
    for (i, parcel) in all.iter().enumerate() {
        groups[i % shards].push(parcel.clone());
    }
    let tasks: Vec<_> = groups
        .into_iter()
        .enumerate()
        .map(|(shard, group)| tokio::spawn(run_shard(group, setting, start, horizon, 1 + (shard * parcels) as i64)))
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("shard runs"));
    }
    let sum = |field: fn(&Shard) -> u64| results.iter().map(field).sum::<u64>();
    let (total_queries, lock_violations) = (sum(|s| s.stats.total_queries), sum(|s| s.stats.lock_violations));
    let (subscribe_calls, accepted) = (sum(|s| s.stats.subscribe_calls), sum(|s| s.stats.subscribes_accepted));
    let (pushes_sent, pushes_acknowledged) = (sum(|s| s.stats.pushes_sent), sum(|s| s.stats.pushes_acknowledged));
    let (push_retries, pushes_dropped) = (sum(|s| s.stats.push_retries), sum(|s| s.stats.pushes_dropped));
    let (upstream_answered, refused) = (sum(|s| s.upstream_answered), sum(|s| s.refused));
    let (ticks, clock_jumps, notices) = (sum(|s| s.ticks), sum(|s| s.clock_jumps), sum(|s| s.notices));
    let simulated = results.iter().map(|s| s.ended_at).max().unwrap_or(start) - start;
    let still_watched = results.iter().any(|s| s.still_watched);

    let mut bot = Figures::default();
    // The notifications brought by a push, and by a query planned at a slower pace than the floor.
    let mut by_push = Figures::default();
    let mut caught_by_slow_check = Figures::default();
    let mut mismatched_lines = 0;
    let mut unaccounted_queries = 0;
    let mut by_planner: BTreeMap<Planner, u64> = BTreeMap::new();
    let mut slow_ofd_by_planner: BTreeMap<Planner, u64> = BTreeMap::new();
    let (mut at_night, mut checks_without_query, mut push_days) = (0_u64, 0_u64, 0_u64);
    let (mut finished, mut unchanged, mut other_end) = (0, 0, 0);
    let (mut finishing, mut stuck) = ((0_u64, 0_u64), (0_u64, 0_u64));
    for (parcel, timeline, books) in results.iter().flat_map(|shard| &shard.parcels) {
        let events = &timeline.events;
        let billed = books.queries + books.subscribes;
        bot.billed.push(billed);
        bot.queries.push(books.queries);
        bot.subscribes.push(books.subscribes);
        bot.sub_queries.push(u64::from(!parcel.queried_at.is_empty()));
        bot.max_in_24h = bot.max_in_24h.max(books.max_in_24h);
        let finishes = events.last().is_some_and(|event| is_finished(event.code));
        let bucket = if finishes { &mut finishing } else { &mut stuck };
        bucket.0 += billed;
        bucket.1 += 1;
        if parcel.queried_at.len() as u64 != books.queries {
            unaccounted_queries += 1;
        }
        checks_without_query += parcel.checks_without_query;
        push_days += parcel.pushed_at.len() as u64;
        for at in &parcel.queried_at {
            *by_planner.entry(parcel.planner_at(timeline, *at)).or_default() += 1;
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
        for (i, event) in events.iter().enumerate().skip(parcel.seen_at_subscription) {
            match parcel.notified_at.get(i).copied().flatten() {
                Some((at, Source::Push)) => {
                    bot.add(event.code, at - event.time);
                    by_push.add(event.code, at - event.time);
                }
                Some((at, Source::Query)) => {
                    bot.add(event.code, at - event.time);
                    let planner = parcel.planner_at(timeline, at);
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
    }
    for figures in [&mut bot, &mut by_push, &mut caught_by_slow_check] {
        figures.sort();
    }

    println!("== {} ==", setting.label());
    println!(
        "run: {:.1} s wall, {:.1} simulated days, {clock_jumps} clock jumps, {ticks} ticks, {notices} notices; \
         watches ended: {finished} finished, {unchanged} unchanged 14 d, {other_end} other{}",
        started.elapsed().as_secs_f64(),
        simulated.num_minutes() as f64 / 1_440.0,
        if still_watched { " (horizon reached with parcels still watched!)" } else { "" }
    );
    println!(
        "events after subscription: {} ({} out for delivery, {} at a locker, {} delivered); notified-line time checks \
         failed: {mismatched_lines}",
        bot.all.len() + bot.missed,
        bot.out_for_delivery.len(),
        bot.at_locker.len(),
        bot.delivered.len()
    );
    let per = |(calls, count): (u64, u64)| calls as f64 / count.max(1) as f64;
    println!(
        "billed calls/parcel {:.2} = queries {:.2} (of which the /sub query {:.2}) + subscribe calls {:.2}; {:.1} for the {} parcels that finish, {:.1} \
         for the {} that never do (watched until 14 days unchanged); max queries of one parcel in 24 h: {}",
        bot.billed_per_parcel(),
        Figures::per_parcel(&bot.queries),
        Figures::per_parcel(&bot.sub_queries),
        Figures::per_parcel(&bot.subscribes),
        per(finishing),
        finishing.1,
        per(stuck),
        stuck.1,
        bot.max_in_24h
    );
    let breakdown: Vec<String> = by_planner
        .iter()
        .map(|(planner, queries)| format!("{} {:.2}", planner.label(), *queries as f64 / parcels as f64))
        .collect();
    println!(
        "queries/parcel by the state that planned them (the state last heard of, by query or push): {}; made at night \
         (23:00-07:00 Beijing): {:.2}; due checks that made no query: {:.2}/parcel{}",
        breakdown.join(", "),
        at_night as f64 / parcels as f64,
        checks_without_query as f64 / parcels as f64,
        if unaccounted_queries > 0 {
            format!(" ({unaccounted_queries} parcels' query counts differ from the simulator's!)")
        } else {
            String::new()
        }
    );
    let share = |caught: &[i64], all: &[i64]| {
        format!(
            "{} of {} ({:.1}%), median {}",
            caught.len(),
            all.len(),
            100.0 * caught.len() as f64 / all.len().max(1) as f64,
            human(percentile(caught, 0.5))
        )
    };
    if setting.mode.subscribes() {
        println!(
            "notices brought by a push: out for delivery {}; at a locker {}; delivered {}",
            share(&by_push.out_for_delivery, &bot.out_for_delivery),
            share(&by_push.at_locker, &bot.at_locker),
            share(&by_push.delivered, &bot.delivered)
        );
    }
    println!(
        "notices from a query planned at a slower pace than the floor (in transit, customs, problem, /sub): out for \
         delivery {}; delivered {}; out for delivery so caught, by the state that planned it: {}",
        share(&caught_by_slow_check.out_for_delivery, &bot.out_for_delivery),
        share(&caught_by_slow_check.delivered, &bot.delivered),
        slow_ofd_by_planner
            .iter()
            .map(|(planner, count)| format!("{} {count}", planner.label()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "simulator: {total_queries} queries + {subscribe_calls} subscribe calls ({accepted} accepted) = {} billed, \
         lock violations: {lock_violations} (must be 0); pushes: {pushes_sent} sent, {pushes_acknowledged} \
         acknowledged, {push_retries} retries, {pushes_dropped} dropped, {push_days} with news; tracker: \
         {upstream_answered} answered upstream, {refused} refused by floor or daily cap",
        total_queries + subscribe_calls
    );
    println!();
    Run { setting, figures: bot, shards: results }
}

fn print_table(rows: &[(String, &Figures)]) {
    println!(
        "{:<36} {:>7} {:>8} {:>7} {:>5} {:>6}   {:<15}   {:<15}   {:<15}   {:<15}   {:>6}",
        "strategy",
        "billed/",
        "watching",
        "queries",
        "subs",
        "max in",
        "all events",
        "out for deliv.",
        "at a locker",
        "delivered",
        "missed"
    );
    println!(
        "{:<36} {:>7} {:>8} {:>7} {:>5} {:>6}   {:<15}   {:<15}   {:<15}   {:<15}   {:>6}",
        "", "parcel", "-/sub", "/parcel", "/prc", "24 h", "p50 / p95", "p50 / p95", "p50 / p95", "p50 / p95", "events"
    );
    for (name, figures) in rows {
        println!(
            "{name:<36} {:>7.2} {:>8.2} {:>7.2} {:>5.2} {:>6}   {}   {}   {}   {}   {:>6}",
            figures.billed_per_parcel(),
            figures.watching_per_parcel(),
            Figures::per_parcel(&figures.queries),
            Figures::per_parcel(&figures.subscribes),
            figures.max_in_24h,
            median_p95(&figures.all),
            median_p95(&figures.out_for_delivery),
            median_p95(&figures.at_locker),
            median_p95(&figures.delivered),
            figures.missed
        );
    }
}

/// `48:city+delivery+locker+problem` (floors:last mile), or `default`.
fn parse_setting(text: &str) -> Setting {
    let hybrid = Setting { mode: WatchMode::Hybrid, safety_floors: PUSH_SAFETY_FLOORS, last_mile: LastMile::default() };
    if text == "default" {
        return hybrid;
    }
    let (floors, last_mile) = text.split_once(':').unwrap_or((text, LastMile::default().as_str()));
    Setting {
        safety_floors: floors.parse().unwrap_or_else(|_| panic!("--frontier: safety floors in {text:?}")),
        last_mile: LastMile::parse(last_mile).unwrap_or_else(|| panic!("--frontier: last mile in {text:?}")),
        ..hybrid
    }
}

/// The hybrid settings `--frontier` tries when given no list.
const FRONTIER: &str = "48:city+delivery+locker+problem,96:city+delivery+locker+problem,48:city+delivery,\
96:city+delivery,48:delivery+locker+problem,48:delivery+locker";

#[tokio::main]
async fn main() {
    let parcels = usize::try_from(arg("--parcels", 1_000)).unwrap_or(1_000).max(1);
    let spread = Duration::hours(arg("--spread-hours", 48));
    let max_days = arg("--max-days", 40);
    let shards = usize::try_from(arg("--shards", 8)).unwrap_or(8).clamp(1, parcels);
    let modes: Vec<WatchMode> = arg_text("--modes")
        .unwrap_or_else(|| "poll,push,hybrid".to_owned())
        .split(',')
        .map(|mode| WatchMode::parse(mode).unwrap_or_else(|| panic!("--modes: unknown mode {mode:?}")))
        .collect();
    let hybrid = Setting {
        mode: WatchMode::Hybrid,
        safety_floors: i32::try_from(arg("--safety-floors", i64::from(PUSH_SAFETY_FLOORS)))
            .unwrap_or(PUSH_SAFETY_FLOORS),
        last_mile: arg_text("--last-mile")
            .map(|text| LastMile::parse(&text).unwrap_or_else(|| panic!("--last-mile: unknown {text:?}")))
            .unwrap_or_default(),
    };
    let frontier: Vec<Setting> = match (flag("--frontier"), arg_text("--frontier")) {
        (_, Some(list)) if !list.starts_with("--") => list.split(',').map(parse_setting).collect(),
        (true, _) => FRONTIER.split(',').map(parse_setting).collect(),
        _ => Vec::new(),
    };

    let started = Instant::now();
    let start = start_time();
    let all = parcels_to_watch(parcels, start, spread);
    let horizon = all[parcels - 1].subscribe_at + Duration::days(max_days);
    println!(
        "economy_bench: {parcels} parcels ({COURIER}, numbers ending in 0/1: whole life ahead), subscribed over {} h \
         from {} Beijing; floor {FLOOR_MINUTES} min, cap {CAP}/24 h; {shards} independent shards per run",
        spread.num_hours(),
        start.with_timezone(&Shanghai).format("%a %Y-%m-%d %H:%M"),
    );
    println!();

    let mut runs = Vec::new();
    for mode in &modes {
        let setting = if *mode == WatchMode::Hybrid {
            hybrid
        } else {
            Setting { mode: *mode, safety_floors: PUSH_SAFETY_FLOORS, last_mile: LastMile::default() }
        };
        runs.push(run(setting, &all, shards, start, horizon).await);
    }
    let mut frontier_runs = Vec::new();
    for setting in &frontier {
        if runs.iter().any(|run| run.setting == *setting) {
            continue;
        }
        frontier_runs.push(run(*setting, &all, shards, start, horizon).await);
    }

    // The baselines, on the timelines of the first run (the same in every run: each parcel's is
    // anchored at its subscription query).
    let (mut every_30m, mut every_2h) = (Figures::default(), Figures::default());
    if let Some(first) = runs.first().or(frontier_runs.first()) {
        for (parcel, timeline, _) in first.shards.iter().flat_map(|shard| &shard.parcels) {
            fixed_polling(timeline, parcel.subscribe_at, Duration::minutes(30), horizon, &mut every_30m);
            fixed_polling(timeline, parcel.subscribe_at, Duration::hours(2), horizon, &mut every_2h);
        }
    }
    every_30m.sort();
    every_2h.sort();

    let mut rows: Vec<(String, &Figures)> =
        runs.iter().map(|run| (format!("{} (real run)", run.setting.short_label()), &run.figures)).collect();
    rows.push(("fixed 30 min, 24 h a day (computed)".to_owned(), &every_30m));
    rows.push(("fixed 2 h, 24 h a day (computed)".to_owned(), &every_2h));
    print_table(&rows);
    println!();

    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let minutes = |sorted: &[i64]| median(sorted) as f64 / 60.0;
    for run in &runs {
        let bot = &run.figures;
        let violations: u64 = run.shards.iter().map(|shard| shard.stats.lock_violations).sum();
        match run.setting.mode {
            WatchMode::Poll => println!(
                "target poll: fewer billed calls/parcel than fixed 2 h ({:.1} vs {:.1}): {}; median delay no worse \
                 than fixed 30 min for out for delivery ({:.1} vs {:.1} min): {}, for delivered ({:.1} vs {:.1} \
                 min): {}; no lock violations: {}",
                bot.billed_per_parcel(),
                every_2h.billed_per_parcel(),
                verdict(bot.billed_per_parcel() < every_2h.billed_per_parcel()),
                minutes(&bot.out_for_delivery),
                minutes(&every_30m.out_for_delivery),
                verdict(median(&bot.out_for_delivery) <= median(&every_30m.out_for_delivery)),
                minutes(&bot.delivered),
                minutes(&every_30m.delivered),
                verdict(median(&bot.delivered) <= median(&every_30m.delivered)),
                verdict(violations == 0)
            ),
            WatchMode::Push => println!(
                "target push: about 1 billed call/parcel for watching ({:.2}, besides the /sub query every mode \
                 makes: {:.2} in all): {}; no lock violations: {}",
                bot.watching_per_parcel(),
                bot.billed_per_parcel(),
                verdict(bot.watching_per_parcel() <= 1.5),
                verdict(violations == 0)
            ),
            WatchMode::Hybrid => println!("{}", hybrid_verdict(run, violations)),
        }
    }
    for run in &frontier_runs {
        let violations: u64 = run.shards.iter().map(|shard| shard.stats.lock_violations).sum();
        println!("{}", hybrid_verdict(run, violations));
    }

    let hybrids: Vec<&Run> =
        runs.iter().chain(&frontier_runs).filter(|run| run.setting.mode == WatchMode::Hybrid).collect();
    if hybrids.len() > 1 || !frontier_runs.is_empty() {
        println!();
        println!("frontier (hybrid settings, safety floors:last mile; the bot's default is marked *):");
        println!(
            "{:<52} {:>7} {:>7}   {:<15}   {:<15}   {:<15}",
            "setting", "billed/", "queries", "out for deliv.", "delivered", "at a locker"
        );
        println!(
            "{:<52} {:>7} {:>7}   {:<15}   {:<15}   {:<15}",
            "", "parcel", "/parcel", "p50 / p95", "p50 / p95", "p50 / p95"
        );
        for run in hybrids {
            let figures = &run.figures;
            let mark = if run.setting.is_default() { "* " } else { "  " };
            println!(
                "{mark}{:<50} {:>7.2} {:>7.2}   {}   {}   {}",
                format!("hybrid {}:{}", run.setting.safety_floors, run.setting.last_mile.as_str()),
                figures.billed_per_parcel(),
                Figures::per_parcel(&figures.queries),
                median_p95(&figures.out_for_delivery),
                median_p95(&figures.delivered),
                median_p95(&figures.at_locker)
            );
        }
    }
    println!();
    println!("total wall time: {:.1} s", started.elapsed().as_secs_f64());
}

/// The targets for hybrid: ≤ 12 billed calls per parcel, out-for-delivery and delivered medians
/// ≤ 20 min; what was missed, and by how much.
fn hybrid_verdict(run: &Run, violations: u64) -> String {
    let bot = &run.figures;
    let target = 20.0;
    let minutes = |class: Class| median(bot.class(class)) as f64 / 60.0;
    let check = |value: f64, limit: f64, unit: &str| {
        if value <= limit {
            format!("{value:.1}{unit}: met")
        } else {
            format!("{value:.1}{unit}: MISSED by {:.1}{unit}", value - limit)
        }
    };
    format!(
        "target {}: ≤ 12 billed calls/parcel ({}); out-for-delivery median ≤ 20 min ({}); delivered median ≤ 20 min \
         ({}); no lock violations: {}",
        run.setting.label(),
        check(bot.billed_per_parcel(), 12.0, ""),
        check(minutes(Class::OutForDelivery), target, " min"),
        check(minutes(Class::Delivered), target, " min"),
        if violations == 0 { "met" } else { "MISSED" }
    )
}
