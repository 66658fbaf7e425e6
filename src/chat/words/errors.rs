//! What went wrong, by what the person can do about it: refused input, a command's unreadable
//! arguments, what the tracker could not do, Kuaidi100's failures.
//!
//! The plain-text phrasings are shared with the command line, which reports the same situations; the
//! HTML ones are the chat's replies built on them. An operator problem is never shown with Kuaidi100's
//! raw message, which may name the account.

use chrono::{DateTime, Utc};
use rust_i18n::t;

use super::{echo, escape};
use crate::chat::command::{ArgError, Name};
use crate::couriers::Courier;
use crate::input::{InputError, TrackingNumber};
use crate::kuaidi100::{Advice, Error, Lang};
use crate::tracking::TrackError;
use crate::zone::Zone;

/// A refused tracking number or phone. Plain text.
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

/// A list of couriers as people name them, e.g. `圆通速递 (yuantong)、申通快递 (shentong)`. Plain text.
pub fn courier_list(couriers: &[&Courier], lang: Lang) -> String {
    let separator = if lang == Lang::Zh { "、" } else { ", " };
    couriers
        .iter()
        .map(|courier| format!("{} ({})", courier.name(lang.as_str()), courier.code))
        .collect::<Vec<_>>()
        .join(separator)
}

/// No courier has the name typed (quoted shortened). Plain text.
pub fn unknown_courier(input: &str, lang: Lang) -> String {
    t!("courier.unknown", locale = lang.as_str(), input = echo(input)).into_owned()
}

/// "Did you mean: …?" for couriers spelled like the unknown name. Plain text.
pub fn did_you_mean(suggestions: &[&Courier], lang: Lang) -> String {
    t!("courier.did_you_mean", locale = lang.as_str(), list = courier_list(suggestions, lang)).into_owned()
}

/// Several couriers have the name typed (quoted shortened). Plain text.
pub fn ambiguous_courier(input: &str, candidates: &[&Courier], lang: Lang) -> String {
    t!("courier.ambiguous", locale = lang.as_str(), input = echo(input), list = courier_list(candidates, lang))
        .into_owned()
}

/// The courier checks the phone and none was given. Plain text.
pub fn need_phone(courier: &Courier, lang: Lang) -> String {
    let locale = lang.as_str();
    t!("courier.need_phone", locale = locale, courier = courier.name(locale)).into_owned()
}

/// Why the tracker could not answer at all. Plain text.
pub fn track_error(error: &TrackError, number: &str, lang: Lang, zone: &Zone) -> String {
    let locale = lang.as_str();
    match error {
        TrackError::Throttled { retry_after } => {
            t!("throttled", locale = locale, seconds = retry_after.as_secs_f64().ceil() as u64).into_owned()
        }
        TrackError::UnknownCourier(code) => unknown_courier(code, lang),
        TrackError::CourierNotDetected => t!("courier.not_detected", locale = locale, number = number).into_owned(),
        TrackError::ChooseCourier(candidates) => {
            t!("courier.choose", locale = locale, number = number, list = courier_list(candidates, lang)).into_owned()
        }
        TrackError::PhoneRequired(courier) => need_phone(courier, lang),
        TrackError::PhoneMismatch { next_query_at } => {
            t!("courier.phone_mismatch", locale = locale, time = super::zone::at(*next_query_at, zone, lang))
                .into_owned()
        }
        TrackError::BudgetSpent { until } => {
            t!("error.budget", locale = locale, number = number, time = super::zone::at(*until, zone, lang))
                .into_owned()
        }
        TrackError::Store(_) => store_error(lang),
    }
}

/// [`track_error`] as a reply. HTML.
pub fn track_error_html(error: &TrackError, number: &str, lang: Lang, zone: &Zone) -> String {
    escape(&track_error(error, number, lang, zone))
}

/// A Kuaidi100 failure, by what the person can do about it; never the raw message of an operator
/// problem. Plain text.
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

/// [`upstream_error`] as a reply. HTML.
pub fn upstream_error_html(error: &Error, lang: Lang) -> String {
    escape(&upstream_error(error, lang))
}

/// Kuaidi100 has been failing most queries since `since`: what the reply shows instead. HTML.
pub fn outage_html(since: DateTime<Utc>, lang: Lang, zone: &Zone) -> String {
    escape(&t!("error.outage", locale = lang.as_str(), time = super::zone::at(since, zone, lang)))
}

/// The bot's database failed. Plain text (a button toast).
pub fn store_error(lang: Lang) -> String {
    t!("error.store", locale = lang.as_str()).into_owned()
}

/// [`store_error`] as a reply. HTML.
pub fn store_error_html(lang: Lang) -> String {
    escape(&store_error(lang))
}

/// A command's usage line, e.g. `Usage: /track [courier] number …`. HTML.
pub fn usage_html(command: Name, lang: Lang) -> String {
    let spec = command.spec();
    match spec.usage {
        Some(key) => t!(key, locale = lang.as_str()).into_owned(),
        // Every command that takes arguments has a usage line; this one's help line will do.
        None => super::commands::help_line(command, lang),
    }
}

/// The reply to a command whose arguments could not be read: why, and how to do it. The buttons for
/// the couriers it names come from `keyboards::for_arg_error`. HTML.
pub fn arg_error_html(command: Name, error: &ArgError, lang: Lang) -> String {
    match error {
        ArgError::Usage => usage_html(command, lang),
        ArgError::BadNumber(error) => format!("{}\n{}", escape(&input_error(error, lang)), usage_html(command, lang)),
        ArgError::BadPhone(error) => escape(&input_error(error, lang)),
        ArgError::BadLabel(error) => {
            format!("{}\n{}", escape(&super::labels::label_error(error, lang)), usage_html(command, lang))
        }
        ArgError::AmbiguousCourier { input, candidates, .. } => escape(&ambiguous_courier(input, candidates, lang)),
        ArgError::UnknownCourier { input, suggestions, .. } => {
            let next = if suggestions.is_empty() {
                usage_html(command, lang)
            } else {
                escape(&did_you_mean(suggestions, lang))
            };
            format!("{}\n{next}", escape(&unknown_courier(input, lang)))
        }
    }
}

/// A private chat is asked for the phone digits it may reply with. HTML.
pub fn ask_phone_private_html(courier: &Courier, lang: Lang) -> String {
    let locale = lang.as_str();
    escape(&t!("phone.ask_private", locale = locale, courier = courier.name(locale)))
}

/// A group is shown how to give the phone digits in the command. HTML.
pub fn ask_phone_group_html(courier: &Courier, number: &TrackingNumber, lang: Lang) -> String {
    let locale = lang.as_str();
    t!(
        "phone.ask_group",
        locale = locale,
        courier = escape(courier.name(locale)),
        code = courier.code,
        number = escape(number.as_str())
    )
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::couriers::directory;
    use crate::input::tracking_number;

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

    #[test]
    fn argument_errors_say_what_was_wrong_and_escape_what_was_typed() {
        let number = tracking_number("YT9693083639795").expect("a number");
        let usage = arg_error_html(Name::Track, &ArgError::Usage, Lang::En);
        assert!(usage.starts_with("Usage: /track"), "{usage}");
        let short =
            arg_error_html(Name::Unsub, &ArgError::BadNumber(InputError::NumberTooShort { len: 2, min: 6 }), Lang::En);
        assert!(short.contains("at least 6") && short.contains("Usage: /unsub"), "{short}");
        let unknown =
            ArgError::UnknownCourier { input: "<yto>".into(), suggestions: Vec::new(), number: number.clone() };
        let html = arg_error_html(Name::Sub, &unknown, Lang::En);
        assert!(html.contains("&lt;yto&gt;") && html.contains("Usage: /sub"), "{html}");
        let yto = directory().get("yuantong").expect("yuantong");
        let suggested = ArgError::UnknownCourier { input: "yuantog".into(), suggestions: vec![yto], number };
        let html = arg_error_html(Name::Track, &suggested, Lang::Zh);
        assert!(html.contains("您是不是要找") && html.contains("圆通速递 (yuantong)"), "{html}");
    }
}
