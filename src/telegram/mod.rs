//! The Telegram adapter: teloxide in, teloxide out, and nothing else.
//!
//! [`Telegram::connect`] builds the bot (`CacheMe` + `DefaultParseMode(Html)`) and checks the token
//! with `getMe`; everything it sends — replies and notifications alike — is paced by one budget
//! ([`Pace`], replies first); [`Telegram::intake`] arranges how updates arrive — long polling, or a
//! [`Webhook`] whose routes `app/` mounted on the bot's HTTP server before connecting, registered here
//! with `setWebhook`; [`Telegram::serve`] runs one dispatcher over either, converts each update into
//! the chat core's [`Incoming`](crate::chat::Incoming) and carries out the
//! [`Action`](crate::chat::Action)s that come back; [`Telegram::delivery`] is the outbox's way to send
//! notifications. No decision about what a
//! user sees, or about what a failed notification means, is made here, and no task is started here:
//! `app/` runs this adapter beside the watcher and the outbox. This is the only module that knows
//! teloxide.

mod bot;
mod convert;
mod delivery;
mod files;
mod handlers;
mod inline;
mod listener;
mod menu;
mod pace;
mod profile;
mod webhook;

use std::sync::Arc;

use teloxide::requests::Requester;
use tokio_util::sync::CancellationToken;

pub use bot::{Api, BotOptions, TelegramError, TgBot, build_bot};
pub use delivery::{MAX_WINDOW, TelegramDelivery, classify, window_for};
pub use pace::{Limits, Pace, Priority, default_limits};
pub use profile::{MAX_DESCRIPTION, MAX_SHORT_DESCRIPTION};
pub use webhook::{WEBHOOK_REJECTED_METRIC, WEBHOOK_UPDATES_METRIC, Webhook};

use crate::chat::ChatCore;
use crate::kuaidi100::Lang;
use crate::watch::Delivery;

/// Telegram's 429s ("retry after"), by `kind` (`reply`, `notification`), counted through the `metrics`
/// facade (a no-op unless `app/` installed a recorder for the HTTP server's `/metrics`).
pub const RETRY_AFTER_METRIC: &str = "kuaidi_telegram_retry_after_total";

/// How updates reach the bot, as [`Telegram::intake`] arranged it.
pub struct Intake(Route);

enum Route {
    Polling,
    Webhook(listener::WebhookUpdates),
}

/// A bot that Telegram has accepted.
pub struct Telegram {
    bot: TgBot,
    username: String,
    /// The bot's user id (the public part of its token).
    id: u64,
    /// The one budget for everything the bot sends (`None`: unpaced, for benchmarks of the bot).
    pace: Option<Pace>,
}

impl Telegram {
    /// Builds the bot and checks the token with `getMe`.
    pub async fn connect(options: &BotOptions) -> Result<Self, TelegramError> {
        let bot = build_bot(options);
        let me = bot.get_me().await.map_err(|error| TelegramError::GetMe(error.to_string()))?;
        let username = me.user.username.clone().unwrap_or_default();
        if !me.supports_inline_queries {
            tracing::info!("inline mode is off for this bot: switch it on with @BotFather's /setinline");
        }
        let pace = options.pace.map(|limits| match &options.shared_pace {
            Some(store) => Pace::shared(limits, store.clone(), &me.user.id.0.to_string()),
            None => Pace::new(limits),
        });
        Ok(Self { bot, username, id: me.user.id.0, pace })
    }

    /// The bot's username, for `/track@BotName`.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The bot's user id, which names its budgets and its long-polling lock.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Registers the bot's profile — the command menu, the description and the short description —
    /// in Chinese, English and `default_lang`'s for other languages, each only where Telegram does
    /// not have it already. Failures are logged, never fatal.
    pub async fn register_profile(&self, default_lang: Lang) {
        profile::register(&self.bot, default_lang).await;
    }

    /// How the outbox sends notifications through this bot, on the same budget as the replies.
    pub fn delivery(&self) -> Arc<dyn Delivery> {
        TelegramDelivery::new(self.bot.clone(), self.pace.clone())
    }

    /// Long polling without `webhook`; with it, registers it with Telegram (`setWebhook` with its
    /// secret and the update kinds long polling would ask for, retried with back-off) — the routes
    /// must already be served. Several replicas registering the same webhook is harmless; it is never
    /// deleted on shutdown, since another replica may be serving it.
    pub async fn intake(&self, webhook: Option<Webhook>, core: &ChatCore) -> Result<Intake, TelegramError> {
        let Some(webhook) = webhook else {
            tracing::info!("long polling: the bot fetches its updates (deleting any webhook first)");
            return Ok(Intake(Route::Polling));
        };
        // teloxide logs this probe's end ("Dispatching has been stopped (listener returned `None`)").
        let probe = handlers::dispatcher(self.bot.clone(), core.clone(), self.pace.clone());
        let allowed =
            listener::allowed_updates(probe).await.map_err(|error| TelegramError::GetMe(error.to_string()))?;
        let updates = webhook.register(&self.bot, allowed).await?;
        Ok(Intake(Route::Webhook(updates)))
    }

    /// Dispatches updates as `intake` brings them until `shutdown` is cancelled; the updates in hand
    /// are finished first. One handler tree, one dispatcher, either way.
    pub async fn serve(&self, core: ChatCore, intake: Intake, shutdown: CancellationToken) {
        let dispatcher = handlers::dispatcher(self.bot.clone(), core, self.pace.clone());
        match intake.0 {
            Route::Polling => {
                let polling = handlers::polling(self.bot.clone()).await;
                handlers::serve(dispatcher, polling, shutdown).await;
            }
            Route::Webhook(updates) => handlers::serve(dispatcher, updates, shutdown).await,
        }
    }
}
