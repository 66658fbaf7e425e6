//! Telegram webhook mode, end to end: the real binary with `PUBLIC_URL` against the fake Bot API.
//!
//! The fake records what `setWebhook` set and delivers the updates the test injects by POSTing them
//! to that URL, the way Telegram does. The bot must answer updates that carry the right secret, refuse
//! the others with 401 without dispatching them (and count them), never call `getUpdates` while in
//! webhook mode, leave the webhook in place when it stops, and — started again without `PUBLIC_URL` —
//! delete it before long polling. Two replicas derive the same path and secret from the token, so
//! either accepts an update. Logs run at `debug` and must never show the token, the path or the secret.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User, WebhookSetting};
use kuaidi_test_support::process::{bot_run, http_get as get};
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const WAIT: Duration = Duration::from_secs(20);

/// The secret part of the fake's token.
const TOKEN_SECRET: &str = "TEST-TOKEN";

fn free_addr() -> SocketAddr {
    // Bound, learnt, released: the binary binds it a moment later.
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

/// The binary as `kuaidi-bot run` in sandbox mode, polling for parcels, logging at debug into `log`.
fn bot(dir: &Path, tg: &FakeTelegram, http_addr: &str, public_url: Option<&str>, log: &Path) -> Command {
    let mut command = bot_run(BIN, dir, tg, http_addr);
    command
        .env("WATCH_MODE", "poll")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("a log file"));
    if let Some(url) = public_url {
        command.env("PUBLIC_URL", url);
    }
    command
}

async fn wait_ready(base: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut ready = get(&format!("{base}/readyz")).await;
    while ready.0 != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        ready = get(&format!("{base}/readyz")).await;
    }
    assert_eq!(ready, (200, "ok".to_owned()));
}

/// SIGTERM, then the exit code.
async fn stop(child: Child) -> Option<i32> {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    exit_code(child).await
}

/// The exit code, once the process ends by itself (without blocking the runtime the fake runs on).
async fn exit_code(mut child: Child) -> Option<i32> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the bot did not stop");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The sum of every sample of `name` (all label sets) in a Prometheus text.
fn total(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .filter(|line| line[name.len()..].starts_with(['{', ' ']))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The webhook the bot set, once it did.
async fn webhook_set(tg: &FakeTelegram) -> WebhookSetting {
    tg.wait_for(WAIT, FakeTelegram::webhook).await.unwrap_or_else(|| panic!("no setWebhook: {:#?}", tg.requests()))
}

/// What must never be in a log or a page: the token's secret part, the webhook's path and secret.
fn assert_no_secrets(what: &str, text: &str, webhook: &WebhookSetting) {
    let path = webhook.url.rsplit('/').next().unwrap_or_default();
    let secret = webhook.secret_token.as_deref().unwrap_or_default();
    assert!(!path.is_empty() && !secret.is_empty());
    for (name, needle) in [("token", TOKEN_SECRET), ("webhook path", path), ("webhook secret", secret)] {
        assert!(!text.contains(needle), "the {name} shows in {what}");
    }
}

fn log_text(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn webhook_mode_answers_the_right_secret_only_and_polling_takes_over_after() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = free_addr();
    let base = format!("http://{addr}");
    let log = dir.path().join("webhook.log");
    let child = bot(dir.path(), &tg, &addr.to_string(), Some(&base), &log).spawn().expect("bot starts");

    // setWebhook: a URL under PUBLIC_URL, a secret, the update kinds the handler tree takes.
    let webhook = webhook_set(&tg).await;
    assert!(webhook.url.starts_with(&format!("{base}/telegram/")), "{webhook:?}");
    let secret = webhook.secret_token.clone().expect("a secret token");
    assert!(secret.len() >= 16 && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    let mut allowed = webhook.allowed_updates.clone().expect("allowed_updates sent");
    allowed.sort();
    assert_eq!(allowed, ["callback_query", "inline_query", "message", "my_chat_member"]);
    assert!(!webhook.drop_pending_updates, "pending updates are kept");
    wait_ready(&base).await;

    // The right secret: dispatched and answered.
    let wang = User::new(7, "Wang").lang("zh");
    tg.send_text(Chat::private(7), wang.clone(), "/help");
    assert_eq!(tg.deliver_pending_via_webhook().await, Ok(vec![StatusCode::OK]));
    assert_eq!(tg.wait_for_messages(7, 1, WAIT).await.len(), 1, "the bot answered /help");
    tg.send_text(Chat::private(7), wang, "/track yto YT9693083639795");
    assert_eq!(tg.deliver_pending_via_webhook().await, Ok(vec![StatusCode::OK]));
    let replies = tg.wait_for_messages(7, 2, WAIT).await;
    assert_eq!(replies.len(), 2, "the bot answered /track");
    assert!(replies[1].text.contains("YT9693083639795"), "{}", replies[1].text);

    // A wrong, a malformed and a missing secret: 401, not dispatched.
    for (chat, secret) in [(8, Some("wrong")), (9, Some("not a secret!")), (10, None)] {
        tg.send_text(Chat::private(chat), User::new(chat, "Zhao"), "/help");
        let update = tg.take_updates().pop().expect("the update");
        let status = tg.deliver_via_webhook_with_secret(&update, secret).await;
        assert_eq!(status, Ok(StatusCode::UNAUTHORIZED), "{secret:?}");
    }
    // The right secret on another path: unknown.
    let client = reqwest::Client::new();
    let elsewhere = client
        .post(format!("{base}/telegram/{}", "0".repeat(32)))
        .header("X-Telegram-Bot-Api-Secret-Token", &secret)
        .body("{}")
        .send()
        .await
        .expect("an answer");
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    // A later update to another chat is answered; by then the refused ones would have been too.
    tg.send_text(Chat::private(11), User::new(11, "Li").lang("en"), "/help");
    assert_eq!(tg.deliver_pending_via_webhook().await, Ok(vec![StatusCode::OK]));
    assert_eq!(tg.wait_for_messages(11, 1, WAIT).await.len(), 1);
    for chat in [8, 9, 10] {
        assert!(tg.messages_to(chat).is_empty(), "chat {chat}: a refused update was dispatched");
    }

    let (status, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(total(&metrics, "kuaidi_telegram_webhook_rejected_total") >= 3.0, "{metrics}");
    assert!(total(&metrics, "kuaidi_telegram_webhook_updates_total") >= 3.0, "{metrics}");
    assert!(metrics.contains(r#"route="/telegram/{*rest}""#), "latency by route pattern:\n{metrics}");
    assert_no_secrets("/metrics", &metrics, &webhook);

    assert!(tg.requests_to("getUpdates").is_empty(), "no getUpdates in webhook mode");
    assert_eq!(stop(child).await, Some(0), "clean exit");
    assert_eq!(tg.webhook(), Some(webhook.clone()), "the webhook stays set: another replica may serve it");
    assert!(tg.requests_to("deleteWebhook").is_empty());
    assert_no_secrets("the webhook-mode log", &log_text(&log), &webhook);

    // Without PUBLIC_URL: the webhook is deleted first, then long polling (never a 409).
    let log = dir.path().join("polling.log");
    let child = bot(dir.path(), &tg, "off", None, &log).spawn().expect("bot starts");
    tg.send_text(Chat::private(7), User::new(7, "Wang").lang("zh"), "/help");
    assert_eq!(tg.wait_for_messages(7, 3, WAIT).await.len(), 3, "answered through long polling");
    assert_eq!(tg.webhook(), None);
    let methods: Vec<(String, u16)> = tg.requests().into_iter().map(|r| (r.method, r.status)).collect();
    let deleted = methods.iter().position(|(m, _)| m == "deleteWebhook").expect("deleteWebhook");
    let polled = methods.iter().position(|(m, _)| m == "getUpdates").expect("getUpdates");
    assert!(deleted < polled, "{methods:?}");
    assert!(methods.iter().all(|(_, status)| *status != 409), "{methods:?}");
    let mut polled_for = tg.allowed_updates().expect("allowed_updates");
    polled_for.sort();
    assert_eq!(polled_for, allowed, "both modes ask for the same update kinds");
    assert_eq!(stop(child).await, Some(0));
    assert_no_secrets("the polling log", &log_text(&log), &webhook);
}

#[tokio::test]
async fn replicas_register_the_same_webhook_and_either_accepts_an_update() {
    let tg = FakeTelegram::start().await;
    let (dir_a, dir_b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    let (addr_a, addr_b) = (free_addr(), free_addr());
    // One public address (a load balancer, here replica A) in front of both.
    let public = format!("http://{addr_a}");
    let (log_a, log_b) = (dir_a.path().join("a.log"), dir_b.path().join("b.log"));
    let a = bot(dir_a.path(), &tg, &addr_a.to_string(), Some(&public), &log_a).spawn().expect("replica A starts");
    let b = bot(dir_b.path(), &tg, &addr_b.to_string(), Some(&public), &log_b).spawn().expect("replica B starts");
    wait_ready(&public).await;
    wait_ready(&format!("http://{addr_b}")).await;
    let calls = tg.wait_for_requests("setWebhook", 2, WAIT).await;
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].params, calls[1].params, "the same URL, secret and update kinds from both");
    let webhook = tg.webhook().expect("a webhook");

    // The balancer sends this one to replica B: same path, same secret, accepted there.
    tg.send_text(Chat::private(21), User::new(21, "Chen").lang("zh"), "/help");
    let update = tg.take_updates().pop().expect("the update");
    let path = webhook.url.strip_prefix(&public).expect("under PUBLIC_URL");
    let secret = webhook.secret_token.clone().expect("a secret");
    let response = reqwest::Client::new()
        .post(format!("http://{addr_b}{path}"))
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .header("content-type", "application/json")
        .body(update.to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(tg.wait_for_messages(21, 1, WAIT).await.len(), 1, "replica B answered");
    // And the next one reaches A through the registered URL.
    tg.send_text(Chat::private(22), User::new(22, "Zhou").lang("zh"), "/help");
    assert_eq!(tg.deliver_pending_via_webhook().await, Ok(vec![StatusCode::OK]));
    assert_eq!(tg.wait_for_messages(22, 1, WAIT).await.len(), 1, "replica A answered");

    assert_eq!(stop(a).await, Some(0));
    assert_eq!(stop(b).await, Some(0));
    assert!(tg.requests_to("getUpdates").is_empty());
    assert_no_secrets("replica A's log", &log_text(&log_a), &webhook);
    assert_no_secrets("replica B's log", &log_text(&log_b), &webhook);
}

#[tokio::test]
async fn a_webhook_telegram_refuses_fails_start_up_naming_public_url() {
    let tg = FakeTelegram::start().await;
    tg.refuse_webhooks(Some("Failed to resolve host: Name or service not known"));
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = free_addr();
    let public = format!("http://{addr}");
    let log = dir.path().join("refused.log");
    let started = std::time::Instant::now();
    // Spawned and awaited, not `status()`: the fake answers on this test's runtime.
    let child = bot(dir.path(), &tg, &addr.to_string(), Some(&public), &log).spawn().expect("runs");
    let code = exit_code(child).await;
    let stderr = log_text(&log);
    assert_eq!(code, Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains("PUBLIC_URL") && last.contains(&public) && last.contains("Failed to resolve host"), "{last}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let attempts = tg.requests_to("setWebhook");
    assert!(attempts.len() > 1, "tried again: {}", attempts.len());
    assert!(started.elapsed() < WAIT, "gave up in a few seconds");
    let secret = attempts[0].params["secret_token"].as_str().unwrap_or_default().to_owned();
    let url = attempts[0].params["url"].as_str().unwrap_or_default().to_owned();
    let tried = WebhookSetting {
        url,
        secret_token: Some(secret),
        allowed_updates: None,
        drop_pending_updates: false,
        max_connections: None,
    };
    assert_no_secrets("the start-up error", &stderr, &tried);
    assert!(tg.requests_to("getUpdates").is_empty());
}

#[tokio::test]
async fn webhook_mode_without_the_http_server_is_a_start_up_error() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("off.log");
    let child = bot(dir.path(), &tg, "off", Some("https://bot.example.com"), &log).spawn().expect("runs");
    let code = exit_code(child).await;
    let stderr = log_text(&log);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("HTTP_ADDR") && stderr.contains("PUBLIC_URL"), "{stderr}");
    assert!(tg.requests().is_empty(), "nothing was sent to Telegram");
}

#[tokio::test]
async fn a_second_long_poller_on_one_postgres_waits_as_a_standby_and_takes_over() {
    let Some(database) = kuaidi_test_support::store::postgres().await else { return };
    let tg = FakeTelegram::start().await;
    let (dir_a, dir_b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    let (addr_a, addr_b) = (free_addr(), free_addr());
    let (log_a, log_b) = (dir_a.path().join("a.log"), dir_b.path().join("b.log"));
    let replica = |dir: &Path, addr: SocketAddr, log: &Path| {
        let mut command = bot(dir, &tg, &addr.to_string(), None, log);
        command.env("DATABASE_URL", &database.url);
        command.spawn().expect("a replica starts")
    };
    let a = replica(dir_a.path(), addr_a, &log_a);
    wait_ready(&format!("http://{addr_a}")).await;
    let b = replica(dir_b.path(), addr_b, &log_b);
    let said = tg.wait_for(WAIT, |_| log_text(&log_b).contains("already long polling this bot").then_some(())).await;
    assert!(said.is_some(), "the standby says why it waits:\n{}", log_text(&log_b));
    let (status, _) = get(&format!("http://{addr_b}/readyz")).await;
    assert_eq!(status, 503, "the standby is not ready");

    // Only the first polls: the standby never calls getUpdates while it waits.
    tg.send_text(Chat::private(21), User::new(21, "Wang").lang("zh"), "/help");
    assert_eq!(tg.wait_for_messages(21, 1, WAIT).await.len(), 1, "the first replica answers");
    assert_eq!(stop(a).await, Some(0));
    wait_ready(&format!("http://{addr_b}")).await;
    assert!(log_text(&log_b).contains("now long-polls"), "{}", log_text(&log_b));
    tg.send_text(Chat::private(21), User::new(21, "Wang").lang("zh"), "/help");
    assert_eq!(tg.wait_for_messages(21, 2, WAIT).await.len(), 2, "the standby took over");
    assert!(tg.requests().iter().all(|request| request.status != 409), "never two long pollers at once");
    assert_eq!(stop(b).await, Some(0));
}
