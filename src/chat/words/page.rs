//! The web page's wording: its labels, and the few sentences only the page says.
//!
//! The page says most things the bot says (refused input, what the tracker could not do, how fresh an
//! answer is) and takes those from the other files here, so that a parcel reads the same in a chat,
//! on the command line and in a browser. Everything here is **plain text**: the page's template
//! escapes whatever it puts into HTML, so no function here escapes.

use rust_i18n::t;

use crate::kuaidi100::Lang;
use crate::zone::Zone;

/// Every fixed label of the page, in one language.
#[derive(Debug, Clone)]
pub struct PageWords {
    pub title: String,
    pub intro: String,
    pub number_label: String,
    pub courier_label: String,
    pub courier_hint: String,
    pub submit: String,
    pub phone_label: String,
    pub phone_hint: String,
    pub phone_submit: String,
    pub state: String,
    pub timeline: String,
    pub zone_label: String,
    pub zone_hint: String,
    pub place: String,
    pub permalink: String,
    pub permalink_note: String,
    pub copy: String,
    pub copied: String,
    pub telegram: String,
    /// The link to the other language, in that language ("English" on the Chinese page).
    pub switch_lang: String,
    pub sandbox_banner: String,
    pub footer: String,
}

/// The page's labels in `lang`.
pub fn page_words(lang: Lang) -> PageWords {
    let locale = lang.as_str();
    let word = |key: &str| t!(key, locale = locale).into_owned();
    PageWords {
        title: word("page.title"),
        intro: word("page.intro"),
        number_label: word("page.number_label"),
        courier_label: word("page.courier_label"),
        courier_hint: word("page.courier_hint"),
        submit: word("page.submit"),
        phone_label: word("page.phone_label"),
        phone_hint: word("page.phone_hint"),
        phone_submit: word("page.phone_submit"),
        state: word("query.state"),
        timeline: word("page.timeline"),
        zone_label: word("page.zone_label"),
        zone_hint: word("page.zone_hint"),
        place: word("page.place"),
        permalink: word("page.permalink"),
        permalink_note: word("page.permalink_note"),
        copy: word("page.copy"),
        copied: word("page.copied"),
        telegram: word("page.telegram"),
        switch_lang: word("page.switch_lang"),
        sandbox_banner: word("help.sandbox"),
        footer: word("page.footer"),
    }
}

/// Detection left several couriers for `number`: the line above the links to pick one.
pub fn choose_courier(number: &str, lang: Lang) -> String {
    t!("page.choose", locale = lang.as_str(), number = number).into_owned()
}

/// The note above the timeline: "All times are Beijing time.", "All times are Europe/Berlin.".
pub fn zone_note(zone: &Zone, lang: Lang) -> String {
    t!("page.zone_note", locale = lang.as_str(), zone = super::zone::name(zone, lang)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_label_and_differ() {
        let (zh, en) = (page_words(Lang::Zh), page_words(Lang::En));
        for (zh, en) in [(&zh.title, &en.title), (&zh.timeline, &en.timeline), (&zh.switch_lang, &en.switch_lang)] {
            assert!(!zh.starts_with("page.") && !en.starts_with("page."), "{zh} / {en}");
            assert_ne!(zh, en);
        }
        assert_eq!(zone_note(&Zone::Beijing, Lang::Zh), "所有时间均为北京时间。");
        assert_eq!(zone_note(&Zone::parse("UTC+1").expect("a zone"), Lang::En), "All times are UTC+01:00.");
        assert!(choose_courier("431234567890123", Lang::En).contains("431234567890123"));
    }
}
