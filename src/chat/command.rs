//! Reading what people type: commands, their arguments, bare numbers.
//!
//! Telegram clients send `/track@BotName`, several spaces, full-width spaces (U+3000) and full-width
//! digits and letters from Chinese input methods; all of them are folded here, once, before any
//! command sees its arguments. A command addressed to another bot is not ours and is ignored.

use rust_i18n::t;

use crate::input::fold_width_str;
use crate::kuaidi100::Lang;

/// The commands of the menu, in its order, with the locale key of each one's description.
const MENU: &[(&str, &str)] = &[
    ("track", "menu.track"),
    ("sub", "menu.sub"),
    ("unsub", "menu.unsub"),
    ("list", "menu.list"),
    ("couriers", "menu.couriers"),
    ("lang", "menu.lang"),
    ("help", "menu.help"),
];

/// The command menu in a language: each command's name and what it does.
pub fn menu_entries(lang: Lang) -> Vec<(&'static str, String)> {
    MENU.iter().map(|(name, key)| (*name, t!(*key, locale = lang.as_str()).into_owned())).collect()
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Start,
    Help,
    /// `/track` and its arguments, split on whitespace.
    Track(Vec<String>),
    Lang(Vec<String>),
    /// `/sub` (`/subscribe`), with the arguments of `/track`.
    Sub(Vec<String>),
    /// `/unsub <number>` (`/unsubscribe`).
    Unsub(Vec<String>),
    List,
    Couriers(String),
    /// A command this bot does not have.
    Unknown(String),
    /// Not a command: plain text (folded and trimmed).
    Text(String),
    /// A command for another bot (`/x@OtherBot`): not ours to answer.
    NotForUs,
}

/// Parses one message text; `bot_username` is compared case-insensitively, without `@`.
pub fn parse(text: &str, bot_username: &str) -> Command {
    let folded = fold_width_str(text);
    let trimmed = folded.trim();
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Command::Text(trimmed.split_whitespace().collect::<Vec<_>>().join(" "));
    };
    let mut words = rest.split_whitespace();
    let head = words.next().unwrap_or_default();
    let (name, addressee) = match head.split_once('@') {
        Some((name, addressee)) => (name, Some(addressee)),
        None => (head, None),
    };
    if addressee.is_some_and(|addressee| !addressee.eq_ignore_ascii_case(bot_username.trim_start_matches('@'))) {
        return Command::NotForUs;
    }
    let args: Vec<String> = words.map(str::to_owned).collect();
    match name.to_ascii_lowercase().as_str() {
        "start" => Command::Start,
        "help" => Command::Help,
        "track" | "t" => Command::Track(args),
        "lang" | "language" => Command::Lang(args),
        "sub" | "subscribe" => Command::Sub(args),
        "unsub" | "unsubscribe" => Command::Unsub(args),
        "list" => Command::List,
        "couriers" | "courier" => Command::Couriers(args.join(" ")),
        _ => Command::Unknown(name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(args: &[&str]) -> Command {
        Command::Track(args.iter().map(|arg| arg.to_string()).collect())
    }

    #[test]
    fn commands_with_and_without_the_bot_name() {
        assert_eq!(parse("/track yto YT9693083639795", "KuaidiBot"), track(&["yto", "YT9693083639795"]));
        assert_eq!(parse("/track@KuaidiBot yto YT9693083639795", "KuaidiBot"), track(&["yto", "YT9693083639795"]));
        assert_eq!(
            parse("/TRACK@kuaidibot   yto\t YT9693083639795 ", "@KuaidiBot"),
            track(&["yto", "YT9693083639795"])
        );
        assert_eq!(parse("/track@OtherBot yto YT1", "KuaidiBot"), Command::NotForUs);
        assert_eq!(parse("/start", "KuaidiBot"), Command::Start);
        assert_eq!(parse("/help@KuaidiBot", "KuaidiBot"), Command::Help);
        assert_eq!(parse("/lang en", "KuaidiBot"), Command::Lang(vec!["en".into()]));
        assert_eq!(parse("/couriers  sf  express", "KuaidiBot"), Command::Couriers("sf express".into()));
        assert_eq!(parse("/frobnicate", "KuaidiBot"), Command::Unknown("frobnicate".into()));
        assert_eq!(parse("/track", "KuaidiBot"), track(&[]));
        assert_eq!(parse("/subscribe@KuaidiBot yto YT1", "KuaidiBot"), Command::Sub(vec!["yto".into(), "YT1".into()]));
        assert_eq!(parse("/unsub YT1", "KuaidiBot"), Command::Unsub(vec!["YT1".into()]));
        assert_eq!(parse("/list", "KuaidiBot"), Command::List);
    }

    #[test]
    fn full_width_input_is_folded() {
        // Full-width slash, letters and digits, and ideographic spaces, as a Chinese IME types them.
        assert_eq!(
            parse("／ｔｒａｃｋ　圆通　ＹＴ９６９３０８３６３９７９５", "KuaidiBot"),
            track(&["圆通", "YT9693083639795"])
        );
        assert_eq!(parse("　ＹＴ９６９３０８３６３９７９５　", "KuaidiBot"), Command::Text("YT9693083639795".into()));
    }

    #[test]
    fn plain_text_is_text() {
        assert_eq!(parse("  hello   there ", "KuaidiBot"), Command::Text("hello there".into()));
        assert_eq!(parse("1234", "KuaidiBot"), Command::Text("1234".into()));
    }
}
