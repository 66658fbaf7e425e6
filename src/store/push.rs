//! Push subscriptions in the store: one per parcel, whatever number of chats watch it.
//!
//! The intent to subscribe is written when a chat subscribes (`push_state = 'retry'`, due now), and
//! the watcher's loop makes the call later, so that `/sub` never waits on Kuaidi100 and a crash between
//! the two loses nothing. A call is claimed first (`'subscribing'`, with a lease), so that two loops —
//! or two processes on one database — never subscribe a parcel twice. A push is taken in by
//! [`Store::commit_push`]: the answer, the notices and the next check in one transaction.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::watch::{CheckOutcome, write_outcome};
use super::{ParcelKey, Store, StoreResult, from_millis, to_millis};

/// Where a parcel's push subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PushState {
    /// Never asked for (poll mode, or not watched).
    #[default]
    None,
    /// A subscribe call is due (first try, or again after a failure).
    Retry,
    /// A subscribe call is in flight.
    Subscribing,
    /// Kuaidi100 pushes it.
    Subscribed,
    /// Kuaidi100 will not push it: it is polled.
    Refused,
    /// Kuaidi100 sent `shutdown` or `abort`: no more pushes.
    Ended,
}

impl PushState {
    pub(super) fn from_db(value: Option<&str>) -> Self {
        match value {
            Some("retry") => Self::Retry,
            Some("subscribing") => Self::Subscribing,
            Some("subscribed") => Self::Subscribed,
            Some("refused") => Self::Refused,
            Some("ended") => Self::Ended,
            _ => Self::None,
        }
    }

    fn as_db(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Retry => Some("retry"),
            Self::Subscribing => Some("subscribing"),
            Self::Subscribed => Some("subscribed"),
            Self::Refused => Some("refused"),
            Self::Ended => Some("ended"),
        }
    }
}

/// A parcel whose subscribe call is due.
#[derive(Debug, Clone, PartialEq)]
pub struct PushDue {
    pub id: i64,
    pub key: ParcelKey,
    pub phone_tail: Option<String>,
    /// Its last answer (JSON), for the destination city.
    pub answer: Option<String>,
    pub state: Option<String>,
    pub attempts: u32,
}

/// One push to take in ([`Store::commit_pushes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PushWrite {
    pub parcel_id: i64,
    /// The answer it carries (JSON) and its state; `None` keeps the stored one.
    pub answer: Option<(String, String)>,
    pub push_state: PushState,
    pub outcome: CheckOutcome,
    pub now: DateTime<Utc>,
    /// Ask `is_newer` before replacing the stored answer (not when the courier was just corrected:
    /// the stored answer is then another courier's).
    pub check_newer: bool,
}

/// How a subscribe call ended, to record.
#[derive(Debug, Clone, PartialEq)]
pub struct PushSubscribed {
    pub state: PushState,
    /// For [`PushState::Retry`]: when to try again.
    pub retry_at: Option<DateTime<Utc>>,
    /// Re-plan the parcel's next check (only if it is still watched).
    pub next_check_at: Option<DateTime<Utc>>,
    /// A call was made (and billed); `false` when none could be made.
    pub billed: bool,
}

impl Store {
    /// A chat now watches this parcel: make sure it gets subscribed (unless it is, or Kuaidi100
    /// refused it). Returns whether a subscribe call is now wanted.
    pub async fn want_push(&self, key: &ParcelKey, now: DateTime<Utc>) -> StoreResult<bool> {
        let wanted = sqlx::query(
            "UPDATE parcels SET push_state = 'retry', push_next_at = $1, push_attempts = 0 \
             WHERE courier = $2 AND number = $3 AND (push_state IS NULL OR push_state = 'ended')",
        )
        .bind(to_millis(now))
        .bind(&key.courier)
        .bind(&key.number)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(wanted > 0)
    }

    /// Parcels whose subscribe call is due at `now` and that someone still watches (the others' intent
    /// is dropped), earliest first.
    pub async fn due_push_subscriptions(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<PushDue>> {
        let now_ms = to_millis(now);
        sqlx::query(
            "UPDATE parcels SET push_state = NULL, push_next_at = NULL \
             WHERE push_next_at IS NOT NULL AND push_next_at <= $1 AND push_state IN ('retry', 'subscribing') \
               AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.parcel_id = parcels.id AND s.active = 1)",
        )
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT id, courier, number, phone_tail, answer, state, push_attempts FROM parcels \
             WHERE push_next_at IS NOT NULL AND push_next_at <= $1 AND push_state IN ('retry', 'subscribing') \
             ORDER BY push_next_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PushDue {
                    id: row.try_get("id")?,
                    key: ParcelKey::new(&row.try_get::<String, _>("courier")?, &row.try_get::<String, _>("number")?),
                    phone_tail: row.try_get("phone_tail")?,
                    answer: row.try_get("answer")?,
                    state: row.try_get("state")?,
                    attempts: u32::try_from(row.try_get::<i64, _>("push_attempts")?).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// Claims the subscribe call of a due parcel until `lease_until`; `false` when another loop (or
    /// process) has it.
    pub async fn claim_push(
        &self,
        parcel_id: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "UPDATE parcels SET push_state = 'subscribing', push_next_at = $1 \
             WHERE id = $2 AND push_state IN ('retry', 'subscribing') AND push_next_at <= $3",
        )
        .bind(to_millis(lease_until))
        .bind(parcel_id)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// Records a subscribe call (a billed call) and what it means for the parcel.
    pub async fn record_push_subscription(&self, parcel_id: i64, outcome: &PushSubscribed) -> StoreResult<()> {
        let retry = outcome.state == PushState::Retry;
        sqlx::query(
            "UPDATE parcels SET push_state = $1, push_next_at = $2, push_calls = push_calls + $3, \
                 push_attempts = CASE WHEN $4 = 1 THEN push_attempts + 1 ELSE 0 END, \
                 watch_next_at = CASE WHEN watch_next_at IS NULL OR $5 IS NULL THEN watch_next_at ELSE $5 END \
             WHERE id = $6",
        )
        .bind(outcome.state.as_db())
        .bind(outcome.retry_at.filter(|_| retry).map(to_millis))
        .bind(i64::from(outcome.billed))
        .bind(i64::from(retry))
        .bind(outcome.next_check_at.map(to_millis))
        .bind(parcel_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes in pushes, in one transaction for all of them: for each, the answer it carries (recorded
    /// without counting as a query), the subscription's new state and the check outcome (notices, next
    /// check). `is_newer(stored, pushed)` is asked, inside the transaction, whether a push's answer may
    /// replace the stored one; a push it refuses is left out (`false` in the result, in order).
    pub async fn commit_pushes(
        &self,
        pushes: &[PushWrite],
        is_newer: impl Fn(&str, &str) -> bool,
    ) -> StoreResult<Vec<bool>> {
        let mut tx = self.write_tx().await?;
        let mut applied = Vec::with_capacity(pushes.len());
        for push in pushes {
            if let Some((json, _)) = push.answer.as_ref().filter(|_| push.check_newer) {
                let stored: Option<Option<String>> = sqlx::query_scalar("SELECT answer FROM parcels WHERE id = $1")
                    .bind(push.parcel_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(Some(stored)) = stored
                    && !is_newer(&stored, json)
                {
                    applied.push(false);
                    continue;
                }
            }
            write_push(&mut tx, push).await?;
            applied.push(true);
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Kuaidi100 will push this parcel no more (`shutdown`, `abort` of a parcel nobody watches now).
    pub async fn end_push(&self, parcel_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE parcels SET push_state = 'ended', push_next_at = NULL WHERE id = $1")
            .bind(parcel_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Kuaidi100 corrected the parcel's courier: the parcel is known under `courier` from now on.
    /// `false` (nothing changed) when a parcel with that courier and number exists already.
    pub async fn correct_courier(&self, parcel_id: i64, courier: &str) -> StoreResult<bool> {
        let moved = sqlx::query(
            "UPDATE parcels SET courier = $1 WHERE id = $2 AND NOT EXISTS \
                 (SELECT 1 FROM parcels other WHERE other.courier = $1 \
                      AND other.number = (SELECT number FROM parcels mine WHERE mine.id = $2))",
        )
        .bind(courier)
        .bind(parcel_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(moved == 1)
    }

    /// Billed subscribe calls made for a parcel, and its push state (for tests and benchmarks).
    pub async fn push_record(&self, key: &ParcelKey) -> StoreResult<Option<(PushState, u32, Option<DateTime<Utc>>)>> {
        let row =
            sqlx::query("SELECT push_state, push_calls, pushed_at FROM parcels WHERE courier = $1 AND number = $2")
                .bind(&key.courier)
                .bind(&key.number)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| {
            Ok((
                PushState::from_db(row.try_get::<Option<String>, _>("push_state")?.as_deref()),
                u32::try_from(row.try_get::<i64, _>("push_calls")?).unwrap_or(u32::MAX),
                row.try_get::<Option<i64>, _>("pushed_at")?.map(from_millis),
            ))
        })
        .transpose()
    }
}

/// One push of [`Store::commit_pushes`].
async fn write_push(tx: &mut sqlx::Transaction<'_, sqlx::Any>, push: &PushWrite) -> StoreResult<()> {
    let (parcel_id, now_ms) = (push.parcel_id, to_millis(push.now));
    if let Some((json, state)) = &push.answer {
        sqlx::query(
            "UPDATE parcels SET answer = $1, state = $2, answer_lang = 'zh', answered_at = $3, pushed_at = $3, \
                 updated_at = $3 WHERE id = $4",
        )
        .bind(json)
        .bind(state)
        .bind(now_ms)
        .bind(parcel_id)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("UPDATE parcels SET pushed_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(parcel_id)
            .execute(&mut **tx)
            .await?;
    }
    let next = (push.push_state == PushState::Retry).then_some(now_ms);
    sqlx::query("UPDATE parcels SET push_state = $1, push_next_at = $2 WHERE id = $3")
        .bind(push.push_state.as_db())
        .bind(next)
        .bind(parcel_id)
        .execute(&mut **tx)
        .await?;
    write_outcome(tx, parcel_id, &push.outcome, push.now).await
}
