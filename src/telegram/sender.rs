//! The sender: drains the outbox through the bot's `Throttle`.
//!
//! Pending notices of one chat go out as one message. A notice is marked sent only after Telegram
//! accepted it, and the next message leaves only after that mark: at most one message is ever sent
//! but not yet marked, so a crash repeats at most one message and loses none.
//!
//! One message at a time would crawl through `Throttle`, which releases requests in 250 ms ticks (4
//! per second for a lone request). So the sender keeps [`SEND_AHEAD`] requests queued in `Throttle`
//! ahead of the one being sent: each is polled once, which only puts it in `Throttle`'s queue (a
//! throttled request reaches the network only when polled after its turn came), and they are then
//! awaited strictly one after another, at an even pace of `Throttle`'s overall rate ([`Pacing`]).
//! The pace matters: `Throttle` counts a request when it releases it, and releases a tick's worth at
//! once; sent one after another, a tick's messages reach Telegram a little later than `Throttle`
//! counted them, and a strict limiter sees two ticks' messages inside one second and answers 429.
//! Evenly spaced, they never bunch. The price of the promise is that sending is bound by one round
//! trip plus one store write per message: 28 messages per second needs a round trip under ~30 ms.
//!
//! Telegram's answers decide what happens next: a chat that blocked the bot, was deleted or removed
//! the bot loses its subscriptions; "bot can't send messages" is retried and gives up after 3 failures
//! spanning an hour; a migrated group moves to its new id and the message goes out again; 429s are
//! waited out by `Throttle` itself, and any that surface are retried after the time Telegram asked.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::time::Duration as StdDuration;

use chrono::Duration;
use futures::future::{MaybeDone, maybe_done};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

use super::bot::Api;
use super::convert::keyboard;
use crate::chat::{ChatCore, notices_reply};
use crate::clock::SharedClock;
use crate::store::{PendingNotice, Store, StoreError};
use crate::watch::Notice;

/// Messages waiting in `Throttle`'s queue ahead of the one being sent: two of its 250 ms ticks at
/// Telegram's pace, so that every tick finds work, while leaving room in its queue for replies.
pub const SEND_AHEAD: usize = 14;
/// Pending notices taken per round.
const BATCH: u32 = 500;
/// Sent notices are kept this long (to look into what a chat was told), then purged hourly, in
/// batches so that the store is never held for long.
const SENT_KEPT_DAYS: i64 = 7;
const PURGE_EVERY_MINUTES: i64 = 60;
const PURGE_BATCH: u32 = 10_000;
/// "Bot can't send messages": tries, and the span they must cover, before giving up on a chat.
const CANT_SEND_TRIES: u32 = 3;
const CANT_SEND_SPAN_MINUTES: i64 = 60;
const CANT_SEND_RETRY_MINUTES: i64 = 20;

/// What a failed send means for the chat.
#[derive(Debug, PartialEq)]
enum Failure {
    /// Blocked, deactivated, kicked, deleted: stop the chat's subscriptions.
    ChatGone,
    /// The group is now a supergroup with this id.
    Migrated(i64),
    /// Telegram asked to wait.
    RetryAfter(StdDuration),
    /// "Bot can't send messages to the user": has been seen to pass; retry, then give up.
    CantSendYet,
    /// Anything else (network, Telegram trouble): retry with back-off.
    Other,
}

/// teloxide classifies most errors by variant; today's texts of some it reports as `Unknown`.
fn classify(error: &RequestError) -> Failure {
    match error {
        RequestError::MigrateToChatId(id) => Failure::Migrated(id.0),
        RequestError::RetryAfter(seconds) => Failure::RetryAfter(seconds.duration()),
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots,
        ) => Failure::ChatGone,
        RequestError::Api(ApiError::Unknown(text)) => {
            let text = text.to_ascii_lowercase();
            if text.contains("bot can't send messages") {
                Failure::CantSendYet
            } else if [
                "blocked by the user",
                "user is deactivated",
                "bot was kicked",
                "chat not found",
                "can't initiate conversation",
            ]
            .iter()
            .any(|gone| text.contains(gone))
            {
                Failure::ChatGone
            } else {
                Failure::Other
            }
        }
        _ => Failure::Other,
    }
}

pub struct Sender<B> {
    pub bot: B,
    pub core: ChatCore,
    pub store: Store,
    pub clock: SharedClock,
    pub sandbox: bool,
    pub idle_poll: StdDuration,
    /// `Some` behind `Throttle`. Without it nothing is queued ahead (an unthrottled request goes to the
    /// network on its first poll) and nothing paces the sender (benchmarks of the bot itself).
    pub pacing: Option<Pacing>,
}

/// How the sender feeds `Throttle`: requests queued ahead, sent evenly at its overall rate.
pub struct Pacing {
    limiter: DefaultDirectRateLimiter,
}

impl Pacing {
    /// Even spacing at `per_second` messages per second; `None` for 0.
    pub fn new(per_second: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_second)?;
        Some(Self { limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(NonZeroU32::MIN)) })
    }
}

type SendOutcome = Result<teloxide::types::Message, RequestError>;
type SendFuture = Pin<Box<dyn Future<Output = SendOutcome> + Send>>;

/// A message on its way: the notices it carries and its request, queued in `Throttle` or not yet polled.
struct Outgoing {
    notices: Vec<PendingNotice>,
    request: Pin<Box<MaybeDone<SendFuture>>>,
}

impl<B: Api> Sender<B> {
    /// Runs until `shutdown`; the message being sent is finished first, and nothing is lost.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut next_purge = self.clock.now();
        while !shutdown.is_cancelled() {
            if self.clock.now() >= next_purge {
                self.purge_history(&shutdown).await;
                next_purge = self.clock.now() + Duration::minutes(PURGE_EVERY_MINUTES);
            }
            let pause = match self.drain(&shutdown).await {
                Ok(0) => self.idle_poll,
                Ok(_) => StdDuration::ZERO,
                Err(error) => {
                    tracing::error!(%error, "sender round failed");
                    self.idle_poll.max(StdDuration::from_secs(1))
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        }
        tracing::info!("sender stopped");
    }

    /// Deletes notices sent more than [`SENT_KEPT_DAYS`] ago. A failure is logged and retried at the
    /// next purge: the history only costs disk.
    async fn purge_history(&self, shutdown: &CancellationToken) {
        let before = self.clock.now() - Duration::days(SENT_KEPT_DAYS);
        let mut purged = 0;
        while !shutdown.is_cancelled() {
            match self.store.purge_sent_notices(before, PURGE_BATCH).await {
                Ok(count) => {
                    purged += count;
                    if count < u64::from(PURGE_BATCH) {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "purging sent notifications failed; will try again later");
                    break;
                }
            }
        }
        if purged > 0 {
            tracing::info!(purged, "purged sent notifications older than {SENT_KEPT_DAYS} days");
        }
    }

    /// Sends what is due now; returns how many notices were taken. On shutdown it finishes the message
    /// being sent and drops the queued ones (they were never sent), so that stopping takes a moment.
    pub async fn drain(&self, shutdown: &CancellationToken) -> Result<usize, StoreError> {
        let pending = self.store.pending_notices(self.clock.now(), BATCH).await?;
        let count = pending.len();
        let mut order = Vec::new();
        let mut by_chat: HashMap<i64, Vec<PendingNotice>> = HashMap::new();
        for notice in pending {
            if !by_chat.contains_key(&notice.chat_id) {
                order.push(notice.chat_id);
            }
            by_chat.entry(notice.chat_id).or_default().push(notice);
        }
        let mut groups = order.into_iter().filter_map(|chat| by_chat.remove(&chat));
        let mut queued: VecDeque<Outgoing> = VecDeque::new();
        while !shutdown.is_cancelled() {
            let ahead = if self.pacing.is_some() { SEND_AHEAD } else { 0 };
            while queued.len() <= ahead {
                let Some(group) = groups.next() else { break };
                if let Some(mut outgoing) = self.prepare(group).await? {
                    if ahead > 0 {
                        // Joins Throttle's queue; it is sent when awaited below, after those before it.
                        let _ = futures::poll!(outgoing.request.as_mut());
                    }
                    queued.push_back(outgoing);
                }
            }
            let Some(mut next) = queued.pop_front() else { break };
            if let Some(pacing) = &self.pacing {
                pacing.limiter.until_ready().await;
            }
            next.request.as_mut().await;
            // Always there after the await; were it not, the notices would simply stay pending.
            if let Some(outcome) = next.request.as_mut().take_output() {
                self.settle(next.notices, outcome).await?;
            }
        }
        Ok(count)
    }

    /// The message for one chat's notices, or `None` when there is nothing readable to send (those
    /// notices are marked sent: an unknown courier or a corrupt payload will never render).
    async fn prepare(&self, notices: Vec<PendingNotice>) -> Result<Option<Outgoing>, StoreError> {
        let Some(first) = notices.first() else { return Ok(None) };
        let chat_id = first.chat_id;
        let parsed: Vec<Notice> =
            notices.iter().filter_map(|notice| serde_json::from_str(&notice.payload).ok()).collect();
        let lang = self.core.notice_lang(chat_id, &first.lang).await;
        let reply = notices_reply(&parsed, lang, self.sandbox);
        if reply.html.is_empty() {
            let ids: Vec<i64> = notices.iter().map(|notice| notice.id).collect();
            self.store.mark_sent(&ids, self.clock.now()).await?;
            return Ok(None);
        }
        let mut request = self.bot.send_message(ChatId(chat_id), reply.html);
        if let Some(markup) = keyboard(&reply.buttons) {
            request = request.reply_markup(markup);
        }
        let send: SendFuture = Box::pin(request.send());
        Ok(Some(Outgoing { notices, request: Box::pin(maybe_done(send)) }))
    }

    /// Records what Telegram answered.
    async fn settle(&self, notices: Vec<PendingNotice>, outcome: SendOutcome) -> Result<(), StoreError> {
        let Some(first) = notices.first() else { return Ok(()) };
        let chat_id = first.chat_id;
        let ids: Vec<i64> = notices.iter().map(|notice| notice.id).collect();
        let now = self.clock.now();
        let error = match outcome {
            Ok(_) => return self.store.mark_sent(&ids, now).await,
            Err(error) => error,
        };
        match classify(&error) {
            Failure::ChatGone => {
                tracing::info!(chat = chat_id, %error, "chat is gone");
                self.core.chat_gone(chat_id).await;
                Ok(())
            }
            Failure::Migrated(to) => {
                // The notices move with the chat and go out again in the next round.
                self.core.chat_migrated(chat_id, to).await;
                Ok(())
            }
            Failure::RetryAfter(wait) => {
                let wait = Duration::from_std(wait).unwrap_or(Duration::seconds(5));
                self.store.mark_failed(&ids, now + wait, now).await
            }
            Failure::CantSendYet => {
                let tries = first.attempts + 1;
                let since = first.first_failure_at.unwrap_or(now);
                if tries >= CANT_SEND_TRIES && now - since >= Duration::minutes(CANT_SEND_SPAN_MINUTES) {
                    tracing::info!(chat = chat_id, tries, "still cannot send: giving up on the chat");
                    self.core.chat_gone(chat_id).await;
                    Ok(())
                } else {
                    self.store.mark_failed(&ids, now + Duration::minutes(CANT_SEND_RETRY_MINUTES), now).await
                }
            }
            Failure::Other => {
                tracing::warn!(chat = chat_id, %error, "sending a notification failed; will retry");
                let backoff = Duration::seconds(30) * 2_i32.saturating_pow(first.attempts.min(7));
                self.store.mark_failed(&ids, now + backoff.min(Duration::hours(1)), now).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use teloxide::types::{ChatId, Seconds};

    use super::*;

    #[test]
    fn errors_are_classified_by_variant_then_by_text() {
        assert_eq!(classify(&RequestError::Api(ApiError::BotBlocked)), Failure::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::ChatNotFound)), Failure::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::UserDeactivated)), Failure::ChatGone);
        let unknown = |text: &str| RequestError::Api(ApiError::Unknown(text.to_owned()));
        assert_eq!(classify(&unknown("Forbidden: bot was kicked from the group chat")), Failure::ChatGone);
        assert_eq!(classify(&unknown("Forbidden: bot can't send messages to the user")), Failure::CantSendYet);
        assert_eq!(classify(&unknown("Bad Request: something new")), Failure::Other);
        assert_eq!(classify(&RequestError::MigrateToChatId(ChatId(-100123))), Failure::Migrated(-100123));
        assert_eq!(
            classify(&RequestError::RetryAfter(Seconds::from_seconds(3))),
            Failure::RetryAfter(StdDuration::from_secs(3))
        );
    }
}
