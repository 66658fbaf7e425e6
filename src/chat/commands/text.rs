//! Plain text in a private chat: the phone digits the chat was just asked for, or a parcel named like
//! `/track` without the command (a pasted or forwarded number, maybe with a courier and a phone), or a
//! hint. Groups never get here: there the bot answers commands only.

use chrono::Duration;

use crate::chat::command::{self, Name};
use crate::chat::core::{ChatCore, PENDING_PHONE_FOR, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn private_text(&self, incoming: &Incoming, text: &str, lang: Lang) -> Vec<Action> {
        // A question for the phone is answered by the next message or not at all.
        let fresh_pending = self
            .inner
            .pending_phone
            .remove(&incoming.chat.id)
            .map(|(_, pending)| pending)
            .filter(|pending| self.now() - pending.asked_at < Duration::minutes(PENDING_PHONE_FOR));
        if let Some(pending) = fresh_pending
            && let Some(phone) = command::phone_reply(text)
        {
            return self.track(incoming, Some(pending.courier), pending.number, Some(phone), lang).await;
        }
        match command::bare_parcel(text) {
            Some(Ok(parcel)) => self.track_command(incoming, parcel, lang).await,
            Some(Err(error)) => self.malformed(Name::Track, &error, lang),
            None => vec![send(words::commands::private_hint_html(lang))],
        }
    }
}
