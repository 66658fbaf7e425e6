//! The watcher's side of the store: due parcels by an indexed time, and one transaction per check
//! that advances what subscribers were told, queues their notifications and schedules the next check.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

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
}

/// A notification to queue for one subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice {
    pub subscription_id: i64,
    pub chat_id: i64,
    pub lang: String,
    pub payload: String,
    /// What the subscriber will have seen once this is delivered.
    pub seen_lines: u32,
    pub seen_state: Option<String>,
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
     watch_no_result_since, watch_no_result_streak FROM parcels \
     WHERE watch_next_at IS NOT NULL AND watch_next_at <= $1 ORDER BY watch_next_at LIMIT $2";

/// The watcher's sleep; also explained by [`Store::query_plans`].
pub(super) const NEXT_DUE_AT: &str = "SELECT MIN(watch_next_at) FROM parcels WHERE watch_next_at IS NOT NULL";

impl Store {
    /// Parcels due at `now`, earliest first. Served by the partial index on `watch_next_at`, so the
    /// cost does not grow with the number of parcels that are not due.
    pub async fn due_parcels(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<DueParcel>> {
        let rows = sqlx::query(DUE_PARCELS).bind(to_millis(now)).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(DueParcel {
                    id: row.try_get("id")?,
                    key: ParcelKey::new(&row.try_get::<String, _>("courier")?, &row.try_get::<String, _>("number")?),
                    due_at: from_millis(row.try_get("watch_next_at")?),
                    last_change_at: row.try_get::<Option<i64>, _>("watch_last_change_at")?.map(from_millis),
                    no_result_since: row.try_get::<Option<i64>, _>("watch_no_result_since")?.map(from_millis),
                    no_result_streak: u32::try_from(row.try_get::<i64, _>("watch_no_result_streak")?).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The earliest scheduled check, to sleep until it.
    pub async fn next_due_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(NEXT_DUE_AT).fetch_one(&self.pool).await?;
        Ok(next.map(from_millis))
    }

    /// Writes one check: notices into the outbox, what each subscriber has now seen, and the next check.
    pub async fn commit_check(&self, parcel_id: i64, outcome: &CheckOutcome, now: DateTime<Utc>) -> StoreResult<()> {
        let now_ms = to_millis(now);
        let mut tx = self.pool.begin().await?;
        for notice in &outcome.notices {
            sqlx::query(
                "INSERT INTO outbox (chat_id, parcel_id, lang, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(notice.chat_id)
            .bind(parcel_id)
            .bind(&notice.lang)
            .bind(&notice.payload)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE subscriptions SET seen_lines = $1, seen_state = $2, updated_at = $3 WHERE id = $4")
                .bind(i64::from(notice.seen_lines))
                .bind(&notice.seen_state)
                .bind(now_ms)
                .bind(notice.subscription_id)
                .execute(&mut *tx)
                .await?;
        }
        if outcome.end_subscriptions {
            sqlx::query("UPDATE subscriptions SET active = 0, updated_at = $1 WHERE parcel_id = $2 AND active = 1")
                .bind(now_ms)
                .bind(parcel_id)
                .execute(&mut *tx)
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
        .execute(&mut *tx)
        .await?;
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
