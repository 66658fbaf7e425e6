//! The spending cap end to end (`KUAIDI100_DAILY_BUDGET`, `MAX_SUBSCRIPTIONS_PER_USER`): the real
//! dispatcher, watcher and HTTP server against the fake Bot API and the simulator, on a driven clock.

mod bot_harness;

use bot_harness::RunningBot;
use chrono::Duration;
use kuaidi_bot::clock::Clock;
use kuaidi_test_support::fake_telegram::{Chat, User};
use kuaidi_test_support::store as test_store;

fn ann() -> User {
    User::new(2001, "Ann").lang("en")
}

fn li() -> User {
    User::new(2002, "Li").lang("zh-hans")
}

async fn metric(bot: &RunningBot, line_start: &str) -> Option<f64> {
    let url = format!("{}/metrics", bot.http.as_deref().expect("an HTTP server"));
    let body = reqwest::get(url).await.expect("scrape").text().await.expect("body");
    body.lines()
        .find(|line| line.starts_with(line_start))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn the_watcher_yields_first_then_people_get_known_answers_with_the_time_fresh_data_resumes() {
    let store = test_store::sqlite().await.expect("sqlite");
    let bot = RunningBot::serving(store, &[("KUAIDI100_DAILY_BUDGET", "5"), ("WATCH_MODE", "poll")]).await;
    let chat = Chat::private(ann().id);

    // Four people's questions spend the watcher's share (80% of 5 = 4 billed calls).
    let subscribed = bot.ask(chat, ann(), "/sub yto YT9693083639790").await;
    assert!(subscribed.text.contains("Watching"), "{}", subscribed.text);
    for number in ["YT9693083639791", "YT9693083639792", "YT9693083639793"] {
        let reply = bot.ask(chat, ann(), &format!("/track yto {number}")).await;
        assert!(!reply.text.contains("budget"), "{}", reply.text);
    }
    assert_eq!(bot.upstream().total_queries, 4);

    // The watched parcel falls due: its check is answered from the store and put off, not queried.
    bot.clock.advance(Duration::hours(6));
    bot.settle().await;
    assert_eq!(bot.upstream().total_queries, 4, "the watcher stays within its share");
    assert!(
        bot.engine
            .store
            .next_due_at()
            .await
            .expect("store")
            .is_some_and(|at| at > bot.clock.now() + Duration::hours(17)),
        "the check waits for the budget to free"
    );
    assert_eq!(bot.engine.store.count_active_subscriptions().await.expect("count"), 1, "nobody is dropped");

    // People keep the last fifth: one more fresh answer.
    let fresh = bot.ask(chat, ann(), "/track yto YT9693083639791").await;
    assert!(fresh.text.contains("updated just now"), "{}", fresh.text);
    assert_eq!(bot.upstream().total_queries, 5);

    // Spent: a known parcel shows what is known and when fresh data resumes; an unknown one says so.
    let known = bot.ask(chat, ann(), "/track yto YT9693083639792").await;
    assert!(known.text.contains("query budget is used up") && known.text.contains("resumes at"), "{}", known.text);
    assert!(known.text.contains("YT9693083639792"), "{}", known.text);
    let unknown = bot.ask(Chat::private(li().id), li(), "/track yto YT9693083639794").await;
    assert!(unknown.text.contains("查询额度已用完") && unknown.text.contains("之后再试"), "{}", unknown.text);
    assert_eq!(bot.upstream().total_queries, 5, "nothing past the budget");

    // The operator sees it in /metrics.
    assert_eq!(metric(&bot, "kuaidi_billed_calls_24h").await, Some(5.0));
    assert_eq!(metric(&bot, "kuaidi_budget_calls").await, Some(5.0));
    assert_eq!(metric(&bot, "kuaidi_budget_state").await, Some(2.0));
    assert!(metric(&bot, "kuaidi_upstream_refused_total{reason=\"budget\"}").await.unwrap_or(0.0) >= 3.0);

    // A day later the first calls have left the window: fresh data again, and the watcher catches up.
    bot.clock.advance(Duration::hours(19));
    bot.settle().await;
    let later = bot.ask(Chat::private(li().id), li(), "/track yto YT9693083639794").await;
    assert!(!later.text.contains("额度"), "{}", later.text);
    assert!(bot.upstream().total_queries >= 7, "the watcher's check and the question were made");
    bot.stop().await;
}

#[tokio::test]
async fn one_person_may_subscribe_only_so_many_parcels_across_all_chats() {
    let bot = RunningBot::start(&[("MAX_SUBSCRIPTIONS_PER_USER", "2")]).await;
    let group = Chat::group(-5001, "family");
    bot.ask(Chat::private(ann().id), ann(), "/sub yto YT9693083639790").await;
    bot.ask(group, ann(), "/sub yto YT9693083639780").await;
    let capped = bot.ask(group, ann(), "/sub yto YT9693083639770").await;
    assert!(capped.text.contains("across your chats"), "{}", capped.text);
    // Subscribing again where one already watches is no new subscription.
    let again = bot.ask(group, ann(), "/sub yto YT9693083639780").await;
    assert!(again.text.contains("already"), "{}", again.text);
    // Someone else in the same group may.
    let other = bot.ask(group, li(), "/sub yto YT9693083639770").await;
    assert!(other.text.contains("已订阅"), "{}", other.text);
    // Stopping one frees a place.
    bot.ask(Chat::private(ann().id), ann(), "/unsub YT9693083639790").await;
    let freed = bot.ask(group, ann(), "/sub yto YT9693083639760").await;
    assert!(freed.text.contains("Watching") && !freed.text.contains("across your chats"), "{}", freed.text);
    bot.stop().await;
}
