//! The bot's HTTP face: one axum server on `HTTP_ADDR`, beside the Telegram adapter.
//!
//! It answers what an operator (or an orchestrator) asks of a running bot: `GET /healthz` (the
//! process is alive), `GET /readyz` (the store answers, Telegram was reached, the process is not
//! shutting down) and `GET /metrics` (Prometheus text); it takes Kuaidi100's push callbacks
//! (`POST /kuaidi100/push`, handed to `watch/`), serves the tracking page (`GET /`, see [`page`]) and
//! the JSON API (`/api/v1/track`, `/api/v1/couriers`, `/api/openapi.json`, see [`api`]), and mounts
//! Telegram's webhook from the Telegram adapter. Every route has a request body limit and a timeout,
//! and nothing here reveals configuration or secrets. Like every adapter it knows only the layers
//! below it (the chat's wording, the store, the tracker) and nothing of teloxide; `app/` binds the listener, owns
//! the [`Readiness`], and runs [`serve`] as a sibling task of the bot, stopping it last so that
//! `/readyz` can say "shutting down" while the other tasks finish.

mod accept_language;
pub mod api;
mod metrics;
pub mod page;
mod push;
mod readiness;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use api::{Api, ApiConfig, ApiToken, TrustedProxies};
pub use metrics::{METRIC_NAMES, install_recorder};
pub use page::BotUsername;
pub use push::PUSH_PATH;
pub use readiness::Readiness;

use crate::clock::SharedClock;
use crate::kuaidi100::Lang;
use crate::store::Store;
use crate::tracking::Tracker;
use crate::watch::PushIntake;

/// Largest request body accepted on any route; larger ones get 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may take; slower ones get 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `/readyz` waits for the store's answer.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What the routes read.
#[derive(Clone)]
pub struct HttpState {
    pub store: Store,
    pub tracker: Tracker,
    pub clock: SharedClock,
    pub readiness: Readiness,
    /// Kuaidi100's pushes, in push and hybrid mode.
    pub push: Option<PushIntake>,
    /// No Kuaidi100 credentials: the simulator answers, and the page says "sandbox data".
    pub sandbox: bool,
    /// `DEFAULT_LANG`: the page's language when the browser names neither Chinese nor English.
    pub default_lang: Lang,
    /// The bot's username for the page's "open in Telegram" link, once `getMe` told it.
    pub bot_username: BotUsername,
    /// The JSON API's configuration and OpenAPI document.
    pub api: Arc<Api>,
}

/// The routes and their layers; `extra` holds routes other adapters own (Telegram's webhook), which
/// get the same body limit, timeout and latency metric.
pub fn router(state: HttpState, extra: Router) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::scrape))
        .route(PUSH_PATH, post(push::callback))
        .merge(page::routes())
        .merge(api::routes())
        .with_state(state)
        .merge(extra)
        .route_layer(axum::middleware::from_fn(metrics::track_latency))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
}

/// Serves [`router`] on `listener` until `stop` is cancelled.
pub async fn serve(
    listener: TcpListener,
    state: HttpState,
    extra: Router,
    stop: CancellationToken,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "HTTP server listening on {addr}");
    }
    // The peer's address reaches the handlers (the page and the API tell their callers apart by it).
    let app = router(state, extra).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await }).await?;
    tracing::info!("HTTP server stopped");
    Ok(())
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    let plain = [(CONTENT_TYPE, "text/plain; charset=utf-8")];
    if state.readiness.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, plain, "shutting down");
    }
    match tokio::time::timeout(PING_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the store does not answer");
            return (StatusCode::SERVICE_UNAVAILABLE, plain, "store unreachable");
        }
        Err(_) => {
            tracing::warn!("readiness: the store did not answer in time");
            return (StatusCode::SERVICE_UNAVAILABLE, plain, "store unreachable");
        }
    }
    if !state.readiness.is_telegram_reached() {
        return (StatusCode::SERVICE_UNAVAILABLE, plain, "telegram not reached yet");
    }
    (StatusCode::OK, plain, "ok")
}
