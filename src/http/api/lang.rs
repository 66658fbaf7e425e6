//! Which language a request asks for: `lang=zh|en` when given, else the most preferred Chinese or
//! English range of `Accept-Language` (`zh*` → Chinese, `en*` → English, by `q`, ties in order), else
//! `DEFAULT_LANG`. A `lang=` that is neither is refused (in the language the rest would pick).

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

use super::error::{ApiError, ErrorCode};
use crate::chat::words;
use crate::kuaidi100::Lang;

/// The language without `lang=`: `Accept-Language`, else `default`.
pub fn preferred(headers: &HeaderMap, default: Lang) -> Lang {
    headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(crate::http::accept_language::preferred)
        .unwrap_or(default)
}

/// `lang=` read strictly (`zh` or `en`, any case); `fallback` when absent or empty.
pub fn asked(param: Option<&str>, fallback: Lang) -> Result<Lang, ApiError> {
    match param.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(fallback),
        Some(text) if text.eq_ignore_ascii_case("zh") => Ok(Lang::Zh),
        Some(text) if text.eq_ignore_ascii_case("en") => Ok(Lang::En),
        Some(text) => {
            Err(ApiError::bad_request(ErrorCode::LangInvalid, words::web::lang_invalid(&words::echo(text), fallback)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
