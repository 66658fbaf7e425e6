//! Every phrase a person reads, and the one escaping rule.
//!
//! Wording lives here and nowhere else: the handlers decide *what* to say (a typed outcome, an error,
//! a parcel) and call one of these functions for *how* it reads, on top of the `locales/` strings.
//! `t!` appears in no other module of the crate, so a change of tone, a renamed locale key or a new
//! language touches these files and `locales/` only. The keyboards get their labels from here too.
//!
//! Two kinds of text come out, and each function's documentation says which:
//! - **plain text**, for what is shared with the command line (`kuaidi-bot query`) and for button
//!   toasts, which Telegram shows unparsed;
//! - **HTML** ready to send in Telegram's HTML mode, where everything that came from outside
//!   (trajectory text, places, names, what the user typed) has been passed through [`escape`].
//!
//! Times are shown in the reader's zone (Beijing time unless the chat chose another with `/tz`), and
//! always with the zone named: the rule is in [`zone`].
//!
//! By topic: [`parcel`] (a parcel's reply, its lines and freshness), [`notices`] (notifications),
//! [`errors`] (refused input and what the tracker could not do), [`commands`] (help, menu and the
//! other commands' replies), [`labels`] (`/name` and the 🏷 question), [`list`] (the `/list` summary),
//! [`forget`] (`/forget`), [`zone`] (times in the reader's zone),
//! [`buttons`] (button labels and toasts), [`page`] (the web page's labels), [`web`] (the JSON API's
//! own phrases).

pub mod arrival;
pub mod buttons;
pub mod commands;
pub mod errors;
pub mod forget;
pub mod inline;
pub mod labels;
pub mod list;
pub mod notices;
pub mod page;
pub mod parcel;
pub mod web;
pub mod zone;

pub use errors::{courier_list, input_error, track_error, upstream_error};
pub use parcel::{family_emoji, freshness, next_update, state_label};

/// Escapes text for Telegram's HTML mode, which needs exactly `&`, `<` and `>` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// At most this many characters of what someone typed are quoted back in a reply.
pub const ECHO_MAX: usize = 32;

/// What someone typed, shortened for quoting in a reply (`…` marks a cut), so that a reply quoting a
/// whole message of 4,096 characters still fits in one. Plain text.
pub fn echo(text: &str) -> String {
    let mut shown: String = text.chars().take(ECHO_MAX).collect();
    if text.chars().count() > ECHO_MAX {
        shown.push('…');
    }
    shown
}

/// `<b>圆通速递</b> · <code>YT9693083639795</code>`: how every reply about a parcel opens. HTML.
fn parcel_header(courier_name: &str, number: &str) -> String {
    format!("<b>{}</b> · <code>{}</code>", escape(courier_name), escape(number))
}

/// [`parcel_header`], followed by the chat's label for the parcel on a line of its own when it has
/// one: `🏷 <b>妈妈的茶</b>`. Replies and notifications open with it. HTML.
fn labelled_header(courier_name: &str, number: &str, label: Option<&str>) -> String {
    match label {
        Some(label) => format!("{}\n{}", parcel_header(courier_name, number), label_html(label)),
        None => parcel_header(courier_name, number),
    }
}

/// A label as shown: `🏷 <b>妈妈的茶</b>`, escaped (a label is what the user typed). HTML.
fn label_html(label: &str) -> String {
    format!("🏷 <b>{}</b>", escape(label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::Lang;

    #[test]
    fn escape_touches_exactly_the_three_characters() {
        assert_eq!(escape("<b>a & b</b> \"c\" 'd'"), "&lt;b&gt;a &amp; b&lt;/b&gt; \"c\" 'd'");
    }

    #[test]
    fn echoes_are_cut_to_a_quotable_length() {
        assert_eq!(echo("yuantog"), "yuantog");
        assert_eq!(echo(&"圆".repeat(ECHO_MAX)), "圆".repeat(ECHO_MAX));
        assert_eq!(echo(&"&".repeat(4_000)), format!("{}…", "&".repeat(ECHO_MAX)));
    }

    #[test]
    fn replies_quoting_a_whole_message_fit_in_one() {
        // Found by the property tests: `/couriers`, an unknown command or an unknown courier name of a
        // few thousand `&` or `<` quoted it whole, escaped to four times its length, and Telegram
        // refused the reply as too long: the user got no answer.
        let typed = "&".repeat(4_000);
        let number = crate::input::tracking_number("YT9693083639795").expect("valid");
        for lang in [Lang::En, Lang::Zh] {
            let unknown = crate::chat::command::ArgError::UnknownCourier {
                input: typed.clone(),
                suggestions: Vec::new(),
                number: number.clone(),
            };
            for html in [
                commands::unknown_command_html(&typed, lang),
                commands::couriers_html(&typed, &[], lang),
                errors::arg_error_html(crate::chat::command::Name::Track, &unknown, lang),
            ] {
                assert!(html.chars().count() < 400, "{html}");
                assert!(html.contains(&format!("{}…", "&amp;".repeat(ECHO_MAX))), "{html}");
            }
        }
    }
}
