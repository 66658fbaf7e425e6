//! Inline mode in the fake: the test types `@bot <query>` in some chat ([`FakeTelegram::send_inline_query`])
//! and the bot's `answerInlineQuery` is checked and recorded like Telegram does it
//! ([`FakeTelegram::inline_answers`], [`FakeTelegram::wait_for_inline_answer`]).
//!
//! Telegram's rules kept here, with its error texts:
//! - a query can be answered once, within its lifetime (10 s by default,
//!   [`FakeTelegram::set_inline_query_lifetime`]); an unknown, expired or already answered id is 400
//!   "Bad Request: query is too old and response timeout expired or query ID is invalid" (teloxide 0.17
//!   matches only a lowercase "id" there, so it reports this as `ApiError::Unknown`, as it would in
//!   production). A refused answer leaves the query answerable, as in Telegram;
//! - at most 50 results ("RESULTS_TOO_MUCH"), ids of 1–64 bytes ("RESULT_ID_INVALID"), no id twice
//!   ("RESULT_ID_DUPLICATE"), `next_offset` at most 64 bytes ("NEXT_OFFSET_INVALID");
//! - an article needs a title, and a text result's `input_message_content.message_text` passes the same
//!   checks as `sendMessage`'s text (HTML parsed as strictly when `parse_mode` is HTML, 4096 characters);
//!   its `reply_markup` the same checks as `sendMessage`'s inline keyboard (`callback_data` ≤ 64 bytes,
//!   one action per button: callback, `url`, `switch_inline_query…`, `copy_text`, …). The
//!   title and keyboard texts marked "the fake's wording" below are not confirmed Telegram texts.
//!
//! Like Telegram, `getMe` reports `supports_inline_queries` only once inline mode is on
//! ([`FakeTelegram::set_inline_mode`], BotFather's `/setinline`); the fake delivers inline queries
//! either way, so that a test of the handler need not care.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::server::{boolean, int, string};
use super::{ApiErr, Button, FakeTelegram, State, User, buttons_of};

/// How long Telegram waits for an answer to an inline query.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(10);
/// Telegram's limit on results in one answer.
const MAX_RESULTS: usize = 50;
/// Telegram's `cache_time` when the bot gives none.
const DEFAULT_CACHE_TIME: u32 = 300;

/// An accepted `answerInlineQuery`.
#[derive(Clone, Debug)]
pub struct InlineAnswer {
    pub inline_query_id: String,
    pub results: Vec<InlineResult>,
    /// Seconds Telegram may cache the answer (300 when the bot gave none).
    pub cache_time: u32,
    pub is_personal: bool,
    pub next_offset: Option<String>,
    /// The button above the results (`{"text", "start_parameter"}` or `{"text", "web_app"}`), raw.
    pub button: Option<Value>,
    pub params: Value,
    pub at: Instant,
}

impl InlineAnswer {
    /// The result with this id.
    pub fn result(&self, id: &str) -> Option<&InlineResult> {
        self.results.iter().find(|result| result.id == id)
    }
}

/// One result of an answer.
#[derive(Clone, Debug)]
pub struct InlineResult {
    /// `"article"`, `"photo"`, …
    pub kind: String,
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The raw `input_message_content.message_text`: what is sent to the chat when the result is picked.
    pub message_text: Option<String>,
    pub parse_mode: Option<String>,
    /// The inline keyboard of the message sent, row by row.
    pub reply_markup: Option<Vec<Vec<Button>>>,
    pub raw: Value,
}

impl InlineResult {
    /// All inline buttons, row by row.
    pub fn buttons(&self) -> Vec<Button> {
        self.reply_markup.iter().flatten().flatten().cloned().collect()
    }

    /// The first inline button whose text contains `needle`.
    pub fn button(&self, needle: &str) -> Option<Button> {
        self.buttons().into_iter().find(|button| button.text.contains(needle))
    }
}

/// An inline query not answered yet.
#[derive(Debug)]
struct Pending {
    asked_at: Instant,
}

/// Everything inline mode keeps.
#[derive(Debug)]
pub(super) struct Inline {
    /// BotFather's `/setinline`: what `getMe` reports as `supports_inline_queries`.
    pub enabled: bool,
    lifetime: Duration,
    next_id: u64,
    pending: HashMap<String, Pending>,
    answers: Vec<InlineAnswer>,
}

impl Default for Inline {
    fn default() -> Self {
        Inline { enabled: false, lifetime: DEFAULT_LIFETIME, next_id: 1, pending: HashMap::new(), answers: Vec::new() }
    }
}

fn query_invalid() -> ApiErr {
    ApiErr::bad_request("query is too old and response timeout expired or query ID is invalid")
}

impl State {
    pub(super) fn answer_inline_query(&mut self, params: &Value) -> Result<Value, ApiErr> {
        let id = string(params, "inline_query_id").unwrap_or_default();
        let lifetime = self.inline.lifetime;
        match self.inline.pending.get(&id) {
            Some(pending) if pending.asked_at.elapsed() <= lifetime => {}
            _ => return Err(query_invalid()),
        }
        let raw_results = match params.get("results") {
            Some(Value::Array(results)) => results.clone(),
            _ => return Err(ApiErr::bad_request("can't parse inline query results JSON object")),
        };
        if raw_results.len() > MAX_RESULTS {
            return Err(ApiErr::bad_request("RESULTS_TOO_MUCH"));
        }
        let mut seen = HashSet::new();
        let mut results = Vec::with_capacity(raw_results.len());
        for raw in raw_results {
            let result = self.check_result(raw)?;
            if !seen.insert(result.id.clone()) {
                return Err(ApiErr::bad_request("RESULT_ID_DUPLICATE"));
            }
            results.push(result);
        }
        let next_offset = string(params, "next_offset").filter(|offset| !offset.is_empty());
        if next_offset.as_ref().is_some_and(|offset| offset.len() > 64) {
            return Err(ApiErr::bad_request("NEXT_OFFSET_INVALID"));
        }
        let cache_time = int(params, "cache_time").map_or(DEFAULT_CACHE_TIME, |seconds| seconds.max(0) as u32);
        self.inline.pending.remove(&id);
        self.inline.answers.push(InlineAnswer {
            inline_query_id: id,
            results,
            cache_time,
            is_personal: boolean(params, "is_personal"),
            next_offset,
            button: params.get("button").cloned(),
            params: params.clone(),
            at: Instant::now(),
        });
        Ok(json!(true))
    }

    fn check_result(&self, raw: Value) -> Result<InlineResult, ApiErr> {
        let field = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
        let kind = field("type")
            .ok_or_else(|| ApiErr::bad_request("can't parse inline query result: Can't find field \"type\""))?;
        let id = field("id").unwrap_or_default();
        if !(1..=64).contains(&id.len()) {
            return Err(ApiErr::bad_request("RESULT_ID_INVALID"));
        }
        let title = field("title");
        if kind == "article" && title.as_deref().is_none_or(|title| title.trim().is_empty()) {
            // The fake's wording.
            return Err(ApiErr::bad_request("RESULT_TITLE_EMPTY"));
        }
        let content = raw.get("input_message_content");
        if kind == "article" && content.is_none() {
            return Err(ApiErr::bad_request(
                "can't parse inline query result: Field \"input_message_content\" must be of type Object",
            ));
        }
        let text_of = |name: &str| content.and_then(|c| c.get(name)).and_then(Value::as_str).map(str::to_owned);
        let message_text = text_of("message_text");
        let parse_mode = text_of("parse_mode");
        if let Some(text) = &message_text {
            self.check_text(text, parse_mode.as_deref())?;
        }
        let markup = super::server::inline_markup(&raw)?;
        Ok(InlineResult {
            kind,
            id,
            title,
            description: field("description"),
            message_text,
            parse_mode,
            reply_markup: buttons_of(markup.as_ref()),
            raw,
        })
    }
}

impl FakeTelegram {
    /// `from` types `@bot <query>` in a chat of `chat_type` (`"sender"` — the private chat with the bot
    /// —, `"private"`, `"group"`, `"supergroup"`, `"channel"`; `None`: a secret chat, where Telegram
    /// does not say). Returns the inline query id, answerable once within the lifetime.
    pub fn send_inline_query(&self, from: User, query: &str, chat_type: Option<&str>) -> String {
        let id = {
            let mut state = self.lock();
            let id = format!("{}", 6_000_000_000_000_000_000u64 + state.inline.next_id);
            state.inline.next_id += 1;
            state.inline.pending.insert(id.clone(), Pending { asked_at: Instant::now() });
            let mut inline_query = json!({"id": id, "from": from.to_json(), "query": query, "offset": ""});
            if let Some(chat_type) = chat_type {
                inline_query["chat_type"] = json!(chat_type);
            }
            state.push_update(json!({"inline_query": inline_query}));
            id
        };
        self.updates_changed();
        id
    }

    /// Accepted `answerInlineQuery` calls, in order (refused ones are in `requests_to`, with their status).
    pub fn inline_answers(&self) -> Vec<InlineAnswer> {
        self.lock().inline.answers.clone()
    }

    /// Waits until query `query_id` was answered (and accepted); `None` on timeout.
    pub async fn wait_for_inline_answer(&self, query_id: &str, timeout: Duration) -> Option<InlineAnswer> {
        self.wait_for(timeout, |fake| {
            fake.lock().inline.answers.iter().find(|answer| answer.inline_query_id == query_id).cloned()
        })
        .await
    }

    /// How long a query may wait for its answer (Telegram: about 10 s).
    pub fn set_inline_query_lifetime(&self, lifetime: Duration) {
        self.lock().inline.lifetime = lifetime;
    }

    /// BotFather's `/setinline`: whether `getMe` reports `supports_inline_queries` (default off, like a
    /// new bot).
    pub fn set_inline_mode(&self, enabled: bool) {
        self.lock().inline.enabled = enabled;
    }
}
