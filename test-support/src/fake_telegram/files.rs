//! Files in the fake, the way Telegram hands them to bots: photos in several sizes, image documents,
//! `getFile`, and the download route.
//!
//! - [`FakeTelegram::send_photo`] delivers a message whose `photo` is an array of `PhotoSize`s like
//!   Telegram's: a real thumbnail (the image scaled to at most [`THUMB_SIDE`] pixels, JPEG), a medium
//!   size when the image is larger than [`MEDIUM_SIDE`], and the image itself as the largest, each with
//!   its own `file_id`, `file_unique_id`, `width`, `height` and true `file_size`.
//!   [`FakeTelegram::send_image_document`] delivers a `document` with `mime_type`, `file_name`,
//!   `file_size` and a `thumbnail`.
//! - [`FakeTelegram::send_document_claiming`] and [`FakeTelegram::send_photo_claiming`] claim a
//!   `file_size` without holding the bytes, to test size limits: Telegram, like the fake, refuses
//!   `getFile` on files over [`GET_FILE_LIMIT`] ("Bad Request: file is too big"); below that the
//!   download serves that many zero bytes, made when asked for.
//! - `getFile` answers the Bot API's `File` (`file_id`, `file_unique_id`, `file_size`, `file_path`);
//!   an unknown id gets 400 "Bad Request: invalid file_id". The download route
//!   `GET /file/bot<token>/<file_path>` serves the bytes of a path that `getFile` handed out; teloxide
//!   sends the path as one percent-encoded segment (`photos%2Ffile_1.jpg`), plain slashes work too.
//!   Every download is recorded ([`FakeTelegram::downloads`]), so a test can assert that a file over
//!   the bot's limit was never fetched.
//!
//! The state lives in one [`Files`] value inside the fake's `State`, so that this file is all there
//! is to the feature besides two lines of routing in `server.rs`.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use image::{GenericImageView, ImageFormat, imageops::FilterType};
use serde_json::{Value, json};

use super::server::string;
use super::{ApiErr, Chat, FakeTelegram, Shared, State, StoredMessage, User, unix_now};

/// The longer side of a photo's thumbnail (Telegram's `s` size).
pub const THUMB_SIDE: u32 = 90;
/// Photos larger than this also get a medium size of this longer side (Telegram's `m` size).
pub const MEDIUM_SIDE: u32 = 320;
/// The largest file the Bot API lets a bot download (`getFile` refuses bigger ones).
pub const GET_FILE_LIMIT: u64 = 20 * 1024 * 1024;

/// One file the fake holds.
#[derive(Clone, Debug)]
struct StoredFile {
    unique_id: String,
    /// `None`: a claimed size without bytes (zeros are served).
    bytes: Option<Arc<Vec<u8>>>,
    size: u64,
    /// Set by the first `getFile`, as in Telegram (`photos/file_3.jpg`).
    path: Option<String>,
    /// `photos` or `documents`.
    folder: &'static str,
    extension: &'static str,
}

/// A download of a file through `GET /file/bot<token>/<file_path>`.
#[derive(Clone, Debug)]
pub struct Download {
    pub file_id: String,
    pub file_path: String,
    /// Bytes served.
    pub size: u64,
    pub at: Instant,
}

/// The files part of the fake's state.
#[derive(Debug, Default)]
pub(super) struct Files {
    next: u64,
    by_id: HashMap<String, StoredFile>,
    /// `file_path` → `file_id`, for the download route.
    by_path: HashMap<String, String>,
    downloads: Vec<Download>,
    next_path: u64,
}

impl Files {
    fn store(&mut self, bytes: Option<Vec<u8>>, size: u64, folder: &'static str, extension: &'static str) -> Value {
        self.next += 1;
        let n = self.next;
        // Real ids are long base64; these are unique and recognisable.
        let file_id = format!("AgACAgIAAxkBAAI{folder}{n:06}");
        let unique_id = format!("AQAD{n:06}");
        self.by_id.insert(
            file_id.clone(),
            StoredFile {
                unique_id: unique_id.clone(),
                bytes: bytes.map(Arc::new),
                size,
                path: None,
                folder,
                extension,
            },
        );
        json!({"file_id": file_id, "file_unique_id": unique_id, "file_size": size})
    }

    /// `getFile`.
    pub(super) fn get_file(&mut self, params: &Value) -> Result<Value, ApiErr> {
        let file_id = string(params, "file_id").unwrap_or_default();
        let Some(file) = self.by_id.get_mut(&file_id) else {
            return Err(ApiErr::bad_request("invalid file_id"));
        };
        if file.size > GET_FILE_LIMIT {
            return Err(ApiErr::bad_request("file is too big"));
        }
        let path = match &file.path {
            Some(path) => path.clone(),
            None => {
                self.next_path += 1;
                let path = format!("{}/file_{}.{}", file.folder, self.next_path, file.extension);
                file.path = Some(path.clone());
                self.by_path.insert(path.clone(), file_id.clone());
                path
            }
        };
        Ok(json!({"file_id": file_id, "file_unique_id": file.unique_id, "file_size": file.size, "file_path": path}))
    }

    /// The bytes of `path`, recorded as downloaded; `None` for a path `getFile` never handed out.
    fn download(&mut self, path: &str) -> Option<Arc<Vec<u8>>> {
        let file_id = self.by_path.get(path)?.clone();
        let file = self.by_id.get(&file_id)?;
        let bytes = match &file.bytes {
            Some(bytes) => bytes.clone(),
            None => Arc::new(vec![0; usize::try_from(file.size).unwrap_or(usize::MAX).min(GET_FILE_LIMIT as usize)]),
        };
        let size = bytes.len() as u64;
        self.downloads.push(Download { file_id, file_path: path.to_owned(), size, at: Instant::now() });
        Some(bytes)
    }
}

/// `GET /file/bot<token>/<file_path>`: `rest` is the path after `bot<token>`, already split and
/// percent-decoded.
pub(super) fn serve_download(shared: &Shared, token: &str, rest: &[String]) -> Response {
    let not_found = || {
        let body = json!({"ok": false, "error_code": 404, "description": "Not Found"}).to_string();
        (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    if token != FakeTelegram::TOKEN {
        return not_found();
    }
    let path = rest.join("/");
    let bytes = shared.lock().files.download(&path);
    shared.activity.notify_waiters();
    match bytes {
        Some(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/octet-stream")], bytes.as_ref().clone())
            .into_response(),
        None => not_found(),
    }
}

/// The image's dimensions, or 0 × 0 when it is not an image the fake can read (Telegram would refuse
/// it as a photo; the tests send images).
fn dimensions(bytes: &[u8]) -> (u32, u32) {
    image::load_from_memory(bytes).map(|image| image.dimensions()).unwrap_or((0, 0))
}

/// `bytes` scaled to at most `side` pixels on the longer side, as JPEG, with its dimensions.
fn scaled_jpeg(bytes: &[u8], side: u32) -> Option<(Vec<u8>, u32, u32)> {
    let image = image::load_from_memory(bytes).ok()?;
    let small = image.resize(side, side, FilterType::Triangle).into_rgb8();
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, ImageFormat::Jpeg).ok()?;
    Some((out.into_inner(), small.width(), small.height()))
}

fn extension_of(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "jpg",
    }
}

impl State {
    /// The `PhotoSize`s of a photo: thumbnail, medium if it is large, and the photo itself, which
    /// claims `claimed` bytes when given.
    fn photo_sizes(&mut self, bytes: &[u8], claimed: Option<u64>) -> Value {
        let (width, height) = dimensions(bytes);
        let mut sizes = Vec::new();
        for side in [THUMB_SIDE, MEDIUM_SIDE] {
            if width.max(height) > side
                && let Some((scaled, w, h)) = scaled_jpeg(bytes, side)
            {
                let size = scaled.len() as u64;
                let mut photo = self.files.store(Some(scaled), size, "photos", "jpg");
                photo["width"] = json!(w);
                photo["height"] = json!(h);
                sizes.push(photo);
            }
        }
        let mut largest = match claimed {
            Some(size) => self.files.store(None, size, "photos", "jpg"),
            None => self.files.store(Some(bytes.to_vec()), bytes.len() as u64, "photos", "jpg"),
        };
        largest["width"] = json!(width);
        largest["height"] = json!(height);
        sizes.push(largest);
        Value::Array(sizes)
    }

    /// A user's message in `chat` carrying `field` (`photo` or `document`) and maybe a caption.
    fn file_message(&mut self, chat: Chat, from: &User, caption: Option<&str>, field: &str, value: Value) -> i64 {
        self.remember_chat(chat, Some(from));
        let message_id = self.alloc_message_id(chat.id);
        let stored = StoredMessage {
            text: caption.unwrap_or_default().to_owned(),
            parse_mode: None,
            markup: None,
            from_bot: false,
            date: unix_now(),
            edits: 0,
        };
        self.messages.insert((chat.id, message_id), stored);
        let mut message = self.message_json(chat.id, message_id, Some(from));
        if let Some(fields) = message.as_object_mut() {
            fields.remove("entities");
            fields.remove("text");
            if let Some(caption) = caption {
                fields.insert("caption".to_owned(), json!(caption));
            }
            fields.insert(field.to_owned(), value);
        }
        self.push_update(json!({"message": message}));
        message_id
    }

    fn document(&mut self, bytes: Option<&[u8]>, size: u64, mime: &str, file_name: &str) -> Value {
        let thumbnail = bytes.and_then(|bytes| scaled_jpeg(bytes, MEDIUM_SIDE)).map(|(scaled, w, h)| {
            let size = scaled.len() as u64;
            let mut thumb = self.files.store(Some(scaled), size, "thumbnails", "jpg");
            thumb["width"] = json!(w);
            thumb["height"] = json!(h);
            thumb
        });
        let mut document = self.files.store(bytes.map(<[u8]>::to_vec), size, "documents", extension_of(mime));
        document["file_name"] = json!(file_name);
        document["mime_type"] = json!(mime);
        if let Some(thumbnail) = thumbnail {
            document["thumbnail"] = thumbnail;
        }
        document
    }
}

impl FakeTelegram {
    /// A photo from `from` in `chat`, in Telegram's sizes (see the module documentation), with an
    /// optional caption. Returns the message id of the user's message.
    pub fn send_photo(&self, chat: Chat, from: User, bytes: &[u8], caption: Option<&str>) -> i64 {
        self.send_photo_inner(chat, from, bytes, caption, None)
    }

    /// Like [`send_photo`](Self::send_photo), but the largest size claims `file_size` bytes and holds
    /// none (its download serves zeros; over [`GET_FILE_LIMIT`] `getFile` refuses it). The thumbnail
    /// and medium sizes are real.
    pub fn send_photo_claiming(&self, chat: Chat, from: User, bytes: &[u8], file_size: u64) -> i64 {
        self.send_photo_inner(chat, from, bytes, None, Some(file_size))
    }

    fn send_photo_inner(
        &self,
        chat: Chat,
        from: User,
        bytes: &[u8],
        caption: Option<&str>,
        claimed: Option<u64>,
    ) -> i64 {
        let message_id = {
            let mut state = self.lock();
            let sizes = state.photo_sizes(bytes, claimed);
            state.file_message(chat, &from, caption, "photo", sizes)
        };
        self.updates_changed();
        message_id
    }

    /// An image sent as a file (uncompressed): a `document` with `mime_type`, `file_name`, the true
    /// `file_size` and a thumbnail. Returns the message id of the user's message.
    pub fn send_image_document(
        &self,
        chat: Chat,
        from: User,
        bytes: &[u8],
        mime: &str,
        file_name: &str,
        caption: Option<&str>,
    ) -> i64 {
        let message_id = {
            let mut state = self.lock();
            let document = state.document(Some(bytes), bytes.len() as u64, mime, file_name);
            state.file_message(chat, &from, caption, "document", document)
        };
        self.updates_changed();
        message_id
    }

    /// A document that claims `file_size` bytes and holds none, to test size limits (see the module
    /// documentation). Returns the message id of the user's message.
    pub fn send_document_claiming(&self, chat: Chat, from: User, file_size: u64, mime: &str, file_name: &str) -> i64 {
        let message_id = {
            let mut state = self.lock();
            let document = state.document(None, file_size, mime, file_name);
            state.file_message(chat, &from, None, "document", document)
        };
        self.updates_changed();
        message_id
    }

    /// Every download so far, in order.
    pub fn downloads(&self) -> Vec<Download> {
        self.lock().files.downloads.clone()
    }

    /// Whether the file `file_id` was ever downloaded.
    pub fn was_downloaded(&self, file_id: &str) -> bool {
        self.lock().files.downloads.iter().any(|download| download.file_id == file_id)
    }
}
