//! Inline mode over Telegram: an `inline_query` update read into the core's [`InlineQuery`], and its
//! [`InlineAnswer`] sent back with `answerInlineQuery` — cards as articles whose message is the
//! parcel's reply in HTML, the hint as the button above the results.
//!
//! An answer is not a message: it takes no permit of the pace (Telegram limits messages, and an
//! answer sends none; the message a card sends is the user's own). Telegram asks at every keystroke
//! and forgets a query after about 10 seconds, so an answer that comes too late is only logged.

use teloxide::payloads::AnswerInlineQuerySetters;
use teloxide::prelude::*;
use teloxide::types::{
    InlineQuery as TelegramInlineQuery, InlineQueryResult, InlineQueryResultArticle, InlineQueryResultsButton,
    InlineQueryResultsButtonKind, InputMessageContent, InputMessageContentText, ParseMode,
};

use super::bot::Api;
use super::convert::{keyboard, user_ref};
use crate::chat::{ChatCore, InlineAnswer, InlineCard, InlineQuery};

pub async fn on_inline_query<B: Api>(bot: B, core: ChatCore, query: TelegramInlineQuery) -> ResponseResult<()> {
    let asked = InlineQuery { user: user_ref(&query.from), text: query.query.clone() };
    let answer = core.inline(&asked).await;
    let InlineAnswer { cards, hint, cache_seconds } = answer;
    let mut request = bot
        .answer_inline_query(query.id.clone(), cards.into_iter().map(article))
        .cache_time(cache_seconds)
        .is_personal(true);
    if let Some(hint) = hint {
        request = request.button(InlineQueryResultsButton {
            text: hint.text,
            kind: InlineQueryResultsButtonKind::StartParameter(hint.start_payload),
        });
    }
    if let Err(error) = request.await {
        tracing::warn!(%error, "answering an inline query failed");
    }
    Ok(())
}

fn article(card: InlineCard) -> InlineQueryResult {
    let text = InputMessageContentText::new(card.message.html).parse_mode(ParseMode::Html);
    let mut article = InlineQueryResultArticle::new(card.id, card.title, InputMessageContent::Text(text))
        .description(card.description);
    if let Some(markup) = keyboard(&card.message.buttons) {
        article = article.reply_markup(markup);
    }
    InlineQueryResult::Article(article)
}
