//! The query log: what the simulator was asked, and how often the lock rule was broken.
//!
//! Kuaidi100 locks a number that is queried less than 30 minutes after the previous query, or more than
//! 48 times in 24 hours (API doc §4), and bills every query. The bot exists to respect that, so the
//! simulator counts, in simulated time, every authenticated query per parcel and every query that would
//! have broken the rule; tests and the upstream-economy benchmark read the result ([`Stats`], also served
//! as `GET /sandbox/stats`).
//!
//! Memory per parcel stays small: the counters, the time of the previous query, the first-answer time
//! (the timeline's anchor) and the times of the queries of the last 24 simulated hours, which is all the
//! rolling rule needs.
//!
//! Push subscriptions (`push.rs`) keep their books here too: a subscribe call is billed like a query
//! (counted per parcel, never judged by the lock rule), and every push POST is counted with what became
//! of it. The push fields are new and `#[serde(default)]`, so a document of an older simulator still
//! reads; the query fields kept their meaning.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};

/// Everything the simulator counted since it started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Authenticated real-time queries (`/poll/query.do` with a valid signature), whatever they answered.
    pub total_queries: u64,
    /// Queries that broke the lock rule (each counted once, even if it broke both halves).
    pub lock_violations: u64,
    /// Authenticated queries by the `returnCode` they got ("200" for a trajectory).
    pub by_return_code: BTreeMap<String, u64>,
    /// One entry per parcel (courier code + number), sorted.
    pub parcels: Vec<ParcelStats>,
    /// `/autonumber/auto` calls with a valid key.
    pub autonumber_queries: u64,
    /// `POST /poll` (push subscription) calls, whatever they answered.
    #[serde(default)]
    pub subscribe_calls: u64,
    /// Subscribe calls answered `200` (提交成功).
    #[serde(default)]
    pub subscribes_accepted: u64,
    /// Subscribe calls by the `returnCode` they got.
    #[serde(default)]
    pub subscribe_by_return_code: BTreeMap<String, u64>,
    /// Push POSTs made to callback URLs: first attempts and retries.
    #[serde(default)]
    pub pushes_sent: u64,
    /// Push POSTs the receiver acknowledged (HTTP 200, `"result":true` or `"returnCode":"200"`).
    #[serde(default)]
    pub pushes_acknowledged: u64,
    /// Push POSTs that were retries of an unacknowledged push (at most 3 per push).
    #[serde(default)]
    pub push_retries: u64,
    /// Pushes given up after their last retry failed.
    #[serde(default)]
    pub pushes_dropped: u64,
}

impl Stats {
    /// The entry of one parcel (courier code any case, number any case).
    pub fn parcel(&self, com: &str, num: &str) -> Option<&ParcelStats> {
        let key = parcel_key(com, num);
        self.parcels.iter().find(|p| parcel_key(&p.com, &p.num) == key)
    }
}

/// The queries of one parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelStats {
    pub com: String,
    pub num: String,
    pub queries: u64,
    pub violations: u64,
    /// The most queries seen in any rolling 24 h window.
    pub max_in_24h: u64,
    /// Subscribe calls naming this parcel with the right key (billed like queries), whatever they
    /// answered. A parcel only subscribed to has an entry with `queries: 0` (so has the `zhongtong`
    /// parcel a `COMNEW…` subscription is corrected to: it holds the pushed timeline's anchor).
    #[serde(default)]
    pub subscribes: u64,
}

/// The lock rule the log judges queries by.
#[derive(Debug, Clone, Copy)]
pub struct LockRule {
    pub interval: Duration,
    pub max_per_day: u32,
}

/// What the log says about a query that was just recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// This query broke the lock rule.
    pub violation: bool,
    /// When the parcel's timeline is anchored (its first answered query), if it is.
    pub anchor: Option<DateTime<Utc>>,
}

/// What became of one push POST, for the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Acknowledged,
    /// Not acknowledged; it will be retried.
    Refused,
    /// Not acknowledged, and it was the last retry: the push is dropped.
    Dropped,
}

/// A parcel's identity: Kuaidi100 codes are lower case, tracking numbers are compared ignoring case.
pub fn parcel_key(com: &str, num: &str) -> (String, String) {
    (com.trim().to_ascii_lowercase(), num.trim().to_ascii_uppercase())
}

#[derive(Debug)]
struct ParcelRecord {
    /// As first received.
    com: String,
    num: String,
    anchor: Option<DateTime<Utc>>,
    previous: Option<DateTime<Utc>>,
    /// Times of the queries of the last 24 hours, oldest first.
    recent: VecDeque<DateTime<Utc>>,
    queries: u64,
    violations: u64,
    max_in_24h: u64,
    subscribes: u64,
}

impl ParcelRecord {
    fn new(com: &str, num: &str) -> Self {
        ParcelRecord {
            com: com.trim().to_owned(),
            num: num.trim().to_owned(),
            anchor: None,
            previous: None,
            recent: VecDeque::new(),
            queries: 0,
            violations: 0,
            max_in_24h: 0,
            subscribes: 0,
        }
    }
}

/// The push and subscribe counters.
#[derive(Debug, Default)]
struct PushBooks {
    subscribe_calls: u64,
    subscribes_accepted: u64,
    subscribe_by_return_code: BTreeMap<String, u64>,
    pushes_sent: u64,
    pushes_acknowledged: u64,
    push_retries: u64,
    pushes_dropped: u64,
}

/// The log itself; shared by every request.
#[derive(Debug, Default)]
pub struct Ledger {
    parcels: DashMap<(String, String), ParcelRecord>,
    total_queries: AtomicU64,
    lock_violations: AtomicU64,
    autonumber_queries: AtomicU64,
    by_return_code: Mutex<BTreeMap<String, u64>>,
    push: Mutex<PushBooks>,
}

impl Ledger {
    /// Records an authenticated query at simulated time `now` that answered `code`. `parcel` is
    /// `(com, num)` when the request named one. With `anchor` set, a parcel without an anchor gets `now`.
    pub fn record(
        &self,
        parcel: Option<(&str, &str)>,
        now: DateTime<Utc>,
        code: &str,
        rule: LockRule,
        anchor: bool,
    ) -> Recorded {
        self.total_queries.fetch_add(1, Ordering::Relaxed);
        *self.by_return_code.lock().unwrap_or_else(PoisonError::into_inner).entry(code.to_owned()).or_default() += 1;
        let Some((com, num)) = parcel.filter(|(com, num)| !com.trim().is_empty() && !num.trim().is_empty()) else {
            return Recorded { violation: false, anchor: None };
        };
        let mut record = self.parcels.entry(parcel_key(com, num)).or_insert_with(|| ParcelRecord::new(com, num));
        let day_ago = now - Duration::hours(24);
        while record.recent.front().is_some_and(|time| *time <= day_ago) {
            record.recent.pop_front();
        }
        record.recent.push_back(now);
        let in_24h = record.recent.len() as u64;
        let too_soon = record.previous.is_some_and(|previous| now - previous < rule.interval);
        let violation = too_soon || in_24h > u64::from(rule.max_per_day);
        record.previous = Some(now);
        record.queries += 1;
        record.max_in_24h = record.max_in_24h.max(in_24h);
        if violation {
            record.violations += 1;
            self.lock_violations.fetch_add(1, Ordering::Relaxed);
        }
        if anchor && record.anchor.is_none() {
            record.anchor = Some(now);
        }
        Recorded { violation, anchor: record.anchor }
    }

    /// When a parcel's timeline is anchored, if it was ever answered.
    pub fn anchor(&self, com: &str, num: &str) -> Option<DateTime<Utc>> {
        self.parcels.get(&parcel_key(com, num)).and_then(|record| record.anchor)
    }

    /// The parcel's anchor, set to `now` first if it had none (a subscription anchors the timeline it
    /// pushes, as a first answered query would).
    pub fn anchor_or_set(&self, com: &str, num: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        let mut record = self.parcels.entry(parcel_key(com, num)).or_insert_with(|| ParcelRecord::new(com, num));
        *record.anchor.get_or_insert(now)
    }

    pub fn record_autonumber(&self) {
        self.autonumber_queries.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a subscribe call that answered `code`. `parcel` is `(com, num)` when the call had the
    /// right key and named a parcel: then it is billed to that parcel.
    pub fn record_subscribe(&self, parcel: Option<(&str, &str)>, code: &str) {
        {
            let mut books = self.push.lock().unwrap_or_else(PoisonError::into_inner);
            books.subscribe_calls += 1;
            books.subscribes_accepted += u64::from(code == "200");
            *books.subscribe_by_return_code.entry(code.to_owned()).or_default() += 1;
        }
        if let Some((com, num)) = parcel.filter(|(com, num)| !com.trim().is_empty() && !num.trim().is_empty()) {
            self.parcels.entry(parcel_key(com, num)).or_insert_with(|| ParcelRecord::new(com, num)).subscribes += 1;
        }
    }

    /// Records one push POST; `retry` when it was a retry of an unacknowledged push.
    pub fn record_push(&self, retry: bool, outcome: PushOutcome) {
        let mut books = self.push.lock().unwrap_or_else(PoisonError::into_inner);
        books.pushes_sent += 1;
        books.push_retries += u64::from(retry);
        match outcome {
            PushOutcome::Acknowledged => books.pushes_acknowledged += 1,
            PushOutcome::Refused => {}
            PushOutcome::Dropped => books.pushes_dropped += 1,
        }
    }

    pub fn snapshot(&self) -> Stats {
        let mut parcels: Vec<ParcelStats> = self
            .parcels
            .iter()
            .map(|entry| {
                let record = entry.value();
                ParcelStats {
                    com: record.com.clone(),
                    num: record.num.clone(),
                    queries: record.queries,
                    violations: record.violations,
                    max_in_24h: record.max_in_24h,
                    subscribes: record.subscribes,
                }
            })
            .collect();
        parcels.sort_by(|a, b| (&a.com, &a.num).cmp(&(&b.com, &b.num)));
        let push = self.push.lock().unwrap_or_else(PoisonError::into_inner);
        Stats {
            total_queries: self.total_queries.load(Ordering::Relaxed),
            lock_violations: self.lock_violations.load(Ordering::Relaxed),
            by_return_code: self.by_return_code.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            parcels,
            autonumber_queries: self.autonumber_queries.load(Ordering::Relaxed),
            subscribe_calls: push.subscribe_calls,
            subscribes_accepted: push.subscribes_accepted,
            subscribe_by_return_code: push.subscribe_by_return_code.clone(),
            pushes_sent: push.pushes_sent,
            pushes_acknowledged: push.pushes_acknowledged,
            push_retries: push.push_retries,
            pushes_dropped: push.pushes_dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: LockRule = LockRule { interval: Duration::minutes(30), max_per_day: 48 };

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    #[test]
    fn a_second_query_within_the_interval_is_a_violation() {
        let ledger = Ledger::default();
        let parcel = Some(("yuantong", "YT1"));
        assert!(!ledger.record(parcel, start(), "200", RULE, true).violation);
        assert!(ledger.record(parcel, start() + Duration::minutes(10), "200", RULE, true).violation);
        assert!(!ledger.record(parcel, start() + Duration::minutes(40), "200", RULE, true).violation, "30 min later");
        assert!(
            !ledger.record(Some(("yuantong", "YT2")), start() + Duration::minutes(41), "200", RULE, true).violation
        );
        let stats = ledger.snapshot();
        assert_eq!((stats.total_queries, stats.lock_violations), (4, 1));
        assert_eq!(stats.parcel("YuanTong", "yt1").map(|p| (p.queries, p.violations)), Some((3, 1)));
        assert_eq!(stats.parcel("yuantong", "YT2").map(|p| p.violations), Some(0));
    }

    #[test]
    fn exactly_the_interval_apart_is_fine() {
        let ledger = Ledger::default();
        for i in 0..5 {
            ledger.record(Some(("zhongtong", "7300")), start() + Duration::minutes(30 * i), "200", RULE, true);
        }
        assert_eq!(ledger.snapshot().lock_violations, 0);
    }

    #[test]
    fn more_than_the_daily_cap_in_a_rolling_day_is_a_violation() {
        let ledger = Ledger::default();
        let rule = LockRule { interval: Duration::minutes(1), max_per_day: 48 };
        let mut violations = Vec::new();
        for i in 0..49 {
            let recorded =
                ledger.record(Some(("yunda", "312")), start() + Duration::minutes(20 * i), "200", rule, true);
            violations.push(recorded.violation);
        }
        assert_eq!(violations.iter().filter(|v| **v).count(), 1);
        assert!(violations[48], "the 49th query within 24 h");
        // A day after the second query, the first two have left the window: 48 with this one, fine.
        let at = start() + Duration::hours(24) + Duration::minutes(21);
        assert!(!ledger.record(Some(("yunda", "312")), at, "200", rule, true).violation);
        // One more right away is the 49th again.
        assert!(ledger.record(Some(("yunda", "312")), at + Duration::minutes(2), "200", rule, true).violation);
        let stats = ledger.snapshot();
        assert_eq!(stats.parcels[0].max_in_24h, 49);
        assert_eq!(stats.lock_violations, 2);
    }

    #[test]
    fn the_anchor_is_the_first_answered_query() {
        let ledger = Ledger::default();
        let parcel = Some(("jd", "JD0001"));
        assert_eq!(ledger.record(parcel, start(), "502", RULE, false).anchor, None);
        let later = start() + Duration::hours(1);
        assert_eq!(ledger.record(parcel, later, "200", RULE, true).anchor, Some(later));
        assert_eq!(ledger.record(parcel, later + Duration::hours(1), "200", RULE, true).anchor, Some(later));
    }

    #[test]
    fn return_codes_and_nameless_queries_are_counted() {
        let ledger = Ledger::default();
        ledger.record(None, start(), "400", RULE, false);
        ledger.record(Some(("", "")), start(), "400", RULE, false);
        ledger.record(Some(("ems", "E1")), start(), "500", RULE, false);
        ledger.record_autonumber();
        let stats = ledger.snapshot();
        assert_eq!(stats.total_queries, 3);
        assert_eq!(stats.by_return_code.get("400"), Some(&2));
        assert_eq!(stats.by_return_code.get("500"), Some(&1));
        assert_eq!(stats.parcels.len(), 1);
        assert_eq!(stats.autonumber_queries, 1);
        let json = serde_json::to_string(&stats).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Stats>(&json).ok(), Some(stats));
    }

    #[test]
    fn subscribes_and_pushes_are_counted_and_a_subscription_anchors_the_parcel() {
        let ledger = Ledger::default();
        ledger.record_subscribe(Some(("yuantong", "YT1")), "200");
        ledger.record_subscribe(Some(("YuanTong", "yt1")), "501");
        ledger.record_subscribe(None, "600");
        assert_eq!(ledger.anchor_or_set("yuantong", "YT1", start()), start());
        assert_eq!(ledger.anchor_or_set("yuantong", "YT1", start() + Duration::hours(1)), start(), "kept");
        let later = start() + Duration::hours(2);
        assert_eq!(ledger.record(Some(("yuantong", "YT1")), later, "200", RULE, true).anchor, Some(start()));
        ledger.record_push(false, PushOutcome::Refused);
        ledger.record_push(true, PushOutcome::Dropped);
        ledger.record_push(false, PushOutcome::Acknowledged);
        let stats = ledger.snapshot();
        assert_eq!((stats.subscribe_calls, stats.subscribes_accepted), (3, 1));
        assert_eq!(stats.subscribe_by_return_code.get("600"), Some(&1));
        assert_eq!(stats.parcel("yuantong", "YT1").map(|p| (p.subscribes, p.queries)), Some((2, 1)));
        assert_eq!((stats.total_queries, stats.lock_violations), (1, 0), "subscribes are not queries");
        assert_eq!(
            (stats.pushes_sent, stats.pushes_acknowledged, stats.push_retries, stats.pushes_dropped),
            (3, 1, 1, 1)
        );
        let old_document = r#"{"total_queries":1,"lock_violations":0,"by_return_code":{},"parcels":[{"com":"a","num":"b","queries":1,"violations":0,"max_in_24h":1}],"autonumber_queries":0}"#;
        assert!(serde_json::from_str::<Stats>(old_document).is_ok(), "documents without the push fields read");
    }
}
