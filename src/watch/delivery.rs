//! The seam between the outbox and a transport: a message out, a transport-neutral outcome back.
//!
//! The outbox decides everything about notifications — which notices go together, in which language,
//! when to retry, when to give a chat up — and a transport only carries a rendered message and says
//! what happened in words that mean the same on any transport. `telegram/` classifies Telegram's
//! errors into a [`Delivered`]; the console always delivers; tests script the outcomes.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::message::Reply;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// The transport accepted it.
    Delivered,
    /// The chat is gone for good (blocked the bot, deleted, removed the bot): stop its subscriptions.
    ChatGone,
    /// The chat now lives under this id (a Telegram group became a supergroup).
    MigratedTo(i64),
    /// The transport asked to wait this long before trying again.
    RetryAfter(Duration),
    /// Refused for now in a way that has been seen to pass ("bot can't send messages"): retry, and
    /// give the chat up when it lasts.
    NotAllowedYet,
    /// Anything else (network, trouble on the other side): retry with back-off.
    Failed(String),
    /// Not sent: its turn came after its [`StartBy`] (the outbox no longer held it for sure).
    NotStarted,
}

/// Until when a message may still start on its way. Where replicas share the outbox a round holds its
/// notices only while its claim lasts, and a message that waited for its turn (behind people's
/// replies, behind the other replicas) past that must not go out: another replica may be sending it.
/// The round moves it later each time it renews its claim.
#[derive(Clone, Debug, Default)]
pub struct StartBy(Option<Arc<Mutex<Instant>>>);

impl StartBy {
    /// Nothing is claimed (one process): a message may start whenever its turn comes.
    pub fn always() -> Self {
        Self(None)
    }

    pub fn at(deadline: Instant) -> Self {
        Self(Some(Arc::new(Mutex::new(deadline))))
    }

    /// A renewed claim: the same messages may start until `deadline`.
    pub fn extend(&self, deadline: Instant) {
        if let Some(at) = &self.0 {
            *at.lock().unwrap_or_else(PoisonError::into_inner) = deadline;
        }
    }

    pub fn passed(&self) -> bool {
        self.0.as_ref().is_some_and(|at| Instant::now() >= *at.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A message on its way.
pub type Delivering = Pin<Box<dyn Future<Output = Delivered> + Send>>;

/// A transport that can carry notifications.
pub trait Delivery: Send + Sync + 'static {
    /// Sends `message` to `chat_id` (in its forum topic `topic`, if any); the future resolves with what
    /// became of it. The transport paces itself: the future may wait for its turn before it sends, and
    /// when the turn comes after `start_by` it sends nothing and says [`Delivered::NotStarted`].
    fn deliver(&self, chat_id: i64, topic: Option<i32>, message: Reply, start_by: StartBy) -> Delivering;

    /// How many messages the outbox may have on their way at once: enough to keep the transport busy
    /// over its round trip, and no more, since a crash may repeat every message in flight.
    fn window(&self) -> usize {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_by_passes_at_its_deadline_and_a_renewal_moves_it_for_every_clone() {
        assert!(!StartBy::always().passed(), "nothing claimed: never too late");
        let start_by = StartBy::at(Instant::now() - Duration::from_millis(1));
        let held_by_a_message = start_by.clone();
        assert!(held_by_a_message.passed());
        start_by.extend(Instant::now() + Duration::from_secs(60));
        assert!(!held_by_a_message.passed(), "a renewed claim reaches the messages already waiting");
    }
}
