//! A Kuaidi100 answer body, read as the client reads one (UTF-8, lossily), and used as the bot uses
//! one: its estimate and times, the parcel reply in both languages and views, the stored JSON.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use kuaidi_bot::chat::View;
use kuaidi_bot::chat::words::parcel::reply_html;
use kuaidi_bot::couriers::directory;
use kuaidi_bot::kuaidi100::Lang;
use kuaidi_bot::kuaidi100::response::{Answer, QueryResult, beijing_time, parse_answer};
use kuaidi_bot::tracking::{Freshness, Report, Tracked, current_pickup_code};
use kuaidi_bot::zone::Zone;

use crate::assert_sendable;

pub fn one_input(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let Ok(Answer::Result(result)) = parse_answer(&body) else { return };
    read_everything(&result);
    for lang in [Lang::Zh, Lang::En] {
        for view in [View::Latest, View::All] {
            let tracked = tracked(&result);
            assert_sendable(&reply_html(&tracked, &result, view, lang, &Zone::Beijing, now(), false, None), "a parcel reply");
        }
    }
    // The answer is stored as JSON and read back from the store.
    let written = serde_json::to_string(&result).expect("an answer serializes");
    assert_eq!(parse_answer(&written), Ok(Answer::Result(result)), "the stored answer reads back");
}

fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000, 0).single().expect("a time")
}

fn read_everything(result: &QueryResult) {
    let _ = (result.is_signed(), result.is_finished(), current_pickup_code(result));
    if let Some(estimate) = result.estimate() {
        let _ = estimate.expected_at(now());
    }
    for node in &result.predicted_route {
        let _ = (node.stage(), node.arrives(), node.leaves());
    }
    for line in &result.data {
        let _ = (line.place(), beijing_time(line.when()));
    }
}

fn tracked(result: &QueryResult) -> Tracked {
    Tracked {
        courier: directory().get("yuantong").expect("a courier of the table"),
        number: "YT9693083639795".into(),
        report: Report::Answer { result: Arc::new(result.clone()), freshness: Freshness::Fresh },
        fresh: true,
        answered_at: Some(now()),
        queried_at: Some(now()),
        next_query_at: now(),
        daily_cap_reached: false,
        budget_spent_until: None,
        // Read in English, a Chinese answer goes through the translation of its places and lines.
        answer_lang: Some(Lang::Zh),
        last_answer: None,
    }
}
