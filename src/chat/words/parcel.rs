//! A parcel as people read it: the reply's text (header, state, freshness, the latest trajectory lines
//! and the note on what was left out), a state's name, how old an answer is, when the next may come.
//!
//! A reply never exceeds Telegram's 4,096 characters: the full view is cut on a line boundary with a
//! note saying how much was left out. Lengths are counted on the HTML as sent, which is never shorter
//! than what Telegram counts after parsing the tags, so the limit holds with room to spare. The command
//! line prints the same parcel with the plain-text pieces of this file.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Asia::Shanghai;
use rust_i18n::t;

use super::{escape, labelled_header};
use crate::chat::view::{COMPACT_LINES, MAX_MESSAGE_CHARS, View};
use crate::kuaidi100::{Family, Lang, QueryResult, TraceLine, state};
use crate::tracking::{Freshness, Report, Tracked};
use crate::translate::{self, Shown};

/// Room kept for the closing note, however many lines get cut.
const NOTE_ROOM: usize = 120;

/// The text of a parcel reply (its buttons come from `keyboards::parcel`), with the chat's `label` for
/// the parcel under the header. HTML.
pub fn reply_html(
    tracked: &Tracked,
    result: &QueryResult,
    view: View,
    lang: Lang,
    now: DateTime<Utc>,
    sandbox: bool,
    label: Option<&str>,
) -> String {
    let locale = lang.as_str();
    let mut html = format!(
        "{}\n<b>{}</b>\n<i>{}</i>",
        labelled_header(tracked.courier.name(locale), &tracked.number, label),
        escape(&state_label(&result.state, lang)),
        escape(&freshness(tracked, now, sandbox, lang)),
    );
    if tracked.daily_cap_reached {
        html += &format!("\n<i>{}</i>", escape(&next_update(tracked, lang)));
    }
    for line in super::arrival::reply_lines(result, tracked.answered_at, now, lang) {
        html += &format!("\n{line}");
    }
    html.push('\n');
    if result.data.is_empty() {
        html += &format!("\n{}", escape(&no_lines(lang)));
    }
    let total = result.data.len();
    let wanted = if view == View::All { total } else { total.min(COMPACT_LINES) };
    let budget = MAX_MESSAGE_CHARS - NOTE_ROOM;
    let mut used = html.chars().count();
    let mut shown = 0;
    for line in result.data.iter().take(wanted) {
        let block = format!("\n{}", trajectory_line(line, tracked.answer_lang, lang));
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
    html
}

/// The reply about a parcel Kuaidi100 has nothing for yet: what that means and when to look again. HTML.
pub fn no_result_html(tracked: &Tracked, lang: Lang, label: Option<&str>) -> String {
    format!(
        "{}\n{}\n<i>{}</i>",
        labelled_header(tracked.courier.name(lang.as_str()), &tracked.number, label),
        escape(&no_result(lang)),
        escape(&next_update(tracked, lang))
    )
}

/// `<b>11-29 10:59</b> 北京市顺义区` then the text on its own line, place and text in the reader's
/// language (the answer was fetched in `written_in`). HTML.
pub fn trajectory_line(line: &TraceLine, written_in: Option<Lang>, lang: Lang) -> String {
    shown_block(line.when(), &translate::line(line, written_in, lang), lang)
}

/// A line as [`translate`] rendered it, in the chats' layout. HTML.
pub fn shown_block(time: &str, shown: &Shown, lang: Lang) -> String {
    line_block(time, shown.place.as_deref(), &shown_context(shown, lang))
}

/// A line's text as shown: translated, or as received with `(original)` after it when no phrase
/// covered it. Plain text.
pub fn shown_context(shown: &Shown, lang: Lang) -> String {
    if shown.original {
        format!("{} {}", shown.context, t!("reply.original", locale = lang.as_str()))
    } else {
        shown.context.clone()
    }
}

/// One trajectory line as shown in chats (parcel replies and notifications alike). HTML.
pub fn line_block(time: &str, place: Option<&str>, context: &str) -> String {
    let short_time = NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S")
        .map(|time| time.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| time.to_owned());
    match place {
        Some(place) => format!("<b>{}</b> {}\n{}", escape(&short_time), escape(place), escape(context)),
        None => format!("<b>{}</b>\n{}", escape(&short_time), escape(context)),
    }
}

/// "updated 3 min ago", "could not refresh, showing data from 14:05", with the sandbox note. Plain text.
pub fn freshness(tracked: &Tracked, now: DateTime<Utc>, sandbox: bool, lang: Lang) -> String {
    let locale = lang.as_str();
    let mut parts = Vec::new();
    if let Report::Answer { freshness, .. } = &tracked.report {
        parts.push(match freshness {
            Freshness::Fresh => t!("freshness.fresh", locale = locale),
            Freshness::Cached { fetched_at } => {
                let minutes = (now - *fetched_at).num_minutes().max(0);
                if minutes == 0 {
                    t!("freshness.cached_recent", locale = locale)
                } else {
                    t!("freshness.cached", locale = locale, minutes = minutes)
                }
            }
            Freshness::Stale { fetched_at, .. } => {
                t!("freshness.stale", locale = locale, time = beijing_time(*fetched_at))
            }
        });
    }
    if sandbox {
        parts.push(t!("freshness.sandbox", locale = locale));
    }
    parts.join(" · ")
}

/// "sandbox data", the note every sandbox answer carries. Plain text.
pub fn sandbox_note(lang: Lang) -> String {
    t!("freshness.sandbox", locale = lang.as_str()).into_owned()
}

/// When the next update may come, mentioning the daily cap when that is what holds it back. Plain text.
pub fn next_update(tracked: &Tracked, lang: Lang) -> String {
    let time = beijing_time(tracked.next_query_at);
    let key = if tracked.daily_cap_reached { "freshness.daily_cap" } else { "freshness.next" };
    t!(key, locale = lang.as_str(), time = time).into_owned()
}

/// Kuaidi100 has no trajectory for the number yet. Plain text.
pub fn no_result(lang: Lang) -> String {
    t!("error.no_result", locale = lang.as_str()).into_owned()
}

/// A parcel answered with no trajectory line. Plain text.
pub fn no_lines(lang: Lang) -> String {
    t!("query.no_lines", locale = lang.as_str()).into_owned()
}

/// A state's name in the language, with an emoji for its family; unknown codes are shown as they are.
/// Plain text.
pub fn state_label(code: &str, lang: Lang) -> String {
    match state::lookup(code) {
        Some(state) => format!("{} {}", family_emoji(state.family), state.name(lang.as_str())),
        None => format!("❔ {code}"),
    }
}

pub fn family_emoji(family: Family) -> &'static str {
    match family {
        Family::PickedUp => "📦",
        Family::InTransit => "🚚",
        Family::OutForDelivery => "🛵",
        Family::Delivered => "✅",
        Family::Returning | Family::Returned => "↩️",
        Family::Transferred => "🔁",
        Family::Problem => "⚠️",
        Family::Customs => "🛃",
    }
}

/// `MM-DD HH:MM` in Beijing time, or just `HH:MM` when it is today there.
pub fn beijing_time(time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&Shanghai);
    if local.date_naive() == Utc::now().with_timezone(&Shanghai).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%m-%d %H:%M").to_string()
    }
}

/// "State", the caption of the command line's state line. Plain text.
pub fn state_caption(lang: Lang) -> String {
    t!("query.state", locale = lang.as_str()).into_owned()
}

/// The command line's warning that the built-in simulator answers. Plain text.
pub fn sandbox_mode(lang: Lang) -> String {
    t!("query.sandbox_mode", locale = lang.as_str()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_shortened_to_minutes_and_escaped() {
        let block = line_block("2026-11-29 10:59:00", Some("北京 & <顺义>"), "<b>签收</b>");
        assert_eq!(block, "<b>11-29 10:59</b> 北京 &amp; &lt;顺义&gt;\n&lt;b&gt;签收&lt;/b&gt;");
        assert_eq!(line_block("yesterday", None, "x"), "<b>yesterday</b>\nx");
    }

    #[test]
    fn states_have_names_and_unknown_codes_show_as_they_are() {
        assert_eq!(state_label("5", Lang::En), "🛵 Out for delivery");
        assert_eq!(state_label("99999", Lang::Zh), "❔ 99999");
    }
}
