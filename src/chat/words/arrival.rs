//! The lines a parcel reply and a notification add under the state: the pickup code to collect the
//! parcel with (`🔑 取件码 6-3-1024 · 文三路菜鸟驿站`), and when it should arrive — Kuaidi100's estimate
//! (`⏱ 预计 12月3日 18:00（北京时间）送达`, in the reader's zone) or, without one, how long it has been on its way
//! (`🗓 已在途 3 天`, counted from the first trajectory line).
//!
//! They live apart from the reply and notice layouts (`parcel.rs`, `notices.rs`) so that each layout
//! adds them with one call and stays easy to change. Which code is current is decided in
//! `tracking::pickup`; these functions only phrase. Everything from outside is escaped; a place
//! name never shows a whole phone number ([`masked_place`]).

use chrono::{DateTime, Duration, Utc};
use rust_i18n::t;

use super::escape;
use crate::kuaidi100::{Lang, QueryResult, response};
use crate::tracking::{PickupCode, current_pickup_code, masked_place, pickup_code};
use crate::watch::Notice;
use crate::zone::Zone;

/// `<b>🔑 取件码 6-3-1024 · 文三路菜鸟驿站</b>`. HTML.
pub fn pickup_html(code: &PickupCode, lang: Lang) -> String {
    let locale = lang.as_str();
    let place = code.place.as_deref().map(|place| crate::translate::place_name(place, lang));
    let text = match place.as_deref().map(masked_place) {
        Some(place) => t!("pickup.code_at", locale = locale, code = code.code, place = place),
        None => t!("pickup.code", locale = locale, code = code.code),
    };
    format!("<b>{}</b>", escape(&text))
}

/// A time as the estimate lines write it, in `zone` (not named): `12月3日 18:00`, `Dec 3, 18:00`.
/// Plain text.
pub fn estimate_time(at: DateTime<Utc>, lang: Lang, zone: &Zone) -> String {
    let format = t!("estimate.time_format", locale = lang.as_str());
    zone.local(at).format(&format).to_string()
}

/// `⏱ 预计 12月3日 18:00（北京时间）送达`, or with the estimate it replaces, the zone named once. HTML.
pub fn expected_html(at: DateTime<Utc>, was: Option<DateTime<Utc>>, lang: Lang, zone: &Zone) -> String {
    let locale = lang.as_str();
    let time = super::zone::with_name(&estimate_time(at, lang, zone), zone, lang);
    let text = match was {
        Some(was) => t!("estimate.changed", locale = locale, time = time, was = estimate_time(was, lang, zone)),
        None => t!("estimate.expected", locale = locale, time = time),
    };
    escape(&text)
}

/// `🗓 已在途 3 天` (whole days; hours during the first day). HTML.
pub fn in_transit_html(since: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let locale = lang.as_str();
    let span = (now - since).max(Duration::zero());
    let text = match span.num_days() {
        0 => t!("estimate.in_transit_hours", locale = locale, count = span.num_hours().max(1)),
        1 => t!("estimate.in_transit_day", locale = locale),
        days => t!("estimate.in_transit_days", locale = locale, count = days),
    };
    escape(&text)
}

/// When the parcel's first trajectory line happened (lines may come in either order).
fn first_line_at(result: &QueryResult) -> Option<DateTime<Utc>> {
    result.data.iter().filter_map(|line| response::beijing_time(line.when())).min()
}

/// The arrival Kuaidi100 expects for the parcel of `result`, answered at `answered_at`.
pub fn expected_at(result: &QueryResult, answered_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    result.estimate()?.expected_at(answered_at)
}

/// The lines a parcel reply shows under its state: the current pickup code, then the estimate, or
/// days in transit for a parcel still on its way without one (not for one waiting at a locker or
/// station: it has arrived). Each entry is one line of HTML.
pub fn reply_lines(
    result: &QueryResult,
    answered_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    lang: Lang,
    zone: &Zone,
) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(code) = current_pickup_code(result) {
        lines.push(pickup_html(&code, lang));
    }
    if result.is_finished() {
        return lines;
    }
    match expected_at(result, answered_at.unwrap_or(now)) {
        Some(at) => lines.push(expected_html(at, None, lang, zone)),
        None if !matches!(result.state.as_str(), "501" | "205") => {
            if let Some(since) = first_line_at(result) {
                lines.push(in_transit_html(since, now, lang));
            }
        }
        None => {}
    }
    lines
}

/// The lines a notification adds under its state: the pickup code its newest new line gives (the
/// push that says the parcel reached a locker or station), and the estimate it carries — neither in
/// a closing notice. HTML.
pub fn notice_lines(notice: &Notice, lang: Lang, zone: &Zone) -> Vec<String> {
    let mut lines = Vec::new();
    if !notice.kind.ends_watching()
        && let Some(code) = notice.new_lines.iter().find_map(|line| pickup_code(&line.context))
    {
        lines.push(pickup_html(&code, lang));
    }
    // A closing notice ends watching: an estimate there would promise what nobody follows any more.
    if let Some(at) = notice.expected_at.filter(|_| !notice.kind.ends_watching()) {
        lines.push(expected_html(at, notice.previous_expected_at, lang, zone));
    }
    lines
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .expect("a time")
    }

    #[test]
    fn pickup_codes_are_bold_with_their_place_in_both_languages() {
        let code = PickupCode { code: "6-3-1024".into(), place: Some("文三路<菜鸟驿站>".into()) };
        assert_eq!(pickup_html(&code, Lang::Zh), "<b>🔑 取件码 6-3-1024 · 文三路&lt;菜鸟驿站&gt;</b>");
        // English readers get the place romanized (`translate::place_name`), escaped all the same.
        assert_eq!(
            pickup_html(&code, Lang::En),
            "<b>🔑 Pickup code 6-3-1024 at Wensan Rd &lt; Cainiao Station &gt;</b>"
        );
        let bare = PickupCode { code: "B3021".into(), place: None };
        assert_eq!(pickup_html(&bare, Lang::En), "<b>🔑 Pickup code B3021</b>");
        let phone = PickupCode { code: "B3021".into(), place: Some("驿站13812345678".into()) };
        assert_eq!(pickup_html(&phone, Lang::Zh), "<b>🔑 取件码 B3021 · 驿站138****5678</b>");
    }

    #[test]
    fn estimates_are_in_the_readers_zone_in_both_languages() {
        let eta = at(2026, 12, 3, 18);
        let beijing = &Zone::Beijing;
        assert_eq!(expected_html(eta, None, Lang::Zh, beijing), "⏱ 预计 12月3日 18:00（北京时间）送达");
        assert_eq!(expected_html(eta, None, Lang::En, beijing), "⏱ Expected Dec 3, 18:00 (Beijing time)");
        let was = at(2026, 12, 2, 20);
        assert_eq!(
            expected_html(eta, Some(was), Lang::En, beijing),
            "⏱ New estimate: expected Dec 3, 18:00 (Beijing time), was Dec 2, 20:00"
        );
        assert!(expected_html(eta, Some(was), Lang::Zh, beijing).contains("此前为 12月2日 20:00"));
        let berlin = &Zone::parse("Europe/Berlin").expect("a zone");
        assert_eq!(expected_html(eta, None, Lang::En, berlin), "⏱ Expected Dec 3, 11:00 (Europe/Berlin)");
    }

    #[test]
    fn days_in_transit_count_whole_days_and_hours_on_the_first() {
        let since = at(2026, 12, 1, 9);
        assert_eq!(in_transit_html(since, since + Duration::hours(5), Lang::En), "🗓 In transit for 5 h");
        assert_eq!(in_transit_html(since, since + Duration::minutes(5), Lang::Zh), "🗓 已在途 1 小时");
        assert_eq!(in_transit_html(since, since + Duration::hours(30), Lang::En), "🗓 In transit for 1 day");
        assert_eq!(in_transit_html(since, since + Duration::hours(75), Lang::Zh), "🗓 已在途 3 天");
    }

    fn result(json: serde_json::Value) -> QueryResult {
        serde_json::from_value(json).expect("a result")
    }

    #[test]
    fn a_reply_shows_the_estimate_else_days_in_transit_and_nothing_once_finished() {
        let now = at(2026, 12, 2, 12);
        let lines = serde_json::json!([
            {"time": "2026-12-02 08:00:00", "context": "到达【杭州转运中心】"},
            {"time": "2026-11-29 10:00:00", "context": "已揽收"}
        ]);
        let with_eta = result(serde_json::json!({"state": "0", "data": lines, "arrivalTime": "2026-12-03 18:00:00"}));
        assert_eq!(
            reply_lines(&with_eta, Some(now), now, Lang::Zh, &Zone::Beijing),
            vec!["⏱ 预计 12月3日 18:00（北京时间）送达"]
        );
        let remaining = result(serde_json::json!({"state": "0", "data": lines, "remainTime": "30"}));
        assert_eq!(
            reply_lines(&remaining, Some(now), now, Lang::En, &Zone::Beijing),
            vec!["⏱ Expected Dec 3, 18:00 (Beijing time)"]
        );
        let without = result(serde_json::json!({"state": "0", "data": lines}));
        assert_eq!(reply_lines(&without, Some(now), now, Lang::En, &Zone::Beijing), vec!["🗓 In transit for 3 days"]);
        let done = result(serde_json::json!({"state": "3", "ischeck": "1", "data": lines}));
        assert!(reply_lines(&done, Some(now), now, Lang::En, &Zone::Beijing).is_empty());
        let at_station = result(serde_json::json!({"state": "501", "data": [
            {"time": "2026-12-02 10:00:00", "context": "您的快件已到达【文三路菜鸟驿站】，请凭取件码6-3-1024及时取件"}
        ]}));
        assert_eq!(
            reply_lines(&at_station, Some(now), now, Lang::En, &Zone::Beijing),
            vec!["<b>🔑 Pickup code 6-3-1024 at Cainiao Station, Wensan Rd</b>"]
        );
    }
}
