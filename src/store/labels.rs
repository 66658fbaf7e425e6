//! Labels: a chat's own name for a parcel, per (chat, courier, number), set with `/name` or the 🏷
//! button and shown in that chat's replies, `/list` and notifications.
//!
//! The text is checked before it gets here (`input::label`); the store only keeps it. `/name` names
//! a parcel by its number alone, so [`Store::chat_courier_for`] finds the courier this chat means —
//! the one it already labelled, watches, or gave a phone for, else the one the bot last answered for
//! the number — and clearing takes the number's labels of the chat under every courier.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{ParcelKey, Store, StoreResult, to_millis};

impl Store {
    /// Sets (or replaces) a chat's label for a parcel.
    pub async fn set_label(&self, chat_id: i64, key: &ParcelKey, label: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO chat_labels (chat_id, courier, number, label, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (chat_id, courier, number) DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .bind(label)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a chat's labels for a number, under any courier; returns whether there was one.
    pub async fn clear_label(&self, chat_id: i64, number: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM chat_labels WHERE chat_id = $1 AND number = $2")
            .bind(chat_id)
            .bind(number)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A chat's label for a parcel, if it gave one.
    pub async fn label(&self, chat_id: i64, key: &ParcelKey) -> StoreResult<Option<String>> {
        let label =
            sqlx::query_scalar("SELECT label FROM chat_labels WHERE chat_id = $1 AND courier = $2 AND number = $3")
                .bind(chat_id)
                .bind(&key.courier)
                .bind(&key.number)
                .fetch_optional(&self.pool)
                .await?;
        Ok(label)
    }

    /// Every label of a chat (for `/list` and a notification of several parcels).
    pub async fn chat_labels(&self, chat_id: i64) -> StoreResult<HashMap<ParcelKey, String>> {
        let rows = sqlx::query("SELECT courier, number, label FROM chat_labels WHERE chat_id = $1")
            .bind(chat_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let key = ParcelKey::new(&row.try_get::<String, _>("courier")?, &row.try_get::<String, _>("number")?);
                Ok((key, row.try_get("label")?))
            })
            .collect()
    }

    /// The courier a chat means by a bare number: the one it labelled, else watches (or watched), else
    /// gave a phone for, else the one the bot last had an answer for. `None`: the bot never saw the
    /// number.
    pub async fn chat_courier_for(&self, chat_id: i64, number: &str) -> StoreResult<Option<String>> {
        const MINE: [&str; 3] = [
            "SELECT courier FROM chat_labels WHERE chat_id = $1 AND number = $2 ORDER BY updated_at DESC",
            "SELECT p.courier FROM subscriptions s JOIN parcels p ON p.id = s.parcel_id \
             WHERE s.chat_id = $1 AND p.number = $2 ORDER BY s.active DESC, s.updated_at DESC",
            "SELECT courier FROM chat_parcels WHERE chat_id = $1 AND number = $2 ORDER BY seen_at DESC",
        ];
        for query in MINE {
            let found: Option<String> =
                sqlx::query_scalar(query).bind(chat_id).bind(number).fetch_optional(&self.pool).await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        let known = sqlx::query_scalar(
            "SELECT courier FROM parcels WHERE number = $1 AND answered_at IS NOT NULL ORDER BY answered_at DESC",
        )
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(known)
    }
}
