//! `/lang zh|en`: this chat's language, stored, and said in the language chosen.

use crate::chat::core::{ChatCore, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn lang_command(&self, incoming: &Incoming, chosen: Lang, lang: Lang) -> Vec<Action> {
        let chat = incoming.chat.id;
        if let Err(error) = self.inner.store.set_chat_lang(chat, chosen, self.now()).await {
            tracing::error!(%error, "cannot store a chat language");
            return vec![send(words::errors::store_error_html(lang))];
        }
        self.inner.chat_langs.insert(chat, Some(chosen));
        vec![send(words::commands::lang_set_html(chosen))]
    }
}
