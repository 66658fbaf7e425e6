//! `GET /api/v1/track?number=…[&courier=…][&phone=…][&lang=zh|en]`: one parcel, through the tracker.
//!
//! The steps are the command line's (`cli/query.rs`) and the chat's: read the number and the phone by
//! `input/`'s rules, resolve the courier by the directory's (`auto` or none = detect it from the
//! number), then ask the tracker as a web caller and turn what it says into a status:
//!
//! | the tracker says | status, `code` |
//! |---|---|
//! | an answer, fresh or cached (or stale after a "no result" from Kuaidi100) | 200, the document |
//! | an answer from before, Kuaidi100 failing now | 503 `upstream_unavailable` / 502 `upstream_failed`, the answer in `cached` |
//! | Kuaidi100 failing, nothing from before | the same, without `cached` |
//! | no result yet | 404 `no_result_yet` |
//! | courier to choose | 409 `courier_choose` (the number) / `courier_ambiguous` (the name), with `candidates` |
//! | phone needed, not the one checked with, not accepted | 422 `phone_required` / `phone_mismatch` / `phone_rejected` |
//! | too many questions | 429 `throttled`, `Retry-After` |

use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ErrorCode, ErrorResponse};
use super::lang;
use crate::chat::words;
use crate::couriers::{Resolution, directory};
use crate::http::HttpState;
use crate::input::{InputError, phone_tail, tracking_number};
use crate::kuaidi100::{Advice, Error, Lang};
use crate::tracking::document::FreshnessLabel;
use crate::tracking::{Asker, Freshness, Report, TrackDocument, TrackError, TrackRequest, Tracked};
use crate::zone::Zone;

/// The query of `GET /api/v1/track`. Everything is read as text, so that each mistake gets its own
/// explanation rather than a generic one.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackParams {
    /// The tracking number: 6–32 letters or digits; spaces and dashes are ignored, case does not matter.
    #[param(required = true, example = "YT9693083639795")]
    pub number: Option<String>,
    /// The courier: a Kuaidi100 code, a Chinese or English name or an alias (`yuantong`, `圆通`, `YTO`);
    /// empty or `auto` to detect it from the number.
    #[param(example = "yuantong")]
    pub courier: Option<String>,
    /// For couriers that check it (SF Express, ZTO, …): the sender's or recipient's phone number; only
    /// its last 4 digits are used, kept or sent.
    #[param(example = "5678")]
    pub phone: Option<String>,
    /// The language of names and messages (else `Accept-Language`, else the bot's default).
    #[param(schema_with = crate::tracking::document::lang_schema)]
    pub lang: Option<String>,
    /// The time zone to give times in as well (`zone`, `next_query_local`, each event's `local_time`):
    /// an IANA name (`Europe/Berlin`) or a UTC offset (`UTC+1`, `+05:30`). Without it the document is
    /// as before: Kuaidi100's Beijing times and UTC.
    #[param(example = "Europe/Berlin")]
    pub tz: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/track",
    tag = "tracking",
    operation_id = "track",
    summary = "Where a parcel is",
    description = "The parcel's state and trajectory through the bot's one gate to Kuaidi100: inside the \
        floor between two queries of a parcel (`QUERY_MIN_INTERVAL`) the answer comes from memory or the \
        database, whoever asked before (the bot, the watcher, another API caller); concurrent questions \
        share one query; the daily cap holds. Each caller is rate limited (`API_RATE_LIMIT`).",
    params(TrackParams),
    responses(
        (status = 200, description = "The parcel: fresh, cached inside the floor, or stale after a \"no result\" from Kuaidi100", body = TrackDocument),
        (status = 400, description = "Bad input: `bad_query`, `number_empty`, `number_too_short`, `number_too_long`, \
            `number_bad_chars`, `phone_empty`, `phone_no_digits`, `phone_too_short`, `phone_masked`, `phone_bad_chars`, \
            `courier_unknown` (with `suggestions`), `lang_invalid`, `zone_invalid`", body = ErrorResponse),
        (status = 404, description = "`no_result_yet`: Kuaidi100 has no record of the parcel yet (`next_query_at`)", body = ErrorResponse),
        (status = 409, description = "A courier to choose: `courier_choose` (the number fits several) or \
            `courier_ambiguous` (the name does), with `candidates`", body = ErrorResponse),
        (status = 422, description = "Cannot be answered as asked: `phone_required`, `phone_mismatch`, `phone_rejected`, \
            `courier_not_detected`, `courier_rejected`", body = ErrorResponse),
        (status = 429, description = "`throttled`: too many questions from this caller", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 502, description = "`upstream_failed`: Kuaidi100 refuses the bot's queries (an operator problem); \
            the answer from before in `cached`, if any", body = ErrorResponse),
        (status = 503, description = "`upstream_unavailable`: Kuaidi100 is not answering, the answer from before in \
            `cached` if any (`Retry-After`: when the parcel may be asked again); `store_unavailable`: the bot's \
            database is down", body = ErrorResponse,
            headers(("Retry-After" = u64, description = "Seconds to wait, for `upstream_unavailable`"))),
    )
)]
pub async fn track(State(state): State<HttpState>, request: Request) -> Response {
    let (request, _) = request.into_parts();
    match answer(&state, &request).await {
        Ok(document) => ([(CACHE_CONTROL, "no-store")], Json(document)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn answer(state: &HttpState, request: &Parts) -> Result<TrackDocument, ApiError> {
    let api = &state.api;
    let fallback = lang::preferred(&request.headers, api.config().default_lang);
    let params = Query::<TrackParams>::try_from_uri(&request.uri).map(|Query(params)| params);
    let lang = match &params {
        Ok(params) => lang::asked(params.lang.as_deref(), fallback).unwrap_or(fallback),
        Err(_) => fallback,
    };
    api.admit(request, lang)?;
    let params = params.map_err(|_| ApiError::bad_request(ErrorCode::BadQuery, words::web::bad_query(lang)))?;
    let lang = lang::asked(params.lang.as_deref(), fallback)?;
    let zone = match params.tz.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(Zone::parse(text).map_err(|_| {
            ApiError::bad_request(ErrorCode::ZoneInvalid, words::web::zone_invalid(&words::echo(text), lang))
        })?),
    };
    let zone_ref = zone.unwrap_or_default();

    let number = tracking_number(params.number.as_deref().unwrap_or_default()).map_err(|e| input_error(&e, lang))?;
    let phone = match params.phone.as_deref().map(str::trim).filter(|phone| !phone.is_empty()) {
        Some(phone) => Some(phone_tail(phone).map_err(|error| input_error(&error, lang))?),
        None => None,
    };
    let courier_text = params.courier.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let courier = match courier_text.filter(|text| !text.eq_ignore_ascii_case("auto")) {
        None => None,
        Some(text) => match directory().resolve(text) {
            Resolution::Found(courier) => Some(courier),
            Resolution::Ambiguous(candidates) => {
                let message = words::errors::ambiguous_courier(text, &candidates, lang);
                return Err(ApiError::new(StatusCode::CONFLICT, ErrorCode::CourierAmbiguous, message)
                    .with_candidates(&candidates));
            }
            Resolution::Unknown { suggestions } => {
                let mut message = words::errors::unknown_courier(text, lang);
                if !suggestions.is_empty() {
                    message = format!("{message} {}", words::errors::did_you_mean(&suggestions, lang));
                }
                return Err(ApiError::bad_request(ErrorCode::CourierUnknown, message).with_suggestions(&suggestions));
            }
        },
    };

    let caller = api.caller(request);
    let request = TrackRequest::new(courier.map(|courier| courier.code), number.clone(), Asker::Web(caller))
        .with_phone(phone)
        .with_lang(lang);
    let tracked =
        state.tracker.track(request).await.map_err(|error| track_error(&error, number.as_str(), lang, &zone_ref))?;
    let sandbox = api.config().sandbox;
    let now = state.clock.now();
    match &tracked.report {
        Report::Answer { result, freshness } => {
            let document = in_zone(TrackDocument::new(&tracked, result, sandbox, lang), zone.as_ref());
            match freshness {
                Freshness::Stale { error, .. } if !error.is_no_result() => {
                    Err(upstream_error(error, &tracked, now, lang).with_cached(Some(document)))
                }
                _ => Ok(document),
            }
        }
        Report::NoResultYet => Err(no_result(&tracked, lang)),
        Report::Failed(error) => {
            let refusal = upstream_error(error, &tracked, now, lang);
            // Kuaidi100 failing (not a refusal of this parcel): the answer from before, marked stale.
            let failing = matches!(error.advice(), Advice::TryLater | Advice::OperatorProblem);
            let cached = tracked.last_answer.as_deref().filter(|_| failing).map(|result| {
                let document = TrackDocument {
                    freshness: FreshnessLabel::Stale,
                    ..TrackDocument::new(&tracked, result, sandbox, lang)
                };
                in_zone(document, zone.as_ref())
            });
            Err(refusal.with_cached(cached))
        }
    }
}

/// The document with its times also in the zone asked for, if one was.
fn in_zone(document: TrackDocument, zone: Option<&Zone>) -> TrackDocument {
    match zone {
        Some(zone) => document.in_zone(zone),
        None => document,
    }
}

/// A refused number or phone: 400, its code the input rule's.
fn input_error(error: &InputError, lang: Lang) -> ApiError {
    let code = match error {
        InputError::NumberEmpty => ErrorCode::NumberEmpty,
        InputError::NumberTooShort { .. } => ErrorCode::NumberTooShort,
        InputError::NumberTooLong { .. } => ErrorCode::NumberTooLong,
        InputError::NumberBadChars { .. } => ErrorCode::NumberBadChars,
        InputError::PhoneEmpty => ErrorCode::PhoneEmpty,
        InputError::PhoneNoDigits => ErrorCode::PhoneNoDigits,
        InputError::PhoneTooShort { .. } => ErrorCode::PhoneTooShort,
        InputError::PhoneMasked => ErrorCode::PhoneMasked,
        InputError::PhoneBadChars { .. } => ErrorCode::PhoneBadChars,
    };
    ApiError::bad_request(code, words::input_error(error, lang))
}

/// What the tracker could not do at all.
fn track_error(error: &TrackError, number: &str, lang: Lang, zone: &Zone) -> ApiError {
    let message = words::track_error(error, number, lang, zone);
    match error {
        TrackError::Throttled { retry_after } => {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::Throttled, message).with_retry_after(*retry_after)
        }
        TrackError::UnknownCourier(_) => ApiError::bad_request(ErrorCode::CourierUnknown, message),
        TrackError::CourierNotDetected => ApiError::unprocessable(ErrorCode::CourierNotDetected, message),
        TrackError::ChooseCourier(candidates) => {
            ApiError::new(StatusCode::CONFLICT, ErrorCode::CourierChoose, message).with_candidates(candidates)
        }
        TrackError::PhoneRequired(courier) => {
            ApiError::unprocessable(ErrorCode::PhoneRequired, message).with_courier(courier)
        }
        TrackError::PhoneMismatch { next_query_at } => {
            ApiError::unprocessable(ErrorCode::PhoneMismatch, message).with_next_query_at(*next_query_at)
        }
        TrackError::BudgetSpent { until } => {
            let wait = (*until - Utc::now()).to_std().unwrap_or_default();
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::BudgetSpent, message)
                .with_retry_after(wait)
                .with_next_query_at(*until)
        }
        TrackError::Store(store_error) => {
            tracing::warn!(error = %store_error, "API: the store failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::StoreUnavailable, message)
        }
    }
}

/// Kuaidi100 has nothing for the parcel yet.
fn no_result(tracked: &Tracked, lang: Lang) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NoResultYet, words::parcel::no_result(lang))
        .with_next_query_at(tracked.next_query_at)
}

/// Kuaidi100's failure, by what the caller can do about it (the bot's advice).
fn upstream_error(error: &Error, tracked: &Tracked, now: DateTime<Utc>, lang: Lang) -> ApiError {
    let message = words::upstream_error(error, lang);
    match error.advice() {
        Advice::CheckCourier => ApiError::unprocessable(ErrorCode::CourierRejected, message),
        Advice::NeedPhone => ApiError::unprocessable(ErrorCode::PhoneRejected, message).with_courier(tracked.courier),
        Advice::NoResultYet => no_result(tracked, lang),
        Advice::TryLater => {
            let wait = (tracked.next_query_at - now).to_std().unwrap_or_default();
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::UpstreamUnavailable, message)
                .with_retry_after(wait)
        }
        Advice::OperatorProblem => ApiError::new(StatusCode::BAD_GATEWAY, ErrorCode::UpstreamFailed, message),
    }
}
