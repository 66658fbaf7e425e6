//! kuaidi-bot: a Telegram bot that tracks Chinese parcels through Kuaidi100.
//!
//! The crate is layered (see `README.md` and `design.md`): adapters (`sandbox` server, CLI) sit on the
//! `kuaidi100` client and the `couriers` directory; nothing below an adapter knows how it is driven.

rust_i18n::i18n!("locales", fallback = "en");

pub mod app;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod console;
pub mod couriers;
pub mod input;
pub mod kuaidi100;
pub mod message;
pub mod sandbox;
pub mod store;
pub mod telegram;
pub mod tracking;
pub mod watch;
