//! The per-asker rate limits, on governor's keyed GCRA limiter: chat users (`USER_RATE_LIMIT`, keyed by
//! user id) and callers of the web API (`API_RATE_LIMIT`, keyed by [`WebCaller`](super::WebCaller)).
//! One [`Throttle`] type serves both, each with its own rate and its own key prefix in the store.
//!
//! governor is driven by the project's [`Clock`] through a small adapter, so tests move the limiter's
//! time by hand like everything else's. Where replicas share a PostgreSQL the budget is kept there
//! instead (the same GCRA, `Store::take_rate`, under `<prefix>:<key>`), so that an asker's requests spread
//! over replicas by a load balancer still get one budget; if the database cannot answer, the process's
//! own limiter decides, so a database hiccup never locks anyone out.

use std::fmt::Display;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use super::rate::Rate;
use crate::clock::SharedClock;
use crate::store::Store;

/// governor's view of a [`SharedClock`]: time since the Unix epoch.
#[derive(Clone)]
struct ClockAdapter(SharedClock);

impl GovernorClock for ClockAdapter {
    type Instant = Duration;

    fn now(&self) -> Duration {
        let now = self.0.now();
        Duration::from_millis(u64::try_from(now.timestamp_millis()).unwrap_or(0))
    }
}

/// `count` requests per `per`, each key (a user, a web caller) on its own budget, bursts up to `count`.
pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: RateLimiter<K, DashMapStateStore<K>, ClockAdapter, NoOpMiddleware<Duration>>,
    clock: ClockAdapter,
    rate: Rate,
    /// What the store's budgets of this throttle are named under (`user`, `api`).
    prefix: &'static str,
    /// The store that keeps the budget for every replica, where it is shared.
    shared: Option<Store>,
}

/// The chat users' throttle (`USER_RATE_LIMIT`), keyed by user id.
pub type UserThrottle = Throttle<i64>;

impl UserThrottle {
    pub fn new(rate: Rate, clock: SharedClock) -> Self {
        Self::keyed(rate, clock, "user")
    }
}

impl<K: Hash + Eq + Clone + Display> Throttle<K> {
    /// A throttle whose budgets the store names `<prefix>:<key>`.
    pub fn keyed(rate: Rate, clock: SharedClock, prefix: &'static str) -> Self {
        let count = NonZeroU32::new(rate.count).unwrap_or(NonZeroU32::MIN);
        let quota =
            Quota::with_period(rate.per / count.get()).unwrap_or_else(|| Quota::per_second(count)).allow_burst(count);
        let clock = ClockAdapter(clock);
        Self { limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()), clock, rate, prefix, shared: None }
    }

    /// The same budget kept in `store` for every process on it.
    pub fn shared_in(mut self, store: Store) -> Self {
        self.shared = Some(store);
        self
    }

    /// `Ok` if `key` may go ahead now, else how long until it may.
    pub async fn check(&self, key: &K) -> Result<(), Duration> {
        if let Some(store) = &self.shared {
            let count = self.rate.count.max(1);
            let period = self.rate.per / count;
            let prefix = self.prefix;
            match store.take_rate(&format!("{prefix}:{key}"), self.clock.0.now(), period, count).await {
                Ok(decision) => return decision,
                Err(error) => tracing::warn!(%error, prefix, "the shared throttle is unavailable; deciding locally"),
            }
        }
        self.limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys whose budget is full again, so memory does not grow with every asker ever seen.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::DateTime;

    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn eleventh_request_in_a_minute_waits_and_others_are_free() {
        let clock = ManualClock::new(DateTime::from_timestamp(1_767_225_600, 0).expect("valid"));
        let throttle = UserThrottle::new(Rate { count: 10, per: Duration::from_secs(60) }, Arc::new(clock.clone()));
        for _ in 0..10 {
            assert_eq!(throttle.check(&1).await, Ok(()));
        }
        let wait = throttle.check(&1).await.expect_err("the 11th must wait");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(6), "{wait:?}");
        assert_eq!(throttle.check(&2).await, Ok(()), "another user is not affected");
        clock.advance(chrono::Duration::seconds(6));
        assert_eq!(throttle.check(&1).await, Ok(()), "one request per 6 s replenishes");
    }
}
