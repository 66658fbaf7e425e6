//! The shape of what is shown, shared by the words and the keyboards of one reply: which lines a
//! parcel reply shows, the size limit of a message, and an entry of `/list` with its groups' order.
//!
//! Both halves of a reply must agree on these (the 📜 All button exists exactly when the text says
//! "… N earlier"; a /list entry and its 🔄 button carry the same position), so they live below both.

use chrono::{DateTime, Utc};

use crate::couriers::Courier;
use crate::kuaidi100::{Family, state};

/// Lines shown before "… N earlier".
pub const COMPACT_LINES: usize = 5;
/// Telegram's limit on a message's text, in UTF-16 code units (see [`telegram_len`]).
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// The length of `html` as Telegram counts a message's text: UTF-16 code units, so an emoji outside
/// the Basic Multilingual Plane counts twice. Counted on the HTML as sent, which is never shorter than
/// the text Telegram counts after parsing the tags and entities.
pub fn telegram_len(html: &str) -> usize {
    html.encode_utf16().count()
}

/// Which lines a parcel reply shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Latest,
    All,
}

/// One parcel of `/list`, as its entry and its 🔄 button show it.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    /// Its place in the list, from 1 (see [`arrange`]).
    pub position: usize,
    pub courier: &'static Courier,
    pub number: &'a str,
    /// The chat's label for it, if it gave one.
    pub label: Option<&'a str>,
    /// The latest state code, if it was ever answered.
    pub state: Option<&'a str>,
    pub answered_at: Option<DateTime<Utc>>,
    /// When it set off: its first trajectory line, else when the chat subscribed.
    pub since: DateTime<Utc>,
    /// When its journey ended (the newest line of a delivered or returned parcel); `None` while it goes.
    pub until: Option<DateTime<Utc>>,
    /// The pickup code its newest trajectory line gives, if any.
    pub pickup: Option<String>,
}

/// The groups of `/list`, in their order: what is about to arrive first, then what is on its way,
/// then the rest (problems, returns, finished parcels, no answer yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListGroup {
    OutForDelivery,
    InTransit,
    Rest,
}

impl ListGroup {
    /// The group of a parcel in this state (an unknown or missing state is the rest).
    pub fn of(state: Option<&str>) -> Self {
        match state.and_then(state::lookup).map(|state| state.family) {
            Some(Family::OutForDelivery) => ListGroup::OutForDelivery,
            Some(Family::InTransit | Family::PickedUp | Family::Customs | Family::Transferred) => ListGroup::InTransit,
            _ => ListGroup::Rest,
        }
    }
}

/// Puts `/list`'s parcels in their groups' order (keeping their order inside a group) and numbers
/// them, so that an entry and its button carry the same position.
pub fn arrange(parcels: &mut [Listed]) {
    parcels.sort_by_key(|parcel| ListGroup::of(parcel.state));
    for (index, parcel) in parcels.iter_mut().enumerate() {
        parcel.position = index + 1;
    }
}
