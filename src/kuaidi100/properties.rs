//! Properties of what comes from Kuaidi100 and what is signed for it: the answer parser never panics
//! on any body and reads back every answer it could have been sent, what the answer's fields are read
//! into (times, durations, estimates) never panics either; a push callback with any byte of its
//! `param` or `sign` changed is refused; a signature is always 32 upper-case hex digits.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::push::{Salt, parse_push, sign_push, verify_push};
use super::response::{
    Answer, PredictedNode, QueryResult, RouteInfo, RoutePoint, TraceLine, beijing_time, duration, parse_answer,
};
use super::sign::{callback_sign, query_sign, signatures_match};
use crate::properties::{any_text, config, messy_text};

/// A string field as the types write it: absent (`None`) or non-blank text.
fn field() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(messy_text(6).prop_filter("not blank", |text| !text.trim().is_empty()))
}

fn text() -> impl Strategy<Value = String> {
    messy_text(8)
}

fn trace_line() -> impl Strategy<Value = TraceLine> {
    ((text(), text(), any_text()), (field(), field(), field(), field()), (field(), field(), field())).prop_map(
        |(
            (time, ftime, context),
            (status, status_code, area_code, area_name),
            (area_center, location, area_pinyin),
        )| {
            TraceLine {
                time,
                ftime,
                context,
                status,
                status_code,
                area_code,
                area_name,
                area_center,
                location,
                area_pinyin,
            }
        },
    )
}

fn route_point() -> impl Strategy<Value = Option<RoutePoint>> {
    proptest::option::of((field(), field()).prop_map(|(number, name)| RoutePoint { number, name }))
}

fn node() -> impl Strategy<Value = PredictedNode> {
    ((field(), field(), field(), field()), (field(), field(), field(), field())).prop_map(
        |((arrive_time, leave_time, province, city), (district, name, state, kind))| PredictedNode {
            arrive_time,
            leave_time,
            province,
            city,
            district,
            name,
            state,
            kind,
        },
    )
}

/// Any answer the types can hold, as the simulator would write it.
fn query_result() -> impl Strategy<Value = QueryResult> {
    (
        (text(), text(), text(), field(), text(), text(), "[A-Z0-9]{1,32}"),
        proptest::collection::vec(trace_line(), 0..8),
        proptest::option::of((route_point(), route_point(), route_point()).prop_map(|(from, cur, to)| RouteInfo {
            from,
            cur,
            to,
        })),
        (proptest::option::of(any::<bool>()), field(), field(), field(), proptest::collection::vec(node(), 0..4)),
    )
        .prop_map(
            |(
                (message, state, status, condition, ischeck, com, nu),
                data,
                route_info,
                (is_loop, arrival_time, total_time, remain_time, predicted_route),
            )| QueryResult {
                message,
                state,
                status,
                condition,
                ischeck,
                com,
                nu,
                data,
                route_info,
                is_loop,
                arrival_time,
                total_time,
                remain_time,
                predicted_route,
            },
        )
}

/// Everything a caller reads out of an answer, which must not panic whatever it holds.
fn read_everything(result: &QueryResult) {
    let answered_at = Utc.timestamp_opt(1_790_000_000, 0).unwrap();
    let _ = (result.is_signed(), result.is_finished());
    if let Some(estimate) = result.estimate() {
        let _ = estimate.expected_at(answered_at);
    }
    for node in &result.predicted_route {
        let _ = (node.stage(), node.arrives(), node.leaves());
    }
    for line in &result.data {
        let _ = (line.when(), line.place(), beijing_time(line.when()));
    }
}

/// Arbitrary JSON, nested a little.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        messy_text(6).prop_map(serde_json::Value::from),
    ];
    let keys = proptest::sample::select(
        &[
            "data",
            "nu",
            "state",
            "returnCode",
            "message",
            "com",
            "ischeck",
            "time",
            "ftime",
            "context",
            "arrivalTime",
            "remainTime",
            "totalTime",
            "predictedRoute",
            "routeInfo",
            "status",
            "lastResult",
            "comOld",
            "comNew",
            "x",
        ][..],
    );
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::vec((keys.clone(), inner), 0..8).prop_map(|pairs| serde_json::Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn the_answer_parser_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let body = String::from_utf8_lossy(&bytes);
        if let Ok(Answer::Result(result)) = parse_answer(&body) {
            read_everything(&result);
        }
    }

    #[test]
    fn the_answer_parser_never_panics_on_json(value in json()) {
        if let Ok(Answer::Result(result)) = parse_answer(&value.to_string()) {
            read_everything(&result);
        }
        let _ = parse_push(&value.to_string());
    }

}

proptest! {
    // Whole answers of up to 8 lines of any text: fewer cases.
    #![proptest_config(config(96))]

    #[test]
    fn an_answer_reads_back_as_written(result in query_result()) {
        let written = serde_json::to_string(&result).expect("serializable");
        prop_assert_eq!(parse_answer(&written), Ok(Answer::Result(Box::new(result.clone()))));
        read_everything(&result);
    }

    #[test]
    fn durations_and_times_never_panic(text in prop_oneof![any_text(), "([0-9]{1,24}(\\.[0-9]{1,3})?(天|小时|时|分钟|分)){1,4}"]) {
        if let Some(duration) = duration(&text) {
            prop_assert!(duration >= chrono::Duration::zero() && duration <= chrono::Duration::days(365), "{:?}", text);
        }
        let _ = beijing_time(&text);
    }

    #[test]
    fn a_signature_is_32_upper_case_hex_digits(param in any_text(), key in any_text(), customer in any_text()) {
        for sign in [query_sign(&param, &key, &customer), callback_sign(&param, &key)] {
            prop_assert_eq!(sign.len(), 32);
            prop_assert!(sign.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{}", sign);
            prop_assert!(signatures_match(&sign, &sign.to_ascii_lowercase()));
        }
    }

    #[test]
    fn a_push_with_a_changed_byte_is_refused(
        result in query_result(),
        salt in "[A-Za-z0-9]{1,32}",
        at in any::<prop::sample::Index>(),
        flip in 1..=255u8,
        in_sign in any::<bool>(),
    ) {
        let param = serde_json::json!({"status": "polling", "message": "", "lastResult": result}).to_string();
        let salt = Salt::new(salt);
        let sign = sign_push(&param, &salt);
        prop_assert!(verify_push(&param, Some(&sign), &salt).is_ok() || parse_push(&param).is_err());
        let (target, other) = if in_sign { (sign.clone(), param.clone()) } else { (param.clone(), sign.clone()) };
        let mut bytes = target.into_bytes();
        let index = at.index(bytes.len());
        bytes[index] ^= flip;
        // A changed byte may break UTF-8; the HTTP form decoder would have made it U+FFFD.
        let changed = String::from_utf8_lossy(&bytes).into_owned();
        let (param, sign) = if in_sign { (other, changed) } else { (changed, other) };
        // Only a change of the hex digits' case leaves the sign as good as it was.
        let same = in_sign && sign.eq_ignore_ascii_case(&sign_push(&param, &salt));
        if !same {
            prop_assert!(verify_push(&param, Some(&sign), &salt).is_err(), "{:?} / {:?}", param, sign);
        }
    }
}

#[test]
fn the_documented_signature_vectors_hold() {
    // The vectors of the API document (also in `sign.rs`'s tests): the property above covers the rest.
    let param = r#"{"com":"yuantong","num":"YT9693083639795","phone":"","from":"","to":"","resultv2":"4","show":"0","order":"desc"}"#;
    assert_eq!(
        query_sign(param, "abcdEFGH1234", "0123456789ABCDEF0123456789ABCDEF"),
        "FBAAD0EAE45CC64F2765069DBF144CBF"
    );
    let push = r#"{"status":"polling","billstatus":"got","message":"","lastResult":{"message":"ok","nu":"YT9693083639795","ischeck":"0","com":"yuantong","status":"200","state":"0","data":[]}}"#;
    assert_eq!(callback_sign(push, "mySalt_32chars_xxxxxxxxxxxxxxxxx"), "9A2AB057AD601F8076F826D975637BE7");
}
