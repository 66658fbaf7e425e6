//! Budgets shared by every replica on one PostgreSQL: Telegram's send pace and the per-user throttle.
//!
//! Why PostgreSQL and not Redis: replicas already need PostgreSQL, so sharing the budgets there adds
//! no service to run, secure and back up; the rates are small (Telegram allows about 30 messages a
//! second in all), well within what one row lock per send costs; and a reservation is made on the
//! database's clock, so replicas whose clocks differ still space their sends on one clock. Both
//! operations are PL/pgSQL functions (`migrations/postgres/0007_replicas.sql`) so that each is one
//! round trip under one row lock. SQLite is the single-process backend: there the budgets stay in
//! memory (`telegram/pace.rs`, `tracking/throttle.rs`) and these methods are not called.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreError, StoreResult, to_millis};

impl Store {
    /// Whether budgets and work must be shared with other processes through the database: true on
    /// PostgreSQL, the backend replicas run on.
    pub fn is_shared(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Reserves the next send of `budget` that keeps at most `most` sends in any `per`, after every
    /// send reserved before it by any replica; returns how long to wait before sending.
    pub async fn reserve_send(&self, budget: &str, most: u32, per: Duration) -> StoreResult<Duration> {
        self.shared_only("shared send budgets")?;
        let per_us = i64::try_from(per.as_micros()).unwrap_or(i64::MAX);
        let wait_us: i64 = sqlx::query_scalar("SELECT kuaidi_reserve_send($1, $2, $3)")
            .bind(budget)
            .bind(i32::try_from(most.max(1)).unwrap_or(i32::MAX))
            .bind(per_us)
            .fetch_one(&self.pool)
            .await?;
        Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)))
    }

    /// One request of `key` at `now` under a GCRA of `burst` requests, one more every `period`:
    /// `Ok(())` when it may go (it is counted), else how long until it may.
    pub async fn take_rate(
        &self,
        key: &str,
        now: DateTime<Utc>,
        period: Duration,
        burst: u32,
    ) -> StoreResult<Result<(), Duration>> {
        self.shared_only("shared rate limits")?;
        let period_ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX).max(1);
        let wait_ms: i64 = sqlx::query_scalar("SELECT kuaidi_take_rate($1, $2, $3, $4)")
            .bind(key)
            .bind(to_millis(now))
            .bind(period_ms)
            .bind(i32::try_from(burst.max(1)).unwrap_or(i32::MAX))
            .fetch_one(&self.pool)
            .await?;
        Ok(match u64::try_from(wait_ms) {
            Ok(0) | Err(_) => Ok(()),
            Ok(wait) => Err(Duration::from_millis(wait)),
        })
    }

    /// Forgets budgets that have been idle for `idle` (a chat not written to, a user not seen), so
    /// that the tables do not grow with every chat and user ever seen. Batched by the caller's `limit`.
    pub async fn forget_idle_budgets(&self, idle: Duration, now: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
        self.shared_only("shared budgets")?;
        let idle_ms = i64::try_from(idle.as_millis()).unwrap_or(i64::MAX);
        let slots = sqlx::query(
            "DELETE FROM send_slots WHERE budget IN (SELECT budget FROM send_slots \
             WHERE slots[cardinality(slots)] < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT - $1 LIMIT $2)",
        )
        .bind(idle_ms.saturating_mul(1000))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?
        .rows_affected();
        let rates =
            sqlx::query("DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE tat < $1 LIMIT $2)")
                .bind(to_millis(now) - idle_ms)
                .bind(i64::from(limit))
                .execute(&self.pool)
                .await?
                .rows_affected();
        Ok(slots + rates)
    }

    fn shared_only(&self, what: &'static str) -> StoreResult<()> {
        if self.is_shared() { Ok(()) } else { Err(StoreError::Unsupported { what, backend: self.backend }) }
    }
}

/// The right to long-poll Telegram for one bot: a PostgreSQL session advisory lock, held on a
/// connection of its own for as long as this value lives (closing the connection, or the process
/// dying, releases it).
pub struct PollingLock {
    connection: Option<sqlx::AnyConnection>,
}

impl std::fmt::Debug for PollingLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollingLock").field("held", &self.connection.is_some()).finish()
    }
}

impl PollingLock {
    /// Gives the lock up now (else when dropped).
    pub async fn release(mut self) {
        if let Some(connection) = self.connection.take() {
            let _ = sqlx::Connection::close(connection).await;
        }
    }
}

impl Store {
    /// Takes the long-polling lock of bot `bot_id` on this database (its schema), unless another
    /// process holds it: Telegram gives updates to one long poller at a time, so a second replica in
    /// long-polling mode must wait. `Ok(None)` when it is held elsewhere.
    pub async fn try_lock_polling(&self, bot_id: &str) -> StoreResult<Option<PollingLock>> {
        self.shared_only("the long-polling lock")?;
        let mut connection = self.pool.acquire().await?.detach();
        let granted: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':kuaidi-bot long polling:' || $1))",
        )
        .bind(bot_id)
        .fetch_one(&mut connection)
        .await?;
        if granted {
            Ok(Some(PollingLock { connection: Some(connection) }))
        } else {
            let _ = sqlx::Connection::close(connection).await;
            Ok(None)
        }
    }
}
