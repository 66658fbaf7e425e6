//! The watcher's side of the store: due parcels by an indexed time, and one transaction per check
//! that advances what subscribers were told, queues their notifications and schedules the next check.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::push::PushState;
use super::{ParcelKey, Store, StoreResult, from_millis, to_millis};

/// A parcel whose next check is due.
#[derive(Debug, Clone, PartialEq)]
pub struct DueParcel {
    pub id: i64,
    pub key: ParcelKey,
    pub due_at: DateTime<Utc>,
    pub last_change_at: Option<DateTime<Utc>>,
    pub no_result_since: Option<DateTime<Utc>>,
    pub no_result_streak: u32,
    /// Where its push subscription stands ([`PushState`]).
    pub push_state: PushState,
    /// When the last push was taken in.
    pub pushed_at: Option<DateTime<Utc>>,
}

/// A notification to queue for one subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice {
    pub subscription_id: i64,
    pub chat_id: i64,
    /// The forum topic it goes to, if any.
    pub topic: Option<i32>,
    pub lang: String,
    pub payload: String,
    /// What the subscriber will have seen once this is delivered.
    pub seen_lines: u32,
    pub seen_state: Option<String>,
    /// What the subscriber had seen when the notice was worked out: the notice is queued only if that
    /// is still so, so that a watcher check and a push racing on one parcel never tell it twice.
    pub was_lines: u32,
    pub was_state: Option<String>,
    /// The arrival estimate the subscriber will have been told (kept when a notice carries none).
    pub seen_estimate: Option<DateTime<Utc>>,
    /// When it was last told a moved estimate on its own (set by such a notice, kept by others).
    pub estimate_told_at: Option<DateTime<Utc>>,
    /// That time as the notice was worked out from: a notice that changes it is queued only if it is
    /// still so, so two racing checks never both tell an estimate alone.
    pub was_estimate_told_at: Option<DateTime<Utc>>,
}

/// Everything one check of one parcel changes, written atomically.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckOutcome {
    pub notices: Vec<NewNotice>,
    /// `None`: stop watching (finished, given up, or nobody watches).
    pub next_check_at: Option<DateTime<Utc>>,
    /// Stopping also ends the subscriptions.
    pub end_subscriptions: bool,
    pub last_change_at: Option<DateTime<Utc>>,
    pub no_result_since: Option<DateTime<Utc>>,
    pub no_result_streak: u32,
}

/// The watcher's tick (`$1` now, `$2` the batch); also explained by [`Store::query_plans`].
pub(super) const DUE_PARCELS: &str = "SELECT id, courier, number, watch_next_at, watch_last_change_at, \
     watch_no_result_since, watch_no_result_streak, push_state, pushed_at FROM parcels \
     WHERE watch_next_at IS NOT NULL AND watch_next_at <= $1 ORDER BY watch_next_at LIMIT $2";

/// The same, leased (PostgreSQL, where replicas share the work): the due rows no other replica holds are
/// locked, their next check moved to the end of the lease (`$2`), and returned with the time they were
/// due. A check that finishes writes its real next check; one that dies leaves the lease to run out.
const CLAIM_DUE_PARCELS: &str = "WITH due AS (SELECT id, watch_next_at AS due_at FROM parcels \
     WHERE watch_next_at IS NOT NULL AND watch_next_at <= $1 ORDER BY watch_next_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
     UPDATE parcels SET watch_next_at = $2 FROM due WHERE parcels.id = due.id \
     RETURNING parcels.id, parcels.courier, parcels.number, due.due_at AS watch_next_at, parcels.watch_last_change_at, \
     parcels.watch_no_result_since, parcels.watch_no_result_streak, parcels.push_state, parcels.pushed_at";

/// The same columns for one parcel, watched or not.
const WATCHED_PARCEL: &str = "SELECT id, courier, number, watch_next_at, watch_last_change_at, \
     watch_no_result_since, watch_no_result_streak, push_state, pushed_at FROM parcels WHERE id = $1";

/// The watcher's sleep; also explained by [`Store::query_plans`].
pub(super) const NEXT_DUE_AT: &str = "SELECT MIN(watch_next_at) FROM parcels WHERE watch_next_at IS NOT NULL";

impl Store {
    /// Parcels due at `now`, earliest first. Served by the partial index on `watch_next_at`, so the
    /// cost does not grow with the number of parcels that are not due.
    pub async fn due_parcels(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueParcel>> {
        let rows = sqlx::query(DUE_PARCELS).bind(to_millis(now)).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(due_parcel_from_row).collect()
    }

    /// Takes the parcels due at `now` for one round of checks, earliest first. On PostgreSQL each is
    /// leased until `now + lease` (`FOR UPDATE SKIP LOCKED`): no other replica takes it meanwhile, and a
    /// replica that dies leaves it to be taken over once the lease has run out. On SQLite, the
    /// single-process backend, this is [`Store::due_parcels`].
    pub async fn claim_due_parcels(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<DueParcel>> {
        if !self.is_shared() {
            return self.due_parcels(now, limit).await;
        }
        let rows = sqlx::query(CLAIM_DUE_PARCELS)
            .bind(to_millis(now))
            .bind(to_millis(now + lease))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut due = rows.iter().map(due_parcel_from_row).collect::<StoreResult<Vec<_>>>()?;
        due.sort_by_key(|parcel| (parcel.due_at, parcel.id));
        Ok(due)
    }

    /// One parcel as the watcher sees it (its `due_at` is `now` when it is not scheduled).
    pub async fn watched_parcel(&self, parcel_id: i64, now: DateTime<Utc>) -> StoreResult<Option<DueParcel>> {
        let row = sqlx::query(WATCHED_PARCEL).bind(parcel_id).fetch_optional(&self.pool).await?;
        row.map(|row| {
            let mut parcel = due_parcel_from_row(&row)?;
            if row.try_get::<Option<i64>, _>("watch_next_at")?.is_none() {
                parcel.due_at = now;
            }
            Ok(parcel)
        })
        .transpose()
    }

    /// The earliest scheduled check, to sleep until it.
    pub async fn next_due_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(NEXT_DUE_AT).fetch_one(&self.pool).await?;
        Ok(next.map(from_millis))
    }

    /// Writes one check: notices into the outbox, what each subscriber has now seen, and the next check.
    pub async fn commit_check(&self, parcel_id: i64, outcome: &CheckOutcome, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        write_outcome(&mut tx, parcel_id, outcome, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a downtime, checks that fell due more than `grace` ago are spread evenly over the next
    /// `over`, instead of all firing at once. Moves at most `limit` parcels per call (the caller loops),
    /// so that a million overdue parcels never hold the database's write lock for long.
    pub async fn spread_overdue(
        &self,
        now: DateTime<Utc>,
        grace: Duration,
        over: Duration,
        limit: u32,
    ) -> StoreResult<u64> {
        let moved = sqlx::query(
            "UPDATE parcels SET watch_next_at = $1 + (id * 7919) % $2 \
             WHERE id IN (SELECT id FROM parcels WHERE watch_next_at IS NOT NULL AND watch_next_at < $3 LIMIT $4)",
        )
        .bind(to_millis(now))
        .bind(over.num_milliseconds().max(1))
        .bind(to_millis(now - grace))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(moved)
    }
}

fn due_parcel_from_row(row: &sqlx::any::AnyRow) -> StoreResult<DueParcel> {
    Ok(DueParcel {
        id: row.try_get("id")?,
        key: ParcelKey::new(&row.try_get::<String, _>("courier")?, &row.try_get::<String, _>("number")?),
        due_at: row.try_get::<Option<i64>, _>("watch_next_at")?.map(from_millis).unwrap_or(DateTime::UNIX_EPOCH),
        last_change_at: row.try_get::<Option<i64>, _>("watch_last_change_at")?.map(from_millis),
        no_result_since: row.try_get::<Option<i64>, _>("watch_no_result_since")?.map(from_millis),
        no_result_streak: u32::try_from(row.try_get::<i64, _>("watch_no_result_streak")?).unwrap_or(0),
        push_state: PushState::from_db(row.try_get::<Option<String>, _>("push_state")?.as_deref()),
        pushed_at: row.try_get::<Option<i64>, _>("pushed_at")?.map(from_millis),
    })
}

/// The body of [`Store::commit_check`], shared with the push intake ([`Store::commit_push`]): each notice
/// is queued only if its subscriber still has seen what the notice was worked out from.
pub(super) async fn write_outcome(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    parcel_id: i64,
    outcome: &CheckOutcome,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let now_ms = to_millis(now);
    for notice in &outcome.notices {
        // A closing notice goes out even when a concurrent check or push told the subscriber part of it
        // first (it may repeat a line): the subscription ends here, and the end must never go untold.
        let advanced = sqlx::query(
            "UPDATE subscriptions SET seen_lines = $1, seen_state = $2, updated_at = $3, \
                 seen_estimate = $8, estimate_told_at = $9 \
             WHERE id = $4 AND active = 1 AND ((seen_lines = $5 AND seen_state IS NOT DISTINCT FROM $6 \
                 AND ($9 IS NOT DISTINCT FROM $10 OR estimate_told_at IS NOT DISTINCT FROM $10)) \
             OR ($7 = 1 AND (seen_lines < $1 OR seen_state IS DISTINCT FROM $2)))",
        )
        .bind(i64::from(notice.seen_lines))
        .bind(&notice.seen_state)
        .bind(now_ms)
        .bind(notice.subscription_id)
        .bind(i64::from(notice.was_lines))
        .bind(&notice.was_state)
        .bind(i64::from(outcome.end_subscriptions))
        .bind(notice.seen_estimate.map(to_millis))
        .bind(notice.estimate_told_at.map(to_millis))
        .bind(notice.was_estimate_told_at.map(to_millis))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if advanced == 0 {
            // Told already by a concurrent check or push (or unsubscribed meanwhile).
            continue;
        }
        sqlx::query(
            "INSERT INTO outbox (chat_id, parcel_id, lang, payload, created_at, next_attempt_at, topic) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(notice.chat_id)
        .bind(parcel_id)
        .bind(&notice.lang)
        .bind(&notice.payload)
        .bind(now_ms)
        .bind(notice.topic.map(i64::from))
        .execute(&mut **tx)
        .await?;
    }
    if outcome.end_subscriptions {
        sqlx::query("UPDATE subscriptions SET active = 0, updated_at = $1 WHERE parcel_id = $2 AND active = 1")
            .bind(now_ms)
            .bind(parcel_id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE parcels SET watch_next_at = $1, watch_last_change_at = $2, watch_no_result_since = $3, \
             watch_no_result_streak = $4 WHERE id = $5",
    )
    .bind(outcome.next_check_at.map(to_millis))
    .bind(outcome.last_change_at.map(to_millis))
    .bind(outcome.no_result_since.map(to_millis))
    .bind(i64::from(outcome.no_result_streak))
    .bind(parcel_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
