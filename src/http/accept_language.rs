//! `Accept-Language` read the one way the page and the API both read it: the most preferred Chinese
//! or English range (`zh*` → Chinese, `en*` → English), by `q`, ties in their order; `q=0` means "not
//! this one".

use crate::kuaidi100::Lang;

/// The most preferred range of an `Accept-Language` value that is Chinese or English.
pub fn preferred(value: &str) -> Option<Lang> {
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
        assert_eq!(preferred("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(preferred("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(preferred("fr-FR, en;q=0.5, zh;q=0.4"), Some(Lang::En));
        assert_eq!(preferred("de, zh-Hant;q=0.7, en;q=0.8"), Some(Lang::En));
        assert_eq!(preferred("en;q=0, zh;q=0.1"), Some(Lang::Zh));
        assert_eq!(preferred("fr, de"), None);
        assert_eq!(preferred(""), None);
        assert_eq!(preferred("*"), None);
    }
}
