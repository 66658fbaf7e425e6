//! `GET /metrics`: Prometheus text through the `metrics` facade and `metrics-exporter-prometheus`.
//!
//! One process-wide recorder ([`install_recorder`], idempotent) collects what is counted where it
//! happens — notification sends by result in `watch/`'s outbox, push callbacks by result in its push
//! intake, subscribe calls by outcome in the tracker, Telegram's 429s and webhook deliveries in the
//! Telegram adapter, HTTP request latency here — and at each
//! scrape the values that already live elsewhere are copied in: the tracker's counters (from its
//! snapshot) and a few counts from the store (active subscriptions, due parcels, watcher lag, outbox
//! depth). Copying
//! at scrape time costs nothing between scrapes and cannot drift from the source. The names are
//! [`METRIC_NAMES`], all prefixed `kuaidi_`, listed in the README.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::HttpState;
use crate::tracking::{BUDGET_STATE_METRIC, OUTAGES_METRIC, SUBSCRIBE_METRIC, UPSTREAM_DOWN_METRIC};
use crate::watch::{CALLBACKS_METRIC, CHECKS_METRIC, SENDS_METRIC};

const UPSTREAM_QUERIES: &str = "kuaidi_upstream_queries_total";
const UPSTREAM_REFUSED: &str = "kuaidi_upstream_refused_total";
const CACHE_HITS: &str = "kuaidi_cache_hits_total";
const COALESCED: &str = "kuaidi_coalesced_total";
const THROTTLED: &str = "kuaidi_throttled_total";
const AUTONUMBER_CALLS: &str = "kuaidi_autonumber_calls_total";
const ACTIVE_SUBSCRIPTIONS: &str = "kuaidi_active_subscriptions";
const DUE_PARCELS: &str = "kuaidi_due_parcels";
const OUTBOX_DEPTH: &str = "kuaidi_outbox_depth";
const WATCHER_LAG: &str = "kuaidi_watcher_lag_seconds";
const BILLED_CALLS: &str = "kuaidi_billed_calls_24h";
const BUDGET_LIMIT: &str = "kuaidi_budget_calls";
const HTTP_DURATION: &str = "kuaidi_http_request_duration_seconds";
/// Counted by the Telegram adapter (`telegram::RETRY_AFTER_METRIC`); named here only to describe it,
/// since one adapter does not import another.
const TELEGRAM_RETRY_AFTER: &str = "kuaidi_telegram_retry_after_total";
/// Counted by the Telegram adapter's webhook gate (`telegram::WEBHOOK_UPDATES_METRIC`,
/// `telegram::WEBHOOK_REJECTED_METRIC`), named here to describe them.
const TELEGRAM_WEBHOOK_UPDATES: &str = "kuaidi_telegram_webhook_updates_total";
const TELEGRAM_WEBHOOK_REJECTED: &str = "kuaidi_telegram_webhook_rejected_total";

/// Every metric this process publishes.
pub const METRIC_NAMES: &[&str] = &[
    UPSTREAM_QUERIES,
    UPSTREAM_REFUSED,
    CACHE_HITS,
    COALESCED,
    THROTTLED,
    AUTONUMBER_CALLS,
    ACTIVE_SUBSCRIPTIONS,
    DUE_PARCELS,
    WATCHER_LAG,
    CHECKS_METRIC,
    SUBSCRIBE_METRIC,
    CALLBACKS_METRIC,
    OUTBOX_DEPTH,
    BILLED_CALLS,
    BUDGET_STATE_METRIC,
    SENDS_METRIC,
    TELEGRAM_RETRY_AFTER,
    TELEGRAM_WEBHOOK_UPDATES,
    TELEGRAM_WEBHOOK_REJECTED,
    HTTP_DURATION,
];

const LATENCY_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the process's recorder once and returns its handle; `None` if another recorder was
/// installed first (then `/metrics` answers 503).
pub fn install_recorder() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = match PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), LATENCY_BUCKETS)
            {
                Ok(builder) => builder,
                Err(error) => {
                    tracing::error!(%error, "metrics: bad histogram buckets");
                    return None;
                }
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if let Err(error) = metrics::set_global_recorder(recorder) {
                tracing::warn!(%error, "metrics: another recorder is installed; /metrics is unavailable");
                return None;
            }
            describe();
            Some(handle)
        })
        .clone()
}

fn describe() {
    describe_counter!(
        UPSTREAM_QUERIES,
        "Kuaidi100 queries made, by outcome (answered, no_result, transient_error, permanent_error)"
    );
    describe_counter!(
        UPSTREAM_REFUSED,
        "Upstream queries not made, by reason (floor, daily_cap: the lock rule; budget: KUAIDI100_DAILY_BUDGET)"
    );
    describe_counter!(CACHE_HITS, "Parcel questions answered from memory inside the floor");
    describe_counter!(COALESCED, "Parcel questions that shared a concurrent asker's upstream call");
    describe_counter!(THROTTLED, "Commands refused by the per-user rate limit");
    describe_counter!(AUTONUMBER_CALLS, "Courier auto-detection calls made");
    describe_gauge!(ACTIVE_SUBSCRIPTIONS, "Active subscriptions across all chats");
    describe_gauge!(DUE_PARCELS, "Watched parcels whose next check is due");
    describe_gauge!(
        WATCHER_LAG,
        Unit::Seconds,
        "How long the most overdue parcel check has been waiting (0 = on time)"
    );
    describe_counter!(
        CHECKS_METRIC,
        "Watcher checks that asked the tracker, by result (queried = its own upstream call, shared = answered by a call made just before)"
    );
    describe_counter!(
        SUBSCRIBE_METRIC,
        "Kuaidi100 push subscribe calls, by outcome (subscribed, already_subscribed, account_refused, parcel_refused, try_later)"
    );
    describe_counter!(
        CALLBACKS_METRIC,
        "Kuaidi100 push callbacks, by result (applied, unwatched, stale, missing_sign, bad_sign, malformed)"
    );
    describe_gauge!(OUTBOX_DEPTH, "Notifications not yet sent, due or not");
    describe_gauge!(
        BILLED_CALLS,
        "Billed Kuaidi100 calls (queries and push subscribe calls) of the whole deployment in the last 24 hours"
    );
    describe_gauge!(
        BUDGET_LIMIT,
        "KUAIDI100_DAILY_BUDGET: billed calls allowed per rolling 24 hours (absent when unset)"
    );
    describe_gauge!(
        BUDGET_STATE_METRIC,
        "Where this process last saw the daily budget: 0 open, 1 the watcher's share is spent (it slows), 2 spent (cached answers only)"
    );
    describe_counter!(
        SENDS_METRIC,
        "Notification sends by result (delivered, chat_gone, migrated, retry_after = 429, not_allowed_yet, failed)"
    );
    describe_counter!(TELEGRAM_RETRY_AFTER, "Telegram's 429 answers (retry after), by kind (reply, notification)");
    describe_counter!(TELEGRAM_WEBHOOK_UPDATES, "Updates Telegram delivered through the webhook and the bot accepted");
    describe_counter!(
        TELEGRAM_WEBHOOK_REJECTED,
        "Webhook requests refused (401, not dispatched) for their secret token, by reason (missing, wrong)"
    );
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency by method, route and status");
    describe_gauge!(UPSTREAM_DOWN_METRIC, "1 while most recent Kuaidi100 queries failed (an outage), else 0");
    describe_counter!(OUTAGES_METRIC, "Kuaidi100 outages begun since the start");
}

/// The `/metrics` route.
pub async fn scrape(State(state): State<HttpState>) -> Response {
    let Some(handle) = install_recorder() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable").into_response();
    };
    copy_tracker(&state);
    copy_store(&state).await;
    handle.run_upkeep();
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

fn copy_tracker(state: &HttpState) {
    let snapshot = state.tracker.metrics();
    for (outcome, value) in [
        ("answered", snapshot.upstream_answered),
        ("no_result", snapshot.upstream_no_result),
        ("transient_error", snapshot.upstream_transient_errors),
        ("permanent_error", snapshot.upstream_permanent_errors),
    ] {
        counter!(UPSTREAM_QUERIES, "outcome" => outcome).absolute(value);
    }
    counter!(UPSTREAM_REFUSED, "reason" => "floor").absolute(snapshot.refused_by_floor);
    counter!(UPSTREAM_REFUSED, "reason" => "daily_cap").absolute(snapshot.refused_by_daily_cap);
    counter!(UPSTREAM_REFUSED, "reason" => "budget").absolute(snapshot.refused_by_budget);
    gauge!(BUDGET_STATE_METRIC).set(f64::from(state.tracker.budget_state() as u8));
    if let Some(budget) = state.tracker.daily_budget() {
        gauge!(BUDGET_LIMIT).set(budget.calls as f64);
    }
    counter!(CACHE_HITS).absolute(snapshot.cache_hits);
    counter!(COALESCED).absolute(snapshot.coalesced);
    counter!(THROTTLED).absolute(snapshot.throttled);
    counter!(AUTONUMBER_CALLS).absolute(snapshot.autonumber_calls);
    gauge!(UPSTREAM_DOWN_METRIC).set(if state.tracker.upstream_down_since().is_some() { 1.0 } else { 0.0 });
    counter!(OUTAGES_METRIC).absolute(state.tracker.upstream_outages());
}

/// The store's counts; one that fails is left at its last value (and logged), the scrape still answers.
async fn copy_store(state: &HttpState) {
    let now = state.clock.now();
    match state.store.count_active_subscriptions().await {
        Ok(count) => gauge!(ACTIVE_SUBSCRIPTIONS).set(count as f64),
        Err(error) => tracing::warn!(%error, "metrics: counting subscriptions failed"),
    }
    match state.store.count_due(now).await {
        Ok(count) => gauge!(DUE_PARCELS).set(count as f64),
        Err(error) => tracing::warn!(%error, "metrics: counting due parcels failed"),
    }
    match state.store.next_due_at().await {
        Ok(next) => {
            let lag = next.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
            gauge!(WATCHER_LAG).set(lag);
        }
        Err(error) => tracing::warn!(%error, "metrics: reading the next due check failed"),
    }
    match state.store.unsent_notices().await {
        Ok(count) => gauge!(OUTBOX_DEPTH).set(count as f64),
        Err(error) => tracing::warn!(%error, "metrics: counting the outbox failed"),
    }
    match state.store.billed_calls_24h(now).await {
        Ok(count) => gauge!(BILLED_CALLS).set(count as f64),
        Err(error) => tracing::warn!(%error, "metrics: counting billed calls failed"),
    }
}

/// Records each routed request's latency (a route layer, so the route is the matched pattern, never
/// the raw path).
pub async fn track_latency(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned()).unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}
