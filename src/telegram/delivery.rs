//! Notifications over Telegram: the outbox's [`Delivery`], and Telegram's errors in its words.
//!
//! The outbox decides what an outcome means; this file only sends and classifies. teloxide names most
//! errors by variant; some of today's texts it reports as `Unknown`, so those are read by their words.
//! Behind `Throttle` the outbox starts [`SEND_AHEAD`] messages ahead (polled once, they wait in
//! `Throttle`'s queue) and spaces them at `Throttle`'s overall rate: `Throttle` counts a request when it
//! releases it and releases a tick's worth at once, so messages sent one after another reach Telegram
//! a little later than counted, and a strict limiter would see two ticks inside one second and answer
//! 429. Evenly spaced, they never bunch.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::{ApiError, RequestError};

use super::bot::Api;
use super::convert::keyboard;
use crate::message::Reply;
use crate::watch::{Delivered, Delivering, Delivery, Pacing};

/// Messages waiting in `Throttle`'s queue ahead of the one being sent: two of its 250 ms ticks at
/// Telegram's pace, so that every tick finds work, while leaving room in its queue for replies.
pub const SEND_AHEAD: usize = 14;

/// Sends notifications with the bot it was given.
pub struct TelegramDelivery<B> {
    bot: B,
    pacing: Pacing,
}

impl<B: Api> TelegramDelivery<B> {
    /// `per_second`: `Throttle`'s overall rate, or `None` without `Throttle` (nothing is queued ahead
    /// — an unthrottled request goes to the network on its first poll — and nothing is spaced).
    pub fn new(bot: B, per_second: Option<u32>) -> Arc<Self> {
        let pacing = match per_second {
            Some(per_second) => Pacing { ahead: SEND_AHEAD, per_second },
            None => Pacing::default(),
        };
        Arc::new(Self { bot, pacing })
    }
}

impl<B: Api> Delivery for TelegramDelivery<B> {
    fn deliver(&self, chat_id: i64, message: Reply) -> Delivering {
        let mut request = self.bot.send_message(ChatId(chat_id), message.html);
        if let Some(markup) = keyboard(&message.buttons) {
            request = request.reply_markup(markup);
        }
        let sending = request.send();
        Box::pin(async move {
            match sending.await {
                Ok(_) => Delivered::Delivered,
                Err(error) => classify(&error),
            }
        })
    }

    fn pacing(&self) -> Pacing {
        self.pacing
    }
}

/// What a failed send means, in the outbox's words.
pub fn classify(error: &RequestError) -> Delivered {
    match error {
        RequestError::MigrateToChatId(id) => Delivered::MigratedTo(id.0),
        RequestError::RetryAfter(seconds) => Delivered::RetryAfter(seconds.duration()),
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots,
        ) => Delivered::ChatGone,
        RequestError::Api(ApiError::Unknown(text)) => {
            let text = text.to_ascii_lowercase();
            if text.contains("bot can't send messages") {
                Delivered::NotAllowedYet
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
                Delivered::ChatGone
            } else {
                Delivered::Failed(error.to_string())
            }
        }
        other => Delivered::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use teloxide::types::{ChatId, Seconds};

    use super::*;

    #[test]
    fn errors_are_classified_by_variant_then_by_text() {
        assert_eq!(classify(&RequestError::Api(ApiError::BotBlocked)), Delivered::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::ChatNotFound)), Delivered::ChatGone);
        assert_eq!(classify(&RequestError::Api(ApiError::UserDeactivated)), Delivered::ChatGone);
        let unknown = |text: &str| RequestError::Api(ApiError::Unknown(text.to_owned()));
        assert_eq!(classify(&unknown("Forbidden: bot was kicked from the group chat")), Delivered::ChatGone);
        assert_eq!(classify(&unknown("Forbidden: bot can't send messages to the user")), Delivered::NotAllowedYet);
        assert!(matches!(classify(&unknown("Bad Request: something new")), Delivered::Failed(_)));
        assert_eq!(classify(&RequestError::MigrateToChatId(ChatId(-100123))), Delivered::MigratedTo(-100123));
        assert_eq!(
            classify(&RequestError::RetryAfter(Seconds::from_seconds(3))),
            Delivered::RetryAfter(Duration::from_secs(3))
        );
    }
}
