//! What a caller asks the tracker, and what it gets back.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::couriers::Courier;
use crate::input::{PhoneTail, TrackingNumber};
use crate::kuaidi100::{Error, Lang, QueryResult};
use crate::store::StoreError;

/// Who is asking: people are throttled (chat users and web callers, each on their own rate), the
/// operator and the watcher are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asker {
    /// A chat user, by their Telegram (or console) user id.
    User(i64),
    /// A caller of the web API (`API_RATE_LIMIT`).
    Web(WebCaller),
    /// Someone at the command line.
    Operator,
    /// The subscription watcher.
    Watcher,
}

/// A caller of the web API as its throttle tells callers apart: whoever presents `API_TOKEN` (one
/// budget for the token's holder), or a client address. An IPv6 address counts by its /64 network,
/// which one subscriber usually holds whole, so that hopping between its addresses gains nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebCaller {
    TokenHolder,
    Address(IpAddr),
}

impl WebCaller {
    /// The caller at `ip` (an IPv4-mapped IPv6 address is its IPv4 address; IPv6 is cut to its /64).
    pub fn address(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1_u128 << 64) - 1);
                WebCaller::Address(IpAddr::V6(Ipv6Addr::from(network)))
            }
            v4 => WebCaller::Address(v4),
        }
    }
}

/// The throttle's key: `token`, `ip:203.0.113.9`, `ip:2001:db8::` (never the token itself).
impl fmt::Display for WebCaller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebCaller::TokenHolder => f.write_str("token"),
            WebCaller::Address(ip) => write!(f, "ip:{ip}"),
        }
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
    /// The deployment's `KUAIDI100_DAILY_BUDGET` held a fresh query back; fresh data resumes then.
    pub budget_spent_until: Option<DateTime<Utc>>,
    /// The last answer Kuaidi100 gave about the parcel, also when `report` is a failure that does not
    /// show it (`Report::Failed` after an operator problem), for an adapter that shows it as old.
    pub last_answer: Option<Arc<QueryResult>>,
    /// The language the answer's trajectory text was fetched in, which may not be the reader's (one
    /// answer serves every chat inside the floor); `None` when unknown. Renderers translate from it.
    pub answer_lang: Option<Lang>,
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
    /// `KUAIDI100_DAILY_BUDGET` is spent (the asker's share of it) and nothing is known of the parcel
    /// to show instead; a query may be made again from `until`.
    #[error("the daily Kuaidi100 budget is spent until {until}")]
    BudgetSpent { until: DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_callers_are_told_apart_by_address_and_ipv6_by_network() {
        let v4: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(WebCaller::address(v4).to_string(), "ip:203.0.113.9");
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        assert_eq!(WebCaller::address(mapped), WebCaller::address(v4));
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(WebCaller::address(a), WebCaller::address(b));
        assert_ne!(WebCaller::address(a), WebCaller::address(c));
        assert_eq!(WebCaller::address(a).to_string(), "ip:2001:db8:1:2::");
        assert_eq!(WebCaller::TokenHolder.to_string(), "token");
    }
}
