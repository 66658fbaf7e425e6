//! The one routing tree: every message and button press comes in at [`ChatCore::handle`], is read into
//! a typed [`Command`] (by `command.rs`) or a button [`Payload`] (by `buttons.rs`), and goes to exactly
//! one handler — a file under `commands/` for a command, a method of `presses.rs` for a button.
//!
//! Reading comes first and is complete: a handler never sees raw text or raw payloads, only values
//! that were checked (a [`TrackingNumber`](crate::input::TrackingNumber), a resolved courier, a
//! [`Lang`](crate::kuaidi100::Lang)). Whether the chat is private is the one other thing the routing
//! looks at: in a private chat every text is for the bot; in a group only its commands and the texts
//! addressed to it — those that mention it, or reply to one of its messages — as privacy mode has it.
//! `/track` or `/sub` alone, in reply to a message, is about the numbers in that message.
//!
//! A question the bot asked (the phone's last 4 digits, a parcel's name after 🏷) is answered by the
//! asked user's next plain text; a command of theirs instead drops it, so that a later number is
//! never taken for a name.

use super::buttons::{self, ForgetPress, Op, Payload};
use super::command::{self, ArgError, Command, Name};
use super::core::{ChatCore, answer};
use super::types::{Action, ChatKind, Incoming, Input};
use super::view::View;
use super::words;

/// What came in, read.
enum Route {
    Command(Command),
    /// A press on the bot's message `message_id`.
    Press(Payload, i32),
    /// A press on one of `/forget`'s buttons, on the bot's message `message_id`.
    Forget(ForgetPress, i32),
    /// A button whose payload cannot be read (an old bot's, or forged).
    Outdated,
    /// A photo or an image file, with its caption.
    Picture,
}

impl ChatCore {
    /// Handles one message or button press and says what to do about it.
    pub async fn handle(&self, incoming: &Incoming) -> Vec<Action> {
        let lang = self.lang_for(incoming.chat, &incoming.user).await;
        self.zone_for(incoming.chat.id).await;
        let private = incoming.chat.kind == ChatKind::Private;
        let route = self.read(&incoming.input);
        if let Route::Command(command) = &route
            && !matches!(command, Command::Text(_) | Command::NotForUs)
        {
            self.take_pending(incoming.chat.id, incoming.user.id);
        }
        match route {
            Route::Command(Command::Start(None) | Command::Help) => self.help_command(lang),
            Route::Command(Command::Start(Some(link))) => self.start_link(incoming, link, lang).await,
            Route::Command(Command::Malformed(name @ (Name::Track | Name::Sub), ArgError::Usage))
                if incoming.replying_to.is_some() =>
            {
                self.quoted_command(incoming, name, lang).await
            }
            Route::Command(Command::Track(parcel)) => self.track_command(incoming, parcel, lang).await,
            Route::Command(Command::Sub(parcel)) => self.sub_command(incoming, parcel, lang).await,
            Route::Command(Command::Unsub(number)) => self.unsub_command(incoming, &number, lang).await,
            Route::Command(Command::List) => self.list_command(incoming, lang).await,
            Route::Command(Command::Label(number, label)) => self.label_command(incoming, &number, label, lang).await,
            Route::Command(Command::Lang(chosen)) => self.lang_command(incoming, chosen, lang).await,
            Route::Command(Command::Tz(choice)) => self.tz_command(incoming, choice, lang).await,
            Route::Command(Command::Forget) => self.forget_command(incoming, lang),
            Route::Command(Command::Couriers(text)) => self.couriers_command(&text, lang),
            Route::Command(Command::Malformed(name, error)) => self.malformed(name, &error, lang),
            Route::Command(Command::Unknown(name)) if private => self.unknown_command(&name, lang),
            Route::Command(Command::Text(text)) if private => self.private_text(incoming, &text, lang).await,
            Route::Command(Command::Text(text)) => self.group_text(incoming, &text, lang).await,
            // In groups unknown commands are not for the bot; other bots' commands never are.
            Route::Command(Command::Unknown(_) | Command::NotForUs) => Vec::new(),

            Route::Press(Payload { op: Op::Track, courier, number }, _) => {
                self.press_track(incoming, courier, number, lang).await
            }
            Route::Press(Payload { op: Op::ShowAll, courier, number }, message_id) => {
                self.press_view(incoming, courier, &number, message_id, View::All, lang).await
            }
            Route::Press(Payload { op: Op::ShowLess, courier, number }, message_id) => {
                self.press_view(incoming, courier, &number, message_id, View::Latest, lang).await
            }
            Route::Press(Payload { op: Op::Refresh, courier, number }, message_id) => {
                self.press_refresh(incoming, courier, number, message_id, View::Latest, lang).await
            }
            Route::Press(Payload { op: Op::RefreshAll, courier, number }, message_id) => {
                self.press_refresh(incoming, courier, number, message_id, View::All, lang).await
            }
            Route::Press(Payload { op: Op::Subscribe, courier, number }, message_id) => {
                self.press_subscribe(incoming, courier, number, message_id, lang).await
            }
            Route::Press(Payload { op: Op::Unsubscribe, courier, number }, message_id) => {
                self.press_unsubscribe(incoming, courier, number, Some(message_id), lang).await
            }
            Route::Press(Payload { op: Op::UnsubscribeQuiet, courier, number }, _) => {
                self.press_unsubscribe(incoming, courier, number, None, lang).await
            }
            Route::Press(Payload { op: Op::Label, courier, number }, _) => {
                self.press_label(incoming, courier, number, lang)
            }
            Route::Forget(press, message_id) => self.press_forget(incoming, press, message_id, lang).await,
            Route::Outdated => vec![answer(Some(words::buttons::outdated(lang)))],
            Route::Picture => match &incoming.input {
                Input::Picture { picture, caption } => self.picture(incoming, picture, caption.as_deref(), lang).await,
                _ => Vec::new(),
            },
        }
    }

    fn read(&self, input: &Input) -> Route {
        match input {
            Input::Text(text) => Route::Command(command::parse(text, &self.inner.config.bot_username)),
            Input::Picture { .. } => Route::Picture,
            Input::Button { data, message_id } => match (buttons::decode(data), buttons::decode_forget(data)) {
                (Some(payload), _) => Route::Press(payload, *message_id),
                (None, Some(press)) => Route::Forget(press, *message_id),
                (None, None) => Route::Outdated,
            },
        }
    }
}
