//! `/name` (`/label`) and the 🏷 button: the answers when a chat names a parcel, clears its name,
//! names a parcel the bot does not know, or gives a name that cannot be used — and the question the
//! 🏷 button asks. Every label is escaped where it is shown: it is what the user typed.

use rust_i18n::t;

use super::{escape, label_html};
use crate::couriers::Courier;
use crate::input::{LabelError, MAX_LABEL_CHARS};
use crate::kuaidi100::Lang;

/// Why a label was refused. Plain text.
pub fn label_error(error: &LabelError, lang: Lang) -> String {
    let locale = lang.as_str();
    match error {
        LabelError::TooLong { len, max } => t!("label.too_long", locale = locale, len = len, max = max),
        other => t!(other.key(), locale = locale, max = MAX_LABEL_CHARS),
    }
    .into_owned()
}

/// A label refused in answer to the 🏷 question, which still waits for a better one. HTML.
pub fn label_retry_html(error: &LabelError, lang: Lang) -> String {
    format!("{}\n{}", escape(&label_error(error, lang)), t!("label.retry", locale = lang.as_str()))
}

/// The parcel is named now. HTML.
pub fn named_html(number: &str, label: &str, lang: Lang) -> String {
    t!("label.set", locale = lang.as_str(), number = escape(number), label = label_html(label)).into_owned()
}

/// `/name <number>` alone: the name is gone, or there was none. HTML.
pub fn unnamed_html(number: &str, had_one: bool, lang: Lang) -> String {
    let key = if had_one { "label.cleared" } else { "label.none" };
    t!(key, locale = lang.as_str(), number = escape(number)).into_owned()
}

/// `/name` for a number the bot has never seen: track it first. HTML.
pub fn unknown_parcel_html(number: &str, lang: Lang) -> String {
    t!("label.unknown", locale = lang.as_str(), number = escape(number)).into_owned()
}

/// 🏷 pressed: send the name (in a group, as a reply to this question, which is what reaches the bot).
/// HTML.
pub fn ask_label_html(courier: &Courier, number: &str, group: bool, lang: Lang) -> String {
    let locale = lang.as_str();
    let key = if group { "label.ask_group" } else { "label.ask" };
    t!(key, locale = locale, courier = escape(courier.name(locale)), number = escape(number), max = MAX_LABEL_CHARS)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_error_is_phrased_in_both_languages() {
        for error in [LabelError::Empty, LabelError::TooLong { len: 40, max: 32 }, LabelError::BadChar { bad: '\n' }] {
            let en = label_error(&error, Lang::En);
            let zh = label_error(&error, Lang::Zh);
            assert!(!en.starts_with("label.") && !zh.starts_with("label."), "{}", error.key());
            assert_ne!(en, zh);
            assert!(!en.contains("%{") && !zh.contains("%{"), "{en} / {zh}");
        }
        assert!(label_error(&LabelError::TooLong { len: 40, max: 32 }, Lang::En).contains("40"));
    }

    #[test]
    fn what_was_typed_is_escaped() {
        let html = named_html("YT9693083639795", "<b>x</b> & co", Lang::En);
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt; &amp; co") && !html.contains("<b>x</b>"), "{html}");
    }
}
