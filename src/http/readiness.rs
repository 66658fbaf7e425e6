//! What `/readyz` knows besides the store: whether Telegram was reached and whether the process is
//! shutting down.
//!
//! `app/` owns one [`Readiness`] per process: it marks Telegram reached once `getMe` succeeded, and
//! shutting down as soon as the shutdown token is cancelled, before the other tasks have finished, so
//! that a load balancer stops sending work while the bot drains. Cheap to clone (two shared flags).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Readiness {
    telegram_reached: Arc<AtomicBool>,
    shutting_down: Arc<AtomicBool>,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    /// `getMe` succeeded.
    pub fn telegram_reached(&self) {
        self.telegram_reached.store(true, Ordering::Release);
    }

    /// The process is stopping: not ready any more, for good.
    pub fn shutting_down(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }

    pub fn is_telegram_reached(&self) -> bool {
        self.telegram_reached.load(Ordering::Acquire)
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_unready_and_shutting_down_is_final() {
        let readiness = Readiness::new();
        assert!(!readiness.is_telegram_reached() && !readiness.is_shutting_down());
        let shared = readiness.clone();
        shared.telegram_reached();
        assert!(readiness.is_telegram_reached());
        shared.shutting_down();
        assert!(readiness.is_shutting_down());
    }
}
