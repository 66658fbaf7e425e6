//! What the tracker remembers of a parcel between queries, in memory and as rebuilt from the store.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::request::{Freshness, Report};
use crate::kuaidi100::{Error, Lang, QueryResult};
use crate::store::{ParcelRecord, QueryOutcome};

/// The outcome of the last upstream query of a parcel and the answer before it.
#[derive(Debug, Clone)]
pub(super) struct Known {
    pub result: Option<Arc<QueryResult>>,
    /// The language `result`'s text was asked in (`parcels.answer_lang`; pushes are Chinese).
    pub answer_lang: Option<Lang>,
    pub answered_at: Option<DateTime<Utc>>,
    pub last_query_at: Option<DateTime<Utc>>,
    /// `None` when the last query answered.
    pub last_error: Option<Error>,
    pub next_query_at: DateTime<Utc>,
    pub daily_cap_reached: bool,
    /// The deployment's daily budget (the asker's share of it) held this answer back until then.
    pub budget_spent_until: Option<DateTime<Utc>>,
    pub phone_tail: Option<String>,
}

impl Known {
    /// Rebuilds what the store knows; `next_query_at` comes from the caller's limits.
    pub fn from_record(record: &ParcelRecord, next_query_at: DateTime<Utc>, daily_cap_reached: bool) -> Self {
        let result =
            record.answer.as_deref().and_then(|json| serde_json::from_str::<QueryResult>(json).ok()).map(Arc::new);
        let message = record.last_error_message.clone().unwrap_or_default();
        let last_error = match &record.last_outcome {
            None | Some(QueryOutcome::Answered) => None,
            Some(QueryOutcome::Code(code)) => Some(Error::api(code, &message)),
            Some(QueryOutcome::Transport) => Some(Error::Connection(message)),
            Some(QueryOutcome::Pending) => {
                Some(Error::Connection("the last query is in progress or was interrupted".into()))
            }
        };
        Self {
            result,
            answer_lang: record.answer_lang.as_deref().and_then(Lang::parse),
            answered_at: record.answered_at,
            last_query_at: record.last_query_at,
            last_error,
            next_query_at,
            daily_cap_reached,
            budget_spent_until: None,
            phone_tail: record.phone_tail.clone(),
        }
    }

    /// The report for a caller; `fresh` when the caller caused (or waited on) the last query.
    pub fn report(&self, fresh: bool) -> Report {
        match (&self.result, &self.last_error) {
            (Some(result), None) => {
                let freshness = match self.answered_at {
                    Some(fetched_at) if !fresh => Freshness::Cached { fetched_at },
                    _ => Freshness::Fresh,
                };
                Report::Answer { result: result.clone(), freshness }
            }
            // A failure that may pass, or "no result" after an earlier answer: show the answer, marked.
            (Some(result), Some(error)) if error.is_transient() || error.is_no_result() => Report::Answer {
                result: result.clone(),
                freshness: Freshness::Stale {
                    fetched_at: self.answered_at.unwrap_or(DateTime::UNIX_EPOCH),
                    error: error.clone(),
                },
            },
            (_, Some(error)) if error.is_no_result() => Report::NoResultYet,
            (_, Some(error)) => Report::Failed(error.clone()),
            (None, None) => Report::Failed(Error::Connection("no query has been made yet".into())),
        }
    }
}
