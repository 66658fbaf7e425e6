//! The outbox through a scripted transport, on both backends: each transport-neutral outcome of a
//! [`Delivery`] does what the Telegram sender always did — delivered is marked sent, a gone chat loses
//! its subscriptions, a migrated chat keeps them under its new id and gets the message there, "retry
//! after" waits as asked, "not allowed yet" gives the chat up after 3 tries spanning an hour, and other
//! failures back off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kuaidi_bot::clock::{Clock, ManualClock};
use kuaidi_bot::kuaidi100::Lang;
use kuaidi_bot::message::Reply;
use kuaidi_bot::store::Store;
use kuaidi_bot::watch::{
    Delivered, Delivering, Delivery, Notice, Outbox, Policy, RenderNotices, StartBy, Subscriptions,
};
use kuaidi_test_support::store as test_store;
use tokio_util::sync::CancellationToken;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).single().expect("valid time")
}

/// A transport whose answer per chat is scripted; it records what it was asked to deliver.
#[derive(Default)]
struct Scripted {
    answers: Mutex<HashMap<i64, Delivered>>,
    delivered: Mutex<Vec<(i64, String)>>,
    /// A chat whose sends are on their way until the test lets them through, one per permit.
    held: Mutex<Option<(i64, Arc<tokio::sync::Semaphore>)>>,
}

impl Scripted {
    fn answer(&self, chat: i64, outcome: Delivered) {
        self.answers.lock().expect("lock").insert(chat, outcome);
    }

    fn asked(&self) -> Vec<(i64, String)> {
        self.delivered.lock().expect("lock").clone()
    }

    fn times_asked(&self, chat: i64) -> usize {
        self.asked().iter().filter(|(to, _)| *to == chat).count()
    }
}

/// The outbox holds an `Arc<dyn Delivery>`; the test keeps its own handle to the same script.
struct Shared(Arc<Scripted>);

impl Delivery for Shared {
    fn deliver(&self, chat_id: i64, _topic: Option<i32>, message: Reply, _start_by: StartBy) -> Delivering {
        self.0.delivered.lock().expect("lock").push((chat_id, message.html));
        let outcome = self.0.answers.lock().expect("lock").get(&chat_id).cloned().unwrap_or(Delivered::Delivered);
        let held = self.0.held.lock().expect("lock").clone().filter(|(chat, _)| *chat == chat_id);
        Box::pin(async move {
            if let Some((_, gate)) = held {
                gate.acquire().await.expect("the gate stays open").forget();
            }
            outcome
        })
    }

    /// A few at once, as over a real network: a slow send leaves room for others.
    fn window(&self) -> usize {
        4
    }
}

/// Renders a notice as its number and the language, so that the test can read what went where.
fn render() -> RenderNotices {
    Arc::new(|notices: &[Notice], lang: Lang, _zone: &kuaidi_bot::zone::Zone| {
        let numbers: Vec<&str> = notices.iter().map(|notice| notice.number.as_str()).collect();
        Reply::text(format!("{} {}", lang.as_str(), numbers.join(",")))
    })
}

/// Subscribes `chat` to a parcel of its own and queues one update for it, recorded in English.
async fn queue_one(store: &Store, chat: i64, number: &str, now: DateTime<Utc>) {
    kuaidi_test_support::outbox::queue_one(store, chat, number, "en", now).await;
}

struct Bench {
    clock: ManualClock,
    script: Arc<Scripted>,
    outbox: Arc<Outbox>,
}

fn bench(store: &Store) -> Bench {
    let clock = ManualClock::new(t0());
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let subscriptions = Subscriptions::new(store.clone(), shared.clone(), Policy::new(Duration::minutes(30)), 50);
    let script = Arc::new(Scripted::default());
    let delivery: Arc<dyn Delivery> = Arc::new(Shared(script.clone()));
    let outbox =
        Arc::new(Outbox::new(store.clone(), shared, subscriptions, render(), delivery, StdDuration::from_millis(10)));
    Bench { clock, script, outbox }
}

async fn drain(bench: &Bench) -> usize {
    bench.outbox.drain(&CancellationToken::new()).await.expect("drain")
}

#[tokio::test]
async fn delivered_gone_migrated_and_retry_after_each_do_what_they_mean() {
    for test in test_store::all().await {
        let store = &test.store;
        let name = test.name;
        let bench = bench(store);
        let (delivered, gone, migrating, waiting) = (101, 102, -103, 104);
        let migrated_to = -100_103;
        for (chat, number) in [(delivered, "YT1000000001"), (gone, "YT1000000002"), (migrating, "YT1000000003")] {
            queue_one(store, chat, number, t0()).await;
        }
        queue_one(store, waiting, "YT1000000004", t0()).await;
        store.set_chat_lang(delivered, Lang::Zh, t0()).await.expect("lang");
        bench.script.answer(gone, Delivered::ChatGone);
        bench.script.answer(migrating, Delivered::MigratedTo(migrated_to));
        bench.script.answer(waiting, Delivered::RetryAfter(StdDuration::from_secs(30)));

        assert_eq!(drain(&bench).await, 4, "{name}");
        // Delivered: sent, in the chat's chosen language, and not sent again.
        assert!(bench.script.asked().contains(&(delivered, "zh YT1000000001".to_owned())), "{name}");
        // Gone: the subscription stops, the notice is dropped.
        assert!(store.chat_subscriptions(gone).await.expect("list").is_empty(), "{name}");
        // Migrated: the subscription moved, and the notice goes out again to the new id.
        assert!(store.chat_subscriptions(migrating).await.expect("list").is_empty(), "{name}");
        assert_eq!(store.chat_subscriptions(migrated_to).await.expect("list").len(), 1, "{name}");
        // Retry after: still pending, not before its time.
        assert_eq!(store.unsent_notices().await.expect("count"), 2, "{name}: migrated + waiting");

        assert_eq!(drain(&bench).await, 1, "{name}: the migrated notice, at once");
        assert!(bench.script.asked().contains(&(migrated_to, "en YT1000000003".to_owned())), "{name}");
        assert_eq!(bench.script.times_asked(waiting), 1, "{name}: not retried before 30 s");

        bench.script.answer(waiting, Delivered::Delivered);
        bench.clock.advance(Duration::seconds(30));
        assert_eq!(drain(&bench).await, 1, "{name}: retried after 30 s");
        assert_eq!(bench.script.times_asked(waiting), 2, "{name}");
        assert_eq!(store.unsent_notices().await.expect("count"), 0, "{name}");
        assert_eq!(drain(&bench).await, 0, "{name}: nothing twice");
        for chat in [delivered, waiting] {
            assert_eq!(store.chat_subscriptions(chat).await.expect("list").len(), 1, "{name}: {chat} kept");
        }
    }
}

#[tokio::test]
async fn not_allowed_gives_up_after_three_tries_over_an_hour_and_failures_back_off() {
    for test in test_store::all().await {
        let store = &test.store;
        let name = test.name;
        let bench = bench(store);
        let (refusing, failing) = (201, 202);
        queue_one(store, refusing, "YT2000000001", t0()).await;
        queue_one(store, failing, "YT2000000002", t0()).await;
        bench.script.answer(refusing, Delivered::NotAllowedYet);
        bench.script.answer(failing, Delivered::Failed("connection reset".into()));

        drain(&bench).await;
        // A failure backs off 30 s, then 60 s; "not allowed" waits 20 minutes between tries.
        bench.clock.advance(Duration::seconds(29));
        assert_eq!(drain(&bench).await, 0, "{name}: nothing due before 30 s");
        bench.clock.advance(Duration::seconds(1));
        assert_eq!(drain(&bench).await, 1, "{name}: the failed one again");
        bench.clock.advance(Duration::seconds(59));
        assert_eq!(drain(&bench).await, 0, "{name}: the second back-off is longer");
        bench.script.answer(failing, Delivered::Delivered);
        bench.clock.advance(Duration::seconds(1));
        assert_eq!(drain(&bench).await, 1, "{name}");
        assert_eq!(bench.script.times_asked(failing), 3, "{name}");
        assert_eq!(store.chat_subscriptions(failing).await.expect("list").len(), 1, "{name}: a failure keeps it");

        for _ in 0..2 {
            bench.clock.advance(Duration::minutes(20));
            drain(&bench).await;
        }
        assert_eq!(bench.script.times_asked(refusing), 3, "{name}");
        assert_eq!(store.chat_subscriptions(refusing).await.expect("list").len(), 1, "{name}: 40 min is not an hour");
        bench.clock.advance(Duration::minutes(20));
        drain(&bench).await;
        assert_eq!(bench.script.times_asked(refusing), 4, "{name}");
        assert!(store.chat_subscriptions(refusing).await.expect("list").is_empty(), "{name}: given up after an hour");
        assert_eq!(store.unsent_notices().await.expect("count"), 0, "{name}: its notice dropped");
    }
}

/// Waits (real time) until `done` holds; false after 10 s.
async fn eventually(mut done: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..200 {
        if done().await {
            return true;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn a_slow_send_holds_back_only_its_own_chat() {
    for test in test_store::all().await {
        let store = &test.store;
        let name = test.name;
        let bench = bench(store);
        let (slow, other) = (201, 202);
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        *bench.script.held.lock().expect("lock") = Some((slow, gate.clone()));
        queue_one(store, slow, "YT2000000001", t0()).await;
        let shutdown = CancellationToken::new();
        let running = {
            let (outbox, shutdown) = (bench.outbox.clone(), shutdown.clone());
            tokio::spawn(async move { outbox.run(shutdown).await })
        };
        assert!(eventually(async || bench.script.times_asked(slow) == 1).await, "{name}: the slow send started");

        // While it is on its way, another chat's notice becomes due, and so does a second one for
        // the slow chat.
        queue_one(store, other, "YT2000000002", t0()).await;
        queue_one(store, slow, "YT2000000003", t0()).await;
        assert!(
            eventually(async || store.unsent_notices().await.expect("count") == 2).await,
            "{name}: the other chat's notice went out while the slow send was on its way"
        );
        assert_eq!(bench.script.times_asked(other), 1, "{name}");
        assert_eq!(bench.script.times_asked(slow), 1, "{name}: the slow chat's next message waits for its first");

        // Let the slow chat through: its first message is settled, then its second goes out.
        gate.add_permits(2);
        assert!(eventually(async || store.unsent_notices().await.expect("count") == 0).await, "{name}: all sent");
        let to_slow: Vec<String> =
            bench.script.asked().into_iter().filter(|(chat, _)| *chat == slow).map(|(_, text)| text).collect();
        assert_eq!(to_slow, ["en YT2000000001", "en YT2000000003"], "{name}: in order, once each");
        shutdown.cancel();
        running.await.expect("the outbox stops");
    }
}
