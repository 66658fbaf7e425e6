//! The dispatcher: updates in (long polling or the webhook, the same handler tree either way), chat
//! core, actions out, until shutdown.

use std::future::Future;
use std::time::Duration;

use teloxide::dispatching::{DefaultKey, Dispatcher, UpdateFilterExt};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, CallbackQueryId, ChatAction, ChatMemberUpdated, Message, MessageId, ReplyParameters, ThreadId,
};
use teloxide::update_listeners::{Polling, UpdateListener};
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

use super::bot::Api;
use super::convert::{chat_ref, keyboard, message_place, quoted, sender, user_ref};
use super::files;
use super::inline::on_inline_query;
use super::pace::{Pace, Priority};
use crate::chat::{Action, ChatCore, ChatKind, ChatRef, Incoming, Input};
use crate::watch::Delivered;

/// A "typing…" action is shown when an answer takes longer than this (an upstream query, not a cache hit).
const TYPING_AFTER: Duration = Duration::from_millis(300);
/// Long-polling timeout of `getUpdates`.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// The dispatcher of the bot's one handler tree, whichever way the updates come. Updates of one chat
/// are handled in order, different chats concurrently, so one busy chat does not hold up the others.
pub fn dispatcher<B: Api>(bot: B, core: ChatCore, pace: Option<Pace>) -> Dispatcher<B, RequestError, DefaultKey> {
    // Without the my_chat_member branch Telegram would not tell the bot it was blocked or removed.
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<B>))
        .branch(Update::filter_callback_query().endpoint(on_callback::<B>))
        .branch(Update::filter_inline_query().endpoint(on_inline_query::<B>))
        .branch(Update::filter_my_chat_member().endpoint(on_my_chat_member));
    Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![core, Replies(pace)])
        .default_handler(|_| async {})
        .error_handler(LoggingErrorHandler::with_custom_text("an update handler failed"))
        .build()
}

/// The long-polling listener, after deleting any webhook (a webhook and `getUpdates` exclude each other).
pub async fn polling<B: Api>(bot: B) -> Polling<B> {
    Polling::builder(bot).timeout(POLL_TIMEOUT).delete_webhook().await.build()
}

/// Dispatches what `listener` brings until `shutdown` is cancelled, then finishes the updates in hand.
pub async fn serve<B, L>(
    mut dispatcher: Dispatcher<B, RequestError, DefaultKey>,
    listener: L,
    shutdown: CancellationToken,
) where
    B: Api,
    L: UpdateListener + Send,
    L::Err: std::fmt::Debug,
{
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        tracing::info!("shutting down: finishing the updates in hand");
        // The dispatcher may still be starting; it accepts a shutdown once it runs.
        loop {
            match token.shutdown() {
                Ok(done) => {
                    done.await;
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
    dispatcher.dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("getting updates failed")).await;
}

/// The bot was blocked, kicked or left a chat: that chat's subscriptions stop.
async fn on_my_chat_member(core: ChatCore, update: ChatMemberUpdated) -> ResponseResult<()> {
    if !update.new_chat_member.is_present() {
        core.chat_gone(update.chat.id.0).await;
    }
    Ok(())
}

async fn on_message<B: Api>(bot: B, core: ChatCore, replies: Replies, message: Message) -> ResponseResult<()> {
    if let Some(to) = message.migrate_to_chat_id() {
        core.chat_migrated(message.chat.id.0, to.0).await;
        return Ok(());
    }
    let chat = message_place(&message);
    // In a private chat a photo (or an image file) is scanned for codes; in a group, where the bot is
    // only asked, its caption is read like a text, as it is in a private chat before the image.
    let picture = match chat.kind {
        ChatKind::Private => files::picture(&bot, &message).await,
        ChatKind::Group => None,
    };
    let caption = message.caption().map(str::to_owned);
    let input = match (picture, message.text()) {
        (Some(picture), _) => Input::Picture { picture, caption },
        (None, Some(text)) => Input::Text(text.to_owned()),
        (None, None) => match caption {
            Some(caption) => Input::Text(caption),
            None => return Ok(()),
        },
    };
    let incoming =
        Incoming { chat, user: sender(&message), input, replying_to: quoted(&message, &core.config().bot_username) };
    let chat_id = message.chat.id;
    let typing = {
        let bot = bot.clone();
        tokio::spawn(async move {
            tokio::time::sleep(TYPING_AFTER).await;
            let _ = bot.send_chat_action(chat_id, ChatAction::Typing).await;
        })
    };
    let actions = core.handle(&incoming).await;
    typing.abort();
    // In a group the answers reply to the question, so that the asker finds them among the chatter.
    let reply_to = (incoming.chat.kind == ChatKind::Group).then_some(message.id);
    perform(&bot, &core, &replies, Place { chat: incoming.chat, reply_to }, None, actions).await;
    Ok(())
}

async fn on_callback<B: Api>(bot: B, core: ChatCore, replies: Replies, query: CallbackQuery) -> ResponseResult<()> {
    let Some(message) = query.message.as_ref() else {
        // A button on an inline message: nothing of ours.
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    let data = query.data.clone().unwrap_or_default();
    let chat = message.regular_message().map_or_else(|| chat_ref(message.chat()), message_place);
    let incoming = Incoming::new(chat, user_ref(&query.from), Input::Button { data, message_id: message.id().0 });
    let actions = core.handle(&incoming).await;
    perform(&bot, &core, &replies, Place { chat, reply_to: None }, Some(&query.id), actions).await;
    Ok(())
}

/// The bot's budget, as the handlers see it: replies take their permits ahead of notifications.
#[derive(Clone)]
struct Replies(Option<Pace>);

impl Replies {
    /// Waits for a permit: a new message takes the chat's budget and an overall slot; an edit only the
    /// overall slot (it adds nothing to the chat).
    async fn permit(&self, chat_id: ChatId, new_message: bool) {
        match &self.0 {
            Some(pace) if new_message => pace.permit(chat_id.0, Priority::Reply).await,
            Some(pace) => pace.overall(Priority::Reply).await,
            None => {}
        }
    }
}

/// Sends with the budget's permit; a 429 that still comes makes this chat (only) wait as asked, once.
async fn paced<F, Fut>(replies: &Replies, chat_id: ChatId, new_message: bool, send: F) -> Result<(), RequestError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), RequestError>>,
{
    replies.permit(chat_id, new_message).await;
    match send().await {
        Err(RequestError::RetryAfter(wait)) => {
            metrics::counter!(super::RETRY_AFTER_METRIC, "kind" => "reply").increment(1);
            tracing::warn!(chat = chat_id.0, seconds = wait.seconds(), "Telegram asked this chat to wait");
            tokio::time::sleep(wait.duration()).await;
            replies.permit(chat_id, new_message).await;
            send().await
        }
        other => other,
    }
}

/// Where the answers to one update go: the chat, its forum topic, and the message they reply to.
struct Place {
    chat: ChatRef,
    reply_to: Option<MessageId>,
}

/// A new message to `chat_id`, in the place's topic and in reply to its question when given.
async fn send_new<B: Api>(
    bot: &B,
    replies: &Replies,
    chat_id: ChatId,
    topic: Option<i32>,
    reply_to: Option<MessageId>,
    reply: &crate::chat::Reply,
) -> Result<(), RequestError> {
    paced(replies, chat_id, true, || {
        let mut request = bot.send_message(chat_id, reply.html.clone());
        if let Some(markup) = keyboard(&reply.buttons) {
            request = request.reply_markup(markup);
        }
        if let Some(topic) = topic {
            request = request.message_thread_id(ThreadId(MessageId(topic)));
        }
        if let Some(question) = reply_to {
            // A question deleted meanwhile still gets its answer.
            request = request.reply_parameters(ReplyParameters::new(question).allow_sending_without_reply());
        }
        async move { request.await.map(drop) }
    })
    .await
}

/// Carries out the core's actions in order. A failed send never stops the others; what Telegram's
/// error says about the chat is acted on as the outbox acts on it (`delivery::classify`): a chat
/// that is gone loses its subscriptions, a group that became a supergroup takes them along and gets
/// the answer there, and an edit of a message that is gone comes as a new message instead.
async fn perform<B: Api>(
    bot: &B,
    core: &ChatCore,
    replies: &Replies,
    place: Place,
    callback: Option<&CallbackQueryId>,
    actions: Vec<Action>,
) {
    let chat_id = ChatId(place.chat.id);
    for action in actions {
        let (outcome, reply) = match action {
            Action::Send(reply) => {
                (send_new(bot, replies, chat_id, place.chat.topic, place.reply_to, &reply).await, Some(reply))
            }
            Action::Edit { message_id, reply } => {
                let edited = paced(replies, chat_id, false, || {
                    let mut request = bot.edit_message_text(chat_id, MessageId(message_id), reply.html.clone());
                    if let Some(markup) = keyboard(&reply.buttons) {
                        request = request.reply_markup(markup);
                    }
                    async move { request.await.map(drop) }
                })
                .await;
                let edited = match edited {
                    // Nothing changed since the message was sent: not an error.
                    Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
                    // The message was deleted meanwhile: the answer comes as a new one.
                    Err(RequestError::Api(ApiError::MessageToEditNotFound)) => {
                        tracing::debug!(chat = chat_id.0, "the message to edit is gone; sending the answer anew");
                        send_new(bot, replies, chat_id, place.chat.topic, None, &reply).await
                    }
                    other => other,
                };
                (edited, Some(reply))
            }
            Action::AnswerButton { text } => match callback {
                Some(id) => {
                    let answer = || {
                        let mut request = bot.answer_callback_query(id.clone());
                        if let Some(text) = &text {
                            request = request.text(text.clone());
                        }
                        async move { request.await.map(drop) }
                    };
                    let answered = match answer().await {
                        // Worth one wait while the button's spinner still turns.
                        Err(RequestError::RetryAfter(wait)) if wait.duration() <= ANSWER_RETRY_WITHIN => {
                            metrics::counter!(super::RETRY_AFTER_METRIC, "kind" => "callback_answer").increment(1);
                            tokio::time::sleep(wait.duration()).await;
                            answer().await
                        }
                        other => other,
                    };
                    (answered, None)
                }
                None => (Ok(()), None),
            },
        };
        let Err(error) = outcome else { continue };
        let Some(reply) = reply else {
            tracing::warn!(chat = chat_id.0, %error, "answering a button failed");
            continue;
        };
        match super::delivery::classify(&error) {
            Delivered::ChatGone => {
                tracing::info!(chat = chat_id.0, %error, "the chat is gone: its subscriptions end");
                core.chat_gone(chat_id.0).await;
            }
            Delivered::MigratedTo(to) => {
                tracing::info!(chat = chat_id.0, to, "the group became a supergroup: answering there");
                core.chat_migrated(chat_id.0, to).await;
                if let Err(error) = send_new(bot, replies, ChatId(to), None, None, &reply).await {
                    tracing::warn!(chat = to, %error, "a Telegram request failed");
                }
            }
            _ => tracing::warn!(chat = chat_id.0, %error, "a Telegram request failed"),
        }
    }
}

/// A button's answer is retried after a 429 only when the wait is this short: Telegram forgets the
/// press after about 15 s.
const ANSWER_RETRY_WITHIN: Duration = Duration::from_secs(5);
