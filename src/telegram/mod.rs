//! The Telegram adapter: teloxide in, teloxide out, and nothing else.
//!
//! [`Telegram::connect`] builds the bot (`Throttle` + `CacheMe` + `DefaultParseMode(Html)`) and checks
//! the token with `getMe`; [`Telegram::serve`] long-polls, converts each update into the chat core's
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

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use bot::{Api, BotOptions, BuiltBot, TelegramError, ThrottledBot, UnthrottledBot, build_bot, default_limits};
pub use delivery::{SEND_AHEAD, TelegramDelivery, classify};

use crate::chat::ChatCore;
use crate::kuaidi100::Lang;
use crate::watch::Delivery;

/// A bot that Telegram has accepted.
pub struct Telegram {
    bot: BuiltBot,
    username: String,
    /// `Throttle`'s overall rate, which the outbox paces itself to (`None` without `Throttle`).
    per_second: Option<u32>,
}

impl Telegram {
    /// Builds the bot and checks the token with `getMe`.
    pub async fn connect(options: &BotOptions) -> Result<Self, TelegramError> {
        let bot = build_bot(options);
        let me = match &bot {
            BuiltBot::Throttled(bot) => get_me(bot).await,
            BuiltBot::Unthrottled(bot) => get_me(bot).await,
        }?;
        let per_second = options.throttle.map(|limits| limits.messages_per_sec_overall);
        Ok(Self { bot, username: me, per_second })
    }

    /// The bot's username, for `/track@BotName`.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Registers the command menu in Chinese, English and `default_lang` for other languages.
    pub async fn register_menu(&self, default_lang: Lang) {
        match &self.bot {
            BuiltBot::Throttled(bot) => menu::register(bot, default_lang).await,
            BuiltBot::Unthrottled(bot) => menu::register(bot, default_lang).await,
        }
    }

    /// How the outbox sends notifications through this bot.
    pub fn delivery(&self) -> Arc<dyn Delivery> {
        match &self.bot {
            BuiltBot::Throttled(bot) => TelegramDelivery::new(bot.clone(), self.per_second),
            BuiltBot::Unthrottled(bot) => TelegramDelivery::new(bot.clone(), None),
        }
    }

    /// Long-polls until `shutdown` is cancelled; the updates in hand are finished first.
    pub async fn serve(&self, core: ChatCore, shutdown: CancellationToken) {
        match &self.bot {
            BuiltBot::Throttled(bot) => handlers::serve(bot.clone(), core, shutdown).await,
            BuiltBot::Unthrottled(bot) => handlers::serve(bot.clone(), core, shutdown).await,
        }
    }
}

async fn get_me<B: Api>(bot: &B) -> Result<String, TelegramError> {
    let me = bot.get_me().await.map_err(|error| TelegramError::GetMe(error.to_string()))?;
    Ok(me.user.username.clone().unwrap_or_default())
}
