//! What a caller asks the tracker, and what it gets back.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber};
use crate::kuaidi100::{Error, Lang, QueryResult};
use crate::store::StoreError;

/// Who is asking: people are throttled, the operator and the watcher are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asker {
    /// A chat user, by their Telegram (or console) user id.
    User(i64),
    /// Someone at the command line.
    Operator,
    /// The subscription watcher.
    Watcher,
}

impl Asker {
    /// A visitor of the web page, throttled by `USER_RATE_LIMIT` like a chat user, one budget per
    /// client address: an IPv4 address, or the /64 network of an IPv6 address (what one household or
    /// one machine is given). The id is negative, so it never meets a Telegram user's (positive) id,
    /// and derived without a per-process hash, so replicas sharing the throttle in PostgreSQL agree.
    /// IPv4 addresses map to 1..2^32 below zero and global IPv6 networks (2000::/3, after dropping the
    /// two top bits) to at least 2^61 below, so the two never share a budget.
    pub fn web_visitor(address: IpAddr) -> Self {
        let network = match address {
            IpAddr::V4(v4) => u64::from(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => u64::from(u32::from(v4)),
                None => (u128::from(v6) >> 64) as u64,
            },
        };
        let id = (network & 0x3FFF_FFFF_FFFF_FFFF) as i64;
        Self::User(-1 - id)
    }
}

/// One question about one parcel.
#[derive(Debug, Clone)]
pub struct TrackRequest {
    /// A Kuaidi100 code the user chose (never overridden), or `None` to detect it.
    pub courier: Option<String>,
    pub number: TrackingNumber,
    pub phone: Option<PhoneTail>,
    /// Language of the trajectory text if an upstream query is made.
    pub lang: Lang,
    pub asker: Asker,
}

impl TrackRequest {
    pub fn new(courier: Option<&str>, number: TrackingNumber, asker: Asker) -> Self {
        Self { courier: courier.map(str::to_owned), number, phone: None, lang: Lang::Zh, asker }
    }

    pub fn with_phone(mut self, phone: Option<PhoneTail>) -> Self {
        self.phone = phone;
        self
    }

    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

/// How current an answer is.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    /// Fetched from Kuaidi100 for this request (or for the request it waited on).
    Fresh,
    /// Fetched earlier, inside the floor, at this time.
    Cached { fetched_at: DateTime<Utc> },
    /// The last query failed transiently; this answer is from `fetched_at`.
    Stale { fetched_at: DateTime<Utc>, error: Error },
}

/// What is known of the parcel.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Answer {
        result: Arc<QueryResult>,
        freshness: Freshness,
    },
    /// Kuaidi100 has nothing yet (500), remembered like an answer until the next query is allowed.
    NoResultYet,
    /// The last query failed and there is no answer to show: a permanent error for the layer above to
    /// phrase (check courier, phone, operator problem), or a transient one with nothing cached.
    Failed(Error),
}

/// The tracker's answer.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub courier: &'static Courier,
    pub number: String,
    pub report: Report,
    /// This request made (or waited on) the upstream query behind `report`.
    pub fresh: bool,
    /// When the answer in `report` arrived from Kuaidi100.
    pub answered_at: Option<DateTime<Utc>>,
    /// When Kuaidi100 was last asked about this parcel (by anyone).
    pub queried_at: Option<DateTime<Utc>>,
    /// The earliest time a newer answer may be fetched.
    pub next_query_at: DateTime<Utc>,
    /// The rolling 24-hour cap, not the floor, is what holds the next query back.
    pub daily_cap_reached: bool,
}

/// Why the tracker could not answer about a parcel at all.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error("too many requests; try again in {retry_after:?}")]
    Throttled { retry_after: std::time::Duration },
    #[error("unknown courier code `{0}`")]
    UnknownCourier(String),
    #[error("could not tell the courier from the number")]
    CourierNotDetected,
    #[error("several couriers could have this number")]
    ChooseCourier(Vec<&'static Courier>),
    #[error("{} needs the last 4 digits of the sender's or recipient's phone", .0.code)]
    PhoneRequired(&'static Courier),
    /// A phone-checked parcel was just queried with another phone; the cached answer is not shown to a
    /// different phone, and a new query must wait.
    #[error("the phone does not match the one this parcel was just checked with")]
    PhoneMismatch { next_query_at: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_visitors_get_one_negative_budget_per_address_or_ipv6_network() {
        let visitor = |text: &str| Asker::web_visitor(text.parse().expect("an address"));
        assert_eq!(visitor("127.0.0.1"), Asker::User(-1 - 0x7F00_0001));
        assert_eq!(visitor("::ffff:127.0.0.1"), visitor("127.0.0.1"));
        assert_ne!(visitor("127.0.0.1"), visitor("127.0.0.2"));
        assert_eq!(visitor("2001:db8:1:2::1"), visitor("2001:db8:1:2:ffff::9"));
        assert_ne!(visitor("2001:db8:1:2::1"), visitor("2001:db8:1:3::1"));
        for text in ["0.0.0.0", "255.255.255.255", "2001:db8::1", "ffff:ffff:ffff:ffff::"] {
            let Asker::User(id) = visitor(text) else { panic!("{text} is a user") };
            assert!(id < 0, "{text}: {id}");
        }
    }
}
