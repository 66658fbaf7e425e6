//! How the engine's outcomes are put into words, in the asker's language.
//!
//! The command line and the chat core phrase the same situations (a refused number, a courier that
//! needs a phone, a stale answer), so the phrasing lives here once, on top of the `locales/` strings.
//! Times shown to people are Beijing time, the clock Kuaidi100's trajectory lines are written in.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use rust_i18n::t;

use crate::couriers::Courier;
use crate::input::InputError;
use crate::kuaidi100::{Advice, Error, Family, Lang, state};
use crate::tracking::{Freshness, TrackError, Tracked};

/// A refused tracking number or phone.
pub fn input_error(error: &InputError, lang: Lang) -> String {
    let locale = lang.as_str();
    match error {
        InputError::NumberTooShort { len, min } => t!("input.number_too_short", locale = locale, len = len, min = min),
        InputError::NumberTooLong { len, max } => t!("input.number_too_long", locale = locale, len = len, max = max),
        InputError::NumberBadChars { bad } => t!("input.number_bad_chars", locale = locale, bad = bad),
        InputError::PhoneTooShort { digits } => t!("input.phone_too_short", locale = locale, digits = digits),
        InputError::PhoneBadChars { bad } => t!("input.phone_bad_chars", locale = locale, bad = bad),
        other => t!(other.key(), locale = locale),
    }
    .into_owned()
}

/// A list of couriers as people name them, e.g. `圆通速递 (yuantong)、申通快递 (shentong)`.
pub fn courier_list(couriers: &[&Courier], lang: Lang) -> String {
    let separator = if lang == Lang::Zh { "、" } else { ", " };
    couriers
        .iter()
        .map(|courier| format!("{} ({})", courier.name(lang.as_str()), courier.code))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Why the tracker could not answer at all.
pub fn track_error(error: &TrackError, number: &str, lang: Lang) -> String {
    let locale = lang.as_str();
    match error {
        TrackError::Throttled { retry_after } => {
            t!("throttled", locale = locale, seconds = retry_after.as_secs_f64().ceil() as u64).into_owned()
        }
        TrackError::UnknownCourier(code) => t!("courier.unknown", locale = locale, input = code).into_owned(),
        TrackError::CourierNotDetected => t!("courier.not_detected", locale = locale, number = number).into_owned(),
        TrackError::ChooseCourier(candidates) => {
            t!("courier.choose", locale = locale, number = number, list = courier_list(candidates, lang)).into_owned()
        }
        TrackError::PhoneRequired(courier) => {
            t!("courier.need_phone", locale = locale, courier = courier.name(locale)).into_owned()
        }
        TrackError::PhoneMismatch { next_query_at } => {
            t!("courier.phone_mismatch", locale = locale, time = beijing_time(*next_query_at)).into_owned()
        }
        TrackError::Store(_) => t!("error.store", locale = locale).into_owned(),
    }
}

/// A Kuaidi100 failure, by what the person can do about it; never the raw message of an operator problem.
pub fn upstream_error(error: &Error, lang: Lang) -> String {
    let key = match error.advice() {
        Advice::CheckCourier => "error.check_courier",
        Advice::NeedPhone => "error.need_phone",
        Advice::NoResultYet => "error.no_result",
        Advice::TryLater => "error.try_later",
        Advice::OperatorProblem => "error.operator",
    };
    t!(key, locale = lang.as_str()).into_owned()
}

/// "updated 3 min ago", "could not refresh, showing data from 14:05", with the sandbox note.
pub fn freshness(tracked: &Tracked, now: DateTime<Utc>, sandbox: bool, lang: Lang) -> String {
    let locale = lang.as_str();
    let mut parts = Vec::new();
    if let crate::tracking::Report::Answer { freshness, .. } = &tracked.report {
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

/// When the next update may come, mentioning the daily cap when that is what holds it back.
pub fn next_update(tracked: &Tracked, lang: Lang) -> String {
    let time = beijing_time(tracked.next_query_at);
    let key = if tracked.daily_cap_reached { "freshness.daily_cap" } else { "freshness.next" };
    t!(key, locale = lang.as_str(), time = time).into_owned()
}

/// A state's name in the language, with an emoji for its family; unknown codes are shown as they are.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_error_is_phrased_in_both_languages() {
        let errors = InputError::examples();
        for error in errors {
            let en = input_error(&error, Lang::En);
            let zh = input_error(&error, Lang::Zh);
            assert!(!en.starts_with("input.") && !zh.starts_with("input."), "missing translation for {}", error.key());
            assert_ne!(en, zh, "{}", error.key());
            assert!(!en.contains("%{") && !zh.contains("%{"), "unfilled placeholder in {en} / {zh}");
        }
        assert!(input_error(&InputError::NumberTooShort { len: 3, min: 6 }, Lang::En).contains('3'));
    }

    #[test]
    fn every_advice_is_phrased() {
        for code in ["400", "408", "500", "501", "502", "503", "601"] {
            for lang in [Lang::Zh, Lang::En] {
                let text = upstream_error(&Error::api(code, "secret upstream detail"), lang);
                assert!(!text.starts_with("error."), "{code}");
                assert!(!text.contains("secret upstream detail"));
            }
        }
    }
}
