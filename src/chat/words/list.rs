//! `/list` as a summary of what the chat is waiting for: its watched parcels in groups — out for
//! delivery first, then on their way, then the rest (`view::ListGroup`) — each with its label, its
//! state, how long it has been on the way, the pickup code its newest line gives, and how old that is.
//!
//! Two lines a parcel, so that a chat at its cap of 50 still reads at a glance; a list that would
//! pass Telegram's 4,096 characters (long labels, long courier names) loses its last whole entries
//! and says how many, and the caller shows buttons only for the entries shown.

use chrono::{DateTime, Utc};
use rust_i18n::t;

use super::commands::age;
use super::{escape, state_label};
use crate::chat::view::{ListGroup, Listed, MAX_MESSAGE_CHARS, telegram_len};
use crate::kuaidi100::Lang;

/// Room kept for the closing note.
const NOTE_ROOM: usize = 120;

/// `/list`'s text, and how many of `parcels` (arranged by `view::arrange`) it shows. HTML.
pub fn list_html(parcels: &[Listed], now: DateTime<Utc>, lang: Lang) -> (String, usize) {
    let locale = lang.as_str();
    let mut html = t!("list.header", locale = locale).into_owned();
    let mut used = telegram_len(&html);
    let mut group = None;
    let mut shown = 0;
    for parcel in parcels {
        let this_group = ListGroup::of(parcel.state);
        let mut block = String::new();
        if group != Some(this_group) {
            block += &format!("\n\n<b>{}</b>", escape(&group_title(this_group, lang)));
        }
        block += &format!("\n{}", entry(parcel, now, lang));
        let length = telegram_len(&block);
        if used + length > MAX_MESSAGE_CHARS - NOTE_ROOM {
            break;
        }
        html += &block;
        used += length;
        group = Some(this_group);
        shown += 1;
    }
    if shown < parcels.len() {
        html += &format!("\n\n<i>{}</i>", escape(&t!("list.cut", locale = locale, count = parcels.len() - shown)));
    }
    (html, shown)
}

/// A group's heading: `🛵 Out for delivery`. Plain text.
fn group_title(group: ListGroup, lang: Lang) -> String {
    let key = match group {
        ListGroup::OutForDelivery => "list.group.out_for_delivery",
        ListGroup::InTransit => "list.group.in_transit",
        ListGroup::Rest => "list.group.rest",
    };
    t!(key, locale = lang.as_str()).into_owned()
}

/// `1. 🏷 <b>妈妈的茶</b> · 圆通速递 <code>YT…</code>`, then the state, the days on the way, the pickup
/// code and the answer's age. HTML.
fn entry(parcel: &Listed, now: DateTime<Utc>, lang: Lang) -> String {
    let locale = lang.as_str();
    let mut first = format!("{}. ", parcel.position);
    if let Some(label) = parcel.label {
        first += &format!("{} · ", super::label_html(label));
    }
    first += &format!("{} <code>{}</code>", escape(parcel.courier.name(locale)), escape(parcel.number));
    let mut facts = Vec::new();
    if let Some(state) = parcel.state {
        facts.push(escape(&state_label(state, lang)));
    }
    let days = (parcel.until.unwrap_or(now) - parcel.since).num_days().max(0);
    let days = if days == 0 { "<1".to_owned() } else { days.to_string() };
    let key = if parcel.until.is_some() { "list.took" } else { "list.on_the_way" };
    facts.push(escape(&t!(key, locale = locale, days = days)));
    if let Some(code) = &parcel.pickup {
        facts.push(t!("list.pickup", locale = locale, code = format!("<code>{}</code>", escape(code))).into_owned());
    }
    let age = match parcel.answered_at {
        Some(at) => t!("list.age", locale = locale, age = age(now, at, lang)),
        None => t!("list.never", locale = locale),
    };
    facts.push(format!("<i>{}</i>", escape(&age)));
    format!("{first}\n      {}", facts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::view::arrange;
    use crate::couriers::directory;
    use chrono::Duration;

    fn listed<'a>(number: &'a str, state: Option<&'a str>, label: Option<&'a str>, now: DateTime<Utc>) -> Listed<'a> {
        Listed {
            position: 0,
            courier: directory().get("yuantong").expect("yuantong"),
            number,
            label,
            state,
            answered_at: Some(now - Duration::minutes(5)),
            since: now - Duration::days(3) - Duration::hours(2),
            until: None,
            pickup: None,
        }
    }

    #[test]
    fn groups_come_out_for_delivery_first_then_in_transit_then_the_rest() {
        let now = Utc::now();
        let mut parcels = vec![
            listed("YT0000000001", Some("3"), None, now),
            listed("YT0000000002", Some("0"), None, now),
            listed("YT0000000003", Some("5"), Some("mom's tea"), now),
            listed("YT0000000004", None, None, now),
            listed("YT0000000005", Some("1"), None, now),
        ];
        parcels[3].answered_at = None;
        arrange(&mut parcels);
        let order: Vec<_> = parcels.iter().map(|parcel| (parcel.position, parcel.number)).collect();
        assert_eq!(
            order,
            [(1, "YT0000000003"), (2, "YT0000000002"), (3, "YT0000000005"), (4, "YT0000000001"), (5, "YT0000000004")]
        );
        let (html, shown) = list_html(&parcels, now, Lang::En);
        assert_eq!(shown, 5);
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} in {html}"));
        assert!(at("<b>🛵 Out for delivery</b>") < at("YT0000000003"), "{html}");
        assert!(at("YT0000000003") < at("<b>🚚 On the way</b>") && at("<b>🚚 On the way</b>") < at("YT0000000002"));
        assert!(at("YT0000000005") < at("<b>📋 The rest</b>") && at("<b>📋 The rest</b>") < at("YT0000000001"));
        assert_eq!(html.matches("<b>🚚 On the way</b>").count(), 1, "one heading per group: {html}");
        assert!(html.contains("1. 🏷 <b>mom's tea</b> · YTO Express <code>YT0000000003</code>"), "{html}");
        assert!(html.contains("3 d on the way") && html.contains("5 min ago"), "{html}");
        assert!(html.contains("not checked yet"), "no answer yet: {html}");
    }

    #[test]
    fn an_entry_has_its_pickup_code_and_a_finished_parcel_its_time_taken_in_both_languages() {
        let now = Utc::now();
        let mut waiting = listed("YT0000000001", Some("501"), Some("<b>x</b> & co"), now);
        waiting.pickup = Some("6-3-1024".into());
        let mut delivered = listed("YT0000000002", Some("3"), None, now);
        delivered.until = Some(now - Duration::days(1));
        let mut fresh = listed("YT0000000003", Some("1"), None, now);
        fresh.since = now - Duration::hours(3);
        let mut parcels = vec![waiting, delivered, fresh];
        arrange(&mut parcels);
        let (en, _) = list_html(&parcels, now, Lang::En);
        assert!(en.contains("pickup code <code>6-3-1024</code>"), "{en}");
        assert!(en.contains("🏷 <b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>") && !en.contains("<b>x</b>"), "escaped: {en}");
        assert!(en.contains("took 2 d"), "{en}");
        assert!(en.contains("&lt;1 d on the way"), "{en}");
        let (zh, _) = list_html(&parcels, now, Lang::Zh);
        assert!(zh.starts_with("本聊天订阅的包裹"), "{zh}");
        assert!(
            zh.contains("取件码 <code>6-3-1024</code>") && zh.contains("用时 2 天") && zh.contains("已在途 &lt;1 天"),
            "{zh}"
        );
        assert!(
            zh.contains("<b>🛵 派送中</b>") && zh.contains("<b>🚚 运输中</b>") && zh.contains("<b>📋 其他</b>"),
            "{zh}"
        );
    }

    #[test]
    fn fifty_long_entries_stay_under_the_limit_and_say_how_many_were_left_out() {
        let now = Utc::now();
        let numbers: Vec<String> = (0..50).map(|i| format!("YT{:030}", i)).collect();
        let label = "茶".repeat(32);
        let mut parcels: Vec<Listed> = numbers
            .iter()
            .map(|number| {
                let mut parcel = listed(number, Some("5"), Some(&label), now);
                parcel.pickup = Some("A12-3456".into());
                parcel
            })
            .collect();
        arrange(&mut parcels);
        for lang in [Lang::En, Lang::Zh] {
            let (html, shown) = list_html(&parcels, now, lang);
            assert!(html.chars().count() <= MAX_MESSAGE_CHARS, "{}", html.chars().count());
            assert!(shown > 0 && shown < 50, "{shown}");
            let note = if lang == Lang::En {
                format!("{} more parcels not shown", 50 - shown)
            } else {
                format!("还有 {} 个包裹未显示", 50 - shown)
            };
            assert!(html.ends_with(&format!("{note}</i>")) || html.contains(&note), "{html}");
            assert!(
                html.contains(&format!("{shown}. ")) && !html.contains(&format!("\n{}. ", shown + 1)),
                "cut on an entry"
            );
        }
    }
}
