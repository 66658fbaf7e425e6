//! The notification service: subscriptions, the watcher, and the outbox — knowing no transport.
//!
//! [`Subscriptions`] is the one door for subscribing, unsubscribing, listing, and for chats that go away
//! or move. The [`Watcher`] keeps subscribed parcels checked. The [`Outbox`] drains what the watcher
//! queued through a [`Delivery`], a small trait that `telegram/` and the console implement, and acts on
//! its transport-neutral outcome ([`Delivered`]).
//!
//! Due parcels come from the store's indexed "next check" time, so memory does not grow with the
//! number of subscriptions. Each check asks the [`Tracker`](crate::tracking::Tracker) (so the floor and
//! the daily cap always hold, and one upstream query serves every subscriber), compares the answer with
//! what each subscriber was last told, and writes the notices to the outbox together with that progress
//! and the next check, in one transaction (`Store::commit_check`, the outbox's one entrance).
//!
//! In push and hybrid mode ([`WatchMode`]) the watcher also makes each watched parcel's one Kuaidi100
//! push subscription (`push_subscribe.rs`), and the [`PushIntake`] takes Kuaidi100's pushes in like a
//! check's answer, through the same diff and the same entrance (`Store::commit_push`). Hybrid mode
//! polls only the last mile ([`LastMile`]); a pushed parcel elsewhere gets only a safety check
//! ([`Policy::push_safety`]).

mod delivery;
mod mode;
mod notice;
mod outbox;
mod policy;
mod push_intake;
mod push_subscribe;
mod subscriptions;
mod watcher;

pub use delivery::{Delivered, Delivering, Delivery, StartBy};
pub use mode::{LastMile, WatchMode, is_last_mile};
pub use outbox::{Outbox, RenderNotices, SENDS_METRIC};
pub use subscriptions::{DEFAULT_MAX_PER_USER, Subscribe, Subscriptions};

pub use notice::{NOTICE_LINES, Notice, NoticeKind, NoticeLine};
pub use policy::{GIVE_UP_NO_RESULT_AFTER, PUSH_SAFETY_FLOORS, Policy, STOP_UNCHANGED_AFTER_DAYS};
pub use push_intake::{CALLBACKS_METRIC, PushIntake, PushReceipt};
pub use watcher::{CHECKS_METRIC, Watcher, WatcherConfig};
