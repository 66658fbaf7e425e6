//! What the terminal shows: messages as plain text, and the numbered buttons of the latest one.

use std::io::Write;

use crate::chat::Action;
use crate::message::{Button, Reply};

/// What the terminal shows: message numbers and the buttons of the latest message.
#[derive(Default)]
pub struct Screen {
    next_message_id: i32,
    buttons: Vec<(i32, Button)>,
}

impl Screen {
    /// The button a typed number presses, if it is one.
    pub fn button(&self, typed: &str) -> Option<(i32, String)> {
        let index: usize = typed.parse().ok()?;
        let (message_id, button) = self.buttons.get(index.checked_sub(1)?)?;
        Some((*message_id, button.data()?.to_owned()))
    }

    /// A notification, printed as a new message on a line of its own.
    pub fn push(&mut self, reply: &Reply) {
        println!();
        self.next_message_id += 1;
        self.print(self.next_message_id, reply);
        let _ = prompt();
    }

    pub fn show(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Send(reply) => {
                    self.next_message_id += 1;
                    self.print(self.next_message_id, &reply);
                }
                Action::Edit { message_id, reply } => {
                    println!("(message {message_id} updated)");
                    self.print(message_id, &reply);
                }
                Action::AnswerButton { text: Some(text) } => println!("» {text}"),
                Action::AnswerButton { text: None } => {}
            }
        }
    }

    fn print(&mut self, message_id: i32, reply: &Reply) {
        println!("{}", plain_text(&reply.html));
        if reply.buttons.is_empty() {
            return;
        }
        // Sharing, copying and links are Telegram's; the terminal offers what comes back to the bot.
        self.buttons = reply
            .buttons
            .iter()
            .flatten()
            .filter(|button| button.data().is_some())
            .map(|button| (message_id, button.clone()))
            .collect();
        let labels: Vec<String> =
            self.buttons.iter().enumerate().map(|(i, (_, button))| format!("[{}] {}", i + 1, button.text)).collect();
        println!("{}", labels.join("  "));
    }
}

/// The prompt before each typed line.
pub fn prompt() -> std::io::Result<()> {
    print!("> ");
    std::io::stdout().flush()
}

pub fn print_line(text: &str) {
    println!("{text}");
}

/// Telegram HTML → terminal text: tags dropped, the three entities decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(plain_text("<b>圆通</b> · <code>YT1</code>\n&lt;b&gt; &amp; x"), "圆通 · YT1\n<b> & x");
    }

    #[test]
    fn numbers_press_the_latest_buttons() {
        let mut screen = Screen::default();
        let button = |text: &str, data: &str| Button::press(text, data);
        screen.show(vec![Action::Send(
            Reply::text("hi").with_buttons(vec![vec![button("🔄", "r:0:YT1"), button("📜", "a:0:YT1")]]),
        )]);
        assert_eq!(screen.button("2"), Some((1, "a:0:YT1".into())));
        assert_eq!(screen.button("3"), None);
        assert_eq!(screen.button("0"), None);
        assert_eq!(screen.button("YT9693083639795"), None);
    }
}
