//! The real binary as a bot: start-up checks, and a clean stop on SIGTERM and SIGINT.

use std::process::{Command, Stdio};
use std::time::Duration;

use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");

fn command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", format!("sqlite://{}/bot.db", dir.display()))
        .env("RUST_LOG", "warn")
        // Any free port: tests run side by side, and 8080 may be anyone's.
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("TELOXIDE_API_URL")
        .env_remove("KUAIDI100_CUSTOMER")
        .env_remove("KUAIDI100_KEY")
        .stdin(Stdio::null());
    command
}

#[test]
fn without_a_token_run_exits_2_with_one_clear_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [&["run"][..], &[][..]] {
        let output = command(dir.path(), args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("TELOXIDE_TOKEN is not set"), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

#[tokio::test]
async fn a_rejected_token_fails_start_up_clearly() {
    let tg = FakeTelegram::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let output = command(dir.path(), &["run"])
        .env("TELOXIDE_TOKEN", "999:WRONG")
        .env("TELOXIDE_API_URL", tg.api_url())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("getMe failed"), "{stderr}");
}

#[tokio::test]
async fn sigterm_and_sigint_stop_the_bot_cleanly() {
    for signal in ["-TERM", "-INT"] {
        let tg = FakeTelegram::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = command(dir.path(), &["run"])
            .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
            .env("TELOXIDE_API_URL", tg.api_url())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bot starts");
        // It answers before being stopped: the process is really up and polling.
        let user = User::new(7, "Wang").lang("zh");
        tg.send_text(Chat::private(7), user, "/help");
        let replies = tg.wait_for_messages(7, 1, Duration::from_secs(20)).await;
        assert_eq!(replies.len(), 1, "the bot answered /help");
        let pid = child.id().to_string();
        Command::new("kill").args([signal, &pid]).status().expect("kill runs");
        let deadline = std::time::Instant::now() + Duration::from_secs(25);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "{signal}: the bot did not stop");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(status.code(), Some(0), "{signal}: clean exit");
    }
}
