//! What a subscriber is told: one notice per parcel per check, stored as JSON in the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::kuaidi100::{Lang, TraceLine};

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
    /// The line's `areaCode` and `areaPinYin`, so that its place can be shown in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_pinyin: Option<String>,
}

impl NoticeLine {
    pub fn from_trace(line: &TraceLine) -> Self {
        Self {
            time: line.when().to_owned(),
            place: line.place().map(str::to_owned),
            context: line.context.clone(),
            area_code: line.area_code.clone(),
            area_pinyin: line.area_pinyin.clone(),
        }
    }

    /// The line as a reader of `reader` sees it, from an answer fetched in `written_in`.
    pub fn shown(&self, written_in: Option<Lang>, reader: Lang) -> crate::translate::Shown {
        let text = crate::translate::text(&self.context, written_in, reader);
        let place = crate::translate::area_place(
            self.area_code.as_deref(),
            self.place.as_deref(),
            self.area_pinyin.as_deref(),
            reader,
        );
        crate::translate::Shown { place, context: text.text, original: text.original }
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
    /// The language `new_lines` were fetched in (pushes are Chinese); `None` for notices queued before
    /// it was kept, whose lines are told apart by their script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines_lang: Option<Lang>,
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
