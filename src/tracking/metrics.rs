//! Counters of what the tracker did, in one place, ready to be exported.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Default)]
pub struct Metrics {
    pub(super) upstream_answered: AtomicU64,
    pub(super) upstream_no_result: AtomicU64,
    pub(super) upstream_transient_errors: AtomicU64,
    pub(super) upstream_permanent_errors: AtomicU64,
    pub(super) cache_hits: AtomicU64,
    pub(super) coalesced: AtomicU64,
    pub(super) throttled: AtomicU64,
    pub(super) refused_by_floor: AtomicU64,
    pub(super) refused_by_daily_cap: AtomicU64,
    pub(super) refused_by_budget: AtomicU64,
    pub(super) autonumber_calls: AtomicU64,
    pub(super) detections_remembered: AtomicU64,
    pub(super) detections_coalesced: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    pub upstream_answered: u64,
    pub upstream_no_result: u64,
    pub upstream_transient_errors: u64,
    pub upstream_permanent_errors: u64,
    /// Answered from memory inside the floor.
    pub cache_hits: u64,
    /// Waited for another request's upstream call and shared its result.
    pub coalesced: u64,
    pub throttled: u64,
    /// Answered from the store because another process (or a restart) queried inside the floor.
    pub refused_by_floor: u64,
    pub refused_by_daily_cap: u64,
    /// Held back by the deployment's daily budget (`KUAIDI100_DAILY_BUDGET`).
    pub refused_by_budget: u64,
    /// Courier auto-detection calls made (failed ones included).
    pub autonumber_calls: u64,
    /// Detections answered from the store: made before, by this process or another, within their max age.
    pub detections_remembered: u64,
    /// Detections that waited for a concurrent asker's auto-detection (or store read) and shared it.
    pub detections_coalesced: u64,
}

impl MetricsSnapshot {
    pub fn upstream_queries(&self) -> u64 {
        self.upstream_answered
            + self.upstream_no_result
            + self.upstream_transient_errors
            + self.upstream_permanent_errors
    }
}

impl Metrics {
    pub(super) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MetricsSnapshot {
            upstream_answered: read(&self.upstream_answered),
            upstream_no_result: read(&self.upstream_no_result),
            upstream_transient_errors: read(&self.upstream_transient_errors),
            upstream_permanent_errors: read(&self.upstream_permanent_errors),
            cache_hits: read(&self.cache_hits),
            coalesced: read(&self.coalesced),
            throttled: read(&self.throttled),
            refused_by_floor: read(&self.refused_by_floor),
            refused_by_daily_cap: read(&self.refused_by_daily_cap),
            refused_by_budget: read(&self.refused_by_budget),
            autonumber_calls: read(&self.autonumber_calls),
            detections_remembered: read(&self.detections_remembered),
            detections_coalesced: read(&self.detections_coalesced),
        }
    }
}
