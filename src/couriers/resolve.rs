//! From what a person typed (`圆通`, `YTO`, `sf`, `yuantong`) to one courier — or an honest "which one?".
//!
//! The typed text is folded to a match key (case, full-width, spaces) and looked up level by level, the
//! first level with a hit deciding:
//! 1. Kuaidi100 code (`yuantong`, `ems`, `jd`);
//! 2. alias from the English-names table (`sf`, `yto`, `顺丰`, `j&t`);
//! 3. English name (`SF Express`);
//! 4. Chinese name, full (`圆通速递`) or short (`圆通`, see [`Courier::short_name_zh`]);
//! 5. a part of a composite name (`Japan Post` of `日本（Japan Post）`);
//! 6. the input with a generic suffix removed, levels 1–5 again (`圆通快递` → `圆通`, `EMS快递` → `ems`).
//!
//! Codes, aliases and English names are curated to mean one courier. Chinese names are not: short
//! names collide, and Kuaidi100 itself calls Deppon freight just `德邦`, which is also the short name of
//! the more popular 德邦快递. So at level 4 an exact full name wins only when its courier is also the
//! most popular candidate; otherwise the answer is [`Resolution::Ambiguous`] and the user picks — a
//! wrong guess would spend a paid query on the wrong courier. When nothing matches, up to three
//! similarly spelled couriers are suggested (see `similarity.rs`), popular ones first among equals.

use super::courier::{Courier, strip_zh_suffix};
use super::directory::{Directory, Level};
use super::key::match_key;
use super::similarity::similarity;

/// Most couriers offered when the input is ambiguous.
pub const AMBIGUOUS_LIMIT: usize = 5;
/// Most couriers suggested for an unknown input.
pub const SUGGESTION_LIMIT: usize = 3;
/// Weight of popularity in suggestion ranking: the most popular courier gets this much added to its
/// similarity (0–1), the least popular nothing. Small, so it only orders near-equal candidates.
pub(super) const POPULARITY_WEIGHT: f64 = 0.03;

/// What a typed courier name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// Exactly one courier is meant.
    Found(&'a Courier),
    /// Several couriers fit equally well, most popular first (at most [`AMBIGUOUS_LIMIT`]).
    Ambiguous(Vec<&'a Courier>),
    /// Nothing fits; these are spelled similarly, best first (at most [`SUGGESTION_LIMIT`], maybe none).
    Unknown { suggestions: Vec<&'a Courier> },
}

impl Directory {
    /// Resolves a courier name typed by a person (see the module documentation for the rules).
    pub fn resolve(&self, input: &str) -> Resolution<'_> {
        let key = match_key(input);
        if key.is_empty() {
            return Resolution::Unknown { suggestions: Vec::new() };
        }
        if let Some(found) = self.exact(&key) {
            return found;
        }
        if let Some(found) = strip_zh_suffix(&key).and_then(|short| self.exact(short)) {
            return found;
        }
        Resolution::Unknown { suggestions: self.similar(&key, SUGGESTION_LIMIT) }
    }

    /// The one courier `input` names exactly (levels 1–6), without looking for similar spellings:
    /// for reading courier words out of running text, where most words name no courier and a guess
    /// would be worse than none. Ambiguous names give `None` too.
    pub fn named(&self, input: &str) -> Option<&Courier> {
        let key = match_key(input);
        if key.is_empty() {
            return None;
        }
        let found = self.exact(&key).or_else(|| strip_zh_suffix(&key).and_then(|short| self.exact(short)));
        match found {
            Some(Resolution::Found(courier)) => Some(courier),
            _ => None,
        }
    }

    /// Levels 1–5 for one key.
    fn exact(&self, key: &str) -> Option<Resolution<'_>> {
        for level in [Level::Code, Level::Alias, Level::English] {
            if let Some(found) = self.decide(self.lookup(level, key).to_vec()) {
                return Some(found);
            }
        }
        let full = self.lookup(Level::FullName, key);
        let mut candidates = full.to_vec();
        candidates.extend_from_slice(self.lookup(Level::ShortName, key));
        candidates.sort_unstable();
        candidates.dedup();
        if let ([exact], Some(&first)) = (full, candidates.first())
            && *exact == first
        {
            return Some(Resolution::Found(&self.couriers[first]));
        }
        self.decide(candidates).or_else(|| self.decide(self.lookup(Level::NamePart, key).to_vec()))
    }

    /// One candidate is found, several are ambiguous (most popular first), none is no decision.
    /// `candidates` are positions in the table, which is in rank order.
    fn decide(&self, mut candidates: Vec<usize>) -> Option<Resolution<'_>> {
        candidates.sort_unstable();
        candidates.dedup();
        match candidates.as_slice() {
            [] => None,
            [one] => Some(Resolution::Found(&self.couriers[*one])),
            many => {
                Some(Resolution::Ambiguous(many.iter().take(AMBIGUOUS_LIMIT).map(|&i| &self.couriers[i]).collect()))
            }
        }
    }

    /// Couriers with a name spelled like `key`, best first, popularity breaking near-ties.
    pub(super) fn similar(&self, key: &str, limit: usize) -> Vec<&Courier> {
        let mut scored: Vec<(f64, usize)> = self
            .keys
            .iter()
            .enumerate()
            .filter_map(|(i, keys)| {
                let best = keys.iter().filter_map(|(_, k)| similarity(key, k)).fold(None, max_f64)?;
                Some((best + self.popularity(i), i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(limit).map(|(_, i)| &self.couriers[i]).collect()
    }

    /// The popularity bonus of the courier at position `i`.
    fn popularity(&self, i: usize) -> f64 {
        let len = self.couriers.len().max(1) as f64;
        POPULARITY_WEIGHT * (1.0 - i as f64 / len)
    }
}

fn max_f64(best: Option<f64>, score: f64) -> Option<f64> {
    Some(best.map_or(score, |b| b.max(score)))
}

#[cfg(test)]
mod tests {
    use super::super::directory::directory;
    use super::*;

    /// The codes a resolution points at: one for Found, several for Ambiguous, `?` + suggestions for
    /// Unknown — compact enough to table many cases.
    fn codes(input: &str) -> String {
        match directory().resolve(input) {
            Resolution::Found(c) => c.code.to_owned(),
            Resolution::Ambiguous(cs) => {
                let codes: Vec<&str> = cs.iter().map(|c| c.code).collect();
                format!("ambiguous:{}", codes.join(","))
            }
            Resolution::Unknown { suggestions } => {
                let codes: Vec<&str> = suggestions.iter().map(|c| c.code).collect();
                format!("?{}", codes.join(","))
            }
        }
    }

    fn check(cases: &[(&str, &str)]) {
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|&(input, expected)| {
                let got = codes(input);
                (got != expected).then(|| format!("{input:?}: expected {expected}, got {got}"))
            })
            .collect();
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn codes_in_any_case() {
        check(&[
            ("yuantong", "yuantong"),
            ("YuanTong", "yuantong"),
            ("  YUANTONG  ", "yuantong"),
            ("shunfeng", "shunfeng"),
            ("shunfengkuaiyun", "shunfengkuaiyun"),
            ("debangwuliu", "debangwuliu"),
            ("huitongkuaidi", "huitongkuaidi"),
            ("ups", "ups"),
            ("UPS", "ups"),
            ("ems", "ems"),
            ("jd", "jd"),
            ("dhl", "dhl"),
            // A code beats an alias: `chinapost` is also listed as an alias of youzhengguonei.
            ("chinapost", "chinapost"),
        ]);
    }

    #[test]
    fn aliases() {
        check(&[
            ("sf", "shunfeng"),
            ("SF", "shunfeng"),
            ("顺丰", "shunfeng"),
            ("yto", "yuantong"),
            ("YTO", "yuantong"),
            ("zto", "zhongtong"),
            ("j&t", "jtexpress"),
            ("J&T", "jtexpress"),
            ("jnt", "jtexpress"),
            ("极兔", "jtexpress"),
            ("EMS", "ems"),
            ("京东", "jd"),
            ("百世", "huitongkuaidi"),
            ("汇通", "huitongkuaidi"),
            ("sf freight", "shunfengkuaiyun"),
            ("SF Freight", "shunfengkuaiyun"),
            ("deppon", "debangkuaidi"),
            ("ups global", "upsen"),
            ("4px", "disifang"),
            ("丰网", "fengwang"),
        ]);
    }

    #[test]
    fn english_names() {
        check(&[
            ("SF Express", "shunfeng"),
            ("yto express", "yuantong"),
            ("YTOExpress", "yuantong"),
            ("J&T Express", "jtexpress"),
            ("China Post Parcel", "youzhengguonei"),
            ("Deppon Logistics", "debangwuliu"),
            ("JD Freight", "jingdongkuaiyun"),
            ("FedEx International", "fedex"),
        ]);
    }

    #[test]
    fn chinese_full_and_short_names() {
        check(&[
            ("圆通速递", "yuantong"),
            ("圆通", "yuantong"),
            ("中通快递", "zhongtong"),
            ("中通", "zhongtong"),
            ("韵达", "yunda"),
            ("申通", "shentong"),
            ("顺丰速运", "shunfeng"),
            ("顺丰快运", "shunfengkuaiyun"),
            ("京东快运", "jingdongkuaiyun"),
            ("京东物流", "jd"),
            ("中通快运", "zhongtongkuaiyun"),
            ("中通国际", "zhongtongguoji"),
            ("百世快递", "huitongkuaidi"),
            ("百世快运", "baishiwuliu"),
            ("德邦快递", "debangkuaidi"),
            ("德邦物流", "debangwuliu"),
            ("跨越", "kuayue"),
            ("日日顺", "rrs"),
            ("英国(大包,EMS)", "england"),
            ("EMS-国际件", "emsguoji"),
        ]);
    }

    #[test]
    fn other_suffix_and_name_parts() {
        check(&[
            ("圆通快递", "yuantong"),
            ("申通速递", "shentong"),
            ("顺丰快递", "shunfeng"),
            ("EMS快递", "ems"),
            // A part of 日本（Japan Post）, but first of all the code of 日本郵便.
            ("Japan Post", "japanpost"),
            ("Swiss Post", "swisspost"),
            ("Ninja Van", "ninjavan"),
            // Two postal services, Chinese and English variants of one.
            ("HongKong Post", "ambiguous:hkpost,hkposten"),
        ]);
    }

    #[test]
    fn full_width_input() {
        check(&[
            ("ＹＵＡＮＴＯＮＧ", "yuantong"),
            ("ｓｆ", "shunfeng"),
            ("\u{3000}ＥＭＳ\u{3000}", "ems"),
            ("Ｊ＆Ｔ", "jtexpress"),
        ]);
    }

    #[test]
    fn ambiguous_names() {
        check(&[
            // Kuaidi100's full name of Deppon freight is the short name of the more popular Deppon Express.
            ("德邦", "ambiguous:debangkuaidi,debangwuliu"),
            // Two couriers share a short name.
            ("快捷", "ambiguous:kuaijiesudi,kuaijiewuliu"),
            // Three postal services share one Chinese name.
            ("卢森堡(Luxembourg Post)", "ambiguous:luxembourg,luxembourgde,luxembourgfr"),
        ]);
        check(&[("全球", "ambiguous:pdstow,global99"), ("西邮寄", "ambiguous:xyjexpress,xipost")]);
    }

    #[test]
    fn ambiguity_is_capped_and_ordered_by_popularity() {
        match directory().decide(vec![9, 3, 7, 1, 3, 8, 2, 6, 5]) {
            Some(Resolution::Ambiguous(cs)) => {
                let ranks: Vec<usize> = cs.iter().map(|c| c.rank).collect();
                assert_eq!(ranks, vec![1, 2, 3, 5, 6]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn typos_get_suggestions() {
        check(&[
            ("yuantog", "?yuantong,yuantongguoji"),
            ("shunfneg", "?shunfeng,shunfenghk,shunfengnl"),
            ("zhongtng", "?zhongtong,zhongtongguoji,zhongtongkuaiyun"),
            ("fedx", "?fedex,fedexcn,fedexus"),
            ("圆同", "?yuantong"),
            ("申同", "?shentong"),
            ("韵答", "?yunda"),
            ("顺风", "?shunfeng,shunfenghk,shunfengnl"),
            // Starts with a whole code / is how a name starts.
            ("zhongtong express", "?zhongtong,zhongyouex,htongexpress"),
            ("圆通快递员", "?yuantong,shentong,zhongtong"),
            ("中铁", "?ztky,zhongtiewuliu,ztwlgyl"),
        ]);
    }

    #[test]
    fn named_is_exact_only() {
        let named = |input: &str| directory().named(input).map(|c| c.code);
        assert_eq!(named("圆通速递"), Some("yuantong"));
        assert_eq!(named("中通快递"), Some("zhongtong"));
        assert_eq!(named("SF Express"), Some("shunfeng"));
        assert_eq!(named("圆同"), None, "no similar spellings");
        assert_eq!(named("德邦"), None, "nor ambiguous names");
        assert_eq!(named(""), None);
    }

    #[test]
    fn nonsense_gets_few_or_no_suggestions() {
        for input in ["xyzzy123", "qqqqqqqq", "火星快递公司总部"] {
            match directory().resolve(input) {
                Resolution::Unknown { suggestions } => {
                    assert!(suggestions.len() <= 1, "{input}: {suggestions:?}")
                }
                other => panic!("{input}: {other:?}"),
            }
        }
        assert_eq!(codes(""), "?");
        assert_eq!(codes("   "), "?");
        assert_eq!(codes("x"), "?");
    }
}
