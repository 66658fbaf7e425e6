//! `/help` and `/start`: what the bot does and how to use it, with the sandbox warning in sandbox mode.
//! The command lines are drawn from the command list (`words::commands::help_html`).

use crate::chat::core::{ChatCore, send};
use crate::chat::types::Action;
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) fn help_command(&self, lang: Lang) -> Vec<Action> {
        vec![send(words::commands::help_html(self.inner.config.sandbox, &self.inner.config.bot_username, lang))]
    }
}
