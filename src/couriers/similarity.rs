//! How alike a typed name and a courier name are, for suggestions after a typo.
//!
//! Two measures from `strsim`, because typos come in two shapes: Damerau–Levenshtein distance catches
//! a wrong, missing or swapped letter anywhere (`shunfneg`, `圆同`), Jaro–Winkler catches a long shared
//! prefix with a mangled tail (`zhongtng` for `zhongtong`). A candidate counts only if it is
//! within a small number of edits *or* very Jaro–Winkler-close *or* one is a prefix of the other
//! (`zhongtong express` → `zhongtong`, `中铁` → `中铁快运`); otherwise nonsense like `xyzzy123`
//! would get three random "suggestions". The edit budget grows with the length of the input, and a
//! Chinese character weighs as much as two Latin letters (one character of a two-character name is
//! half of it, but a mistyped `圆同` still deserves `圆通`).

use strsim::{damerau_levenshtein, jaro_winkler};

/// Jaro–Winkler similarity at or above which a candidate counts regardless of edit distance.
const JARO_WINKLER_MIN: f64 = 0.88;

/// When the input starts with a name or a name starts with the input, the pair scores at least this
/// (more the more of the longer one the shorter covers)...
const PREFIX_SCORE: f64 = 0.95;
/// ...if the shorter weighs at least this much (two Chinese characters, four letters).
const MIN_PREFIX_WEIGHT: usize = 4;

/// Inputs lighter than this (one Chinese character, two letters) get no fuzzy matches at all.
const MIN_WEIGHT: usize = 3;

/// How similar `query` is to `key` (both in match-key form), from 0 to 1, or `None` if too dissimilar
/// to suggest.
pub(super) fn similarity(query: &str, key: &str) -> Option<f64> {
    let weight = weight(query);
    if weight < MIN_WEIGHT {
        return None;
    }
    let budget = (weight / 4).max(1);
    let key_weight = self::weight(key);
    let (shorter, longer) = (weight.min(key_weight), weight.max(key_weight));
    let prefix = shorter >= MIN_PREFIX_WEIGHT && (query.starts_with(key) || key.starts_with(query));
    let (query_len, key_len) = (query.chars().count(), key.chars().count());
    let longest = query_len.max(key_len).max(1);
    // Cheap bounds before the quadratic measures: the edit distance is at least the difference in
    // length, and Jaro–Winkler stays under its threshold when one string is under 40 % of the other's
    // length (Jaro ≤ (short/long + 2)/3 < 0.8). A pasted paragraph where a courier's name was expected
    // is dismissed at once instead of being measured against every name of the table.
    if !prefix && query_len.abs_diff(key_len) > budget && query_len.min(key_len) * 5 < longest * 2 {
        return None;
    }
    let jw = jaro_winkler(query, key);
    let distance = damerau_levenshtein(query, key);
    let mut score = jw.max(1.0 - distance as f64 / longest as f64);
    if prefix {
        // `zhongtong express` starts with a whole name, `中铁` is how 中铁快运 begins: likely meant.
        score = score.max(PREFIX_SCORE + (1.0 - PREFIX_SCORE) * shorter as f64 / longer as f64);
    } else if distance > budget && jw < JARO_WINKLER_MIN {
        return None;
    }
    Some(score)
}

/// Length with non-ASCII (Chinese) characters counted twice.
fn weight(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_input_is_dismissed_without_measuring_it() {
        // Found by the fuzzer (text target): a message with a long word where the courier goes was
        // measured against every courier name with two quadratic measures, the slowest path of all.
        let long = "x".repeat(4_000);
        let started = std::time::Instant::now();
        for _ in 0..2_000 {
            assert_eq!(similarity(&long, "zhongtong"), None);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(similarity(&format!("zhongtong{long}"), "zhongtong").is_some(), "a prefix still counts");
        assert!(similarity("zhongtongexpressxx", "zhongtong").is_some());
    }

    #[test]
    fn one_typo_is_close() {
        assert!(similarity("yuantog", "yuantong").is_some());
        assert!(similarity("shunfneg", "shunfeng").is_some());
        assert!(similarity("圆同", "圆通").is_some());
        assert!(similarity("upz", "ups").is_some());
    }

    #[test]
    fn long_shared_prefix_is_close() {
        assert!(similarity("zhongtongexpress", "zhongtong").is_some());
        assert!(similarity("中铁", "中铁快运").is_some());
        assert!(similarity("yunda", "yundakuaiyun").is_some());
        // Prefixes shorter than four letters do not count on their own.
        assert_eq!(similarity("ems", "emsguojikuaidi"), None);
    }

    #[test]
    fn unrelated_or_tiny_inputs_are_not() {
        assert_eq!(similarity("xyzzy123", "yuantong"), None);
        assert_eq!(similarity("xyzzy123", "xyjexpress"), None);
        assert_eq!(similarity("ab", "abc"), None);
        assert_eq!(similarity("圆", "圆通"), None);
        assert_eq!(similarity("yuantong", "zhongtongkuaiyun"), None);
    }

    #[test]
    fn closer_scores_higher() {
        let exactish = similarity("yuantog", "yuantong").unwrap_or_default();
        let farther = similarity("yuantog", "yuantongguoji").unwrap_or_default();
        assert!(exactish > farther, "{exactish} vs {farther}");
        let whole_name = similarity("zhongtongexpress", "zhongtong").unwrap_or_default();
        let other_name = similarity("zhongtongexpress", "zhongyouexpress").unwrap_or_default();
        assert!(whole_name > other_name, "{whole_name} vs {other_name}");
    }
}
