//! Guessing the courier from the shape of a tracking number (api doc §7), offline and for free.
//!
//! Each rule is one line of data: the couriers it suggests (in preference order) and the shape as a
//! short list of parts — literal text, one of a few characters, or a run of digits/letters of a given
//! length. The shapes are simple enough that a hand-written backtracking matcher is clearer than a regex
//! dependency. Matching ignores case (numbers are upper-cased first).
//!
//! A number can fit several rules (`43` + 13 digits fits both shentong and yunda), so guesses are
//! ranked by the **specificity** of the rule that matched — 2 points per literal character, 1 per
//! position restricted to a handful of characters, nothing for "any digit" — then by the order within
//! the rule, then by popularity. These are only guesses: the caller confirms before trusting them and
//! never overrides a courier the user chose.

use std::cmp::Reverse;

use super::courier::Courier;
use super::directory::Directory;
use crate::input::tracking_number;

/// One piece of a number shape.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// This exact (upper-case) text.
    Lit(&'static str),
    /// Any one of these texts (all of one length).
    Either(&'static [&'static str]),
    /// `min..=max` characters, each in the class.
    Run(Class, usize, usize),
}

#[derive(Debug, Clone, Copy)]
enum Class {
    Digit,
    Letter,
    Alnum,
    /// One of these characters (a handful).
    OneOf(&'static str),
}

impl Class {
    fn contains(self, c: u8) -> bool {
        match self {
            Class::Digit => c.is_ascii_digit(),
            Class::Letter => c.is_ascii_uppercase(),
            Class::Alnum => c.is_ascii_digit() || c.is_ascii_uppercase(),
            Class::OneOf(set) => set.as_bytes().contains(&c),
        }
    }
}

/// A number shape and the couriers that use it, preferred first.
#[derive(Debug)]
struct Rule {
    couriers: &'static [&'static str],
    parts: &'static [Part],
}

use Class::{Alnum, Digit, Letter, OneOf};
use Part::{Either, Lit, Run};

const fn digits(n: usize) -> Part {
    Run(Digit, n, n)
}

/// The heuristics of api doc §7, one rule per line.
#[rustfmt::skip]
const RULES: &[Rule] = &[
    Rule { couriers: &["shunfeng"], parts: &[Lit("SF"), Run(Alnum, 1, 1), digits(12)] },
    Rule { couriers: &["yuantong"], parts: &[Lit("YT"), digits(13)] },
    Rule { couriers: &["jtexpress"], parts: &[Lit("JT"), digits(13)] },
    Rule { couriers: &["jd"], parts: &[Lit("JD"), Run(Alnum, 2, 2), digits(11)] },
    Rule { couriers: &["zhongtong"], parts: &[Lit("7"), Run(OneOf("34568"), 1, 1), digits(12)] },
    Rule { couriers: &["shentong"], parts: &[Either(&["77", "43"]), Run(Digit, 12, 15)] },
    Rule { couriers: &["yunda"], parts: &[Run(OneOf("34"), 1, 1), digits(14)] },
    Rule { couriers: &["yunda"], parts: &[Lit("5"), digits(12)] },
    Rule { couriers: &["ems", "youzhengguonei"], parts: &[Run(OneOf("981"), 1, 1), digits(12)] },
    Rule { couriers: &["ems", "youzhengguoji", "emsguoji"], parts: &[Run(Letter, 2, 2), digits(9), Run(Letter, 2, 2)] },
    Rule { couriers: &["debangkuaidi"], parts: &[Lit("DPK"), digits(12)] },
];

/// Where a guess sorts, best first: highest specificity, then earliest in its rule, then most popular.
type Place = (Reverse<usize>, usize, usize);

/// Classes of at most this many characters count as restricting a position.
const NARROW_CLASS: usize = 5;

impl Rule {
    fn matches(&self, number: &[u8]) -> bool {
        match_parts(self.parts, number)
    }

    fn specificity(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match *part {
                Lit(text) => 2 * text.len(),
                // Two or more alternatives pin a little less than a literal.
                Either(texts) => (2 * texts.first().map_or(0, |t| t.len())).saturating_sub(1),
                Run(OneOf(set), min, _) if set.len() <= NARROW_CLASS => min,
                Run(..) => 0,
            })
            .sum()
    }
}

/// Backtracking match of `parts` against the whole of `rest`.
fn match_parts(parts: &[Part], rest: &[u8]) -> bool {
    let Some((part, tail)) = parts.split_first() else {
        return rest.is_empty();
    };
    match *part {
        Lit(text) => rest.strip_prefix(text.as_bytes()).is_some_and(|rest| match_parts(tail, rest)),
        Either(texts) => {
            texts.iter().any(|text| rest.strip_prefix(text.as_bytes()).is_some_and(|rest| match_parts(tail, rest)))
        }
        Run(class, min, max) => {
            let run = rest.iter().take(max).take_while(|&&c| class.contains(c)).count();
            (min..=run).rev().any(|n| match_parts(tail, &rest[n..]))
        }
    }
}

impl Directory {
    /// Couriers whose number shape fits `number`, most likely first; empty if no shape fits or the
    /// number is not a valid tracking number. Spaces, dashes, full-width characters and case are
    /// normalized as for [`crate::input::tracking_number`].
    pub fn guess_by_number(&self, number: &str) -> Vec<&Courier> {
        let Ok(number) = tracking_number(number) else {
            return Vec::new();
        };
        let bytes = number.as_str().as_bytes();
        let mut guesses: Vec<(Place, &Courier)> = Vec::new();
        for rule in RULES.iter().filter(|rule| rule.matches(bytes)) {
            let specificity = rule.specificity();
            for (position, code) in rule.couriers.iter().enumerate() {
                if let Some(courier) = self.get(code) {
                    guesses.push(((Reverse(specificity), position, courier.rank), courier));
                }
            }
        }
        guesses.sort_by_key(|g| g.0);
        // A courier matched by several rules keeps its best place.
        let mut ranked: Vec<&Courier> = Vec::with_capacity(guesses.len());
        for (_, courier) in guesses {
            if !ranked.iter().any(|c| c.code == courier.code) {
                ranked.push(courier);
            }
        }
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::super::directory::directory;
    use super::*;

    fn guess(number: &str) -> Vec<&'static str> {
        directory().guess_by_number(number).iter().map(|c| c.code).collect()
    }

    #[test]
    fn every_rule_names_real_couriers() {
        for rule in RULES {
            for code in rule.couriers {
                assert!(directory().get(code).is_some(), "{code}");
            }
        }
    }

    #[test]
    fn each_pattern_positive_and_negative() {
        let cases: &[(&str, &[&str])] = &[
            ("SF1234567890123", &["shunfeng"]),
            ("SFA123456789012", &["shunfeng"]),
            ("SF123456789012", &[]),   // one digit short
            ("SF12345678901234", &[]), // one digit long
            ("YT1234567890123", &["yuantong"]),
            ("YT123456789012", &[]),
            ("JT1234567890123", &["jtexpress"]),
            ("JT12345678901A3", &[]),
            ("JDVA12345678901", &["jd"]),
            ("JD0012345678901", &["jd"]),
            ("JDVA1234567890", &[]),
            ("73123456789012", &["zhongtong"]),
            ("78123456789012", &["zhongtong"]),
            ("77123456789012", &["shentong"]), // 77 is shentong's, not zhongtong's
            ("72123456789012", &[]),
            ("7312345678901", &[]),
            ("77123456789012345", &["shentong"]), // 17 digits, the longest
            ("771234567890", &[]),                // 12 digits, too short for any rule
            ("431234567890123456", &[]),          // 18 digits, too long
            ("312345678901234", &["yunda"]),
            ("5123456789012", &["yunda"]),
            ("512345678901", &[]),
            ("212345678901234", &[]),
            ("9123456789012", &["ems", "youzhengguonei"]),
            ("1123456789012", &["ems", "youzhengguonei"]),
            ("2123456789012", &[]),
            ("EA123456789CN", &["ems", "youzhengguoji", "emsguoji"]),
            ("RR123456789DE", &["ems", "youzhengguoji", "emsguoji"]),
            ("EA12345678CN", &[]),
            ("E1123456789CN", &[]),
            ("DPK123456789012", &["debangkuaidi"]),
            ("DPK12345678901", &[]),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter(|(number, expected)| guess(number) != *expected)
            .map(|(number, expected)| format!("{number}: expected {expected:?}, got {:?}", guess(number)))
            .collect();
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn overlapping_rules_rank_the_more_specific_first() {
        // `43` + 13 digits: shentong's two fixed digits beat yunda's one restricted digit.
        assert_eq!(guess("431234567890123"), ["shentong", "yunda"]);
        // `44…` fits only yunda.
        assert_eq!(guess("441234567890123"), ["yunda"]);
    }

    #[test]
    fn input_is_normalized_first() {
        assert_eq!(guess("sf1234567890123"), ["shunfeng"]);
        assert_eq!(guess("yt 1234 5678 9012 3"), ["yuantong"]);
        assert_eq!(guess("ＤＰＫ１２３４５６７８９０１２"), ["debangkuaidi"]);
        assert_eq!(guess("ea123456789cn"), ["ems", "youzhengguoji", "emsguoji"]);
        assert!(guess("").is_empty());
        assert!(guess("YT#1234567890123").is_empty());
    }

    #[test]
    fn specificity_scores() {
        let score = |code: &str| RULES.iter().filter(|r| r.couriers[0] == code).map(Rule::specificity).max();
        assert_eq!(score("debangkuaidi"), Some(6));
        assert_eq!(score("shunfeng"), Some(4));
        assert_eq!(score("zhongtong"), Some(3));
        assert_eq!(score("shentong"), Some(3));
        assert_eq!(score("yunda"), Some(2));
        assert_eq!(score("ems"), Some(1));
    }
}
