//! The process: configuration, the composition root, its tasks and its shutdown.
//!
//! `cli/` parses the command line and calls in here; everything below `app/` takes its own small
//! settings and knows nothing of the environment or of the other tasks. [`Engine`] wires the layers
//! together; [`run_bot`] and [`run_console`] run an adapter beside the watcher and the outbox under one
//! cancellation token ([`shutdown`]); [`run_bot_serving`] adds the HTTP server (`http/`) on the
//! listener [`bind_http`] made from `HTTP_ADDR`.

pub mod config;
mod engine;
pub mod shutdown;
mod tasks;

pub use config::{Config, ConfigError};
pub use engine::{Engine, SetupError};
pub use tasks::{HttpBindError, bind_http, local_callbacks, run_bot, run_bot_serving, run_console};
