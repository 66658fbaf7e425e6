//! Per-chat state: the language a chat chose with `/lang`, its time zone (`/tz`), and the parcels it
//! has looked at.

use chrono::{DateTime, Utc};

use super::{ParcelKey, Store, StoreResult, to_millis};
use crate::kuaidi100::Lang;

impl Store {
    /// The language a chat chose, if it chose one.
    pub async fn chat_lang(&self, chat_id: i64) -> StoreResult<Option<Lang>> {
        let lang: Option<Option<String>> =
            sqlx::query_scalar("SELECT lang FROM chats WHERE id = $1").bind(chat_id).fetch_optional(&self.pool).await?;
        Ok(lang.flatten().as_deref().and_then(Lang::parse))
    }

    pub async fn set_chat_lang(&self, chat_id: i64, lang: Lang, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO chats (id, lang, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(lang.as_str())
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The time zone a chat chose (`zone::Zone::stored`'s text), if it chose one.
    pub async fn chat_zone(&self, chat_id: i64) -> StoreResult<Option<String>> {
        let zone: Option<Option<String>> =
            sqlx::query_scalar("SELECT zone FROM chats WHERE id = $1").bind(chat_id).fetch_optional(&self.pool).await?;
        Ok(zone.flatten())
    }

    /// Stores a chat's time zone; `None` goes back to the default (Beijing time).
    pub async fn set_chat_zone(&self, chat_id: i64, zone: Option<&str>, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO chats (id, zone, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(zone)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Remembers that a chat looked at a parcel, with the phone tail it gave (kept if none is given now).
    pub async fn remember_chat_parcel(
        &self,
        chat_id: i64,
        key: &ParcelKey,
        phone_tail: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO chat_parcels (chat_id, courier, number, phone_tail, seen_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (chat_id, courier, number) DO UPDATE SET \
                 phone_tail = COALESCE(excluded.phone_tail, chat_parcels.phone_tail), seen_at = excluded.seen_at",
        )
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .bind(phone_tail)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The phone tail this chat gave for a parcel, if it gave one.
    pub async fn chat_parcel_phone(&self, chat_id: i64, key: &ParcelKey) -> StoreResult<Option<String>> {
        let phone: Option<Option<String>> = sqlx::query_scalar(
            "SELECT phone_tail FROM chat_parcels WHERE chat_id = $1 AND courier = $2 AND number = $3",
        )
        .bind(chat_id)
        .bind(&key.courier)
        .bind(&key.number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(phone.flatten())
    }
}
