//! The composition root: configuration → store, Kuaidi100 client (or the in-process simulator),
//! tracker, subscription service, and the pieces each task of the process needs.
//!
//! Every entry point (`query`, the bot, the console) builds the engine the same way, so sandbox mode,
//! limits and the database behave identically wherever a parcel is asked about. Lower layers get their
//! own small settings types from here; nothing below `app/` reads `Config`.

use std::sync::Arc;

use chrono::Duration;

use super::config::Config;
use crate::chat::{ChatConfig, ChatCore, notices_reply};
use crate::clock::SharedClock;
use crate::http::{Api, ApiConfig, BotUsername, HttpState, Readiness};
use crate::kuaidi100::{Client, ClientConfig};
use crate::sandbox::{self, SandboxConfig, SandboxHandle};
use crate::store::{Store, StoreError};
use crate::tracking::{PushTarget, Tracker, TrackerConfig};
use crate::watch::{Delivery, Outbox, PushIntake, Subscriptions, WatchMode, Watcher, WatcherConfig};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot open the database ({variable} {url}): {source}")]
    Store { variable: &'static str, url: String, source: StoreError },
    #[error("cannot start the built-in Kuaidi100 simulator: {0}")]
    Sandbox(std::io::Error),
    #[error("cannot build the Kuaidi100 client: {0}")]
    Client(crate::kuaidi100::Error),
}

/// The running engine.
pub struct Engine {
    pub config: Config,
    pub clock: SharedClock,
    pub store: Store,
    pub tracker: Tracker,
    pub subscriptions: Subscriptions,
    /// The in-process simulator, in sandbox mode.
    pub sandbox: Option<SandboxHandle>,
    /// How the subscription watcher and the outbox run (tests shorten their idle poll).
    pub watch: WatcherConfig,
}

impl Engine {
    /// Opens `config.database_url` and builds everything on it.
    pub async fn start(config: Config, clock: SharedClock) -> Result<Self, SetupError> {
        let database_url = config.database_url.clone();
        Self::start_on(config, clock, &database_url).await
    }

    /// The same on another database (the console's own).
    pub async fn start_on(config: Config, clock: SharedClock, database_url: &str) -> Result<Self, SetupError> {
        let variable = if database_url == config.database_url { "DATABASE_URL" } else { "CONSOLE_DATABASE_URL" };
        let store = Store::connect(database_url).await.map_err(|source| SetupError::Store {
            variable,
            url: crate::store::shown_url(database_url),
            source,
        })?;
        let floor = Duration::from_std(config.query_min_interval).unwrap_or(Duration::minutes(30));
        let (client_config, sandbox) = match &config.credentials {
            Some(credentials) => {
                (ClientConfig::new(&config.api_url, &config.autonumber_url, credentials.clone()), None)
            }
            None => {
                let mut sandbox_config = SandboxConfig::new(sandbox::sandbox_credentials(), clock.clone());
                sandbox_config.lock_interval = floor;
                sandbox_config.lock_max_per_day = config.query_max_per_day;
                let handle = sandbox::spawn(sandbox_config).await.map_err(SetupError::Sandbox)?;
                tracing::warn!(url = %handle.url, "sandbox mode: no Kuaidi100 credentials, the built-in simulator answers");
                let client_config = ClientConfig::new(
                    &handle.url,
                    &format!("{}/autonumber/auto", handle.url),
                    sandbox::sandbox_credentials(),
                );
                (client_config, Some(handle))
            }
        };
        let mut client_config = client_config;
        client_config.timeout = config.kuaidi100_timeout;
        client_config.connect_timeout = client_config.connect_timeout.min(config.kuaidi100_timeout);
        let client = Client::new(client_config).map_err(SetupError::Client)?;
        let push = match (&config.callback_base, config.watch_mode.subscribes()) {
            (Some(base), true) => Some(PushTarget {
                callback_url: format!("{base}{}", crate::http::PUSH_PATH),
                salt: config.push_salt.clone(),
            }),
            (None, true) => {
                tracing::warn!("WATCH_MODE wants pushes but no callback URL is known: parcels are polled");
                None
            }
            _ => None,
        };
        let mode = if push.is_some() { config.watch_mode } else { WatchMode::Poll };
        if mode.subscribes() {
            tracing::info!(mode = mode.as_str(), "watching with Kuaidi100 push subscriptions");
        }
        let tracker_config = TrackerConfig {
            min_interval: floor,
            max_per_day: config.query_max_per_day,
            user_rate: config.user_rate_limit,
            web_rate: config.api_rate_limit,
            push,
            daily_budget: config.daily_budget,
        };
        let mut watch = WatcherConfig::new(floor).with_mode(mode);
        watch.lease = Duration::from_std(config.watch_lease).unwrap_or(watch.lease);
        let tracker = Tracker::new(client, store.clone(), clock.clone(), tracker_config);
        let subscriptions =
            Subscriptions::new(store.clone(), clock.clone(), watch.policy, config.max_subscriptions_per_chat)
                .with_max_per_user(config.max_subscriptions_per_user)
                .with_mode(mode);
        Ok(Self { config, clock, store, tracker, subscriptions, sandbox, watch })
    }

    /// The chat core for a bot of this name.
    pub fn chat_core(&self, bot_username: &str) -> ChatCore {
        let config = ChatConfig {
            bot_username: bot_username.to_owned(),
            default_lang: self.config.default_lang,
            sandbox: self.is_sandbox(),
        };
        ChatCore::new(self.tracker.clone(), self.subscriptions.clone(), self.store.clone(), self.clock.clone(), config)
    }

    pub fn watcher(&self) -> Watcher {
        Watcher::new(self.tracker.clone(), self.clock.clone(), self.watch.clone())
    }

    /// The intake of Kuaidi100's pushes, for the HTTP server's callback route. Also in poll mode:
    /// parcels subscribed while another mode was on keep being pushed until they finish, and their
    /// pushes are free news.
    pub fn push_intake(&self) -> Option<PushIntake> {
        Some(PushIntake::new(self.watcher(), self.config.push_salt.clone()))
    }

    /// The outbox drain through `delivery`, its notices worded by the chat core.
    pub fn outbox(&self, delivery: Arc<dyn Delivery>) -> Outbox {
        let sandbox = self.is_sandbox();
        Outbox::new(
            self.store.clone(),
            self.clock.clone(),
            self.subscriptions.clone(),
            Arc::new(move |notices, lang, zone| notices_reply(notices, lang, zone, sandbox)),
            delivery,
            self.watch.idle_poll,
        )
        .with_lease(Duration::from_std(self.config.outbox_lease).unwrap_or(Duration::seconds(30)))
    }

    /// What the HTTP server's routes read, with `readiness` (the caller owns it) and no bot username
    /// yet (set it on `bot_username` once `getMe` told it).
    pub fn http_state(&self, readiness: Readiness) -> HttpState {
        HttpState {
            store: self.store.clone(),
            tracker: self.tracker.clone(),
            clock: self.clock.clone(),
            readiness,
            push: self.push_intake(),
            sandbox: self.is_sandbox(),
            default_lang: self.config.default_lang,
            bot_username: BotUsername::default(),
            api: self.api(),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The JSON API as configured (`API_TOKEN`, `TRUSTED_PROXIES`, `DEFAULT_LANG`, sandbox mode).
    pub fn api(&self) -> Arc<Api> {
        Api::new(ApiConfig {
            token: self.config.api_token.clone(),
            trusted_proxies: self.config.trusted_proxies.clone(),
            sandbox: self.is_sandbox(),
            default_lang: self.config.default_lang,
        })
    }
}
