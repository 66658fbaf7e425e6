//! The world the tests and benchmarks run the bot in: the in-process Kuaidi100 simulator, on a clock
//! they drive, from one fixed start.
//!
//! Every driven clock starts at [`start_time`], so that "09:00 Beijing on a Monday" means the same in
//! the tracker's tests, the bot's tests and the benchmarks (the watch policy treats nights and days
//! differently, so the start matters).

use chrono::{DateTime, TimeZone, Utc};

/// 2026-11-02 09:00 Beijing time (01:00 UTC), a Monday morning: where every driven clock starts.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).single().expect("valid time")
}
