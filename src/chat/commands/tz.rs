//! `/tz [zone|reset]`: the time zone this chat's times are shown in, stored per chat like `/lang`.
//!
//! `/tz` alone says the current zone (and the time there) with the usage line; a zone is stored and
//! confirmed with the time there now, so a wrong choice shows at once; `/tz reset` (or `/tz beijing`)
//! goes back to Beijing time, stored as no zone at all. Unreadable zones never get here: the parser
//! answers them with the usage line.

use crate::chat::command::ZoneChoice;
use crate::chat::core::{ChatCore, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn tz_command(&self, incoming: &Incoming, choice: ZoneChoice, lang: Lang) -> Vec<Action> {
        let chat = incoming.chat.id;
        let now = self.now();
        let zone = match choice {
            ZoneChoice::Show => return vec![send(words::commands::zone_current_html(&self.zone(chat), now, lang))],
            ZoneChoice::Set(zone) => zone,
        };
        if let Err(error) = self.inner.store.set_chat_zone(chat, zone.stored().as_deref(), now).await {
            tracing::error!(%error, "cannot store a chat time zone");
            return vec![send(words::errors::store_error_html(lang))];
        }
        self.inner.chat_zones.insert(chat, zone);
        vec![send(words::commands::zone_set_html(&zone, now, lang))]
    }
}
