//! Watching parcels from a chat: `/sub`, `/unsub`, `/list`, and the 🔔/🔕 buttons.
//!
//! Subscribing first asks the tracker like `/track` does (so the reply shows the current status), then
//! records what the chat has now seen, so that only later changes are pushed. Any member of a group may
//! subscribe and unsubscribe the group.

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
use crate::kuaidi100::{Lang, state};
use crate::store::{ParcelKey, Subscribed};
use crate::tracking::{Report, Tracked};

/// How a subscription attempt ended, for the reply and the button toast.
enum SubscribeResult {
    Done(Subscribed, Box<Tracked>),
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
                    Subscribed::Created => t!("sub.created", locale = locale),
                    Subscribed::AlreadyActive => t!("sub.already", locale = locale),
                    Subscribed::CapReached => t!("sub.cap", locale = locale, cap = self.inner.config.max_subscriptions),
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
        let (seen_lines, seen_state) = match &tracked.report {
            Report::Answer { result, .. } => {
                let finished =
                    state::lookup(&result.state).is_some_and(|state| state.is_terminal()) || result.is_signed();
                if finished {
                    let mut reply = self.report_reply(chat, &tracked, View::Latest, lang).await;
                    reply.html = format!("{}\n\n{}", escape(&t!("sub.finished", locale = lang.as_str())), reply.html);
                    return SubscribeResult::Refused(vec![Action::Send(reply)]);
                }
                (u32::try_from(result.data.len()).unwrap_or(u32::MAX), Some(result.state.clone()))
            }
            // Watching waits for the first result (and gives up after a few days).
            Report::NoResultYet => (0, None),
            Report::Failed(error) => {
                let reason = describe::upstream_error(error, lang);
                return SubscribeResult::Refused(vec![send(escape(&t!(
                    "sub.cannot",
                    locale = lang.as_str(),
                    reason = reason
                )))]);
            }
        };
        self.remember_phone(chat, &tracked, phone.as_ref()).await;
        let key = ParcelKey::new(tracked.courier.code, &tracked.number);
        let now = self.now();
        let policy = self.inner.config.watch_policy;
        let current = seen_state.as_deref().and_then(state::lookup);
        let first_check = policy.next_check(current, now, rand::random::<f64>()).max(tracked.next_query_at);
        let config = &self.inner.config;
        let outcome = self
            .inner
            .store
            .subscribe(
                chat,
                &key,
                lang.as_str(),
                seen_lines,
                seen_state.as_deref(),
                config.max_subscriptions,
                first_check,
                now,
            )
            .await;
        match outcome {
            Ok(outcome) => SubscribeResult::Done(outcome, Box::new(tracked)),
            Err(error) => {
                tracing::error!(%error, "cannot store a subscription");
                SubscribeResult::Refused(vec![send(escape(&t!("error.store", locale = lang.as_str())))])
            }
        }
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
        match self.inner.store.unsubscribe(incoming.chat.id, number.as_str(), self.now()).await {
            Ok(stopped) if stopped.is_empty() => {
                vec![send(t!("unsub.not_watched", locale = locale, number = escape(number.as_str())))]
            }
            Ok(_) => vec![send(t!("unsub.done", locale = locale, number = escape(number.as_str())))],
            Err(error) => {
                tracing::error!(%error, "cannot unsubscribe");
                vec![send(escape(&t!("error.store", locale = locale)))]
            }
        }
    }

    pub(super) async fn list_command(&self, incoming: &Incoming, lang: Lang) -> Vec<Action> {
        let locale = lang.as_str();
        let watched = match self.inner.store.chat_subscriptions(incoming.chat.id).await {
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
                SubscribeResult::Done(Subscribed::CapReached, _) => {
                    vec![answer(t!("sub.cap", locale = locale, cap = self.inner.config.max_subscriptions).into_owned())]
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
        if let Err(error) = self.inner.store.unsubscribe(incoming.chat.id, &key.number, self.now()).await {
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
