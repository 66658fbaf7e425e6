//! Inline mode's words: a card's title and one-line description (plain text, as Telegram shows them
//! in the results list), and the hints shown above the results when the query names no parcel or the
//! tracker could not answer. A hint is a button's label, so it is one short line.

use rust_i18n::t;

use super::errors::track_error;
use super::parcel::state_label;
use crate::kuaidi100::Lang;
use crate::tracking::{Report, TrackError, Tracked};
use crate::zone::Zone;

/// The longest description shown under a card's title (Telegram cuts it at two lines anyway).
const DESCRIPTION_CHARS: usize = 120;
/// The longest hint: Telegram shows the button's label on one line.
const HINT_CHARS: usize = 64;

/// `YTO Express · YT9693083639795`. Plain text.
pub fn card_title(tracked: &Tracked, lang: Lang) -> String {
    format!("{} · {}", tracked.courier.name(lang.as_str()), tracked.number)
}

/// `🚚 In transit · [Xi'an] Arrived at …` — the state and the newest line, shortened. Plain text.
pub fn card_description(tracked: &Tracked, lang: Lang) -> String {
    let locale = lang.as_str();
    let text = match &tracked.report {
        Report::Answer { result, .. } => match result.data.first() {
            Some(line) => {
                let shown = crate::translate::line(line, tracked.answer_lang, lang);
                format!("{} · {}", state_label(&result.state, lang), super::parcel::shown_context(&shown, lang))
            }
            None => format!("{} · {}", state_label(&result.state, lang), t!("query.no_lines", locale = locale)),
        },
        Report::NoResultYet => t!("inline.no_result", locale = locale).into_owned(),
        Report::Failed(_) => t!("inline.failed", locale = locale).into_owned(),
    };
    shortened(&text, DESCRIPTION_CHARS)
}

/// The hint for an empty query. Plain text.
pub fn type_a_number(lang: Lang) -> String {
    t!("inline.type_a_number", locale = lang.as_str()).into_owned()
}

/// The hint for a query without a tracking number. Plain text.
pub fn no_number(lang: Lang) -> String {
    t!("inline.no_number", locale = lang.as_str()).into_owned()
}

/// The hint when the tracker could not answer (a phone needed, a courier to choose, too many asks).
/// Plain text.
pub fn cannot_answer(error: &TrackError, lang: Lang) -> String {
    let locale = lang.as_str();
    let text = match error {
        TrackError::PhoneRequired(courier) => {
            t!("inline.need_phone", locale = locale, courier = courier.name(locale)).into_owned()
        }
        TrackError::ChooseCourier(_) | TrackError::CourierNotDetected | TrackError::UnknownCourier(_) => {
            t!("inline.name_the_courier", locale = locale).into_owned()
        }
        other => track_error(other, "", lang, &Zone::Beijing),
    };
    shortened(&text, HINT_CHARS)
}

fn shortened(text: &str, most: usize) -> String {
    let single: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single.chars().count() <= most {
        return single;
    }
    let mut cut: String = single.chars().take(most - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_shortened_to_one_line() {
        assert_eq!(shortened("a\n b", 10), "a b");
        let long = "x".repeat(200);
        let cut = shortened(&long, DESCRIPTION_CHARS);
        assert_eq!(cut.chars().count(), DESCRIPTION_CHARS);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn every_hint_fits_one_line_in_both_languages() {
        for lang in [Lang::En, Lang::Zh] {
            for hint in [
                type_a_number(lang),
                no_number(lang),
                cannot_answer(&TrackError::Throttled { retry_after: std::time::Duration::from_secs(42) }, lang),
                cannot_answer(&TrackError::CourierNotDetected, lang),
            ] {
                assert!(!hint.is_empty() && hint.chars().count() <= HINT_CHARS, "{hint}");
                assert!(!hint.contains("inline."), "a missing translation: {hint}");
            }
        }
    }
}
