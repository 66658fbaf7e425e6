//! `/start <payload>`: a deep link (`chat::start_link`) opened — the parcel shown as `/track` shows it,
//! or subscribed as `/sub` does. A payload this bot did not write gets the help, with a line saying
//! the link held no parcel; plain `/start` is `/help` (`help.rs`).

use crate::chat::command::{ForeignPayload, ParcelRequest};
use crate::chat::core::{ChatCore, send};
use crate::chat::start_link::{LinkOp, StartLink};
use crate::chat::types::{Action, Incoming};
use crate::chat::words;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn start_link(
        &self,
        incoming: &Incoming,
        link: Result<StartLink, ForeignPayload>,
        lang: Lang,
    ) -> Vec<Action> {
        let Ok(StartLink { op, courier, number }) = link else {
            let mut actions = vec![send(words::commands::foreign_link_html(lang))];
            actions.extend(self.help_command(lang));
            return actions;
        };
        let parcel = ParcelRequest { courier: Some(courier), number, phone: None };
        match op {
            LinkOp::Open => self.track_command(incoming, parcel, lang).await,
            LinkOp::Subscribe => self.sub_command(incoming, parcel, lang).await,
        }
    }
}
