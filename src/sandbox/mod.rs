//! A Kuaidi100 simulator, so that the bot can be tried, tested and benchmarked with no account and no
//! network.
//!
//! It speaks Kuaidi100's real-time query API (`POST /poll/query.do`, signed exactly like the real one)
//! and its courier auto-detection (`/autonumber/auto`), and answers every (courier, number) with a
//! deterministic, realistic parcel whose life unfolds in the simulator's clock: a test drives a
//! [`ManualClock`](crate::clock::ManualClock), a demo a sped-up clock. It also keeps the books the bot is
//! judged by: every authenticated query, and every one that would have broken Kuaidi100's lock rule
//! ([`Stats`], `GET /sandbox/stats`).
//!
//! Files: `credentials.rs` (built-in account, signature check), `cities.rs` (the map), `names.rs`
//! (couriers, stations), `parcel.rs` (the timeline generator and the number → progress rule),
//! `render.rs` (timeline → Kuaidi100 JSON), `codes.rs` (error answers, `ERR<code>` numbers),
//! `stats.rs` (query log, lock rule), `server.rs` (axum routes). This file holds the public handle:
//! configuration, the shared state, and starting a server in-process ([`spawn`]) or on a listener
//! ([`serve`]).

mod cities;
mod codes;
mod credentials;
mod names;
pub mod parcel;
mod render;
mod server;
mod stats;

use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::SharedClock;
use crate::kuaidi100::credentials::Credentials;

pub use credentials::{SANDBOX_CUSTOMER, SANDBOX_KEY, sandbox_credentials};
pub use parcel::{Ending, Event, Parcel};
pub use stats::{ParcelStats, Stats};

/// How a simulator behaves.
#[derive(Clone)]
pub struct SandboxConfig {
    /// What signatures (and the auto-detection `key`) are checked against.
    pub credentials: Credentials,
    /// Simulated time: parcel timelines and the lock rule follow it.
    pub clock: SharedClock,
    /// Two queries of one parcel closer than this break the lock rule. Default 30 minutes.
    pub lock_interval: chrono::Duration,
    /// More queries of one parcel than this in any rolling 24 hours break the lock rule. Default 48.
    pub lock_max_per_day: u32,
}

impl SandboxConfig {
    /// Kuaidi100's documented lock rule: 30 minutes, 48 a day.
    pub fn new(credentials: Credentials, clock: SharedClock) -> Self {
        Self { credentials, clock, lock_interval: chrono::Duration::minutes(30), lock_max_per_day: 48 }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("credentials", &self.credentials)
            .field("now", &self.clock.now())
            .field("lock_interval", &self.lock_interval)
            .field("lock_max_per_day", &self.lock_max_per_day)
            .finish()
    }
}

struct Inner {
    config: SandboxConfig,
    ledger: stats::Ledger,
    forced_error: RwLock<Option<String>>,
    latency: RwLock<Option<std::time::Duration>>,
}

/// A simulator: cheap to clone, every clone shares the same parcels and books.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let inner = Inner {
            config,
            ledger: stats::Ledger::default(),
            forced_error: RwLock::new(None),
            latency: RwLock::new(None),
        };
        Self { inner: Arc::new(inner) }
    }

    /// The axum routes (see `server.rs`), ready to serve.
    pub fn router(&self) -> axum::Router {
        server::router(self.clone())
    }

    /// The books so far; the same document as `GET /sandbox/stats`.
    pub fn stats(&self) -> Stats {
        self.inner.ledger.snapshot()
    }

    /// While `Some(code)`, every authenticated query answers that `returnCode` (and is still recorded):
    /// tests use `Some("502")` to simulate an outage. `None` ends it.
    pub fn set_forced_error(&self, code: Option<&str>) {
        *self.inner.forced_error.write().unwrap_or_else(PoisonError::into_inner) = code.map(str::to_owned);
    }

    /// An artificial delay before each real-time query is answered, for tests of concurrency.
    pub fn set_latency(&self, latency: Option<std::time::Duration>) {
        *self.inner.latency.write().unwrap_or_else(PoisonError::into_inner) = latency;
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The whole timeline of a parcel, future events included, as the simulator would answer it: anchored
    /// at its first answered query, or at the clock's now if it was never answered. For tests that need
    /// to know when a parcel will be delivered.
    pub fn timeline(&self, com: &str, num: &str) -> Parcel {
        let anchor = self.inner.ledger.anchor(com, num).unwrap_or_else(|| self.inner.config.clock.now());
        Parcel::generate(com, num, anchor)
    }

    /// Serves this simulator on `listener` until `shutdown` completes.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await
    }

    fn forced_error(&self) -> Option<String> {
        self.inner.forced_error.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn latency(&self) -> Option<std::time::Duration> {
        *self.inner.latency.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A simulator serving on a loopback port in this process. Dropping it stops the server.
pub struct SandboxHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash: the API base (`{url}/poll/query.do`) and, with
    /// `/autonumber/auto`, the auto-detection URL.
    pub url: String,
    pub sandbox: Sandbox,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SandboxHandle {
    /// The auto-detection URL of this simulator.
    pub fn autonumber_url(&self) -> String {
        format!("{}/autonumber/auto", self.url)
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|error| Err(std::io::Error::other(error))),
            None => Ok(()),
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a simulator in this process on an ephemeral loopback port (`127.0.0.1:0`).
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let sandbox = Sandbox::new(config);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = sandbox.clone();
    let task = tokio::spawn(async move {
        server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
    });
    tracing::debug!(%url, "sandbox: Kuaidi100 simulator listening");
    Ok(SandboxHandle { url, sandbox, stop: Some(stop), task: Some(task) })
}

/// Serves a new simulator on `listener` until `shutdown` completes (`kuaidi-bot sandbox --listen ADDR`).
pub async fn serve(
    listener: TcpListener,
    config: SandboxConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    Sandbox::new(config).serve(listener, shutdown).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn config() -> SandboxConfig {
        let start =
            chrono::DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        SandboxConfig::new(sandbox_credentials(), Arc::new(ManualClock::new(start)))
    }

    #[test]
    fn defaults_are_kuaidi100s_lock_rule_and_debug_hides_the_key() {
        let config = config();
        assert_eq!((config.lock_interval, config.lock_max_per_day), (chrono::Duration::minutes(30), 48));
        let shown = format!("{config:?}");
        assert!(!shown.contains(SANDBOX_KEY) && !shown.contains(SANDBOX_CUSTOMER), "{shown}");
    }

    #[test]
    fn clones_share_switches_and_books() {
        let sandbox = Sandbox::new(config());
        let clone = sandbox.clone();
        clone.set_forced_error(Some("502"));
        clone.set_latency(Some(std::time::Duration::from_millis(5)));
        assert_eq!(sandbox.forced_error().as_deref(), Some("502"));
        assert_eq!(sandbox.latency(), Some(std::time::Duration::from_millis(5)));
        sandbox.set_forced_error(None);
        assert_eq!(clone.forced_error(), None);
        assert_eq!(clone.stats(), Stats::default());
    }

    #[test]
    fn an_unseen_parcel_is_anchored_now_for_timeline() {
        let sandbox = Sandbox::new(config());
        let timeline = sandbox.timeline("yuantong", "YT9693083639790");
        assert_eq!(timeline.revealed(sandbox.config().clock.now()).len(), 1);
        assert_eq!(timeline, Parcel::generate("yuantong", "YT9693083639790", sandbox.config().clock.now()));
    }
}
