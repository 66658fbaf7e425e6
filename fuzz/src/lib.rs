//! What the fuzz targets run, one module each, so that a target file is a single line and the checks
//! read like the code they check.
//!
//! - [`answer`]: a Kuaidi100 answer body → the parser, everything read out of the answer, the reply a
//!   chat would get (valid Telegram HTML within the limit) and the JSON it is stored as.
//! - [`push`]: a push callback → the bot's real HTTP router on a throw-away SQLite store, exactly the
//!   path `POST /kuaidi100/push` runs (form decoding, signature, parse, intake), without a network.
//! - [`text`]: a message → the command parser, the number extractor, the input rules, and the replies
//!   that quote what was typed.
//!
//! A finding is a panic (an `assert!` here, or one in the bot); each becomes a plain unit test next
//! to the code it was in.

pub mod answer;
pub mod push;
pub mod text;

use kuaidi_test_support::telegram_html::check_bot_html;

/// Panics, with the reason and the HTML, unless Telegram would take `html` as the bot sent it.
pub fn assert_sendable(html: &str, what: &str) {
    if let Err(reason) = check_bot_html(html) {
        let shown: String = html.chars().take(2_000).collect();
        panic!("{what}: {reason}: {shown:?}");
    }
}
