//! A fresh PostgreSQL database for each replicas test, and the SQL the tests read it with.
//!
//! Why a whole database and not a schema like `store.rs`: the replicas must run the migrations
//! themselves, all starting together on an empty database (that is one of the things tested), and
//! `DATABASE_URL` should be an ordinary URL, as in production. The database is dropped when the handle
//! is, best effort (`WITH (FORCE)`, so that a killed replica's connections do not keep it alive) —
//! unless the test failed and `KUAIDI_TEST_KEEP_DATABASE` is set.
//!
//! The queries read the bot's own tables (`migrations/postgres`): they are the test's view of what the
//! replicas wrote, not the bot's API, so they live here and not in `kuaidi_bot::store`.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use kuaidi_bot::kuaidi100::state;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Row};

use crate::store::{postgres_base_url, unique_suffix};

/// A database of its own on the test server; dropped with the handle.
pub struct FreshDatabase {
    pub name: String,
    /// What the replicas get as `DATABASE_URL`.
    pub url: String,
    /// The server's URL (`TEST_POSTGRES_URL`) the database was made from and is dropped through.
    admin_url: String,
    pool: PgPool,
}

/// A subscription that ended although its parcel is not finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedEarly {
    pub chat_id: i64,
    pub number: String,
    /// The parcel's last known state code, if any.
    pub state: Option<String>,
}

impl FreshDatabase {
    /// `CREATE DATABASE kuaidi_replicas_<unique>` on the test server; no tables yet.
    pub async fn create() -> Result<FreshDatabase, sqlx::Error> {
        let admin_url = postgres_base_url();
        let name = format!("kuaidi_replicas_{}", unique_suffix());
        let mut url = reqwest::Url::parse(&admin_url).map_err(|error| sqlx::Error::Configuration(error.into()))?;
        url.set_path(&format!("/{name}"));
        let mut admin = PgConnection::connect(&admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        admin.close().await?;
        let url = url.to_string();
        let pool = PgPoolOptions::new().max_connections(2).connect(&url).await?;
        Ok(FreshDatabase { name, url, admin_url, pool })
    }

    /// Outbox rows (notices queued, sent or not, not dropped) per chat.
    pub async fn outbox_rows_per_chat(&self) -> Result<HashMap<i64, u64>, sqlx::Error> {
        let rows = sqlx::query("SELECT chat_id, COUNT(*) AS notices FROM outbox WHERE dropped = 0 GROUP BY chat_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("chat_id")?, u64::try_from(row.try_get::<i64, _>("notices")?).unwrap_or(0))))
            .collect()
    }

    /// Notices not yet sent, due or not.
    pub async fn unsent_notices(&self) -> Result<u64, sqlx::Error> {
        self.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await
    }

    /// The ids of the notices not yet sent.
    pub async fn unsent_notice_ids(&self) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM outbox WHERE sent_at IS NULL ORDER BY id").fetch_all(&self.pool).await
    }

    /// When the last of the notices `ids` was marked sent (on the replicas' clock); `None` if none was.
    pub async fn last_sent_at(&self, ids: &[i64]) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        let millis: Option<i64> = sqlx::query_scalar("SELECT MAX(sent_at) FROM outbox WHERE id = ANY($1)")
            .bind(ids)
            .fetch_one(&self.pool)
            .await?;
        Ok(millis.and_then(DateTime::from_timestamp_millis))
    }

    /// Subscriptions still active, all chats.
    pub async fn active_subscriptions(&self) -> Result<u64, sqlx::Error> {
        self.count("SELECT COUNT(*) FROM subscriptions WHERE active = 1").await
    }

    /// Subscriptions ever made, active or not.
    pub async fn subscriptions(&self) -> Result<u64, sqlx::Error> {
        self.count("SELECT COUNT(*) FROM subscriptions").await
    }

    /// Subscriptions that ended while their parcel's last known state is not a finished one (delivered,
    /// returned): lost to something else than the parcel's end.
    pub async fn subscriptions_ended_early(&self) -> Result<Vec<EndedEarly>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT s.chat_id, p.number, p.state FROM subscriptions s JOIN parcels p ON p.id = s.parcel_id \
             WHERE s.active = 0 ORDER BY s.chat_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut early = Vec::new();
        for row in rows {
            let state: Option<String> = row.try_get("state")?;
            let finished = state.as_deref().and_then(state::lookup).is_some_and(|state| state.is_terminal());
            if !finished {
                early.push(EndedEarly { chat_id: row.try_get("chat_id")?, number: row.try_get("number")?, state });
            }
        }
        Ok(early)
    }

    async fn count(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let count: i64 = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// Set (to anything) to keep the database of a failed test, to look into it.
pub const KEEP_VARIABLE: &str = "KUAIDI_TEST_KEEP_DATABASE";

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if std::thread::panicking() && std::env::var_os(KEEP_VARIABLE).is_some() {
            let _ = writeln!(std::io::stderr(), "----- the database is kept: {} -----", self.url);
            return;
        }
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a runtime of its own on another thread may block.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}
