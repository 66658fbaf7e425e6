//! A photo or an image file in a private chat: the numbers its caption names, else the numbers in its
//! barcodes and QR codes (`input::barcode`), tracked like a pasted text's; an image without a code,
//! one too large or not an image at all gets a short line saying what to send instead.
//!
//! Decoding is CPU work of up to a few hundred milliseconds on a phone photo, so it runs on tokio's
//! blocking threads, at most [`DECODING_AT_ONCE`] at a time (a flood of photos waits its turn instead
//! of starving the replies), and is given up after [`DECODE_TIMEOUT`].

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::chat::core::{ChatCore, send};
use crate::chat::types::{Action, Incoming, Picture};
use crate::chat::words;
use crate::input::barcode::{self, ImageError};
use crate::kuaidi100::Lang;

/// Images decoded at once, across all chats.
pub const DECODING_AT_ONCE: usize = 2;
/// Longest wait for one image's codes, its turn included.
pub const DECODE_TIMEOUT: Duration = Duration::from_secs(8);

static DECODING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(DECODING_AT_ONCE)));

/// What became of an image's scan.
enum Scan {
    Codes(Vec<String>),
    Refused(ImageError),
    TimedOut,
}

impl ChatCore {
    pub(in crate::chat) async fn picture(
        &self,
        incoming: &Incoming,
        picture: &Picture,
        caption: Option<&str>,
        lang: Lang,
    ) -> Vec<Action> {
        if let Some(caption) = caption
            && let Some(actions) = self.text_parcels(incoming, caption, lang).await
        {
            return actions;
        }
        let bytes = match picture {
            Picture::Image(bytes) => bytes.clone(),
            Picture::TooLarge => return vec![send(words::commands::picture_too_large_html(lang))],
            Picture::Unavailable => return vec![send(words::commands::picture_unavailable_html(lang))],
        };
        match scan(bytes).await {
            Scan::Codes(codes) => {
                let extracted = barcode::numbers_in_codes(&codes);
                if extracted.numbers.is_empty() {
                    vec![send(words::commands::picture_without_code_html(lang))]
                } else {
                    self.each_parcel(incoming, crate::chat::command::Name::Track, extracted, lang).await
                }
            }
            Scan::Refused(ImageError::TooLarge) => vec![send(words::commands::picture_too_large_html(lang))],
            Scan::Refused(ImageError::NotAnImage) => vec![send(words::commands::picture_unreadable_html(lang))],
            Scan::TimedOut => vec![send(words::commands::picture_without_code_html(lang))],
        }
    }
}

/// The image's codes, decoded on a blocking thread in its turn, within [`DECODE_TIMEOUT`].
async fn scan(bytes: Vec<u8>) -> Scan {
    let decoded = tokio::time::timeout(DECODE_TIMEOUT, async move {
        let turn = DECODING.clone().acquire_owned().await.ok()?;
        // The turn goes with the decode: a timed-out one still holds it until it finishes, so no more
        // than `DECODING_AT_ONCE` ever run.
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            barcode::read_codes(&bytes)
        })
        .await
        .ok()
    })
    .await;
    match decoded {
        Ok(Some(Ok(codes))) => Scan::Codes(codes),
        Ok(Some(Err(error))) => Scan::Refused(error),
        // Timed out, or the decoder panicked (rxing on a hostile image): no code was found.
        Ok(None) | Err(_) => {
            tracing::warn!("an image could not be scanned in time");
            Scan::TimedOut
        }
    }
}
