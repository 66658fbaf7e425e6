//! `/list`: the parcels this chat watches, each with its latest state and how old that is, and a 🔕
//! button per parcel.

use crate::chat::core::{ChatCore, send};
use crate::chat::keyboards;
use crate::chat::types::{Action, Incoming, Reply};
use crate::chat::view::Listed;
use crate::chat::words;
use crate::couriers::directory;
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn list_command(&self, incoming: &Incoming, lang: Lang) -> Vec<Action> {
        let watched = match self.inner.subscriptions.list(incoming.chat.id).await {
            Ok(watched) => watched,
            Err(error) => {
                tracing::error!(%error, "cannot list subscriptions");
                return vec![send(words::errors::store_error_html(lang))];
            }
        };
        if watched.is_empty() {
            return vec![send(words::commands::list_empty_html(lang))];
        }
        // A parcel of a courier the directory no longer has keeps its number in the list, unshown.
        let parcels: Vec<Listed> = watched
            .iter()
            .enumerate()
            .filter_map(|(index, parcel)| {
                Some(Listed {
                    position: index + 1,
                    courier: directory().get(&parcel.key.courier)?,
                    number: &parcel.key.number,
                    state: parcel.state.as_deref(),
                    answered_at: parcel.answered_at,
                })
            })
            .collect();
        vec![Action::Send(Reply {
            html: words::commands::list_html(&parcels, self.now(), lang),
            buttons: keyboards::listed(&parcels),
        })]
    }
}
