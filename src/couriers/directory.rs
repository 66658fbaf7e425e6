//! The courier directory: every courier Kuaidi100 knows, parsed once, with lookup indexes.
//!
//! The tables are embedded in the binary and parsed on first use into a process-wide [`Directory`]
//! ([`directory`]). Besides the couriers themselves it keeps one index per kind of name — code, alias,
//! English name, full Chinese name, short Chinese name, a part of a bracketed name — because resolving
//! what a person typed is a ladder over these kinds (see `resolve.rs`), and the match keys of each
//! courier for substring and fuzzy search. All keys are in [`match_key`] form.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::courier::{Courier, strip_zh_suffix};
use super::key::match_key;
use super::table;

/// The kinds of name a courier can be found by, in resolution priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    Code,
    Alias,
    English,
    FullName,
    ShortName,
    /// A piece of a composite name: `Japan Post` and `日本` of `日本（Japan Post）`.
    NamePart,
}

const LEVELS: usize = 6;

/// All couriers of Kuaidi100's code table, most popular first, with lookup indexes.
#[derive(Debug)]
pub struct Directory {
    pub(super) couriers: Vec<Courier>,
    by_code: HashMap<&'static str, usize>,
    /// For each [`Level`]: match key → couriers (positions, in rank order).
    index: [HashMap<String, Vec<usize>>; LEVELS],
    /// Every distinct match key of each courier with its best level, for search and suggestions.
    pub(super) keys: Vec<Vec<(Level, String)>>,
    problems: Vec<String>,
}

static DIRECTORY: LazyLock<Directory> =
    LazyLock::new(|| Directory::from_table(table::load(table::COURIERS_CSV, table::ENGLISH_TSV)));

/// The embedded courier directory, parsed on first use.
pub fn directory() -> &'static Directory {
    &DIRECTORY
}

impl Directory {
    fn from_table(table: table::Table) -> Self {
        let mut index: [HashMap<String, Vec<usize>>; LEVELS] = Default::default();
        let mut keys = Vec::with_capacity(table.couriers.len());
        for (i, courier) in table.couriers.iter().enumerate() {
            let mut own: Vec<(Level, String)> = Vec::new();
            for (level, name) in names(courier) {
                let key = match_key(name);
                if key.is_empty() {
                    continue;
                }
                let bucket = index[level as usize].entry(key.clone()).or_default();
                if bucket.last() != Some(&i) {
                    bucket.push(i);
                }
                if !own.iter().any(|(_, k)| *k == key) {
                    own.push((level, key));
                }
            }
            keys.push(own);
        }
        let by_code = table.couriers.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
        Directory { couriers: table.couriers, by_code, index, keys, problems: table.problems }
    }

    /// Number of couriers (1,413 in the embedded table).
    pub fn len(&self) -> usize {
        self.couriers.len()
    }

    /// True only if the embedded table could not be read at all.
    pub fn is_empty(&self) -> bool {
        self.couriers.is_empty()
    }

    /// The courier with exactly this Kuaidi100 code, in any case (`"YuanTong"` finds `yuantong`).
    pub fn get(&self, code: &str) -> Option<&Courier> {
        let code = code.trim().to_ascii_lowercase();
        self.by_code.get(code.as_str()).map(|&i| &self.couriers[i])
    }

    /// Rows of the embedded tables that had to be skipped or repaired while loading, one sentence each.
    /// Empty for the shipped data (a test ensures it); worth a warning in the log if it ever is not.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// All couriers, most popular first.
    pub fn iter(&self) -> impl Iterator<Item = &Courier> {
        self.couriers.iter()
    }

    /// The courier at `rank` (its row in the table), as carried in button payloads.
    pub fn by_rank(&self, rank: usize) -> Option<&Courier> {
        self.couriers.get(rank).filter(|courier| courier.rank == rank)
    }

    /// Positions of the couriers that have `key` as a name of this level, in rank order.
    pub(super) fn lookup(&self, level: Level, key: &str) -> &[usize] {
        self.index[level as usize].get(key).map_or(&[], Vec::as_slice)
    }
}

/// Every name of a courier with its level.
fn names(courier: &Courier) -> Vec<(Level, &'static str)> {
    let mut names = vec![(Level::Code, courier.code)];
    names.extend(courier.aliases.iter().map(|&a| (Level::Alias, a)));
    names.extend(courier.name_en.map(|n| (Level::English, n)));
    names.push((Level::FullName, courier.name_zh));
    if let Some(short) = strip_zh_suffix(courier.name_zh) {
        names.push((Level::ShortName, short));
    }
    names.extend(name_parts(courier.name_zh).map(|p| (Level::NamePart, p)));
    names
}

/// Pieces of composite names that say which variant of a service it is, not which courier: nobody
/// looks a courier up by them, and as names they would only produce noise.
const GENERIC_PARTS: [&str; 12] =
    ["英文", "中文", "法文", "繁体", "国际件", "全球件", "中国件", "英国件", "美国件", "大包", "小包", "Parcel"];

/// The pieces of a composite name such as `日本（Japan Post）`, `DHL-中国件` or `马来西亚大包、EMS（…）`:
/// split at brackets, commas, `、`, `/` and `-`, keeping pieces of two or more characters other than
/// the whole and other than the [`GENERIC_PARTS`].
fn name_parts(name: &'static str) -> impl Iterator<Item = &'static str> {
    name.split(['(', ')', '（', '）', '[', ']', '【', '】', ',', '，', '、', '-', '/']).map(str::trim).filter(
        move |part| {
            part.chars().count() >= 2 && *part != name && !GENERIC_PARTS.iter().any(|g| g.eq_ignore_ascii_case(part))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_table_has_1413_couriers_with_unique_codes() {
        let dir = directory();
        assert_eq!(dir.problems(), &[] as &[String]);
        assert_eq!(dir.len(), 1413);
        assert!(!dir.is_empty());
        let codes: HashSet<&str> = dir.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), 1413);
        // Still unique once folded to match keys, so a code can never be ambiguous.
        let keys: HashSet<String> = dir.iter().map(|c| match_key(c.code)).collect();
        assert_eq!(keys.len(), 1413);
        assert!(dir.iter().all(|c| !c.code.is_empty() && c.code == c.code.to_ascii_lowercase()));
        assert!(dir.iter().enumerate().all(|(i, c)| c.rank == i));
    }

    #[test]
    fn the_four_phone_couriers() {
        let phone: Vec<&str> = directory().iter().filter(|c| c.needs_phone).map(|c| c.code).collect();
        assert_eq!(phone, vec!["zhongtong", "shunfeng", "shunfengkuaiyun", "fengwang"]);
    }

    #[test]
    fn get_is_case_insensitive_and_exact() {
        let dir = directory();
        assert_eq!(dir.get("yuantong").map(|c| c.name_zh), Some("圆通速递"));
        assert_eq!(dir.get("YuanTong").map(|c| c.rank), Some(0));
        assert_eq!(dir.get(" SHUNFENG ").map(|c| c.code), Some("shunfeng"));
        assert!(dir.get("sf").is_none());
        assert!(dir.get("yuan").is_none());
        assert!(dir.get("").is_none());
    }

    #[test]
    fn english_names_and_aliases_are_merged() {
        let dir = directory();
        let yto = dir.get("yuantong");
        assert_eq!(yto.and_then(|c| c.name_en), Some("YTO Express"));
        assert_eq!(yto.map(|c| c.aliases.clone()), Some(vec!["yto", "圆通"]));
        let jt = dir.get("jtexpress");
        assert_eq!(jt.map(|c| c.aliases.clone()), Some(vec!["jt", "j&t", "jnt", "极兔"]));
        assert_eq!(dir.iter().filter(|c| c.name_en.is_some()).count(), 47);
        assert_eq!(dir.get("danniao").map(|c| c.name("en")), Some("Danniao"));
        assert_eq!(dir.get("gdjida56").map(|c| c.name("en")), Some("继达物流"));
    }

    #[test]
    fn kinds_follow_the_table() {
        use super::super::courier::CourierKind::*;
        let dir = directory();
        let kind = |code| dir.get(code).map(|c| c.kind);
        assert_eq!(kind("yuantong"), Some(Domestic));
        assert_eq!(kind("shunfeng"), Some(International));
        assert_eq!(kind("ems"), Some(Postal));
        let count = |k| dir.iter().filter(|c| c.kind == k).count();
        assert_eq!((count(Domestic), count(International), count(Postal)), (689, 557, 167));
    }

    #[test]
    fn composite_names_are_split_into_parts() {
        let parts = |name| name_parts(name).collect::<Vec<_>>();
        assert_eq!(parts("日本（Japan Post）"), vec!["日本", "Japan Post"]);
        assert_eq!(parts("UPS-全球件"), vec!["UPS"]);
        assert_eq!(parts("英国(大包,EMS)"), vec!["英国", "EMS"]);
        assert_eq!(parts("EMS-国际件-英文"), vec!["EMS"]);
        assert_eq!(parts("圆通速递"), Vec::<&str>::new());
    }
}
