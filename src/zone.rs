//! The time zone a reader reads times in: Beijing time unless a chat chose another with `/tz`, or a
//! web or API caller passed `tz`.
//!
//! Kuaidi100 writes every time as a Beijing wall-clock time, and the bot's own clock is UTC; a reader
//! in Berlin can use neither without being told. A [`Zone`] is one of three things: Beijing time (the
//! default, and what `Asia/Shanghai` and its aliases mean), an IANA zone from `chrono-tz`
//! (`Europe/Berlin`, daylight saving included), or a fixed offset (`+01:00`, `UTC+1`, `GMT-5`).
//! It parses what people type ([`Zone::parse`]), stores as one short text ([`Zone::stored`],
//! [`Zone::from_stored`]), and turns an instant into the reader's wall-clock time ([`Zone::local`]).
//! How a zone is *named* to a reader is wording, in `chat::words::zone`.
//!
//! A leaf type like `clock` and `message`: the chat, the outbox, the web page and the command line
//! all pass it next to the language, and none of them needs to know which kind it is.
//! The watcher's night rule is not the reader's business: it stays on Beijing time (`watch::policy`).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The widest offset any zone in use has (UTC−12 to UTC+14), in hours.
const MAX_OFFSET_HOURS: i32 = 14;

/// A reader's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// China Standard Time (UTC+8, no daylight saving): Kuaidi100's clock and the default.
    #[default]
    Beijing,
    /// An IANA zone other than Beijing's.
    Named(Tz),
    /// A fixed offset from UTC.
    Offset(FixedOffset),
}

/// Why a typed zone was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("not a time zone name or UTC offset")]
    Unknown,
    #[error("UTC offsets go from -12:00 to +14:00")]
    OutOfRange,
}

impl Zone {
    /// Reads a zone as people type it: an IANA name in any case (`Europe/Berlin`, `europe/berlin`),
    /// `Beijing`/`北京`/`China`, `UTC`/`GMT`/`Z`, or an offset with or without `UTC`/`GMT` before it
    /// (`+01:00`, `+1`, `-0530`, `UTC+1`, `GMT-5`, `UTC+05:30`). `GMT-5` means five hours behind
    /// UTC, as people mean it (unlike the POSIX names `Etc/GMT-5`, which chrono-tz reads as they are).
    pub fn parse(text: &str) -> Result<Zone, ZoneError> {
        let text = text.trim();
        let lower = text.to_lowercase();
        match lower.as_str() {
            "beijing" | "北京" | "北京时间" | "china" | "cn" | "中国" => return Ok(Zone::Beijing),
            "utc" | "gmt" | "z" | "zulu" => return Ok(Zone::Offset(utc())),
            _ => {}
        }
        for prefix in ["utc", "gmt"] {
            if let Some(rest) = lower.strip_prefix(prefix)
                && rest.starts_with(['+', '-', '−'])
            {
                return offset(rest);
            }
        }
        if lower.starts_with(['+', '-', '−']) {
            return offset(&lower);
        }
        let found = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(text)).copied();
        found.map(Zone::from_tz).ok_or(ZoneError::Unknown)
    }

    /// Beijing's own zone and its aliases are [`Zone::Beijing`]; any other is itself.
    fn from_tz(tz: Tz) -> Zone {
        match tz {
            Tz::Asia__Shanghai | Tz::Asia__Chongqing | Tz::Asia__Chungking | Tz::Asia__Harbin | Tz::PRC => {
                Zone::Beijing
            }
            tz => Zone::Named(tz),
        }
    }

    /// The text kept in the store; `None` for the default (nothing stored).
    pub fn stored(&self) -> Option<String> {
        match self {
            Zone::Beijing => None,
            Zone::Named(tz) => Some(tz.name().to_owned()),
            Zone::Offset(offset) => Some(offset_text(*offset)),
        }
    }

    /// The inverse of [`Zone::stored`]; a text that no longer reads (a zone chrono-tz dropped) is Beijing.
    pub fn from_stored(stored: Option<&str>) -> Zone {
        stored.and_then(|text| Zone::parse(text).ok()).unwrap_or_default()
    }

    /// `at` as a wall-clock time in this zone, with its offset there and then.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Beijing => at.with_timezone(&beijing()),
            Zone::Named(tz) => {
                let local = at.with_timezone(tz);
                local.with_timezone(&local.offset().fix())
            }
            Zone::Offset(offset) => at.with_timezone(offset),
        }
    }

    /// The language-free name: `Asia/Shanghai`, `Europe/Berlin`, `UTC+01:00` (`UTC` for zero). What the
    /// JSON API and the command line's `--json` call it.
    pub fn id(&self) -> String {
        match self {
            Zone::Beijing => "Asia/Shanghai".to_owned(),
            Zone::Named(tz) => tz.name().to_owned(),
            Zone::Offset(offset) if offset.local_minus_utc() == 0 => "UTC".to_owned(),
            Zone::Offset(offset) => format!("UTC{}", offset_text(*offset)),
        }
    }
}

/// Reads `+1`, `+01`, `+0100`, `+01:00`, `-5:30` (`−` as typed on some phones, too).
fn offset(text: &str) -> Result<Zone, ZoneError> {
    let text = text.replace('−', "-");
    let (sign, digits) = match text.split_at(1) {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return Err(ZoneError::Unknown),
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((hours, minutes)) => (hours, minutes),
        None if digits.len() > 2 => digits.split_at(digits.len() - 2),
        None => (digits, "0"),
    };
    let valid =
        |part: &str, most: usize| !part.is_empty() && part.len() <= most && part.bytes().all(|b| b.is_ascii_digit());
    if !valid(hours, 2) || !valid(minutes, 2) {
        return Err(ZoneError::Unknown);
    }
    let (hours, minutes): (i32, i32) =
        (hours.parse().map_err(|_| ZoneError::Unknown)?, minutes.parse().map_err(|_| ZoneError::Unknown)?);
    if minutes >= 60 {
        return Err(ZoneError::Unknown);
    }
    let seconds = sign * (hours * 3600 + minutes * 60);
    if !(-12 * 3600..=MAX_OFFSET_HOURS * 3600).contains(&seconds) {
        return Err(ZoneError::OutOfRange);
    }
    let offset = FixedOffset::east_opt(seconds).ok_or(ZoneError::OutOfRange)?;
    if offset == beijing() {
        return Ok(Zone::Beijing);
    }
    Ok(Zone::Offset(offset))
}

/// `+01:00`, `-05:30`, `+00:00`.
fn offset_text(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| Utc.fix())
}

/// UTC+8, Beijing's offset all year.
fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// A Beijing wall-clock time as Kuaidi100 writes it, in `zone`: `None` when it cannot be read.
pub fn from_beijing_wall(written: &NaiveDateTime, zone: &Zone) -> Option<DateTime<FixedOffset>> {
    let at = beijing().from_local_datetime(written).single()?.with_timezone(&Utc);
    Some(zone.local(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offset_zone(hours: i32, minutes: i32) -> Zone {
        Zone::Offset(FixedOffset::east_opt(hours * 3600 + hours.signum() * minutes * 60).expect("an offset"))
    }

    #[test]
    fn names_offsets_and_beijing_are_read() {
        assert_eq!(Zone::parse("Europe/Berlin"), Ok(Zone::Named(Tz::Europe__Berlin)));
        assert_eq!(Zone::parse(" europe/BERLIN "), Ok(Zone::Named(Tz::Europe__Berlin)));
        assert_eq!(Zone::parse("America/New_York"), Ok(Zone::Named(Tz::America__New_York)));
        for beijing in ["Asia/Shanghai", "PRC", "beijing", "北京", "+08:00", "UTC+8", "GMT+0800"] {
            assert_eq!(Zone::parse(beijing), Ok(Zone::Beijing), "{beijing}");
        }
        assert_eq!(Zone::parse("+01:00"), Ok(offset_zone(1, 0)));
        assert_eq!(Zone::parse("UTC+1"), Ok(offset_zone(1, 0)));
        assert_eq!(Zone::parse("utc+01"), Ok(offset_zone(1, 0)));
        assert_eq!(Zone::parse("GMT-5"), Ok(offset_zone(-5, 0)), "GMT-5 is five hours behind, as people mean it");
        assert_eq!(Zone::parse("−0530"), Ok(offset_zone(-5, 30)));
        assert_eq!(Zone::parse("UTC+05:45"), Ok(offset_zone(5, 45)));
        assert_eq!(Zone::parse("+14"), Ok(offset_zone(14, 0)));
        assert_eq!(Zone::parse("UTC"), Ok(offset_zone(0, 0)));
        assert_eq!(Zone::parse("Etc/GMT-5"), Ok(Zone::Named(Tz::Etc__GMTMinus5)));
    }

    #[test]
    fn nonsense_and_impossible_offsets_are_refused() {
        for bad in ["", "Mars/Olympus", "Europe", "+", "+1:2:3", "UTC+1a", "+123456", "+01:60", "<b>", "GMT+x"] {
            assert_eq!(Zone::parse(bad), Err(ZoneError::Unknown), "{bad:?}");
        }
        assert_eq!(Zone::parse("+15"), Err(ZoneError::OutOfRange));
        assert_eq!(Zone::parse("UTC-13"), Err(ZoneError::OutOfRange));
    }

    #[test]
    fn zones_round_trip_through_the_store() {
        for zone in
            [Zone::Beijing, Zone::Named(Tz::Europe__Berlin), offset_zone(1, 0), offset_zone(-5, 30), offset_zone(0, 0)]
        {
            assert_eq!(Zone::from_stored(zone.stored().as_deref()), zone, "{zone:?}");
        }
        assert_eq!(Zone::Beijing.stored(), None);
        assert_eq!(offset_zone(-5, 30).stored().as_deref(), Some("-05:30"));
        assert_eq!(Zone::from_stored(Some("Nowhere/Gone")), Zone::Beijing);
        assert_eq!(offset_zone(1, 0).id(), "UTC+01:00");
        assert_eq!(offset_zone(0, 0).id(), "UTC");
        assert_eq!(Zone::Beijing.id(), "Asia/Shanghai");
    }

    #[test]
    fn wall_clock_times_follow_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 2, 3, 35, 0).single().expect("a time");
        let summer = Utc.with_ymd_and_hms(2026, 7, 2, 3, 35, 0).single().expect("a time");
        let berlin = Zone::Named(Tz::Europe__Berlin);
        assert_eq!(berlin.local(winter).format("%m-%d %H:%M %:z").to_string(), "12-02 04:35 +01:00");
        assert_eq!(berlin.local(summer).format("%m-%d %H:%M %:z").to_string(), "07-02 05:35 +02:00");
        assert_eq!(Zone::Beijing.local(winter).format("%m-%d %H:%M").to_string(), "12-02 11:35");
        assert_eq!(offset_zone(-5, 0).local(winter).format("%m-%d %H:%M").to_string(), "12-01 22:35");
        let written = NaiveDateTime::parse_from_str("2026-12-02 11:35:00", "%Y-%m-%d %H:%M:%S").expect("a time");
        assert_eq!(
            from_beijing_wall(&written, &berlin).map(|t| t.format("%H:%M").to_string()).as_deref(),
            Some("04:35")
        );
    }
}
