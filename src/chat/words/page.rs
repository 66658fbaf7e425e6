//! The web page's wording: its labels, and the few sentences only the page says.
//!
//! The page says most things the bot says (refused input, what the tracker could not do, how fresh an
//! answer is) and takes those from the other files here, so that a parcel reads the same in a chat,
//! on the command line and in a browser. Everything here is **plain text**: the page's template
//! escapes whatever it puts into HTML, so no function here escapes.

use rust_i18n::t;

use crate::kuaidi100::Lang;

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
    pub beijing_time: String,
    pub zone_note: String,
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
        beijing_time: word("page.beijing_time"),
        zone_note: word("page.zone_note"),
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

/// `text` with the time zone of the times in it said: "… at 11:30 (Beijing time)".
pub fn in_beijing_time(text: &str, lang: Lang) -> String {
    t!("page.in_beijing_time", locale = lang.as_str(), text = text).into_owned()
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
        assert_eq!(zh.beijing_time, "北京时间");
        assert_eq!(en.beijing_time, "Beijing time");
        assert!(choose_courier("431234567890123", Lang::En).contains("431234567890123"));
    }
}
