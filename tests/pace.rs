//! Telegram's pace, end to end: the real bot against a fake Bot API whose rolling-second limiter
//! answers 429 past 30 messages. Replies and notifications share one budget, evenly spaced, so the
//! limiter never fires; and replies go first, so a user is answered in the middle of a fan-out.

mod bot_harness;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use bot_harness::RunningBot;
use kuaidi_bot::clock::Clock;
use kuaidi_bot::telegram::default_limits;
use kuaidi_test_support::fake_telegram::{Chat, User};
use kuaidi_test_support::outbox::queue_fan_out;

/// Telegram's ~30 messages per second overall, as the fake enforces it.
const TELEGRAM_LIMIT: u32 = 30;
/// Generous bounds on waiting: these are not timing assertions, only how long to wait before failing.
const PATIENCE: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_users_at_once_are_all_answered_without_a_429() {
    let bot = RunningBot::start(&[]).await;
    bot.tg.set_global_rate_limit(Some(TELEGRAM_LIMIT));
    let users: Vec<i64> = (0..300).map(|i| 20_000 + i).collect();
    for (i, user) in users.iter().enumerate() {
        bot.tg.send_text(Chat::private(*user), User::new(*user, "Asker"), &format!("/track yto YT96{i:011}"));
    }
    let answered = bot
        .tg
        .wait_for(PATIENCE, |tg| {
            let chats: HashSet<i64> = tg.sent_messages().iter().map(|message| message.chat_id).collect();
            users.iter().all(|user| chats.contains(user)).then_some(())
        })
        .await;
    let replied: HashSet<i64> = bot.tg.sent_messages().iter().map(|message| message.chat_id).collect();
    assert!(answered.is_some(), "{} of 300 users answered", replied.len());
    assert_eq!(bot.tg.too_many_requests_count(), 0, "no 429 from the strict limiter");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_during_a_fan_out_of_two_thousand_goes_before_the_next_second_of_notices() {
    const FIRST_CHAT: i64 = 3_000_000;
    const FAN_OUT: usize = 2_000;
    let bot = RunningBot::start(&[]).await;
    bot.tg.set_global_rate_limit(Some(TELEGRAM_LIMIT));
    // Telegram far away: several notices are on their way at any moment.
    bot.tg.set_round_trip(Some(Duration::from_millis(150)));
    // Queued at the bot's (driven) clock, so that the notices are due now.
    queue_fan_out(&bot.engine.store, FIRST_CHAT, FAN_OUT, bot.clock.now()).await;
    let is_fan_out = |chat: i64| (FIRST_CHAT..FIRST_CHAT + FAN_OUT as i64).contains(&chat);
    let under_way = bot
        .tg
        .wait_for(PATIENCE, |tg| {
            (tg.sent_messages().iter().filter(|m| is_fan_out(m.chat_id)).count() >= 60).then_some(())
        })
        .await;
    assert!(under_way.is_some(), "the fan-out started");

    let user = User::new(7_777, "Asker");
    let asked_at = Instant::now();
    bot.tg.send_text(Chat::private(user.id), user.clone(), "/track yto YT9693083639795");
    let reply = bot
        .tg
        .wait_for(PATIENCE, |tg| tg.messages_to(user.id).first().cloned())
        .await
        .expect("the user was answered during the fan-out");
    let notices_in_between =
        bot.tg.sent_messages().iter().filter(|m| is_fan_out(m.chat_id) && m.at > asked_at && m.at < reply.at).count();
    let one_second_of_fan_out = default_limits().messages_per_sec_overall as usize;
    eprintln!("the reply came after {notices_in_between} notices of the fan-out");
    assert!(
        notices_in_between < one_second_of_fan_out,
        "{notices_in_between} notices went out between the question and its reply"
    );
    let fan_out_left = bot.tg.sent_messages().iter().filter(|m| is_fan_out(m.chat_id)).count() < FAN_OUT;
    assert!(fan_out_left, "the reply came in the middle of the fan-out, not after it");
    assert_eq!(bot.tg.too_many_requests_count(), 0, "no 429 from the strict limiter");
    bot.stop().await;
}
