//! The subscription book and the push scheduler: what Kuaidi100 does after `POST /poll` said 提交成功.
//!
//! **Shape.** The book is a map from the subscribed parcel (courier code, number) to its subscription:
//! the accepted request (`subscribe.rs`), when it was made, the timeline's anchor, the next check, how
//! many lines the last *acknowledged* push carried, and at most one pending push. Nothing runs on its
//! own inside the book: [`Book::deliver_due`] does all the work due at the clock's now, so a test that
//! drives a [`ManualClock`](crate::clock::ManualClock) calls it (`Sandbox::deliver_due_pushes`) and a
//! demo lets `Sandbox::run_pushes` call it every ~200 ms of real time. Either way time is the
//! simulator's clock, never the wall clock.
//!
//! **Timeline.** The pushed trajectory is the same [`Parcel::generate`] the real-time query answers,
//! anchored at the parcel's ledger anchor (its first answered query; a subscription sets it to the
//! subscribe time when absent), so a push and a query at the same moment agree line for line.
//!
//! **Checks.** The first check comes 15 min–4 h after subscribing, then one about every 4 h (±10 %),
//! both drawn deterministically from an MD5 of the parcel (never random, so runs repeat). A check pushes
//! only when the revealed lines differ from the last acknowledged push (so the first check pushes, as
//! every parcel but a `NOREC…` one has its pick-up line). `status` is `shutdown` once every event of the
//! parcel is revealed (its life is over), `abort` ("3天查询无记录") at the first check three days after
//! subscribing with still no line (`NOREC…` numbers, `codes.rs`), else `polling`. After a `shutdown` or
//! `abort` push no more checks run, and the subscription ends when that push is acknowledged or dropped;
//! the parcel may then be subscribed again. When the clock jumps many hours, the due checks collapse
//! into one at the clock's now: one push of the current trajectory, which is what Kuaidi100 effectively
//! does, instead of a replay of every 4 h step.
//!
//! **Delivery.** A push is `POST callbackurl` with form `param` (the document below) and `sign` =
//! `UPPER(MD5(param + salt))`, left out when the salt is empty. It is acknowledged by HTTP 200 with a
//! JSON body holding `"result": true` or `"returnCode": "200"`; anything else (refused connection, the
//! 20 s timeout, another status or body, a redirect) is retried 30 min later, at most 3 times, then the
//! push is dropped (the next check sends the full trajectory again anyway). A check that finds a change
//! while a push is pending replaces it with the newer document. POSTs happen outside the book's lock,
//! under one async delivery lock held for the whole of [`Book::deliver_due`], so two callers never send
//! one push twice and a caller returns only after its deliveries are settled.
//!
//! **The document** (field order as Kuaidi100's): `{"status", "billstatus": "got", "message",
//! "autoCheck", "comOld", "comNew", "lastResult"}`, `lastResult` being the query answer as `render.rs`
//! writes it for the subscription's `resultv2` (the bot asks for 4), in Chinese, newest first. A
//! `COMNEW…` number (`subscribe.rs`) carries `autoCheck: "1"`, `comOld` = the subscribed courier,
//! `comNew` = `zhongtong`, and the `zhongtong` parcel; every other push `"0"`, `""`, `""`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use md5::{Digest, Md5};
use serde::Serialize;
use serde_json::Value;

use super::codes::{self, NO_RESULT};
use super::parcel::Parcel;
use super::render::render;
use super::stats::{Ledger, PushOutcome, parcel_key};
use super::subscribe::{Accepted, DUPLICATE};
use crate::clock::SharedClock;
use crate::kuaidi100::push::{Salt, sign_push};
use crate::kuaidi100::response::QueryResult;

/// The earliest and latest first check after subscribing.
pub const FIRST_CHECK_MIN: Duration = Duration::minutes(15);
pub const FIRST_CHECK_MAX: Duration = Duration::hours(4);
/// The time between checks, before its ±10 % jitter.
pub const CHECK_INTERVAL: Duration = Duration::hours(4);
/// The time between an unacknowledged push and its retry.
pub const RETRY_INTERVAL: Duration = Duration::minutes(30);
/// Retries of one push before it is dropped.
pub const MAX_RETRIES: u32 = 3;
/// With no line this long after subscribing, a check gives up (`abort`).
pub const ABORT_AFTER: Duration = Duration::days(3);
pub const ABORT_MESSAGE: &str = "3天查询无记录";
/// How many pushes are POSTed at once.
const PARALLEL_POSTS: usize = 32;

/// A push's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Polling,
    /// The parcel's life is over: the last push of the subscription.
    Shutdown,
    /// No line for three days: the last push of the subscription.
    Abort,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Polling => "polling",
            Status::Shutdown => "shutdown",
            Status::Abort => "abort",
        }
    }

    pub fn is_final(self) -> bool {
        self != Status::Polling
    }
}

/// A number from an MD5 of the parts, for deterministic draws.
fn draw(parts: &[&str]) -> u64 {
    let digest = Md5::digest(parts.join("\n").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

fn normalized(com: &str, num: &str) -> (String, String) {
    parcel_key(com, num)
}

/// The delay of a parcel's first check: 15 min–4 h, the same for every subscription of that parcel.
pub fn first_check_delay(com: &str, num: &str) -> Duration {
    let (com, num) = normalized(com, num);
    let span = (FIRST_CHECK_MAX - FIRST_CHECK_MIN).num_seconds() as u64 + 1;
    FIRST_CHECK_MIN + Duration::seconds((draw(&["first", &com, &num]) % span) as i64)
}

/// The time from check number `check` (1 = the first) to the next: 4 h ± 10 %.
pub fn check_interval(com: &str, num: &str, check: u32) -> Duration {
    let (com, num) = normalized(com, num);
    let base = CHECK_INTERVAL.num_seconds();
    let spread = (base / 5) as u64 + 1;
    let jitter = (draw(&["interval", &com, &num, &check.to_string()]) % spread) as i64 - base / 10;
    Duration::seconds(base + jitter)
}

/// What a check pushes, if anything: `lines` of `total` are revealed, the last acknowledged push had
/// `acknowledged` lines, and the subscription is `age` old.
pub fn verdict(lines: usize, total: usize, acknowledged: Option<usize>, age: Duration) -> Option<Status> {
    if lines == 0 {
        return (age >= ABORT_AFTER).then_some(Status::Abort);
    }
    if acknowledged == Some(lines) {
        return None;
    }
    Some(if lines >= total { Status::Shutdown } else { Status::Polling })
}

/// When a push that just failed (after `retries` retries) is tried again at the earliest, or `None`
/// when it is dropped.
pub fn retry_at(retries: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (retries < MAX_RETRIES).then(|| now + RETRY_INTERVAL)
}

/// Whether a receiver's answer acknowledges a push: HTTP 200 and a JSON object with `"result": true`
/// or `"returnCode": "200"` (a string or a number).
pub fn is_acknowledged(status: u16, body: &str) -> bool {
    let Ok(Value::Object(answer)) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let code_200 = match answer.get("returnCode") {
        Some(Value::String(code)) => code.trim() == "200",
        Some(Value::Number(code)) => code.as_u64() == Some(200),
        _ => false,
    };
    status == 200 && (answer.get("result") == Some(&Value::Bool(true)) || code_200)
}

/// The push document, in Kuaidi100's field order.
#[derive(Serialize)]
struct Document<'a> {
    status: &'a str,
    billstatus: &'a str,
    message: &'a str,
    #[serde(rename = "autoCheck")]
    auto_check: &'a str,
    #[serde(rename = "comOld")]
    com_old: &'a str,
    #[serde(rename = "comNew")]
    com_new: &'a str,
    #[serde(rename = "lastResult")]
    last_result: &'a QueryResult,
}

/// The `lastResult` of a parcel with no line yet, as a real-time query would answer it.
fn no_record(com: &str, num: &str) -> QueryResult {
    QueryResult {
        message: codes::message(NO_RESULT).to_owned(),
        state: "0".to_owned(),
        status: NO_RESULT.to_owned(),
        condition: None,
        ischeck: "0".to_owned(),
        com: com.to_owned(),
        nu: num.to_owned(),
        data: Vec::new(),
        route_info: None,
        is_loop: None,
        ..QueryResult::default()
    }
}

/// A push waiting to be (re)delivered.
#[derive(Debug, Clone)]
struct Pending {
    id: u64,
    status: Status,
    param: String,
    sign: Option<String>,
    lines: usize,
    due: DateTime<Utc>,
    retries: u32,
}

#[derive(Debug)]
struct Subscription {
    accepted: Accepted,
    subscribed_at: DateTime<Utc>,
    anchor: DateTime<Utc>,
    /// `None` once the final push is made.
    next_check: Option<DateTime<Utc>>,
    checks: u32,
    acknowledged_lines: Option<usize>,
    pending: Option<Pending>,
}

impl Subscription {
    /// Lines revealed at `now`, of how many in all, and the `lastResult` they make.
    fn trajectory(&self, now: DateTime<Utc>) -> (usize, usize, QueryResult) {
        let Accepted { tracked_com, num, options, .. } = &self.accepted;
        if codes::never_recorded(num) {
            return (0, 1, no_record(tracked_com, num));
        }
        let parcel = Parcel::generate(tracked_com, num, self.anchor);
        let lines = parcel.revealed(now).len();
        (lines, parcel.events.len(), render(tracked_com, num, &parcel, now, *options))
    }

    /// One check at `now`: maybe a new pending push, and the next check.
    fn check(&mut self, now: DateTime<Utc>, id: u64) {
        self.checks += 1;
        let (lines, total, last_result) = self.trajectory(now);
        let status = verdict(lines, total, self.acknowledged_lines, now - self.subscribed_at);
        self.next_check = match status {
            Some(status) if status.is_final() => None,
            _ => Some(now + check_interval(&self.accepted.com, &self.accepted.num, self.checks)),
        };
        let Some(status) = status else {
            return;
        };
        let accepted = &self.accepted;
        let corrected = accepted.corrected();
        let document = Document {
            status: status.as_str(),
            billstatus: "got",
            message: if status == Status::Abort { ABORT_MESSAGE } else { "" },
            auto_check: if corrected { "1" } else { "0" },
            com_old: if corrected { &accepted.com } else { "" },
            com_new: if corrected { &accepted.tracked_com } else { "" },
            last_result: &last_result,
        };
        let param = serde_json::to_string(&document).unwrap_or_default();
        let sign = (!accepted.salt.is_empty()).then(|| sign_push(&param, &Salt::new(accepted.salt.as_str())));
        self.pending = Some(Pending { id, status, param, sign, lines, due: now, retries: 0 });
    }
}

/// One subscription as tests see it ([`Book::view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// As subscribed (the detected courier with `autoCom`).
    pub com: String,
    pub num: String,
    /// The courier the pushes are about: `zhongtong` for a corrected `COMNEW…` number, else `com`.
    pub tracked_com: String,
    pub callback_url: String,
    pub subscribed_at: DateTime<Utc>,
    /// The next check; `None` once the final push (`shutdown`/`abort`) is made.
    pub next_check: Option<DateTime<Utc>>,
    /// Lines of the last acknowledged push.
    pub acknowledged_lines: Option<usize>,
    pub pending: Option<PendingPush>,
}

/// A push waiting for its (next) delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPush {
    pub status: &'static str,
    pub lines: usize,
    /// When it is (re)sent.
    pub due: DateTime<Utc>,
    /// Retries so far (0 before the first attempt).
    pub retries: u32,
}

/// A push being POSTed.
struct Outgoing {
    key: (String, String),
    id: u64,
    url: String,
    param: String,
    sign: Option<String>,
    retry: bool,
}

/// Every subscription, and the lock that serializes deliveries.
pub struct Book {
    subscriptions: Mutex<HashMap<(String, String), Subscription>>,
    deliveries: tokio::sync::Mutex<()>,
    next_id: AtomicU64,
    client: reqwest::Client,
}

impl Book {
    /// A book whose pushes give up on a receiver after `timeout`.
    pub fn new(timeout: std::time::Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "sandbox: push client without its timeout");
                reqwest::Client::new()
            });
        Self {
            subscriptions: Mutex::new(HashMap::new()),
            deliveries: tokio::sync::Mutex::new(()),
            next_id: AtomicU64::new(1),
            client,
        }
    }

    /// Adds a subscription at `now`, or answers `501` while the parcel is still subscribed. The
    /// tracked parcel's anchor is set in `ledger` if it had none.
    pub fn subscribe(&self, accepted: Accepted, now: DateTime<Utc>, ledger: &Ledger) -> Result<(), &'static str> {
        let key = parcel_key(&accepted.com, &accepted.num);
        let mut subscriptions = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        if subscriptions.contains_key(&key) {
            return Err(DUPLICATE);
        }
        let anchor = ledger.anchor_or_set(&accepted.tracked_com, &accepted.num, now);
        let next_check = Some(now + first_check_delay(&accepted.com, &accepted.num));
        let subscription = Subscription {
            accepted,
            subscribed_at: now,
            anchor,
            next_check,
            checks: 0,
            acknowledged_lines: None,
            pending: None,
        };
        subscriptions.insert(key, subscription);
        Ok(())
    }

    /// Every subscription, sorted by parcel.
    pub fn view(&self) -> Vec<PushSubscription> {
        let subscriptions = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        let mut view: Vec<PushSubscription> = subscriptions
            .values()
            .map(|s| PushSubscription {
                com: s.accepted.com.clone(),
                num: s.accepted.num.clone(),
                tracked_com: s.accepted.tracked_com.clone(),
                callback_url: s.accepted.callback_url.clone(),
                subscribed_at: s.subscribed_at,
                next_check: s.next_check,
                acknowledged_lines: s.acknowledged_lines,
                pending: s.pending.as_ref().map(|p| PendingPush {
                    status: p.status.as_str(),
                    lines: p.lines,
                    due: p.due,
                    retries: p.retries,
                }),
            })
            .collect();
        view.sort_by(|a, b| (&a.com, &a.num).cmp(&(&b.com, &b.num)));
        view
    }

    /// Runs the checks due at the clock's now and POSTs every push due then (retries included);
    /// returns how many POSTs it made. Holds the delivery lock throughout (module doc).
    pub async fn deliver_due(&self, clock: &SharedClock, ledger: &Ledger) -> usize {
        let _delivering = self.deliveries.lock().await;
        let now = clock.now();
        let outgoing = self.due(now);
        if outgoing.is_empty() {
            return 0;
        }
        let results: Vec<(Outgoing, bool)> = futures::stream::iter(outgoing)
            .map(|push| async move {
                let acknowledged = self.post(&push).await;
                (push, acknowledged)
            })
            .buffer_unordered(PARALLEL_POSTS)
            .collect()
            .await;
        let sent = results.len();
        self.settle(results, now, ledger);
        sent
    }

    /// Checks due subscriptions and takes the pushes due at `now`.
    fn due(&self, now: DateTime<Utc>) -> Vec<Outgoing> {
        let mut subscriptions = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        let mut outgoing = Vec::new();
        for (key, subscription) in subscriptions.iter_mut() {
            if subscription.next_check.is_some_and(|at| at <= now) {
                subscription.check(now, self.next_id.fetch_add(1, Ordering::Relaxed));
            }
            if let Some(pending) = subscription.pending.as_ref().filter(|p| p.due <= now) {
                outgoing.push(Outgoing {
                    key: key.clone(),
                    id: pending.id,
                    url: subscription.accepted.callback_url.clone(),
                    param: pending.param.clone(),
                    sign: pending.sign.clone(),
                    retry: pending.retries > 0,
                });
            }
        }
        outgoing
    }

    async fn post(&self, push: &Outgoing) -> bool {
        let mut form = vec![("param", push.param.as_str())];
        if let Some(sign) = &push.sign {
            form.push(("sign", sign));
        }
        match self.client.post(&push.url).form(&form).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                let acknowledged = is_acknowledged(status, &body);
                if !acknowledged {
                    tracing::debug!(status, "sandbox: push not acknowledged");
                }
                acknowledged
            }
            Err(error) => {
                tracing::debug!(%error, "sandbox: push not delivered");
                false
            }
        }
    }

    /// Books the results of the POSTs made at `now`.
    fn settle(&self, results: Vec<(Outgoing, bool)>, now: DateTime<Utc>, ledger: &Ledger) {
        let mut subscriptions = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        for (push, acknowledged) in results {
            let Some(subscription) = subscriptions.get_mut(&push.key) else {
                continue;
            };
            let Some(pending) = subscription.pending.as_mut().filter(|p| p.id == push.id) else {
                continue;
            };
            let (status, lines) = (pending.status, pending.lines);
            let settled = if acknowledged {
                ledger.record_push(push.retry, PushOutcome::Acknowledged);
                subscription.acknowledged_lines = Some(lines);
                true
            } else if let Some(at) = retry_at(pending.retries, now) {
                ledger.record_push(push.retry, PushOutcome::Refused);
                pending.retries += 1;
                pending.due = at;
                false
            } else {
                ledger.record_push(push.retry, PushOutcome::Dropped);
                tracing::debug!(status = status.as_str(), "sandbox: push dropped after its last retry");
                true
            };
            if settled {
                subscription.pending = None;
                if status.is_final() {
                    subscriptions.remove(&push.key);
                }
            }
        }
    }
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subscriptions = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Book").field("subscriptions", &subscriptions).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    #[test]
    fn first_checks_fall_between_15_minutes_and_4_hours_and_are_deterministic() {
        let delays: Vec<Duration> =
            (0..500).map(|i| first_check_delay("yuantong", &format!("YT{:013}", i * 7_919))).collect();
        assert!(delays.iter().all(|d| (FIRST_CHECK_MIN..=FIRST_CHECK_MAX).contains(d)), "{delays:?}");
        assert!(delays.iter().any(|d| *d < Duration::hours(1)) && delays.iter().any(|d| *d > Duration::hours(3)));
        assert_eq!(first_check_delay("yuantong", "YT1"), first_check_delay(" YuanTong", "yt1"));
    }

    #[test]
    fn later_checks_are_four_hours_give_or_take_ten_percent() {
        let intervals: Vec<Duration> = (1..200).map(|check| check_interval("zhongtong", "7300", check)).collect();
        let (low, high) = (Duration::minutes(216), Duration::minutes(264));
        assert!(intervals.iter().all(|d| (low..=high).contains(d)), "{intervals:?}");
        assert!(intervals.windows(2).any(|w| w[0] != w[1]), "jittered");
        assert_eq!(check_interval("zhongtong", "7300", 3), check_interval("zhongtong", "7300", 3));
    }

    #[test]
    fn a_check_pushes_on_change_and_ends_with_shutdown_or_abort() {
        let hour = Duration::hours(1);
        assert_eq!(verdict(1, 8, None, hour), Some(Status::Polling), "the first line");
        assert_eq!(verdict(3, 8, Some(3), hour), None, "no change since the acknowledged push");
        assert_eq!(verdict(4, 8, Some(3), hour), Some(Status::Polling));
        assert_eq!(verdict(8, 8, Some(3), hour), Some(Status::Shutdown));
        assert_eq!(verdict(8, 8, None, hour), Some(Status::Shutdown), "delivered before the first check");
        assert_eq!(verdict(0, 1, None, Duration::hours(71)), None, "no line yet, not three days");
        assert_eq!(verdict(0, 1, None, ABORT_AFTER), Some(Status::Abort));
        assert!(Status::Shutdown.is_final() && Status::Abort.is_final() && !Status::Polling.is_final());
    }

    #[test]
    fn retries_are_thirty_minutes_apart_and_at_most_three() {
        assert_eq!(retry_at(0, start()), Some(start() + Duration::minutes(30)));
        assert_eq!(retry_at(2, start()), Some(start() + Duration::minutes(30)));
        assert_eq!(retry_at(3, start()), None, "the third retry failed: dropped");
    }

    #[test]
    fn acknowledgements_need_http_200_and_a_true_result_or_code_200() {
        assert!(is_acknowledged(200, crate::kuaidi100::push::PUSH_ACK));
        assert!(is_acknowledged(200, r#"{"result":true}"#));
        assert!(is_acknowledged(200, r#"{"returnCode":200}"#));
        assert!(is_acknowledged(200, r#"{"result":false,"returnCode":"200"}"#));
        assert!(!is_acknowledged(500, crate::kuaidi100::push::PUSH_ACK));
        assert!(!is_acknowledged(200, r#"{"result":false,"returnCode":"500"}"#));
        assert!(!is_acknowledged(200, r#"{"result":"true"}"#));
        assert!(!is_acknowledged(200, "OK"));
        assert!(!is_acknowledged(200, ""));
    }

    fn accepted(num: &str, salt: &str) -> Accepted {
        let request = super::super::subscribe::Request {
            company: "yuantong".into(),
            number: num.into(),
            key: "k".into(),
            callback_url: "http://127.0.0.1:9/push".into(),
            salt: salt.into(),
            resultv2: "4".into(),
            ..Default::default()
        };
        super::super::subscribe::judge(Some(&request), "k").unwrap_or_else(|code| panic!("{code}"))
    }

    #[test]
    fn the_book_refuses_duplicates_and_schedules_the_first_check() {
        let (book, ledger) = (Book::new(std::time::Duration::from_secs(1)), Ledger::default());
        assert_eq!(book.subscribe(accepted("YT9693083639790", "s"), start(), &ledger), Ok(()));
        assert_eq!(book.subscribe(accepted("yt9693083639790", "s"), start(), &ledger), Err("501"));
        assert_eq!(ledger.anchor("yuantong", "YT9693083639790"), Some(start()));
        let view = book.view();
        assert_eq!(view.len(), 1);
        assert_eq!(view[0].next_check, Some(start() + first_check_delay("yuantong", "YT9693083639790")));
        assert_eq!(view[0].pending, None);
    }

    #[test]
    fn a_check_writes_kuaidi100s_document_and_collapses_a_jump() {
        let mut subscription = Subscription {
            accepted: accepted("YT9693083639790", ""),
            subscribed_at: start(),
            anchor: start(),
            next_check: Some(start()),
            checks: 0,
            acknowledged_lines: None,
            pending: None,
        };
        let later = start() + Duration::days(2);
        subscription.check(later, 7);
        let pending = subscription.pending.clone().unwrap_or_else(|| panic!("a push"));
        assert_eq!(pending.sign, None, "no salt, no sign");
        assert_eq!((pending.id, pending.due, pending.retries), (7, later, 0));
        let head = r#"{"status":"polling","billstatus":"got","message":"","autoCheck":"0","comOld":"","comNew":"","lastResult":{"#;
        assert!(pending.param.starts_with(head), "{}", pending.param);
        let document: Value = serde_json::from_str(&pending.param).unwrap_or(Value::Null);
        assert_eq!(document["autoCheck"], "0");
        assert_eq!(document["lastResult"]["data"].as_array().map(Vec::len), Some(pending.lines));
        let parcel = Parcel::generate("yuantong", "YT9693083639790", start());
        assert_eq!(pending.lines, parcel.revealed(later).len(), "one push of the trajectory at the jump's end");
        assert_eq!(subscription.next_check, Some(later + check_interval("yuantong", "YT9693083639790", 1)));
    }
}
