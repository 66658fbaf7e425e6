//! The seam between the outbox and a transport: a message out, a transport-neutral outcome back.
//!
//! The outbox decides everything about notifications — which notices go together, in which language,
//! when to retry, when to give a chat up — and a transport only carries a rendered message and says
//! what happened in words that mean the same on any transport. `telegram/` classifies Telegram's
//! errors into a [`Delivered`]; the console always delivers; tests script the outcomes.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

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
}

/// A message on its way.
pub type Delivering = Pin<Box<dyn Future<Output = Delivered> + Send>>;

/// A transport that can carry notifications.
pub trait Delivery: Send + Sync + 'static {
    /// Sends `message` to `chat_id` (in its forum topic `topic`, if any); the future resolves with what
    /// became of it. The transport paces itself: the future may wait for its turn before it sends.
    fn deliver(&self, chat_id: i64, topic: Option<i32>, message: Reply) -> Delivering;

    /// How many messages the outbox may have on their way at once: enough to keep the transport busy
    /// over its round trip, and no more, since a crash may repeat every message in flight.
    fn window(&self) -> usize {
        1
    }
}
