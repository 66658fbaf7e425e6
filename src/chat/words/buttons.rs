//! The words on buttons, and the toasts a button press is answered with. All plain text: Telegram
//! shows both unparsed.
//!
//! The keyboards (`keyboards.rs`) decide which buttons a message gets; only their labels are here.

use rust_i18n::t;

use crate::kuaidi100::Lang;
use crate::watch::Subscribe;

/// 🔄 Refresh.
pub fn share(lang: Lang) -> String {
    t!("button.share", locale = lang.as_str()).into_owned()
}

pub fn copy(lang: Lang) -> String {
    t!("button.copy", locale = lang.as_str()).into_owned()
}

pub fn link(lang: Lang) -> String {
    t!("button.link", locale = lang.as_str()).into_owned()
}

pub fn open_in_bot(lang: Lang) -> String {
    t!("button.open_in_bot", locale = lang.as_str()).into_owned()
}

pub fn watch_in_bot(lang: Lang) -> String {
    t!("button.watch_in_bot", locale = lang.as_str()).into_owned()
}

pub fn refresh(lang: Lang) -> String {
    t!("button.refresh", locale = lang.as_str()).into_owned()
}

/// 📜 All (12): show every one of `count` lines.
pub fn all(count: usize, lang: Lang) -> String {
    t!("button.all", locale = lang.as_str(), count = count).into_owned()
}

/// 🔼 Less.
pub fn less(lang: Lang) -> String {
    t!("button.less", locale = lang.as_str()).into_owned()
}

/// 🔔 Subscribe.
pub fn subscribe(lang: Lang) -> String {
    t!("button.subscribe", locale = lang.as_str()).into_owned()
}

/// 🔕 Unsubscribe.
pub fn unsubscribe(lang: Lang) -> String {
    t!("button.unsubscribe", locale = lang.as_str()).into_owned()
}

/// A button of a message about several parcels names its parcel: `🔄 Refresh YT1000000001`.
pub fn for_parcel(label: String, number: &str) -> String {
    format!("{label} {number}")
}

/// 🏷 Name: ask for this chat's name for the parcel.
pub fn label(lang: Lang) -> String {
    t!("button.label", locale = lang.as_str()).into_owned()
}

/// /list's 🔄 for the parcel at `position`, by its label or else its number: `🔄 2. 妈妈的茶`.
pub fn refresh_listed(position: usize, name: &str) -> String {
    format!("🔄 {position}. {name}")
}

/// Toast: the button belongs to a message the bot can no longer act on.
pub fn outdated(lang: Lang) -> String {
    t!("button.outdated", locale = lang.as_str()).into_owned()
}

/// Toast: a refresh inside the floor; the next update may come in `minutes`.
pub fn no_newer(minutes: i64, lang: Lang) -> String {
    t!("refresh.no_newer", locale = lang.as_str(), minutes = minutes).into_owned()
}

/// Toast: 🔔 worked.
pub fn subscribed(lang: Lang) -> String {
    t!("sub.subscribed_toast", locale = lang.as_str()).into_owned()
}

/// Toast: 🔕 worked.
pub fn unsubscribed(lang: Lang) -> String {
    t!("sub.unsubscribed_toast", locale = lang.as_str()).into_owned()
}

/// Toast: 🔔 refused, the chat watches as many parcels as it may.
pub fn at_cap(outcome: Subscribe, caps: (u32, u32), lang: Lang) -> String {
    super::commands::cap_line(outcome, caps, lang).unwrap_or_default()
}

/// `/forget`'s 🗑 button.
pub fn forget_yes(lang: Lang) -> String {
    t!("forget.yes", locale = lang.as_str()).into_owned()
}

/// `/forget`'s button that keeps everything.
pub fn forget_no(lang: Lang) -> String {
    t!("forget.no", locale = lang.as_str()).into_owned()
}

/// Toast: someone other than the user who sent `/forget` pressed its buttons.
pub fn forget_not_yours(lang: Lang) -> String {
    t!("forget.not_yours", locale = lang.as_str()).into_owned()
}
