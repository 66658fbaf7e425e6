//! `/forget`: after a confirmation, everything the bot holds about the chat is deleted.
//!
//! The command only asks: a message with 🗑 delete / keep buttons, whose payloads carry the id of the
//! user who asked. Only that user's press counts — in a group, another member's press gets a toast and
//! changes nothing (whether someone is a group admin is Telegram's to know, and the chat core knows no
//! more of a user than its id and language; the one who asked is the one who meant it). Confirming
//! deletes the chat's rows in one transaction (`Store::forget_chat`) and what the chat core remembers
//! of it (language, zone, a pending question, the outage note), then edits the question into what was
//! deleted, with counts; keeping edits it into "nothing was deleted". A press that comes after the data
//! is gone (a second tap, an old client) is answered too: there is nothing left, and it says so.

use crate::chat::buttons::ForgetPress;
use crate::chat::core::{ChatCore, answer};
use crate::chat::keyboards;
use crate::chat::types::{Action, ChatKind, Incoming, Reply};
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) fn forget_command(&self, incoming: &Incoming, lang: Lang) -> Vec<Action> {
        let group = incoming.chat.kind == ChatKind::Group;
        vec![Action::Send(Reply {
            html: words::forget::confirm_html(group, lang),
            buttons: keyboards::forget(incoming.user.id, lang),
        })]
    }

    pub(in crate::chat) async fn press_forget(
        &self,
        incoming: &Incoming,
        press: ForgetPress,
        message_id: i32,
        lang: Lang,
    ) -> Vec<Action> {
        if press.asked_by != incoming.user.id {
            return vec![answer(Some(words::buttons::forget_not_yours(lang)))];
        }
        if !press.confirm {
            return vec![answer(None), Action::Edit { message_id, reply: Reply::text(words::forget::kept_html(lang)) }];
        }
        let chat = incoming.chat.id;
        match self.inner.store.forget_chat(chat, self.now()).await {
            Ok(forgotten) => {
                self.inner.chat_langs.remove(&chat);
                self.inner.chat_zones.remove(&chat);
                self.inner.pending.remove(&chat);
                self.inner.told_outage.remove(&chat);
                tracing::info!(?forgotten, "a chat asked to be forgotten; its rows are deleted");
                let reply = Reply::text(words::forget::done_html(&forgotten, lang));
                vec![answer(None), Action::Edit { message_id, reply }]
            }
            Err(error) => {
                tracing::error!(%error, "cannot forget a chat");
                vec![answer(Some(words::errors::store_error(lang)))]
            }
        }
    }
}
