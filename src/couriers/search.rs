//! Finding couriers for `/couriers <text>`: a browsing aid, generous where `resolve` is strict.
//!
//! First comes whatever [`Directory::resolve`] finds, so the top hit is the courier `/track` would use.
//! Then every courier whose code or any name (alias, English, Chinese full/short, name part) matches
//! the text, in tiers: the text *is* a name, a name *starts with* it (a piece of a composite name such
//! as the `UPS` of `UPS-全球件` counts only here), a name *contains* it; finally names spelled similarly
//! (the same rule as resolve's suggestions). Within the first three tiers the most popular courier comes
//! first — someone browsing for `顺丰` wants 顺丰快运 before 顺丰-荷兰; within the fuzzy tier the closest
//! spelling does. Empty text lists the most popular couriers.

use super::courier::Courier;
use super::directory::{Directory, Level};
use super::key::match_key;
use super::resolve::Resolution;

impl Directory {
    /// Up to `limit` couriers matching `text`, best first (see the module documentation).
    pub fn search(&self, text: &str, limit: usize) -> Vec<&Courier> {
        let key = match_key(text);
        if key.is_empty() {
            return self.couriers.iter().take(limit).collect();
        }
        let mut hits: Vec<&Courier> = match self.resolve(text) {
            Resolution::Found(courier) => vec![courier],
            Resolution::Ambiguous(couriers) => couriers,
            Resolution::Unknown { .. } => Vec::new(),
        };
        let mut tiers: [Vec<usize>; 3] = Default::default();
        for (i, keys) in self.keys.iter().enumerate() {
            let tier = keys.iter().filter_map(|(level, k)| tier(&key, *level, k)).min();
            if let Some(tier) = tier {
                tiers[tier].push(i);
            }
        }
        for i in tiers.concat() {
            push_new(&mut hits, &self.couriers[i]);
        }
        if hits.len() < limit {
            for courier in self.similar(&key, limit) {
                push_new(&mut hits, courier);
            }
        }
        hits.truncate(limit);
        hits
    }
}

/// 0: `key` is this name; 1: a name starts with it (or it is a mere piece of a name); 2: a name
/// contains it.
fn tier(key: &str, level: Level, name: &str) -> Option<usize> {
    if name == key && level != Level::NamePart {
        Some(0)
    } else if name.starts_with(key) {
        Some(1)
    } else if name.contains(key) {
        Some(2)
    } else {
        None
    }
}

fn push_new<'a>(hits: &mut Vec<&'a Courier>, courier: &'a Courier) {
    if !hits.iter().any(|hit| hit.code == courier.code) {
        hits.push(courier);
    }
}

#[cfg(test)]
mod tests {
    use super::super::directory::directory;

    fn search(text: &str, limit: usize) -> Vec<&'static str> {
        directory().search(text, limit).iter().map(|c| c.code).collect()
    }

    fn position(hits: &[&str], code: &str) -> usize {
        hits.iter().position(|&c| c == code).unwrap_or(usize::MAX)
    }

    #[test]
    fn what_resolve_finds_comes_first() {
        // `ups` is also the first piece of the more popular `UPS-全球件`, but it is the code of UPS.
        assert_eq!(search("ups", 2), ["ups", "upsen"]);
        assert_eq!(search("ＵＰＳ", 1), ["ups"]);
        assert_eq!(search("sf", 1), ["shunfeng"]);
        assert_eq!(search("德邦", 2), ["debangkuaidi", "debangwuliu"]);
    }

    #[test]
    fn then_exact_prefix_substring_each_by_popularity() {
        let hits = search("顺丰", 50);
        assert_eq!(hits[..2], ["shunfeng", "shunfengkuaiyun"]);
        // Names that start with 顺丰 (the piece 顺丰 of 顺丰-荷兰 counts as a start) come before
        // 新顺丰（NSF）, which only contains it.
        for starts in ["shunfengkuaiyun", "shunfenglengyun", "shunfenghk", "shunfengnl"] {
            assert!(position(&hits, starts) < position(&hits, "nsf"), "{starts} in {hits:?}");
        }
        assert!(position(&hits, "shunfengkuaiyun") < position(&hits, "shunfenghk"));
        assert_ne!(position(&hits, "nsf"), usize::MAX);
    }

    #[test]
    fn code_prefix_and_english_substring() {
        assert_eq!(search("yuantong", 2), ["yuantong", "yuantongguoji"]);
        assert_eq!(search("deppon", 2), ["debangkuaidi", "debangwuliu"]);
        // English names containing "freight", most popular first.
        assert_eq!(search("freight", 4), ["shunfengkuaiyun", "debangwuliu", "zhongtongkuaiyun", "jingdongkuaiyun"]);
    }

    #[test]
    fn limit_is_respected() {
        assert!(search("ups", 0).is_empty());
        assert_eq!(search("express", 7).len(), 7);
    }

    #[test]
    fn falls_back_to_similar_spelling() {
        assert_eq!(search("shunfneg", 3)[0], "shunfeng");
        assert_eq!(search("圆同", 3), ["yuantong"]);
        assert!(search("xyzzy123", 5).is_empty());
    }

    #[test]
    fn empty_text_lists_the_most_popular() {
        assert_eq!(search("", 3), ["yuantong", "shentong", "zhongtong"]);
        assert_eq!(search("  ", 1), ["yuantong"]);
    }
}
