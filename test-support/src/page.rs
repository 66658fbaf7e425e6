//! The bot's HTTP server with the tracking page, served on loopback in sandbox mode, for the page's
//! tests (`tests/page.rs`, `tests/page_browser.rs`), its size figure included (`the_page_is_small_on_the_wire`).
//!
//! It is the API's [`ApiServer`] — `kuaidi_bot::http::serve`, the production server, with the peer
//! addresses the page throttles by, on `127.0.0.1:0`, over the engine `sim::sandbox_engine` starts,
//! on a clock standing at `sim::start_time`, so every run shows the same parcels at the same point of
//! their lives — on a SQLite store of its own, with what the page's tests add. No Telegram is involved; the bot's username, when given, is set as `getMe` would.

use chrono::NaiveDateTime;
use kuaidi_bot::clock::Clock;
use kuaidi_bot::input::tracking_number;
use kuaidi_bot::kuaidi100::QueryResult;
use kuaidi_bot::store::{Claim, ParcelKey};
use kuaidi_bot::tracking::{Asker, TrackRequest};

use crate::api::ApiServer;
use crate::store::{self as test_store, TestStore};

/// The page, served, on a store of its own. Stops when dropped. Everything of the server
/// ([`ApiServer`]: `base`, `engine`, `clock`, `url`) is reached through it.
pub struct ServedPage {
    server: ApiServer,
    _store: TestStore,
}

impl std::ops::Deref for ServedPage {
    type Target = ApiServer;

    fn deref(&self) -> &ApiServer {
        &self.server
    }
}

impl ServedPage {
    /// Sandbox mode on a fresh SQLite store; `env` as for [`sim::sandbox_engine`](crate::sim::sandbox_engine)
    /// (e.g. a generous `API_RATE_LIMIT`), `bot_username` as `getMe` would tell it.
    pub async fn start(env: &[(&str, &str)], bot_username: Option<&str>) -> Self {
        let store = test_store::sqlite().await.expect("a SQLite test store");
        let server = ApiServer::start_as(&store, env, bot_username).await.expect("the server starts");
        Self { server, _store: store }
    }

    /// Records `result` as Kuaidi100's answer about (`courier`, `number`) just now, the way the tracker
    /// records one, so that the page shows it from the store inside the floor (no query).
    pub async fn record_answer(&self, courier: &str, number: &str, result: &QueryResult) {
        let store = &self.engine.store;
        let config = self.engine.tracker.config();
        let now = self.clock.now();
        let key = ParcelKey::new(courier, number);
        let claim = store.claim_query(&key, None, now, config.min_interval, config.max_per_day).await;
        let Ok(Claim::Granted { parcel_id, .. }) = claim else { panic!("{key} could not be claimed: {claim:?}") };
        let json = serde_json::to_string(result).expect("an answer serializes");
        store.record_answer(parcel_id, now, &json, &result.state, "zh", now).await.expect("the answer is recorded");
    }

    /// A trajectory of `lines` lines as the simulator writes them (its parcels have at most 15): the
    /// lines of finished YTO parcels one after another, newest first, two hours apart.
    pub async fn simulated_trajectory(&self, lines: usize) -> QueryResult {
        let mut joined: Option<QueryResult> = None;
        for serial in 0..100 {
            let number = tracking_number(&format!("YT96930836{serial:04}9")).expect("a number");
            let request = TrackRequest::new(Some("yuantong"), number, Asker::Operator);
            let tracked = self.engine.tracker.track(request).await.expect("the simulator answers");
            let Some(result) = tracked.report.result() else { continue };
            match joined.as_mut() {
                None => joined = Some(result.clone()),
                Some(joined) => joined.data.extend(result.data.iter().cloned()),
            }
            if joined.as_ref().is_some_and(|joined| joined.data.len() >= lines) {
                break;
            }
        }
        let mut result = joined.expect("the simulator answered");
        result.data.truncate(lines);
        let newest = NaiveDateTime::parse_from_str(&result.data[0].ftime, "%Y-%m-%d %H:%M:%S").expect("a time");
        for (hours_before, line) in (0..).step_by(2).zip(result.data.iter_mut()) {
            let time = (newest - chrono::Duration::hours(hours_before)).format("%Y-%m-%d %H:%M:%S").to_string();
            line.time = time.clone();
            line.ftime = time;
        }
        result
    }

    /// How many queries the simulator has answered so far.
    pub fn upstream_queries(&self) -> u64 {
        self.server.total_queries()
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}
