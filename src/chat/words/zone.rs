//! Times as a reader reads them: in the reader's [`Zone`], with the zone named.
//!
//! The rule, everywhere a time is shown (replies, pushes, errors, toasts, the console, `query`, the
//! web page): a time that stands alone in a sentence carries its zone right after it
//! (`next update possible at 05:12 (Beijing time)`, [`at`]); a block of trajectory lines, where
//! every line opens with a time, is followed by one note that names the zone once
//! (`🕓 Times: Europe/Berlin`, [`note`]) instead of repeating it on every line. Beijing time is
//! named in the reader's language (`北京时间` / `Beijing time`); any other zone by its language-free
//! name (`Europe/Berlin`, `UTC+01:00`). Kuaidi100's trajectory times are Beijing wall-clock text and
//! are converted ([`line_time`]); a text that does not read as a time is shown as received.
//! Everything here is plain text; the callers escape.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_i18n::t;

use crate::kuaidi100::Lang;
use crate::zone::{Zone, from_beijing_wall};

/// `Beijing time` / `北京时间`, `Europe/Berlin`, `UTC+01:00`. Plain text.
pub fn name(zone: &Zone, lang: Lang) -> String {
    match zone {
        Zone::Beijing => t!("zone.beijing", locale = lang.as_str()).into_owned(),
        other => other.id(),
    }
}

/// `HH:MM` when `time` is today in the zone, else `MM-DD HH:MM`, without the zone. Plain text.
pub fn short(time: DateTime<Utc>, zone: &Zone) -> String {
    let local = zone.local(time);
    if local.date_naive() == zone.local(Utc::now()).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%m-%d %H:%M").to_string()
    }
}

/// `text` (a time already written in `zone`) followed by the zone: `05:12 (Beijing time)`,
/// `05:12（北京时间）`. Plain text.
pub fn with_name(text: &str, zone: &Zone, lang: Lang) -> String {
    t!("zone.at", locale = lang.as_str(), time = text, zone = name(zone, lang)).into_owned()
}

/// A time standing alone in a sentence, with its zone: `05:12 (Europe/Berlin)`. Plain text.
pub fn at(time: DateTime<Utc>, zone: &Zone, lang: Lang) -> String {
    with_name(&short(time, zone), zone, lang)
}

/// A trajectory line's time (Kuaidi100's Beijing wall-clock text, `2026-12-02 03:35:00`) in the
/// reader's zone, to the minute: `12-02 03:35`. Unreadable text is returned as it came. Plain text.
pub fn line_time(written: &str, zone: &Zone) -> String {
    NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M"))
        .ok()
        .and_then(|wall| from_beijing_wall(&wall, zone))
        .map(|local| local.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|| written.to_owned())
}

/// A trajectory line's full time in the reader's zone (`2026-12-02 03:35`), for the command line
/// and the web page. Unreadable text is returned as it came. Plain text.
pub fn line_time_full(written: &str, zone: &Zone) -> String {
    NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M"))
        .ok()
        .and_then(|wall| from_beijing_wall(&wall, zone))
        .map(|local| local.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| written.to_owned())
}

/// The one note under a block of trajectory lines: `🕓 Times: Beijing time`. Plain text.
pub fn note(zone: &Zone, lang: Lang) -> String {
    t!("zone.note", locale = lang.as_str(), zone = name(zone, lang)).into_owned()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use chrono_tz::Tz;

    use super::*;

    #[test]
    fn zones_are_named_in_the_readers_language_or_by_their_id() {
        assert_eq!(name(&Zone::Beijing, Lang::Zh), "北京时间");
        assert_eq!(name(&Zone::Beijing, Lang::En), "Beijing time");
        assert_eq!(name(&Zone::Named(Tz::Europe__Berlin), Lang::Zh), "Europe/Berlin");
        assert_eq!(name(&Zone::parse("UTC+1").expect("a zone"), Lang::En), "UTC+01:00");
    }

    #[test]
    fn a_lone_time_says_its_zone_and_moves_with_it() {
        let at_time = Utc.with_ymd_and_hms(2020, 12, 2, 4, 12, 0).single().expect("a time");
        let berlin = Zone::Named(Tz::Europe__Berlin);
        // Not today (a fixed date in the past or future): the date is shown.
        assert_eq!(at(at_time, &Zone::Beijing, Lang::En), "12-02 12:12 (Beijing time)");
        assert_eq!(at(at_time, &Zone::Beijing, Lang::Zh), "12-02 12:12（北京时间）");
        assert_eq!(at(at_time, &berlin, Lang::En), "12-02 05:12 (Europe/Berlin)");
        let soon = Utc::now() + Duration::minutes(1);
        assert_eq!(short(soon, &Zone::Beijing).len(), 5, "today: the time alone");
    }

    #[test]
    fn trajectory_times_are_converted_from_beijing_wall_time() {
        let berlin = Zone::Named(Tz::Europe__Berlin);
        assert_eq!(line_time("2026-12-02 11:35:00", &Zone::Beijing), "12-02 11:35");
        assert_eq!(line_time("2026-12-02 11:35:00", &berlin), "12-02 04:35");
        assert_eq!(line_time("2026-12-02 03:35", &berlin), "12-01 20:35");
        assert_eq!(line_time("2026-07-02 11:35:00", &berlin), "07-02 05:35", "summer time");
        assert_eq!(line_time("yesterday", &berlin), "yesterday");
        assert_eq!(line_time_full("2026-12-02 11:35:00", &Zone::parse("GMT-5").expect("a zone")), "2026-12-01 22:35");
        assert_eq!(note(&berlin, Lang::En), "🕓 Times: Europe/Berlin");
        assert_eq!(note(&Zone::Beijing, Lang::Zh), "🕓 时间：北京时间");
    }
}
