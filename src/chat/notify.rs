//! Notifications as people read them: several pending notices for one chat become one message.

use rust_i18n::t;

use super::callback::{Op, encode};
use super::render::{MAX_MESSAGE_CHARS, escape, line_block};
use super::types::{Button, Reply};
use crate::couriers::directory;
use crate::describe;
use crate::kuaidi100::{Error, Lang};
use crate::watch::{Notice, NoticeKind};

/// One message for all the notices pending for a chat, with 🔄 and 🔕 buttons per parcel still watched.
pub fn notices_reply(notices: &[Notice], lang: Lang, sandbox: bool) -> Reply {
    let locale = lang.as_str();
    let several = notices.len() > 1;
    let mut blocks = Vec::new();
    let mut buttons = Vec::new();
    for notice in notices {
        let Some(courier) = directory().get(&notice.courier) else { continue };
        let mut block = format!("🔔 <b>{}</b> · <code>{}</code>", escape(courier.name(locale)), escape(&notice.number));
        if let Some(state) = &notice.state {
            let now = escape(&describe::state_label(state, lang));
            match notice.previous_state.as_deref().filter(|previous| *previous != state) {
                Some(previous) => {
                    block += &format!("\n{} → <b>{now}</b>", escape(&describe::state_label(previous, lang)))
                }
                None => block += &format!("\n<b>{now}</b>"),
            }
        }
        for line in &notice.new_lines {
            block += &format!("\n{}", line_block(&line.time, line.place.as_deref(), &line.context));
        }
        if notice.more_lines > 0 {
            block += &format!("\n<i>{}</i>", escape(&t!("notice.more", locale = locale, count = notice.more_lines)));
        }
        let closing = match notice.kind {
            NoticeKind::Update => None,
            NoticeKind::Finished => Some(t!("notice.finished", locale = locale)),
            NoticeKind::GaveUp => Some(t!("notice.gave_up", locale = locale)),
            NoticeKind::Unchanged => Some(t!("notice.unchanged", locale = locale)),
            NoticeKind::CannotWatch => {
                let error = Error::api(notice.return_code.as_deref().unwrap_or("400"), "");
                Some(t!("notice.cannot_watch", locale = locale, reason = describe::upstream_error(&error, lang)))
            }
        };
        if let Some(closing) = closing {
            block += &format!("\n<i>{}</i>", escape(&closing));
        }
        blocks.push(block);

        let label = |text: String| if several { format!("{text} {}", notice.number) } else { text };
        let mut row = vec![Button {
            text: label(t!("button.refresh", locale = locale).into_owned()),
            data: encode(Op::Refresh, courier, &notice.number),
        }];
        if !notice.kind.ends_watching() {
            row.push(Button {
                text: label(t!("button.unsubscribe", locale = locale).into_owned()),
                data: encode(Op::UnsubscribeQuiet, courier, &notice.number),
            });
        }
        buttons.push(row);
    }
    if sandbox {
        blocks.push(format!("<i>{}</i>", escape(&t!("freshness.sandbox", locale = locale))));
    }
    // Whole blocks only; a message of many parcels loses its last blocks rather than overflowing.
    let mut html = String::new();
    for block in blocks {
        let separator = if html.is_empty() { "" } else { "\n\n" };
        if html.chars().count() + separator.len() + block.chars().count() > MAX_MESSAGE_CHARS {
            break;
        }
        html += separator;
        html += &block;
    }
    buttons.truncate(20);
    Reply { html, buttons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::NoticeLine;

    fn notice(kind: NoticeKind, number: &str) -> Notice {
        Notice {
            courier: "yuantong".into(),
            number: number.into(),
            kind,
            state: Some("5".into()),
            previous_state: Some("1002".into()),
            new_lines: vec![NoticeLine {
                time: "2026-11-02 09:10:00".into(),
                place: Some("杭州".into()),
                context: "派件中 <快递员> & co".into(),
            }],
            more_lines: 2,
            return_code: None,
        }
    }

    #[test]
    fn an_update_says_what_changed_and_escapes() {
        let reply = notices_reply(&[notice(NoticeKind::Update, "YT1000000001")], Lang::En, false);
        assert!(reply.html.contains("In line-haul transport → <b>🛵 Out for delivery</b>"), "{}", reply.html);
        assert!(reply.html.contains("派件中 &lt;快递员&gt; &amp; co"));
        assert!(reply.html.contains("and 2 more"));
        let data: Vec<_> = reply.buttons.concat().into_iter().map(|b| b.data).collect();
        assert_eq!(data, vec!["r:0:YT1000000001".to_owned(), "x:0:YT1000000001".to_owned()]);
    }

    #[test]
    fn several_parcels_make_one_message_and_final_notices_close() {
        let reply = notices_reply(
            &[notice(NoticeKind::Update, "YT1000000001"), notice(NoticeKind::Finished, "YT1000000002")],
            Lang::Zh,
            true,
        );
        assert_eq!(reply.html.matches("🔔").count(), 2);
        assert!(reply.html.contains("不再继续跟踪") && reply.html.contains("沙盒数据"));
        assert_eq!(reply.buttons.len(), 2);
        assert_eq!(reply.buttons[1].len(), 1, "a finished parcel has no unsubscribe button");
        assert!(reply.buttons[0][0].text.contains("YT1000000001"));
    }
}
