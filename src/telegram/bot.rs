//! Building the bot: token, API URL, adaptors (`CacheMe`, `DefaultParseMode(Html)`; pacing is the
//! bot's own, in `pace.rs`).

use bytes::Bytes;
use futures::stream::BoxStream;
use teloxide::RequestError;
use teloxide::adaptors::{CacheMe, DefaultParseMode};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::requests::Requester;
use teloxide::types::ParseMode;

use super::pace::{Limits, default_limits};

/// What the handlers need of a bot; generic so that tests of the adapter could wrap it.
pub trait Api:
    Requester<
        Err = RequestError,
        GetMe: Send,
        GetUpdates: Send,
        GetWebhookInfo: Send,
        DeleteWebhook: Send,
        SetWebhook: Send,
        SetMyCommands: Send,
        GetMyCommands: Send,
        SetMyDescription: Send,
        GetMyDescription: Send,
        SetMyShortDescription: Send,
        GetMyShortDescription: Send,
        AnswerInlineQuery: Send,
        SendMessage: Send,
        EditMessageText: Send,
        AnswerCallbackQuery: Send,
        SendChatAction: Send,
        GetFile: Send,
    > + Download<StreamErr = reqwest::Error, Stream = BoxStream<'static, Result<Bytes, reqwest::Error>>>
    + Clone
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
            SetWebhook: Send,
            SetMyCommands: Send,
            GetMyCommands: Send,
            SetMyDescription: Send,
            GetMyDescription: Send,
            SetMyShortDescription: Send,
            GetMyShortDescription: Send,
            AnswerInlineQuery: Send,
            SendMessage: Send,
            EditMessageText: Send,
            AnswerCallbackQuery: Send,
            SendChatAction: Send,
            GetFile: Send,
        > + Download<StreamErr = reqwest::Error, Stream = BoxStream<'static, Result<Bytes, reqwest::Error>>>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The bot: `CacheMe` + `DefaultParseMode(Html)`.
pub type TgBot = DefaultParseMode<CacheMe<Bot>>;

/// How to reach Telegram.
#[derive(Clone)]
pub struct BotOptions {
    pub token: String,
    /// `TELOXIDE_API_URL`, for a fake Bot API in tests; `None` = Telegram.
    pub api_url: Option<reqwest::Url>,
    /// Telegram's send limits, which the bot paces itself to; `None` sends unpaced (benchmarks of the
    /// bot itself only).
    pub pace: Option<Limits>,
    /// Where replicas share that pace (PostgreSQL); `None`: this process paces itself alone.
    pub shared_pace: Option<crate::store::Store>,
}

impl std::fmt::Debug for BotOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotOptions")
            .field("token", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("shared_pace", &self.shared_pace.is_some())
            .finish()
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
    #[error("PUBLIC_URL `{0}` plus the webhook path is not a valid URL")]
    BadPublicUrl(String),
    #[error(
        "PUBLIC_URL is set (Telegram webhook mode) but the bot has no HTTP server to receive updates on: \
         set HTTP_ADDR, or unset PUBLIC_URL for long polling"
    )]
    WebhookWithoutHttp,
    #[error(
        "Telegram did not accept the webhook under PUBLIC_URL {public_url} (setWebhook failed {attempts} times, \
         last: {reason}); check that PUBLIC_URL is an https address Telegram can reach and that it leads to \
         HTTP_ADDR, or unset PUBLIC_URL for long polling"
    )]
    SetWebhook { public_url: String, attempts: u32, reason: String },
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
        Ok(Self { token, api_url, pace: Some(default_limits()), shared_pace: None })
    }
}

/// The bot with its adaptors.
pub fn build_bot(options: &BotOptions) -> TgBot {
    let mut bot = Bot::new(options.token.clone());
    if let Some(url) = &options.api_url {
        bot = bot.set_api_url(url.clone());
    }
    bot.cache_me().parse_mode(ParseMode::Html)
}
