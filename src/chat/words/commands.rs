//! The commands' own replies: `/help` and the menu (both drawn from `command::COMMANDS`), the bot's
//! profile texts, `/lang`, `/couriers`, `/sub`, `/unsub`, an empty `/list` (a full one is `list.rs`'s),
//! an unknown command and the private-chat hint.
//!
//! `/help` is an intro, one generated line per listed command (`/name args — what it does`) and an
//! example; only the intro, the example and the sandbox note are written out in `locales/`, so a
//! command added to the list shows up in the menu and in `/help` at once.

use chrono::{DateTime, Utc};
use rust_i18n::t;

use super::{echo, errors, escape};
use crate::chat::command::{COMMANDS, Name};
use crate::chat::view::{MAX_MESSAGE_CHARS, telegram_len};
use crate::couriers::Courier;
use crate::input::TrackingNumber;
use crate::kuaidi100::{Error, Lang};
use crate::watch::Subscribe;
use crate::zone::Zone;

/// `/help` and `/start`, with the sandbox warning first in sandbox mode; `bot` is the bot's username,
/// for the way to ask in a group. HTML.
pub fn help_html(sandbox: bool, bot: &str, lang: Lang) -> String {
    let locale = lang.as_str();
    let lines: Vec<String> = listed().map(|name| help_line(name, lang)).collect();
    let html = format!(
        "{}\n\n{}\n\n{}",
        t!("help.intro", locale = locale, bot = escape(bot.trim_start_matches('@'))),
        lines.join("\n"),
        t!("help.example", locale = locale)
    );
    if sandbox { format!("{}\n\n{html}", t!("help.sandbox", locale = locale)) } else { html }
}

/// `/track [courier] number [last 4 digits of phone] — Where is my parcel`. HTML.
pub fn help_line(command: Name, lang: Lang) -> String {
    let locale = lang.as_str();
    let spec = command.spec();
    let mut line = format!("/{}", spec.word);
    if let Some(args) = spec.args {
        line += &format!(" {}", t!(args, locale = locale));
    }
    if let Some(about) = spec.about {
        line += &format!(" — {}", t!(about, locale = locale));
    }
    line
}

/// The command menu in a language: each listed command's name and what it does. Plain text.
pub fn menu_entries(lang: Lang) -> Vec<(&'static str, String)> {
    listed()
        .filter_map(|name| {
            let spec = name.spec();
            spec.about.map(|about| (spec.word, t!(about, locale = lang.as_str()).into_owned()))
        })
        .collect()
}

/// The bot's profile in one language, shown by Telegram before the first message: `description` in
/// an empty chat with the bot, `short` on the bot's profile page and when it is shared. Plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub description: String,
    pub short: String,
}

/// The bot's profile texts in a language. Plain text.
pub fn profile(lang: Lang) -> Profile {
    let locale = lang.as_str();
    Profile {
        description: t!("profile.description", locale = locale).into_owned(),
        short: t!("profile.short", locale = locale).into_owned(),
    }
}

/// The commands the menu and `/help` show, in their order.
fn listed() -> impl Iterator<Item = Name> {
    COMMANDS.into_iter().filter(|name| name.spec().about.is_some())
}

/// `/lang` worked; said in the language chosen. HTML.
pub fn lang_set_html(chosen: Lang) -> String {
    t!("lang.set", locale = chosen.as_str()).into_owned()
}

/// `/tz` alone: the chat's zone, the time there now, and how to change it. HTML.
pub fn zone_current_html(zone: &Zone, now: DateTime<Utc>, lang: Lang) -> String {
    let locale = lang.as_str();
    let current = t!("tz.current", locale = locale, zone = super::zone::name(zone, lang), time = clock(zone, now));
    format!("{}\n{}", escape(&current), t!("command.tz.usage", locale = locale))
}

/// `/tz <zone>` (or `/tz reset`) worked: the zone now, and the time there. HTML.
pub fn zone_set_html(zone: &Zone, now: DateTime<Utc>, lang: Lang) -> String {
    let locale = lang.as_str();
    let text = match zone {
        Zone::Beijing => t!("tz.reset", locale = locale, time = clock(zone, now)),
        other => t!("tz.set", locale = locale, zone = super::zone::name(other, lang), time = clock(zone, now)),
    };
    escape(&text)
}

/// `/tz`'s usage line as plain text, for the command line's `--tz`. Plain text.
pub fn tz_usage(lang: Lang) -> String {
    let usage = t!("command.tz.usage", locale = lang.as_str());
    usage.replace("<code>", "").replace("</code>", "").replace("/tz ", "--tz ")
}

/// `HH:MM` in the zone.
fn clock(zone: &Zone, now: DateTime<Utc>) -> String {
    zone.local(now).format("%H:%M").to_string()
}

/// A command the bot does not have (private chats only). HTML.
pub fn unknown_command_html(name: &str, lang: Lang) -> String {
    t!("command.unknown", locale = lang.as_str(), name = escape(&echo(name))).into_owned()
}

/// Plain text in a private chat that names no parcel. HTML.
pub fn private_hint_html(lang: Lang) -> String {
    t!("private.hint", locale = lang.as_str()).into_owned()
}

/// `/start` with a payload this bot did not write. HTML.
pub fn foreign_link_html(lang: Lang) -> String {
    t!("start.foreign", locale = lang.as_str()).into_owned()
}

/// A photo with no barcode or QR code that holds a tracking number. HTML.
pub fn picture_without_code_html(lang: Lang) -> String {
    t!("picture.none", locale = lang.as_str()).into_owned()
}

/// A picture over the size the bot reads. HTML.
pub fn picture_too_large_html(lang: Lang) -> String {
    t!("picture.too_large", locale = lang.as_str(), megabytes = crate::input::barcode::MAX_BYTES / (1024 * 1024))
        .into_owned()
}

/// A file sent as an image that is none (or a broken one). HTML.
pub fn picture_unreadable_html(lang: Lang) -> String {
    t!("picture.unreadable", locale = lang.as_str()).into_owned()
}

/// A picture Telegram would not hand over. HTML.
pub fn picture_unavailable_html(lang: Lang) -> String {
    t!("picture.unavailable", locale = lang.as_str()).into_owned()
}

/// A group mentioned the bot without a number: how to ask. HTML.
pub fn group_hint_html(lang: Lang) -> String {
    t!("group.hint", locale = lang.as_str()).into_owned()
}

/// `/track` or `/sub` alone, in reply to a message without a tracking number. HTML.
pub fn nothing_quoted_html(name: Name, lang: Lang) -> String {
    t!("quoted.none", locale = lang.as_str(), command = name.spec().word).into_owned()
}

/// A pasted text held more numbers than one message tracks: the ones left out, named — as many as fit
/// in one message, then how many more there are. HTML.
pub fn more_numbers_html(tracked: usize, rest: &[TrackingNumber], lang: Lang) -> String {
    let locale = lang.as_str();
    let sentence = telegram_len(&t!("private.more", locale = locale, count = tracked, numbers = ""));
    let room = MAX_MESSAGE_CHARS - sentence - MORE_NOTE_ROOM;
    let mut used = 0;
    let mut numbers: Vec<String> = Vec::new();
    for number in rest {
        let code = format!("<code>{}</code>", escape(number.as_str()));
        used += telegram_len(&code) + ", ".len();
        if used > room {
            break;
        }
        numbers.push(code);
    }
    let mut listed = numbers.join(", ");
    if numbers.len() < rest.len() {
        listed += &format!(" {}", escape(&t!("notice.more", locale = locale, count = rest.len() - numbers.len())));
    }
    t!("private.more", locale = locale, count = tracked, numbers = listed).into_owned()
}

/// Room kept for "… and 390 more" after the numbers named.
const MORE_NOTE_ROOM: usize = 40;

/// `/couriers <text>`: the couriers found, each with its code and its name in the other language. HTML.
pub fn couriers_html(text: &str, found: &[&Courier], lang: Lang) -> String {
    let locale = lang.as_str();
    if found.is_empty() {
        return t!("couriers.none", locale = locale, text = escape(&echo(text))).into_owned();
    }
    let mut html = t!("couriers.header", locale = locale, text = escape(&echo(text))).into_owned();
    for courier in found {
        let name = escape(courier.name(locale));
        let other = if lang == Lang::En { courier.name_zh } else { courier.name_en.unwrap_or_default() };
        html += &format!("\n<code>{}</code> — {name}", courier.code);
        if !other.is_empty() && other != courier.name(locale) {
            html += &format!(" ({})", escape(other));
        }
    }
    html
}

/// `/sub` worked (or the chat already watches, or is at its cap), above the parcel's reply. HTML.
/// `caps` are the chat's and the person's (`MAX_SUBSCRIPTIONS_PER_CHAT`, `…_PER_USER`).
pub fn subscribed_html(outcome: Subscribe, caps: (u32, u32), parcel_html: &str, lang: Lang) -> String {
    let locale = lang.as_str();
    let line = match outcome {
        Subscribe::AlreadyActive => t!("sub.already", locale = locale).into_owned(),
        Subscribe::CapReached | Subscribe::UserCapReached => cap_line(outcome, caps, lang).unwrap_or_default(),
        _ => t!("sub.created", locale = locale).into_owned(),
    };
    format!("{}\n\n{parcel_html}", escape(&line))
}

/// Which cap a subscription ran into, with its number; `None` for any other outcome. Plain text.
pub fn cap_line(outcome: Subscribe, (per_chat, per_user): (u32, u32), lang: Lang) -> Option<String> {
    let locale = lang.as_str();
    match outcome {
        Subscribe::CapReached => Some(t!("sub.cap", locale = locale, cap = per_chat).into_owned()),
        Subscribe::UserCapReached => Some(t!("sub.user_cap", locale = locale, cap = per_user).into_owned()),
        _ => None,
    }
}

/// A finished parcel cannot be watched, said above its reply. HTML.
pub fn finished_html(parcel_html: &str, lang: Lang) -> String {
    format!("{}\n\n{parcel_html}", escape(&t!("sub.finished", locale = lang.as_str())))
}

/// Kuaidi100 refused the parcel, so it cannot be watched; `why` is its failure, when it gave one. HTML.
pub fn cannot_watch_html(why: Option<&Error>, lang: Lang) -> String {
    let reason = why.map(|error| errors::upstream_error(error, lang)).unwrap_or_default();
    escape(&t!("sub.cannot", locale = lang.as_str(), reason = reason))
}

/// `/unsub`: stopped, or the chat did not watch the number. HTML.
pub fn unsubscribed_html(number: &TrackingNumber, was_watched: bool, lang: Lang) -> String {
    let key = if was_watched { "unsub.done" } else { "unsub.not_watched" };
    t!(key, locale = lang.as_str(), number = escape(number.as_str())).into_owned()
}

/// `/list` with nothing watched. HTML.
pub fn list_empty_html(lang: Lang) -> String {
    t!("list.empty", locale = lang.as_str()).into_owned()
}

/// "3 min", "5 h", "2 d" (`分钟`, `小时`, `天` in Chinese). Plain text.
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>, lang: Lang) -> String {
    let minutes = (now - then).num_minutes().max(0);
    let (amount, unit_en, unit_zh) = if minutes < 60 {
        (minutes, "min", " 分钟")
    } else if minutes < 48 * 60 {
        (minutes / 60, "h", " 小时")
    } else {
        (minutes / (24 * 60), "d", " 天")
    };
    if lang == Lang::En { format!("{amount} {unit_en}") } else { format!("{amount}{unit_zh}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_paste_of_hundreds_of_numbers_names_what_fits_and_counts_the_rest() {
        // Found by the property tests: a message of 180 or more numbers (a person can send 400) named
        // every number left out, and Telegram refused the reply as too long.
        let rest: Vec<TrackingNumber> =
            (0..410).filter_map(|i| crate::input::tracking_number(&format!("SF{:07}", 1_000_000 + i)).ok()).collect();
        for lang in [Lang::En, Lang::Zh] {
            let html = more_numbers_html(10, &rest, lang);
            assert!(telegram_len(&html) <= MAX_MESSAGE_CHARS, "{}", telegram_len(&html));
            let named = html.matches("<code>").count();
            assert!(named > 100 && named < rest.len(), "{named}");
            assert!(html.contains(&format!("{} ", rest.len() - named)), "{html}");
        }
        let few = more_numbers_html(10, &rest[..3], Lang::En);
        assert_eq!(few.matches("<code>").count(), 3);
        assert!(!few.contains('…'), "{few}");
    }

    #[test]
    fn help_lists_the_commands_of_the_menu_in_its_order() {
        for lang in [Lang::Zh, Lang::En] {
            let help = help_html(false, "KuaidiBot", lang);
            let menu = menu_entries(lang);
            assert_eq!(menu.len(), 10, "every command but /start: {menu:?}");
            let mut from = 0;
            for (name, about) in &menu {
                let line = help.lines().find(|line| line.starts_with(&format!("/{name}"))).expect(name);
                assert!(line.ends_with(about.as_str()), "{line}");
                let at = help.find(line).unwrap_or_default();
                assert!(at >= from, "{name} out of order");
                from = at;
            }
            assert!(!help.contains("%{") && !help.contains("command."), "{help}");
            assert!(help.contains("@KuaidiBot YT…"), "how to ask in a group: {help}");
        }
        let english = help_html(true, "KuaidiBot", Lang::En);
        assert!(english.starts_with("⚠️") && english.contains("/track [courier] number"), "{english}");
    }

    #[test]
    fn ages_round_down_to_the_unit() {
        let now = Utc::now();
        assert_eq!(age(now, now - Duration::minutes(3), Lang::En), "3 min");
        assert_eq!(age(now, now - Duration::hours(5), Lang::Zh), "5 小时");
        assert_eq!(age(now, now - Duration::days(3), Lang::En), "3 d");
        assert_eq!(age(now, now + Duration::minutes(3), Lang::En), "0 min", "a clock ahead is now");
    }
}
