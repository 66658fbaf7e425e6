//! The JSON API: `GET /api/v1/track`, `GET /api/v1/couriers` and its OpenAPI document at
//! `GET /api/openapi.json`.
//!
//! It is another face of the same engine, with no rules of its own about Kuaidi100: a track request
//! goes through the [`Tracker`](crate::tracking::Tracker) exactly as a chat's `/track` does (floor,
//! daily cap, single flight, courier detection, the phone rule), as [`Asker::Web`](crate::tracking::Asker)
//! so that each caller is throttled on `API_RATE_LIMIT` as each chat user is on `USER_RATE_LIMIT`; a
//! parcel the bot was just asked about costs the API nothing, and the other way round. Input is read by
//! the same rules as everywhere (`input/`, `couriers/`), the answer is the command line's
//! [`TrackDocument`](crate::tracking::TrackDocument), and refusals are worded as the bot words them
//! ([`error`]).
//!
//! Who may call ([`access`]): with `API_TOKEN` set, every `/api/v1/` request needs
//! `Authorization: Bearer <token>` (401 otherwise); the OpenAPI document stays public (it holds no
//! secret, and says a token is needed). A caller is its token when one is set, else its address: the
//! TCP peer's, or from `X-Forwarded-For` when the peer is in `TRUSTED_PROXIES`.
//!
//! The OpenAPI document is generated from the handlers and types here ([`openapi`]) once, when the
//! routes are built, for the configuration they run with (the security scheme and the 401s only when a
//! token is set), so it says what this server does.
//!
//! Files: `access.rs` (token, trusted proxies), `error.rs` (the error body and codes), `track.rs`,
//! `couriers.rs`, `lang.rs` (which language a request asks for), `openapi.rs`.

mod access;
mod couriers;
mod error;
mod lang;
mod openapi;
mod track;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::get;

pub use access::{ApiToken, IpNet, TOKEN_MIN_LEN, TrustedProxies};
pub use error::{CourierSummary, ErrorCode, ErrorDetail, ErrorResponse};
pub use openapi::openapi_document;

use self::error::ApiError;
use super::HttpState;
use crate::chat::words;
use crate::kuaidi100::Lang;
use crate::tracking::WebCaller;

pub const TRACK_PATH: &str = "/api/v1/track";
pub const COURIERS_PATH: &str = "/api/v1/couriers";
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// How the API runs: who may call, how callers are told apart, what it says about itself.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `API_TOKEN`; `None` = open to everyone.
    pub token: Option<ApiToken>,
    /// `TRUSTED_PROXIES`.
    pub trusted_proxies: TrustedProxies,
    /// Sandbox mode: every document says so.
    pub sandbox: bool,
    /// `DEFAULT_LANG`: the language when the request names none.
    pub default_lang: Lang,
}

impl ApiConfig {
    /// Open, no proxies, Chinese: what a test or a benchmark starts from.
    pub fn open(sandbox: bool) -> Self {
        Self { token: None, trusted_proxies: TrustedProxies::default(), sandbox, default_lang: Lang::Zh }
    }
}

/// What the API's handlers share: the configuration and its OpenAPI document, serialized once.
#[derive(Debug)]
pub struct Api {
    config: ApiConfig,
    openapi_json: axum::body::Bytes,
}

impl Api {
    pub fn new(config: ApiConfig) -> Arc<Self> {
        let openapi_json = openapi_document(config.token.is_some()).to_json().unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document could not be serialized");
            "{}".to_owned()
        });
        Arc::new(Self { config, openapi_json: openapi_json.into() })
    }

    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// `Ok` when the request may use `/api/v1/`: no token is set, or it carries the token.
    fn admit(&self, request: &Parts, lang: Lang) -> Result<(), ApiError> {
        let Some(token) = &self.config.token else { return Ok(()) };
        let presented = request.headers.get_all(AUTHORIZATION).iter().filter_map(|value| value.to_str().ok());
        let mut accepted = false;
        for value in presented {
            // No early exit: every header is compared, so that the time says nothing either.
            accepted |= token.accepts_header(value);
        }
        if accepted {
            Ok(())
        } else {
            Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                words::web::unauthorized(lang),
            ))
        }
    }

    /// Who is calling, for the throttle: the token's holder, else the client's address.
    fn caller(&self, request: &Parts) -> WebCaller {
        if self.config.token.is_some() {
            return WebCaller::TokenHolder;
        }
        // A router served without connect info (some benchmarks) has no peer: one shared budget.
        let peer = request
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.visitor(peer, &request.headers)
    }

    /// A caller known by address only (the tracking page's visitors, and API callers when no token is
    /// set): the TCP peer, or behind a trusted proxy the client it names in `X-Forwarded-For`.
    pub fn visitor(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> WebCaller {
        let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok());
        WebCaller::address(self.config.trusted_proxies.client_address(peer, forwarded))
    }
}

/// The API's routes, for [`super::router`].
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route(TRACK_PATH, get(track::track))
        .route(COURIERS_PATH, get(couriers::couriers))
        .route(OPENAPI_PATH, get(openapi::serve))
}
