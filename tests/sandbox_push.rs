//! The simulator's push subscription over real loopback HTTP: `POST /poll` with Kuaidi100's return
//! codes, then signed pushes to a receiver on the simulator's clock (first check, change-only pushes,
//! `shutdown`, `abort`, retries and drops), and the books that count them.
//!
//! Most tests serve the simulator without its push loop and drive it themselves (move the
//! `ManualClock`, call `deliver_due_pushes`), so that every count is exact; one checks that a spawned
//! simulator pushes with nobody driving.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::clock::{Clock, ManualClock};
use kuaidi_bot::kuaidi100::push::{PUSH_ACK, Push, PushStatus, Salt, SubscribeRequest, verify_push};
use kuaidi_bot::kuaidi100::sign::query_sign;
use kuaidi_bot::sandbox::{
    Ending, Parcel, SANDBOX_CUSTOMER, SANDBOX_KEY, Sandbox, SandboxConfig, Stats, sandbox_credentials, spawn,
};
use kuaidi_test_support::sim::start_time;
use serde_json::Value;
use tokio::sync::oneshot;

const SALT: &str = "mySalt_32chars_xxxxxxxxxxxxxxxxx";

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ack,
    /// HTTP 500.
    Refuse,
    /// HTTP 200, `"result": false`.
    SayNo,
    /// Answers after 5 s.
    Hang,
}

/// One push as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    param: String,
    sign: Option<String>,
    token: Option<String>,
}

impl Received {
    fn document(&self) -> Value {
        serde_json::from_str(&self.param).expect("a JSON param")
    }

    fn verified(&self) -> Push {
        verify_push(&self.param, self.sign.as_deref(), &Salt::new(SALT)).expect("signed with the subscribed salt")
    }

    fn lines(&self) -> usize {
        self.document()["lastResult"]["data"].as_array().map_or(0, Vec::len)
    }
}

#[derive(Clone)]
struct ReceiverState {
    got: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
}

async fn receive(
    State(state): State<ReceiverState>,
    Query(query): Query<HashMap<String, String>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let received = Received {
        param: form.get("param").cloned().unwrap_or_default(),
        sign: form.get("sign").cloned(),
        token: query.get("t").cloned(),
    };
    state.got.lock().unwrap_or_else(PoisonError::into_inner).push(received);
    let mode = *state.mode.lock().unwrap_or_else(PoisonError::into_inner);
    match mode {
        Mode::Ack => (StatusCode::OK, PUSH_ACK).into_response(),
        Mode::Refuse => (StatusCode::INTERNAL_SERVER_ERROR, PUSH_ACK).into_response(),
        Mode::SayNo => (StatusCode::OK, r#"{"result":false,"returnCode":"500","message":"失败"}"#).into_response(),
        Mode::Hang => {
            tokio::time::sleep(StdDuration::from_secs(5)).await;
            (StatusCode::OK, PUSH_ACK).into_response()
        }
    }
}

/// A push receiver on loopback that records what it gets.
struct Receiver {
    /// `http://127.0.0.1:PORT/push?t=token`.
    url: String,
    state: ReceiverState,
    _stop: oneshot::Sender<()>,
}

impl Receiver {
    async fn start() -> Self {
        let state = ReceiverState { got: Arc::default(), mode: Arc::new(Mutex::new(Mode::Ack)) };
        let router = axum::Router::new().route("/push", axum::routing::post(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
        let url = format!("http://{}/push?t=token", listener.local_addr().expect("an address"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Self { url, state, _stop: stop }
    }

    fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap_or_else(PoisonError::into_inner) = mode;
    }

    fn got(&self) -> Vec<Received> {
        self.state.got.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn count(&self) -> usize {
        self.state.got.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

struct Fixture {
    clock: ManualClock,
    sandbox: Sandbox,
    /// The simulator's base URL.
    url: String,
    http: reqwest::Client,
    receiver: Receiver,
    _stop: oneshot::Sender<()>,
}

/// The simulator served on loopback without its push loop, and a receiver.
async fn start_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Fixture {
    let clock = ManualClock::new(start_time());
    let mut config = SandboxConfig::new(sandbox_credentials(), Arc::new(clock.clone()));
    adjust(&mut config);
    let sandbox = Sandbox::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = sandbox.clone();
    tokio::spawn(async move {
        server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
    });
    let receiver = Receiver::start().await;
    Fixture { clock, sandbox, url, http: reqwest::Client::new(), receiver, _stop: stop }
}

async fn start() -> Fixture {
    start_with(|_| {}).await
}

fn return_code(answer: &Value) -> &str {
    answer["returnCode"].as_str().unwrap_or("")
}

/// A number ending in `digit` whose parcel ends as `ending`.
fn number_with(com: &str, digit: u8, ending: Ending) -> String {
    (0..500)
        .map(|i| format!("YT96930836{i:04}{digit}"))
        .find(|num| Parcel::generate(com, num, start_time()).ending == ending)
        .expect("some number has that ending")
}

impl Fixture {
    async fn post_subscribe(&self, form: &[(&str, &str)]) -> Value {
        let response = self.http.post(format!("{}/poll", self.url)).form(form).send().await.expect("sent");
        assert_eq!(response.status(), 200, "Kuaidi100 answers refusals with HTTP 200");
        response.json().await.expect("a JSON body")
    }

    async fn subscribe_raw(&self, param: &str) -> Value {
        self.post_subscribe(&[("schema", "json"), ("param", param)]).await
    }

    /// Subscribes as the bot does (`SubscribeRequest::param`), with a phone and the test salt.
    async fn subscribe_with(&self, com: &str, num: &str, salt: &str) -> Value {
        let mut request = SubscribeRequest::new(com, num, &self.receiver.url);
        request.phone = Some("5678".into());
        self.subscribe_raw(&request.param(SANDBOX_KEY, &Salt::new(salt))).await
    }

    async fn subscribe(&self, com: &str, num: &str) -> Value {
        self.subscribe_with(com, num, SALT).await
    }

    async fn stats(&self) -> Stats {
        let response = self.http.get(format!("{}/sandbox/stats", self.url)).send().await.expect("sent");
        response.json().await.expect("stats JSON")
    }

    /// A signed real-time query of the parcel, as the bot would make it.
    async fn query(&self, com: &str, num: &str) -> Value {
        let param = format!(r#"{{"com":"{com}","num":"{num}","phone":"5678","resultv2":"4"}}"#);
        let sign = query_sign(&param, SANDBOX_KEY, SANDBOX_CUSTOMER);
        let form = [("customer", SANDBOX_CUSTOMER), ("sign", sign.as_str()), ("param", param.as_str())];
        let response = self.http.post(format!("{}/poll/query.do", self.url)).form(&form).send().await.expect("sent");
        response.json().await.expect("a JSON body")
    }

    /// The next check of the (only) subscription of `num`, if it still runs.
    fn next_check(&self, num: &str) -> Option<DateTime<Utc>> {
        self.sandbox.push_subscriptions().into_iter().find(|s| s.num == num).and_then(|s| s.next_check)
    }

    fn subscribed(&self, num: &str) -> bool {
        self.sandbox.push_subscriptions().iter().any(|s| s.num == num)
    }
}

#[tokio::test]
async fn every_return_code_answers_as_kuaidi100_documents() {
    let fx = start().await;
    let first = fx.subscribe("yuantong", "YT9693083639790").await;
    assert_eq!(
        (first["result"].clone(), return_code(&first), first["message"].clone()),
        (Value::Bool(true), "200", Value::from("提交成功"))
    );
    let again = fx.subscribe("YuanTong", "yt9693083639790").await;
    assert_eq!((again["result"].clone(), return_code(&again)), (Value::Bool(false), "501"));
    assert_eq!(again["message"], "重复订阅");

    for code in ["500", "600", "601", "700", "701", "702"] {
        let answer = fx.subscribe("yuantong", &format!("ERR{code}")).await;
        assert_eq!(return_code(&answer), code, "ERR{code}: {answer}");
        assert_eq!(answer["result"], false);
    }
    let expect = |answer: &Value, code: &str, why: &str| {
        assert_eq!(return_code(answer), code, "{why}: {answer}");
        assert_eq!(answer["result"], false, "{why}");
    };
    let url = fx.receiver.url.clone();
    let param = |company: &str, number: &str, key: &str, parameters: &str| {
        format!(r#"{{"company":"{company}","number":"{number}","key":"{key}","parameters":{{{parameters}}}}}"#)
    };
    let callback = format!(r#""callbackurl":"{url}","salt":"{SALT}","resultv2":"4""#);
    expect(&fx.post_subscribe(&[("schema", "json")]).await, "500", "no param");
    expect(
        &fx.post_subscribe(&[("param", &param("yuantong", "YT1234567", SANDBOX_KEY, &callback))]).await,
        "500",
        "no schema",
    );
    expect(&fx.subscribe_raw("[1,2]").await, "500", "param not an object");
    expect(&fx.subscribe_raw(&param("yuantong", "", SANDBOX_KEY, &callback)).await, "500", "no number");
    expect(&fx.subscribe_raw(&param("", "YT1234567", SANDBOX_KEY, &callback)).await, "500", "no company");
    expect(
        &fx.subscribe_raw(&param("yuantong", "YT1234567", SANDBOX_KEY, r#""salt":"x""#)).await,
        "500",
        "no callbackurl",
    );
    expect(&fx.subscribe_raw(&param("yuantong", "YT1234567", "wrong-key", &callback)).await, "600", "bad key");
    let ftp = r#""callbackurl":"ftp://127.0.0.1/push","salt":"x""#;
    expect(&fx.subscribe_raw(&param("yuantong", "YT1234567", SANDBOX_KEY, ftp)).await, "700", "not http(s)");
    expect(&fx.subscribe_raw(&param("shunfeng", "SF1234567890123", SANDBOX_KEY, &callback)).await, "700", "no phone");
    expect(&fx.subscribe_raw(&param("nosuchcourier", "YT1234567", SANDBOX_KEY, &callback)).await, "701", "courier");
    let auto = format!(r#"{callback},"autoCom":"1""#);
    expect(&fx.subscribe_raw(&param("", "hello-world", SANDBOX_KEY, &auto)).await, "702", "unidentifiable");
    let detected = fx.subscribe_raw(&param("", "YT9693083639791", SANDBOX_KEY, &auto)).await;
    assert_eq!(return_code(&detected), "200", "{detected}");
    let get: Value = fx.http.get(format!("{}/poll", fx.url)).send().await.expect("sent").json().await.expect("JSON");
    assert_eq!(return_code(&get), "500");

    let stats = fx.stats().await;
    assert_eq!(stats.subscribe_calls, 2 + 6 + 12, "every POST /poll");
    assert_eq!(stats.subscribes_accepted, 2);
    assert_eq!(stats.subscribe_by_return_code.get("500"), Some(&7));
    assert_eq!(stats.subscribe_by_return_code.get("501"), Some(&1));
    assert_eq!(stats.subscribe_by_return_code.get("700"), Some(&3));
    assert_eq!(stats.parcel("yuantong", "YT9693083639790").map(|p| (p.subscribes, p.queries)), Some((2, 0)));
    assert_eq!(stats.parcel("yuantong", "YT9693083639791").map(|p| p.subscribes), Some(1), "the detected courier");
    assert_eq!(stats.total_queries, 0, "subscribing is not querying");
    assert_eq!(stats, fx.sandbox.stats(), "the endpoint serves the same books");
    let view = fx.sandbox.push_subscriptions();
    assert_eq!(view.len(), 2);
    assert_eq!(view[0].callback_url, url);
}

#[tokio::test]
async fn the_first_push_comes_within_15_minutes_to_4_hours_signed_with_the_salt() {
    let fx = start().await;
    let num = "YT9693083639790";
    assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200");
    let unsigned = "YT9693083639780";
    assert_eq!(return_code(&fx.subscribe_with("yuantong", unsigned, "").await), "200");
    let mut arrivals: HashMap<String, Duration> = HashMap::new();
    let mut elapsed = Duration::zero();
    while arrivals.len() < 2 && elapsed <= Duration::hours(5) {
        let before = fx.receiver.count();
        fx.sandbox.deliver_due_pushes().await;
        for push in &fx.receiver.got()[before..] {
            arrivals.insert(push.document()["lastResult"]["nu"].as_str().unwrap_or("").to_owned(), elapsed);
        }
        fx.clock.advance(Duration::minutes(5));
        elapsed += Duration::minutes(5);
    }
    for (nu, at) in &arrivals {
        assert!((Duration::minutes(15)..=Duration::hours(4)).contains(at), "{nu}: first push after {at}");
    }
    assert_eq!(arrivals.len(), 2, "{arrivals:?}");
    let got = fx.receiver.got();
    let signed = got.iter().find(|p| p.param.contains(num)).expect("a push of the salted subscription");
    let push = signed.verified();
    assert_eq!(push.status, PushStatus::Polling);
    assert_eq!((push.courier(), push.last_result.nu.as_str()), ("yuantong", num));
    assert_eq!(push.last_result.data.len(), 1, "only the pick-up of a …0 parcel");
    assert_eq!(push.courier_corrected(), None);
    let document = signed.document();
    assert_eq!((document["billstatus"].as_str(), document["autoCheck"].as_str()), (Some("got"), Some("0")));
    assert_eq!(document["lastResult"]["data"][0]["statusCode"], "1", "resultv2=4 lines");
    assert_eq!(signed.token.as_deref(), Some("token"), "the callback URL's own query comes back");
    let tampered = signed.param.replacen("polling", "shutdown", 1);
    assert!(verify_push(&tampered, signed.sign.as_deref(), &Salt::new(SALT)).is_err());
    let plain = got.iter().find(|p| p.param.contains(unsigned)).expect("a push of the unsalted subscription");
    assert_eq!(plain.sign, None, "no salt, no sign");
    let stats = fx.stats().await;
    assert_eq!((stats.pushes_sent, stats.pushes_acknowledged, stats.push_retries), (2, 2, 0));
    let view = fx.sandbox.push_subscriptions();
    let salted = view.iter().find(|s| s.num == num).expect("still subscribed");
    assert_eq!(salted.acknowledged_lines, Some(signed.lines()));
    assert!(salted.next_check.is_some() && salted.pending.is_none());
}

#[tokio::test]
async fn pushes_come_on_change_only_and_the_last_is_shutdown() {
    let fx = start().await;
    let num = number_with("zhongtong", 0, Ending::Signed);
    assert_eq!(return_code(&fx.subscribe("zhongtong", &num).await), "200");
    let timeline = fx.sandbox.timeline("zhongtong", &num);
    let (mut quiet_checks, mut acknowledged) = (0, 0);
    for _ in 0..200 {
        let Some(at) = fx.next_check(&num) else { break };
        fx.clock.set(at);
        let revealed = timeline.revealed(at).len();
        let sent = fx.sandbox.deliver_due_pushes().await;
        if revealed == acknowledged {
            assert_eq!(sent, 0, "nothing new at {at}: no push");
            quiet_checks += 1;
        } else {
            assert_eq!(sent, 1, "{revealed} lines at {at}, {acknowledged} pushed before");
            let push = fx.receiver.got().last().cloned().expect("a push");
            assert_eq!(push.lines(), revealed, "the whole trajectory at the check");
            acknowledged = revealed;
        }
    }
    assert!(!fx.subscribed(&num), "the subscription ended");
    assert!(quiet_checks > 0, "some checks find nothing new");
    let got = fx.receiver.got();
    let statuses: Vec<PushStatus> = got.iter().map(|p| p.verified().status).collect();
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == PushStatus::Polling), "{statuses:?}");
    let last = got.last().expect("pushes").verified();
    assert_eq!(last.status, PushStatus::Shutdown);
    assert_eq!(last.last_result.data.len(), timeline.events.len());
    assert!(last.last_result.is_signed() && last.last_result.is_finished());
    let lines: Vec<usize> = got.iter().map(Received::lines).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "every push brings news: {lines:?}");
    // The push and a query at the same moment agree.
    let answer = fx.query("zhongtong", &num).await;
    assert_eq!(answer["data"], got.last().expect("pushes").document()["lastResult"]["data"]);
    assert_eq!(return_code(&fx.subscribe("zhongtong", &num).await), "200", "subscribable again after shutdown");
    let stats = fx.stats().await;
    assert_eq!((stats.pushes_sent, stats.pushes_acknowledged), (got.len() as u64, got.len() as u64));
    assert_eq!(stats.parcel("zhongtong", &num).map(|p| p.subscribes), Some(2));
}

#[tokio::test]
async fn a_delivered_parcel_shuts_down_at_its_first_check_and_may_be_subscribed_again() {
    let fx = start().await;
    let num = number_with("yunda", 9, Ending::Locker);
    assert_eq!(return_code(&fx.subscribe("yunda", &num).await), "200");
    fx.clock.advance(Duration::hours(4));
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1);
    let push = fx.receiver.got()[0].verified();
    assert_eq!(push.status, PushStatus::Shutdown);
    assert_eq!(push.last_result.state, "304");
    assert!(!fx.subscribed(&num));
    fx.clock.advance(Duration::hours(8));
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 0, "nothing after shutdown");
    assert_eq!(return_code(&fx.subscribe("yunda", &num).await), "200");
}

#[tokio::test]
async fn a_number_without_a_record_is_aborted_after_three_days() {
    let fx = start().await;
    let num = "NOREC0000001";
    assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200");
    let subscribed = fx.clock.now();
    for _ in 0..100 {
        let Some(at) = fx.next_check(num) else { break };
        fx.clock.set(at);
        let sent = fx.sandbox.deliver_due_pushes().await;
        if at - subscribed < Duration::days(3) {
            assert_eq!(sent, 0, "no line, no push, before three days ({at})");
        }
    }
    assert!(!fx.subscribed(num));
    let got = fx.receiver.got();
    assert_eq!(got.len(), 1, "one push: the abort");
    let push = got[0].verified();
    assert_eq!((push.status, push.message.as_str()), (PushStatus::Abort, "3天查询无记录"));
    assert!(push.last_result.data.is_empty());
    let age = fx.clock.now() - subscribed;
    assert!((Duration::days(3)..Duration::days(3) + Duration::hours(5)).contains(&age), "{age}");
    assert_eq!(return_code(&fx.query("yuantong", num).await), "500", "a query finds no record either");
    assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200", "subscribable again after abort");
}

#[tokio::test]
async fn refused_pushes_are_retried_three_times_30_minutes_apart_then_dropped() {
    let fx = start().await;
    fx.receiver.set_mode(Mode::Refuse);
    let num = number_with("yuantong", 0, Ending::Signed);
    assert_eq!(return_code(&fx.subscribe("yuantong", &num).await), "200");
    let first = fx.next_check(&num).expect("a first check");
    fx.clock.set(first);
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1, "the first attempt");
    for retry in 1..=3u32 {
        fx.clock.advance(Duration::minutes(29));
        assert_eq!(fx.sandbox.deliver_due_pushes().await, 0, "not before 30 minutes");
        fx.clock.advance(Duration::minutes(1));
        assert_eq!(fx.sandbox.deliver_due_pushes().await, 1, "retry {retry}");
        if retry == 2 {
            fx.receiver.set_mode(Mode::SayNo);
        }
    }
    fx.clock.advance(Duration::minutes(30));
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 0, "dropped after the third retry");
    let got = fx.receiver.got();
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|p| p.param == got[0].param && p.sign == got[0].sign), "the same push each time");
    let stats = fx.stats().await;
    assert_eq!((stats.pushes_sent, stats.pushes_acknowledged, stats.push_retries, stats.pushes_dropped), (4, 0, 3, 1));
    let view = fx.sandbox.push_subscriptions();
    assert_eq!((view[0].acknowledged_lines, view[0].pending.clone()), (None, None), "still subscribed, nothing due");
    // The next check pushes the whole trajectory again, since nothing was ever acknowledged.
    fx.receiver.set_mode(Mode::Ack);
    let next = fx.next_check(&num).expect("checks go on");
    assert!(next - first >= Duration::minutes(216), "about 4 hours after the first check");
    fx.clock.set(next);
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1);
    let again = fx.receiver.got().last().cloned().expect("a push");
    assert!(again.lines() >= got[0].lines());
    let stats = fx.stats().await;
    assert_eq!((stats.pushes_sent, stats.pushes_acknowledged, stats.push_retries), (5, 1, 3));
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_in_time_is_not_acknowledged() {
    let fx = start_with(|config| config.push_timeout = StdDuration::from_millis(300)).await;
    fx.receiver.set_mode(Mode::Hang);
    let num = "YT9693083639790";
    assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200");
    fx.clock.advance(Duration::hours(4));
    let started = std::time::Instant::now();
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1);
    assert!(started.elapsed() < StdDuration::from_secs(3), "gave up at the timeout: {:?}", started.elapsed());
    let pending = fx.sandbox.push_subscriptions()[0].pending.clone().expect("to be retried");
    assert_eq!((pending.retries, pending.due), (1, fx.clock.now() + Duration::minutes(30)));
    assert_eq!(fx.stats().await.pushes_acknowledged, 0);
}

#[tokio::test]
async fn a_clock_jump_collapses_the_due_checks_into_one_push() {
    let fx = start().await;
    let num = number_with("yuantong", 0, Ending::Signed);
    assert_eq!(return_code(&fx.subscribe("yuantong", &num).await), "200");
    fx.clock.advance(Duration::hours(30));
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1, "one push, not one per 4-hour step");
    let revealed = fx.sandbox.timeline("yuantong", &num).revealed(fx.clock.now()).len();
    assert!(revealed > 1);
    assert_eq!(fx.receiver.got()[0].lines(), revealed, "the trajectory at the end of the jump");
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 0);
    let next = fx.next_check(&num).expect("checks go on");
    assert!(next > fx.clock.now() + Duration::hours(3), "the next check is counted from now");
}

#[tokio::test]
async fn two_concurrent_callers_deliver_each_push_once() {
    let fx = start().await;
    for num in ["YT9693083639790", "YT9693083639781", "YT9693083639772"] {
        assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200");
    }
    fx.clock.advance(Duration::hours(4));
    let (a, b) = tokio::join!(fx.sandbox.deliver_due_pushes(), fx.sandbox.deliver_due_pushes());
    assert_eq!(a + b, 3, "{a} + {b}");
    assert!(a == 0 || b == 0, "one caller delivered all of them: {a}, {b}");
    assert_eq!(fx.receiver.count(), 3, "and each returned only after its deliveries");
    assert_eq!(fx.stats().await.pushes_acknowledged, 3);
}

#[tokio::test]
async fn comnew_numbers_push_a_courier_correction() {
    let fx = start().await;
    let num = "COMNEW00000019";
    assert_eq!(return_code(&fx.subscribe("yuantong", num).await), "200");
    assert_eq!(fx.sandbox.push_subscriptions()[0].tracked_com, "zhongtong");
    fx.clock.advance(Duration::hours(4));
    assert_eq!(fx.sandbox.deliver_due_pushes().await, 1);
    let received = fx.receiver.got()[0].clone();
    let document = received.document();
    assert_eq!(document["autoCheck"], "1");
    let push = received.verified();
    assert_eq!(push.courier_corrected(), Some(("yuantong", "zhongtong")));
    assert_eq!((push.courier(), push.last_result.com.as_str()), ("zhongtong", "zhongtong"));
    let zhongtong = fx.sandbox.timeline("zhongtong", num);
    assert_eq!(push.last_result.data.len(), zhongtong.events.len(), "…9: the zhongtong parcel's whole life");
}

#[tokio::test]
async fn a_spawned_simulator_pushes_with_nobody_driving() {
    let clock = ManualClock::new(start_time());
    let config = SandboxConfig::new(sandbox_credentials(), Arc::new(clock.clone()));
    let handle = spawn(config).await.expect("the simulator starts");
    let receiver = Receiver::start().await;
    let request = SubscribeRequest::new("yuantong", "YT9693083639790", &receiver.url);
    let param = request.param(SANDBOX_KEY, &Salt::new(SALT));
    let http = reqwest::Client::new();
    let answer: Value = http
        .post(format!("{}/poll", handle.url))
        .form(&[("schema", "json"), ("param", param.as_str())])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(return_code(&answer), "200");
    let later = SubscribeRequest::new("yuantong", "YT9693083639791", &receiver.url);
    let param = later.param(SANDBOX_KEY, &Salt::new(SALT));
    let form = [("schema", "json"), ("param", param.as_str())];
    http.post(format!("{}/poll", handle.url)).form(&form).send().await.expect("sent");
    clock.advance(Duration::hours(4));
    // Delivered and acknowledged: the receiver counts a push before it answers, and the simulator
    // books the acknowledgement once the answer is back.
    let sandbox = handle.sandbox.clone();
    let waited = tokio::time::timeout(StdDuration::from_secs(10), async {
        while receiver.count() < 2 || sandbox.stats().pushes_acknowledged < 2 {
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "the push loop delivered them");
    handle.shutdown().await.expect("a clean stop");
    assert_eq!(receiver.got()[0].verified().status, PushStatus::Polling);
    assert_eq!(sandbox.stats().pushes_acknowledged, 2);
    // A push that comes due after the shutdown is not sent: the loop stopped with the server.
    let next = sandbox.push_subscriptions().iter().filter_map(|s| s.next_check).min().expect("checks go on");
    clock.set(next + Duration::days(2));
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    assert_eq!(receiver.count(), 2, "no push after shutdown");
}
