//! The command menu (`setMyCommands`) in Chinese, English, and a default for other languages.

use rust_i18n::t;
use teloxide::prelude::*;
use teloxide::types::BotCommand;

use super::bot::Api;
use crate::kuaidi100::Lang;

fn commands(lang: Lang) -> Vec<BotCommand> {
    let locale = lang.as_str();
    vec![
        BotCommand::new("track", t!("menu.track", locale = locale)),
        BotCommand::new("sub", t!("menu.sub", locale = locale)),
        BotCommand::new("unsub", t!("menu.unsub", locale = locale)),
        BotCommand::new("list", t!("menu.list", locale = locale)),
        BotCommand::new("couriers", t!("menu.couriers", locale = locale)),
        BotCommand::new("lang", t!("menu.lang", locale = locale)),
        BotCommand::new("help", t!("menu.help", locale = locale)),
    ]
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
