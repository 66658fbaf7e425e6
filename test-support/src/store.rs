//! Throw-away stores for tests and benchmarks, on both backends.
//!
//! SQLite stores live in a fresh file under the system temp directory. PostgreSQL stores live in a fresh
//! schema of the database at `TEST_POSTGRES_URL` (default: the local `test` database), so tests running
//! side by side never see each other's rows. Without a reachable PostgreSQL the PostgreSQL half of a test
//! is skipped with a line on stderr saying why — unless `CI` or `KUAIDI_TEST_REQUIRE_POSTGRES` is set,
//! where an unreachable PostgreSQL is a failure, so that CI cannot pass by skipping.
//!
//! The stores are opened with the library's own `Store::connect` (real migrations, real pool settings);
//! the only SQL here is what makes and drops a throw-away PostgreSQL schema, which is test
//! infrastructure and not the bot's business, so it stays out of `kuaidi_bot::store`. This used to be
//! `kuaidi_bot::store::testing`, compiled into the release binary for the tests' sake.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use kuaidi_bot::store::{Store, StoreError};
use sqlx::Connection;

pub const DEFAULT_TEST_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store and what to clean up when it is dropped.
pub struct TestStore {
    pub store: Store,
    pub name: &'static str,
    /// The URL it was opened with, for tests that open a second handle (a "second process").
    pub url: String,
    sqlite_file: Option<PathBuf>,
    /// (server URL, schema) of a PostgreSQL store, dropped with the store.
    postgres_schema: Option<(String, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(file) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        if let Some((base, schema)) = self.postgres_schema.take() {
            // Drop runs inside the test's runtime; a runtime of its own on another thread may block.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                runtime.block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&base).await.ok()?;
                    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut admin).await.ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// Unique enough for names of throw-away files, schemas and databases: pid, time, a counter.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A fresh SQLite store in a temporary file.
pub async fn sqlite() -> Result<TestStore, StoreError> {
    let file = std::env::temp_dir().join(format!("kuaidi-bot-test-{}.db", unique_suffix()));
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await?;
    Ok(TestStore { store, name: "sqlite", url, sqlite_file: Some(file), postgres_schema: None })
}

/// The PostgreSQL server the tests use: `TEST_POSTGRES_URL`, else [`DEFAULT_TEST_POSTGRES_URL`].
pub fn postgres_base_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES_URL.to_owned())
}

/// Whether an unreachable PostgreSQL is a failure rather than a skip (`CI` or
/// `KUAIDI_TEST_REQUIRE_POSTGRES` set).
pub fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("KUAIDI_TEST_REQUIRE_POSTGRES").is_some()
}

/// A fresh PostgreSQL store in its own schema, or `None` (with the reason on stderr) when no PostgreSQL
/// is reachable and none is required.
///
/// # Panics
/// When PostgreSQL is required (see the module doc) but cannot be used.
pub async fn postgres() -> Option<TestStore> {
    let base = postgres_base_url();
    match open_postgres(&base).await {
        Ok(store) => Some(store),
        Err(error) if postgres_required() => panic!("PostgreSQL at {base} is required here but failed: {error}"),
        Err(error) => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED the PostgreSQL half of this test: {base} is not usable ({error}); set TEST_POSTGRES_URL to run it"
            );
            None
        }
    }
}

async fn open_postgres(base: &str) -> Result<TestStore, StoreError> {
    let schema = format!("kb_test_{}", unique_suffix());
    let mut admin = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await?;
    admin.close().await?;
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    let store = Store::connect(&url).await?;
    Ok(TestStore { store, name: "postgres", url, sqlite_file: None, postgres_schema: Some((base.to_owned(), schema)) })
}

/// One store per available backend: SQLite always, PostgreSQL when reachable.
pub async fn all() -> Vec<TestStore> {
    let mut stores = Vec::new();
    match sqlite().await {
        Ok(store) => stores.push(store),
        Err(error) => panic!("cannot open a SQLite test store: {error}"),
    }
    stores.extend(postgres().await);
    stores
}

/// The chats of unsent notices claimed past `now` (`claimed_until`), by any
/// replica: what a killed replica may have been holding (`examples/replica_bench.rs`).
pub async fn claimed_notice_chats(test: &TestStore, now: chrono::DateTime<chrono::Utc>) -> Vec<i64> {
    let Ok(mut connection) = sqlx::PgConnection::connect(&test.url).await else { return Vec::new() };
    sqlx::query_scalar::<_, i64>("SELECT DISTINCT chat_id FROM outbox WHERE sent_at IS NULL AND claimed_until > $1")
        .bind(kuaidi_bot::store::to_millis(now))
        .fetch_all(&mut connection)
        .await
        .unwrap_or_default()
}
