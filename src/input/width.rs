//! Full-width to half-width folding, shared by every rule that reads what a person typed.
//!
//! Chinese input methods happily produce full-width letters and digits (`ＹＴ１２３`, `１３８`) and the
//! ideographic space U+3000. They mean the same as their ASCII twins, so every parser folds them first
//! instead of rejecting them. Only the Unicode "Halfwidth and Fullwidth Forms" block that mirrors ASCII
//! (U+FF01..=U+FF5E) and U+3000 are folded; everything else is left for the caller to judge.

/// Folds one full-width ASCII variant (or the ideographic space) to its ASCII form; other characters
/// come back unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Folds every character of `s` with [`fold_width`].
pub fn fold_width_str(s: &str) -> String {
    s.chars().map(fold_width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_letters_digits_and_punctuation() {
        assert_eq!(fold_width_str("ＹＴ１２３ａｂｃ"), "YT123abc");
        assert_eq!(fold_width_str("－＊（）！～"), "-*()!~");
        assert_eq!(fold_width('\u{3000}'), ' ');
    }

    #[test]
    fn leaves_other_characters_alone() {
        assert_eq!(fold_width_str("圆通 YT-1 é"), "圆通 YT-1 é");
        // Just outside the mirrored block on both sides.
        assert_eq!(fold_width('\u{FF00}'), '\u{FF00}');
        assert_eq!(fold_width('\u{FF5F}'), '\u{FF5F}');
    }
}
