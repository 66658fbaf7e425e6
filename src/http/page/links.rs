//! Every URL the page writes: back to itself (courier picks, the language switch), the permalink and
//! the bot's deep link. None of them carries a phone: no function here takes one.

use super::view::Share;
use crate::chat::start_link::{self, LinkOp};
use crate::kuaidi100::Lang;

/// The links of one visit.
pub struct Links {
    /// The language the visitor chose with `?lang=`, kept in links back to the page.
    pub chosen_lang: Option<Lang>,
    /// The time zone the visitor chose with `?tz=` (its id), kept in links back to the page, never in
    /// the permalink (each reader's own zone decides).
    pub chosen_zone: Option<String>,
    /// The bot's Telegram username, once `getMe` told it.
    pub bot_username: Option<String>,
}

impl Links {
    /// The page asking about `number` (with `courier`), in the chosen language if one was chosen.
    pub fn page(&self, number: Option<&str>, courier: Option<&str>) -> String {
        page_href(number, courier, self.chosen_lang, self.chosen_zone.as_deref())
    }

    /// The same question in `lang`.
    pub fn in_lang(&self, number: Option<&str>, courier: Option<&str>, lang: Lang) -> String {
        page_href(number, courier, Some(lang), self.chosen_zone.as_deref())
    }

    /// The permalink (`/?number=…&courier=…`: each reader's own language decides) and the bot link.
    pub fn share(&self, courier_code: &str, number: &str) -> Share {
        Share {
            permalink: page_href(Some(number), Some(courier_code), None, None),
            telegram: self.bot_username.as_deref().and_then(|username| telegram_link(username, courier_code, number)),
        }
    }
}

fn page_href(number: Option<&str>, courier: Option<&str>, lang: Option<Lang>, zone: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(number) = number.filter(|number| !number.is_empty()) {
        query.append_pair("number", number);
    }
    if let Some(courier) = courier.filter(|courier| !courier.is_empty()) {
        query.append_pair("courier", courier);
    }
    if let Some(lang) = lang {
        query.append_pair("lang", lang.as_str());
    }
    if let Some(zone) = zone {
        query.append_pair("tz", zone);
    }
    let query = query.finish();
    if query.is_empty() { "/".to_owned() } else { format!("/?{query}") }
}

/// `https://t.me/<bot>?start=<courier>-<NUMBER>`: the bot opened on the parcel (`chat::start_link`
/// writes and reads every deep link). `None` for a username Telegram could not have given (then the
/// page shows no link).
pub fn telegram_link(username: &str, courier_code: &str, number: &str) -> Option<String> {
    start_link::link(username, LinkOp::Open, courier_code, number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_back_to_the_page_keep_a_chosen_language_and_encode_what_was_typed() {
        let chosen = Links { chosen_lang: Some(Lang::En), chosen_zone: None, bot_username: None };
        assert_eq!(chosen.page(Some("YT1"), Some("yuantong")), "/?number=YT1&courier=yuantong&lang=en");
        assert_eq!(
            chosen.in_lang(Some("a&b"), Some("圆通"), Lang::Zh),
            "/?number=a%26b&courier=%E5%9C%86%E9%80%9A&lang=zh"
        );
        assert_eq!(chosen.in_lang(None, Some(""), Lang::Zh), "/?lang=zh");
        let unchosen = Links { chosen_lang: None, chosen_zone: None, bot_username: None };
        assert_eq!(unchosen.page(None, None), "/");
        let zoned = Links { chosen_lang: None, chosen_zone: Some("Europe/Berlin".into()), bot_username: None };
        assert_eq!(zoned.page(Some("YT1"), None), "/?number=YT1&tz=Europe%2FBerlin");
        assert_eq!(zoned.share("yuantong", "YT1").permalink, "/?number=YT1&courier=yuantong", "no zone in a permalink");
    }

    #[test]
    fn the_permalink_has_number_and_courier_only_and_the_bot_link_a_start_parameter() {
        let links =
            Links { chosen_lang: Some(Lang::En), chosen_zone: None, bot_username: Some("kuaidi_test_bot".into()) };
        let share = links.share("shunfeng", "SF1234567890123");
        assert_eq!(share.permalink, "/?number=SF1234567890123&courier=shunfeng");
        assert_eq!(share.telegram.as_deref(), Some("https://t.me/kuaidi_test_bot?start=shunfeng-SF1234567890123"));
        assert_eq!(telegram_link("bad name", "yuantong", "YT1"), None);
        assert_eq!(telegram_link("abc", "yuantong", "YT1"), None);
        let long = "1".repeat(60);
        assert_eq!(
            telegram_link("kuaidi_test_bot", "yuantong", &long).as_deref(),
            Some("https://t.me/kuaidi_test_bot")
        );
    }
}
