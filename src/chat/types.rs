//! What goes into the chat core and what comes out, with no transport in sight.
//!
//! Telegram, the console and the tests all speak these types: a chat and a user, a text or a button
//! press in; messages to send, messages to edit and button answers out. Message text is Telegram-style
//! HTML (only `<b>`, `<i>`, `<code>` and escaped text), which the console strips.

pub use crate::message::{Button, Reply};

/// Private chats and groups behave differently (bare numbers, follow-up phone digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatRef {
    pub id: i64,
    pub kind: ChatKind,
    /// The forum topic (Telegram's `message_thread_id`) the message came from: replies go back there,
    /// and so do the pushes of what is subscribed from it. `None` outside forum topics.
    pub topic: Option<i32>,
}

impl ChatRef {
    /// A private chat (no topics).
    pub fn private(id: i64) -> Self {
        Self { id, kind: ChatKind::Private, topic: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    /// Telegram's `language_code`, e.g. `zh-hans`, `en`.
    pub language_code: Option<String>,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// A photo or an image file (private chats only), with its caption.
    Picture {
        picture: Picture,
        caption: Option<String>,
    },
    /// A press on one of the bot's buttons, on the bot's message `message_id`.
    Button {
        data: String,
        message_id: i32,
    },
}

/// A picture as the transport fetched it.
#[derive(Clone, PartialEq, Eq)]
pub enum Picture {
    /// The image file, at most `input::barcode::MAX_BYTES`.
    Image(Vec<u8>),
    /// Larger than the bot reads: not fetched.
    TooLarge,
    /// The transport could not fetch it.
    Unavailable,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Picture::Image(bytes) => write!(f, "Image({} bytes)", bytes.len()),
            Picture::TooLarge => f.write_str("TooLarge"),
            Picture::Unavailable => f.write_str("Unavailable"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub chat: ChatRef,
    pub user: UserRef,
    pub input: Input,
    /// The message this one replies to, if any: `/track` alone in reply to a message tracks the numbers
    /// in it, and in a group a reply to the bot is addressed to the bot.
    pub replying_to: Option<Quoted>,
}

impl Incoming {
    /// A message that replies to nothing.
    pub fn new(chat: ChatRef, user: UserRef, input: Input) -> Self {
        Self { chat, user, input, replying_to: None }
    }
}

/// A message replied to: who wrote it and its text (or caption; empty when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    /// Written by this bot.
    pub by_bot: bool,
    pub text: String,
}

/// One thing the transport must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Send(Reply),
    /// Replace the bot's message `message_id` (a refresh or a change of view).
    Edit {
        message_id: i32,
        reply: Reply,
    },
    /// Answer the button press (Telegram requires one); `text` shows as a small notice.
    AnswerButton {
        text: Option<String>,
    },
}
