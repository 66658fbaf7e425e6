//! The fault matrix: every way Kuaidi100 and Telegram fail, through every way in and out of the bot,
//! end to end (the real dispatcher on the fake Bot API, the real HTTP server, the simulator).
//!
//! Why it is shaped this way:
//! - The matrix is data: a failure is a row ([`UPSTREAM`], [`PUSHES`], [`TELEGRAM`]), an entry point or
//!   a kind of send is a column, and one driver per column runs any row. A new failure is one row.
//! - One bot serves every row (the simulator fails one number at a time, `Sandbox::set_fault`, and the
//!   fake Bot API one chat and method at a time), so each cell takes a parcel number and a chat of its
//!   own and cells do not disturb each other. Only "connection refused" needs a bot of its own, whose
//!   Kuaidi100 address is a port nobody listens on.
//! - Every cell ends with the same probe: the cell's chat asks for a good parcel and must be answered,
//!   so a panic or a stuck dispatcher shows at once — and the good queries keep the bot's outage judge
//!   (most recent queries failing) out of the way of rows that are about one parcel.
//! - A cell never panics: it returns its outcome, the matrix is printed whole (`-- --nocapture`), and
//!   the test fails at the end naming every failed cell.
//! - Telegram cells wait for real seconds (a 5xx makes teloxide sleep 10 s, a timeout is teloxide's
//!   17 s), so they run concurrently, each in its own chat.

mod bot_harness;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bot_harness::RunningBot;
use chrono::Duration as ChronoDuration;
use kuaidi_bot::chat::{Op, encode_payload};
use kuaidi_bot::clock::Clock;
use kuaidi_bot::couriers::directory;
use kuaidi_bot::kuaidi100::push::sign_push;
use kuaidi_bot::sandbox::{Fault, SANDBOX_CUSTOMER, SANDBOX_KEY};
use kuaidi_bot::store::ParcelKey;
use kuaidi_bot::telegram::Limits;
use kuaidi_test_support::fake_telegram::{Chat, Failure, SentMessage, User};
use kuaidi_test_support::outbox::queue_one;
use kuaidi_test_support::store as test_store;
use serde_json::{Value, json};

/// One bot for all rows: a short floor so that refreshes and checks come within minutes of the driven
/// clock, no per-user limit in the way, and a short Kuaidi100 timeout so that a stall costs 2 s.
const ENV: &[(&str, &str)] = &[
    ("QUERY_MIN_INTERVAL", "1m"),
    ("USER_RATE_LIMIT", "1000000/s"),
    ("API_RATE_LIMIT", "1000000/s"),
    ("KUAIDI100_TIMEOUT", "2s"),
    ("DEFAULT_LANG", "en"),
];
/// How long a cell waits for something that should happen.
const WAIT: Duration = Duration::from_secs(8);
/// How long a cell waits for something that should happen after Telegram made the bot wait (a 5xx
/// costs 10 s in teloxide, a timeout 17 s).
const SLOW_WAIT: Duration = Duration::from_secs(30);

/// Text that must never reach a person: the bot's internal error wording, Kuaidi100's raw bodies and
/// messages, credentials, a panic.
const LEAKS: &[&str] = &[
    "Kuaidi100 answered",
    "returnCode",
    "<html",
    "<!DOCTYPE",
    "系统维护",
    "maintenance",
    "upstream unavailable",
    "panicked",
    "RequestError",
    "reqwest",
    "unreadable answer",
    "did not answer in time",
    "could not reach",
    "error decoding",
    "Internal Server Error",
    "验证签名失败",
    "key已过期",
    "未知错误",
    "padding",
    "xxxxxxxxxx",
    SANDBOX_KEY,
    SANDBOX_CUSTOMER,
];

fn leak(text: &str) -> Option<&'static str> {
    LEAKS.iter().copied().find(|marker| text.contains(marker))
}

/// A cell's outcome: what happened (`Ok`), or what went wrong (`Err`); `None` for a cell that cannot
/// exist.
type Outcome = Option<Result<String, String>>;

fn short(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(60).collect();
    if flat.chars().count() > 60 {
        out.push('…');
    }
    out
}

// ----- the world -----

struct World {
    bot: RunningBot,
    next_chat: AtomicI64,
    next_number: AtomicI64,
}

impl World {
    fn user(&self) -> User {
        User::new(self.next_chat.fetch_add(1, Ordering::Relaxed), "Ann").lang("en")
    }

    /// A fresh YTO number, known to nobody yet, of a parcel on its way (the simulator reads how far a
    /// parcel is from the last digit: 3 is between hubs).
    fn number(&self) -> String {
        format!("YT96{:010}3", self.next_number.fetch_add(1, Ordering::Relaxed))
    }

    fn fault(&self, number: &str, fault: Option<Fault>) {
        if let Some(sandbox) = &self.bot.engine.sandbox {
            sandbox.sandbox.set_fault(number, fault);
        }
    }

    /// Sends `text` and waits up to `wait` for the bot's next message to that chat.
    async fn ask(&self, chat: Chat, from: &User, text: &str, wait: Duration) -> Option<SentMessage> {
        let before = self.bot.tg.messages_to(chat.id).len();
        self.bot.tg.send_text(chat, from.clone(), text);
        self.bot.tg.wait_for_messages(chat.id, before + 1, wait).await.get(before).cloned()
    }

    /// The probe every cell ends with: the chat is answered again.
    async fn probe(&self, chat: Chat, from: &User) -> Result<(), String> {
        let text =
            if self.bot.engine.sandbox.is_some() { format!("/track yto {}", self.number()) } else { "/help".into() };
        match self.ask(chat, from, &text, SLOW_WAIT).await {
            Some(reply) if leak(&reply.text).is_none() => Ok(()),
            Some(reply) => Err(format!("the probe's answer leaks: {}", short(&reply.text))),
            None => Err("the next update was not answered".into()),
        }
    }

    async fn subscribed(&self, chat_id: i64, number: &str) -> bool {
        let watched = self.bot.engine.store.chat_subscriptions(chat_id).await.unwrap_or_default();
        watched.iter().any(|parcel| parcel.key.number == number)
    }

    /// Notices of `number` not sent yet (due or waiting for a later attempt) to `chat_id`.
    async fn pending_for(&self, chat_id: i64, number: &str) -> usize {
        let far = self.bot.clock.now() + ChronoDuration::days(30);
        let pending = self.bot.engine.store.pending_notices(far, 10_000).await.unwrap_or_default();
        pending.iter().filter(|notice| notice.chat_id == chat_id && notice.payload.contains(number)).count()
    }

    async fn queries_of(&self, number: &str) -> u64 {
        let Some(sandbox) = &self.bot.engine.sandbox else { return 0 };
        sandbox.sandbox.stats().parcels.iter().filter(|p| p.num == number).map(|p| p.queries).sum()
    }
}

// ----- Kuaidi100's failures × the entry points -----

/// What a person should be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Told {
    CheckCourier,
    NeedPhone,
    NoResult,
    TryLater,
    Operator,
}

impl Told {
    /// The English reply says this.
    fn phrase(self) -> &'static str {
        match self {
            Told::CheckCourier => "does not recognise this courier",
            Told::NeedPhone => "phone number was not accepted",
            Told::NoResult => "Nothing found yet",
            Told::TryLater => "not answering right now",
            Told::Operator => "operator problem",
        }
    }

    /// The web API's `error.code` and HTTP status.
    fn api(self) -> (&'static str, u16) {
        match self {
            Told::CheckCourier => ("courier_rejected", 422),
            Told::NeedPhone => ("phone_rejected", 422),
            Told::NoResult => ("no_result_yet", 404),
            Told::TryLater => ("upstream_unavailable", 503),
            Told::Operator => ("upstream_failed", 502),
        }
    }

    /// A failure of Kuaidi100 (not an answer about the parcel): a refresh shows the last answer.
    fn transient(self) -> bool {
        matches!(self, Told::TryLater | Told::Operator)
    }
}

/// How a row makes Kuaidi100 fail.
#[derive(Clone, Debug)]
enum Upstream {
    /// The simulator misbehaves for the cell's number.
    Scripted(Fault),
    /// Nothing listens at Kuaidi100's address (the bot of its own).
    Refused,
}

struct UpstreamRow {
    name: &'static str,
    how: Upstream,
    told: Told,
}

fn upstream_rows() -> Vec<UpstreamRow> {
    let code = |code: &str| Upstream::Scripted(Fault::Code(code.into()));
    vec![
        UpstreamRow { name: "returnCode 400", how: code("400"), told: Told::CheckCourier },
        UpstreamRow { name: "returnCode 408", how: code("408"), told: Told::NeedPhone },
        UpstreamRow { name: "returnCode 500", how: code("500"), told: Told::NoResult },
        UpstreamRow { name: "returnCode 501", how: code("501"), told: Told::TryLater },
        UpstreamRow { name: "returnCode 502", how: code("502"), told: Told::TryLater },
        UpstreamRow { name: "returnCode 503", how: code("503"), told: Told::Operator },
        UpstreamRow { name: "returnCode 601", how: code("601"), told: Told::Operator },
        UpstreamRow { name: "returnCode 777 (unknown)", how: code("777"), told: Told::TryLater },
        UpstreamRow {
            name: "timeout",
            how: Upstream::Scripted(Fault::Stall(Duration::from_secs(4))),
            told: Told::TryLater,
        },
        UpstreamRow { name: "connection cut mid-answer", how: Upstream::Scripted(Fault::Cut), told: Told::TryLater },
        UpstreamRow { name: "connection refused", how: Upstream::Refused, told: Told::TryLater },
        UpstreamRow { name: "HTTP 503", how: Upstream::Scripted(Fault::Status(503)), told: Told::TryLater },
        UpstreamRow { name: "HTML page", how: Upstream::Scripted(Fault::Html), told: Told::TryLater },
        UpstreamRow { name: "truncated JSON", how: Upstream::Scripted(Fault::Truncated), told: Told::TryLater },
        UpstreamRow {
            name: "10 MB body",
            how: Upstream::Scripted(Fault::Huge(10 * 1024 * 1024)),
            told: Told::TryLater,
        },
    ]
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Track,
    Refresh,
    Sub,
    Watcher,
    Inline,
    WebApi,
}

const ENTRIES: [Entry; 6] = [Entry::Track, Entry::Refresh, Entry::Sub, Entry::Watcher, Entry::Inline, Entry::WebApi];

impl Entry {
    fn name(self) -> &'static str {
        match self {
            Entry::Track => "/track",
            Entry::Refresh => "🔄 button",
            Entry::Sub => "/sub",
            Entry::Watcher => "watcher check",
            Entry::Inline => "inline",
            Entry::WebApi => "GET /api/v1/track",
        }
    }
}

/// The driver of one Kuaidi100 cell.
async fn upstream_cell(world: &World, row: &UpstreamRow, entry: Entry) -> Result<String, String> {
    let user = world.user();
    let chat = Chat::private(user.id);
    let number = world.number();
    let scripted = match &row.how {
        Upstream::Scripted(fault) => Some(fault.clone()),
        Upstream::Refused => None,
    };
    let arm = |world: &World| world.fault(&number, scripted.clone());
    let outcome = match entry {
        Entry::Track => {
            arm(world);
            let reply = world.ask(chat, &user, &format!("/track yto {number}"), WAIT).await;
            let reply = reply.ok_or("no reply")?;
            told(&reply.text, row.told).map(|()| short(&reply.text))
        }
        Entry::Sub => {
            arm(world);
            let reply = world.ask(chat, &user, &format!("/sub yto {number}"), WAIT).await;
            let reply = reply.ok_or("no reply")?;
            let watching = world.subscribed(chat.id, &number).await;
            told(&reply.text, row.told).map(|()| format!("{} (watching: {watching})", short(&reply.text)))
        }
        Entry::Refresh => refresh_cell(world, row, chat, &user, &number, &arm).await,
        Entry::Watcher => watcher_cell(world, row, chat, &user, &number, &arm).await,
        Entry::Inline => {
            arm(world);
            let id = world.bot.tg.send_inline_query(user.clone(), &format!("{number} yto"), Some("sender"));
            let answer = world.bot.tg.wait_for_inline_answer(&id, WAIT).await.ok_or("no inline answer")?;
            let first = answer.results.first().ok_or("an empty inline answer")?;
            let shown = format!(
                "{} {} {}",
                first.title.clone().unwrap_or_default(),
                first.description.clone().unwrap_or_default(),
                first.message_text.clone().unwrap_or_default()
            );
            match leak(&shown) {
                Some(marker) => Err(format!("leaks {marker:?}: {}", short(&shown))),
                None => Ok(short(&format!(
                    "{} — {}",
                    first.title.clone().unwrap_or_default(),
                    first.description.clone().unwrap_or_default()
                ))),
            }
        }
        Entry::WebApi => {
            arm(world);
            let base = world.bot.http.clone().ok_or("no HTTP server")?;
            let url = format!("{base}/api/v1/track?number={number}&courier=yuantong&lang=en");
            let (status, body) = kuaidi_test_support::process::http_get(&url).await;
            let value: Value =
                serde_json::from_str(&body).map_err(|_| format!("HTTP {status}, not JSON: {}", short(&body)))?;
            let code = value.pointer("/error/code").and_then(Value::as_str).unwrap_or_default().to_owned();
            let message = value.pointer("/error/message").and_then(Value::as_str).unwrap_or_default().to_owned();
            let (want_code, want_status) = row.told.api();
            if let Some(marker) = leak(&body) {
                Err(format!("leaks {marker:?}: {}", short(&body)))
            } else if (code.as_str(), status) != (want_code, want_status) {
                Err(format!("HTTP {status} {code}, expected {want_status} {want_code}: {}", short(&message)))
            } else {
                Ok(format!("{status} {code}"))
            }
        }
    };
    world.fault(&number, None);
    // The cell's parcel is not watched on: later cells drive the clock, and need a quiet watcher.
    if world.subscribed(chat.id, &number).await {
        let _ = world.ask(chat, &user, &format!("/unsub {number}"), WAIT).await;
    }
    let probed = world.probe(chat, &user).await;
    match (outcome, probed) {
        (Ok(outcome), Ok(())) => Ok(outcome),
        (Err(error), _) | (Ok(_), Err(error)) => Err(error),
    }
}

/// The reply says what `told` says, and leaks nothing.
fn told(text: &str, told: Told) -> Result<(), String> {
    if let Some(marker) = leak(text) {
        return Err(format!("leaks {marker:?}: {}", short(text)));
    }
    if !text.contains(told.phrase()) {
        return Err(format!("does not say {:?}: {}", told.phrase(), short(text)));
    }
    Ok(())
}

/// 🔄 on a good answer, once the floor has passed, while Kuaidi100 fails.
async fn refresh_cell(
    world: &World,
    row: &UpstreamRow,
    chat: Chat,
    user: &User,
    number: &str,
    arm: &dyn Fn(&World),
) -> Result<String, String> {
    let refreshable = world.bot.engine.sandbox.is_some();
    let reply = world.ask(chat, user, &format!("/track yto {number}"), WAIT).await.ok_or("no reply to /track")?;
    let data = match reply.button("Refresh") {
        Some(button) => button.callback_data,
        None if !refreshable => {
            let courier = directory().get("yuantong").ok_or("no yuantong")?;
            encode_payload(Op::Refresh, courier, number)
        }
        None => return Err(format!("no 🔄 on a good answer: {}", short(&reply.text))),
    };
    arm(world);
    world.bot.clock.advance(ChronoDuration::minutes(2));
    let edits_before = world.bot.tg.edits().len();
    let id = world.bot.tg.press_button(chat, user.clone(), reply.message_id, &data);
    let answer = world
        .bot
        .tg
        .wait_for(WAIT, |tg| tg.callback_answers().into_iter().find(|a| a.callback_query_id == id))
        .await
        .ok_or("the button was not answered")?;
    // An edit, if any, comes with the answer; give it a moment.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let edited = world.bot.tg.edits().len() > edits_before;
    let now = world.bot.tg.message(chat.id, reply.message_id).ok_or("the message is gone")?;
    let toast = answer.text.clone().unwrap_or_default();
    let shown = format!("{toast} {}", now.text);
    if let Some(marker) = leak(&shown) {
        return Err(format!("leaks {marker:?}: {}", short(&shown)));
    }
    if refreshable && !now.text.contains(number) {
        return Err(format!("the parcel is no longer shown: {}", short(&now.text)));
    }
    let messages = world.bot.tg.messages_to(chat.id);
    let said = messages.iter().skip_while(|m| m.message_id != reply.message_id).skip(1).map(|m| m.text.clone());
    let said: Vec<String> = said.collect();
    if let Some(text) = said.iter().find(|text| leak(text).is_some()) {
        return Err(format!("a new message leaks: {}", short(text)));
    }
    let visible = format!("{toast} {} {}", if edited { now.text.as_str() } else { "" }, said.join(" "));
    let clear = visible.contains(row.told.phrase())
        || (row.told.transient() && visible.contains("could not refresh"))
        // "No result" after an answer: the last answer is still the best there is.
        || (row.told == Told::NoResult && edited && now.text.contains(number))
        || (!refreshable && now.text.contains(row.told.phrase()));
    if !clear {
        return Err(format!("not told why: toast {:?}, edited {edited}, said {:?}", short(&toast), said));
    }
    Ok(format!("toast {:?}, edited {edited}, {} new message(s)", short(&toast), said.len()))
}

/// A watched parcel whose next check fails: nothing leaks, the subscription stays.
async fn watcher_cell(
    world: &World,
    _row: &UpstreamRow,
    chat: Chat,
    user: &User,
    number: &str,
    arm: &dyn Fn(&World),
) -> Result<String, String> {
    let bot = &world.bot;
    if bot.engine.sandbox.is_some() {
        let reply = world.ask(chat, user, &format!("/sub yto {number}"), WAIT).await.ok_or("no reply to /sub")?;
        if !world.subscribed(chat.id, number).await {
            return Err(format!("the good /sub did not subscribe: {}", short(&reply.text)));
        }
    } else {
        let now = bot.clock.now();
        let key = ParcelKey::new("yuantong", number);
        bot.engine
            .store
            .subscribe(chat.id, None, &key, "en", 0, None, 50, now, now)
            .await
            .map_err(|e| e.to_string())?;
    }
    let said_before = bot.tg.messages_to(chat.id).len();
    arm(world);
    let queries_before = world.queries_of(number).await;
    let checked = bot.engine.store.pending_notices(bot.clock.now(), 1).await.is_ok();
    if !checked {
        return Err("store unreadable".into());
    }
    // Drive the clock from one due check to the next until this parcel was asked again.
    let mut rounds = 0;
    loop {
        if bot.engine.sandbox.is_some() && world.queries_of(number).await > queries_before {
            break;
        }
        if bot.engine.sandbox.is_none() && rounds >= 3 {
            break;
        }
        rounds += 1;
        if rounds > 40 {
            return Err("the watcher never checked the parcel again".into());
        }
        let next = bot.engine.store.next_due_at().await.map_err(|e| e.to_string())?;
        match next {
            Some(at) if at > bot.clock.now() => bot.clock.set(at),
            Some(_) => {}
            None => return Err("nothing is due any more".into()),
        }
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    // Let the check finish and its notices (if any) go out.
    bot.tg.wait_for(Duration::from_millis(400), |tg| (tg.messages_to(chat.id).len() > said_before).then_some(())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let said: Vec<String> = bot.tg.messages_to(chat.id).into_iter().skip(said_before).map(|m| m.text).collect();
    if let Some(text) = said.iter().find(|text| leak(text).is_some()) {
        return Err(format!("a notice leaks: {}", short(text)));
    }
    let watching = world.subscribed(chat.id, number).await;
    if !watching {
        return Err(format!(
            "the subscription was dropped; told {:?}",
            said.iter().map(|t| short(t)).collect::<Vec<_>>()
        ));
    }
    Ok(format!(
        "still watched, {} notice(s){}",
        said.len(),
        said.first().map(|t| format!(": {}", short(t))).unwrap_or_default()
    ))
}

// ----- bad pushes -----

/// How a push goes wrong.
#[derive(Clone, Copy, Debug)]
enum BadPush {
    WrongSign,
    NoSign,
    NotJson,
    Truncated,
    Html,
    Huge,
    UnknownParcel,
    ErrorAsLastResult,
}

struct PushRow {
    name: &'static str,
    push: BadPush,
    /// HTTP statuses that are right.
    statuses: &'static [u16],
}

const PUSHES: &[PushRow] = &[
    PushRow { name: "bad sign", push: BadPush::WrongSign, statuses: &[403] },
    PushRow { name: "no sign", push: BadPush::NoSign, statuses: &[403] },
    PushRow { name: "bad JSON (signed)", push: BadPush::NotJson, statuses: &[400] },
    PushRow { name: "truncated JSON (signed)", push: BadPush::Truncated, statuses: &[400] },
    PushRow { name: "HTML page (signed)", push: BadPush::Html, statuses: &[400] },
    PushRow { name: "10 MB body", push: BadPush::Huge, statuses: &[400, 413] },
    PushRow { name: "unknown parcel", push: BadPush::UnknownParcel, statuses: &[200] },
    PushRow { name: "error body as lastResult", push: BadPush::ErrorAsLastResult, statuses: &[200, 400] },
];

/// A push of `number` whose `lastResult` is `last_result`, as Kuaidi100 writes it.
fn push_param(last_result: &Value) -> String {
    json!({"status": "polling", "billstatus": "got", "message": "", "lastResult": last_result}).to_string()
}

async fn post_push(world: &World, param: &str, sign: Option<&str>) -> Result<(u16, String), String> {
    let base = world.bot.http.clone().ok_or("no HTTP server")?;
    let mut form = vec![("param", param.to_owned())];
    if let Some(sign) = sign {
        form.push(("sign", sign.to_owned()));
    }
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().map_err(|e| e.to_string())?;
    let answer = client.post(format!("{base}{}", kuaidi_bot::http::PUSH_PATH)).form(&form).send().await;
    let answer = answer.map_err(|e| format!("the callback failed: {e}"))?;
    let status = answer.status().as_u16();
    Ok((status, answer.text().await.unwrap_or_default()))
}

/// The stored answer of a watched parcel with one more line on top: what its next push carries.
async fn moved_answer(world: &World, number: &str, context: &str) -> Result<Value, String> {
    let key = ParcelKey::new("yuantong", number);
    let record = world.bot.engine.store.parcel(&key, world.bot.clock.now()).await.map_err(|e| e.to_string())?;
    let answer = record.and_then(|r| r.answer).ok_or("the watched parcel has no answer")?;
    let mut answer: Value = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
    let time = (world.bot.clock.now() + ChronoDuration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string();
    let line = json!({"time": time, "ftime": time, "context": context, "status": "在途", "statusCode": "0"});
    if let Some(lines) = answer.get_mut("data").and_then(Value::as_array_mut) {
        lines.insert(0, line);
    }
    Ok(answer)
}

async fn push_cell(world: &World, row: &PushRow, watched: (Chat, &str)) -> Result<String, String> {
    let (chat, number) = watched;
    let salt = world.bot.engine.config.push_salt.clone();
    let good = push_param(&moved_answer(world, number, "【杭州市】快件离开【杭州转运中心】 bad-push probe").await?);
    let sign = |param: &str| sign_push(param, &salt);
    let (param, sign) = match row.push {
        BadPush::WrongSign => (good.clone(), Some("0123456789ABCDEF0123456789ABCDEF".to_owned())),
        BadPush::NoSign => (good.clone(), None),
        BadPush::NotJson => ("{\"status\": polling".to_owned(), Some(sign("{\"status\": polling"))),
        BadPush::Truncated => {
            let cut = good[..good.len() / 2].to_owned();
            let signed = sign(&cut);
            (cut, Some(signed))
        }
        BadPush::Html => {
            let html = "<html><body>502 Bad Gateway</body></html>".to_owned();
            let signed = sign(&html);
            (html, Some(signed))
        }
        BadPush::Huge => {
            let huge = push_param(&json!({"message": "ok", "nu": number, "com": "yuantong", "state": "0",
                "status": "200", "ischeck": "0", "data": [], "padding": "x".repeat(10 * 1024 * 1024)}));
            let signed = sign(&huge);
            (huge, Some(signed))
        }
        BadPush::UnknownParcel => {
            let mut other = moved_answer(world, number, "someone else's parcel").await?;
            other["nu"] = json!("YT9999999999999");
            let param = push_param(&other);
            let signed = sign(&param);
            (param, Some(signed))
        }
        BadPush::ErrorAsLastResult => {
            let param =
                push_param(&json!({"result": false, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}));
            let signed = sign(&param);
            (param, Some(signed))
        }
    };
    let said_before = world.bot.tg.messages_to(chat.id).len();
    let started = std::time::Instant::now();
    let (status, body) = match post_push(world, &param, sign.as_deref()).await {
        // The server may refuse a huge body before it was all sent: the upload then breaks off.
        Err(broken) if matches!(row.push, BadPush::Huge) => (413, broken),
        other => other?,
    };
    let took = started.elapsed();
    if !row.statuses.contains(&status) {
        return Err(format!("HTTP {status}, expected {:?}: {}", row.statuses, short(&body)));
    }
    if let Some(marker) = leak(&body).filter(|marker| *marker != "returnCode") {
        return Err(format!("the answer leaks {marker:?}: {}", short(&body)));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let said = world.bot.tg.messages_to(chat.id).len() - said_before;
    if said > 0 {
        return Err(format!("a bad push told the chat {said} message(s)"));
    }
    if !world.subscribed(chat.id, number).await {
        return Err("a bad push dropped the subscription".into());
    }
    Ok(format!("HTTP {status} in {} ms, nothing told, still watched", took.as_millis()))
}

/// After every bad push, a good one is still taken in and told.
async fn good_push_after(world: &World, chat: Chat, number: &str) -> Result<String, String> {
    let salt = world.bot.engine.config.push_salt.clone();
    let param =
        push_param(&moved_answer(world, number, "【杭州市】快件到达【杭州转运中心】 after the bad pushes").await?);
    let before = world.bot.tg.messages_to(chat.id).len();
    let (status, body) = post_push(world, &param, Some(&sign_push(&param, &salt))).await?;
    if status != 200 {
        return Err(format!("the good push was refused: HTTP {status} {}", short(&body)));
    }
    let told = world.bot.tg.wait_for_messages(chat.id, before + 1, WAIT).await;
    match told.get(before) {
        Some(message) if message.text.contains("after the bad pushes") => Ok("taken in and told".into()),
        Some(message) => Err(format!("told something else: {}", short(&message.text))),
        None => Err("the good push was not told".into()),
    }
}

// ----- Telegram's failures × the kinds of send -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Reply,
    Edit,
    Notice,
    CallbackAnswer,
}

const SENDS: [Kind; 4] = [Kind::Reply, Kind::Edit, Kind::Notice, Kind::CallbackAnswer];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Edit => "edit (🔄)",
            Kind::Notice => "notice (outbox)",
            Kind::CallbackAnswer => "callback answer",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Kind::Reply | Kind::Notice => "sendMessage",
            Kind::Edit => "editMessageText",
            Kind::CallbackAnswer => "answerCallbackQuery",
        }
    }
}

/// What should become of a chat after Telegram failed like this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Recovery {
    /// Sent after Telegram's wait.
    Retried,
    /// The chat is gone: its subscriptions end.
    Gone,
    /// The group became a supergroup: the message goes there, the subscriptions move.
    Moved,
    /// Telegram is in trouble: a notice is kept and sent later; a reply or edit is lost, the chat
    /// stays as it was.
    Later,
    /// Harmless: nothing to do.
    Harmless,
    /// The message to edit is gone: the answer comes as a new message.
    NewMessage,
}

struct TelegramRow {
    name: &'static str,
    failure: fn(i64) -> Failure,
    /// The row is about a group (kicked, migrated).
    group: bool,
    recovery: Recovery,
    sends: &'static [Kind],
}

const ALL: &[Kind] = &SENDS;
/// A callback answer names no chat: Telegram cannot say through it that a chat is gone or moved.
const MESSAGES: &[Kind] = &[Kind::Reply, Kind::Edit, Kind::Notice];
const EDITS: &[Kind] = &[Kind::Edit];
const ANSWERS: &[Kind] = &[Kind::CallbackAnswer];

fn telegram_rows() -> Vec<TelegramRow> {
    vec![
        TelegramRow {
            name: "429 retry_after 2",
            failure: |_| Failure::TooManyRequests { retry_after: 2, times: 1 },
            group: false,
            recovery: Recovery::Retried,
            sends: ALL,
        },
        TelegramRow {
            name: "403 bot was blocked",
            failure: |_| Failure::Blocked,
            group: false,
            recovery: Recovery::Gone,
            sends: MESSAGES,
        },
        TelegramRow {
            name: "403 user is deactivated",
            failure: |_| Failure::UserDeactivated,
            group: false,
            recovery: Recovery::Gone,
            sends: MESSAGES,
        },
        TelegramRow {
            name: "403 bot was kicked (group)",
            failure: |_| Failure::Kicked,
            group: true,
            recovery: Recovery::Gone,
            sends: MESSAGES,
        },
        TelegramRow {
            name: "400 chat not found",
            failure: |_| Failure::ChatNotFound,
            group: false,
            recovery: Recovery::Gone,
            sends: MESSAGES,
        },
        TelegramRow {
            name: "400 migrated to supergroup",
            failure: |chat| Failure::Migrated { to: supergroup_of(chat) },
            group: true,
            recovery: Recovery::Moved,
            sends: MESSAGES,
        },
        TelegramRow {
            name: "500 server error",
            failure: |_| Failure::ServerError,
            group: false,
            recovery: Recovery::Later,
            sends: ALL,
        },
        TelegramRow {
            name: "timeout",
            failure: |_| Failure::Timeout,
            group: false,
            recovery: Recovery::Later,
            sends: ALL,
        },
        TelegramRow {
            name: "400 message is not modified",
            failure: |_| Failure::NotModified,
            group: false,
            recovery: Recovery::Harmless,
            sends: EDITS,
        },
        TelegramRow {
            name: "400 message to edit not found",
            failure: |_| Failure::EditNotFound,
            group: false,
            recovery: Recovery::NewMessage,
            sends: EDITS,
        },
        TelegramRow {
            name: "400 query is too old",
            failure: |_| Failure::Custom {
                code: 400,
                description: "Bad Request: query is too old and response timeout expired or query ID is invalid".into(),
            },
            group: false,
            recovery: Recovery::Harmless,
            sends: ANSWERS,
        },
    ]
}

/// The supergroup a test group becomes.
fn supergroup_of(group: i64) -> i64 {
    -1_000_000_000_000 + group
}

/// The driver of one Telegram cell: the chat watches a parcel, Telegram fails this kind of send once
/// (or until the cell clears it), and the cell checks what became of the message and of the chat.
async fn telegram_cell(world: &World, row: &TelegramRow, send: Kind, index: i64) -> Result<String, String> {
    let bot = &world.bot;
    let user = world.user();
    let chat = if row.group { Chat::group(-5_000 - index, "Fault group") } else { Chat::private(user.id) };
    let moved_to = supergroup_of(chat.id);
    // The chat watches a parcel, so that what becomes of the chat shows; its first check is far
    // off, so that the watcher stays out of the way of the clock this cell drives.
    let watched = world.number();
    let now = bot.clock.now();
    let key = ParcelKey::new("yuantong", &watched);
    let far = now + ChronoDuration::days(30);
    bot.engine.store.subscribe(chat.id, None, &key, "en", 0, None, 50, far, now).await.map_err(|e| e.to_string())?;
    let failure = (row.failure)(chat.id);
    let before = bot.tg.messages_to(chat.id).len();
    let before_moved = bot.tg.messages_to(moved_to).len();
    let seen = match send {
        Kind::Reply => {
            bot.tg.fail_method(chat.id, send.method(), failure);
            bot.tg.send_text(chat, user.clone(), &format!("/track yto {}", world.number()));
            let arrived = bot
                .tg
                .wait_for(SLOW_WAIT, |tg| {
                    (tg.messages_to(chat.id).len() > before || tg.messages_to(moved_to).len() > before_moved)
                        .then_some(())
                })
                .await
                .is_some();
            if !arrived && row.recovery != Recovery::Retried && row.recovery != Recovery::Moved {
                // Let the failed request finish (a 5xx or a timeout takes its while).
                wait_requests_answered(world, chat.id, send.method()).await;
            }
            arrived
        }
        Kind::Edit | Kind::CallbackAnswer => {
            let tracked = world.number();
            let shown =
                world.ask(chat, &user, &format!("/track yto {tracked}"), WAIT).await.ok_or("no reply to /track")?;
            let refresh = shown.button("Refresh").ok_or("no 🔄 button")?;
            bot.clock.advance(ChronoDuration::minutes(2));
            bot.tg.fail_method(chat.id, send.method(), failure);
            let edits = bot.tg.edits().len();
            let before = bot.tg.messages_to(chat.id).len();
            let id = bot.tg.press_button(chat, user.clone(), shown.message_id, &refresh.callback_data);
            let done = bot
                .tg
                .wait_for(SLOW_WAIT, |tg| {
                    let answered = tg.callback_answers().iter().any(|a| a.callback_query_id == id);
                    let edited = tg.edits().iter().skip(edits).any(|e| e.chat_id == chat.id);
                    let new = tg.messages_to(chat.id).len() > before || tg.messages_to(moved_to).len() > before_moved;
                    match send {
                        Kind::Edit => (edited || new).then_some(()),
                        _ => (answered && edited).then_some(()),
                    }
                })
                .await
                .is_some();
            if !done {
                wait_requests_answered(world, chat.id, send.method()).await;
            }
            done
        }
        Kind::Notice => {
            bot.tg.fail_method(chat.id, send.method(), failure);
            let noticed = world.number();
            queue_one(&bot.engine.store, chat.id, &noticed, "en", bot.clock.now()).await;
            let delivered = |tg: &kuaidi_test_support::fake_telegram::FakeTelegram| {
                let here = tg.messages_to(chat.id).iter().skip(before).any(|m| m.text.contains(&noticed));
                let there = tg.messages_to(moved_to).iter().any(|m| m.text.contains(&noticed));
                (here || there).then_some(())
            };
            let mut arrived = bot.tg.wait_for(Duration::from_secs(3), delivered).await.is_some();
            if !arrived && row.recovery != Recovery::Gone {
                // Telegram asked to wait, or the send failed: the outbox tries again later (on the
                // bot's clock). Once Telegram is back, the notice must come. Telegram is only back
                // once it refused the send: the first try may wait behind other cells' slow
                // notices, and a failure cleared before it would never be seen.
                if row.recovery != Recovery::Retried {
                    wait_failed_request(world, chat.id, send.method()).await;
                }
                wait_requests_answered(world, chat.id, send.method()).await;
                bot.tg.clear_failure(chat.id);
                for _ in 0..12 {
                    bot.clock.advance(ChronoDuration::minutes(5));
                    if bot.tg.wait_for(Duration::from_secs(3), delivered).await.is_some() {
                        arrived = true;
                        break;
                    }
                }
            }
            let mut pending = 0;
            for _ in 0..40 {
                // A notice is marked sent once Telegram's answer is in: give it that moment.
                pending = world.pending_for(chat.id, &noticed).await + world.pending_for(moved_to, &noticed).await;
                if pending == 0 || !arrived {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if arrived && pending > 0 {
                let far = bot.clock.now() + ChronoDuration::days(30);
                let rows = bot.engine.store.pending_notices(far, 10_000).await.unwrap_or_default();
                let rows: Vec<String> = rows
                    .iter()
                    .filter(|n| n.payload.contains(&noticed))
                    .map(|n| format!("#{} chat {} attempts {}", n.id, n.chat_id, n.attempts))
                    .collect();
                let copies = bot.tg.messages_to(chat.id).iter().filter(|m| m.text.contains(&noticed)).count();
                return Err(format!("delivered {copies}×, but still pending: {rows:?}"));
            }
            if !arrived && row.recovery != Recovery::Gone {
                return Err(format!("the notice never came ({pending} pending)"));
            }
            arrived
        }
    };
    if send != Kind::CallbackAnswer && row.recovery != Recovery::Retried {
        // Telegram must have refused the send before it is back (the outbox may take its while).
        wait_failed_request(world, chat.id, send.method()).await;
    }
    bot.tg.clear_failure(chat.id);
    if matches!(row.recovery, Recovery::Gone | Recovery::Moved) {
        // The chat's fate is settled after the failed send's answer came back.
        let deadline = tokio::time::Instant::now() + SLOW_WAIT;
        while world.subscribed(chat.id, &watched).await && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let here = world.subscribed(chat.id, &watched).await;
    let there = world.subscribed(moved_to, &watched).await;
    let leaked = bot
        .tg
        .messages_to(chat.id)
        .into_iter()
        .chain(bot.tg.messages_to(moved_to))
        .find_map(|m| leak(&m.text).map(|marker| (marker, m.text)));
    if let Some((marker, text)) = leaked {
        return Err(format!("leaks {marker:?}: {}", short(&text)));
    }
    let verdict = match row.recovery {
        Recovery::Retried if !seen => Err("not sent after Telegram's wait".to_owned()),
        Recovery::Gone if here => {
            Err(format!("the chat is gone but its subscription stays; {}", requests_of(world, chat.id)))
        }
        Recovery::Moved if !there => Err(format!("the subscription did not move (here: {here})")),
        Recovery::Moved if !seen => Err("the message never reached the supergroup".to_owned()),
        Recovery::NewMessage if !seen => Err("silence: the answer was neither edited nor sent".to_owned()),
        Recovery::Later | Recovery::Harmless | Recovery::Retried | Recovery::NewMessage if !here => {
            Err("the subscription was dropped".to_owned())
        }
        _ => Ok(format!("seen: {seen}, watching here: {here}{}", if there { ", moved" } else { "" })),
    };
    let verdict = verdict?;
    // The bot answers the chat (or where it went) again.
    if row.recovery == Recovery::Gone || row.recovery == Recovery::Moved {
        let alive = world.user();
        world.probe(Chat::private(alive.id), &alive).await?;
    } else {
        world.probe(chat, &user).await?;
    }
    Ok(verdict)
}

/// Waits until a request to `method` in the chat was refused (or is being held by a timeout).
async fn wait_failed_request(world: &World, chat_id: i64, method: &str) {
    let refused = |tg: &kuaidi_test_support::fake_telegram::FakeTelegram| {
        tg.requests_to(method)
            .into_iter()
            .any(|r| {
                (r.status == 0 || r.status >= 400)
                    && r.params
                        .get("chat_id")
                        .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
                        == Some(chat_id)
            })
            .then_some(())
    };
    world.bot.tg.wait_for(SLOW_WAIT, refused).await;
}

/// The chat's requests as `method status` (for a failure's message).
fn requests_of(world: &World, chat_id: i64) -> String {
    let requests = world.bot.tg.requests().into_iter().filter(|r| {
        r.params.get("chat_id").and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            == Some(chat_id)
    });
    requests
        .map(|r| {
            format!(
                "{} {} {}",
                r.method,
                r.status,
                short(r.params.get("text").and_then(Value::as_str).unwrap_or_default())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Waits until every request to `method` has been answered (a held one counts after its hold).
async fn wait_requests_answered(world: &World, chat_id: i64, method: &str) {
    let of_chat = |tg: &kuaidi_test_support::fake_telegram::FakeTelegram| {
        let open = tg.requests_to(method).into_iter().filter(|r| r.status == 0).any(|r| {
            r.params.get("chat_id").and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
                == Some(chat_id)
        });
        (!open).then_some(())
    };
    world.bot.tg.wait_for(SLOW_WAIT, of_chat).await;
}

// ----- the matrix -----

fn print_table(title: &str, columns: &[&str], rows: &[(String, Vec<Outcome>)]) {
    println!("\n== {title}: {} rows × {} columns ==", rows.len(), columns.len());
    for (name, cells) in rows {
        println!("-- {name}");
        for (column, cell) in columns.iter().zip(cells) {
            let shown = match cell {
                None => "n/a".to_owned(),
                Some(Ok(outcome)) => format!("ok    {outcome}"),
                Some(Err(problem)) => format!("FAIL  {problem}"),
            };
            println!("   {column:<20} {shown}");
        }
    }
}

fn failures(title: &str, columns: &[&str], rows: &[(String, Vec<Outcome>)]) -> Vec<String> {
    let mut failed = Vec::new();
    for (name, cells) in rows {
        for (column, cell) in columns.iter().zip(cells) {
            if let Some(Err(problem)) = cell {
                failed.push(format!("{title}: {name} × {column}: {problem}"));
            }
        }
    }
    failed
}

async fn world(env: &[(&str, &str)], first_chat: i64) -> World {
    let store = test_store::sqlite().await.expect("sqlite");
    // Telegram's overall pace, but no per-chat one: each cell talks to its chat several times a second.
    let pace = Limits { messages_per_sec_overall: 28, messages_per_sec_chat: 1_000, messages_per_min_chat: 60_000 };
    let bot = RunningBot::serving_paced(store, env, pace).await;
    World { bot, next_chat: AtomicI64::new(first_chat), next_number: AtomicI64::new(first_chat * 1_000) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_fault_matrix() {
    let started = std::time::Instant::now();
    // What the bot itself calls an error is shown with the matrix (`RUST_LOG` to see more).
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "kuaidi_bot=error".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    let main = world(ENV, 10_000).await;
    // Nothing listens here: the bot of the "connection refused" row.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let dead_url = format!("http://{dead}");
    let dead_auto = format!("{dead_url}/autonumber/auto");
    let mut refused_env: Vec<(&str, &str)> = ENV.to_vec();
    refused_env.extend([
        ("KUAIDI100_CUSTOMER", "FAULTCUSTOMER"),
        ("KUAIDI100_KEY", "FAULTKEY"),
        ("KUAIDI100_API_URL", dead_url.as_str()),
        ("KUAIDI100_AUTONUMBER_URL", dead_auto.as_str()),
    ]);
    let refused = world(&refused_env, 50_000).await;

    // Kuaidi100 × entry points, one cell after the other (they share the driven clock).
    let columns: Vec<&str> = ENTRIES.iter().map(|entry| entry.name()).collect();
    let mut upstream = Vec::new();
    for row in upstream_rows() {
        let on = match row.how {
            Upstream::Refused => &refused,
            Upstream::Scripted(_) => &main,
        };
        let mut cells = Vec::new();
        for entry in ENTRIES {
            cells.push(Some(upstream_cell(on, &row, entry).await));
        }
        upstream.push((row.name.to_owned(), cells));
    }
    print_table("Kuaidi100 failures × entry points", &columns, &upstream);
    println!("({:.1} s so far)", started.elapsed().as_secs_f64());

    // Bad pushes, against one watched parcel; then a good push must still be taken in.
    let owner = main.user();
    let push_chat = Chat::private(owner.id);
    let pushed = main.number();
    main.ask(push_chat, &owner, &format!("/sub yto {pushed}"), WAIT).await.expect("the push parcel is watched");
    let mut pushes = Vec::new();
    for row in PUSHES {
        pushes.push((row.name.to_owned(), vec![Some(push_cell(&main, row, (push_chat, &pushed)).await)]));
    }
    pushes.push(("(then a good push)".to_owned(), vec![Some(good_push_after(&main, push_chat, &pushed).await)]));
    main.ask(push_chat, &owner, &format!("/unsub {pushed}"), WAIT).await;
    print_table("bad pushes × the push callback", &["push callback"], &pushes);
    println!("({:.1} s so far)", started.elapsed().as_secs_f64());

    // Telegram × kinds of send, all at once (each cell in a chat of its own: 5xx and timeouts take
    // real seconds).
    let rows = telegram_rows();
    let mut cells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (s, send) in SENDS.iter().enumerate() {
            if row.sends.contains(send) {
                let index = (r * SENDS.len() + s) as i64;
                cells.push((r, s, telegram_cell(&main, row, *send, index)));
            }
        }
    }
    let (places, futures): (Vec<(usize, usize)>, Vec<_>) = cells.into_iter().map(|(r, s, f)| ((r, s), f)).unzip();
    let outcomes = futures::future::join_all(futures).await;
    let mut telegram: Vec<(String, Vec<Outcome>)> =
        rows.iter().map(|row| (row.name.to_owned(), vec![None; SENDS.len()])).collect();
    for ((r, s), outcome) in places.into_iter().zip(outcomes) {
        telegram[r].1[s] = Some(outcome);
    }
    let send_columns: Vec<&str> = SENDS.iter().map(|send| send.name()).collect();
    print_table("Telegram failures × kinds of send", &send_columns, &telegram);

    let count =
        |rows: &[(String, Vec<Outcome>)]| rows.iter().flat_map(|(_, cells)| cells).filter(|c| c.is_some()).count();
    println!(
        "\n{} cells in {:.1} s",
        count(&upstream) + count(&pushes) + count(&telegram),
        started.elapsed().as_secs_f64()
    );
    let mut failed = failures("Kuaidi100", &columns, &upstream);
    failed.extend(failures("push", &["push callback"], &pushes));
    failed.extend(failures("Telegram", &send_columns, &telegram));
    // The faults must not make the bot break Kuaidi100's lock rule.
    if let Some(sandbox) = &main.bot.engine.sandbox {
        let stats = sandbox.sandbox.stats();
        for parcel in stats.parcels.iter().filter(|parcel| parcel.violations > 0) {
            failed.push(format!(
                "lock rule: {} queried {} times, {} too soon or too often",
                parcel.num, parcel.queries, parcel.violations
            ));
        }
    }
    assert!(failed.is_empty(), "{} cells failed:\n{}", failed.len(), failed.join("\n"));
    main.bot.stop().await;
    refused.bot.stop().await;
}
