//! The ledger of billed Kuaidi100 calls behind `KUAIDI100_DAILY_BUDGET`: one rolling 24-hour count
//! across every process on the database.
//!
//! Calls are counted per minute (`billed_calls`), so the count is a sum over at most 1,441 rows. A
//! call stays counted until its whole minute has left the window: the count may run up to a minute
//! long, never short, so the budget is never overspent. A call is counted in the transaction that
//! grants it, after the limit was checked under one lock (an advisory lock on PostgreSQL; SQLite
//! holds its one write lock from the transaction's first write), so replicas granting calls at the
//! same moment cannot pass the limit together.

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreResult, from_millis, to_millis};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// The key of the PostgreSQL advisory lock that serializes grants against the budget.
const BUDGET_LOCK: i64 = 0x6b75_6169_6469_0001;

/// Whether a billed call may be made within a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// Counted; `used` calls in the window, this one included.
    Granted { used: u64 },
    /// The limit is reached: `used` calls in the window, and the time the count falls below the limit.
    Refused { used: u64, frees_at: DateTime<Utc> },
}

impl Store {
    /// Counts one billed call made at `now` (a push subscribe call), unless `limit` calls were made in
    /// the last 24 hours.
    pub async fn spend_billed_call(&self, now: DateTime<Utc>, limit: Option<u64>) -> StoreResult<Spend> {
        let mut tx = self.write_tx().await?;
        let spend = match self.check_budget(&mut tx, now, limit).await? {
            Some(refused) => refused,
            None => Spend::Granted { used: count_call(&mut tx, to_millis(now)).await? },
        };
        tx.commit().await?;
        Ok(spend)
    }

    /// Billed calls in the rolling 24 hours before `now`, for `/metrics` and the log.
    pub async fn billed_calls_24h(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let used: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM billed_calls WHERE minute >= $1")
                .bind(first_minute(to_millis(now)))
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(used).unwrap_or(0))
    }

    /// Inside a granting transaction: takes the budget's lock and returns `Some(Spend::Refused)` when
    /// `limit` calls are in the window already. `None` = go on, and count the call with [`count_call`].
    pub(super) async fn check_budget(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        now: DateTime<Utc>,
        limit: Option<u64>,
    ) -> StoreResult<Option<Spend>> {
        let Some(limit) = limit else { return Ok(None) };
        let now_ms = to_millis(now);
        match self.backend {
            Backend::Postgres => {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(BUDGET_LOCK).execute(&mut **tx).await?;
            }
            // A write takes SQLite's one write lock for the rest of the transaction.
            Backend::Sqlite => {
                sqlx::query("DELETE FROM billed_calls WHERE minute < $1")
                    .bind(first_minute(now_ms) - 1)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT minute, calls FROM billed_calls WHERE minute >= $1 ORDER BY minute")
                .bind(first_minute(now_ms))
                .fetch_all(&mut **tx)
                .await?;
        let minutes: Vec<(i64, u64)> =
            rows.into_iter().map(|(minute, calls)| (minute, u64::try_from(calls).unwrap_or(0))).collect();
        Ok(refusal(&minutes, limit, now_ms))
    }
}

/// Counts one call at `now_ms`; returns the calls in the window after it.
pub(super) async fn count_call(tx: &mut sqlx::Transaction<'_, sqlx::Any>, now_ms: i64) -> StoreResult<u64> {
    sqlx::query(
        "INSERT INTO billed_calls (minute, calls) VALUES ($1, 1) \
         ON CONFLICT (minute) DO UPDATE SET calls = billed_calls.calls + 1",
    )
    .bind(now_ms.div_euclid(MINUTE_MS))
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM billed_calls WHERE minute < $1").bind(first_minute(now_ms) - 1).execute(&mut **tx).await?;
    let used: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT) FROM billed_calls WHERE minute >= $1")
            .bind(first_minute(now_ms))
            .fetch_one(&mut **tx)
            .await?;
    Ok(u64::try_from(used).unwrap_or(0))
}

/// The first minute still (possibly) holding a call of the last 24 hours before `now_ms`.
fn first_minute(now_ms: i64) -> i64 {
    (now_ms - DAY_MS).div_euclid(MINUTE_MS)
}

/// `Some(Refused)` when the window's `minutes` (ascending, with their calls) hold `limit` calls or
/// more, with the time enough of them have left the window for one more call.
fn refusal(minutes: &[(i64, u64)], limit: u64, now_ms: i64) -> Option<Spend> {
    let used: u64 = minutes.iter().map(|(_, calls)| calls).sum();
    if used < limit {
        return None;
    }
    let to_free = used - limit + 1;
    let mut freed = 0;
    let mut frees_at_ms = now_ms + DAY_MS;
    for (minute, calls) in minutes {
        freed += calls;
        if freed >= to_free {
            // The minute's last millisecond leaves the window a day after the minute ends.
            frees_at_ms = (minute + 1) * MINUTE_MS + DAY_MS;
            break;
        }
    }
    Some(Spend::Refused { used, frees_at: from_millis(frees_at_ms.max(now_ms)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_frees_when_enough_of_the_oldest_minutes_have_left_the_window() {
        let now_ms = 10 * DAY_MS;
        let first = first_minute(now_ms);
        let minutes = [(first, 2), (first + 30, 3), (first + 600, 5)];
        assert_eq!(refusal(&minutes, 11, now_ms), None);
        // 10 used of 10: the two oldest calls leave first, a day after their minute ends.
        assert_eq!(
            refusal(&minutes, 10, now_ms),
            Some(Spend::Refused { used: 10, frees_at: from_millis((first + 1) * MINUTE_MS + DAY_MS) })
        );
        // 10 used of 8: three must leave, so the second minute's too.
        assert_eq!(
            refusal(&minutes, 8, now_ms),
            Some(Spend::Refused { used: 10, frees_at: from_millis((first + 31) * MINUTE_MS + DAY_MS) })
        );
    }

    #[test]
    fn a_call_is_counted_until_its_whole_minute_is_a_day_old() {
        let call_ms = 5 * DAY_MS + 59_999;
        let minute = call_ms.div_euclid(MINUTE_MS);
        assert!(first_minute(call_ms + DAY_MS) <= minute, "a day later, the minute is still in the window");
        assert!(first_minute((minute + 1) * MINUTE_MS + DAY_MS) > minute, "a day after it ends, it is out");
    }
}
