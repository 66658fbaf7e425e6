//! A chat's name for a parcel ("mom's tea", "妈妈的茶"), as typed after `/name <number>` or sent after
//! pressing 🏷: checked here, once, before it is stored or shown.
//!
//! A label is a short line of text of the user's own, shown next to the parcel in replies, `/list`
//! and notifications. So it is trimmed and single-spaced, at most [`MAX_LABEL_CHARS`] characters
//! (Unicode scalar values, so 32 Chinese characters are as fine as 32 Latin letters), and free of
//! characters that would change how the text around it reads: control characters (line breaks, tabs,
//! escapes) and the bidirectional overrides and isolates that can turn the rest of a line around.
//! HTML is *not* refused — `<b>` or `&` are ordinary characters here and are escaped wherever a label
//! is shown (`chat::words`). Nothing here does I/O.

/// The most characters a label may have.
pub const MAX_LABEL_CHARS: usize = 32;

/// A checked label: trimmed, single-spaced, 1 to [`MAX_LABEL_CHARS`] characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why a label was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Nothing but spaces.
    #[error("A name needs at least one character.")]
    Empty,
    /// `len` characters, more than `max`.
    #[error("This name has {len} characters; it can have at most {max}.")]
    TooLong { len: usize, max: usize },
    /// A control or text-direction character, which a name may not hold.
    #[error("A name may not contain control characters.")]
    BadChar { bad: char },
}

impl LabelError {
    /// The locale key of the error's sentence (stable: the translations are keyed on it).
    pub fn key(&self) -> &'static str {
        match self {
            LabelError::Empty => "label.empty",
            LabelError::TooLong { .. } => "label.too_long",
            LabelError::BadChar { .. } => "label.bad_char",
        }
    }
}

/// Checks a label as typed: runs of spaces become one, the ends are trimmed.
pub fn label(text: &str) -> Result<Label, LabelError> {
    if let Some(bad) = text.chars().find(|&c| is_refused(c)) {
        return Err(LabelError::BadChar { bad });
    }
    let single_spaced = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = single_spaced.chars().count();
    if len == 0 {
        return Err(LabelError::Empty);
    }
    if len > MAX_LABEL_CHARS {
        return Err(LabelError::TooLong { len, max: MAX_LABEL_CHARS });
    }
    Ok(Label(single_spaced))
}

/// Control characters (C0, DEL, C1: line breaks and tabs included) and the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), plus the byte-order mark.
fn is_refused(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_single_spaced() {
        assert_eq!(label("  mom's   tea ").map(Label::into_string), Ok("mom's tea".to_owned()));
        assert_eq!(label("妈妈的茶").map(Label::into_string), Ok("妈妈的茶".to_owned()));
        assert_eq!(
            label("妈妈\u{3000}的茶").map(Label::into_string),
            Ok("妈妈 的茶".to_owned()),
            "an ideographic space"
        );
        assert_eq!(label("🎁 gift 👨‍👩‍👧").map(Label::into_string), Ok("🎁 gift 👨‍👩‍👧".to_owned()), "emoji, ZWJ too");
    }

    #[test]
    fn html_is_kept_as_text() {
        assert_eq!(label("<b>x</b> & co").map(Label::into_string), Ok("<b>x</b> & co".to_owned()));
    }

    #[test]
    fn empty_names_are_refused() {
        assert_eq!(label(""), Err(LabelError::Empty));
        assert_eq!(label("   \u{3000} "), Err(LabelError::Empty));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let chinese = "茶".repeat(MAX_LABEL_CHARS);
        assert_eq!(label(&chinese).map(|label| label.as_str().chars().count()), Ok(MAX_LABEL_CHARS));
        assert_eq!(label(&format!("{chinese}茶")), Err(LabelError::TooLong { len: 33, max: MAX_LABEL_CHARS }));
        assert_eq!(label(&"a".repeat(40)), Err(LabelError::TooLong { len: 40, max: 32 }));
        // Spaces that are folded away do not count.
        assert!(label(&format!("   {}   ", "a".repeat(32))).is_ok());
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        for (text, bad) in [
            ("tea\nparty", '\n'),
            ("tea\tparty", '\t'),
            ("tea\u{0}", '\u{0}'),
            ("esc\u{1b}[31m", '\u{1b}'),
            ("abc\u{202E}fed", '\u{202E}'),
            ("\u{2066}x", '\u{2066}'),
            ("\u{85}next line", '\u{85}'),
        ] {
            assert_eq!(label(text), Err(LabelError::BadChar { bad }), "{text:?}");
        }
        assert_eq!(LabelError::BadChar { bad: '\n' }.key(), "label.bad_char");
    }
}
