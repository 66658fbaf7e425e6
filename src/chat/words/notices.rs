//! Notifications as people read them: one block per parcel that moved (its state change, its new
//! lines, why watching ends when it does), all the pending blocks of a chat in one message.
//!
//! A message of many parcels loses its last whole blocks rather than overflowing Telegram's limit, and
//! a block keeps only the new lines that fit (the rest are counted), so that even one parcel with huge
//! trajectory lines still makes a message.

use rust_i18n::t;

use super::{errors, escape, labelled_header, parcel::shown_block, state_label};
use crate::chat::view::{MAX_MESSAGE_CHARS, telegram_len};
use crate::couriers::directory;
use crate::kuaidi100::{Error, Lang};
use crate::watch::{Notice, NoticeKind};
use crate::zone::Zone;

/// The text of one message for all the notices pending for a chat; a notice of a courier the
/// directory no longer has is left out (its buttons too, in `keyboards::notices`). Times are in
/// `zone`, named once at the end when any trajectory line is shown. HTML.
pub fn notices_html(notices: &[Notice], lang: Lang, zone: &Zone, sandbox: bool) -> String {
    let mut notes = Vec::new();
    if notices.iter().any(|notice| !notice.new_lines.is_empty()) {
        notes.push(escape(&super::zone::note(zone, lang)));
    }
    if sandbox {
        notes.push(escape(&super::parcel::sandbox_note(lang)));
    }
    let note = (!notes.is_empty()).then(|| format!("<i>{}</i>", notes.join(" · ")));
    let note_room = note.as_ref().map_or(0, |note| telegram_len(note) + 2);
    let mut html = String::new();
    let mut used = 0;
    for notice in notices {
        let separator = if html.is_empty() { "" } else { "\n\n" };
        let room = MAX_MESSAGE_CHARS.saturating_sub(used + separator.len() + note_room);
        let Some(block) = block(notice, lang, zone, room) else { continue };
        let length = separator.len() + telegram_len(&block);
        if used + length + note_room > MAX_MESSAGE_CHARS {
            break;
        }
        html += separator;
        html += &block;
        used += length;
    }
    if let Some(note) = note.filter(|_| !html.is_empty()) {
        html += "\n\n";
        html += &note;
    }
    html
}

/// Room kept in a block for "… and 3 more" when lines are left out.
const MORE_ROOM: usize = 40;

/// One parcel's block: header, state change, the new lines that fit in `room`, the closing note of a
/// last notice. `None` for a courier the directory does not have.
fn block(notice: &Notice, lang: Lang, zone: &Zone, room: usize) -> Option<String> {
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
    for line in super::arrival::notice_lines(notice, lang, zone) {
        block += &format!("\n{line}");
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
    let closing = closing.map(|closing| format!("\n<i>{}</i>", escape(&closing))).unwrap_or_default();
    let mut used = telegram_len(&block) + telegram_len(&closing) + MORE_ROOM;
    let mut shown = 0;
    for line in &notice.new_lines {
        let line = format!("\n{}", shown_block(&line.time, &line.shown(notice.lines_lang, lang), lang, zone));
        used += telegram_len(&line);
        if used > room {
            break;
        }
        block += &line;
        shown += 1;
    }
    let more = u64::from(notice.more_lines) + (notice.new_lines.len() - shown) as u64;
    if more > 0 {
        block += &format!("\n<i>{}</i>", escape(&t!("notice.more", locale = locale, count = more)));
    }
    block += &closing;
    Some(block)
}
