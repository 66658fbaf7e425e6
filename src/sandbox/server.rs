//! The HTTP face of the simulator: Kuaidi100's routes on axum.
//!
//! | route | answers |
//! |---|---|
//! | `POST /poll/query.do` | a trajectory, or a Kuaidi100 error body |
//! | `GET /poll/query.do` | `500` (Kuaidi100: "没有POST提交") |
//! | `POST /poll` | a push subscription: `{"result":…,"returnCode":"200"/"5xx"/"6xx"/"7xx","message":…}` (`subscribe.rs`) |
//! | `GET /poll` | `500` (a subscription must be POSTed) |
//! | `GET`/`POST /autonumber/auto` | courier guesses for `num`, checked against `key` |
//! | `GET /sandbox/stats` | the query, subscribe and push log ([`super::Stats`]) |
//! | anything else | 404 |
//!
//! A real-time query is checked in the order Kuaidi100 would have to: the form (`customer`, `sign` and
//! `param` all present, form-encoded) → `400`; the signature over the raw `param` → `503`; only then is
//! `param` read (not a JSON object → `400`, no `com`/`num` → `400`), the courier looked up (`400`), an
//! `ERR<code>` number honoured, the number's length checked (6–32 characters, else `500`, "no result";
//! a `NOREC…` number too),
//! and the phone checked (`408`: a courier that needs one got none, or its last four digits are `0000`).
//! Every refusal is HTTP 200 with a Kuaidi100 error body, never a panic and never an HTTP error — unless
//! a test scripted a fault for the number (`faults.rs`: a stall, an HTTP 5xx, HTML, cut JSON…). Queries
//! that pass the signature check are recorded whatever they answer; the others are only logged.
//!
//! A subscription is unsigned; its checks are `subscribe.rs`'s, then the book's (`501` while the parcel
//! is still subscribed). Every subscribe call is counted; those with the right key are billed to their
//! parcel. Pushes themselves leave from `push.rs`, not from here.

use std::collections::HashMap;

use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::Value;

use super::Sandbox;
use super::codes::{self, BAD_PHONE, BAD_SIGNATURE, INCOMPLETE, KEY_EXPIRED, NO_RESULT, OK};
use super::credentials::is_signed_by;
use super::parcel::Parcel;
use super::render::{Options, render};
use super::stats::LockRule;
use super::subscribe;
use crate::couriers::directory;
use crate::kuaidi100::param::ReceivedParam;
use crate::kuaidi100::response::ErrorBody;

/// Builds the router over a shared simulator.
pub fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/poll/query.do", post(query).get(query_without_post))
        .route("/poll", post(subscribe).get(subscribe_without_post))
        .route("/autonumber/auto", get(autonumber).post(autonumber))
        .route("/sandbox/stats", get(stats))
        .fallback(not_found)
        .with_state(sandbox)
}

/// Any JSON body with HTTP 200, which is how Kuaidi100 answers successes and errors alike.
struct Json200<T>(T);

impl<T: Serialize> IntoResponse for Json200<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn refuse(code: &str) -> Response {
    Json200(codes::error(code)).into_response()
}

/// Reads `param` as Kuaidi100 would: a JSON object whose fields may be strings, numbers or missing.
fn read_param(raw: &str) -> Option<ReceivedParam> {
    let Value::Object(object) = serde_json::from_str::<Value>(raw).ok()? else {
        return None;
    };
    let field = |name: &str| match object.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    };
    Some(ReceivedParam {
        com: field("com"),
        num: field("num"),
        phone: field("phone"),
        from: field("from"),
        to: field("to"),
        resultv2: field("resultv2"),
        show: field("show"),
        order: field("order"),
        lang: field("lang"),
    })
}

/// A phone is wrong when its last four digits are `0000`, so that both the full number and the
/// four-digit form of "the wrong phone" are refused; any other phone passes.
fn phone_is_wrong(phone: &str) -> bool {
    let digits: Vec<u8> = phone.bytes().filter(u8::is_ascii_digit).collect();
    digits.len() >= 4 && digits[digits.len() - 4..] == *b"0000"
}

/// What a well-signed query answers, before it is recorded: `Ok` for a trajectory, or an error code.
fn judge(param: Option<&ReceivedParam>) -> Result<(), String> {
    let param = param.ok_or(INCOMPLETE)?;
    let (com, num) = (param.com.trim(), param.num.trim());
    if com.is_empty() || num.is_empty() {
        return Err(INCOMPLETE.to_owned());
    }
    let courier = directory().get(com).ok_or(INCOMPLETE)?;
    if let Some(code) = codes::requested_error(num) {
        return Err(code.to_owned());
    }
    if !(6..=32).contains(&num.chars().count()) || codes::never_recorded(num) {
        return Err(NO_RESULT.to_owned());
    }
    let phone = param.phone.trim();
    if (courier.needs_phone && phone.is_empty()) || phone_is_wrong(phone) {
        return Err(BAD_PHONE.to_owned());
    }
    Ok(())
}

async fn query(State(sandbox): State<Sandbox>, form: Result<Form<HashMap<String, String>>, FormRejection>) -> Response {
    let inner = &sandbox.inner;
    if let Some(latency) = sandbox.latency() {
        tokio::time::sleep(latency).await;
    }
    let Ok(Form(form)) = form else {
        tracing::debug!("sandbox: query without a readable form");
        return refuse(INCOMPLETE);
    };
    let (Some(customer), Some(sign), Some(raw)) = (form.get("customer"), form.get("sign"), form.get("param")) else {
        tracing::debug!("sandbox: query without customer, sign or param");
        return refuse(INCOMPLETE);
    };
    if !is_signed_by(&inner.config.credentials, customer, raw, sign) {
        tracing::warn!("sandbox: signature check failed (wrong customer, key, or param changed after signing)");
        return refuse(BAD_SIGNATURE);
    }
    let now = inner.config.clock.now();
    let rule = LockRule { interval: inner.config.lock_interval, max_per_day: inner.config.lock_max_per_day };
    let param = read_param(raw);
    let parcel = param.as_ref().map(|p| (p.com.as_str(), p.num.as_str()));
    let forced = sandbox.forced_error();
    let fault = param.as_ref().filter(|_| forced.is_none()).and_then(|p| sandbox.fault(&p.num));
    let verdict = match (forced, &fault) {
        (Some(code), _) => Err(code),
        (None, Some(fault)) if !fault.needs_answer() => Err(fault.recorded_code().to_owned()),
        (None, _) => judge(param.as_ref()),
    };
    let (code, ok) = match &verdict {
        Ok(()) => (OK, true),
        Err(code) => (code.as_str(), false),
    };
    let recorded = inner.ledger.record(parcel, now, code, rule, ok);
    if recorded.violation {
        tracing::warn!(com = ?parcel.map(|p| p.0), "sandbox: lock rule broken (query too soon or too many today)");
    }
    match (verdict, param, recorded.anchor) {
        (Ok(()), Some(param), Some(anchor)) => {
            let timeline = Parcel::generate(&param.com, &param.num, anchor);
            let answer = render(&param.com, &param.num, &timeline, now, Options::from_param(&param));
            match fault {
                Some(fault) => fault.respond(serde_json::to_string(&answer).ok()).await,
                None => Json200(answer).into_response(),
            }
        }
        (Err(code), _, _) => match fault {
            Some(fault) => fault.respond(None).await,
            None => refuse(&code),
        },
        // A trajectory is always anchored; answer "busy" rather than panic if that ever fails.
        _ => refuse("502"),
    }
}

async fn query_without_post() -> Response {
    refuse(NO_RESULT)
}

/// `POST /poll`: judge the request, then let the book take it (or answer `501`).
async fn subscribe(
    State(sandbox): State<Sandbox>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let inner = &sandbox.inner;
    let form = form.map(|Form(form)| form).unwrap_or_default();
    let request = subscribe::read(form.get("schema").map(String::as_str), form.get("param").map(String::as_str));
    let key = inner.config.credentials.key();
    let now = inner.config.clock.now();
    let verdict = subscribe::judge(request.as_ref(), key)
        .and_then(|accepted| inner.pushes.subscribe(accepted, now, &inner.ledger).map_err(str::to_owned));
    let code = match &verdict {
        Ok(()) => subscribe::SUBSCRIBED,
        Err(code) => code.as_str(),
    };
    // Billed to the parcel when the key was right; with `autoCom` and no company, to the detected one.
    let billed = request.as_ref().filter(|r| !r.key.is_empty() && r.key == key).map(|r| {
        let com = match r.company.as_str() {
            "" => directory().guess_by_number(&r.number).first().map_or("", |c| c.code),
            company => company,
        };
        (com.to_owned(), r.number.clone())
    });
    inner.ledger.record_subscribe(billed.as_ref().map(|(com, num)| (com.as_str(), num.as_str())), code);
    if code != subscribe::SUBSCRIBED {
        tracing::debug!(code, "sandbox: subscription refused");
    }
    Json200(subscribe::answer(code)).into_response()
}

async fn subscribe_without_post() -> Response {
    Json200(subscribe::answer(subscribe::MALFORMED)).into_response()
}

/// One courier guess, as Kuaidi100's auto-detection writes it.
#[derive(Debug, Serialize)]
struct Guess {
    #[serde(rename = "comCode")]
    com_code: &'static str,
    #[serde(rename = "lengthPre")]
    length_pre: usize,
    name: &'static str,
    #[serde(rename = "noCount")]
    no_count: u64,
}

/// `num` and `key` from the query string or the form (the form wins). A wrong or missing key answers
/// `601` ("key已过期"), as Kuaidi100's auto-detection does for an account that may not use it; an empty
/// or unrecognisable number answers `[]`. Only calls with the right key are counted.
async fn autonumber(
    State(sandbox): State<Sandbox>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let mut fields = query.map(|Query(q)| q).unwrap_or_default();
    fields.extend(form.map(|Form(f)| f).unwrap_or_default());
    let key = fields.get("key").map_or("", |k| k.trim());
    if key.is_empty() || key != sandbox.inner.config.credentials.key() {
        return refuse(KEY_EXPIRED);
    }
    sandbox.inner.ledger.record_autonumber();
    let num = fields.get("num").map_or("", |n| n.trim());
    let guesses: Vec<Guess> = directory()
        .guess_by_number(num)
        .into_iter()
        .enumerate()
        .map(|(rank, courier)| Guess {
            com_code: courier.code,
            length_pre: num.chars().count(),
            name: courier.name_zh,
            no_count: 10_000 / (rank as u64 + 1),
        })
        .collect();
    Json200(guesses).into_response()
}

async fn stats(State(sandbox): State<Sandbox>) -> Response {
    Json200(sandbox.stats()).into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, axum::Json(ErrorBody::new("404", "not found"))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_fields_may_be_numbers_or_missing() {
        let param = read_param(r#"{"com":"yuantong","num":12345678,"resultv2":4,"extra":[1]}"#);
        let param = param.unwrap_or_default();
        assert_eq!((param.com.as_str(), param.num.as_str(), param.resultv2.as_str()), ("yuantong", "12345678", "4"));
        assert_eq!(param.phone, "");
        assert_eq!(read_param("[1,2]"), None);
        assert_eq!(read_param("com=yuantong"), None);
        assert_eq!(read_param(""), None);
    }

    #[test]
    fn the_wrong_phone_is_0000_in_either_form() {
        assert!(phone_is_wrong("0000"));
        assert!(phone_is_wrong("138-1234-0000"));
        assert!(!phone_is_wrong("5678"));
        assert!(!phone_is_wrong("13812345678"));
        assert!(!phone_is_wrong(""));
        assert!(!phone_is_wrong("000"));
    }

    fn param(com: &str, num: &str, phone: &str) -> ReceivedParam {
        ReceivedParam { com: com.into(), num: num.into(), phone: phone.into(), ..Default::default() }
    }

    #[test]
    fn judging_follows_kuaidi100s_codes() {
        assert_eq!(judge(None), Err("400".into()));
        assert_eq!(judge(Some(&param("", "YT9693083639795", ""))), Err("400".into()));
        assert_eq!(judge(Some(&param("nosuchcourier", "YT9693083639795", ""))), Err("400".into()));
        assert_eq!(judge(Some(&param("YuanTong", "YT9693083639795", ""))), Ok(()), "code in any case");
        assert_eq!(judge(Some(&param("yuantong", "ERR5010001", ""))), Err("501".into()));
        assert_eq!(judge(Some(&param("shunfeng", "ERR6010001", ""))), Err("601".into()), "before the phone");
        assert_eq!(judge(Some(&param("yuantong", "12345", ""))), Err("500".into()));
        assert_eq!(judge(Some(&param("yuantong", "NOREC0000001", ""))), Err("500".into()), "never a record");
        assert_eq!(judge(Some(&param("yuantong", &"9".repeat(33), ""))), Err("500".into()));
        assert_eq!(judge(Some(&param("shunfeng", "SF1234567890123", ""))), Err("408".into()));
        assert_eq!(judge(Some(&param("shunfeng", "SF1234567890123", "0000"))), Err("408".into()));
        assert_eq!(judge(Some(&param("shunfeng", "SF1234567890123", "5678"))), Ok(()));
        assert_eq!(judge(Some(&param("shunfeng", "SF1234567890123", "13812345678"))), Ok(()));
        assert_eq!(judge(Some(&param("yuantong", "YT9693083639795", "0000"))), Err("408".into()));
    }
}
