//! `kuaidi-bot console`: talk to the bot in a terminal, through the same chat core as Telegram.
//!
//! Replies are printed as plain text (the HTML tags dropped, entities decoded) with their buttons
//! numbered `[1] 🔄 Refresh`; typing a button's number presses it. The terminal is a private chat whose
//! language follows the `LANG` environment variable, like a Telegram client's `language_code`.
//!
//! It is a full adapter: `app/` runs the watcher and the outbox beside it, and notifications for
//! subscribed parcels are printed as they come (through [`Console::delivery`]). The console keeps its
//! own database (`CONSOLE_DATABASE_URL`), so its chat can never be confused with a Telegram chat:
//! nothing typed here is ever polled for, or sent to, Telegram.

mod delivery;
mod screen;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;

pub use screen::plain_text;

use crate::chat::{ChatCore, ChatRef, Incoming, Input, UserRef};
use crate::watch::Delivery;
use delivery::ConsoleDelivery;
use screen::Screen;

/// The console's one chat and user.
const CONSOLE_CHAT: i64 = 1;
const CONSOLE_USER: i64 = 1;

/// The terminal, as a chat.
pub struct Console {
    screen: Arc<Mutex<Screen>>,
    user: UserRef,
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

impl Console {
    /// The name the console answers `/track@name` to.
    pub const BOT_NAME: &'static str = "kuaidi_bot";

    pub fn new() -> Self {
        let language_code = std::env::var("LANG").ok().map(|lang| lang.replace('_', "-"));
        Self { screen: Arc::default(), user: UserRef { id: CONSOLE_USER, language_code } }
    }

    /// How the outbox prints notifications here.
    pub fn delivery(&self) -> Arc<dyn Delivery> {
        Arc::new(ConsoleDelivery::new(self.screen.clone(), CONSOLE_CHAT))
    }

    /// Reads lines until end of input or `shutdown`, answering each through `core`.
    pub async fn serve(&self, core: ChatCore, shutdown: CancellationToken) -> std::io::Result<()> {
        let chat = ChatRef::private(CONSOLE_CHAT);
        screen::print_line(
            "kuaidi-bot console — type /help, a tracking number, or a button's number; Ctrl-D to leave.",
        );
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        loop {
            screen::prompt()?;
            let line = tokio::select! {
                _ = shutdown.cancelled() => break,
                line = lines.next_line() => line?,
            };
            let Some(line) = line else { break };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let pressed = self.lock_screen().button(line);
            let input = match pressed {
                Some((message_id, data)) => Input::Button { data, message_id },
                None => Input::Text(line.to_owned()),
            };
            let actions = core.handle(&Incoming::new(chat, self.user.clone(), input)).await;
            self.lock_screen().show(actions);
        }
        screen::print_line("");
        Ok(())
    }

    fn lock_screen(&self) -> std::sync::MutexGuard<'_, Screen> {
        // A panic while printing leaves nothing half-done that matters: keep using the screen.
        self.screen.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
