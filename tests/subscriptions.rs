//! Subscriptions end to end: the real dispatcher, watcher and sender against the fake Bot API and the
//! simulator, on a driven clock (days of parcel life in seconds).

mod bot_harness;

use bot_harness::{RunningBot, WAIT};
use chrono::Duration;
use kuaidi_bot::clock::Clock;
use kuaidi_test_support::fake_telegram::{Chat, Failure, Said, User};

fn li() -> User {
    User::new(1001, "Li").lang("zh-hans")
}

fn ann() -> User {
    User::new(1002, "Ann").lang("en")
}

/// Drives the clock from one due check to the next until nothing is watched or `days` pass.
async fn live_through(bot: &RunningBot, days: i64) {
    let end = bot.clock.now() + Duration::days(days);
    bot.settle().await;
    while let Some(next) = bot.engine.store.next_due_at().await.expect("store") {
        if next > end {
            break;
        }
        if next > bot.clock.now() {
            bot.clock.set(next);
        }
        bot.settle().await;
    }
}

#[tokio::test]
async fn sub_twice_unsub_unknown_the_cap_and_list_in_both_languages() {
    let bot = RunningBot::start(&[("MAX_SUBSCRIPTIONS_PER_CHAT", "2")]).await;
    let chat = Chat::private(li().id);
    let first = bot.ask(chat, li(), "/sub 圆通 YT9693083639792").await;
    assert!(first.text.contains("已订阅") && first.text.contains("圆通速递"), "{}", first.text);
    assert!(first.button("取消订阅").is_some(), "{:?}", first.buttons());
    let again = bot.ask(chat, li(), "/sub yto YT9693083639792").await;
    assert!(again.text.contains("已经订阅"), "{}", again.text);
    bot.ask(chat, li(), "/sub yto YT9693083639782").await;
    let capped = bot.ask(chat, li(), "/sub yto YT9693083639772").await;
    assert!(capped.text.contains("上限"), "{}", capped.text);

    let not_watched = bot.ask(chat, li(), "/unsub YT0000000000").await;
    assert!(not_watched.text.contains("没有订阅"), "{}", not_watched.text);

    let list = bot.ask(chat, li(), "/list").await;
    assert!(list.text.contains("YT9693083639792") && list.text.contains("YT9693083639782"), "{}", list.text);
    assert!(!list.text.contains("YT9693083639772"));
    assert_eq!(list.buttons().len(), 2);
    bot.ask(chat, li(), "/lang en").await;
    let english = bot.ask(chat, li(), "/list").await;
    assert!(
        english.text.starts_with("Parcels this chat watches:") && english.text.contains("YTO Express"),
        "{}",
        english.text
    );

    // 🔄 from the list shows one afresh, in a new message whose 🔕 stops it; a 🔔 on a /track reply
    // starts it again.
    let refresh = list.buttons()[0].clone();
    assert!(refresh.text.starts_with("🔄 1. YT96930836397"), "{refresh:?}");
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.press_button(chat, li(), list.message_id, &refresh.callback_data);
    let shown = bot.tg.wait_for_messages(chat.id, before + 1, WAIT).await.remove(before);
    let stop = shown.button("Unsubscribe").unwrap_or_else(|| panic!("{:?}", shown.buttons()));
    bot.tg.press_button(chat, li(), shown.message_id, &stop.callback_data);
    bot.wait_for_answers(2).await;
    let done = bot.ask(chat, li(), "/unsub YT9693083639782").await;
    assert!(done.text.contains("Stopped watching"), "{}", done.text);
    let empty = bot.ask(chat, li(), "/list").await;
    assert!(empty.text.contains("watches no parcels"), "{}", empty.text);
    let tracked = bot.ask(chat, li(), "/track yto YT9693083639792").await;
    let bell = tracked.button("Subscribe").unwrap_or_else(|| panic!("{:?}", tracked.buttons()));
    bot.tg.press_button(chat, li(), tracked.message_id, &bell.callback_data);
    let edited = bot
        .tg
        .wait_for(WAIT, |tg| tg.edits().into_iter().find(|e| e.message_id == tracked.message_id))
        .await
        .expect("edit");
    assert!(edited.buttons().iter().any(|b| b.text.contains("Unsubscribe")), "{:?}", edited.buttons());
    bot.stop().await;
}

#[tokio::test]
async fn the_bell_buttons_of_a_phone_checked_parcel_work_both_ways() {
    let bot = RunningBot::start(&[]).await;
    let chat = Chat::private(ann().id);
    let tracked = bot.ask(chat, ann(), "/track shunfeng SF1234567890123 13812345678").await;
    let edit_of = |count: usize| {
        bot.tg.wait_for(WAIT, move |tg| {
            let edits: Vec<_> = tg.edits().into_iter().filter(|e| e.message_id == tracked.message_id).collect();
            edits.get(count - 1).cloned()
        })
    };
    let bell = tracked.button("Subscribe").unwrap_or_else(|| panic!("{:?}", tracked.buttons()));
    bot.tg.press_button(chat, ann(), tracked.message_id, &bell.callback_data);
    let subscribed = edit_of(1).await.expect("redrawn after 🔔");
    let mute = subscribed
        .buttons()
        .into_iter()
        .find(|b| b.text.contains("Unsubscribe"))
        .unwrap_or_else(|| panic!("{:?}", subscribed.buttons()));
    assert_eq!(bot.engine.store.chat_subscriptions(chat.id).await.expect("store").len(), 1);

    bot.tg.press_button(chat, ann(), tracked.message_id, &mute.callback_data);
    let unsubscribed = edit_of(2).await.expect("redrawn after 🔕, with the phone the chat gave");
    assert!(unsubscribed.buttons().iter().any(|b| b.text.contains("🔔")), "{:?}", unsubscribed.buttons());
    assert!(unsubscribed.text.as_deref().is_some_and(|text| text.contains("SF1234567890123")));
    assert!(bot.engine.store.chat_subscriptions(chat.id).await.expect("store").is_empty());
    assert_eq!(bot.upstream().total_queries, 1, "buttons never ask upstream inside the floor");
    bot.stop().await;
}

#[tokio::test]
async fn two_chats_and_a_group_follow_one_parcel_through_its_life() {
    let bot = RunningBot::start(&[]).await;
    let number = "YT9693083639791"; // ends in 1: just picked up, its whole life ahead
    let zh = Chat::private(li().id);
    let en = Chat::private(ann().id);
    let group = Chat::group(-3001, "Family");
    bot.ask(zh, li(), &format!("/sub yto {number}")).await;
    bot.ask(en, ann(), &format!("/sub yto {number}")).await;
    bot.ask(group, li(), &format!("/sub@KuaidiTestBot yto {number}")).await;
    assert_eq!(bot.upstream().total_queries, 1, "three subscriptions, one query");

    live_through(&bot, 10).await;

    let notices = |chat: i64| -> Vec<String> { bot.tg.messages_to(chat).into_iter().skip(1).map(|m| m.text).collect() };
    let (zh_notices, en_notices, group_notices) = (notices(zh.id), notices(en.id), notices(group.id));
    assert!(zh_notices.len() >= 2, "several changes were pushed: {zh_notices:#?}");
    assert_eq!(zh_notices.len(), en_notices.len(), "{zh_notices:#?}\n{en_notices:#?}");
    assert_eq!(zh_notices.len(), group_notices.len());
    assert!(zh_notices.iter().any(|text| text.contains("派件")), "out for delivery in Chinese: {zh_notices:#?}");
    assert!(en_notices.iter().any(|text| text.contains("Out for delivery")), "{en_notices:#?}");
    assert!(zh_notices.last().is_some_and(|text| text.contains("不再继续跟踪")), "final notice: {zh_notices:#?}");
    assert!(en_notices.last().is_some_and(|text| text.contains("no longer watched")), "{en_notices:#?}");
    assert!(group_notices.last().is_some_and(|text| text.contains("不再继续跟踪")));

    // Any two queries of one check (one per subscriber) would be a lock violation: 0 proves that
    // each check made one query for all three.
    let stats = bot.upstream();
    let parcel = stats.parcel("yuantong", number).expect("queried");
    assert_eq!(stats.lock_violations, 0, "{parcel:?}");
    assert!(parcel.max_in_24h <= 48, "{parcel:?}");

    // Then silence: nothing more is polled or sent.
    let queries = stats.total_queries;
    let sent = bot.tg.sent_messages().len();
    bot.clock.advance(Duration::days(3));
    bot.settle().await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(bot.upstream().total_queries, queries);
    assert_eq!(bot.tg.sent_messages().len(), sent);
    assert!(bot.engine.store.chat_subscriptions(zh.id).await.expect("store").is_empty(), "finished subscriptions end");

    // What was sent is kept a week, then purged.
    let store = &bot.engine.store;
    bot.clock.advance(Duration::days(8));
    let purged = eventually(async || store.sent_notices().await.expect("store") == 0).await;
    assert!(purged, "sent notices older than a week are purged");
    bot.stop().await;
}

/// Whether `condition` comes true within 5 s (for what the bot does on its own, off the driven clock).
async fn eventually(condition: impl AsyncFn() -> bool) -> bool {
    for _ in 0..100 {
        if condition().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// Drives the clock from due check to due check until `done` holds (or 60 checks pass).
async fn drive_until(bot: &RunningBot, done: impl AsyncFn(&RunningBot) -> bool) -> bool {
    for _ in 0..60 {
        bot.settle().await;
        if done(bot).await {
            return true;
        }
        let Some(next) = bot.next_work_at().await else { return done(bot).await };
        bot.clock.set(next.max(bot.clock.now()));
    }
    done(bot).await
}

#[tokio::test]
async fn a_chat_that_blocked_the_bot_loses_its_subscriptions() {
    let bot = RunningBot::start(&[]).await;
    let chat = Chat::private(li().id);
    bot.ask(chat, li(), "/sub yto YT9693083639771").await;
    bot.tg.fail_chat(chat.id, Failure::Blocked);
    // Drive until the watcher has something to say; sending it meets the block.
    let gone =
        drive_until(&bot, async |bot| bot.engine.store.chat_subscriptions(chat.id).await.expect("store").is_empty())
            .await;
    assert!(gone, "the blocked chat's subscriptions stopped");
    assert_eq!(
        bot.engine.store.unsent_notices().await.expect("store"),
        0,
        "its notices are dropped, not retried forever"
    );

    // The bot removed from a group (my_chat_member) stops that group's subscriptions at once.
    let group = Chat::group(-4001, "Club");
    bot.ask(group, ann(), "/sub yto YT9693083639761").await;
    bot.tg.bot_blocked(group, ann());
    let removed =
        eventually(async || bot.engine.store.chat_subscriptions(group.id).await.expect("store").is_empty()).await;
    assert!(removed, "removal from the group stopped its subscriptions");
    bot.stop().await;
}

#[tokio::test]
async fn a_migrated_group_keeps_its_subscriptions_and_a_429_delays_but_delivers() {
    let bot = RunningBot::start(&[]).await;
    let group = Chat::group(-5001, "Team");
    bot.ask(group, li(), "/sub yto YT9693083639751").await;
    bot.tg.fail_chat(group.id, Failure::Migrated { to: -1005001 });
    let moved = drive_until(&bot, async |bot| !bot.tg.messages_to(-1005001).is_empty()).await;
    assert!(moved, "the notice was re-sent to the supergroup");
    let kept = bot.engine.store.chat_subscriptions(-1005001).await.expect("store");
    assert_eq!(kept.len(), 1, "the subscription moved to the new id");
    assert!(bot.engine.store.chat_subscriptions(group.id).await.expect("store").is_empty());

    // The service message path: a migrate_to_chat_id update moves a group's subscriptions too.
    let other = Chat::group(-6001, "Other");
    bot.ask(other, li(), "/sub yto YT9693083639731").await;
    bot.tg.migrate_group(other.id, -1006001);
    let moved_by_message =
        eventually(async || bot.engine.store.chat_subscriptions(-1006001).await.expect("store").len() == 1).await;
    assert!(moved_by_message);

    // A 429 delays the notice but it arrives.
    let chat = Chat::private(li().id);
    bot.ask(chat, li(), "/sub yto YT9693083639721").await;
    bot.tg.fail_chat(chat.id, Failure::TooManyRequests { retry_after: 1, times: 1 });
    let delivered = drive_until(&bot, async |bot| bot.tg.messages_to(chat.id).len() >= 2).await;
    assert!(delivered, "the notice arrived after the 429: {:?}", bot.tg.messages_to(chat.id));
    assert!(bot.tg.too_many_requests_count() >= 1, "a 429 was really answered");
    let kept = eventually(async || bot.engine.store.sent_notices().await.expect("store") >= 2).await;
    assert!(kept, "sent notices are kept for a while, not deleted at once");
    bot.stop().await;
}

#[tokio::test]
async fn no_result_backs_off_then_gives_up_and_an_unwatched_parcel_is_not_polled() {
    let bot = RunningBot::start(&[]).await;
    let chat = Chat::private(ann().id);
    let reply = bot.ask(chat, ann(), "/sub yto ERR5000001").await;
    assert!(reply.text.contains("Watching this parcel"), "{}", reply.text);
    let watched = bot.ask(chat, ann(), "/sub yto YT9693083639701").await;
    assert!(watched.text.contains("Watching this parcel"));
    let stopped = bot.ask(chat, ann(), "/unsub YT9693083639701").await;
    assert!(stopped.text.contains("Stopped watching"));

    live_through(&bot, 5).await;
    let stats = bot.upstream();
    let no_result = stats.parcel("yuantong", "ERR5000001").expect("queried").queries;
    // 2, 4, 8, 16, 16 … floors over 3 days: far fewer than one query per floor.
    assert!((3..=12).contains(&no_result), "backed off: {no_result} queries");
    assert_eq!(stats.parcel("yuantong", "YT9693083639701").expect("queried once").queries, 1, "unwatched: not polled");
    let last = bot.tg.messages_to(chat.id).last().map(|m| m.text.clone()).unwrap_or_default();
    assert!(last.contains("found nothing for this number for 3 days"), "{last}");
    assert_eq!(bot.engine.store.next_due_at().await.expect("store"), None, "nothing is watched any more");
    bot.stop().await;
}

/// A Kuaidi100 stand-in whose parcel never moves: the same in-transit answer forever.
async fn frozen_upstream() -> String {
    let body = serde_json::json!({
        "message": "ok", "nu": "YT9693083639795", "ischeck": "0", "com": "yuantong", "status": "200", "state": "1002",
        "data": [{"time": "2026-11-01 10:00:00", "ftime": "2026-11-01 10:00:00", "context": "【杭州市】快件到达【杭州转运中心】"}]
    })
    .to_string();
    bot_harness::fixed_upstream(body).await
}

#[tokio::test]
async fn a_parcel_unchanged_for_two_weeks_stops_with_a_notice() {
    let upstream = frozen_upstream().await;
    let bot = RunningBot::start(&[
        ("KUAIDI100_CUSTOMER", "C"),
        ("KUAIDI100_KEY", "K"),
        ("KUAIDI100_API_URL", upstream.as_str()),
    ])
    .await;
    let chat = Chat::private(ann().id);
    bot.ask(chat, ann(), "/sub yto YT9693083639795").await;
    live_through(&bot, 16).await;
    let messages = bot.tg.messages_to(chat.id);
    assert_eq!(messages.len(), 2, "the /sub reply, then only the closing notice: {messages:#?}");
    assert!(messages[1].text.contains("Nothing changed for 14 days"), "{}", messages[1].text);
    assert_eq!(bot.engine.store.next_due_at().await.expect("store"), None);
    bot.stop().await;
}

#[tokio::test]
async fn in_a_forum_replies_and_pushes_go_to_the_topic_the_parcel_was_asked_about_in() {
    // Unpaced: two parcels' lives in one group would wait out its 20 messages a minute.
    let bot = RunningBot::start_with(&[], None).await;
    let forum = Chat::forum(-1_000_000_005_001, "Flat 3");
    let (topic, other_topic) = (7, 9);
    let topic_of =
        |message: &kuaidi_test_support::fake_telegram::SentMessage| message.params["message_thread_id"].as_i64();
    let subscribed = bot.ask_with(forum, li(), "/sub@KuaidiTestBot yto YT9693083639791", Said::in_topic(topic)).await;
    assert!(subscribed.text.contains("已订阅"), "{}", subscribed.text);
    assert_eq!(topic_of(&subscribed), Some(topic), "{:#?}", subscribed.params);
    // The topic's opening message that Telegram puts under every topic message is no reply to read.
    let tracked = bot.ask_with(forum, ann(), "/track", Said::in_topic(other_topic)).await;
    assert!(tracked.text.contains("Usage"), "{}", tracked.text);
    assert_eq!(topic_of(&tracked), Some(other_topic));
    // The 🔔 of a reply in the other topic subscribes there: its pushes go to that topic.
    let other = bot.ask_with(forum, ann(), "/track yto YT9693083639781", Said::in_topic(other_topic)).await;
    let bell = other.button("Subscribe").unwrap_or_else(|| panic!("{:?}", other.buttons()));
    bot.tg.press_button(forum, ann(), other.message_id, &bell.callback_data);
    bot.wait_for_answers(1).await;

    live_through(&bot, 10).await;
    let pushes: Vec<_> = bot.tg.messages_to(forum.id).into_iter().skip(3).collect();
    let in_topic = |number: &str| -> Vec<Option<i64>> {
        pushes.iter().filter(|push| push.text.contains(number)).map(topic_of).collect()
    };
    let (first, second) = (in_topic("YT9693083639791"), in_topic("YT9693083639781"));
    assert!(first.len() >= 2 && second.len() >= 2, "both parcels moved: {pushes:#?}");
    assert!(first.iter().all(|sent| *sent == Some(topic)), "{first:?}");
    assert!(second.iter().all(|sent| *sent == Some(other_topic)), "{second:?}");
    bot.stop().await;
}

#[tokio::test]
async fn the_push_that_a_parcel_reached_a_station_shows_its_pickup_code() {
    let bot = RunningBot::start(&[]).await;
    // Out for delivery; two hours later in a station, pickup code 7-1-7200 (the simulator's parcel).
    let number = "YT9693000000208";
    let (zh, en) = (Chat::private(li().id), Chat::private(ann().id));
    bot.ask(zh, li(), &format!("/sub yto {number}")).await;
    bot.ask(en, ann(), &format!("/sub yto {number}")).await;
    live_through(&bot, 3).await;
    let notices = |chat: i64| -> Vec<String> { bot.tg.messages_to(chat).into_iter().skip(1).map(|m| m.text).collect() };
    let (zh_notices, en_notices) = (notices(zh.id), notices(en.id));
    let arrived =
        zh_notices.iter().find(|text| text.contains("投柜或驿站")).unwrap_or_else(|| panic!("{zh_notices:#?}"));
    assert!(arrived.contains("<b>🔑 取件码 7-1-7200 · "), "{arrived}");
    let arrived = en_notices
        .iter()
        .find(|text| text.contains("parcel locker or station"))
        .unwrap_or_else(|| panic!("{en_notices:#?}"));
    assert!(arrived.contains("<b>🔑 Pickup code 7-1-7200 at "), "{arrived}");
    let last = zh_notices.last().expect("a final notice");
    assert!(last.contains("不再继续跟踪") && !last.contains("🔑"), "collected: no code any more: {last}");
    bot.stop().await;
}

/// The parcel's answer as the store holds it.
async fn stored_answer(bot: &RunningBot, number: &str) -> Option<kuaidi_bot::kuaidi100::QueryResult> {
    let key = kuaidi_bot::store::ParcelKey::new("yuantong", number);
    let record = bot.engine.store.parcel(&key, bot.clock.now()).await.expect("store")?;
    serde_json::from_str(record.answer.as_deref()?).ok()
}

/// The expected arrival in the parcel's stored answer.
async fn stored_estimate(bot: &RunningBot, number: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    stored_answer(bot, number).await?.estimate()?.arrival
}

fn english_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Shanghai).format("%b %-d, %H:%M").to_string()
}

#[tokio::test]
async fn an_estimate_that_moves_twice_in_a_day_is_pushed_once() {
    let bot = RunningBot::start(&[]).await;
    // In transit and sitting at one hub for the next ten hours while Kuaidi100's estimate (the
    // simulator's predictor refreshes every six hours) moves at 12:00 and again at 18:00 Beijing time.
    let number = "YT9693000000003";
    let chat = Chat::private(ann().id);
    let start = bot.clock.now();
    bot.ask(chat, ann(), &format!("/track yto {number}")).await;
    bot.clock.set(start + Duration::minutes(31));
    let subscribed = bot.ask(chat, ann(), &format!("/sub yto {number}")).await;
    let e0 = stored_estimate(&bot, number).await.expect("the second query names the destination: an estimate");
    assert!(
        subscribed.text.contains(&format!("⏱ Expected {} (Beijing time)", english_time(e0))),
        "{}",
        subscribed.text
    );
    let lines = async || stored_answer(&bot, number).await.map(|answer| answer.data.len());
    let lines_at_start = lines().await;

    // 13:00 Beijing: the estimate moved, nothing else did — told on its own.
    bot.clock.set(start + Duration::hours(4));
    bot.settle().await;
    let e1 = stored_estimate(&bot, number).await.expect("an estimate");
    assert_ne!(e1, e0, "the estimate moved");
    let messages = bot.tg.messages_to(chat.id);
    assert_eq!(messages.len(), 3, "{messages:#?}");
    let pushed = &messages[2].text;
    let said = format!("⏱ New estimate: expected {} (Beijing time), was {}", english_time(e1), english_time(e0));
    assert!(pushed.contains(&said), "{pushed}");

    // 19:00 Beijing, the same day: it moved again, and is not pushed again.
    bot.clock.set(start + Duration::hours(10));
    bot.settle().await;
    let e2 = stored_estimate(&bot, number).await.expect("an estimate");
    assert_ne!(e2, e1, "the estimate moved a second time");
    assert_eq!(lines().await, lines_at_start, "no line came all this time");
    assert_eq!(bot.tg.messages_to(chat.id).len(), 3, "one push for two moves in a day");
    assert!(bot.upstream().total_queries >= 4, "each move was a real query's answer");
    bot.stop().await;
}
/// A YTO number whose simulated parcel is out for delivery at its first query and then left at a
/// station with a pickup code.
fn locker_number() -> String {
    use kuaidi_bot::sandbox::{Ending, Parcel};
    (0..500)
        .map(|i| format!("YT96930{i:07}8"))
        .find(|number| {
            let parcel = Parcel::generate("yuantong", number, kuaidi_test_support::sim::start_time());
            parcel.ending == Ending::Locker
                && parcel.events.iter().any(|event| event.code == "501" && event.pickup_code.is_some())
        })
        .expect("a parcel that ends at a locker")
}

#[tokio::test]
async fn list_puts_out_for_delivery_first_with_its_pickup_code_and_pushes_carry_the_label() {
    let bot = RunningBot::start(&[]).await;
    let chat = Chat::private(ann().id);
    let locker = locker_number();
    let in_transit = "YT9693083639793"; // ends in 3: early in its line-haul
    // Subscribed first, listed second: the list is ordered by what is closest to arriving.
    bot.ask(chat, ann(), &format!("/sub yto {in_transit}")).await;
    bot.ask(chat, ann(), &format!("/sub yto {locker}")).await;
    let named = bot.ask(chat, ann(), &format!("/name {locker} <b>x</b> & co")).await;
    assert!(named.text.contains("is now called"), "{}", named.text);
    let said = bot.tg.messages_to(chat.id).len();

    let at_station = async |bot: &RunningBot| {
        let watched = bot.engine.store.chat_subscriptions(chat.id).await.expect("store");
        watched.iter().any(|parcel| parcel.key.number == locker && parcel.state.as_deref() == Some("501"))
    };
    assert!(drive_until(&bot, at_station).await, "the parcel reached its station");
    bot.settle().await;

    // The push about it carries the label, escaped.
    let pushes: Vec<String> = bot.tg.messages_to(chat.id).into_iter().skip(said).map(|m| m.text).collect();
    let push = pushes.iter().find(|text| text.contains(&locker)).unwrap_or_else(|| panic!("{pushes:#?}"));
    assert!(push.contains(ESCAPED_LABEL) && !push.contains("<b>x</b>"), "{push}");

    let list = bot.ask(chat, ann(), "/list").await;
    let at = |needle: &str| list.text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {}", list.text));
    assert!(at("Out for delivery") < at(&locker) && at(&locker) < at("On the way"), "{}", list.text);
    assert!(at("On the way") < at(in_transit), "{}", list.text);
    assert!(list.text.contains(&format!("1. {ESCAPED_LABEL} · YTO Express <code>{locker}</code>")), "{}", list.text);
    assert!(list.text.contains("pickup code <code>") && list.text.contains("d on the way"), "{}", list.text);
    let buttons = list.buttons();
    assert_eq!(buttons.len(), 2, "{buttons:?}");
    assert_eq!(buttons[0].text, "🔄 1. <b>x</b> & co", "a button's text is plain: {buttons:?}");
    assert_eq!(buttons[1].text, format!("🔄 2. {in_transit}"));

    // One tap refreshes it, in a new message with its label; the list stays as it is.
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.press_button(chat, ann(), list.message_id, &buttons[0].callback_data);
    let refreshed = bot.tg.wait_for_messages(chat.id, before + 1, WAIT).await.remove(before);
    assert!(refreshed.text.contains(&locker) && refreshed.text.contains(ESCAPED_LABEL), "{}", refreshed.text);
    assert!(bot.tg.edits().is_empty());

    bot.ask(chat, ann(), "/lang zh").await;
    let zh = bot.ask(chat, ann(), "/list").await;
    let at = |needle: &str| zh.text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {}", zh.text));
    assert!(at("🛵 派送中") < at(&locker) && at(&locker) < at("🚚 运输中"), "{}", zh.text);
    assert!(zh.text.contains("取件码 <code>") && zh.text.contains("已在途"), "{}", zh.text);
    bot.stop().await;
}

/// How a label shows in a list or a push: escaped, after 🏷.
const ESCAPED_LABEL: &str = "🏷 <b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>";

/// The text of a message without its HTML tags.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// English words of three letters or more: a Chinese reader's trajectory has none (codes, phones and
/// the sandbox's `YT…` numbers are no words).
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| word.len() >= 3 && word.chars().any(|c| c.is_ascii_lowercase()))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_english_and_a_chinese_chat_each_read_one_parcel_in_their_own_language_from_one_query_per_check() {
    let bot = RunningBot::start(&[]).await;
    let number = "YT9693083639781"; // just picked up: its whole life ahead
    let zh = Chat::private(li().id);
    let en = Chat::private(ann().id);
    // The Chinese chat asks first: the answer is fetched in Chinese; the English chat, inside the floor,
    // reads that same answer.
    let zh_reply = plain(&bot.ask(zh, li(), &format!("/track yto {number}")).await.text);
    let en_reply = plain(&bot.ask(en, ann(), &format!("/track yto {number}")).await.text);
    assert_eq!(bot.upstream().total_queries, 1, "one query served both chats");
    assert!(zh_reply.contains("【") && english_words(&zh_reply).is_empty(), "{zh_reply}");
    assert!(!has_chinese(&en_reply), "every line and place in English: {en_reply}");
    assert!(en_reply.contains("Picked up"), "{en_reply}");

    bot.ask(zh, li(), &format!("/sub yto {number}")).await;
    bot.ask(en, ann(), &format!("/sub yto {number}")).await;
    assert_eq!(bot.upstream().total_queries, 1, "subscribing asks nobody inside the floor");
    live_through(&bot, 12).await;

    let notices = |chat: i64| -> Vec<String> {
        bot.tg.messages_to(chat).into_iter().skip(2).map(|message| plain(&message.text)).collect()
    };
    let (zh_notices, en_notices) = (notices(zh.id), notices(en.id));
    assert!(zh_notices.len() >= 3, "the parcel moved: {zh_notices:#?}");
    assert_eq!(zh_notices.len(), en_notices.len(), "{zh_notices:#?}\n{en_notices:#?}");
    for notice in &en_notices {
        assert!(!has_chinese(notice), "an English push reads English: {notice}");
    }
    for notice in &zh_notices {
        assert!(has_chinese(notice) && english_words(notice).is_empty(), "a Chinese push reads Chinese: {notice}");
    }
    assert!(
        en_notices.iter().any(|notice| notice.contains("Departed") || notice.contains("Arrived at")),
        "{en_notices:#?}"
    );
    // One query per check for both chats: two in one check would break the floor.
    let stats = bot.upstream();
    let parcel = stats.parcel("yuantong", number).expect("queried");
    assert_eq!(stats.lock_violations, 0, "{parcel:?}");
    bot.stop().await;
}
