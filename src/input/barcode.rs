//! Tracking numbers read out of a photo of a waybill: every barcode and QR code in an image, then the
//! numbers in them.
//!
//! People photograph the label instead of typing `YT…`. [`read_codes`] decodes the image (JPEG, PNG or
//! WebP, through `image` under [`image::Limits`]) and hands its grey levels to rxing, the pure-Rust port
//! of ZXing, which finds Code 128, Code 39, Code 93, ITF, Codabar, QR, DataMatrix and PDF417 codes,
//! several per image. [`numbers_in_codes`] then reads the tracking numbers out of the codes' texts by
//! the rules of [`extract`](super::extract), so a number from a photo is judged exactly like a pasted
//! one.
//!
//! Shaped for a chat bot that must not be stalled or blown up by what strangers send:
//! - **Bounded work.** At most [`MAX_BYTES`] of file and [`MAX_PIXELS`] pixels are decoded (checked
//!   from the header before any pixel is allocated, and again by the decoder's allocation limit), and
//!   the grey image is scaled to at most [`WORK_SIDE`] pixels on its longer side before the search: a
//!   12-megapixel phone photo costs about as much as a screenshot. An image whose shorter side is
//!   under [`SMALL_SIDE`] and that shows no code at its own size is searched once more enlarged
//!   (nearest neighbour, so bars stay sharp): ZXing's finders want a few pixels per module.
//! - **Synchronous and CPU-bound.** This is plain computation, hundreds of milliseconds on a large
//!   photo: the caller runs it in `tokio::task::spawn_blocking` under a timeout, and drops the answer
//!   if the timeout fires (the blocking thread finishes on its own; nothing here holds a lock or does
//!   I/O).
//! - **Every angle people hold a phone at.** rxing's TRY_HARDER mode reads 1D codes upside down and
//!   turned by 90°, and slightly skewed (a scan line still crosses every bar); QR codes at any angle.
//!   The multi reader finds a code, then searches the rest of the image around it for more.
//! - **Product codes are dropped.** EAN-8/13 and UPC-A/E are decoded (so a product code next to the
//!   label is recognised as one, not misread as something else) but not returned: they name a product,
//!   never a parcel, and a 13-digit EAN looks like an EMS or Yunda number, so keeping it would cost a
//!   billed query on a number that is certainly wrong.
//! - **Errors say nothing about internals**: [`ImageError`] is "not an image" or "too large", which is
//!   all a reply needs.

use std::collections::HashSet;
use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageReader, Limits, imageops};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8LuminanceSource, MultiUseMultiFormatReader, RXingResult,
};

use super::extract::{Extracted, extract, number_in_link};

/// Largest image file accepted, in bytes (Telegram photos are far smaller; image documents may not be).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most pixels an image may have to be decoded at all (a 48-megapixel phone sensor is just under 50 M
/// but its photos are far over [`MAX_BYTES`] as PNG; as JPEG they fit).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longer side, in pixels, that a larger image is scaled down to before codes are searched for.
pub const WORK_SIDE: u32 = 1600;
/// An image whose shorter side is under this many pixels is searched enlarged if nothing is found.
pub const SMALL_SIDE: u32 = 400;
/// Most bytes the decoder may allocate: one 4-byte pixel per allowed pixel.
const MAX_ALLOC: u64 = MAX_PIXELS * 4;

/// Why an image could not be read. The messages are for people and carry no detail of the decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Not a JPEG, PNG or WebP image, or a broken one.
    #[error("This file is not an image that can be read (JPEG, PNG or WebP).")]
    NotAnImage,
    /// More than [`MAX_BYTES`] bytes or [`MAX_PIXELS`] pixels.
    #[error("This image is too large to be read.")]
    TooLarge,
}

/// The texts of every barcode and QR code in the image `bytes`, each once, top to bottom and left to
/// right (by the code's top-left corner); product codes (EAN/UPC) are left out (see the module
/// documentation). An image with no code gives an empty list.
pub fn read_codes(bytes: &[u8]) -> Result<Vec<String>, ImageError> {
    let grey = decode_grey(bytes)?;
    let (work, scale) = working_image(grey);
    let mut results = search(&work, Binarization::Hybrid);
    if results.is_empty() {
        // The global threshold reads low-contrast 1D codes that the local one breaks up.
        results = search(&work, Binarization::Global);
    }
    if results.is_empty()
        && let Some((enlarged, factor)) = enlarged(&work)
    {
        // Last: a tiny code at one or two pixels per module. Not first, because enlarging a sharp
        // image costs skewed 1D codes that read at their own size.
        return Ok(ordered_texts(search(&enlarged, Binarization::Hybrid), scale / factor as f32));
    }
    Ok(ordered_texts(results, scale))
}

/// Reads the image header, checks the limits, and decodes the pixels as grey levels.
fn decode_grey(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge);
    }
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, ImageError> {
        let mut reader =
            ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| ImageError::NotAnImage)?;
        if reader.format().is_none() {
            return Err(ImageError::NotAnImage);
        }
        let mut limits = Limits::default();
        limits.max_alloc = Some(MAX_ALLOC);
        reader.limits(limits);
        Ok(reader)
    };
    let (width, height) = reader()?.into_dimensions().map_err(classify)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge);
    }
    let image: DynamicImage = reader()?.decode().map_err(classify)?;
    Ok(image.into_luma8())
}

fn classify(error: image::ImageError) -> ImageError {
    match error {
        image::ImageError::Limits(_) => ImageError::TooLarge,
        _ => ImageError::NotAnImage,
    }
}

/// The image the codes are searched in, and the factor from its coordinates back to the original's.
fn working_image(grey: GrayImage) -> (GrayImage, f32) {
    let (width, height) = grey.dimensions();
    let long = width.max(height);
    if long <= WORK_SIDE {
        return (grey, 1.0);
    }
    let scale = long as f32 / WORK_SIDE as f32;
    let (w, h) = ((width as f32 / scale).round().max(1.0) as u32, (height as f32 / scale).round().max(1.0) as u32);
    // Area averaging: every pixel a bar covers counts (no bar skipped), and it is several times
    // faster than a filtered resize on a 12-megapixel photo.
    (imageops::thumbnail(&grey, w, h), scale)
}

/// A small image (shorter side under [`SMALL_SIDE`]) enlarged by a whole factor, nearest neighbour so
/// that bars stay sharp, within [`WORK_SIDE`]; `None` if it is not small.
fn enlarged(image: &GrayImage) -> Option<(GrayImage, u32)> {
    let (width, height) = image.dimensions();
    let (short, long) = (width.min(height), width.max(height));
    if short == 0 || short >= SMALL_SIDE {
        return None;
    }
    let factor = SMALL_SIDE.div_ceil(short).min(WORK_SIDE / long.max(1));
    (factor > 1)
        .then(|| (imageops::resize(image, width * factor, height * factor, imageops::FilterType::Nearest), factor))
}

#[derive(Debug, Clone, Copy)]
enum Binarization {
    /// Thresholds each block by its neighbourhood: photos with shadows and uneven light.
    Hybrid,
    /// One threshold per row: clean or low-contrast 1D codes.
    Global,
}

/// Every code rxing's multi reader finds in `image`.
fn search(image: &GrayImage, binarization: Binarization) -> Vec<RXingResult> {
    let (width, height) = image.dimensions();
    let Ok(source) = Luma8LuminanceSource::new(image.as_raw().clone(), width, height) else {
        return Vec::new();
    };
    match binarization {
        Binarization::Hybrid => decode_all(&mut BinaryBitmap::new(HybridBinarizer::new(source))),
        Binarization::Global => decode_all(&mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source))),
    }
}

fn decode_all<B: Binarizer>(bitmap: &mut BinaryBitmap<B>) -> Vec<RXingResult> {
    let hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(FORMATS.iter().copied().collect()),
        ..DecodeHints::default()
    };
    let mut reader = GenericMultipleBarcodeReader::new(MultiUseMultiFormatReader::default());
    reader.decode_multiple_with_hints(bitmap, &hints).unwrap_or_default()
}

/// What is searched for: the codes printed on waybills, and the product codes found next to them.
const FORMATS: &[BarcodeFormat] = &[
    BarcodeFormat::CODE_128,
    BarcodeFormat::CODE_39,
    BarcodeFormat::CODE_93,
    BarcodeFormat::ITF,
    BarcodeFormat::CODABAR,
    BarcodeFormat::EAN_13,
    BarcodeFormat::EAN_8,
    BarcodeFormat::UPC_A,
    BarcodeFormat::UPC_E,
    BarcodeFormat::QR_CODE,
    BarcodeFormat::DATA_MATRIX,
    BarcodeFormat::PDF_417,
];

/// Product codes: decoded, never returned.
fn is_product_code(format: &BarcodeFormat) -> bool {
    matches!(
        format,
        BarcodeFormat::EAN_13
            | BarcodeFormat::EAN_8
            | BarcodeFormat::UPC_A
            | BarcodeFormat::UPC_E
            | BarcodeFormat::UPC_EAN_EXTENSION
    )
}

/// The distinct texts of `results` (product codes left out), ordered by each code's top-left corner
/// in rows of about 1/20 of the image, so that codes side by side come left to right.
fn ordered_texts(results: Vec<RXingResult>, scale: f32) -> Vec<String> {
    let mut placed: Vec<((i64, i64), String)> = results
        .iter()
        .filter(|result| !is_product_code(result.getBarcodeFormat()))
        .map(|result| {
            let points = result.getPoints();
            let top = points.iter().map(|p| p.y).fold(f32::INFINITY, f32::min);
            let left = points.iter().map(|p| p.x).fold(f32::INFINITY, f32::min);
            let row = if top.is_finite() { (top * scale / ROW_PIXELS) as i64 } else { i64::MAX };
            let column = if left.is_finite() { (left * scale) as i64 } else { i64::MAX };
            ((row, column), result.getText().to_owned())
        })
        .collect();
    placed.sort();
    let mut seen = HashSet::new();
    placed.into_iter().map(|(_, text)| text).filter(|text| !text.is_empty() && seen.insert(text.clone())).collect()
}

/// Codes whose tops lie within this many (original) pixels of each other count as one row.
const ROW_PIXELS: f32 = 100.0;

/// The tracking numbers in the texts of an image's codes, each once, in the codes' order, with a
/// phone's last 4 digits if a code's text shows a phone (a waybill's QR code sometimes does).
///
/// Each text is read like a pasted message by [`extract`]: a code that is just a number is taken if
/// `extract` would take it alone (it fits a courier's shape, or has at least
/// [`MIN_BARE_DIGITS`](super::MIN_BARE_DIGITS) digits and few letters, and is no phone or date), with
/// the courier its letter prefix names (`YT…`, `SF…`, `JD…`); an all-digit number names none, as in
/// a text, and is left to detection. So the short sorting and order codes printed next to the
/// tracking number are skipped. Links in a code (a QR code pointing at a courier's tracking page) are
/// read for the values of tracking parameters (`nu=`, `waybillNo=` …) and path pieces that fit a
/// courier's shape; `extract` alone leaves links alone. The same number found in several codes (the
/// label's bar code, its stub's, its QR code) is kept once, with the first courier any of them names.
pub fn numbers_in_codes(codes: &[String]) -> Extracted {
    let mut found = Extracted::default();
    for code in codes {
        let read = extract(code);
        let linked = code.split_whitespace().filter(|chunk| is_link(chunk)).flat_map(number_in_link);
        for number in read.numbers.into_iter().chain(linked) {
            match found.numbers.iter_mut().find(|known| known.number == number.number) {
                Some(known) => known.courier = known.courier.or(number.courier),
                None => found.numbers.push(number),
            }
        }
        found.phone = found.phone.or(read.phone);
    }
    found
}

fn is_link(chunk: &str) -> bool {
    let lower = chunk.to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("www.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::FoundNumber;

    fn numbers(codes: &[&str]) -> Vec<(String, Option<&'static str>)> {
        let codes: Vec<String> = codes.iter().map(|code| (*code).to_owned()).collect();
        numbers_in_codes(&codes)
            .numbers
            .into_iter()
            .map(|FoundNumber { number, courier }| (number.into_string(), courier.map(|c| c.code)))
            .collect()
    }

    #[test]
    fn a_code_that_is_a_number_is_that_number_with_the_courier_its_prefix_names() {
        assert_eq!(numbers(&["YT9693083639795"]), [("YT9693083639795".to_owned(), Some("yuantong"))]);
        assert_eq!(numbers(&["JDVA12345678901-1-1-"]), [("JDVA12345678901".to_owned(), Some("jd"))]);
        assert_eq!(numbers(&["78123456789012"]), [("78123456789012".to_owned(), None)]);
    }

    #[test]
    fn short_codes_phones_and_dates_are_skipped() {
        assert!(numbers(&["310-A01", "12345678", "13812345678", "20241105", "ABCDEFGH"]).is_empty());
    }

    #[test]
    fn one_number_in_several_codes_is_kept_once() {
        let found = numbers(&["YT9693083639795", "运单号：YT9693083639795 收件人 138****1234"]);
        assert_eq!(found, [("YT9693083639795".to_owned(), Some("yuantong"))]);
        let phone = numbers_in_codes(&["运单号：YT9693083639795 收件人 138****1234".to_owned()]).phone;
        assert_eq!(phone.map(|tail| tail.digits().to_owned()), Some("1234".to_owned()));
    }

    #[test]
    fn links_are_read_for_tracking_parameters_and_shaped_pieces() {
        let linked = numbers(&["https://m.kuaidi100.com/result.jsp?nu=78123456789012&t=1730790000000"]);
        assert_eq!(linked, [("78123456789012".to_owned(), None)]);
        let shaped = numbers(&["https://www.sf-express.com/track/SF1234567890123?lang=zh"]);
        assert_eq!(shaped, [("SF1234567890123".to_owned(), Some("shunfeng"))]);
        assert!(numbers(&["https://shop.example.com/item?id=1234567890123&ref=9876543210"]).is_empty());
    }

    #[test]
    fn garbage_and_limits() {
        assert_eq!(read_codes(b"not an image at all"), Err(ImageError::NotAnImage));
        assert_eq!(read_codes(&[]), Err(ImageError::NotAnImage));
        assert_eq!(read_codes(&vec![0; MAX_BYTES + 1]), Err(ImageError::TooLarge));
        for error in [ImageError::NotAnImage, ImageError::TooLarge] {
            assert!(!error.to_string().contains("rxing") && !error.to_string().contains("decod"), "{error}");
        }
    }
}
