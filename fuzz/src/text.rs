//! A message as a person sends it (valid UTF-8, at most Telegram's 4,096 UTF-16 units): the command
//! parser, the extractor and the input rules, with their documented promises checked, and the replies
//! that quote what was typed, which must be sendable.

use kuaidi_bot::chat::words::{commands, errors};
use kuaidi_bot::chat::{Command, parse_command};
use kuaidi_bot::couriers::directory;
use kuaidi_bot::input::{TAIL_LEN, extract, fold_width_str, label, phone_tail, tracking_number};
use kuaidi_bot::kuaidi100::Lang;
use kuaidi_test_support::telegram_html::{MAX_TEXT, telegram_len};

use crate::assert_sendable;

/// Messages of more numbers than this name the rest in one line (`chat::commands::text`).
const TRACKED_PER_MESSAGE: usize = 10;

pub fn one_input(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if telegram_len(text) > MAX_TEXT {
        return;
    }
    let lang = if data.len() % 2 == 0 { Lang::Zh } else { Lang::En };
    let reply = match parse_command(text, "KuaidiBot") {
        Command::Unknown(name) => Some(commands::unknown_command_html(&name, lang)),
        Command::Malformed(name, error) => Some(errors::arg_error_html(name, &error, lang)),
        Command::Couriers(words) => Some(commands::couriers_html(&words, &directory().search(&words, 10), lang)),
        Command::Text(plain) => {
            assert_eq!(plain.split_whitespace().collect::<Vec<_>>().join(" "), plain, "single-spaced");
            None
        }
        _ => None,
    };
    if let Some(reply) = reply {
        assert_sendable(&reply, "the reply to a command");
    }

    let extracted = extract(text);
    let folded = fold_width_str(text).to_ascii_uppercase();
    for (index, found) in extracted.numbers.iter().enumerate() {
        let number = found.number.as_str();
        assert_eq!(tracking_number(number).as_ref(), Ok(&found.number), "passes the number rules");
        assert!(folded.contains(number), "{number} is in the text");
        assert!(!extracted.numbers[..index].iter().any(|known| known.number == found.number), "{number} once");
    }
    if extracted.numbers.len() > TRACKED_PER_MESSAGE {
        let rest: Vec<_> = extracted.numbers[TRACKED_PER_MESSAGE..].iter().map(|found| found.number.clone()).collect();
        assert_sendable(&commands::more_numbers_html(TRACKED_PER_MESSAGE, &rest, lang), "the numbers left out");
    }
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    if let Some(phone) = &extracted.phone {
        assert!(phone.digits().len() == TAIL_LEN && digits.contains(phone.digits()), "{phone:?}");
    }

    if let Ok(number) = tracking_number(text) {
        assert!(number.as_str().bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
        assert_eq!(tracking_number(number.as_str()), Ok(number.clone()), "canonical");
    }
    if let Ok(phone) = phone_tail(text) {
        assert!(phone.digits().len() == TAIL_LEN && digits.contains(phone.digits()), "{phone:?}");
        assert_eq!(phone.to_string(), format!("****{}", phone.digits()), "shown masked");
    }
    if let Ok(name) = label(text) {
        assert!((1..=kuaidi_bot::input::MAX_LABEL_CHARS).contains(&name.as_str().chars().count()));
    }
}
