//! The transport-neutral chat core: commands and button presses in, replies out.
//!
//! Everything a user sees is decided here — which command was meant, what is asked back, how a parcel
//! is shown, in which language. Telegram (`telegram/`), the console and the tests drive the same
//! [`ChatCore::handle`] and only convert to and from their own types; nothing here knows teloxide,
//! holds SQL, or asks Kuaidi100 by itself (the tracker decides, `watch/` keeps the subscriptions).
//!
//! One file per concern, after magnickolas/remindee-bot:
//! - `router.rs` — the one routing tree: [`ChatCore::handle`] reads the input and calls one handler;
//! - `command.rs` — the one list of commands, and the parser that turns a line into a typed
//!   [`Command`] (or a typed argument error);
//! - `commands/` — one file per command; `presses.rs` — the button presses;
//! - `parcel.rs` — what commands and buttons share about a parcel (tracker, phone, the reply);
//! - `words/` — every phrase and all escaping; `keyboards.rs` — every keyboard; `buttons.rs` — the
//!   payload inside a button; `view.rs` — what the words and keyboards of one reply must agree on;
//! - `notices.rs` — notifications, rendered for `watch/`'s outbox; `inline.rs` — inline mode's cards;
//! - `core.rs` — [`ChatCore`] and its state; `types.rs` — what comes in and goes out.

mod buttons;
mod command;
mod commands;
mod core;
mod inline;
mod keyboards;
mod notices;
mod parcel;
mod presses;
#[cfg(test)]
mod properties;
mod router;
pub mod start_link;
mod types;
mod view;
pub mod words;

pub use buttons::{Op, Payload, decode as decode_payload, encode as encode_payload};
pub use command::{ArgError, COMMANDS, Command, Name, ParcelRequest, Spec, parse as parse_command};
pub use core::{ChatConfig, ChatCore};
pub use inline::{InlineAnswer, InlineCard, InlineHint, InlineQuery};
pub use notices::notices_reply;
pub use parcel::parcel_reply;
pub use types::{Action, Button, ChatKind, ChatRef, Incoming, Input, Picture, Quoted, Reply, UserRef};
pub use view::{COMPACT_LINES, MAX_MESSAGE_CHARS, View};
pub use words::commands::{Profile, menu_entries, profile};
pub use words::escape;
