//! The tracking page in headless Chromium: this test serves the page in sandbox mode on loopback and
//! runs `tests/browser/page.test.mjs` (playwright-core driving Debian's `chromium`) against it, so
//! that `cargo test --workspace` stays the one command. The script's scenarios, its check that every
//! request goes to the page's own origin, and its screenshots (under `target/page-screenshots/`) are
//! described at its top.
//!
//! Needs `chromium` (or `KUAIDI_CHROMIUM`, a path) and `node`/`npm` on the machine; `npm ci` is run
//! here when `tests/browser/node_modules` is missing. Without them the test prints a `SKIPPED …`
//! line and passes — unless `KUAIDI_TEST_REQUIRE_POSTGRES` is set, as in CI (`.ci/chromium`
//! installs the browser there), where anything missing is a failure. `KUAIDI_README_SCREENSHOT=path`
//! also writes the picture the README shows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use kuaidi_test_support::page::ServedPage;
use tokio::process::Command;

/// The whole browser run, browser start included (it takes about 10 s here).
const BROWSER_RUN_LIMIT: Duration = Duration::from_secs(90);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// `target/` of this build: the test binary lives in `target/<profile>/deps/`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The first `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// Missing tools: skipped with a line saying so, or a failure where the test must run (CI).
fn missing(what: &str) {
    if std::env::var_os("KUAIDI_TEST_REQUIRE_POSTGRES").is_some() {
        panic!("the browser test must run here (KUAIDI_TEST_REQUIRE_POSTGRES is set), but {what}");
    }
    // Straight to stderr, past the test harness's capture, so that a skip is always seen.
    let _ =
        writeln!(std::io::stderr(), "SKIPPED page_browser: {what} (install chromium and node, or run .ci/chromium)");
}

/// `npm ci` in `tests/browser` unless playwright-core is there already; `Err` says why it is not.
async fn playwright(npm: &Path) -> Result<(), String> {
    let dir = browser_dir();
    if dir.join("node_modules/playwright-core/package.json").is_file() {
        return Ok(());
    }
    let output = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|error| format!("npm could not be started: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("`npm ci` in tests/browser failed: {}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_in_headless_chromium() {
    let chromium = std::env::var_os("KUAIDI_CHROMIUM").map(PathBuf::from).or_else(|| on_path("chromium"));
    let (Some(chromium), Some(node), Some(npm)) = (chromium, on_path("node"), on_path("npm")) else {
        return missing("chromium, node or npm is not installed");
    };
    if let Err(why) = playwright(&npm).await {
        return missing(&why);
    }

    let page = ServedPage::start(&[("API_RATE_LIMIT", "1000/min")], Some("kuaidi_test_bot")).await;
    let screenshots = target_dir().join("page-screenshots");
    let profiles = tempfile::tempdir().expect("a directory for fresh browser profiles");
    let mut script = Command::new(node);
    script
        .arg(browser_dir().join("page.test.mjs"))
        .current_dir(browser_dir())
        .env("BASE_URL", &page.base)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        .env("PROFILE_DIR", profiles.path())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some(path) = std::env::var_os("KUAIDI_README_SCREENSHOT") {
        script.env("README_SCREENSHOT", path);
    }
    let output = tokio::time::timeout(BROWSER_RUN_LIMIT, script.output())
        .await
        .expect("the browser run finishes in time")
        .expect("node starts");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(output.status.success(), "the browser scenarios failed:\n{stdout}\n{stderr}");
    assert!(screenshots.join("01-timeline-zh.png").is_file(), "screenshots are written");
    page.stop().await;
}
