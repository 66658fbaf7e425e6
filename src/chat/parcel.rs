//! A parcel in a chat, whichever command or button asked about it: the question put to the tracker
//! for a user, the phone the chat gave for it, the reply with its buttons, and the replies to what the
//! tracker could not do.
//!
//! `/track`, `/sub`, plain text in a private chat and every button on a parcel reply share this; none
//! of them asks Kuaidi100 itself — the [`Tracker`](crate::tracking::Tracker) decides whether a query
//! happens. A phone never travels in a button: a later press finds the phone the chat gave in the store.

use chrono::{DateTime, Duration, Utc};

use super::core::{Asked, ChatCore, send};
use super::keyboards;
use super::types::{Action, ChatKind, Incoming, Reply};
use super::view::View;
use super::words;
use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber, phone_tail};
use crate::kuaidi100::{Lang, QueryResult};
use crate::store::ParcelKey;
use crate::tracking::{Asker, Freshness, Report, TrackError, TrackRequest, Tracked};
use crate::zone::Zone;

/// A parcel's reply and its buttons (🔄, 📜/🔼), without the 🔔/🔕 that depends on the chat; `label` is
/// the chat's name for the parcel, if it gave one; times in `zone`.
#[allow(clippy::too_many_arguments)]
pub fn parcel_reply(
    tracked: &Tracked,
    result: &QueryResult,
    view: View,
    lang: Lang,
    zone: &Zone,
    now: DateTime<Utc>,
    sandbox: bool,
    label: Option<&str>,
) -> Reply {
    Reply {
        html: words::parcel::reply_html(tracked, result, view, lang, zone, now, sandbox, label),
        buttons: keyboards::parcel(tracked.courier, &tracked.number, result.data.len(), view, lang),
    }
}

impl ChatCore {
    /// A parcel reply with the chat's label and its 🔔/🔕 and 🏷 buttons, or the sentence that replaces
    /// it when there is no answer.
    pub(super) async fn report_reply(&self, chat: i64, tracked: &Tracked, view: View, lang: Lang) -> Reply {
        let zone = self.zone(chat);
        let label = match &tracked.report {
            Report::Failed(_) => None,
            _ => self.label_of(chat, tracked.courier, &tracked.number).await,
        };
        let mut reply = match &tracked.report {
            Report::Answer { result, .. } => {
                let sandbox = self.inner.config.sandbox;
                parcel_reply(tracked, result, view, lang, &zone, self.now(), sandbox, label.as_deref())
            }
            Report::NoResultYet => Reply {
                html: words::parcel::no_result_html(tracked, lang, &zone, label.as_deref()),
                buttons: keyboards::no_result(tracked.courier, &tracked.number, lang),
            },
            Report::Failed(error) => {
                let html = words::errors::upstream_error_html(error, lang);
                return Reply::text(self.with_outage_note(chat, tracked, html, lang));
            }
        };
        reply.html = self.with_outage_note(chat, tracked, reply.html, lang);
        let key = ParcelKey::new(tracked.courier.code, &tracked.number);
        let subscribed = self.inner.subscriptions.is_watched(chat, &key).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read a subscription");
            false
        });
        reply.buttons = keyboards::with_subscription(reply.buttons, tracked.courier, &tracked.number, subscribed, lang);
        let bot = &self.inner.config.bot_username;
        let mut sharing = keyboards::sharing(tracked.courier, &tracked.number, bot, lang);
        sharing.push(keyboards::naming(tracked.courier, &tracked.number, lang));
        reply.buttons.push(sharing);
        reply
    }

    /// `html`, after a line saying that Kuaidi100 is down when it is and this reply shows it (the last
    /// answer, stale, or none) — once per chat and outage.
    fn with_outage_note(&self, chat: i64, tracked: &Tracked, html: String, lang: Lang) -> String {
        let shows_it =
            matches!(&tracked.report, Report::Failed(_) | Report::Answer { freshness: Freshness::Stale { .. }, .. });
        let Some(since) = self.inner.tracker.upstream_down_since().filter(|_| shows_it) else { return html };
        if self.inner.told_outage.insert(chat, since) == Some(since) {
            return html;
        }
        format!(
            "{}

{html}",
            words::errors::outage_html(since, lang, &self.zone(chat))
        )
    }

    /// This chat's label for a parcel; a store failure shows the parcel without it.
    pub(super) async fn label_of(&self, chat: i64, courier: &Courier, number: &str) -> Option<String> {
        let key = ParcelKey::new(courier.code, number);
        self.inner.store.label(chat, &key).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read a parcel's label");
            None
        })
    }

    /// The reply when the tracker could not answer: the throttle once, a question for the phone (which a
    /// private chat may answer with the digits alone), a choice of couriers, or why not.
    pub(super) fn track_failed(
        &self,
        incoming: &Incoming,
        error: TrackError,
        number: &TrackingNumber,
        lang: Lang,
    ) -> Vec<Action> {
        let zone = self.zone(incoming.chat.id);
        match error {
            TrackError::Throttled { .. } if self.tell_to_wait(incoming, &error) => {
                vec![send(words::errors::track_error_html(&error, "", lang, &zone))]
            }
            TrackError::Throttled { .. } => Vec::new(),
            TrackError::PhoneRequired(courier) if incoming.chat.kind == ChatKind::Private => {
                self.ask(incoming.chat.id, incoming.user.id, Asked::Phone, courier, number.clone());
                vec![send(words::errors::ask_phone_private_html(courier, lang))]
            }
            TrackError::PhoneRequired(courier) => {
                vec![send(words::errors::ask_phone_group_html(courier, number, lang))]
            }
            TrackError::ChooseCourier(ref candidates) => vec![Action::Send(Reply {
                html: words::errors::track_error_html(&error, number.as_str(), lang, &zone),
                buttons: keyboards::courier_choice(candidates, number.as_str(), lang),
            })],
            TrackError::Store(ref store_error) => {
                tracing::error!(error = %store_error, "store failure while tracking");
                vec![send(words::errors::track_error_html(&error, number.as_str(), lang, &zone))]
            }
            other => vec![send(words::errors::track_error_html(&other, number.as_str(), lang, &zone))],
        }
    }

    /// Whether to explain a throttle now: once per wait; repeated asks inside it get silence.
    pub(super) fn tell_to_wait(&self, incoming: &Incoming, error: &TrackError) -> bool {
        let TrackError::Throttled { retry_after } = error else { return false };
        let now = self.now();
        let user = incoming.user.id;
        if self.inner.told_to_wait.get(&user).is_some_and(|until| *until > now) {
            return false;
        }
        let until = now + Duration::from_std(*retry_after).unwrap_or(Duration::seconds(60));
        self.inner.told_to_wait.insert(user, until);
        true
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
        self.request_in(incoming.chat.id, incoming.user.id, courier, number, phone, lang).await
    }

    /// [`ChatCore::user_request`] for `user` in chat `chat` (inline mode has no message, only a user:
    /// its chat is the user's private chat with the bot).
    pub(super) async fn request_in(
        &self,
        chat: i64,
        user: i64,
        courier: Option<&'static Courier>,
        number: TrackingNumber,
        phone: Option<PhoneTail>,
        lang: Lang,
    ) -> (TrackRequest, Option<PhoneTail>) {
        let phone = match (phone, courier) {
            (Some(phone), _) => Some(phone),
            (None, Some(courier)) if courier.needs_phone => self.chat_phone(chat, courier, number.as_str()).await,
            (None, _) => None,
        };
        let request = TrackRequest::new(courier.map(|courier| courier.code), number, Asker::User(user))
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

    /// The phone this chat gave earlier for a parcel.
    async fn chat_phone(&self, chat: i64, courier: &Courier, number: &str) -> Option<PhoneTail> {
        let key = ParcelKey::new(courier.code, number);
        match self.inner.store.chat_parcel_phone(chat, &key).await {
            Ok(phone) => phone.and_then(|digits| phone_tail(&digits).ok()),
            Err(error) => {
                tracing::warn!(%error, "cannot read a chat's phone for a parcel");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::view::MAX_MESSAGE_CHARS;
    use crate::couriers::directory;
    use crate::kuaidi100::TraceLine;
    use crate::tracking::{Freshness, Report};
    use std::sync::Arc;

    fn line(i: usize, context: &str) -> TraceLine {
        TraceLine {
            time: format!("2026-11-{:02} 10:00:00", 1 + i % 28),
            ftime: format!("2026-11-{:02} 10:00:00", 1 + i % 28),
            context: context.to_owned(),
            status: None,
            status_code: None,
            area_code: None,
            area_name: Some("浙江,杭州市,上城区".into()),
            area_center: None,
            location: None,
            area_pinyin: None,
        }
    }

    fn tracked(lines: Vec<TraceLine>) -> (Tracked, QueryResult) {
        let result = QueryResult {
            message: "ok".into(),
            state: "0".into(),
            status: "200".into(),
            condition: None,
            ischeck: "0".into(),
            com: "yuantong".into(),
            nu: "YT9693083639795".into(),
            data: lines,
            route_info: None,
            is_loop: None,
            ..QueryResult::default()
        };
        let tracked = Tracked {
            courier: directory().get("yuantong").expect("yuantong"),
            number: "YT9693083639795".into(),
            report: Report::Answer { result: Arc::new(result.clone()), freshness: Freshness::Fresh },
            fresh: true,
            answered_at: None,
            queried_at: None,
            next_query_at: Utc::now(),
            daily_cap_reached: false,
            budget_spent_until: None,
            last_answer: None,
            answer_lang: None,
        };
        (tracked, result)
    }

    #[test]
    fn outside_text_is_escaped() {
        let (tracked, result) = tracked(vec![line(0, "<b>bold</b> & </a> <script>")]);
        let reply = parcel_reply(&tracked, &result, View::Latest, Lang::En, &Zone::Beijing, Utc::now(), false, None);
        assert!(reply.html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/a&gt; &lt;script&gt;"), "{}", reply.html);
        assert!(!reply.html.contains("<script>") && !reply.html.contains("</a>"));
    }

    #[test]
    fn a_label_shows_under_the_header_escaped() {
        let (tracked, result) = tracked(vec![line(0, "已揽收")]);
        let label = Some("<b>x</b> & co");
        let reply = parcel_reply(&tracked, &result, View::Latest, Lang::En, &Zone::Beijing, Utc::now(), false, label);
        let mut lines = reply.html.lines();
        assert!(lines.next().is_some_and(|header| header.contains("YT9693083639795")), "{}", reply.html);
        assert_eq!(lines.next(), Some("🏷 <b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>"), "{}", reply.html);
        let unlabelled =
            parcel_reply(&tracked, &result, View::Latest, Lang::En, &Zone::Beijing, Utc::now(), false, None);
        assert!(!unlabelled.html.contains('🏷'), "{}", unlabelled.html);
    }

    #[test]
    fn latest_view_shows_five_lines_and_counts_the_rest() {
        let lines = (0..8).map(|i| line(i, &format!("event {i}"))).collect();
        let (tracked, result) = tracked(lines);
        let reply = parcel_reply(&tracked, &result, View::Latest, Lang::En, &Zone::Beijing, Utc::now(), true, None);
        assert!(reply.html.contains("event 4") && !reply.html.contains("event 5"), "{}", reply.html);
        assert!(reply.html.contains("3 earlier"), "{}", reply.html);
        assert!(reply.html.contains("sandbox data"));
        let buttons: Vec<_> = reply.buttons.concat().into_iter().filter_map(|b| b.data().map(str::to_owned)).collect();
        assert_eq!(buttons, vec!["r:0:YT9693083639795".to_owned(), "a:0:YT9693083639795".to_owned()]);
        let all = parcel_reply(&tracked, &result, View::All, Lang::Zh, &Zone::Beijing, Utc::now(), false, None);
        assert!(all.html.contains("event 7"));
        assert_eq!(all.buttons[0][1].data(), Some("l:0:YT9693083639795"));
    }

    #[test]
    fn sixty_long_lines_stay_under_the_limit_and_say_so() {
        let long = "【杭州市】快件离开【杭州转运中心】已发往【上海浦西转运中心】& <运输中> ".repeat(3);
        let lines = (0..60).map(|i| line(i, &format!("{i} {long}"))).collect();
        let (tracked, result) = tracked(lines);
        for lang in [Lang::Zh, Lang::En] {
            let reply = parcel_reply(&tracked, &result, View::All, lang, &Zone::Beijing, Utc::now(), true, None);
            assert!(reply.html.chars().count() <= MAX_MESSAGE_CHARS, "{}", reply.html.chars().count());
            let note = if lang == Lang::En { "more lines not shown" } else { "条记录未显示" };
            assert!(reply.html.contains(note), "{}", reply.html);
            assert!(reply.html.ends_with("</i>"), "cut on a line boundary");
        }
    }
}
