//! Reading what people type: the one list of commands, and each command's arguments as typed values.
//!
//! [`COMMANDS`] is the only list of the bot's commands. The parser below matches names and aliases
//! against it, and the Telegram menu and the command lines of `/help` are drawn from it (in
//! `words::commands`), so the three cannot drift apart. Adding a command means a [`Name`], its [`Spec`],
//! a [`Command`] variant and its handler under `commands/`; the compiler points at every place.
//!
//! Telegram clients send `/track@BotName`, several spaces, full-width spaces (U+3000) and full-width
//! digits and letters from Chinese input methods; all of them are folded here, once, before any
//! command sees its arguments. A command addressed to another bot is not ours and is ignored.
//!
//! Arguments are validated here too: a tracking number becomes a [`TrackingNumber`], a courier name a
//! resolved [`Courier`], `/lang en` a [`Lang`], `/tz` a [`Zone`], a parcel's name a [`Label`]. What cannot be read becomes an [`ArgError`] that says
//! exactly what was wrong; the words for it are chosen in `words`, the buttons in `keyboards`. Nothing
//! here talks to the store or to Kuaidi100.

use super::start_link::{self, StartLink};
use crate::couriers::{Courier, Resolution, directory};
use crate::input::{
    InputError, Label, LabelError, PhoneTail, TrackingNumber, fold_width_str, label, phone_tail, tracking_number,
};
use crate::kuaidi100::Lang;
use crate::zone::Zone;

/// A command of the bot, whichever of its names it was typed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Start,
    Help,
    Track,
    Sub,
    Unsub,
    List,
    /// `/name` (`/label`): this chat's name for a parcel.
    Label,
    Couriers,
    Lang,
    /// `/tz`: the time zone this chat's times are shown in.
    Tz,
    /// `/forget`: delete everything the bot holds about this chat, after a confirmation.
    Forget,
}

/// The commands, in the order of the menu and of `/help`.
pub const COMMANDS: [Name; 11] = [
    Name::Start,
    Name::Track,
    Name::Sub,
    Name::Unsub,
    Name::List,
    Name::Label,
    Name::Couriers,
    Name::Lang,
    Name::Tz,
    Name::Forget,
    Name::Help,
];

/// What there is to know about a command, besides what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Its name after `/`, as the menu shows it.
    pub word: &'static str,
    /// Other names that work the same.
    pub aliases: &'static [&'static str],
    /// Locale key of what it does, for the menu and `/help`; `None` keeps it out of both.
    pub about: Option<&'static str>,
    /// Locale key of its arguments as `/help` shows them (`[courier] number [phone]`), if it takes any.
    pub args: Option<&'static str>,
    /// Locale key of the usage line a malformed call gets, if it takes arguments.
    pub usage: Option<&'static str>,
}

impl Name {
    /// The command's entry in the list; the match makes sure every command has one.
    pub fn spec(self) -> Spec {
        let spec = |word, aliases, about, args, usage| Spec { word, aliases, about, args, usage };
        match self {
            Name::Start => spec("start", &[], None, None, None),
            Name::Help => spec("help", &[], Some("command.help.about"), None, None),
            Name::Track => spec(
                "track",
                &["t"],
                Some("command.track.about"),
                Some("command.track.args"),
                Some("command.track.usage"),
            ),
            Name::Sub => spec(
                "sub",
                &["subscribe"],
                Some("command.sub.about"),
                Some("command.sub.args"),
                Some("command.sub.usage"),
            ),
            Name::Unsub => spec(
                "unsub",
                &["unsubscribe"],
                Some("command.unsub.about"),
                Some("command.unsub.args"),
                Some("command.unsub.usage"),
            ),
            Name::List => spec("list", &[], Some("command.list.about"), None, None),
            Name::Label => spec(
                "name",
                &["label"],
                Some("command.name.about"),
                Some("command.name.args"),
                Some("command.name.usage"),
            ),
            Name::Couriers => spec(
                "couriers",
                &["courier"],
                Some("command.couriers.about"),
                Some("command.couriers.args"),
                Some("command.couriers.usage"),
            ),
            Name::Lang => spec(
                "lang",
                &["language"],
                Some("command.lang.about"),
                Some("command.lang.args"),
                Some("command.lang.usage"),
            ),
            Name::Tz => spec(
                "tz",
                &["timezone", "zone"],
                Some("command.tz.about"),
                Some("command.tz.args"),
                Some("command.tz.usage"),
            ),
            Name::Forget => spec("forget", &[], Some("command.forget.about"), None, None),
        }
    }

    /// The command typed as `word` (any case), by its name or an alias.
    fn find(word: &str) -> Option<Self> {
        let word = word.to_ascii_lowercase();
        COMMANDS.into_iter().find(|name| {
            let spec = name.spec();
            spec.word == word || spec.aliases.contains(&word.as_str())
        })
    }
}

/// A parsed line: a command with its arguments read, or why they could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start`, with the parcel of a deep link's payload, or `Err` for a payload this bot did not write.
    Start(Option<Result<StartLink, ForeignPayload>>),
    Help,
    /// `/track [courier] number [phone]`.
    Track(ParcelRequest),
    /// `/sub` (`/subscribe`), with the arguments of `/track`.
    Sub(ParcelRequest),
    /// `/unsub <number>` (`/unsubscribe`).
    Unsub(TrackingNumber),
    List,
    /// `/name <number> [label]` (`/label`): set this chat's label for the parcel, or clear it (`None`).
    Label(TrackingNumber, Option<Label>),
    /// `/lang zh|en`: the language chosen.
    Lang(Lang),
    /// `/tz [zone|reset]`: show, choose or reset this chat's time zone.
    Tz(ZoneChoice),
    /// `/forget`: asks to confirm deleting everything about the chat.
    Forget,
    /// `/couriers <text>`: what to look for, never empty.
    Couriers(String),
    /// One of our commands, with arguments that cannot be read.
    Malformed(Name, ArgError),
    /// A command this bot does not have.
    Unknown(String),
    /// Not a command: plain text (folded, trimmed, single-spaced).
    Text(String),
    /// A command for another bot (`/x@OtherBot`): not ours to answer.
    NotForUs,
}

/// What `/tz` was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneChoice {
    /// `/tz` alone: say the current zone, with the usage.
    Show,
    /// `/tz Europe/Berlin`, `/tz UTC+1`, or back to Beijing time (`/tz reset`, `/tz beijing`).
    Set(Zone),
}

/// A `/start` payload this bot did not write (another bot's, a typo, an outdated link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignPayload;

/// A parcel as named in a command: the courier (or none, to detect it), the number and the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelRequest {
    pub courier: Option<&'static Courier>,
    pub number: TrackingNumber,
    pub phone: Option<PhoneTail>,
}

/// Why a command's arguments could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    /// Too few or too many words, or a word that is not one of the choices: the usage line says more.
    Usage,
    /// The tracking number was refused.
    BadNumber(InputError),
    /// The phone was refused.
    BadPhone(InputError),
    /// The label was refused.
    BadLabel(LabelError),
    /// No courier has this name; these are spelled alike (best first, maybe none).
    UnknownCourier { input: String, suggestions: Vec<&'static Courier>, number: TrackingNumber },
    /// Several couriers have this name.
    AmbiguousCourier { input: String, candidates: Vec<&'static Courier>, number: TrackingNumber },
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
    let (word, addressee) = match head.split_once('@') {
        Some((word, addressee)) => (word, Some(addressee)),
        None => (head, None),
    };
    if addressee.is_some_and(|addressee| !addressee.eq_ignore_ascii_case(bot_username.trim_start_matches('@'))) {
        return Command::NotForUs;
    }
    let Some(name) = Name::find(word) else { return Command::Unknown(word.to_owned()) };
    let args: Vec<&str> = words.collect();
    arguments(name, &args).unwrap_or_else(|error| Command::Malformed(name, error))
}

/// Reads the arguments `name` takes; commands without arguments ignore what follows them.
fn arguments(name: Name, args: &[&str]) -> Result<Command, ArgError> {
    Ok(match name {
        Name::Start => match args.first() {
            Some(&start_link::HELP_PAYLOAD) => Command::Help,
            first => Command::Start(first.map(|payload| start_link::parse(payload).ok_or(ForeignPayload))),
        },
        Name::Help => Command::Help,
        Name::Track => Command::Track(parcel(args)?),
        Name::Sub => Command::Sub(parcel(args)?),
        Name::Unsub => match args {
            [number] => Command::Unsub(tracking_number(number).map_err(ArgError::BadNumber)?),
            _ => return Err(ArgError::Usage),
        },
        Name::List => Command::List,
        Name::Label => match args {
            [] => return Err(ArgError::Usage),
            [number, words @ ..] => {
                let number = tracking_number(number).map_err(ArgError::BadNumber)?;
                let named = (!words.is_empty()).then(|| label(&words.join(" "))).transpose();
                Command::Label(number, named.map_err(ArgError::BadLabel)?)
            }
        },
        Name::Lang => Command::Lang(language(args).ok_or(ArgError::Usage)?),
        Name::Tz => Command::Tz(zone_choice(args)?),
        Name::Forget => Command::Forget,
        Name::Couriers => match args.join(" ") {
            text if text.is_empty() => return Err(ArgError::Usage),
            text => Command::Couriers(text),
        },
    })
}

/// Reads `[courier] number [phone]`: with 2 words, `courier number` unless the first is a number, the
/// second a phone, and the first no courier name. The number is checked before the phone, and both
/// before the courier, whose error replies offer buttons for the number.
pub fn parcel(args: &[&str]) -> Result<ParcelRequest, ArgError> {
    let (courier_text, number_text, phone_text) = match *args {
        [number] => (None, number, None),
        [first, second] => {
            let first_is_courier = !matches!(directory().resolve(first), Resolution::Unknown { .. });
            if !first_is_courier && tracking_number(first).is_ok() && phone_tail(second).is_ok() && second.len() <= 16 {
                (None, first, Some(second))
            } else {
                (Some(first), second, None)
            }
        }
        [courier, number, phone] => (Some(courier), number, Some(phone)),
        _ => return Err(ArgError::Usage),
    };
    let number = tracking_number(number_text).map_err(ArgError::BadNumber)?;
    let phone = phone_text.map(phone_tail).transpose().map_err(ArgError::BadPhone)?;
    let courier = match courier_text {
        None => None,
        Some(input) => match directory().resolve(input) {
            Resolution::Found(courier) => Some(courier),
            Resolution::Ambiguous(candidates) => {
                return Err(ArgError::AmbiguousCourier { input: input.to_owned(), candidates, number });
            }
            Resolution::Unknown { suggestions } => {
                return Err(ArgError::UnknownCourier { input: input.to_owned(), suggestions, number });
            }
        },
    };
    Ok(ParcelRequest { courier, number, phone })
}

/// Plain text that names a parcel like `/track` without the command: at most 3 words, one of them a
/// tracking number. `None`: the text is about something else.
pub fn bare_parcel(text: &str) -> Option<Result<ParcelRequest, ArgError>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let looks_like_parcel = words.len() <= 3 && words.iter().any(|word| tracking_number(word).is_ok());
    looks_like_parcel.then(|| parcel(&words))
}

/// A text that mentions the bot (`@BotName`, any case, not part of a longer name): the text without
/// the mention, single-spaced. `None`: it does not mention the bot.
pub fn without_mention(text: &str, bot_username: &str) -> Option<String> {
    let name = bot_username.trim_start_matches('@');
    if name.is_empty() {
        return None;
    }
    let handle = format!("@{}", name.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase();
    let mut rest = String::with_capacity(text.len());
    let mut from = 0;
    let mut found = false;
    while let Some(at) = lower[from..].find(&handle).map(|at| at + from) {
        let end = at + handle.len();
        let longer = lower[end..].chars().next().is_some_and(|next| next.is_ascii_alphanumeric() || next == '_');
        rest.push_str(&text[from..at]);
        if longer {
            rest.push_str(&text[at..end]);
        } else {
            rest.push(' ');
            found = true;
        }
        from = end;
    }
    rest.push_str(&text[from..]);
    found.then(|| rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Plain text that answers "send me the last 4 digits": a phone or its tail, nothing else.
pub fn phone_reply(text: &str) -> Option<PhoneTail> {
    let plausible = text.chars().filter(char::is_ascii_digit).count() <= 11 && !text.chars().any(char::is_alphabetic);
    phone_tail(text).ok().filter(|_| plausible)
}

/// `/tz`'s argument: none, `reset` (or `default`), or a zone, which may be typed with spaces
/// (`UTC +1`). Anything unreadable gets the usage line.
fn zone_choice(args: &[&str]) -> Result<ZoneChoice, ArgError> {
    if args.is_empty() {
        return Ok(ZoneChoice::Show);
    }
    let typed = args.concat();
    if matches!(typed.to_ascii_lowercase().as_str(), "reset" | "default" | "off") {
        return Ok(ZoneChoice::Set(Zone::Beijing));
    }
    Zone::parse(&typed).map(ZoneChoice::Set).map_err(|_| ArgError::Usage)
}

/// `/lang`'s one argument.
fn language(args: &[&str]) -> Option<Lang> {
    let [one] = args else { return None };
    match one.to_ascii_lowercase().as_str() {
        "zh" | "cn" | "中文" => Some(Lang::Zh),
        "en" | "english" | "英文" => Some(Lang::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::start_link::LinkOp;

    const BOT: &str = "KuaidiBot";

    fn courier(code: &str) -> &'static Courier {
        directory().get(code).expect("a courier of the table")
    }

    fn number(text: &str) -> TrackingNumber {
        tracking_number(text).expect("a valid number")
    }

    fn parcel_of(code: Option<&str>, text: &str, phone: Option<&str>) -> ParcelRequest {
        ParcelRequest {
            courier: code.map(courier),
            number: number(text),
            phone: phone.map(|digits| phone_tail(digits).expect("a phone")),
        }
    }

    fn track(code: &str, text: &str) -> Command {
        Command::Track(parcel_of(Some(code), text, None))
    }

    #[test]
    fn commands_with_and_without_the_bot_name() {
        assert_eq!(parse("/track yto YT9693083639795", BOT), track("yuantong", "YT9693083639795"));
        assert_eq!(parse("/track@KuaidiBot yto YT9693083639795", BOT), track("yuantong", "YT9693083639795"));
        assert_eq!(
            parse("/TRACK@kuaidibot   yto\t YT9693083639795 ", "@KuaidiBot"),
            track("yuantong", "YT9693083639795")
        );
        assert_eq!(parse("/t yto YT9693083639795", BOT), track("yuantong", "YT9693083639795"));
        assert_eq!(parse("/track@OtherBot yto YT1", BOT), Command::NotForUs);
        assert_eq!(parse("/start", BOT), Command::Start(None));
        assert_eq!(parse("/start ref_123", BOT), Command::Start(Some(Err(ForeignPayload))));
        assert!(matches!(
            parse("/start sub-yuantong-YT9693083639795", BOT),
            Command::Start(Some(Ok(StartLink { op: LinkOp::Subscribe, .. })))
        ));
        assert_eq!(parse("/help@KuaidiBot", BOT), Command::Help);
        assert_eq!(parse("/lang en", BOT), Command::Lang(Lang::En));
        assert_eq!(parse("/language 中文", BOT), Command::Lang(Lang::Zh));
        assert_eq!(parse("/couriers  sf  express", BOT), Command::Couriers("sf express".into()));
        assert_eq!(parse("/courier 顺丰", BOT), Command::Couriers("顺丰".into()));
        assert_eq!(parse("/frobnicate", BOT), Command::Unknown("frobnicate".into()));
        assert_eq!(parse("/track", BOT), Command::Malformed(Name::Track, ArgError::Usage));
        assert_eq!(
            parse("/subscribe@KuaidiBot yto YT9693083639795", BOT),
            Command::Sub(parcel_of(Some("yuantong"), "YT9693083639795", None))
        );
        assert!(matches!(
            parse("/subscribe@KuaidiBot yto YT1", BOT),
            Command::Malformed(Name::Sub, ArgError::BadNumber(InputError::NumberTooShort { len: 3, min: 6 }))
        ));
        assert_eq!(parse("/unsub YT9693083639795", BOT), Command::Unsub(number("YT9693083639795")));
        assert_eq!(parse("/unsubscribe YT9693083639795", BOT), Command::Unsub(number("YT9693083639795")));
        assert!(matches!(parse("/unsub YT1", BOT), Command::Malformed(Name::Unsub, ArgError::BadNumber(_))));
        assert_eq!(parse("/unsub", BOT), Command::Malformed(Name::Unsub, ArgError::Usage));
        assert_eq!(parse("/list", BOT), Command::List);
        assert_eq!(parse("/forget@KuaidiBot", BOT), Command::Forget);
    }

    #[test]
    fn tz_shows_sets_and_resets_and_refuses_nonsense() {
        let berlin = Zone::parse("Europe/Berlin").expect("a zone");
        assert_eq!(parse("/tz", BOT), Command::Tz(ZoneChoice::Show));
        assert_eq!(parse("/tz europe/berlin", BOT), Command::Tz(ZoneChoice::Set(berlin)));
        assert_eq!(
            parse("/timezone@KuaidiBot UTC +1", BOT),
            Command::Tz(ZoneChoice::Set(Zone::parse("+01:00").expect("a zone")))
        );
        for reset in ["/tz reset", "/tz Beijing", "/tz 北京", "/zone RESET"] {
            assert_eq!(parse(reset, BOT), Command::Tz(ZoneChoice::Set(Zone::Beijing)), "{reset}");
        }
        for bad in ["/tz Mars/Olympus", "/tz UTC+15", "/tz <b>x</b>"] {
            assert_eq!(parse(bad, BOT), Command::Malformed(Name::Tz, ArgError::Usage), "{bad}");
        }
    }

    #[test]
    fn name_sets_clears_and_refuses() {
        let tea = label("mom's tea").expect("a label");
        assert_eq!(
            parse("/name YT9693083639795 mom's   tea", BOT),
            Command::Label(number("YT9693083639795"), Some(tea))
        );
        assert_eq!(
            parse("/label@KuaidiBot yt9693083639795 妈妈的茶", BOT),
            Command::Label(number("YT9693083639795"), label("妈妈的茶").ok())
        );
        assert_eq!(parse("/name YT9693083639795", BOT), Command::Label(number("YT9693083639795"), None));
        assert_eq!(parse("/name", BOT), Command::Malformed(Name::Label, ArgError::Usage));
        assert!(matches!(parse("/name YT1 tea", BOT), Command::Malformed(Name::Label, ArgError::BadNumber(_))));
        assert_eq!(
            parse(&format!("/name YT9693083639795 {}", "x".repeat(33)), BOT),
            Command::Malformed(Name::Label, ArgError::BadLabel(LabelError::TooLong { len: 33, max: 32 }))
        );
        assert!(matches!(
            parse("/name YT9693083639795 tea\u{202E}", BOT),
            Command::Malformed(Name::Label, ArgError::BadLabel(LabelError::BadChar { .. }))
        ));
    }

    #[test]
    fn full_width_input_is_folded() {
        // Full-width slash, letters and digits, and ideographic spaces, as a Chinese IME types them.
        assert_eq!(
            parse("／ｔｒａｃｋ　圆通　ＹＴ９６９３０８３６３９７９５", BOT),
            track("yuantong", "YT9693083639795")
        );
        assert_eq!(parse("　ＹＴ９６９３０８３６３９７９５　", BOT), Command::Text("YT9693083639795".into()));
    }

    #[test]
    fn plain_text_is_text() {
        assert_eq!(parse("  hello   there ", BOT), Command::Text("hello there".into()));
        assert_eq!(parse("1234", BOT), Command::Text("1234".into()));
    }

    #[test]
    fn parcel_arguments_in_every_shape() {
        let parcel_of_words = |text: &str| parcel(&text.split_whitespace().collect::<Vec<_>>());
        assert_eq!(parcel_of_words("YT9693083639795"), Ok(parcel_of(None, "YT9693083639795", None)));
        assert_eq!(
            parcel_of_words("SF1234567890123 13812345678"),
            Ok(parcel_of(None, "SF1234567890123", Some("5678"))),
            "a number then a phone"
        );
        assert_eq!(
            parcel_of_words("顺丰 SF1234567890123 5678"),
            Ok(parcel_of(Some("shunfeng"), "SF1234567890123", Some("5678")))
        );
        assert_eq!(parcel_of_words(""), Err(ArgError::Usage));
        assert_eq!(parcel_of_words("a b c d"), Err(ArgError::Usage));
        assert!(matches!(parcel_of_words("yto YT96930836397$5"), Err(ArgError::BadNumber(_))));
        assert!(matches!(parcel_of_words("sf SF1234567890123 12"), Err(ArgError::BadPhone(_))));
        match parcel_of_words("yuantog YT9693083639795") {
            Err(ArgError::UnknownCourier { input, suggestions, number: typed }) => {
                assert_eq!(input, "yuantog");
                assert_eq!(suggestions.first().map(|courier| courier.code), Some("yuantong"));
                assert_eq!(typed, number("YT9693083639795"));
            }
            other => panic!("{other:?}"),
        }
        match parcel_of_words("德邦 DPK123456789") {
            Err(ArgError::AmbiguousCourier { input, candidates, .. }) => {
                assert_eq!(input, "德邦");
                assert!(candidates.len() >= 2, "{candidates:?}");
            }
            other => panic!("{other:?}"),
        }
        // The number is refused before the courier is looked at.
        assert!(matches!(parcel_of_words("yuantog 12"), Err(ArgError::BadNumber(_))));
    }

    #[test]
    fn bare_text_and_phone_replies() {
        assert_eq!(bare_parcel("YT9693083639795"), Some(Ok(parcel_of(None, "YT9693083639795", None))));
        assert_eq!(bare_parcel("圆通 YT9693083639795"), Some(Ok(parcel_of(Some("yuantong"), "YT9693083639795", None))));
        assert_eq!(bare_parcel("hello there"), None);
        assert_eq!(bare_parcel("my parcel YT9693083639795 is late"), None, "more than 3 words is chatter");
        assert_eq!(phone_reply("5678"), phone_tail("5678").ok());
        assert_eq!(phone_reply("138 1234 5678"), phone_tail("5678").ok());
        assert_eq!(phone_reply("SF1234567890123"), None);
        assert_eq!(phone_reply("123456789012345"), None, "too many digits for a phone");
    }

    #[test]
    fn mentions_of_the_bot_are_found_and_taken_out() {
        assert_eq!(without_mention("@KuaidiBot YT9693083639795", BOT).as_deref(), Some("YT9693083639795"));
        assert_eq!(without_mention("看看 @kuaidibot，YT9693083639795", BOT).as_deref(), Some("看看 ，YT9693083639795"));
        assert_eq!(without_mention("YT9693083639795 @KUAIDIBOT", "@KuaidiBot").as_deref(), Some("YT9693083639795"));
        assert_eq!(without_mention("@KuaidiBot", BOT).as_deref(), Some(""));
        assert_eq!(without_mention("@KuaidiBotFan YT9693083639795", BOT), None, "a longer name is someone else");
        assert_eq!(without_mention("@OtherBot YT9693083639795", BOT), None);
        assert_eq!(without_mention("no mention", BOT), None);
        assert_eq!(without_mention("@x", ""), None);
    }

    #[test]
    fn every_command_is_listed_once_under_names_of_its_own() {
        let mut words = Vec::new();
        for (index, name) in COMMANDS.iter().enumerate() {
            assert!(!COMMANDS[..index].contains(name), "{name:?} twice");
            let spec = name.spec();
            words.push(spec.word);
            words.extend(spec.aliases);
            assert_eq!(spec.args.is_some(), spec.usage.is_some(), "{name:?}: arguments and a usage line go together");
            assert_eq!(Name::find(spec.word), Some(*name));
        }
        let count = words.len();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), count, "a name or alias belongs to one command");
        assert_eq!(
            words,
            [
                "courier",
                "couriers",
                "forget",
                "help",
                "label",
                "lang",
                "language",
                "list",
                "name",
                "start",
                "sub",
                "subscribe",
                "t",
                "timezone",
                "track",
                "tz",
                "unsub",
                "unsubscribe",
                "zone"
            ]
        );
    }
}
