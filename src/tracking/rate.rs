//! A rate as operators write it (`10/min`): how many requests per period.
//!
//! It belongs to `tracking/` because the per-user throttle is its only user; `app/config.rs` parses
//! the environment's text into it.

use std::time::Duration;

/// How many requests per period, e.g. `10/min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}
