//! `/list`: a summary of the parcels this chat watches — grouped out for delivery first, then on
//! their way, then the rest (`view::ListGroup`), each with its label, state, days on the way, the
//! pickup code of its newest line and the age of that answer — and one 🔄 button per parcel shown,
//! which tracks it afresh in a new message.
//!
//! Everything comes from what the store already holds (the parcels' last answers, the chat's labels):
//! listing never asks Kuaidi100. Days on the way run from the first trajectory line (else from the
//! subscription) to now, or to the newest line once the parcel is delivered or returned.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::chat::core::{ChatCore, send};
use crate::chat::keyboards;
use crate::chat::types::{Action, Incoming, Reply};
use crate::chat::view::{Listed, arrange};
use crate::chat::words;
use crate::couriers::directory;
use crate::kuaidi100::response::beijing_time;
use crate::kuaidi100::{Lang, QueryResult, state};
use crate::store::WatchedParcel;
use crate::tracking::pickup_code;

/// What a watched parcel's last answer says for its entry.
struct Journey {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    pickup: Option<String>,
}

impl ChatCore {
    pub(in crate::chat) async fn list_command(&self, incoming: &Incoming, lang: Lang) -> Vec<Action> {
        let chat = incoming.chat.id;
        let watched = match self.inner.subscriptions.list(chat).await {
            Ok(watched) => watched,
            Err(error) => {
                tracing::error!(%error, "cannot list subscriptions");
                return vec![send(words::errors::store_error_html(lang))];
            }
        };
        if watched.is_empty() {
            return vec![send(words::commands::list_empty_html(lang))];
        }
        let labels = self.inner.store.chat_labels(chat).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read a chat's labels; listing without them");
            HashMap::new()
        });
        let journeys: Vec<Journey> = watched.iter().map(journey).collect();
        // A parcel of a courier the directory no longer has keeps its number in the list, unshown.
        let mut parcels: Vec<Listed> = watched
            .iter()
            .zip(&journeys)
            .filter_map(|(parcel, journey)| {
                Some(Listed {
                    position: 0,
                    courier: directory().get(&parcel.key.courier)?,
                    number: &parcel.key.number,
                    label: labels.get(&parcel.key).map(String::as_str),
                    state: parcel.state.as_deref(),
                    answered_at: parcel.answered_at,
                    since: journey.since.unwrap_or(parcel.subscribed_at),
                    until: journey.until,
                    pickup: journey.pickup.clone(),
                })
            })
            .collect();
        arrange(&mut parcels);
        let (html, shown) = words::list::list_html(&parcels, self.now(), lang);
        vec![Action::Send(Reply { html, buttons: keyboards::listed(&parcels[..shown]) })]
    }
}

/// The first line's time, the end of a finished journey and the newest line's pickup code, from the
/// parcel's last answer (none of them when it has none, or it cannot be read).
fn journey(parcel: &WatchedParcel) -> Journey {
    let result = parcel.answer.as_deref().and_then(|json| serde_json::from_str::<QueryResult>(json).ok());
    let lines = result.as_ref().map(|result| result.data.as_slice()).unwrap_or_default();
    let finished = parcel.state.as_deref().and_then(state::lookup).is_some_and(|state| state.is_terminal());
    let newest = lines.first();
    Journey {
        since: lines.last().and_then(|line| beijing_time(line.when())),
        until: newest.filter(|_| finished).and_then(|line| beijing_time(line.when())),
        pickup: newest.filter(|_| !finished).and_then(|line| pickup_code(&line.context)).map(|found| found.code),
    }
}
