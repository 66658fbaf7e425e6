//! What a subscriber is told: one notice per parcel per check, stored as JSON in the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kuaidi100::TraceLine;

/// The trajectory lines a notice carries at most; the rest are counted.
pub const NOTICE_LINES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The parcel moved: new lines, maybe a new state.
    Update,
    /// Delivered, returned or cancelled: the last notice; watching stops.
    Finished,
    /// Kuaidi100 had no result for days: watching stops.
    GaveUp,
    /// Nothing changed for two weeks: watching stops.
    Unchanged,
    /// Kuaidi100 refuses this parcel (wrong courier, wrong phone): watching stops.
    CannotWatch,
}

impl NoticeKind {
    pub fn ends_watching(self) -> bool {
        self != NoticeKind::Update
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub time: String,
    pub place: Option<String>,
    pub context: String,
}

impl NoticeLine {
    pub fn from_trace(line: &TraceLine) -> Self {
        Self { time: line.when().to_owned(), place: line.place().map(str::to_owned), context: line.context.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub courier: String,
    pub number: String,
    pub kind: NoticeKind,
    /// The state now, and the one the subscriber last heard of.
    pub state: Option<String>,
    pub previous_state: Option<String>,
    /// New lines, newest first, at most [`NOTICE_LINES`].
    pub new_lines: Vec<NoticeLine>,
    /// New lines beyond those.
    pub more_lines: u32,
    /// For `CannotWatch`: Kuaidi100's returnCode.
    pub return_code: Option<String>,
    /// Kuaidi100 corrected the courier: the one the parcel was watched under until now (`courier` is
    /// the corrected one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_courier: Option<String>,
    /// When Kuaidi100 expects the parcel to arrive, if the answer carried an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_at: Option<DateTime<Utc>>,
    /// For a notice that only says the estimate changed: the estimate the subscriber was told before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_expected_at: Option<DateTime<Utc>>,
    /// The chat's label for the parcel (`/name`), filled in by the outbox when it sends, so that a
    /// label given after the notice was queued shows too; never stored with the notice.
    #[serde(skip)]
    pub label: Option<String>,
}
