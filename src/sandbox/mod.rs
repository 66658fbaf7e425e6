//! A Kuaidi100 simulator, so that the bot can be tried, tested and benchmarked with no account and no
//! network.
//!
//! It speaks Kuaidi100's real-time query API (`POST /poll/query.do`, signed exactly like the real one),
//! its push subscription (`POST /poll`, then signed pushes to the callback URL) and its courier
//! auto-detection (`/autonumber/auto`), and answers every (courier, number) with a
//! deterministic, realistic parcel whose life unfolds in the simulator's clock: a test drives a
//! [`ManualClock`](crate::clock::ManualClock), a demo a sped-up clock. It also keeps the books the bot is
//! judged by: every authenticated query, and every one that would have broken Kuaidi100's lock rule,
//! every subscribe call and every push ([`Stats`], `GET /sandbox/stats`).
//!
//! Pushes follow the simulator's clock: [`Sandbox::deliver_due_pushes`] sends what is due at its now (a
//! test drives it after moving a `ManualClock`), and [`Sandbox::run_pushes`] calls it every ~200 ms of
//! real time; [`spawn`] and [`serve`] run that loop, [`Sandbox::serve`] alone does not.
//!
//! Files: `credentials.rs` (built-in account, signature check), `cities.rs` (the map), `names.rs`
//! (couriers, stations), `parcel.rs` (the timeline generator and the number → progress rule),
//! `render.rs` (timeline → Kuaidi100 JSON), `estimate.rs` (the arrival estimate of `resultv2=8`), `codes.rs` (error answers, `ERR<code>` and `NOREC`
//! numbers), `faults.rs` (faults a test scripts per number: stalls, HTTP errors, bad bodies), `stats.rs` (query, subscribe and push log, lock rule), `subscribe.rs` (the `POST /poll`
//! request and its codes, `COMNEW` numbers), `push.rs` (the subscription book and the push scheduler),
//! `server.rs` (axum routes). This file holds the public handle:
//! configuration, the shared state, and starting a server in-process ([`spawn`]) or on a listener
//! ([`serve`]).

mod cities;
mod codes;
mod credentials;
mod estimate;
mod faults;
mod names;
pub mod parcel;
mod push;
mod render;
mod server;
mod stats;
mod subscribe;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::kuaidi100::credentials::Credentials;

pub use credentials::{SANDBOX_CUSTOMER, SANDBOX_KEY, sandbox_credentials};
pub use faults::Fault;
pub use parcel::{Ending, Event, Parcel};
pub use push::{PendingPush, PushSubscription};
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
    /// How long a push waits for its receiver's answer before it counts as not acknowledged. Default
    /// 20 s, as Kuaidi100.
    pub push_timeout: std::time::Duration,
}

impl SandboxConfig {
    /// Kuaidi100's documented lock rule: 30 minutes, 48 a day.
    pub fn new(credentials: Credentials, clock: SharedClock) -> Self {
        Self {
            credentials,
            clock,
            lock_interval: chrono::Duration::minutes(30),
            lock_max_per_day: 48,
            push_timeout: std::time::Duration::from_secs(20),
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("credentials", &self.credentials)
            .field("now", &self.clock.now())
            .field("lock_interval", &self.lock_interval)
            .field("lock_max_per_day", &self.lock_max_per_day)
            .field("push_timeout", &self.push_timeout)
            .finish()
    }
}

struct Inner {
    config: SandboxConfig,
    ledger: stats::Ledger,
    pushes: push::Book,
    forced_error: RwLock<Option<String>>,
    latency: RwLock<Option<std::time::Duration>>,
    /// Scripted faults by number (upper case), `faults.rs`.
    faults: RwLock<HashMap<String, Fault>>,
}

/// A simulator: cheap to clone, every clone shares the same parcels and books.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Self {
        let inner = Inner {
            pushes: push::Book::new(config.push_timeout),
            config,
            ledger: stats::Ledger::default(),
            forced_error: RwLock::new(None),
            latency: RwLock::new(None),
            faults: RwLock::new(HashMap::new()),
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

    /// Sends every push due at the clock's now (first attempts and retries, after running the checks
    /// that are due) and returns how many POSTs it made. Concurrent callers are serialized: none sends a
    /// push another already sent, and each returns only after the deliveries it made are settled.
    pub async fn deliver_due_pushes(&self) -> usize {
        self.inner.pushes.deliver_due(&self.inner.config.clock, &self.inner.ledger).await
    }

    /// Delivers due pushes every ~200 ms of real time until `shutdown` completes (a delivery in flight
    /// is abandoned then, and would be sent again by a later run).
    pub async fn run_pushes(&self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {}
            }
            tokio::select! {
                () = &mut shutdown => return,
                _ = self.deliver_due_pushes() => {}
            }
        }
    }

    /// The push subscriptions still running (sorted by parcel): for tests.
    pub fn push_subscriptions(&self) -> Vec<PushSubscription> {
        self.inner.pushes.view()
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

    /// While `Some(fault)`, every real-time query of `number` (any case) goes wrong that way
    /// (`faults.rs`); `None` makes it answer again. Other numbers are not affected.
    pub fn set_fault(&self, number: &str, fault: Option<Fault>) {
        let mut faults = self.inner.faults.write().unwrap_or_else(PoisonError::into_inner);
        let key = number.trim().to_ascii_uppercase();
        match fault {
            Some(fault) => faults.insert(key, fault),
            None => faults.remove(&key),
        };
    }

    fn fault(&self, number: &str) -> Option<Fault> {
        let faults = self.inner.faults.read().unwrap_or_else(PoisonError::into_inner);
        faults.get(&number.trim().to_ascii_uppercase()).cloned()
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

    /// Serves this simulator on `listener` until `shutdown` completes. Pushes are only delivered when
    /// someone calls [`Sandbox::deliver_due_pushes`] or runs [`Sandbox::run_pushes`].
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
    /// Stops the server and the push loop.
    stop: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
    pushes: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The auto-detection URL of this simulator.
    pub fn autonumber_url(&self) -> String {
        format!("{}/autonumber/auto", self.url)
    }

    /// Stops the server and the push loop, and waits until both have stopped.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.stop.cancel();
        if let Some(pushes) = self.pushes.take() {
            let _ = pushes.await;
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|error| Err(std::io::Error::other(error))),
            None => Ok(()),
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Runs [`Sandbox::run_pushes`] on its own task until `stop` is cancelled.
fn spawn_pushes(sandbox: &Sandbox, stop: &CancellationToken) -> JoinHandle<()> {
    let (sandbox, stop) = (sandbox.clone(), stop.clone());
    tokio::spawn(async move { sandbox.run_pushes(stop.cancelled_owned()).await })
}

/// Starts a simulator in this process on an ephemeral loopback port (`127.0.0.1:0`), with its push
/// loop ([`Sandbox::run_pushes`]) running until the handle is shut down or dropped.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let sandbox = Sandbox::new(config);
    let stop = CancellationToken::new();
    let server = sandbox.clone();
    let stopped = stop.clone().cancelled_owned();
    let task = tokio::spawn(async move { server.serve(listener, stopped).await });
    let pushes = spawn_pushes(&sandbox, &stop);
    tracing::debug!(%url, "sandbox: Kuaidi100 simulator listening");
    Ok(SandboxHandle { url, sandbox, stop, task: Some(task), pushes: Some(pushes) })
}

/// Serves a new simulator on `listener`, with its push loop, until `shutdown` completes (`kuaidi-bot
/// sandbox --listen ADDR`).
pub async fn serve(
    listener: TcpListener,
    config: SandboxConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sandbox = Sandbox::new(config);
    let stop = CancellationToken::new();
    let pushes = spawn_pushes(&sandbox, &stop);
    let stopping = stop.clone();
    let served = sandbox
        .serve(listener, async move {
            shutdown.await;
            stopping.cancel();
        })
        .await;
    stop.cancel();
    let _ = pushes.await;
    served
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
