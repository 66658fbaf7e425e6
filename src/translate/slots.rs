//! What may fill a slot of a phrase, and how each kind crosses to the other language.
//!
//! Places go through the place table ([`super::places`]); names are spelt in pinyin for English
//! readers (`王伟` → `Wang Wei`) and kept as written for Chinese ones; tokens — phones (`138****1234`),
//! pickup codes, numbers, times — are never touched, so no digit is ever lost; who signed and why a
//! delivery failed come from the small vocabularies below, as couriers write them.

use super::places;
use super::template::Slot;
use crate::kuaidi100::Lang;

/// Who signs for a parcel, `(zh, en)`.
const SIGNERS: &[(&str, &str)] = &[
    ("本人", "the recipient"),
    ("本人签收", "the recipient"),
    ("收件人", "the recipient"),
    ("门卫", "the gatekeeper"),
    ("前台", "the front desk"),
    ("家人", "a family member"),
    ("物业", "the property office"),
    ("同事", "a colleague"),
    ("邻居", "a neighbour"),
    ("保安", "security"),
    ("收发室", "the mail room"),
    ("快递柜", "a parcel locker"),
    ("驿站", "a parcel station"),
    ("他人", "someone else"),
];

/// Why a delivery failed, `(zh, en)`: the reasons the simulator writes and the ones couriers do.
const REASONS: &[(&str, &str)] = &[
    ("收件地址不详，待再次派送", "incomplete address, will try again"),
    ("多次联系收件人未果", "the recipient could not be reached"),
    ("因天气原因延误派送", "delivery delayed by the weather"),
    ("收件人不在家，已预约改日派送", "nobody at home, rescheduled"),
    ("收件人电话无人接听", "the recipient did not answer the phone"),
    ("收件人电话无法接通", "the recipient's phone was unreachable"),
    ("电话无人接听", "nobody answered the phone"),
    ("联系不上收件人", "the recipient could not be reached"),
    ("收件人要求改天派送", "the recipient asked for another day"),
    ("客户要求改天派送", "the recipient asked for another day"),
    ("客户要求自取", "the recipient will collect it"),
    ("收件人不在家", "nobody at home"),
    ("地址错误", "wrong address"),
    ("地址不详", "incomplete address"),
    ("收件人拒收", "refused by the recipient"),
    ("节假日延误", "delayed by a holiday"),
    ("超出派送范围", "outside the delivery area"),
    ("门卫不让进", "the gatekeeper would not let the courier in"),
    ("需补充申报资料", "more declaration documents needed"),
    ("申报信息有误", "the customs declaration is wrong"),
    ("需缴纳关税", "customs duty to be paid"),
];

fn lookup<'a>(table: &'a [(&'a str, &'a str)], text: &str, lang: Lang) -> Option<&'a (&'a str, &'a str)> {
    let folded = fold(text);
    table.iter().find(|(zh, en)| match lang {
        Lang::Zh => fold(zh) == folded,
        Lang::En => en.eq_ignore_ascii_case(text.trim()),
    })
}

fn fold(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).map(super::template::normalized).collect()
}

/// A token: letters, digits and `* - : #`, with at least one digit, starting and ending with a
/// letter, a digit or `*`.
pub fn is_token(text: &str) -> bool {
    let folded: Vec<char> = text.chars().map(crate::input::fold_width).collect();
    let edge = |c: &char| c.is_ascii_alphanumeric() || *c == '*';
    folded.iter().any(char::is_ascii_digit)
        && folded.first().is_some_and(edge)
        && folded.last().is_some_and(edge)
        && folded.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | ':' | '#'))
}

/// A person's name as a line writes it: a few Chinese characters, or capitalized Latin words.
fn is_name(text: &str, lang: Lang) -> bool {
    let count = text.chars().count();
    if text.chars().all(places::is_cjk) {
        return (1..=6).contains(&count) && !text.contains('的');
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    lang == Lang::En
        && (1..=4).contains(&words.len())
        && words.iter().all(|word| {
            word.chars().next().is_some_and(char::is_uppercase)
                && word.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '·'))
        })
}

fn is_place(text: &str, lang: Lang) -> bool {
    let count = text.chars().count();
    let opened = text.chars().filter(|c| matches!(c, '(' | '（')).count();
    if opened != text.chars().filter(|c| matches!(c, ')' | '）')).count() {
        return false;
    }
    match lang {
        Lang::Zh => count <= 40 && !text.contains("的"),
        Lang::En => {
            let text = text.strip_prefix("the ").unwrap_or(text);
            count <= 80
                && text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                && !text.chars().any(places::is_cjk)
        }
    }
}

/// Whether `text` may fill a slot of kind `slot` in a line written in `lang`.
pub fn accepts(slot: Slot, text: &str, lang: Lang) -> bool {
    match slot {
        Slot::Token => is_token(text),
        Slot::Name => is_name(text, lang),
        Slot::Place => is_place(text, lang),
        Slot::Signer => lookup(SIGNERS, text, lang).is_some() || is_name(text, lang),
        Slot::Reason => lookup(REASONS, text, lang).is_some(),
    }
}

/// A slot's text in the other language, and whether it really crossed (`false`: kept as written
/// because nothing here knows it in `to`).
pub fn carry(slot: Slot, text: &str, from: Lang, to: Lang) -> (String, bool) {
    let vocabulary =
        |table| lookup(table, text, from).map(|(zh, en)| (if to == Lang::Zh { *zh } else { *en }).to_owned());
    match (slot, to) {
        (Slot::Token, _) => (text.to_owned(), true),
        (Slot::Place, Lang::En) => (places::romanize(text), true),
        (Slot::Place, Lang::Zh) => match places::sinicize(text) {
            Some(zh) => (zh, true),
            None => (text.to_owned(), false),
        },
        (Slot::Name, Lang::En) => (places::romanize_name(text), true),
        // A name in Latin letters stays one: there is no telling its characters.
        (Slot::Name, Lang::Zh) => (text.to_owned(), true),
        (Slot::Signer, _) => match vocabulary(SIGNERS) {
            Some(word) => (word, true),
            None => carry(Slot::Name, text, from, to),
        },
        (Slot::Reason, _) => match vocabulary(REASONS) {
            Some(word) => (word, true),
            None => (text.to_owned(), false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_names_and_vocabulary() {
        for token in ["138****1234", "6-3-1024", "A12-3456", "28461735", "21:00", "８-２-２０４５"] {
            assert!(is_token(token), "{token}");
        }
        for not in ["王伟", "abc", "-123", "12:"] {
            assert!(!is_token(not), "{not}");
        }
        assert!(accepts(Slot::Name, "王伟", Lang::Zh) && accepts(Slot::Name, "Wei Wang", Lang::En));
        assert!(!accepts(Slot::Name, "Wei Wang of Hangzhou", Lang::En));
        assert_eq!(carry(Slot::Signer, "门卫", Lang::Zh, Lang::En), ("the gatekeeper".to_owned(), true));
        assert_eq!(carry(Slot::Signer, "The gatekeeper", Lang::En, Lang::Zh), ("门卫".to_owned(), true));
        assert_eq!(carry(Slot::Signer, "李明", Lang::Zh, Lang::En), ("Li Ming".to_owned(), true));
        assert!(accepts(Slot::Reason, "收件地址不详，待再次派送", Lang::Zh));
        assert!(!accepts(Slot::Reason, "不知道", Lang::Zh));
    }
}
