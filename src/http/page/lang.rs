//! Which language the page speaks: `?lang=zh|en` when the visitor chose one (the switch link), else
//! the first Chinese or English entry of `Accept-Language` by preference, else `DEFAULT_LANG`.

use crate::kuaidi100::Lang;

/// The language of one request, and whether the visitor chose it (then links and forms keep it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLang {
    pub lang: Lang,
    pub chosen: bool,
}

impl PageLang {
    pub fn negotiate(param: Option<&str>, accept_language: Option<&str>, default: Lang) -> Self {
        if let Some(lang) = param.and_then(Lang::parse) {
            return Self { lang, chosen: true };
        }
        let lang = accept_language.and_then(crate::http::accept_language::preferred).unwrap_or(default);
        Self { lang, chosen: false }
    }

    /// `zh-CN` or `en`, for `<html lang>` and `Content-Language`.
    pub fn html_lang(self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(param: Option<&str>, accept: Option<&str>) -> (Lang, bool) {
        let chosen = PageLang::negotiate(param, accept, Lang::Zh);
        (chosen.lang, chosen.chosen)
    }

    #[test]
    fn the_parameter_wins_then_the_header_by_weight_then_the_default() {
        assert_eq!(negotiate(Some("en"), Some("zh-CN")), (Lang::En, true));
        assert_eq!(negotiate(Some("fr"), Some("en-US,en;q=0.9")), (Lang::En, false));
        assert_eq!(negotiate(None, Some("zh-TW;q=0.8, en;q=0.9")), (Lang::En, false));
        assert_eq!(negotiate(None, Some("fr-FR, zh;q=0.5, en;q=0.5")), (Lang::Zh, false));
        assert_eq!(negotiate(None, Some("en;q=0, zh;q=0.1")), (Lang::Zh, false));
        assert_eq!(negotiate(None, Some("de, fr")), (Lang::Zh, false));
        assert_eq!(negotiate(None, Some("")), (Lang::Zh, false));
        assert_eq!(negotiate(None, None), (Lang::Zh, false));
    }
}
