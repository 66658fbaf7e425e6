//! Notifications in the terminal: the outbox's [`Delivery`] for the console.
//!
//! A notification is printed like any other message, its buttons numbered so that typing a number
//! presses them. The console has one chat; a notice for any other chat (there are none in the
//! console's own database, but a hand-edited one could hold some) is reported gone, so that it is
//! dropped rather than retried forever.

use std::sync::{Arc, Mutex};

use super::screen::Screen;
use crate::message::Reply;
use crate::watch::{Delivered, Delivering, Delivery, StartBy};

pub struct ConsoleDelivery {
    screen: Arc<Mutex<Screen>>,
    chat_id: i64,
}

impl ConsoleDelivery {
    pub fn new(screen: Arc<Mutex<Screen>>, chat_id: i64) -> Self {
        Self { screen, chat_id }
    }
}

impl Delivery for ConsoleDelivery {
    fn deliver(&self, chat_id: i64, _topic: Option<i32>, message: Reply, _start_by: StartBy) -> Delivering {
        let outcome = if chat_id == self.chat_id {
            let mut screen = self.screen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            screen.push(&message);
            Delivered::Delivered
        } else {
            Delivered::ChatGone
        };
        Box::pin(async move { outcome })
    }
}
