//! Notifications as people read them: one block per parcel that moved (its state change, its new
//! lines, why watching ends when it does), all the pending blocks of a chat in one message.
//!
//! A message of many parcels loses its last whole blocks rather than overflowing Telegram's limit.

use rust_i18n::t;

use super::{errors, escape, labelled_header, parcel::shown_block, state_label};
use crate::chat::view::MAX_MESSAGE_CHARS;
use crate::couriers::directory;
use crate::kuaidi100::{Error, Lang};
use crate::watch::{Notice, NoticeKind};

/// The text of one message for all the notices pending for a chat; a notice of a courier the
/// directory no longer has is left out (its buttons too, in `keyboards::notices`). HTML.
pub fn notices_html(notices: &[Notice], lang: Lang, sandbox: bool) -> String {
    let mut blocks: Vec<String> = notices.iter().filter_map(|notice| block(notice, lang)).collect();
    if sandbox {
        blocks.push(format!("<i>{}</i>", escape(&super::parcel::sandbox_note(lang))));
    }
    let mut html = String::new();
    for block in blocks {
        let separator = if html.is_empty() { "" } else { "\n\n" };
        if html.chars().count() + separator.len() + block.chars().count() > MAX_MESSAGE_CHARS {
            break;
        }
        html += separator;
        html += &block;
    }
    html
}

/// One parcel's block: header, state change, new lines, the closing note of a last notice.
fn block(notice: &Notice, lang: Lang) -> Option<String> {
    let locale = lang.as_str();
    let courier = directory().get(&notice.courier)?;
    let mut block = format!("🔔 {}", labelled_header(courier.name(locale), &notice.number, notice.label.as_deref()));
    if let Some(old) = notice.previous_courier.as_deref() {
        let old = directory().get(old).map_or(old, |old| old.name(locale));
        let corrected = t!("notice.courier_corrected", locale = locale, old = old, new = courier.name(locale));
        block += &format!("\n<i>{}</i>", escape(&corrected));
    }
    if let Some(state) = &notice.state {
        let now = escape(&state_label(state, lang));
        match notice.previous_state.as_deref().filter(|previous| *previous != state) {
            Some(previous) => block += &format!("\n{} → <b>{now}</b>", escape(&state_label(previous, lang))),
            None => block += &format!("\n<b>{now}</b>"),
        }
    }
    for line in super::arrival::notice_lines(notice, lang) {
        block += &format!("\n{line}");
    }
    for line in &notice.new_lines {
        block += &format!("\n{}", shown_block(&line.time, &line.shown(notice.lines_lang, lang), lang));
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
            Some(t!("notice.cannot_watch", locale = locale, reason = errors::upstream_error(&error, lang)))
        }
    };
    if let Some(closing) = closing {
        block += &format!("\n<i>{}</i>", escape(&closing));
    }
    Some(block)
}
