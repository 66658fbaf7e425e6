//! `/couriers <text>` (`/courier`): find courier codes by name, alias or code, from the directory only
//! (no upstream query).

use crate::chat::core::{ChatCore, send};
use crate::chat::types::Action;
use crate::chat::words;
use crate::couriers::directory;
use crate::kuaidi100::Lang;

/// Couriers listed by `/couriers`.
const COURIER_SEARCH_LIMIT: usize = 10;

impl ChatCore {
    pub(in crate::chat) fn couriers_command(&self, text: &str, lang: Lang) -> Vec<Action> {
        let found = directory().search(text, COURIER_SEARCH_LIMIT);
        vec![send(words::commands::couriers_html(text, &found, lang))]
    }
}
