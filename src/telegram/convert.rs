//! teloxide types ⇄ chat core types.

use teloxide::types::{Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User};

use crate::chat::{Button, ChatKind, ChatRef, UserRef};

pub fn chat_ref(chat: &Chat) -> ChatRef {
    ChatRef { id: chat.id.0, kind: if chat.is_private() { ChatKind::Private } else { ChatKind::Group } }
}

pub fn user_ref(user: &User) -> UserRef {
    UserRef { id: i64::try_from(user.id.0).unwrap_or(i64::MAX), language_code: user.language_code.clone() }
}

/// The user who sent a message; channel posts and anonymous admins have none, and the chat stands in.
pub fn sender(message: &Message) -> UserRef {
    match message.from.as_ref() {
        Some(user) => user_ref(user),
        None => UserRef { id: message.chat.id.0, language_code: None },
    }
}

pub fn keyboard(buttons: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    if buttons.is_empty() {
        return None;
    }
    let rows = buttons.iter().map(|row| {
        row.iter()
            .map(|button| InlineKeyboardButton::callback(button.text.clone(), button.data.clone()))
            .collect::<Vec<_>>()
    });
    Some(InlineKeyboardMarkup::new(rows))
}
