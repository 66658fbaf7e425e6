//! `/name <number> [name]` (`/label`): this chat's own name for a parcel ("mom's tea", "妈妈的茶"),
//! shown in its parcel replies, `/list` and notifications; without a name it is cleared. The 🏷
//! button on a parcel reply asks for the name instead, and the chat's next text is the answer
//! ([`ChatCore::answer_label`], called from `text.rs`).
//!
//! A command names the parcel by its number alone, so the courier is the one this chat already deals
//! with for the number (or the one the bot last answered for it); a number the bot never saw is
//! refused with a hint to track it first. The name itself was checked by `input::label` when the
//! command was read; here it is only stored.

use crate::chat::core::{Asked, ChatCore, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::couriers::{Courier, directory};
use crate::input::{Label, TrackingNumber, label};
use crate::kuaidi100::Lang;
use crate::store::ParcelKey;

impl ChatCore {
    pub(in crate::chat) async fn label_command(
        &self,
        incoming: &Incoming,
        number: &TrackingNumber,
        label: Option<Label>,
        lang: Lang,
    ) -> Vec<Action> {
        let chat = incoming.chat.id;
        let Some(label) = label else {
            return match self.inner.store.clear_label(chat, number.as_str()).await {
                Ok(had_one) => vec![send(words::labels::unnamed_html(number.as_str(), had_one, lang))],
                Err(error) => {
                    tracing::error!(%error, "cannot clear a label");
                    vec![send(words::errors::store_error_html(lang))]
                }
            };
        };
        let courier = match self.inner.store.chat_courier_for(chat, number.as_str()).await {
            Ok(code) => code.as_deref().and_then(|code| directory().get(code)),
            Err(error) => {
                tracing::error!(%error, "cannot find the courier of a number");
                return vec![send(words::errors::store_error_html(lang))];
            }
        };
        match courier {
            Some(courier) => self.store_label(chat, courier, number, &label, lang).await,
            None => vec![send(words::labels::unknown_parcel_html(number.as_str(), lang))],
        }
    }

    /// The answer to 🏷's question: a usable name is stored; one that is not gets why, and the question
    /// stands for another try.
    pub(in crate::chat) async fn answer_label(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        text: &str,
        lang: Lang,
    ) -> Vec<Action> {
        match label(text) {
            Ok(label) => self.store_label(incoming.chat.id, courier, &number, &label, lang).await,
            Err(error) => {
                self.ask(incoming.chat.id, incoming.user.id, Asked::Label, courier, number);
                vec![send(words::labels::label_retry_html(&error, lang))]
            }
        }
    }

    async fn store_label(
        &self,
        chat: i64,
        courier: &Courier,
        number: &TrackingNumber,
        label: &Label,
        lang: Lang,
    ) -> Vec<Action> {
        let key = ParcelKey::new(courier.code, number.as_str());
        match self.inner.store.set_label(chat, &key, label.as_str(), self.now()).await {
            Ok(()) => vec![send(words::labels::named_html(number.as_str(), label.as_str(), lang))],
            Err(error) => {
                tracing::error!(%error, "cannot store a label");
                vec![send(words::errors::store_error_html(lang))]
            }
        }
    }
}
