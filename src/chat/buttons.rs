//! Button payloads: what a button does, to which parcel, within Telegram's 64 bytes whatever the
//! courier or number. The keyboards (`keyboards.rs`) encode them, the router decodes them.
//!
//! A payload is `<op>:<courier rank>:<number>`: the op is one letter, the courier is its row in the
//! directory (at most 4 digits, where a code could be 20 letters), and a number is at most 32 ASCII
//! characters — 39 bytes at worst. Nothing personal (no phone) ever goes into a payload, because every
//! member of a group can read them.

use crate::couriers::{Courier, directory};
use crate::input::{TrackingNumber, tracking_number};

/// What a button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Refresh, showing the latest lines.
    Refresh,
    /// Refresh, keeping every line shown.
    RefreshAll,
    /// Show every line (no upstream query).
    ShowAll,
    /// Show the latest lines only (no upstream query).
    ShowLess,
    /// Track with this courier, in a new message (a suggestion, a detected candidate, a /list entry).
    Track,
    /// Subscribe this chat, then show the parcel reply with 🔕.
    Subscribe,
    /// Unsubscribe this chat, then show the parcel reply with 🔔.
    Unsubscribe,
    /// Unsubscribe from a list or a notification: the message stays as it is.
    UnsubscribeQuiet,
    /// 🏷: ask for this chat's name for the parcel.
    Label,
}

impl Op {
    fn letter(self) -> char {
        match self {
            Op::Refresh => 'r',
            Op::RefreshAll => 'R',
            Op::ShowAll => 'a',
            Op::ShowLess => 'l',
            Op::Track => 't',
            Op::Subscribe => 's',
            Op::Unsubscribe => 'u',
            Op::UnsubscribeQuiet => 'x',
            Op::Label => 'n',
        }
    }

    fn from_letter(letter: &str) -> Option<Self> {
        Some(match letter {
            "r" => Op::Refresh,
            "R" => Op::RefreshAll,
            "a" => Op::ShowAll,
            "l" => Op::ShowLess,
            "t" => Op::Track,
            "s" => Op::Subscribe,
            "u" => Op::Unsubscribe,
            "x" => Op::UnsubscribeQuiet,
            "n" => Op::Label,
            _ => return None,
        })
    }
}

/// A decoded payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub op: Op,
    pub courier: &'static Courier,
    pub number: TrackingNumber,
}

pub fn encode(op: Op, courier: &Courier, number: &str) -> String {
    format!("{}:{}:{}", op.letter(), courier.rank, number)
}

/// Reads a payload; anything malformed (old buttons, forged data) is `None`. The number is checked
/// again like a typed one, since anyone can send any payload.
pub fn decode(data: &str) -> Option<Payload> {
    let mut parts = data.splitn(3, ':');
    let op = Op::from_letter(parts.next()?)?;
    let rank: usize = parts.next()?.parse().ok()?;
    let number = parts.next()?;
    let courier = directory().by_rank(rank)?;
    let number = tracking_number(number).ok()?;
    Some(Payload { op, courier, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_within_64_bytes() {
        let longest_rank = directory().iter().map(|courier| courier.rank).max().unwrap_or(0);
        let longest = directory().iter().find(|courier| courier.rank == longest_rank).expect("a courier");
        let number = "A".repeat(32);
        for op in [
            Op::Refresh,
            Op::RefreshAll,
            Op::ShowAll,
            Op::ShowLess,
            Op::Track,
            Op::Subscribe,
            Op::Unsubscribe,
            Op::UnsubscribeQuiet,
            Op::Label,
        ] {
            let data = encode(op, longest, &number);
            assert!(data.len() <= 64, "{data} is {} bytes", data.len());
            let payload = decode(&data).expect("decodes");
            assert_eq!(
                (payload.op, payload.courier.code, payload.number.as_str()),
                (op, longest.code, number.as_str())
            );
        }
        let yto = directory().get("yuantong").expect("yuantong");
        assert_eq!(decode(&encode(Op::Refresh, yto, "YT9693083639795")).map(|p| p.courier.code), Some("yuantong"));
    }

    #[test]
    fn malformed_payloads_are_refused() {
        for data in [
            "",
            "z:0:YT9693083639795",
            "r:99999:YT9693083639795",
            "r:abc:YT9693083639795",
            "r:0:12",
            "r:0",
            "r:0:<b>oops</b>",
        ] {
            assert_eq!(decode(data), None, "{data}");
        }
    }
}
