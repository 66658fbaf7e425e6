//! Courier auto-detection answers, remembered per tracking number.
//!
//! Kuaidi100's auto-detection is a paid call whose answer for a number does not change from one hour to
//! the next, so the tracker keeps each answer here — in the database rather than in memory, so that a
//! restart or a second process on the same database reuses it instead of paying again. A row is Kuaidi100's
//! candidate codes, most likely first, as a small JSON array (possibly empty: Kuaidi100 knew none), and when
//! it answered. Failed detections are never written, so they are retried.
//!
//! Rows expire: the caller gives the maximum age both when reading (an older row is not used) and when
//! purging (older rows are deleted, oldest first, in bounded batches, so one purge is a short statement
//! however long the backlog). The age itself is the tracker's policy (`tracking::detect`).

use chrono::{DateTime, Duration, Utc};

use super::{Store, StoreResult, to_millis};

impl Store {
    /// Kuaidi100's candidate codes for `number` if they were remembered less than `max_age` before `now`.
    /// A row this code cannot read counts as none (the next answer overwrites it).
    pub async fn remembered_detection(
        &self,
        number: &str,
        now: DateTime<Utc>,
        max_age: Duration,
    ) -> StoreResult<Option<Vec<String>>> {
        let codes: Option<String> =
            sqlx::query_scalar("SELECT codes FROM detections WHERE number = $1 AND detected_at > $2")
                .bind(number)
                .bind(to_millis(now) - max_age.num_milliseconds())
                .fetch_optional(&self.pool)
                .await?;
        Ok(codes.and_then(|codes| serde_json::from_str(&codes).ok()))
    }

    /// Remembers Kuaidi100's candidate codes for `number`, detected at `now`; replaces an earlier answer.
    pub async fn remember_detection(&self, number: &str, codes: &[String], now: DateTime<Utc>) -> StoreResult<()> {
        let codes = serde_json::to_string(codes).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        sqlx::query(
            "INSERT INTO detections (number, codes, detected_at) VALUES ($1, $2, $3) \
             ON CONFLICT (number) DO UPDATE SET codes = excluded.codes, detected_at = excluded.detected_at",
        )
        .bind(number)
        .bind(codes)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes up to `limit` detections that are `max_age` old or older at `now`, oldest first (by the
    /// index on `detected_at`); returns how many.
    pub async fn purge_detections(&self, now: DateTime<Utc>, max_age: Duration, limit: u32) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM detections WHERE number IN \
             (SELECT number FROM detections WHERE detected_at <= $1 ORDER BY detected_at LIMIT $2)",
        )
        .bind(to_millis(now) - max_age.num_milliseconds())
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
