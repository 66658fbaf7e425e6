//! Subscriptions: which chats watch which parcels, and what each was already told.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::parcels::ensure_parcel;
use super::{ParcelKey, Store, StoreResult, from_millis, to_millis};

/// How a `/sub` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    Created,
    /// The chat already watched it: nothing changed.
    AlreadyActive,
    /// The chat watches as many parcels as it may.
    CapReached,
}

/// One of a chat's watched parcels, for `/list`.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedParcel {
    pub key: ParcelKey,
    pub state: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub subscribed_at: DateTime<Utc>,
    /// The last answer, JSON as received (for the trajectory `/list` summarises).
    pub answer: Option<String>,
}

/// A subscriber of a parcel, as the watcher sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscriber {
    pub id: i64,
    pub chat_id: i64,
    /// The forum topic its pushes go to (where it subscribed), if any.
    pub topic: Option<i32>,
    pub lang: String,
    pub seen_lines: u32,
    pub seen_state: Option<String>,
    /// The arrival estimate it was last told (in a reply it subscribed from, or a notice).
    pub seen_estimate: Option<DateTime<Utc>>,
    /// When it was last told a moved estimate on its own (at most once a day, `watch::Watcher`).
    pub estimate_told_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Subscribes a chat to a parcel, recording what it has already seen, and makes sure the parcel is
    /// watched (first check at `first_check_at` unless it is already scheduled earlier). Its pushes go
    /// to `topic`, the forum topic it was subscribed from; subscribing again from another topic moves
    /// them there.
    #[allow(clippy::too_many_arguments)]
    pub async fn subscribe(
        &self,
        chat_id: i64,
        topic: Option<i32>,
        key: &ParcelKey,
        lang: &str,
        seen_lines: u32,
        seen_state: Option<&str>,
        cap: u32,
        first_check_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Subscribed> {
        let now_ms = to_millis(now);
        let mut tx = self.write_tx().await?;
        let parcel_id = ensure_parcel(&mut tx, key, now_ms).await?;
        let already: Option<i64> =
            sqlx::query_scalar("SELECT active FROM subscriptions WHERE chat_id = $1 AND parcel_id = $2")
                .bind(chat_id)
                .bind(parcel_id)
                .fetch_optional(&mut *tx)
                .await?;
        if already == Some(1) {
            sqlx::query("UPDATE subscriptions SET topic = $1 WHERE chat_id = $2 AND parcel_id = $3")
                .bind(topic.map(i64::from))
                .bind(chat_id)
                .bind(parcel_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Subscribed::AlreadyActive);
        }
        let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1 AND active = 1")
            .bind(chat_id)
            .fetch_one(&mut *tx)
            .await?;
        if active >= i64::from(cap) {
            tx.commit().await?;
            return Ok(Subscribed::CapReached);
        }
        sqlx::query(
            "INSERT INTO subscriptions (chat_id, parcel_id, lang, active, seen_lines, seen_state, created_at, updated_at, topic) \
             VALUES ($1, $2, $3, 1, $4, $5, $6, $6, $7) \
             ON CONFLICT (chat_id, parcel_id) DO UPDATE SET active = 1, lang = excluded.lang, \
                 seen_lines = excluded.seen_lines, seen_state = excluded.seen_state, \
                 created_at = excluded.created_at, updated_at = excluded.updated_at, topic = excluded.topic",
        )
        .bind(chat_id)
        .bind(parcel_id)
        .bind(lang)
        .bind(i64::from(seen_lines))
        .bind(seen_state)
        .bind(now_ms)
        .bind(topic.map(i64::from))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE parcels SET watch_next_at = CASE WHEN watch_next_at IS NULL OR watch_next_at > $1 THEN $1 ELSE watch_next_at END, \
                 watch_last_change_at = COALESCE(watch_last_change_at, $2) \
             WHERE id = $3",
        )
        .bind(to_millis(first_check_at))
        .bind(now_ms)
        .bind(parcel_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Subscribed::Created)
    }

    /// Records the arrival estimate a chat saw when it subscribed to `key` (the reply it subscribed
    /// from), so the watcher does not tell it the same estimate again.
    pub async fn set_seen_estimate(
        &self,
        chat_id: i64,
        key: &ParcelKey,
        seen_estimate: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE subscriptions SET seen_estimate = $1 WHERE chat_id = $2 AND active = 1 \
             AND parcel_id = (SELECT id FROM parcels WHERE courier = $3 AND number = $4)",
        )
        .bind(seen_estimate.map(to_millis))
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records who made the chat's active subscription to `key` (`MAX_SUBSCRIPTIONS_PER_USER`).
    pub async fn set_subscribed_by(&self, chat_id: i64, key: &ParcelKey, user_id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE subscriptions SET subscribed_by = $1 WHERE chat_id = $2 AND active = 1 \
             AND parcel_id = (SELECT id FROM parcels WHERE courier = $3 AND number = $4)",
        )
        .bind(user_id)
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Active subscriptions `user_id` made, in every chat.
    pub async fn count_subscriptions_by(&self, user_id: i64) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions WHERE subscribed_by = $1 AND active = 1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Stops a chat's subscriptions to parcels with this number (any courier); returns those stopped.
    pub async fn unsubscribe(&self, chat_id: i64, number: &str, now: DateTime<Utc>) -> StoreResult<Vec<ParcelKey>> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(
            "SELECT s.id, p.courier FROM subscriptions s JOIN parcels p ON p.id = s.parcel_id \
             WHERE s.chat_id = $1 AND s.active = 1 AND p.number = $2",
        )
        .bind(chat_id)
        .bind(number)
        .fetch_all(&mut *tx)
        .await?;
        let mut stopped = Vec::with_capacity(rows.len());
        for row in &rows {
            sqlx::query("UPDATE subscriptions SET active = 0, updated_at = $1 WHERE id = $2")
                .bind(to_millis(now))
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&mut *tx)
                .await?;
            stopped.push(ParcelKey::new(&row.try_get::<String, _>("courier")?, number));
        }
        tx.commit().await?;
        Ok(stopped)
    }

    pub async fn is_subscribed(&self, chat_id: i64, key: &ParcelKey) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT s.id FROM subscriptions s JOIN parcels p ON p.id = s.parcel_id \
             WHERE s.chat_id = $1 AND s.active = 1 AND p.courier = $2 AND p.number = $3",
        )
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// A chat's active subscriptions, oldest first.
    pub async fn chat_subscriptions(&self, chat_id: i64) -> StoreResult<Vec<WatchedParcel>> {
        let rows = sqlx::query(
            "SELECT p.courier, p.number, p.state, p.answered_at, p.answer, s.created_at FROM subscriptions s \
             JOIN parcels p ON p.id = s.parcel_id WHERE s.chat_id = $1 AND s.active = 1 ORDER BY s.created_at, s.id",
        )
        .bind(chat_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WatchedParcel {
                    key: ParcelKey::new(&row.try_get::<String, _>("courier")?, &row.try_get::<String, _>("number")?),
                    state: row.try_get("state")?,
                    answered_at: row.try_get::<Option<i64>, _>("answered_at")?.map(from_millis),
                    subscribed_at: from_millis(row.try_get("created_at")?),
                    answer: row.try_get("answer")?,
                })
            })
            .collect()
    }

    /// The active subscribers of a parcel.
    pub async fn subscribers(&self, parcel_id: i64) -> StoreResult<Vec<Subscriber>> {
        let rows = sqlx::query(
            "SELECT id, chat_id, topic, lang, seen_lines, seen_state, seen_estimate, estimate_told_at \
             FROM subscriptions WHERE parcel_id = $1 AND active = 1 ORDER BY id",
        )
        .bind(parcel_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Subscriber {
                    id: row.try_get("id")?,
                    chat_id: row.try_get("chat_id")?,
                    topic: topic_from(row.try_get("topic")?),
                    lang: row.try_get("lang")?,
                    seen_lines: u32::try_from(row.try_get::<i64, _>("seen_lines")?).unwrap_or(0),
                    seen_state: row.try_get("seen_state")?,
                    seen_estimate: row.try_get::<Option<i64>, _>("seen_estimate")?.map(from_millis),
                    estimate_told_at: row.try_get::<Option<i64>, _>("estimate_told_at")?.map(from_millis),
                })
            })
            .collect()
    }

    /// A chat is gone (blocked the bot, deleted, bot removed): its subscriptions stop and its pending
    /// notifications are dropped.
    pub async fn deactivate_chat(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let stopped =
            sqlx::query("UPDATE subscriptions SET active = 0, updated_at = $1 WHERE chat_id = $2 AND active = 1")
                .bind(to_millis(now))
                .bind(chat_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        sqlx::query("UPDATE outbox SET sent_at = $1, dropped = 1 WHERE chat_id = $2 AND sent_at IS NULL")
            .bind(to_millis(now))
            .bind(chat_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stopped)
    }

    /// A group became a supergroup: its subscriptions, phones, labels, language, zone and pending notifications
    /// move to the new id (merging with any the new id already has).
    pub async fn move_chat(&self, from: i64, to: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let moved = sqlx::query(
            "UPDATE subscriptions SET chat_id = $1, updated_at = $2 WHERE chat_id = $3 \
             AND parcel_id NOT IN (SELECT parcel_id FROM subscriptions WHERE chat_id = $1)",
        )
        .bind(to)
        .bind(to_millis(now))
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM subscriptions WHERE chat_id = $1").bind(from).execute(&mut *tx).await?;
        sqlx::query("UPDATE outbox SET chat_id = $1 WHERE chat_id = $2 AND sent_at IS NULL")
            .bind(to)
            .bind(from)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE chat_parcels SET chat_id = $1 WHERE chat_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM chat_parcels c WHERE c.chat_id = $1 \
                 AND c.courier = chat_parcels.courier AND c.number = chat_parcels.number)",
        )
        .bind(to)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE chat_labels SET chat_id = $1 WHERE chat_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM chat_labels c WHERE c.chat_id = $1 \
                 AND c.courier = chat_labels.courier AND c.number = chat_labels.number)",
        )
        .bind(to)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO chats (id, lang, zone, created_at, updated_at) \
             SELECT $1, lang, zone, created_at, $2 FROM chats WHERE id = $3 ON CONFLICT (id) DO NOTHING",
        )
        .bind(to)
        .bind(to_millis(now))
        .bind(from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Active subscriptions across all chats (a gauge of the metrics).
    pub async fn count_active_subscriptions(&self) -> StoreResult<u64> {
        let active: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions WHERE active = 1").fetch_one(&self.pool).await?;
        Ok(u64::try_from(active).unwrap_or(0))
    }
}

/// A stored topic id; one that does not fit Telegram's 32 bits is no topic.
pub(super) fn topic_from(stored: Option<i64>) -> Option<i32> {
    stored.and_then(|topic| i32::try_from(topic).ok())
}
