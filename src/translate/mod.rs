//! Trajectory lines in the reader's language, without asking anyone: presentation only.
//!
//! One upstream answer serves every chat that asks inside the floor, and the watcher's one check
//! serves every subscriber, so a Chinese answer is often read by an English chat and the other way
//! round. This module turns a line into the reader's language from what the answer already holds:
//!
//! - **its place** ([`Shown::place`]): for English readers from the line's `areaCode`, `location` /
//!   `areaName` and `areaPinYin` through the project's place table (`places.rs`,
//!   `Yanta District, Xi'an, Shaanxi`); Chinese readers get Kuaidi100's Chinese as it is;
//! - **its text** ([`text`]): when the answer was fetched in the other language, the line is read as
//!   clauses — a city tag (`【杭州市】`), then phrases of the table (`phrases.rs`) and the signs between
//!   them — and written out in the reader's language with the slots carried over (`slots.rs`: places
//!   romanized or read back, names in pinyin, phones and pickup codes untouched). A line with a clause
//!   no phrase covers is shown as received, marked as the original (the marker is chat wording, in
//!   `chat/words/parcel.rs`). When the answer was fetched in the reader's language nothing is translated,
//!   except a line Kuaidi100 left in Chinese inside an English answer (its script tells).
//!
//! Small files: `places.rs` (place table and names), `template.rs` (one side of a phrase, matching and
//! filling), `slots.rs` (what fills a slot and how it crosses), `phrases.rs` (the phrase table).

pub mod phrases;
pub mod places;
pub mod slots;
pub mod template;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::LazyLock;

use self::template::{Captures, Slot, SlotId, Template, is_clause_sign};
use crate::kuaidi100::{Lang, TraceLine};

/// A line as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Where it happened, in the reader's script.
    pub place: Option<String>,
    /// What happened: in the reader's language, or as received when `original`.
    pub context: String,
    /// The text is shown as received although it is in the other language (no phrase covers it).
    pub original: bool,
}

/// A line's text in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Shown as received although in the other language.
    pub original: bool,
    /// Translated, and every slot crossed too (an English place the table does not know stays as
    /// written inside a Chinese line: translated, not complete).
    pub complete: bool,
}

/// The language a line is written in, from its script.
pub fn script_of(text: &str) -> Lang {
    if text.chars().any(places::is_cjk) { Lang::Zh } else { Lang::En }
}

/// `line` for a reader of `reader`, from an answer fetched in `written_in` (`None`: unknown, the
/// line's script tells).
pub fn line(line: &TraceLine, written_in: Option<Lang>, reader: Lang) -> Shown {
    let text = text(&line.context, written_in, reader);
    Shown { place: place(line, reader), context: text.text, original: text.original }
}

/// A line's place (its own area fields) in the reader's script.
pub fn place(line: &TraceLine, reader: Lang) -> Option<String> {
    area_place(line.area_code.as_deref(), line.place(), line.area_pinyin.as_deref(), reader)
}

/// A place from a line's area fields — `areaCode`, `location` or `areaName` (`written`), `areaPinYin`
/// — in the reader's script: Kuaidi100's Chinese for Chinese readers, romanized for English ones.
pub fn area_place(code: Option<&str>, written: Option<&str>, pinyin: Option<&str>, reader: Lang) -> Option<String> {
    match reader {
        Lang::Zh => written.map(str::to_owned),
        Lang::En => places::area(code, written, pinyin).or_else(|| written.map(places::romanize)),
    }
}

/// A place name taken out of a line (a station's, for the pickup code) in the reader's script.
pub fn place_name(name: &str, reader: Lang) -> String {
    match (reader, script_of(name)) {
        (Lang::En, Lang::Zh) => places::romanize(name),
        (Lang::Zh, Lang::En) => places::sinicize(name).unwrap_or_else(|| name.to_owned()),
        _ => name.to_owned(),
    }
}

/// A line's text in the reader's language (module doc).
pub fn text(context: &str, written_in: Option<Lang>, reader: Lang) -> Text {
    let unchanged = |original| Text { text: context.to_owned(), original, complete: !original };
    let from = script_of(context);
    // Fetched in the reader's language: nothing is translated — but a line Kuaidi100 left in Chinese
    // inside an English answer is no English, and is read like any Chinese one.
    let left_in_chinese = reader == Lang::En && from == Lang::Zh;
    if (written_in == Some(reader) && !left_in_chinese) || context.trim().is_empty() {
        return unchanged(false);
    }
    if from == reader {
        return unchanged(false);
    }
    match translate(context, from, reader) {
        Some((text, complete)) => Text { text, original: false, complete },
        None => unchanged(true),
    }
}

/// A phrase's sides, read once.
struct Compiled {
    zh: Vec<Template>,
    en: Vec<Template>,
}

static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    phrases::PHRASES
        .iter()
        .map(|phrase| Compiled {
            zh: phrase.zh.iter().map(|source| Template::parse(source, Lang::Zh)).collect(),
            en: phrase.en.iter().map(|source| Template::parse(source, Lang::En)).collect(),
        })
        .collect()
});

/// How many phrases the table holds.
pub fn phrase_count() -> usize {
    COMPILED.len()
}

/// One piece of a read line.
enum Item {
    /// The signs between two clauses, as written.
    Signs(String),
    /// A clause: which phrase, and what its slots caught.
    Clause(usize, Captures),
}

struct Reader<'a> {
    text: &'a [char],
    from: Lang,
    failed: HashSet<usize>,
}

impl Reader<'_> {
    /// The rest of the line from `at` as signs and clauses, the first reading the table allows.
    fn read(&mut self, at: usize) -> Option<Vec<Item>> {
        if self.failed.contains(&at) {
            return None;
        }
        let (signs_end, signs) = self.signs(at);
        if signs_end == self.text.len() {
            return Some(vec![Item::Signs(signs)]);
        }
        let from = self.from;
        let accepts = move |slot: Slot, text: &str| slots::accepts(slot, text, from);
        for (index, compiled) in COMPILED.iter().enumerate() {
            let templates = if from == Lang::Zh { &compiled.zh } else { &compiled.en };
            for template in templates {
                for (end, captures) in template.matches(self.text, signs_end, &accepts) {
                    if end == signs_end {
                        continue;
                    }
                    if let Some(rest) = self.read(end) {
                        let mut items = vec![Item::Signs(signs), Item::Clause(index, captures)];
                        items.extend(rest);
                        return Some(items);
                    }
                }
            }
        }
        self.failed.insert(at);
        None
    }

    /// The run of signs and spaces at `at` (maybe empty).
    fn signs(&self, at: usize) -> (usize, String) {
        let mut end = at;
        while let Some(&c) = self.text.get(end) {
            let sign = c.is_whitespace()
                || (is_clause_sign(c, self.from) && !matches!(template::normalized(c), '[' | ']'))
                || (c == '.' && !self.text.get(end + 1).is_some_and(|next| next.is_alphanumeric()));
            if !sign {
                break;
            }
            end += 1;
        }
        (end, self.text[at..end].iter().collect())
    }
}

/// The city tag a line opens with (`【杭州市】`, `[Hangzhou]`): its text and where the rest begins.
fn city_tag(text: &[char], from: Lang) -> Option<(String, usize)> {
    let start = text.iter().position(|c| !c.is_whitespace())?;
    let open = template::normalized(text[start]);
    if open != '[' {
        return None;
    }
    let close = (start + 1..text.len()).find(|&i| template::normalized(text[i]) == ']')?;
    let inner: String = text[start + 1..close].iter().collect();
    let plain = !inner.trim().is_empty()
        && inner.chars().count() <= 24
        && !inner.chars().any(|c| is_clause_sign(c, from) || c == ':' || c == '：');
    plain.then(|| (inner.trim().to_owned(), close + 1))
}

/// `杭州市`, `上海`, `Hangzhou`: a province, city or district of the table.
fn is_division(name: &str, from: Lang) -> bool {
    match from {
        Lang::Zh => places::by_zh(name).is_some(),
        Lang::En => places::places().iter().any(|place| place.en.eq_ignore_ascii_case(name)),
    }
}

/// The signs between clauses in the other language. `between`: two clauses stand on either side.
fn signs_in(signs: &str, to: Lang, between: bool) -> String {
    let mut out = String::new();
    for c in signs.chars() {
        let c = crate::input::fold_width(c);
        let mapped = match (to, c) {
            (Lang::En, c) if c.is_whitespace() => " ",
            (Lang::Zh, c) if c.is_whitespace() => "",
            (Lang::En, ',' | '、') => ", ",
            (Lang::En, '。' | '.') => ". ",
            (Lang::En, ';') => "; ",
            (Lang::En, '!') => "! ",
            (Lang::En, '?') => "? ",
            (Lang::En, '(') => " (",
            (Lang::En, ')') => ") ",
            (Lang::En, ':') => ": ",
            (Lang::Zh, ',') => "，",
            (Lang::Zh, '.' | '。') => "。",
            (Lang::Zh, ';') => "，",
            (Lang::Zh, '!') => "！",
            (Lang::Zh, '?') => "？",
            (Lang::Zh, '(') => "（",
            (Lang::Zh, ')') => "）",
            (Lang::Zh, ':') => "：",
            (_, '、') => "、",
            _ => "",
        };
        out += mapped;
    }
    if between && out.trim().is_empty() {
        return if to == Lang::En { ", ".to_owned() } else { "，".to_owned() };
    }
    out
}

/// The whole line in `to`, and whether every slot crossed; `None` when some clause is not in the table.
fn translate(context: &str, from: Lang, to: Lang) -> Option<(String, bool)> {
    let text: Vec<char> = context.chars().collect();
    let tag = city_tag(&text, from);
    let mut reader = Reader { text: &text, from, failed: HashSet::new() };
    // A tag that names a division is the line's city; any other (`【杭州西湖区公司】已揽收`) is first
    // read as part of the clause.
    let city = tag.as_ref().is_some_and(|(tag, _)| is_division(tag, from));
    let tagged = |reader: &mut Reader| {
        let (tag, rest) = tag.as_ref()?;
        reader.read(*rest).map(|items| (Some(tag), items))
    };
    let (tag, items) = if city {
        match tagged(&mut reader) {
            Some(read) => read,
            None => (None, reader.read(0)?),
        }
    } else {
        match reader.read(0) {
            Some(items) => (None, items),
            None => tagged(&mut reader)?,
        }
    };
    let mut complete = true;
    let mut out = String::new();
    if let Some(tag) = tag {
        let (place, crossed) = slots::carry(Slot::Place, tag, from, to);
        complete &= crossed;
        out += &match to {
            Lang::En => format!("[{place}] "),
            Lang::Zh => format!("【{place}】"),
        };
    }
    let clauses = items.iter().filter(|item| matches!(item, Item::Clause(..))).count();
    let mut seen = 0;
    for item in &items {
        match item {
            Item::Signs(signs) => {
                let between = seen > 0 && seen < clauses;
                out += &signs_in(signs, to, between);
            }
            Item::Clause(index, captures) => {
                seen += 1;
                let compiled = &COMPILED[*index];
                let template = if to == Lang::Zh { compiled.zh.first()? } else { compiled.en.first()? };
                let carried: Vec<(SlotId, String, bool)> = captures
                    .iter()
                    .map(|(id, text)| {
                        let (value, crossed) = slots::carry(id.0, text, from, to);
                        (*id, value, crossed)
                    })
                    .collect();
                complete &= carried.iter().all(|(_, _, crossed)| *crossed);
                let value = |id: SlotId| carried.iter().find(|(slot, ..)| *slot == id).map(|(_, v, _)| v.clone());
                let mut clause = template.fill(&value)?;
                if to == Lang::En && !template.starts_with_slot() {
                    clause = sentence_case(&clause, &out);
                }
                out += &clause;
            }
        }
    }
    Some((tidy(&out, to), complete))
}

/// A clause's first letter: capital at the start of a sentence, small after a comma (unless the word
/// is an acronym like `SF`).
fn sentence_case(clause: &str, before: &str) -> String {
    let before = before.trim_end();
    let starts_sentence = before.is_empty() || before.ends_with(['.', '!', '?', ']']);
    let mut chars = clause.chars();
    let Some(first) = chars.next() else { return String::new() };
    let second = clause.chars().nth(1);
    if starts_sentence {
        first.to_uppercase().chain(chars).collect()
    } else if second.is_some_and(char::is_lowercase) {
        first.to_lowercase().chain(chars).collect()
    } else {
        clause.to_owned()
    }
}

/// Spaces as English or Chinese put them.
fn tidy(text: &str, to: Lang) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' && (out.ends_with(' ') || out.ends_with('(') || out.is_empty()) {
            continue;
        }
        if matches!(c, ',' | '.' | ')' | ';' | '!' | '?' | ':') && out.ends_with(' ') {
            out.pop();
        }
        out.push(c);
    }
    let out = out.trim_end().to_owned();
    match to {
        Lang::En => out,
        Lang::Zh => out.trim_end_matches('，').to_owned(),
    }
}
