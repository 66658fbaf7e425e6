//! Kuaidi100's pushes, taken in like a check's answer: verified, diffed for every subscriber, written
//! with the answer in one transaction, and acknowledged.
//!
//! The signature is checked over the raw `param` before anything is read. A good push is recorded as
//! the parcel's latest answer without counting as a query (Kuaidi100 made it), and each subscriber is
//! told what it has not seen, exactly as after a watcher check (the same [`Watcher::answer_outcome`]),
//! through the outbox's one entrance. Kuaidi100 retries a push it thinks was not received, and pushes
//! can arrive out of order, so intake is idempotent: a replay finds every subscriber up to date (no
//! notice), and a push older than the stored answer (fewer lines, an older newest line, or not finished
//! where the stored one is) is acknowledged and ignored, so a parcel never rolls back. `shutdown` ends
//! watching with a final notice; `abort` gives up with a notice when Kuaidi100 never had a record, and
//! otherwise asks for a new subscription (the parcel is polled meanwhile); a corrected courier
//! (`comOld` → `comNew`) is stored and every chat is told. A push for a parcel nobody watches is
//! acknowledged and ignored.
//!
//! Writes go through one writer task that takes every push waiting into one transaction (and checks
//! there again that each is not older than the stored answer), so a burst of pushes does not queue for
//! SQLite's write lock one by one; each callback is acknowledged only after its transaction committed.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::notice::{Notice, NoticeKind};
use super::watcher::{Watcher, new_notice, stop_with};
use crate::couriers::directory;
use crate::kuaidi100::push::verify_push;
use crate::kuaidi100::{Lang, Push, PushRefusal, PushStatus, QueryResult, Salt};
use crate::store::{CheckOutcome, DueParcel, ParcelKey, PushState, PushWrite, Store, StoreError, Subscriber};

/// Callbacks by result (`kuaidi_push_callbacks_total{result}`): `applied`, `unwatched`, `stale`, and
/// the refusals `missing_sign`, `bad_sign`, `malformed`.
pub const CALLBACKS_METRIC: &str = "kuaidi_push_callbacks_total";

/// Kuaidi100 pushes Chinese text (`store::push` records it so).
const PUSH_LANG: Option<Lang> = Some(Lang::Zh);

/// What became of one callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushReceipt {
    /// Taken in; this many notices were queued.
    Applied { notices: usize },
    /// Nobody watches the parcel: acknowledged, ignored.
    Unwatched,
    /// Older than what is known: acknowledged, ignored.
    Stale,
    /// Not applied (bad or missing sign, unreadable): not acknowledged.
    Refused(PushRefusal),
}

impl PushReceipt {
    pub fn label(self) -> &'static str {
        match self {
            Self::Applied { .. } => "applied",
            Self::Unwatched => "unwatched",
            Self::Stale => "stale",
            Self::Refused(refusal) => refusal.label(),
        }
    }

    /// Kuaidi100 should consider the push received.
    pub fn acknowledged(self) -> bool {
        !matches!(self, Self::Refused(_))
    }
}

/// Pushes taken in per transaction at most.
const BATCH: usize = 256;
/// Pushes read (parcel, subscribers) at once: fewer than the store's connections (4 on SQLite), so
/// that a burst of callbacks never keeps the writer waiting for one.
const READERS: usize = 3;

type Reply = oneshot::Sender<Result<bool, Arc<StoreError>>>;

/// The push intake; cheap to clone (clones share one writer).
#[derive(Clone)]
pub struct PushIntake {
    watcher: Watcher,
    salt: Salt,
    writer: mpsc::Sender<(PushWrite, Reply)>,
    readers: Arc<Semaphore>,
}

impl std::fmt::Debug for PushIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushIntake").field("salt", &self.salt).finish_non_exhaustive()
    }
}

impl PushIntake {
    /// The intake, and its writer task (which ends when the last clone is dropped). Must be called
    /// inside the runtime.
    pub fn new(watcher: Watcher, salt: Salt) -> Self {
        let (writer, pushes) = mpsc::channel(BATCH * 4);
        tokio::spawn(write_batches(watcher.store.clone(), pushes));
        Self { watcher, salt, writer, readers: Arc::new(Semaphore::new(READERS)) }
    }

    /// Takes in one callback (`param` exactly as received, and its `sign`). A store failure is an
    /// error: the callback is then not acknowledged, and Kuaidi100 sends it again.
    pub async fn receive(&self, param: &str, sign: Option<&str>) -> Result<PushReceipt, StoreError> {
        let receipt = match verify_push(param, sign, &self.salt) {
            Ok(push) => {
                let _reading = self.readers.acquire().await.map_err(|_| closed())?;
                self.apply(push).await?
            }
            Err(refusal) => {
                tracing::warn!(%refusal, "push callback refused");
                PushReceipt::Refused(refusal)
            }
        };
        metrics::counter!(CALLBACKS_METRIC, "result" => receipt.label()).increment(1);
        Ok(receipt)
    }

    async fn apply(&self, push: Push) -> Result<PushReceipt, StoreError> {
        let watcher = &self.watcher;
        let store = &watcher.store;
        let now = watcher.clock.now();
        let number = push.last_result.nu.trim().to_owned();
        let mut corrected = push.courier_corrected().map(|(old, new)| (old.to_owned(), new.to_owned()));
        let watched_as = corrected.as_ref().map_or(push.courier().to_owned(), |(old, _)| old.clone());
        let mut key = ParcelKey::new(&watched_as, &number);
        let mut record = store.parcel(&key, now).await?;
        if record.is_none()
            && let Some((_, new)) = &corrected
        {
            // Corrected by an earlier push already: every later push still names the old courier.
            key = ParcelKey::new(new, &number);
            record = store.parcel(&key, now).await?;
            corrected = None;
        }
        let Some(record) = record else { return Ok(PushReceipt::Unwatched) };
        let Some(mut parcel) = store.watched_parcel(record.id, now).await? else {
            return Ok(PushReceipt::Unwatched);
        };
        let subscribers = store.subscribers(record.id).await?;
        if subscribers.is_empty() {
            if matches!(push.status, PushStatus::Shutdown | PushStatus::Abort) {
                store.end_push(record.id).await?;
            }
            return Ok(PushReceipt::Unwatched);
        }
        // The stored answer of a corrected parcel is the wrong courier's: nothing to compare with.
        let stored = record
            .answer
            .as_deref()
            .filter(|_| corrected.is_none())
            .and_then(|json| serde_json::from_str::<QueryResult>(json).ok());
        if stored.as_ref().is_some_and(|stored| is_older(&push.last_result, stored)) {
            tracing::debug!(parcel = %key, "an older push than the stored answer: ignored");
            return Ok(PushReceipt::Stale);
        }
        let mut previous_courier = None;
        if let Some((old, new)) = &corrected
            && directory().get(new).is_some()
            && store.correct_courier(record.id, new).await?
        {
            tracing::info!(parcel = %key, courier = %new, "Kuaidi100 corrected the courier");
            parcel.key = ParcelKey::new(new, &number);
            previous_courier = Some(old.clone());
        }
        let next_query_at = {
            let config = watcher.tracker.config();
            record.next_query_at(config.min_interval, config.max_per_day)
        };
        let result = &push.last_result;
        let (mut outcome, push_state, answer) = match push.status {
            PushStatus::Abort if result.data.is_empty() && stored.as_ref().is_none_or(|s| s.data.is_empty()) => {
                (stop_with(&parcel, &subscribers, NoticeKind::GaveUp, None, now), PushState::Ended, false)
            }
            PushStatus::Abort => {
                // Kuaidi100 stopped although the parcel has a record: subscribe again, poll meanwhile.
                parcel.push_state = PushState::Retry;
                let kept = stored.as_ref().filter(|_| result.data.is_empty());
                let latest_lang =
                    if kept.is_some() { record.answer_lang.as_deref().and_then(Lang::parse) } else { PUSH_LANG };
                let latest = kept.unwrap_or(result);
                let outcome =
                    watcher.answer_outcome(&parcel, &subscribers, latest, latest_lang, None, next_query_at, now);
                (outcome, PushState::Retry, !result.data.is_empty())
            }
            PushStatus::Shutdown => {
                let outcome =
                    watcher.answer_outcome(&parcel, &subscribers, result, PUSH_LANG, None, next_query_at, now);
                (finish_all(outcome, &parcel, &subscribers, result, now), PushState::Ended, true)
            }
            PushStatus::Polling | PushStatus::UpdateAll | PushStatus::Other(_) => {
                parcel.push_state = PushState::Subscribed;
                let outcome =
                    watcher.answer_outcome(&parcel, &subscribers, result, PUSH_LANG, None, next_query_at, now);
                (outcome, PushState::Subscribed, true)
            }
        };
        if let Some(old) = &previous_courier {
            tell_corrected(&mut outcome, &parcel, &subscribers, old, result);
        }
        let answer = answer.then(|| (serde_json::to_string(result).unwrap_or_default(), result.state.clone()));
        let notices = outcome.notices.len();
        let check_newer = previous_courier.is_none();
        let write = PushWrite { parcel_id: record.id, answer, push_state, outcome, now, check_newer };
        if !self.write(write).await? {
            return Ok(PushReceipt::Stale);
        }
        watcher.tracker.forget(&key);
        watcher.tracker.forget(&parcel.key);
        tracing::debug!(parcel = %parcel.key, notices, "push taken in");
        Ok(PushReceipt::Applied { notices })
    }
}

impl PushIntake {
    /// Hands a push to the writer and waits for its transaction; `false` when it turned out stale.
    async fn write(&self, write: PushWrite) -> Result<bool, StoreError> {
        let (reply, written) = oneshot::channel();
        self.writer.send((write, reply)).await.map_err(|_| closed())?;
        written.await.map_err(|_| closed())?.map_err(StoreError::Shared)
    }
}

/// The intake is shutting down (its writer has stopped).
fn closed() -> StoreError {
    StoreError::Closed
}

/// The writer: takes every push waiting (up to [`BATCH`]) into one transaction, then answers each.
/// One writer and few transactions is what SQLite, with its single writer, does fastest: a burst of
/// pushes is acknowledged in milliseconds instead of queueing for the write lock one by one.
async fn write_batches(store: Store, mut pushes: mpsc::Receiver<(PushWrite, Reply)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while pushes.recv_many(&mut batch, BATCH).await > 0 {
        let (writes, replies): (Vec<PushWrite>, Vec<Reply>) = batch.drain(..).unzip();
        let newer = |stored: &str, pushed: &str| match (
            serde_json::from_str::<QueryResult>(stored),
            serde_json::from_str::<QueryResult>(pushed),
        ) {
            (Ok(stored), Ok(pushed)) => !is_older(&pushed, &stored),
            _ => true,
        };
        match store.commit_pushes(&writes, newer).await {
            Ok(applied) => {
                for (reply, applied) in replies.into_iter().zip(applied) {
                    let _ = reply.send(Ok(applied));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// Whether `push` is older than `stored`: it must not replace it.
fn is_older(push: &QueryResult, stored: &QueryResult) -> bool {
    let newest = |result: &QueryResult| result.data.first().map(|line| line.when().to_owned()).unwrap_or_default();
    let (pushed, known) = (newest(push), newest(stored));
    pushed < known
        || (pushed == known && push.data.len() < stored.data.len())
        || (stored.is_finished() && !push.is_finished())
}

/// `shutdown` on a parcel whose answer is not finished: Kuaidi100 stopped tracking it, so watching
/// ends too, with a final notice to every subscriber.
fn finish_all(
    mut outcome: CheckOutcome,
    parcel: &DueParcel,
    subscribers: &[Subscriber],
    result: &QueryResult,
    now: DateTime<Utc>,
) -> CheckOutcome {
    if outcome.end_subscriptions {
        return outcome;
    }
    let told: Vec<i64> = outcome.notices.iter().map(|notice| notice.subscription_id).collect();
    for notice in &mut outcome.notices {
        rewrite(&mut notice.payload, |payload| payload.kind = NoticeKind::Finished);
    }
    let state = Some(result.state.clone()).filter(|state| !state.is_empty());
    let rest: Vec<Subscriber> =
        subscribers.iter().filter(|subscriber| !told.contains(&subscriber.id)).cloned().collect();
    let closing = stop_with(parcel, &rest, NoticeKind::Finished, state, now);
    outcome.notices.extend(closing.notices);
    CheckOutcome { next_check_at: None, end_subscriptions: true, ..outcome }
}

/// Every subscriber hears that the courier was corrected: in the notice it gets anyway, or in one of
/// its own.
fn tell_corrected(
    outcome: &mut CheckOutcome,
    parcel: &DueParcel,
    subscribers: &[Subscriber],
    old: &str,
    result: &QueryResult,
) {
    for notice in &mut outcome.notices {
        rewrite(&mut notice.payload, |payload| payload.previous_courier = Some(old.to_owned()));
    }
    let told: Vec<i64> = outcome.notices.iter().map(|notice| notice.subscription_id).collect();
    for subscriber in subscribers.iter().filter(|subscriber| !told.contains(&subscriber.id)) {
        let notice = Notice {
            courier: parcel.key.courier.clone(),
            number: parcel.key.number.clone(),
            kind: NoticeKind::Update,
            state: Some(result.state.clone()).filter(|state| !state.is_empty()),
            previous_state: subscriber.seen_state.clone(),
            new_lines: Vec::new(),
            lines_lang: None,
            more_lines: 0,
            return_code: None,
            previous_courier: Some(old.to_owned()),
            expected_at: None,
            previous_expected_at: None,
            label: None,
        };
        outcome.notices.push(new_notice(subscriber, &notice, subscriber.seen_lines, subscriber.seen_state.clone()));
    }
}

fn rewrite(payload: &mut String, change: impl FnOnce(&mut Notice)) {
    if let Ok(mut notice) = serde_json::from_str::<Notice>(payload) {
        change(&mut notice);
        *payload = serde_json::to_string(&notice).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::TraceLine;

    fn answer(times: &[&str], state: &str) -> QueryResult {
        let data = times
            .iter()
            .map(|time| TraceLine {
                time: (*time).into(),
                ftime: (*time).into(),
                context: "x".into(),
                ..serde_json::from_str("{}").expect("an empty line")
            })
            .collect();
        QueryResult { state: state.into(), data, ..serde_json::from_str(r#"{"data":[]}"#).expect("empty") }
    }

    #[test]
    fn an_older_push_never_replaces_a_newer_answer() {
        let two = answer(&["2026-12-02 10:00:00", "2026-12-01 10:00:00"], "0");
        let one = answer(&["2026-12-01 10:00:00"], "0");
        assert!(is_older(&one, &two));
        assert!(!is_older(&two, &one));
        assert!(!is_older(&two, &two), "a replay is not older: it is applied and tells nobody twice");
        let delivered = answer(&["2026-12-02 10:00:00", "2026-12-01 10:00:00"], "3");
        assert!(is_older(&two, &delivered), "never back from delivered");
        let other_day = answer(&["2026-12-03 08:00:00"], "5");
        assert!(!is_older(&other_day, &two), "a newer line wins even with fewer lines");
    }
}
