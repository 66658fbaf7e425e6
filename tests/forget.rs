//! `/forget` end to end, on SQLite and on PostgreSQL (when `TEST_POSTGRES_URL` is reachable): a chat
//! subscribes, gives a phone, names a parcel, picks a language and a zone and receives pushes; after
//! `/forget` and the confirm button, the database holds no row about it — read table by table —
//! while another chat watching the same parcel keeps everything. Cancelling deletes nothing; a press
//! by someone else in a group changes nothing; a press after the data is gone is answered.

mod bot_harness;

use bot_harness::{RunningBot, WAIT};
use chrono::Duration;
use kuaidi_bot::clock::Clock;
use kuaidi_bot::store::ParcelKey;
use kuaidi_test_support::fake_telegram::{Chat, Edit, User};
use kuaidi_test_support::store as test_store;

fn li() -> User {
    User::new(1001, "Li").lang("zh-hans")
}

fn ann() -> User {
    User::new(1002, "Ann").lang("en")
}

const SHARED: &str = "YT9693083639791";
const PHONE_PARCEL: &str = "SF1234567890123";

/// Rows per per-chat table about `chat`, and their sum.
async fn rows(bot: &RunningBot, chat: i64) -> (Vec<(&'static str, u64)>, u64) {
    let rows = bot.engine.store.rows_about_chat(chat).await.expect("store");
    let total = rows.iter().map(|(_, count)| count).sum();
    (rows, total)
}

/// The `count`-th edit of `message_id`.
async fn edit_of(bot: &RunningBot, message_id: i64, count: usize) -> Edit {
    bot.tg
        .wait_for(WAIT, |tg| {
            let edits: Vec<_> = tg.edits().into_iter().filter(|edit| edit.message_id == message_id).collect();
            edits.get(count - 1).cloned()
        })
        .await
        .unwrap_or_else(|| panic!("no edit {count} of {message_id}: {:?}", bot.tg.edits()))
}

/// A chat that used everything: subscriptions (one of a phone-checked parcel), a label, a language, a
/// zone, and pushes received.
async fn a_busy_chat(bot: &RunningBot, chat: Chat, user: User) {
    bot.ask(chat, user.clone(), &format!("/sub yto {SHARED}")).await;
    bot.ask(chat, user.clone(), &format!("/sub shunfeng {PHONE_PARCEL} 5678")).await;
    bot.ask(chat, user.clone(), &format!("/name {SHARED} mom's tea")).await;
    bot.ask(chat, user.clone(), "/lang en").await;
    bot.ask(chat, user, "/tz Europe/Berlin").await;
}

#[tokio::test]
async fn forget_deletes_every_row_about_the_chat_and_nothing_of_another_on_both_backends() {
    for store in test_store::all().await {
        let backend = store.name;
        let bot = RunningBot::serving(store, &[]).await;
        let (mine, theirs) = (Chat::private(li().id), Chat::private(ann().id));
        a_busy_chat(&bot, mine, li()).await;
        bot.ask(theirs, ann(), &format!("/sub yto {SHARED}")).await;
        bot.ask(theirs, ann(), &format!("/name {SHARED} Ann's")).await;
        // A day of the parcel's life: pushes go out to both (the outbox's history).
        bot.clock.advance(Duration::hours(20));
        bot.settle().await;
        let (before, total) = rows(&bot, mine.id).await;
        assert!(before.iter().all(|(_, count)| *count > 0), "{backend}: the chat is in every table: {before:?}");
        let (theirs_before, _) = rows(&bot, theirs.id).await;
        let phone_key = ParcelKey::new("shunfeng", PHONE_PARCEL);
        let now = bot.clock.now();
        let phone_row = bot.engine.store.parcel(&phone_key, now).await.expect("store").expect("a parcel row");
        assert_eq!(phone_row.phone_tail.as_deref(), Some("5678"), "{backend}");

        let asked = bot.ask(mine, li(), "/forget").await;
        assert!(asked.text.contains("cannot be undone"), "{backend}: in the chat's language: {}", asked.text);
        let confirm = asked.button("Delete everything").unwrap_or_else(|| panic!("{:?}", asked.buttons()));
        assert!(asked.button("Keep").is_some() && confirm.callback_data.len() <= 64);
        bot.tg.press_button(mine, li(), asked.message_id, &confirm.callback_data);
        let done = edit_of(&bot, asked.message_id, 1).await;
        let said = done.text.clone().unwrap_or_default();
        assert!(said.contains("2 watched parcels") && said.contains("1 phone digits"), "{backend}: {said}");
        assert!(said.contains("1 names") && said.contains("2 settings"), "{backend}: {said}");
        assert!(done.buttons().is_empty(), "{backend}: the question's buttons are gone");

        let (after, left) = rows(&bot, mine.id).await;
        assert_eq!(left, 0, "{backend}: no row about the chat remains (of {total}): {after:?}");
        let phone_row = bot.engine.store.parcel(&phone_key, now).await.expect("store").expect("the parcel row stays");
        assert_eq!(phone_row.phone_tail, None, "{backend}: the phone digits only this chat gave are gone");
        assert!(bot.engine.store.chat_subscriptions(mine.id).await.expect("store").is_empty());
        let (theirs_after, _) = rows(&bot, theirs.id).await;
        assert_eq!(theirs_after, theirs_before, "{backend}: the other chat's rows are intact");
        let watched = bot.engine.store.chat_subscriptions(theirs.id).await.expect("store");
        assert_eq!(watched.len(), 1, "{backend}: the other chat still watches the shared parcel");
        let key = ParcelKey::new("yuantong", SHARED);
        assert_eq!(bot.engine.store.label(theirs.id, &key).await.expect("store").as_deref(), Some("Ann's"));

        // The forgotten chat speaks the default again (Li's Telegram language), in Beijing time.
        let after_reply = bot.ask(mine, li(), &format!("/track yto {SHARED}")).await;
        assert!(after_reply.text.contains("北京时间") && !after_reply.text.contains("mom"), "{}", after_reply.text);
        // A second press, after the data is gone, is still answered.
        bot.tg.press_button(mine, li(), asked.message_id, &confirm.callback_data);
        let again = edit_of(&bot, asked.message_id, 2).await;
        let again = again.text.unwrap_or_default();
        assert!(again.contains("不再保存") || again.contains("已删除"), "{backend}: {again}");
        // Only the parcel reply just asked left a trace (chat_parcels); nothing else came back.
        let (_, left) = rows(&bot, mine.id).await;
        assert_eq!(left, 0, "{backend}: the second press deleted the trace of the last /track");
        bot.stop().await;
    }
}

#[tokio::test]
async fn cancel_keeps_everything_and_in_a_group_only_the_asker_answers() {
    let bot = RunningBot::start(&[]).await;
    let group = Chat::group(-4001, "Family");
    bot.ask(group, ann(), &format!("/sub@KuaidiTestBot yto {SHARED}")).await;
    bot.ask(group, ann(), "/tz@KuaidiTestBot UTC+1").await;
    let (before, total) = rows(&bot, group.id).await;
    assert!(total >= 2, "a subscription and a zone: {before:?}");

    let asked = bot.ask(group, ann(), "/forget@KuaidiTestBot").await;
    assert!(asked.text.contains("only the person who asked"), "{}", asked.text);
    let confirm = asked.button("Delete everything").expect("confirm");
    let keep = asked.button("Keep").expect("cancel");
    bot.tg.press_button(group, li(), asked.message_id, &confirm.callback_data);
    let answers = bot.wait_for_answers(1).await;
    assert!(answers[0].text.as_deref().is_some_and(|text| text.contains("/forget")), "{answers:?}");
    assert!(bot.tg.edits().is_empty(), "another member's press changes nothing");
    assert_eq!(rows(&bot, group.id).await.0, before);

    bot.tg.press_button(group, ann(), asked.message_id, &keep.callback_data);
    let kept = edit_of(&bot, asked.message_id, 1).await;
    assert_eq!(kept.text.as_deref(), Some("Nothing was deleted."));
    assert_eq!(rows(&bot, group.id).await.0, before, "cancel deletes nothing");
    let reply = bot.ask(group, ann(), &format!("/track@KuaidiTestBot yto {SHARED}")).await;
    assert!(reply.text.contains("UTC+01:00"), "the zone is kept: {}", reply.text);
    bot.stop().await;
}
