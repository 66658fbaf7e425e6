//! The Telegram bot end to end: the real dispatcher against the fake Bot API and the simulator.

mod bot_harness;

use std::time::Duration;

use bot_harness::{RunningBot, WAIT};
use chrono::Duration as ChronoDuration;
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, Said, User};

fn li() -> User {
    User::new(1001, "Li").lang("zh-hans")
}

fn ann() -> User {
    User::new(1002, "Ann").lang("en")
}

fn private(user: &User) -> Chat {
    Chat::private(user.id)
}

#[tokio::test]
async fn start_up_registers_the_menu_in_both_languages() {
    let bot = RunningBot::start(&[]).await;
    let commands = bot.tg.wait_for(WAIT, |tg| (tg.commands().len() >= 3).then(|| tg.commands())).await.expect("menus");
    let languages: Vec<_> =
        commands.iter().map(|c| c["language_code"].as_str().unwrap_or("default").to_owned()).collect();
    assert!(
        languages.contains(&"zh".to_owned())
            && languages.contains(&"en".to_owned())
            && languages.contains(&"default".to_owned()),
        "{languages:?}"
    );
    assert!(
        commands
            .iter()
            .all(|c| c["commands"].as_array().is_some_and(|list| list.iter().any(|cmd| cmd["command"] == "track")))
    );
    bot.stop().await;
}

/// The profile methods that write.
const PROFILE_SETS: [&str; 3] = ["setMyCommands", "setMyDescription", "setMyShortDescription"];

/// Waits until the bot has started polling after request `from`: by then it has registered its profile.
async fn profile_registered(tg: &FakeTelegram, from: usize) {
    let polling =
        tg.wait_for(WAIT, |tg| tg.requests()[from..].iter().any(|r| r.method == "getUpdates").then_some(())).await;
    assert!(polling.is_some(), "the bot never polled: {:#?}", tg.requests());
}

#[tokio::test]
async fn start_up_sets_the_profile_in_both_languages_and_the_default() {
    let bot = RunningBot::start(&[("DEFAULT_LANG", "en")]).await;
    profile_registered(&bot.tg, 0).await;
    let (zh, en, default) = (bot.tg.profile(Some("zh")), bot.tg.profile(Some("en")), bot.tg.profile(None));
    assert!(zh.description.contains("快递单号") && zh.description.contains("/sub"), "{}", zh.description);
    assert!(zh.short_description.contains("快递100"), "{}", zh.short_description);
    assert!(en.description.contains("tracking number") && en.description.contains("group"), "{}", en.description);
    assert!(en.short_description.contains("Kuaidi100"), "{}", en.short_description);
    assert_eq!(default, en, "DEFAULT_LANG=en: other languages see the English profile");
    assert!(zh.commands.iter().any(|(command, about)| command == "track" && about != &en.commands[0].1));
    for profile in [&zh, &en] {
        assert!(profile.description.chars().count() <= 512 && profile.short_description.chars().count() <= 120);
    }
    for method in ["getMyCommands", "getMyDescription", "getMyShortDescription"] {
        let reads = bot.tg.requests_to(method);
        let mut languages: Vec<_> =
            reads.iter().map(|r| r.params["language_code"].as_str().unwrap_or("").to_owned()).collect();
        languages.sort();
        assert_eq!(languages, ["", "en", "zh"], "{method} read back first in every language");
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_restart_with_the_same_texts_sets_nothing_and_a_changed_text_is_set_again() {
    let first = RunningBot::start(&[]).await;
    profile_registered(&first.tg, 0).await;
    let sets = |tg: &FakeTelegram, from: usize| -> Vec<(String, String)> {
        tg.requests()[from..]
            .iter()
            .filter(|r| PROFILE_SETS.contains(&r.method.as_str()))
            .map(|r| (r.method.clone(), r.params["language_code"].as_str().unwrap_or("default").to_owned()))
            .collect()
    };
    assert_eq!(sets(&first.tg, 0).len(), 9, "a fresh bot: three fields in three languages");
    let tg = first.tg.clone();
    first.stop().await;

    let mark = tg.requests().len();
    let second = RunningBot::start_on(tg.clone(), &[]).await;
    profile_registered(&tg, mark).await;
    assert_eq!(sets(&tg, mark), [], "nothing changed, nothing written");
    second.stop().await;

    // An earlier version left another English description and menu: only those are written again.
    let mut old = tg.profile(Some("en"));
    let current = old.clone();
    old.description = "An older description.".into();
    old.commands.truncate(2);
    tg.seed_profile(Some("en"), old);
    let mark = tg.requests().len();
    let third = RunningBot::start_on(tg.clone(), &[]).await;
    profile_registered(&tg, mark).await;
    let mut written = sets(&tg, mark);
    written.sort();
    assert_eq!(
        written,
        [("setMyCommands".to_owned(), "en".to_owned()), ("setMyDescription".to_owned(), "en".to_owned())]
    );
    assert_eq!(tg.profile(Some("en")), current);
    third.stop().await;
}

#[tokio::test]
async fn track_by_code_chinese_name_alias_detection_and_phone() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&li());
    let by_code = bot.ask(chat, li(), "/track yuantong YT9693083639795").await;
    assert!(by_code.text.contains("圆通速递") && by_code.text.contains("YT9693083639795"), "{}", by_code.text);
    assert!(by_code.text.contains("沙盒数据"), "sandbox replies say so: {}", by_code.text);
    assert_eq!(by_code.parse_mode.as_deref(), Some("HTML"));
    assert!(by_code.button("刷新").is_some(), "{:?}", by_code.buttons());

    let by_name = bot.ask(chat, li(), "/track 圆通 YT9693083639785").await;
    assert!(by_name.text.contains("圆通速递") && by_name.text.contains("YT9693083639785"));
    let by_alias = bot.ask(chat, li(), "/track YTO YT9693083639775").await;
    assert!(by_alias.text.contains("圆通速递"));
    let detected = bot.ask(chat, li(), "/track YT9693083639765").await;
    assert!(detected.text.contains("圆通速递"), "{}", detected.text);
    let with_phone = bot.ask(chat, li(), "/track 顺丰 SF1234567890123 13812345678").await;
    assert!(with_phone.text.contains("顺丰速运") && !with_phone.text.contains("13812345678"), "{}", with_phone.text);
    let bare = bot.ask(chat, li(), "YT9693083639755").await;
    assert!(bare.text.contains("YT9693083639755") && bare.text.contains("圆通速递"), "{}", bare.text);
    assert_eq!(bot.upstream().total_queries, 6);
    bot.stop().await;
}

#[tokio::test]
async fn groups_english_users_and_the_lang_command() {
    let bot = RunningBot::start(&[]).await;
    let group = Chat::group(-2001, "Family");
    let in_group = bot.ask(group, li(), "/track@KuaidiTestBot 圆通 YT9693083639795").await;
    assert!(in_group.text.contains("圆通速递"), "{}", in_group.text);
    // A command for another bot is not ours; plain chatter in a group is ignored.
    bot.tg.send_text(group, li(), "/track@OtherBot yto YT9693083639795");
    bot.tg.send_text(group, li(), "YT9693083639795");
    let english = bot.ask(private(&ann()), ann(), "/track yto YT9693083639795").await;
    assert!(english.text.contains("YTO Express") && english.text.contains("sandbox data"), "{}", english.text);
    assert!(english.button("Refresh").is_some());
    assert_eq!(bot.tg.messages_to(group.id).len(), 1, "nothing more was said in the group");

    let set = bot.ask(group, li(), "/lang en").await;
    assert!(set.text.contains("English"), "{}", set.text);
    let after = bot.ask(group, li(), "/track 圆通 YT9693083639795").await;
    assert!(after.text.contains("YTO Express") && after.text.contains("updated"), "{}", after.text);
    assert_eq!(bot.upstream().total_queries, 1, "one parcel, one query, whatever the language");
    bot.stop().await;
}

#[tokio::test]
async fn malformed_input_gets_a_short_usage_line() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let cases = [
        ("/track", "Usage: /track"),
        ("/track yto 12", "at least 6"),
        ("/track yto YT96930836397$5", "only letters and digits"),
        ("/track a b c d", "Usage: /track"),
        ("/lang fr", "/lang zh"),
        ("/couriers", "Usage: /couriers"),
        ("/frobnicate", "Unknown command"),
        ("hello", "tracking number"),
    ];
    for (text, expected) in cases {
        let reply = bot.ask(chat, ann(), text).await;
        assert!(reply.text.contains(expected), "{text}: {}", reply.text);
        assert!(reply.text.lines().count() <= 3, "{text}: short: {}", reply.text);
    }
    assert_eq!(bot.upstream().total_queries, 0);
    bot.stop().await;
}

#[tokio::test]
async fn an_unknown_courier_offers_suggestions_that_work() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let reply = bot.ask(chat, ann(), "/track yuantog YT9693083639795").await;
    assert!(reply.text.contains("Unknown courier") && reply.text.contains("Did you mean"), "{}", reply.text);
    let suggestion = reply.button("YTO Express").unwrap_or_else(|| panic!("{:?}", reply.buttons()));
    assert!(suggestion.callback_data.len() <= 64);
    bot.tg.press_button(chat, ann(), reply.message_id, &suggestion.callback_data);
    let tracked = bot.tg.wait_for_messages(chat.id, 2, WAIT).await;
    assert!(tracked.get(1).is_some_and(|m| m.text.contains("YTO Express")), "{tracked:?}");
    bot.wait_for_answers(1).await;
    bot.stop().await;
}

#[tokio::test]
async fn a_phone_courier_asks_for_four_digits_then_answers() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&li());
    let asked = bot.ask(chat, li(), "/track shunfeng SF1234567890123").await;
    assert!(asked.text.contains("后 4 位"), "{}", asked.text);
    assert_eq!(bot.upstream().total_queries, 0);
    let answered = bot.ask(chat, li(), "5678").await;
    assert!(answered.text.contains("顺丰速运") && answered.text.contains("SF1234567890123"), "{}", answered.text);
    assert_eq!(bot.upstream().total_queries, 1);

    // In a group the bot explains how to give the digits in the command.
    let group = Chat::group(-2002, "Office");
    let in_group = bot.ask(group, ann(), "/track sf SF1234567890124").await;
    assert!(in_group.text.contains("/track shunfeng SF1234567890124 1234"), "{}", in_group.text);
    bot.stop().await;
}

#[tokio::test]
async fn refresh_inside_the_floor_answers_the_button_and_after_it_edits() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let reply = bot.ask(chat, ann(), "/track yto YT9693083639791").await;
    let refresh = reply.button("Refresh").expect("refresh button");
    bot.clock.advance(ChronoDuration::minutes(10));
    bot.tg.press_button(chat, ann(), reply.message_id, &refresh.callback_data);
    let answers = bot.wait_for_answers(1).await;
    let text = answers[0].text.clone().unwrap_or_default();
    assert!(text.contains("No newer data yet") && text.contains("20 min"), "{text}");
    assert!(bot.tg.edits().is_empty(), "the message is unchanged");
    assert_eq!(bot.upstream().total_queries, 1);

    bot.clock.advance(ChronoDuration::hours(6));
    bot.tg.press_button(chat, ann(), reply.message_id, &refresh.callback_data);
    bot.wait_for_answers(2).await;
    let edits = bot.tg.wait_for(WAIT, |tg| (!tg.edits().is_empty()).then(|| tg.edits())).await.expect("an edit");
    assert_eq!(edits[0].message_id, reply.message_id);
    assert!(edits[0].text.as_deref().is_some_and(|text| text.contains("updated just now")), "{edits:?}");
    assert_eq!(bot.upstream().total_queries, 2);
    bot.stop().await;
}

#[tokio::test]
async fn all_and_less_change_the_view_without_asking_upstream() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    // Last digit 9: a finished parcel with its whole history.
    let reply = bot.ask(chat, ann(), "/track yto YT9693083639799").await;
    let all = reply.button("All").unwrap_or_else(|| panic!("more than 5 lines expected: {}", reply.text));
    assert!(reply.text.contains("earlier lines"));
    bot.tg.press_button(chat, ann(), reply.message_id, &all.callback_data);
    let edits = bot.tg.wait_for(WAIT, |tg| (!tg.edits().is_empty()).then(|| tg.edits())).await.expect("an edit");
    let shown = edits[0].text.clone().unwrap_or_default();
    assert!(!shown.contains("earlier lines") && shown.lines().count() > reply.text.lines().count(), "{shown}");
    assert!(edits[0].buttons().iter().any(|b| b.text.contains("Less")));
    assert_eq!(bot.upstream().total_queries, 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_flooding_user_is_told_once_and_other_chats_are_not_delayed() {
    let bot = RunningBot::start(&[("USER_RATE_LIMIT", "3/min")]).await;
    // Each upstream query takes a while, so the flooder's chat is busy for over a second.
    bot.engine.sandbox.as_ref().expect("sandbox").sandbox.set_latency(Some(Duration::from_millis(400)));
    let flooder = private(&li());
    for i in 0..8 {
        bot.tg.send_text(flooder, li(), &format!("/track yto YT96930836397{i:02}"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let other = bot.ask(private(&ann()), ann(), "/track yto YT9693083639795").await;
    assert!(other.text.contains("YTO Express"));
    let replies = bot.tg.wait_for_messages(flooder.id, 4, WAIT).await;
    assert!(
        replies.len() == 4 && other.at < replies[2].at,
        "the other chat was answered before the flooder's chat was through its queue"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies_after = bot.tg.messages_to(flooder.id);
    assert_eq!(replies.len(), 4, "3 answers and one 'please wait'");
    assert_eq!(replies_after.len(), 4, "then quiet: {replies_after:?}");
    assert_eq!(replies_after.iter().filter(|m| m.text.contains("请等待")).count(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_slow_upstream_shows_typing() {
    let bot = RunningBot::start(&[]).await;
    bot.engine.sandbox.as_ref().expect("sandbox").sandbox.set_latency(Some(Duration::from_millis(800)));
    let chat = private(&ann());
    bot.ask(chat, ann(), "/track yto YT9693083639795").await;
    assert!(bot.tg.chat_actions().contains(&(chat.id, "typing".to_owned())), "{:?}", bot.tg.chat_actions());
    bot.ask(chat, ann(), "/track yto YT9693083639795").await;
    assert_eq!(bot.tg.chat_actions().len(), 1, "a cached answer needs no typing");
    bot.stop().await;
}

/// A Kuaidi100 stand-in whose trajectory text is hostile: HTML-looking text and 60 long lines.
async fn hostile_upstream() -> String {
    let lines: Vec<serde_json::Value> = (0..60)
        .map(|i| {
            serde_json::json!({
                "time": format!("2026-11-01 {:02}:00:00", i % 24),
                "ftime": format!("2026-11-01 {:02}:00:00", i % 24),
                "context": format!("{i} <b>bold</b> & </a> 快件离开【杭州转运中心】已发往【上海浦西转运中心】，运输途中请耐心等待，谢谢 <script>"),
                "areaName": "浙江,杭州市 & <上城区>",
            })
        })
        .collect();
    let body = serde_json::json!({"message":"ok","nu":"YT9693083639795","ischeck":"0","com":"yuantong","status":"200","state":"0","data":lines}).to_string();
    bot_harness::fixed_upstream(body).await
}

#[tokio::test]
async fn outside_text_arrives_escaped_and_long_trajectories_fit() {
    let upstream = hostile_upstream().await;
    let bot = RunningBot::start(&[
        ("KUAIDI100_CUSTOMER", "C"),
        ("KUAIDI100_KEY", "K"),
        ("KUAIDI100_API_URL", upstream.as_str()),
    ])
    .await;
    let chat = private(&ann());
    let reply = bot.ask(chat, ann(), "/track yto YT9693083639795").await;
    assert!(reply.text.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/a&gt;"), "{}", reply.text);
    // An English reader gets the place romanized, escaped all the same, and the line it cannot
    // translate as received, marked.
    assert!(reply.text.contains("&lt; Shangcheng District &gt;, &amp;, Hangzhou, Zhejiang"), "{}", reply.text);
    assert!(reply.text.contains("谢谢 &lt;script&gt; (original)"), "{}", reply.text);
    assert!(!reply.text.contains("sandbox"), "real credentials: no sandbox note");
    let all = reply.button("All").expect("all button");
    bot.tg.press_button(chat, ann(), reply.message_id, &all.callback_data);
    let edits = bot.tg.wait_for(WAIT, |tg| (!tg.edits().is_empty()).then(|| tg.edits())).await.expect("an edit");
    let text = edits[0].text.clone().unwrap_or_default();
    assert!(text.chars().count() <= 4096, "{}", text.chars().count());
    assert!(text.contains("more lines not shown"), "{text}");
    // The fake parses HTML like Telegram: a successful edit means the markup was valid.
    assert!(bot.tg.requests_to("editMessageText").iter().all(|r| r.status == 200));
    bot.stop().await;
}

#[tokio::test]
async fn callback_data_fits_for_the_longest_number() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let number = "YT96930836397950000000000000001";
    let reply = bot.ask(chat, ann(), &format!("/track yto {number}")).await;
    let callbacks: Vec<_> = reply.buttons().into_iter().filter(|b| !b.callback_data.is_empty()).collect();
    assert!(callbacks.len() >= 2 && callbacks.iter().all(|b| b.callback_data.len() <= 64), "{callbacks:?}");
    let _ = FakeTelegram::BOT_USERNAME;
    bot.stop().await;
}

#[tokio::test]
async fn a_pasted_shop_message_and_two_numbers_get_parcel_replies() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&li());
    let pasted = bot.ask(chat, li(), "【淘宝】您的包裹已发货，圆通速递 YT9693083639795，点击查看").await;
    assert!(pasted.text.contains("圆通速递") && pasted.text.contains("YT9693083639795"), "{}", pasted.text);
    assert!(pasted.button("刷新").is_some(), "{:?}", pasted.buttons());

    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_text(chat, li(), "YT9693083639795 YT9693083639788");
    let messages = bot.tg.wait_for_messages(chat.id, before + 2, WAIT).await;
    let replies = &messages[before..];
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert!(replies[0].text.contains("YT9693083639795") && replies[1].text.contains("YT9693083639788"), "{replies:#?}");
    assert!(replies.iter().all(|reply| reply.text.contains("圆通速递") && reply.button("刷新").is_some()));

    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_photo_with_caption(chat, li(), "顺丰速运 SF1234567890123 收件人 138****5678");
    let messages = bot.tg.wait_for_messages(chat.id, before + 1, WAIT).await;
    let captioned = messages.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(captioned.contains("顺丰速运") && captioned.contains("SF1234567890123"), "a caption is read: {captioned}");
    assert!(!captioned.contains("138"), "{captioned}");

    let nothing = bot.ask(chat, li(), "你好，我的快递什么时候到？").await;
    assert!(nothing.text.contains("请发送快递单号"), "{}", nothing.text);
    bot.stop().await;
}

#[tokio::test]
async fn more_than_ten_numbers_track_ten_and_name_the_rest() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let numbers: Vec<String> = (10..22).map(|n| format!("YT96930836397{n}")).collect();
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_text(chat, ann(), &numbers.join("\n"));
    // Telegram paces a chat to about one message a second.
    let messages = bot.tg.wait_for_messages(chat.id, before + 11, Duration::from_secs(40)).await;
    let replies = &messages[before..];
    assert_eq!(replies.len(), 11, "{replies:#?}");
    for (reply, number) in replies.iter().zip(&numbers[..10]) {
        assert!(reply.text.contains(number.as_str()) && reply.button("Refresh").is_some(), "{number}: {reply:#?}");
    }
    let rest = &replies[10].text;
    assert!(rest.contains("first 10") && rest.contains(&numbers[10]) && rest.contains(&numbers[11]), "{rest}");
    bot.stop().await;
}

#[tokio::test]
async fn in_a_group_the_bot_reads_mentions_replies_to_it_and_what_a_bare_track_replies_to() {
    let bot = RunningBot::start(&[]).await;
    let group = Chat::supergroup(-1_000_000_004_001, "Family");
    let replying_to = |reply: &kuaidi_test_support::fake_telegram::SentMessage| {
        reply.params["reply_parameters"]["message_id"].as_i64()
    };

    // A mention with a pasted shop message: the number is read, the answer replies to the question.
    let question = bot.tg.send_text(group, li(), "@KuaidiTestBot 圆通速递 YT9693083639795 到哪了？");
    let mentioned = bot.tg.wait_for_messages(group.id, 1, WAIT).await.remove(0);
    assert!(mentioned.text.contains("YT9693083639795") && mentioned.text.contains("圆通速递"), "{}", mentioned.text);
    assert_eq!(replying_to(&mentioned), Some(question), "{:#?}", mentioned.params);

    // Chatter with a number is not for the bot (privacy mode); `/track` alone in reply to it is.
    let chatter = bot.tg.send_text(group, ann(), "my parcel YT9693083639788 is late again");
    let quoted = bot.ask_with(group, li(), "/track", Said::replying_to(chatter)).await;
    assert!(quoted.text.contains("YT9693083639788"), "{}", quoted.text);
    let bare = bot.ask_with(group, li(), "/track@KuaidiTestBot", Said::replying_to(mentioned.message_id)).await;
    assert!(bare.text.contains("YT9693083639795"), "the bot's own reply holds a number too: {}", bare.text);
    let plain = bot.tg.send_text(group, ann(), "see you at dinner");
    let nothing = bot.ask_with(group, ann(), "/track", Said::replying_to(plain)).await;
    assert!(nothing.text.contains("no tracking number"), "{}", nothing.text);

    // A reply to the bot is addressed to it: a number is tracked, a thank-you gets no answer.
    let answered = bot.ask_with(group, ann(), "and YT9693083639770?", Said::replying_to(quoted.message_id)).await;
    assert!(answered.text.contains("YT9693083639770"), "{}", answered.text);
    let before = bot.tg.messages_to(group.id).len();
    bot.tg.send_text_with(group, ann(), "thanks!", Said::replying_to(answered.message_id));
    // A mention alone is a question: in reply to a message with a number it reads that one, else a hint.
    let mention_on_chatter = bot.ask_with(group, ann(), "@KuaidiTestBot", Said::replying_to(chatter)).await;
    assert!(mention_on_chatter.text.contains("YT9693083639788"), "{}", mention_on_chatter.text);
    let hint = bot.ask(group, ann(), "@kuaiditestbot hi").await;
    assert!(hint.text.contains("Mention me with a tracking number"), "{}", hint.text);
    let said = bot.tg.messages_to(group.id);
    assert_eq!(said.len(), before + 2, "nothing for the thank-you: {:#?}", &said[before..]);
    // Someone else's bot and a longer name are not this bot.
    bot.tg.send_text(group, ann(), "@KuaidiTestBotFan YT9693083639760");
    bot.tg.send_text(group, ann(), "/track@OtherBot YT9693083639760");
    let last = bot.ask(group, ann(), "/help").await;
    assert!(!last.text.contains("YT9693083639760"));
    assert_eq!(bot.tg.messages_to(group.id).len(), before + 3);
    bot.stop().await;
}

#[tokio::test]
async fn parcel_replies_share_copy_and_link_and_start_links_open_what_they_name() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let reply = bot.ask(chat, ann(), "/track yto YT9693083639795").await;
    let sharing = &reply.params["reply_markup"]["inline_keyboard"][1];
    assert_eq!(sharing[0]["switch_inline_query"], "YT9693083639795 yuantong", "{sharing:#}");
    assert_eq!(sharing[1]["copy_text"]["text"], "YT9693083639795", "{sharing:#}");
    let link = sharing[2]["url"].as_str().unwrap_or_default();
    assert_eq!(link, "https://t.me/KuaidiTestBot?start=yuantong-YT9693083639795");

    // What Telegram sends when someone opens that link: the parcel, as /track shows it.
    let payload = link.rsplit("start=").next().unwrap_or_default();
    let opened = bot.ask(chat, ann(), &format!("/start {payload}")).await;
    assert!(opened.text.contains("YTO Express") && opened.text.contains("YT9693083639795"), "{}", opened.text);
    let watched = bot.ask(private(&li()), li(), "/start sub-yuantong-YT9693083639791").await;
    assert!(watched.text.contains("已订阅"), "{}", watched.text);
    assert_eq!(bot.engine.store.chat_subscriptions(li().id).await.expect("store").len(), 1);

    // Another bot's payload, a broken one: a short line and the help, never a parcel.
    for foreign in ["ref_friend42", "nosuchcourier-YT9693083639795", "yuantong-YT1"] {
        let before = bot.tg.messages_to(chat.id).len();
        bot.tg.send_text(chat, ann(), &format!("/start {foreign}"));
        let messages = bot.tg.wait_for_messages(chat.id, before + 2, WAIT).await;
        assert!(messages.len() >= before + 2, "{foreign}: {messages:#?}");
        assert!(messages[before].text.contains("holds no parcel"), "{foreign}: {}", messages[before].text);
        assert!(messages[before + 1].text.contains("/track"), "then the help: {}", messages[before + 1].text);
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_photo_of_the_waybill_is_scanned_and_what_is_not_a_label_gets_a_line() {
    use kuaidi_test_support::images;
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    let next_reply = |before: usize| bot.tg.wait_for_messages(chat.id, before + 1, WAIT);

    // A photo of a label: Telegram's largest size is downloaded and its Code 128 read.
    let set = images::waybill_set();
    let case = |name: &str| set.iter().find(|case| case.name == name).expect(name).clone();
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_photo(chat, ann(), &case("code128_jpeg_on_photo").bytes, None);
    let replies = next_reply(before).await;
    let reply = replies.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains(images::JD) && reply.contains("JD"), "{reply}");

    // Two codes on one label (a Code 128 and a QR code), sent as an image file: both are tracked.
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_image_document(chat, ann(), &case("code128_and_qr").bytes, "image/png", "label.png", None);
    let replies = bot.tg.wait_for_messages(chat.id, before + 2, WAIT).await;
    let texts: Vec<_> = replies[before..].iter().map(|m| m.text.clone()).collect();
    // SF Express asks for the phone's last 4 digits first, as it does for a typed number.
    assert!(texts.len() == 2 && texts[0].contains(images::JD) && texts[1].contains("SF Express needs"), "{texts:#?}");

    // A caption with a number wins over the picture.
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_photo(chat, ann(), &case("photo_without_code").bytes, Some("YT9693083639795 please"));
    let reply = next_reply(before).await.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains("YT9693083639795"), "{reply}");

    // No code, not an image, too large: a short line each, and the large one is never downloaded.
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_photo(chat, ann(), &case("photo_without_code").bytes, None);
    let reply = next_reply(before).await.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains("found no tracking number"), "{reply}");
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_image_document(chat, ann(), b"GIF89a not really", "image/gif", "x.gif", None);
    let reply = next_reply(before).await.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains("JPEG, PNG and WebP"), "{reply}");
    let downloads = bot.tg.downloads().len();
    let before = bot.tg.messages_to(chat.id).len();
    bot.tg.send_document_claiming(chat, ann(), 50 * 1024 * 1024, "image/jpeg", "huge.jpg");
    let reply = next_reply(before).await.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains("too large"), "{reply}");
    assert_eq!(bot.tg.downloads().len(), downloads, "an announced 50 MB file is not fetched");

    // In Chinese too, and in a group a photo is left alone (only its caption could address the bot).
    let li_chat = private(&li());
    let before = bot.tg.messages_to(li_chat.id).len();
    bot.tg.send_photo(li_chat, li(), &case("photo_without_code").bytes, None);
    let replies = bot.tg.wait_for_messages(li_chat.id, before + 1, WAIT).await;
    let reply = replies.get(before).map(|m| m.text.clone()).unwrap_or_default();
    assert!(reply.contains("没有在这张图片"), "{reply}");
    let group = Chat::supergroup(-1_000_000_004_002, "Family");
    let downloads = bot.tg.downloads().len();
    bot.tg.send_photo(group, li(), &case("code128_clean").bytes, None);
    let help = bot.ask(group, li(), "/help").await;
    assert!(help.text.contains("/track"));
    assert_eq!(bot.tg.messages_to(group.id).len(), 1, "the photo got no answer in the group");
    assert_eq!(bot.tg.downloads().len(), downloads);
    bot.stop().await;
}

#[tokio::test]
async fn inline_queries_answer_cards_from_the_same_gate_and_hints_for_what_names_no_parcel() {
    let bot = RunningBot::start(&[("USER_RATE_LIMIT", "3/min")]).await;
    let tg = bot.tg.clone();
    let ask = |from: User, query: &str| {
        let tg = tg.clone();
        let id = tg.send_inline_query(from, query, Some("supergroup"));
        async move { tg.wait_for_inline_answer(&id, WAIT).await.expect("the inline query was answered") }
    };

    // A number typed after @bot in some group: one card, the reply /track gives, with links into the bot.
    let answer = ask(ann(), "YT9693083639795").await;
    assert_eq!(answer.results.len(), 1, "{answer:#?}");
    let card = &answer.results[0];
    assert_eq!(card.kind, "article");
    assert_eq!(card.title.as_deref(), Some("YTO Express · YT9693083639795"));
    let description = card.description.clone().unwrap_or_default();
    assert!(description.contains(" · ") && !description.contains('<'), "state and newest line: {description}");
    let text = card.message_text.clone().unwrap_or_default();
    assert!(text.contains("<b>YTO Express</b> · <code>YT9693083639795</code>"), "{text}");
    assert_eq!(card.parse_mode.as_deref(), Some("HTML"));
    let links: Vec<Option<String>> = card.buttons().into_iter().map(|button| button.url).collect();
    assert_eq!(
        links,
        [
            Some("https://t.me/KuaidiTestBot?start=yuantong-YT9693083639795".to_owned()),
            Some("https://t.me/KuaidiTestBot?start=sub-yuantong-YT9693083639795".to_owned()),
        ],
        "open it and watch it in the bot; no callback button (its press would come without a chat)"
    );
    assert!(card.buttons().iter().all(|button| button.callback_data.is_empty()));
    assert_eq!((answer.cache_time, answer.is_personal), (30, true));
    assert_eq!(bot.upstream().total_queries, 1);

    // The same parcel inside the floor, with its courier, by someone else: the cached answer.
    let again = ask(li(), "YT9693083639795 圆通").await;
    assert_eq!(again.results.len(), 1);
    assert_eq!(again.results[0].title.as_deref(), Some("圆通速递 · YT9693083639795"), "in the user's language");
    assert_eq!(bot.upstream().total_queries, 1, "answered from the cache");

    // A pasted shop message names two parcels: a card for the one that can be answered, and a hint for
    // the one whose courier checks the phone; with the digits, its card.
    let pasted = ask(ann(), "您的包裹 圆通速递 YT9693083639795 和 中通 73100000000001 已发货").await;
    assert_eq!(pasted.results.len(), 1, "{pasted:#?}");
    let hint = pasted.button.clone().unwrap_or_default();
    assert!(hint["text"].as_str().unwrap_or_default().contains("4 digits"), "{hint:#}");
    let with_phone = ask(User::new(1003, "Bo").lang("en"), "中通 73100000000001 5678").await;
    assert_eq!(with_phone.results.len(), 1, "{with_phone:#?}");
    assert_eq!(with_phone.results[0].title.as_deref(), Some("ZTO Express · 73100000000001"));
    assert!(!with_phone.results[0].message_text.clone().unwrap_or_default().contains("5678"), "no phone in a card");

    // Nothing typed yet, or no number in it: no card, a hint that opens the help in the bot.
    let empty = ask(ann(), "").await;
    assert!(empty.results.is_empty());
    let button = empty.button.clone().unwrap_or_default();
    assert_eq!(button["start_parameter"], "help", "{button:#}");
    assert!(button["text"].as_str().unwrap_or_default().contains("tracking number"), "{button:#}");
    let typing = ask(li(), "我的快递").await;
    assert!(typing.results.is_empty());
    assert!(typing.button.clone().unwrap_or_default()["text"].as_str().unwrap_or_default().contains("单号"));
    let help = bot.ask(private(&ann()), ann(), "/start help").await;
    assert!(help.text.contains("/track"), "the hint's button opens the help: {}", help.text);

    // Lookups count against the user's throttle like /track: with the one above, Li's 4th within a
    // minute is held back, and the hint saying so is not cached.
    for i in 0..2 {
        let fresh = ask(li(), &format!("YT96930836397{i:02}")).await;
        assert_eq!(fresh.results.len(), 1, "fresh query {i}: {fresh:#?}");
    }
    let held = ask(li(), "YT9693083639703").await;
    assert!(held.results.is_empty(), "{held:#?}");
    assert!(held.button.clone().unwrap_or_default()["text"].as_str().unwrap_or_default().contains("请等待"));
    assert_eq!(held.cache_time, 0);
    bot.stop().await;
}

/// Out for delivery at its first query; 1½ hours later in a 菜鸟驿站 with pickup code 20-1-8240
/// (the simulator's parcel, laid out from the first query).
const TO_STATION: &str = "YT9693000000158";

#[tokio::test]
async fn a_parcel_at_a_station_shows_its_pickup_code_in_both_languages() {
    let bot = RunningBot::start(&[]).await;
    let (zh, en) = (private(&li()), private(&ann()));
    let out = bot.ask(zh, li(), &format!("/track yto {TO_STATION}")).await;
    assert!(out.text.contains("派件") && !out.text.contains("🔑"), "out for delivery, no code yet: {}", out.text);
    bot.clock.advance(ChronoDuration::hours(3));
    let chinese = bot.ask(zh, li(), &format!("/track yto {TO_STATION}")).await;
    assert!(chinese.text.contains("<b>🔑 取件码 20-1-8240 · "), "{}", chinese.text);
    assert!(chinese.text.contains("驿站"), "the station is named: {}", chinese.text);
    let english = bot.ask(en, ann(), &format!("/track yto {TO_STATION}")).await;
    assert!(english.text.contains("<b>🔑 Pickup code 20-1-8240 at "), "{}", english.text);
    // At the station it has arrived: no days in transit, no estimate.
    assert!(!english.text.contains("In transit for") && !english.text.contains("Expected"), "{}", english.text);
    let code_line = english.text.lines().find(|line| line.contains("🔑")).unwrap_or_default();
    let longest_digits = code_line.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
    assert!(longest_digits < 7, "never a whole phone number: {code_line}");
    bot.stop().await;
}

/// In transit, far from the door (the simulator's parcel): Kuaidi100 estimates its arrival once the
/// bot can name the destination.
const ON_ITS_WAY: &str = "YT9693000000003";

#[tokio::test]
async fn a_reply_shows_days_in_transit_until_an_estimate_comes_then_the_estimate() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&ann());
    // The first query cannot name the destination (`to`), so Kuaidi100 gives no estimate.
    let first = bot.ask(chat, ann(), &format!("/track yto {ON_ITS_WAY}")).await;
    assert!(first.text.contains("🗓 In transit for "), "{}", first.text);
    assert!(!first.text.contains("Expected"), "{}", first.text);
    bot.clock.advance(ChronoDuration::minutes(31));
    // The next one sends the destination of the first answer, and resultv2=8 brings the estimate.
    let second = bot.ask(chat, ann(), &format!("/track yto {ON_ITS_WAY}")).await;
    assert!(second.text.contains("⏱ Expected ") && second.text.contains("(Beijing time)"), "{}", second.text);
    assert!(!second.text.contains("In transit for"), "{}", second.text);
    let chinese = bot.ask(private(&li()), li(), &format!("/track yto {ON_ITS_WAY}")).await;
    assert!(chinese.text.contains("⏱ 预计 ") && chinese.text.contains("（北京时间）送达"), "{}", chinese.text);
    assert_eq!(bot.upstream().total_queries, 2);
    bot.stop().await;
}

/// How a label shows in a reply, a list or a push: escaped, after 🏷.
const ESCAPED_LABEL: &str = "🏷 <b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>";

#[tokio::test]
async fn name_sets_a_label_shown_escaped_and_clears_it_in_both_languages() {
    let bot = RunningBot::start(&[]).await;
    let (en, zh) = (private(&ann()), private(&li()));
    bot.ask(en, ann(), "/track yto YT9693083639795").await;
    let named = bot.ask(en, ann(), "/name YT9693083639795 <b>x</b> & co").await;
    assert!(named.text.contains("is now called") && named.text.contains(ESCAPED_LABEL), "{}", named.text);
    let reply = bot.ask(en, ann(), "/track yto YT9693083639795").await;
    assert_eq!(reply.text.lines().nth(1), Some(ESCAPED_LABEL), "under the header: {}", reply.text);
    assert!(!reply.text.contains("<b>x</b>"), "{}", reply.text);

    // Labels are per chat; `/label` is the same command, in Chinese.
    let other = bot.ask(zh, li(), "/track yto YT9693083639795").await;
    assert!(!other.text.contains("🏷"), "another chat's label: {}", other.text);
    let zh_named = bot.ask(zh, li(), "/label YT9693083639795 妈妈的茶").await;
    assert!(zh_named.text.contains("名字是 🏷 <b>妈妈的茶</b>"), "{}", zh_named.text);

    // Bad input: a short answer in the chat's language, never a label.
    let too_long = format!("/name YT9693083639795 {}", "x".repeat(33));
    let long_en = bot.ask(en, ann(), &too_long).await;
    assert!(long_en.text.contains("33 characters") && long_en.text.contains("at most 32"), "{}", long_en.text);
    assert!(long_en.text.contains("Usage: /name"), "{}", long_en.text);
    let long_zh = bot.ask(zh, li(), &format!("/name YT9693083639795 {}", "茶".repeat(33))).await;
    assert!(long_zh.text.contains("最多只能有 32 个"), "{}", long_zh.text);
    let control = bot.ask(en, ann(), "/name YT9693083639795 tea\u{1b}[31m").await;
    assert!(control.text.contains("control characters"), "{}", control.text);
    let unknown = bot.ask(en, ann(), "/name YT1234567890 tea").await;
    assert!(unknown.text.contains("do not know the parcel") && unknown.text.contains("/track YT1234567890"));
    let unknown_zh = bot.ask(zh, li(), "/name YT1234567890 茶").await;
    assert!(unknown_zh.text.contains("还不认识"), "{}", unknown_zh.text);
    let usage = bot.ask(en, ann(), "/name").await;
    assert!(usage.text.starts_with("Usage: /name"), "{}", usage.text);
    let still = bot.ask(en, ann(), "/track yto YT9693083639795").await;
    assert!(still.text.contains(ESCAPED_LABEL), "refused names change nothing: {}", still.text);

    // `/name <number>` alone clears it.
    let cleared = bot.ask(en, ann(), "/name YT9693083639795").await;
    assert!(cleared.text.contains("has no name any more"), "{}", cleared.text);
    let again = bot.ask(en, ann(), "/name YT9693083639795").await;
    assert!(again.text.contains("has no name in this chat"), "{}", again.text);
    let cleared_zh = bot.ask(zh, li(), "/name YT9693083639795").await;
    assert!(cleared_zh.text.contains("已清除"), "{}", cleared_zh.text);
    let plain = bot.ask(en, ann(), "/track yto YT9693083639795").await;
    assert!(!plain.text.contains("🏷"), "{}", plain.text);
    assert!(plain.button("🏷 Name").is_some(), "{:?}", plain.buttons());
    assert_eq!(bot.upstream().total_queries, 1, "naming never asks upstream");
    bot.stop().await;
}

#[tokio::test]
async fn the_name_button_asks_and_the_next_text_is_the_label() {
    let bot = RunningBot::start(&[]).await;
    let chat = private(&li());
    let reply = bot.ask(chat, li(), "/track yto YT9693083639795").await;
    let tag = reply.button("🏷 备注").unwrap_or_else(|| panic!("{:?}", reply.buttons()));
    assert!(tag.callback_data.len() <= 64);
    let press = async |message_id: i64, data: &str| {
        let before = bot.tg.messages_to(chat.id).len();
        bot.tg.press_button(chat, li(), message_id, data);
        bot.tg.wait_for_messages(chat.id, before + 1, WAIT).await.remove(before)
    };
    let question = press(reply.message_id, &tag.callback_data).await;
    assert!(question.text.contains("请发送") && question.text.contains("YT9693083639795"), "{}", question.text);
    bot.wait_for_answers(1).await;

    // Too long: said so, and the question stands; then the name.
    let long = bot.ask(chat, li(), &"茶".repeat(33)).await;
    assert!(long.text.contains("最多只能有 32 个") && long.text.contains("请换一个名字"), "{}", long.text);
    let named = bot.ask(chat, li(), "<b>x</b> & co").await;
    assert!(named.text.contains(ESCAPED_LABEL), "{}", named.text);
    // Answered: the next text is read as usual again.
    let tracked = bot.ask(chat, li(), "YT9693083639785").await;
    assert!(tracked.text.contains("圆通速递") && !tracked.text.contains("🏷"), "{}", tracked.text);
    let shown = bot.ask(chat, li(), "/track yto YT9693083639795").await;
    assert!(shown.text.contains(ESCAPED_LABEL), "{}", shown.text);

    // A command instead of the name drops the question.
    press(shown.message_id, &tag.callback_data).await;
    bot.ask(chat, li(), "/help").await;
    let hint = bot.ask(chat, li(), "随便说说").await;
    assert!(!hint.text.contains("名字是"), "not a name after a command: {}", hint.text);

    // In a group, in English: the name is a reply to the question (what privacy mode lets through),
    // and only the user who pressed answers it.
    let group = Chat::group(-2101, "Family");
    let in_group = bot.ask(group, ann(), "/track@KuaidiTestBot yto YT9693083639795").await;
    let tag = in_group.button("🏷 Name").unwrap_or_else(|| panic!("{:?}", in_group.buttons()));
    let before = bot.tg.messages_to(group.id).len();
    bot.tg.press_button(group, ann(), in_group.message_id, &tag.callback_data);
    let question = bot.tg.wait_for_messages(group.id, before + 1, WAIT).await.remove(before);
    assert!(question.text.contains("Reply to this message with the name"), "{}", question.text);
    let someone_else = bot.ask_with(group, li(), "YT9693083639775", Said::replying_to(question.message_id)).await;
    assert!(someone_else.text.contains("YT9693083639775"), "{}", someone_else.text);
    let named = bot.ask_with(group, ann(), "mom's tea", Said::replying_to(question.message_id)).await;
    assert!(named.text.contains("is now called 🏷 <b>mom's tea</b>"), "{}", named.text);
    let shown = bot.ask(group, ann(), "/track@KuaidiTestBot yto YT9693083639795").await;
    assert!(shown.text.contains("🏷 <b>mom's tea</b>") && !shown.text.contains("&lt;b&gt;"), "{}", shown.text);
    bot.stop().await;
}

#[tokio::test]
async fn an_outage_is_said_once_per_chat_with_the_last_answer_the_watcher_backs_off_and_recovery_is_noticed() {
    let bot = RunningBot::start(&[("USER_RATE_LIMIT", "100/min")]).await;
    let sandbox = &bot.engine.sandbox.as_ref().expect("sandbox").sandbox;
    let (en, zh) = (private(&ann()), private(&li()));
    // Before: Ann has an answer for one parcel, Li watches five.
    bot.ask(en, ann(), "/track yto YT9693083639795").await;
    for i in 0..5 {
        bot.ask(zh, li(), &format!("/sub yto YT96930836397{i:02}")).await;
    }
    bot.settle().await;

    sandbox.set_forced_error(Some("502"));
    bot.clock.advance(ChronoDuration::minutes(31));
    let before = bot.upstream().total_queries;
    // Queries fail: the first ones are a parcel's bad luck, most of them an outage.
    for i in 10..14 {
        let failed = bot.ask(en, ann(), &format!("/track yto YT96930836397{i:02}")).await;
        assert!(!failed.text.contains("⚠️ Kuaidi100 has been failing"), "not an outage yet: {}", failed.text);
    }
    assert_eq!(bot.engine.tracker.upstream_down_since(), None);
    let stale = bot.ask(en, ann(), "/track yto YT9693083639795").await;
    assert!(bot.engine.tracker.upstream_down_since().is_some(), "five failures of five: down");
    assert!(stale.text.starts_with("⚠️ Kuaidi100 has been failing most queries since "), "{}", stale.text);
    assert!(stale.text.contains("(Beijing time)") && stale.text.contains("YT9693083639795"), "{}", stale.text);
    assert!(stale.text.contains("could not refresh"), "the last answer, marked stale: {}", stale.text);
    let again = bot.ask(en, ann(), "/track yto YT9693083639712").await;
    assert!(!again.text.contains("⚠️ Kuaidi100"), "said once per chat: {}", again.text);
    let chinese = bot.ask(zh, li(), "/track yto YT9693083639720").await;
    assert!(
        chinese.text.starts_with("⚠️ 快递100 自 ") && chinese.text.contains("（北京时间）起"),
        "another chat is told too: {}",
        chinese.text
    );

    // The watcher backs off: five parcels due, one probe, not five failing queries.
    let asked = bot.upstream().total_queries;
    bot.clock.advance(ChronoDuration::hours(3));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let probes = bot.upstream().total_queries - asked;
    assert!(probes <= 1, "the watcher probes once while Kuaidi100 is down, made {probes} queries");
    assert!(bot.engine.store.chat_subscriptions(li().id).await.expect("store").len() == 5, "nothing dropped");

    // Recovery: the next answer ends the outage; replies are plain again.
    sandbox.set_forced_error(None);
    bot.clock.advance(ChronoDuration::minutes(31));
    let fresh = bot.ask(en, ann(), "/track yto YT9693083639795").await;
    assert!(!fresh.text.contains("⚠️") && fresh.text.contains("updated just now"), "{}", fresh.text);
    assert_eq!(bot.engine.tracker.upstream_down_since(), None, "recovered");
    assert_eq!(bot.engine.tracker.upstream_outages(), 1, "one outage, counted (kuaidi_upstream_outages_total)");
    assert!(bot.upstream().total_queries > before, "queries were made throughout");
    bot.stop().await;
}
