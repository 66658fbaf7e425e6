//! What the property tests share: their configuration and the random text they throw at the code.
//!
//! The properties themselves live next to what they test (`input/properties.rs`, `chat/properties.rs`,
//! `kuaidi100/properties.rs`), so that private functions stay reachable. Each sets its case count
//! deliberately: the whole suite must stay within a few seconds of a debug build, and the fuzzers
//! (`fuzz/`) are where long runs belong. Nothing is persisted: a failure that proptest finds is fixed
//! and becomes a plain unit test beside the code, which is what keeps it from coming back.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// `cases` cases, no failure file, shrinking bounded so that a failure is reported quickly.
pub fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() }
}

/// Characters that break things: HTML's specials, emoji outside the BMP (two UTF-16 units) and a ZWJ
/// sequence, CJK, full-width forms and the ideographic space, dashes, control and direction marks.
const HARD: &[&str] = &[
    "<",
    ">",
    "&",
    "\"",
    "'",
    "&amp;",
    "&lt;",
    "</b>",
    "<b>",
    "😀",
    "👨‍👩‍👧",
    "🇨🇳",
    "圆通",
    "顺丰",
    "运单号",
    "取件码",
    "尾号",
    "１",
    "Ｙ",
    "　",
    "－",
    "—",
    "\u{0}",
    "\n",
    "\t",
    "\u{202E}",
    "\u{FEFF}",
    "@",
    "/",
    "*",
    "#",
    "转",
    "ext",
    "+86",
    "é",
    "\u{FFFF}",
];

/// One piece of messy text: a hard character, a plain character, or a tracking-number-like run.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(HARD).prop_map(str::to_owned),
        3 => any::<char>().prop_map(String::from),
        2 => "[A-Za-z0-9 ]{1,8}",
        1 => "(YT|SF|JD|JT)?[0-9]{10,15}",
        1 => "1[3-9][0-9]{9}",
    ]
}

/// Random text made of [`piece`]s, up to `max` of them.
pub fn messy_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..=max).prop_map(|pieces| pieces.concat())
}

/// Text of one repeated piece, up to `max` times: a huge line.
pub fn huge_text(max: usize) -> impl Strategy<Value = String> {
    (piece(), 1..=max).prop_map(|(piece, times)| piece.repeat(times))
}

/// Usually messy text, sometimes a huge line.
pub fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![4 => messy_text(40), 1 => huge_text(5_000)]
}
