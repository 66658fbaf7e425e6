//! Parcels in the chat: `/track` and its arguments, the tracker's answers and failures, and the
//! buttons on a parcel reply (refresh, all/less, pick a courier).

use chrono::Duration;
use rust_i18n::t;

use super::callback::{self, Op};
use super::core::{ChatCore, PendingPhone, send};
use super::render::{View, escape, parcel_reply, with_subscription_button};
use super::types::{Action, Button, ChatKind, Incoming, Reply};
use crate::couriers::{Courier, Resolution, directory};
use crate::describe;
use crate::input::{PhoneTail, TrackingNumber, phone_tail, tracking_number};
use crate::kuaidi100::Lang;
use crate::store::ParcelKey;
use crate::tracking::{Asker, Report, TrackError, TrackRequest, Tracked};

/// Suggestion and candidate buttons per row.
const BUTTONS_PER_ROW: usize = 2;

impl ChatCore {
    /// `/track [courier] number [phone]`, also used for bare text in private chats.
    pub(super) async fn track_command(&self, incoming: &Incoming, args: &[String], lang: Lang) -> Vec<Action> {
        match parse_parcel_args(args, lang, "usage.track") {
            Ok((courier, number, phone)) => self.track(incoming, courier, number, phone, lang).await,
            Err(actions) => actions,
        }
    }

    /// Asks the tracker and turns its answer into a new message.
    pub(super) async fn track(
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

    /// A parcel reply with its 🔔/🔕 button, or the sentence that replaces it when there is no answer.
    pub(super) async fn report_reply(&self, chat: i64, tracked: &Tracked, view: View, lang: Lang) -> Reply {
        let reply = match &tracked.report {
            Report::Answer { result, .. } => {
                parcel_reply(tracked, result, view, lang, self.now(), self.inner.config.sandbox)
            }
            Report::NoResultYet => {
                let header = format!(
                    "<b>{}</b> · <code>{}</code>",
                    escape(tracked.courier.name(lang.as_str())),
                    escape(&tracked.number)
                );
                let text = escape(&t!("error.no_result", locale = lang.as_str()));
                let next = escape(&describe::next_update(tracked, lang));
                let refresh = Button {
                    text: t!("button.refresh", locale = lang.as_str()).into_owned(),
                    data: callback::encode(Op::Refresh, tracked.courier, &tracked.number),
                };
                Reply { html: format!("{header}\n{text}\n<i>{next}</i>"), buttons: vec![vec![refresh]] }
            }
            Report::Failed(error) => return Reply::text(escape(&describe::upstream_error(error, lang))),
        };
        let key = ParcelKey::new(tracked.courier.code, &tracked.number);
        let subscribed = self.inner.subscriptions.is_watched(chat, &key).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read a subscription");
            false
        });
        with_subscription_button(reply, tracked.courier, &tracked.number, subscribed, lang)
    }

    pub(super) fn track_failed(
        &self,
        incoming: &Incoming,
        error: TrackError,
        number: &TrackingNumber,
        lang: Lang,
    ) -> Vec<Action> {
        let locale = lang.as_str();
        match error {
            TrackError::Throttled { .. } => {
                self.throttled(incoming, &error, lang).into_iter().map(|text| send(escape(&text))).collect()
            }
            TrackError::PhoneRequired(courier) if incoming.chat.kind == ChatKind::Private => {
                let pending = PendingPhone { courier, number: number.clone(), asked_at: self.now() };
                self.inner.pending_phone.insert(incoming.chat.id, pending);
                vec![send(escape(&t!("phone.ask_private", locale = locale, courier = courier.name(locale))))]
            }
            TrackError::PhoneRequired(courier) => vec![send(t!(
                "phone.ask_group",
                locale = locale,
                courier = escape(courier.name(locale)),
                code = courier.code,
                number = escape(number.as_str())
            ))],
            TrackError::ChooseCourier(candidates) => {
                let html = escape(&describe::track_error(
                    &TrackError::ChooseCourier(candidates.clone()),
                    number.as_str(),
                    lang,
                ));
                vec![Action::Send(courier_choice(html, &candidates, number, lang))]
            }
            TrackError::Store(ref store_error) => {
                tracing::error!(error = %store_error, "store failure while tracking");
                vec![send(escape(&describe::track_error(&error, number.as_str(), lang)))]
            }
            other => vec![send(escape(&describe::track_error(&other, number.as_str(), lang)))],
        }
    }

    /// The throttle is explained once per wait; repeated presses inside it get silence.
    fn throttled(&self, incoming: &Incoming, error: &TrackError, lang: Lang) -> Option<String> {
        let TrackError::Throttled { retry_after } = error else { return None };
        let now = self.now();
        let user = incoming.user.id;
        if self.inner.told_to_wait.get(&user).is_some_and(|until| *until > now) {
            return None;
        }
        let until = now + Duration::from_std(*retry_after).unwrap_or(Duration::seconds(60));
        self.inner.told_to_wait.insert(user, until);
        Some(describe::track_error(error, "", lang))
    }

    pub(super) async fn chat_phone(&self, chat: i64, courier: &Courier, number: &str) -> Option<PhoneTail> {
        let key = ParcelKey::new(courier.code, number);
        match self.inner.store.chat_parcel_phone(chat, &key).await {
            Ok(phone) => phone.and_then(|digits| phone_tail(&digits).ok()),
            Err(error) => {
                tracing::warn!(%error, "cannot read a chat's phone for a parcel");
                None
            }
        }
    }

    /// A press on one of the bot's buttons.
    pub(super) async fn button(&self, incoming: &Incoming, data: &str, message_id: i32, lang: Lang) -> Vec<Action> {
        let locale = lang.as_str();
        let Some(payload) = callback::decode(data) else {
            return vec![answer(Some(t!("button.outdated", locale = locale).into_owned()))];
        };
        let Ok(number) = tracking_number(&payload.number) else {
            return vec![answer(Some(t!("button.outdated", locale = locale).into_owned()))];
        };
        let chat = incoming.chat.id;
        match payload.op {
            Op::Track => {
                let mut actions = vec![answer(None)];
                actions.extend(self.track(incoming, Some(payload.courier), number, None, lang).await);
                actions
            }
            Op::ShowAll | Op::ShowLess => {
                let view = if payload.op == Op::ShowAll { View::All } else { View::Latest };
                match self.peek_for(incoming, payload.courier, &number, lang).await {
                    Ok(Some(tracked)) => {
                        vec![
                            answer(None),
                            Action::Edit { message_id, reply: self.report_reply(chat, &tracked, view, lang).await },
                        ]
                    }
                    Ok(None) => vec![answer(Some(t!("button.outdated", locale = locale).into_owned()))],
                    Err(error) => vec![answer(Some(describe::track_error(&error, number.as_str(), lang)))],
                }
            }
            Op::Subscribe | Op::Unsubscribe | Op::UnsubscribeQuiet => {
                self.subscription_button(incoming, payload.op, payload.courier, number, message_id, lang).await
            }
            Op::Refresh | Op::RefreshAll => {
                let view = if payload.op == Op::RefreshAll { View::All } else { View::Latest };
                let (request, _) = self.user_request(incoming, Some(payload.courier), number.clone(), None, lang).await;
                match self.inner.tracker.track(request).await {
                    Ok(tracked) if tracked.fresh => {
                        vec![
                            answer(None),
                            Action::Edit { message_id, reply: self.report_reply(chat, &tracked, view, lang).await },
                        ]
                    }
                    Ok(tracked) => {
                        let minutes = ((tracked.next_query_at - self.now()).num_seconds().max(0) + 59) / 60;
                        vec![answer(Some(t!("refresh.no_newer", locale = locale, minutes = minutes).into_owned()))]
                    }
                    Err(error @ TrackError::Throttled { .. }) => vec![answer(self.throttled(incoming, &error, lang))],
                    Err(error) => vec![answer(Some(describe::track_error(&error, number.as_str(), lang)))],
                }
            }
        }
    }

    /// A user's question about a parcel: the phone is the one given, else the one this chat gave earlier
    /// for a phone-checked parcel (phones never travel in buttons).
    pub(super) async fn user_request(
        &self,
        incoming: &Incoming,
        courier: Option<&'static Courier>,
        number: TrackingNumber,
        phone: Option<PhoneTail>,
        lang: Lang,
    ) -> (TrackRequest, Option<PhoneTail>) {
        let phone = match (phone, courier) {
            (Some(phone), _) => Some(phone),
            (None, Some(courier)) if courier.needs_phone => {
                self.chat_phone(incoming.chat.id, courier, number.as_str()).await
            }
            (None, _) => None,
        };
        let request = TrackRequest::new(courier.map(|courier| courier.code), number, Asker::User(incoming.user.id))
            .with_phone(phone.clone())
            .with_lang(lang);
        (request, phone)
    }

    /// What is known of a parcel, as the user who pressed a button may see it (with the phone their
    /// chat gave, for phone-checked couriers), without asking Kuaidi100.
    pub(super) async fn peek_for(
        &self,
        incoming: &Incoming,
        courier: &'static Courier,
        number: &TrackingNumber,
        lang: Lang,
    ) -> Result<Option<Tracked>, TrackError> {
        let (_, phone) = self.user_request(incoming, Some(courier), number.clone(), None, lang).await;
        self.inner
            .tracker
            .peek(courier, number.as_str(), phone.as_ref().map(PhoneTail::digits), Asker::User(incoming.user.id))
            .await
    }

    /// Remembers the phone a chat gave for a phone-checked parcel, for its later buttons.
    pub(super) async fn remember_phone(&self, chat: i64, tracked: &Tracked, phone: Option<&PhoneTail>) {
        let Some(phone) = phone.filter(|_| tracked.courier.needs_phone) else { return };
        let key = ParcelKey::new(tracked.courier.code, &tracked.number);
        if let Err(error) = self.inner.store.remember_chat_parcel(chat, &key, Some(phone.digits()), self.now()).await {
            tracing::warn!(%error, "cannot remember a chat's phone for a parcel");
        }
    }
}

/// A parcel as named in a command: courier (or none, to detect), number, phone.
pub(super) type ParcelArgs = (Option<&'static Courier>, TrackingNumber, Option<PhoneTail>);

/// Reads `[courier] number [phone]`: with 2 words, `courier number` unless the first is a number, the
/// second a phone, and the first no courier name. Bad input becomes the reply (`usage` names the usage
/// line to show).
pub(super) fn parse_parcel_args(args: &[String], lang: Lang, usage: &str) -> Result<ParcelArgs, Vec<Action>> {
    let locale = lang.as_str();
    let usage_line = || t!(usage, locale = locale).into_owned();
    let (courier_text, number_text, phone_text) = match args {
        [number] => (None, number, None),
        [first, second] => {
            let first_is_courier = !matches!(directory().resolve(first), Resolution::Unknown { .. });
            if !first_is_courier && tracking_number(first).is_ok() && phone_tail(second).is_ok() && second.len() <= 16 {
                (None, first, Some(second))
            } else {
                (Some(first), second, None)
            }
        }
        [courier, number, phone] => (Some(courier), number, Some(phone)),
        _ => return Err(vec![send(usage_line())]),
    };
    let number = match tracking_number(number_text) {
        Ok(number) => number,
        Err(error) => {
            let reason = escape(&describe::input_error(&error, lang));
            return Err(vec![send(format!("{reason}\n{}", usage_line()))]);
        }
    };
    let phone = match phone_text.map(|text| phone_tail(text)).transpose() {
        Ok(phone) => phone,
        Err(error) => return Err(vec![send(escape(&describe::input_error(&error, lang)))]),
    };
    let courier = match courier_text.map(|text| (text, directory().resolve(text))) {
        None => None,
        Some((_, Resolution::Found(courier))) => Some(courier),
        Some((text, Resolution::Ambiguous(candidates))) => {
            let list = describe::courier_list(&candidates, lang);
            let html = t!("courier.ambiguous", locale = locale, input = text, list = list);
            return Err(vec![Action::Send(courier_choice(escape(&html), &candidates, &number, lang))]);
        }
        Some((text, Resolution::Unknown { suggestions })) => {
            let mut html = escape(&t!("courier.unknown", locale = locale, input = text));
            if suggestions.is_empty() {
                html += &format!("\n{}", usage_line());
            } else {
                let list = describe::courier_list(&suggestions, lang);
                html += &format!("\n{}", escape(&t!("courier.did_you_mean", locale = locale, list = list)));
            }
            return Err(vec![Action::Send(courier_choice(html, &suggestions, &number, lang))]);
        }
    };
    Ok((courier, number, phone))
}

fn answer(text: Option<String>) -> Action {
    Action::AnswerButton { text }
}

/// A message with one button per courier, each tracking the number with that courier.
fn courier_choice(html: String, couriers: &[&'static Courier], number: &TrackingNumber, lang: Lang) -> Reply {
    let buttons: Vec<Button> = couriers
        .iter()
        .map(|courier| Button {
            text: courier.name(lang.as_str()).to_owned(),
            data: callback::encode(Op::Track, courier, number.as_str()),
        })
        .collect();
    Reply { html, buttons: buttons.chunks(BUTTONS_PER_ROW).map(<[Button]>::to_vec).collect() }
}
