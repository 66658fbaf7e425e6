//! Plain text in a private chat: the phone digits the chat was just asked for, a parcel named like
//! `/track` without the command (`[courier] number [phone]`), or any other text — a pasted shop
//! message, a forwarded SMS, several numbers at once — whose tracking numbers are read out of it
//! (`input::extract`) and tracked one by one; a text without one gets the hint. Groups never get
//! here: there the bot answers commands only.

use chrono::Duration;

use crate::chat::command::{self, Name};
use crate::chat::core::{ChatCore, PENDING_PHONE_FOR, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::input::{Extracted, extract};
use crate::kuaidi100::Lang;

/// Most parcels tracked for one message; the rest are only named.
pub const MAX_PARCELS_PER_MESSAGE: usize = 10;

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
        let extracted = extract(text);
        match command::bare_parcel(text) {
            Some(Ok(parcel)) => self.track_command(incoming, parcel, lang).await,
            // `YT… YT…` reads like `courier number`, but holds two numbers.
            Some(Err(_)) if extracted.numbers.len() > 1 => self.track_extracted(incoming, extracted, lang).await,
            Some(Err(error)) => self.malformed(Name::Track, &error, lang),
            None if extracted.numbers.is_empty() => vec![send(words::commands::private_hint_html(lang))],
            None => self.track_extracted(incoming, extracted, lang).await,
        }
    }

    /// Tracks the numbers read out of a text, each as `/track` with its courier hint and the text's
    /// phone tail: one reply per parcel, at most [`MAX_PARCELS_PER_MESSAGE`], then a line naming the rest.
    async fn track_extracted(&self, incoming: &Incoming, extracted: Extracted, lang: Lang) -> Vec<Action> {
        let Extracted { mut numbers, phone } = extracted;
        let rest: Vec<_> = numbers.split_off(numbers.len().min(MAX_PARCELS_PER_MESSAGE));
        let mut actions = Vec::new();
        for found in numbers {
            actions.extend(self.track(incoming, found.courier, found.number, phone.clone(), lang).await);
        }
        if !rest.is_empty() {
            let rest: Vec<_> = rest.into_iter().map(|found| found.number).collect();
            actions.push(send(words::commands::more_numbers_html(MAX_PARCELS_PER_MESSAGE, &rest, lang)));
        }
        actions
    }
}
