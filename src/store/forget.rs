//! `/forget`: everything the store holds about one chat, deleted in one transaction.
//!
//! What is per chat, migration by migration: `chats` (language, time zone: 0001, 0011),
//! `chat_parcels` (parcels looked at, with the phone digits given: 0002), `subscriptions` (0003, with
//! topics and estimates told: 0008, 0010), `outbox` (queued and sent notices: 0003, 0004, 0007, 0008)
//! and `chat_labels` (0009). All of those rows go. What is per parcel stays, because other chats,
//! the web page and the command line share it and because it is the record of Kuaidi100's lock rule
//! (the floor and the daily cap, `upstream_queries`): `parcels`, `upstream_queries`, `detections`
//! (number → courier). Two things on a parcel row existed for this chat only and are undone: the
//! phone digits it gave (`parcels.phone_tail`, cleared when no other chat gave the same digits), and
//! the watching (`watch_next_at`, cleared when no other chat still watches the parcel, so that the
//! watcher stops paying for it). After this, no row names the chat.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, to_millis};

/// What [`Store::forget_chat`] deleted, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Active subscriptions (watched parcels) deleted; stopped ones go too, uncounted.
    pub subscriptions: u64,
    /// Parcels the chat had looked at.
    pub parcels: u64,
    /// Of those, the ones it had given phone digits for.
    pub phones: u64,
    pub labels: u64,
    /// Notifications, queued and sent.
    pub notices: u64,
    /// Settings: a chosen language, a chosen time zone.
    pub settings: u64,
}

impl Forgotten {
    /// Nothing was held about the chat.
    pub fn is_empty(&self) -> bool {
        *self == Forgotten::default()
    }
}

impl Store {
    /// Deletes every row about `chat_id` (see the module's documentation), all or nothing.
    pub async fn forget_chat(&self, chat_id: i64, now: DateTime<Utc>) -> StoreResult<Forgotten> {
        let mut tx = self.write_tx().await?;
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(chat_id);
        let phones = count("SELECT COUNT(*) FROM chat_parcels WHERE chat_id = $1 AND phone_tail IS NOT NULL")
            .fetch_one(&mut *tx)
            .await?;
        let subscriptions =
            count("SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1 AND active = 1").fetch_one(&mut *tx).await?;
        let settings = count(
            "SELECT COALESCE(SUM((CASE WHEN lang IS NULL THEN 0 ELSE 1 END) + (CASE WHEN zone IS NULL THEN 0 ELSE 1 END)), 0) \
             FROM chats WHERE id = $1",
        )
        .fetch_one(&mut *tx)
        .await?;
        // The phone digits this chat gave, on the parcel rows the watcher queries with, unless
        // another chat gave the same digits for the parcel.
        sqlx::query(
            "UPDATE parcels SET phone_tail = NULL, updated_at = $2 WHERE phone_tail IS NOT NULL \
             AND EXISTS (SELECT 1 FROM chat_parcels c WHERE c.chat_id = $1 AND c.courier = parcels.courier \
                 AND c.number = parcels.number AND c.phone_tail = parcels.phone_tail) \
             AND NOT EXISTS (SELECT 1 FROM chat_parcels o WHERE o.chat_id <> $1 AND o.courier = parcels.courier \
                 AND o.number = parcels.number AND o.phone_tail = parcels.phone_tail)",
        )
        .bind(chat_id)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        let watched: Vec<i64> =
            sqlx::query_scalar("SELECT parcel_id FROM subscriptions WHERE chat_id = $1 AND active = 1")
                .bind(chat_id)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM subscriptions WHERE chat_id = $1").bind(chat_id).execute(&mut *tx).await?;
        for parcel_id in watched {
            sqlx::query(
                "UPDATE parcels SET watch_next_at = NULL, updated_at = $2 WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.parcel_id = parcels.id AND s.active = 1)",
            )
            .bind(parcel_id)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
        }
        let delete = |sql: &'static str| sqlx::query(sql).bind(chat_id);
        let notices = delete("DELETE FROM outbox WHERE chat_id = $1").execute(&mut *tx).await?.rows_affected();
        let parcels = delete("DELETE FROM chat_parcels WHERE chat_id = $1").execute(&mut *tx).await?.rows_affected();
        let labels = delete("DELETE FROM chat_labels WHERE chat_id = $1").execute(&mut *tx).await?.rows_affected();
        delete("DELETE FROM chats WHERE id = $1").execute(&mut *tx).await?;
        tx.commit().await?;
        let unsigned = |value: i64| u64::try_from(value).unwrap_or(0);
        Ok(Forgotten {
            subscriptions: unsigned(subscriptions),
            parcels,
            phones: unsigned(phones),
            labels,
            notices,
            settings: unsigned(settings),
        })
    }

    /// How many rows of each per-chat table name `chat_id`: what the store holds about a chat, for the
    /// operator and for the tests that check `/forget` left nothing.
    pub async fn rows_about_chat(&self, chat_id: i64) -> StoreResult<Vec<(&'static str, u64)>> {
        let tables = [
            ("chats", "SELECT COUNT(*) FROM chats WHERE id = $1"),
            ("chat_parcels", "SELECT COUNT(*) FROM chat_parcels WHERE chat_id = $1"),
            ("subscriptions", "SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1"),
            ("outbox", "SELECT COUNT(*) FROM outbox WHERE chat_id = $1"),
            ("chat_labels", "SELECT COUNT(*) FROM chat_labels WHERE chat_id = $1"),
        ];
        let mut counts = Vec::with_capacity(tables.len());
        for (table, sql) in tables {
            let count: i64 = sqlx::query_scalar(sql).bind(chat_id).fetch_one(&self.pool).await?;
            counts.push((table, u64::try_from(count).unwrap_or(0)));
        }
        Ok(counts)
    }
}
