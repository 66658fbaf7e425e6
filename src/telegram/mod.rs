//! The Telegram adapter: teloxide in, teloxide out, and nothing else.
//!
//! It builds the bot (`Throttle` + `CacheMe` + `DefaultParseMode(Html)`), checks the token with
//! `getMe`, registers the command menu in both languages, long-polls, converts each update into the
//! chat core's [`Incoming`](crate::chat::Incoming) and carries out the [`Action`](crate::chat::Action)s
//! that come back, and drains the outbox of the watcher (`sender.rs`). No decision about what a user
//! sees is made here. This is the only module that knows teloxide.

mod bot;
mod convert;
mod handlers;
mod menu;
mod sender;

pub use bot::{Api, BotOptions, BuiltBot, TelegramError, ThrottledBot, UnthrottledBot, build_bot, default_limits};
pub use handlers::run;
pub use sender::SEND_AHEAD;
