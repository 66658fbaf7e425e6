//! A fake Telegram Bot API server on loopback for end-to-end tests: the real teloxide dispatcher of the
//! bot is pointed at it (`Bot::set_api_url` / `TELOXIDE_API_URL`) and must not notice the difference.
//!
//! Why it is shaped this way:
//! - It speaks HTTP like Telegram does (`POST {base}/bot{token}/{Method}`, teloxide writes the method in
//!   PascalCase, so paths are matched case-insensitively and recorded under their canonical Bot API name),
//!   answers with Telegram-shaped JSON and never with a 5xx (teloxide sleeps 10 s on any 5xx).
//! - Updates are injected by the test (`send_text`, `press_button`, …) and handed out through real
//!   long polling (`getUpdates` with `offset`/`timeout`/`limit`/`allowed_updates`), so the bot's own
//!   polling loop, update filtering and offset bookkeeping are exercised.
//! - Everything the bot does is recorded (raw params included, so tests can check HTML escaping on the
//!   exact `text` the bot sent) and can be awaited with `wait_for*` instead of sleeping.
//! - It is strict where Telegram is strict and where bots commonly break: HTML `parse_mode` is parsed
//!   like Telegram does ("can't parse entities"), texts over 4096 characters, `callback_data` over 64
//!   bytes, edits that change nothing ("message is not modified") and edits of unknown messages fail.
//! - Errors can be injected per chat (`fail_chat`) or per chat and method (`fail_method`, which also
//!   reaches `answerCallbackQuery`), including a 5xx and a request that is never answered, and a global
//!   rolling-window rate limiter answers 429, with the exact descriptions Telegram uses so teloxide
//!   classifies them as it would in production.
//! - Webhooks work as in Telegram (`webhook.rs`): `setWebhook` records the URL, secret and
//!   `allowed_updates`, `getUpdates` then fails with Telegram's 409 until `deleteWebhook`, and the test
//!   delivers the very updates it injected by POSTing them to the bot's URL with the secret header
//!   (`deliver_via_webhook`, or with a chosen header to see the bot refuse it).
//! - Files work as in Telegram (`files.rs`): photos arrive in several sizes, image documents with a
//!   thumbnail, `getFile` hands out a `file_path` and `GET /file/bot{token}/{file_path}` serves the
//!   bytes; downloads are recorded, and a file can claim a size it does not hold.
//! - The bot's profile (`profile.rs`: descriptions per language, read back by `profile`) and inline
//!   mode (`inline.rs`: `send_inline_query`, `answerInlineQuery` checked like Telegram) live in files
//!   of their own.
//! - One `std::sync::Mutex` guards the state and is never held across an `.await`; two `Notify`s wake
//!   long polls (new updates) and waiters (any activity).

mod files;
mod inline;
mod profile;
mod server;
mod webhook;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Notify;

pub use files::{Download, GET_FILE_LIMIT, MEDIUM_SIDE, THUMB_SIDE};
pub use inline::{InlineAnswer, InlineResult};
pub use profile::Profile;
pub use webhook::WebhookSetting;

/// The kind of a chat, as far as the bot can tell it apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChatKind {
    Private,
    Group,
    Supergroup,
    /// A supergroup with topics (`is_forum`): its messages carry `message_thread_id`.
    Forum,
}

/// A chat the test talks in. `Copy`, so titles of groups live in a process-wide registry filled by
/// [`Chat::group`] / [`Chat::supergroup`] (default "Test Group").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Chat {
    pub id: i64,
    pub kind: ChatKind,
}

static CHAT_TITLES: LazyLock<Mutex<HashMap<i64, String>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

impl Chat {
    /// A private chat; by Telegram's rules its id equals the user's id.
    pub fn private(id: i64) -> Chat {
        Chat { id, kind: ChatKind::Private }
    }

    /// A basic group (ids are negative, e.g. -4000123).
    pub fn group(id: i64, title: &str) -> Chat {
        set_title(id, title);
        Chat { id, kind: ChatKind::Group }
    }

    /// A supergroup (ids look like -100xxxxxxxxxx).
    pub fn supergroup(id: i64, title: &str) -> Chat {
        set_title(id, title);
        Chat { id, kind: ChatKind::Supergroup }
    }

    /// A forum supergroup, whose messages are written in topics ([`Said::in_topic`]).
    pub fn forum(id: i64, title: &str) -> Chat {
        set_title(id, title);
        Chat { id, kind: ChatKind::Forum }
    }

    /// The title registered for this chat id, if any.
    pub fn title(&self) -> Option<String> {
        CHAT_TITLES.lock().unwrap_or_else(|e| e.into_inner()).get(&self.id).cloned()
    }

    /// The Telegram `Chat` object; private chats take the name of `user` when given.
    pub fn to_json(self, user: Option<&User>) -> Value {
        match self.kind {
            ChatKind::Private => {
                let mut chat = json!({"id": self.id, "type": "private"});
                chat["first_name"] = json!(user.map(|u| u.first_name.as_str()).unwrap_or("User"));
                chat
            }
            ChatKind::Group => {
                json!({"id": self.id, "type": "group", "title": self.title().unwrap_or_else(|| "Test Group".into())})
            }
            ChatKind::Supergroup => json!({
                "id": self.id, "type": "supergroup", "title": self.title().unwrap_or_else(|| "Test Group".into())
            }),
            ChatKind::Forum => json!({
                "id": self.id, "type": "supergroup", "is_forum": true,
                "title": self.title().unwrap_or_else(|| "Test Forum".into())
            }),
        }
    }
}

fn set_title(id: i64, title: &str) {
    CHAT_TITLES.lock().unwrap_or_else(|e| e.into_inner()).insert(id, title.to_owned());
}

/// A (human) Telegram user.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct User {
    pub id: i64,
    pub first_name: String,
    pub language_code: Option<String>,
}

impl User {
    pub fn new(id: i64, first_name: &str) -> User {
        User { id, first_name: first_name.to_owned(), language_code: None }
    }

    /// Sets the client language (`"en"`, `"zh-hans"`, …) that Telegram reports for this user.
    pub fn lang(mut self, code: &str) -> User {
        self.language_code = Some(code.to_owned());
        self
    }

    /// The Telegram `User` object.
    pub fn to_json(&self) -> Value {
        let mut user = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(code) = &self.language_code {
            user["language_code"] = json!(code);
        }
        user
    }
}

/// An error to answer instead of delivering, for `sendMessage`, `editMessageText` and
/// `editMessageReplyMarkup` to one chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// 403 "Forbidden: bot was blocked by the user" (teloxide: `ApiError::BotBlocked`).
    Blocked,
    /// 403 "Forbidden: user is deactivated" (teloxide: `ApiError::UserDeactivated`).
    UserDeactivated,
    /// 403 "Forbidden: bot was kicked from the group chat" (teloxide 0.17: `ApiError::Unknown`).
    Kicked,
    /// 403 "Forbidden: bot was kicked from the supergroup chat" (`ApiError::BotKickedFromSupergroup`).
    KickedFromSupergroup,
    /// 400 "Bad Request: chat not found" (teloxide: `ApiError::ChatNotFound`).
    ChatNotFound,
    /// 403 "Forbidden: bot can't send messages to the user" (teloxide 0.17: `ApiError::Unknown`).
    CantSend,
    /// 403 "Forbidden: bot can't initiate conversation with a user" (teloxide 0.17: `ApiError::Unknown`).
    CantInitiate,
    /// 400 "Bad Request: group chat was migrated to a supergroup chat" with `parameters.migrate_to_chat_id`
    /// (teloxide: `RequestError::MigrateToChatId`).
    Migrated { to: i64 },
    /// 429 with `parameters.retry_after` for the next `times` sends, then cleared
    /// (teloxide: `RequestError::RetryAfter`).
    TooManyRequests { retry_after: u32, times: u32 },
    /// 500 "Internal Server Error" (teloxide sleeps 10 s before it reads a 5xx answer).
    ServerError,
    /// No answer until the bot's HTTP client gives up (teloxide's default timeout is 17 s); the
    /// request is not carried out.
    Timeout,
    /// 400 "Bad Request: message is not modified: …" (teloxide: `ApiError::MessageNotModified`).
    NotModified,
    /// 400 "Bad Request: message to edit not found" (teloxide: `ApiError::MessageToEditNotFound`).
    EditNotFound,
    /// Any other Telegram error (keep `code` a 4xx: teloxide sleeps 10 s on 5xx).
    Custom { code: u16, description: String },
}

/// How long a [`Failure::Timeout`] holds its request: past teloxide's 17 s client timeout.
pub const TIMEOUT_HOLD: Duration = Duration::from_secs(25);

impl Failure {
    fn to_error(&self) -> ApiErr {
        match self {
            Failure::Blocked => ApiErr::forbidden("bot was blocked by the user"),
            Failure::UserDeactivated => ApiErr::forbidden("user is deactivated"),
            Failure::Kicked => ApiErr::forbidden("bot was kicked from the group chat"),
            Failure::KickedFromSupergroup => ApiErr::forbidden("bot was kicked from the supergroup chat"),
            Failure::ChatNotFound => ApiErr::bad_request("chat not found"),
            Failure::CantSend => ApiErr::forbidden("bot can't send messages to the user"),
            Failure::CantInitiate => ApiErr::forbidden("bot can't initiate conversation with a user"),
            Failure::Migrated { to } => ApiErr {
                parameters: Some(json!({"migrate_to_chat_id": to})),
                ..ApiErr::bad_request("group chat was migrated to a supergroup chat")
            },
            Failure::TooManyRequests { retry_after, .. } => ApiErr::too_many_requests(*retry_after),
            Failure::ServerError => ApiErr { code: 500, description: "Internal Server Error".into(), parameters: None },
            Failure::Timeout => ApiErr { code: ApiErr::HOLD, description: String::new(), parameters: None },
            Failure::NotModified => ApiErr::bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same as a \
                 current content and reply markup of the message",
            ),
            Failure::EditNotFound => ApiErr::bad_request("message to edit not found"),
            Failure::Custom { code, description } => {
                ApiErr { code: *code, description: description.clone(), parameters: None }
            }
        }
    }
}

/// Where a message is said ([`FakeTelegram::send_text_with`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Said {
    /// The message of the same chat it replies to (the user's or the bot's, as stored).
    pub reply_to: Option<i64>,
    /// The forum topic (`message_thread_id`) it is written in.
    pub topic: Option<i64>,
}

impl Said {
    pub fn replying_to(message_id: i64) -> Said {
        Said { reply_to: Some(message_id), topic: None }
    }

    pub fn in_topic(topic: i64) -> Said {
        Said { reply_to: None, topic: Some(topic) }
    }
}

/// One request the bot made (with a valid token), in the order received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Canonical Bot API name, e.g. `"sendMessage"` (teloxide sends `SendMessage`).
    pub method: String,
    /// The parameters as JSON; form and multipart bodies are converted (values stay strings, except
    /// JSON-looking `reply_markup`, `commands`, `scope`, `allowed_updates`, … which are parsed).
    pub params: Value,
    /// When it arrived.
    pub at: Instant,
    /// HTTP status of the answer (0 while the request is still being answered, e.g. a long poll).
    pub status: u16,
}

/// An inline keyboard button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    /// Empty for buttons that are not callback buttons.
    pub callback_data: String,
    pub url: Option<String>,
    /// A share button: the query typed after `@bot` in the chat the user picks.
    pub switch_inline_query: Option<String>,
    /// The same in the current chat.
    pub switch_inline_query_current_chat: Option<String>,
    /// A copy button: the text it copies (`copy_text.text`).
    pub copy_text: Option<String>,
}

/// A `sendMessage` that was delivered.
#[derive(Clone, Debug)]
pub struct SentMessage {
    pub chat_id: i64,
    /// Assigned by the fake, counting per chat (user and bot messages share the counter, as in Telegram).
    pub message_id: i64,
    /// The raw `text` param (HTML tags and escapes as the bot sent them).
    pub text: String,
    pub parse_mode: Option<String>,
    /// The inline keyboard, if the message had one (other reply markups are only in `params`).
    pub reply_markup: Option<Vec<Vec<Button>>>,
    pub params: Value,
    pub at: Instant,
}

impl SentMessage {
    /// All inline buttons, row by row.
    pub fn buttons(&self) -> Vec<Button> {
        self.reply_markup.iter().flatten().flatten().cloned().collect()
    }

    /// The first inline button whose text contains `needle`.
    pub fn button(&self, needle: &str) -> Option<Button> {
        self.buttons().into_iter().find(|b| b.text.contains(needle))
    }
}

/// A successful `editMessageText` or `editMessageReplyMarkup`.
#[derive(Clone, Debug)]
pub struct Edit {
    /// `"editMessageText"` or `"editMessageReplyMarkup"`.
    pub method: String,
    pub chat_id: i64,
    pub message_id: i64,
    /// The new raw text (`None` for `editMessageReplyMarkup`).
    pub text: Option<String>,
    pub parse_mode: Option<String>,
    /// The inline keyboard after the edit (`None`: removed / none).
    pub reply_markup: Option<Vec<Vec<Button>>>,
    pub params: Value,
    pub at: Instant,
}

impl Edit {
    pub fn buttons(&self) -> Vec<Button> {
        self.reply_markup.iter().flatten().flatten().cloned().collect()
    }
}

/// An `answerCallbackQuery`.
#[derive(Clone, Debug)]
pub struct CallbackAnswer {
    pub callback_query_id: String,
    pub text: Option<String>,
    pub show_alert: bool,
    pub at: Instant,
}

/// The current state of a message in a chat (after any edits).
#[derive(Clone, Debug)]
pub struct CurrentMessage {
    pub chat_id: i64,
    pub message_id: i64,
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Vec<Vec<Button>>>,
    pub from_bot: bool,
    pub edits: u32,
}

/// The fake server. Cheap to clone; the server task lives as long as the tokio runtime.
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Woken when updates are injected (long polls wait on it).
    new_updates: Notify,
    /// Woken on any change (requests recorded or answered, updates injected or confirmed).
    activity: Notify,
    addr: SocketAddr,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone, Debug)]
struct StoredMessage {
    text: String,
    parse_mode: Option<String>,
    /// Normalised inline keyboard markup (`None`: no keyboard).
    markup: Option<Value>,
    from_bot: bool,
    date: i64,
    edits: u32,
}

#[derive(Clone, Debug)]
struct KnownChat {
    kind: ChatKind,
    first_name: Option<String>,
}

/// Everything behind the mutex.
struct State {
    next_update_id: i64,
    /// Injected updates not yet confirmed by a `getUpdates` with a higher offset.
    updates: VecDeque<Value>,
    /// Last `allowed_updates` a `getUpdates` asked for (`None`: Telegram's default set).
    allowed_updates: Option<Vec<String>>,
    honour_allowed_updates: bool,
    dropped_updates: Vec<Value>,
    next_message_id: HashMap<i64, i64>,
    /// Who wrote each user message (by chat and message id), for the `reply_to_message` of replies.
    authors: HashMap<(i64, i64), User>,
    /// The forum topic of each message written in one (by chat and message id).
    topics: HashMap<(i64, i64), i64>,
    messages: HashMap<(i64, i64), StoredMessage>,
    chats: HashMap<i64, KnownChat>,
    next_callback_id: u64,
    requests: Vec<Recorded>,
    sent: Vec<SentMessage>,
    edits: Vec<Edit>,
    callback_answers: Vec<CallbackAnswer>,
    chat_actions: Vec<(i64, String)>,
    commands: Vec<Value>,
    /// Current command lists by (scope, language_code).
    my_commands: HashMap<String, Value>,
    deleted: Vec<(i64, i64)>,
    failures: HashMap<i64, Failure>,
    /// Failures of one method in one chat (`fail_method`), checked before `failures`.
    method_failures: HashMap<(i64, String), Failure>,
    /// The chat of each callback query injected, for failures of `answerCallbackQuery`.
    callback_chats: HashMap<String, i64>,
    rate_limit: Option<u32>,
    delivered_at: VecDeque<Instant>,
    too_many_requests: u64,
    delay: Option<Duration>,
    answer_delay: Option<Duration>,
    /// The network between the bot and Telegram: half of it before a method is carried out, half
    /// after (every method but `getUpdates`).
    round_trip: Option<Duration>,
    /// `sendMessage` requests received and not yet answered, and the most there ever were at once.
    sends_in_flight: usize,
    max_sends_in_flight: usize,
    strict_html: bool,
    /// What the last successful `setWebhook` set (`None`: no webhook, long polling allowed).
    webhook: Option<WebhookSetting>,
    /// `Some(reason)`: `setWebhook` answers 400 "Bad Request: bad webhook: {reason}".
    webhook_refusal: Option<String>,
    /// Photos and documents users sent, `getFile` paths and downloads (`files.rs`).
    files: files::Files,
    /// The bot's descriptions by language (`profile.rs`).
    descriptions: profile::Descriptions,
    /// Inline queries and their answers (`inline.rs`).
    inline: inline::Inline,
}

/// A Telegram error answer.
#[derive(Clone, Debug)]
struct ApiErr {
    code: u16,
    description: String,
    parameters: Option<Value>,
}

impl ApiErr {
    /// Not an answer: the fake holds the request for [`TIMEOUT_HOLD`] ([`Failure::Timeout`]).
    const HOLD: u16 = 0;

    fn bad_request(text: &str) -> ApiErr {
        ApiErr { code: 400, description: format!("Bad Request: {text}"), parameters: None }
    }

    fn forbidden(text: &str) -> ApiErr {
        ApiErr { code: 403, description: format!("Forbidden: {text}"), parameters: None }
    }

    fn too_many_requests(retry_after: u32) -> ApiErr {
        ApiErr {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            parameters: Some(json!({"retry_after": retry_after})),
        }
    }

    fn not_found_method() -> ApiErr {
        ApiErr { code: 404, description: "Not Found: method not found".into(), parameters: None }
    }

    fn body(&self) -> Value {
        let mut body = json!({"ok": false, "error_code": self.code, "description": self.description});
        if let Some(parameters) = &self.parameters {
            body["parameters"] = parameters.clone();
        }
        body
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The inline keyboard of a normalised markup as rows of [`Button`]s.
fn buttons_of(markup: Option<&Value>) -> Option<Vec<Vec<Button>>> {
    let rows = markup?.get("inline_keyboard")?.as_array()?;
    Some(
        rows.iter()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| Button {
                        text: b.get("text").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        callback_data: b.get("callback_data").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        url: b.get("url").and_then(Value::as_str).map(str::to_owned),
                        switch_inline_query: b.get("switch_inline_query").and_then(Value::as_str).map(str::to_owned),
                        switch_inline_query_current_chat: b
                            .get("switch_inline_query_current_chat")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        copy_text: b.pointer("/copy_text/text").and_then(Value::as_str).map(str::to_owned),
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The length of a leading `/command[@bot]`, in UTF-16 code units as Telegram counts entity lengths.
fn command_length(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('/')?;
    let word = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').count();
    let name = word(rest);
    if name == 0 {
        return None;
    }
    let mut length = 1 + name;
    if let Some(mention) = rest[name..].strip_prefix('@') {
        let bot = word(mention);
        if bot > 0 {
            length += 1 + bot;
        }
    }
    Some(length)
}

impl State {
    fn new() -> State {
        State {
            next_update_id: 1,
            updates: VecDeque::new(),
            allowed_updates: None,
            honour_allowed_updates: true,
            dropped_updates: Vec::new(),
            next_message_id: HashMap::new(),
            authors: HashMap::new(),
            topics: HashMap::new(),
            messages: HashMap::new(),
            chats: HashMap::new(),
            next_callback_id: 1,
            requests: Vec::new(),
            sent: Vec::new(),
            edits: Vec::new(),
            callback_answers: Vec::new(),
            chat_actions: Vec::new(),
            commands: Vec::new(),
            my_commands: HashMap::new(),
            deleted: Vec::new(),
            failures: HashMap::new(),
            method_failures: HashMap::new(),
            callback_chats: HashMap::new(),
            rate_limit: None,
            delivered_at: VecDeque::new(),
            too_many_requests: 0,
            delay: None,
            answer_delay: None,
            round_trip: None,
            sends_in_flight: 0,
            max_sends_in_flight: 0,
            strict_html: true,
            webhook: None,
            webhook_refusal: None,
            files: files::Files::default(),
            descriptions: profile::Descriptions::default(),
            inline: inline::Inline::default(),
        }
    }

    fn alloc_message_id(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next += 1;
        *next
    }

    fn remember_chat(&mut self, chat: Chat, user: Option<&User>) {
        let entry = self.chats.entry(chat.id).or_insert(KnownChat { kind: chat.kind, first_name: None });
        entry.kind = chat.kind;
        if let (ChatKind::Private, Some(user)) = (chat.kind, user) {
            entry.first_name = Some(user.first_name.clone());
        }
    }

    /// The chat as the fake knows it; unknown ids are guessed from their shape.
    fn chat(&self, chat_id: i64) -> (Chat, Option<User>) {
        match self.chats.get(&chat_id) {
            Some(known) => {
                (Chat { id: chat_id, kind: known.kind }, known.first_name.as_ref().map(|name| User::new(chat_id, name)))
            }
            None => {
                let kind = if chat_id > 0 {
                    ChatKind::Private
                } else if chat_id < -1_000_000_000_000 {
                    ChatKind::Supergroup
                } else {
                    ChatKind::Group
                };
                (Chat { id: chat_id, kind }, None)
            }
        }
    }

    fn chat_json(&self, chat_id: i64) -> Value {
        let (chat, user) = self.chat(chat_id);
        chat.to_json(user.as_ref())
    }

    fn message_json(&self, chat_id: i64, message_id: i64, from: Option<&User>) -> Value {
        let stored = self.messages.get(&(chat_id, message_id));
        let from = match (stored, from.or_else(|| self.authors.get(&(chat_id, message_id)))) {
            (Some(m), _) if m.from_bot => FakeTelegram::bot_user_json(),
            (_, Some(user)) => user.to_json(),
            _ => FakeTelegram::bot_user_json(),
        };
        let mut message = json!({
            "message_id": message_id,
            "from": from,
            "chat": self.chat_json(chat_id),
            "date": stored.map(|m| m.date).unwrap_or_else(unix_now),
            "text": stored.map(|m| m.text.as_str()).unwrap_or_default(),
        });
        if let Some(topic) = self.topics.get(&(chat_id, message_id)) {
            message["message_thread_id"] = json!(topic);
            message["is_topic_message"] = json!(true);
        }
        if let Some(stored) = stored {
            if let Some(markup) = &stored.markup {
                message["reply_markup"] = markup.clone();
            }
            if stored.edits > 0 {
                message["edit_date"] = json!(unix_now());
            }
            if let (false, Some(length)) = (stored.from_bot, command_length(&stored.text)) {
                message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": length}]);
            }
        }
        message
    }

    fn push_update(&mut self, mut update: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        if let Some(object) = update.as_object_mut() {
            object.insert("update_id".into(), json!(id));
        }
        self.updates.push_back(update);
        id
    }

    fn current(&self, chat_id: i64, message_id: i64) -> Option<CurrentMessage> {
        self.messages.get(&(chat_id, message_id)).map(|m| CurrentMessage {
            chat_id,
            message_id,
            text: m.text.clone(),
            parse_mode: m.parse_mode.clone(),
            reply_markup: buttons_of(m.markup.as_ref()),
            from_bot: m.from_bot,
            edits: m.edits,
        })
    }
}

impl FakeTelegram {
    /// The only token the fake accepts.
    pub const TOKEN: &'static str = "123456:TEST-TOKEN";
    /// The bot's username, as `getMe` reports it.
    pub const BOT_USERNAME: &'static str = "KuaidiTestBot";
    /// The bot's user id (the token's prefix, as with real tokens).
    pub const BOT_ID: i64 = 123456;
    /// The bot's first name.
    pub const BOT_NAME: &'static str = "Kuaidi";

    /// Binds 127.0.0.1:0 and serves on the current tokio runtime.
    pub async fn start() -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Telegram server");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new()),
            new_updates: Notify::new(),
            activity: Notify::new(),
            addr,
        });
        server::spawn(listener, shared.clone());
        FakeTelegram { shared }
    }

    /// The API base to give teloxide, `http://127.0.0.1:PORT/`. teloxide appends `bot{token}/{Method}`
    /// as path segments, so the trailing slash does no harm (and `TELOXIDE_API_URL` strips it anyway).
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.shared.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The bot's `User` object.
    pub fn bot_user_json() -> Value {
        json!({"id": Self::BOT_ID, "is_bot": true, "first_name": Self::BOT_NAME, "username": Self::BOT_USERNAME})
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    fn updates_changed(&self) {
        self.shared.new_updates.notify_waiters();
        self.shared.activity.notify_waiters();
    }

    // ----- injecting updates -----

    /// A text message from `from` in `chat`; a leading `/command[@bot]` gets a `bot_command` entity.
    /// Returns the message id of the user's message.
    pub fn send_text(&self, chat: Chat, from: User, text: &str) -> i64 {
        self.send_text_with(chat, from, text, Said::default())
    }

    /// A text message like [`FakeTelegram::send_text`], said in a context: in reply to a message of the
    /// chat, in a forum topic, or both. As in Telegram, a message in a topic that replies to nothing
    /// else carries the topic's first message as `reply_to_message`. Returns the message id.
    pub fn send_text_with(&self, chat: Chat, from: User, text: &str, said: Said) -> i64 {
        let message_id = {
            let mut state = self.lock();
            state.remember_chat(chat, Some(&from));
            let message_id = state.alloc_message_id(chat.id);
            state.authors.insert((chat.id, message_id), from.clone());
            state.messages.insert(
                (chat.id, message_id),
                StoredMessage {
                    text: text.to_owned(),
                    parse_mode: None,
                    markup: None,
                    from_bot: false,
                    date: unix_now(),
                    edits: 0,
                },
            );
            if let Some(topic) = said.topic {
                state.topics.insert((chat.id, message_id), topic);
            }
            let mut message = state.message_json(chat.id, message_id, Some(&from));
            match (said.reply_to, said.topic) {
                (Some(replied), _) => message["reply_to_message"] = state.message_json(chat.id, replied, None),
                (None, Some(topic)) => {
                    message["reply_to_message"] = json!({
                        "message_id": topic,
                        "from": from.to_json(),
                        "chat": state.chat_json(chat.id),
                        "date": unix_now(),
                        "message_thread_id": topic,
                        "forum_topic_created": {"name": "Parcels", "icon_color": 7322096},
                    });
                }
                (None, None) => {}
            }
            state.push_update(json!({"message": message}));
            message_id
        };
        self.updates_changed();
        message_id
    }

    /// A photo from `from` in `chat` with `caption` under it (a forwarded screenshot of a shop message).
    /// Returns the message id of the user's message.
    pub fn send_photo_with_caption(&self, chat: Chat, from: User, caption: &str) -> i64 {
        let message_id = {
            let mut state = self.lock();
            state.remember_chat(chat, Some(&from));
            let message_id = state.alloc_message_id(chat.id);
            let stored = StoredMessage {
                text: caption.to_owned(),
                parse_mode: None,
                markup: None,
                from_bot: false,
                date: unix_now(),
                edits: 0,
            };
            state.messages.insert((chat.id, message_id), stored);
            let mut message = state.message_json(chat.id, message_id, Some(&from));
            if let Some(fields) = message.as_object_mut() {
                fields.remove("entities");
                let text = fields.remove("text").unwrap_or_default();
                fields.insert("caption".to_owned(), text);
                let photo = json!([{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]);
                fields.insert("photo".to_owned(), photo);
            }
            state.push_update(json!({"message": message}));
            message_id
        };
        self.updates_changed();
        message_id
    }

    /// A press of an inline button with `data` on message `message_id` (normally one the bot sent; its
    /// current text and keyboard are included). Returns the callback query id.
    pub fn press_button(&self, chat: Chat, from: User, message_id: i64, data: &str) -> String {
        let id = {
            let mut state = self.lock();
            state.remember_chat(chat, Some(&from));
            let id = format!("{}", 4_000_000_000_000_000_000u64 + state.next_callback_id);
            state.next_callback_id += 1;
            state.callback_chats.insert(id.clone(), chat.id);
            let message = state.message_json(chat.id, message_id, None);
            state.push_update(json!({"callback_query": {
                "id": id,
                "from": from.to_json(),
                "message": message,
                "chat_instance": format!("{}", chat.id.unsigned_abs() * 7 + 1),
                "data": data,
            }}));
            id
        };
        self.updates_changed();
        id
    }

    /// The service message Telegram posts in a group that became a supergroup (`migrate_to_chat_id`).
    /// Like Telegram, sends to the old id fail from then on with [`Failure::Migrated`]
    /// (undo with `clear_failure`); the new id is known as a supergroup with the same title.
    pub fn migrate_group(&self, old_chat_id: i64, new_chat_id: i64) {
        {
            let mut state = self.lock();
            let old = Chat { id: old_chat_id, kind: ChatKind::Group };
            if let Some(title) = old.title() {
                set_title(new_chat_id, &title);
            }
            state.remember_chat(old, None);
            state.remember_chat(Chat { id: new_chat_id, kind: ChatKind::Supergroup }, None);
            let message_id = state.alloc_message_id(old_chat_id);
            let message = json!({
                "message_id": message_id,
                "from": {"id": 1_000_001, "is_bot": false, "first_name": "Admin"},
                "chat": state.chat_json(old_chat_id),
                "date": unix_now(),
                "migrate_to_chat_id": new_chat_id,
            });
            state.push_update(json!({"message": message}));
            state.failures.insert(old_chat_id, Failure::Migrated { to: new_chat_id });
        }
        self.updates_changed();
    }

    /// A `my_chat_member` update: the bot's status goes from "member" to "kicked" (private: the user
    /// blocked the bot; group: the bot was removed). Like Telegram, later sends to the chat fail
    /// (private: [`Failure::Blocked`], group: [`Failure::Kicked`], supergroup:
    /// [`Failure::KickedFromSupergroup`]) until `bot_unblocked` or `clear_failure`.
    pub fn bot_blocked(&self, chat: Chat, by: User) {
        let failure = match chat.kind {
            ChatKind::Private => Failure::Blocked,
            ChatKind::Group => Failure::Kicked,
            ChatKind::Supergroup | ChatKind::Forum => Failure::KickedFromSupergroup,
        };
        self.bot_status_change(chat, by, "member", "kicked");
        self.lock().failures.insert(chat.id, failure);
    }

    /// The reverse: "kicked" → "member" (user restarted the bot / re-added it); clears the failure.
    pub fn bot_unblocked(&self, chat: Chat, by: User) {
        self.lock().failures.remove(&chat.id);
        self.bot_status_change(chat, by, "kicked", "member");
    }

    /// The bot was added to a group: "left" → "member".
    pub fn bot_added(&self, chat: Chat, by: User) {
        self.bot_status_change(chat, by, "left", "member");
    }

    /// A `my_chat_member` update with the given old and new status ("member", "left", "kicked", …).
    pub fn bot_status_change(&self, chat: Chat, by: User, old_status: &str, new_status: &str) {
        let member = |status: &str| {
            let mut member = json!({"user": Self::bot_user_json(), "status": status});
            if status == "kicked" {
                member["until_date"] = json!(0);
            }
            member
        };
        {
            let mut state = self.lock();
            state.remember_chat(chat, Some(&by));
            let update = json!({"my_chat_member": {
                "chat": state.chat_json(chat.id),
                "from": by.to_json(),
                "date": unix_now(),
                "old_chat_member": member(old_status),
                "new_chat_member": member(new_status),
            }});
            state.push_update(update);
        }
        self.updates_changed();
    }

    /// Any other update (`{"edited_message": {...}}`, …); its `update_id` is set to the next one,
    /// which is returned.
    pub fn inject_raw_update(&self, update: Value) -> i64 {
        let id = self.lock().push_update(update);
        self.updates_changed();
        id
    }

    /// Allocates the next message id in a chat (for hand-built raw updates).
    pub fn next_message_id(&self, chat_id: i64) -> i64 {
        self.lock().alloc_message_id(chat_id)
    }

    // ----- what the bot did -----

    /// Every request with a valid token, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The requests to one method (canonical name, e.g. "sendMessage").
    pub fn requests_to(&self, method: &str) -> Vec<Recorded> {
        self.lock().requests.iter().filter(|r| r.method == method).cloned().collect()
    }

    /// Delivered `sendMessage`s, in order.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.lock().sent.clone()
    }

    /// How many `sendMessage`s were delivered, without copying them (for benchmarks).
    pub fn sent_count(&self) -> usize {
        self.lock().sent.len()
    }

    /// Delivered `sendMessage`s to one chat.
    pub fn messages_to(&self, chat_id: i64) -> Vec<SentMessage> {
        self.lock().sent.iter().filter(|m| m.chat_id == chat_id).cloned().collect()
    }

    /// Successful `editMessageText` / `editMessageReplyMarkup` calls.
    pub fn edits(&self) -> Vec<Edit> {
        self.lock().edits.clone()
    }

    /// `answerCallbackQuery` calls.
    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.lock().callback_answers.clone()
    }

    /// `sendChatAction` calls as (chat id, action).
    pub fn chat_actions(&self) -> Vec<(i64, String)> {
        self.lock().chat_actions.clone()
    }

    /// Params of every successful `setMyCommands` (`commands`, `scope`, `language_code`).
    pub fn commands(&self) -> Vec<Value> {
        self.lock().commands.clone()
    }

    /// Successful `deleteMessage` calls as (chat id, message id).
    pub fn deleted_messages(&self) -> Vec<(i64, i64)> {
        self.lock().deleted.clone()
    }

    /// A message as it stands now (text and keyboard after edits).
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<CurrentMessage> {
        self.lock().current(chat_id, message_id)
    }

    /// The `allowed_updates` the bot last asked for (`None`: never / Telegram's default).
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        self.lock().allowed_updates.clone()
    }

    /// Updates thrown away because the bot's `allowed_updates` excluded their type.
    pub fn dropped_updates(&self) -> Vec<Value> {
        self.lock().dropped_updates.clone()
    }

    /// Injected updates not yet confirmed by a `getUpdates` with a higher offset. Zero means the bot's
    /// poller has received them all, not that its handlers have finished.
    pub fn pending_updates(&self) -> usize {
        self.lock().updates.len()
    }

    /// Calls `check` whenever something happens (and at least every 20 ms) until it returns `Some`
    /// or `timeout` passes.
    pub async fn wait_for<T>(&self, timeout: Duration, check: impl Fn(&FakeTelegram) -> Option<T>) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.activity.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(value) = check(self) {
                return Some(value);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return None;
            }
            let nap = (deadline - now).min(Duration::from_millis(20));
            let _ = tokio::time::timeout(nap, notified).await;
        }
    }

    /// Waits until at least `count` messages were delivered to `chat_id`, and returns them all;
    /// on timeout returns what there is.
    pub async fn wait_for_messages(&self, chat_id: i64, count: usize, timeout: Duration) -> Vec<SentMessage> {
        self.wait_for(timeout, |fake| {
            let messages = fake.messages_to(chat_id);
            (messages.len() >= count).then_some(messages)
        })
        .await
        .unwrap_or_else(|| self.messages_to(chat_id))
    }

    /// Waits until the bot's poller has confirmed every injected update; false on timeout.
    pub async fn wait_for_updates_consumed(&self, timeout: Duration) -> bool {
        self.wait_for(timeout, |fake| (fake.pending_updates() == 0).then_some(())).await.is_some()
    }

    /// Waits until at least `count` requests to `method` arrived; returns them (or what there is).
    pub async fn wait_for_requests(&self, method: &str, count: usize, timeout: Duration) -> Vec<Recorded> {
        self.wait_for(timeout, |fake| {
            let requests = fake.requests_to(method);
            (requests.len() >= count).then_some(requests)
        })
        .await
        .unwrap_or_else(|| self.requests_to(method))
    }

    // ----- failure injection -----

    /// Makes `sendMessage`, `editMessageText` and `editMessageReplyMarkup` to `chat_id` fail with
    /// `failure` until cleared (`TooManyRequests` clears itself after `times`).
    pub fn fail_chat(&self, chat_id: i64, failure: Failure) {
        self.lock().failures.insert(chat_id, failure);
    }

    pub fn clear_failure(&self, chat_id: i64) {
        let mut state = self.lock();
        state.failures.remove(&chat_id);
        state.method_failures.retain(|(chat, _), _| *chat != chat_id);
    }

    /// Makes one method (canonical name: `"sendMessage"`, `"editMessageText"`, `"answerCallbackQuery"`
    /// — the latter by the chat of the pressed button) fail in `chat_id` with `failure` until
    /// cleared (`clear_failure`; `TooManyRequests` clears itself after `times`). Checked before a
    /// `fail_chat` failure of the same chat.
    pub fn fail_method(&self, chat_id: i64, method: &str, failure: Failure) {
        self.lock().method_failures.insert((chat_id, method.to_owned()), failure);
    }

    /// `Some(n)`: a `sendMessage` that would make more than `n` delivered messages within any rolling
    /// second gets 429 (retry_after 1) and is not delivered.
    pub fn set_global_rate_limit(&self, per_second: Option<u32>) {
        self.lock().rate_limit = per_second;
    }

    /// Every 429 answered (rate limiter and injected `TooManyRequests`).
    pub fn too_many_requests_count(&self) -> u64 {
        self.lock().too_many_requests
    }

    /// Latency added before answering every method.
    pub fn set_response_delay(&self, delay: Option<Duration>) {
        self.lock().delay = delay;
    }

    /// Latency added after a method was carried out (a message delivered) and before answering: the
    /// moment when Telegram has a message and the bot does not know it yet.
    pub fn set_answer_delay(&self, delay: Option<Duration>) {
        self.lock().answer_delay = delay;
    }

    /// A network round trip per request (not `getUpdates`, whose long poll stands for itself): the
    /// request reaches the fake half of it after it was sent, and the answer reaches the bot half of it
    /// after the method was carried out — as with a server far from Telegram's data centres.
    pub fn set_round_trip(&self, round_trip: Option<Duration>) {
        self.lock().round_trip = round_trip;
    }

    /// The most `sendMessage` requests the fake has held at once (received, not yet answered): the
    /// bot's sending window as seen from Telegram.
    pub fn max_sends_in_flight(&self) -> usize {
        self.lock().max_sends_in_flight
    }

    /// Whether `parse_mode: HTML` texts are parsed like Telegram does (default true).
    pub fn set_strict_html(&self, strict: bool) {
        self.lock().strict_html = strict;
    }

    /// Whether updates of types outside the bot's `allowed_updates` are dropped like Telegram does
    /// (default true).
    pub fn set_honour_allowed_updates(&self, honour: bool) {
        self.lock().honour_allowed_updates = honour;
    }
}
