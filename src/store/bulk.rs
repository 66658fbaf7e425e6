//! Bulk operations for benchmarks at scale: seeding a million watched parcels, re-timing their
//! checks, counting what a run did, and the query plans of the watcher's and the sender's queries.
//!
//! Why here: the store is the only place in the code that holds SQL (see the module above), and a
//! benchmark that writes its own SQL against column names breaks silently when the schema moves; these
//! functions move with it. None of them is used by the bot itself. They work set-wise, in a few large
//! statements, because row-by-row calls of the ordinary API would take hours for a million rows.
//!
//! SQLite is what they are made for (the benchmark's database is a file it copies); they work on
//! PostgreSQL too where that is cheap, and [`Store::checkpoint`], which means nothing there, answers
//! [`StoreError::Unsupported`].

use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Connection, Row};

use super::{Backend, Store, StoreError, StoreResult, from_millis, outbox, to_millis, watch};

/// SQLite's page cache for a bulk connection, in KiB (negative: a size, not pages): seeding and
/// re-timing touch every row of an index in random order, and a large cache saves minutes.
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// Where bulk-seeded parcels fall due: parcel `id` at `start + ((id × shuffle) mod slots) × spacing`.
///
/// With `shuffle` a prime larger than `slots` (Knuth's multiplicative hash) and ids `1..=slots`, every
/// slot gets exactly one parcel, and parcels of neighbouring ids (the same chat) fall due far apart.
/// `id × shuffle` must fit in an `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub start: DateTime<Utc>,
    pub spacing: Duration,
    pub slots: i64,
    pub shuffle: i64,
}

/// What [`Store::seed_watched_parcels`] writes: `count` parcels, each watched and with one active
/// subscription, as if subscribed and never checked yet (no answer, nothing seen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedSeed {
    /// Parcels and subscriptions; both get the ids `1..=count`.
    pub count: i64,
    pub courier: String,
    /// The tracking number of parcel `id` is this prefix and `id` in 11 digits.
    pub number_prefix: String,
    /// Subscription `id` belongs to chat `first_chat + (id − 1) / parcels_per_chat`.
    pub first_chat: i64,
    pub parcels_per_chat: i64,
    /// The subscriptions' language.
    pub lang: String,
    /// Creation time of every row, and the last change of every parcel.
    pub created_at: DateTime<Utc>,
    /// When each parcel's first check is due.
    pub spread: Spread,
    /// Rows per transaction, so that no transaction grows without bound.
    pub batch: i64,
}

/// What a database holds, in numbers: for a benchmark to recognise a database it seeded, and to say
/// what a run did to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Census {
    pub parcels: u64,
    /// Parcels with a check planned.
    pub watched_parcels: u64,
    /// Parcels queried upstream at least once.
    pub queried_parcels: u64,
    pub active_subscriptions: u64,
    /// Notices in the outbox, sent (and not yet purged) or not.
    pub notices: u64,
    pub unsent_notices: u64,
    /// Upstream queries remembered for the daily cap (those of the last 24 hours, at least).
    pub upstream_queries: u64,
    /// When the parcel with the lowest id was created.
    pub first_created_at: Option<DateTime<Utc>>,
}

/// The database's plans of the queries that must stay cheap however many parcels there are, as the
/// database prints them (SQLite's `EXPLAIN QUERY PLAN` details or PostgreSQL's `EXPLAIN` lines, joined
/// with `; `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPlans {
    /// The watcher's tick: [`Store::due_parcels`].
    pub due_parcels: String,
    /// The watcher's sleep: [`Store::next_due_at`].
    pub next_due_at: String,
    /// The sender's query: [`Store::pending_notices`].
    pub pending_notices: String,
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Writes `seed.count` watched parcels with one active subscription each into a store that holds
    /// none yet (the ids are `1..=count`), in transactions of `seed.batch` rows, calling `on_batch` with
    /// the highest id written after each. On SQLite it writes on a connection of its own with
    /// `synchronous = OFF` (a crash mid-seed loses the seed, not the database), closed afterwards.
    pub async fn seed_watched_parcels(&self, seed: &WatchedSeed, mut on_batch: impl FnMut(i64)) -> StoreResult<()> {
        let (parcels_sql, subscriptions_sql) = match self.backend {
            Backend::Sqlite => (
                "WITH RECURSIVE seq(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2) \
                 INSERT INTO parcels (id, courier, number, created_at, updated_at, watch_next_at, watch_last_change_at) \
                 SELECT i, $3, printf('%s%011d', $4, i), $5, $5, $6 + ((i * $7) % $8) * $9, $5 FROM seq",
                "WITH RECURSIVE seq(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2) \
                 INSERT INTO subscriptions (id, chat_id, parcel_id, lang, active, seen_lines, created_at, updated_at) \
                 SELECT i, $3 + (i - 1) / $4, i, $5, 1, 0, $6, $6 FROM seq",
            ),
            Backend::Postgres => (
                "INSERT INTO parcels (id, courier, number, created_at, updated_at, watch_next_at, watch_last_change_at) \
                 SELECT i, $3, $4 || lpad(i::text, 11, '0'), $5, $5, $6 + ((i * $7) % $8) * $9, $5 \
                 FROM generate_series($1::bigint, $2::bigint) AS i",
                "INSERT INTO subscriptions (id, chat_id, parcel_id, lang, active, seen_lines, created_at, updated_at) \
                 SELECT i, $3 + (i - 1) / $4, i, $5, 1, 0, $6, $6 FROM generate_series($1::bigint, $2::bigint) AS i",
            ),
        };
        let created_at = to_millis(seed.created_at);
        let spread = seed.spread;
        let mut connection = self.bulk_connection(true).await?;
        let mut low = 1;
        while low <= seed.count {
            let high = (low + seed.batch.max(1) - 1).min(seed.count);
            let mut tx = connection.begin().await?;
            sqlx::query(parcels_sql)
                .bind(low)
                .bind(high)
                .bind(&seed.courier)
                .bind(&seed.number_prefix)
                .bind(created_at)
                .bind(to_millis(spread.start))
                .bind(spread.shuffle)
                .bind(spread.slots.max(1))
                .bind(spread.spacing.num_milliseconds())
                .execute(&mut *tx)
                .await?;
            sqlx::query(subscriptions_sql)
                .bind(low)
                .bind(high)
                .bind(seed.first_chat)
                .bind(seed.parcels_per_chat.max(1))
                .bind(&seed.lang)
                .bind(created_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            on_batch(high);
            low = high + 1;
        }
        if self.backend == Backend::Postgres {
            // Explicit ids leave the sequences behind; later inserts must not collide with the seed.
            for table in ["parcels", "subscriptions"] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
                .execute(&mut *connection)
                .await?;
            }
        }
        connection.close().await?;
        Ok(())
    }

    /// Plans every watched parcel's next check anew on `spread` (by its id, as seeded), e.g. so that a
    /// copy of a seeded database starts with a chosen number of parcels due; returns how many moved.
    pub async fn shift_schedule(&self, spread: &Spread) -> StoreResult<u64> {
        let mut connection = self.bulk_connection(false).await?;
        let moved = sqlx::query(
            "UPDATE parcels SET watch_next_at = $1 + ((id * $2) % $3) * $4 WHERE watch_next_at IS NOT NULL",
        )
        .bind(to_millis(spread.start))
        .bind(spread.shuffle)
        .bind(spread.slots.max(1))
        .bind(spread.spacing.num_milliseconds())
        .execute(&mut *connection)
        .await?
        .rows_affected();
        connection.close().await?;
        Ok(moved)
    }

    /// How many watched parcels are due at `now` (all of them, where [`Store::due_parcels`] takes a batch).
    pub async fn count_due(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let due: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM parcels WHERE watch_next_at IS NOT NULL AND watch_next_at <= $1")
                .bind(to_millis(now))
                .fetch_one(&self.pool)
                .await?;
        Ok(count(due))
    }

    /// Upstream queries remembered (one per check of the watcher, in the last 24 hours at least): cheap
    /// enough to sample every second while a bot works.
    pub async fn count_upstream_queries(&self) -> StoreResult<u64> {
        let queries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM upstream_queries").fetch_one(&self.pool).await?;
        Ok(count(queries))
    }

    /// The numbers of [`Census`]; several full scans, so not something to call often on a big database.
    pub async fn census(&self) -> StoreResult<Census> {
        let scalar = |sql: &'static str| async move {
            let value: i64 = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
            Ok::<u64, StoreError>(count(value))
        };
        let first_created_at: Option<i64> =
            sqlx::query_scalar("SELECT created_at FROM parcels ORDER BY id LIMIT 1").fetch_optional(&self.pool).await?;
        Ok(Census {
            parcels: scalar("SELECT COUNT(*) FROM parcels").await?,
            watched_parcels: scalar("SELECT COUNT(*) FROM parcels WHERE watch_next_at IS NOT NULL").await?,
            queried_parcels: scalar("SELECT COUNT(*) FROM parcels WHERE last_query_at IS NOT NULL").await?,
            active_subscriptions: scalar("SELECT COUNT(*) FROM subscriptions WHERE active = 1").await?,
            notices: scalar("SELECT COUNT(*) FROM outbox").await?,
            unsent_notices: scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await?,
            upstream_queries: scalar("SELECT COUNT(*) FROM upstream_queries").await?,
            first_created_at: first_created_at.map(from_millis),
        })
    }

    /// The plans of the watcher's and the sender's queries — the very statements the store runs, with
    /// `now` bound where they take a time (batch sizes do not change the plans).
    pub async fn query_plans(&self, now: DateTime<Utc>) -> StoreResult<QueryPlans> {
        Ok(QueryPlans {
            due_parcels: self.plan(watch::DUE_PARCELS, Some(now)).await?,
            next_due_at: self.plan(watch::NEXT_DUE_AT, None).await?,
            pending_notices: self.plan(outbox::PENDING_NOTICES, Some(now)).await?,
        })
    }

    async fn plan(&self, sql: &str, now: Option<DateTime<Utc>>) -> StoreResult<String> {
        let (explain, column) = match self.backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
            Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
        };
        let explained = format!("{explain} {sql}");
        let mut query = sqlx::query(&explained);
        if let Some(now) = now {
            query = query.bind(to_millis(now)).bind(100_i64);
        }
        let rows: Vec<AnyRow> = query.fetch_all(&self.pool).await?;
        let lines = rows.iter().map(|row| row.try_get::<String, _>(column)).collect::<Result<Vec<_>, _>>()?;
        Ok(lines.join("; "))
    }

    /// Moves everything in SQLite's write-ahead log into the database file and empties the log
    /// (`wal_checkpoint(TRUNCATE)`), so that the file alone is the whole database, e.g. to copy it.
    /// PostgreSQL has no such file: [`StoreError::Unsupported`].
    pub async fn checkpoint(&self) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported { what: "checkpoint", backend: self.backend });
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        Ok(())
    }

    /// A connection for one bulk operation, with a large page cache on SQLite (and `synchronous = OFF`
    /// when `unsafe_writes`); the caller closes it, so that these settings never return to the pool.
    async fn bulk_connection(&self, unsafe_writes: bool) -> StoreResult<PoolConnection<Any>> {
        let mut connection = self.pool.acquire().await?;
        // Also on an early return (an error): closed, never back in the pool with these settings.
        connection.close_on_drop();
        if self.backend == Backend::Sqlite {
            sqlx::query(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}")).execute(&mut *connection).await?;
            if unsafe_writes {
                sqlx::query("PRAGMA synchronous = OFF").execute(&mut *connection).await?;
            }
        }
        Ok(connection)
    }
}
