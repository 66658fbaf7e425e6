//! `/track [courier] number [phone]`: ask the tracker, answer with the parcel's reply (or what stood
//! in the way). The same question is asked for a bare number in a private chat, the phone digits a
//! private chat was asked for, and a courier button.

use crate::chat::command::ParcelRequest;
use crate::chat::core::ChatCore;
use crate::chat::types::{Action, Incoming};
use crate::chat::view::View;
use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber};
use crate::kuaidi100::Lang;

impl ChatCore {
    pub(in crate::chat) async fn track_command(
        &self,
        incoming: &Incoming,
        parcel: ParcelRequest,
        lang: Lang,
    ) -> Vec<Action> {
        self.track(incoming, parcel.courier, parcel.number, parcel.phone, lang).await
    }

    /// Asks the tracker and turns its answer into a new message.
    pub(in crate::chat) async fn track(
        &self,
        incoming: &Incoming,
        courier: Option<&'static Courier>,
        number: TrackingNumber,
        phone: Option<PhoneTail>,
        lang: Lang,
    ) -> Vec<Action> {
        let chat = incoming.chat.id;
        let (request, phone) = self.user_request(incoming, courier, number.clone(), phone, lang).await;
        match self.inner.tracker.track(request).await {
            Ok(tracked) => {
                self.remember_phone(chat, &tracked, phone.as_ref()).await;
                vec![Action::Send(self.report_reply(chat, &tracked, View::Latest, lang).await)]
            }
            Err(error) => self.track_failed(incoming, error, &number, lang),
        }
    }
}
