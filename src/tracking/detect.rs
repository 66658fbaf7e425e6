//! Courier detection for a number given without a courier.
//!
//! Offline number patterns first (free and instant); when they give no single answer, Kuaidi100's
//! auto-detection; when that still leaves several, the candidates go back to the user to pick. A courier
//! the user typed never reaches this code, so it is never overridden.

use super::metrics::Metrics;
use super::request::TrackError;
use super::tracker::Tracker;
use crate::couriers::{Courier, directory};

/// At most this many candidates are offered to pick from.
const MAX_CANDIDATES: usize = 5;

impl Tracker {
    pub(super) async fn detect(&self, number: &str) -> Result<&'static Courier, TrackError> {
        let directory = directory();
        let guesses = directory.guess_by_number(number);
        if let [only] = guesses.as_slice() {
            return Ok(only);
        }
        let detected = self.autonumber(number).await;
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

    /// Kuaidi100's guesses, remembered per number; a failure (free accounts get 601) means no guesses.
    async fn autonumber(&self, number: &str) -> Vec<String> {
        if let Some(known) = self.inner.detected.get(number) {
            return known.clone();
        }
        Metrics::bump(&self.inner.metrics.autonumber_calls);
        let codes: Vec<String> = match self.inner.client.autonumber(number).await {
            Ok(candidates) => candidates.into_iter().map(|candidate| candidate.com_code.to_ascii_lowercase()).collect(),
            Err(error) => {
                tracing::warn!(%error, "courier auto-detection failed");
                return Vec::new();
            }
        };
        self.inner.detected.insert(number.to_owned(), codes.clone());
        codes
    }
}
