//! `/sub [courier] number [phone]` (`/subscribe`): this chat gets a message whenever the parcel moves.
//!
//! Subscribing first asks the tracker like `/track` does (so the reply shows the current status), then
//! hands that answer to `watch::Subscriptions`, which records what the chat has now seen and plans the
//! first check; the handler only words the outcome. Any member of a group may subscribe the group. The
//! 🔔 button (`presses.rs`) subscribes through the same [`ChatCore::subscribe`].

use crate::chat::command::ParcelRequest;
use crate::chat::core::{ChatCore, send};
use crate::chat::types::{Action, Incoming};
use crate::chat::view::View;
use crate::chat::words;
use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber};
use crate::kuaidi100::Lang;
use crate::tracking::{Report, Tracked};
use crate::watch::Subscribe;

/// How a subscription attempt ended, for the reply and the button toast.
pub(in crate::chat) enum SubscribeResult {
    /// Created, already active or at the cap, with the answer the chat was shown.
    Done(Subscribe, Box<Tracked>),
    /// The answer to show instead (finished parcel, an error, the throttle).
    Refused(Vec<Action>),
}

impl ChatCore {
    pub(in crate::chat) async fn sub_command(
        &self,
        incoming: &Incoming,
        parcel: ParcelRequest,
        lang: Lang,
    ) -> Vec<Action> {
        match self.subscribe(incoming, parcel.courier, parcel.number, parcel.phone, lang).await {
            SubscribeResult::Refused(actions) => actions,
            SubscribeResult::Done(outcome, tracked) => {
                let mut reply = self.report_reply(incoming.chat.id, &tracked, View::Latest, lang).await;
                reply.html = words::commands::subscribed_html(outcome, self.max_subscriptions(), &reply.html, lang);
                vec![Action::Send(reply)]
            }
        }
    }

    pub(in crate::chat) async fn subscribe(
        &self,
        incoming: &Incoming,
        courier: Option<&'static Courier>,
        number: TrackingNumber,
        phone: Option<PhoneTail>,
        lang: Lang,
    ) -> SubscribeResult {
        let chat = incoming.chat.id;
        let (request, phone) = self.user_request(incoming, courier, number.clone(), phone, lang).await;
        let tracked = match self.inner.tracker.track(request).await {
            Ok(tracked) => tracked,
            Err(error) => return SubscribeResult::Refused(self.track_failed(incoming, error, &number, lang)),
        };
        self.remember_phone(chat, &tracked, phone.as_ref()).await;
        match self
            .inner
            .subscriptions
            .subscribe(chat, incoming.chat.topic, &tracked, lang, Some(incoming.user.id))
            .await
        {
            Ok(Subscribe::Finished) => {
                let mut reply = self.report_reply(chat, &tracked, View::Latest, lang).await;
                reply.html = words::commands::finished_html(&reply.html, lang);
                SubscribeResult::Refused(vec![Action::Send(reply)])
            }
            Ok(Subscribe::Refused) => {
                let why = match &tracked.report {
                    Report::Failed(error) => Some(error),
                    _ => None,
                };
                SubscribeResult::Refused(vec![send(words::commands::cannot_watch_html(why, lang))])
            }
            Ok(outcome) => SubscribeResult::Done(outcome, Box::new(tracked)),
            Err(error) => {
                tracing::error!(%error, "cannot store a subscription");
                SubscribeResult::Refused(vec![send(words::errors::store_error_html(lang))])
            }
        }
    }

    /// The most parcels one chat may watch.
    pub(in crate::chat) fn max_subscriptions(&self) -> (u32, u32) {
        (self.inner.subscriptions.max_per_chat(), self.inner.subscriptions.max_per_user())
    }
}
