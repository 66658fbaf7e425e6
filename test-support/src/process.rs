//! The real binary under test: `kuaidi-bot run` set up the way the end-to-end tests start it, and a
//! plain HTTP GET for its server.
//!
//! Why here: `tests/http.rs` and `tests/webhook.rs` both start the binary against the fake Bot API and
//! read its HTTP server; one definition keeps them alike (sandbox mode, a database in the test's own
//! directory, no `PUBLIC_URL` or Kuaidi100 credentials leaking in from the developer's environment).
//! The binary's path is the caller's (`env!("CARGO_BIN_EXE_kuaidi-bot")` exists only in the root
//! package's tests).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::fake_telegram::FakeTelegram;

/// `bin run` in `dir` (its database `dir/bot.db`), talking to `tg`, serving HTTP on `http_addr`, in
/// sandbox mode, stdin closed. Callers add logging, `PUBLIC_URL`, `WATCH_MODE` and output handling.
pub fn bot_run(bin: &str, dir: &Path, tg: &FakeTelegram, http_addr: &str) -> Command {
    let mut command = Command::new(bin);
    command
        .arg("run")
        .current_dir(dir)
        .env("DATABASE_URL", format!("sqlite://{}/bot.db", dir.display()))
        .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
        .env("TELOXIDE_API_URL", tg.api_url())
        .env("HTTP_ADDR", http_addr)
        .env_remove("PUBLIC_URL")
        .env_remove("KUAIDI100_CUSTOMER")
        .env_remove("KUAIDI100_KEY")
        .stdin(Stdio::null());
    command
}

/// GET `url`: its status and body, or status 0 and the error when nothing answered.
pub async fn http_get(url: &str) -> (u16, String) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(15)).build() {
        Ok(client) => client,
        Err(error) => return (0, error.to_string()),
    };
    match client.get(url).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
        Err(error) => (0, error.to_string()),
    }
}

/// A loopback address free a moment ago (bound, learnt, released): the binary binds it next.
pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

/// SIGTERM, then the exit code, waited for without blocking the runtime the fakes run on; the child
/// is killed and the test fails if it has not stopped within `wait`.
pub async fn stop(mut child: Child, wait: Duration) -> Option<i32> {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + wait;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the bot did not stop");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
