//! The crash test: the real binary is killed with SIGKILL while it sends 500 notifications over a
//! network with a 150 ms round trip, then restarted. Every notification must arrive, no subscription
//! may be lost, and what is sent twice is bounded by what was in flight: the sending window, as the
//! fake Bot API saw it (the most `sendMessage` requests it held at once). Its gentle twin stops the binary with SIGTERM in the middle of the same fan-out: every task
//! (dispatcher, watcher, outbox) must stop within a few seconds, and a restart delivers the rest.
//!
//! The kill lands at the worst moment: each answer reaches the bot half a round trip after the message
//! was delivered, and the test kills the bot as soon as the 150th message is delivered, so the bot
//! dies with a window's worth of messages delivered and unconfirmed; it repeats them all, and no more.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use kuaidi_bot::store::Store;
use kuaidi_bot::telegram::MAX_WINDOW;
use kuaidi_test_support::fake_telegram::FakeTelegram;
use kuaidi_test_support::outbox::queue_fan_out;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const NOTICES: i64 = 500;
const FIRST_CHAT: i64 = 70_000;
/// The network round trip between the bot and the fake Bot API: Telegram from a server far away.
const ROUND_TRIP: Duration = Duration::from_millis(150);

fn start_bot(dir: &std::path::Path, tg: &FakeTelegram) -> Child {
    Command::new(BIN)
        .arg("run")
        .current_dir(dir)
        .env("DATABASE_URL", format!("sqlite://{}/bot.db", dir.display()))
        .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
        .env("TELOXIDE_API_URL", tg.api_url())
        .env("RUST_LOG", "warn")
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env_remove("KUAIDI100_CUSTOMER")
        .env_remove("KUAIDI100_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bot starts")
}

/// 500 chats, each subscribed to its own parcel with one notice waiting in the outbox.
async fn seed(url: &str) -> Store {
    let store = Store::connect(url).await.expect("store");
    queue_fan_out(&store, FIRST_CHAT, NOTICES as usize, Utc::now()).await;
    store
}

/// Restarts the bot with no network delay, waits until every chat has been told, stops it, and
/// counts the messages each chat got over both runs.
async fn restart_until_everyone_is_told(dir: &std::path::Path, tg: &FakeTelegram) -> HashMap<i64, usize> {
    tg.set_round_trip(None);
    let mut second = start_bot(dir, tg);
    let everyone = tg
        .wait_for(Duration::from_secs(90), |tg| {
            let chats: std::collections::HashSet<i64> = tg.sent_messages().iter().map(|m| m.chat_id).collect();
            ((FIRST_CHAT..FIRST_CHAT + NOTICES).all(|chat| chats.contains(&chat))).then_some(())
        })
        .await;
    let _ = Command::new("kill").args(["-TERM", &second.id().to_string()]).status();
    let _ = second.wait();
    assert!(everyone.is_some(), "every notification was delivered after the restart");
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for message in tg.sent_messages() {
        *per_chat.entry(message.chat_id).or_default() += 1;
    }
    per_chat
}

async fn assert_nothing_pending_and_every_subscription_kept(url: &str) {
    let store = Store::connect(url).await.expect("store");
    assert_eq!(store.unsent_notices().await.expect("count"), 0);
    for i in 0..NOTICES {
        assert_eq!(
            store.chat_subscriptions(FIRST_CHAT + i).await.expect("list").len(),
            1,
            "chat {i} kept its subscription"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_sending_loses_no_notification_and_no_subscription() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bot.db", dir.path().display());
    let store = seed(&url).await;
    assert_eq!(store.unsent_notices().await.expect("count"), NOTICES as u64);

    let tg = FakeTelegram::start().await;
    tg.set_round_trip(Some(ROUND_TRIP));
    let mut first = start_bot(dir.path(), &tg);
    let partway = tg.wait_for(Duration::from_secs(60), |tg| (tg.sent_count() >= 150).then(|| tg.sent_count())).await;
    assert!(partway.is_some(), "the first run started sending");
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let sent_before_restart = tg.sent_count();
    let window = tg.max_sends_in_flight();
    assert!(sent_before_restart < NOTICES as usize, "killed while sending: {sent_before_restart}");
    assert!(window > 1, "over a 150 ms round trip several messages are on their way at once: {window}");
    assert!(window <= MAX_WINDOW, "the window is capped: {window}");

    let per_chat = restart_until_everyone_is_told(dir.path(), &tg).await;
    let repeated = per_chat.values().filter(|count| **count > 1).count();
    assert!(per_chat.values().all(|count| *count <= 2), "nothing was sent three times: {per_chat:?}");
    eprintln!(
        "crash test: window {window} at a {ROUND_TRIP:?} round trip; {sent_before_restart} sent before SIGKILL, \
         {repeated} repeated after the restart"
    );
    // Only the messages delivered but not yet confirmed when the bot died may go out twice.
    assert!(repeated <= window, "{repeated} notifications were sent twice; at most {window} may be: {per_chat:?}");

    assert_nothing_pending_and_every_subscription_kept(&url).await;
}

/// Time the binary may take to stop on SIGTERM mid fan-out: each task finishes only its current step.
const STOP_WITHIN: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_fan_out_stops_every_task_quickly_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bot.db", dir.path().display());
    seed(&url).await;

    let tg = FakeTelegram::start().await;
    tg.set_round_trip(Some(ROUND_TRIP));
    let mut first = start_bot(dir.path(), &tg);
    let partway = tg.wait_for(Duration::from_secs(60), |tg| (tg.sent_count() >= 100).then(|| tg.sent_count())).await;
    assert!(partway.is_some(), "the first run started sending");
    let asked = std::time::Instant::now();
    let _ = Command::new("kill").args(["-TERM", &first.id().to_string()]).status();
    let status = loop {
        if let Some(status) = first.try_wait().expect("status") {
            break status;
        }
        if asked.elapsed() > STOP_WITHIN {
            let _ = first.kill();
            panic!("the bot did not stop within {STOP_WITHIN:?} of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let took = asked.elapsed();
    assert!(status.success(), "a clean stop: {status:?}");
    let sent_before_restart = tg.sent_count();
    assert!(sent_before_restart < NOTICES as usize, "stopped while sending: {sent_before_restart}");

    let per_chat = restart_until_everyone_is_told(dir.path(), &tg).await;
    let repeated = per_chat.values().filter(|count| **count > 1).count();
    eprintln!(
        "SIGTERM test: stopped in {took:?} after {sent_before_restart} sent; {repeated} repeated after the restart"
    );
    // A clean stop settles what was in flight: nothing needs to go out twice.
    assert_eq!(repeated, 0, "{repeated} notifications were sent twice after a clean stop: {per_chat:?}");
    assert_nothing_pending_and_every_subscription_kept(&url).await;
}
