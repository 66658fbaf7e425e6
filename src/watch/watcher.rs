//! The watcher's loop and one check of one parcel.
//!
//! While Kuaidi100 is down (the tracker says so: most recent queries failed) the watcher backs off to
//! one check every [`OUTAGE_PROBE_EVERY`]: a probe that notices the recovery, instead of a batch of
//! queries that would all fail. The parcels stay due and are checked once it answers again.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::mode::{LastMile, WatchMode};
use super::notice::{NOTICE_LINES, Notice, NoticeKind, NoticeLine};
use super::policy::{GIVE_UP_NO_RESULT_AFTER, Policy, STOP_UNCHANGED_AFTER_DAYS};
use crate::clock::SharedClock;
use crate::couriers::directory;
use crate::input::tracking_number;
use crate::kuaidi100::{Advice, Family, Lang, QueryResult, state};
use crate::store::{CheckOutcome, DueParcel, NewNotice, PushState, Store, StoreError, Subscriber};
use crate::tracking::{Asker, Report, TrackError, TrackRequest, Tracked, Tracker};

/// While Kuaidi100 is down: one check this often.
pub const OUTAGE_PROBE_EVERY: StdDuration = StdDuration::from_secs(30);

#[derive(Debug, Clone)]
pub struct WatcherConfig {
    pub policy: Policy,
    /// Due parcels taken per round.
    pub batch: u32,
    /// Parcels checked at once.
    pub concurrency: usize,
    /// How long to wait (real time) when nothing is due before looking again.
    pub idle_poll: StdDuration,
    /// `WATCH_MODE`.
    pub mode: WatchMode,
    /// Where hybrid mode polls a pushed parcel (by default [`is_last_mile`](super::is_last_mile)).
    pub last_mile: LastMile,
    /// `WATCH_LEASE`: how long a round's parcels are this process's alone (PostgreSQL, shared by
    /// replicas); a replica that dies leaves its parcels to the others once it has run out. Longer
    /// than any check takes (a query times out well before), short enough to take over quickly.
    pub lease: Duration,
}

impl WatcherConfig {
    pub fn new(floor: Duration) -> Self {
        Self {
            policy: Policy::new(floor),
            batch: 100,
            concurrency: 8,
            idle_poll: StdDuration::from_secs(1),
            mode: WatchMode::Poll,
            last_mile: LastMile::default(),
            lease: Duration::minutes(2),
        }
    }

    /// In `mode`; hybrid mode also takes its own last-mile policy ([`Policy::hybrid`]).
    pub fn with_mode(mut self, mode: WatchMode) -> Self {
        self.mode = mode;
        if mode == WatchMode::Hybrid {
            self.policy =
                Policy { push_safety_floors: self.policy.push_safety_floors, ..Policy::hybrid(self.policy.floor) };
        }
        self
    }
}

#[derive(Clone)]
pub struct Watcher {
    pub(super) tracker: Tracker,
    pub(super) store: Store,
    pub(super) clock: SharedClock,
    pub(super) config: WatcherConfig,
}

impl Watcher {
    pub fn new(tracker: Tracker, clock: SharedClock, config: WatcherConfig) -> Self {
        let store = tracker.store().clone();
        Self { tracker, store, clock, config }
    }

    pub fn policy(&self) -> Policy {
        self.config.policy
    }

    /// Runs until `shutdown` is cancelled. A check in progress is finished (each is one transaction);
    /// on the next start the watcher resumes from the store. Checks overdue after a downtime are first
    /// spread over one floor, so that they do not all hit Kuaidi100 at once.
    pub async fn run(&self, shutdown: CancellationToken) {
        self.spread_overdue(&shutdown).await;
        while !shutdown.is_cancelled() {
            let pause = match self.tick().await {
                Ok(_) if self.tracker.upstream_down_since().is_some() => OUTAGE_PROBE_EVERY,
                Ok(0) => self.config.idle_poll,
                Ok(_) => StdDuration::ZERO,
                Err(error) => {
                    tracing::error!(%error, "watcher round failed");
                    self.config.idle_poll.max(StdDuration::from_secs(1))
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        }
        tracing::info!("watcher stopped");
    }

    /// Spreads checks overdue after a downtime over one floor, in batches, stopping early on shutdown.
    async fn spread_overdue(&self, shutdown: &CancellationToken) {
        const BATCH: u32 = 5_000;
        let floor = self.config.policy.floor;
        let mut moved = 0;
        while !shutdown.is_cancelled() {
            match self.store.spread_overdue(self.clock.now(), floor, floor, BATCH).await {
                Ok(batch) => {
                    moved += batch;
                    if batch < u64::from(BATCH) {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot spread overdue checks");
                    break;
                }
            }
        }
        if moved > 0 {
            tracing::info!(moved, "spread overdue parcel checks after a downtime");
        }
    }

    /// Makes the subscribe calls that are due, then checks every parcel due now (one batch of each);
    /// returns how many were due.
    pub async fn tick(&self) -> Result<usize, StoreError> {
        let subscribed = if self.config.mode.subscribes() { self.subscribe_due().await? } else { 0 };
        let batch = if self.tracker.upstream_down_since().is_some() { 1 } else { self.config.batch };
        let due = self.store.claim_due_parcels(self.clock.now(), self.config.lease, batch).await?;
        let count = due.len();
        let results: Vec<Result<(), StoreError>> = futures::stream::iter(due)
            .map(|parcel| self.check(parcel))
            .buffer_unordered(self.config.concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(count + subscribed)
    }

    /// Hybrid mode polls a pushed parcel in `state`: it is in the last mile, and has not sat there
    /// unchanged beyond the policy's patience.
    fn polls_last_mile(&self, parcel: &DueParcel, state: Option<&crate::kuaidi100::State>, now: DateTime<Utc>) -> bool {
        let unchanged_for = parcel.last_change_at.map_or_else(Duration::zero, |at| now - at);
        // Patience runs out only where the parcel waits on a person: a locker, a delivery problem.
        let waits_on_someone = state.is_some_and(|state| state.code == "501" || state.family == Family::Problem);
        self.config.last_mile.contains(state)
            && !(waits_on_someone && unchanged_for >= self.config.policy.last_mile_patience())
    }

    /// A parcel Kuaidi100 pushes, in push or hybrid mode.
    fn is_pushed(&self, parcel: &DueParcel) -> bool {
        self.config.mode.subscribes() && parcel.push_state == PushState::Subscribed
    }

    async fn check(&self, parcel: DueParcel) -> Result<(), StoreError> {
        let subscribers = self.store.subscribers(parcel.id).await?;
        let now = self.clock.now();
        if subscribers.is_empty() {
            // Nobody watches any more: stop polling.
            let outcome = CheckOutcome { last_change_at: parcel.last_change_at, ..CheckOutcome::default() };
            return self.store.commit_check(parcel.id, &outcome, now).await;
        }
        if self.is_pushed(&parcel)
            && let Some(outcome) = self.check_pushed(&parcel, &subscribers, now).await?
        {
            return self.store.commit_check(parcel.id, &outcome, now).await;
        }
        // One query serves everyone; its text is Chinese unless every subscriber reads English.
        let lang = if subscribers.iter().all(|subscriber| subscriber.lang == "en") { Lang::En } else { Lang::Zh };
        let outcome = match tracking_number(&parcel.key.number) {
            Ok(number) => {
                let request = TrackRequest::new(Some(&parcel.key.courier), number, Asker::Watcher).with_lang(lang);
                match self.tracker.track(request).await {
                    Ok(tracked) => {
                        // A check answered by someone else's query is a check that was not needed.
                        let result = match (tracked.fresh, tracked.budget_spent_until) {
                            (true, _) => "queried",
                            (false, Some(_)) => "budget",
                            (false, None) => "shared",
                        };
                        metrics::counter!(CHECKS_METRIC, "result" => result).increment(1);
                        self.outcome(&parcel, &subscribers, &tracked, now)
                    }
                    Err(TrackError::Store(error)) => return Err(error),
                    // The daily budget holds every check back: try again when it frees, keep everyone.
                    Err(TrackError::BudgetSpent { until }) => {
                        metrics::counter!(CHECKS_METRIC, "result" => "budget").increment(1);
                        CheckOutcome {
                            next_check_at: Some(until.max(now) + self.config.policy.floor / 8),
                            last_change_at: parcel.last_change_at,
                            no_result_since: parcel.no_result_since,
                            no_result_streak: parcel.no_result_streak,
                            ..CheckOutcome::default()
                        }
                    }
                    Err(error) => {
                        tracing::warn!(parcel = %parcel.key, %error, "cannot watch a parcel");
                        stop_with(&parcel, &subscribers, NoticeKind::CannotWatch, None, now)
                    }
                }
            }
            Err(_) => stop_with(&parcel, &subscribers, NoticeKind::CannotWatch, None, now),
        };
        self.store.commit_check(parcel.id, &outcome, now).await
    }

    /// A parcel Kuaidi100 pushes, due for its safety check or its last-mile poll. Push mode never
    /// queries it: what the store holds is judged again (so that two weeks without change still end
    /// watching). Hybrid mode queries it in the last mile, or when pushes have gone silent for a whole
    /// safety interval (a lost push must not leave a chat uninformed for days); `None` = query it.
    async fn check_pushed(
        &self,
        parcel: &DueParcel,
        subscribers: &[Subscriber],
        now: DateTime<Utc>,
    ) -> Result<Option<CheckOutcome>, StoreError> {
        let Some(courier) = directory().get(&parcel.key.courier) else { return Ok(None) };
        let known = match self.tracker.peek(courier, &parcel.key.number, None, Asker::Watcher).await {
            Ok(known) => known,
            Err(TrackError::Store(error)) => return Err(error),
            Err(_) => None,
        };
        let Some(result) = known.as_ref().and_then(|tracked| tracked.report.result()) else {
            return Ok(None);
        };
        if self.config.mode == WatchMode::Hybrid {
            let heard_at = parcel.pushed_at.max(parcel.last_change_at);
            let silent = heard_at.is_none_or(|at| now - at >= self.config.policy.push_safety());
            if silent || self.polls_last_mile(parcel, state::lookup(&result.state), now) {
                return Ok(None);
            }
        }
        let next_query_at = known.as_ref().map_or(now, |tracked| tracked.next_query_at);
        let answered_at = known.as_ref().and_then(|tracked| tracked.answered_at);
        let lang = known.as_ref().and_then(|tracked| tracked.answer_lang);
        Ok(Some(self.answer_outcome(parcel, subscribers, result, lang, answered_at, next_query_at, now)))
    }

    /// What an answer means for a parcel's subscribers: a notice for each who has not seen all of it,
    /// and the next check — by the policy, or, for a parcel Kuaidi100 pushes outside the last mile
    /// (every parcel it pushes, in push mode), only the safety check. Also used for pushes.
    ///
    /// Every notice carries the answer's arrival estimate. A subscriber who has nothing new to hear
    /// but whose estimate moved (by an hour or more, or appeared) is told so on its own — at most once
    /// a day per subscription ([`estimate_news`]); what it was told and when is kept with the
    /// subscription (`seen_estimate`, `estimate_told_at`), like the lines and state it has seen.
    // The answer's language came with the answer: one more argument rather than a new type for a pair.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn answer_outcome(
        &self,
        parcel: &DueParcel,
        subscribers: &[Subscriber],
        result: &QueryResult,
        lang: Option<Lang>,
        answered_at: Option<DateTime<Utc>>,
        next_query_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> CheckOutcome {
        let policy = self.config.policy;
        let jitter = rand::random::<f64>();
        let current = state::lookup(&result.state);
        let finished = result.is_finished();
        let kind = if finished { NoticeKind::Finished } else { NoticeKind::Update };
        let lines = &result.data;
        let total = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        let expected_at = result.estimate().and_then(|estimate| estimate.expected_at(answered_at.unwrap_or(now)));
        let mut notices = Vec::new();
        let mut estimate_notices = Vec::new();
        for subscriber in subscribers {
            let new = total.saturating_sub(subscriber.seen_lines) as usize;
            let state_changed = subscriber.seen_state.as_deref() != Some(result.state.as_str());
            if new == 0 && !state_changed {
                if estimate_news(subscriber, expected_at, now) {
                    estimate_notices.push(estimate_notice(parcel, subscriber, result, expected_at, now));
                }
                continue;
            }
            let shown = new.min(NOTICE_LINES);
            let notice = Notice {
                courier: parcel.key.courier.clone(),
                number: parcel.key.number.clone(),
                kind,
                state: Some(result.state.clone()),
                previous_state: subscriber.seen_state.clone(),
                new_lines: lines.iter().take(shown).map(NoticeLine::from_trace).collect(),
                lines_lang: lang,
                more_lines: u32::try_from(new - shown).unwrap_or(0),
                return_code: None,
                previous_courier: None,
                expected_at,
                previous_expected_at: None,
                label: None,
            };
            let mut queued = new_notice(subscriber, &notice, total, Some(result.state.clone()));
            queued.seen_estimate = expected_at.or(subscriber.seen_estimate);
            notices.push(queued);
        }
        // A moved estimate alone is no change of the parcel: it does not put off "unchanged for 14 days".
        let changed = !notices.is_empty();
        notices.extend(estimate_notices);
        let last_change_at = if changed { Some(now) } else { parcel.last_change_at.or(Some(now)) };
        if finished {
            return CheckOutcome {
                notices,
                next_check_at: None,
                end_subscriptions: true,
                last_change_at,
                ..CheckOutcome::default()
            };
        }
        if last_change_at.is_some_and(|at| now - at >= Duration::days(STOP_UNCHANGED_AFTER_DAYS)) {
            return stop_with(parcel, subscribers, NoticeKind::Unchanged, Some(result.state.clone()), now);
        }
        let pushed_long_haul = self.is_pushed(parcel)
            && (self.config.mode == WatchMode::Push || !self.polls_last_mile(parcel, current, now));
        let next = if pushed_long_haul {
            policy.safety_check(now, jitter)
        } else {
            let unchanged_for = last_change_at.map(|at| now - at).unwrap_or_else(Duration::zero);
            // Never plan a check before the tracker would allow a query.
            policy.next_check_unchanged(current, now, jitter, unchanged_for).max(next_query_at)
        };
        CheckOutcome { notices, next_check_at: Some(next), last_change_at, ..CheckOutcome::default() }
    }

    fn outcome(
        &self,
        parcel: &DueParcel,
        subscribers: &[Subscriber],
        tracked: &Tracked,
        now: DateTime<Utc>,
    ) -> CheckOutcome {
        let policy = self.config.policy;
        let jitter = rand::random::<f64>();
        // Never plan a check before the tracker would allow a query.
        let not_before = |at: DateTime<Utc>| at.max(tracked.next_query_at);
        match &tracked.report {
            Report::Answer { result, .. } => {
                let lang = tracked.answer_lang;
                self.answer_outcome(parcel, subscribers, result, lang, tracked.answered_at, tracked.next_query_at, now)
            }
            Report::NoResultYet => {
                let since = parcel.no_result_since.unwrap_or(now);
                if now - since >= Duration::days(GIVE_UP_NO_RESULT_AFTER) {
                    return stop_with(parcel, subscribers, NoticeKind::GaveUp, None, now);
                }
                let streak = parcel.no_result_streak.saturating_add(1);
                CheckOutcome {
                    next_check_at: Some(not_before(policy.after_no_result(streak, now, jitter))),
                    last_change_at: parcel.last_change_at,
                    no_result_since: Some(since),
                    no_result_streak: streak,
                    ..CheckOutcome::default()
                }
            }
            Report::Failed(error) => match error.advice() {
                // Kuaidi100 will never answer this parcel as it stands — unless it already has: then
                // the courier and the phone were right, and the refusal is Kuaidi100's passing fault
                // (a parcel seen moving is not given up on one bad answer).
                Advice::CheckCourier | Advice::NeedPhone if !answered_before(subscribers) => {
                    let code = error.return_code().map(|code| code.as_str().to_owned());
                    let mut outcome = stop_with(parcel, subscribers, NoticeKind::CannotWatch, None, now);
                    for notice in &mut outcome.notices {
                        if let Ok(mut payload) = serde_json::from_str::<Notice>(&notice.payload) {
                            payload.return_code = code.clone();
                            notice.payload = serde_json::to_string(&payload).unwrap_or_default();
                        }
                    }
                    outcome
                }
                // Trouble on Kuaidi100's side or ours: keep watching, at the in-transit pace.
                Advice::CheckCourier
                | Advice::NeedPhone
                | Advice::NoResultYet
                | Advice::TryLater
                | Advice::OperatorProblem => CheckOutcome {
                    next_check_at: Some(not_before(policy.next_check(None, now, jitter))),
                    last_change_at: parcel.last_change_at,
                    no_result_since: parcel.no_result_since,
                    no_result_streak: parcel.no_result_streak,
                    ..CheckOutcome::default()
                },
            },
        }
    }
}

/// The watcher's checks that asked the tracker, by `result`: `queried` (its own upstream query, or the
/// error it got), `shared` (answered by a query someone made just before: a user, or — if leases
/// failed — another replica checking the same parcel) or `budget` (held back by the watcher's share
/// of `KUAIDI100_DAILY_BUDGET`, answered from the store and put off until the budget frees).
pub const CHECKS_METRIC: &str = "kuaidi_watch_checks_total";

pub(super) fn new_notice(
    subscriber: &Subscriber,
    notice: &Notice,
    seen_lines: u32,
    seen_state: Option<String>,
) -> NewNotice {
    NewNotice {
        subscription_id: subscriber.id,
        chat_id: subscriber.chat_id,
        topic: subscriber.topic,
        lang: subscriber.lang.clone(),
        payload: serde_json::to_string(notice).unwrap_or_default(),
        seen_lines,
        seen_state,
        was_lines: subscriber.seen_lines,
        was_state: subscriber.seen_state.clone(),
        seen_estimate: subscriber.seen_estimate,
        estimate_told_at: subscriber.estimate_told_at,
        was_estimate_told_at: subscriber.estimate_told_at,
    }
}

/// How far an estimate must move before a subscriber is told of it on its own.
pub const ESTIMATE_MOVE: Duration = Duration::hours(1);
/// At most one notice of a moved estimate alone per subscription in this time.
pub const ESTIMATE_NOTICE_EVERY: Duration = Duration::hours(24);

/// Whether `subscriber`, with nothing else new to hear, is to be told the estimate `expected_at` on
/// its own at `now`: it moved by [`ESTIMATE_MOVE`] or more from the one it was told (or it has none),
/// and no such notice went to it in the last [`ESTIMATE_NOTICE_EVERY`]. An estimate that vanishes
/// (the parcel is at the door) is said by the lines that come with it.
pub(super) fn estimate_news(subscriber: &Subscriber, expected_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let Some(expected_at) = expected_at else { return false };
    let moved = subscriber.seen_estimate.is_none_or(|seen| (expected_at - seen).abs() >= ESTIMATE_MOVE);
    let allowed = subscriber.estimate_told_at.is_none_or(|told| now - told >= ESTIMATE_NOTICE_EVERY);
    moved && allowed
}

/// The notice that only says the estimate moved.
fn estimate_notice(
    parcel: &DueParcel,
    subscriber: &Subscriber,
    result: &QueryResult,
    expected_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> NewNotice {
    let notice = Notice {
        courier: parcel.key.courier.clone(),
        number: parcel.key.number.clone(),
        kind: NoticeKind::Update,
        state: Some(result.state.clone()),
        previous_state: subscriber.seen_state.clone(),
        new_lines: Vec::new(),
        lines_lang: None,
        more_lines: 0,
        return_code: None,
        previous_courier: None,
        expected_at,
        previous_expected_at: subscriber.seen_estimate,
        label: None,
    };
    let mut queued = new_notice(subscriber, &notice, subscriber.seen_lines, subscriber.seen_state.clone());
    queued.seen_estimate = expected_at;
    queued.estimate_told_at = Some(now);
    queued
}

/// Every subscriber gets a closing notice and watching stops.
/// Whether Kuaidi100 has answered this parcel with a trajectory before (some subscriber saw lines).
fn answered_before(subscribers: &[Subscriber]) -> bool {
    subscribers.iter().any(|subscriber| subscriber.seen_lines > 0)
}

pub(super) fn stop_with(
    parcel: &DueParcel,
    subscribers: &[Subscriber],
    kind: NoticeKind,
    state: Option<String>,
    now: DateTime<Utc>,
) -> CheckOutcome {
    let notices = subscribers
        .iter()
        .map(|subscriber| {
            let notice = Notice {
                courier: parcel.key.courier.clone(),
                number: parcel.key.number.clone(),
                kind,
                state: state.clone(),
                previous_state: subscriber.seen_state.clone(),
                new_lines: Vec::new(),
                lines_lang: None,
                more_lines: 0,
                return_code: None,
                previous_courier: None,
                expected_at: None,
                previous_expected_at: None,
                label: None,
            };
            new_notice(subscriber, &notice, subscriber.seen_lines, subscriber.seen_state.clone())
        })
        .collect();
    CheckOutcome {
        notices,
        next_check_at: None,
        end_subscriptions: true,
        last_change_at: parcel.last_change_at.or(Some(now)),
        ..CheckOutcome::default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn subscriber(seen_estimate: Option<DateTime<Utc>>, estimate_told_at: Option<DateTime<Utc>>) -> Subscriber {
        Subscriber {
            id: 1,
            chat_id: 7,
            topic: None,
            lang: "zh".into(),
            seen_lines: 3,
            seen_state: Some("0".into()),
            seen_estimate,
            estimate_told_at,
        }
    }

    #[test]
    fn a_moved_estimate_alone_is_news_at_most_once_a_day() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 4, 0, 0).single().expect("a time");
        let eta = now + Duration::hours(30);
        assert!(!estimate_news(&subscriber(None, None), None, now), "no estimate, nothing to say");
        assert!(estimate_news(&subscriber(None, None), Some(eta), now), "a first estimate");
        assert!(!estimate_news(&subscriber(Some(eta), None), Some(eta), now), "the same one");
        let slight = eta + Duration::minutes(59);
        assert!(!estimate_news(&subscriber(Some(eta), None), Some(slight), now), "under an hour");
        let later = eta + Duration::hours(3);
        assert!(estimate_news(&subscriber(Some(eta), None), Some(later), now));
        assert!(estimate_news(&subscriber(Some(later), None), Some(eta), now), "earlier counts too");
        let told = Some(now - Duration::hours(5));
        assert!(!estimate_news(&subscriber(Some(eta), told), Some(later), now), "told one today already");
        let told = Some(now - Duration::hours(24));
        assert!(estimate_news(&subscriber(Some(eta), told), Some(later), now), "a day later it may");
    }
}
