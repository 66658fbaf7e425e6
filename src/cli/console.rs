//! `kuaidi-bot console`.

use std::process::ExitCode;
use std::sync::Arc;

use super::{exit, fail};
use crate::clock::SystemClock;
use crate::config::Config;
use crate::setup::Engine;

pub async fn run() -> ExitCode {
    match Config::from_env() {
        Ok(config) => run_with(config).await,
        Err(error) => fail(exit::BAD_INPUT, error),
    }
}

pub async fn run_with(config: Config) -> ExitCode {
    let engine = match Engine::start(config, Arc::new(SystemClock)).await {
        Ok(engine) => engine,
        Err(error) => return fail(exit::OTHER, error),
    };
    let outcome = crate::console::run(&engine).await;
    engine.store.close().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(exit::OTHER, error),
    }
}
