//! The commands, one file each, every one an `impl ChatCore` block the router calls with arguments
//! already read (`command.rs`): `help`, `start` (deep links), `track`, `sub`, `unsub`, `list`, `label`
//! (`/name`), `lang`, `tz`, `forget`, `couriers`, and `text` for what a private chat types without a command (a bare
//! number, the phone digits or the parcel's name asked for).
//!
//! A handler decides what happens — asks the tracker, changes a subscription, stores a language — and
//! pairs a text from `words` with a keyboard from `keyboards` for the reply. What is shared by
//! commands and buttons about a parcel is in `parcel.rs`. This file holds the two replies that belong
//! to no single command: to arguments that could not be read, and to a command the bot does not have.

mod couriers;
mod forget;
mod help;
mod label;
mod lang;
mod list;
mod picture;
mod start;
mod sub;
mod text;
mod track;
mod tz;
mod unsub;

pub(super) use sub::SubscribeResult;

use super::command::{ArgError, Name};
use super::core::{ChatCore, send};
use super::keyboards;
use super::types::{Action, Reply};
use super::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    /// Arguments that could not be read: why, the usage line, and a button per courier it may have meant.
    pub(super) fn malformed(&self, command: Name, error: &ArgError, lang: Lang) -> Vec<Action> {
        vec![Action::Send(Reply {
            html: words::errors::arg_error_html(command, error, lang),
            buttons: keyboards::for_arg_error(error, lang),
        })]
    }

    /// A command the bot does not have (the router asks only in private chats).
    pub(super) fn unknown_command(&self, name: &str, lang: Lang) -> Vec<Action> {
        vec![send(words::commands::unknown_command_html(name, lang))]
    }
}
