//! One side of a phrase: literal words, alternatives and slots, matched against a line and filled in.
//!
//! A template is written as text: `【{p}】的派件员【{n}】正在派件`, `Courier {n} of {p} is out for
//! delivery`, `<请凭|凭><取件码|取货码>{t}及时取件`. `{x}` is a slot of kind `x` (see [`Slot`]; a digit
//! after the letter tells two slots of one kind apart, `{p2}`); `<a|b|>` matches any one of its
//! alternatives (an empty one makes it optional) and writes the first.
//!
//! Matching is lenient the way couriers' text is: full-width and half-width signs are the same
//! (`，` `,`, `：` `:`, `【` `[`), Latin letters match in either case, and in Chinese spaces mean
//! nothing (`快件到达 【杭州网点】`). A match returns every way the template can cover the start of the
//! text, shortest slots first, so that the caller can go on with the rest of the line.

use crate::input::fold_width;
use crate::kuaidi100::Lang;

/// What a slot holds, and so how it crosses from one language to the other (`slots.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// `{p}`: a place: hub, outlet, station, city.
    Place,
    /// `{n}`: a person's name.
    Name,
    /// `{t}`: a phone, a code, a number, a time: kept exactly as written.
    Token,
    /// `{w}`: who signed (本人, 门卫 …, or a name).
    Signer,
    /// `{r}`: why a delivery failed, from the reasons couriers write.
    Reason,
}

/// A slot of a template: its kind and its number (`{p2}` is `(Place, 2)`).
pub type SlotId = (Slot, u8);

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(Vec<char>),
    Choice(Vec<Vec<char>>),
    Slot(SlotId),
}

/// One written side of a phrase, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub source: &'static str,
    pub lang: Lang,
    pieces: Vec<Piece>,
}

/// What a slot caught: which slot, and the text (trimmed).
pub type Captures = Vec<(SlotId, String)>;

/// At most this many ways of matching one template at one place are tried.
const MAX_MATCHES: usize = 48;

impl Template {
    /// Reads a template (module doc). A `{` or `<` that is not closed is read as a literal.
    pub fn parse(source: &'static str, lang: Lang) -> Self {
        let mut pieces = Vec::new();
        let mut literal = Vec::new();
        let chars: Vec<char> = source.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let close = match c {
                '{' => chars[i..].iter().position(|&c| c == '}'),
                '<' => chars[i..].iter().position(|&c| c == '>'),
                _ => None,
            };
            match (c, close) {
                ('{', Some(len)) => {
                    let inner: String = chars[i + 1..i + len].iter().collect();
                    let slot = match inner.chars().next() {
                        Some('p') => Some(Slot::Place),
                        Some('n') => Some(Slot::Name),
                        Some('t') => Some(Slot::Token),
                        Some('w') => Some(Slot::Signer),
                        Some('r') => Some(Slot::Reason),
                        _ => None,
                    };
                    match slot {
                        Some(slot) => {
                            let number = inner[1..].parse().unwrap_or(1);
                            if !literal.is_empty() {
                                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                            }
                            pieces.push(Piece::Slot((slot, number)));
                        }
                        None => literal.extend(&chars[i..=i + len]),
                    }
                    i += len + 1;
                }
                ('<', Some(len)) => {
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    let inner: String = chars[i + 1..i + len].iter().collect();
                    pieces.push(Piece::Choice(inner.split('|').map(|alt| alt.chars().collect()).collect()));
                    i += len + 1;
                }
                _ => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Self { source, lang, pieces }
    }

    /// The slots of the template, sorted.
    pub fn slots(&self) -> Vec<SlotId> {
        let mut slots: Vec<SlotId> = self
            .pieces
            .iter()
            .filter_map(|piece| match piece {
                Piece::Slot(id) => Some(*id),
                _ => None,
            })
            .collect();
        slots.sort_unstable();
        slots
    }

    /// Starts with a slot (then the text it is filled with decides its first letter).
    pub fn starts_with_slot(&self) -> bool {
        matches!(self.pieces.first(), Some(Piece::Slot(_)))
    }

    /// Every way the template covers `text` from `at`: where the match ends, and what the slots caught.
    /// `accepts` says whether a slot may hold a text.
    pub fn matches(&self, text: &[char], at: usize, accepts: &dyn Fn(Slot, &str) -> bool) -> Vec<(usize, Captures)> {
        let mut found = Vec::new();
        let mut captures = Vec::new();
        self.walk(0, text, at, &mut captures, &mut found, accepts);
        found
    }

    fn walk(
        &self,
        piece: usize,
        text: &[char],
        at: usize,
        captures: &mut Captures,
        found: &mut Vec<(usize, Captures)>,
        accepts: &dyn Fn(Slot, &str) -> bool,
    ) {
        if found.len() >= MAX_MATCHES {
            return;
        }
        let Some(current) = self.pieces.get(piece) else {
            found.push((at, captures.clone()));
            return;
        };
        match current {
            Piece::Literal(literal) => {
                if let Some(end) = match_literal(literal, text, at, self.lang) {
                    self.walk(piece + 1, text, end, captures, found, accepts);
                }
            }
            Piece::Choice(choices) => {
                for choice in choices {
                    if let Some(end) = match_literal(choice, text, at, self.lang) {
                        self.walk(piece + 1, text, end, captures, found, accepts);
                    }
                }
            }
            Piece::Slot(id) => {
                let start = skip_spaces(text, at);
                let last = piece + 1 == self.pieces.len();
                let limit = slot_limit(id.0, text, start, self.lang);
                for end in start + 1..=limit {
                    // A slot that ends the template ends where the clause does.
                    if last && end < text.len() && !ends_clause_at(text, end, self.lang) {
                        continue;
                    }
                    let caught: String = text[start..end].iter().collect();
                    let caught = caught.trim();
                    if caught.is_empty() || !accepts(id.0, caught) {
                        continue;
                    }
                    captures.push((*id, caught.to_owned()));
                    self.walk(piece + 1, text, end, captures, found, accepts);
                    captures.pop();
                }
            }
        }
    }

    /// The template written out with `value` for each slot and the first of each choice; `None` when
    /// a slot has no value.
    pub fn fill(&self, value: &dyn Fn(SlotId) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(literal) => out.extend(literal),
                Piece::Choice(choices) => out.extend(choices.first().into_iter().flatten()),
                Piece::Slot(id) => out += &value(*id)?,
            }
        }
        Some(out)
    }
}

/// A character as matching sees it: full-width folded, brackets and quotes unified, lower case.
pub fn normalized(c: char) -> char {
    match fold_width(c) {
        '【' | '〔' | '［' => '[',
        '】' | '〕' | '］' => ']',
        '“' | '”' | '「' | '」' => '"',
        '‘' | '’' => '\'',
        c => c.to_ascii_lowercase(),
    }
}

fn skip_spaces(text: &[char], mut at: usize) -> usize {
    while text.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    at
}

/// Where `literal` ends if `text` has it at `at`. Chinese ignores spaces on both sides; in English a
/// space matches one or more.
fn match_literal(literal: &[char], text: &[char], at: usize, lang: Lang) -> Option<usize> {
    let mut i = at;
    for &wanted in literal {
        if wanted.is_whitespace() {
            if lang == Lang::En {
                let skipped = skip_spaces(text, i);
                if skipped == i && text.get(i.wrapping_sub(1)).is_none_or(|c| c.is_alphanumeric()) {
                    return None;
                }
                i = skipped;
            }
            continue;
        }
        if lang == Lang::Zh || (i > at && !wanted.is_alphanumeric()) {
            i = skip_spaces(text, i);
        }
        if normalized(*text.get(i)?) != normalized(wanted) {
            return None;
        }
        i += 1;
    }
    Some(i)
}

/// Signs that end a clause of a line.
pub fn is_clause_sign(c: char, lang: Lang) -> bool {
    let c = normalized(c);
    matches!(c, ',' | '。' | ';' | '!' | '?' | '、' | '(' | ')' | ']' | '[' | '\n')
        || (lang == Lang::Zh && matches!(c, '.' | ':'))
}

fn ends_clause_at(text: &[char], at: usize, lang: Lang) -> bool {
    let next = skip_spaces(text, at);
    match text.get(next) {
        None => true,
        Some('.') if lang == Lang::En => !text.get(next + 1).is_some_and(|c| c.is_alphanumeric()),
        Some(&c) => is_clause_sign(c, lang),
    }
}

/// How far a slot may reach from `start`: the first sign it can never hold.
fn slot_limit(slot: Slot, text: &[char], start: usize, lang: Lang) -> usize {
    let stops = |c: char, next: Option<char>| -> bool {
        let n = normalized(c);
        if slot == Slot::Token {
            return !(c.is_ascii_alphanumeric()
                || fold_width(c).is_ascii_alphanumeric()
                || matches!(n, '*' | '-' | ':' | '#'));
        }
        if matches!(n, '[' | ']' | ';' | '!' | '?' | '\n' | '。') {
            return true;
        }
        match lang {
            Lang::Zh => match slot {
                Slot::Reason => false,
                _ => matches!(n, ',' | ':' | '、'),
            },
            Lang::En => match (slot, n) {
                (_, '.') => !next.is_some_and(|next| next.is_alphanumeric()),
                (Slot::Place, ',') => false,
                (Slot::Reason, ',') => false,
                (_, ',') => true,
                _ => false,
            },
        }
    };
    (start..text.len()).find(|&i| stops(text[i], text.get(i + 1).copied())).unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    fn any(_: Slot, _: &str) -> bool {
        true
    }

    #[test]
    fn slots_choices_and_lenient_signs() {
        let template = Template::parse("快件离开【{p}】<已|>发往【{p2}】", Lang::Zh);
        assert_eq!(template.slots(), [(Slot::Place, 1), (Slot::Place, 2)]);
        let text = chars("快件离开 [杭州转运中心]发往【北京转运中心】，下一站");
        let found = template.matches(&text, 0, &any);
        assert_eq!(found.len(), 1, "{found:?}");
        let (end, captures) = &found[0];
        assert_eq!(text[*end], '，');
        assert_eq!(captures[0].1, "杭州转运中心");
        assert_eq!(captures[1].1, "北京转运中心");
        let filled = template.fill(&|id| Some(format!("<{:?}>", id.1)));
        assert_eq!(filled.as_deref(), Some("快件离开【<1>】已发往【<2>】"));
    }

    #[test]
    fn an_english_slot_at_the_end_stops_where_the_clause_does() {
        let template = Template::parse("Arrived at {p}", Lang::En);
        let text = chars("arrived at Xi'an Transit Center, getting ready for delivery");
        let ends: Vec<usize> = template.matches(&text, 0, &any).into_iter().map(|(end, _)| end).collect();
        assert_eq!(ends, [31, text.len()]);
        let phone = Template::parse("phone {t}", Lang::En);
        let text = chars("phone 138****1234. Thanks");
        let found = phone.matches(&text, 0, &any);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1[0].1, "138****1234");
    }
}
