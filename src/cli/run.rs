//! `kuaidi-bot run` (and `kuaidi-bot` alone): the Telegram bot, and its HTTP server on `HTTP_ADDR`,
//! until SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use super::{ConsoleArgs, exit, fail};
use crate::app::{self, Config, Engine};
use crate::clock::SystemClock;
use crate::telegram::{BotOptions, TelegramError};

/// `console_fallback`: with no subcommand, a missing token on an interactive terminal opens the
/// console instead, so that a first `cargo run --release` shows the bot working.
pub async fn run(console_fallback: bool) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(exit::BAD_INPUT, error),
    };
    let options = match BotOptions::from_env() {
        Ok(options) => options,
        Err(TelegramError::MissingToken) if console_fallback && std::io::stdin().is_terminal() => {
            eprintln!("TELOXIDE_TOKEN is not set, so here is the console instead of Telegram (see README).");
            return super::console::run_with(config, ConsoleArgs::default()).await;
        }
        Err(error) => return fail(exit::BAD_INPUT, error),
    };
    // Before anything else starts: a taken port is a start-up error, like an unreachable database.
    let mut config = config;
    let http = match app::bind_http(&config).await {
        Ok(http) => http,
        Err(error) => return fail(exit::OTHER, error),
    };
    let http = match app::local_callbacks(&mut config, http).await {
        Ok(http) => http,
        Err(error) => return fail(exit::OTHER, error),
    };
    let engine = match Engine::start(config, Arc::new(SystemClock)).await {
        Ok(engine) => engine,
        Err(error) => return fail(exit::OTHER, error),
    };
    let outcome = app::run_bot_serving(&engine, options, http, app::shutdown::on_signal()).await;
    engine.store.close().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(exit::OTHER, error),
    }
}
