//! Properties of the input rules, on random text: nothing panics, a tracking number is always in its
//! canonical form, a phone never yields more than its last 4 digits, full-width input reads like its
//! ASCII twin, and what the extractor returns was in the text and passes the number rules.

use proptest::prelude::*;

use super::*;
use crate::properties::{any_text, config, messy_text};

/// The full-width twin of an ASCII text (U+FF01..=U+FF5E, and U+3000 for a space).
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A result with the refused character left out (it is reported as typed, so it differs in width).
fn phone_outcome(raw: &str) -> Result<String, &'static str> {
    phone_tail(raw).map(|tail| tail.digits().to_owned()).map_err(|error| error.key())
}

fn number_outcome(raw: &str) -> Result<String, &'static str> {
    tracking_number(raw).map(TrackingNumber::into_string).map_err(|error| error.key())
}

/// Only digits, in order: where a phone's tail must be found whole.
fn digits_of(text: &str) -> String {
    fold_width_str(text).chars().filter(char::is_ascii_digit).collect()
}

/// A mobile number grouped as people write it: `138 1234 5678`, `138-1234-5678`, `+86 …`.
fn grouped_mobile() -> impl Strategy<Value = (String, String)> {
    ("1[3-9][0-9]{9}", 0..4usize, any::<bool>()).prop_map(|(mobile, style, prefix)| {
        let (a, b, c) = (&mobile[..3], &mobile[3..7], &mobile[7..]);
        let written = match style {
            0 => mobile.clone(),
            1 => format!("{a} {b} {c}"),
            2 => format!("{a}-{b}-{c}"),
            _ => format!("({a}) {b}.{c}"),
        };
        let written = if prefix { format!("+86 {written}") } else { written };
        (written, c.to_owned())
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn folding_keeps_the_length_and_maps_exactly_the_mirrored_block(text in any_text()) {
        let folded = fold_width_str(&text);
        prop_assert_eq!(folded.chars().count(), text.chars().count());
        prop_assert_eq!(fold_width_str(&folded), folded.clone(), "folding twice changes nothing");
        for (typed, c) in text.chars().zip(folded.chars()) {
            match typed {
                '\u{FF01}'..='\u{FF5E}' => prop_assert_eq!(u32::from(c), u32::from(typed) - 0xFEE0),
                '\u{3000}' => prop_assert_eq!(c, ' '),
                _ => prop_assert_eq!(c, typed),
            }
        }
    }

    #[test]
    fn a_tracking_number_is_canonical_and_reads_back_as_itself(text in any_text()) {
        if let Ok(number) = tracking_number(&text) {
            let canonical = number.as_str();
            prop_assert!((MIN_LEN..=MAX_LEN).contains(&canonical.len()), "{}", canonical);
            prop_assert!(canonical.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()), "{}", canonical);
            prop_assert_eq!(tracking_number(canonical), Ok(number.clone()));
            prop_assert!(fold_width_str(&text).to_ascii_uppercase().chars().filter(char::is_ascii_alphanumeric).eq(canonical.chars()));
        }
    }

    #[test]
    fn full_width_and_grouping_do_not_change_a_number(
        number in "[A-Za-z0-9]{1,40}",
        cuts in proptest::collection::vec((0..40usize, prop_oneof![Just(" "), Just("-"), Just("\u{3000}"), Just("—")]), 0..4),
    ) {
        let mut grouped = number.clone();
        for (at, separator) in cuts {
            let at = at.min(grouped.len());
            if grouped.is_char_boundary(at) {
                grouped.insert_str(at, separator);
            }
        }
        prop_assert_eq!(number_outcome(&grouped), number_outcome(&number));
        prop_assert_eq!(number_outcome(&full_width(&grouped)), number_outcome(&number));
    }

    #[test]
    fn a_phone_yields_at_most_its_last_four_digits_and_shows_them_masked(text in any_text()) {
        if let Ok(tail) = phone_tail(&text) {
            let digits = tail.digits();
            prop_assert_eq!(digits.len(), TAIL_LEN);
            prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{}", digits);
            prop_assert!(digits_of(&text).contains(digits), "{} not in {:?}", digits, text);
            prop_assert_eq!(tail.to_string(), format!("****{digits}"));
            let debug = format!("{tail:?}");
            prop_assert_eq!(debug.chars().filter(char::is_ascii_digit).count(), TAIL_LEN, "{}", debug);
        }
    }

    #[test]
    fn a_full_width_phone_reads_like_its_ascii_twin(text in "[0-9 ()+*#.-]{0,24}") {
        prop_assert_eq!(phone_outcome(&full_width(&text)), phone_outcome(&text));
    }

    #[test]
    fn a_mobile_however_written_gives_its_last_four((written, last) in grouped_mobile()) {
        prop_assert_eq!(phone_outcome(&written), Ok(last.clone()));
        prop_assert_eq!(phone_outcome(&full_width(&written)), Ok(last));
    }

}

proptest! {
    // Texts of up to 200 pieces: fewer cases.
    #![proptest_config(config(192))]

    #[test]
    fn the_extractor_returns_numbers_of_the_text_each_once(text in messy_text(200)) {
        let Extracted { numbers, phone } = extract(&text);
        let folded = fold_width_str(&text).to_ascii_uppercase();
        let runs = folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|run| !run.is_empty()).count();
        prop_assert!(numbers.len() <= runs, "{} numbers from {} runs", numbers.len(), runs);
        for (index, found) in numbers.iter().enumerate() {
            let number = found.number.as_str();
            prop_assert_eq!(tracking_number(number), Ok(found.number.clone()), "passes the number rules");
            prop_assert!(folded.contains(number), "{} is not in {:?}", number, text);
            prop_assert!(!numbers[..index].iter().any(|known| known.number == found.number), "{} twice", number);
        }
        if let Some(phone) = phone {
            prop_assert_eq!(phone.digits().len(), TAIL_LEN);
            prop_assert!(digits_of(&text).contains(phone.digits()), "{:?} not in {:?}", phone, text);
        }
    }

    #[test]
    fn a_number_in_a_sentence_is_found(
        before in messy_text(6),
        number in "(YT|SF|JT)[0-9]{13}",
        after in messy_text(6),
    ) {
        // Separated from its neighbours, a courier-shaped number is found whatever surrounds it,
        // unless the words before it say it is something else (an order, a code, a phone, an amount).
        let text = format!("{before}。运单号 {number} 。{after}");
        let numbers: Vec<String> = extract(&text).numbers.into_iter().map(|found| found.number.into_string()).collect();
        prop_assert!(numbers.contains(&number), "{} not found in {:?}: {:?}", number, text, numbers);
    }
}
