//! [`ChatCore`]: what every handler shares — the tracker, the subscriptions, the store, the clock, the
//! configuration — and the little state a chat keeps between two messages (a phone or a parcel's
//! name asked for, a throttle explained, the chat's language and time zone).
//!
//! The entry point, [`ChatCore::handle`], is in `router.rs`; the handlers are in `commands/` and
//! `presses.rs`, each an `impl ChatCore` block of its own.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use dashmap::DashMap;

use super::types::{Action, ChatRef, Reply, UserRef};
use crate::clock::SharedClock;
use crate::couriers::Courier;
use crate::input::TrackingNumber;
use crate::kuaidi100::Lang;
use crate::store::Store;
use crate::tracking::Tracker;
use crate::watch::Subscriptions;
use crate::zone::Zone;

/// How long a question ("send me the last 4 digits", "send the name for this parcel") waits for its
/// answer, in minutes.
pub(super) const PENDING_FOR: i64 = 10;

#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// The bot's username, to accept `/track@BotName` and ignore commands for other bots.
    pub bot_username: String,
    pub default_lang: Lang,
    /// Sandbox mode: every parcel reply says it is sandbox data.
    pub sandbox: bool,
}

/// What a chat was asked about a parcel; its next message is the answer, or the question is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Asked {
    /// The last 4 digits of a phone (private chats: the digits alone are the answer).
    Phone,
    /// The chat's name for the parcel (🏷): the next plain text becomes its label.
    Label,
}

/// A parcel waiting for what a chat was asked for it, by the user who was asked.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub asked: Asked,
    pub courier: &'static Courier,
    pub number: TrackingNumber,
    pub user: i64,
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
    /// One question per chat: asking anew replaces it.
    pub pending: DashMap<i64, Pending>,
    /// Users already told to slow down, until when: the throttle is explained once, then quiet.
    pub told_to_wait: DashMap<i64, DateTime<Utc>>,
    /// Chat languages read from the store (`None`: the chat chose none).
    pub chat_langs: DashMap<i64, Option<Lang>>,
    /// Chat time zones read from the store (Beijing time when the chat chose none).
    pub chat_zones: DashMap<i64, Zone>,
    /// Chats told that Kuaidi100 is down, with the start of the outage they were told about: once
    /// per chat and outage.
    pub told_outage: DashMap<i64, DateTime<Utc>>,
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
                pending: DashMap::new(),
                told_to_wait: DashMap::new(),
                chat_langs: DashMap::new(),
                chat_zones: DashMap::new(),
                told_outage: DashMap::new(),
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
        if let Some((_, zone)) = self.inner.chat_zones.remove(&from) {
            self.inner.chat_zones.insert(to, zone);
        }
    }

    /// The chat's `/tz` zone, else Beijing time, read from the store once and then remembered. The
    /// router loads it before any handler runs, so that handlers read it with [`ChatCore::zone`]. A
    /// store failure shows Beijing time (and is not remembered: the next message reads again).
    pub async fn zone_for(&self, chat: i64) -> Zone {
        if let Some(zone) = self.inner.chat_zones.get(&chat) {
            return *zone;
        }
        match self.inner.store.chat_zone(chat).await {
            Ok(stored) => {
                let zone = Zone::from_stored(stored.as_deref());
                self.inner.chat_zones.insert(chat, zone);
                zone
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read a chat time zone");
                Zone::Beijing
            }
        }
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

    /// The zone [`ChatCore::zone_for`] loaded for the chat (Beijing time if it could not).
    pub(super) fn zone(&self, chat: i64) -> Zone {
        self.inner.chat_zones.get(&chat).map(|zone| *zone).unwrap_or_default()
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Asks `user` of `chat` for something about a parcel, replacing any earlier question.
    pub(super) fn ask(&self, chat: i64, user: i64, asked: Asked, courier: &'static Courier, number: TrackingNumber) {
        self.inner.pending.insert(chat, Pending { asked, courier, number, user, asked_at: self.now() });
    }

    /// The question `user` of `chat` was asked, taken (it is answered by this message or not at all),
    /// if it is still fresh.
    pub(super) fn take_pending(&self, chat: i64, user: i64) -> Option<Pending> {
        let (_, pending) = self.inner.pending.remove_if(&chat, |_, pending| pending.user == user)?;
        (self.now() - pending.asked_at < chrono::Duration::minutes(PENDING_FOR)).then_some(pending)
    }
}

/// A new message of HTML text without buttons.
pub(super) fn send(html: impl Into<String>) -> Action {
    Action::Send(Reply::text(html))
}

/// The answer to a button press, with a toast or without.
pub(super) fn answer(text: Option<String>) -> Action {
    Action::AnswerButton { text }
}
