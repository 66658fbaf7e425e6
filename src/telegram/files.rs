//! The picture of a message, fetched from Telegram for the chat core to scan (`Input::Picture`).
//!
//! Telegram sends a photo in several sizes; the largest within [`MAX_BYTES`] is taken, since codes
//! want pixels. An image sent as a file (a document with an `image/*` type) is taken as it is. What is
//! over the limit is never downloaded, and a download is cut off at the limit whatever the file's
//! announced size said, so a stranger cannot make the bot hold more than that in memory.

use futures::StreamExt;
use teloxide::types::{FileMeta, Message};

use super::bot::Api;
use crate::chat::Picture;
use crate::input::barcode::MAX_BYTES;

/// The message's picture (`None`: it has none), downloaded within the limit.
pub async fn picture<B: Api>(bot: &B, message: &Message) -> Option<Picture> {
    let file = picture_file(message)?;
    if usize::try_from(file.size).map_or(true, |size| size > MAX_BYTES) {
        return Some(Picture::TooLarge);
    }
    Some(match download(bot, file).await {
        Ok(Some(bytes)) => Picture::Image(bytes),
        Ok(None) => Picture::TooLarge,
        Err(error) => {
            tracing::warn!(%error, "cannot download a picture from Telegram");
            Picture::Unavailable
        }
    })
}

/// The file of a photo (its largest size within the limit, else its smallest, which then is too
/// large) or of an image document.
fn picture_file(message: &Message) -> Option<&FileMeta> {
    if let Some(sizes) = message.photo() {
        let within = sizes
            .iter()
            .filter(|size| usize::try_from(size.file.size).is_ok_and(|bytes| bytes <= MAX_BYTES))
            .max_by_key(|size| u64::from(size.width) * u64::from(size.height));
        return within.or_else(|| sizes.iter().min_by_key(|size| size.file.size)).map(|size| &size.file);
    }
    let document = message.document()?;
    let is_image = document.mime_type.as_ref().is_some_and(|mime| mime.type_() == "image");
    is_image.then_some(&document.file)
}

/// The file's bytes; `None` when it turned out larger than the limit.
async fn download<B: Api>(bot: &B, file: &FileMeta) -> Result<Option<Vec<u8>>, String> {
    let file = bot.get_file(file.id.clone()).await.map_err(|error| error.to_string())?;
    let mut stream = bot.download_file_stream(&file.path);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| error.to_string())?;
        if bytes.len() + chunk.len() > MAX_BYTES {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}
