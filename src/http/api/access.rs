//! Who may call the web API, and who is calling.
//!
//! - [`ApiToken`] (`API_TOKEN`): set, every `/api/v1/` request needs `Authorization: Bearer <token>`.
//!   Only a digest of the token is kept, and a presented token is compared with it in constant time
//!   (both are hashed first, so neither the content nor the length of the token shows in the time a
//!   refusal takes). Nothing here can print the token: `Debug` says it is redacted, and there is no
//!   accessor.
//! - [`TrustedProxies`] (`TRUSTED_PROXIES`): the proxies whose `X-Forwarded-For` is believed. The client
//!   address is the TCP peer's, unless the peer is one of them; then it is the right-most address of
//!   `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it was called
//!   from, so everything left of the last untrusted hop may have been written by the client and is
//!   ignored).

use std::fmt;
use std::net::IpAddr;

use md5::{Digest, Md5};

/// Fewest characters an `API_TOKEN` may have.
pub const TOKEN_MIN_LEN: usize = 16;

/// The bearer token the web API requires. Holds a digest only.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    digest: [u8; 16],
}

impl ApiToken {
    /// A token of at least [`TOKEN_MIN_LEN`] visible ASCII characters (what fits a header unquoted).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() < TOKEN_MIN_LEN {
            return Err(format!("must have at least {TOKEN_MIN_LEN} characters"));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("may hold only visible ASCII characters (no spaces)".to_owned());
        }
        Ok(Self { digest: digest(text) })
    }

    /// Whether `presented` is the token, compared in constant time.
    pub fn accepts(&self, presented: &str) -> bool {
        let presented = digest(presented);
        let difference = self.digest.iter().zip(presented.iter()).fold(0_u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }

    /// Whether an `Authorization` header value carries the token (`Bearer <token>`, the scheme in any
    /// case, as RFC 9110 says).
    pub fn accepts_header(&self, header: &str) -> bool {
        match header.trim().split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => self.accepts(token.trim()),
            _ => false,
        }
    }
}

fn digest(text: &str) -> [u8; 16] {
    Md5::new_with_prefix(b"kuaidi-bot api token:").chain_update(text.as_bytes()).finalize().into()
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// An address range: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    network: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// `203.0.113.7`, `10.0.0.0/8`, `::1`, `fd00::/8`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad = || format!("`{text}` is not an IP address or a CIDR range like 10.0.0.0/8");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.trim().parse().map_err(|_| bad())?;
        let network = network.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.trim().parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(network) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(network) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<IpNet>,
}

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR ranges; empty = none.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ranges = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(IpNet::parse)
            .collect::<Result<_, _>>()?;
        Ok(Self { ranges })
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(ip))
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For` header values
    /// (in the order they came): see the module documentation.
    pub fn client_address<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.contains(ip) => client = ip,
                Some(ip) => return ip,
                // Unreadable: whoever wrote it is not to be believed further left.
                None => return client,
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`, `[::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|addr| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn the_token_is_compared_whole_and_never_shown() {
        let token = ApiToken::parse("s3cret-token-of-enough-length").expect("valid");
        assert!(token.accepts("s3cret-token-of-enough-length"));
        assert!(!token.accepts("s3cret-token-of-enough-lengt"));
        assert!(!token.accepts(""));
        assert!(token.accepts_header("Bearer s3cret-token-of-enough-length"));
        assert!(token.accepts_header("bearer  s3cret-token-of-enough-length "));
        assert!(!token.accepts_header("Basic s3cret-token-of-enough-length"));
        assert!(!token.accepts_header("s3cret-token-of-enough-length"));
        assert_eq!(format!("{token:?}"), "ApiToken(<redacted>)");
        assert!(ApiToken::parse("short").is_err());
        assert!(ApiToken::parse("has a space in it, long enough").is_err());
    }

    #[test]
    fn ranges_and_single_addresses() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1 ,fd00::/8").expect("valid");
        assert!(proxies.contains(ip("10.1.2.3")));
        assert!(proxies.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        assert!(proxies.contains(ip("192.0.2.1")));
        assert!(!proxies.contains(ip("192.0.2.2")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(!proxies.contains(ip("2001:db8::1")));
        assert!(TrustedProxies::parse("").expect("empty").is_empty());
        assert!(TrustedProxies::parse("0.0.0.0/0").expect("all").contains(ip("198.51.100.1")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/x", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("127.0.0.1,10.0.0.0/8").expect("valid");
        // An untrusted peer's header is ignored.
        assert_eq!(proxies.client_address(ip("198.51.100.7"), ["203.0.113.9"]), ip("198.51.100.7"));
        // A trusted proxy: the right-most untrusted hop, not what the client wrote in front.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), ["6.6.6.6, 203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(proxies.client_address(ip("127.0.0.1"), ["6.6.6.6", "203.0.113.9, 10.0.0.2"]), ip("203.0.113.9"));
        assert_eq!(proxies.client_address(ip("127.0.0.1"), ["[2001:db8::5]:4711"]), ip("2001:db8::5"));
        // No header, or only proxies: the last proxy seen.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), []), ip("127.0.0.1"));
        assert_eq!(proxies.client_address(ip("127.0.0.1"), ["10.0.0.3"]), ip("10.0.0.3"));
        // Garbage stops the walk at the last believable hop.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), ["203.0.113.9, garbage"]), ip("127.0.0.1"));
    }
}
