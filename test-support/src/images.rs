//! Photos of waybills, generated: the image set of the barcode tests (`tests/barcode.rs`) and bench
//! (`examples/barcode_bench.rs`).
//!
//! Real photos cannot be shipped (they show names, phones and addresses), so the set is drawn: rxing's
//! encoders make the codes, a few image operations make them look photographed (turned, skewed, small,
//! noisy, JPEG-compressed on a textured background), and each [`Case`] says which tracking numbers and
//! couriers must come out. Everything is deterministic — noise comes from a seeded ChaCha rng — so a
//! failure is the same on every machine, and a case can be looked at with [`Case::save`].
//!
//! The numbers are real-shaped and fit the courier shapes of `couriers::patterns`: `YT…` (yuantong),
//! `SF…` (shunfeng) and `JD…` (jd) name their courier; the all-digit 中通 number `78…` names none, as
//! in a pasted text, and is left to detection.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rxing::{BarcodeFormat, MultiFormatWriter, Writer, common::BitMatrix};

/// A 圆通 number.
pub const YTO: &str = "YT9693083639795";
/// A 顺丰 number.
pub const SF: &str = "SF1234567890123";
/// A 中通 number: `7` + one of `34568` + 12 digits.
pub const ZTO: &str = "78912345678901";
/// A 京东 number; JD's labels print it with the parcel's place in the shipment (`-1-1-`).
pub const JD: &str = "JDVA12345678901";

/// One generated image and what must be read out of it.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    /// The encoded image file.
    pub bytes: Vec<u8>,
    /// The tracking numbers that must come out, in order, each with the courier code it must name.
    pub numbers: Vec<(&'static str, Option<&'static str>)>,
}

impl Case {
    fn new(name: &'static str, bytes: Vec<u8>, numbers: &[(&'static str, Option<&'static str>)]) -> Self {
        Self { name, bytes, numbers: numbers.to_vec() }
    }

    /// Writes the image to `dir/<name>.<ext>` to look at it (never called by the tests).
    pub fn save(&self, dir: &std::path::Path) -> std::io::Result<()> {
        let ext = image::guess_format(&self.bytes).ok().and_then(|f| f.extensions_str().first().copied());
        std::fs::write(dir.join(format!("{}.{}", self.name, ext.unwrap_or("bin"))), &self.bytes)
    }
}

/// The whole set but the 12-megapixel photo (see [`large_photo`]), in a fixed order.
pub fn waybill_set() -> Vec<Case> {
    let yto = (YTO, Some("yuantong"));
    let sf = (SF, Some("shunfeng"));
    let zto = (ZTO, None);
    let jd = (JD, Some("jd"));
    let code128 = |text: &str, module: u32| framed(&code(text, BarcodeFormat::CODE_128, module, 90), 40);
    let qr = |text: &str, module: u32| framed(&code(text, BarcodeFormat::QR_CODE, module, 0), 20);
    vec![
        Case::new("code128_clean", png(&code128(YTO, 3)), &[yto]),
        Case::new("code128_rotated_90", png(&image::imageops::rotate90(&code128(SF, 3))), &[sf]),
        Case::new("code128_rotated_180", png(&image::imageops::rotate180(&code128(ZTO, 3))), &[zto]),
        Case::new("code128_skewed_7deg", png(&rotate(&code128(YTO, 3), 7.0)), &[yto]),
        Case::new("code128_small_1px", png(&code128(SF, 1)), &[sf]),
        Case::new("code128_noisy", png(&noisy(&code128(ZTO, 3), 60, 14)), &[zto]),
        Case::new("code128_jpeg_on_photo", jpeg(&on_photo(&code128(JD, 3), 900, 700, 21), 60), &[jd]),
        Case::new("code128_and_qr", png(&two_codes()), &[jd, sf]),
        Case::new("qr_clean", png(&qr(&format!("运单号：{YTO}"), 6)), &[yto]),
        Case::new(
            "qr_rotated_45",
            png(&rotate(&qr(&format!("https://m.kuaidi100.com/result.jsp?nu={ZTO}"), 5), 45.0)),
            &[zto],
        ),
        Case::new("qr_small_2px", png(&qr(JD, 2)), &[jd]),
        Case::new("qr_noisy", png(&noisy(&qr(SF, 5), 70, 15)), &[sf]),
        Case::new("photo_without_code", jpeg(&photo(1200, 900, 31), 75), &[]),
    ]
}

/// A 12-megapixel phone photo (4000 × 3000, JPEG): a label with a Code 128 of [`YTO`] at about 7
/// pixels per module on a textured background.
pub fn large_photo() -> Case {
    let label = framed(&code(YTO, BarcodeFormat::CODE_128, 7, 260), 120);
    Case::new("photo_12mp", jpeg(&on_photo(&label, 4000, 3000, 41), 85), &[(YTO, Some("yuantong"))])
}

/// The code of `text` drawn at `module` pixels per module; a 1D code is `bar_height` pixels tall.
pub fn code(text: &str, format: BarcodeFormat, module: u32, bar_height: u32) -> GrayImage {
    let matrix = MultiFormatWriter.encode(text, &format, 0, 0).expect("the set's texts fit their formats");
    render(&matrix, module, bar_height)
}

fn render(matrix: &BitMatrix, module: u32, bar_height: u32) -> GrayImage {
    let (cols, rows) = (matrix.getWidth(), matrix.getHeight());
    let one_d = rows == 1;
    let height = if one_d { bar_height } else { rows * module };
    GrayImage::from_fn(cols * module, height, |x, y| {
        let row = if one_d { 0 } else { y / module };
        Luma([if matrix.get(x / module, row) { 0 } else { 255 }])
    })
}

/// `image` on white with a `border` of `margin` pixels.
pub fn framed(image: &GrayImage, margin: u32) -> GrayImage {
    let mut canvas = GrayImage::from_pixel(image.width() + 2 * margin, image.height() + 2 * margin, Luma([255]));
    image::imageops::replace(&mut canvas, image, i64::from(margin), i64::from(margin));
    canvas
}

/// `image` turned by `degrees` (counter-clockwise) about its centre, on white, bilinear, in a canvas
/// that holds all of it.
pub fn rotate(image: &GrayImage, degrees: f32) -> GrayImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (w, h) = (image.width() as f32, image.height() as f32);
    let out_w = (w * cos.abs() + h * sin.abs()).ceil() as u32;
    let out_h = (w * sin.abs() + h * cos.abs()).ceil() as u32;
    let (cx, cy, ox, oy) = (w / 2.0, h / 2.0, out_w as f32 / 2.0, out_h as f32 / 2.0);
    GrayImage::from_fn(out_w, out_h, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - ox, y as f32 + 0.5 - oy);
        let sx = cos * dx - sin * dy + cx - 0.5;
        let sy = sin * dx + cos * dy + cy - 0.5;
        Luma([bilinear(image, sx, sy)])
    })
}

fn bilinear(image: &GrayImage, x: f32, y: f32) -> u8 {
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(image.width()) || y >= i64::from(image.height()) {
            255.0
        } else {
            f32::from(image.get_pixel(x as u32, y as u32).0[0])
        }
    };
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as i64, y0 as i64);
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// `image` with uniform noise of ± `amplitude` grey levels on every pixel.
pub fn noisy(image: &GrayImage, amplitude: i16, seed: u64) -> GrayImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut noisy = image.clone();
    for pixel in noisy.pixels_mut() {
        let value = i16::from(pixel.0[0]) + rng.gen_range(-amplitude..=amplitude);
        pixel.0[0] = value.clamp(0, 255) as u8;
    }
    noisy
}

/// A photo-like background: a lit, tinted desk with grain and rows of dark "print", no code.
fn photo(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut image = RgbImage::from_fn(width, height, |x, y| {
        let light = 150.0 + 40.0 * (x as f32 / 310.0).sin() + 30.0 * (y as f32 / 170.0).cos()
            - 40.0 * (y as f32 / height as f32);
        let shade = light.clamp(30.0, 230.0) as u8;
        Rgb([shade, shade.saturating_sub(12), shade.saturating_sub(30)])
    });
    // Rows of small dark blobs, like printed text seen from afar.
    for row in 0..height / 40 {
        let y = row * 40 + 10;
        let mut x = rng.gen_range(0..60);
        while x + 20 < width {
            let (glyph_w, glyph_h) = (rng.gen_range(6..16), rng.gen_range(8..18));
            for gy in y..(y + glyph_h).min(height) {
                for gx in x..(x + glyph_w).min(width) {
                    if rng.gen_bool(0.6) {
                        image.put_pixel(gx, gy, Rgb([40, 38, 35]));
                    }
                }
            }
            x += glyph_w + rng.gen_range(3..30);
        }
    }
    for pixel in image.pixels_mut() {
        let grain: i16 = rng.gen_range(-10..=10);
        for channel in &mut pixel.0 {
            *channel = (i16::from(*channel) + grain).clamp(0, 255) as u8;
        }
    }
    image
}

/// `label` (a white sticker with a code) laid on a [`photo`] of `width` × `height`, a little off
/// centre and slightly shaded.
fn on_photo(label: &GrayImage, width: u32, height: u32, seed: u64) -> RgbImage {
    let mut image = photo(width, height, seed);
    let (left, top) = ((width - label.width()) * 2 / 5, (height - label.height()) / 2);
    for (x, y, pixel) in label.enumerate_pixels() {
        let shade = u16::from(pixel.0[0]) * 235 / 255;
        let value = shade as u8;
        image.put_pixel(left + x, top + y, Rgb([value, value, value.saturating_sub(6)]));
    }
    image
}

/// A JD label: its Code 128 (with the `-1-1-` suffix) above a QR code linking to an SF parcel.
fn two_codes() -> GrayImage {
    let bars = code(&format!("{JD}-1-1-"), BarcodeFormat::CODE_128, 3, 90);
    let qr =
        code(&format!("https://www.sf-express.com/chn/sc/waybill/list?waybillNo={SF}"), BarcodeFormat::QR_CODE, 5, 0);
    let width = bars.width().max(qr.width()) + 80;
    let mut canvas = GrayImage::from_pixel(width, bars.height() + qr.height() + 160, Luma([255]));
    image::imageops::replace(&mut canvas, &bars, 40, 40);
    image::imageops::replace(&mut canvas, &qr, 40, i64::from(bars.height()) + 120);
    canvas
}

pub fn png(image: &GrayImage) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, ImageFormat::Png).expect("PNG encoding in memory");
    bytes.into_inner()
}

pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(&DynamicImage::ImageRgb8(image.clone()))
        .expect("JPEG encoding in memory");
    bytes
}

/// A PNG of `width` × `height` white pixels; over [`kuaidi_bot::input::barcode::MAX_PIXELS`] it must
/// be refused from its header alone. PNG compresses white to almost nothing, so this stays small.
pub fn white_png(width: u32, height: u32) -> Vec<u8> {
    png(&GrayImage::from_pixel(width, height, Luma([255])))
}
