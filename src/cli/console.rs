//! `kuaidi-bot console [--speed N]`.

use std::process::ExitCode;
use std::sync::Arc;

use super::{ConsoleArgs, exit, fail};
use crate::app::{self, Config, Engine};
use crate::clock::{ScaledClock, SharedClock, SystemClock};
use crate::console::Console;

pub async fn run(args: ConsoleArgs) -> ExitCode {
    match Config::from_env() {
        Ok(config) => run_with(config, args).await,
        Err(error) => fail(exit::BAD_INPUT, error),
    }
}

pub async fn run_with(config: Config, args: ConsoleArgs) -> ExitCode {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return fail(exit::BAD_INPUT, "--speed must be a positive number");
    }
    // A faster clock would let the real Kuaidi100 be asked more often than its lock rule allows.
    if args.speed != 1.0 && !config.is_sandbox() {
        return fail(
            exit::BAD_INPUT,
            "--speed works in sandbox mode only (unset KUAIDI100_CUSTOMER and KUAIDI100_KEY)",
        );
    }
    let clock: SharedClock =
        if args.speed == 1.0 { Arc::new(SystemClock) } else { Arc::new(ScaledClock::new(args.speed)) };
    let database_url = config.console_database_url.clone();
    let mut config = config;
    if !config.is_sandbox() {
        // Pushes for the console's own database would reach the bot's server, which knows none of its
        // chats: the console polls.
        config.watch_mode = crate::watch::WatchMode::Poll;
    }
    let http = match app::local_callbacks(&mut config, None).await {
        Ok(http) => http,
        Err(error) => return fail(exit::OTHER, error),
    };
    let engine = match Engine::start_on(config, clock, &database_url).await {
        Ok(engine) => engine,
        Err(error) => return fail(exit::OTHER, error),
    };
    let outcome = app::run_console(&engine, Console::new(), http, app::shutdown::on_signal()).await;
    engine.store.close().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(exit::OTHER, error),
    }
}
