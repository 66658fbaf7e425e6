//! Parcels and their upstream queries: the memory behind the lock rule.
//!
//! The decision "may this process query Kuaidi100 about this parcel now?" is [`Store::claim_query`]:
//! one conditional `UPDATE` that succeeds only outside the floor and under the daily cap, so two
//! processes on one database can never both win it. The claim is written before the query is sent,
//! which makes every upstream call count, including the ones that fail or never return.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::billing::{Spend, count_call};
use super::{Store, StoreResult, from_millis, to_millis};

/// A parcel is a courier code and a tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParcelKey {
    pub courier: String,
    pub number: String,
}

impl ParcelKey {
    pub fn new(courier: &str, number: &str) -> Self {
        Self { courier: courier.to_owned(), number: number.to_owned() }
    }
}

impl std::fmt::Display for ParcelKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.courier, self.number)
    }
}

/// How the last upstream query of a parcel ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryOutcome {
    /// An answer arrived.
    Answered,
    /// Claimed but never recorded (in flight, or the process died): treated like a transient failure.
    Pending,
    /// Kuaidi100 answered with this `returnCode`.
    Code(String),
    /// The call failed without a `returnCode` (timeout, connection, HTTP, bad body).
    Transport,
}

impl QueryOutcome {
    fn as_db(&self) -> String {
        match self {
            QueryOutcome::Answered => "ok".to_owned(),
            QueryOutcome::Pending => "pending".to_owned(),
            QueryOutcome::Code(code) => format!("code:{code}"),
            QueryOutcome::Transport => "transport".to_owned(),
        }
    }

    fn from_db(text: &str) -> Self {
        match text {
            "ok" => QueryOutcome::Answered,
            "pending" => QueryOutcome::Pending,
            "transport" => QueryOutcome::Transport,
            other => {
                other.strip_prefix("code:").map_or(QueryOutcome::Transport, |code| QueryOutcome::Code(code.to_owned()))
            }
        }
    }
}

/// What the store knows of one parcel.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelRecord {
    pub id: i64,
    pub key: ParcelKey,
    pub phone_tail: Option<String>,
    /// The last successful answer, JSON as received.
    pub answer: Option<String>,
    pub answer_lang: Option<String>,
    pub state: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub last_query_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<QueryOutcome>,
    pub last_error_message: Option<String>,
    /// Upstream queries in the 24 hours before the time the record was read at.
    pub queries_last_24h: u32,
    pub oldest_query_last_24h: Option<DateTime<Utc>>,
}

impl ParcelRecord {
    /// When the next upstream query may happen under both limits.
    pub fn next_query_at(&self, floor: Duration, cap: u32) -> DateTime<Utc> {
        let after_floor = self.last_query_at.map(|at| at + floor);
        let after_cap = (self.queries_last_24h >= cap)
            .then_some(self.oldest_query_last_24h)
            .flatten()
            .map(|at| at + Duration::hours(24));
        after_floor.into_iter().chain(after_cap).max().unwrap_or(DateTime::UNIX_EPOCH)
    }
}

/// Why a query was not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Inside the floor after the last query.
    TooSoon,
    /// The rolling 24-hour cap is reached.
    DailyCap,
    /// The deployment's `KUAIDI100_DAILY_BUDGET` (the share of it the asker may use) is spent until
    /// `frees_at`.
    Budget { frees_at: DateTime<Utc> },
}

/// The result of asking for the right to query upstream.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// Go ahead; the query is already counted (`billed`: the billed calls of the last 24 hours,
    /// this one included). Record its outcome on this parcel id.
    Granted { parcel_id: i64, billed: u64 },
    /// Not now; here is what is known and when to try again.
    Refused { record: Box<ParcelRecord>, reason: Refusal, next_query_at: DateTime<Utc> },
}

const DAY_MS: i64 = 24 * 3600 * 1000;

const RECORD_COLUMNS: &str = "p.id, p.courier, p.number, p.phone_tail, p.answer, p.answer_lang, p.state, p.answered_at, \
     p.last_query_at, p.last_outcome, p.last_error_message, \
     (SELECT COUNT(*) FROM upstream_queries q WHERE q.parcel_id = p.id AND q.at > $1) AS recent_queries, \
     (SELECT MIN(q.at) FROM upstream_queries q WHERE q.parcel_id = p.id AND q.at > $1) AS oldest_recent_query";

impl Store {
    /// The parcel's record as of `now`, if it was ever asked about.
    pub async fn parcel(&self, key: &ParcelKey, now: DateTime<Utc>) -> StoreResult<Option<ParcelRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM parcels p WHERE p.courier = $2 AND p.number = $3");
        let row = sqlx::query(&sql)
            .bind(to_millis(now) - DAY_MS)
            .bind(&key.courier)
            .bind(&key.number)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| record_from_row(&row)).transpose()
    }

    /// Claims the right to query `key` upstream at `now`: granted only if the last query is at least
    /// `floor` ago and fewer than `cap` queries happened in the last 24 hours. A granted claim is
    /// counted at once. `phone_tail`, when given, replaces the stored one.
    pub async fn claim_query(
        &self,
        key: &ParcelKey,
        phone_tail: Option<&str>,
        now: DateTime<Utc>,
        floor: Duration,
        cap: u32,
    ) -> StoreResult<Claim> {
        self.claim_query_within(key, phone_tail, now, floor, cap, None).await
    }

    /// [`Store::claim_query`], also refused while `budget` billed calls (of any parcel, by any
    /// process) were made in the last 24 hours. The floor and the cap are named as the reason when
    /// they refuse too, since they would hold the query back whatever the budget.
    pub async fn claim_query_within(
        &self,
        key: &ParcelKey,
        phone_tail: Option<&str>,
        now: DateTime<Utc>,
        floor: Duration,
        cap: u32,
        budget: Option<u64>,
    ) -> StoreResult<Claim> {
        let now_ms = to_millis(now);
        let mut tx = self.write_tx().await?;
        ensure_parcel(&mut tx, key, now_ms).await?;
        if let Some(Spend::Refused { frees_at, .. }) = self.check_budget(&mut tx, now, budget).await? {
            tx.commit().await?;
            let Some(record) = self.parcel(key, now).await? else {
                return Err(sqlx::Error::RowNotFound.into());
            };
            let held = record.next_query_at(floor, cap);
            let reason = if held > now { refusal_of(&record, floor, now) } else { Refusal::Budget { frees_at } };
            return Ok(Claim::Refused { record: Box::new(record), reason, next_query_at: held.max(frees_at) });
        }
        let granted: Option<i64> = sqlx::query_scalar(
            "UPDATE parcels SET last_query_at = $1, last_outcome = 'pending', updated_at = $1, \
                 phone_tail = COALESCE($2, phone_tail) \
             WHERE courier = $3 AND number = $4 \
               AND (last_query_at IS NULL OR last_query_at <= $5) \
               AND (SELECT COUNT(*) FROM upstream_queries q WHERE q.parcel_id = parcels.id AND q.at > $6) < $7 \
             RETURNING id",
        )
        .bind(now_ms)
        .bind(phone_tail)
        .bind(&key.courier)
        .bind(&key.number)
        .bind(now_ms - floor.num_milliseconds())
        .bind(now_ms - DAY_MS)
        .bind(i64::from(cap))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(parcel_id) = granted {
            sqlx::query("INSERT INTO upstream_queries (parcel_id, at, outcome) VALUES ($1, $2, 'pending')")
                .bind(parcel_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM upstream_queries WHERE parcel_id = $1 AND at <= $2")
                .bind(parcel_id)
                .bind(now_ms - DAY_MS)
                .execute(&mut *tx)
                .await?;
            let billed = count_call(&mut tx, now_ms).await?;
            tx.commit().await?;
            return Ok(Claim::Granted { parcel_id, billed });
        }
        tx.commit().await?;
        let Some(record) = self.parcel(key, now).await? else {
            // The row was inserted above; it can only vanish if deleted concurrently.
            return Err(sqlx::Error::RowNotFound.into());
        };
        let reason = refusal_of(&record, floor, now);
        let next_query_at = record.next_query_at(floor, cap);
        Ok(Claim::Refused { record: Box::new(record), reason, next_query_at })
    }

    /// Records a successful answer to the query claimed at `queried_at`.
    pub async fn record_answer(
        &self,
        parcel_id: i64,
        queried_at: DateTime<Utc>,
        answer_json: &str,
        state: &str,
        lang: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let now_ms = to_millis(now);
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE parcels SET answer = $1, state = $2, answer_lang = $3, answered_at = $4, updated_at = $4, \
                 last_outcome = 'ok', last_error_message = NULL \
             WHERE id = $5",
        )
        .bind(answer_json)
        .bind(state)
        .bind(lang)
        .bind(now_ms)
        .bind(parcel_id)
        .execute(&mut *tx)
        .await?;
        mark_query(&mut tx, parcel_id, queried_at, &QueryOutcome::Answered).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed query; the last answer, if any, is kept.
    pub async fn record_failure(
        &self,
        parcel_id: i64,
        queried_at: DateTime<Utc>,
        outcome: &QueryOutcome,
        message: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE parcels SET last_outcome = $1, last_error_message = $2, updated_at = $3 WHERE id = $4")
            .bind(outcome.as_db())
            .bind(message)
            .bind(to_millis(now))
            .bind(parcel_id)
            .execute(&mut *tx)
            .await?;
        mark_query(&mut tx, parcel_id, queried_at, outcome).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Which of the parcel's own limits holds a query back at `now`.
fn refusal_of(record: &ParcelRecord, floor: Duration, now: DateTime<Utc>) -> Refusal {
    if record.last_query_at.is_some_and(|at| at + floor > now) { Refusal::TooSoon } else { Refusal::DailyCap }
}

/// Creates the parcel's row if it does not exist yet; returns its id.
pub(super) async fn ensure_parcel(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &ParcelKey,
    now_ms: i64,
) -> StoreResult<i64> {
    sqlx::query(
        "INSERT INTO parcels (courier, number, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (courier, number) DO NOTHING",
    )
    .bind(&key.courier)
    .bind(&key.number)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    let id = sqlx::query_scalar("SELECT id FROM parcels WHERE courier = $1 AND number = $2")
        .bind(&key.courier)
        .bind(&key.number)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

async fn mark_query(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    parcel_id: i64,
    queried_at: DateTime<Utc>,
    outcome: &QueryOutcome,
) -> StoreResult<()> {
    sqlx::query("UPDATE upstream_queries SET outcome = $1 WHERE parcel_id = $2 AND at = $3")
        .bind(outcome.as_db())
        .bind(parcel_id)
        .bind(to_millis(queried_at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn record_from_row(row: &AnyRow) -> StoreResult<ParcelRecord> {
    let millis = |column: &str| -> StoreResult<Option<DateTime<Utc>>> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_millis))
    };
    Ok(ParcelRecord {
        id: row.try_get("id")?,
        key: ParcelKey { courier: row.try_get("courier")?, number: row.try_get("number")? },
        phone_tail: row.try_get("phone_tail")?,
        answer: row.try_get("answer")?,
        answer_lang: row.try_get("answer_lang")?,
        state: row.try_get("state")?,
        answered_at: millis("answered_at")?,
        last_query_at: millis("last_query_at")?,
        last_outcome: row.try_get::<Option<String>, _>("last_outcome")?.as_deref().map(QueryOutcome::from_db),
        last_error_message: row.try_get("last_error_message")?,
        queries_last_24h: u32::try_from(row.try_get::<i64, _>("recent_queries")?).unwrap_or(u32::MAX),
        oldest_query_last_24h: millis("oldest_recent_query")?,
    })
}
