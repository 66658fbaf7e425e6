//! The parcel state table of Kuaidi100 (API doc §3).
//!
//! Kuaidi100 reports a basic state (`state`, one of ten codes) and, with `resultv2=4`, an advanced one
//! (`statusCode`, e.g. `1002` line-haul). Each advanced code belongs to the family of a basic code; the
//! family is what the bot reasons about (is it out for delivery? is it finished?), the code is what it
//! shows. Unknown codes are kept as strings by the response types and simply have no entry here.

use serde::Serialize;

/// The ten basic states; an advanced code belongs to exactly one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 0 在途
    InTransit,
    /// 1 揽收
    PickedUp,
    /// 2 疑难
    Problem,
    /// 3 签收
    Delivered,
    /// 4 退签 (returned and signed, cancelled, refused)
    Returned,
    /// 5 派件
    OutForDelivery,
    /// 6 退回
    Returning,
    /// 7 转投
    Transferred,
    /// 8 清关
    Customs,
}

impl Family {
    /// The basic state code of this family, as Kuaidi100 writes it.
    pub fn code(self) -> &'static str {
        match self {
            Family::InTransit => "0",
            Family::PickedUp => "1",
            Family::Problem => "2",
            Family::Delivered => "3",
            Family::Returned => "4",
            Family::OutForDelivery => "5",
            Family::Returning => "6",
            Family::Transferred => "7",
            Family::Customs => "8",
        }
    }

    /// A finished shipment needs no more watching: delivered, or returned/cancelled/refused.
    pub fn is_terminal(self) -> bool {
        matches!(self, Family::Delivered | Family::Returned)
    }

    /// The entry of the family's basic code in the state table.
    pub fn basic(self) -> &'static State {
        lookup(self.code()).unwrap_or(&STATES[0])
    }
}

/// One row of the state table.
#[derive(Debug, PartialEq, Eq)]
pub struct State {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub family: Family,
}

impl State {
    /// Name in the given language (`en`, else Chinese).
    pub fn name(&self, lang: &str) -> &'static str {
        if lang == "en" { self.name_en } else { self.name_zh }
    }

    pub fn is_terminal(&self) -> bool {
        self.family.is_terminal()
    }
}

const fn row(code: &'static str, name_zh: &'static str, name_en: &'static str, family: Family) -> State {
    State { code, name_zh, name_en, family }
}

/// Every code of API doc §3, basic codes first within each family.
pub static STATES: [State; 36] = [
    row("0", "在途", "In transit", Family::InTransit),
    row("1001", "到达派件城市", "Arrived in destination city", Family::InTransit),
    row("1002", "干线", "In line-haul transport", Family::InTransit),
    row("1003", "转递", "Forwarded to a new address", Family::InTransit),
    row("1", "揽收", "Picked up", Family::PickedUp),
    row("101", "已下单", "Order placed", Family::PickedUp),
    row("102", "待揽收", "Awaiting pickup", Family::PickedUp),
    row("103", "已揽收", "Picked up by courier", Family::PickedUp),
    row("5", "派件", "Out for delivery", Family::OutForDelivery),
    row("501", "投柜或驿站", "Left at a parcel locker or station", Family::OutForDelivery),
    row("3", "签收", "Delivered", Family::Delivered),
    row("301", "本人签收", "Signed by recipient", Family::Delivered),
    row("302", "派件异常后签收", "Signed after a delivery exception", Family::Delivered),
    row("303", "代签", "Signed by someone else", Family::Delivered),
    row("304", "投柜或站签收", "Picked up from locker or station", Family::Delivered),
    row("6", "退回", "Returning to sender", Family::Returning),
    row("4", "退签", "Returned and signed by sender", Family::Returned),
    row("401", "已销单", "Shipment cancelled", Family::Returned),
    row("14", "拒签", "Refused by recipient", Family::Returned),
    row("7", "转投", "Handed to another courier", Family::Transferred),
    row("2", "疑难", "Problem", Family::Problem),
    row("201", "超时未签收", "Not signed for too long", Family::Problem),
    row("202", "超时未更新", "No update for too long", Family::Problem),
    row("203", "拒收", "Recipient refuses, awaiting sender", Family::Problem),
    row("204", "派件异常", "Delivery exception", Family::Problem),
    row("205", "柜或驿站超时未取", "Not collected from locker or station", Family::Problem),
    row("206", "无法联系", "Recipient unreachable", Family::Problem),
    row("207", "超区", "Outside service area", Family::Problem),
    row("208", "滞留", "Held at the depot", Family::Problem),
    row("209", "破损", "Damaged", Family::Problem),
    row("210", "销单", "Sender cancelled", Family::Problem),
    row("8", "清关", "Customs", Family::Customs),
    row("10", "待清关", "Awaiting customs", Family::Customs),
    row("11", "清关中", "In customs clearance", Family::Customs),
    row("12", "已清关", "Cleared customs", Family::Customs),
    row("13", "清关异常", "Customs exception", Family::Customs),
];

/// The table entry of a state code (basic or advanced); `None` for codes the table does not know.
pub fn lookup(code: &str) -> Option<&'static State> {
    let code = code.trim();
    STATES.iter().find(|state| state.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_found() {
        for state in &STATES {
            assert_eq!(lookup(state.code), Some(state));
        }
        let mut codes: Vec<_> = STATES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), STATES.len());
    }

    #[test]
    fn families_and_terminal_states() {
        assert_eq!(lookup("304").map(|s| s.family), Some(Family::Delivered));
        assert_eq!(lookup("14").map(|s| s.family), Some(Family::Returned));
        assert_eq!(lookup("501").map(|s| s.family), Some(Family::OutForDelivery));
        assert_eq!(lookup("13").map(|s| s.family), Some(Family::Customs));
        assert!(lookup("3").is_some_and(State::is_terminal));
        assert!(lookup("401").is_some_and(State::is_terminal));
        assert!(!lookup("6").is_some_and(State::is_terminal), "returning is still moving");
        assert!(!lookup("2").is_some_and(State::is_terminal), "a problem may resolve");
        assert!(lookup("99").is_none());
    }

    #[test]
    fn each_family_basic_code_is_in_its_family() {
        for state in &STATES {
            assert_eq!(state.family.basic().family, state.family);
        }
        assert_eq!(lookup("1002").map(|s| s.name("en")), Some("In line-haul transport"));
        assert_eq!(lookup("1002").map(|s| s.name("zh")), Some("干线"));
    }
}
