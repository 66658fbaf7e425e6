//! Secrets and personal data never leak: the real binary, logging at `trace`, with real-looking
//! Kuaidi100 credentials, a push salt, an API token and webhook mode, is driven through every feature
//! — commands, a full phone number typed and pasted, buttons, inline mode, the web page and API, push
//! callbacks, the daily budget running out, `/tz`, `/forget` — and then its whole log, its database files, `/metrics`,
//! every request it made to Telegram (replies, edits, callback and inline answers) and every HTTP
//! response it gave are searched for the Kuaidi100 key and customer, the salt, the bot token, the
//! webhook path and secret, the API token and the full phone number. None may appear.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::kuaidi100::Credentials;
use kuaidi_bot::kuaidi100::push::{Salt, sign_push};
use kuaidi_bot::sandbox::{self, SandboxConfig};
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};
use kuaidi_test_support::process::{bot_run, free_addr, stop};

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const WAIT: Duration = Duration::from_secs(20);

const CUSTOMER: &str = "CUSTQ7X2LEAKCANARY";
const KEY: &str = "keyZ9w4LeakCanaryKey";
const SALT: &str = "saltM3v8LeakCanarySalt0123456789";
const API_TOKEN: &str = "apitokenLeakCanary7766554433";
/// The secret part of the fake Bot API's token.
const TOKEN_SECRET: &str = "TEST-TOKEN";
const PHONE: &str = "13812345678";

/// Everything the bot said or served, to be searched at the end.
#[derive(Default)]
struct Seen {
    texts: Vec<(String, String)>,
}

impl Seen {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.texts.push((what.into(), text.into()));
    }
}

struct Drive<'a> {
    tg: &'a FakeTelegram,
    base: String,
    seen: Seen,
    client: reqwest::Client,
}

impl Drive<'_> {
    /// Sends a text through the webhook and waits for the chat's `count`th message.
    async fn say(&mut self, chat: Chat, from: User, text: &str) {
        let before = self.tg.messages_to(chat.id).len();
        self.tg.send_text(chat, from, text);
        let delivered = self.tg.deliver_pending_via_webhook().await.expect("delivered");
        assert!(delivered.iter().all(|status| status.is_success()), "{text}: {delivered:?}");
        let replies = self.tg.wait_for_messages(chat.id, before + 1, WAIT).await;
        assert!(replies.len() > before, "no reply to {text}");
    }

    async fn get(&mut self, path: &str, bearer: Option<&str>) -> (u16, String) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap_or_default();
        self.seen.add(format!("GET {path} headers"), headers);
        self.seen.add(format!("GET {path}"), body.clone());
        (status, body)
    }

    async fn push(&mut self, param: &str, sign: &str) -> u16 {
        let response = self
            .client
            .post(format!("{}/kuaidi100/push", self.base))
            .form(&[("param", param), ("sign", sign)])
            .send()
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        self.seen.add("push answer", response.text().await.unwrap_or_default());
        status
    }
}

fn file_text(path: &Path) -> String {
    std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

#[tokio::test]
async fn nothing_secret_or_personal_shows_in_logs_database_metrics_replies_or_responses() {
    let upstream = sandbox::spawn(SandboxConfig::new(Credentials::new(CUSTOMER, KEY), Arc::new(SystemClock)))
        .await
        .expect("simulator");
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = free_addr();
    let base = format!("http://{addr}");
    let log = dir.path().join("bot.log");
    let child = bot_run(BIN, dir.path(), &tg, &addr.to_string())
        .env("PUBLIC_URL", &base)
        .env("WATCH_MODE", "hybrid")
        .env("RUST_LOG", "trace")
        .env("KUAIDI100_CUSTOMER", CUSTOMER)
        .env("KUAIDI100_KEY", KEY)
        .env("KUAIDI100_API_URL", &upstream.url)
        .env("KUAIDI100_AUTONUMBER_URL", upstream.autonumber_url())
        .env("KUAIDI100_PUSH_SALT", SALT)
        .env("API_TOKEN", API_TOKEN)
        .env("KUAIDI100_DAILY_BUDGET", "8")
        .stdout(std::fs::File::create(dir.path().join("bot.out")).expect("out file"))
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("bot starts");
    let webhook = tg.wait_for(WAIT, FakeTelegram::webhook).await.expect("setWebhook");
    let webhook_path = webhook.url.rsplit('/').next().unwrap_or_default().to_owned();
    let webhook_secret = webhook.secret_token.clone().expect("a secret");
    let mut drive = Drive { tg: &tg, base: base.clone(), seen: Seen::default(), client: reqwest::Client::new() };
    let mut ready = drive.get("/readyz", None).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while ready.0 != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        ready = drive.get("/readyz", None).await;
    }
    assert_eq!(ready.0, 200, "ready: {}", ready.1);

    // Chat: commands, a full phone typed and pasted, a label, languages, bad input.
    let wang = User::new(31, "Wang").lang("zh-hans");
    let chat = Chat::private(wang.id);
    let sf = "SF1234567890123";
    for text in [
        "/start".to_owned(),
        "/help".to_owned(),
        format!("/track shunfeng {sf} {PHONE}"),
        format!("/sub shunfeng {sf} {PHONE}"),
        format!("/name {sf} 妈妈的茶"),
        "/list".to_owned(),
        format!("【顺丰速运】您的快件 SF1234567890124 已发出，收件人手机 {PHONE}，请留意"),
        "/couriers 圆通".to_owned(),
        "/lang en".to_owned(),
        format!("/track sf SF1234567890125 +86 {PHONE}"),
        "/track yto YT9693083639795".to_owned(),
        "/track".to_owned(),
        "/track shunfeng SF1234567890126 12".to_owned(),
        "/sub nosuchcourier 123".to_owned(),
    ] {
        drive.say(chat, wang.clone(), &text).await;
    }
    // The 🔄 button on the newest parcel reply.
    let messages = tg.messages_to(chat.id);
    let with_refresh = messages
        .iter()
        .rev()
        .find_map(|message| message.button("🔄").map(|button| (message.message_id, button.callback_data)));
    let (message_id, data) = with_refresh.expect("a reply with 🔄");
    tg.press_button(chat, wang.clone(), message_id, &data);
    tg.deliver_pending_via_webhook().await.expect("delivered");
    tg.wait_for(WAIT, |tg| (!tg.callback_answers().is_empty()).then_some(())).await.expect("the press is answered");

    // Inline mode with the full phone.
    let id = tg.send_inline_query(wang.clone(), &format!("shunfeng {sf} {PHONE}"), Some("private"));
    tg.deliver_pending_via_webhook().await.expect("delivered");
    tg.wait_for_inline_answer(&id, WAIT).await.expect("an inline answer");

    // The web page and the API, with the phone in the query string.
    drive.get(&format!("/?courier=shunfeng&number={sf}&phone={PHONE}"), None).await;
    drive.get(&format!("/api/v1/track?courier=shunfeng&number={sf}&phone={PHONE}"), None).await;
    drive.get(&format!("/api/v1/track?courier=shunfeng&number={sf}&phone={PHONE}"), Some("wrong-token")).await;
    let (status, _) =
        drive.get(&format!("/api/v1/track?courier=shunfeng&number={sf}&phone={PHONE}"), Some(API_TOKEN)).await;
    assert_eq!(status, 200);
    drive.get("/api/v1/couriers?q=sf", Some(API_TOKEN)).await;
    drive.get("/api/openapi.json", None).await;
    drive.get("/healthz", None).await;

    // Push callbacks: a signed one for the watched parcel, a forged one, a malformed one.
    let last_result = serde_json::json!({
        "message": "ok", "nu": sf, "ischeck": "0", "com": "shunfeng", "status": "200", "state": "0",
        "data": [{"time": "2026-12-02 10:00:00", "ftime": "2026-12-02 10:00:00",
                  "context": "快件已到达【深圳转运中心】", "areaName": "广东,深圳市"}],
    });
    let param = serde_json::json!({
        "status": "polling", "billstatus": "got", "message": "", "lastResult": last_result,
    })
    .to_string();
    let salt = Salt::new(SALT);
    assert_eq!(drive.push(&param, &sign_push(&param, &salt)).await, 200);
    assert_eq!(drive.push(&param, "0123456789ABCDEF0123456789ABCDEF").await, 403, "a forged sign is refused");
    drive.push("{not json", &sign_push("{not json", &salt)).await;

    // Spend the rest of the budget (8 calls): the log must say so, still without a secret.
    for i in 0..6 {
        drive.say(chat, wang.clone(), &format!("/track yto YT96930836397{i}0")).await;
    }
    let (_, metrics) = drive.get("/metrics", None).await;
    assert!(metrics.contains("kuaidi_budget_state 2"), "the budget ran out: {metrics}");

    // A zone, then /forget and its confirmation.
    drive.say(chat, wang.clone(), "/tz Europe/Berlin").await;
    drive.say(chat, wang.clone(), "/forget").await;
    let confirm = tg
        .messages_to(chat.id)
        .last()
        .and_then(|message| message.button("🗑").map(|button| (message.message_id, button.callback_data)));
    let (message_id, data) = confirm.expect("/forget asks with a 🗑 button");
    let answers = tg.callback_answers().len();
    tg.press_button(chat, wang.clone(), message_id, &data);
    tg.deliver_pending_via_webhook().await.expect("delivered");
    tg.wait_for(WAIT, |tg| (tg.callback_answers().len() > answers).then_some(())).await.expect("confirmed");

    assert_eq!(stop(child, WAIT).await, Some(0), "clean exit");
    let log_text = file_text(&log);
    assert!(log_text.contains("TRACE") && log_text.len() > 10_000, "the log is at trace: {} bytes", log_text.len());
    assert!(log_text.contains("daily Kuaidi100 budget spent"), "the operator is told the budget ran out");

    // Everything the bot wrote or said.
    let mut seen = drive.seen;
    seen.add("log", log_text);
    seen.add("stdout", file_text(&dir.path().join("bot.out")));
    for name in ["bot.db", "bot.db-wal", "bot.db-shm"] {
        seen.add(name, file_text(&dir.path().join(name)));
    }
    // setWebhook is where the webhook's path and secret must go: to Telegram, and nowhere else.
    for request in tg.requests().into_iter().filter(|request| request.method != "setWebhook") {
        seen.add(format!("Telegram {}", request.method), request.params.to_string());
    }
    let needles = [
        ("Kuaidi100 customer", CUSTOMER),
        ("Kuaidi100 key", KEY),
        ("push salt", SALT),
        ("API token", API_TOKEN),
        ("bot token", TOKEN_SECRET),
        ("webhook path", webhook_path.as_str()),
        ("webhook secret", webhook_secret.as_str()),
        ("full phone number", PHONE),
        ("phone's first 7 digits", &PHONE[..7]),
    ];
    let mut leaks = Vec::new();
    for (what, text) in &seen.texts {
        for (name, needle) in needles {
            if text.contains(needle) {
                let at = text.find(needle).unwrap_or(0);
                let context: String = text[at..].chars().take(needle.len() + 160).collect();
                leaks.push(format!("the {name} in {what}: {context}…"));
            }
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    // The test saw what it searched: replies, and the masked phone where one is shown.
    assert!(seen.texts.len() > 40, "{} texts searched", seen.texts.len());
    drop(upstream);
}
