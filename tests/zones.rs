//! Times in the reader's zone, end to end: the real dispatcher, watcher and sender against the fake
//! Bot API and the simulator. A chat that chose `/tz Europe/Berlin` reads every trajectory time
//! shifted and the zone named, in a `/track` reply and in a push; a chat that chose nothing reads
//! Beijing time, named. The watcher's night rule is untouched (it is `watch::policy`'s, in Beijing).

mod bot_harness;

use bot_harness::RunningBot;
use chrono::{Duration, NaiveDateTime, TimeZone};
use chrono_tz::{Asia::Shanghai, Europe::Berlin};
use kuaidi_bot::clock::Clock;
use kuaidi_test_support::fake_telegram::{Chat, User};

fn li() -> User {
    User::new(1001, "Li").lang("zh-hans")
}

fn ann() -> User {
    User::new(1002, "Ann").lang("en")
}

/// A trajectory time (Kuaidi100's Beijing wall-clock text) as a chat shows it: in Beijing and in Berlin.
fn shown(written: &str) -> (String, String) {
    let wall = NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S").expect("Kuaidi100's time format");
    let at = Shanghai.from_local_datetime(&wall).single().expect("a Beijing time");
    (at.format("<b>%m-%d %H:%M</b>").to_string(), at.with_timezone(&Berlin).format("<b>%m-%d %H:%M</b>").to_string())
}

async fn stored_lines(bot: &RunningBot, number: &str) -> Vec<String> {
    let key = kuaidi_bot::store::ParcelKey::new("yuantong", number);
    let record = bot.engine.store.parcel(&key, bot.clock.now()).await.expect("store").expect("a parcel row");
    let answer: kuaidi_bot::kuaidi100::QueryResult =
        serde_json::from_str(record.answer.as_deref().expect("an answer")).expect("the answer reads");
    answer.data.iter().map(|line| line.when().to_owned()).collect()
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
async fn tz_shows_sets_refuses_and_resets_in_both_languages() {
    let bot = RunningBot::start(&[]).await;
    let (en, zh) = (Chat::private(ann().id), Chat::private(li().id));
    let current = bot.ask(en, ann(), "/tz").await;
    assert!(current.text.contains("Beijing time") && current.text.contains("/tz Europe/Berlin"), "{}", current.text);
    let set = bot.ask(en, ann(), "/tz europe/berlin").await;
    assert!(set.text.contains("now shown in Europe/Berlin"), "{}", set.text);
    let shown = bot.ask(en, ann(), "/tz").await;
    assert!(shown.text.contains("shown in Europe/Berlin"), "{}", shown.text);
    let refused = bot.ask(en, ann(), "/tz Mars/Olympus").await;
    assert!(refused.text.starts_with("Usage: <code>/tz Europe/Berlin</code>"), "{}", refused.text);
    let offset = bot.ask(zh, li(), "/tz GMT-5").await;
    assert!(offset.text.contains("UTC-05:00"), "{}", offset.text);
    let reset = bot.ask(zh, li(), "/tz reset").await;
    assert!(reset.text.contains("恢复为北京时间"), "{}", reset.text);
    assert_eq!(bot.engine.store.chat_zone(zh.id).await.expect("store"), None, "reset stores no zone");
    assert_eq!(bot.engine.store.chat_zone(en.id).await.expect("store").as_deref(), Some("Europe/Berlin"));
    let help = bot.ask(en, ann(), "/help").await;
    assert!(help.text.contains("/tz") && help.text.contains("/forget"), "{}", help.text);
    bot.stop().await;
}

#[tokio::test]
async fn a_chat_in_berlin_reads_berlin_times_in_replies_and_pushes_and_the_default_reads_beijing_time() {
    let bot = RunningBot::start(&[]).await;
    let number = "YT9693083639791"; // just picked up: its whole life ahead
    let (en, zh) = (Chat::private(ann().id), Chat::private(li().id));
    bot.ask(en, ann(), "/tz Europe/Berlin").await;

    let berlin_reply = bot.ask(en, ann(), &format!("/track yto {number}")).await.text;
    let beijing_reply = bot.ask(zh, li(), &format!("/track yto {number}")).await.text;
    let lines = stored_lines(&bot, number).await;
    assert!(!lines.is_empty());
    for written in &lines {
        let (beijing, berlin) = shown(written);
        assert!(berlin_reply.contains(&berlin) && !berlin_reply.contains(&beijing), "{written}: {berlin_reply}");
        assert!(beijing_reply.contains(&beijing) && !beijing_reply.contains(&berlin), "{written}: {beijing_reply}");
    }
    assert!(berlin_reply.contains("<i>🕓 Times: Europe/Berlin</i>"), "{berlin_reply}");
    assert!(beijing_reply.contains("<i>🕓 时间：北京时间</i>"), "{beijing_reply}");
    assert_eq!(berlin_reply.matches("🕓").count(), 1, "the lines' zone is named once: {berlin_reply}");

    bot.ask(en, ann(), &format!("/sub yto {number}")).await;
    bot.ask(zh, li(), &format!("/sub yto {number}")).await;
    let before = (bot.tg.messages_to(en.id).len(), bot.tg.messages_to(zh.id).len());
    live_through(&bot, 10).await;
    let pushes = |chat: i64, skip: usize| -> Vec<String> {
        bot.tg.messages_to(chat).into_iter().skip(skip).map(|message| message.text).collect()
    };
    let (en_pushes, zh_pushes) = (pushes(en.id, before.0), pushes(zh.id, before.1));
    assert!(en_pushes.len() >= 2 && en_pushes.len() == zh_pushes.len(), "{en_pushes:#?}\n{zh_pushes:#?}");
    let mut compared = 0;
    let (mut en_with_lines, mut zh_with_lines) = (Vec::new(), Vec::new());
    for written in stored_lines(&bot, number).await {
        let (beijing, berlin) = shown(&written);
        if zh_pushes.iter().any(|push| push.contains(&beijing)) {
            assert!(en_pushes.iter().any(|push| push.contains(&berlin)), "{written} not shifted: {en_pushes:#?}");
            assert!(!en_pushes.iter().any(|push| push.contains(&beijing)), "{written}: {en_pushes:#?}");
            compared += 1;
        }
        en_with_lines.extend(en_pushes.iter().filter(|push| push.contains(&berlin)));
        zh_with_lines.extend(zh_pushes.iter().filter(|push| push.contains(&beijing)));
    }
    assert!(compared >= 2, "pushed lines compared: {compared}\n{zh_pushes:#?}");
    assert!(en_with_lines.iter().all(|push| push.contains("<i>🕓 Times: Europe/Berlin")), "{en_pushes:#?}");
    assert!(zh_with_lines.iter().all(|push| push.contains("<i>🕓 时间：北京时间")), "{zh_pushes:#?}");
    bot.stop().await;
}
