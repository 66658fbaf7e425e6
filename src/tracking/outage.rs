//! Whether Kuaidi100 is down, judged from this process's own queries.
//!
//! One failed query is a parcel's bad luck; most of the recent ones failing is an outage, and the people
//! asking should be told so rather than read "could not refresh" on each parcel. The judgement is a
//! small window: of the last [`WINDOW`] queries within [`WITHIN`], at least [`MIN_SAMPLES`], a share of
//! [`DOWN_SHARE`] or more failed in a way that is Kuaidi100's (transient: timeouts, 5xx, busy) or the
//! account's (bad signature, expired key: every query fails alike) — not a wrong courier or a missing
//! phone, which are answers. The first answer after that ends the outage. Each replica judges from its
//! own queries: an outage shows in all of them within a few queries, with no shared state to fail too.

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::kuaidi100::{Advice, Error};

/// Queries considered.
pub const WINDOW: usize = 10;
/// Fewer recent queries than this say nothing.
pub const MIN_SAMPLES: usize = 5;
/// The share of failures among them that makes an outage.
pub const DOWN_SHARE: f64 = 0.8;
/// Queries older than this are forgotten.
pub const WITHIN: Duration = Duration::minutes(5);

/// 1 while this process judges Kuaidi100 down, else 0 (a gauge, published by `/metrics` from
/// [`Outage::down_since`]; see the README's metric list).
pub const UPSTREAM_DOWN_METRIC: &str = "kuaidi_upstream_down";
/// Outages begun since the start.
pub const OUTAGES_METRIC: &str = "kuaidi_upstream_outages_total";

/// What one query said about Kuaidi100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// It answered (an answer, "no result yet", or a refusal about the parcel).
    Answered,
    /// It failed in a way that says nothing about the parcel.
    Failed,
}

impl Health {
    pub fn of(outcome: Result<(), &Error>) -> Self {
        match outcome {
            Ok(()) => Health::Answered,
            Err(error) if error.is_transient() || error.advice() == Advice::OperatorProblem => Health::Failed,
            Err(_) => Health::Answered,
        }
    }
}

/// An outage beginning or ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Began { since: DateTime<Utc> },
    Ended { lasted: Duration },
}

#[derive(Debug, Default)]
pub struct Outage {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    recent: VecDeque<(DateTime<Utc>, Health)>,
    down_since: Option<DateTime<Utc>>,
    /// Outages begun since the start.
    begun: u64,
}

impl Outage {
    /// Notes one query's outcome at `at`; says when that began or ended an outage.
    pub fn record(&self, at: DateTime<Utc>, health: Health) -> Option<Change> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.recent.push_back((at, health));
        while state.recent.len() > WINDOW || state.recent.front().is_some_and(|(when, _)| at - *when > WITHIN) {
            state.recent.pop_front();
        }
        match (state.down_since, health) {
            (Some(since), Health::Answered) => {
                state.down_since = None;
                state.recent.clear();
                Some(Change::Ended { lasted: at - since })
            }
            (None, Health::Failed) => {
                let samples = state.recent.len();
                let failed = state.recent.iter().filter(|(_, health)| *health == Health::Failed).count();
                if samples >= MIN_SAMPLES && failed as f64 >= DOWN_SHARE * samples as f64 {
                    // Since the first failure of the run that made it.
                    let since = state
                        .recent
                        .iter()
                        .rev()
                        .take_while(|(_, health)| *health == Health::Failed)
                        .last()
                        .map_or(at, |(when, _)| *when);
                    state.down_since = Some(since);
                    state.begun += 1;
                    Some(Change::Began { since })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// [`Outage::record`], with the change logged.
    pub fn note(&self, at: DateTime<Utc>, health: Health) {
        match self.record(at, health) {
            Some(Change::Began { since }) => {
                tracing::warn!(
                    %since,
                    "Kuaidi100 is failing most queries: replies serve the last answers, the watcher backs off"
                );
            }
            Some(Change::Ended { lasted }) => {
                tracing::info!(lasted_seconds = lasted.num_seconds(), "Kuaidi100 answers again: the outage is over");
            }
            None => {}
        }
    }

    /// Outages begun since the start.
    pub fn count(&self) -> u64 {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).begun
    }

    /// When the outage in progress began; `None` while Kuaidi100 answers.
    pub fn down_since(&self) -> Option<DateTime<Utc>> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).down_since
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::seconds(1_800_000_000 + seconds)
    }

    #[test]
    fn most_recent_queries_failing_is_an_outage_and_the_next_answer_ends_it() {
        let outage = Outage::default();
        for i in 0..4 {
            assert_eq!(outage.record(t(i), Health::Failed), None, "four are too few to say");
        }
        assert_eq!(outage.record(t(4), Health::Failed), Some(Change::Began { since: t(0) }));
        assert_eq!(outage.down_since(), Some(t(0)));
        assert_eq!(outage.record(t(5), Health::Failed), None, "begins once");
        assert_eq!(outage.count(), 1);
        assert_eq!(outage.record(t(65), Health::Answered), Some(Change::Ended { lasted: Duration::seconds(65) }));
        assert_eq!(outage.down_since(), None);
        assert_eq!(outage.record(t(66), Health::Failed), None, "one failure after recovery is not an outage");
    }

    #[test]
    fn scattered_failures_and_old_ones_are_no_outage() {
        let outage = Outage::default();
        for i in 0..20 {
            let health = if i % 3 == 0 { Health::Answered } else { Health::Failed };
            assert_eq!(outage.record(t(i), health), None, "a third answered: {i}");
        }
        let outage = Outage::default();
        for i in 0..4 {
            outage.record(t(i), Health::Failed);
        }
        assert_eq!(outage.record(t(400), Health::Failed), None, "the first four are older than the window");
    }

    #[test]
    fn only_failures_that_are_kuaidi100s_or_the_accounts_count() {
        use crate::kuaidi100::ReturnCode;
        assert_eq!(Health::of(Ok(())), Health::Answered);
        assert_eq!(Health::of(Err(&Error::Timeout)), Health::Failed);
        let api = |code| Error::Api { code, message: String::new() };
        assert_eq!(Health::of(Err(&api(ReturnCode::ServerError))), Health::Failed);
        assert_eq!(Health::of(Err(&api(ReturnCode::KeyExpired))), Health::Failed);
        assert_eq!(Health::of(Err(&api(ReturnCode::BadRequest))), Health::Answered, "a wrong courier is an answer");
        assert_eq!(Health::of(Err(&api(ReturnCode::NoResult))), Health::Answered);
    }
}
