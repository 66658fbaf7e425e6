//! Benchmark of the bot itself: updates through the real dispatcher (issue 4's figures).
//!
//! Run: `cargo run --release --example bot_bench`
//!
//! The real `app::run_bot` long-polls the fake Bot API of the tests (`kuaidi_test_support::fake_telegram`) on
//! loopback, with an instant in-process simulator upstream, a SQLite database, and **the bot's pace
//! off** (`BotOptions::pace = None`), so that the figures are the bot's own work and not Telegram's pacing. Phases:
//! 1. cached throughput: a burst of `/track` updates for parcels already fetched, from many chats;
//! 2. cached latency: updates injected at a steady rate, time from injection to the reply;
//! 3. cold latency: the same, each update a parcel never seen (claim, upstream query, record).
//!
//! Then a second bot, **paced as in production** (`telegram::default_limits()`), against a fake Bot
//! API whose rolling-second limiter answers 429 past 30 messages (issue 10's figures):
//! 4. 200 users each send a new number at once: all answered? how many 429s (target 0)?
//! 5. 400 `/sub` at once: 429s (target 0);
//! 6. 200 users ask for one new number without a courier, which no number pattern decides: how many
//!    auto-detection calls (target 1) and upstream queries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuaidi_bot::app;
use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::telegram::{BotOptions, default_limits};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};
use kuaidi_test_support::sim::sandbox_engine;
use kuaidi_test_support::store as test_store;

const PARCELS: usize = 100;

fn number(i: usize) -> String {
    format!("YT97100000{i:05}")
}

/// Injects one `/track` per chat id at `rate` per second and returns the latency of each reply.
async fn paced(
    tg: &FakeTelegram,
    chats: std::ops::Range<i64>,
    rate: u32,
    text: impl Fn(i64) -> String,
) -> Vec<Duration> {
    let before = tg.sent_count();
    let mut injected = HashMap::new();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let start = Instant::now();
    for (i, chat) in chats.clone().enumerate() {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        tg.send_text(Chat::private(chat), User::new(chat, "U").lang("zh"), &text(chat));
        injected.insert(chat, Instant::now());
    }
    wait_for_sent(tg, before + injected.len()).await;
    let mut latencies: Vec<Duration> = tg
        .sent_messages()
        .iter()
        .filter_map(|m| injected.get(&m.chat_id).map(|sent| m.at.saturating_duration_since(*sent)))
        .collect();
    latencies.sort_unstable();
    latencies
}

/// Waits until `count` messages were sent in all; polls a counter so that waiting costs nothing.
async fn wait_for_sent(tg: &FakeTelegram, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while tg.sent_count() < count {
        assert!(Instant::now() < deadline, "only {} of {count} replies arrived", tg.sent_count());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn report(name: &str, latencies: &[Duration]) {
    println!(
        "{name}: {} replies; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        percentile(latencies, 0.5).unwrap_or_default().as_secs_f64() * 1e3,
        percentile(latencies, 0.99).unwrap_or_default().as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let store = test_store::sqlite().await.expect("sqlite");
    let engine = sandbox_engine(&store, Arc::new(SystemClock), &[("USER_RATE_LIMIT", "1000000/s")]).await;
    let engine = Arc::new(engine.expect("engine"));
    let tg = FakeTelegram::start().await;
    let options = BotOptions {
        token: FakeTelegram::TOKEN.to_owned(),
        api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
        pace: None,
        shared_pace: None,
    };
    let running = engine.clone();
    tokio::spawn(async move { app::run_bot(&running, options, tokio_util::sync::CancellationToken::new()).await });

    // Warm the cache: each parcel fetched once.
    for i in 0..PARCELS {
        tg.send_text(Chat::private(1), User::new(1, "Warm"), &format!("/track yto {}", number(i)));
    }
    wait_for_sent(&tg, PARCELS).await;

    // 1. Throughput: a burst from 2,000 chats, 10 updates each.
    let burst_chats = 2_000_i64;
    let per_chat = 10;
    let before = tg.sent_count();
    let start = Instant::now();
    for round in 0..per_chat {
        for chat in 0..burst_chats {
            let id = 10_000 + chat;
            let text = format!("/track yto {}", number((chat as usize + round) % PARCELS));
            tg.send_text(Chat::private(id), User::new(id, "U"), &text);
        }
    }
    let total = (burst_chats as usize) * per_chat;
    wait_for_sent(&tg, before + total).await;
    let elapsed = start.elapsed();
    println!(
        "cached burst: {total} updates from {burst_chats} chats answered in {:.2} s = {:.0} updates/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );

    // 2. Cached latency at a steady 1,000 updates/s.
    let cached =
        paced(&tg, 100_000..105_000, 1_000, |chat| format!("/track yto {}", number(chat as usize % PARCELS))).await;
    report("cached, 1000 updates/s", &cached);

    // 3. Cold latency at 200 updates/s: every update a new parcel.
    let cold = paced(&tg, 200_000..201_000, 200, |chat| format!("/track yto YT98{chat:011}")).await;
    report("cold (new parcel, instant upstream), 200 updates/s", &cold);
    let stats = engine.sandbox.as_ref().expect("sandbox").sandbox.stats();
    println!("upstream queries: {} (lock violations {})", stats.total_queries, stats.lock_violations);

    strict_limiter().await;
}

/// Phases 4–6: the production pace against a strict rolling-second limiter.
async fn strict_limiter() {
    let store = test_store::sqlite().await.expect("sqlite");
    let engine = sandbox_engine(&store, Arc::new(SystemClock), &[("USER_RATE_LIMIT", "1000000/s")]).await;
    let engine = Arc::new(engine.expect("engine"));
    let tg = FakeTelegram::start().await;
    tg.set_global_rate_limit(Some(30));
    let options = BotOptions {
        token: FakeTelegram::TOKEN.to_owned(),
        api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
        pace: Some(default_limits()),
        shared_pace: None,
    };
    let running = engine.clone();
    tokio::spawn(async move { app::run_bot(&running, options, tokio_util::sync::CancellationToken::new()).await });
    let everyone = |text: &dyn Fn(i64) -> String, chats: std::ops::Range<i64>| {
        for chat in chats {
            tg.send_text(Chat::private(chat), User::new(chat, "U").lang("en"), &text(chat));
        }
    };

    let start = Instant::now();
    everyone(&|chat| format!("/track yto YT96{chat:011}"), 300_000..300_200);
    wait_for_sent(&tg, 200).await;
    println!(
        "paced, strict limiter: 200 users at once answered in {:.1} s, {} × 429 (target 0)",
        start.elapsed().as_secs_f64(),
        tg.too_many_requests_count()
    );

    let start = Instant::now();
    everyone(&|chat| format!("/sub yto YT95{chat:011}"), 400_000..400_400);
    wait_for_sent(&tg, 600).await;
    println!(
        "paced, strict limiter: 400 /sub at once answered in {:.1} s, {} × 429 in all (target 0)",
        start.elapsed().as_secs_f64(),
        tg.too_many_requests_count()
    );

    let before = engine.sandbox.as_ref().expect("sandbox").sandbox.stats();
    everyone(&|_| "/track 431234567890123".to_owned(), 500_000..500_200);
    wait_for_sent(&tg, 800).await;
    let after = engine.sandbox.as_ref().expect("sandbox").sandbox.stats();
    println!(
        "200 users ask for one new number without a courier: {} auto-detection call(s) (target 1), {} upstream queries, {} × 429 in all",
        after.autonumber_queries - before.autonumber_queries,
        after.total_queries - before.total_queries,
        tg.too_many_requests_count()
    );
}
