//! The bot under test: the real process (`app::run_bot`) against the fake Bot API, with the
//! engine on a driven clock, a fresh SQLite database and the in-process Kuaidi100 simulator.
// Included (`mod bot_harness;`) by tests/bot.rs and tests/subscriptions.rs, each using a part of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kuaidi_bot::app::{self, Engine};
use kuaidi_bot::clock::ManualClock;
use kuaidi_bot::sandbox::Stats;
use kuaidi_bot::telegram::{BotOptions, Limits, TelegramError, default_limits};
use kuaidi_test_support::fake_telegram::{CallbackAnswer, Chat, FakeTelegram, Said, SentMessage, User};
use kuaidi_test_support::sim::{self, start_time};
use kuaidi_test_support::store::{self as test_store, TestStore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const WAIT: Duration = Duration::from_secs(10);

pub struct RunningBot {
    pub tg: FakeTelegram,
    pub clock: ManualClock,
    pub engine: Arc<Engine>,
    /// `http://127.0.0.1:PORT` of the bot's HTTP server, when it has one ([`RunningBot::serving`]).
    pub http: Option<String>,
    stop: CancellationToken,
    task: Option<JoinHandle<Result<(), TelegramError>>>,
    _store: TestStore,
}

impl RunningBot {
    /// Starts the bot in sandbox mode; `env` adds configuration (e.g. `USER_RATE_LIMIT`).
    pub async fn start(env: &[(&str, &str)]) -> Self {
        Self::start_with(env, Some(default_limits())).await
    }

    pub async fn start_with(env: &[(&str, &str)], pace: Option<Limits>) -> Self {
        Self::launch(test_store::sqlite().await.expect("sqlite"), env, pace, None).await
    }

    /// Starts the bot against `tg`, a fake Bot API that may remember an earlier run (a restart).
    pub async fn start_on(tg: FakeTelegram, env: &[(&str, &str)]) -> Self {
        let store = test_store::sqlite().await.expect("sqlite");
        Self::launch_on(tg, store, env, Some(default_limits()), None).await
    }

    /// The bot with its HTTP server on a loopback port, which the simulator's pushes are sent to
    /// (`WATCH_MODE=push` or `hybrid` in `env`), on `store`.
    pub async fn serving(store: TestStore, env: &[(&str, &str)]) -> Self {
        Self::serving_paced(store, env, default_limits()).await
    }

    /// The same, paced to `pace` (tests that send many messages to one chat quickly).
    pub async fn serving_paced(store: TestStore, env: &[(&str, &str)], pace: Limits) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        Self::launch(store, env, Some(pace), Some(listener)).await
    }

    async fn launch(
        store: TestStore,
        env: &[(&str, &str)],
        pace: Option<Limits>,
        listener: Option<tokio::net::TcpListener>,
    ) -> Self {
        Self::launch_on(FakeTelegram::start().await, store, env, pace, listener).await
    }

    async fn launch_on(
        tg: FakeTelegram,
        store: TestStore,
        env: &[(&str, &str)],
        pace: Option<Limits>,
        listener: Option<tokio::net::TcpListener>,
    ) -> Self {
        let clock = ManualClock::new(start_time());
        let http = listener.as_ref().map(|listener| format!("http://{}", listener.local_addr().expect("addr")));
        let mut engine = sim::sandbox_engine_calling_back(&store, Arc::new(clock.clone()), env, http.as_deref())
            .await
            .expect("engine starts");
        // The watcher and sender look for work often, so that tests driving the clock stay quick.
        engine.watch.idle_poll = Duration::from_millis(20);
        let engine = Arc::new(engine);
        let options = BotOptions {
            token: FakeTelegram::TOKEN.to_owned(),
            api_url: Some(reqwest::Url::parse(&tg.api_url()).expect("url")),
            pace,
            shared_pace: None,
        };
        let stop = CancellationToken::new();
        let running = engine.clone();
        let shutdown = stop.clone();
        let task = tokio::spawn(async move { app::run_bot_serving(&running, options, listener, shutdown).await });
        Self { tg, clock, engine, http, stop, task: Some(task), _store: store }
    }

    pub fn upstream(&self) -> Stats {
        self.engine.sandbox.as_ref().expect("sandbox mode").sandbox.stats()
    }

    /// Sends a text and waits for the bot's next message to that chat.
    pub async fn ask(&self, chat: Chat, from: User, text: &str) -> SentMessage {
        self.ask_with(chat, from, text, Said::default()).await
    }

    /// The same, said in reply to a message or in a forum topic.
    pub async fn ask_with(&self, chat: Chat, from: User, text: &str, said: Said) -> SentMessage {
        let before = self.tg.messages_to(chat.id).len();
        self.tg.send_text_with(chat, from, text, said);
        let messages = self.tg.wait_for_messages(chat.id, before + 1, WAIT).await;
        match messages.get(before) {
            Some(message) => message.clone(),
            None => panic!("no reply to {text:?} in chat {}; requests: {:#?}", chat.id, self.tg.requests()),
        }
    }

    /// Waits until the bot has answered `count` button presses in all.
    pub async fn wait_for_answers(&self, count: usize) -> Vec<CallbackAnswer> {
        self.tg
            .wait_for(WAIT, |tg| {
                let answers = tg.callback_answers();
                (answers.len() >= count).then_some(answers)
            })
            .await
            .unwrap_or_else(|| panic!("fewer than {count} button answers: {:?}", self.tg.callback_answers()))
    }

    /// Waits until the watcher has nothing due and the outbox is empty (or `WAIT` passes).
    pub async fn settle(&self) {
        use kuaidi_bot::clock::Clock;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let now = self.clock.now();
            let due = self.engine.store.next_due_at().await.expect("store").is_some_and(|at| at <= now);
            // Notices waiting for a later attempt (Telegram asked to wait) are not due yet.
            let unsent = self.due_notices().await;
            if !due && unsent == 0 {
                // One more idle round, so that a check that just finished has also been sent.
                tokio::time::sleep(Duration::from_millis(60)).await;
                if self.due_notices().await == 0 {
                    return;
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "the bot did not settle: due {due}, unsent {unsent}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Notices whose next attempt has come.
    async fn due_notices(&self) -> usize {
        use kuaidi_bot::clock::Clock;
        self.engine.store.pending_notices(self.clock.now(), 1_000).await.expect("store").len()
    }

    /// The next moment the bot has work of its own: a check falls due, or a notice's next attempt.
    pub async fn next_work_at(&self) -> Option<DateTime<Utc>> {
        let check = self.engine.store.next_due_at().await.expect("store");
        let notice = self.engine.store.next_notice_at().await.expect("store");
        check.into_iter().chain(notice).min()
    }

    /// Stops the dispatcher and checks it stopped cleanly; asserts the lock rule held.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let outcome = tokio::time::timeout(Duration::from_secs(20), task).await.expect("the bot stops");
            outcome.expect("bot task").expect("bot ran cleanly");
        }
        if let Some(sandbox) = &self.engine.sandbox {
            let stats = sandbox.sandbox.stats();
            assert_eq!(stats.lock_violations, 0, "lock-rule violations: {stats:?}");
        }
    }
}

impl Drop for RunningBot {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A Kuaidi100 stand-in that answers every query with `body`; returns its base URL.
pub async fn fixed_upstream(body: String) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route("/poll/query.do", post(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}
