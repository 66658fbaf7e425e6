//! The shape of what is shown, shared by the words and the keyboards of one reply: which lines a
//! parcel reply shows, the size limit of a message, and a row of `/list`.
//!
//! Both halves of a reply must agree on these (the 📜 All button exists exactly when the text says
//! "… N earlier"; a /list row and its 🔕 button carry the same position), so they live below both.

use chrono::{DateTime, Utc};

use crate::couriers::Courier;

/// Lines shown before "… N earlier".
pub const COMPACT_LINES: usize = 5;
/// Telegram's limit on a message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Which lines a parcel reply shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Latest,
    All,
}

/// One parcel of `/list`, as its line and its 🔕 button show it.
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    /// Its place in the list, from 1.
    pub position: usize,
    pub courier: &'static Courier,
    pub number: &'a str,
    /// The latest state code, if it was ever answered.
    pub state: Option<&'a str>,
    pub answered_at: Option<DateTime<Utc>>,
}
