//! Shared test harness: a driven clock, the Kuaidi100 simulator on loopback, a store, a tracker.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::clock::ManualClock;
use kuaidi_bot::kuaidi100::{Client, ClientConfig};
use kuaidi_bot::sandbox::{self, SandboxConfig, SandboxHandle, Stats};
use kuaidi_bot::tracking::{Rate, Tracker, TrackerConfig};
pub use kuaidi_test_support::sim::start_time;
use kuaidi_test_support::store::TestStore;

pub struct Limits {
    pub floor: Duration,
    pub cap: u32,
    pub user_rate: Rate,
    /// `KUAIDI100_DAILY_BUDGET`.
    pub budget: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            floor: Duration::minutes(30),
            cap: 48,
            user_rate: Rate { count: 10, per: StdDuration::from_secs(60) },
            budget: None,
        }
    }
}

pub struct Harness {
    pub clock: ManualClock,
    pub sandbox: SandboxHandle,
    pub tracker: Tracker,
    pub store: TestStore,
    pub limits: Limits,
}

impl Harness {
    pub async fn new(store: TestStore, limits: Limits) -> Self {
        let clock = ManualClock::new(start_time());
        let mut config = SandboxConfig::new(sandbox::sandbox_credentials(), Arc::new(clock.clone()));
        config.lock_interval = limits.floor;
        config.lock_max_per_day = limits.cap;
        let sandbox = sandbox::spawn(config).await.expect("simulator starts");
        let tracker = tracker_on(&sandbox, store.store.clone(), &clock, &limits);
        Self { clock, sandbox, tracker, store, limits }
    }

    /// Another tracker on the same database and simulator: a restarted or second process.
    pub fn second_tracker(&self, store: kuaidi_bot::store::Store) -> Tracker {
        tracker_on(&self.sandbox, store, &self.clock, &self.limits)
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use kuaidi_bot::clock::Clock;
        self.clock.now()
    }

    pub fn stats(&self) -> Stats {
        self.sandbox.sandbox.stats()
    }

    /// The rule every test that touches the simulator ends with.
    pub fn assert_no_lock_violations(&self) {
        let stats = self.stats();
        assert_eq!(stats.lock_violations, 0, "{}: the simulator saw lock-rule violations: {stats:?}", self.store.name);
    }
}

pub fn tracker_on(
    sandbox: &SandboxHandle,
    store: kuaidi_bot::store::Store,
    clock: &ManualClock,
    limits: &Limits,
) -> Tracker {
    let client =
        Client::new(ClientConfig::new(&sandbox.url, &sandbox.autonumber_url(), sandbox::sandbox_credentials()))
            .expect("client builds");
    let config = TrackerConfig {
        min_interval: limits.floor,
        max_per_day: limits.cap,
        user_rate: limits.user_rate,
        web_rate: limits.user_rate,
        push: None,
        daily_budget: limits.budget.map(|calls| kuaidi_bot::tracking::DailyBudget { calls }),
    };
    Tracker::new(client, store, Arc::new(clock.clone()), config)
}
