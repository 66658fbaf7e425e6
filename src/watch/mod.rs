//! The watcher: keeps subscribed parcels checked and queues what changed.
//!
//! Due parcels come from the store's indexed "next check" time, so memory does not grow with the
//! number of subscriptions. Each check asks the [`Tracker`](crate::tracking::Tracker) (so the floor and
//! the daily cap always hold, and one upstream query serves every subscriber), compares the answer with
//! what each subscriber was last told, and writes the notices to the outbox together with that progress
//! and the next check, in one transaction. Sending is someone else's job (`telegram/`), so this module
//! knows no transport.

mod notice;
mod policy;
mod watcher;

pub use notice::{NOTICE_LINES, Notice, NoticeKind, NoticeLine};
pub use policy::{GIVE_UP_NO_RESULT_AFTER, Policy, STOP_UNCHANGED_AFTER_DAYS};
pub use watcher::{Watcher, WatcherConfig};
