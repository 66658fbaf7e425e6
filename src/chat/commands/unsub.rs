//! `/unsub number` (`/unsubscribe`): this chat stops watching the parcel. Any member of a group may
//! unsubscribe the group; the 🔕 buttons (`presses.rs`) do the same without a reply of their own.

use crate::chat::core::{ChatCore, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::input::TrackingNumber;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn unsub_command(
        &self,
        incoming: &Incoming,
        number: &TrackingNumber,
        lang: Lang,
    ) -> Vec<Action> {
        match self.inner.subscriptions.unsubscribe(incoming.chat.id, number.as_str()).await {
            Ok(was_watched) => vec![send(words::commands::unsubscribed_html(number, was_watched, lang))],
            Err(error) => {
                tracing::error!(%error, "cannot unsubscribe");
                vec![send(words::errors::store_error_html(lang))]
            }
        }
    }
}
