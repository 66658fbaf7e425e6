//! Which language a request asks for: `lang=zh|en` when given, else the most preferred Chinese or
//! English range of `Accept-Language` (`zh*` → Chinese, `en*` → English, by `q`, ties in order), else
//! `DEFAULT_LANG`. A `lang=` that is neither is refused (in the language the rest would pick).

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use super::echo;
use super::error::{ApiError, ErrorCode};
use crate::chat::words;
use crate::kuaidi100::Lang;

/// The language without `lang=`: `Accept-Language`, else `default`.
pub fn preferred(headers: &HeaderMap, default: Lang) -> Lang {
    headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(from_accept_language)
        .unwrap_or(default)
}

/// `lang=` read strictly (`zh` or `en`, any case); `fallback` when absent or empty.
pub fn asked(param: Option<&str>, fallback: Lang) -> Result<Lang, ApiError> {
    match param.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(fallback),
        Some(text) if text.eq_ignore_ascii_case("zh") => Ok(Lang::Zh),
        Some(text) if text.eq_ignore_ascii_case("en") => Ok(Lang::En),
        Some(text) => {
            Err(ApiError::bad_request(ErrorCode::LangInvalid, words::web::lang_invalid(&echo(text), fallback)))
        }
    }
}

/// The most preferred range of an `Accept-Language` value that is Chinese or English.
pub fn from_accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(u16, Lang)> = None;
    for range in value.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|param| param.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Thousandths, as RFC 9110 writes q; q=0 means "not this one".
        let quality = (quality.clamp(0.0, 1.0) * 1000.0).round() as u16;
        let Some(lang) = Lang::parse(tag) else { continue };
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_by_preference() {
        assert_eq!(from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"), Some(Lang::En));
        assert_eq!(from_accept_language("de, zh-Hant;q=0.7, en;q=0.8"), Some(Lang::En));
        assert_eq!(from_accept_language("en;q=0, zh;q=0.1"), Some(Lang::Zh));
        assert_eq!(from_accept_language("fr, de"), None);
        assert_eq!(from_accept_language(""), None);
        assert_eq!(from_accept_language("*"), None);
    }

    #[test]
    fn lang_param_is_strict() {
        assert_eq!(asked(Some("EN"), Lang::Zh).ok(), Some(Lang::En));
        assert_eq!(asked(None, Lang::En).ok(), Some(Lang::En));
        assert_eq!(asked(Some(""), Lang::En).ok(), Some(Lang::En));
        let refused = asked(Some("fr"), Lang::En).expect_err("not a language of the bot");
        assert_eq!(refused.detail.code, ErrorCode::LangInvalid);
        assert!(refused.detail.message.contains("fr"), "{}", refused.detail.message);
    }
}
