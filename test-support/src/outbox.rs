//! Notices waiting in the outbox, written the way the watcher writes them, for the tests and
//! benchmarks of sending: the crash test, the outbox's own tests, the fan-out test and benchmark.
//!
//! Each chat subscribes to a parcel of its own (`Store::subscribe`) and gets one `Update` notice
//! through `Store::commit_check` — the outbox's one entrance — which also stops watching the parcel, so
//! that the watcher stays idle and only the sending is measured. Failures panic: this is test set-up.

use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::store::{CheckOutcome, NewNotice, ParcelKey, Store};
use kuaidi_bot::watch::{Notice, NoticeKind, NoticeLine};

/// The courier of every queued notice.
pub const COURIER: &str = "yuantong";

/// An "out for delivery" update for `number`, with one line of realistic length.
pub fn update_notice(number: &str) -> Notice {
    Notice {
        courier: COURIER.into(),
        number: number.into(),
        kind: NoticeKind::Update,
        state: Some("5".into()),
        previous_state: Some("1001".into()),
        new_lines: vec![NoticeLine {
            time: "2026-11-02 09:10:00".into(),
            place: Some("杭州市".into()),
            context: format!("【杭州市】快件已到达【杭州西湖区营业部】，快递员 王师傅 正在派件 {number}"),
            area_code: None,
            area_pinyin: None,
        }],
        lines_lang: None,
        more_lines: 0,
        return_code: None,
        previous_courier: None,
        expected_at: None,
        previous_expected_at: None,
        label: None,
    }
}

/// Subscribes `chat` to `number` (recorded language `lang`) and queues one update for it.
pub async fn queue_one(store: &Store, chat: i64, number: &str, lang: &str, now: DateTime<Utc>) {
    let key = ParcelKey::new(COURIER, number);
    store.subscribe(chat, None, &key, lang, 0, None, 50, now + Duration::days(30), now).await.expect("subscribe");
    let parcel = store.parcel(&key, now).await.expect("read the parcel").expect("the parcel row exists");
    let subscribers = store.subscribers(parcel.id).await.expect("read the subscribers");
    let subscriber = subscribers.into_iter().find(|s| s.chat_id == chat).expect("the subscription just made");
    let payload = serde_json::to_string(&update_notice(number)).expect("a notice is JSON");
    let outcome = CheckOutcome {
        notices: vec![NewNotice {
            subscription_id: subscriber.id,
            chat_id: chat,
            topic: None,
            lang: lang.into(),
            payload,
            seen_lines: 1,
            seen_state: Some("5".into()),
            was_lines: 0,
            was_state: None,
            seen_estimate: None,
            estimate_told_at: None,
            was_estimate_told_at: None,
        }],
        next_check_at: None,
        last_change_at: Some(now),
        ..CheckOutcome::default()
    };
    store.commit_check(parcel.id, &outcome, now).await.expect("queue the notice");
}

/// `count` chats, `first_chat..first_chat + count`, each with its own parcel `YT95…` (11 digits of the
/// chat's index) and one update waiting, recorded in Chinese.
pub async fn queue_fan_out(store: &Store, first_chat: i64, count: usize, now: DateTime<Utc>) {
    for i in 0..count {
        queue_one(store, first_chat + i as i64, &fan_out_number(i), "zh", now).await;
    }
}

/// The parcel of the `i`-th chat of [`queue_fan_out`].
pub fn fan_out_number(i: usize) -> String {
    format!("YT95{i:011}")
}
