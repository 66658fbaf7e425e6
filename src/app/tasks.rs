//! The process's tasks: an adapter, the watcher and the outbox drain, siblings under one token.
//!
//! As in tgreddit, the checker and the bot run side by side; as in mini-redis, shutdown is explicit:
//! cancelling the token makes each task finish its current step (an update, a check, a message) and
//! return, and the process waits for all of them. If the adapter ends on its own (end of input in the
//! console), it cancels the token for the others.

use tokio_util::sync::CancellationToken;

use super::engine::Engine;
use crate::console::Console;
use crate::telegram::{BotOptions, Telegram, TelegramError};

/// The Telegram bot: checks the token, registers the menu, then long-polls beside the watcher and the
/// outbox until `shutdown` is cancelled.
pub async fn run_bot(engine: &Engine, options: BotOptions, shutdown: CancellationToken) -> Result<(), TelegramError> {
    let telegram = Telegram::connect(&options).await?;
    tracing::info!(bot = %telegram.username(), sandbox = engine.is_sandbox(), "connected to Telegram");
    if engine.is_sandbox() {
        tracing::warn!("sandbox mode: replies carry simulator data, and say so");
    }
    telegram.register_menu(engine.config.default_lang).await;
    let core = engine.chat_core(telegram.username());
    let background = spawn_background(engine, telegram.delivery(), &shutdown);
    telegram.serve(core, shutdown.clone()).await;
    shutdown.cancel();
    background.join().await;
    Ok(())
}

/// The console: the same chat core in a terminal, with the watcher and the outbox, whose pushes are
/// printed as they come; until end of input or `shutdown`.
pub async fn run_console(engine: &Engine, console: Console, shutdown: CancellationToken) -> std::io::Result<()> {
    let core = engine.chat_core(Console::BOT_NAME);
    let background = spawn_background(engine, console.delivery(), &shutdown);
    let outcome = console.serve(core, shutdown.clone()).await;
    shutdown.cancel();
    background.join().await;
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
