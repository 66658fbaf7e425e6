//! Self-test of the fake Telegram Bot API server (`kuaidi_test_support::fake_telegram`): drives it with a real
//! `teloxide::Bot` (and a real dispatcher) so that the end-to-end tests built on it can trust that
//! teloxide parses every answer it gives, classifies every injected error as it would in production,
//! and never stalls (no 5xx, long polls that wake on new updates).

use std::time::{Duration, Instant};

use kuaidi_test_support::fake_telegram::{Chat, Failure, FakeTelegram, User};
use serde_json::{Value, json};
use teloxide::dispatching::UpdateFilterExt;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, CallbackQueryId, ChatMemberKind, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup,
    InlineQueryId, InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText,
    MessageEntityKind, MessageId, ParseMode, Seconds, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const SECOND: Duration = Duration::from_secs(1);

fn bot_for(fake: &FakeTelegram) -> Bot {
    Bot::new(FakeTelegram::TOKEN).set_api_url(reqwest::Url::parse(&fake.api_url()).expect("a valid URL"))
}

fn alice() -> User {
    User::new(1001, "Alice").lang("en")
}

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![InlineKeyboardButton::callback("刷新", "r:1"), InlineKeyboardButton::callback("删除", "d:1")],
        vec![InlineKeyboardButton::url("Docs", reqwest::Url::parse("https://example.com/").unwrap())],
    ])
}

#[tokio::test]
async fn get_me_answers_the_test_bot() {
    let fake = FakeTelegram::start().await;
    assert!(fake.api_url().starts_with("http://127.0.0.1:") && fake.api_url().ends_with('/'));
    let me = bot_for(&fake).get_me().await.expect("getMe");
    assert_eq!(me.user.id, UserId(123456));
    assert!(me.user.is_bot);
    assert_eq!(me.user.first_name, "Kuaidi");
    assert_eq!(me.username(), FakeTelegram::BOT_USERNAME);
    assert!(me.can_join_groups);
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "getMe");
    assert_eq!(requests[0].status, 200);
}

#[tokio::test]
async fn send_message_records_text_parse_mode_and_keyboard() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let text = "<b>顺丰</b> SF123 &lt;已签收&gt;";
    let sent = bot
        .send_message(ChatId(1001), text)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard())
        .await
        .expect("sendMessage");
    assert_eq!(sent.chat.id, ChatId(1001));
    assert_eq!(sent.text(), Some(text));
    assert_eq!(sent.from.as_ref().map(|u| u.is_bot), Some(true));
    assert_eq!(sent.reply_markup(), Some(&keyboard()));

    let second = bot.send_message(ChatId(1001), "plain").await.expect("sendMessage");
    assert_eq!(second.id.0, sent.id.0 + 1, "message ids count per chat");

    let messages = fake.sent_messages();
    assert_eq!(messages.len(), 2);
    let first = &messages[0];
    assert_eq!((first.chat_id, first.message_id), (1001, i64::from(sent.id.0)));
    assert_eq!(first.text, text);
    assert_eq!(first.params["text"], json!(text));
    assert_eq!(first.parse_mode.as_deref(), Some("HTML"));
    let rows = first.reply_markup.as_ref().expect("an inline keyboard");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0][1].text.as_str(), rows[0][1].callback_data.as_str()), ("删除", "d:1"));
    assert_eq!(rows[1][0].url.as_deref(), Some("https://example.com/"));
    assert_eq!(first.button("刷新").map(|b| b.callback_data), Some("r:1".to_owned()));
    assert_eq!(messages[1].parse_mode, None);
    assert_eq!(messages[1].reply_markup, None);
    assert_eq!(fake.requests().iter().map(|r| r.method.as_str()).collect::<Vec<_>>(), ["sendMessage"; 2]);
}

#[tokio::test]
async fn identical_edit_is_message_not_modified() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let sent = bot.send_message(ChatId(7), "v1").reply_markup(keyboard()).await.unwrap();

    let same = bot.edit_message_text(ChatId(7), sent.id, "v1").reply_markup(keyboard()).await;
    assert!(matches!(same, Err(RequestError::Api(ApiError::MessageNotModified))), "{same:?}");

    let edited = bot.edit_message_text(ChatId(7), sent.id, "v2").reply_markup(keyboard()).await.unwrap();
    assert_eq!(edited.text(), Some("v2"));
    assert!(edited.edit_date().is_some());
    // Without reply_markup the keyboard goes away, so the same text is a change.
    bot.edit_message_text(ChatId(7), sent.id, "v2").await.unwrap();
    let again = bot.edit_message_reply_markup(ChatId(7), sent.id).await;
    assert!(matches!(again, Err(RequestError::Api(ApiError::MessageNotModified))), "{again:?}");
    bot.edit_message_reply_markup(ChatId(7), sent.id).reply_markup(keyboard()).await.unwrap();

    let edits = fake.edits();
    assert_eq!(edits.len(), 3);
    assert_eq!((edits[0].method.as_str(), edits[0].text.as_deref()), ("editMessageText", Some("v2")));
    assert_eq!(edits[1].reply_markup, None);
    assert_eq!((edits[2].method.as_str(), edits[2].text.as_deref()), ("editMessageReplyMarkup", None));
    assert_eq!(edits[2].buttons().len(), 3);
    let now = fake.message(7, i64::from(sent.id.0)).expect("the message");
    assert_eq!((now.text.as_str(), now.edits), ("v2", 3));

    let missing = bot.edit_message_text(ChatId(7), MessageId(999), "x").await;
    assert!(matches!(missing, Err(RequestError::Api(ApiError::MessageToEditNotFound))), "{missing:?}");
}

#[tokio::test]
async fn failures_map_to_teloxide_errors() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let unknown = |text: &str| RequestError::Api(ApiError::Unknown(text.to_owned()));
    let cases = [
        (Failure::Blocked, RequestError::Api(ApiError::BotBlocked)),
        (Failure::UserDeactivated, RequestError::Api(ApiError::UserDeactivated)),
        (Failure::Kicked, unknown("Forbidden: bot was kicked from the group chat")),
        (Failure::KickedFromSupergroup, RequestError::Api(ApiError::BotKickedFromSupergroup)),
        (Failure::ChatNotFound, RequestError::Api(ApiError::ChatNotFound)),
        (Failure::CantSend, unknown("Forbidden: bot can't send messages to the user")),
        (Failure::CantInitiate, unknown("Forbidden: bot can't initiate conversation with a user")),
        (Failure::Migrated { to: -1001234567890 }, RequestError::MigrateToChatId(ChatId(-1001234567890))),
    ];
    for (failure, expected) in cases {
        fake.fail_chat(42, failure.clone());
        let result = bot.send_message(ChatId(42), "hi").await;
        match result {
            Err(error) => assert_eq!(error.to_string(), expected.to_string(), "{failure:?}"),
            Ok(_) => panic!("{failure:?} delivered"),
        }
        assert!(bot.send_message(ChatId(42), "hi").await.is_err(), "{failure:?} persists");
    }
    // Edits fail too.
    fake.clear_failure(42);
    let sent = bot.send_message(ChatId(42), "hi").await.unwrap();
    fake.fail_chat(42, Failure::Blocked);
    let edit = bot.edit_message_text(ChatId(42), sent.id, "changed").await;
    assert!(matches!(edit, Err(RequestError::Api(ApiError::BotBlocked))), "{edit:?}");
    fake.clear_failure(42);

    fake.fail_chat(42, Failure::TooManyRequests { retry_after: 3, times: 2 });
    for _ in 0..2 {
        let result = bot.send_message(ChatId(42), "hi").await;
        assert!(matches!(result, Err(RequestError::RetryAfter(s)) if s == Seconds::from_seconds(3)), "{result:?}");
    }
    bot.send_message(ChatId(42), "hi").await.expect("delivered after `times` refusals");
    assert_eq!(fake.too_many_requests_count(), 2);
    assert_eq!(fake.messages_to(42).len(), 2);

    fake.fail_chat(43, Failure::Custom { code: 400, description: "Bad Request: something new".into() });
    let custom = bot.send_message(ChatId(43), "hi").await;
    assert!(matches!(custom, Err(RequestError::Api(ApiError::Unknown(ref t))) if t == "Bad Request: something new"));

    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert!(statuses.contains(&403) && statuses.contains(&400) && statuses.contains(&429));
    assert!(statuses.iter().all(|s| *s < 500));
}

#[tokio::test]
async fn long_poll_delivers_an_injected_command_and_honours_offset() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let injected_at = Instant::now();
    let chat = Chat::group(-4001, "Parcels");
    let text = "/track@KuaidiTestBot SF1234567890 1234";
    let message_id = fake.send_text(chat, alice(), text);
    let updates = poll.await.unwrap().expect("getUpdates");
    assert!(injected_at.elapsed() < SECOND, "the long poll wakes up on a new update");
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(message) = &updates[0].kind else { panic!("not a message: {:?}", updates[0]) };
    assert_eq!(message.id, MessageId(message_id as i32));
    assert_eq!(message.text(), Some(text));
    assert_eq!(message.chat.id, ChatId(-4001));
    assert!(message.chat.is_group());
    assert_eq!(message.chat.title(), Some("Parcels"));
    let from = message.from.as_ref().expect("a sender");
    assert_eq!((from.id, from.first_name.as_str(), from.language_code.as_deref()), (UserId(1001), "Alice", Some("en")));
    let entity = &message.entities().expect("entities")[0];
    assert_eq!((entity.kind.clone(), entity.offset, entity.length), (MessageEntityKind::BotCommand, 0, 20));

    // Not confirmed yet: the same update again; then confirmed by a higher offset.
    assert_eq!(fake.pending_updates(), 1);
    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 1);
    let offset = updates[0].id.as_offset();
    let started = Instant::now();
    let none = bot.get_updates().offset(offset).timeout(1).await.unwrap();
    assert!(none.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900), "held for the timeout");
    assert_eq!(fake.pending_updates(), 0);

    // A private text message, and `limit`.
    let private = Chat::private(1001);
    fake.send_text(private, alice(), "SF1234567890");
    fake.send_text(private, alice(), "hello");
    let first = bot.get_updates().offset(offset).limit(1).await.unwrap();
    assert_eq!(first.len(), 1);
    let UpdateKind::Message(message) = &first[0].kind else { panic!() };
    assert_eq!(message.text(), Some("SF1234567890"));
    assert!(message.chat.is_private());
    assert_eq!(message.chat.first_name(), Some("Alice"));
    assert!(message.entities().is_none_or(|e| e.is_empty()));
    let rest = bot.get_updates().offset(first[0].id.as_offset()).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(fake.pending_updates(), 1);
}

#[tokio::test]
async fn callback_query_migration_and_block_updates_deserialize() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let sent = bot.send_message(ChatId(1001), "<i>SF123</i>").parse_mode(ParseMode::Html).reply_markup(keyboard());
    let sent = sent.await.unwrap();
    let query_id = fake.press_button(Chat::private(1001), alice(), i64::from(sent.id.0), "r:1");
    fake.migrate_group(-4002, -1004002);
    fake.bot_blocked(Chat::private(1001), alice());
    let raw_id = fake.inject_raw_update(json!({"edited_message": {
        "message_id": fake.next_message_id(1001), "date": 1_700_000_000, "edit_date": 1_700_000_100,
        "chat": Chat::private(1001).to_json(Some(&alice())), "from": alice().to_json(), "text": "edited"
    }}));

    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 4);
    assert!(updates.windows(2).all(|w| w[1].id.0 == w[0].id.0 + 1), "consecutive update ids");
    assert_eq!(i64::from(updates[3].id.0), raw_id);

    let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(query.id.0, query_id);
    assert_eq!(query.data.as_deref(), Some("r:1"));
    assert_eq!(query.from.id, UserId(1001));
    let message = query.regular_message().expect("the bot's message");
    assert_eq!(message.id, sent.id);
    assert_eq!(message.text(), Some("<i>SF123</i>"));
    assert_eq!(message.reply_markup(), Some(&keyboard()));

    let UpdateKind::Message(migration) = &updates[1].kind else { panic!("{:?}", updates[1]) };
    assert_eq!(migration.chat.id, ChatId(-4002));
    assert_eq!(migration.migrate_to_chat_id(), Some(&ChatId(-1004002)));
    let to_old = bot.send_message(ChatId(-4002), "hi").await;
    assert!(matches!(to_old, Err(RequestError::MigrateToChatId(ChatId(-1004002)))), "{to_old:?}");

    let UpdateKind::MyChatMember(member) = &updates[2].kind else { panic!("{:?}", updates[2]) };
    assert_eq!(member.chat.id, ChatId(1001));
    assert_eq!(member.new_chat_member.user.id, UserId(123456));
    assert!(matches!(member.new_chat_member.kind, ChatMemberKind::Banned(_)));
    assert!(member.old_chat_member.is_present());
    let to_blocked = bot.send_message(ChatId(1001), "hi").await;
    assert!(matches!(to_blocked, Err(RequestError::Api(ApiError::BotBlocked))), "{to_blocked:?}");
    fake.bot_unblocked(Chat::private(1001), alice());
    bot.send_message(ChatId(1001), "welcome back").await.unwrap();

    let UpdateKind::EditedMessage(edited) = &updates[3].kind else { panic!("{:?}", updates[3]) };
    assert_eq!(edited.text(), Some("edited"));
}

#[tokio::test]
async fn rate_limit_answers_429_past_n_per_second() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    fake.set_global_rate_limit(Some(5));
    let mut delivered = 0;
    let mut refused = 0;
    for i in 0..8 {
        match bot.send_message(ChatId(100 + i), "bulk").await {
            Ok(_) => delivered += 1,
            Err(RequestError::RetryAfter(s)) => {
                assert_eq!(s, Seconds::from_seconds(1));
                refused += 1;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((delivered, refused), (5, 3));
    assert_eq!(fake.too_many_requests_count(), 3);
    assert_eq!(fake.sent_messages().len(), 5);
    let refusals: Vec<_> = fake.requests().into_iter().filter(|r| r.status == 429).collect();
    assert_eq!(refusals.len(), 3);

    tokio::time::sleep(Duration::from_millis(1050)).await;
    bot.send_message(ChatId(1), "after the window").await.expect("the window rolled on");
    fake.set_global_rate_limit(None);
    for _ in 0..10 {
        bot.send_message(ChatId(1), "unlimited").await.unwrap();
    }
}

#[tokio::test]
async fn unknown_method_is_a_quick_404_and_wrong_token_a_401() {
    let fake = FakeTelegram::start().await;
    let started = Instant::now();
    let dice = bot_for(&fake).send_dice(ChatId(1)).await;
    assert!(started.elapsed() < SECOND, "no 10 s stall");
    assert!(
        matches!(&dice, Err(RequestError::Api(ApiError::Unknown(t))) if t == "Not Found: method not found"),
        "{dice:?}"
    );
    assert_eq!(fake.requests()[0].method, "sendDice");
    assert_eq!(fake.requests()[0].status, 404);

    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}bot{}/fooBar", fake.api_url(), FakeTelegram::TOKEN))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"}));

    let wrong = Bot::new("999:WRONG").set_api_url(reqwest::Url::parse(&fake.api_url()).unwrap());
    let me = wrong.get_me().await;
    assert!(matches!(me, Err(RequestError::Api(ApiError::InvalidToken))), "{me:?}");
    let response = http.post(format!("{}bot999:WRONG/getMe", fake.api_url())).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"ok": false, "error_code": 401, "description": "Unauthorized"}));
    assert_eq!(fake.requests().len(), 2, "wrong-token requests are not recorded");
}

#[tokio::test]
async fn telegram_strictness_html_length_callback_data_commands() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let html = |text: &str| bot.send_message(ChatId(5), text.to_owned()).parse_mode(ParseMode::Html);

    let bare = html("1 < 2").await;
    assert!(
        matches!(&bare, Err(RequestError::Api(ApiError::CantParseEntities(t)))
            if t == "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2"),
        "{bare:?}"
    );
    let nested = html("<b><i>x</b></i>").await;
    assert!(
        matches!(&nested, Err(RequestError::Api(ApiError::CantParseEntities(t))) if t.contains("Unmatched end tag"))
    );
    let unclosed = html("<b>x").await;
    assert!(
        matches!(&unclosed, Err(RequestError::Api(ApiError::CantParseEntities(t))) if t.contains("Can't find end tag"))
    );
    html("1 &lt; 2 & 3 > 2 <a href=\"https://x.y/?a=1&b=2\">link</a> <code>a&amp;b</code>").await.unwrap();
    bot.send_message(ChatId(5), "1 < 2").await.expect("plain text may contain <");

    // 4096 characters after entity parsing are fine, 4097 are not.
    let long = format!("<b>{}</b>", "包".repeat(4096));
    html(&long).await.expect("4096 characters");
    let too_long = bot.send_message(ChatId(5), "包".repeat(4097)).await;
    assert!(matches!(too_long, Err(RequestError::Api(ApiError::MessageIsTooLong))), "{too_long:?}");
    let empty = bot.send_message(ChatId(5), " ").await;
    assert!(matches!(&empty, Err(RequestError::Api(ApiError::MessageTextIsEmpty))), "{empty:?}");

    let fat = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("x", "退".repeat(22))]]);
    let fat = bot.send_message(ChatId(5), "x").reply_markup(fat).await;
    assert!(matches!(&fat, Err(RequestError::Api(ApiError::ButtonDataInvalid))), "{fat:?}");
    assert_eq!(fake.messages_to(5).len(), 3);

    let commands =
        [teloxide::types::BotCommand::new("track", "跟踪快递"), teloxide::types::BotCommand::new("list", "我的快递")];
    bot.set_my_commands(commands.clone()).language_code("zh").await.unwrap();
    assert_eq!(bot.get_my_commands().language_code("zh").await.unwrap(), commands);
    assert!(bot.get_my_commands().await.unwrap().is_empty());
    let bad_lang = bot.set_my_commands(commands.clone()).language_code("zh-hans").await;
    assert!(bad_lang.is_err());
    let bad = bot.set_my_commands([teloxide::types::BotCommand::new("Track", "x")]).await;
    assert!(matches!(&bad, Err(RequestError::Api(ApiError::Unknown(t))) if t == "Bad Request: BOT_COMMAND_INVALID"));
    bot.delete_my_commands().language_code("zh").await.unwrap();
    assert!(bot.get_my_commands().language_code("zh").await.unwrap().is_empty());
    let recorded = fake.commands();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["language_code"], json!("zh"));
    assert_eq!(recorded[0]["commands"][0], json!({"command": "track", "description": "跟踪快递"}));
}

#[tokio::test]
async fn form_and_multipart_bodies_are_understood() {
    let fake = FakeTelegram::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}bot{}/sendMessage", fake.api_url(), FakeTelegram::TOKEN);
    let markup = r#"{"inline_keyboard":[[{"text":"ok","callback_data":"y"}]]}"#;
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("chat_id=9&text=a%20%26%20b+c&parse_mode=HTML&reply_markup={}", markup.replace('"', "%22")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n9\r\n--XyZ\r\nContent-Disposition: \
         form-data; name=\"text\"\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
    let response = http
        .post(format!("{}bot{}/SENDMESSAGE", fake.api_url(), FakeTelegram::TOKEN))
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let messages = fake.messages_to(9);
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].text, "a & b c");
    assert_eq!(messages[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"], json!("y"));
    assert_eq!(messages[0].buttons()[0].callback_data, "y");
    assert_eq!(messages[1].text, "line1\r\nline2");
    assert_eq!(fake.requests()[1].method, "sendMessage", "canonical name whatever the casing");
}

#[tokio::test]
async fn chat_actions_callback_answers_delay_and_waiting() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    bot.send_chat_action(ChatId(3), teloxide::types::ChatAction::Typing).await.unwrap();
    bot.answer_callback_query(CallbackQueryId("cb-1".into())).text("已刷新").show_alert(true).await.unwrap();
    bot.answer_callback_query(CallbackQueryId("cb-2".into())).await.unwrap();
    assert_eq!(fake.chat_actions(), [(3, "typing".to_owned())]);
    let answers = fake.callback_answers();
    assert_eq!((answers[0].callback_query_id.as_str(), answers[0].text.as_deref()), ("cb-1", Some("已刷新")));
    assert!(answers[0].show_alert && !answers[1].show_alert);

    fake.set_response_delay(Some(Duration::from_millis(300)));
    let started = Instant::now();
    bot.get_me().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    fake.set_response_delay(None);

    // With an answer delay the message is delivered before the bot hears back.
    fake.set_answer_delay(Some(Duration::from_millis(300)));
    let sending = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.send_message(ChatId(4), "held").await })
    };
    let delivered = fake.wait_for_messages(4, 1, Duration::from_secs(5)).await;
    assert_eq!(delivered.len(), 1);
    assert!(!sending.is_finished(), "the answer is still held back");
    sending.await.unwrap().unwrap();
    fake.set_answer_delay(None);

    let started = Instant::now();
    let nothing = fake.wait_for_messages(3, 1, Duration::from_millis(200)).await;
    assert!(nothing.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(200));
    let later = {
        let bot = bot.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            bot.send_message(ChatId(3), "one").await.unwrap();
            bot.send_message(ChatId(3), "two").await.unwrap();
        })
    };
    let started = Instant::now();
    let two = fake.wait_for_messages(3, 2, 5 * SECOND).await;
    assert_eq!(two.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(), ["one", "two"]);
    assert!(started.elapsed() < 2 * SECOND);
    later.await.unwrap();
    let found = fake.wait_for(SECOND, |f| f.sent_messages().iter().find(|m| m.text == "two").map(|m| m.message_id));
    assert_eq!(found.await, Some(2));
}

type Handled = Result<(), RequestError>;

#[tokio::test]
async fn a_real_dispatcher_with_the_production_adaptors_runs_against_the_fake() {
    let fake = FakeTelegram::start().await;
    // The production bot's adaptors (`kuaidi_bot::telegram::TgBot`); its pacing is its own, not teloxide's.
    let bot = bot_for(&fake).cache_me().parse_mode(ParseMode::Html);
    type B = kuaidi_bot::telegram::TgBot;

    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(|bot: B, msg: Message| async move {
            let text = msg.text().unwrap_or_default();
            bot.send_message(msg.chat.id, format!("<b>echo</b> {}", text.replace('<', "&lt;")))
                .reply_markup(InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("again", "a")]]))
                .await?;
            Handled::Ok(())
        }))
        .branch(Update::filter_callback_query().endpoint(|bot: B, query: CallbackQuery| async move {
            bot.answer_callback_query(query.id.clone()).text("done").await?;
            if let Some(message) = query.regular_message() {
                bot.edit_message_text(message.chat.id, message.id, "edited").await?;
            }
            Handled::Ok(())
        }))
        .branch(
            Update::filter_my_chat_member()
                .endpoint(|_bot: B, _update: ChatMemberUpdated| async move { Handled::Ok(()) }),
        );
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let chat = Chat::private(1001);
    fake.send_text(chat, alice(), "/start <x>");
    let replies = fake.wait_for_messages(1001, 1, 5 * SECOND).await;
    assert_eq!(replies.len(), 1, "{:?}", fake.requests());
    assert_eq!(replies[0].text, "<b>echo</b> /start &lt;x>");
    assert_eq!(replies[0].parse_mode.as_deref(), Some("HTML"));

    fake.press_button(chat, alice(), replies[0].message_id, "a");
    let edit = fake.wait_for(5 * SECOND, |f| f.edits().first().cloned()).await.expect("an edit");
    assert_eq!(edit.text.as_deref(), Some("edited"));
    assert_eq!(fake.callback_answers()[0].text.as_deref(), Some("done"));

    // The dispatcher asked only for the update kinds it handles; others are dropped like Telegram does.
    let mut allowed = fake.allowed_updates().expect("allowed_updates sent");
    allowed.sort();
    assert_eq!(allowed, ["callback_query", "message", "my_chat_member"]);
    fake.inject_raw_update(
        json!({"edited_message": {"message_id": 99, "date": 0, "chat": chat.to_json(None), "text": "x"}}),
    );
    fake.bot_blocked(chat, alice());
    assert!(fake.wait_for_updates_consumed(5 * SECOND).await);
    assert_eq!(fake.dropped_updates().len(), 1);

    shutdown.shutdown().expect("dispatcher is running").await;
    running.await.unwrap();
    let methods: Vec<String> = fake.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods.iter().filter(|m| *m == "getMe").count(), 1, "CacheMe: {methods:?}");
    assert!(methods.contains(&"getWebhookInfo".to_owned()));
    assert!(fake.requests().iter().all(|r| r.status == 200 || r.status == 0), "{:?}", fake.requests());
}

#[tokio::test]
async fn a_webhook_excludes_get_updates_and_receives_the_injected_updates() {
    use std::sync::{Arc, Mutex};

    use axum::http::{HeaderMap, StatusCode};
    use teloxide::types::AllowedUpdate;

    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    // A stand-in for the bot's webhook route: records what arrives, 401 without the right secret.
    type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;
    let received: Received = Arc::default();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let received = received.clone();
            move |headers: HeaderMap, body: String| async move {
                let secret = headers.get("x-telegram-bot-api-secret-token").and_then(|v| v.to_str().ok());
                let update = serde_json::from_str(&body).unwrap_or(Value::Null);
                received.lock().unwrap().push((secret.map(str::to_owned), update));
                if secret == Some("s3cret_-") { StatusCode::OK } else { StatusCode::UNAUTHORIZED }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    assert_eq!(fake.webhook(), None);
    assert!(bot.get_webhook_info().await.unwrap().url.is_none());
    bot.set_webhook(reqwest::Url::parse(&url).unwrap())
        .secret_token("s3cret_-".to_owned())
        .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
        .await
        .unwrap();
    let setting = fake.webhook().expect("a webhook");
    assert_eq!(setting.url, url);
    assert_eq!(setting.secret_token.as_deref(), Some("s3cret_-"));
    assert_eq!(setting.allowed_updates, Some(vec!["message".to_owned(), "callback_query".to_owned()]));
    assert_eq!(bot.get_webhook_info().await.unwrap().url.map(|u| u.to_string()), Some(url.clone()));

    // Telegram's own 409 for getUpdates while a webhook is set.
    let polled = bot.get_updates().await;
    assert!(
        matches!(&polled, Err(RequestError::Api(ApiError::Unknown(text))) if text.starts_with("Conflict: can't use getUpdates method while webhook is active")),
        "{polled:?}"
    );
    assert_eq!(fake.requests_to("getUpdates")[0].status, 409);

    // The injected update, as getUpdates would have handed it out, goes to the URL with the secret.
    fake.send_text(Chat::private(1001), alice(), "/help");
    let updates = fake.take_updates();
    assert_eq!(updates.len(), 1);
    assert_eq!(fake.pending_updates(), 0);
    assert_eq!(fake.deliver_via_webhook(&updates[0]).await, Ok(StatusCode::OK));
    assert_eq!(fake.deliver_via_webhook_with_secret(&updates[0], Some("wrong")).await, Ok(StatusCode::UNAUTHORIZED));
    assert_eq!(fake.deliver_via_webhook_with_secret(&updates[0], None).await, Ok(StatusCode::UNAUTHORIZED));
    {
        let received = received.lock().unwrap();
        assert_eq!(received.len(), 3);
        assert_eq!(received[0].0.as_deref(), Some("s3cret_-"));
        assert_eq!(received[1].0.as_deref(), Some("wrong"));
        assert_eq!(received[2].0, None);
        assert_eq!(received[0].1, updates[0]);
        // As teloxide's webhook reads it (from the text: `from_value` trips over the message).
        let update: Update = serde_json::from_str(&received[0].1.to_string()).expect("teloxide reads it");
        assert!(matches!(update.kind, UpdateKind::Message(_)), "{update:?} from {}", received[0].1);
    }

    // Pending updates are delivered in order; kinds outside allowed_updates are dropped as Telegram does.
    fake.send_text(Chat::private(1001), alice(), "one");
    fake.bot_blocked(Chat::private(1001), alice());
    fake.send_text(Chat::private(1001), alice(), "two");
    assert_eq!(fake.deliver_pending_via_webhook().await, Ok(vec![StatusCode::OK, StatusCode::OK]));
    assert_eq!(fake.dropped_updates().len(), 1, "my_chat_member was not allowed");

    // Refusals, then deleteWebhook: polling works again and nothing is delivered any more.
    fake.refuse_webhooks(Some("Failed to resolve host"));
    let refused = bot.set_webhook(reqwest::Url::parse(&url).unwrap()).await;
    assert!(
        matches!(&refused, Err(RequestError::Api(ApiError::Unknown(t))) if t == "Bad Request: bad webhook: Failed to resolve host"),
        "{refused:?}"
    );
    assert!(fake.webhook().is_some(), "a refused setWebhook leaves the old one");
    bot.delete_webhook().await.unwrap();
    assert_eq!(fake.webhook(), None);
    assert!(bot.get_updates().await.is_ok());
    assert!(fake.deliver_via_webhook(&updates[0]).await.is_err(), "no webhook, no delivery");
}

// ----- files: photos, image documents, getFile and downloads (`fake_telegram/files.rs`) -----

/// The bot's own adaptor stack, to show that downloads go through it to the fake's URL.
fn adapted_bot_for(fake: &FakeTelegram) -> teloxide::adaptors::DefaultParseMode<teloxide::adaptors::CacheMe<Bot>> {
    bot_for(fake).cache_me().parse_mode(ParseMode::Html)
}

/// The one message of the next update.
async fn next_message(bot: &Bot) -> teloxide::types::Message {
    let updates = bot.get_updates().timeout(1).await.expect("getUpdates");
    let last = updates.last().expect("an update").id.as_offset();
    bot.get_updates().offset(last).timeout(0).await.expect("confirm");
    match updates.into_iter().next().map(|update| update.kind) {
        Some(UpdateKind::Message(message)) => message,
        other => panic!("not a message: {other:?}"),
    }
}

/// A photo-like JPEG of the barcode image set (900 × 700).
fn waybill_photo() -> Vec<u8> {
    let set = kuaidi_test_support::images::waybill_set();
    set.into_iter().find(|case| case.name == "code128_jpeg_on_photo").expect("in the set").bytes
}

#[tokio::test]
async fn a_photo_comes_in_telegram_sizes_and_downloads_through_get_file() {
    use teloxide::net::Download;
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let image = waybill_photo();
    let (width, height) = image::load_from_memory(&image).map(|i| (i.width(), i.height())).expect("an image");
    fake.send_photo(Chat::private(1001), alice(), &image, Some("我的快递"));

    let message = next_message(&bot).await;
    assert_eq!(message.caption(), Some("我的快递"));
    let sizes = message.photo().expect("a photo");
    assert_eq!(sizes.len(), 3, "thumbnail, medium and the photo: {sizes:?}");
    let (thumb, largest) = (&sizes[0], &sizes[sizes.len() - 1]);
    assert!(thumb.width.max(thumb.height) <= kuaidi_test_support::fake_telegram::THUMB_SIDE, "{thumb:?}");
    assert!(u64::from(thumb.file.size) < image.len() as u64 / 2, "a real, smaller thumbnail: {thumb:?}");
    assert_eq!((largest.width, largest.height, largest.file.size as usize), (width, height, image.len()));
    let ids: std::collections::HashSet<_> = sizes.iter().map(|size| size.file.id.0.clone()).collect();
    assert_eq!(ids.len(), sizes.len(), "one file per size");

    // Through the bot's adaptors, as the bot will do it.
    let adapted = adapted_bot_for(&fake);
    let file = adapted.get_file(largest.file.id.clone()).await.expect("getFile");
    assert_eq!((file.meta.id.clone(), file.meta.size as usize), (largest.file.id.clone(), image.len()));
    assert!(file.path.starts_with("photos/"), "{}", file.path);
    let mut downloaded = Vec::new();
    adapted.download_file(&file.path, &mut downloaded).await.expect("download");
    assert_eq!(downloaded, image);
    assert!(fake.was_downloaded(&largest.file.id.0));
    assert!(!fake.was_downloaded(&thumb.file.id.0));
    // The thumbnail is a real JPEG of its announced size.
    let thumb_file = bot.get_file(thumb.file.id.clone()).await.expect("getFile");
    let mut thumb_bytes = Vec::new();
    bot.download_file(&thumb_file.path, &mut thumb_bytes).await.expect("download");
    let decoded = image::load_from_memory(&thumb_bytes).expect("a JPEG");
    assert_eq!(
        (decoded.width(), decoded.height(), thumb_bytes.len()),
        (thumb.width, thumb.height, thumb.file.size as usize)
    );
}

#[tokio::test]
async fn get_file_refuses_unknown_ids_and_files_over_the_bot_api_limit() {
    use teloxide::types::FileId;
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let unknown = bot.get_file(FileId("nope".to_owned())).await;
    // Telegram's text; teloxide 0.17 knows only "invalid file id" (FileIdInvalid), so this is Unknown.
    assert!(
        matches!(&unknown, Err(RequestError::Api(ApiError::Unknown(text))) if text == "Bad Request: invalid file_id"),
        "{unknown:?}"
    );

    // A document that claims 30 MB: announced, never held, never downloadable.
    fake.send_document_claiming(Chat::private(1001), alice(), 30 * 1024 * 1024, "image/jpeg", "waybill.jpg");
    let message = next_message(&bot).await;
    let document = message.document().expect("a document");
    assert_eq!(document.file.size, 30 * 1024 * 1024);
    assert_eq!(
        (document.file_name.as_deref(), document.mime_type.as_ref().map(|m| m.essence_str())),
        (Some("waybill.jpg"), Some("image/jpeg"))
    );
    let too_big = bot.get_file(document.file.id.clone()).await;
    assert!(matches!(&too_big, Err(RequestError::Api(_))), "{too_big:?}");
    assert!(fake.downloads().is_empty());

    // A photo whose largest size claims 12 MB: getFile works (under 20 MB), the bot could download
    // it, and whether it did is recorded.
    let image = waybill_photo();
    fake.send_photo_claiming(Chat::private(1001), alice(), &image, 12 * 1024 * 1024);
    let message = next_message(&bot).await;
    let largest = message.photo().and_then(|sizes| sizes.last()).expect("sizes");
    assert_eq!(largest.file.size, 12 * 1024 * 1024);
    let file = bot.get_file(largest.file.id.clone()).await.expect("getFile under 20 MB");
    assert_eq!(file.meta.size, 12 * 1024 * 1024);
    assert!(!fake.was_downloaded(&largest.file.id.0), "getFile is not a download");

    // Paths only work once handed out, and only with the bot's token; both `/` and `%2F` work.
    let http = reqwest::Client::new();
    let base = fake.api_url();
    let plain = http.get(format!("{base}file/bot{}/{}", FakeTelegram::TOKEN, file.path)).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.bytes().await.unwrap().len(), 12 * 1024 * 1024);
    let wrong = http.get(format!("{base}file/bot999:WRONG/{}", file.path)).send().await.unwrap();
    assert_eq!(wrong.status(), 404);
    let never = http.get(format!("{base}file/bot{}/photos%2Ffile_999.jpg", FakeTelegram::TOKEN)).send().await.unwrap();
    assert_eq!(never.status(), 404);
    assert_eq!(fake.downloads().len(), 1);
}

#[tokio::test]
async fn an_image_document_carries_its_name_type_size_and_a_thumbnail() {
    use teloxide::net::Download;
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let image = waybill_photo();
    fake.send_image_document(Chat::private(1001), alice(), &image, "image/png", "label.png", None);
    let message = next_message(&bot).await;
    assert_eq!(message.caption(), None);
    let document = message.document().expect("a document");
    assert_eq!(document.file.size as usize, image.len());
    assert_eq!(document.file_name.as_deref(), Some("label.png"));
    assert!(document.thumbnail.is_some());
    let file = bot.get_file(document.file.id.clone()).await.expect("getFile");
    assert!(file.path.starts_with("documents/") && file.path.ends_with(".png"), "{}", file.path);
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.expect("download");
    assert_eq!(downloaded, image);
}

#[tokio::test]
async fn descriptions_are_kept_per_language_within_telegrams_limits() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let empty = bot.get_my_description().language_code("en").await.expect("getMyDescription");
    assert_eq!(empty.description, "", "nothing before any set");
    let empty = bot.get_my_short_description().await.expect("getMyShortDescription");
    assert_eq!(empty.short_description, "");
    assert!(bot.get_my_commands().language_code("zh").await.expect("getMyCommands").is_empty());

    bot.set_my_description().description("Tracks parcels.").language_code("en").await.expect("set en");
    bot.set_my_description().description("查快递。").await.expect("set default");
    bot.set_my_short_description().short_description("快递").language_code("zh").await.expect("set zh");
    bot.set_my_commands([BotCommand::new("track", "Where is my parcel")]).language_code("en").await.expect("menu");
    let en = bot.get_my_description().language_code("en").await.expect("get en");
    assert_eq!(en.description, "Tracks parcels.");
    let zh = bot.get_my_description().language_code("zh").await.expect("get zh");
    assert_eq!(zh.description, "", "a language's own text only, no fallback to the default");
    let short = bot.get_my_short_description().language_code("zh").await.expect("get zh short");
    assert_eq!(short.short_description, "快递");
    let menu = bot.get_my_commands().language_code("en").await.expect("get en menu");
    assert_eq!(menu, [BotCommand::new("track", "Where is my parcel")]);

    let profile = fake.profile(Some("en"));
    assert_eq!(profile.description, "Tracks parcels.");
    assert_eq!(profile.commands, [("track".to_owned(), "Where is my parcel".to_owned())]);
    assert_eq!(fake.profile(None).description, "查快递。");
    assert_eq!(fake.profile(Some("zh")).short_description, "快递");

    // Telegram's limits: 512 and 120 characters; an empty text removes the language's own.
    let too_long = bot.set_my_description().description("字".repeat(513)).language_code("zh").await;
    assert!(
        matches!(&too_long, Err(RequestError::Api(ApiError::Unknown(text))) if text == "Bad Request: description is too long"),
        "{too_long:?}"
    );
    bot.set_my_description().description("字".repeat(512)).language_code("zh").await.expect("512 fit");
    let too_long = bot.set_my_short_description().short_description("x".repeat(121)).await;
    assert!(
        matches!(&too_long, Err(RequestError::Api(ApiError::Unknown(text))) if text == "Bad Request: short description is too long"),
        "{too_long:?}"
    );
    bot.set_my_description().description("").language_code("en").await.expect("remove");
    assert_eq!(fake.profile(Some("en")).description, "");
    let bad_language = bot.get_my_description().language_code("zh-hans").await;
    assert!(bad_language.is_err(), "{bad_language:?}");

    // A profile left by an earlier version is what the bot reads back.
    let seeded = kuaidi_test_support::fake_telegram::Profile {
        description: "old".into(),
        short_description: "old short".into(),
        commands: vec![("help".into(), "Help".into())],
    };
    fake.seed_profile(Some("en"), seeded.clone());
    assert_eq!(bot.get_my_description().language_code("en").await.expect("get").description, "old");
    assert_eq!(bot.get_my_commands().language_code("en").await.expect("get")[0].command, "help");
    assert_eq!(fake.profile(Some("en")), seeded);
}

fn article(id: &str, text: &str) -> InlineQueryResult {
    InlineQueryResult::Article(InlineQueryResultArticle::new(
        id,
        format!("Title {id}"),
        InputMessageContent::Text(InputMessageContentText::new(text).parse_mode(ParseMode::Html)),
    ))
}

#[tokio::test]
async fn inline_queries_reach_a_dispatcher_that_asks_for_them_and_answers_are_recorded() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake).cache_me().parse_mode(ParseMode::Html);
    type B = kuaidi_bot::telegram::TgBot;
    let share = reqwest::Url::parse("https://t.me/KuaidiTestBot?start=yuantong-YT9693083639795").expect("url");
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(|_bot: B, _msg: Message| async move { Handled::Ok(()) }))
        .branch(Update::filter_inline_query().endpoint(move |bot: B, query: InlineQuery| {
            let share = share.clone();
            async move {
                let keyboard = InlineKeyboardMarkup::new(vec![
                    vec![InlineKeyboardButton::url("Open", share)],
                    vec![
                        InlineKeyboardButton::switch_inline_query("Share", query.query.clone()),
                        InlineKeyboardButton::copy_text_button(
                            "Copy",
                            CopyTextButton { text: "YT9693083639795".into() },
                        ),
                    ],
                ]);
                // No parse mode given: the production adaptor (DefaultParseMode) adds HTML.
                let result = InlineQueryResultArticle::new(
                    "yto-YT9693083639795",
                    "YTO Express YT9693083639795",
                    InputMessageContent::Text(InputMessageContentText::new(format!(
                        "<b>{}</b> out for delivery",
                        query.query
                    ))),
                )
                .description("out for delivery")
                .reply_markup(keyboard);
                bot.answer_inline_query(query.id, [InlineQueryResult::Article(result)])
                    .cache_time(10)
                    .is_personal(true)
                    .await?;
                Handled::Ok(())
            }
        }));
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let id = fake.send_inline_query(alice(), "YT9693083639795", Some("group"));
    let answer = fake.wait_for_inline_answer(&id, 5 * SECOND).await.unwrap_or_else(|| panic!("{:?}", fake.requests()));
    assert_eq!((answer.cache_time, answer.is_personal), (10, true));
    let result = answer.result("yto-YT9693083639795").expect("the result");
    assert_eq!(result.kind, "article");
    assert_eq!(result.title.as_deref(), Some("YTO Express YT9693083639795"));
    assert_eq!(result.description.as_deref(), Some("out for delivery"));
    assert_eq!(result.message_text.as_deref(), Some("<b>YT9693083639795</b> out for delivery"));
    assert_eq!(result.parse_mode.as_deref(), Some("HTML"));
    assert!(result.button("Open").and_then(|b| b.url).is_some_and(|url| url.contains("start=yuantong-")));
    assert_eq!(result.button("Share").and_then(|b| b.switch_inline_query).as_deref(), Some("YT9693083639795"));
    assert_eq!(result.button("Copy").and_then(|b| b.copy_text).as_deref(), Some("YT9693083639795"));

    // teloxide's dispatcher asked for inline queries by itself, from the handler tree.
    let mut allowed = fake.allowed_updates().expect("allowed_updates sent");
    allowed.sort();
    assert_eq!(allowed, ["inline_query", "message"]);
    shutdown.shutdown().expect("dispatcher is running").await;
    running.await.expect("dispatcher task");
}

#[tokio::test]
async fn inline_answers_are_checked_like_telegram() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    // teloxide classifies some of these (RESULTS_TOO_MUCH, can't parse entities); the text is Telegram's.
    let refused = |outcome: Result<teloxide::types::True, RequestError>| match outcome {
        Err(RequestError::Api(ApiError::Unknown(text))) => text,
        Err(RequestError::Api(error)) => error.to_string(),
        other => panic!("not refused: {other:?}"),
    };

    let unknown = bot.answer_inline_query(InlineQueryId("42".into()), [article("a", "x")]).await;
    assert_eq!(refused(unknown), too_old);

    let id = InlineQueryId(fake.send_inline_query(alice(), "YT1", Some("sender")));
    let many: Vec<_> = (0..51).map(|n| article(&n.to_string(), "x")).collect();
    assert_eq!(refused(bot.answer_inline_query(id.clone(), many).await), "Bad Request: RESULTS_TOO_MUCH");
    let twice = [article("same", "x"), article("same", "y")];
    assert_eq!(refused(bot.answer_inline_query(id.clone(), twice).await), "Bad Request: RESULT_ID_DUPLICATE");
    let long_id = article(&"i".repeat(65), "x");
    assert_eq!(refused(bot.answer_inline_query(id.clone(), [long_id]).await), "Bad Request: RESULT_ID_INVALID");
    let bad_html = refused(bot.answer_inline_query(id.clone(), [article("a", "1 < 2")]).await);
    assert!(bad_html.starts_with("Bad Request: can't parse entities"), "{bad_html}");
    let no_action =
        InlineQueryResultArticle::new("a", "t", InputMessageContent::Text(InputMessageContentText::new("x")))
            .reply_markup(InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(
                "long",
                "d".repeat(65),
            )]]));
    let data = refused(bot.answer_inline_query(id.clone(), [InlineQueryResult::Article(no_action)]).await);
    assert_eq!(data, "Bad Request: BUTTON_DATA_INVALID");

    // Refused answers leave the query answerable; an accepted one ends it.
    let fifty: Vec<_> = (0..50).map(|n| article(&format!("r{n}"), "<i>ok</i>")).collect();
    bot.answer_inline_query(id.clone(), fifty).await.expect("50 distinct results are fine");
    assert_eq!(refused(bot.answer_inline_query(id.clone(), [article("a", "x")]).await), too_old, "answered once");
    let answers = fake.inline_answers();
    assert_eq!(answers.len(), 1);
    assert_eq!((answers[0].results.len(), answers[0].cache_time, answers[0].is_personal), (50, 300, false));
    let statuses: Vec<u16> = fake.requests_to("answerInlineQuery").iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 400, 400, 400, 400, 400, 200, 400]);

    // A query expires.
    fake.set_inline_query_lifetime(Duration::from_millis(50));
    let late = InlineQueryId(fake.send_inline_query(alice(), "YT2", Some("private")));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(refused(bot.answer_inline_query(late, [article("a", "x")]).await), too_old);

    // getMe tells whether inline mode is on (BotFather's /setinline).
    assert!(!bot.get_me().await.expect("getMe").supports_inline_queries);
    fake.set_inline_mode(true);
    assert!(bot.get_me().await.expect("getMe").supports_inline_queries);
}

#[tokio::test]
async fn an_inline_query_update_deserializes_and_is_dropped_when_not_asked_for() {
    let fake = FakeTelegram::start().await;
    let bot = bot_for(&fake);
    let id = fake.send_inline_query(alice(), "SF123 顺丰", Some("supergroup"));
    let updates = bot.get_updates().await.expect("getUpdates");
    let UpdateKind::InlineQuery(query) = &updates[0].kind else { panic!("{updates:?}") };
    assert_eq!((query.id.0.as_str(), query.query.as_str(), query.offset.as_str()), (id.as_str(), "SF123 顺丰", ""));
    assert_eq!(query.chat_type, Some(teloxide::types::ChatType::Supergroup));
    assert_eq!(query.from.id, UserId(1001));

    // A bot that asks only for messages never sees inline queries.
    let offset = updates[0].id.as_offset();
    fake.send_inline_query(alice(), "YT1", None);
    let updates = bot
        .get_updates()
        .offset(offset)
        .allowed_updates([teloxide::types::AllowedUpdate::Message])
        .await
        .expect("getUpdates");
    assert!(updates.is_empty(), "{updates:?}");
    assert_eq!(fake.dropped_updates().len(), 1);
    assert!(fake.dropped_updates()[0].get("inline_query").is_some_and(|q| q.get("chat_type").is_none()));
}
