//! The console as a full adapter, on the real binary: it runs the watcher and the outbox, so a
//! subscription's pushes appear in the terminal as they happen; and it keeps its own database, so that
//! nothing typed in it is ever polled for, or sent to, a Telegram chat by a later `kuaidi-bot run`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::sandbox::{self, SandboxConfig};
use kuaidi_bot::store::Store;
use kuaidi_test_support::fake_telegram::FakeTelegram;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");

/// `kuaidi-bot console` in `dir` (its working directory: default database files land there, and no
/// `.env` is read), stdin piped, stdout read line by line on a thread.
fn console(dir: &std::path::Path, args: &[&str], env: &[(&str, String)]) -> (Child, ChildStdin, Receiver<String>) {
    let mut command = Command::new(BIN);
    command
        .arg("console")
        .args(args)
        .current_dir(dir)
        .env("LANG", "en_US.UTF-8")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("console.log")).map(Stdio::from).unwrap_or_else(|_| Stdio::null()));
    for variable in ["DATABASE_URL", "CONSOLE_DATABASE_URL", "KUAIDI100_CUSTOMER", "KUAIDI100_KEY", "TELOXIDE_TOKEN"] {
        command.env_remove(variable);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("console starts");
    let stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, received) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, stdin, received)
}

/// Reads lines until one satisfies `wanted`; returns it and everything read, or `None` at the deadline.
fn read_until(lines: &Receiver<String>, within: Duration, wanted: impl Fn(&str) -> bool) -> (Option<String>, String) {
    let deadline = Instant::now() + within;
    let mut seen = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                seen += &line;
                seen.push('\n');
                if wanted(&line) {
                    return (Some(line), seen);
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return (None, seen),
        }
    }
}

fn wait_for_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("status") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not stop within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_console_watches_a_parcel_and_prints_its_push() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One simulated hour per second: the 30-minute floor passes in half a second, and a parcel just
    // picked up (last digit 0) moves within seconds.
    let (mut child, mut stdin, lines) = console(dir.path(), &["--speed", "3600"], &[]);
    writeln!(stdin, "/sub yto YT9693083639790").expect("type");
    let (subscribed, seen) = read_until(&lines, Duration::from_secs(30), |line| line.contains("Watching this parcel"));
    assert!(subscribed.is_some(), "the /sub reply: {seen}");
    let (push, seen) =
        read_until(&lines, Duration::from_secs(90), |line| line.starts_with("🔔") && line.contains("YT9693083639790"));
    assert!(push.is_some(), "a push for the parcel appeared in the terminal; it printed:\n{seen}");
    drop(stdin);
    assert!(wait_for_exit(&mut child, Duration::from_secs(10)).success(), "end of input stops the console cleanly");
    assert!(dir.path().join("kuaidi-bot-console.db").exists(), "the console keeps its own database");
    assert!(!dir.path().join("kuaidi-bot.db").exists(), "and never touches the bot's");
}

#[test]
fn the_console_reads_numbers_out_of_a_pasted_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, mut stdin, lines) = console(dir.path(), &[], &[]);
    writeln!(stdin, "【淘宝】您的包裹已发货，圆通速递 YT9693083639795，点击查看").expect("type");
    let (tracked, seen) = read_until(&lines, Duration::from_secs(30), |line| line.contains("YT9693083639795"));
    assert!(tracked.is_some(), "the parcel's reply: {seen}");
    writeln!(stdin, "YT9693083639785 YT9693083639788").expect("type");
    let (second, seen) = read_until(&lines, Duration::from_secs(30), |line| line.contains("YT9693083639788"));
    assert!(second.is_some() && seen.contains("YT9693083639785"), "both parcels' replies: {seen}");
    drop(stdin);
    assert!(wait_for_exit(&mut child, Duration::from_secs(10)).success());
}

#[test]
fn in_hybrid_mode_the_simulator_pushes_to_the_consoles_own_callback_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("WATCH_MODE", "hybrid".to_owned()), ("RUST_LOG", "kuaidi_bot=debug".to_owned())];
    let (mut child, mut stdin, lines) = console(dir.path(), &["--speed", "3600"], &env);
    writeln!(stdin, "/sub yto YT9693083639790").expect("type");
    let (subscribed, seen) = read_until(&lines, Duration::from_secs(30), |line| line.contains("Watching this parcel"));
    assert!(subscribed.is_some(), "the /sub reply: {seen}");
    let (push, seen) =
        read_until(&lines, Duration::from_secs(90), |line| line.starts_with("🔔") && line.contains("YT9693083639790"));
    assert!(push.is_some(), "a notice for the parcel appeared in the terminal; it printed:\n{seen}");
    drop(stdin);
    assert!(wait_for_exit(&mut child, Duration::from_secs(10)).success());
    let log = std::fs::read_to_string(dir.path().join("console.log")).expect("the console's log");
    assert!(log.contains("watching with Kuaidi100 push subscriptions"), "{log}");
    assert!(log.contains("push taken in"), "a push reached the console's callback server: {log}");
}

#[test]
fn speeding_up_the_clock_is_refused_with_real_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let credentials = [("KUAIDI100_CUSTOMER", "CUSTOMER".to_owned()), ("KUAIDI100_KEY", "KEY".to_owned())];
    let (mut child, stdin, _lines) = console(dir.path(), &["--speed", "60"], &credentials);
    drop(stdin);
    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(2), "a faster clock would break Kuaidi100's lock rule");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_subscription_is_never_polled_or_sent_by_the_bot() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Kuaidi100's stand-in, shared by both processes, counts every query.
    let upstream = sandbox::spawn(SandboxConfig::new(sandbox::sandbox_credentials(), Arc::new(SystemClock)))
        .await
        .expect("simulator");
    let credentials = sandbox::sandbox_credentials();
    let env = vec![
        ("KUAIDI100_CUSTOMER", credentials.customer().to_owned()),
        ("KUAIDI100_KEY", credentials.key().to_owned()),
        ("KUAIDI100_API_URL", upstream.url.clone()),
        ("KUAIDI100_AUTONUMBER_URL", upstream.autonumber_url()),
        // A one-second floor: a parcel out for delivery (last digit 8) is due a second after /sub.
        ("QUERY_MIN_INTERVAL", "1s".to_owned()),
    ];
    let number = "YT9693083639798";

    let (mut child, mut stdin, lines) = console(dir.path(), &[], &env);
    writeln!(stdin, "/sub yto {number}").expect("type");
    let (subscribed, seen) = read_until(&lines, Duration::from_secs(30), |line| line.contains("Watching this parcel"));
    assert!(subscribed.is_some(), "the /sub reply: {seen}");
    drop(stdin);
    assert!(wait_for_exit(&mut child, Duration::from_secs(10)).success());
    let queries_by_console = upstream.sandbox.stats().total_queries;
    assert!(queries_by_console >= 1, "the console asked Kuaidi100 for /sub");

    // `kuaidi-bot run` in the same directory, on the same default database.
    let tg = FakeTelegram::start().await;
    let mut bot = Command::new(BIN);
    bot.arg("run")
        .current_dir(dir.path())
        .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
        .env("TELOXIDE_API_URL", tg.api_url())
        .env("RUST_LOG", "warn")
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .env_remove("CONSOLE_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in &env {
        bot.env(name, value);
    }
    let mut bot = bot.spawn().expect("bot starts");
    let polling = tg.wait_for_requests("getUpdates", 1, Duration::from_secs(30)).await;
    assert!(!polling.is_empty(), "the bot runs");
    // Several floors and watcher rounds: had the bot seen the subscription, it would have checked it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let _ = Command::new("kill").args(["-TERM", &bot.id().to_string()]).status();
    assert!(wait_for_exit(&mut bot, Duration::from_secs(10)).success());

    assert_eq!(upstream.sandbox.stats().total_queries, queries_by_console, "the bot made no upstream query for it");
    assert!(tg.sent_messages().is_empty(), "the bot sent nothing: {:?}", tg.sent_messages());
    let bots_db = format!("sqlite://{}/kuaidi-bot.db", dir.path().display());
    let consoles_db = format!("sqlite://{}/kuaidi-bot-console.db", dir.path().display());
    let bots = Store::connect(&bots_db).await.expect("the bot's database");
    assert!(bots.chat_subscriptions(1).await.expect("list").is_empty(), "no console chat in the bot's database");
    let consoles = Store::connect(&consoles_db).await.expect("the console's database");
    assert_eq!(consoles.chat_subscriptions(1).await.expect("list").len(), 1, "the console kept its subscription");
}
