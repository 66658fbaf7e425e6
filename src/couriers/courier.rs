//! One courier as the rest of the bot sees it: code, names in both languages, kind, phone rule.
//!
//! Everything is `&'static str` borrowed from the embedded tables, so a `Courier` is cheap to hand
//! around and the directory never copies names. The short Chinese name is derived, not stored: it is a
//! prefix of the full name, so it can borrow from it too.

/// Kuaidi100's three courier types (公司类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CourierKind {
    /// 国内运输商: a domestic Chinese carrier.
    Domestic,
    /// 国际运输商: an international carrier.
    International,
    /// 国际邮政: a national postal service.
    Postal,
}

impl CourierKind {
    /// The kind named by Kuaidi100's Chinese type label, if it is one of the three.
    pub fn from_label(label: &str) -> Option<Self> {
        match label {
            "国内运输商" => Some(Self::Domestic),
            "国际运输商" => Some(Self::International),
            "国际邮政" => Some(Self::Postal),
            _ => None,
        }
    }
}

/// Couriers whose queries need a phone number (api doc §6).
pub const PHONE_REQUIRED: [&str; 4] = ["shunfeng", "shunfengkuaiyun", "zhongtong", "fengwang"];

/// Suffixes that [`Courier::short_name_zh`] removes: they say "express / logistics company" and people
/// leave them out (`圆通` for 圆通速递, `京东` for 京东物流). `快运` (freight) and `国际` (international) are
/// deliberately kept: 顺丰快运 and 中通快运 are other couriers than 顺丰速运 and 中通快递, as is 中通国际,
/// and stripping them would make `顺丰` or `中通` mean two things.
pub const ZH_SUFFIXES: [&str; 5] = ["速递", "快递", "速运", "物流", "供应链"];

/// `name` without one of the [`ZH_SUFFIXES`], if what remains still has at least two characters.
pub fn strip_zh_suffix(name: &str) -> Option<&str> {
    ZH_SUFFIXES.iter().find_map(|suffix| name.strip_suffix(suffix).filter(|rest| rest.chars().count() >= 2))
}

/// A courier from Kuaidi100's code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Courier {
    /// Kuaidi100's code, lower case, e.g. `"yuantong"`.
    pub code: &'static str,
    /// The full Chinese name from the code table, e.g. `"圆通速递"`.
    pub name_zh: &'static str,
    /// The common English brand name, e.g. `"YTO Express"`, for the couriers that have one.
    pub name_en: Option<&'static str>,
    /// Short names people type (`yto`, `圆通`), as written in the English-names table.
    pub aliases: Vec<&'static str>,
    pub kind: CourierKind,
    /// Kuaidi100 answers 408 for this courier unless a phone number is sent.
    pub needs_phone: bool,
    /// Row in the code table, which is roughly by popularity: 0 is the most used courier.
    pub rank: usize,
}

impl Courier {
    /// The name in `lang`: for `"en"` (or `en-…`) the English name if there is one, else the Chinese
    /// name; for any other language the Chinese name.
    pub fn name(&self, lang: &str) -> &'static str {
        let english = lang.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("en"))
            && matches!(lang.as_bytes().get(2), None | Some(b'-' | b'_'));
        match self.name_en {
            Some(name) if english => name,
            _ => self.name_zh,
        }
    }

    /// The Chinese name without a generic suffix from [`ZH_SUFFIXES`]: 圆通速递 → 圆通, 顺丰速运 → 顺丰,
    /// 京东物流 → 京东; but 顺丰快运 stays 顺丰快运 (a different courier from 顺丰), and names without such
    /// a suffix (丹鸟, EMS) stay whole.
    pub fn short_name_zh(&self) -> &'static str {
        strip_zh_suffix(self.name_zh).unwrap_or(self.name_zh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn courier(code: &'static str, name_zh: &'static str, name_en: Option<&'static str>) -> Courier {
        Courier {
            code,
            name_zh,
            name_en,
            aliases: Vec::new(),
            kind: CourierKind::Domestic,
            needs_phone: false,
            rank: 0,
        }
    }

    #[test]
    fn kind_labels() {
        assert_eq!(CourierKind::from_label("国内运输商"), Some(CourierKind::Domestic));
        assert_eq!(CourierKind::from_label("国际运输商"), Some(CourierKind::International));
        assert_eq!(CourierKind::from_label("国际邮政"), Some(CourierKind::Postal));
        assert_eq!(CourierKind::from_label("其他"), None);
    }

    #[test]
    fn name_picks_english_only_for_english() {
        let yto = courier("yuantong", "圆通速递", Some("YTO Express"));
        assert_eq!(yto.name("en"), "YTO Express");
        assert_eq!(yto.name("EN"), "YTO Express");
        assert_eq!(yto.name("en-US"), "YTO Express");
        assert_eq!(yto.name("zh"), "圆通速递");
        assert_eq!(yto.name(""), "圆通速递");
        assert_eq!(yto.name("eng"), "圆通速递");
        let danniao = courier("x", "某某快递", None);
        assert_eq!(danniao.name("en"), "某某快递");
    }

    #[test]
    fn short_names() {
        let short = |name| courier("x", name, None).short_name_zh();
        assert_eq!(short("圆通速递"), "圆通");
        assert_eq!(short("顺丰速运"), "顺丰");
        assert_eq!(short("中通快递"), "中通");
        assert_eq!(short("京东物流"), "京东");
        assert_eq!(short("九曳供应链"), "九曳");
        // Freight and international lines keep their suffix: they are other couriers.
        assert_eq!(short("顺丰快运"), "顺丰快运");
        assert_eq!(short("中通国际"), "中通国际");
        // Nothing to strip, or too little would remain.
        assert_eq!(short("丹鸟"), "丹鸟");
        assert_eq!(short("EMS"), "EMS");
        assert_eq!(short("汇快递"), "汇快递");
    }
}
