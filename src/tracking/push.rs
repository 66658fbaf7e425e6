//! The tracker's side of Kuaidi100's push subscriptions: the one billed subscribe call per parcel, and
//! forgetting what memory holds when a push brings a newer answer.
//!
//! A subscribe call costs like a query, so it is made here, in the one place that spends upstream
//! calls; `watch/` decides *which* parcels to subscribe and *when* (and claims each call in the store,
//! so that it is made once). After Kuaidi100 says the account may not subscribe (600/601), no further
//! call is made by this process: every parcel is polled instead, and the operator is told once.

use std::sync::atomic::Ordering;

use super::tracker::Tracker;
use crate::kuaidi100::{Salt, SubscribeOutcome, SubscribeRequest};
use crate::store::{ParcelKey, PushDue};

/// Counted per subscribe call by outcome (`kuaidi_push_subscribe_total{outcome}`).
pub const SUBSCRIBE_METRIC: &str = "kuaidi_push_subscribe_total";

/// Where Kuaidi100 is to push, and the salt that signs the pushes.
#[derive(Clone, Debug)]
pub struct PushTarget {
    /// The full callback URL (`PUBLIC_URL/kuaidi100/push`, or a loopback one in sandbox mode).
    pub callback_url: String,
    pub salt: Salt,
}

impl Tracker {
    /// Subscribes one parcel to Kuaidi100's pushes: one billed call (none when no push target is
    /// configured, the account was refused before, or the watcher's share of the daily budget is
    /// spent: then it is tried later). The destination city of its last answer is
    /// sent as `to`, so Kuaidi100 watches harder near the end.
    /// Says whether the call was made (and billed).
    pub async fn subscribe_push(&self, parcel: &PushDue) -> (SubscribeOutcome, bool) {
        let inner = &self.inner;
        let Some(target) = inner.config.push.as_ref() else { return (SubscribeOutcome::AccountRefused, false) };
        if inner.push_refused.load(Ordering::Relaxed) {
            return (SubscribeOutcome::AccountRefused, false);
        }
        match self.spend_on_subscribe().await {
            Ok(true) => {}
            Ok(false) => {
                metrics::counter!(SUBSCRIBE_METRIC, "outcome" => "budget").increment(1);
                return (SubscribeOutcome::TryLater, false);
            }
            Err(error) => {
                tracing::warn!(parcel = %parcel.key, %error, "cannot count a push subscription against the budget");
                return (SubscribeOutcome::TryLater, false);
            }
        }
        let mut request = SubscribeRequest::new(&parcel.key.courier, &parcel.key.number, &target.callback_url);
        request.phone = parcel.phone_tail.clone();
        request.to = destination(parcel.answer.as_deref());
        let outcome = match inner.client.subscribe(&request, &target.salt).await {
            Ok(answer) => {
                let outcome = answer.outcome();
                if !outcome.is_subscribed() {
                    tracing::warn!(parcel = %parcel.key, code = %answer.return_code, message = %answer.message, "push subscription refused");
                }
                outcome
            }
            Err(error) => {
                tracing::warn!(parcel = %parcel.key, %error, "push subscription failed");
                SubscribeOutcome::TryLater
            }
        };
        if outcome == SubscribeOutcome::AccountRefused && !inner.push_refused.swap(true, Ordering::Relaxed) {
            tracing::error!(
                "Kuaidi100 refuses push subscriptions for this account (600/601: bad or expired key, or no \
                 balance): no more subscribe calls until restart; watched parcels are polled instead"
            );
        }
        metrics::counter!(SUBSCRIBE_METRIC, "outcome" => outcome.label()).increment(1);
        (outcome, true)
    }

    /// A push brought a newer answer into the store: memory must not serve the older one.
    pub fn forget(&self, key: &ParcelKey) {
        self.inner.known.remove(key);
    }
}

/// `routeInfo.to.name` of a stored answer: the destination city, sent as `to` with queries and
/// subscriptions (the stored answer is where the destination is kept; it needs no column of its own).
pub(super) fn destination(answer: Option<&str>) -> Option<String> {
    let result: crate::kuaidi100::QueryResult = serde_json::from_str(answer?).ok()?;
    result.route_info?.to?.name.filter(|name| !name.trim().is_empty())
}
