//! A message as the bot shows it: Telegram-style HTML text and rows of buttons.
//!
//! Chat replies (`chat/`) and notifications (`watch/`) are both messages, and every transport
//! (`telegram/`, the console) carries them, so the type sits below all of them. The text uses only
//! `<b>`, `<i>`, `<code>` and escaped text, which Telegram's HTML mode renders and the console strips.

/// An inline button; `data` stays within Telegram's 64 bytes (see `chat/buttons.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub data: String,
}

/// HTML text and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    pub html: String,
    pub buttons: Vec<Vec<Button>>,
}

impl Reply {
    pub fn text(html: impl Into<String>) -> Self {
        Self { html: html.into(), buttons: Vec::new() }
    }

    pub fn with_buttons(mut self, buttons: Vec<Vec<Button>>) -> Self {
        self.buttons = buttons;
        self
    }
}
