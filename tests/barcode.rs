//! Tracking numbers out of photos of waybills: `input::barcode` over the generated image set of
//! `kuaidi_test_support::images` (clean, turned, skewed, small, noisy, JPEG on a photo, two codes on
//! one label, a photo without a code, a 12-megapixel photo), and its refusals.
//!
//! Each case must yield exactly its numbers, in order, with exactly its couriers: a missed code, an
//! extra number or a wrong courier fails, so the table can fail both ways.

use kuaidi_bot::couriers::directory;
use kuaidi_bot::input::barcode::{ImageError, MAX_BYTES, MAX_PIXELS, numbers_in_codes, read_codes};
use kuaidi_test_support::images::{self, Case, ZTO};

fn numbers_of(case: &Case) -> Vec<(String, Option<&'static str>)> {
    let codes = read_codes(&case.bytes).unwrap_or_else(|error| panic!("{}: {error}", case.name));
    numbers_in_codes(&codes)
        .numbers
        .into_iter()
        .map(|found| (found.number.into_string(), found.courier.map(|courier| courier.code)))
        .collect()
}

fn expected(case: &Case) -> Vec<(String, Option<&'static str>)> {
    case.numbers.iter().map(|(number, courier)| ((*number).to_owned(), *courier)).collect()
}

#[test]
fn every_image_of_the_set_yields_exactly_its_numbers_and_couriers() {
    let failures: Vec<String> = images::waybill_set()
        .iter()
        .filter_map(|case| {
            let (got, want) = (numbers_of(case), expected(case));
            (got != want).then(|| format!("{}: got {got:?}, want {want:?}", case.name))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_twelve_megapixel_photo_is_read() {
    let case = images::large_photo();
    assert_eq!(numbers_of(&case), expected(&case));
}

#[test]
fn a_photo_without_a_code_yields_nothing() {
    let case = images::waybill_set().into_iter().find(|case| case.name == "photo_without_code").expect("in the set");
    assert_eq!(read_codes(&case.bytes), Ok(Vec::new()));
}

#[test]
fn the_all_digit_zto_number_names_no_courier_but_detection_finds_zhongtong() {
    // Like a pasted all-digit number: no courier from the code, the shape guess does the rest.
    let guesses = directory().guess_by_number(ZTO);
    assert_eq!(guesses.first().map(|courier| courier.code), Some("zhongtong"));
}

#[test]
fn garbage_is_not_an_image() {
    assert_eq!(read_codes(b"GIF89a but not really"), Err(ImageError::NotAnImage));
    assert_eq!(read_codes(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Err(ImageError::NotAnImage), "a JPEG cut short");
    let mut png = images::waybill_set().remove(0).bytes;
    png.truncate(png.len() / 2);
    assert_eq!(read_codes(&png), Err(ImageError::NotAnImage), "a PNG cut short");
}

#[test]
fn over_the_limits_is_too_large() {
    let mut big = images::waybill_set().remove(0).bytes;
    big.resize(MAX_BYTES + 1, 0);
    assert_eq!(read_codes(&big), Err(ImageError::TooLarge));
    // A small file that unpacks to more pixels than allowed is refused from its header.
    let side = (MAX_PIXELS as f64).sqrt() as u32 + 2;
    let wide = images::white_png(side, side);
    assert!(wide.len() < MAX_BYTES, "{}", wide.len());
    assert_eq!(read_codes(&wide), Err(ImageError::TooLarge));
}

#[test]
fn every_format_printed_on_waybills_is_read_and_product_codes_are_not() {
    use rxing::BarcodeFormat::{CODABAR, CODE_39, CODE_93, DATA_MATRIX, EAN_13, ITF, PDF_417};
    for (format, text, module, bar_height) in [
        (CODE_39, images::YTO, 3, 90),
        (CODE_93, images::SF, 3, 90),
        (ITF, ZTO, 3, 90),
        (CODABAR, ZTO, 3, 90),
        (DATA_MATRIX, images::JD, 6, 0),
        (PDF_417, images::SF, 3, 0),
    ] {
        let image = images::png(&images::framed(&images::code(text, format, module, bar_height), 40));
        assert_eq!(read_codes(&image), Ok(vec![text.to_owned()]), "{format:?}");
    }
    // An EAN-13 product code (690… is China's GS1 prefix; the writer adds the check digit).
    let product = images::png(&images::framed(&images::code("690123456789", EAN_13, 3, 90), 40));
    assert_eq!(read_codes(&product), Ok(Vec::new()));
}
