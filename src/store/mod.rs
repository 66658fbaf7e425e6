//! Persistence, and the only place in the code that holds SQL.
//!
//! One [`Store`] over sqlx's `Any` driver serves both backends chosen by `DATABASE_URL`: SQLite (the
//! default, a file created if missing, in WAL mode) and PostgreSQL. Queries are written once in the
//! dialect both share — `$1`-style parameters in order of first use, `ON CONFLICT … DO UPDATE`,
//! `RETURNING` — and times are stored as milliseconds since the epoch. Only the migrations differ per
//! backend (`migrations/sqlite`, `migrations/postgres`); they are embedded and run at connect.

mod billing;
mod budget;
mod bulk;
mod chats;
mod detections;
mod forget;
mod labels;
mod outbox;
mod parcels;
mod push;
mod subscriptions;
mod watch;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

pub use billing::Spend;
pub use budget::PollingLock;
pub use bulk::{Census, QueryPlans, Spread, WatchedSeed};
pub use forget::Forgotten;
pub use outbox::PendingNotice;
pub use parcels::{Claim, ParcelKey, ParcelRecord, QueryOutcome, Refusal};
pub use push::{PushDue, PushState, PushSubscribed, PushWrite};
pub use subscriptions::{Subscribed, Subscriber, WatchedParcel};
pub use watch::{CheckOutcome, DueParcel, NewNotice};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not run database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database holds a migration this build does not know: a newer release made it.
    #[error(
        "the database was migrated by a newer release of kuaidi-bot (migration {0} is unknown to this one); \
         run that release, or restore a backup made before the upgrade"
    )]
    NewerSchema(i64),
    #[error("unsupported DATABASE_URL (use sqlite:… or postgres://…)")]
    UnsupportedUrl,
    /// An operation that only one backend has (the bulk operations of benchmarks).
    #[error("{what} is not supported on {backend:?}")]
    Unsupported { what: &'static str, backend: Backend },
    /// The part of the process that writes for the caller has stopped (shutdown).
    #[error("the store's writer has stopped")]
    Closed,
    /// One failure of a batch, shared by every item of it (see `Store::commit_pushes`).
    #[error("{0}")]
    Shared(std::sync::Arc<StoreError>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// `url` as it may be shown to an operator: the password, if any, replaced by `***`.
pub fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(an unreadable URL)".to_owned(),
    }
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// SQLite has one writer at a time; a few connections serve concurrent readers under WAL.
fn sqlite_pool_options() -> AnyPoolOptions {
    const PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";
    AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|connection, _| {
            Box::pin(async move {
                connection.execute(PRAGMAS).await?;
                Ok(())
            })
        })
        // When a write fails with SQLITE_FULL or SQLITE_IOERR, SQLite rolls the transaction back
        // itself; sqlx's own ROLLBACK then fails and its transaction count stays at one, so that
        // connection could never `BEGIN IMMEDIATE` again ("begin_with at non-zero transaction
        // depth"). Such a connection is closed at its next acquire instead of reused.
        .before_acquire(|connection, _| Box::pin(async move { Ok(!connection.is_in_transaction()) }))
}

impl Store {
    /// Connects, creating a SQLite file if missing, and brings the schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, with_create_mode(url))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        // sqlx logs every statement at INFO by default; that is noise for a bot, and at DEBUG a
        // statement is logged with its text only (parameters such as phone tails are never printed).
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(log::LevelFilter::Debug)
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(1));
        let pool_options = match backend {
            Backend::Sqlite => sqlite_pool_options(),
            Backend::Postgres => AnyPoolOptions::new().max_connections(10),
        };
        let pool = pool_options.acquire_timeout(Duration::from_secs(10)).connect_with(options).await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the database file: set once, it stays.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Begins a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first and then writes cannot wait for the lock
    /// (`busy_timeout` does not apply to that upgrade) and fails with "database is locked" whenever
    /// another connection wrote in between; taken up front, the lock is waited for instead.
    async fn write_tx(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Migrations run forward only: a database a newer release migrated further is refused as it is.
    async fn migrate(&self) -> StoreResult<()> {
        let migrated = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        };
        match migrated {
            Err(sqlx::migrate::MigrateError::VersionMissing(version)) => Err(StoreError::NewerSchema(version)),
            other => Ok(other?),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A trivial query: does the database answer at all (readiness)?
    pub async fn ping(&self) -> StoreResult<()> {
        let _: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://file.db` → `sqlite://file.db?mode=rwc`, so that a missing file is created.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Times are stored as milliseconds since the epoch.
pub fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// The inverse of [`to_millis`].
pub fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::UNIX_EPOCH)
}
