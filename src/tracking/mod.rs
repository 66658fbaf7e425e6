//! The one place that decides whether a question costs an upstream query.
//!
//! Everything that wants parcel data — the `query` command, the bot, the watcher — asks the [`Tracker`].
//! It answers from memory or the store inside `QUERY_MIN_INTERVAL`, makes concurrent asks for one parcel
//! share one upstream call, keeps the rolling daily cap, throttles each chat user and each web API
//! caller, detects couriers, and counts what it did. The limits live in the store (see `store::parcels`), so they hold across restarts
//! and across processes sharing a database; so do the couriers auto-detection found (`store::detections`).
//! Memory only makes the common case fast.

mod budget;
mod detect;
pub mod document;
mod flight;
mod known;
mod metrics;
mod outage;
pub mod pickup;
mod push;
mod rate;
mod request;
mod throttle;
mod tracker;

pub use budget::{BUDGET_STATE_METRIC, BudgetState, DailyBudget, WATCHER_SHARE_PERCENT};
pub use document::TrackDocument;
pub use metrics::{Metrics, MetricsSnapshot};
pub use outage::{OUTAGES_METRIC, UPSTREAM_DOWN_METRIC};
pub use pickup::{PickupCode, current_pickup_code, masked_place, pickup_code};
pub use push::{PushTarget, SUBSCRIBE_METRIC};
pub use rate::Rate;
pub use request::{Asker, Freshness, Report, TrackError, TrackRequest, Tracked, WebCaller};
pub use throttle::{Throttle, UserThrottle};
pub use tracker::{Tracker, TrackerConfig};
