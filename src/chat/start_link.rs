//! The bot's deep links, `https://t.me/<bot>?start=<payload>`: a parcel opened in the bot (from a
//! shared card, the web page or a reply's 🔗) or subscribed there, read back when Telegram delivers
//! `/start <payload>`.
//!
//! Telegram allows `A–Z a–z 0–9 _ -` in a payload, at most 64 characters. A payload is
//! `<courier>-<NUMBER>` to open and `sub-<courier>-<NUMBER>` to subscribe: courier codes never contain
//! `-` (nor is any courier called `sub`) and numbers are letters and digits, so it splits back
//! unambiguously. A phone never travels in a link: nothing here takes one.

use crate::couriers::{Courier, directory};
use crate::input::{TrackingNumber, tracking_number};

/// The most characters Telegram accepts in a start payload.
pub const MAX_PAYLOAD: usize = 64;
const SUBSCRIBE_PREFIX: &str = "sub";
/// The payload that opens the help (inline mode's hint button): `/start help` is `/help`.
pub const HELP_PAYLOAD: &str = "help";

/// What a deep link asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOp {
    Open,
    Subscribe,
}

/// A deep link's parcel, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartLink {
    pub op: LinkOp,
    pub courier: &'static Courier,
    pub number: TrackingNumber,
}

/// The payload for a parcel; `None` when it would not fit Telegram's rules.
pub fn payload(op: LinkOp, courier_code: &str, number: &str) -> Option<String> {
    let payload = match op {
        LinkOp::Open => format!("{courier_code}-{number}"),
        LinkOp::Subscribe => format!("{SUBSCRIBE_PREFIX}-{courier_code}-{number}"),
    };
    let fits = payload.len() <= MAX_PAYLOAD
        && payload.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'));
    fits.then_some(payload)
}

/// `https://t.me/<bot>?start=<payload>`, or the bot's bare link when the parcel does not fit a payload.
/// `None` for a username Telegram could not have given.
pub fn link(username: &str, op: LinkOp, courier_code: &str, number: &str) -> Option<String> {
    let username = username.trim_start_matches('@');
    let username_ok =
        (5..=32).contains(&username.len()) && username.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
    if !username_ok {
        return None;
    }
    Some(match payload(op, courier_code, number) {
        Some(payload) => format!("https://t.me/{username}?start={payload}"),
        None => format!("https://t.me/{username}"),
    })
}

/// Reads a payload back; `None` for one this bot did not write (another bot's, a typo, a courier it
/// does not know, a number the rules refuse).
pub fn parse(payload: &str) -> Option<StartLink> {
    if payload.len() > MAX_PAYLOAD {
        return None;
    }
    let (op, rest) = match payload.split_once('-') {
        Some((SUBSCRIBE_PREFIX, rest)) => (LinkOp::Subscribe, rest),
        _ => (LinkOp::Open, payload),
    };
    let (courier_code, number) = rest.split_once('-')?;
    let courier = directory().get(courier_code)?;
    let number = tracking_number(number).ok()?;
    Some(StartLink { op, courier, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_and_never_exceed_telegrams_limit() {
        let open = payload(LinkOp::Open, "shunfeng", "SF1234567890123").expect("fits");
        assert_eq!(open, "shunfeng-SF1234567890123");
        let watched = parse(&open).expect("ours");
        assert_eq!(
            (watched.op, watched.courier.code, watched.number.as_str()),
            (LinkOp::Open, "shunfeng", "SF1234567890123")
        );
        let sub = payload(LinkOp::Subscribe, "amazon_fba_swiship", "TBA123456789012").expect("fits");
        assert_eq!(
            parse(&sub).map(|link| (link.op, link.courier.code)),
            Some((LinkOp::Subscribe, "amazon_fba_swiship"))
        );
        assert_eq!(payload(LinkOp::Open, "yuantong", &"1".repeat(60)), None, "over 64");
        assert_eq!(payload(LinkOp::Open, "yuantong", "YT 1"), None, "a space is no payload character");
    }

    #[test]
    fn foreign_and_broken_payloads_are_not_ours() {
        for foreign in [
            "",
            "ref_12345",
            "yuantong",
            "nosuchcourier-YT9693083639795",
            "yuantong-YT1",
            "sub-yuantong",
            "sub--YT9693083639795",
            &"a".repeat(65),
        ] {
            assert_eq!(parse(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn links_need_a_real_username() {
        assert_eq!(
            link("kuaidi_test_bot", LinkOp::Open, "shunfeng", "SF1234567890123").as_deref(),
            Some("https://t.me/kuaidi_test_bot?start=shunfeng-SF1234567890123")
        );
        assert_eq!(
            link("@KuaidiTestBot", LinkOp::Subscribe, "yuantong", "YT9693083639795").as_deref(),
            Some("https://t.me/KuaidiTestBot?start=sub-yuantong-YT9693083639795")
        );
        assert_eq!(link("bad name", LinkOp::Open, "yuantong", "YT1"), None);
        assert_eq!(link("abc", LinkOp::Open, "yuantong", "YT1"), None);
        assert_eq!(
            link("kuaidi_test_bot", LinkOp::Open, "yuantong", &"1".repeat(60)).as_deref(),
            Some("https://t.me/kuaidi_test_bot")
        );
    }
}
