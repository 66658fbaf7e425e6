//! Per-chat settings: for now, the language a chat chose with `/lang`.

use chrono::{DateTime, Utc};

use super::{Store, StoreResult, to_millis};
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
}
