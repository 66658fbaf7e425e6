//! The outbox drain: pending notices out through a [`Delivery`], and what the answers mean.
//!
//! Notices enter the outbox in the watcher's check transaction (`Store::commit_check`); this loop takes
//! them out. Pending notices of one chat go out as one message, in the chat's language (its `/lang`,
//! else the language recorded when it subscribed) and its `/tz` zone, with the chat's labels for its parcels as they are
//! when it is sent, rendered by the function `app/` hands in (the words are `chat/`'s). A notice is
//! marked sent only after the transport accepted it, so nothing is lost.
//!
//! Several messages are on their way at once — as many as the transport's [`Delivery::window`] says
//! its round trip needs to keep it busy — and each is marked sent as soon as it was accepted, in
//! whatever order the answers come. The transport paces itself. So nothing is ever lost, and what a
//! crash can repeat is bounded by what was in flight: at most one window, about a second of sending.
//! A round keeps taking in what becomes due while its messages are on their way, so that one slow send
//! (a Telegram timeout takes seconds) holds back only its own chat, not every chat behind it.
//!
//! Where replicas share the outbox, a round claims its notices for `OUTBOX_LEASE` and renews the claim
//! every third of it while it sends, and a message whose turn at the pace comes after the claim (less
//! a sixth, for its round trip) is not sent at all ([`StartBy`]): a notice waits for its turn behind
//! people's replies — during a wave of `/sub`s, for longer than any lease — and a replica that stalls
//! past its claim must not send what another replica has taken over meanwhile.
//!
//! The outcome decides what happens next: a gone chat loses its subscriptions; a chat that moved takes
//! its notices along and they go out again; "not allowed yet" is retried every 20 minutes and gives the
//! chat up after 3 failures spanning an hour; "retry after" waits as asked; other failures back off
//! from 30 s to an hour. Sent notices are kept a week, then purged hourly in batches. Each outcome is
//! counted (`kuaidi_notification_sends_total{result=…}`) through the `metrics` facade.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;

use super::delivery::{Delivered, Delivering, Delivery, StartBy};
use super::notice::Notice;
use super::subscriptions::Subscriptions;
use crate::clock::SharedClock;
use crate::kuaidi100::Lang;
use crate::message::Reply;
use crate::store::{ParcelKey, PendingNotice, Store, StoreError};
use crate::zone::Zone;

/// Pending notices taken per round.
const BATCH: u32 = 500;
/// Pending notices claimed per round where replicas share the outbox: a few seconds of sending at
/// Telegram's pace, so that a claim is short and a killed replica leaves little to take over.
const SHARED_BATCH: u32 = 100;
/// A round takes in what became due while its messages are on their way for this long (real time);
/// then it ends with them, so that the hourly purge gets its turn.
const REFILL_WITHIN: StdDuration = StdDuration::from_secs(60);
/// How often a round looks for what became due meanwhile: a slow send takes seconds.
const REFILL_EVERY: StdDuration = StdDuration::from_secs(1);
/// Sent notices are kept this long (to look into what a chat was told), then purged hourly, in
/// batches so that the store is never held for long.
const SENT_KEPT_DAYS: i64 = 7;
const PURGE_EVERY_MINUTES: i64 = 60;
const PURGE_BATCH: u32 = 10_000;
/// "Not allowed yet": tries, and the span they must cover, before giving up on a chat.
const NOT_ALLOWED_TRIES: u32 = 3;
const NOT_ALLOWED_SPAN_MINUTES: i64 = 60;
const NOT_ALLOWED_RETRY_MINUTES: i64 = 20;

/// Renders one chat's notices as one message in a language and the chat's time zone (the words live
/// in `chat/`).
pub type RenderNotices = Arc<dyn Fn(&[Notice], Lang, &Zone) -> Reply + Send + Sync>;

/// The drain; one per process and transport.
pub struct Outbox {
    store: Store,
    clock: SharedClock,
    subscriptions: Subscriptions,
    render: RenderNotices,
    delivery: Arc<dyn Delivery>,
    /// How long to wait (real time) when nothing is pending before looking again.
    idle_poll: StdDuration,
    /// `OUTBOX_LEASE`: how long a round's claimed notices are this process's alone (PostgreSQL).
    lease: Duration,
}

/// What a round has on its way: the notices, and the chats (and topics) they go to.
#[derive(Default)]
struct Sending {
    ids: HashSet<i64>,
    places: HashSet<(i64, Option<i32>)>,
}

impl Sending {
    fn started(&mut self, notices: &[PendingNotice]) {
        self.ids.extend(notices.iter().map(|notice| notice.id));
        self.places.extend(notices.iter().map(|notice| (notice.chat_id, notice.topic)));
    }

    fn settled(&mut self, notices: &[PendingNotice]) {
        for notice in notices {
            self.ids.remove(&notice.id);
            self.places.remove(&(notice.chat_id, notice.topic));
        }
    }
}

/// A message on its way: the notices it carries and its delivery.
struct Outgoing {
    notices: Vec<PendingNotice>,
    delivering: Delivering,
}

impl Outbox {
    pub fn new(
        store: Store,
        clock: SharedClock,
        subscriptions: Subscriptions,
        render: RenderNotices,
        delivery: Arc<dyn Delivery>,
        idle_poll: StdDuration,
    ) -> Self {
        Self { store, clock, subscriptions, render, delivery, idle_poll, lease: Duration::seconds(30) }
    }

    /// With claims of `lease` (where replicas share the outbox; see [`Store::claim_notices`]).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Runs until `shutdown`; the messages on their way are settled first, and nothing is lost.
    pub async fn run(&self, shutdown: CancellationToken) {
        let mut next_purge = self.clock.now();
        while !shutdown.is_cancelled() {
            if self.clock.now() >= next_purge {
                self.purge_history(&shutdown).await;
                next_purge = self.clock.now() + Duration::minutes(PURGE_EVERY_MINUTES);
            }
            let pause = match self.drain(&shutdown).await {
                Ok(0) => self.idle_poll,
                Ok(_) => StdDuration::ZERO,
                Err(error) => {
                    tracing::error!(%error, "outbox round failed");
                    self.idle_poll.max(StdDuration::from_secs(1))
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
        }
        tracing::info!("outbox stopped");
    }

    /// Deletes notices sent more than [`SENT_KEPT_DAYS`] ago. A failure is logged and retried at the
    /// next purge: the history only costs disk.
    async fn purge_history(&self, shutdown: &CancellationToken) {
        let before = self.clock.now() - Duration::days(SENT_KEPT_DAYS);
        let mut purged = 0;
        while !shutdown.is_cancelled() {
            match self.store.purge_sent_notices(before, PURGE_BATCH).await {
                Ok(count) => {
                    purged += count;
                    if count < u64::from(PURGE_BATCH) {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "purging sent notifications failed; will try again later");
                    break;
                }
            }
        }
        if purged > 0 {
            tracing::info!(purged, "purged sent notifications older than {SENT_KEPT_DAYS} days");
        }
    }

    /// Sends what is due now; returns how many notices were taken. On shutdown it starts nothing new
    /// and settles the messages already on their way (at most one window), so that stopping takes a
    /// moment and loses nothing.
    ///
    /// Where replicas share the outbox the round's notices are claimed for `OUTBOX_LEASE`, and the
    /// claim is renewed every third of it while the round lasts — a notice may wait long for its turn
    /// behind people's replies, longer than any lease — so another replica sends a notice only once
    /// this one died or stalled past its claim. No message starts in the last third of a claim, so
    /// that a stalled renewal stops this replica before another takes over. What was claimed but not
    /// started goes back at once, for any replica.
    pub async fn drain(&self, shutdown: &CancellationToken) -> Result<usize, StoreError> {
        let shared = self.store.is_shared();
        let (claimed_at, claimed_instant) = (self.clock.now(), Instant::now());
        let batch = if shared { SHARED_BATCH } else { BATCH };
        let pending = self.store.claim_notices(claimed_at, self.lease, batch).await?;
        let mut count = pending.len();
        let mut claim = Claim::new(claimed_at, claimed_instant, self.lease, shared);
        let mut groups: VecDeque<Vec<PendingNotice>> = by_chat(pending).into();
        let mut sending = Sending::default();
        let mut in_flight = FuturesUnordered::new();
        let mut renewal = claim.renewal();
        let mut refill = tokio::time::interval(self.idle_poll.max(REFILL_EVERY));
        refill.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        refill.reset();
        loop {
            let window = self.delivery.window().max(1);
            while !shutdown.is_cancelled() && in_flight.len() < window && (!shared || claim.may_start(self.clock.now()))
            {
                let Some(group) = groups.pop_front() else { break };
                if let Some(outgoing) = self.prepare(group, claim.start_by.clone()).await? {
                    sending.started(&outgoing.notices);
                    in_flight.push(async move { (outgoing.notices, outgoing.delivering.await) });
                }
            }
            let may_refill = groups.is_empty()
                && !in_flight.is_empty()
                && in_flight.len() < window
                && !shutdown.is_cancelled()
                && claimed_instant.elapsed() < REFILL_WITHIN
                && (!shared || claim.may_start(self.clock.now()));
            tokio::select! {
                settled = in_flight.next() => {
                    let Some((notices, outcome)) = settled else { break };
                    sending.settled(&notices);
                    self.settle(notices, outcome, claim.until).await?;
                }
                _ = renewal.tick(), if shared => self.renew(&mut claim, &mut groups, &sending.ids).await,
                _ = refill.tick(), if may_refill => match self.refill(&claim, &sending).await {
                    Ok(fresh) => {
                        count += fresh.iter().map(Vec::len).sum::<usize>();
                        groups.extend(fresh);
                    }
                    // What is on its way still settles; the next round takes in the rest.
                    Err(error) => tracing::warn!(%error, "looking for newly due notifications failed"),
                },
            }
        }
        let unsent: Vec<i64> = groups.into_iter().flatten().map(|notice| notice.id).collect();
        self.store.release_notices(&unsent, claim.until).await?;
        Ok(count)
    }

    /// What became due while the round's messages are on their way, so that one slow send (a
    /// Telegram timeout takes seconds) does not hold back every other chat's notices until the round
    /// ends. The notices are claimed under the round's own claim — the same end, so that its
    /// renewals and its release cover them. A chat with a message on its way waits for the next
    /// round, so that its messages keep their order; where replicas share the outbox, its notices go
    /// back at once.
    async fn refill(&self, claim: &Claim, sending: &Sending) -> Result<Vec<Vec<PendingNotice>>, StoreError> {
        let now = self.clock.now();
        let batch = if self.store.is_shared() { SHARED_BATCH } else { BATCH };
        let pending = self.store.claim_notices(now, claim.until - now, batch).await?;
        let (waiting, fresh): (Vec<PendingNotice>, Vec<PendingNotice>) = pending
            .into_iter()
            .filter(|notice| !sending.ids.contains(&notice.id))
            .partition(|notice| sending.places.contains(&(notice.chat_id, notice.topic)));
        let waiting: Vec<i64> = waiting.iter().map(|notice| notice.id).collect();
        self.store.release_notices(&waiting, claim.until).await?;
        Ok(by_chat(fresh))
    }

    /// Renews the round's claim on what it still holds. Notices whose claim ran out before it was
    /// renewed may be another replica's now: those not started are left out of the round. A failed
    /// renewal is logged and leaves the claim as it was, so that the round stops starting messages
    /// before the claim runs out; the messages on their way are never dropped.
    async fn renew(&self, claim: &mut Claim, groups: &mut VecDeque<Vec<PendingNotice>>, sending: &HashSet<i64>) {
        let held: Vec<i64> = sending.iter().copied().chain(groups.iter().flatten().map(|notice| notice.id)).collect();
        let (now, instant) = (self.clock.now(), Instant::now());
        let until = now + claim.lease;
        match self.store.renew_notices(&held, claim.until, until).await {
            Ok(kept) => {
                claim.renewed(instant, until);
                if kept.len() < held.len() {
                    let kept: HashSet<i64> = kept.into_iter().collect();
                    tracing::warn!(
                        lost = held.len() - kept.len(),
                        "outbox claims ran out before they were renewed (this process stalled); another replica may send them"
                    );
                    groups.retain(|group| group.iter().all(|notice| kept.contains(&notice.id)));
                }
            }
            Err(error) => {
                tracing::warn!(%error, "renewing the outbox claim failed; will stop starting messages before it runs out")
            }
        }
    }

    /// The message for one chat's notices, or `None` when there is nothing readable to send (those
    /// notices are marked sent: an unknown courier or a corrupt payload will never render).
    async fn prepare(&self, notices: Vec<PendingNotice>, start_by: StartBy) -> Result<Option<Outgoing>, StoreError> {
        let Some(first) = notices.first() else { return Ok(None) };
        let chat_id = first.chat_id;
        let mut parsed: Vec<Notice> =
            notices.iter().filter_map(|notice| serde_json::from_str(&notice.payload).ok()).collect();
        self.label(chat_id, &mut parsed).await;
        let reply = (self.render)(&parsed, notice_lang(first), &Zone::from_stored(first.chat_zone.as_deref()));
        if reply.html.is_empty() {
            let ids: Vec<i64> = notices.iter().map(|notice| notice.id).collect();
            self.store.mark_sent(&ids, self.clock.now()).await?;
            return Ok(None);
        }
        let delivering = self.delivery.deliver(chat_id, first.topic, reply, start_by);
        Ok(Some(Outgoing { notices, delivering }))
    }

    /// Gives each notice the chat's label for its parcel. Without the labels (a store failure) the
    /// notices still go out: a name is not worth a delay.
    async fn label(&self, chat_id: i64, notices: &mut [Notice]) {
        match self.store.chat_labels(chat_id).await {
            Ok(labels) if labels.is_empty() => {}
            Ok(labels) => {
                for notice in notices {
                    notice.label = labels.get(&ParcelKey::new(&notice.courier, &notice.number)).cloned();
                }
            }
            Err(error) => tracing::warn!(chat = chat_id, %error, "cannot read a chat's labels; notifying without them"),
        }
    }

    /// Records what the transport answered (`held_until`: the round's claim, see [`Store::renew_notices`]).
    async fn settle(
        &self,
        notices: Vec<PendingNotice>,
        outcome: Delivered,
        held_until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(first) = notices.first() else { return Ok(()) };
        let chat_id = first.chat_id;
        let ids: Vec<i64> = notices.iter().map(|notice| notice.id).collect();
        let now = self.clock.now();
        metrics::counter!(SENDS_METRIC, "result" => outcome_label(&outcome)).increment(1);
        match outcome {
            Delivered::Delivered => self.store.mark_sent(&ids, now).await,
            Delivered::ChatGone => {
                self.subscriptions.chat_gone(chat_id).await;
                Ok(())
            }
            Delivered::MigratedTo(to) => {
                // The notices move with the chat and go out again in the next round.
                self.subscriptions.chat_migrated(chat_id, to).await;
                self.store.release_notices(&ids, held_until).await
            }
            Delivered::RetryAfter(wait) => {
                let wait = Duration::from_std(wait).unwrap_or(Duration::seconds(5));
                self.store.mark_failed(&ids, now + wait, now).await
            }
            Delivered::NotAllowedYet => {
                let tries = first.attempts + 1;
                let since = first.first_failure_at.unwrap_or(now);
                if tries >= NOT_ALLOWED_TRIES && now - since >= Duration::minutes(NOT_ALLOWED_SPAN_MINUTES) {
                    tracing::info!(chat = chat_id, tries, "still not allowed to send: giving up on the chat");
                    self.subscriptions.chat_gone(chat_id).await;
                    Ok(())
                } else {
                    self.store.mark_failed(&ids, now + Duration::minutes(NOT_ALLOWED_RETRY_MINUTES), now).await
                }
            }
            Delivered::NotStarted => {
                // The claim ran out while the message waited: whoever holds the notices now sends them.
                tracing::debug!(chat = chat_id, "a notification's turn came after its claim ran out; not sent");
                Ok(())
            }
            Delivered::Failed(error) => {
                tracing::warn!(chat = chat_id, %error, "sending a notification failed; will retry");
                let backoff = Duration::seconds(30) * 2_i32.saturating_pow(first.attempts.min(7));
                self.store.mark_failed(&ids, now + backoff.min(Duration::hours(1)), now).await
            }
        }
    }
}

/// Notification sends by result (see the README's metric list); a no-op unless `app/` installed a
/// metrics recorder (the HTTP server's `/metrics`).
pub const SENDS_METRIC: &str = "kuaidi_notification_sends_total";

/// The `result` label of [`SENDS_METRIC`]; `retry_after` is the transport's "too many requests" (429).
fn outcome_label(outcome: &Delivered) -> &'static str {
    match outcome {
        Delivered::Delivered => "delivered",
        Delivered::ChatGone => "chat_gone",
        Delivered::MigratedTo(_) => "migrated",
        Delivered::RetryAfter(_) => "retry_after",
        Delivered::NotAllowedYet => "not_allowed_yet",
        Delivered::Failed(_) => "failed",
        Delivered::NotStarted => "not_started",
    }
}

/// The chat's `/lang`, else the language recorded with its subscription.
fn notice_lang(notice: &PendingNotice) -> Lang {
    notice.chat_lang.as_deref().and_then(Lang::parse).unwrap_or_else(|| Lang::parse(&notice.lang).unwrap_or(Lang::En))
}

/// A round's claim on its notices (where replicas share the outbox): when it runs out, which is also
/// its token in the store; how long each renewal extends it; and until when its messages may start.
struct Claim {
    until: DateTime<Utc>,
    lease: Duration,
    start_by: StartBy,
}

impl Claim {
    /// `claimed_at` on the process's clock, and `claimed_instant` the same moment for timers.
    fn new(claimed_at: DateTime<Utc>, claimed_instant: Instant, lease: Duration, shared: bool) -> Self {
        let start_by = if shared { StartBy::at(Self::start_by(claimed_instant, lease)) } else { StartBy::always() };
        Claim { until: claimed_at + lease, lease, start_by }
    }

    /// A message goes out only while a sixth of the claim is left, room for its round trip to end
    /// before anyone could take the notices over.
    fn start_by(claimed: Instant, lease: Duration) -> Instant {
        claimed + (lease - lease / 6).to_std().unwrap_or_default()
    }

    /// Renewed at `instant`, now held `until`.
    fn renewed(&mut self, instant: Instant, until: DateTime<Utc>) {
        self.until = until;
        self.start_by.extend(Self::start_by(instant, self.lease));
    }

    /// Messages start only while more than a third of the claim is left.
    fn may_start(&self, now: DateTime<Utc>) -> bool {
        now < self.until - self.lease / 3
    }

    /// Renewals every third of the lease, the first a third of a lease from now.
    fn renewal(&self) -> tokio::time::Interval {
        let every = (self.lease / 3).to_std().unwrap_or(StdDuration::from_secs(1)).max(StdDuration::from_millis(100));
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    }
}

/// Pending notices grouped per chat and forum topic (one message each), in the order of their first
/// notice.
fn by_chat(pending: Vec<PendingNotice>) -> Vec<Vec<PendingNotice>> {
    let mut order = Vec::new();
    let mut groups: HashMap<(i64, Option<i32>), Vec<PendingNotice>> = HashMap::new();
    for notice in pending {
        let place = (notice.chat_id, notice.topic);
        if !groups.contains_key(&place) {
            order.push(place);
        }
        groups.entry(place).or_default().push(notice);
    }
    order.into_iter().filter_map(|place| groups.remove(&place)).collect()
}
