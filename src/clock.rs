//! Where time comes from.
//!
//! Everything that reasons about time (the lock floor, parcel timelines in the simulator, the watcher)
//! asks a [`Clock`] instead of the operating system, so that tests and benchmarks can drive days of
//! parcel life in milliseconds and the simulator can run faster than real time.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// A shared, dynamically chosen clock.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; tests share it between the code under test and the simulator.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Arc::new(Mutex::new(start)) }
    }

    /// Moves the clock forward (or backward, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Real time sped up by a factor: `speed` simulated seconds pass per real second.
/// The simulator's `--speed N` uses it so that a parcel's life can be watched in minutes.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    origin_real: Instant,
    origin_sim: DateTime<Utc>,
    speed: f64,
}

impl ScaledClock {
    pub fn new(speed: f64) -> Self {
        Self { origin_real: Instant::now(), origin_sim: Utc::now(), speed }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.origin_real.elapsed().as_secs_f64();
        let simulated_ms = (real * self.speed * 1000.0) as i64;
        self.origin_sim + Duration::milliseconds(simulated_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).expect("valid timestamp");
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::minutes(30));
        assert_eq!(clock.now(), start + Duration::minutes(30));
    }

    #[test]
    fn scaled_clock_runs_faster_than_real_time() {
        let clock = ScaledClock::new(3600.0);
        let before = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // 20 ms real at 3600x is at least 72 s simulated.
        assert!(clock.now() - before >= Duration::seconds(60));
    }
}
