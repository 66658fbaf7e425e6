//! The bot's HTTP server: health, readiness, metrics, and the limits on every route.
//!
//! Most tests run the real `app::run_bot_serving` against the fake Bot API, on a listener the test
//! binds itself on `127.0.0.1:0` (so the port is known and never taken); the last two run the real
//! binary: one with `HTTP_ADDR` on a port the test holds (a clear start-up error), one on a free port.
//! The store is made unreachable by putting a TCP proxy between the bot and PostgreSQL and cutting it.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kuaidi_bot::app::{self, Config, Engine};
use kuaidi_bot::clock::{Clock, ManualClock};
use kuaidi_bot::telegram::{BotOptions, TelegramError, default_limits};
use kuaidi_test_support::fake_telegram::{Chat, Failure, FakeTelegram, User};
use kuaidi_test_support::outbox::queue_one;
use kuaidi_test_support::process::{bot_run, http_get as get};
use kuaidi_test_support::sim::{self, start_time};
use kuaidi_test_support::store::{self as test_store, TestStore};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const WAIT: Duration = Duration::from_secs(20);

struct Served {
    tg: FakeTelegram,
    clock: ManualClock,
    engine: Arc<Engine>,
    base: String,
    stop: CancellationToken,
    task: Option<JoinHandle<Result<(), TelegramError>>>,
}

impl Served {
    /// The bot on `engine`, with its HTTP server on a loopback port of the test's choosing.
    async fn start(engine: Engine, clock: ManualClock) -> Self {
        let mut engine = engine;
        engine.watch.idle_poll = Duration::from_millis(20);
        let engine = Arc::new(engine);
        let tg = FakeTelegram::start().await;
        let options = BotOptions {
            token: FakeTelegram::TOKEN.to_owned(),
            api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
            pace: Some(default_limits()),
            shared_pace: None,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = CancellationToken::new();
        let task = tokio::spawn({
            let (engine, stop) = (engine.clone(), stop.clone());
            async move { app::run_bot_serving(&engine, options, Some(listener), stop).await }
        });
        Self { tg, clock, engine, base, stop, task: Some(task) }
    }

    async fn sandbox(store: &TestStore) -> Self {
        let clock = ManualClock::new(start_time());
        let engine = sim::sandbox_engine(store, Arc::new(clock.clone()), &[]).await.expect("engine starts");
        Self::start(engine, clock).await
    }

    async fn get(&self, path: &str) -> (u16, String) {
        get(&format!("{}{path}", self.base)).await
    }

    /// Waits until `path` answers `status`; returns the last answer.
    async fn wait_for(&self, path: &str, status: u16) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let answer = self.get(path).await;
            if answer.0 == status || tokio::time::Instant::now() > deadline {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let outcome = tokio::time::timeout(WAIT, task).await.expect("the bot stops");
            outcome.expect("bot task").expect("bot ran cleanly");
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The value of one sample line (`name{labels} value`) of a Prometheus text, 0 if absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn healthz_and_readyz_once_telegram_was_reached() {
    let store = test_store::sqlite().await.expect("sqlite");
    let bot = Served::sandbox(&store).await;
    assert_eq!(bot.wait_for("/healthz", 200).await, (200, "ok".to_owned()));
    let ready = bot.wait_for("/readyz", 200).await;
    assert_eq!(ready, (200, "ok".to_owned()));
    assert!(!bot.tg.requests_to("getMe").is_empty(), "ready means getMe was answered");
    assert_eq!(bot.get("/nothing-here").await.0, 404);
    bot.stop().await;
}

#[tokio::test]
async fn readyz_is_503_until_telegram_answers() {
    let store = test_store::sqlite().await.expect("sqlite");
    let clock = ManualClock::new(start_time());
    let engine = sim::sandbox_engine(&store, Arc::new(clock.clone()), &[]).await.expect("engine starts");
    let engine = Arc::new(engine);
    // A "Telegram" that accepts connections and never answers: getMe hangs.
    let silent = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let silent_url = format!("http://{}/", silent.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let options = BotOptions {
        token: FakeTelegram::TOKEN.to_owned(),
        api_url: Some(reqwest::Url::parse(&silent_url).expect("url")),
        pace: Some(default_limits()),
        shared_pace: None,
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let stop = CancellationToken::new();
    let task = tokio::spawn({
        let (engine, stop) = (engine.clone(), stop.clone());
        async move { app::run_bot_serving(&engine, options, Some(listener), stop).await }
    });
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut health = get(&format!("{base}/healthz")).await;
    while health.0 != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        health = get(&format!("{base}/healthz")).await;
    }
    assert_eq!(health, (200, "ok".to_owned()), "alive while Telegram is being reached");
    assert_eq!(get(&format!("{base}/readyz")).await, (503, "telegram not reached yet".to_owned()));
    task.abort();
    held.abort();
    stop.cancel();
}

/// A TCP proxy in front of PostgreSQL that the test can cut (existing connections dropped, new ones
/// refused at once) and restore.
struct Proxy {
    addr: std::net::SocketAddr,
    down: Arc<AtomicBool>,
    cut: Arc<tokio::sync::Notify>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let addr = listener.local_addr().expect("addr");
        let down = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(tokio::sync::Notify::new());
        tokio::spawn({
            let (down, cut) = (down.clone(), cut.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if down.load(Ordering::SeqCst) {
                        drop(inbound);
                        continue;
                    }
                    let (upstream, cut) = (upstream.clone(), cut.clone());
                    tokio::spawn(async move {
                        let Ok(mut outbound) = TcpStream::connect(&upstream).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cut.notified() => {}
                        }
                    });
                }
            }
        });
        Self { addr, down, cut }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.notify_waiters();
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn readyz_is_503_while_the_store_is_unreachable_and_after_shutdown_starts() {
    let Some(store) = test_store::postgres().await else { return };
    let mut url = reqwest::Url::parse(&store.url).expect("a PostgreSQL URL");
    let upstream = format!("{}:{}", url.host_str().unwrap_or("127.0.0.1"), url.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.addr.port())).expect("port");
    let proxied = url.to_string();
    let clock = ManualClock::new(start_time());
    let config = Config::from_lookup(|name| (name == "DATABASE_URL").then(|| proxied.clone())).expect("config");
    let engine = Engine::start(config, Arc::new(clock.clone())).await.expect("engine on the proxied store");
    let bot = Served::start(engine, clock).await;
    assert_eq!(bot.wait_for("/readyz", 200).await, (200, "ok".to_owned()));

    proxy.cut();
    assert_eq!(bot.wait_for("/readyz", 503).await, (503, "store unreachable".to_owned()));
    assert_eq!(bot.get("/healthz").await, (200, "ok".to_owned()), "alive all the same");
    proxy.restore();
    assert_eq!(bot.wait_for("/readyz", 200).await, (200, "ok".to_owned()), "ready again");

    // Shutdown: unready at once, while the other tasks finish — here the reply to an update in hand,
    // which Telegram is slow to acknowledge (else an idle bot may be gone before the question arrives).
    bot.tg.set_answer_delay(Some(Duration::from_millis(1500)));
    bot.tg.send_text(Chat::private(1001), User::new(1001, "Li"), "/help");
    bot.tg.wait_for_requests("sendMessage", 1, WAIT).await;
    bot.stop.cancel();
    assert_eq!(bot.get("/readyz").await, (503, "shutting down".to_owned()), "after shutdown starts");
    bot.stop().await;
}

#[tokio::test]
async fn metrics_are_published_and_move() {
    let store = test_store::sqlite().await.expect("sqlite");
    let bot = Served::sandbox(&store).await;
    bot.wait_for("/readyz", 200).await;
    let (status, before) = bot.get("/metrics").await;
    assert_eq!(status, 200, "{before}");
    for name in [
        "kuaidi_upstream_queries_total",
        "kuaidi_cache_hits_total",
        "kuaidi_coalesced_total",
        "kuaidi_throttled_total",
        "kuaidi_active_subscriptions",
        "kuaidi_due_parcels",
        "kuaidi_outbox_depth",
        "kuaidi_http_request_duration_seconds",
        "kuaidi_upstream_down",
        "kuaidi_upstream_outages_total",
    ] {
        assert!(before.contains(&format!("# TYPE {name} ")), "{name} missing:\n{before}");
    }
    assert!(!before.contains(FakeTelegram::TOKEN), "no secret in the metrics");
    assert_eq!(sample(&before, "kuaidi_upstream_down"), 0.0, "Kuaidi100 is up");

    // A /track through Telegram asks Kuaidi100 once.
    let answered = r#"kuaidi_upstream_queries_total{outcome="answered"}"#;
    let chat = Chat::private(42);
    let user = User::new(42, "Li").lang("zh");
    bot.tg.send_text(chat, user, "/track yuantong YT9693083639795");
    let replies = bot.tg.wait_for_messages(42, 1, WAIT).await;
    assert_eq!(replies.len(), 1, "the bot answered /track");
    let (_, after_track) = bot.get("/metrics").await;
    assert!(sample(&after_track, answered) >= sample(&before, answered) + 1.0, "{after_track}");

    // A notice delivered is counted by result.
    let delivered = r#"kuaidi_notification_sends_total{result="delivered"}"#;
    queue_one(&bot.engine.store, 77, "YT9693083639001", "zh", bot.clock.now()).await;
    let sent = bot.tg.wait_for_messages(77, 1, WAIT).await;
    assert_eq!(sent.len(), 1, "the notice went out");
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut after = bot.get("/metrics").await.1;
    while sample(&after, delivered) < 1.0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = bot.get("/metrics").await.1;
    }
    assert!(sample(&after, delivered) >= 1.0, "{after}");
    assert!(sample(&after, "kuaidi_active_subscriptions") >= 1.0, "{after}");
    assert!(after.contains(r#"kuaidi_http_request_duration_seconds_bucket{method="GET",route="/metrics""#), "{after}");

    // A 429 on a reply is counted (and the reply still goes out, after the wait).
    let retry_after = r#"kuaidi_telegram_retry_after_total{kind="reply"}"#;
    let before_429 = sample(&after, retry_after);
    bot.tg.fail_chat(43, Failure::TooManyRequests { retry_after: 1, times: 1 });
    bot.tg.send_text(Chat::private(43), User::new(43, "Zhao").lang("zh"), "/help");
    let helped = bot.tg.wait_for_messages(43, 1, WAIT).await;
    assert_eq!(helped.len(), 1, "the reply went out after the wait");
    let (_, after_429) = bot.get("/metrics").await;
    assert!(sample(&after_429, retry_after) >= before_429 + 1.0, "{after_429}");
    bot.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_the_server_keeps_serving() {
    let store = test_store::sqlite().await.expect("sqlite");
    let bot = Served::sandbox(&store).await;
    bot.wait_for("/healthz", 200).await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz", "/metrics"] {
        let big = vec![b'x'; 65 * 1024];
        let response = client.get(format!("{}{path}", bot.base)).body(big).send().await.expect("an answer");
        assert_eq!(response.status().as_u16(), 413, "{path}");
    }
    assert_eq!(bot.get("/healthz").await, (200, "ok".to_owned()), "still serving");
    bot.stop().await;
}

fn binary(dir: &std::path::Path, tg: &FakeTelegram, http_addr: &str) -> Command {
    let mut command = bot_run(BIN, dir, tg, http_addr);
    command.env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn a_taken_port_is_a_start_up_error_naming_http_addr() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let output = binary(dir.path(), &tg, &addr).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP_ADDR") && stderr.contains(&addr), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let bad = binary(dir.path(), &tg, "everywhere").output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("HTTP_ADDR"));
}

#[tokio::test]
async fn the_binary_serves_health_and_readiness_on_http_addr() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    // A free port: bound, learnt, released (the binary binds it a moment later).
    let addr = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let mut child = binary(dir.path(), &tg, &addr.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bot starts");
    let base = format!("http://{addr}");
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut ready = get(&format!("{base}/readyz")).await;
    while ready.0 != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        ready = get(&format!("{base}/readyz")).await;
    }
    assert_eq!(ready, (200, "ok".to_owned()));
    assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok".to_owned()));
    let (status, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("kuaidi_upstream_queries_total") && !metrics.contains(FakeTelegram::TOKEN));
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "the bot did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0));
}

/// Waits (without blocking the runtime the fake Bot API runs on) for the child to exit.
async fn exit_of(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "the bot did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_http_addr_off_the_bot_runs_without_a_server() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = std::fs::File::create(dir.path().join("bot.log")).expect("log file");
    let mut child = binary(dir.path(), &tg, "off")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("bot starts");
    let chat = Chat::private(42);
    tg.send_text(chat, User::new(42, "Li").lang("en"), "/help");
    let replies = tg.wait_for_messages(chat.id, 1, WAIT).await;
    assert!(!replies.is_empty(), "the bot answers with no HTTP server: {:?}", tg.requests());
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert_eq!(exit_of(&mut child).await.code(), Some(0));
    let log = std::fs::read_to_string(dir.path().join("bot.log")).expect("log");
    assert!(log.contains("connected to Telegram"), "{log}");
    assert!(!log.contains("HTTP server listening"), "no server with HTTP_ADDR=off: {log}");
}

#[tokio::test]
async fn a_database_file_that_is_not_sqlite_stops_start_up_clearly() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bot.db"), vec![b'#'; 8192]).expect("a file that is not a database");
    let mut child =
        binary(dir.path(), &tg, "off").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("bot starts");
    let status = exit_of(&mut child).await;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn a_request_whose_body_never_comes_gets_408_after_the_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let store = test_store::sqlite().await.expect("sqlite");
    let bot = Served::sandbox(&store).await;
    bot.wait_for("/healthz", 200).await;
    let mut stream = TcpStream::connect(bot.base.trim_start_matches("http://")).await.expect("connect");
    let head = "POST /kuaidi100/push HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 1000\r\n\r\nparam=";
    stream.write_all(head.as_bytes()).await.expect("write");
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut answer)).await.expect("an answer");
    let answer = String::from_utf8_lossy(&answer[..read.expect("read")]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() >= Duration::from_secs(9), "the timeout is 10 s: {:?}", started.elapsed());
    assert_eq!(bot.get("/healthz").await, (200, "ok".to_owned()), "still serving");
    bot.stop().await;
}

#[tokio::test]
async fn the_binary_in_sandbox_hybrid_mode_subscribes_with_a_callback_to_itself() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    let mut child = binary(dir.path(), &tg, &addr.to_string())
        .env("WATCH_MODE", "hybrid")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bot starts");
    let chat = Chat::private(43);
    tg.send_text(chat, User::new(43, "Li").lang("zh-hans"), "/sub yto YT9693083639790");
    let replies = tg.wait_for_messages(chat.id, 1, WAIT).await;
    assert!(replies.first().is_some_and(|reply| reply.text.contains("已订阅")), "{replies:?}");
    let subscribed = r#"kuaidi_push_subscribe_total{outcome="subscribed"}"#;
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut metrics = get(&format!("http://{addr}/metrics")).await.1;
    while sample(&metrics, subscribed) < 1.0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        metrics = get(&format!("http://{addr}/metrics")).await.1;
    }
    assert_eq!(sample(&metrics, subscribed), 1.0, "one subscribe call, accepted by the simulator: {metrics}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert_eq!(exit_of(&mut child).await.code(), Some(0));
}
