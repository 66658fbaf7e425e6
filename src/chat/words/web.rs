//! The web API's own phrases, beside the shared ones it reuses from [`super::errors`]. Plain text: the
//! API puts them in JSON, and whoever shows them escapes them.

use rust_i18n::t;

use crate::kuaidi100::Lang;

/// A request without the API token (or with a wrong one).
pub fn unauthorized(lang: Lang) -> String {
    t!("api.unauthorized", locale = lang.as_str()).into_owned()
}

/// A query string that cannot be read (a parameter twice, bad encoding).
pub fn bad_query(lang: Lang) -> String {
    t!("api.bad_query", locale = lang.as_str()).into_owned()
}

/// A `lang` that is neither `zh` nor `en`.
pub fn lang_invalid(asked: &str, lang: Lang) -> String {
    t!("api.lang_invalid", locale = lang.as_str(), lang = asked).into_owned()
}

/// A `tz` that is neither a time zone name nor a UTC offset.
pub fn zone_invalid(asked: &str, lang: Lang) -> String {
    t!("api.zone_invalid", locale = lang.as_str(), tz = asked).into_owned()
}

/// A `limit` that is not a whole number in range.
pub fn limit_invalid(asked: &str, max: usize, lang: Lang) -> String {
    t!("api.limit_invalid", locale = lang.as_str(), limit = asked, max = max).into_owned()
}
