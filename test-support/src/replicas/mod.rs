//! Several real `kuaidi-bot run` processes — replicas — sharing one PostgreSQL database, behind one
//! load balancer, against one fake Bot API and one Kuaidi100 simulator: production's shape, on loopback.
//!
//! What [`Replicas::start`] sets up, and why:
//! - A fresh database ([`FreshDatabase`]) that the replicas migrate themselves, all starting together.
//! - One Kuaidi100 simulator served in the test process over HTTP, on a clock [`SPEED`] times faster
//!   than real time, so parcels live their days in seconds. The replicas are not in sandbox mode:
//!   they hold the simulator's credentials, as they would a real account, and talk to it over
//!   `KUAIDI100_API_URL` — so the simulator's books ([`Sandbox::stats`]) are the one view of every
//!   upstream query all replicas made, and of every lock-rule violation.
//! - Its lock rule matches the replicas' real one: their floor is [`FLOOR`] of real time, which is
//!   `FLOOR × SPEED` simulated; the simulator counts a query as a violation when it comes less than
//!   `(FLOOR − LATENCY_ALLOWANCE) × SPEED` simulated after the previous one (the allowance covers the
//!   network between the replicas' clock, which decides, and the simulator's, which judges). Its daily
//!   cap stays Kuaidi100's 48 per simulated day: at one query per floor a parcel gets at most
//!   `24 h / (FLOOR × SPEED) + 1` = 7 queries in a simulated day.
//! - One fake Bot API; every replica runs in webhook mode with `PUBLIC_URL` the [`Balancer`], so each
//!   calls `setWebhook` with the same URL and the fake's `deliver_*_via_webhook` reach a replica
//!   through it, in turn.
//! - The binaries run at 09:00 Beijing on a Monday ([`Daytime`], libfaketime), with `RUST_LOG` at
//!   debug for the bot into one log file each; when a test panics the harness prints the end of every
//!   log and keeps the directory.
//! - Leases (`WATCH_LEASE`, `OUTBOX_LEASE`) are [`LEASE`], so that a killed replica's work is taken
//!   over within seconds.
//!
//! Without a reachable PostgreSQL [`Replicas::start`] prints a `SKIPPED …` line and returns `None`,
//! unless PostgreSQL is required (`store::postgres_required`), where it panics. A missing libfaketime
//! always panics, saying how to install it.

mod database;
mod daytime;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use kuaidi_bot::clock::ScaledClock;
use kuaidi_bot::sandbox::{self, Sandbox, SandboxConfig, SandboxHandle, sandbox_credentials};
use tokio::task::JoinSet;

pub use database::{EndedEarly, FreshDatabase, KEEP_VARIABLE};
pub use daytime::{Daytime, LIBRARY_VARIABLE};

use crate::balancer::Balancer;
use crate::fake_telegram::FakeTelegram;
use crate::process::http_get;
use crate::sim::start_time;
use crate::store::{postgres_base_url, postgres_required, unique_suffix};

/// The replicas' `QUERY_MIN_INTERVAL`.
pub const FLOOR: Duration = Duration::from_secs(2);
/// Simulated seconds per real second on the simulator: a simulated day in 12 real seconds.
pub const SPEED: f64 = 7200.0;
/// How much sooner than [`FLOOR`] a query may reach the simulator and still not count as a violation.
pub const LATENCY_ALLOWANCE: Duration = Duration::from_millis(500);
/// `WATCH_LEASE` and `OUTBOX_LEASE` of every replica.
pub const LEASE: &str = "5s";
/// How long a replica may take to become ready.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long a replica may take to stop after SIGTERM.
const STOP_WITHIN: Duration = Duration::from_secs(30);
/// Lines of each log printed when a test fails.
const TAIL_LINES: usize = 40;

struct Replica {
    addr: SocketAddr,
    child: Option<Child>,
    log: PathBuf,
}

/// The replicas and what they share. Dropping it kills what still runs, drops the database and
/// removes the logs (kept, and their ends printed, when the test is panicking).
pub struct Replicas {
    pub tg: FakeTelegram,
    pub sim: SandboxHandle,
    pub balancer: Balancer,
    pub db: FreshDatabase,
    replicas: Vec<Replica>,
    daytime: Daytime,
    dir: PathBuf,
}

impl Replicas {
    /// `count` replicas of `bin` (`env!("CARGO_BIN_EXE_kuaidi-bot")`), started together, each ready
    /// (`/readyz` 200) and its clock checked to be the faked one. `None`: no PostgreSQL, skipped.
    pub async fn start(bin: &str, count: usize) -> Option<Replicas> {
        let db = match FreshDatabase::create().await {
            Ok(db) => db,
            Err(error) if postgres_required() => {
                panic!("PostgreSQL at {} is required here but failed: {error}", postgres_base_url())
            }
            Err(error) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED this replicas test: PostgreSQL at {} is not usable ({error}); set TEST_POSTGRES_URL to run it",
                    postgres_base_url()
                );
                return None;
            }
        };
        let daytime = Daytime::starting_now().unwrap_or_else(|problem| panic!("{problem}"));
        let tg = FakeTelegram::start().await;
        let sim = sandbox::spawn(simulator_config()).await.expect("the simulator starts");
        let addrs: Vec<SocketAddr> = (0..count).map(|_| free_addr()).collect();
        let balancer = Balancer::start(&addrs).await.expect("the balancer starts");
        let dir = std::env::temp_dir().join(format!("kuaidi-replicas-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("a directory for the logs");
        let mut replicas = Replicas { tg, sim, balancer, db, replicas: Vec::new(), daytime, dir };
        for (index, addr) in addrs.into_iter().enumerate() {
            let log = replicas.dir.join(format!("replica-{index}.log"));
            let child = replicas.command(bin, addr, &log).spawn().expect("a replica starts");
            replicas.replicas.push(Replica { addr, child: Some(child), log });
        }
        for index in 0..count {
            replicas.wait_ready(index).await;
            replicas.assert_faked_clock(index);
        }
        Some(replicas)
    }

    /// `bin run` as replica on `addr`, logging into `log`; nothing from the test's environment leaks in.
    fn command(&self, bin: &str, addr: SocketAddr, log: &Path) -> Command {
        let credentials = sandbox_credentials();
        let log = std::fs::File::create(log).expect("a log file");
        let mut command = Command::new(bin);
        command
            .arg("run")
            .current_dir(&self.dir)
            .env_clear()
            .env("DATABASE_URL", &self.db.url)
            .env("TELOXIDE_TOKEN", FakeTelegram::TOKEN)
            .env("TELOXIDE_API_URL", self.tg.api_url())
            .env("HTTP_ADDR", addr.to_string())
            .env("PUBLIC_URL", self.balancer.url())
            .env("KUAIDI100_CUSTOMER", credentials.customer())
            .env("KUAIDI100_KEY", credentials.key())
            .env("KUAIDI100_API_URL", &self.sim.url)
            .env("KUAIDI100_AUTONUMBER_URL", self.sim.autonumber_url())
            .env("QUERY_MIN_INTERVAL", format!("{}s", FLOOR.as_secs()))
            .env("WATCH_MODE", "poll")
            .env("USER_RATE_LIMIT", "1000/min")
            .env("WATCH_LEASE", LEASE)
            .env("OUTBOX_LEASE", LEASE)
            .env("RUST_LOG", "info,kuaidi_bot=debug")
            .env("RUST_BACKTRACE", "1")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        self.daytime.apply(&mut command);
        command
    }

    /// What the replicas' (faked) clock shows now: the times they write in the database are on it.
    pub fn replicas_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.daytime.now()
    }

    /// How many replicas were started (killed ones included).
    pub fn len(&self) -> usize {
        self.replicas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replicas.is_empty()
    }

    /// The simulator every replica queries.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sim.sandbox
    }

    /// `http://ADDR` of replica `index`'s own HTTP server (health, readiness, metrics).
    pub fn base_url(&self, index: usize) -> String {
        format!("http://{}", self.replicas[index].addr)
    }

    /// Whether replica `index` is still running.
    pub fn is_running(&mut self, index: usize) -> bool {
        match self.replicas[index].child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// SIGKILL: the replica dies on the spot, with whatever it had in hand.
    pub fn kill(&mut self, index: usize) {
        if let Some(mut child) = self.replicas[index].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM to every replica still running, then each one's exit code (`None`: killed before, or
    /// ended by a signal). A replica that does not stop within 30 s is killed and the test fails.
    pub async fn stop_all(&mut self) -> Vec<Option<i32>> {
        for replica in &self.replicas {
            if let Some(child) = &replica.child {
                let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            }
        }
        let mut codes = Vec::new();
        for index in 0..self.replicas.len() {
            let Some(mut child) = self.replicas[index].child.take() else {
                codes.push(None);
                continue;
            };
            let deadline = Instant::now() + STOP_WITHIN;
            let code = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break status.code(),
                    Ok(None) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        panic!("replica {index} did not stop within {STOP_WITHIN:?} of SIGTERM");
                    }
                }
            };
            codes.push(code);
        }
        codes
    }

    /// Replica `index`'s `/metrics` (Prometheus text), `None` when it does not answer.
    pub async fn metrics(&self, index: usize) -> Option<String> {
        match http_get(&format!("{}/metrics", self.base_url(index))).await {
            (200, text) => Some(text),
            _ => None,
        }
    }

    /// [`metric_total`] of `name` with `labels` on each replica, `None` for one that does not answer.
    pub async fn metric_by_replica(&self, name: &str, labels: &[&str]) -> Vec<Option<f64>> {
        let mut values = Vec::new();
        for index in 0..self.replicas.len() {
            values.push(self.metrics(index).await.map(|text| metric_total(&text, name, labels)));
        }
        values
    }

    /// The same summed over the replicas that answer.
    pub async fn metric_sum(&self, name: &str, labels: &[&str]) -> f64 {
        self.metric_by_replica(name, labels).await.into_iter().flatten().fold(0.0, |total, value| total + value)
    }

    /// Delivers every pending update through the webhook at once, as Telegram does over several
    /// connections: the answers, in the order of the updates.
    pub async fn deliver_updates_at_once(&self) -> Vec<Result<StatusCode, String>> {
        let mut deliveries = JoinSet::new();
        for (position, update) in self.tg.take_updates().into_iter().enumerate() {
            let tg = self.tg.clone();
            deliveries.spawn(async move { (position, tg.deliver_via_webhook(&update).await) });
        }
        let mut answers = Vec::new();
        while let Some(done) = deliveries.join_next().await {
            answers.push(done.unwrap_or_else(|error| (usize::MAX, Err(error.to_string()))));
        }
        answers.sort_by_key(|(position, _)| *position);
        answers.into_iter().map(|(_, answer)| answer).collect()
    }

    /// Replica `index`'s log so far.
    pub fn log(&self, index: usize) -> String {
        std::fs::read_to_string(&self.replicas[index].log).unwrap_or_default()
    }

    /// The last `lines` lines of every replica's log, each under a heading.
    pub fn log_tails(&self, lines: usize) -> String {
        let mut tails = String::new();
        for index in 0..self.replicas.len() {
            let log = self.log(index);
            let all: Vec<&str> = log.lines().collect();
            let tail = &all[all.len().saturating_sub(lines)..];
            tails += &format!(
                "----- replica {index}: last {} lines of {} -----\n",
                tail.len(),
                self.replicas[index].log.display()
            );
            for line in tail {
                tails += line;
                tails.push('\n');
            }
        }
        tails
    }

    async fn wait_ready(&mut self, index: usize) {
        let url = format!("{}/readyz", self.base_url(index));
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            let answer = http_get(&url).await;
            if answer.0 == 200 {
                return;
            }
            if !self.is_running(index) {
                panic!("replica {index} exited before it was ready (its log is printed below)");
            }
            if Instant::now() > deadline {
                panic!("replica {index} not ready within {READY_WITHIN:?}: {answer:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The log's timestamps (tracing's, from the wall clock) show the faked day.
    fn assert_faked_clock(&self, index: usize) {
        let day = start_time().format("%Y-%m-%dT").to_string();
        let log = self.log(index);
        assert!(
            log.lines().any(|line| line.contains(&day)),
            "replica {index} does not run on the faked clock (no {day}… timestamp in its log; is libfaketime \
             preloaded?)"
        );
    }
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for index in 0..self.replicas.len() {
            self.kill(index);
        }
        if std::thread::panicking() {
            let _ = writeln!(
                std::io::stderr(),
                "{}----- the logs are kept in {} -----",
                self.log_tails(TAIL_LINES),
                self.dir.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The simulator of [`Replicas`], on a clock [`SPEED`] times real time, judging queries by the
/// replicas' floor (see the module doc).
fn simulator_config() -> SandboxConfig {
    let mut config = SandboxConfig::new(sandbox_credentials(), Arc::new(ScaledClock::new(SPEED)));
    let judged = (FLOOR - LATENCY_ALLOWANCE).as_secs_f64() * SPEED;
    config.lock_interval = chrono::Duration::seconds(judged as i64);
    config
}

fn free_addr() -> SocketAddr {
    // Bound, learnt, released: the replica binds it a moment later.
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

/// The sum of the samples of `name` in a Prometheus text whose labels include every one of `labels`
/// (each written `key="value"`); 0 when there is none.
pub fn metric_total(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.strip_prefix(name))
        .filter_map(|rest| match rest.strip_prefix('{') {
            Some(labelled) => labelled.split_once('}'),
            None => rest.starts_with(' ').then_some(("", rest)),
        })
        .filter(|(set, _)| labels.iter().all(|label| set.split(',').any(|pair| pair.trim() == *label)))
        .filter_map(|(_, value)| value.split_whitespace().next()?.parse::<f64>().ok())
        .fold(0.0, |total, value| total + value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_total_sums_the_matching_samples_only() {
        let text = "# HELP kuaidi_watch_checks_total checks\n\
                    # TYPE kuaidi_watch_checks_total counter\n\
                    kuaidi_watch_checks_total{result=\"queried\"} 7\n\
                    kuaidi_watch_checks_total{result=\"shared\"} 2\n\
                    kuaidi_watch_checks_total_other 100\n\
                    kuaidi_telegram_retry_after_total{kind=\"reply\",x=\"y\"} 1\n\
                    kuaidi_telegram_retry_after_total{kind=\"notification\"} 3\n\
                    kuaidi_outbox_depth 4\n";
        assert_eq!(metric_total(text, "kuaidi_watch_checks_total", &[]), 9.0);
        assert_eq!(metric_total(text, "kuaidi_watch_checks_total", &["result=\"shared\""]), 2.0);
        assert_eq!(metric_total(text, "kuaidi_telegram_retry_after_total", &["kind=\"reply\""]), 1.0);
        assert_eq!(metric_total(text, "kuaidi_telegram_retry_after_total", &[]), 4.0);
        assert_eq!(metric_total(text, "kuaidi_outbox_depth", &[]), 4.0);
        assert_eq!(metric_total(text, "kuaidi_missing", &[]).to_string(), "0", "not -0");
    }

    #[test]
    fn the_simulator_judges_by_the_floor_less_the_allowance_and_keeps_the_daily_cap() {
        let config = simulator_config();
        assert_eq!(config.lock_interval, chrono::Duration::hours(3));
        let floor_simulated = FLOOR.as_secs_f64() * SPEED;
        assert!(config.lock_interval.num_seconds() as f64 <= floor_simulated);
        assert!(86_400.0 / floor_simulated + 1.0 <= f64::from(config.lock_max_per_day));
    }
}
