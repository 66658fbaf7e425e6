//! The HTTP side of the fake Telegram server: routing `/bot{token}/{Method}` (case-insensitive, since
//! teloxide writes `SendMessage` where the Bot API docs write `sendMessage`), reading JSON, form and
//! multipart bodies into one JSON object, long-polling `getUpdates`, and the Bot API methods the bot
//! uses. One catch-all handler instead of one axum route per method keeps unknown methods, wrong tokens
//! and odd paths answering Telegram-shaped 4xx JSON — never a 5xx, which would make teloxide sleep 10 s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::telegram_html;

use super::{
    ApiErr, CallbackAnswer, Edit, FakeTelegram, Recorded, SentMessage, Shared, State, StoredMessage, buttons_of, files,
    unix_now,
};

/// Canonical Bot API names; a request's method is matched against these ignoring case.
const METHODS: &[&str] = &[
    "getUpdates",
    "getMe",
    "logOut",
    "close",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setMyName",
    "getMyName",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setChatMenuButton",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "answerInlineQuery",
    "sendChatAction",
    "forwardMessage",
    "copyMessage",
    "sendPhoto",
    "sendDocument",
    "sendDice",
    "getChat",
    "getFile",
    "getChatMember",
    "leaveChat",
];

/// Params whose form/multipart string values are JSON-serialised objects or arrays.
const JSON_PARAMS: &[&str] = &[
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "media",
    "results",
    "button",
];

/// Telegram's limit on a message text, after entity parsing, in UTF-16 code units.
const MAX_TEXT: usize = 4096;

pub(super) fn spawn(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let app = Router::new().fallback(handle).with_state(shared);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}

fn canonical(method: &str) -> String {
    match METHODS.iter().find(|known| known.eq_ignore_ascii_case(method)) {
        Some(known) => (*known).to_owned(),
        None => {
            let mut chars = method.chars();
            chars.next().map(|first| first.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
        }
    }
}

fn reply(result: Result<Value, ApiErr>) -> Response {
    let (status, body) = match result {
        Ok(value) => (StatusCode::OK, json!({"ok": true, "result": value})),
        Err(error) => (StatusCode::from_u16(error.code).unwrap_or(StatusCode::BAD_REQUEST), error.body()),
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A `sendMessage` being handled; counted until answered or abandoned by the client.
struct SendInFlight(Arc<Shared>);

impl SendInFlight {
    fn new(shared: &Arc<Shared>) -> Self {
        let mut state = shared.lock();
        state.sends_in_flight += 1;
        state.max_sends_in_flight = state.max_sends_in_flight.max(state.sends_in_flight);
        drop(state);
        Self(shared.clone())
    }
}

impl Drop for SendInFlight {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.sends_in_flight = state.sends_in_flight.saturating_sub(1);
    }
}

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let segments: Vec<String> = uri.path().split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let (token, method) = match segments.as_slice() {
        [file, bot, rest @ ..] if file == "file" && bot.starts_with("bot") && !rest.is_empty() => {
            return files::serve_download(&shared, &bot[3..], rest);
        }
        [bot, method] if bot.starts_with("bot") => (&bot[3..], method.as_str()),
        _ => return reply(Err(ApiErr { code: 404, description: "Not Found".into(), parameters: None })),
    };
    if token != FakeTelegram::TOKEN {
        return reply(Err(ApiErr { code: 401, description: "Unauthorized".into(), parameters: None }));
    }
    let method = canonical(method);
    let params = parse_params(&headers, uri.query(), &body);
    let _in_flight = (method == "sendMessage").then(|| SendInFlight::new(&shared));
    let half_trip = shared.lock().round_trip.filter(|_| method != "getUpdates").map(|trip| trip / 2);
    if let Some(half) = half_trip {
        tokio::time::sleep(half).await;
    }
    let (index, delay) = {
        let mut state = shared.lock();
        state.requests.push(Recorded { method: method.clone(), params: params.clone(), at: Instant::now(), status: 0 });
        (state.requests.len() - 1, state.delay)
    };
    shared.activity.notify_waiters();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let result =
        if method == "getUpdates" { get_updates(&shared, &params).await } else { shared.lock().call(&method, &params) };
    if matches!(&result, Err(error) if error.code == ApiErr::HOLD) {
        // A request Telegram never answers: the bot's client gives up first.
        tokio::time::sleep(super::TIMEOUT_HOLD).await;
    }
    let status = match &result {
        Ok(_) => 200,
        Err(error) => error.code,
    };
    let answer_delay = {
        let mut state = shared.lock();
        if let Some(recorded) = state.requests.get_mut(index) {
            recorded.status = status;
        }
        state.answer_delay
    };
    shared.activity.notify_waiters();
    if let Some(delay) = answer_delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(half) = half_trip {
        tokio::time::sleep(half).await;
    }
    reply(result)
}

// ----- request bodies -----

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form_pairs(encoded: &str) -> Vec<(String, String)> {
    match reqwest::Url::parse(&format!("http://form.invalid/?{encoded}")) {
        Ok(url) => url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect(),
        Err(_) => Vec::new(),
    }
}

fn multipart_fields(content_type: &str, body: &[u8]) -> Vec<(String, Value)> {
    let Some(boundary) =
        content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary=")).map(|b| b.trim_matches('"'))
    else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(body);
    let mut fields = Vec::new();
    for part in text.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, content)) = part.split_once("\r\n\r\n") else { continue };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let attribute = |name: &str| {
            let start = head.find(&format!("{name}=\""))? + name.len() + 2;
            head[start..].find('"').map(|end| head[start..start + end].to_owned())
        };
        let Some(name) = attribute("name") else { continue };
        let value = match attribute("filename") {
            Some(filename) => json!({"file": filename, "size": content.len()}),
            None => Value::String(content.to_owned()),
        };
        fields.push((name, value));
    }
    fields
}

/// All params of a request as one JSON object, whatever the encoding.
fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Value {
    let mut params = Map::new();
    for (key, value) in query.map(form_pairs).unwrap_or_default() {
        params.insert(key, Value::String(value));
    }
    let raw_content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let content_type = raw_content_type.to_ascii_lowercase();
    let as_json = || match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    };
    let as_form = || {
        std::str::from_utf8(body)
            .map(|text| form_pairs(text.trim()).into_iter().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>())
            .unwrap_or_default()
    };
    if content_type.starts_with("multipart/form-data") {
        params.extend(multipart_fields(raw_content_type, body));
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        params.extend(as_form());
    } else if let Some(object) = as_json() {
        params.extend(object);
    } else if !body.is_empty() {
        params.extend(as_form());
    }
    for key in JSON_PARAMS {
        let parsed = match params.get(*key) {
            Some(Value::String(text)) => serde_json::from_str::<Value>(text).ok(),
            _ => None,
        };
        if let Some(parsed @ (Value::Object(_) | Value::Array(_))) = parsed {
            params.insert((*key).to_owned(), parsed);
        }
    }
    Value::Object(params)
}

// ----- param access, tolerant of strings from form bodies -----

pub(super) fn int(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn string(params: &Value, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn boolean(params: &Value, key: &str) -> bool {
    match params.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn chat_id(params: &Value) -> Result<i64, ApiErr> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(ApiErr::bad_request("chat_id is empty")),
        Some(_) => int(params, "chat_id").ok_or_else(|| ApiErr::bad_request("chat not found")),
    }
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The inline keyboard of a `reply_markup` param, validated like Telegram (`None` for none, an empty one,
/// or another kind of markup).
pub(super) fn inline_markup(params: &Value) -> Result<Option<Value>, ApiErr> {
    let Some(rows) = params.get("reply_markup").and_then(|m| m.get("inline_keyboard")) else {
        return Ok(None);
    };
    let rows = rows.as_array().ok_or_else(|| ApiErr::bad_request("can't parse inline keyboard button"))?;
    for button in rows.iter().flat_map(|row| row.as_array().into_iter().flatten()) {
        if button.get("text").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ApiErr::bad_request("can't parse inline keyboard button: Text buttons are unallowed"));
        }
        if let Some(data) = button.get("callback_data") {
            let length = data.as_str().map(str::len).unwrap_or(0);
            if !(1..=64).contains(&length) {
                return Err(ApiErr::bad_request("BUTTON_DATA_INVALID"));
            }
        }
        check_button_action(button)?;
    }
    if rows.iter().all(|row| row.as_array().is_none_or(Vec::is_empty)) {
        return Ok(None);
    }
    Ok(Some(json!({"inline_keyboard": rows})))
}

/// What an inline keyboard button may do; exactly one per button.
const BUTTON_ACTIONS: &[&str] = &[
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
];

/// A button does one thing: a button with no action is Telegram's "Text buttons are unallowed"; a
/// `url` must be a URL; a `copy_text` copies 1–256 characters (the fake's wording: "COPY_TEXT_INVALID").
fn check_button_action(button: &Value) -> Result<(), ApiErr> {
    let actions = BUTTON_ACTIONS.iter().filter(|action| button.get(**action).is_some()).count();
    if actions == 0 {
        return Err(ApiErr::bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ));
    }
    if actions > 1 {
        return Err(ApiErr::bad_request("can't parse inline keyboard button: more than one action"));
    }
    if let Some(url) = button.get("url") {
        let parsed = url.as_str().map(reqwest::Url::parse);
        if !matches!(parsed, Some(Ok(ref url)) if ["http", "https", "tg"].contains(&url.scheme())) {
            return Err(ApiErr::bad_request("BUTTON_URL_INVALID"));
        }
    }
    if let Some(copy) = button.get("copy_text") {
        let length = copy.get("text").and_then(Value::as_str).map_or(0, |text| text.chars().count());
        if !(1..=256).contains(&length) {
            return Err(ApiErr::bad_request("COPY_TEXT_INVALID"));
        }
    }
    Ok(())
}

// ----- getUpdates -----

const DEFAULT_UPDATES_EXCLUDED: &[&str] = &["chat_member", "message_reaction", "message_reaction_count"];

fn update_type(update: &Value) -> String {
    update.as_object().and_then(|o| o.keys().find(|k| *k != "update_id").cloned()).unwrap_or_default()
}

impl State {
    fn update_allowed(&self, update: &Value) -> bool {
        let kind = update_type(update);
        match &self.allowed_updates {
            Some(allowed) => allowed.contains(&kind),
            None => !DEFAULT_UPDATES_EXCLUDED.contains(&kind.as_str()),
        }
    }

    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates.retain(|u| u.get("update_id").and_then(Value::as_i64).unwrap_or(0) >= offset);
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }

    pub(super) fn take_batch(&mut self, limit: usize) -> Vec<Value> {
        if self.honour_allowed_updates {
            let updates = std::mem::take(&mut self.updates);
            let (keep, drop): (Vec<Value>, Vec<Value>) =
                updates.into_iter().partition(|update| self.update_allowed(update));
            self.updates = keep.into();
            self.dropped_updates.extend(drop);
        }
        self.updates.iter().take(limit).cloned().collect()
    }
}

async fn get_updates(shared: &Shared, params: &Value) -> Result<Value, ApiErr> {
    let offset = int(params, "offset").unwrap_or(0);
    let limit = int(params, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = int(params, "timeout").unwrap_or(0).clamp(0, 3600) as u64;
    {
        let mut state = shared.lock();
        state.polling_allowed()?;
        if let Some(Value::Array(allowed)) = params.get("allowed_updates") {
            let allowed: Vec<String> = allowed.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            state.allowed_updates = if allowed.is_empty() { None } else { Some(allowed) };
        }
        state.confirm(offset);
    }
    shared.activity.notify_waiters();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = shared.new_updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let batch = shared.lock().take_batch(limit);
        if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
            return Ok(Value::Array(batch));
        }
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

// ----- the other methods -----

impl State {
    fn call(&mut self, method: &str, params: &Value) -> Result<Value, ApiErr> {
        if let Some(result) = self.call_profile(method, params) {
            return result;
        }
        match method {
            "getMe" => {
                let mut me = FakeTelegram::bot_user_json();
                me["can_join_groups"] = json!(true);
                me["can_read_all_group_messages"] = json!(false);
                me["supports_inline_queries"] = json!(self.inline.enabled);
                me["can_connect_to_business"] = json!(false);
                me["has_main_web_app"] = json!(false);
                Ok(me)
            }
            "logOut" | "close" | "setMyName" | "setChatMenuButton" => Ok(json!(true)),
            "setWebhook" => self.set_webhook(params),
            "deleteWebhook" => self.delete_webhook(params),
            "getWebhookInfo" => Ok(self.webhook_info()),
            "getMyName" => Ok(json!({"name": FakeTelegram::BOT_NAME})),
            "setMyCommands" => self.set_my_commands(params),
            "deleteMyCommands" => {
                self.my_commands.remove(&commands_key(params));
                Ok(json!(true))
            }
            "getMyCommands" => Ok(self.my_commands.get(&commands_key(params)).cloned().unwrap_or_else(|| json!([]))),
            "getFile" => self.files.get_file(params),
            "sendMessage" => self.send_message(params),
            "editMessageText" => self.edit_message(params, true),
            "editMessageReplyMarkup" => self.edit_message(params, false),
            "deleteMessage" => {
                let chat_id = chat_id(params)?;
                let message_id = int(params, "message_id")
                    .ok_or_else(|| ApiErr::bad_request("message identifier is not specified"))?;
                if self.messages.remove(&(chat_id, message_id)).is_none() {
                    return Err(ApiErr::bad_request("message to delete not found"));
                }
                self.deleted.push((chat_id, message_id));
                Ok(json!(true))
            }
            "answerCallbackQuery" => {
                let id = string(params, "callback_query_id").ok_or_else(|| ApiErr::bad_request("query_id is empty"))?;
                if let Some(chat) = self.callback_chats.get(&id).copied() {
                    self.injected_failure(chat, "answerCallbackQuery")?;
                }
                self.callback_answers.push(CallbackAnswer {
                    callback_query_id: id,
                    text: string(params, "text"),
                    show_alert: boolean(params, "show_alert"),
                    at: Instant::now(),
                });
                Ok(json!(true))
            }
            "answerInlineQuery" => self.answer_inline_query(params),
            "sendChatAction" => {
                let chat_id = chat_id(params)?;
                let action = string(params, "action").ok_or_else(|| ApiErr::bad_request("action is empty"))?;
                self.chat_actions.push((chat_id, action));
                Ok(json!(true))
            }
            _ => Err(ApiErr::not_found_method()),
        }
    }

    fn set_my_commands(&mut self, params: &Value) -> Result<Value, ApiErr> {
        let commands = match params.get("commands") {
            Some(Value::Array(commands)) => commands.clone(),
            None => Vec::new(),
            Some(_) => return Err(ApiErr::bad_request("can't parse commands JSON object")),
        };
        if commands.len() > 100 {
            return Err(ApiErr::bad_request("too many commands specified"));
        }
        for command in &commands {
            let name = command.get("command").and_then(Value::as_str).unwrap_or_default();
            let valid = (1..=32).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(ApiErr::bad_request("BOT_COMMAND_INVALID"));
            }
            let description = command.get("description").and_then(Value::as_str).unwrap_or_default();
            if !(1..=256).contains(&description.chars().count()) {
                return Err(ApiErr::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
            }
        }
        let language = string(params, "language_code").unwrap_or_default();
        if !(language.is_empty() || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase()))) {
            return Err(ApiErr::bad_request("invalid language code specified"));
        }
        self.my_commands.insert(commands_key(params), Value::Array(commands));
        self.commands.push(params.clone());
        Ok(json!(true))
    }

    /// An injected failure of `method` in this chat (its own, else the chat's), consuming one
    /// `TooManyRequests` use.
    fn injected_failure(&mut self, chat_id: i64, method: &str) -> Result<(), ApiErr> {
        let key = (chat_id, method.to_owned());
        let failure = match self.method_failures.get_mut(&key) {
            Some(failure) => failure,
            None if method == "answerCallbackQuery" => return Ok(()),
            None => match self.failures.get_mut(&chat_id) {
                Some(failure) => failure,
                None => return Ok(()),
            },
        };
        let error = failure.to_error();
        // (fail this time, clear the failure now)
        let (fail, clear) = match failure {
            super::Failure::TooManyRequests { times: 0, .. } => (false, true),
            super::Failure::TooManyRequests { times, .. } => {
                *times -= 1;
                (true, *times == 0)
            }
            _ => (true, false),
        };
        if clear && self.method_failures.remove(&key).is_none() {
            self.failures.remove(&chat_id);
        }
        if !fail {
            return Ok(());
        }
        if error.code == 429 {
            self.too_many_requests += 1;
        }
        Err(error)
    }

    /// Checks a message text like Telegram: not empty, parseable in its parse mode, not too long.
    pub(super) fn check_text(&self, text: &str, parse_mode: Option<&str>) -> Result<(), ApiErr> {
        let plain = match parse_mode {
            Some(mode) if mode.eq_ignore_ascii_case("html") && self.strict_html => telegram_html::parse(text)
                .map_err(|reason| ApiErr::bad_request(&format!("can't parse entities: {reason}")))?,
            None | Some("") => text.to_owned(),
            Some(mode) if ["html", "markdown", "markdownv2"].contains(&mode.to_ascii_lowercase().as_str()) => {
                text.to_owned()
            }
            Some(_) => return Err(ApiErr::bad_request("unsupported parse_mode")),
        };
        if plain.trim().is_empty() {
            return Err(ApiErr::bad_request("message text is empty"));
        }
        if utf16_len(&plain) > MAX_TEXT {
            return Err(ApiErr::bad_request("message is too long"));
        }
        Ok(())
    }

    fn rate_limited(&mut self, now: Instant) -> Result<(), ApiErr> {
        while self.delivered_at.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            self.delivered_at.pop_front();
        }
        match self.rate_limit {
            Some(limit) if self.delivered_at.len() >= limit as usize => {
                self.too_many_requests += 1;
                Err(ApiErr::too_many_requests(1))
            }
            _ => Ok(()),
        }
    }

    fn send_message(&mut self, params: &Value) -> Result<Value, ApiErr> {
        let now = Instant::now();
        let chat_id = chat_id(params)?;
        self.injected_failure(chat_id, "sendMessage")?;
        self.rate_limited(now)?;
        let text = string(params, "text").unwrap_or_default();
        let parse_mode = string(params, "parse_mode");
        self.check_text(&text, parse_mode.as_deref())?;
        let markup = inline_markup(params)?;

        self.delivered_at.push_back(now);
        let message_id = self.alloc_message_id(chat_id);
        let reply_markup = buttons_of(markup.as_ref());
        if let Some(topic) = int(params, "message_thread_id") {
            self.topics.insert((chat_id, message_id), topic);
        }
        self.messages.insert(
            (chat_id, message_id),
            StoredMessage {
                text: text.clone(),
                parse_mode: parse_mode.clone(),
                markup,
                from_bot: true,
                date: unix_now(),
                edits: 0,
            },
        );
        self.sent.push(SentMessage {
            chat_id,
            message_id,
            text,
            parse_mode,
            reply_markup,
            params: params.clone(),
            at: now,
        });
        Ok(self.message_json(chat_id, message_id, None))
    }

    fn edit_message(&mut self, params: &Value, with_text: bool) -> Result<Value, ApiErr> {
        let method = if with_text { "editMessageText" } else { "editMessageReplyMarkup" };
        if params.get("inline_message_id").is_some() {
            return Ok(json!(true));
        }
        let chat_id = chat_id(params)?;
        let message_id =
            int(params, "message_id").ok_or_else(|| ApiErr::bad_request("message identifier is not specified"))?;
        self.injected_failure(chat_id, method)?;
        let Some(current) = self.messages.get(&(chat_id, message_id)).cloned() else {
            return Err(ApiErr::bad_request("message to edit not found"));
        };
        if !current.from_bot {
            return Err(ApiErr::bad_request("message can't be edited"));
        }
        let (text, parse_mode) = if with_text {
            let text = string(params, "text").unwrap_or_default();
            let parse_mode = string(params, "parse_mode");
            self.check_text(&text, parse_mode.as_deref())?;
            (text, parse_mode)
        } else {
            (current.text.clone(), current.parse_mode.clone())
        };
        let markup = inline_markup(params)?;
        if text == current.text && markup == current.markup {
            return Err(ApiErr::bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same as a \
                 current content and reply markup of the message",
            ));
        }
        let reply_markup = buttons_of(markup.as_ref());
        let stored = StoredMessage {
            text: text.clone(),
            parse_mode: parse_mode.clone(),
            markup,
            edits: current.edits + 1,
            ..current
        };
        self.messages.insert((chat_id, message_id), stored);
        self.edits.push(Edit {
            method: method.to_owned(),
            chat_id,
            message_id,
            text: with_text.then_some(text),
            parse_mode: if with_text { parse_mode } else { None },
            reply_markup,
            params: params.clone(),
            at: Instant::now(),
        });
        Ok(self.message_json(chat_id, message_id, None))
    }
}

/// Where a command list lives: its scope and language.
fn commands_key(params: &Value) -> String {
    let scope = params.get("scope").cloned().unwrap_or_else(|| json!({"type": "default"}));
    format!("{scope}|{}", string(params, "language_code").unwrap_or_default())
}
