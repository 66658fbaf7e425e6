//! What the page shows, as data for its template (`templates/page.html`), and the template itself.
//!
//! The handlers decide *what* to show (an [`Outcome`]); this file turns a tracker answer into the
//! rows of a timeline and holds the askama template, which is checked at compile time against these
//! types and escapes every value it prints. Nothing here is marked safe: upstream text (trajectory
//! lines, places) and what the visitor typed reach the HTML only through askama's escaping.

use std::sync::LazyLock;

use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::chat::words::{self, page::PageWords};
use crate::couriers::{Courier, directory};
use crate::kuaidi100::{Family, Lang, QueryResult, TraceLine, state};
use crate::tracking::Tracked;
use crate::zone::Zone;

/// How many couriers the number form suggests (the most used ones; any other is still accepted).
pub const SUGGESTED_COURIERS: usize = 60;

/// The zones the form suggests: where buyers from Chinese shops often live (any other IANA name or
/// offset is accepted too).
pub const ZONE_CHOICES: [&str; 12] = [
    "Asia/Shanghai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "UTC",
    "UTC+1",
    "UTC-5",
];

/// The whole page.
#[derive(Template)]
#[template(path = "page.html")]
pub struct PageTemplate<'a> {
    /// `zh-CN` or `en`, for `<html lang>`.
    pub html_lang: &'static str,
    pub words: &'a PageWords,
    pub css_href: &'a str,
    pub js_href: &'a str,
    pub sandbox: bool,
    /// The same page in the other language.
    pub switch_href: String,
    /// `zh` or `en`: the other language, for the switch link's `lang` and `hreflang`.
    pub switch_lang: &'static str,
    /// The language asked for with `?lang=`, kept in the form so that the answer stays in it.
    pub lang_param: Option<&'static str>,
    /// The zone asked for with `tz` (as typed), kept in the forms; empty for Beijing time.
    pub zone_param: String,
    /// The zone the times are shown in, named (`Beijing time`, `Europe/Berlin`), beside every time.
    pub zone_name: String,
    /// "All times are …", above the timeline.
    pub zone_note: String,
    /// Zones offered in the form's `<datalist>`.
    pub zone_choices: &'static [&'static str],
    /// What the visitor typed, shown again in the form.
    pub number: String,
    pub courier: String,
    pub suggestions: &'a [Suggestion],
    pub outcome: Outcome,
}

/// What the page answers below the form.
pub enum Outcome {
    /// Nothing asked yet.
    Empty,
    /// A line saying what is wrong, and nothing else.
    Problem(String),
    /// Several couriers could be meant or could carry the number: pick one.
    Choose(Choice),
    /// The courier checks a phone: ask for its last 4 digits (again, after a wrong one).
    AskPhone(PhonePrompt),
    /// What is known of the parcel.
    Parcel(ParcelView),
}

/// A line and the couriers to pick from, each a link to the page asking with that courier.
pub struct Choice {
    pub message: String,
    pub options: Vec<Link>,
}

pub struct Link {
    pub label: String,
    pub href: String,
}

/// The phone form: it POSTs, so the digits never land in a URL, the history or a permalink.
pub struct PhonePrompt {
    pub message: String,
    /// Why the digits given were not enough (wrong format, not the phone the parcel was checked with).
    pub error: Option<String>,
    pub number: String,
    pub courier_code: &'static str,
    pub share: Share,
}

/// How to pass the parcel on: the permalink (never with a phone) and the bot, when its name is known.
pub struct Share {
    pub permalink: String,
    pub telegram: Option<String>,
}

/// A parcel's header, its state and its timeline.
pub struct ParcelView {
    pub courier_name: &'static str,
    pub courier_code: &'static str,
    pub number: String,
    /// `None` when Kuaidi100 has nothing yet (then `notice` says so).
    pub badge: Option<Badge>,
    pub freshness: String,
    pub next_update: String,
    pub notice: Option<String>,
    pub lines: Vec<LineView>,
    pub share: Share,
}

/// The state badge: its text and the family that colours it.
pub struct Badge {
    pub label: String,
    pub family: &'static str,
}

/// One trajectory line.
pub struct LineView {
    /// `2026-11-29 10:59`: Kuaidi100's Beijing time in the page's zone, to the minute.
    pub shown_time: String,
    /// `2026-11-29T03:59:00+01:00` for `<time datetime>` (the same instant, the zone's offset), when
    /// the time could be read.
    pub machine_time: Option<String>,
    pub place: Option<String>,
    pub text: String,
    pub family: &'static str,
}

/// One courier of the form's suggestion list.
pub struct Suggestion {
    pub code: &'static str,
    pub label: String,
}

static SUGGESTIONS: LazyLock<[Vec<Suggestion>; 2]> =
    LazyLock::new(|| [suggestions_in(Lang::Zh), suggestions_in(Lang::En)]);

/// The most used couriers, named in `lang`, for the courier field's `<datalist>`.
pub fn suggestions(lang: Lang) -> &'static [Suggestion] {
    let [zh, en] = &*SUGGESTIONS;
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn suggestions_in(lang: Lang) -> Vec<Suggestion> {
    directory()
        .search("", SUGGESTED_COURIERS)
        .into_iter()
        .map(|courier| Suggestion { code: courier.code, label: courier.name(lang.as_str()).to_owned() })
        .collect()
}

/// The view of a parcel Kuaidi100 answered for.
pub fn parcel(
    tracked: &Tracked,
    result: &QueryResult,
    now: DateTime<Utc>,
    sandbox: bool,
    lang: Lang,
    zone: &Zone,
    share: Share,
) -> ParcelView {
    let mut view = header(tracked, now, sandbox, lang, zone, share);
    view.badge = Some(Badge { label: words::state_label(&result.state, lang), family: family_of(&result.state) });
    if result.data.is_empty() {
        view.notice = Some(words::parcel::no_lines(lang));
    }
    view.lines = result.data.iter().map(|trace| line(trace, tracked.answer_lang, lang, zone)).collect();
    view
}

/// The view of a parcel Kuaidi100 has nothing for yet.
pub fn no_result(
    tracked: &Tracked,
    now: DateTime<Utc>,
    sandbox: bool,
    lang: Lang,
    zone: &Zone,
    share: Share,
) -> ParcelView {
    let mut view = header(tracked, now, sandbox, lang, zone, share);
    view.notice = Some(words::parcel::no_result(lang));
    view
}

fn header(tracked: &Tracked, now: DateTime<Utc>, sandbox: bool, lang: Lang, zone: &Zone, share: Share) -> ParcelView {
    let courier: &'static Courier = tracked.courier;
    ParcelView {
        courier_name: courier.name(lang.as_str()),
        courier_code: courier.code,
        number: tracked.number.clone(),
        badge: None,
        freshness: words::freshness(tracked, now, sandbox, lang, zone),
        next_update: words::next_update(tracked, lang, zone),
        notice: None,
        lines: Vec::new(),
        share,
    }
}

/// Kuaidi100's lines come newest first, and the page keeps that order; place and text are in the
/// page's language (`translate`), times in its zone.
fn line(line: &TraceLine, written_in: Option<Lang>, lang: Lang, zone: &Zone) -> LineView {
    let shown = crate::translate::line(line, written_in, lang);
    let written = line.when();
    let local = NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|wall| crate::zone::from_beijing_wall(&wall, zone));
    LineView {
        shown_time: local.map(|time| time.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| written.to_owned()),
        machine_time: local.map(|time| time.format("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        text: words::parcel::shown_context(&shown, lang),
        place: shown.place,
        family: line.status_code.as_deref().map_or("none", family_of),
    }
}

/// The CSS class of a state code's family (`none` for a code the state table does not know).
fn family_of(code: &str) -> &'static str {
    match state::lookup(code).map(|state| state.family) {
        Some(Family::PickedUp) => "picked-up",
        Some(Family::InTransit) => "in-transit",
        Some(Family::OutForDelivery) => "out-for-delivery",
        Some(Family::Delivered) => "delivered",
        Some(Family::Returning | Family::Returned) => "returned",
        Some(Family::Transferred) => "transferred",
        Some(Family::Problem) => "problem",
        Some(Family::Customs) => "customs",
        None => "none",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::chat::words::page::page_words;
    use crate::tracking::{Freshness, Report};

    /// A result whose every upstream text tries to break out of the HTML.
    fn crafted_result() -> QueryResult {
        let line = |time: &str, context: &str, place: Option<&str>, code: &str| TraceLine {
            time: time.to_owned(),
            ftime: time.to_owned(),
            context: context.to_owned(),
            status: None,
            status_code: Some(code.to_owned()),
            area_code: None,
            area_name: place.map(str::to_owned),
            area_center: None,
            location: None,
            area_pinyin: None,
        };
        QueryResult {
            message: "ok".into(),
            state: "5".into(),
            status: "200".into(),
            condition: None,
            ischeck: "0".into(),
            com: "yuantong".into(),
            nu: "YT9693083639795".into(),
            data: vec![
                line("2026-11-29 10:59:00", "<script>alert('x')</script> & \"派送中\"", Some("北京<b>顺义</b>"), "5"),
                line("2026-11-28 08:00:00", "<img src=https://evil.example/x.png>", None, "1"),
            ],
            route_info: None,
            is_loop: None,
            ..QueryResult::default()
        }
    }

    fn render(outcome: Outcome, sandbox: bool, lang: Lang) -> String {
        render_in(outcome, sandbox, lang, Zone::Beijing)
    }

    fn render_in(outcome: Outcome, sandbox: bool, lang: Lang, zone: Zone) -> String {
        let words = page_words(lang);
        let page = PageTemplate {
            html_lang: if lang == Lang::Zh { "zh-CN" } else { "en" },
            words: &words,
            css_href: "/page.css?v=1",
            js_href: "/page.js?v=1",
            sandbox,
            switch_href: "/?lang=en".into(),
            switch_lang: "en",
            lang_param: None,
            zone_param: String::new(),
            zone_name: words::zone::name(&zone, lang),
            zone_note: words::page::zone_note(&zone, lang),
            zone_choices: &ZONE_CHOICES,
            number: "<typed>".into(),
            courier: "\"><script>".into(),
            suggestions: suggestions(lang),
            outcome,
        };
        page.render().expect("the template renders")
    }

    fn tracked(result: QueryResult) -> Tracked {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).single().expect("a time");
        Tracked {
            courier: directory().get("yuantong").expect("yuantong"),
            number: "YT9693083639795".into(),
            report: Report::Answer { result: Arc::new(result), freshness: Freshness::Fresh },
            fresh: true,
            answered_at: Some(at),
            queried_at: Some(at),
            next_query_at: at + chrono::Duration::minutes(30),
            daily_cap_reached: false,
            budget_spent_until: None,
            last_answer: None,
            answer_lang: None,
        }
    }

    #[test]
    fn upstream_text_and_typed_text_are_escaped() {
        let result = crafted_result();
        let tracked = tracked(result.clone());
        let share = Share { permalink: "/?number=YT9693083639795&courier=yuantong".into(), telegram: None };
        let view = parcel(&tracked, &result, Utc::now(), false, Lang::Zh, &Zone::Beijing, share);
        let html = render(Outcome::Parcel(view), false, Lang::Zh);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>顺义"), "{html}");
        assert!(!html.contains("<img src=https"), "{html}");
        assert!(!html.contains("\"><script>"), "{html}");
        // askama writes numeric character references.
        assert!(html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;派送中&#34;"), "{html}");
        assert!(html.contains("北京&#60;b&#62;顺义&#60;/b&#62;"), "{html}");
        assert!(html.contains("value=\"&#60;typed&#62;\""), "{html}");
        assert!(html.contains("value=\"&#34;&#62;&#60;script&#62;\""), "{html}");
        assert!(html.contains("/?number=YT9693083639795&#38;courier=yuantong"), "{html}");
    }

    #[test]
    fn the_timeline_keeps_kuaidi100s_order_with_beijing_time() {
        let result = crafted_result();
        let tracked = tracked(result.clone());
        let share = Share { permalink: "/".into(), telegram: Some("https://t.me/kuaidi_test_bot".into()) };
        let html = render(
            Outcome::Parcel(parcel(&tracked, &result, Utc::now(), false, Lang::En, &Zone::Beijing, share)),
            false,
            Lang::En,
        );
        let newest = html.find("datetime=\"2026-11-29T10:59:00+08:00\"").expect("the newest line");
        let older = html.find("datetime=\"2026-11-28T08:00:00+08:00\"").expect("the older line");
        assert!(newest < older, "newest first");
        assert!(html.contains("2026-11-29 10:59</time> <span class=\"tz\">Beijing time</span>"), "{html}");
        assert!(html.contains("class=\"badge out-for-delivery\""), "{html}");
        assert!(html.contains("href=\"https://t.me/kuaidi_test_bot\""), "{html}");
        assert!(
            html.contains("next update possible at 11:30 (Beijing time)")
                || html.contains("11-29 11:30 (Beijing time)"),
            "{html}"
        );
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        assert!(html.contains("All times are Beijing time."), "{html}");
    }

    #[test]
    fn a_chosen_zone_shifts_every_time_and_is_named() {
        let result = crafted_result();
        let tracked = tracked(result.clone());
        let berlin = Zone::parse("Europe/Berlin").expect("a zone");
        let share = Share { permalink: "/".into(), telegram: None };
        let view = parcel(&tracked, &result, Utc::now(), false, Lang::En, &berlin, share);
        let html = render_in(Outcome::Parcel(view), false, Lang::En, berlin);
        assert!(html.contains("datetime=\"2026-11-29T03:59:00+01:00\""), "{html}");
        assert!(html.contains("2026-11-29 03:59</time> <span class=\"tz\">Europe/Berlin</span>"), "{html}");
        assert!(html.contains("All times are Europe/Berlin."), "{html}");
        assert!(html.contains("04:30 (Europe/Berlin)"), "the next update in the zone: {html}");
    }

    #[test]
    fn the_sandbox_banner_shows_in_sandbox_mode_only() {
        let banner = page_words(Lang::En).sandbox_banner;
        assert!(render(Outcome::Empty, true, Lang::En).contains(&banner));
        assert!(!render(Outcome::Empty, false, Lang::En).contains(&banner));
    }
}
