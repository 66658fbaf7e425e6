//! The watcher's subscribe calls: each parcel someone started watching in push or hybrid mode gets
//! one Kuaidi100 push subscription, made from the watcher's loop rather than inside `/sub`.
//!
//! `/sub` only records the intent ([`Store::want_push`](crate::store::Store::want_push)), so it never
//! waits on Kuaidi100, and a crash between the two loses nothing. Each call is claimed in the store
//! with a lease first, so that it is made once even with several loops or processes. The outcome:
//! subscribed (200, or 501 "already subscribed") → pushes carry the parcel and, outside the last mile
//! (`WatcherConfig::last_mile`; in push mode everywhere), polling stops until the safety check
//! (`Policy::push_safety`); refused (600/601 for the account, 700–702 for the parcel) → the parcel is
//! polled as in poll mode; anything else → tried again later, with back-off, while the
//! parcel keeps its poll schedule. The user's subscription is never touched by any of it.

use chrono::Duration;
use futures::StreamExt;

use super::mode::WatchMode;
use super::watcher::Watcher;
use crate::kuaidi100::{SubscribeOutcome, state};
use crate::store::{PushDue, PushState, PushSubscribed, StoreError};

/// How long a claimed subscribe call may take before another try may start.
const LEASE_MINUTES: i64 = 10;
/// Back-off after a failed call, in floors: 1, 2, 4 … up to 32.
const MAX_BACKOFF_DOUBLINGS: u32 = 5;

impl Watcher {
    /// Makes the subscribe calls that are due (one batch); returns how many were due.
    pub(super) async fn subscribe_due(&self) -> Result<usize, StoreError> {
        let due = self.store.due_push_subscriptions(self.clock.now(), self.config.batch).await?;
        let count = due.len();
        let results: Vec<Result<(), StoreError>> = futures::stream::iter(due)
            .map(|parcel| self.subscribe_one(parcel))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(count)
    }

    async fn subscribe_one(&self, parcel: PushDue) -> Result<(), StoreError> {
        let now = self.clock.now();
        if !self.store.claim_push(parcel.id, now, now + Duration::minutes(LEASE_MINUTES)).await? {
            return Ok(());
        }
        let (outcome, billed) = self.tracker.subscribe_push(&parcel).await;
        let now = self.clock.now();
        let policy = self.config.policy;
        let record = match outcome {
            SubscribeOutcome::Subscribed | SubscribeOutcome::AlreadySubscribed => {
                let last_mile = self.config.last_mile.contains(parcel.state.as_deref().and_then(state::lookup));
                let polled_on = self.config.mode == WatchMode::Hybrid && last_mile;
                PushSubscribed {
                    state: PushState::Subscribed,
                    retry_at: None,
                    next_check_at: (!polled_on).then(|| policy.safety_check(now, rand::random::<f64>())),
                    billed,
                }
            }
            SubscribeOutcome::AccountRefused | SubscribeOutcome::ParcelRefused => {
                PushSubscribed { state: PushState::Refused, retry_at: None, next_check_at: None, billed }
            }
            SubscribeOutcome::TryLater => {
                let doublings = parcel.attempts.min(MAX_BACKOFF_DOUBLINGS);
                let retry_at = now + policy.floor * 2_i32.pow(doublings);
                PushSubscribed { state: PushState::Retry, retry_at: Some(retry_at), next_check_at: None, billed }
            }
        };
        self.store.record_push_subscription(parcel.id, &record).await
    }
}
