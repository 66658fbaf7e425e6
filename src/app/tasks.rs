//! The process's tasks: an adapter, the watcher and the outbox drain, siblings under one token.
//!
//! As in tgreddit, the checker and the bot run side by side; as in mini-redis, shutdown is explicit:
//! cancelling the token makes each task finish its current step (an update, a check, a message) and
//! return, and the process waits for all of them. If the adapter ends on its own (end of input in the
//! console), it cancels the token for the others.
//!
//! The bot also has an HTTP server (health, readiness, metrics, and in webhook mode Telegram's
//! webhook) when given a listener ([`bind_http`] on `HTTP_ADDR`): it starts first, so that `/healthz`
//! answers while Telegram is being reached, turns unready as soon as the token is cancelled, and is stopped last, after the other tasks
//! have finished, so that `/readyz` says "shutting down" while they do.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::Config;
use super::engine::Engine;
use crate::chat::ChatCore;
use crate::console::Console;
use crate::http::{self, BotUsername, Readiness};
use crate::store::PollingLock;
use crate::telegram::{BotOptions, Intake, Telegram, TelegramError, Webhook};

/// `HTTP_ADDR` could not be listened on (taken, not ours to bind).
#[derive(Debug, thiserror::Error)]
#[error("HTTP_ADDR: cannot listen on {addr}: {source} (set another address, or HTTP_ADDR=off)")]
pub struct HttpBindError {
    pub addr: SocketAddr,
    pub source: std::io::Error,
}

/// Binds the HTTP server's listener on `HTTP_ADDR`; `None` when it is `off`.
pub async fn bind_http(config: &Config) -> Result<Option<TcpListener>, HttpBindError> {
    let Some(addr) = config.http_addr else { return Ok(None) };
    TcpListener::bind(addr).await.map(Some).map_err(|source| HttpBindError { addr, source })
}

/// In sandbox mode with push or hybrid watching and no `PUBLIC_URL`, the in-process simulator pushes to
/// this process's own HTTP server: on `http` when there is one (its loopback address, if it listens on
/// all interfaces), else on a loopback port bound here. Sets `config.callback_base`, returns the
/// listener to serve on. With real credentials nothing changes (Kuaidi100 needs `PUBLIC_URL`).
pub async fn local_callbacks(
    config: &mut Config,
    http: Option<TcpListener>,
) -> Result<Option<TcpListener>, HttpBindError> {
    if !config.is_sandbox() || config.callback_base.is_some() || !config.watch_mode.subscribes() {
        return Ok(http);
    }
    let listener = match http {
        Some(listener) => listener,
        None => {
            let addr = SocketAddr::from(([127, 0, 0, 1], 0));
            TcpListener::bind(addr).await.map_err(|source| HttpBindError { addr, source })?
        }
    };
    if let Ok(mut addr) = listener.local_addr() {
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        config.callback_base = Some(format!("http://{addr}"));
    }
    Ok(Some(listener))
}

/// The Telegram bot without an HTTP server: checks the token, registers the menu, then long-polls
/// beside the watcher and the outbox until `shutdown` is cancelled (webhook mode needs the server).
pub async fn run_bot(engine: &Engine, options: BotOptions, shutdown: CancellationToken) -> Result<(), TelegramError> {
    run_bot_serving(engine, options, None, shutdown).await
}

/// The same, with the HTTP server on `http` (from [`bind_http`], or any bound listener in tests).
///
/// With `PUBLIC_URL` (`engine.config.public_url`) the bot runs in webhook mode: the webhook's routes
/// are mounted on the HTTP server, which starts first (so that `/healthz` answers while Telegram is
/// reached), then `getMe`, then `setWebhook`; a webhook Telegram does not accept fails start-up.
/// Without it the bot long-polls. Either way one dispatcher serves the updates, and `/readyz` turns
/// ready once they can arrive.
pub async fn run_bot_serving(
    engine: &Engine,
    options: BotOptions,
    http: Option<TcpListener>,
    shutdown: CancellationToken,
) -> Result<(), TelegramError> {
    let mut options = options;
    if options.shared_pace.is_none() && engine.store.is_shared() {
        // Replicas on one PostgreSQL keep one Telegram budget between them.
        options.shared_pace = Some(engine.store.clone());
    }
    let webhook = match (engine.config.public_url.as_deref(), &http) {
        (Some(public_url), Some(_)) => Some(Webhook::new(&options.token, public_url)?),
        (Some(_), None) => return Err(TelegramError::WebhookWithoutHttp),
        (None, _) => None,
    };
    let routes = webhook.as_ref().map(Webhook::router).unwrap_or_default();
    let readiness = Readiness::new();
    let bot_username = BotUsername::default();
    let server = http.map(|listener| {
        HttpServer::spawn(engine, listener, routes, readiness.clone(), bot_username.clone(), &shutdown)
    });
    let started = start_bot(engine, &options, webhook, &shutdown).await;
    let (telegram, core, intake, polling_lock) = match started {
        Ok(started) => started,
        Err(error) => {
            if let Some(server) = server {
                server.stop().await;
            }
            return Err(error);
        }
    };
    bot_username.set(telegram.username());
    readiness.telegram_reached();
    let background = spawn_background(engine, telegram.delivery(), &shutdown);
    telegram.serve(core, intake, shutdown.clone()).await;
    shutdown.cancel();
    readiness.shutting_down();
    background.join().await;
    if let Some(lock) = polling_lock {
        lock.release().await;
    }
    if let Some(server) = server {
        server.stop().await;
    }
    Ok(())
}

/// Connects, registers the bot's profile (menu and descriptions), and arranges how updates arrive (polling, or `webhook`). A long
/// poller on PostgreSQL first takes the bot's polling lock, waiting while another replica holds it.
async fn start_bot(
    engine: &Engine,
    options: &BotOptions,
    webhook: Option<Webhook>,
    shutdown: &CancellationToken,
) -> Result<(Telegram, ChatCore, Intake, Option<PollingLock>), TelegramError> {
    let telegram = Telegram::connect(options).await?;
    tracing::info!(bot = %telegram.username(), sandbox = engine.is_sandbox(), "connected to Telegram");
    if engine.is_sandbox() {
        tracing::warn!("sandbox mode: replies carry simulator data, and say so");
    }
    let polling_lock = match webhook {
        None if engine.store.is_shared() => polling_lock(engine, &telegram, shutdown).await,
        _ => None,
    };
    telegram.register_profile(engine.config.default_lang).await;
    let core = engine.chat_core(telegram.username());
    let intake = telegram.intake(webhook, &core).await?;
    Ok((telegram, core, intake, polling_lock))
}

/// How often a standby long poller asks again for the polling lock.
const POLLING_LOCK_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Telegram hands updates to one long poller at a time (a second one gets 409 Conflict and both
/// lose updates), so replicas must run in webhook mode; a second replica started in long-polling
/// mode waits here, saying why, and takes over when the first stops (a rolling deploy). `None` on
/// shutdown while waiting, or when the database cannot tell (then polling goes ahead, as alone).
async fn polling_lock(engine: &Engine, telegram: &Telegram, shutdown: &CancellationToken) -> Option<PollingLock> {
    let bot_id = telegram.id().to_string();
    let mut said = false;
    loop {
        match engine.store.try_lock_polling(&bot_id).await {
            Ok(Some(lock)) => {
                if said {
                    tracing::info!("the other long poller stopped: this replica now long-polls");
                }
                return Some(lock);
            }
            Ok(None) if !said => {
                tracing::error!(
                    "another process is already long polling this bot on this database: Telegram serves one long                      poller at a time, so this replica waits as a standby and takes over when it stops                      (to run several replicas at once, use webhook mode: set PUBLIC_URL)"
                );
                said = true;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot take the long-polling lock; polling anyway");
                return None;
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            _ = tokio::time::sleep(POLLING_LOCK_RETRY) => {}
        }
    }
}

/// The HTTP server, running, with its own stop (cancelled after everything else has finished).
struct HttpServer {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl HttpServer {
    /// `routes`: other adapters' routes (the webhook), beside health, readiness, metrics and the page;
    /// `bot_username` is told the bot's name once it is known (the page's Telegram link).
    fn spawn(
        engine: &Engine,
        listener: TcpListener,
        routes: axum::Router,
        readiness: Readiness,
        bot_username: BotUsername,
        shutdown: &CancellationToken,
    ) -> Self {
        http::install_recorder();
        let stop = CancellationToken::new();
        let mut state = engine.http_state(readiness.clone());
        state.bot_username = bot_username;
        // Unready from the moment shutdown starts, while the other tasks finish.
        tokio::spawn({
            let (shutdown, stop) = (shutdown.clone(), stop.clone());
            async move {
                tokio::select! {
                    _ = shutdown.cancelled() => readiness.shutting_down(),
                    _ = stop.cancelled() => {}
                }
            }
        });
        let task = tokio::spawn({
            let stop = stop.clone();
            async move {
                if let Err(error) = http::serve(listener, state, routes, stop).await {
                    tracing::error!(%error, "the HTTP server failed");
                }
            }
        });
        Self { stop, task }
    }

    async fn stop(self) {
        self.stop.cancel();
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the HTTP server task failed");
        }
    }
}

/// The console: the same chat core in a terminal, with the watcher and the outbox, whose pushes are
/// printed as they come; until end of input or `shutdown`. `http` (from [`local_callbacks`]) serves
/// the simulator's pushes in sandbox push or hybrid mode.
pub async fn run_console(
    engine: &Engine,
    console: Console,
    http: Option<TcpListener>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let readiness = Readiness::new();
    readiness.telegram_reached();
    let server = http.map(|listener| {
        HttpServer::spawn(engine, listener, axum::Router::new(), readiness, BotUsername::default(), &shutdown)
    });
    let core = engine.chat_core(Console::BOT_NAME);
    let background = spawn_background(engine, console.delivery(), &shutdown);
    let outcome = console.serve(core, shutdown.clone()).await;
    shutdown.cancel();
    background.join().await;
    if let Some(server) = server {
        server.stop().await;
    }
    outcome
}

/// The watcher and the outbox drain, running.
struct Background {
    watcher: tokio::task::JoinHandle<()>,
    outbox: tokio::task::JoinHandle<()>,
}

impl Background {
    async fn join(self) {
        let (watcher, outbox) = tokio::join!(self.watcher, self.outbox);
        for (task, outcome) in [("watcher", watcher), ("outbox", outbox)] {
            if let Err(error) = outcome {
                tracing::error!(task, %error, "a background task failed");
            }
        }
    }
}

fn spawn_background(
    engine: &Engine,
    delivery: std::sync::Arc<dyn crate::watch::Delivery>,
    shutdown: &CancellationToken,
) -> Background {
    let watcher = engine.watcher();
    let outbox = engine.outbox(delivery);
    let watcher = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { watcher.run(shutdown).await }
    });
    let outbox = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { outbox.run(shutdown).await }
    });
    Background { watcher, outbox }
}
