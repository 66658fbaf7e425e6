//! The transport-neutral chat core: commands and button presses in, replies out.
//!
//! Everything a user sees is decided here — which command was meant, what is asked back, how a parcel
//! is shown, in which language. Telegram (`telegram/`), the console and the tests drive the same
//! [`ChatCore::handle`] and only convert to and from their own types.

mod callback;
mod command;
mod core;
mod notify;
mod render;
mod subscribe;
mod track;
mod types;

pub use callback::{Op, Payload, decode as decode_payload, encode as encode_payload};
pub use command::{Command, menu_entries, parse as parse_command};
pub use core::{ChatConfig, ChatCore};
pub use notify::notices_reply;
pub use render::{COMPACT_LINES, MAX_MESSAGE_CHARS, View, escape, parcel_reply};
pub use types::{Action, Button, ChatKind, ChatRef, Incoming, Input, Reply, UserRef};
