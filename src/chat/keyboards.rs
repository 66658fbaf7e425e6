//! Every keyboard the bot shows: which buttons a message gets, in which rows.
//!
//! A keyboard is rows of [`Button`]s; each button's payload is encoded by `buttons.rs` (what it does,
//! to which parcel, within 64 bytes) and its label comes from `words::buttons`. The handlers pair a
//! text from `words` with a keyboard from here, so what a reply says and what it offers are decided
//! side by side but never mixed.

use super::buttons::{ForgetPress, Op, encode, encode_forget};
use super::command::ArgError;
use super::start_link::{self, LinkOp};
use super::view::{COMPACT_LINES, Listed, View};
use super::words::buttons as label;
use crate::couriers::{Courier, directory};
use crate::kuaidi100::Lang;
use crate::message::{Button, ButtonAction};
use crate::watch::Notice;

/// Rows of buttons under a message.
pub type Keyboard = Vec<Vec<Button>>;

/// Courier choices per row.
const CHOICES_PER_ROW: usize = 2;
/// /list's 🔄 buttons per row.
const LISTED_PER_ROW: usize = 2;
/// Rows under a notification, however many parcels it is about.
const MAX_NOTICE_ROWS: usize = 20;

fn button(text: String, op: Op, courier: &Courier, number: &str) -> Button {
    Button::press(text, encode(op, courier, number))
}

/// A parcel reply's row: 🔄 (keeping the view), and 📜 All / 🔼 Less when there are more lines than the
/// compact view shows.
pub fn parcel(courier: &Courier, number: &str, lines: usize, view: View, lang: Lang) -> Keyboard {
    let (refresh, toggle) = match view {
        View::Latest => (Op::Refresh, (lines > COMPACT_LINES).then(|| (Op::ShowAll, label::all(lines, lang)))),
        View::All => (Op::RefreshAll, (lines > COMPACT_LINES).then(|| (Op::ShowLess, label::less(lang)))),
    };
    let mut row = vec![button(label::refresh(lang), refresh, courier, number)];
    if let Some((op, text)) = toggle {
        row.push(button(text, op, courier, number));
    }
    vec![row]
}

/// A parcel reply's second row: ↗️ share it through inline mode (`@bot <number> <courier>` typed in
/// the chat the user picks), 📋 copy the number, and 🔗 the bot's deep link to it (`bot` is the bot's
/// username; no link without one).
pub fn sharing(courier: &Courier, number: &str, bot: &str, lang: Lang) -> Vec<Button> {
    let mut row = vec![
        Button { text: label::share(lang), action: ButtonAction::Share(format!("{number} {}", courier.code)) },
        Button { text: label::copy(lang), action: ButtonAction::Copy(number.to_owned()) },
    ];
    if let Some(url) = start_link::link(bot, LinkOp::Open, courier.code, number) {
        row.push(Button { text: label::link(lang), action: ButtonAction::Open(url) });
    }
    row
}

/// An inline card's buttons: links that open the parcel, or watch it, in the bot (a press on a message
/// sent through inline mode would come back without its chat). None without the bot's username.
pub fn inline_card(courier: &Courier, number: &str, bot: &str, lang: Lang) -> Keyboard {
    let links = [(LinkOp::Open, label::open_in_bot(lang)), (LinkOp::Subscribe, label::watch_in_bot(lang))];
    let row: Vec<Button> = links
        .into_iter()
        .filter_map(|(op, text)| {
            start_link::link(bot, op, courier.code, number).map(|url| Button { text, action: ButtonAction::Open(url) })
        })
        .collect();
    if row.is_empty() { Vec::new() } else { vec![row] }
}

/// 🏷: asks for this chat's name for the parcel (on a parcel reply, after the sharing buttons).
pub fn naming(courier: &Courier, number: &str, lang: Lang) -> Button {
    button(label::label(lang), Op::Label, courier, number)
}

/// The reply about a parcel with no result yet: 🔄 only.
pub fn no_result(courier: &Courier, number: &str, lang: Lang) -> Keyboard {
    vec![vec![button(label::refresh(lang), Op::Refresh, courier, number)]]
}

/// Adds 🔔 subscribe or 🔕 unsubscribe to the first row, as the chat does or does not watch the parcel.
pub fn with_subscription(
    mut keyboard: Keyboard,
    courier: &Courier,
    number: &str,
    subscribed: bool,
    lang: Lang,
) -> Keyboard {
    let bell = if subscribed {
        button(label::unsubscribe(lang), Op::Unsubscribe, courier, number)
    } else {
        button(label::subscribe(lang), Op::Subscribe, courier, number)
    };
    match keyboard.first_mut() {
        Some(row) => row.push(bell),
        None => keyboard.push(vec![bell]),
    }
    keyboard
}

/// One button per courier, each tracking the number with that courier.
pub fn courier_choice(couriers: &[&'static Courier], number: &str, lang: Lang) -> Keyboard {
    let buttons: Vec<Button> = couriers
        .iter()
        .map(|courier| button(courier.name(lang.as_str()).to_owned(), Op::Track, courier, number))
        .collect();
    buttons.chunks(CHOICES_PER_ROW).map(<[Button]>::to_vec).collect()
}

/// Under a malformed command: the couriers it could have meant, if it named any.
pub fn for_arg_error(error: &ArgError, lang: Lang) -> Keyboard {
    match error {
        ArgError::AmbiguousCourier { candidates: couriers, number, .. }
        | ArgError::UnknownCourier { suggestions: couriers, number, .. } => {
            courier_choice(couriers, number.as_str(), lang)
        }
        ArgError::Usage | ArgError::BadNumber(_) | ArgError::BadPhone(_) | ArgError::BadLabel(_) => Keyboard::new(),
    }
}

/// `/list`: one tap to refresh each parcel shown, numbered like its entry and named by its label (else
/// its number); the parcel's reply comes as a new message (with its 🔕), the list stays as it is.
pub fn listed(parcels: &[Listed]) -> Keyboard {
    let buttons: Vec<Button> = parcels
        .iter()
        .map(|parcel| {
            let text = label::refresh_listed(parcel.position, parcel.label.unwrap_or(parcel.number));
            button(text, Op::Track, parcel.courier, parcel.number)
        })
        .collect();
    buttons.chunks(LISTED_PER_ROW).map(<[Button]>::to_vec).collect()
}

/// A notification: a row per parcel with 🔄, and 🔕 while it is still watched. With several parcels
/// each label names its parcel.
pub fn notices(notices: &[Notice], lang: Lang) -> Keyboard {
    let several = notices.len() > 1;
    let mut rows: Keyboard = notices
        .iter()
        .filter_map(|notice| {
            let courier = directory().get(&notice.courier)?;
            let name = |text: String| if several { label::for_parcel(text, &notice.number) } else { text };
            let mut row = vec![button(name(label::refresh(lang)), Op::Refresh, courier, &notice.number)];
            if !notice.kind.ends_watching() {
                row.push(button(name(label::unsubscribe(lang)), Op::UnsubscribeQuiet, courier, &notice.number));
            }
            Some(row)
        })
        .collect();
    rows.truncate(MAX_NOTICE_ROWS);
    rows
}

/// `/forget`'s question: 🗑 delete everything / keep it, answerable by the user who asked.
pub fn forget(asked_by: i64, lang: Lang) -> Keyboard {
    let press = |confirm| encode_forget(ForgetPress { confirm, asked_by });
    vec![vec![Button::press(label::forget_yes(lang), press(true)), Button::press(label::forget_no(lang), press(false))]]
}
