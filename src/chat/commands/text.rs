//! Text that is not a command: in a private chat every message, in a group the messages addressed to
//! the bot (mentioning it, or replying to one of its messages). Such a text is the phone digits a
//! private chat was just asked for, the parcel's name 🏷 asked for, a parcel named like `/track`
//! without the command (`[courier] number [phone]`), or any other text — a pasted shop message, a
//! forwarded SMS, several numbers at once — whose tracking numbers are read out of it
//! (`input::extract`) and tracked one by one. The same
//! reading serves `/track` or `/sub` alone in reply to a message: the numbers of the message replied to.
//!
//! A private text without a number gets the hint; in a group only a mention does, since a "thanks" in
//! reply to the bot is not a question.

use crate::chat::command::{self, ArgError, Name, ParcelRequest};
use crate::chat::core::{Asked, ChatCore, Pending, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::input::{Extracted, extract};
use crate::kuaidi100::Lang;

/// Most parcels tracked for one message; the rest are only named.
pub const MAX_PARCELS_PER_MESSAGE: usize = 10;

impl ChatCore {
    pub(in crate::chat) async fn private_text(&self, incoming: &Incoming, text: &str, lang: Lang) -> Vec<Action> {
        // A question is answered by the next message or not at all.
        match self.take_pending(incoming.chat.id, incoming.user.id) {
            Some(Pending { asked: Asked::Label, courier, number, .. }) => {
                return self.answer_label(incoming, courier, number, text, lang).await;
            }
            Some(Pending { asked: Asked::Phone, courier, number, .. }) => {
                if let Some(phone) = command::phone_reply(text) {
                    return self.track(incoming, Some(courier), number, Some(phone), lang).await;
                }
            }
            None => {}
        }
        match self.text_parcels(incoming, text, lang).await {
            Some(actions) => actions,
            None => vec![send(words::commands::private_hint_html(lang))],
        }
    }

    /// A text in a group: read when it mentions the bot (the mention itself is not read) or replies to
    /// the bot; a mention without a number of its own, in reply to a message, reads that message.
    pub(in crate::chat) async fn group_text(&self, incoming: &Incoming, text: &str, lang: Lang) -> Vec<Action> {
        let replies_to_bot = incoming.replying_to.as_ref().is_some_and(|quoted| quoted.by_bot);
        let mention = command::without_mention(text, &self.inner.config.bot_username);
        let text = match (&mention, replies_to_bot) {
            (Some(rest), _) => rest.as_str(),
            (None, true) => text,
            (None, false) => return Vec::new(),
        };
        // 🏷's question, answered by the user who pressed it (a phone is never asked for in a group).
        if let Some(Pending { asked: Asked::Label, courier, number, .. }) =
            self.take_pending(incoming.chat.id, incoming.user.id)
        {
            return self.answer_label(incoming, courier, number, text, lang).await;
        }
        if let Some(actions) = self.text_parcels(incoming, text, lang).await {
            return actions;
        }
        match &incoming.replying_to {
            Some(quoted) if mention.is_some() && !quoted.by_bot && !extract(&quoted.text).numbers.is_empty() => {
                self.quoted_command(incoming, Name::Track, lang).await
            }
            _ if mention.is_some() => vec![send(words::commands::group_hint_html(lang))],
            _ => Vec::new(),
        }
    }

    /// `/track` or `/sub` alone, in reply to a message: that message's numbers, tracked or subscribed.
    pub(in crate::chat) async fn quoted_command(&self, incoming: &Incoming, name: Name, lang: Lang) -> Vec<Action> {
        let quoted = incoming.replying_to.as_ref().map(|quoted| quoted.text.as_str()).unwrap_or_default();
        let extracted = extract(quoted);
        if extracted.numbers.is_empty() {
            return vec![send(words::commands::nothing_quoted_html(name, lang))];
        }
        self.each_parcel(incoming, name, extracted, lang).await
    }

    /// The parcels a text names, tracked; `None` when it names none.
    pub(in crate::chat) async fn text_parcels(
        &self,
        incoming: &Incoming,
        text: &str,
        lang: Lang,
    ) -> Option<Vec<Action>> {
        let extracted = extract(text);
        Some(match command::bare_parcel(text) {
            Some(Ok(parcel)) => self.track_command(incoming, parcel, lang).await,
            // A courier name that was typed and cannot be read is asked about, never guessed past…
            Some(Err(error @ (ArgError::UnknownCourier { .. } | ArgError::AmbiguousCourier { .. })))
                if extracted.numbers.len() <= 1 =>
            {
                self.malformed(Name::Track, &error, lang)
            }
            // …but `YT… YT…` only reads like `courier number`, and `圆通 YT… 到哪了` like `courier number
            // phone`: what the text holds is tracked.
            Some(Err(_)) if !extracted.numbers.is_empty() => {
                self.each_parcel(incoming, Name::Track, extracted, lang).await
            }
            Some(Err(error)) => self.malformed(Name::Track, &error, lang),
            None if extracted.numbers.is_empty() => return None,
            None => self.each_parcel(incoming, Name::Track, extracted, lang).await,
        })
    }

    /// Tracks (or, for [`Name::Sub`], subscribes) the numbers read out of a text, each with its courier
    /// hint and the text's phone tail: one reply per parcel, at most [`MAX_PARCELS_PER_MESSAGE`], then a
    /// line naming the rest.
    pub(in crate::chat) async fn each_parcel(
        &self,
        incoming: &Incoming,
        name: Name,
        extracted: Extracted,
        lang: Lang,
    ) -> Vec<Action> {
        let Extracted { mut numbers, phone } = extracted;
        let rest: Vec<_> = numbers.split_off(numbers.len().min(MAX_PARCELS_PER_MESSAGE));
        let mut actions = Vec::new();
        for found in numbers {
            let parcel = ParcelRequest { courier: found.courier, number: found.number, phone: phone.clone() };
            actions.extend(match name {
                Name::Sub => self.sub_command(incoming, parcel, lang).await,
                _ => self.track_command(incoming, parcel, lang).await,
            });
        }
        if !rest.is_empty() {
            let rest: Vec<_> = rest.into_iter().map(|found| found.number).collect();
            actions.push(send(words::commands::more_numbers_html(MAX_PARCELS_PER_MESSAGE, &rest, lang)));
        }
        actions
    }
}
