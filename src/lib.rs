//! kuaidi-bot: a Telegram bot that tracks Chinese parcels through Kuaidi100, frugally and in two
//! languages.
//!
//! The crate reads top-down in layers; each knows only the ones below it, and no arrow runs up:
//!
//! ```text
//!   cli/ → app/          the command line; the process: configuration, wiring, tasks, shutdown
//!     telegram/  console/  http/  sandbox/   adapters: the only places that talk to the outside world
//!       chat/              commands, buttons, pasted text → replies; every phrase and keyboard
//!         tracking/        the one place that decides whether to ask Kuaidi100 (cache, floor, cap,
//!                          single flight, per-user throttle, courier detection)
//!         watch/           subscriptions, the watcher, the outbox and its delivery rules (no transport)
//!         translate/       trajectory lines and places in the reader's language (pure, no query)
//!           kuaidi100/  couriers/  input/      the signed client; the courier table; input rules
//!           store/         sqlx on SQLite or PostgreSQL: the only SQL
//!   message, clock, zone   leaf types: a message with buttons; time that tests can drive; the
//!                          reader's time zone
//! ```
//!
//! - [`app`] owns the process (like mini-redis): [`app::Engine`] wires store, tracker and
//!   subscriptions; [`app::run_bot`] and [`app::run_console`] run an adapter beside the watcher and
//!   the outbox under one cancellation token that SIGINT/SIGTERM cancel ([`app::shutdown`]).
//! - [`telegram`] is the only module that knows teloxide: it converts updates, paces everything it
//!   sends on one budget (replies first), and implements [`watch::Delivery`] for notifications.
//! - [`http`] is the bot's HTTP server on `HTTP_ADDR` (health, readiness, Prometheus metrics, Kuaidi100's
//!   push callbacks, and the Telegram webhook routes the Telegram adapter hands it), run by
//!   [`app::run_bot_serving`] beside the bot; it knows the store, the tracker and `watch/`'s push
//!   intake, never teloxide.
//! - [`console`] is the same chat in a terminal, on its own database, with the watcher and outbox too.
//! - [`chat`] decides everything a user sees; [`watch`] everything about subscriptions and
//!   notifications; both go through [`tracking::Tracker`] for parcel data.
//! - [`sandbox`] is a Kuaidi100 simulator (axum), the default when no credentials are set.

rust_i18n::i18n!("locales", fallback = "en");

pub mod app;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod console;
pub mod couriers;
pub mod http;
pub mod input;
pub mod kuaidi100;
pub mod message;
pub mod sandbox;
pub mod store;
pub mod telegram;
pub mod tracking;
pub mod translate;
pub mod watch;
pub mod zone;

#[cfg(test)]
mod properties;
