//! [`ChatCore`]: one entry point, [`ChatCore::handle`], for every message and button press.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use rust_i18n::t;

use super::command::{self, Command};
use super::render::escape;
use super::types::{Action, ChatKind, ChatRef, Incoming, Input, Reply, UserRef};
use crate::clock::SharedClock;
use crate::couriers::{Courier, directory};
use crate::input::TrackingNumber;
use crate::kuaidi100::Lang;
use crate::store::Store;
use crate::tracking::Tracker;
use crate::watch::Subscriptions;

/// How long a "send me the last 4 digits" question waits for its answer in a private chat.
const PENDING_PHONE_FOR: i64 = 10;
/// Couriers listed by `/couriers`.
const COURIER_SEARCH_LIMIT: usize = 10;

#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// The bot's username, to accept `/track@BotName` and ignore commands for other bots.
    pub bot_username: String,
    pub default_lang: Lang,
    /// Sandbox mode: every parcel reply says it is sandbox data.
    pub sandbox: bool,
}

/// A parcel waiting for the phone digits a private chat was asked for.
#[derive(Debug, Clone)]
pub(super) struct PendingPhone {
    pub courier: &'static Courier,
    pub number: TrackingNumber,
    pub asked_at: DateTime<Utc>,
}

/// The chat core; cheap to clone.
#[derive(Clone)]
pub struct ChatCore {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub tracker: Tracker,
    pub subscriptions: Subscriptions,
    pub store: Store,
    pub clock: SharedClock,
    pub config: ChatConfig,
    pub pending_phone: DashMap<i64, PendingPhone>,
    /// Users already told to slow down, until when: the throttle is explained once, then quiet.
    pub told_to_wait: DashMap<i64, DateTime<Utc>>,
    /// Chat languages read from the store (`None`: the chat chose none).
    pub chat_langs: DashMap<i64, Option<Lang>>,
}

impl ChatCore {
    pub fn new(
        tracker: Tracker,
        subscriptions: Subscriptions,
        store: Store,
        clock: SharedClock,
        config: ChatConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                tracker,
                subscriptions,
                store,
                clock,
                config,
                pending_phone: DashMap::new(),
                told_to_wait: DashMap::new(),
                chat_langs: DashMap::new(),
            }),
        }
    }

    pub fn config(&self) -> &ChatConfig {
        &self.inner.config
    }

    pub fn tracker(&self) -> &Tracker {
        &self.inner.tracker
    }

    /// The chat is gone for the bot (blocked, deleted, bot removed): stop its subscriptions.
    pub async fn chat_gone(&self, chat_id: i64) {
        self.inner.subscriptions.chat_gone(chat_id).await;
    }

    /// A group became a supergroup: everything of the chat moves to its new id.
    pub async fn chat_migrated(&self, from: i64, to: i64) {
        self.inner.subscriptions.chat_migrated(from, to).await;
        if let Some((_, lang)) = self.inner.chat_langs.remove(&from) {
            self.inner.chat_langs.insert(to, lang);
        }
    }

    /// Handles one message or button press and says what to do about it.
    pub async fn handle(&self, incoming: &Incoming) -> Vec<Action> {
        let lang = self.lang_for(incoming.chat, &incoming.user).await;
        match &incoming.input {
            Input::Text(text) => self.text(incoming, text, lang).await,
            Input::Button { data, message_id } => self.button(incoming, data, *message_id, lang).await,
        }
    }

    async fn text(&self, incoming: &Incoming, text: &str, lang: Lang) -> Vec<Action> {
        let locale = lang.as_str();
        let private = incoming.chat.kind == ChatKind::Private;
        match command::parse(text, &self.inner.config.bot_username) {
            Command::Start | Command::Help => vec![Action::Send(self.help(lang))],
            Command::Track(args) => self.track_command(incoming, &args, lang).await,
            Command::Lang(args) => self.set_lang(incoming.chat, &args, lang).await,
            Command::Sub(args) => self.sub_command(incoming, &args, lang).await,
            Command::Unsub(args) => self.unsub_command(incoming, &args, lang).await,
            Command::List => self.list_command(incoming, lang).await,
            Command::Couriers(text) => vec![Action::Send(couriers_reply(&text, lang))],
            Command::Unknown(name) if private => {
                vec![send(t!("command.unknown", locale = locale, name = escape(&name)))]
            }
            Command::Unknown(_) | Command::NotForUs => Vec::new(),
            Command::Text(text) if private => self.private_text(incoming, &text, lang).await,
            // In groups the bot answers commands only; chatter is not for it.
            Command::Text(_) => Vec::new(),
        }
    }

    /// Plain text in a private chat: the phone digits asked for, or a tracking number (maybe with a
    /// courier and a phone, like `/track` without the command), or a hint.
    async fn private_text(&self, incoming: &Incoming, text: &str, lang: Lang) -> Vec<Action> {
        let chat = incoming.chat.id;
        let fresh_pending = self
            .inner
            .pending_phone
            .remove(&chat)
            .map(|(_, pending)| pending)
            .filter(|pending| self.now() - pending.asked_at < Duration::minutes(PENDING_PHONE_FOR));
        if let Some(pending) = fresh_pending {
            if let Ok(phone) = crate::input::phone_tail(text)
                && text.chars().filter(char::is_ascii_digit).count() <= 11
                && !text.chars().any(char::is_alphabetic)
            {
                return self.track(incoming, Some(pending.courier), pending.number, Some(phone), lang).await;
            }
        }
        let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        let looks_like_parcel =
            words.len() <= 3 && words.iter().any(|word| crate::input::tracking_number(word).is_ok());
        if looks_like_parcel {
            return self.track_command(incoming, &words, lang).await;
        }
        vec![send(t!("private.hint", locale = lang.as_str()))]
    }

    fn help(&self, lang: Lang) -> Reply {
        let mut html = t!("help.text", locale = lang.as_str()).into_owned();
        if self.inner.config.sandbox {
            html = format!("{}\n\n{html}", t!("help.sandbox", locale = lang.as_str()));
        }
        Reply::text(html)
    }

    async fn set_lang(&self, chat: ChatRef, args: &[String], lang: Lang) -> Vec<Action> {
        let chosen = match args {
            [one] => match one.to_ascii_lowercase().as_str() {
                "zh" | "cn" | "中文" => Some(Lang::Zh),
                "en" | "english" | "英文" => Some(Lang::En),
                _ => None,
            },
            _ => None,
        };
        let Some(chosen) = chosen else {
            return vec![send(t!("usage.lang", locale = lang.as_str()))];
        };
        if let Err(error) = self.inner.store.set_chat_lang(chat.id, chosen, self.now()).await {
            tracing::error!(%error, "cannot store a chat language");
            return vec![send(escape(&t!("error.store", locale = lang.as_str())))];
        }
        self.inner.chat_langs.insert(chat.id, Some(chosen));
        vec![send(t!("lang.set", locale = chosen.as_str()))]
    }

    /// The chat's `/lang` setting, else the user's Telegram language, else `DEFAULT_LANG`.
    pub async fn lang_for(&self, chat: ChatRef, user: &UserRef) -> Lang {
        let chosen = match self.inner.chat_langs.get(&chat.id).map(|lang| *lang) {
            Some(chosen) => chosen,
            None => {
                let chosen = self.inner.store.chat_lang(chat.id).await.unwrap_or_else(|error| {
                    tracing::warn!(%error, "cannot read a chat language");
                    None
                });
                self.inner.chat_langs.insert(chat.id, chosen);
                chosen
            }
        };
        chosen
            .or_else(|| user.language_code.as_deref().map(|code| Lang::parse(code).unwrap_or(Lang::En)))
            .unwrap_or(self.inner.config.default_lang)
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }
}

fn couriers_reply(text: &str, lang: Lang) -> Reply {
    let locale = lang.as_str();
    if text.trim().is_empty() {
        return Reply::text(t!("usage.couriers", locale = locale));
    }
    let found = directory().search(text, COURIER_SEARCH_LIMIT);
    if found.is_empty() {
        return Reply::text(t!("couriers.none", locale = locale, text = escape(text)));
    }
    let mut html = t!("couriers.header", locale = locale, text = escape(text)).into_owned();
    for courier in found {
        let name = escape(courier.name(locale));
        let other = if lang == Lang::En { courier.name_zh } else { courier.name_en.unwrap_or_default() };
        html += &format!("\n<code>{}</code> — {name}", courier.code);
        if !other.is_empty() && other != courier.name(locale) {
            html += &format!(" ({})", escape(other));
        }
    }
    Reply::text(html)
}

pub(super) fn send(html: impl Into<String>) -> Action {
    Action::Send(Reply::text(html))
}
