//! One budget for everything the bot sends to Telegram, replies first.
//!
//! Telegram allows about 30 messages per second overall, one per second in a chat and 20 per minute
//! in a group, and answers 429 past that — freezing the sender for the time it names. teloxide's
//! `Throttle` keeps those limits, but it releases requests in 250 ms ticks (bursts that a strict
//! rolling-second limiter answers with 429), it serves requests in arrival order (a reply waits behind
//! every queued notification), and a 429 freezes every chat. So the bot paces itself here, on
//! governor: every permit of the overall budget is evenly spaced (burst 1), a chat's own budget (1/s)
//! and a group's (at most 20 in any rolling minute, counted exactly, like `Throttle` did, so a group
//! can still get a short burst) are taken before joining the queue, and a single scheduler hands out the overall permits,
//! **replies before notifications**, so a user's reply waits at most for the message being released.
//! Nothing else in the process throttles Telegram: this is the one pace setting ([`Limits`]).
//!
//! Replicas on one PostgreSQL share the budget ([`Pace::shared`]): every permit — overall, per chat,
//! per group — is then a reservation in the database (`Store::reserve_send`, on the database's clock),
//! so three replicas together keep the pace of one. Within a replica the scheduler still hands out
//! one overall permit at a time, replies first, so a reply waits for at most the reservations the
//! other replicas hold at that moment (one each). If the database cannot answer, the replica falls
//! back to its own limiters for that permit: a slower database must never stop the bot talking.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::store::Store;

/// Telegram's limits as the bot keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Messages per second over all chats.
    pub messages_per_sec_overall: u32,
    /// Messages per second in one chat.
    pub messages_per_sec_chat: u32,
    /// Messages per minute in one group (a chat with a negative id).
    pub messages_per_min_chat: u32,
}

/// Telegram documents ~30/s overall; 28 leaves room for the jitter of the network between the bot
/// and Telegram, so that a strict rolling-second limiter never sees 30 (measured with
/// `cargo run --release --example fanout_bench`).
pub fn default_limits() -> Limits {
    Limits { messages_per_sec_overall: 28, messages_per_sec_chat: 1, messages_per_min_chat: 20 }
}

/// Who is waiting for a permit: a person, or the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Reply,
    Notice,
}

/// How often the per-chat budgets forget chats that went quiet (their memory would otherwise grow
/// with every chat ever written to).
const FORGET_QUIET_CHATS_EVERY: Duration = Duration::from_secs(600);
const MINUTE: Duration = Duration::from_secs(60);

/// The shared budget; cheap to clone.
#[derive(Clone)]
pub struct Pace {
    inner: Arc<Inner>,
    _stop: Arc<DropGuard>,
}

struct Inner {
    overall: DefaultDirectRateLimiter,
    per_chat: DefaultKeyedRateLimiter<i64>,
    /// When each group's messages of the last minute left.
    per_group: DashMap<i64, VecDeque<Instant>>,
    per_group_per_minute: usize,
    queues: Mutex<Queues>,
    queued: Notify,
    per_second: u32,
    /// The budget shared with other replicas, where there is one.
    shared: Option<SharedBudget>,
}

/// The budgets kept in the database, named after the bot (Telegram's limits are per bot).
struct SharedBudget {
    store: Store,
    bot: String,
    /// The spacing of the overall budget, the chat's, and the group's limit per minute.
    overall_every: Duration,
    chat_every: Duration,
    group_per_minute: u32,
}

impl SharedBudget {
    /// Waits for a reservation in `budget`; `false` when the database could not give one.
    async fn wait(&self, budget: &str, most: u32, per: Duration) -> bool {
        match self.store.reserve_send(&format!("{}:{budget}", self.bot), most, per).await {
            Ok(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                true
            }
            Err(error) => {
                tracing::warn!(%error, "the shared Telegram budget is unavailable; pacing this send locally");
                false
            }
        }
    }
}

#[derive(Default)]
struct Queues {
    replies: VecDeque<oneshot::Sender<()>>,
    notices: VecDeque<oneshot::Sender<()>>,
}

impl Queues {
    fn next(&mut self) -> Option<oneshot::Sender<()>> {
        self.replies.pop_front().or_else(|| self.notices.pop_front())
    }

    fn is_empty(&self) -> bool {
        self.replies.is_empty() && self.notices.is_empty()
    }
}

impl Pace {
    /// Starts the scheduler; it stops when the last clone is dropped.
    pub fn new(limits: Limits) -> Self {
        Self::start(limits, None)
    }

    /// The same budget shared through `store` by every replica of the bot `bot_id` on it.
    pub fn shared(limits: Limits, store: Store, bot_id: &str) -> Self {
        let per_second = limits.messages_per_sec_overall.max(1);
        let per_chat = limits.messages_per_sec_chat.max(1);
        let shared = SharedBudget {
            store,
            bot: format!("bot{bot_id}"),
            overall_every: Duration::from_secs(1) / per_second,
            chat_every: Duration::from_secs(1) / per_chat,
            group_per_minute: limits.messages_per_min_chat.max(1),
        };
        Self::start(limits, Some(shared))
    }

    fn start(limits: Limits, shared: Option<SharedBudget>) -> Self {
        let overall = NonZeroU32::new(limits.messages_per_sec_overall).unwrap_or(NonZeroU32::MIN);
        let chat = NonZeroU32::new(limits.messages_per_sec_chat).unwrap_or(NonZeroU32::MIN);
        let inner = Arc::new(Inner {
            overall: RateLimiter::direct(Quota::per_second(overall).allow_burst(NonZeroU32::MIN)),
            per_chat: RateLimiter::dashmap(Quota::per_second(chat).allow_burst(NonZeroU32::MIN)),
            per_group: DashMap::new(),
            per_group_per_minute: usize::try_from(limits.messages_per_min_chat.max(1)).unwrap_or(usize::MAX),
            queues: Mutex::default(),
            queued: Notify::new(),
            per_second: overall.get(),
            shared,
        });
        let stop = CancellationToken::new();
        tokio::spawn(schedule(inner.clone(), stop.clone()));
        Self { inner, _stop: Arc::new(stop.drop_guard()) }
    }

    /// Messages per second over all chats.
    pub fn per_second(&self) -> u32 {
        self.inner.per_second
    }

    /// Waits until a message to `chat_id` may leave now.
    pub async fn permit(&self, chat_id: i64, priority: Priority) {
        let shared = match &self.inner.shared {
            Some(shared) => {
                shared.wait(&format!("chat:{chat_id}"), 1, shared.chat_every).await
                    && (chat_id >= 0 || shared.wait(&format!("group:{chat_id}"), shared.group_per_minute, MINUTE).await)
            }
            None => false,
        };
        if !shared {
            self.inner.per_chat.until_key_ready(&chat_id).await;
            if chat_id < 0 {
                self.group_slot(chat_id).await;
            }
        }
        self.overall(priority).await;
    }

    /// Waits until the group has had fewer than its limit of messages in the last minute, and counts
    /// this one.
    async fn group_slot(&self, chat_id: i64) {
        loop {
            let wait = {
                let now = Instant::now();
                let mut sent = self.inner.per_group.entry(chat_id).or_default();
                while sent.front().is_some_and(|at| now.duration_since(*at) >= MINUTE) {
                    sent.pop_front();
                }
                match sent.front() {
                    Some(oldest) if sent.len() >= self.inner.per_group_per_minute => *oldest + MINUTE - now,
                    _ => {
                        sent.push_back(now);
                        return;
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits for a slot of the overall budget only (edits of a message already in the chat).
    pub async fn overall(&self, priority: Priority) {
        let (granted, wait) = oneshot::channel();
        {
            let mut queues = self.inner.lock();
            match priority {
                Priority::Reply => queues.replies.push_back(granted),
                Priority::Notice => queues.notices.push_back(granted),
            }
        }
        self.inner.queued.notify_one();
        // The scheduler only stops when every `Pace` is gone, and this one is still here.
        let _ = wait.await;
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Hands out the overall permits, evenly spaced, replies first.
async fn schedule(inner: Arc<Inner>, stop: CancellationToken) {
    let mut forget_at = Instant::now() + FORGET_QUIET_CHATS_EVERY;
    loop {
        if inner.lock().is_empty() {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = inner.queued.notified() => {}
                _ = tokio::time::sleep_until(forget_at) => {}
            }
        }
        if Instant::now() >= forget_at {
            if let Some(shared) = &inner.shared {
                let store = shared.store.clone();
                tokio::spawn(async move {
                    if let Err(error) =
                        store.forget_idle_budgets(Duration::from_secs(3600), chrono::Utc::now(), 10_000).await
                    {
                        tracing::warn!(%error, "forgetting idle shared budgets failed; will try again later");
                    }
                });
            }
            inner.per_chat.retain_recent();
            let now = Instant::now();
            inner.per_group.retain(|_, sent| sent.back().is_some_and(|at| now.duration_since(*at) < MINUTE));
            forget_at = Instant::now() + FORGET_QUIET_CHATS_EVERY;
        }
        if inner.lock().is_empty() {
            continue;
        }
        let reserved = match &inner.shared {
            Some(shared) => tokio::select! {
                _ = stop.cancelled() => return,
                reserved = shared.wait("overall", 1, shared.overall_every) => reserved,
            },
            None => false,
        };
        if !reserved {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = inner.overall.until_ready() => {}
            }
        }
        // A waiter that gave up (its request was dropped) hands its slot to the next one.
        loop {
            let Some(next) = inner.lock().next() else { break };
            if next.send(()).is_ok() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_group_gets_its_limit_in_any_rolling_minute_and_no_more() {
        let pace = Pace::new(Limits { messages_per_min_chat: 3, ..default_limits() });
        let start = Instant::now();
        for _ in 0..3 {
            pace.group_slot(-42).await;
        }
        assert_eq!(Instant::now(), start, "a short burst goes at once");
        pace.group_slot(-7).await;
        assert_eq!(Instant::now(), start, "another group has its own minute");
        pace.group_slot(-42).await;
        assert!(Instant::now() >= start + MINUTE, "the fourth waits for the first to leave the minute");
    }

    #[tokio::test]
    async fn permits_are_evenly_spaced_and_replies_go_first() {
        let pace = Pace::new(Limits { messages_per_sec_overall: 20, ..default_limits() });
        let order = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let mut waiting = Vec::new();
        for chat in 0..10_i64 {
            let (pace, order) = (pace.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                pace.permit(1000 + chat, Priority::Notice).await;
                order.lock().expect("lock").push(("notice", Instant::now()));
            }));
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        let (reply_pace, reply_order) = (pace.clone(), order.clone());
        let reply = tokio::spawn(async move {
            reply_pace.permit(1, Priority::Reply).await;
            reply_order.lock().expect("lock").push(("reply", Instant::now()));
        });
        for task in waiting {
            task.await.expect("notice");
        }
        reply.await.expect("reply");
        let order = order.lock().expect("lock").clone();
        let position = order.iter().position(|(who, _)| *who == "reply").expect("the reply got a permit");
        assert!(position <= 3, "the reply came after {position} notices: {order:?}");
        // A limiter can only slow things down, so this bound holds on any machine.
        assert!(started.elapsed() >= Duration::from_millis(500), "11 permits at 20/s take over half a second");
    }
}
