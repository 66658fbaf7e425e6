//! The tracker: cache, single flight, floor, daily cap, throttle — in that order of cheapness.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;

use super::budget::{BudgetState, BudgetWatch, DailyBudget};
use super::flight::Flights;
use super::known::Known;
use super::metrics::{Metrics, MetricsSnapshot};
use super::outage::{Health, Outage};
use super::push::PushTarget;
use super::rate::Rate;
use super::request::{Asker, Report, TrackError, TrackRequest, Tracked, WebCaller};
use super::throttle::{Throttle, UserThrottle};
use crate::clock::SharedClock;
use crate::couriers::{Courier, directory};
use crate::kuaidi100::{Client, Error, QueryRequest, ResultV2};
use crate::store::{Claim, ParcelKey, ParcelRecord, QueryOutcome, Refusal, Store};

/// Memory entries past their floor are swept once the cache holds this many.
const CACHE_SWEEP_AT: usize = 10_000;
/// How often a question waiting on another replica's query looks whether its answer is recorded.
const OTHER_QUERY_POLL: std::time::Duration = std::time::Duration::from_millis(25);

/// The limits the tracker enforces.
#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// `QUERY_MIN_INTERVAL`: the floor between two upstream queries of one parcel.
    pub min_interval: Duration,
    /// `QUERY_MAX_PER_DAY`: upstream queries of one parcel per rolling 24 h.
    pub max_per_day: u32,
    /// `USER_RATE_LIMIT`.
    pub user_rate: Rate,
    /// `API_RATE_LIMIT`: questions per web API caller.
    pub web_rate: Rate,
    /// Where Kuaidi100 is to push (push and hybrid mode); `None`: no subscribe call is ever made.
    pub push: Option<PushTarget>,
    /// `KUAIDI100_DAILY_BUDGET`: billed calls per rolling 24 h across the deployment; `None` = no cap.
    pub daily_budget: Option<DailyBudget>,
}

/// The gate to Kuaidi100. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Tracker {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub client: Client,
    pub store: Store,
    pub clock: SharedClock,
    pub config: TrackerConfig,
    pub metrics: Metrics,
    pub throttle: UserThrottle,
    pub web_throttle: Throttle<WebCaller>,
    /// What is known of each recently asked parcel.
    pub known: DashMap<ParcelKey, Arc<Known>>,
    /// The parcels being fetched: the single flight of queries (its answer is left in `known`).
    pub flights: Flights<ParcelKey, ()>,
    /// The numbers being detected: the single flight of auto-detection, its answer left in the slot
    /// (remembered answers live in the store, see `detect`).
    pub detections: Flights<String, Option<Vec<String>>>,
    /// Detections this tracker wrote to the store, to purge old ones every so often.
    pub detections_written: AtomicU64,
    /// Kuaidi100 refused this account's push subscriptions (600/601): make no more.
    pub push_refused: AtomicBool,
    /// Whether Kuaidi100 is down, from this process's queries.
    pub outage: Outage,
    /// This process's last view of the daily budget, to log its changes once.
    pub budget: BudgetWatch,
}

impl Tracker {
    pub fn new(client: Client, store: Store, clock: SharedClock, config: TrackerConfig) -> Self {
        let throttle = UserThrottle::new(config.user_rate, clock.clone());
        let web_throttle = Throttle::keyed(config.web_rate, clock.clone(), "api");
        let (throttle, web_throttle) = if store.is_shared() {
            (throttle.shared_in(store.clone()), web_throttle.shared_in(store.clone()))
        } else {
            (throttle, web_throttle)
        };
        Self {
            inner: Arc::new(Inner {
                client,
                store,
                clock,
                config,
                metrics: Metrics::default(),
                throttle,
                web_throttle,
                known: DashMap::new(),
                flights: Flights::new(),
                detections: Flights::new(),
                detections_written: AtomicU64::new(0),
                push_refused: AtomicBool::new(false),
                outage: Outage::default(),
                budget: BudgetWatch::default(),
            }),
        }
    }

    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.inner.config
    }

    /// When the Kuaidi100 outage in progress began (most recent queries failed); `None` while it
    /// answers. Replies say so, the watcher backs off.
    pub fn upstream_down_since(&self) -> Option<DateTime<Utc>> {
        self.inner.outage.down_since()
    }

    /// Kuaidi100 outages begun since the start.
    pub fn upstream_outages(&self) -> u64 {
        self.inner.outage.count()
    }

    /// Answers a question about one parcel, querying Kuaidi100 only when every rule allows it.
    pub async fn track(&self, request: TrackRequest) -> Result<Tracked, TrackError> {
        let inner = &self.inner;
        let throttled = match &request.asker {
            Asker::User(user) => inner.throttle.check(user).await,
            Asker::Web(caller) => inner.web_throttle.check(caller).await,
            Asker::Operator | Asker::Watcher => Ok(()),
        };
        if let Err(retry_after) = throttled {
            Metrics::bump(&inner.metrics.throttled);
            return Err(TrackError::Throttled { retry_after });
        }
        let courier = match request.courier.as_deref() {
            Some(code) => directory().get(code).ok_or_else(|| TrackError::UnknownCourier(code.to_owned()))?,
            None => self.detect(request.number.as_str()).await?,
        };
        let key = ParcelKey::new(courier.code, request.number.as_str());
        let phone = request.phone.as_ref().map(|phone| phone.digits().to_owned());

        let asked_at = self.now();
        if let Some(known) = self.known_inside_floor(&key, asked_at) {
            Metrics::bump(&inner.metrics.cache_hits);
            return self.answer_from(courier, &key, &known, false, request.asker, phone.as_deref());
        }

        let flight = inner.flights.join(&key);
        let guard = flight.lock().await;
        let now = self.now();
        if let Some(known) = self.known_inside_floor(&key, now) {
            // Another request fetched while this one waited: share its result. It is as fresh for this
            // asker as for the one who made the query when it arrived after this one asked.
            let waited_on_it = known.answered_at.is_some_and(|at| at >= asked_at)
                || known.last_query_at.is_some_and(|at| at >= asked_at);
            Metrics::bump(if waited_on_it { &inner.metrics.coalesced } else { &inner.metrics.cache_hits });
            return self.answer_from(courier, &key, &known, waited_on_it, request.asker, phone.as_deref());
        }
        let result = self.fetch(courier, &key, &request, phone, now).await;
        // The next one queued shares the result through `known`; the last one out ends the flight.
        drop(guard);
        result
    }

    /// The clock's time at the store's precision, so that memory and the store agree to the millisecond.
    pub(super) fn now(&self) -> DateTime<Utc> {
        crate::store::from_millis(crate::store::to_millis(self.inner.clock.now()))
    }

    fn known_inside_floor(&self, key: &ParcelKey, now: DateTime<Utc>) -> Option<Arc<Known>> {
        self.inner.known.get(key).filter(|known| now < known.next_query_at).map(|known| known.clone())
    }

    /// The claim-query-record path, entered by one request per parcel at a time.
    async fn fetch(
        &self,
        courier: &'static Courier,
        key: &ParcelKey,
        request: &TrackRequest,
        phone: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Tracked, TrackError> {
        let inner = &self.inner;
        let (floor, cap) = (inner.config.min_interval, inner.config.max_per_day);
        let phone = match phone {
            Some(phone) => Some(phone),
            None if courier.needs_phone => match request.asker {
                // The watcher queries with the phone the parcel was subscribed with.
                Asker::Watcher => inner.store.parcel(key, now).await?.and_then(|record| record.phone_tail),
                _ => None,
            },
            None => None,
        };
        if courier.needs_phone && phone.is_none() {
            return Err(TrackError::PhoneRequired(courier));
        }

        let budget = inner.config.daily_budget;
        let limit = budget.map(|budget| budget.limit_for(request.asker));
        let parcel_id = match inner.store.claim_query_within(key, phone.as_deref(), now, floor, cap, limit).await? {
            Claim::Granted { parcel_id, billed } => {
                if let Some(budget) = budget {
                    inner.budget.note(budget, budget.state(billed), billed, None);
                }
                parcel_id
            }
            Claim::Refused { record, reason: Refusal::Budget { frees_at }, next_query_at } => {
                Metrics::bump(&inner.metrics.refused_by_budget);
                if let Some(budget) = budget {
                    // The refusal says the asker's share is spent; whether all of it is, only people's
                    // refusals tell.
                    let state = if request.asker == Asker::Watcher {
                        BudgetState::WatcherHeld.max(inner.budget.state())
                    } else {
                        BudgetState::Spent
                    };
                    inner.budget.note(budget, state, limit.unwrap_or_default(), Some(frees_at));
                }
                let known = Arc::new(Known {
                    budget_spent_until: Some(frees_at),
                    ..Known::from_record(&record, next_query_at, record.queries_last_24h >= cap)
                });
                if known.result.is_none() && known.last_error.is_none() {
                    return Err(TrackError::BudgetSpent { until: frees_at });
                }
                // The watcher's share runs out before people's: its refusal must not hold a person back.
                if request.asker != Asker::Watcher {
                    self.remember(key, known.clone(), now);
                }
                return self.answer_from(courier, key, &known, false, request.asker, phone.as_deref());
            }
            Claim::Refused { record, reason, next_query_at } => {
                // Another replica's query of this parcel is on its way: its answer is this one's too.
                if record.last_outcome == Some(QueryOutcome::Pending)
                    && let Some(known) = self.await_other_query(key, &record, next_query_at).await?
                {
                    Metrics::bump(&inner.metrics.coalesced);
                    let known = Arc::new(known);
                    self.remember(key, known.clone(), now);
                    return self.answer_from(courier, key, &known, true, request.asker, phone.as_deref());
                }
                // Another process, or this one before a restart, queried inside the limits.
                let capped = reason == Refusal::DailyCap;
                Metrics::bump(if capped {
                    &inner.metrics.refused_by_daily_cap
                } else {
                    &inner.metrics.refused_by_floor
                });
                let known = Arc::new(Known::from_record(&record, next_query_at, capped));
                self.remember(key, known.clone(), now);
                return self.answer_from(courier, key, &known, false, request.asker, phone.as_deref());
            }
        };

        let previous = inner.store.parcel(key, now).await?;
        // `resultv2=8` is 4 (advanced states, areas, routeInfo) plus the arrival estimate, which Kuaidi100
        // gives only when `to` names the destination: the city the last answer's routeInfo showed.
        let destination = previous.as_ref().and_then(|record| super::push::destination(record.answer.as_deref()));
        let query = QueryRequest::new(courier.code, request.number.as_str())
            .with_phone(phone.as_deref().unwrap_or_default())
            .with_lang(request.lang)
            .with_resultv2(ResultV2::Estimate)
            .with_route("", destination.as_deref().unwrap_or_default());
        let outcome = inner.client.query(&query).await;
        let recorded_at = self.now();
        inner.outage.note(recorded_at, Health::of(outcome.as_ref().map(drop)));
        let next_query_at = now + floor;
        let known = match outcome {
            Ok(result) => {
                Metrics::bump(&inner.metrics.upstream_answered);
                let json = serde_json::to_string(&result).unwrap_or_default();
                inner
                    .store
                    .record_answer(parcel_id, now, &json, &result.state, request.lang.as_str(), recorded_at)
                    .await?;
                Known {
                    result: Some(Arc::new(result)),
                    answer_lang: Some(request.lang),
                    answered_at: Some(recorded_at),
                    last_query_at: Some(now),
                    last_error: None,
                    next_query_at,
                    daily_cap_reached: false,
                    budget_spent_until: None,
                    phone_tail: phone.clone(),
                }
            }
            Err(error) => {
                let counter = match &error {
                    error if error.is_no_result() => &inner.metrics.upstream_no_result,
                    error if error.is_transient() => &inner.metrics.upstream_transient_errors,
                    _ => &inner.metrics.upstream_permanent_errors,
                };
                Metrics::bump(counter);
                tracing::warn!(parcel = %key, %error, "upstream query failed");
                let (outcome, message) = match &error {
                    Error::Api { code, message } => (QueryOutcome::Code(code.as_str().to_owned()), message.clone()),
                    other => (QueryOutcome::Transport, other.to_string()),
                };
                inner.store.record_failure(parcel_id, now, &outcome, &message, recorded_at).await?;
                let mut known = previous
                    .as_ref()
                    .map(|record| Known::from_record(record, next_query_at, false))
                    .unwrap_or_else(|| Known {
                        result: None,
                        answer_lang: None,
                        answered_at: None,
                        last_query_at: Some(now),
                        last_error: None,
                        next_query_at,
                        daily_cap_reached: false,
                        budget_spent_until: None,
                        phone_tail: phone.clone(),
                    });
                known.last_query_at = Some(now);
                known.last_error = Some(error);
                known
            }
        };
        // The daily cap may hold the next query back further than the floor.
        let known = match previous {
            Some(record) if record.queries_last_24h >= cap => {
                let next = record.next_query_at(floor, cap).max(next_query_at);
                Known { next_query_at: next, daily_cap_reached: true, ..known }
            }
            _ => known,
        };
        let known = Arc::new(known);
        // The watcher's parcels are many and asked once per check: the store keeps them, memory need
        // not (a person asking inside the floor is answered from the store, then from memory).
        if request.asker != Asker::Watcher {
            self.remember(key, known.clone(), now);
        }
        self.answer_from(courier, key, &known, true, request.asker, phone.as_deref())
    }

    /// Waits for the query another process claimed (`record` says it is pending) to be recorded, the
    /// single flight across replicas: what it brought, or `None` when it is not recorded within the
    /// time a query may take (that process died, or the claim is older than that).
    async fn await_other_query(
        &self,
        key: &ParcelKey,
        record: &ParcelRecord,
        next_query_at: DateTime<Utc>,
    ) -> Result<Option<Known>, TrackError> {
        let inner = &self.inner;
        let client = inner.client.config();
        let longest = client.connect_timeout + client.timeout;
        let claimed_at = record.last_query_at.unwrap_or(DateTime::UNIX_EPOCH);
        if self.now() - claimed_at > Duration::from_std(longest).unwrap_or(Duration::seconds(20)) {
            return Ok(None);
        }
        let deadline = tokio::time::Instant::now() + longest;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(OTHER_QUERY_POLL).await;
            let Some(latest) = inner.store.parcel(key, self.now()).await? else { return Ok(None) };
            if latest.last_query_at != record.last_query_at {
                // A later query was claimed meanwhile: this one's answer is not to be had here.
                return Ok(None);
            }
            if latest.last_outcome != Some(QueryOutcome::Pending) {
                let capped = latest.queries_last_24h >= inner.config.max_per_day;
                return Ok(Some(Known::from_record(&latest, next_query_at, capped)));
            }
        }
        Ok(None)
    }

    /// What is known of a parcel without asking anyone: memory, else the store. Never queries upstream
    /// and is not throttled, because changing how a message shows known data costs nothing.
    pub async fn peek(
        &self,
        courier: &'static Courier,
        number: &str,
        phone: Option<&str>,
        asker: Asker,
    ) -> Result<Option<Tracked>, TrackError> {
        let key = ParcelKey::new(courier.code, number);
        let known = match self.inner.known.get(&key).map(|known| known.clone()) {
            Some(known) => known,
            None => {
                let (floor, cap) = (self.inner.config.min_interval, self.inner.config.max_per_day);
                match self.inner.store.parcel(&key, self.now()).await? {
                    Some(record) => {
                        let capped = record.queries_last_24h >= cap;
                        Arc::new(Known::from_record(&record, record.next_query_at(floor, cap), capped))
                    }
                    None => return Ok(None),
                }
            }
        };
        self.answer_from(courier, &key, &known, false, asker, phone).map(Some)
    }

    fn remember(&self, key: &ParcelKey, known: Arc<Known>, now: DateTime<Utc>) {
        let known_map = &self.inner.known;
        known_map.insert(key.clone(), known);
        if known_map.len() >= CACHE_SWEEP_AT {
            known_map.retain(|_, known| known.next_query_at > now);
            self.inner.throttle.forget_idle();
            self.inner.web_throttle.forget_idle();
        }
    }

    fn answer_from(
        &self,
        courier: &'static Courier,
        key: &ParcelKey,
        known: &Known,
        fresh: bool,
        asker: Asker,
        phone: Option<&str>,
    ) -> Result<Tracked, TrackError> {
        // A phone-checked parcel's trajectory is only shown to someone who gave the phone it was checked
        // with; the watcher asks on behalf of subscribers who did.
        if courier.needs_phone && asker != Asker::Watcher && phone != known.phone_tail.as_deref() {
            return match phone {
                None => Err(TrackError::PhoneRequired(courier)),
                Some(_) => Err(TrackError::PhoneMismatch { next_query_at: known.next_query_at }),
            };
        }
        Ok(Tracked {
            courier,
            number: key.number.clone(),
            report: known.report(fresh),
            fresh,
            answered_at: known.answered_at,
            queried_at: known.last_query_at,
            next_query_at: known.next_query_at,
            daily_cap_reached: known.daily_cap_reached,
            budget_spent_until: known.budget_spent_until,
            last_answer: known.result.clone(),
            answer_lang: known.answer_lang,
        })
    }
}

impl Report {
    /// The answer, whatever its freshness.
    pub fn result(&self) -> Option<&crate::kuaidi100::QueryResult> {
        match self {
            Report::Answer { result, .. } => Some(result),
            _ => None,
        }
    }
}
