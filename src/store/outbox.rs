//! The outbox: notifications waiting to be sent, marked sent only after delivery.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreResult, from_millis, to_millis};

#[derive(Debug, Clone, PartialEq)]
pub struct PendingNotice {
    pub id: i64,
    pub chat_id: i64,
    /// The forum topic it goes to, if any.
    pub topic: Option<i32>,
    /// The language recorded with the subscription (the subscriber's, when it subscribed).
    pub lang: String,
    /// The language the chat chose with `/lang`, which wins.
    pub chat_lang: Option<String>,
    /// The time zone the chat chose with `/tz` (`zone::Zone::stored`'s text); none: Beijing time.
    pub chat_zone: Option<String>,
    pub payload: String,
    pub attempts: u32,
    pub first_failure_at: Option<DateTime<Utc>>,
}

/// The sender's query (`$1` now, `$2` the batch); also explained by [`Store::query_plans`].
pub(super) const PENDING_NOTICES: &str = "SELECT outbox.id, outbox.chat_id, outbox.topic, outbox.lang, chats.lang AS chat_lang, \
     chats.zone AS chat_zone, outbox.payload, outbox.attempts, outbox.first_failure_at FROM outbox LEFT JOIN chats ON chats.id = outbox.chat_id \
     WHERE outbox.sent_at IS NULL AND outbox.next_attempt_at <= $1 ORDER BY outbox.next_attempt_at, outbox.id LIMIT $2";

/// The same, claimed (PostgreSQL, where replicas share the outbox): the due rows no other replica holds
/// (`claimed_until` unset or past) are locked and claimed until `$2`, so that a killed replica's notices
/// are taken over once its claim has run out — in their place in the queue.
const CLAIM_NOTICES: &str = "WITH due AS (SELECT id FROM outbox \
     WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) \
     ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
     UPDATE outbox SET claimed_until = $2 FROM due WHERE outbox.id = due.id \
     RETURNING outbox.id, outbox.chat_id, outbox.topic, outbox.lang, \
     (SELECT chats.lang FROM chats WHERE chats.id = outbox.chat_id) AS chat_lang, \
     (SELECT chats.zone FROM chats WHERE chats.id = outbox.chat_id) AS chat_zone, \
     outbox.payload, outbox.attempts, outbox.first_failure_at, outbox.next_attempt_at";

impl Store {
    /// Pending notifications due at `now`, earliest due first (served by the partial index on unsent
    /// rows, so the history of sent notices costs nothing).
    pub async fn pending_notices(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<PendingNotice>> {
        let rows =
            sqlx::query(PENDING_NOTICES).bind(to_millis(now)).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(pending_from_row).collect()
    }

    /// Takes the notices due at `now` for one round of sending, earliest due first. On PostgreSQL they
    /// are claimed until `now + lease` (`FOR UPDATE SKIP LOCKED`): no other replica sends them meanwhile,
    /// the claimant renews the claim while it is sending ([`Store::renew_notices`]), and those of a
    /// replica that dies are taken over once the claim has run out. Notices the caller
    /// will not send after all go back with [`Store::release_notices`]. On SQLite, the single-process
    /// backend, this is [`Store::pending_notices`].
    pub async fn claim_notices(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> StoreResult<Vec<PendingNotice>> {
        if !self.is_shared() {
            return self.pending_notices(now, limit).await;
        }
        let rows = sqlx::query(CLAIM_NOTICES)
            .bind(to_millis(now))
            .bind(to_millis(now + lease))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut claimed = rows
            .iter()
            .map(|row| Ok((row.try_get::<i64, _>("next_attempt_at")?, pending_from_row(row)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|(due_at, notice)| (*due_at, notice.id));
        Ok(claimed.into_iter().map(|(_, notice)| notice).collect())
    }

    /// Keeps a round's claim alive: the notices among `ids` still held under the claim that runs
    /// until `held_until` are now held until `until`; returns those ids. A notice whose claim had
    /// already run out (the process stalled past it) may be another replica's by now and is left
    /// alone: the claim's end is its token, since a later claim always ends later. On SQLite, the
    /// single-process backend, nothing is claimed and every id is kept.
    pub async fn renew_notices(
        &self,
        ids: &[i64],
        held_until: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<i64>> {
        if !self.is_shared() || ids.is_empty() {
            return Ok(ids.to_vec());
        }
        let mut tx = self.write_tx().await?;
        let mut kept = Vec::with_capacity(ids.len());
        for id in ids {
            let renewed = sqlx::query(
                "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND claimed_until = $3 AND sent_at IS NULL",
            )
            .bind(to_millis(until))
            .bind(id)
            .bind(to_millis(held_until))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if renewed > 0 {
                kept.push(*id);
            }
        }
        tx.commit().await?;
        Ok(kept)
    }

    /// Claimed notices that were not sent go back, in their place, for any replica to send — those
    /// still held under the claim that runs until `held_until` (see [`Store::renew_notices`]).
    pub async fn release_notices(&self, ids: &[i64], held_until: DateTime<Utc>) -> StoreResult<()> {
        if !self.is_shared() || ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for id in ids {
            sqlx::query("UPDATE outbox SET claimed_until = NULL WHERE id = $1 AND claimed_until = $2")
                .bind(id)
                .bind(to_millis(held_until))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Notices not yet sent, due or not.
    pub async fn unsent_notices(&self) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetch_one(&self.pool).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Notices sent (or dropped) and not yet purged.
    pub async fn sent_notices(&self) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL").fetch_one(&self.pool).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// When the earliest unsent notice is due.
    pub async fn next_notice_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(next.map(from_millis))
    }

    pub async fn mark_sent(&self, ids: &[i64], now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for id in ids {
            sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2")
                .bind(to_millis(now))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes up to `limit` notices sent (or dropped) before `before`, oldest first; returns how many.
    /// Batched so that a long backlog is purged in short transactions.
    pub async fn purge_sent_notices(&self, before: DateTime<Utc>, limit: u32) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE id IN \
             (SELECT id FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1 ORDER BY sent_at LIMIT $2)",
        )
        .bind(to_millis(before))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// A failed attempt: try again at `retry_at`.
    pub async fn mark_failed(&self, ids: &[i64], retry_at: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL, \
                     first_failure_at = COALESCE(first_failure_at, $2) WHERE id = $3",
            )
            .bind(to_millis(retry_at))
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn pending_from_row(row: &sqlx::any::AnyRow) -> StoreResult<PendingNotice> {
    Ok(PendingNotice {
        id: row.try_get("id")?,
        chat_id: row.try_get("chat_id")?,
        topic: super::subscriptions::topic_from(row.try_get("topic")?),
        lang: row.try_get("lang")?,
        chat_lang: row.try_get("chat_lang")?,
        chat_zone: row.try_get("chat_zone")?,
        payload: row.try_get("payload")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        first_failure_at: row.try_get::<Option<i64>, _>("first_failure_at")?.map(from_millis),
    })
}
