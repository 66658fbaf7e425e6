//! The bot's HTTP server — the JSON API and the page among its routes — in this process, on a
//! loopback port, on the in-process simulator.
//!
//! Why here: the API's tests (`tests/api.rs`), its benchmark (`examples/api_bench.rs`) and the page's
//! harness ([`crate::page`]) start the server alike, the way `kuaidi-bot run` does: the engine from [`sim::sandbox_engine`] (sandbox mode,
//! the configured limits), its routes from `Engine::http_state`, served by `http::serve` (so the
//! handlers see the peer's address, as in production) on `127.0.0.1:0`. The caller keeps the store
//! alive and drives the clock.

use std::sync::Arc;

use kuaidi_bot::app::Engine;
use kuaidi_bot::clock::ManualClock;
use kuaidi_bot::http::{self, Readiness};
use kuaidi_bot::sandbox::Sandbox;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::sim::{self, SimError, start_time};
use crate::store::TestStore;

/// A running server and the engine behind it. Dropping it stops the server.
pub struct ApiServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    /// The engine's clock, starting at [`start_time`].
    pub clock: ManualClock,
    pub engine: Engine,
    stop: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ApiServer {
    /// The server on an engine configured by `env` (as for [`sim::sandbox_engine`]: e.g.
    /// `[("API_TOKEN", "…"), ("API_RATE_LIMIT", "2/min")]`) over `store`.
    pub async fn start(store: &TestStore, env: &[(&str, &str)]) -> Result<Self, SimError> {
        Self::start_as(store, env, None).await
    }

    /// The same, with the bot's username set as `getMe` would tell it (the page's Telegram link).
    pub async fn start_as(
        store: &TestStore,
        env: &[(&str, &str)],
        bot_username: Option<&str>,
    ) -> Result<Self, SimError> {
        let clock = ManualClock::new(start_time());
        let engine = sim::sandbox_engine(store, Arc::new(clock.clone()), env).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(SimError::Listen)?;
        let base = format!("http://{}", listener.local_addr().map_err(SimError::Listen)?);
        let readiness = Readiness::new();
        readiness.telegram_reached();
        let state = engine.http_state(readiness);
        if let Some(username) = bot_username {
            state.bot_username.set(username);
        }
        let stop = CancellationToken::new();
        let task = tokio::spawn(http::serve(listener, state, axum::Router::new(), stop.clone()));
        Ok(Self { base, clock, engine, stop, task: Some(task) })
    }

    /// `base` + `path` (with its query, if any).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The simulator answering the engine.
    pub fn sandbox(&self) -> &Sandbox {
        match &self.engine.sandbox {
            Some(handle) => &handle.sandbox,
            None => unreachable!("sandbox_engine always runs on the simulator"),
        }
    }

    /// Every query the simulator has answered so far (the billed calls).
    pub fn total_queries(&self) -> u64 {
        self.sandbox().stats().total_queries
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
