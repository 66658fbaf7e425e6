//! Wiring: configuration → store, Kuaidi100 client (or the in-process simulator), tracker.
//!
//! Every entry point (`query`, and later the bot and the console) starts the engine the same way, so
//! sandbox mode, limits and the database behave identically wherever a parcel is asked about.

use chrono::Duration;

use crate::chat::ChatConfig;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::kuaidi100::{Client, ClientConfig};
use crate::sandbox::{self, SandboxConfig, SandboxHandle};
use crate::store::{Store, StoreError};
use crate::tracking::{Tracker, TrackerConfig};
use crate::watch::{Watcher, WatcherConfig};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
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
    /// The in-process simulator, in sandbox mode.
    pub sandbox: Option<SandboxHandle>,
    /// How the subscription watcher runs (tests shorten its idle poll).
    pub watch: WatcherConfig,
}

impl Engine {
    pub async fn start(config: Config, clock: SharedClock) -> Result<Self, SetupError> {
        let store = Store::connect(&config.database_url).await?;
        let (client_config, sandbox) = match &config.credentials {
            Some(credentials) => {
                (ClientConfig::new(&config.api_url, &config.autonumber_url, credentials.clone()), None)
            }
            None => {
                let mut sandbox_config = SandboxConfig::new(sandbox::sandbox_credentials(), clock.clone());
                sandbox_config.lock_interval =
                    Duration::from_std(config.query_min_interval).unwrap_or(Duration::minutes(30));
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
        let client = Client::new(client_config).map_err(SetupError::Client)?;
        let tracker_config = TrackerConfig::from_config(&config);
        let watch = WatcherConfig::new(tracker_config.min_interval);
        let tracker = Tracker::new(client, store.clone(), clock.clone(), tracker_config);
        Ok(Self { config, clock, store, tracker, sandbox, watch })
    }

    /// The chat core's settings for a bot of this name.
    pub fn chat_config(&self, bot_username: &str) -> ChatConfig {
        ChatConfig {
            bot_username: bot_username.to_owned(),
            default_lang: self.config.default_lang,
            sandbox: self.is_sandbox(),
            max_subscriptions: self.config.max_subscriptions_per_chat,
            watch_policy: self.watch.policy,
        }
    }

    pub fn watcher(&self) -> Watcher {
        Watcher::new(self.tracker.clone(), self.clock.clone(), self.watch.clone())
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }
}
