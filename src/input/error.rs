//! Why a tracking number or phone number typed by a person was refused.
//!
//! Each variant carries exactly what a localized message needs (lengths, the offending character) and
//! nothing more: in particular no variant ever holds phone digits, so an error can be logged or echoed
//! back without leaking personal data. `Display` is a short English sentence that says what *is*
//! allowed; translations are keyed on [`InputError::key`], which is stable and must not be renamed.

/// A refused tracking number or phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing but spaces (or separators) was given where a tracking number was expected.
    #[error("Please give a tracking number: 6 to 32 letters or digits.")]
    NumberEmpty,
    /// The number has `len` letters/digits, fewer than `min`.
    #[error("This tracking number has {len} characters; it needs at least {min} letters or digits.")]
    NumberTooShort { len: usize, min: usize },
    /// The number has `len` letters/digits, more than `max`.
    #[error("This tracking number has {len} characters; it can have at most {max} letters or digits.")]
    NumberTooLong { len: usize, max: usize },
    /// The number contains `bad`, which is neither a letter, a digit, a space nor a dash.
    #[error("A tracking number may contain only letters and digits, not {bad:?}.")]
    NumberBadChars { bad: char },
    /// Nothing was given where a phone number was expected.
    #[error("Please give a phone number, or at least its last 4 digits.")]
    PhoneEmpty,
    /// The phone number contains no digit at all (for example only `****`).
    #[error("A phone number needs digits; give at least its last 4 digits.")]
    PhoneNoDigits,
    /// Only `digits` digits are usable, fewer than the 4 the courier needs.
    #[error("Only {digits} digits of the phone number are usable; give at least its last 4 digits.")]
    PhoneTooShort { digits: usize },
    /// The last 4 digits are hidden behind `*` (as in `1381234****`).
    #[error("The last 4 digits of this phone number are hidden; give them in full.")]
    PhoneMasked,
    /// The phone number contains `bad`, which is not a digit, space, `+`, `-`, `*` or bracket.
    #[error("A phone number may contain only digits, spaces, +, -, * and brackets, not {bad:?}.")]
    PhoneBadChars { bad: char },
}

impl InputError {
    /// A stable i18n key naming the variant, e.g. `"input.number_too_short"`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::NumberEmpty => "input.number_empty",
            Self::NumberTooShort { .. } => "input.number_too_short",
            Self::NumberTooLong { .. } => "input.number_too_long",
            Self::NumberBadChars { .. } => "input.number_bad_chars",
            Self::PhoneEmpty => "input.phone_empty",
            Self::PhoneNoDigits => "input.phone_no_digits",
            Self::PhoneTooShort { .. } => "input.phone_too_short",
            Self::PhoneMasked => "input.phone_masked",
            Self::PhoneBadChars { .. } => "input.phone_bad_chars",
        }
    }

    /// True for the errors about a tracking number, false for those about a phone number.
    pub fn is_about_number(&self) -> bool {
        matches!(
            self,
            Self::NumberEmpty | Self::NumberTooShort { .. } | Self::NumberTooLong { .. } | Self::NumberBadChars { .. }
        )
    }
}

#[cfg(test)]
impl InputError {
    /// One of each kind, for tests that must cover them all.
    pub(crate) fn examples() -> Vec<Self> {
        vec![
            Self::NumberEmpty,
            Self::NumberTooShort { len: 3, min: 6 },
            Self::NumberTooLong { len: 40, max: 32 },
            Self::NumberBadChars { bad: '#' },
            Self::PhoneEmpty,
            Self::PhoneNoDigits,
            Self::PhoneTooShort { digits: 2 },
            Self::PhoneMasked,
            Self::PhoneBadChars { bad: 'a' },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_and_namespaced() {
        let errors = InputError::examples();
        let keys: HashSet<_> = errors.iter().map(InputError::key).collect();
        assert_eq!(keys.len(), errors.len());
        for error in &errors {
            let key = error.key();
            assert!(key.starts_with("input."), "{key}");
            let prefix = if error.is_about_number() { "input.number_" } else { "input.phone_" };
            assert!(key.starts_with(prefix), "{key}");
        }
    }

    #[test]
    fn messages_carry_the_numbers_a_reader_needs() {
        let short = InputError::NumberTooShort { len: 3, min: 6 }.to_string();
        assert!(short.contains('3') && short.contains('6'), "{short}");
        let long = InputError::NumberTooLong { len: 40, max: 32 }.to_string();
        assert!(long.contains("40") && long.contains("32"), "{long}");
        let bad = InputError::NumberBadChars { bad: '#' }.to_string();
        assert!(bad.contains("'#'"), "{bad}");
        let phone = InputError::PhoneTooShort { digits: 2 }.to_string();
        assert!(phone.contains('2') && phone.contains('4'), "{phone}");
    }
}
