//! teloxide types ⇄ chat core types.

use teloxide::types::{Chat, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Message, User};

use crate::chat::{Button, ChatKind, ChatRef, Quoted, UserRef};
use crate::message::ButtonAction;

/// The chat of a message the bot cannot see (an old one a button is on), without its topic.
pub fn chat_ref(chat: &Chat) -> ChatRef {
    ChatRef { id: chat.id.0, kind: if chat.is_private() { ChatKind::Private } else { ChatKind::Group }, topic: None }
}

/// Where a message was written: its chat and, in a forum, its topic.
pub fn message_place(message: &Message) -> ChatRef {
    ChatRef { topic: topic_of(message), ..chat_ref(&message.chat) }
}

/// A forum topic's id. Replies in a plain group carry a thread id too, which is not a place to send to.
fn topic_of(message: &Message) -> Option<i32> {
    message.thread_id.filter(|_| message.is_topic_message).map(|thread| thread.0.0)
}

/// The message this one replies to, read; `bot_username` tells the bot's own messages. In a forum
/// every message of a topic "replies" to the topic's first message, which is not a reply at all.
pub fn quoted(message: &Message, bot_username: &str) -> Option<Quoted> {
    let replied = message.reply_to_message()?;
    if topic_of(message).is_some_and(|topic| topic == replied.id.0) {
        return None;
    }
    let by_bot = replied.from.as_ref().is_some_and(|author| {
        author.is_bot
            && author
                .username
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(bot_username.trim_start_matches('@')))
    });
    let text = replied.text().or_else(|| replied.caption()).unwrap_or_default().to_owned();
    Some(Quoted { by_bot, text })
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
    let rows = buttons.iter().map(|row| row.iter().filter_map(inline_button).collect::<Vec<_>>());
    Some(InlineKeyboardMarkup::new(rows))
}

/// One button; a link that is no URL (it never is: the core writes them) is left out.
fn inline_button(button: &Button) -> Option<InlineKeyboardButton> {
    let text = button.text.clone();
    Some(match &button.action {
        ButtonAction::Press(data) => InlineKeyboardButton::callback(text, data.clone()),
        ButtonAction::Share(query) => InlineKeyboardButton::switch_inline_query(text, query.clone()),
        ButtonAction::Copy(copied) => {
            InlineKeyboardButton::copy_text_button(text, CopyTextButton { text: copied.clone() })
        }
        ButtonAction::Open(url) => InlineKeyboardButton::url(text, reqwest::Url::parse(url).ok()?),
    })
}
