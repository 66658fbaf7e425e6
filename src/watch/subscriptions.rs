//! The subscription service: which chats watch which parcels, whatever transport they came from.
//!
//! Subscribing takes the answer the chat was just shown (so only later changes are pushed), refuses a
//! parcel that is already finished or that Kuaidi100 refuses, and plans the watcher's first check by
//! the watching policy — never before the tracker would allow a query. Unsubscribing, listing, and what
//! happens when a chat goes away or moves to a new id are here too, so that `chat/`, the outbox and
//! any adapter do the same thing through one door. In push and hybrid mode the first subscriber of a
//! parcel also asks for its push subscription, which the watcher's loop then makes once.

use chrono::{DateTime, Utc};

use super::mode::WatchMode;
use super::policy::Policy;
use crate::clock::SharedClock;
use crate::kuaidi100::{Lang, state};
use crate::store::{ParcelKey, Store, StoreError, Subscribed, WatchedParcel};
use crate::tracking::{Report, Tracked};

/// How a subscription attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribe {
    Created,
    /// The chat already watched it: nothing changed.
    AlreadyActive,
    /// The chat watches as many parcels as it may ([`Subscriptions::max_per_chat`]).
    CapReached,
    /// The person subscribed as many parcels as one may, across all chats ([`Subscriptions::max_per_user`]).
    UserCapReached,
    /// Delivered, returned or cancelled: there is nothing left to watch.
    Finished,
    /// Kuaidi100 refused the parcel (the answer says why): it cannot be watched as it stands.
    Refused,
}

/// The subscription service; cheap to clone.
#[derive(Clone)]
pub struct Subscriptions {
    store: Store,
    clock: SharedClock,
    policy: Policy,
    max_per_chat: u32,
    max_per_user: u32,
    mode: WatchMode,
}

/// `MAX_SUBSCRIPTIONS_PER_USER` unless the process sets it.
pub const DEFAULT_MAX_PER_USER: u32 = 200;

impl Subscriptions {
    pub fn new(store: Store, clock: SharedClock, policy: Policy, max_per_chat: u32) -> Self {
        Self { store, clock, policy, max_per_chat, max_per_user: DEFAULT_MAX_PER_USER, mode: WatchMode::Poll }
    }

    /// Parcels one person may have subscribed across all chats (`MAX_SUBSCRIPTIONS_PER_USER`).
    pub fn with_max_per_user(mut self, max_per_user: u32) -> Self {
        self.max_per_user = max_per_user;
        self
    }

    pub fn max_per_user(&self) -> u32 {
        self.max_per_user
    }

    /// In push and hybrid mode, a parcel's first subscriber asks for its push subscription.
    pub fn with_mode(mut self, mode: WatchMode) -> Self {
        self.mode = mode;
        self
    }

    /// Parcels one chat may watch at once (`MAX_SUBSCRIPTIONS_PER_CHAT`).
    pub fn max_per_chat(&self) -> u32 {
        self.max_per_chat
    }

    /// Subscribes `chat_id` to the parcel of `tracked`, the answer the chat has just been shown; `lang`
    /// is the language its notices are written in unless the chat chooses one, `topic` the forum topic
    /// they go to, `by` the person who asked (held to [`Subscriptions::max_per_user`]). The person's
    /// count is read before the subscription is made, so a person's concurrent `/sub`s may pass the
    /// cap by what is in flight at once (their commands are throttled by `USER_RATE_LIMIT`).
    pub async fn subscribe(
        &self,
        chat_id: i64,
        topic: Option<i32>,
        tracked: &Tracked,
        lang: Lang,
        by: Option<i64>,
    ) -> Result<Subscribe, StoreError> {
        let (seen_lines, seen_state) = match &tracked.report {
            Report::Answer { result, .. } if result.is_finished() => return Ok(Subscribe::Finished),
            Report::Answer { result, .. } => {
                (u32::try_from(result.data.len()).unwrap_or(u32::MAX), Some(result.state.clone()))
            }
            // Watching waits for the first result (and gives up after a few days).
            Report::NoResultYet => (0, None),
            Report::Failed(_) => return Ok(Subscribe::Refused),
        };
        let key = ParcelKey::new(tracked.courier.code, &tracked.number);
        if let Some(user) = by
            && self.store.count_subscriptions_by(user).await? >= u64::from(self.max_per_user)
            && !self.store.is_subscribed(chat_id, &key).await?
        {
            return Ok(Subscribe::UserCapReached);
        }
        let now = self.now();
        let current = seen_state.as_deref().and_then(state::lookup);
        let first_check = self.policy.next_check(current, now, rand::random::<f64>()).max(tracked.next_query_at);
        let outcome = self
            .store
            .subscribe(
                chat_id,
                topic,
                &key,
                lang.as_str(),
                seen_lines,
                seen_state.as_deref(),
                self.max_per_chat,
                first_check,
                now,
            )
            .await?;
        if outcome == Subscribed::Created
            && let Some(expected_at) = tracked.report.result().and_then(|result| {
                result.estimate().and_then(|estimate| estimate.expected_at(tracked.answered_at.unwrap_or(now)))
            })
        {
            // The reply it subscribed from showed this estimate: only a moved one is news.
            self.store.set_seen_estimate(chat_id, &key, Some(expected_at)).await?;
        }
        if outcome == Subscribed::Created
            && let Some(user) = by
        {
            self.store.set_subscribed_by(chat_id, &key, user).await?;
        }
        if outcome == Subscribed::Created && self.mode.subscribes() {
            // The watcher's loop makes the one subscribe call; a failure here only means polling.
            if let Err(error) = self.store.want_push(&key, now).await {
                tracing::warn!(parcel = %key, %error, "cannot ask for a push subscription; the parcel is polled");
            }
        }
        Ok(match outcome {
            Subscribed::Created => Subscribe::Created,
            Subscribed::AlreadyActive => Subscribe::AlreadyActive,
            Subscribed::CapReached => Subscribe::CapReached,
        })
    }

    /// Stops the chat's subscription to `number` (any courier); `false` when it watched no such parcel.
    pub async fn unsubscribe(&self, chat_id: i64, number: &str) -> Result<bool, StoreError> {
        Ok(!self.store.unsubscribe(chat_id, number, self.now()).await?.is_empty())
    }

    /// The chat's watched parcels with their latest state, for `/list`.
    pub async fn list(&self, chat_id: i64) -> Result<Vec<WatchedParcel>, StoreError> {
        self.store.chat_subscriptions(chat_id).await
    }

    pub async fn is_watched(&self, chat_id: i64, key: &ParcelKey) -> Result<bool, StoreError> {
        self.store.is_subscribed(chat_id, key).await
    }

    /// The chat is gone for the bot (blocked, deleted, bot removed): its subscriptions stop and its
    /// pending notices are dropped. A failure is logged; the next notice will try again.
    pub async fn chat_gone(&self, chat_id: i64) {
        match self.store.deactivate_chat(chat_id, self.now()).await {
            Ok(stopped) => tracing::info!(chat = chat_id, stopped, "chat gone: subscriptions stopped"),
            Err(error) => tracing::error!(chat = chat_id, %error, "cannot stop a gone chat's subscriptions"),
        }
    }

    /// The chat now has a new id: its subscriptions, phones, language and pending notices move there.
    pub async fn chat_migrated(&self, from: i64, to: i64) {
        match self.store.move_chat(from, to, self.now()).await {
            Ok(moved) => tracing::info!(from, to, moved, "chat migrated: subscriptions moved"),
            Err(error) => tracing::error!(from, to, %error, "cannot move a migrated chat's subscriptions"),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
