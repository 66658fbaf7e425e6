//! Benchmark of the subscription fan-out: many chats whose parcels change at once, delivered to a Bot
//! API that punishes bursts, over a network of a chosen round trip, while users keep asking.
//!
//! Run: `cargo run --release --example fanout_bench` (3,000 chats, about 2 minutes); the issue's
//! figures: `-- --chats 2000 --rtt-ms 0`, `50`, `150` and `300`; `-- --chats 10000` for the long run.
//! Tuning experiment: `-- --overall 28` overrides `messages_per_sec_overall` of the bot's pace, without
//! touching `telegram::default_limits()`.
//!
//! What it measures: messages per second delivered (target ≥ 27/s, 90 % of Telegram's 30/s) and the
//! 429s answered (target 0), the sending window (the most `sendMessage` requests the fake held at once),
//! duplicates (a chat told twice) and chats told nothing; and the latency of user replies during the
//! fan-out (a `/track` of a new parcel every `--ask-every-ms`, from its injection to the reply's arrival
//! at the fake; target p99 < 1.5 s at 150 ms).
//!
//! How: a SQLite store is filled the way the watcher fills it (`kuaidi_test_support::outbox::queue_fan_out`:
//! `N` chats each subscribed to its own parcel, each with one `Update` notice written with
//! `Store::commit_check`, which also stops watching, so the watcher stays idle). Then the real bot
//! (`app::run_bot`, sandbox engine, paced by `default_limits()` unless `--overall`) starts against the
//! fake Bot API of the tests with `set_global_rate_limit(Some(30))` — any `sendMessage` that would make
//! more than 30 deliveries within a rolling second is answered 429 and not delivered — and
//! `set_round_trip(--rtt-ms)`: each request reaches the fake half a round trip after it left and its
//! answer reaches the bot half a round trip later. The clock starts at the first delivery: the overall
//! rate is `(count − 1) / (last − first)`, the steady rate the same over the deliveries from the 10th
//! to the 90th percentile. The busiest rolling second seen by the fake (deliveries, and attempts
//! including refused ones) shows the margin left. The last line prints the load average.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use kuaidi_bot::app;
use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::telegram::{BotOptions, Limits, default_limits};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};
use kuaidi_test_support::outbox::queue_fan_out;
use kuaidi_test_support::sim::sandbox_engine;
use kuaidi_test_support::store as test_store;

/// The fake's limit: Telegram's ~30 messages per second overall.
const TELEGRAM_LIMIT: u32 = 30;
/// Chat ids of the benchmark's subscribers: `FIRST_CHAT..FIRST_CHAT + chats`.
const FIRST_CHAT: i64 = 5_000_000;

#[derive(Parser)]
#[command(about = "Fan-out of subscription notices at the bot's own pace, with users asking meanwhile")]
struct Args {
    /// Chats whose parcels change at once (the figure is 10000).
    #[arg(long, default_value_t = 3_000)]
    chats: usize,
    /// Override `messages_per_sec_overall` of the pace (default: `telegram::default_limits()`).
    #[arg(long)]
    overall: Option<u32>,
    /// Network round trip between the bot and the fake Bot API, in milliseconds.
    #[arg(long, default_value_t = 0)]
    rtt_ms: u64,
    /// A user sends `/track` for a new parcel this often during the fan-out (0: nobody asks). Replies
    /// share the one budget, so each one a second takes one message a second from the fan-out.
    #[arg(long, default_value_t = 1_000)]
    ask_every_ms: u64,
}

/// Private chats of the users who ask during the fan-out: `FIRST_USER..`.
const FIRST_USER: i64 = 1_000;

/// The most deliveries within any rolling second (`times` sorted).
fn busiest_second(times: &[Instant]) -> usize {
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end].duration_since(times[start]) >= Duration::from_secs(1) {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// The 1-minute load average: the 429s come from delivery jitter, which a busy machine increases.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn cores() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

fn rate(count: usize, span: Duration) -> f64 {
    if count < 2 || span.is_zero() { 0.0 } else { (count - 1) as f64 / span.as_secs_f64() }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let limits = match args.overall {
        Some(overall) => Limits { messages_per_sec_overall: overall, ..default_limits() },
        None => default_limits(),
    };

    let test_store = test_store::sqlite().await.expect("sqlite");
    let engine = Arc::new(sandbox_engine(&test_store, Arc::new(SystemClock), &[]).await.expect("engine"));

    let seeding = Instant::now();
    let store = engine.store.clone();
    queue_fan_out(&store, FIRST_CHAT, args.chats, Utc::now()).await;
    let pending = store.unsent_notices().await.expect("count");
    println!(
        "seeded {} chats, one parcel and one pending notice each ({pending} in the outbox) in {:.1} s",
        args.chats,
        seeding.elapsed().as_secs_f64()
    );
    println!(
        "pace: messages_per_sec_overall {}{}; fake Bot API: 429 above {TELEGRAM_LIMIT} per rolling second, round trip {} ms",
        limits.messages_per_sec_overall,
        if args.overall.is_some() { " (--overall)" } else { " (default_limits())" },
        args.rtt_ms,
    );

    let tg = FakeTelegram::start().await;
    tg.set_global_rate_limit(Some(TELEGRAM_LIMIT));
    tg.set_round_trip(Some(Duration::from_millis(args.rtt_ms)).filter(|trip| !trip.is_zero()));
    let options = BotOptions {
        token: FakeTelegram::TOKEN.to_owned(),
        api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
        pace: Some(limits),
        shared_pace: None,
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let shutdown = stop.clone();
    let running = engine.clone();
    let started = Instant::now();
    let load_at_start = load();
    let bot = tokio::spawn(async move { app::run_bot(&running, options, shutdown).await });

    // At 27/s, N messages take N/27 s; give twice that and a minute before calling it stuck.
    let deadline = started + Duration::from_secs((args.chats as u64 * 2) / 27 + 60);
    let mut next_report = started + Duration::from_secs(30);
    let mut asked: Vec<(i64, Instant)> = Vec::new();
    let mut next_ask = Instant::now();
    let fan_out_delivered = |tg: &FakeTelegram| {
        tg.sent_messages().iter().filter(|m| (FIRST_CHAT..FIRST_CHAT + args.chats as i64).contains(&m.chat_id)).count()
    };
    while fan_out_delivered(&tg) < args.chats && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        if args.ask_every_ms > 0 && tg.sent_count() > 0 && Instant::now() >= next_ask {
            next_ask += Duration::from_millis(args.ask_every_ms);
            let chat = FIRST_USER + asked.len() as i64;
            asked.push((chat, Instant::now()));
            tg.send_text(Chat::private(chat), User::new(chat, "Asker"), &format!("/track yto YT97{chat:011}"));
        }
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(30);
            eprintln!(
                "  … {:.0} s: {} delivered, {} 429s",
                started.elapsed().as_secs_f64(),
                tg.sent_count(),
                tg.too_many_requests_count()
            );
        }
    }
    // Anything still in flight (a duplicate, a retry, a reply) lands within a couple of seconds.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let window = tg.max_sends_in_flight();
    stop.cancel();
    match tokio::time::timeout(Duration::from_secs(30), bot).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(error))) => eprintln!("the bot failed: {error}"),
        Ok(Err(error)) => eprintln!("the bot task failed: {error}"),
        Err(_) => eprintln!("the bot did not stop within 30 s"),
    }

    let sent: Vec<_> = tg
        .sent_messages()
        .into_iter()
        .filter(|m| (FIRST_CHAT..FIRST_CHAT + args.chats as i64).contains(&m.chat_id))
        .collect();
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for message in &sent {
        *per_chat.entry(message.chat_id).or_default() += 1;
    }
    let duplicates = per_chat.values().filter(|&&count| count > 1).count();
    let missing = args.chats - per_chat.len();
    let mut times: Vec<Instant> = sent.iter().map(|m| m.at).collect();
    times.sort_unstable();
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        println!("nothing was delivered");
        std::process::exit(1);
    };
    let overall = rate(times.len(), last - first);
    let (low, high) = (times.len() / 10, (times.len() * 9 / 10).saturating_sub(1).max(times.len() / 10));
    let steady = rate(high - low + 1, times[high] - times[low]);
    let too_many = tg.too_many_requests_count();
    let unsent = store.unsent_notices().await.unwrap_or(u64::MAX);
    let load_at_end = load();

    println!(
        "delivered {} messages to {} of {} chats in {:.1} s (first delivery {:.2} s after start)",
        sent.len(),
        per_chat.len(),
        args.chats,
        (last - first).as_secs_f64(),
        (first - started).as_secs_f64()
    );
    println!(
        "rate: {overall:.2} msg/s first→last, {steady:.2} msg/s steady (middle 80 %); target ≥ {:.0}/s: {}",
        0.9 * f64::from(TELEGRAM_LIMIT),
        if overall >= 0.9 * f64::from(TELEGRAM_LIMIT) { "met" } else { "MISSED" }
    );
    let mut everything: Vec<Instant> =
        tg.sent_messages().iter().map(|m| m.at).filter(|at| *at >= first && *at <= last).collect();
    everything.sort_unstable();
    println!(
        "all messages over the fan-out (notices and replies, one budget): {:.2} msg/s",
        rate(everything.len(), last - first)
    );
    println!("429s answered: {too_many} (target 0: {})", if too_many == 0 { "met" } else { "MISSED" });
    // Attempts include the refused ones: how far over the limit the bursts went.
    let mut attempts: Vec<Instant> = tg.requests_to("sendMessage").iter().map(|request| request.at).collect();
    attempts.sort_unstable();
    println!(
        "busiest rolling second at the fake: {} delivered, {} attempted (limit {TELEGRAM_LIMIT})",
        busiest_second(&times),
        busiest_second(&attempts)
    );
    println!(
        "duplicates (chats told more than once): {duplicates}; chats told nothing: {missing}; unsent notices left: {unsent}"
    );
    println!("sending window: at most {window} sendMessage requests in flight at once (notices and replies)");
    let mut latencies: Vec<Duration> = asked
        .iter()
        .filter_map(|(chat, at)| tg.messages_to(*chat).first().map(|reply| reply.at.saturating_duration_since(*at)))
        .collect();
    latencies.sort_unstable();
    let ms = |p: f64| percentile(&latencies, p).unwrap_or_default().as_secs_f64() * 1e3;
    println!(
        "user replies during the fan-out: {} of {} answered; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (target p99 < 1500 ms)",
        latencies.len(),
        asked.len(),
        ms(0.5),
        ms(0.99),
        ms(1.0)
    );
    println!(
        "load average (1 min) of this {}-core machine: {load_at_start} at start, {load_at_end} at the end",
        cores()
    );
    drop(test_store);
}
