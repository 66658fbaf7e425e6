//! The command menu (`setMyCommands`) in Chinese, English, and a default for other languages. The
//! entries come from the chat core's one command list, so the menu, the parser and `/help` agree.
//!
//! The menu is read back first (`getMyCommands` for the same language) and set only when it differs,
//! so that restarting N replicas does not rewrite it N times; [`super::profile`] runs this beside the
//! descriptions at start-up.

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::BotCommand;

use super::bot::Api;
use super::profile::{Slot, Written};
use crate::chat::menu_entries;
use crate::kuaidi100::Lang;

/// The menu in a language, as Telegram stores it.
pub(super) fn commands(lang: Lang) -> Vec<BotCommand> {
    menu_entries(lang).into_iter().map(|(name, description)| BotCommand::new(name, description)).collect()
}

/// Sets the menu of `slot` unless Telegram already has exactly it. A failed read still tries the set.
pub(super) async fn ensure<B: Api>(bot: &B, slot: Slot) -> Result<Written, RequestError> {
    let wanted = commands(slot.lang);
    let mut read = bot.get_my_commands();
    if let Some(code) = slot.code {
        read = read.language_code(code);
    }
    match read.await {
        Ok(current) if current == wanted => return Ok(Written::Unchanged),
        Ok(_) => {}
        Err(error) => tracing::debug!(%error, language = slot.label(), "cannot read the command menu; setting it"),
    }
    let mut write = bot.set_my_commands(wanted);
    if let Some(code) = slot.code {
        write = write.language_code(code);
    }
    write.await?;
    Ok(Written::Set)
}
