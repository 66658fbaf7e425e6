//! The Telegram adapter: teloxide in, teloxide out, and nothing else.
//!
//! [`Telegram::connect`] builds the bot (`CacheMe` + `DefaultParseMode(Html)`) and checks the token
//! with `getMe`; everything it sends — replies and notifications alike — is paced by one budget
//! ([`Pace`], replies first); [`Telegram::serve`] long-polls, converts each update into the chat core's
//! [`Incoming`](crate::chat::Incoming) and carries out the [`Action`](crate::chat::Action)s that come
//! back; [`Telegram::delivery`] is the outbox's way to send notifications. No decision about what a
//! user sees, or about what a failed notification means, is made here, and no task is started here:
//! `app/` runs this adapter beside the watcher and the outbox. This is the only module that knows
//! teloxide.

mod bot;
mod convert;
mod delivery;
mod handlers;
mod menu;
mod pace;

use std::sync::Arc;

use teloxide::requests::Requester;
use tokio_util::sync::CancellationToken;

pub use bot::{Api, BotOptions, TelegramError, TgBot, build_bot};
pub use delivery::{MAX_WINDOW, TelegramDelivery, classify, window_for};
pub use pace::{Limits, Pace, Priority, default_limits};

use crate::chat::ChatCore;
use crate::kuaidi100::Lang;
use crate::watch::Delivery;

/// Telegram's 429s ("retry after"), by `kind` (`reply`, `notification`), counted through the `metrics`
/// facade (a no-op unless `app/` installed a recorder for the HTTP server's `/metrics`).
pub const RETRY_AFTER_METRIC: &str = "kuaidi_telegram_retry_after_total";

/// A bot that Telegram has accepted.
pub struct Telegram {
    bot: TgBot,
    username: String,
    /// The one budget for everything the bot sends (`None`: unpaced, for benchmarks of the bot).
    pace: Option<Pace>,
}

impl Telegram {
    /// Builds the bot and checks the token with `getMe`.
    pub async fn connect(options: &BotOptions) -> Result<Self, TelegramError> {
        let bot = build_bot(options);
        let me = bot.get_me().await.map_err(|error| TelegramError::GetMe(error.to_string()))?;
        let username = me.user.username.clone().unwrap_or_default();
        Ok(Self { bot, username, pace: options.pace.map(Pace::new) })
    }

    /// The bot's username, for `/track@BotName`.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Registers the command menu in Chinese, English and `default_lang` for other languages.
    pub async fn register_menu(&self, default_lang: Lang) {
        menu::register(&self.bot, default_lang).await;
    }

    /// How the outbox sends notifications through this bot, on the same budget as the replies.
    pub fn delivery(&self) -> Arc<dyn Delivery> {
        TelegramDelivery::new(self.bot.clone(), self.pace.clone())
    }

    /// Long-polls until `shutdown` is cancelled; the updates in hand are finished first.
    pub async fn serve(&self, core: ChatCore, shutdown: CancellationToken) {
        handlers::serve(self.bot.clone(), core, self.pace.clone(), shutdown).await;
    }
}
