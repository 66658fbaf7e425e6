//! The command menu (`setMyCommands`) in Chinese, English, and a default for other languages. The
//! entries come from the chat core's one command list, so the menu, the parser and `/help` agree.

use teloxide::prelude::*;
use teloxide::types::BotCommand;

use super::bot::Api;
use crate::chat::menu_entries;
use crate::kuaidi100::Lang;

fn commands(lang: Lang) -> Vec<BotCommand> {
    menu_entries(lang).into_iter().map(|(name, description)| BotCommand::new(name, description)).collect()
}

/// Registers the menu; a failure is logged, not fatal (the bot works without a menu).
pub async fn register<B: Api>(bot: &B, default_lang: Lang) {
    for lang in [Lang::Zh, Lang::En] {
        if let Err(error) = bot.set_my_commands(commands(lang)).language_code(lang.as_str()).await {
            tracing::warn!(%error, lang = lang.as_str(), "cannot register the command menu");
        }
    }
    if let Err(error) = bot.set_my_commands(commands(default_lang)).await {
        tracing::warn!(%error, "cannot register the default command menu");
    }
}
