//! Inline mode: `@bot <number> [courier]` typed in any chat, answered with a card per parcel that the
//! user can drop into that chat — its state, its newest line, and buttons that open it (or watch it)
//! in the bot.
//!
//! A query is read like a message to the bot: `[courier] number [phone]`, else the numbers in the
//! text (at most [`MAX_CARDS`]). Each parcel is asked of the tracker for the user who typed, so the same
//! gate holds as for `/track`: inside the floor the cached answer, a fresh query counted against the
//! user's throttle. Telegram sends a query at every keystroke, so a query that reads as no parcel is
//! answered at once with a hint above the (empty) results, never with an error card — the user is still
//! typing. Cards carry links, not callback buttons: a press on a message sent through inline mode comes
//! back without its chat, and the chat is where the bot must answer.
//! A card's times are Beijing time, named: it is read in a chat whose `/tz` the bot does not know.

use futures::future::join_all;

use super::command;
use super::core::ChatCore;
use super::keyboards;
use super::parcel::parcel_reply;
use super::start_link::HELP_PAYLOAD;
use super::types::{ChatRef, Reply, UserRef};
use super::view::View;
use super::words;
use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber, extract};
use crate::kuaidi100::Lang;
use crate::tracking::{Report, TrackError, Tracked};
use crate::zone::Zone;

/// Most cards in one answer (Telegram allows 50; a query naming more is not a parcel lookup).
pub const MAX_CARDS: usize = 5;
/// How long Telegram may keep an answer with cards: short, since a parcel moves and the floor is 30
/// minutes — a user asking again a minute later gets the same answer from the bot's cache anyway.
pub const CARDS_CACHE_SECONDS: u32 = 30;
/// A hint is about the text typed, not about a parcel: Telegram need not ask again for a while.
pub const HINT_CACHE_SECONDS: u32 = 300;
/// A hint that depends on the moment (wait, try again) is never cached.
pub const MOMENT_CACHE_SECONDS: u32 = 0;

/// An inline query: who typed what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineQuery {
    pub user: UserRef,
    pub text: String,
}

/// The answer to an inline query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAnswer {
    pub cards: Vec<InlineCard>,
    /// A line above the results that opens the bot (`/start <payload>`) — the hint when there are no
    /// cards.
    pub hint: Option<InlineHint>,
    pub cache_seconds: u32,
}

/// One result: a parcel, as the message it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCard {
    /// Unique within the answer, at most 64 bytes.
    pub id: String,
    pub title: String,
    pub description: String,
    pub message: Reply,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineHint {
    pub text: String,
    pub start_payload: String,
}

/// A parcel the query names.
struct Wanted {
    courier: Option<&'static Courier>,
    number: TrackingNumber,
    phone: Option<PhoneTail>,
}

impl ChatCore {
    /// Answers an inline query: cards for the parcels it names, or a hint.
    pub async fn inline(&self, query: &InlineQuery) -> InlineAnswer {
        let lang = self.lang_for(ChatRef::private(query.user.id), &query.user).await;
        let wanted = wanted(&query.text);
        if wanted.is_empty() {
            let text = match query.text.trim() {
                "" => words::inline::type_a_number(lang),
                _ => words::inline::no_number(lang),
            };
            return hint_only(text, HINT_CACHE_SECONDS);
        }
        let asked = join_all(wanted.into_iter().map(|parcel| self.inline_track(&query.user, parcel, lang))).await;
        let mut cards = Vec::new();
        let mut first_error = None;
        for (index, outcome) in asked.into_iter().enumerate() {
            match outcome {
                Ok(tracked) => cards.push(self.card(index, &tracked, lang)),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        // A parcel that could not be answered (a phone to add, a courier to name) is the hint, above
        // the cards of those that could.
        let Some(error) = first_error else {
            return InlineAnswer { cards, hint: None, cache_seconds: CARDS_CACHE_SECONDS };
        };
        let cache_seconds = match error {
            TrackError::Throttled { .. } | TrackError::PhoneMismatch { .. } | TrackError::Store(_) => {
                MOMENT_CACHE_SECONDS
            }
            _ if cards.is_empty() => HINT_CACHE_SECONDS,
            _ => CARDS_CACHE_SECONDS,
        };
        InlineAnswer { cards, hint: Some(help_hint(words::inline::cannot_answer(&error, lang))), cache_seconds }
    }

    async fn inline_track(&self, user: &UserRef, parcel: Wanted, lang: Lang) -> Result<Tracked, TrackError> {
        let (request, _) = self.request_in(user.id, user.id, parcel.courier, parcel.number, parcel.phone, lang).await;
        self.inner.tracker.track(request).await
    }

    /// The card of one tracked parcel: the reply `/track` would give, with links into the bot. Without
    /// the user's label: labels belong to a chat, and a card is dropped into another one.
    fn card(&self, index: usize, tracked: &Tracked, lang: Lang) -> InlineCard {
        let html = match &tracked.report {
            Report::Answer { result, .. } => {
                parcel_reply(
                    tracked,
                    result,
                    View::Latest,
                    lang,
                    &Zone::Beijing,
                    self.now(),
                    self.inner.config.sandbox,
                    None,
                )
                .html
            }
            Report::NoResultYet => words::parcel::no_result_html(tracked, lang, &Zone::Beijing, None),
            Report::Failed(error) => words::errors::upstream_error_html(error, lang),
        };
        let bot = &self.inner.config.bot_username;
        let id: String = format!("{index}-{}-{}", tracked.courier.code, tracked.number).chars().take(64).collect();
        InlineCard {
            id,
            title: words::inline::card_title(tracked, lang),
            description: words::inline::card_description(tracked, lang),
            message: Reply { html, buttons: keyboards::inline_card(tracked.courier, &tracked.number, bot, lang) },
        }
    }
}

fn hint_only(text: String, cache_seconds: u32) -> InlineAnswer {
    InlineAnswer { cards: Vec::new(), hint: Some(help_hint(text)), cache_seconds }
}

/// A hint whose button opens the help in the bot.
fn help_hint(text: String) -> InlineHint {
    InlineHint { text, start_payload: HELP_PAYLOAD.to_owned() }
}

/// The parcels a query names: `[courier] number [phone]` like `/track`, else the numbers the text
/// holds (a courier typed that cannot be read falls back to those too — the user may still be typing).
fn wanted(text: &str) -> Vec<Wanted> {
    if let Some(Ok(parcel)) = command::bare_parcel(text) {
        return vec![Wanted { courier: parcel.courier, number: parcel.number, phone: parcel.phone }];
    }
    let extracted = extract(text);
    extracted
        .numbers
        .into_iter()
        .take(MAX_CARDS)
        .map(|found| Wanted { courier: found.courier, number: found.number, phone: extracted.phone.clone() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_names_a_parcel_like_track_or_the_numbers_in_its_text() {
        let one = wanted("YT9693083639795 yuantong");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].courier.map(|courier| courier.code), Some("yuantong"));
        assert_eq!(one[0].number.as_str(), "YT9693083639795");
        let bare = wanted("YT9693083639795");
        assert_eq!((bare.len(), bare[0].courier), (1, None));
        let typed_on = wanted("YT9693083639795 yuan");
        assert_eq!(typed_on.len(), 1, "a courier half typed is read past");
        let pasted = wanted("您的包裹 圆通速递 YT9693083639795 和 中通 73100000000001 已发货");
        assert_eq!(pasted.len(), 2);
        for nothing in ["", "   ", "hello", "where is my parcel", "1234"] {
            assert!(wanted(nothing).is_empty(), "{nothing:?}");
        }
        let many: String = (0..9).map(|i| format!("YT96930836397{i:02} ")).collect();
        assert_eq!(wanted(&many).len(), MAX_CARDS);
    }
}
