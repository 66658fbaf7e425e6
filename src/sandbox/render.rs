//! A timeline → the JSON document Kuaidi100 would answer, shaped by the request's `resultv2`, `order`
//! and `lang`.
//!
//! The answer is built from the crate's own response types ([`QueryResult`], [`TraceLine`]), whose
//! `None` fields are left out when serialized, so each `resultv2` level only has to decide which fields
//! to fill:
//!
//! | `resultv2` | per line | top level |
//! |---|---|---|
//! | empty / `0` | `time`, `ftime`, `context` | `state` = basic code |
//! | `1` | + `status` (basic state name), `areaCode`, `areaName` | `state` = basic code |
//! | `4` | + `status` (advanced name), `statusCode`, `location`, `areaCenter`, `areaPinYin` | `state` = advanced code, `routeInfo`, `isLoop: false` |
//! | `8` | as `4` | as `4`, + `arrivalTime`, `totalTime`, `remainTime`, `predictedRoute` while the parcel is on its way, when the request gave `to` (`estimate.rs`) |
//!
//! `lang=en` switches the trajectory text and the state names to English; area names stay Chinese, as
//! Kuaidi100 keeps them (the pinyin is there for readers of Latin script).

use chrono::{DateTime, Utc};

use super::cities::City;
use super::parcel::{Event, Parcel};
use crate::kuaidi100::param::{Lang, ReceivedParam, ResultV2};
use crate::kuaidi100::response::{QueryResult, RouteInfo, RoutePoint, TraceLine};
use crate::kuaidi100::state::{Family, lookup};

/// How the request asked for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub resultv2: ResultV2,
    pub newest_first: bool,
    pub lang: Lang,
    /// The request named a destination (`to`): Kuaidi100 estimates only then.
    pub destination_given: bool,
}

impl Options {
    /// Reads the request leniently, as Kuaidi100 does: an unknown `resultv2` is off, anything but `asc`
    /// is newest first, anything but English is Chinese.
    pub fn from_param(param: &ReceivedParam) -> Self {
        Options {
            resultv2: ResultV2::from_param(&param.resultv2).unwrap_or(ResultV2::Off),
            newest_first: !param.order.trim().eq_ignore_ascii_case("asc"),
            lang: Lang::parse(&param.lang).unwrap_or(Lang::Zh),
            destination_given: !param.to.trim().is_empty(),
        }
    }
}

fn family(code: &str) -> Family {
    lookup(code).map_or(Family::InTransit, |state| state.family)
}

fn state_name(code: &str, lang: Lang) -> String {
    lookup(code).map_or_else(|| code.to_owned(), |state| state.name(lang.as_str()).to_owned())
}

fn point(event: &Event) -> RoutePoint {
    RoutePoint { number: Some(City::area_code(event.district)), name: Some(event.city.area_name(event.district)) }
}

fn line(event: &Event, options: Options) -> TraceLine {
    let time = event.beijing_time();
    let mut line = TraceLine {
        time: time.clone(),
        ftime: time,
        context: event.context(options.lang == Lang::En).to_owned(),
        status: None,
        status_code: None,
        area_code: None,
        area_name: None,
        area_center: None,
        location: None,
        area_pinyin: None,
    };
    if options.resultv2 == ResultV2::Off {
        return line;
    }
    line.area_code = Some(City::area_code(event.district));
    line.area_name = Some(event.city.area_name(event.district));
    if options.resultv2 == ResultV2::Areas {
        line.status = Some(state_name(family(event.code).code(), options.lang));
        return line;
    }
    line.status = Some(state_name(event.code, options.lang));
    line.status_code = Some(event.code.to_owned());
    line.location = Some(event.city.location(event.district));
    line.area_center = Some(City::area_center(event.district));
    line.area_pinyin = Some(event.district.pinyin.to_owned());
    line
}

/// The answer for `parcel` at simulated time `now`; `com` and `nu` echo the request.
pub fn render(com: &str, nu: &str, parcel: &Parcel, now: DateTime<Utc>, options: Options) -> QueryResult {
    let shown = parcel.revealed(now);
    let (Some(oldest), Some(newest)) = (shown.first(), shown.last()) else {
        // A generated parcel always has events; an empty one would read as "no result yet".
        return QueryResult {
            message: "ok".to_owned(),
            state: "0".to_owned(),
            status: "200".to_owned(),
            condition: None,
            ischeck: "0".to_owned(),
            com: com.to_owned(),
            nu: nu.to_owned(),
            data: Vec::new(),
            route_info: None,
            is_loop: None,
            ..QueryResult::default()
        };
    };
    let newest_family = family(newest.code);
    let mut data: Vec<TraceLine> = shown.iter().map(|event| line(event, options)).collect();
    if options.newest_first {
        data.reverse();
    }
    let advanced = options.resultv2.is_advanced();
    let estimate = (options.resultv2 == ResultV2::Estimate && options.destination_given)
        .then(|| super::estimate::estimate(com, nu, parcel, now))
        .flatten();
    let (arrival_time, total_time, remain_time, predicted_route) = match estimate {
        Some(written) => {
            (Some(written.arrival_time), Some(written.total_time), Some(written.remain_time), written.predicted_route)
        }
        None => (None, None, None, Vec::new()),
    };
    QueryResult {
        message: "ok".to_owned(),
        state: if advanced { newest.code.to_owned() } else { newest_family.code().to_owned() },
        status: "200".to_owned(),
        condition: Some(if newest_family.is_terminal() { "F00" } else { "00" }.to_owned()),
        ischeck: if newest_family == Family::Delivered { "1" } else { "0" }.to_owned(),
        com: com.to_owned(),
        nu: nu.to_owned(),
        data,
        route_info: advanced.then(|| RouteInfo {
            from: Some(point(oldest)),
            cur: Some(point(newest)),
            to: parcel.events.last().map(point),
        }),
        is_loop: advanced.then_some(false),
        arrival_time,
        total_time,
        remain_time,
        predicted_route,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use serde_json::Value;

    use super::*;

    fn anchor() -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    fn options(resultv2: ResultV2, newest_first: bool, lang: Lang) -> Options {
        Options { resultv2, newest_first, lang, destination_given: false }
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        keys.sort();
        keys
    }

    fn json(result: &QueryResult) -> Value {
        serde_json::to_value(result).unwrap_or(Value::Null)
    }

    /// A delivered parcel (…9), so that every line is shown.
    fn delivered() -> Parcel {
        Parcel::generate("yuantong", "YT9693083639799", anchor())
    }

    #[test]
    fn resultv2_off_gives_only_time_and_text() {
        let answer = json(&render(
            "yuantong",
            "YT9693083639799",
            &delivered(),
            anchor(),
            options(ResultV2::Off, true, Lang::Zh),
        ));
        for line in answer["data"].as_array().into_iter().flatten() {
            assert_eq!(keys(line), ["context", "ftime", "time"]);
        }
        assert!(answer.get("routeInfo").is_none() && answer.get("isLoop").is_none());
        assert_eq!(keys(&answer), ["com", "condition", "data", "ischeck", "message", "nu", "state", "status"]);
    }

    #[test]
    fn resultv2_one_adds_areas_and_basic_state_names() {
        let parcel = delivered();
        let answer =
            render("yuantong", "YT9693083639799", &parcel, anchor(), options(ResultV2::Areas, false, Lang::Zh));
        let value = json(&answer);
        for line in value["data"].as_array().into_iter().flatten() {
            assert_eq!(keys(line), ["areaCode", "areaName", "context", "ftime", "status", "time"]);
        }
        let basic_names = ["在途", "揽收", "疑难", "签收", "退签", "派件", "退回", "转投", "清关"];
        assert!(answer.data.iter().all(|l| l.status.as_deref().is_some_and(|s| basic_names.contains(&s))));
        assert_eq!(answer.data[0].status.as_deref(), Some("揽收"), "oldest first with asc");
        assert!(value.get("routeInfo").is_none());
        assert_eq!(answer.state.len(), 1, "basic code: {}", answer.state);
    }

    #[test]
    fn resultv2_four_adds_the_advanced_fields_and_route() {
        let parcel = delivered();
        let answer =
            render("yuantong", "YT9693083639799", &parcel, anchor(), options(ResultV2::Advanced, true, Lang::Zh));
        let value = json(&answer);
        for line in value["data"].as_array().into_iter().flatten() {
            let expected = [
                "areaCenter",
                "areaCode",
                "areaName",
                "areaPinYin",
                "context",
                "ftime",
                "location",
                "status",
                "statusCode",
                "time",
            ];
            assert_eq!(keys(line), expected);
        }
        let newest = &parcel.events[parcel.events.len() - 1];
        assert_eq!(answer.state, newest.code, "advanced code of the newest line");
        assert_eq!(answer.data[0].status_code.as_deref(), Some(newest.code), "newest first by default");
        assert_eq!(value["isLoop"], Value::Bool(false));
        let route = answer.route_info.clone().unwrap_or_default();
        assert_eq!(route.from.and_then(|p| p.number), answer.data.last().and_then(|l| l.area_code.clone()));
        assert_eq!(route.cur.and_then(|p| p.number), answer.data[0].area_code.clone());
        assert!(route.to.is_some());
        let family = lookup(newest.code).map(|s| s.family);
        assert_eq!(answer.is_signed(), family == Some(Family::Delivered));
        let finished = family.is_some_and(Family::is_terminal);
        assert_eq!(answer.condition.as_deref(), Some(if finished { "F00" } else { "00" }), "{:?}", parcel.ending);
    }

    #[test]
    fn english_text_and_state_names() {
        let parcel = delivered();
        let answer =
            render("yuantong", "YT9693083639799", &parcel, anchor(), options(ResultV2::Advanced, true, Lang::En));
        assert!(answer.data.iter().all(|l| l.context.is_ascii()), "{:?}", answer.data);
        assert!(answer.data.iter().all(|l| l.status.as_deref().is_some_and(str::is_ascii)));
        assert_eq!(answer.data.last().and_then(|l| l.status.clone()).as_deref(), Some("Picked up"));
        assert!(
            answer.data.iter().all(|l| l.area_name.as_deref().is_some_and(|n| !n.is_ascii())),
            "areas stay Chinese"
        );
    }

    #[test]
    fn only_past_events_are_shown_and_the_state_follows_them() {
        let parcel = Parcel::generate("yuantong", "YT9693083639790", anchor());
        let early = render("yuantong", "x", &parcel, anchor(), options(ResultV2::Off, true, Lang::Zh));
        assert_eq!(early.data.len(), 1);
        assert_eq!((early.state.as_str(), early.ischeck.as_str(), early.condition.as_deref()), ("1", "0", Some("00")));
        let later =
            render("yuantong", "x", &parcel, anchor() + Duration::days(10), options(ResultV2::Off, true, Lang::Zh));
        assert_eq!(later.data.len(), parcel.events.len());
        assert_eq!(later.data[0].time, parcel.events[parcel.events.len() - 1].beijing_time());
    }

    #[test]
    fn resultv2_eight_with_a_destination_adds_an_estimate_while_on_the_way() {
        let parcel = Parcel::generate("yuantong", "YT9693083639790", anchor());
        let estimate = Options { destination_given: true, ..options(ResultV2::Estimate, true, Lang::Zh) };
        let on_the_way = render("yuantong", "YT9693083639790", &parcel, anchor(), estimate);
        assert!(on_the_way.estimate().is_some() && !on_the_way.predicted_route.is_empty());
        assert!(on_the_way.route_info.is_some(), "8 is 4 plus the estimate");
        let no_to =
            render("yuantong", "YT9693083639790", &parcel, anchor(), options(ResultV2::Estimate, true, Lang::Zh));
        assert_eq!((no_to.arrival_time, no_to.predicted_route.len()), (None, 0), "no `to`, no estimate");
        let done = render("yuantong", "YT9693083639790", &parcel, anchor() + Duration::days(30), estimate);
        assert_eq!((done.arrival_time, done.remain_time), (None, None), "none once at the door");
    }

    #[test]
    fn options_are_read_leniently() {
        let param =
            ReceivedParam { resultv2: "8".into(), order: "ASC".into(), lang: "en".into(), ..Default::default() };
        assert_eq!(Options::from_param(&param), options(ResultV2::Estimate, false, Lang::En));
        let with_to = ReceivedParam { resultv2: "8".into(), to: "北京市".into(), ..Default::default() };
        assert!(Options::from_param(&with_to).destination_given);
        let odd =
            ReceivedParam { resultv2: "7".into(), order: "sideways".into(), lang: "fr".into(), ..Default::default() };
        assert_eq!(Options::from_param(&odd), options(ResultV2::Off, true, Lang::Zh));
    }
}
