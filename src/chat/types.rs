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
    /// A press on one of the bot's buttons, on the bot's message `message_id`.
    Button {
        data: String,
        message_id: i32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub chat: ChatRef,
    pub user: UserRef,
    pub input: Input,
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
