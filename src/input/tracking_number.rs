//! A tracking number as Kuaidi100 wants it, built from what a person typed or pasted.
//!
//! Rules, in order:
//! 1. Full-width letters and digits are folded to ASCII (`ＹＴ１２３` → `YT123`).
//! 2. Spaces of any kind (ASCII, tab, the ideographic space U+3000) and dashes (`-`, `－`, `–`, `—` …)
//!    are dropped anywhere. Couriers and shops print long numbers in groups (`YT 1234 5678 9012`,
//!    `1234-5678-9012`); the groups are formatting, not part of the number. Kuaidi100 numbers are plain
//!    letters and digits, so a dash can never be sent as is: dropping it accepts formatted numbers
//!    instead of refusing them, and loses nothing that could have been queried.
//! 3. What is left must be 6 to 32 ASCII letters or digits ([`MIN_LEN`], [`MAX_LEN`]).
//! 4. Letters are upper-cased. Kuaidi100 treats numbers case-insensitively and couriers print them in
//!    upper case (`SF…`, `YT…`, `JD…`), so upper case is the one canonical form: the same parcel typed
//!    as `yt…` and `YT…` is the same key for caches, subscriptions and the lock floor.
//!
//! Anything else is refused with an [`InputError`] that says what is allowed. A tracking number is not
//! secret, so `Debug` shows it.

use std::fmt;
use std::str::FromStr;

use super::error::InputError;
use super::width::fold_width;

/// Fewest letters/digits a tracking number may have.
pub const MIN_LEN: usize = 6;
/// Most letters/digits a tracking number may have (Kuaidi100's limit).
pub const MAX_LEN: usize = 32;

/// A normalized tracking number: 6–32 ASCII upper-case letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// The normalized number, e.g. `"YT1234567890123"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalized number as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Normalizes and checks a tracking number typed by a person (see the module documentation).
pub fn tracking_number(raw: &str) -> Result<TrackingNumber, InputError> {
    let mut number = String::with_capacity(raw.len());
    for typed in raw.chars() {
        let c = fold_width(typed);
        if c.is_whitespace() || is_dash(c) {
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return Err(InputError::NumberBadChars { bad: typed });
        }
        number.push(c.to_ascii_uppercase());
    }
    let len = number.len();
    if len == 0 {
        Err(InputError::NumberEmpty)
    } else if len < MIN_LEN {
        Err(InputError::NumberTooShort { len, min: MIN_LEN })
    } else if len > MAX_LEN {
        Err(InputError::NumberTooLong { len, max: MAX_LEN })
    } else {
        Ok(TrackingNumber(number))
    }
}

/// Hyphen-minus and the Unicode dashes people paste from documents (after width folding).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TrackingNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<TrackingNumber> for String {
    fn from(number: TrackingNumber) -> Self {
        number.0
    }
}

impl FromStr for TrackingNumber {
    type Err = InputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        tracking_number(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        match tracking_number(raw) {
            Ok(number) => number.into_string(),
            Err(error) => panic!("{raw:?} refused: {error}"),
        }
    }

    #[test]
    fn plain_numbers_pass_and_letters_are_upper_cased() {
        assert_eq!(ok("YT1234567890123"), "YT1234567890123");
        assert_eq!(ok("sf1234567890123"), "SF1234567890123");
        assert_eq!(ok("JdVa12345678901"), "JDVA12345678901");
        assert_eq!(ok("773012345678901"), "773012345678901");
    }

    #[test]
    fn surrounding_and_inner_spaces_are_dropped() {
        assert_eq!(ok("  YT1234567890123\n"), "YT1234567890123");
        assert_eq!(ok("YT 1234 5678 9012 3"), "YT1234567890123");
        assert_eq!(ok("YT\t1234\u{3000}567890123"), "YT1234567890123");
    }

    #[test]
    fn dashes_are_dropped() {
        assert_eq!(ok("1234-5678-9012"), "123456789012");
        assert_eq!(ok("1234－5678–9012—34"), "12345678901234");
    }

    #[test]
    fn full_width_letters_and_digits_are_folded() {
        assert_eq!(ok("ＹＴ１２３４５６７８９０１２３"), "YT1234567890123");
        assert_eq!(ok("ｓｆ１２３４５６"), "SF123456");
    }

    #[test]
    fn length_limits_are_inclusive() {
        assert_eq!(ok("123456"), "123456");
        assert_eq!(ok(&"9".repeat(32)), "9".repeat(32));
        assert_eq!(tracking_number("12345"), Err(InputError::NumberTooShort { len: 5, min: 6 }));
        assert_eq!(tracking_number(&"A".repeat(33)), Err(InputError::NumberTooLong { len: 33, max: 32 }));
        // Length is counted after spaces and dashes are removed.
        assert_eq!(tracking_number("12 - 34 - 5"), Err(InputError::NumberTooShort { len: 5, min: 6 }));
    }

    #[test]
    fn empty_input_is_its_own_error() {
        assert_eq!(tracking_number(""), Err(InputError::NumberEmpty));
        assert_eq!(tracking_number(" \u{3000}\t"), Err(InputError::NumberEmpty));
        assert_eq!(tracking_number("---"), Err(InputError::NumberEmpty));
    }

    #[test]
    fn other_characters_are_refused_naming_the_first_one_as_typed() {
        assert_eq!(tracking_number("YT123#456789"), Err(InputError::NumberBadChars { bad: '#' }));
        assert_eq!(tracking_number("圆通YT1234567890123"), Err(InputError::NumberBadChars { bad: '圆' }));
        assert_eq!(tracking_number("ＹＴ１２３＃４５６"), Err(InputError::NumberBadChars { bad: '＃' }));
        assert_eq!(tracking_number("YT123_456789"), Err(InputError::NumberBadChars { bad: '_' }));
        // Non-ASCII letters and digits are not ASCII alphanumerics.
        assert_eq!(tracking_number("YT12345é"), Err(InputError::NumberBadChars { bad: 'é' }));
    }

    #[test]
    fn display_as_ref_and_from_str_agree() {
        let number: TrackingNumber = match " yt 123456 ".parse() {
            Ok(number) => number,
            Err(error) => panic!("refused: {error}"),
        };
        assert_eq!(number.to_string(), "YT123456");
        assert_eq!(number.as_ref(), "YT123456");
        assert_eq!(number.as_str(), "YT123456");
        assert_eq!(format!("{number:?}"), "TrackingNumber(\"YT123456\")");
        assert_eq!("x".parse::<TrackingNumber>(), Err(InputError::NumberTooShort { len: 1, min: 6 }));
    }
}
