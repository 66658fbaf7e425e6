//! The one normal form in which typed text and courier names are compared.
//!
//! People type courier names in any case, with full-width letters from a Chinese input method, with or
//! without spaces (`SF Express`, `sfexpress`, `ＳＦ`), and with dashes the table may or may not have
//! (`UPS-全球件`). Folding both sides to one key form makes every lookup an exact string comparison:
//! full-width → ASCII, lower case, and whitespace plus the joiners `-`, `_`, `.`, `·` removed. Other
//! punctuation (`&` in `j&t`, brackets in international names) is kept because it distinguishes names.

use crate::input::fold_width;

/// The comparison key of `text` (see the module documentation).
pub fn match_key(text: &str) -> String {
    text.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '·' | '・'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_width_spaces_and_joiners_fold_away() {
        assert_eq!(match_key("  YuanTong "), "yuantong");
        assert_eq!(match_key("ＳＦ　Ｅｘｐｒｅｓｓ"), "sfexpress");
        assert_eq!(match_key("SF-Express"), "sfexpress");
        assert_eq!(match_key("UPS-全球件"), "ups全球件");
        assert_eq!(match_key("中国邮政（CHINA POST）"), "中国邮政(chinapost)");
    }

    #[test]
    fn distinguishing_punctuation_stays() {
        assert_eq!(match_key("J&T"), "j&t");
        assert_ne!(match_key("j&t"), match_key("jt"));
    }
}
