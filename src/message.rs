//! A message as the bot shows it: Telegram-style HTML text and rows of buttons.
//!
//! Chat replies (`chat/`) and notifications (`watch/`) are both messages, and every transport
//! (`telegram/`, the console) carries them, so the type sits below all of them. The text uses only
//! `<b>`, `<i>`, `<code>` and escaped text, which Telegram's HTML mode renders and the console strips.

/// An inline button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub action: ButtonAction,
}

/// What a button does when tapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonAction {
    /// Comes back to the bot with this payload, within Telegram's 64 bytes (see `chat/buttons.rs`).
    Press(String),
    /// Opens a chat picker with `@bot <query>` typed: the parcel shared through inline mode.
    Share(String),
    /// Copies the text to the clipboard (at most 256 characters).
    Copy(String),
    /// Opens the address (the bot's deep link).
    Open(String),
}

impl Button {
    /// A button that comes back to the bot with `data`.
    pub fn press(text: impl Into<String>, data: impl Into<String>) -> Self {
        Self { text: text.into(), action: ButtonAction::Press(data.into()) }
    }

    /// The payload a press sends back; `None` for buttons that do not come back to the bot.
    pub fn data(&self) -> Option<&str> {
        match &self.action {
            ButtonAction::Press(data) => Some(data),
            ButtonAction::Share(_) | ButtonAction::Copy(_) | ButtonAction::Open(_) => None,
        }
    }
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
