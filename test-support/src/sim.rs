//! The world the tests and benchmarks run the bot in: the in-process Kuaidi100 simulator, on a clock
//! they choose (usually one they drive by hand), from one fixed start.
//!
//! Why it is shaped this way:
//! - Every driven clock starts at [`start_time`], so that "09:00 Beijing on a Monday" means the same in
//!   the tracker's tests, the bot's tests and the benchmarks (the watch policy treats nights and days
//!   differently, so the start matters).
//! - [`sandbox_engine`] is the one way to get the bot's engine on the simulator: it goes through the
//!   same `Config::from_lookup` and `Engine::start` as the binary, so sandbox mode (no Kuaidi100
//!   credentials: the simulator answers, enforcing the configured lock rule), the limits, the store and
//!   the watcher are wired exactly as in production. The configuration is only what the caller passes,
//!   never the process environment, so a developer's `.env` or `KUAIDI100_KEY` cannot leak into a test.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use kuaidi_bot::app::{Config, ConfigError, Engine, SetupError};
use kuaidi_bot::clock::SharedClock;

use crate::store::TestStore;

/// 2026-11-02 09:00 Beijing time (01:00 UTC), a Monday morning: where every driven clock starts.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).single().expect("valid time")
}

/// Why [`sandbox_engine`] could not start the engine.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error("cannot listen on a loopback port: {0}")]
    Listen(std::io::Error),
}

/// Starts the engine as the binary does (`Config::from_lookup`, then `Engine::start`) on `store` and
/// `clock`, in sandbox mode: its `sandbox` is the in-process simulator, with the lock rule of the
/// configured `QUERY_MIN_INTERVAL` and `QUERY_MAX_PER_DAY`. `env` is the whole configuration besides
/// `DATABASE_URL`, which is the store's (e.g. `[("USER_RATE_LIMIT", "1000000/s")]`); it should hold no
/// Kuaidi100 credentials, or the engine would not be in sandbox mode.
///
/// The engine opens its own connections to the store's database; `store` must outlive it (dropping a
/// [`TestStore`] deletes the database).
pub async fn sandbox_engine(store: &TestStore, clock: SharedClock, env: &[(&str, &str)]) -> Result<Engine, SimError> {
    sandbox_engine_calling_back(store, clock, env, None).await
}

/// The same, with the simulator's pushes (push and hybrid `WATCH_MODE`) sent to `callback_base`
/// (`http://127.0.0.1:PORT` of a listener the caller serves the bot's HTTP server on), as the binary
/// does with `app::local_callbacks`.
pub async fn sandbox_engine_calling_back(
    store: &TestStore,
    clock: SharedClock,
    env: &[(&str, &str)],
    callback_base: Option<&str>,
) -> Result<Engine, SimError> {
    let mut vars: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    vars.insert("DATABASE_URL".into(), store.url.clone());
    let mut config = Config::from_lookup(|name| vars.get(name).cloned())?;
    if let Some(base) = callback_base {
        config.callback_base = Some(base.to_owned());
    }
    Ok(Engine::start(config, clock).await?)
}
