//! Push and hybrid watching end to end: the real bot (dispatcher, watcher, outbox, HTTP server) against
//! the fake Bot API and the simulator, which is subscribed to over HTTP and pushes back to the bot's
//! `POST /kuaidi100/push` on a driven clock; and the callback route's refusals, replays and rollbacks,
//! with pushes the test signs itself.

mod bot_harness;

use bot_harness::RunningBot;
use chrono::Duration;
use kuaidi_bot::clock::Clock;
use kuaidi_bot::kuaidi100::push::{PUSH_ACK, sign_push};
use kuaidi_bot::kuaidi100::{QueryResult, TraceLine};
use kuaidi_bot::sandbox::Sandbox;
use kuaidi_bot::store::{ParcelKey, PushState};
use kuaidi_bot::watch::is_last_mile;
use kuaidi_test_support::fake_telegram::{Chat, User};
use kuaidi_test_support::store as test_store;

const HYBRID: &[(&str, &str)] = &[("WATCH_MODE", "hybrid"), ("USER_RATE_LIMIT", "1000/s")];

fn li() -> User {
    User::new(2001, "Li").lang("zh-hans")
}

fn wang() -> User {
    User::new(2002, "Wang").lang("zh-hans")
}

fn sandbox(bot: &RunningBot) -> &Sandbox {
    &bot.engine.sandbox.as_ref().expect("sandbox mode").sandbox
}

/// Moves the clock to the next moment that matters (a due check, a notice, a push check), lets the
/// simulator push and the bot settle; `false` when nothing is left to happen before `end`.
async fn step(bot: &RunningBot, end: chrono::DateTime<chrono::Utc>) -> bool {
    let pushes = sandbox(bot)
        .push_subscriptions()
        .into_iter()
        .flat_map(|subscription| [subscription.next_check, subscription.pending.map(|pending| pending.due)])
        .flatten()
        .min();
    let Some(next) = bot.next_work_at().await.into_iter().chain(pushes).min() else { return false };
    if next > end {
        return false;
    }
    if next > bot.clock.now() {
        bot.clock.set(next);
    }
    sandbox(bot).deliver_due_pushes().await;
    bot.settle().await;
    true
}

/// `MM-DD HH:MM`, as a notice shows a line's time.
fn short(time: &str) -> &str {
    time.get(5..16).unwrap_or(time)
}

#[tokio::test]
async fn two_chats_and_a_group_follow_a_parcel_in_hybrid_mode_on_one_subscription_and_last_mile_queries() {
    for store in test_store::all().await {
        let name = store.name;
        let bot = RunningBot::serving(store, HYBRID).await;
        let number = "YT9693083631230";
        let key = ParcelKey::new("yuantong", number);
        let group = Chat::group(-7001, "Family");
        let chats = [Chat::private(li().id), Chat::private(wang().id), group];
        for (chat, user) in chats.iter().zip([li(), wang(), li()]) {
            let reply = bot.ask(*chat, user, &format!("/sub yto {number}")).await;
            assert!(reply.text.contains("已订阅"), "{name}: {}", reply.text);
        }
        let subscribed_at = bot.clock.now();
        let queries_at_sub = sandbox(&bot).stats().parcel("yuantong", number).map_or(0, |p| p.queries);
        let before: Vec<usize> = chats.iter().map(|chat| bot.tg.messages_to(chat.id).len()).collect();

        // Live through the parcel's life: every query after the subscription must be a last-mile one
        // (or the safety check of a parcel whose pushes went silent for a day).
        let end = subscribed_at + Duration::days(20);
        let mut queries = queries_at_sub;
        loop {
            let record = bot.engine.store.parcel(&key, bot.clock.now()).await.expect("store").expect("parcel");
            let (_, _, pushed_at) = bot.engine.store.push_record(&key).await.expect("store").expect("parcel");
            let state = record.state.clone();
            if !step(&bot, end).await {
                break;
            }
            let now_queries = sandbox(&bot).stats().parcel("yuantong", number).map_or(0, |p| p.queries);
            if now_queries > queries {
                let silent = pushed_at.is_none_or(|at| bot.clock.now() - at >= Duration::days(1));
                let last_mile = is_last_mile(state.as_deref().and_then(kuaidi_bot::kuaidi100::state::lookup));
                assert!(last_mile || silent, "{name}: a query in state {state:?} at {}", bot.clock.now());
                queries = now_queries;
            }
        }

        let stats = sandbox(&bot).stats();
        assert_eq!(stats.subscribe_calls, 1, "{name}: one subscription for three chats: {stats:?}");
        assert_eq!(stats.lock_violations, 0, "{name}");
        assert!(stats.pushes_acknowledged >= 2, "{name}: {stats:?}");
        let parcel = stats.parcel("yuantong", number).expect("queried");
        let (push_state, push_calls, _) = bot.engine.store.push_record(&key).await.expect("store").expect("parcel");
        assert_eq!((push_state, push_calls), (PushState::Ended, 1), "{name}");
        assert!(parcel.queries < 12, "{name}: {} queries", parcel.queries);

        // Every change reached all three chats, the same words in each, and the last says it is done.
        let timeline = sandbox(&bot).timeline("yuantong", number);
        let after: Vec<_> =
            timeline.revealed(bot.clock.now()).iter().filter(|event| event.time > subscribed_at).collect();
        assert!(after.len() >= 3, "{name}: {after:?}");
        let texts: Vec<Vec<String>> = chats
            .iter()
            .zip(&before)
            .map(|(chat, before)| {
                bot.tg.messages_to(chat.id).into_iter().skip(*before).map(|message| message.text).collect()
            })
            .collect();
        assert_eq!(texts[0], texts[1], "{name}");
        assert_eq!(texts[0], texts[2], "{name}: the group reads what the private chats read");
        let joined = texts[0].join("\n");
        assert!(texts[0].last().is_some_and(|last| last.contains("不再继续跟踪")), "{name}: {joined}");
        let missing = after.iter().filter(|event| !joined.contains(short(&event.beijing_time()))).count();
        let folded: usize = joined
            .split("另有 ")
            .skip(1)
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<usize>().ok())
            .sum();
        assert!(missing <= folded, "{name}: {missing} lines never shown ({folded} folded): {joined}");
        bot.stop().await;
    }
}

/// A subscribed parcel's stored answer and a push document for it with `extra` newer lines.
async fn push_for(bot: &RunningBot, key: &ParcelKey, status: &str, extra: &[(&str, &str)], state: &str) -> String {
    let record = bot.engine.store.parcel(key, bot.clock.now()).await.expect("store").expect("parcel");
    let mut result: QueryResult = serde_json::from_str(record.answer.as_deref().expect("an answer")).expect("json");
    for (time, context) in extra.iter().rev() {
        let line = TraceLine {
            time: (*time).into(),
            ftime: (*time).into(),
            context: (*context).into(),
            ..result.data[0].clone()
        };
        result.data.insert(0, line);
    }
    result.state = state.into();
    if state.starts_with('3') {
        result.ischeck = "1".into();
    }
    serde_json::json!({"status": status, "billstatus": "got", "message": "", "lastResult": result}).to_string()
}

async fn metrics(bot: &RunningBot) -> String {
    let url = format!("{}/metrics", bot.http.as_deref().expect("served"));
    reqwest::get(url).await.expect("metrics").text().await.expect("text")
}

async fn post(bot: &RunningBot, form: &[(&str, &str)]) -> (u16, String) {
    let url = format!("{}/kuaidi100/push", bot.http.as_deref().expect("served"));
    let response = reqwest::Client::new().post(url).form(form).send().await.expect("the bot answers");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn callbacks_are_checked_applied_once_and_never_roll_a_parcel_back() {
    let bot = RunningBot::serving(test_store::sqlite().await.expect("sqlite"), HYBRID).await;
    let salt = bot.engine.config.push_salt.clone();
    let chat = Chat::private(li().id);
    let number = "YT9693083631232";
    let key = ParcelKey::new("yuantong", number);
    bot.ask(chat, li(), &format!("/sub yto {number}")).await;
    bot.settle().await;
    let notices = || async { bot.engine.store.census().await.expect("census").notices };
    let queued = notices().await;

    let newer = push_for(&bot, &key, "polling", &[("2026-11-02 11:30:00", "快件已到达【测试中心】")], "0").await;
    let sign = sign_push(&newer, &salt);
    // Refused, not applied: a wrong sign, no sign, a signed document that is not a push, too large a body.
    assert_eq!(post(&bot, &[("param", &newer), ("sign", "0123456789ABCDEF0123456789ABCDEF")]).await.0, 403);
    assert_eq!(post(&bot, &[("param", &newer)]).await.0, 403);
    let garbage = r#"{"status":"polling","lastResult":"nope"}"#;
    assert_eq!(post(&bot, &[("param", garbage), ("sign", &sign_push(garbage, &salt))]).await.0, 400);
    assert_eq!(post(&bot, &[("sign", &sign)]).await.0, 400);
    let huge = "x".repeat(100 * 1024);
    assert_eq!(post(&bot, &[("param", &huge), ("sign", &sign)]).await.0, 413);
    assert_eq!(notices().await, queued, "nothing refused was applied");

    // A good push: acknowledged as Kuaidi100 expects, recorded without a query, told once.
    let queries = bot.upstream().total_queries;
    assert_eq!(post(&bot, &[("param", &newer), ("sign", &sign)]).await, (200, PUSH_ACK.to_owned()));
    assert_eq!(notices().await, queued + 1);
    let told = bot.tg.wait_for_messages(chat.id, 2, bot_harness::WAIT).await;
    assert!(told.last().is_some_and(|m| m.text.contains("测试中心")), "{told:?}");
    assert_eq!(bot.upstream().total_queries, queries, "a push costs no query");
    let tracked = bot.ask(chat, li(), &format!("/track yto {number}")).await;
    assert!(tracked.text.contains("测试中心"), "/track shows the pushed answer: {}", tracked.text);

    // Kuaidi100 retries and replays: acknowledged, nobody told twice. An older push is ignored.
    assert_eq!(post(&bot, &[("param", &newer), ("sign", &sign)]).await, (200, PUSH_ACK.to_owned()));
    let record = bot.engine.store.parcel(&key, bot.clock.now()).await.expect("store").expect("parcel");
    let mut stale: QueryResult = serde_json::from_str(record.answer.as_deref().expect("answer")).expect("json");
    stale.data.remove(0);
    stale.state = "1".into();
    let stale = serde_json::json!({"status": "polling", "message": "", "lastResult": stale}).to_string();
    assert_eq!(post(&bot, &[("param", &stale), ("sign", &sign_push(&stale, &salt))]).await.0, 200);
    assert_eq!(notices().await, queued + 1, "no notice for a replay or an older push");
    let kept = bot.engine.store.parcel(&key, bot.clock.now()).await.expect("store").expect("parcel");
    assert!(kept.answer.as_deref().is_some_and(|a| a.contains("测试中心")), "never rolled back");

    // A push for a parcel nobody watches is acknowledged and ignored.
    let unwatched = newer.replace(number, "YT9693083631299");
    assert_eq!(post(&bot, &[("param", &unwatched), ("sign", &sign_push(&unwatched, &salt))]).await.0, 200);

    // shutdown: the final notice, and watching ends.
    let done = push_for(&bot, &key, "shutdown", &[("2026-11-02 15:00:00", "已签收，签收人：本人")], "301").await;
    assert_eq!(post(&bot, &[("param", &done), ("sign", &sign_push(&done, &salt))]).await.0, 200);
    let told = bot.tg.wait_for_messages(chat.id, 4, bot_harness::WAIT).await;
    assert!(told.last().is_some_and(|m| m.text.contains("不再继续跟踪")), "{told:?}");
    let list = bot.ask(chat, li(), "/list").await;
    assert!(!list.text.contains(number), "{}", list.text);

    let metrics = metrics(&bot).await;
    for series in [r#"result="applied""#, r#"result="bad_sign""#, r#"result="missing_sign""#, r#"result="malformed""#] {
        assert!(
            metrics.lines().any(|l| l.starts_with("kuaidi_push_callbacks_total") && l.contains(series)),
            "{series}: {metrics}"
        );
    }
    assert!(!metrics.contains(salt.expose()));
    bot.stop().await;
}

#[tokio::test]
async fn a_courier_kuaidi100_corrects_is_stored_and_every_chat_is_told() {
    let bot = RunningBot::serving(test_store::sqlite().await.expect("sqlite"), HYBRID).await;
    let chat = Chat::private(li().id);
    let number = "COMNEW9693083631";
    let subscribed = bot.ask(chat, li(), &format!("/sub yto {number}")).await;
    assert!(subscribed.text.contains("已订阅"), "{}", subscribed.text);
    let subscribed_at = bot.clock.now();
    let end = bot.clock.now() + Duration::hours(6);
    while sandbox(&bot).stats().pushes_acknowledged == 0 && step(&bot, end).await {}
    let told = bot.tg.messages_to(chat.id);
    let corrected = told.iter().find(|m| m.text.contains("更正了快递公司")).unwrap_or_else(|| panic!("{told:?}"));
    assert!(corrected.text.contains("圆通速递 → 中通快递"), "{}", corrected.text);
    let moved = bot.engine.store.parcel(&ParcelKey::new("zhongtong", number), bot.clock.now()).await.expect("store");
    assert!(moved.is_some(), "the parcel is now known under the corrected courier");
    let list = bot.ask(chat, li(), "/list").await;
    assert!(list.text.contains("中通快递") && list.text.contains(number), "{}", list.text);
    // Later pushes still name the old courier: they reach the parcel under the corrected one.
    let corrected_key = ParcelKey::new("zhongtong", number);
    let (_, _, first) = bot.engine.store.push_record(&corrected_key).await.expect("store").expect("parcel");
    let acknowledged = sandbox(&bot).stats().pushes_acknowledged;
    while sandbox(&bot).stats().pushes_acknowledged == acknowledged && step(&bot, end + Duration::days(3)).await {}
    let (_, _, later) = bot.engine.store.push_record(&corrected_key).await.expect("store").expect("parcel");
    assert!(later > first && first.is_some_and(|at| at > subscribed_at), "the later push was taken in");
    assert_eq!(bot.tg.messages_to(chat.id).iter().filter(|m| m.text.contains("更正了快递公司")).count(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_failed_subscribe_call_keeps_the_chats_subscription_and_is_tried_again() {
    let bot = RunningBot::serving(test_store::sqlite().await.expect("sqlite"), HYBRID).await;
    let chat = Chat::private(li().id);
    // Kuaidi100 answers 500 for this number, to the query ("no result yet") and to the subscribe call.
    let number = "ERR5009693083631";
    let subscribed = bot.ask(chat, li(), &format!("/sub yto {number}")).await;
    assert!(subscribed.text.contains("已订阅"), "{}", subscribed.text);
    bot.settle().await;
    let key = ParcelKey::new("yuantong", number);
    let calls = || sandbox(&bot).stats().subscribe_calls;
    let deadline = tokio::time::Instant::now() + bot_harness::WAIT;
    while calls() == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(calls(), 1);
    let (state, billed, _) = bot.engine.store.push_record(&key).await.expect("store").expect("parcel");
    assert_eq!((state, billed), (PushState::Retry, 1));
    let list = bot.ask(chat, li(), "/list").await;
    assert!(list.text.contains(number), "still watched: {}", list.text);
    // Tried again after a floor (back-off), not before.
    bot.clock.advance(Duration::minutes(29));
    bot.settle().await;
    assert_eq!(calls(), 1);
    bot.clock.advance(Duration::minutes(2));
    let deadline = tokio::time::Instant::now() + bot_harness::WAIT;
    while calls() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(calls(), 2, "tried again");
    let metrics = metrics(&bot).await;
    assert!(metrics.contains(r#"kuaidi_push_subscribe_total{outcome="try_later"} 2"#), "{metrics}");
    assert!(metrics.contains("kuaidi_watcher_lag_seconds"), "{metrics}");
    bot.stop().await;
}
