//! A parcel as people read it: the reply's text (header, state, freshness, the latest trajectory lines
//! and the note on what was left out), a state's name, how old an answer is, when the next may come.
//!
//! A reply never exceeds Telegram's 4,096 characters: the full view is cut on a line boundary with a
//! note saying how much was left out. Lengths are counted as Telegram counts them (UTF-16 code units,
//! `view::telegram_len`) on the HTML as sent, which is never shorter than what Telegram counts after
//! parsing the tags, so the limit holds with room to spare. The command
//! line prints the same parcel with the plain-text pieces of this file.

use chrono::{DateTime, Utc};
use rust_i18n::t;

use super::{escape, labelled_header};
use crate::chat::view::{COMPACT_LINES, MAX_MESSAGE_CHARS, View, telegram_len};
use crate::kuaidi100::{Family, Lang, QueryResult, TraceLine, state};
use crate::tracking::{Freshness, Report, Tracked};
use crate::translate::{self, Shown};
use crate::zone::Zone;

/// Room kept for the closing note, however many lines get cut.
const NOTE_ROOM: usize = 120;

/// The text of a parcel reply (its buttons come from `keyboards::parcel`), with the chat's `label` for
/// the parcel under the header, its times in `zone` (named once under the lines). HTML.
#[allow(clippy::too_many_arguments)]
pub fn reply_html(
    tracked: &Tracked,
    result: &QueryResult,
    view: View,
    lang: Lang,
    zone: &Zone,
    now: DateTime<Utc>,
    sandbox: bool,
    label: Option<&str>,
) -> String {
    let locale = lang.as_str();
    let mut html = format!(
        "{}\n<b>{}</b>\n<i>{}</i>",
        labelled_header(tracked.courier.name(locale), &tracked.number, label),
        escape(&state_label(&result.state, lang)),
        escape(&freshness(tracked, now, sandbox, lang, zone)),
    );
    if let Some(until) = tracked.budget_spent_until {
        html += &format!("\n<i>{}</i>", escape(&budget_spent(until, lang, zone)));
    } else if tracked.daily_cap_reached {
        html += &format!("\n<i>{}</i>", escape(&next_update(tracked, lang, zone)));
    }
    for line in super::arrival::reply_lines(result, tracked.answered_at, now, lang, zone) {
        html += &format!("\n{line}");
    }
    html.push('\n');
    if result.data.is_empty() {
        html += &format!("\n{}", escape(&no_lines(lang)));
    }
    let total = result.data.len();
    let wanted = if view == View::All { total } else { total.min(COMPACT_LINES) };
    let budget = MAX_MESSAGE_CHARS - NOTE_ROOM;
    let mut used = telegram_len(&html);
    let mut shown = 0;
    for line in result.data.iter().take(wanted) {
        let block = format!("\n{}", trajectory_line(line, tracked.answer_lang, lang, zone));
        let length = telegram_len(&block);
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
    if shown > 0 {
        html += &format!("\n<i>{}</i>", escape(&super::zone::note(zone, lang)));
    }
    html
}

/// The reply about a parcel Kuaidi100 has nothing for yet: what that means and when to look again. HTML.
pub fn no_result_html(tracked: &Tracked, lang: Lang, zone: &Zone, label: Option<&str>) -> String {
    let when = match tracked.budget_spent_until {
        Some(until) => budget_spent(until, lang, zone),
        None => next_update(tracked, lang, zone),
    };
    format!(
        "{}\n{}\n<i>{}</i>",
        labelled_header(tracked.courier.name(lang.as_str()), &tracked.number, label),
        escape(&no_result(lang)),
        escape(&when)
    )
}

/// `<b>11-29 10:59</b> 北京市顺义区` then the text on its own line, place and text in the reader's
/// language (the answer was fetched in `written_in`), its time in `zone`. HTML.
pub fn trajectory_line(line: &TraceLine, written_in: Option<Lang>, lang: Lang, zone: &Zone) -> String {
    shown_block(line.when(), &translate::line(line, written_in, lang), lang, zone)
}

/// A line as [`translate`] rendered it, in the chats' layout. HTML.
pub fn shown_block(time: &str, shown: &Shown, lang: Lang, zone: &Zone) -> String {
    line_block(time, shown.place.as_deref(), &shown_context(shown, lang), zone)
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

/// One trajectory line as shown in chats (parcel replies and notifications alike), Kuaidi100's
/// Beijing time shown in `zone` (the block's note names it, `words::zone::note`). HTML.
pub fn line_block(time: &str, place: Option<&str>, context: &str, zone: &Zone) -> String {
    let short_time = super::zone::line_time(time, zone);
    match place {
        Some(place) => format!("<b>{}</b> {}\n{}", escape(&short_time), escape(place), escape(context)),
        None => format!("<b>{}</b>\n{}", escape(&short_time), escape(context)),
    }
}

/// "updated 3 min ago", "could not refresh, showing data from 14:05 (Beijing time)", with the sandbox
/// note. Plain text.
pub fn freshness(tracked: &Tracked, now: DateTime<Utc>, sandbox: bool, lang: Lang, zone: &Zone) -> String {
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
                t!("freshness.stale", locale = locale, time = super::zone::at(*fetched_at, zone, lang))
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

/// When the next update may come (its zone named), mentioning the daily cap when that is what holds
/// it back. Plain text.
pub fn next_update(tracked: &Tracked, lang: Lang, zone: &Zone) -> String {
    let time = super::zone::at(tracked.next_query_at, zone, lang);
    let key = if tracked.daily_cap_reached { "freshness.daily_cap" } else { "freshness.next" };
    t!(key, locale = lang.as_str(), time = time).into_owned()
}

/// The deployment's daily budget holds fresh data back until `until`. Plain text.
pub fn budget_spent(until: DateTime<Utc>, lang: Lang, zone: &Zone) -> String {
    t!("freshness.budget", locale = lang.as_str(), time = super::zone::at(until, zone, lang)).into_owned()
}

/// Kuaidi100 has no trajectory for the number yet. Plain text.
pub fn no_result(lang: Lang) -> String {
    t!("error.no_result", locale = lang.as_str()).into_owned()
}

/// A parcel answered with no trajectory line. Plain text.
pub fn no_lines(lang: Lang) -> String {
    t!("query.no_lines", locale = lang.as_str()).into_owned()
}

/// A state's name in the language, with an emoji for its family; unknown codes are shown as they are
/// (shortened like anything quoted: a code is a few digits, anything longer is junk). Plain text.
pub fn state_label(code: &str, lang: Lang) -> String {
    match state::lookup(code) {
        Some(state) => format!("{} {}", family_emoji(state.family), state.name(lang.as_str())),
        None => format!("❔ {}", super::echo(code)),
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
        let block = line_block("2026-11-29 10:59:00", Some("北京 & <顺义>"), "<b>签收</b>", &Zone::Beijing);
        assert_eq!(block, "<b>11-29 10:59</b> 北京 &amp; &lt;顺义&gt;\n&lt;b&gt;签收&lt;/b&gt;");
        assert_eq!(line_block("yesterday", None, "x", &Zone::Beijing), "<b>yesterday</b>\nx");
        let berlin = Zone::parse("Europe/Berlin").expect("a zone");
        assert_eq!(line_block("2026-11-29 10:59:00", None, "x", &berlin), "<b>11-29 03:59</b>\nx");
    }

    #[test]
    fn states_have_names_and_unknown_codes_show_as_they_are() {
        assert_eq!(state_label("5", Lang::En), "🛵 Out for delivery");
        assert_eq!(state_label("99999", Lang::Zh), "❔ 99999");
        assert_eq!(state_label(&"9".repeat(5_000), Lang::En), format!("❔ {}…", "9".repeat(super::super::ECHO_MAX)));
    }

    #[test]
    fn emoji_count_twice_toward_the_limit() {
        // Found by the property tests: lengths were counted in characters, Telegram counts UTF-16
        // units, so a trajectory of emoji-heavy lines passed the check at twice Telegram's limit.
        use crate::couriers::directory;
        use crate::kuaidi100::QueryResult;
        use crate::tracking::{Freshness, Report};
        let line = TraceLine {
            time: "2026-11-29 10:59:00".into(),
            ftime: "2026-11-29 10:59:00".into(),
            context: "😀".repeat(1_000),
            status: None,
            status_code: None,
            area_code: None,
            area_name: None,
            area_center: None,
            location: None,
            area_pinyin: None,
        };
        let result = QueryResult { state: "0".into(), data: vec![line; 5], ..QueryResult::default() };
        let tracked = Tracked {
            courier: directory().get("yuantong").expect("yuantong"),
            number: "YT9693083639795".into(),
            report: Report::Answer { result: std::sync::Arc::new(result.clone()), freshness: Freshness::Fresh },
            fresh: true,
            answered_at: None,
            queried_at: None,
            next_query_at: Utc::now(),
            daily_cap_reached: false,
            budget_spent_until: None,
            answer_lang: None,
            last_answer: None,
        };
        let html = reply_html(&tracked, &result, View::All, Lang::En, &Zone::Beijing, Utc::now(), false, None);
        assert!(telegram_len(&html) <= MAX_MESSAGE_CHARS, "{}", telegram_len(&html));
        assert!(html.contains("😀😀😀😀😀😀😀😀😀😀"), "lines that fit are shown");
    }
}
