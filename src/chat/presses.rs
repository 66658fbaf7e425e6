//! Button presses, one method per kind of button (the router picks it from the payload's op): track
//! with a suggested courier, 📜 All / 🔼 Less, 🔄 refresh, 🔔 subscribe, 🔕 unsubscribe, 🏷 name.
//!
//! Every press is answered (Telegram requires it), with a toast when there is something to say. A press
//! that changes what a parcel reply shows edits that message rather than sending a new one; changing
//! the view never asks Kuaidi100, and a refresh asks the tracker, which decides whether a query happens.
//! A refresh that gets no trajectory (Kuaidi100 refused or failed with nothing to fall back on) never
//! replaces what the message shows: its toast says why.

use super::commands::SubscribeResult;
use super::core::{Asked, ChatCore, answer, send};
use super::types::{Action, ChatKind, Incoming};
use super::view::View;
use super::words;
use crate::couriers::Courier;
use crate::input::TrackingNumber;
use crate::kuaidi100::Lang;
use crate::tracking::{Report, TrackError, Tracked};
use crate::watch::Subscribe;

impl ChatCore {
    /// A suggested or detected courier: the number is tracked with it, in a new message.
    pub(super) async fn press_track(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        lang: Lang,
    ) -> Vec<Action> {
        let mut actions = vec![answer(None)];
        actions.extend(self.track(incoming, Some(courier), number, None, lang).await);
        actions
    }

    /// 📜 All or 🔼 Less: the same answer, redrawn with more or fewer lines.
    pub(super) async fn press_view(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: &TrackingNumber,
        message_id: i32,
        view: View,
        lang: Lang,
    ) -> Vec<Action> {
        match self.peek_for(incoming, courier, number, lang).await {
            Ok(Some(tracked)) => vec![
                answer(None),
                Action::Edit { message_id, reply: self.report_reply(incoming.chat.id, &tracked, view, lang).await },
            ],
            Ok(None) => vec![answer(Some(words::buttons::outdated(lang)))],
            Err(error) => {
                vec![answer(Some(words::track_error(&error, number.as_str(), lang, &self.zone(incoming.chat.id))))]
            }
        }
    }

    /// 🔄: a newer answer edits the message; inside the floor the toast says when one may come.
    pub(super) async fn press_refresh(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        message_id: i32,
        view: View,
        lang: Lang,
    ) -> Vec<Action> {
        let (request, _) = self.user_request(incoming, Some(courier), number.clone(), None, lang).await;
        match self.inner.tracker.track(request).await {
            // The refresh found nothing to show: the message keeps what it shows (an answer from
            // before, or the earlier reason), and the toast says why nothing newer came.
            Ok(Tracked { report: Report::Failed(error), .. }) => {
                vec![answer(Some(words::errors::upstream_error(&error, lang)))]
            }
            Ok(Tracked { report: Report::NoResultYet, .. }) => vec![answer(Some(words::parcel::no_result(lang)))],
            Ok(tracked) if tracked.fresh => vec![
                answer(None),
                Action::Edit { message_id, reply: self.report_reply(incoming.chat.id, &tracked, view, lang).await },
            ],
            Ok(tracked) => {
                let minutes = ((tracked.next_query_at - self.now()).num_seconds().max(0) + 59) / 60;
                vec![answer(Some(words::buttons::no_newer(minutes, lang)))]
            }
            Err(error @ TrackError::Throttled { .. }) => {
                let tell = self.tell_to_wait(incoming, &error);
                vec![answer(tell.then(|| words::track_error(&error, "", lang, &self.zone(incoming.chat.id))))]
            }
            Err(error) => {
                vec![answer(Some(words::track_error(&error, number.as_str(), lang, &self.zone(incoming.chat.id))))]
            }
        }
    }

    /// 🔔 on a parcel reply: subscribe, then redraw the reply with 🔕.
    pub(super) async fn press_subscribe(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        message_id: i32,
        lang: Lang,
    ) -> Vec<Action> {
        match self.subscribe(incoming, Some(courier), number, None, lang).await {
            SubscribeResult::Done(outcome @ (Subscribe::CapReached | Subscribe::UserCapReached), _) => {
                vec![answer(Some(words::buttons::at_cap(outcome, self.max_subscriptions(), lang)))]
            }
            SubscribeResult::Done(_, tracked) => vec![
                answer(Some(words::buttons::subscribed(lang))),
                Action::Edit {
                    message_id,
                    reply: self.report_reply(incoming.chat.id, &tracked, View::Latest, lang).await,
                },
            ],
            SubscribeResult::Refused(mut actions) => {
                actions.insert(0, answer(None));
                actions
            }
        }
    }

    /// 🏷: asks for the parcel's name; the asking user's next text in this chat is the answer (in a
    /// group, their reply to the question, which is what privacy mode lets through).
    pub(super) fn press_label(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        lang: Lang,
    ) -> Vec<Action> {
        let group = incoming.chat.kind == ChatKind::Group;
        let question = words::labels::ask_label_html(courier, number.as_str(), group, lang);
        self.ask(incoming.chat.id, incoming.user.id, Asked::Label, courier, number);
        vec![answer(None), send(question)]
    }

    /// 🔕: unsubscribe; on a parcel reply (`redraw`) the reply is redrawn with 🔔, on a list or a
    /// notification the message stays as it is.
    pub(super) async fn press_unsubscribe(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: TrackingNumber,
        redraw: Option<i32>,
        lang: Lang,
    ) -> Vec<Action> {
        if let Err(error) = self.inner.subscriptions.unsubscribe(incoming.chat.id, number.as_str()).await {
            tracing::error!(%error, "cannot unsubscribe");
            return vec![answer(Some(words::errors::store_error(lang)))];
        }
        let mut actions = vec![answer(Some(words::buttons::unsubscribed(lang)))];
        if let Some(message_id) = redraw
            && let Ok(Some(tracked)) = self.peek_for(incoming, courier, &number, lang).await
        {
            actions.push(Action::Edit {
                message_id,
                reply: self.report_reply(incoming.chat.id, &tracked, View::Latest, lang).await,
            });
        }
        actions
    }
}
