//! Button payloads: what a button does, to which parcel, within Telegram's 64 bytes whatever the
//! courier or number. The keyboards (`keyboards.rs`) encode them, the router decodes them.
//!
//! A payload is `<op>:<courier rank>:<number>`: the op is one letter, the courier is its row in the
//! directory (at most 4 digits, where a code could be 20 letters), and a number is at most 32 ASCII
//! characters — 39 bytes at worst. Nothing personal (no phone) ever goes into a payload, because every
//! member of a group can read them.
//!
//! `/forget`'s two buttons are about the chat, not a parcel: `f:y:<user id>` (confirm) and
//! `f:n:<user id>` (cancel), the id of the user who asked — the one who may answer (a Telegram user
//! id, which every member of the group already sees beside the message). See [`ForgetPress`].

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

/// A press on one of `/forget`'s buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForgetPress {
    /// Delete (else: keep everything).
    pub confirm: bool,
    /// The user who sent `/forget`.
    pub asked_by: i64,
}

pub fn encode_forget(press: ForgetPress) -> String {
    format!("f:{}:{}", if press.confirm { 'y' } else { 'n' }, press.asked_by)
}

/// Reads a `/forget` button's payload; anything else is `None`.
pub fn decode_forget(data: &str) -> Option<ForgetPress> {
    let mut parts = data.splitn(3, ':');
    if parts.next()? != "f" {
        return None;
    }
    let confirm = match parts.next()? {
        "y" => true,
        "n" => false,
        _ => return None,
    };
    let asked_by = parts.next()?.parse().ok()?;
    Some(ForgetPress { confirm, asked_by })
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
    fn forget_payloads_round_trip_and_are_not_parcel_payloads() {
        for press in [ForgetPress { confirm: true, asked_by: 42 }, ForgetPress { confirm: false, asked_by: i64::MAX }] {
            let data = encode_forget(press);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(decode_forget(&data), Some(press));
            assert_eq!(decode(&data), None);
        }
        for data in ["f:y:", "f:x:42", "f:y:abc", "f::42", "r:0:YT9693083639795"] {
            assert_eq!(decode_forget(data), None, "{data}");
        }
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
