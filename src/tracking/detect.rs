//! Courier detection for a number given without a courier.
//!
//! Offline number patterns first (free and instant); when they give no single answer, Kuaidi100's
//! auto-detection; when that still leaves several, the candidates go back to the user to pick. A courier
//! the user typed never reaches this code, so it is never overridden.
//!
//! Auto-detection is a paid call, so each number is detected once: concurrent askers of one number share
//! one call through the tracker's single flight (the same [`Flights`](super::flight) as queries, with the
//! answer left in the flight's slot for those queued behind it), and the answer is kept in the store
//! (`store::detections`) for [`DETECTION_MAX_AGE`], where a restart or another process on the same
//! database finds it. There is no memory cache in front of the store: a remembered detection costs one
//! primary-key read, next to the claim and the query a track makes anyway. A failed detection (an account
//! without auto-detection gets 601) is shared with the askers waiting on it but never stored, so the next
//! asker tries again.
//!
//! The store is kept small here too: every [`PURGE_EVERY`]th detection written also purges up to
//! [`PURGE_BATCH`] expired ones, oldest first. Since a purge may remove more rows than the writes between
//! two purges add, expired rows never pile up, and no separate task is needed.

use std::sync::atomic::Ordering;

use chrono::Duration;

use super::metrics::Metrics;
use super::request::TrackError;
use super::tracker::Tracker;
use crate::couriers::{Courier, directory};

/// At most this many candidates are offered to pick from.
const MAX_CANDIDATES: usize = 5;

/// How long a detection is trusted. A number's courier does not change while its parcel travels (days to
/// a few weeks; the watcher gives up on a parcel unchanged for 14 days), so a month covers every parcel's
/// life with room to spare; after that couriers may reuse a number for another parcel, and Kuaidi100's
/// rules may have changed, so asking again once a month per number costs little and keeps the table to
/// the numbers of one month.
pub const DETECTION_MAX_AGE: Duration = Duration::days(30);

/// Every this many detections written, one purge of expired ones runs (the first write of a process too).
const PURGE_EVERY: u64 = 100;

/// The most expired detections one purge deletes: a short statement, and well above `PURGE_EVERY`.
const PURGE_BATCH: u32 = 1_000;

impl Tracker {
    pub(super) async fn detect(&self, number: &str) -> Result<&'static Courier, TrackError> {
        let directory = directory();
        let guesses = directory.guess_by_number(number);
        if let [only] = guesses.as_slice() {
            return Ok(only);
        }
        let detected = self.autonumber(number).await?;
        let mut candidates: Vec<&'static Courier> = detected.iter().filter_map(|code| directory.get(code)).collect();
        if candidates.is_empty() {
            candidates = guesses;
        }
        candidates.dedup_by_key(|courier| courier.code);
        candidates.truncate(MAX_CANDIDATES);
        match candidates.as_slice() {
            [] => Err(TrackError::CourierNotDetected),
            [only] => Ok(only),
            _ => Err(TrackError::ChooseCourier(candidates)),
        }
    }

    /// Kuaidi100's guesses for a number, most likely first: from the flight under way, else the store,
    /// else one auto-detection call. A failed call means no guesses (and nothing remembered).
    async fn autonumber(&self, number: &str) -> Result<Vec<String>, TrackError> {
        let inner = &self.inner;
        let flight = inner.detections.join(&number.to_owned());
        let mut slot = flight.lock().await;
        if let Some(codes) = slot.as_ref() {
            // Queued behind the one who detected (or read the store): its answer is ours.
            Metrics::bump(&inner.metrics.detections_coalesced);
            return Ok(codes.clone());
        }
        let now = self.now();
        if let Some(codes) = inner.store.remembered_detection(number, now, DETECTION_MAX_AGE).await? {
            Metrics::bump(&inner.metrics.detections_remembered);
            *slot = Some(codes.clone());
            return Ok(codes);
        }
        Metrics::bump(&inner.metrics.autonumber_calls);
        let codes: Vec<String> = match inner.client.autonumber(number).await {
            Ok(candidates) => candidates.into_iter().map(|candidate| candidate.com_code.to_ascii_lowercase()).collect(),
            Err(error) => {
                tracing::warn!(%error, "courier auto-detection failed");
                *slot = Some(Vec::new());
                return Ok(Vec::new());
            }
        };
        // The answer is paid for: give it to the askers even if it cannot be remembered.
        if let Err(error) = inner.store.remember_detection(number, &codes, now).await {
            tracing::warn!(%error, "could not remember a courier detection");
        }
        *slot = Some(codes.clone());
        drop(slot);
        self.purge_detections_now_and_then(now).await;
        Ok(codes)
    }

    /// One batch of expired detections purged every [`PURGE_EVERY`] writes; a failure only costs disk
    /// until the next purge.
    async fn purge_detections_now_and_then(&self, now: chrono::DateTime<chrono::Utc>) {
        let inner = &self.inner;
        if inner.detections_written.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY != 0 {
            return;
        }
        match inner.store.purge_detections(now, DETECTION_MAX_AGE, PURGE_BATCH).await {
            Ok(0) => {}
            Ok(purged) => tracing::debug!(purged, "purged expired courier detections"),
            Err(error) => tracing::warn!(%error, "purging expired courier detections failed; will try again later"),
        }
    }
}
