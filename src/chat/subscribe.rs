//! Watching parcels from a chat: `/sub`, `/unsub`, `/list`, and the 🔔/🔕 buttons.
//!
//! Subscribing first asks the tracker like `/track` does (so the reply shows the current status), then
//! hands that answer to `watch::Subscriptions`, which records what the chat has now seen and plans the
//! first check; this file only words the outcome. Any member of a group may subscribe and unsubscribe
//! the group.

use chrono::{DateTime, Utc};
use rust_i18n::t;

use super::callback::{self, Op};
use super::core::{ChatCore, send};
use super::render::{View, escape};
use super::track::parse_parcel_args;
use super::types::{Action, Button, Incoming, Reply};
use crate::couriers::{Courier, directory};
use crate::describe;
use crate::input::{PhoneTail, TrackingNumber, tracking_number};
use crate::kuaidi100::Lang;
use crate::store::ParcelKey;
use crate::tracking::{Report, Tracked};
use crate::watch::Subscribe;

/// How a subscription attempt ended, for the reply and the button toast.
enum SubscribeResult {
    /// Created, already active or at the cap, with the answer the chat was shown.
    Done(Subscribe, Box<Tracked>),
    /// The answer to show instead (finished parcel, an error, the throttle).
    Refused(Vec<Action>),
}

impl ChatCore {
    pub(super) async fn sub_command(&self, incoming: &Incoming, args: &[String], lang: Lang) -> Vec<Action> {
        let (courier, number, phone) = match parse_parcel_args(args, lang, "usage.sub") {
            Ok(parsed) => parsed,
            Err(actions) => return actions,
        };
        match self.subscribe(incoming, courier, number, phone, lang).await {
            SubscribeResult::Refused(actions) => actions,
            SubscribeResult::Done(outcome, tracked) => {
                let locale = lang.as_str();
                let line = match outcome {
                    Subscribe::AlreadyActive => t!("sub.already", locale = locale),
                    Subscribe::CapReached => t!("sub.cap", locale = locale, cap = self.max_subscriptions()),
                    _ => t!("sub.created", locale = locale),
                };
                let mut reply = self.report_reply(incoming.chat.id, &tracked, View::Latest, lang).await;
                reply.html = format!("{}\n\n{}", escape(&line), reply.html);
                vec![Action::Send(reply)]
            }
        }
    }

    async fn subscribe(
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
        match self.inner.subscriptions.subscribe(chat, &tracked, lang).await {
            Ok(Subscribe::Finished) => {
                let mut reply = self.report_reply(chat, &tracked, View::Latest, lang).await;
                reply.html = format!("{}\n\n{}", escape(&t!("sub.finished", locale = lang.as_str())), reply.html);
                SubscribeResult::Refused(vec![Action::Send(reply)])
            }
            Ok(Subscribe::Refused) => {
                let reason = match &tracked.report {
                    Report::Failed(error) => describe::upstream_error(error, lang),
                    _ => String::new(),
                };
                SubscribeResult::Refused(vec![send(escape(&t!("sub.cannot", locale = lang.as_str(), reason = reason)))])
            }
            Ok(outcome) => SubscribeResult::Done(outcome, Box::new(tracked)),
            Err(error) => {
                tracing::error!(%error, "cannot store a subscription");
                SubscribeResult::Refused(vec![send(escape(&t!("error.store", locale = lang.as_str())))])
            }
        }
    }

    fn max_subscriptions(&self) -> u32 {
        self.inner.subscriptions.max_per_chat()
    }

    pub(super) async fn unsub_command(&self, incoming: &Incoming, args: &[String], lang: Lang) -> Vec<Action> {
        let locale = lang.as_str();
        let [number] = args else { return vec![send(t!("usage.unsub", locale = locale))] };
        let number = match tracking_number(number) {
            Ok(number) => number,
            Err(error) => {
                return vec![send(format!(
                    "{}\n{}",
                    escape(&describe::input_error(&error, lang)),
                    t!("usage.unsub", locale = locale)
                ))];
            }
        };
        match self.inner.subscriptions.unsubscribe(incoming.chat.id, number.as_str()).await {
            Ok(false) => vec![send(t!("unsub.not_watched", locale = locale, number = escape(number.as_str())))],
            Ok(true) => vec![send(t!("unsub.done", locale = locale, number = escape(number.as_str())))],
            Err(error) => {
                tracing::error!(%error, "cannot unsubscribe");
                vec![send(escape(&t!("error.store", locale = locale)))]
            }
        }
    }

    pub(super) async fn list_command(&self, incoming: &Incoming, lang: Lang) -> Vec<Action> {
        let locale = lang.as_str();
        let watched = match self.inner.subscriptions.list(incoming.chat.id).await {
            Ok(watched) => watched,
            Err(error) => {
                tracing::error!(%error, "cannot list subscriptions");
                return vec![send(escape(&t!("error.store", locale = locale)))];
            }
        };
        if watched.is_empty() {
            return vec![send(t!("list.empty", locale = locale))];
        }
        let now = self.now();
        let mut html = t!("list.header", locale = locale).into_owned();
        let mut buttons = Vec::new();
        for (index, parcel) in watched.iter().enumerate() {
            let Some(courier) = directory().get(&parcel.key.courier) else { continue };
            let state = parcel.state.as_deref().map(|code| describe::state_label(code, lang)).unwrap_or_default();
            let age = match parcel.answered_at {
                Some(at) => t!("list.age", locale = locale, age = age(now, at, lang)).into_owned(),
                None => t!("list.never", locale = locale).into_owned(),
            };
            html += &format!(
                "\n{}. <b>{}</b> <code>{}</code> — {} · <i>{}</i>",
                index + 1,
                escape(courier.name(locale)),
                escape(&parcel.key.number),
                escape(&state),
                escape(&age)
            );
            buttons.push(Button {
                text: format!("🔕 {}. {}", index + 1, parcel.key.number),
                data: callback::encode(Op::UnsubscribeQuiet, courier, &parcel.key.number),
            });
        }
        vec![Action::Send(Reply { html, buttons: buttons.chunks(2).map(<[Button]>::to_vec).collect() })]
    }

    /// 🔔 / 🔕 on a parcel reply (which is re-drawn with the other button), or 🔕 on a list or a notice.
    pub(super) async fn subscription_button(
        &self,
        incoming: &Incoming,
        op: Op,
        courier: &'static Courier,
        number: TrackingNumber,
        message_id: i32,
        lang: Lang,
    ) -> Vec<Action> {
        let locale = lang.as_str();
        let answer = |text: String| Action::AnswerButton { text: Some(text) };
        let key = ParcelKey::new(courier.code, number.as_str());
        if op == Op::Subscribe {
            return match self.subscribe(incoming, Some(courier), number, None, lang).await {
                SubscribeResult::Done(Subscribe::CapReached, _) => {
                    vec![answer(t!("sub.cap", locale = locale, cap = self.max_subscriptions()).into_owned())]
                }
                SubscribeResult::Done(_, tracked) => vec![
                    answer(t!("sub.subscribed_toast", locale = locale).into_owned()),
                    Action::Edit {
                        message_id,
                        reply: self.report_reply(incoming.chat.id, &tracked, View::Latest, lang).await,
                    },
                ],
                SubscribeResult::Refused(mut actions) => {
                    actions.insert(0, Action::AnswerButton { text: None });
                    actions
                }
            };
        }
        if let Err(error) = self.inner.subscriptions.unsubscribe(incoming.chat.id, &key.number).await {
            tracing::error!(%error, "cannot unsubscribe");
            return vec![answer(t!("error.store", locale = locale).into_owned())];
        }
        let mut actions = vec![answer(t!("sub.unsubscribed_toast", locale = locale).into_owned())];
        if op == Op::Unsubscribe
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

/// "3 min", "5 h", "2 d" (`分钟`, `小时`, `天` in Chinese).
fn age(now: DateTime<Utc>, then: DateTime<Utc>, lang: Lang) -> String {
    let minutes = (now - then).num_minutes().max(0);
    let (amount, unit_en, unit_zh) = if minutes < 60 {
        (minutes, "min", " 分钟")
    } else if minutes < 48 * 60 {
        (minutes / 60, "h", " 小时")
    } else {
        (minutes / (24 * 60), "d", " 天")
    };
    if lang == Lang::En { format!("{amount} {unit_en}") } else { format!("{amount}{unit_zh}") }
}
