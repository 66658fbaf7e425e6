//! `GET /api/v1/couriers?q=…[&limit=…]`: courier suggestions for a form, best first.
//!
//! The directory's generous search (`couriers/search.rs`, the bot's `/couriers`): what `/track` would
//! resolve the text to comes first, then names that are, start with or contain it, then similar
//! spellings; empty text lists the most used couriers. It costs no upstream query, so it is not
//! rate limited; it does need the token when one is set.

use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, CourierSummary, ErrorCode, ErrorResponse};
use super::lang;
use crate::chat::words;
use crate::couriers::directory;
use crate::http::HttpState;

/// Suggestions given when `limit` is not.
pub const DEFAULT_LIMIT: usize = 10;
/// Most suggestions one request may ask for.
pub const MAX_LIMIT: usize = 50;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CouriersParams {
    /// What the person typed so far: a code, a Chinese or English name or an alias, or a part of one.
    #[param(example = "顺丰")]
    pub q: Option<String>,
    /// How many suggestions, 1–50 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50, example = 5)]
    pub limit: Option<String>,
    /// The language of error messages (else `Accept-Language`, else the bot's default).
    #[param(schema_with = crate::tracking::document::lang_schema)]
    pub lang: Option<String>,
}

/// Couriers matching the text, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourierList {
    pub couriers: Vec<CourierSummary>,
}

#[utoipa::path(
    get,
    path = "/api/v1/couriers",
    tag = "couriers",
    operation_id = "couriers",
    summary = "Courier suggestions",
    description = "Couriers whose code or name matches `q`, best first: what `/api/v1/track` would resolve \
        `q` to comes first. Empty `q` lists the most used couriers. Costs no Kuaidi100 query.",
    params(CouriersParams),
    responses(
        (status = 200, description = "The couriers, best first (possibly none)", body = CourierList),
        (status = 400, description = "`bad_query`, `limit_invalid`, `lang_invalid`", body = ErrorResponse),
    )
)]
pub async fn couriers(State(state): State<HttpState>, request: Request) -> Response {
    let (request, _) = request.into_parts();
    let api = &state.api;
    let fallback = lang::preferred(&request.headers, api.config().default_lang);
    let params = Query::<CouriersParams>::try_from_uri(&request.uri).map(|Query(params)| params);
    let lang = match &params {
        Ok(params) => lang::asked(params.lang.as_deref(), fallback).unwrap_or(fallback),
        Err(_) => fallback,
    };
    let listed = api.admit(&request, lang).and_then(|()| {
        let params = params.map_err(|_| ApiError::bad_request(ErrorCode::BadQuery, words::web::bad_query(lang)))?;
        lang::asked(params.lang.as_deref(), fallback)?;
        let limit = match params.limit.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(text) => text.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::LimitInvalid,
                    words::web::limit_invalid(&words::echo(text), MAX_LIMIT, lang),
                )
            })?,
        };
        let text = params.q.unwrap_or_default();
        let couriers = directory().search(&text, limit).into_iter().map(CourierSummary::from).collect();
        Ok(CourierList { couriers })
    });
    match listed {
        Ok(list) => ([(CACHE_CONTROL, "no-store")], Json(list)).into_response(),
        Err(error) => error.into_response(),
    }
}
