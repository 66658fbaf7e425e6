//! Building the bot: token, API URL, adaptors.

use teloxide::RequestError;
use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::{CacheMe, DefaultParseMode, Throttle};
use teloxide::prelude::*;
use teloxide::requests::Requester;
use teloxide::types::ParseMode;

/// What the handlers need of a bot. Generic so that the same handlers run with `Throttle` (always, in
/// production) and without it (the dispatcher benchmark, to measure the bot rather than the pacing).
pub trait Api:
    Requester<
        Err = RequestError,
        GetMe: Send,
        GetUpdates: Send,
        GetWebhookInfo: Send,
        DeleteWebhook: Send,
        SetMyCommands: Send,
        SendMessage: Send,
        EditMessageText: Send,
        AnswerCallbackQuery: Send,
        SendChatAction: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<B> Api for B where
    B: Requester<
            Err = RequestError,
            GetMe: Send,
            GetUpdates: Send,
            GetWebhookInfo: Send,
            DeleteWebhook: Send,
            SetMyCommands: Send,
            SendMessage: Send,
            EditMessageText: Send,
            AnswerCallbackQuery: Send,
            SendChatAction: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The production bot: `Throttle` + `CacheMe` + `DefaultParseMode(Html)`.
pub type ThrottledBot = DefaultParseMode<CacheMe<Throttle<Bot>>>;
/// The same without `Throttle`, for benchmarks.
pub type UnthrottledBot = DefaultParseMode<CacheMe<Bot>>;

/// How to reach Telegram.
#[derive(Clone)]
pub struct BotOptions {
    pub token: String,
    /// `TELOXIDE_API_URL`, for a fake Bot API in tests; `None` = Telegram.
    pub api_url: Option<reqwest::Url>,
    /// Telegram's send limits; `None` turns `Throttle` off (benchmarks only).
    pub throttle: Option<Limits>,
}

impl std::fmt::Debug for BotOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotOptions").field("token", &"<redacted>").field("api_url", &self.api_url).finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("TELOXIDE_TOKEN is not set: get a token from @BotFather and put it in the environment or .env")]
    MissingToken,
    #[error("TELOXIDE_API_URL is not a valid URL: {0}")]
    BadApiUrl(String),
    #[error("Telegram refused the bot at start-up (getMe failed: {0}); check TELOXIDE_TOKEN and the network")]
    GetMe(String),
}

impl BotOptions {
    /// Reads `TELOXIDE_TOKEN` and `TELOXIDE_API_URL`, with Telegram's default limits.
    pub fn from_env() -> Result<Self, TelegramError> {
        let token =
            std::env::var("TELOXIDE_TOKEN").ok().map(|token| token.trim().to_owned()).filter(|token| !token.is_empty());
        let token = token.ok_or(TelegramError::MissingToken)?;
        let api_url = match std::env::var("TELOXIDE_API_URL").ok().filter(|url| !url.trim().is_empty()) {
            Some(url) => {
                Some(reqwest::Url::parse(url.trim()).map_err(|error| TelegramError::BadApiUrl(error.to_string()))?)
            }
            None => None,
        };
        Ok(Self { token, api_url, throttle: Some(default_limits()) })
    }
}

/// Telegram's documented limits with the overall rate at 28/s: teloxide's throttle sends in 250 ms
/// ticks and the notification sender paces itself at the same rate, so delivery stays a little under
/// the setting (27.5/s at 28, busiest rolling second 29), and at 30 bursts draw 429s from a strict
/// limiter. Measured with `cargo run --release --example fanout_bench -- --chats 10000`.
pub fn default_limits() -> Limits {
    Limits { messages_per_sec_overall: 28, ..Limits::default() }
}

/// Either bot, as chosen by [`BotOptions::throttle`].
pub enum BuiltBot {
    Throttled(ThrottledBot),
    Unthrottled(UnthrottledBot),
}

/// The bot with its adaptors: `Throttle` (if enabled), `CacheMe`, `DefaultParseMode(Html)`.
pub fn build_bot(options: &BotOptions) -> BuiltBot {
    let mut bot = Bot::new(options.token.clone());
    if let Some(url) = &options.api_url {
        bot = bot.set_api_url(url.clone());
    }
    match options.throttle {
        Some(limits) => BuiltBot::Throttled(bot.throttle(limits).cache_me().parse_mode(ParseMode::Html)),
        None => BuiltBot::Unthrottled(bot.cache_me().parse_mode(ParseMode::Html)),
    }
}
