//! The phone number check Kuaidi100 asks for, reduced to the last 4 digits and kept masked.
//!
//! Kuaidi100 needs a phone number for a few couriers (api doc §6) and accepts its last 4 digits, so the
//! bot never keeps more: [`phone_tail`] reduces whatever was typed to exactly 4 digits, and
//! [`PhoneTail`] shows only a masked form (`****5678`) in `Display` and `Debug`, so logging it can never
//! leak more than those 4 digits. [`PhoneTail::digits`] gives the bare digits for the upstream request.
//!
//! How a typed number is read (after full-width folding):
//! - Spaces, brackets and dots are formatting and ignored; `+86` / `0086` in front is dropped.
//! - `-` splits the number into groups. `转`, `#` and `ext` mark an explicit suffix.
//! - **E-commerce virtual number**: a mobile number (11 digits starting with `1`) or any number masked
//!   with `*`, followed by a 4-digit suffix after `-` or a marker — `138****0000-1234`,
//!   `13800000000转1234` → the suffix `1234`, as the api doc says. A mobile number never has an
//!   extension, so a 4-digit suffix after one can only be a virtual-number suffix.
//! - **Landline extension**: a suffix after a number that is not a mobile and not masked —
//!   `0755-12345678-123`, `010-12345678转1234` — is an extension and is dropped (the api doc says send
//!   the landline without it), giving `5678`. After an area code (`0` + 2–3 digits) the local number is
//!   the following groups up to 7–8 digits (`010-1234-5678` is one local number); whatever follows is
//!   the extension. Without an area code the same 7-digit rule finds the local number.
//! - **Mobile**: 11 digits starting with `1`, however grouped (`138-1234-5678`) → last 4.
//! - Anything else (a bare `1234`, a service number, a foreign `+1 …` number): the last 4 digits.
//! - A masked number must show its last 4 digits (`138****5678` → `5678`); `1381234****` is refused.

use std::fmt;
use std::str::FromStr;

use super::error::InputError;
use super::width::fold_width;

/// How many trailing digits are kept and sent.
pub const TAIL_LEN: usize = 4;

/// Digits a local landline number has at least; groups are joined until they reach it.
const LOCAL_MIN_DIGITS: usize = 7;

/// Exactly the last 4 digits of a phone number. `Display`/`Debug` show them masked (`****5678`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneTail(String);

impl PhoneTail {
    /// The 4 digits, for the upstream request only.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "****{}", self.0)
    }
}

impl fmt::Debug for PhoneTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneTail(\"{self}\")")
    }
}

impl FromStr for PhoneTail {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        phone_tail(s)
    }
}

/// One meaningful piece of a typed phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Digit(char),
    Mask,
    Dash,
    /// `转`, `#` or `ext`: what follows is a suffix (extension or virtual-number suffix).
    Marker,
}

/// Reduces a typed phone number to its last 4 digits (see the module documentation for the rules).
pub fn phone_tail(raw: &str) -> Result<PhoneTail, InputError> {
    let (tokens, foreign) = tokenize(raw)?;
    if tokens.is_empty() {
        return Err(InputError::PhoneEmpty);
    }
    if !tokens.iter().any(|t| matches!(t, Token::Digit(_))) {
        return Err(InputError::PhoneNoDigits);
    }
    let (main, suffix) = match tokens.iter().position(|t| *t == Token::Marker) {
        Some(at) => (&tokens[..at], Some(&tokens[at + 1..])),
        None => (&tokens[..], None),
    };
    let groups: Vec<String> = main.split(|t| *t == Token::Dash).map(group_text).filter(|g| !g.is_empty()).collect();

    // Virtual number: mobile or masked number, then a 4-digit suffix.
    if let Some(suffix) = suffix {
        let suffix = group_text(suffix);
        if is_tail(&suffix) && is_mobile_or_masked(&groups.concat()) {
            return Ok(PhoneTail(suffix));
        }
    } else if let Some((last, before)) = groups.split_last()
        && !before.is_empty()
        && is_tail(last)
        && is_mobile_or_masked(&before.concat())
    {
        return Ok(PhoneTail(last.clone()));
    }

    let number = if foreign { groups.concat() } else { subscriber_number(&groups) };
    last_digits(&number)
}

/// Turns the typed text into tokens, dropping formatting and a `+86`/`0086` prefix. The flag is true
/// for a number with another country code (`+1 …`), whose groups follow rules we do not know.
fn tokenize(raw: &str) -> Result<(Vec<Token>, bool), InputError> {
    let chars: Vec<(char, char)> = raw.chars().map(|c| (c, fold_width(c))).collect();
    let mut tokens = Vec::with_capacity(chars.len());
    let mut plus = false;
    let mut i = 0;
    while let Some(&(typed, c)) = chars.get(i) {
        i += 1;
        match c {
            '0'..='9' => tokens.push(Token::Digit(c)),
            '*' => tokens.push(Token::Mask),
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => tokens.push(Token::Dash),
            '转' | '#' => tokens.push(Token::Marker),
            'e' | 'E' if starts_with_ext(&chars[i - 1..]) => {
                tokens.push(Token::Marker);
                i += 2;
            }
            // A plus is only meaningful in front, before any digit: the country code follows.
            '+' if tokens.is_empty() && !plus => plus = true,
            c if c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '.') => {}
            _ => return Err(InputError::PhoneBadChars { bad: typed }),
        }
    }
    let chinese = strip_country_code(&mut tokens, plus);
    Ok((tokens, plus && !chinese))
}

fn starts_with_ext(chars: &[(char, char)]) -> bool {
    let word: String = chars.iter().take(3).map(|&(_, c)| c.to_ascii_lowercase()).collect();
    word == "ext"
}

/// Drops a Chinese country code (`+86`, `0086`) and a dash right after it; true if there was one.
fn strip_country_code(tokens: &mut Vec<Token>, plus: bool) -> bool {
    let digits: String = tokens
        .iter()
        .take(4)
        .map_while(|t| match t {
            Token::Digit(d) => Some(*d),
            _ => None,
        })
        .collect();
    let drop = if plus && digits.starts_with("86") {
        2
    } else if digits.starts_with("0086") {
        4
    } else {
        0
    };
    if drop > 0 {
        tokens.drain(..drop);
        if tokens.first() == Some(&Token::Dash) {
            tokens.remove(0);
        }
    }
    drop > 0
}

/// The digits and masks of a group, as text (`0`…`9`, `*`).
fn group_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Digit(d) => Some(*d),
            Token::Mask => Some('*'),
            Token::Dash | Token::Marker => None,
        })
        .collect()
}

/// Exactly 4 plain digits.
fn is_tail(group: &str) -> bool {
    group.len() == TAIL_LEN && group.bytes().all(|b| b.is_ascii_digit())
}

/// A mobile number (11 digits or masks, starting with `1`) or any masked number.
fn is_mobile_or_masked(number: &str) -> bool {
    number.contains('*') || is_mobile(number)
}

fn is_mobile(number: &str) -> bool {
    number.len() == 11 && number.starts_with('1') && number.bytes().all(|b| b.is_ascii_digit() || b == b'*')
}

fn is_area_code(group: &str) -> bool {
    (3..=4).contains(&group.len()) && group.starts_with('0') && group.bytes().all(|b| b.is_ascii_digit())
}

/// The number without area code and without extension (a mobile stays whole).
fn subscriber_number(groups: &[String]) -> String {
    let joined = groups.concat();
    // A mobile split into groups ends in a 4-digit group (`138-1234-5678`); `12345678-123` is not one.
    let grouped_like_mobile = groups.last().is_some_and(|last| last.len() == TAIL_LEN);
    if groups.len() < 2 || (is_mobile(&joined) && grouped_like_mobile) {
        return joined;
    }
    let local = if is_area_code(&groups[0]) { &groups[1..] } else { groups };
    let mut number = String::new();
    for group in local {
        number.push_str(group);
        if number.len() >= LOCAL_MIN_DIGITS {
            break;
        }
    }
    number
}

/// The last 4 digits, which must be visible (not masked).
fn last_digits(number: &str) -> Result<PhoneTail, InputError> {
    let visible = number.rsplit('*').next().unwrap_or(number);
    if visible.len() >= TAIL_LEN {
        Ok(PhoneTail(visible[visible.len() - TAIL_LEN..].to_owned()))
    } else if number.contains('*') {
        Err(InputError::PhoneMasked)
    } else if visible.is_empty() {
        Err(InputError::PhoneNoDigits)
    } else {
        Err(InputError::PhoneTooShort { digits: visible.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tail(raw: &str) -> String {
        match phone_tail(raw) {
            Ok(tail) => tail.digits().to_owned(),
            Err(error) => panic!("{raw:?} refused: {error}"),
        }
    }

    #[test]
    fn mobile_gives_its_last_four_digits() {
        assert_eq!(tail("13812345678"), "5678");
        assert_eq!(tail(" 138 1234 5678 "), "5678");
        assert_eq!(tail("138-1234-5678"), "5678");
        assert_eq!(tail("1381234-5678"), "5678");
    }

    #[test]
    fn country_code_is_ignored() {
        assert_eq!(tail("+86 138 1234 5678"), "5678");
        assert_eq!(tail("+8613812345678"), "5678");
        assert_eq!(tail("+86-138-1234-5678"), "5678");
        assert_eq!(tail("0086 13812345678"), "5678");
        assert_eq!(tail("(+86) 13812345678"), "5678");
        // Country code in front of a virtual number does not hide the suffix.
        assert_eq!(tail("+86 138****0000-1234"), "1234");
        // A foreign number: its last 4 digits, groups are not taken for extensions.
        assert_eq!(tail("+1-212-555-0100"), "0100");
        assert_eq!(tail("+44-20-7946-0958"), "0958");
        assert_eq!(tail("＋４４ ２０ ７９４６ ０９５８"), "0958");
    }

    #[test]
    fn virtual_number_gives_the_suffix() {
        assert_eq!(tail("138****0000-1234"), "1234");
        assert_eq!(tail("13800000000-1234"), "1234");
        assert_eq!(tail("13800000000转1234"), "1234");
        assert_eq!(tail("138****0000 转 1234"), "1234");
        assert_eq!(tail("13800000000#1234"), "1234");
        assert_eq!(tail("13800000000 ext 1234"), "1234");
        assert_eq!(tail("１３８＊＊＊＊００００－１２３４"), "1234");
    }

    #[test]
    fn landline_gives_the_number_without_area_code_or_extension() {
        assert_eq!(tail("010-12345678"), "5678");
        assert_eq!(tail("(010) 12345678"), "5678");
        assert_eq!(tail("01012345678"), "5678");
        assert_eq!(tail("0755-12345678-123"), "5678");
        // A 4-digit extension after a landline is still an extension, not a virtual suffix.
        assert_eq!(tail("0755-12345678-1234"), "5678");
        assert_eq!(tail("010-12345678转1234"), "5678");
        assert_eq!(tail("010-12345678 EXT 99"), "5678");
        // A local number written in two groups.
        assert_eq!(tail("010-1234-5678"), "5678");
        // No area code: the first 7–8 digits are the number, the rest the extension.
        assert_eq!(tail("87654321-123"), "4321");
        // 11 digits starting with 1, but not grouped like a mobile.
        assert_eq!(tail("12345678-123"), "5678");
        // A service number in groups is read whole.
        assert_eq!(tail("400-123-4567"), "4567");
    }

    #[test]
    fn bare_digits_and_full_width() {
        assert_eq!(tail("1234"), "1234");
        assert_eq!(tail("12345"), "2345");
        assert_eq!(tail("１２３４"), "1234");
        assert_eq!(tail("１３８１２３４５６７８"), "5678");
        assert_eq!(tail("138.1234.5678"), "5678");
    }

    #[test]
    fn masked_numbers_must_show_the_last_four() {
        assert_eq!(tail("138****5678"), "5678");
        assert_eq!(tail("0755-****5678"), "5678");
        assert_eq!(phone_tail("1381234****"), Err(InputError::PhoneMasked));
        assert_eq!(phone_tail("138****678"), Err(InputError::PhoneMasked));
    }

    #[test]
    fn too_little_is_refused() {
        assert_eq!(phone_tail(""), Err(InputError::PhoneEmpty));
        assert_eq!(phone_tail("  \u{3000}"), Err(InputError::PhoneEmpty));
        assert_eq!(phone_tail("****"), Err(InputError::PhoneNoDigits));
        assert_eq!(phone_tail("- -"), Err(InputError::PhoneNoDigits));
        assert_eq!(phone_tail("123"), Err(InputError::PhoneTooShort { digits: 3 }));
        assert_eq!(phone_tail("12-3"), Err(InputError::PhoneTooShort { digits: 3 }));
        assert_eq!(phone_tail("+86 12"), Err(InputError::PhoneTooShort { digits: 2 }));
    }

    #[test]
    fn letters_and_stray_symbols_are_refused() {
        assert_eq!(phone_tail("abcd"), Err(InputError::PhoneBadChars { bad: 'a' }));
        assert_eq!(phone_tail("1381234567x"), Err(InputError::PhoneBadChars { bad: 'x' }));
        assert_eq!(phone_tail("138+12345678"), Err(InputError::PhoneBadChars { bad: '+' }));
        assert_eq!(phone_tail("电话13812345678"), Err(InputError::PhoneBadChars { bad: '电' }));
    }

    #[test]
    fn display_and_debug_are_masked() {
        let phone = match phone_tail("13812345678") {
            Ok(phone) => phone,
            Err(error) => panic!("refused: {error}"),
        };
        assert_eq!(phone.to_string(), "****5678");
        assert_eq!(format!("{phone:?}"), "PhoneTail(\"****5678\")");
        assert!(!format!("{phone:?}{phone}").contains("1381234"));
        assert_eq!("13812345678".parse::<PhoneTail>(), Ok(phone));
    }
}
