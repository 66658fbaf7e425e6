//! `/forget`'s texts: the question, what was deleted (with counts), and that nothing was.

use rust_i18n::t;

use super::escape;
use crate::kuaidi100::Lang;
use crate::store::Forgotten;

/// The question under which the two buttons stand; in a group, who may answer it. HTML.
pub fn confirm_html(group: bool, lang: Lang) -> String {
    let locale = lang.as_str();
    let mut html = escape(&t!("forget.confirm", locale = locale));
    if group {
        html += &format!("\n<i>{}</i>", escape(&t!("forget.confirm_group", locale = locale)));
    }
    html
}

/// What a confirmed `/forget` deleted; a second press, after the data is gone, says there is nothing
/// left. HTML.
pub fn done_html(forgotten: &Forgotten, lang: Lang) -> String {
    let locale = lang.as_str();
    if forgotten.is_empty() {
        return escape(&t!("forget.nothing", locale = locale));
    }
    escape(&t!(
        "forget.done",
        locale = locale,
        subscriptions = forgotten.subscriptions,
        parcels = forgotten.parcels,
        phones = forgotten.phones,
        labels = forgotten.labels,
        notices = forgotten.notices,
        settings = forgotten.settings
    ))
}

/// The question was answered with "keep it". HTML.
pub fn kept_html(lang: Lang) -> String {
    escape(&t!("forget.kept", locale = lang.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_said_and_nothing_left_is_said_too() {
        let forgotten = Forgotten { subscriptions: 2, parcels: 3, phones: 1, labels: 1, notices: 4, settings: 2 };
        let en = done_html(&forgotten, Lang::En);
        assert!(en.contains("2 watched parcels") && en.contains("4 notifications"), "{en}");
        assert!(done_html(&forgotten, Lang::Zh).contains("2 个订阅"));
        assert_eq!(done_html(&Forgotten::default(), Lang::En), "Done: the bot held nothing about this chat any more.");
        assert!(confirm_html(true, Lang::En).contains("only the person who asked"));
    }
}
