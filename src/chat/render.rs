//! The parcel reply: header, freshness, the latest trajectory lines, and its buttons.
//!
//! Everything that came from outside (trajectory text, places) is HTML-escaped here. A reply never
//! exceeds Telegram's 4,096 characters: the full view is cut on a line boundary with a note saying how
//! much was left out. Lengths are counted on the HTML as sent, which is never shorter than what
//! Telegram counts after parsing the tags, so the limit holds with room to spare.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_i18n::t;

use super::callback::{Op, encode};
use super::types::{Button, Reply};
use crate::couriers::Courier;
use crate::describe;
use crate::kuaidi100::{Lang, QueryResult, TraceLine};
use crate::tracking::Tracked;

/// Lines shown before "… N earlier".
pub const COMPACT_LINES: usize = 5;
/// Telegram's limit on a message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Which lines a parcel reply shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Latest,
    All,
}

/// Escapes text for Telegram's HTML mode, which needs exactly `&`, `<` and `>` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A parcel's reply with its buttons.
pub fn parcel_reply(
    tracked: &Tracked,
    result: &QueryResult,
    view: View,
    lang: Lang,
    now: DateTime<Utc>,
    sandbox: bool,
) -> Reply {
    let locale = lang.as_str();
    let mut html = format!(
        "<b>{}</b> · <code>{}</code>\n<b>{}</b>\n<i>{}</i>",
        escape(tracked.courier.name(locale)),
        escape(&tracked.number),
        escape(&describe::state_label(&result.state, lang)),
        escape(&describe::freshness(tracked, now, sandbox, lang)),
    );
    if tracked.daily_cap_reached {
        html += &format!("\n<i>{}</i>", escape(&describe::next_update(tracked, lang)));
    }
    html.push('\n');
    if result.data.is_empty() {
        html += &format!("\n{}", escape(&t!("query.no_lines", locale = locale)));
    }
    let total = result.data.len();
    let wanted = if view == View::All { total } else { total.min(COMPACT_LINES) };
    // Room for the closing note however many lines get cut.
    let budget = MAX_MESSAGE_CHARS - 120;
    let mut used = html.chars().count();
    let mut shown = 0;
    for line in result.data.iter().take(wanted) {
        let block = format!("\n{}", trajectory_line(line));
        let length = block.chars().count();
        if used + length > budget {
            break;
        }
        html += &block;
        used += length;
        shown += 1;
    }
    if shown < wanted {
        html += &format!("\n\n<i>{}</i>", escape(&t!("reply.cut", locale = locale, count = total - shown)));
    } else if shown < total {
        html += &format!("\n\n<i>{}</i>", escape(&t!("reply.earlier", locale = locale, count = total - shown)));
    }

    let (refresh_op, toggle) = match view {
        View::Latest => (
            Op::Refresh,
            (total > COMPACT_LINES).then(|| (Op::ShowAll, t!("button.all", locale = locale, count = total))),
        ),
        View::All => {
            (Op::RefreshAll, (total > COMPACT_LINES).then(|| (Op::ShowLess, t!("button.less", locale = locale))))
        }
    };
    let mut row = vec![Button {
        text: t!("button.refresh", locale = locale).into_owned(),
        data: encode(refresh_op, tracked.courier, &tracked.number),
    }];
    if let Some((op, text)) = toggle {
        row.push(Button { text: text.into_owned(), data: encode(op, tracked.courier, &tracked.number) });
    }
    Reply { html, buttons: vec![row] }
}

/// `<b>11-29 10:59</b> 北京市顺义区` then the text on its own line.
fn trajectory_line(line: &TraceLine) -> String {
    line_block(line.when(), line.place(), &line.context)
}

/// One trajectory line as shown in chats (parcel replies and notifications alike); all escaped.
pub fn line_block(time: &str, place: Option<&str>, context: &str) -> String {
    let short_time = NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S")
        .map(|time| time.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| time.to_owned());
    match place {
        Some(place) => format!("<b>{}</b> {}\n{}", escape(&short_time), escape(place), escape(context)),
        None => format!("<b>{}</b>\n{}", escape(&short_time), escape(context)),
    }
}

/// Adds the 🔔 subscribe or 🔕 unsubscribe button, reflecting whether the chat watches the parcel.
pub fn with_subscription_button(
    mut reply: Reply,
    courier: &Courier,
    number: &str,
    subscribed: bool,
    lang: Lang,
) -> Reply {
    let locale = lang.as_str();
    let button = if subscribed {
        Button {
            text: t!("button.unsubscribe", locale = locale).into_owned(),
            data: encode(Op::Unsubscribe, courier, number),
        }
    } else {
        Button {
            text: t!("button.subscribe", locale = locale).into_owned(),
            data: encode(Op::Subscribe, courier, number),
        }
    };
    match reply.buttons.first_mut() {
        Some(row) => row.push(button),
        None => reply.buttons.push(vec![button]),
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::couriers::directory;
    use crate::tracking::{Freshness, Report};
    use std::sync::Arc;

    fn line(i: usize, context: &str) -> TraceLine {
        TraceLine {
            time: format!("2026-11-{:02} 10:00:00", 1 + i % 28),
            ftime: format!("2026-11-{:02} 10:00:00", 1 + i % 28),
            context: context.to_owned(),
            status: None,
            status_code: None,
            area_code: None,
            area_name: Some("浙江,杭州市,上城区".into()),
            area_center: None,
            location: None,
            area_pinyin: None,
        }
    }

    fn tracked(lines: Vec<TraceLine>) -> (Tracked, QueryResult) {
        let result = QueryResult {
            message: "ok".into(),
            state: "0".into(),
            status: "200".into(),
            condition: None,
            ischeck: "0".into(),
            com: "yuantong".into(),
            nu: "YT9693083639795".into(),
            data: lines,
            route_info: None,
            is_loop: None,
        };
        let tracked = Tracked {
            courier: directory().get("yuantong").expect("yuantong"),
            number: "YT9693083639795".into(),
            report: Report::Answer { result: Arc::new(result.clone()), freshness: Freshness::Fresh },
            fresh: true,
            answered_at: None,
            queried_at: None,
            next_query_at: Utc::now(),
            daily_cap_reached: false,
        };
        (tracked, result)
    }

    #[test]
    fn outside_text_is_escaped() {
        let (tracked, result) = tracked(vec![line(0, "<b>bold</b> & </a> <script>")]);
        let reply = parcel_reply(&tracked, &result, View::Latest, Lang::En, Utc::now(), false);
        assert!(reply.html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/a&gt; &lt;script&gt;"), "{}", reply.html);
        assert!(!reply.html.contains("<script>") && !reply.html.contains("</a>"));
    }

    #[test]
    fn latest_view_shows_five_lines_and_counts_the_rest() {
        let lines = (0..8).map(|i| line(i, &format!("event {i}"))).collect();
        let (tracked, result) = tracked(lines);
        let reply = parcel_reply(&tracked, &result, View::Latest, Lang::En, Utc::now(), true);
        assert!(reply.html.contains("event 4") && !reply.html.contains("event 5"), "{}", reply.html);
        assert!(reply.html.contains("3 earlier"), "{}", reply.html);
        assert!(reply.html.contains("sandbox data"));
        let buttons: Vec<_> = reply.buttons.concat().into_iter().map(|b| b.data).collect();
        assert_eq!(buttons, vec!["r:0:YT9693083639795".to_owned(), "a:0:YT9693083639795".to_owned()]);
        let all = parcel_reply(&tracked, &result, View::All, Lang::Zh, Utc::now(), false);
        assert!(all.html.contains("event 7"));
        assert_eq!(all.buttons[0][1].data, "l:0:YT9693083639795");
    }

    #[test]
    fn sixty_long_lines_stay_under_the_limit_and_say_so() {
        let long = "【杭州市】快件离开【杭州转运中心】已发往【上海浦西转运中心】& <运输中> ".repeat(3);
        let lines = (0..60).map(|i| line(i, &format!("{i} {long}"))).collect();
        let (tracked, result) = tracked(lines);
        for lang in [Lang::Zh, Lang::En] {
            let reply = parcel_reply(&tracked, &result, View::All, lang, Utc::now(), true);
            assert!(reply.html.chars().count() <= MAX_MESSAGE_CHARS, "{}", reply.html.chars().count());
            let note = if lang == Lang::En { "more lines not shown" } else { "条记录未显示" };
            assert!(reply.html.contains(note), "{}", reply.html);
            assert!(reply.html.ends_with("</i>"), "cut on a line boundary");
        }
    }
}
