//! Storage faults, with the real binary against the fake Bot API and its built-in simulator: a
//! database unreachable at start (one clear line, exit code 1, no password shown), PostgreSQL lost
//! while the bot runs (replies say the database is unavailable, nothing panics, everything resumes
//! when it is back, no subscription lost), a full disk under SQLite (the same), and an upgrade from
//! a database made by an earlier release (`tests/fixtures/upgrade/`, made by `main` before issue 16:
//! migrations run forward and keep every row; a database from a newer release is refused).

use std::net::ToSocketAddrs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};
use kuaidi_test_support::process::{bot_run, free_addr, http_get, stop};
use kuaidi_test_support::store as test_store;
use kuaidi_test_support::tcp_cut::TcpCut;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const WAIT: Duration = Duration::from_secs(30);

/// `kuaidi-bot run` on `database_url`, long polling `tg`, logging into `dir/bot.log`.
fn bot(dir: &Path, tg: &FakeTelegram, database_url: &str, http_addr: &str) -> Command {
    let mut command = bot_run(BIN, dir, tg, http_addr);
    command
        .env("DATABASE_URL", database_url)
        .env("WATCH_MODE", "poll")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("bot.log")).expect("log file"));
    command
}

/// Sends `text` and returns the bot's next message to the chat.
async fn ask(tg: &FakeTelegram, chat: Chat, from: &User, text: &str) -> String {
    let before = tg.messages_to(chat.id).len();
    tg.send_text(chat, from.clone(), text);
    let messages = tg.wait_for_messages(chat.id, before + 1, WAIT).await;
    assert!(messages.len() > before, "no answer to {text}");
    messages[before].text.clone()
}

fn log_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("bot.log")).unwrap_or_default()
}

#[tokio::test]
async fn a_database_unreachable_at_start_stops_the_bot_with_one_clear_line_and_exit_code_1() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let closed = free_addr();
    let cases = [
        format!("postgres://kuaidi:pw-LEAK-7@{closed}/kuaidi"),
        format!("sqlite://{}/no/such/dir/bot.db", dir.path().display()),
    ];
    for url in &cases {
        let started = Instant::now();
        let output = bot_run(BIN, dir.path(), &tg, "127.0.0.1:0")
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{url}: {stderr}");
        let last = stderr.trim().lines().last().unwrap_or_default();
        assert!(last.starts_with("kuaidi-bot: cannot open the database (DATABASE_URL"), "{url}: {stderr}");
        assert!(!stderr.contains("pw-LEAK-7") && !stderr.contains("panicked"), "{url}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(20), "{url}: gave up after {:?}", started.elapsed());
    }
    assert!(tg.requests_to("getUpdates").is_empty(), "nothing was started");
}

#[tokio::test]
async fn postgres_lost_while_running_degrades_replies_and_everything_resumes_when_it_is_back() {
    let Some(test) = test_store::postgres().await else { return };
    let mut url = reqwest::Url::parse(&test.url).expect("a URL");
    let target = (url.host_str().unwrap_or("127.0.0.1"), url.port().unwrap_or(5432))
        .to_socket_addrs()
        .expect("resolves")
        .next()
        .expect("an address");
    let proxy = TcpCut::start(target).await.expect("proxy");
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.addr().port())).expect("port");

    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = free_addr();
    let child = bot(dir.path(), &tg, url.as_str(), &addr.to_string()).spawn().expect("starts");
    let ann = User::new(41, "Ann").lang("en");
    let chat = Chat::private(ann.id);
    let subscribed = ask(&tg, chat, &ann, "/sub yto YT9693083639790").await;
    assert!(subscribed.contains("Watching"), "{subscribed}");

    proxy.cut();
    let degraded = ask(&tg, chat, &ann, "/track yto YT9693083639795").await;
    assert!(degraded.contains("database is not available"), "{degraded}");
    let (status, _) = http_get(&format!("http://{addr}/readyz")).await;
    assert_eq!(status, 503, "not ready without the database");

    proxy.restore();
    let deadline = Instant::now() + WAIT;
    let mut back = ask(&tg, chat, &ann, "/track yto YT9693083639795").await;
    while !back.contains("YT9693083639795") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        back = ask(&tg, chat, &ann, "/track yto YT9693083639795").await;
    }
    assert!(back.contains("YT9693083639795") && !back.contains("database"), "{back}");
    let list = ask(&tg, chat, &ann, "/list").await;
    assert!(list.contains("YT9693083639790"), "the subscription survived: {list}");
    assert_eq!(http_get(&format!("http://{addr}/readyz")).await.0, 200);

    assert_eq!(stop(child, WAIT).await, Some(0), "clean exit");
    let log = log_of(dir.path());
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test]
async fn a_full_disk_under_sqlite_degrades_replies_and_everything_resumes_when_there_is_room() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).expect("mount point");
    let mounted =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"]).arg(&disk).status().expect("mount runs");
    assert!(mounted.success(), "this test mounts a 4 MB tmpfs and needs root (CI runs as root)");
    let _unmount = Unmount(disk.clone());

    let tg = FakeTelegram::start().await;
    let addr = free_addr();
    let url = format!("sqlite://{}/bot.db", disk.display());
    let child = bot(dir.path(), &tg, &url, &addr.to_string()).spawn().expect("starts");
    let ann = User::new(42, "Ann").lang("en");
    let chat = Chat::private(ann.id);
    let subscribed = ask(&tg, chat, &ann, "/sub yto YT9693083639790").await;
    assert!(subscribed.contains("Watching"), "{subscribed}");

    // Fill the disk to the last byte.
    let filler = disk.join("filler");
    let _ = Command::new("dd").arg("if=/dev/zero").arg(format!("of={}", filler.display())).arg("bs=4k").output();
    let degraded = ask(&tg, chat, &ann, "/sub yto YT9693083639780").await;
    assert!(degraded.contains("database is not available"), "{degraded}");

    std::fs::remove_file(&filler).expect("room again");
    let back = ask(&tg, chat, &ann, "/sub yto YT9693083639780").await;
    assert!(back.contains("Watching") && !back.contains("database"), "{back}\n{}", log_of(dir.path()));
    let list = ask(&tg, chat, &ann, "/list").await;
    assert!(list.contains("YT9693083639790") && list.contains("YT9693083639780"), "{list}");
    assert_eq!(stop(child, WAIT).await, Some(0), "clean exit");
    assert!(!log_of(dir.path()).contains("panicked"));
}

struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_database_from_the_last_release_is_migrated_forward_and_keeps_its_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade/main-before-issue-16.db");
    std::fs::copy(&fixture, dir.path().join("bot.db")).expect("the fixture");
    let tg = FakeTelegram::start().await;
    let addr = free_addr();
    let url = format!("sqlite://{}/bot.db", dir.path().display());
    let child = bot(dir.path(), &tg, &url, &addr.to_string()).spawn().expect("starts");
    // The fixture's console chat (id 1) watches two parcels, one with a label, and reads English.
    let me = User::new(1, "Me").lang("zh-hans");
    let list = ask(&tg, Chat::private(1), &me, "/list").await;
    assert!(list.contains("Parcels this chat watches"), "its language was kept: {list}");
    assert!(list.contains("YT9693083639790") && list.contains("YT9693083639780"), "{list}");
    assert!(list.contains("tea for mom"), "its label was kept: {list}");
    let track = ask(&tg, Chat::private(1), &me, "/track yto YT9693083639790").await;
    assert!(track.contains("YT9693083639790"), "{track}");
    assert_eq!(stop(child, WAIT).await, Some(0), "clean exit");
    assert!(!log_of(dir.path()).contains("panicked"));

    // A database a newer release migrated further is refused, not changed.
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101, 'from a newer release', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .expect("a newer migration");
    pool.close().await;
    let output = bot_run(BIN, dir.path(), &tg, "127.0.0.1:0").env("DATABASE_URL", &url).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("newer release") || stderr.contains("99990101"), "{stderr}");
}
