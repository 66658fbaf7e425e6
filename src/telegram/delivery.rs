//! Notifications over Telegram: the outbox's [`Delivery`], and Telegram's errors in its words.
//!
//! The outbox decides what an outcome means; this file only sends and classifies. teloxide names most
//! errors by variant; some of today's texts it reports as `Unknown`, so those are read by their words.
//! Each notification waits for its permit of the shared [`Pace`] (behind any reply), then goes out.
//! The window — how many may be on their way at once — is what the overall rate times the measured
//! round trip needs, plus one, between 1 and [`MAX_WINDOW`]: at 28 messages per second over a 150 ms
//! round trip that is 6, where one at a time would manage 6.5 per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::requests::Request;
use teloxide::types::{MessageId, ThreadId};
use teloxide::{ApiError, RequestError};

use super::bot::Api;
use super::convert::keyboard;
use super::pace::{Pace, Priority};
use crate::message::Reply;
use crate::watch::{Delivered, Delivering, Delivery, StartBy};

/// The most notifications on their way at once, whatever the round trip: a crash may repeat them all.
pub const MAX_WINDOW: usize = 32;
/// Unpaced (benchmarks of the bot itself), the window is not limited by a rate.
const UNPACED_WINDOW: usize = MAX_WINDOW;

/// The window for a round trip at a rate: `ceil(rate × rtt) + 1`, between 1 and [`MAX_WINDOW`].
pub fn window_for(per_second: u32, round_trip: Duration) -> usize {
    let needed = (f64::from(per_second) * round_trip.as_secs_f64()).ceil() as usize;
    (needed + 1).clamp(1, MAX_WINDOW)
}

/// A moving average of Telegram's answer times (microseconds), weighting the newest by 1/8.
#[derive(Default)]
struct RoundTrip {
    micros: AtomicU64,
}

impl RoundTrip {
    fn record(&self, took: Duration) {
        let sample = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let _ = self.micros.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
            Some(if old == 0 { sample } else { old - old / 8 + sample / 8 })
        });
    }

    fn get(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::Relaxed))
    }
}

/// Sends notifications with the bot it was given.
pub struct TelegramDelivery<B> {
    bot: B,
    pace: Option<Pace>,
    round_trip: Arc<RoundTrip>,
    /// The largest window used so far, logged when it grows (it may repeat that many on a crash).
    largest_window: AtomicU64,
}

impl<B: Api> TelegramDelivery<B> {
    /// `pace`: the bot's shared budget, or `None` to send unpaced.
    pub fn new(bot: B, pace: Option<Pace>) -> Arc<Self> {
        Arc::new(Self { bot, pace, round_trip: Arc::default(), largest_window: AtomicU64::new(0) })
    }
}

impl<B: Api> Delivery for TelegramDelivery<B> {
    fn deliver(&self, chat_id: i64, topic: Option<i32>, message: Reply, start_by: StartBy) -> Delivering {
        let mut request = self.bot.send_message(ChatId(chat_id), message.html);
        if let Some(markup) = keyboard(&message.buttons) {
            request = request.reply_markup(markup);
        }
        if let Some(topic) = topic {
            request = request.message_thread_id(ThreadId(MessageId(topic)));
        }
        let pace = self.pace.clone();
        let round_trip = self.round_trip.clone();
        Box::pin(async move {
            if let Some(pace) = &pace {
                pace.permit(chat_id, Priority::Notice).await;
            }
            if start_by.passed() {
                return Delivered::NotStarted;
            }
            let started = Instant::now();
            let outcome = request.send().await;
            round_trip.record(started.elapsed());
            match outcome {
                Ok(_) => Delivered::Delivered,
                Err(error) => {
                    if matches!(error, RequestError::RetryAfter(_)) {
                        metrics::counter!(super::RETRY_AFTER_METRIC, "kind" => "notification").increment(1);
                    }
                    classify(&error)
                }
            }
        })
    }

    fn window(&self) -> usize {
        let Some(pace) = &self.pace else { return UNPACED_WINDOW };
        let window = window_for(pace.per_second(), self.round_trip.get());
        let largest = self.largest_window.fetch_max(window as u64, Ordering::Relaxed);
        if (window as u64) > largest {
            let round_trip_ms = self.round_trip.get().as_millis() as u64;
            tracing::info!(window, round_trip_ms, "notification window grew");
        }
        window
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
    use teloxide::types::{ChatId, Seconds};

    use super::*;

    #[test]
    fn the_window_covers_the_round_trip_at_the_rate() {
        assert_eq!(window_for(28, Duration::ZERO), 1);
        assert_eq!(window_for(28, Duration::from_millis(1)), 2);
        assert_eq!(window_for(28, Duration::from_millis(150)), 6);
        assert_eq!(window_for(28, Duration::from_millis(300)), 10);
        assert_eq!(window_for(28, Duration::from_secs(5)), MAX_WINDOW);
        let trip = RoundTrip::default();
        trip.record(Duration::from_millis(150));
        assert_eq!(trip.get(), Duration::from_millis(150), "the first sample is taken as it is");
        for _ in 0..40 {
            trip.record(Duration::from_millis(50));
        }
        assert!(trip.get() < Duration::from_millis(52), "{:?}", trip.get());
    }

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
