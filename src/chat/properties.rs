//! Properties of what people type and what they read: the command parser never panics and reads back
//! every well-formed command it could have been given; every HTML text the bot writes — replies to
//! random answers (trajectory text full of `<>&"`, emoji, huge lines, thousands of lines), notices,
//! `/list`, the replies that echo what was typed — is accepted by Telegram's HTML parser (checked by
//! `kuaidi_test_support::telegram_html`, which is as strict as the server) and fits its 4,096 limit.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use kuaidi_test_support::telegram_html::{MAX_TEXT, check_bot_html, parse as parse_html, telegram_len};
use proptest::prelude::*;

use super::command::{self, ArgError, Command, Name, ParcelRequest, parse};
use super::view::{Listed, MAX_MESSAGE_CHARS, View, arrange};
use super::words;
use crate::couriers::{Courier, Resolution, directory};
use crate::input::{extract, fold_width_str, label, phone_tail, tracking_number};
use crate::kuaidi100::{Error, Lang, QueryResult, TraceLine};
use crate::properties::{any_text, config, huge_text, messy_text};
use crate::tracking::{Freshness, Report, Tracked};
use crate::watch::{Notice, NoticeKind, NoticeLine};
use crate::zone::Zone;

const BOT: &str = "KuaidiBot";

/// At most what Telegram lets a person send: 4,096 UTF-16 units.
fn sendable(text: String) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= MAX_TEXT
        })
        .collect()
}

fn lang() -> impl Strategy<Value = Lang> {
    prop_oneof![Just(Lang::En), Just(Lang::Zh)]
}

/// One of the 50 most used couriers.
fn courier() -> impl Strategy<Value = &'static Courier> {
    (0..50usize).prop_filter_map("a ranked courier", |rank| directory().by_rank(rank))
}

/// A time within about ten years of 2026.
fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (-300_000_000i64..300_000_000).prop_map(|offset| Utc.timestamp_opt(1_790_000_000 + offset, 0).unwrap())
}

/// A state code: known ones, unknown ones, and junk.
fn state() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(&["0", "1", "2", "3", "4", "5", "6", "14", "301", "501", "1002", "99999"][..])
            .prop_map(str::to_owned),
        1 => any_text(),
    ]
}

/// A written time: well-formed mostly, else whatever.
fn written_time() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => time().prop_map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string()),
        1 => messy_text(4),
    ]
}

fn trace_line() -> impl Strategy<Value = TraceLine> {
    (written_time(), any_text(), proptest::option::of(messy_text(8)), proptest::option::of(messy_text(8))).prop_map(
        |(time, context, location, area_name)| TraceLine {
            time: time.clone(),
            ftime: time,
            context,
            status: None,
            status_code: None,
            area_code: None,
            area_name,
            area_center: None,
            location,
            area_pinyin: None,
        },
    )
}

/// A few lines of any text usually, a thousand or more of short text sometimes.
fn trace_lines() -> impl Strategy<Value = Vec<TraceLine>> {
    let short = (written_time(), messy_text(6)).prop_map(|(time, context)| TraceLine {
        time: time.clone(),
        ftime: time,
        context,
        status: None,
        status_code: None,
        area_code: None,
        area_name: None,
        area_center: None,
        location: None,
        area_pinyin: None,
    });
    prop_oneof![
        8 => proptest::collection::vec(trace_line(), 0..12),
        1 => proptest::collection::vec(short, 1_000..1_500),
    ]
}

/// An estimate field as Kuaidi100 might write it, or junk.
fn estimate_field() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        written_time(),
        "[0-9]{1,6}(\\.[0-9])?",
        "[0-9]{1,20}天([0-9]{1,20}小时)?",
        messy_text(3),
    ])
}

fn query_result() -> impl Strategy<Value = QueryResult> {
    (state(), any::<bool>(), trace_lines(), estimate_field(), estimate_field(), estimate_field()).prop_map(
        |(state, signed, data, arrival_time, total_time, remain_time)| QueryResult {
            message: "ok".into(),
            state,
            status: "200".into(),
            ischeck: if signed { "1" } else { "0" }.into(),
            com: "yuantong".into(),
            nu: "YT9693083639795".into(),
            data,
            arrival_time,
            total_time,
            remain_time,
            ..QueryResult::default()
        },
    )
}

fn freshness() -> impl Strategy<Value = Freshness> {
    prop_oneof![
        Just(Freshness::Fresh),
        time().prop_map(|fetched_at| Freshness::Cached { fetched_at }),
        (time(), "[0-9]{3}")
            .prop_map(|(fetched_at, code)| Freshness::Stale { fetched_at, error: Error::api(&code, "") }),
    ]
}

fn tracked(result: QueryResult) -> impl Strategy<Value = Tracked> {
    (courier(), "[A-Z0-9]{6,32}", freshness(), proptest::option::of(time()), time(), any::<bool>()).prop_map(
        move |(courier, number, freshness, answered_at, next_query_at, daily_cap_reached)| Tracked {
            courier,
            number,
            report: Report::Answer { result: Arc::new(result.clone()), freshness },
            fresh: true,
            answered_at,
            queried_at: answered_at,
            next_query_at,
            daily_cap_reached,
            budget_spent_until: None,
            answer_lang: None,
            last_answer: None,
        },
    )
}

/// A label as the rules let one be stored.
fn a_label() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(
        messy_text(12).prop_filter_map("a valid label", |text| label(&text).ok().map(|l| l.into_string())),
    )
}

/// Checks HTML the bot would send, with the case's description for the failure message.
fn assert_sendable(html: &str, what: &str) -> Result<(), TestCaseError> {
    if let Err(reason) = check_bot_html(html) {
        let shown: String = html.chars().take(600).collect();
        return Err(TestCaseError::fail(format!("{what}: {reason}; {} chars: {shown:?}", html.chars().count())));
    }
    prop_assert!(html.chars().count() <= MAX_MESSAGE_CHARS, "{}: {} chars of HTML", what, html.chars().count());
    Ok(())
}

/// A command as people type it: its name or an alias in any case, maybe addressed to the bot.
fn command_word(name: Name) -> impl Strategy<Value = String> {
    let spec = name.spec();
    let words: Vec<&'static str> = std::iter::once(spec.word).chain(spec.aliases.iter().copied()).collect();
    (proptest::sample::select(words), any::<bool>(), any::<bool>()).prop_map(|(word, upper, addressed)| {
        let word = if upper { word.to_ascii_uppercase() } else { word.to_owned() };
        if addressed { format!("/{word}@{BOT}") } else { format!("/{word}") }
    })
}

/// The spaces between words: ASCII, tabs, ideographic.
fn gap() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&[" ", "  ", "\t", "\u{3000}", " \u{3000} "][..])
}

fn joined(words: Vec<String>, gaps: Vec<&'static str>) -> String {
    let mut text = String::new();
    for (index, word) in words.into_iter().enumerate() {
        if index > 0 {
            text += gaps.get(index - 1).copied().unwrap_or(" ");
        }
        text += &word;
    }
    text
}

/// The full-width twin of ASCII text, as a Chinese input method types it.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A well-formed command and what it must parse to.
fn well_formed() -> impl Strategy<Value = (Vec<String>, Command)> {
    let number = "(YT|SF|JT|JD)?[0-9]{10,14}";
    let parcel = (proptest::option::of(courier()), number, proptest::option::of("1[3-9][0-9]{9}"), any::<bool>())
        .prop_map(|(courier, number, phone, sub)| {
            let name = if sub { Name::Sub } else { Name::Track };
            let mut words: Vec<String> = courier.iter().map(|courier| courier.code.to_owned()).collect();
            words.push(number.clone());
            words.extend(phone.clone());
            let request = ParcelRequest {
                courier,
                number: tracking_number(&number).expect("a generated number"),
                phone: phone.map(|phone| phone_tail(&phone).expect("a generated phone")),
            };
            let command = if sub { Command::Sub(request) } else { Command::Track(request) };
            (name, words, command)
        });
    let unsub = "[A-Za-z0-9]{6,32}".prop_map(|number| {
        let parsed = Command::Unsub(tracking_number(&number).expect("a generated number"));
        (Name::Unsub, vec![number], parsed)
    });
    let named = ("[A-Za-z0-9]{6,32}", a_label()).prop_map(|(number, name)| {
        // The parser folds full-width forms before it reads the label.
        let folded = name.as_deref().map(|name| label(&fold_width_str(name)).expect("still a valid label"));
        let parsed = Command::Label(tracking_number(&number).expect("a generated number"), folded);
        let mut words = vec![number];
        words.extend(name.map(|name| name.split(' ').map(str::to_owned).collect::<Vec<_>>()).unwrap_or_default());
        (Name::Label, words, parsed)
    });
    let lang =
        proptest::sample::select(&[("en", Lang::En), ("English", Lang::En), ("zh", Lang::Zh), ("中文", Lang::Zh)][..])
            .prop_map(|(word, lang)| (Name::Lang, vec![word.to_owned()], Command::Lang(lang)));
    let couriers = proptest::collection::vec("[a-z]{1,6}|顺丰|圆通", 1..4)
        .prop_map(|words| (Name::Couriers, words.clone(), Command::Couriers(words.join(" "))));
    let bare = proptest::sample::select(&[(Name::List, Command::List), (Name::Help, Command::Help)][..])
        .prop_map(|(name, command)| (name, Vec::new(), command));
    prop_oneof![3 => parcel, 1 => unsub, 1 => named, 1 => lang, 1 => couriers, 1 => bare]
        .prop_flat_map(|(name, words, command)| (command_word(name), Just(words), Just(command)))
        .prop_map(|(head, mut words, command)| {
            words.insert(0, head);
            (words, command)
        })
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn the_parser_never_panics_and_plain_text_comes_out_single_spaced(
        text in any_text().prop_map(sendable),
        bot in "@?[A-Za-z0-9_]{0,12}",
    ) {
        match parse(&text, &bot) {
            Command::Text(plain) => {
                prop_assert_eq!(plain.trim(), plain.as_str());
                prop_assert!(!plain.contains("  "), "{:?}", plain);
            }
            Command::Couriers(words) => prop_assert!(!words.is_empty()),
            _ => {}
        }
        let _ = command::bare_parcel(&text);
        let _ = command::phone_reply(&text);
        if let Some(rest) = command::without_mention(&text, &bot) {
            prop_assert!(rest.chars().count() <= text.chars().count());
        }
    }

    #[test]
    fn a_command_that_starts_with_a_slash_reads_as_a_command(word in "[a-z]{1,10}", rest in messy_text(10)) {
        let parsed = parse(&format!("/{word} {rest}"), BOT);
        prop_assert!(!matches!(parsed, Command::Text(_)), "{:?}", parsed);
    }

    #[test]
    fn well_formed_commands_read_back_however_they_are_spaced_or_typed(
        (words, expected) in well_formed(),
        gaps in proptest::collection::vec(gap(), 8),
        wide in any::<bool>(),
    ) {
        // The couriers generated are named by their code, which must name them alone.
        if let Command::Track(ParcelRequest { courier: Some(courier), .. }) | Command::Sub(ParcelRequest { courier: Some(courier), .. }) = &expected {
            prop_assert_eq!(directory().resolve(courier.code), Resolution::Found(courier));
        }
        let text = joined(words, gaps);
        let text = if wide { full_width(&text) } else { text };
        prop_assert_eq!(parse(&text, BOT), expected.clone(), "{:?}", text);
        prop_assert_eq!(parse(&format!("  {text}\u{3000}"), BOT), expected, "surrounding spaces");
    }

    #[test]
    fn escaping_reads_back_as_the_text(text in any_text()) {
        let escaped = words::escape(&text);
        prop_assert_eq!(parse_html(&escaped), Ok(text.clone()));
        prop_assert!(!escaped.contains('<') && !escaped.contains('>'));
    }

    #[test]
    fn replies_to_whatever_a_command_says_are_sendable(text in any_text().prop_map(sendable), lang in lang()) {
        // What the bot answers a command with its own words around what was typed.
        let typed = format!("/{text}");
        let html = match parse(&typed, BOT) {
            Command::Unknown(name) => words::commands::unknown_command_html(&name, lang),
            Command::Malformed(name, error) => words::errors::arg_error_html(name, &error, lang),
            Command::Couriers(text) => words::commands::couriers_html(&text, &directory().search(&text, 10), lang),
            _ => return Ok(()),
        };
        assert_sendable(&html, "the reply to a command")?;
    }

    #[test]
    fn couriers_and_names_echoed_back_stay_sendable(typed in huge_text(4_000).prop_map(sendable), lang in lang()) {
        let number = tracking_number("YT9693083639795").expect("valid");
        for html in [
            words::commands::unknown_command_html(&typed, lang),
            words::commands::couriers_html(&typed, &[], lang),
            words::errors::arg_error_html(Name::Track, &ArgError::UnknownCourier { input: typed.clone(), suggestions: Vec::new(), number: number.clone() }, lang),
            words::errors::arg_error_html(Name::Track, &ArgError::AmbiguousCourier { input: typed.clone(), candidates: Vec::new(), number: number.clone() }, lang),
        ] {
            assert_sendable(&html, "an echo of what was typed")?;
        }
    }

}

proptest! {
    // A message full of numbers is slow to read: fewer cases.
    #![proptest_config(config(24))]

    #[test]
    fn the_numbers_left_out_of_a_long_paste_are_named_sendably(count in 11..410usize, lang in lang()) {
        // 409 numbers of 9 characters and a space fill a message a person can send.
        let text: String = (0..count).map(|i| format!("SF{:07} ", 1_000_000 + i)).collect();
        let numbers: Vec<_> = (0..count).filter_map(|i| tracking_number(&format!("SF{:07}", 1_000_000 + i)).ok()).collect();
        prop_assert!(telegram_len(&text) <= MAX_TEXT);
        let html = words::commands::more_numbers_html(10, &numbers[10..], lang);
        assert_sendable(&html, "the numbers left out")?;
        prop_assert!(extract(&text).numbers.len() <= count);
    }
}

proptest! {
    // Each case renders up to thousands of lines: fewer cases.
    #![proptest_config(config(48))]

    #[test]
    fn a_parcel_reply_is_always_sendable(
        (result, tracked) in query_result().prop_flat_map(|result| (Just(result.clone()), tracked(result))),
        all in any::<bool>(),
        lang in lang(),
        now in time(),
        sandbox in any::<bool>(),
        label in a_label(),
    ) {
        let view = if all { View::All } else { View::Latest };
        let html = words::parcel::reply_html(&tracked, &result, view, lang, &Zone::Beijing, now, sandbox, label.as_deref());
        assert_sendable(&html, "a parcel reply")?;
        let none = words::parcel::no_result_html(&tracked, lang, &Zone::Beijing, label.as_deref());
        assert_sendable(&none, "a reply without a result")?;
    }

    #[test]
    fn notices_are_always_sendable(
        notices in proptest::collection::vec(notice(), 1..12),
        lang in lang(),
        sandbox in any::<bool>(),
    ) {
        let html = words::notices::notices_html(&notices, lang, &Zone::Beijing, sandbox);
        // Only notices of couriers the directory no longer has render to nothing (the sandbox note
        // alone is no message either).
        let readable = notices.iter().any(|notice| directory().get(&notice.courier).is_some());
        if readable {
            assert_sendable(&html, "notices")?;
        } else {
            prop_assert_eq!(html, "");
        }
    }

    #[test]
    fn the_list_is_always_sendable(
        entries in proptest::collection::vec(listed_parts(), 0..60),
        now in time(),
        lang in lang(),
    ) {
        let mut parcels: Vec<Listed> = entries
            .iter()
            .map(|(courier, number, label, state, answered_at, since, until, pickup)| Listed {
                position: 0,
                courier,
                number,
                label: label.as_deref(),
                state: state.as_deref(),
                answered_at: *answered_at,
                since: *since,
                until: *until,
                pickup: pickup.clone(),
            })
            .collect();
        arrange(&mut parcels);
        let (html, shown) = words::list::list_html(&parcels, now, lang);
        assert_sendable(&html, "the list")?;
        prop_assert!(shown <= parcels.len());
        prop_assert!(shown > 0 || parcels.is_empty(), "an entry always fits");
    }
}

fn notice_kind() -> impl Strategy<Value = NoticeKind> {
    proptest::sample::select(
        &[NoticeKind::Update, NoticeKind::Finished, NoticeKind::GaveUp, NoticeKind::Unchanged, NoticeKind::CannotWatch]
            [..],
    )
}

fn notice_line() -> impl Strategy<Value = NoticeLine> {
    (written_time(), proptest::option::of(messy_text(8)), any_text()).prop_map(|(time, place, context)| NoticeLine {
        area_code: None,
        area_pinyin: None,
        time,
        place,
        context,
    })
}

fn notice() -> impl Strategy<Value = Notice> {
    let code = prop_oneof![9 => courier().prop_map(|courier| courier.code.to_owned()), 1 => Just("gone".to_owned())];
    (
        (code, "[A-Z0-9]{6,32}", notice_kind(), proptest::option::of(state()), proptest::option::of(state())),
        (
            proptest::collection::vec(notice_line(), 0..=5),
            0..10_000u32,
            proptest::option::of(prop_oneof![Just("408".to_owned()), messy_text(3)]),
        ),
        (
            proptest::option::of(courier().prop_map(|c| c.code.to_owned())),
            proptest::option::of(time()),
            proptest::option::of(time()),
            a_label(),
        ),
    )
        .prop_map(
            |(
                (courier, number, kind, state, previous_state),
                (new_lines, more_lines, return_code),
                (previous_courier, expected_at, previous_expected_at, label),
            )| Notice {
                lines_lang: None,
                courier,
                number,
                kind,
                state,
                previous_state,
                new_lines,
                more_lines,
                return_code,
                previous_courier,
                expected_at,
                previous_expected_at,
                label,
            },
        )
}

type ListedParts = (
    &'static Courier,
    String,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
);

fn listed_parts() -> impl Strategy<Value = ListedParts> {
    (
        courier(),
        "[A-Z0-9]{6,32}",
        a_label(),
        proptest::option::of(state()),
        proptest::option::of(time()),
        time(),
        proptest::option::of(time()),
        proptest::option::of(messy_text(6)),
    )
}
