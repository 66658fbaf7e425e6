//! The real binary end to end: `kuaidi-bot query` in text and JSON, bad input, upstream errors, and the
//! floor kept across two processes sharing a database and a stand-alone `kuaidi-bot sandbox`.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");

/// A scratch directory (the working directory, so no `.env` is picked up) with its own database.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("kuaidi-bot-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(&self.dir)
            .env("DATABASE_URL", format!("sqlite://{}/bot.db", self.dir.display()));
        for variable in [
            "KUAIDI100_CUSTOMER",
            "KUAIDI100_KEY",
            "KUAIDI100_API_URL",
            "KUAIDI100_AUTONUMBER_URL",
            "DEFAULT_LANG",
            "QUERY_MIN_INTERVAL",
        ] {
            command.env_remove(variable);
        }
        command.env("RUST_LOG", "warn");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("binary runs")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn query_prints_a_trajectory_from_the_simulator() {
    let scratch = Scratch::new("text");
    let output = scratch.run(&["query", "圆通", "YT9693083639795"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("圆通速递 (yuantong) YT9693083639795"), "{stdout}");
    assert!(stdout.contains("状态: "), "{stdout}");
    assert!(stdout.contains("沙盒数据"), "every answer says it is sandbox data: {stdout}");
    assert!(stdout.lines().filter(|line| line.starts_with("20")).count() >= 3, "trajectory lines: {stdout}");
    assert!(stderr.contains("沙盒模式"), "{stderr}");
}

#[test]
fn english_output_uses_english_state_names() {
    let scratch = Scratch::new("english");
    let output = scratch.run(&["query", "yto", "YT9693083639796", "--lang", "en"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("YTO Express (yuantong) YT9693083639796"), "{stdout}");
    let state_line = stdout.lines().nth(1).expect("state line");
    assert!(state_line.starts_with("State: "), "{state_line}");
    let english_states = kuaidi_bot::kuaidi100::state::STATES.iter().map(|state| state.name_en);
    assert!(english_states.clone().any(|name| state_line.contains(name)), "{state_line}");
    assert!(stdout.contains("sandbox data"));
}

#[test]
fn json_output_is_a_normalized_document() {
    let scratch = Scratch::new("json");
    let output = scratch.run(&["query", "YT9693083639797", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(document["courier"]["code"], "yuantong", "detected from the number");
    assert_eq!(document["number"], "YT9693083639797");
    assert_eq!(document["sandbox"], true);
    assert_eq!(document["freshness"], "fresh");
    assert!(document["state"]["name"].is_string());
    let events = document["events"].as_array().expect("events");
    assert!(!events.is_empty());
    assert!(events.iter().all(|event| event["time"].is_string() && event["context"].is_string()));
}

#[test]
fn query_shows_times_in_the_zone_asked_for_and_names_it() {
    let scratch = Scratch::new("zones");
    let beijing = text(&scratch.run(&["query", "yto", "YT9693083639798", "--lang", "en", "--json"]).stdout);
    let document: serde_json::Value = serde_json::from_str(&beijing).expect("stdout is JSON");
    assert!(document.get("zone").is_none(), "without --tz the document is as it always was");
    let written = document["events"][0]["time"].as_str().expect("a time").to_owned();
    let wall = chrono::NaiveDateTime::parse_from_str(&written, "%Y-%m-%d %H:%M:%S").expect("Kuaidi100's format");
    let at = chrono::TimeZone::from_local_datetime(&chrono_tz::Asia::Shanghai, &wall).single().expect("a time");

    let plain = text(&scratch.run(&["query", "yto", "YT9693083639798", "--lang", "en"]).stdout);
    assert!(plain.contains(&at.format("%Y-%m-%d %H:%M  ").to_string()), "Beijing by default: {plain}");
    assert!(plain.contains("🕓 Times: Beijing time"), "{plain}");
    assert!(plain.contains("(Beijing time)"), "the next update says its zone: {plain}");

    let berlin =
        text(&scratch.run(&["query", "yto", "YT9693083639798", "--lang", "en", "--tz", "Europe/Berlin"]).stdout);
    let shifted = at.with_timezone(&chrono_tz::Europe::Berlin).format("%Y-%m-%d %H:%M  ").to_string();
    assert!(berlin.contains(&shifted), "{shifted:?} in {berlin}");
    assert!(berlin.contains("🕓 Times: Europe/Berlin") && berlin.contains("(Europe/Berlin)"), "{berlin}");

    let json = scratch.run(&["query", "yto", "YT9693083639798", "--tz", "UTC+1", "--json"]);
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is JSON");
    assert_eq!(document["zone"], "UTC+01:00");
    assert!(document["events"][0]["local_time"].as_str().is_some_and(|t| t.ends_with("+01:00")), "{document}");

    let refused = scratch.run(&["query", "yto", "YT9693083639798", "--tz", "Mars/Olympus", "--lang", "en"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("--tz Europe/Berlin"), "{}", text(&refused.stderr));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let scratch = Scratch::new("bad");
    let cases: [(&[&str], &str); 4] = [
        (&["query", "yuantong", "12", "--lang", "en"], "at least 6"),
        (&["query", "yuantog", "YT9693083639795", "--lang", "en"], "yuantong"),
        (&["query", "shunfeng", "SF1234567890123", "--lang", "en"], "last 4 digits"),
        (&["query", "顺丰", "SF1234567890123"], "后 4 位"),
    ];
    for (args, expected) in cases {
        let output = scratch.run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn an_upstream_error_exits_3() {
    let scratch = Scratch::new("busy");
    let output = scratch.run(&["query", "yto", "ERR5020001", "--lang", "en"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("502") && stderr.contains("服务器繁忙"), "{stderr}");
    assert!(stderr.contains("try again later"), "{stderr}");
}

/// A stand-alone simulator process, killed on drop.
struct SandboxProcess {
    child: Child,
    url: String,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox(scratch: &Scratch) -> SandboxProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let listen = format!("127.0.0.1:{port}");
    let child = scratch
        .command(&["sandbox", "--listen", &listen])
        .env("KUAIDI100_CUSTOMER", "CLITESTCUSTOMER")
        .env("KUAIDI100_KEY", "cli-test-key")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox starts");
    let process = SandboxProcess { child, url: format!("http://{listen}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&listen).is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    process
}

fn sandbox_stats(url: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        reqwest::get(format!("{url}/sandbox/stats")).await.expect("stats").json().await.expect("stats JSON")
    })
}

#[test]
fn two_processes_inside_the_floor_make_one_upstream_query() {
    let scratch = Scratch::new("floor");
    let sandbox = start_sandbox(&scratch);
    let query = || {
        scratch
            .command(&["query", "zto", "73100000000018", "--phone", "13812345678", "--json"])
            .env("KUAIDI100_CUSTOMER", "CLITESTCUSTOMER")
            .env("KUAIDI100_KEY", "cli-test-key")
            .env("KUAIDI100_API_URL", &sandbox.url)
            .output()
            .expect("binary runs")
    };
    let first = query();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let second = query();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    let second: serde_json::Value = serde_json::from_slice(&second.stdout).expect("JSON");
    assert_eq!(first["freshness"], "fresh");
    assert_eq!(first["sandbox"], false, "real credentials were given");
    assert_eq!(second["freshness"], "cached", "the second run says its data is not fresh");
    assert_eq!(second["fetched_at"], first["fetched_at"]);
    let stats = sandbox_stats(&sandbox.url);
    assert_eq!(stats["total_queries"], 1, "{stats}");
    assert_eq!(stats["lock_violations"], 0, "{stats}");
    let stored = std::fs::read(scratch.dir.join("bot.db")).expect("database file");
    assert!(!stored.windows(11).any(|window| window == b"13812345678"), "only the last 4 digits are stored");
}

#[test]
fn a_chinese_answer_inside_the_floor_reads_in_english_for_lang_en_text_and_json() {
    let scratch = Scratch::new("langs");
    let sandbox = start_sandbox(&scratch);
    let query = |args: &[&str]| {
        let mut all = vec!["query", "yto", "YT9693083639799"];
        all.extend(args);
        scratch
            .command(&all)
            .env("KUAIDI100_CUSTOMER", "CLITESTCUSTOMER")
            .env("KUAIDI100_KEY", "cli-test-key")
            .env("KUAIDI100_API_URL", &sandbox.url)
            .output()
            .expect("binary runs")
    };
    let chinese = query(&["--lang", "zh"]);
    assert_eq!(chinese.status.code(), Some(0), "{}", text(&chinese.stderr));
    assert!(text(&chinese.stdout).contains("【"), "{}", text(&chinese.stdout));
    let english = query(&["--lang", "en"]);
    let printed = text(&english.stdout);
    let lines: Vec<&str> = printed.lines().skip(4).filter(|line| !line.is_empty()).collect();
    assert!(lines.len() >= 6, "{printed}");
    for line in &lines {
        assert!(!line.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)), "an English line: {line}");
    }
    let json = query(&["--lang", "en", "--json"]);
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!((document["lang"].as_str(), document["answer_lang"].as_str()), (Some("en"), Some("zh")));
    let events = document["events"].as_array().cloned().unwrap_or_default();
    assert!(!events.is_empty());
    for event in &events {
        assert!(event["context"].as_str().is_some_and(|c| c.contains('【')), "Kuaidi100's text kept: {event}");
        let shown = event["context_in_lang"].as_str().unwrap_or_default();
        assert!(shown.starts_with('[') && shown.is_ascii(), "{event}");
        assert!(event["place_in_lang"].as_str().is_some_and(str::is_ascii), "{event}");
        assert_eq!(event["context_original"], false);
    }
    assert_eq!(sandbox_stats(&sandbox.url)["total_queries"], 1, "one query for both languages");
}

#[test]
fn the_console_talks_like_the_bot() {
    use std::io::Write;
    let scratch = Scratch::new("console");
    let mut child = scratch
        .command(&["console"])
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("console starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all("/help\nYT9693083639795\n1\n/track 顺丰 SF1234567890123\n5678\n".as_bytes()).expect("typed");
    drop(stdin);
    let output = child.wait_with_output().expect("console ends at end of input");
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("/track [courier] number"), "help in English: {stdout}");
    assert!(stdout.contains("YTO Express · YT9693083639795"), "a parcel reply as plain text: {stdout}");
    assert!(!stdout.contains("<b>"), "no HTML tags on a terminal");
    assert!(stdout.contains("[1] 🔄 Refresh"), "buttons are numbered: {stdout}");
    assert!(stdout.contains("» No newer data yet"), "pressing 1 refreshed inside the floor: {stdout}");
    assert!(stdout.contains("last 4 digits") && stdout.contains("SF Express · SF1234567890123"), "{stdout}");
}

#[test]
fn the_console_shows_times_in_the_chats_zone_and_forgets() {
    use std::io::Write;
    let scratch = Scratch::new("console-zone");
    let mut child = scratch
        .command(&["console"])
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("console starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"YT9693083639795\n/tz Europe/Berlin\n/track yto YT9693083639795\n/forget\n1\n").expect("typed");
    drop(stdin);
    let output = child.wait_with_output().expect("console ends at end of input");
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", text(&output.stderr));
    let (before, after) = stdout.split_once("now shown in Europe/Berlin").unwrap_or_else(|| panic!("{stdout}"));
    assert!(before.contains("🕓 Times: Beijing time"), "{stdout}");
    assert!(after.contains("🕓 Times: Europe/Berlin"), "{stdout}");
    assert!(after.contains("Delete everything") && after.contains("Done: everything this bot held"), "{stdout}");
}
