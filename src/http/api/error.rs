//! The API's refusals: one JSON shape, a stable machine code, a human message and a fitting status.
//!
//! ```json
//! {"error": {"code": "courier_choose", "message": "Number … could belong to: …", "candidates": [...]}}
//! ```
//!
//! `code` is for programs and never changes meaning; `message` is for people, in the asked language,
//! worded as the bot words the same situation (plain text, never HTML). The extras a client needs to go
//! on are beside them: the couriers to pick from, how long to wait, the answer from before when
//! Kuaidi100 fails. Nothing here carries a phone number (only the courier that wants one), a
//! credential, or Kuaidi100's raw message.

use axum::Json;
use axum::http::header::{CACHE_CONTROL, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::couriers::Courier;
use crate::tracking::TrackDocument;

/// Every error code the API answers, by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // 400: the request is wrong, and `message` says how.
    /// The query string could not be read.
    BadQuery,
    NumberEmpty,
    NumberTooShort,
    NumberTooLong,
    NumberBadChars,
    PhoneEmpty,
    PhoneNoDigits,
    PhoneTooShort,
    PhoneMasked,
    PhoneBadChars,
    /// No courier has this name; `suggestions` holds similarly spelled ones.
    CourierUnknown,
    LangInvalid,
    /// A `tz` that is neither a time zone name nor a UTC offset.
    ZoneInvalid,
    LimitInvalid,
    // 401
    Unauthorized,
    // 404
    /// Kuaidi100 has no record of the parcel yet; `next_query_at` says when it may be asked again.
    NoResultYet,
    // 409: pick one of `candidates` and ask again with `courier`.
    /// The courier name given fits several couriers.
    CourierAmbiguous,
    /// The number could belong to several couriers.
    CourierChoose,
    // 422: the request is well formed, but cannot be answered as it is.
    /// The courier cannot be told from the number: name it.
    CourierNotDetected,
    /// Kuaidi100 does not know this courier for the number.
    CourierRejected,
    /// The courier checks the last 4 digits of a phone number (`courier` says which).
    PhoneRequired,
    /// The parcel was just checked with another phone; `next_query_at` says when it may be asked again.
    PhoneMismatch,
    /// Kuaidi100 did not accept the phone digits.
    PhoneRejected,
    // 429
    /// Too many questions from this caller; wait `retry_after` seconds.
    Throttled,
    // 502
    /// Kuaidi100 refuses the bot's queries (an operator problem); `cached` holds the answer from before.
    UpstreamFailed,
    // 503
    /// Kuaidi100 is not answering; `cached` holds the answer from before, if any.
    UpstreamUnavailable,
    /// The bot's database is not available.
    StoreUnavailable,
    /// The deployment's daily Kuaidi100 budget is spent and nothing is known of the parcel yet;
    /// `retry_after` and `next_query_at` say when it may be asked.
    BudgetSpent,
}

/// A courier as the API names it: to pick from, to suggest, or the one that needs a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CourierSummary {
    /// Kuaidi100's courier code, what `courier=` takes.
    #[schema(example = "shunfeng")]
    pub code: &'static str,
    #[schema(example = "顺丰速运")]
    pub name_zh: &'static str,
    #[schema(example = "SF Express")]
    pub name_en: Option<&'static str>,
    /// Queries of this courier need the last 4 digits of the sender's or recipient's phone (`phone=`).
    pub needs_phone: bool,
}

impl From<&'static Courier> for CourierSummary {
    fn from(courier: &'static Courier) -> Self {
        Self {
            code: courier.code,
            name_zh: courier.name_zh,
            name_en: courier.name_en,
            needs_phone: courier.needs_phone,
        }
    }
}

/// The body of every refusal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

/// What went wrong, and what the client needs to go on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// For people, in the asked language; plain text.
    pub message: String,
    /// `courier_ambiguous`, `courier_choose`: the couriers to pick from, most likely first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<CourierSummary>>,
    /// `courier_unknown`: couriers spelled like the name given (may be empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<CourierSummary>>,
    /// `phone_required`, `phone_rejected`: the courier that checks the phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courier: Option<CourierSummary>,
    /// `throttled`, `upstream_unavailable`: seconds to wait (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `no_result_yet`, `phone_mismatch`: when the parcel may be asked about again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_query_at: Option<DateTime<Utc>>,
    /// `upstream_failed`, `upstream_unavailable`: the answer from before Kuaidi100 failed, its
    /// `freshness` `stale`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached: Option<TrackDocument>,
}

/// A refusal on its way out (the detail boxed: refusals travel in `Result`s of every step).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: Box<ErrorDetail>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            detail: Box::new(ErrorDetail {
                code,
                message: message.into(),
                candidates: None,
                suggestions: None,
                courier: None,
                retry_after: None,
                next_query_at: None,
                cached: None,
            }),
        }
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn with_candidates(mut self, couriers: &[&'static Courier]) -> Self {
        self.detail.candidates = Some(couriers.iter().copied().map(CourierSummary::from).collect());
        self
    }

    pub fn with_suggestions(mut self, couriers: &[&'static Courier]) -> Self {
        self.detail.suggestions = Some(couriers.iter().copied().map(CourierSummary::from).collect());
        self
    }

    pub fn with_courier(mut self, courier: &'static Courier) -> Self {
        self.detail.courier = Some(CourierSummary::from(courier));
        self
    }

    /// Seconds to wait, rounded up, at least 1.
    pub fn with_retry_after(mut self, wait: std::time::Duration) -> Self {
        self.detail.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        self
    }

    pub fn with_next_query_at(mut self, at: DateTime<Utc>) -> Self {
        self.detail.next_query_at = Some(at);
        self
    }

    pub fn with_cached(mut self, document: Option<TrackDocument>) -> Self {
        self.detail.cached = document;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.detail.retry_after;
        let unauthorized = self.detail.code == ErrorCode::Unauthorized;
        let mut response = (self.status, Json(ErrorResponse { error: *self.detail })).into_response();
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if unauthorized {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"kuaidi-bot\""));
        }
        response
    }
}
