//! The Kuaidi100 simulator over real loopback HTTP: the same requests a client sends to Kuaidi100, and
//! the same answers, books and lock-rule judgements the bot is measured by.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::clock::ManualClock;
use kuaidi_bot::kuaidi100::client::{Client, ClientConfig};
use kuaidi_bot::kuaidi100::param::{Lang, QueryRequest};
use kuaidi_bot::kuaidi100::sign::query_sign;
use kuaidi_bot::sandbox::{
    Ending, Parcel, SANDBOX_CUSTOMER, SANDBOX_KEY, SandboxConfig, SandboxHandle, Stats, sandbox_credentials, spawn,
};
use serde_json::Value;

/// 2024-05-01 10:00 in Beijing.
fn ten_am() -> DateTime<Utc> {
    DateTime::from_timestamp(1_714_528_800, 0).expect("a valid timestamp")
}

struct Fixture {
    handle: SandboxHandle,
    clock: ManualClock,
    http: reqwest::Client,
}

async fn start_with(adjust: impl FnOnce(&mut SandboxConfig)) -> Fixture {
    let clock = ManualClock::new(ten_am());
    let mut config = SandboxConfig::new(sandbox_credentials(), Arc::new(clock.clone()));
    adjust(&mut config);
    let handle = spawn(config).await.expect("the simulator starts on loopback");
    Fixture { handle, clock, http: reqwest::Client::new() }
}

async fn start() -> Fixture {
    start_with(|_| {}).await
}

fn param(com: &str, num: &str, extra: &str) -> String {
    format!(r#"{{"com":"{com}","num":"{num}"{extra}}}"#)
}

impl Fixture {
    async fn post_form(&self, form: &[(&str, &str)]) -> Value {
        let response =
            self.http.post(format!("{}/poll/query.do", self.handle.url)).form(form).send().await.expect("sent");
        assert_eq!(response.status(), 200, "Kuaidi100 answers errors with HTTP 200 too");
        response.json().await.expect("a JSON body")
    }

    /// A query signed with the built-in account over exactly `param`.
    async fn query(&self, param: &str) -> Value {
        let sign = query_sign(param, SANDBOX_KEY, SANDBOX_CUSTOMER);
        self.post_form(&[("customer", SANDBOX_CUSTOMER), ("sign", &sign), ("param", param)]).await
    }

    async fn stats(&self) -> Stats {
        let response = self.http.get(format!("{}/sandbox/stats", self.handle.url)).send().await.expect("sent");
        response.json().await.expect("stats JSON")
    }
}

fn return_code(answer: &Value) -> &str {
    answer["returnCode"].as_str().unwrap_or("")
}

fn lines(answer: &Value) -> &[Value] {
    answer["data"].as_array().map_or(&[], Vec::as_slice)
}

/// A number ending in `digit` whose parcel ends as `ending` (searching a few candidates).
fn number_with(com: &str, digit: u8, ending: Ending) -> String {
    (0..500)
        .map(|i| format!("YT96930836{i:04}{digit}"))
        .find(|num| Parcel::generate(com, num, ten_am()).ending == ending)
        .expect("some number has that ending")
}

#[tokio::test]
async fn a_signed_query_answers_a_trajectory_in_kuaidi100s_shape() {
    let fx = start().await;
    let answer = fx.query(&param("yuantong", "YT9693083639795", r#","resultv2":"4""#)).await;
    assert_eq!(answer["message"], "ok");
    assert_eq!(answer["status"], "200");
    assert_eq!((answer["com"].as_str(), answer["nu"].as_str()), (Some("yuantong"), Some("YT9693083639795")));
    assert!(answer.get("returnCode").is_none());
    assert!(!lines(&answer).is_empty());
    assert_eq!(answer["isLoop"], false);
    assert!(
        answer["routeInfo"]["from"]["number"].as_str().is_some_and(|code| code.starts_with("CN") && code.len() == 14)
    );
    let first = &lines(&answer)[0];
    for field in [
        "time",
        "ftime",
        "context",
        "status",
        "statusCode",
        "areaCode",
        "areaName",
        "location",
        "areaCenter",
        "areaPinYin",
    ] {
        assert!(first[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {first}");
    }
    assert_eq!(answer["state"], first["statusCode"], "resultv2=4: state is the newest advanced code");
}

#[tokio::test]
async fn resultv2_order_and_lang_shape_the_answer() {
    let fx = start().await;
    let num = number_with("yuantong", 9, Ending::Signed);
    let plain = fx.query(&param("yuantong", &num, "")).await;
    let keys: Vec<&String> = lines(&plain)[0].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys.len(), 3, "time, ftime, context: {keys:?}");
    assert_eq!(plain["state"], "3", "basic family code without resultv2=4");
    assert_eq!(plain["ischeck"], "1");

    let areas = fx.query(&param("yuantong", &num, r#","resultv2":"1","order":"asc""#)).await;
    let oldest = &lines(&areas)[0];
    assert_eq!(oldest["status"], "揽收", "asc: the pick-up comes first");
    assert!(oldest["areaCode"].is_string() && oldest["areaName"].is_string() && oldest.get("statusCode").is_none());
    assert!(areas.get("routeInfo").is_none());

    let english = fx.query(&param("yuantong", &num, r#","resultv2":"4","lang":"en""#)).await;
    let newest = &lines(&english)[0];
    assert_eq!(newest["statusCode"], "301", "desc by default: the signature comes first");
    assert_eq!(newest["status"], "Signed by recipient");
    assert!(lines(&english).iter().all(|l| l["context"].as_str().is_some_and(str::is_ascii)));
    assert_eq!(english["state"], "301");
}

#[tokio::test]
async fn any_serialization_of_param_is_accepted_when_that_string_is_signed() {
    let fx = start().await;
    let variants = [
        r#"{"com":"yuantong","num":"YT9693083639795","resultv2":"4"}"#.to_owned(),
        "{\n  \"com\" : \"yuantong\",\n  \"num\" : \"YT9693083639795\" ,\n  \"resultv2\" : \"4\"\n}".to_owned(),
        r#"{"resultv2":"4","num":"YT9693083639795","to":"北京市","com":"yuantong"}"#.to_owned(),
        r#"{"com":"\u0079uantong","num":"YT9693083639795","from":"\u5e7f\u4e1c\u7701","to":"\u5317\u4eac"}"#.to_owned(),
    ];
    for raw in &variants {
        let answer = fx.query(raw).await;
        assert_eq!(answer["status"], "200", "{raw} → {answer}");
        assert_eq!(answer["nu"], "YT9693083639795");
    }
    // The signature of one serialization does not cover another.
    let sign = query_sign(&variants[0], SANDBOX_KEY, SANDBOX_CUSTOMER);
    let answer = fx.post_form(&[("customer", SANDBOX_CUSTOMER), ("sign", &sign), ("param", &variants[1])]).await;
    assert_eq!(return_code(&answer), "503");
    assert_eq!(answer["message"], "验证签名失败");
    assert_eq!(answer["result"], false);
    // Nor does another key, or another customer.
    let wrong_key = query_sign(&variants[0], "not-the-key", SANDBOX_CUSTOMER);
    let answer = fx.post_form(&[("customer", SANDBOX_CUSTOMER), ("sign", &wrong_key), ("param", &variants[0])]).await;
    assert_eq!(return_code(&answer), "503");
    let answer = fx
        .post_form(&[("customer", "SOMEBODYELSE0000000000000000000"), ("sign", &sign), ("param", &variants[0])])
        .await;
    assert_eq!(return_code(&answer), "503");
    let stats = fx.stats().await;
    assert_eq!(stats.total_queries, 4, "only authenticated queries are recorded");
    assert_eq!(stats.by_return_code.get("503"), None);
}

#[tokio::test]
async fn malformed_requests_get_kuaidi100_errors_not_http_errors() {
    let fx = start().await;
    let missing = fx.post_form(&[("customer", SANDBOX_CUSTOMER), ("param", "{}")]).await;
    assert_eq!(return_code(&missing), "400");
    assert_eq!(missing["message"], "找不到对应公司");
    // A body that is not a form at all.
    let response = fx
        .http
        .post(format!("{}/poll/query.do", fx.handle.url))
        .header("content-type", "application/json")
        .body(r#"{"customer":"x"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(return_code(&body), "400");
    // Signed, but not JSON / not an object / no number.
    for raw in ["com=yuantong&num=1", "[1,2,3]", r#"{"com":"yuantong"}"#, ""] {
        assert_eq!(return_code(&fx.query(raw).await), "400", "{raw:?}");
    }
    // Not a POST.
    let get = fx.http.get(format!("{}/poll/query.do", fx.handle.url)).send().await.expect("sent");
    assert_eq!(get.status(), 200);
    assert_eq!(return_code(&get.json::<Value>().await.expect("JSON")), "500");
    // Unknown routes are plain 404s.
    let lost = fx.http.get(format!("{}/poll/nothing-here", fx.handle.url)).send().await.expect("sent");
    assert_eq!(lost.status(), 404);
}

#[tokio::test]
async fn couriers_phones_and_err_numbers() {
    let fx = start().await;
    let unknown = fx.query(&param("nosuchcourier", "YT9693083639795", "")).await;
    assert_eq!(return_code(&unknown), "400");
    let no_phone = fx.query(&param("shunfeng", "SF1234567890123", "")).await;
    assert_eq!(return_code(&no_phone), "408");
    assert_eq!(no_phone["message"], "快递公司参数异常：验证码错误");
    let zeros = fx.query(&param("shunfeng", "SF1234567890124", r#","phone":"0000""#)).await;
    assert_eq!(return_code(&zeros), "408");
    for phone in ["5678", "13812345678"] {
        let fine = fx.query(&param("shunfeng", "SF1234567890125", &format!(r#","phone":"{phone}""#))).await;
        assert_eq!(fine["status"], "200", "phone {phone}: {fine}");
    }
    let expected = [
        ("ERR4000001", "400", "找不到对应公司"),
        ("err5000001", "500", "查询无结果，请隔段时间再查"),
        ("ERR5010001", "501", "服务器错误"),
        ("ERR5020001", "502", "服务器繁忙"),
        ("ERR5030001", "503", "验证签名失败"),
        ("ERR6010001", "601", "key已过期"),
        ("ERR4080001", "408", "快递公司参数异常：验证码错误"),
        ("ERR9990001", "999", "未知错误"),
    ];
    for (num, code, message) in expected {
        let answer = fx.query(&param("yuantong", num, "")).await;
        assert_eq!((return_code(&answer), answer["message"].as_str()), (code, Some(message)), "{num}");
    }
    let stats = fx.stats().await;
    assert_eq!(stats.total_queries, 5 + 8);
    assert_eq!(stats.by_return_code.get("408"), Some(&3));
    assert_eq!(stats.by_return_code.get("200"), Some(&2));
    assert_eq!(stats.by_return_code.get("999"), Some(&1));
    assert!(stats.parcel("yuantong", "ERR5000001").is_some(), "ERR numbers count as queries of their parcel");
}

#[tokio::test]
async fn a_fresh_number_ending_in_0_goes_through_its_whole_life() {
    let fx = start().await;
    let num = number_with("zhongtong", 0, Ending::Signed);
    let raw = param("zhongtong", &num, r#","phone":"1234","resultv2":"4""#);
    let first = fx.query(&raw).await;
    assert_eq!(lines(&first).len(), 1, "only the pick-up: {first}");
    assert_eq!(first["state"], "1");
    let mut seen = 1;
    let mut states = vec![first["state"].as_str().unwrap_or("").to_owned()];
    for _ in 0..120 {
        fx.clock.advance(Duration::hours(2));
        let answer = fx.query(&raw).await;
        let count = lines(&answer).len();
        assert!(count >= seen, "lines never disappear");
        seen = count;
        states.push(answer["state"].as_str().unwrap_or("").to_owned());
        if answer["ischeck"] == "1" {
            break;
        }
    }
    let timeline = fx.handle.sandbox.timeline("zhongtong", &num);
    assert_eq!(seen, timeline.events.len(), "everything revealed by the end");
    for code in ["1", "1002", "1001", "5", "301"] {
        assert!(states.iter().any(|s| s == code), "{code} seen along the way: {states:?}");
    }
    let stats = fx.stats().await;
    assert_eq!(stats.lock_violations, 0, "two hours apart never breaks the rule");
}

#[tokio::test]
async fn a_number_ending_in_9_is_delivered_at_once() {
    let fx = start().await;
    let num = number_with("yunda", 9, Ending::Locker);
    let answer = fx.query(&param("yunda", &num, r#","resultv2":"4""#)).await;
    assert_eq!(answer["ischeck"], "1");
    assert_eq!(answer["state"], "304");
    assert_eq!(answer["condition"], "F00");
    assert!(lines(&answer).len() >= 6);
}

#[tokio::test]
async fn the_lock_rule_is_judged_in_simulated_time() {
    let fx = start().await;
    let raw = param("yuantong", "YT1111111111115", "");
    fx.query(&raw).await;
    fx.clock.advance(Duration::minutes(10));
    fx.query(&raw).await;
    assert_eq!(fx.stats().await.lock_violations, 1, "10 minutes apart");
    fx.clock.advance(Duration::minutes(30));
    fx.query(&raw).await;
    let other = param("yuantong", "YT2222222222225", "");
    fx.query(&other).await;
    fx.clock.advance(Duration::minutes(30));
    fx.query(&other).await;
    let stats = fx.stats().await;
    assert_eq!(stats.lock_violations, 1, "30 minutes apart is fine");
    assert_eq!(stats.parcel("yuantong", "YT1111111111115").map(|p| (p.queries, p.violations)), Some((3, 1)));
    assert_eq!(stats.parcel("yuantong", "YT2222222222225").map(|p| (p.queries, p.violations)), Some((2, 0)));
    assert_eq!(stats, fx.handle.sandbox.stats(), "the endpoint serves the same books");
}

#[tokio::test]
async fn more_than_48_queries_a_day_break_the_rule_even_when_spaced() {
    let fx = start_with(|config| config.lock_interval = Duration::minutes(1)).await;
    let raw = param("yuantong", "YT3333333333335", "");
    for _ in 0..49 {
        fx.query(&raw).await;
        fx.clock.advance(Duration::minutes(20));
    }
    let stats = fx.stats().await;
    assert_eq!(stats.lock_violations, 1);
    assert_eq!(stats.parcels[0].max_in_24h, 49);
}

#[tokio::test]
async fn forced_errors_simulate_an_outage_and_are_still_recorded() {
    let fx = start().await;
    let raw = param("yuantong", "YT4444444444440", "");
    fx.handle.sandbox.set_forced_error(Some("502"));
    let answer = fx.query(&raw).await;
    assert_eq!((return_code(&answer), answer["message"].as_str()), ("502", Some("服务器繁忙")));
    fx.handle.sandbox.set_forced_error(None);
    fx.clock.advance(Duration::hours(1));
    let answer = fx.query(&raw).await;
    assert_eq!(answer["status"], "200");
    assert_eq!(lines(&answer).len(), 1, "the timeline is anchored at the first answered query");
    let stats = fx.stats().await;
    assert_eq!(stats.by_return_code.get("502"), Some(&1));
    assert_eq!(stats.total_queries, 2);
}

#[tokio::test]
async fn latency_delays_each_query_but_not_the_others() {
    let fx = start().await;
    fx.handle.sandbox.set_latency(Some(StdDuration::from_millis(300)));
    let started = Instant::now();
    let queries = (0..8).map(|i| {
        let raw = param("yuantong", &format!("YT555555555555{i}"), "");
        let fx = &fx;
        async move { fx.query(&raw).await }
    });
    let answers = futures::future::join_all(queries).await;
    let elapsed = started.elapsed();
    assert!(answers.iter().all(|a| a["status"] == "200"));
    assert!(elapsed >= StdDuration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < StdDuration::from_millis(1_500), "served concurrently: {elapsed:?}");
}

#[tokio::test]
async fn autonumber_guesses_from_the_number_and_checks_the_key() {
    let fx = start().await;
    let url = fx.handle.autonumber_url();
    let get: Value = fx
        .http
        .get(&url)
        .query(&[("num", "YT9693083639795"), ("key", SANDBOX_KEY)])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let guesses = get.as_array().cloned().unwrap_or_default();
    assert_eq!(guesses.first().map(|g| g["comCode"].clone()), Some(Value::from("yuantong")), "{get}");
    assert_eq!(guesses[0]["lengthPre"], 15);
    assert!(guesses[0]["name"].as_str().is_some_and(|n| n.contains("圆通")));
    assert!(guesses[0]["noCount"].as_u64().is_some());

    let post: Value = fx
        .http
        .post(&url)
        .form(&[("num", "SF1234567890123"), ("key", SANDBOX_KEY)])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(post[0]["comCode"], "shunfeng", "{post}");
    let nothing: Value = fx
        .http
        .get(&url)
        .query(&[("num", "hello"), ("key", SANDBOX_KEY)])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(nothing, Value::Array(Vec::new()));
    let wrong: Value = fx
        .http
        .get(&url)
        .query(&[("num", "YT9693083639795"), ("key", "nope")])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!((return_code(&wrong), wrong["result"].clone()), ("601", Value::Bool(false)));
    let stats = fx.stats().await;
    assert_eq!(stats.autonumber_queries, 3, "calls with the right key");
    assert_eq!(stats.total_queries, 0, "auto-detection is not a real-time query");
}

#[tokio::test]
async fn the_crates_own_client_reads_the_simulator() {
    let fx = start().await;
    let config = ClientConfig::new(&fx.handle.url, &fx.handle.autonumber_url(), sandbox_credentials());
    let client = Client::new(config).expect("a client");
    let result = client
        .query(&QueryRequest::new("yuantong", "YT9693083639798").with_lang(Lang::En))
        .await
        .expect("a trajectory");
    assert_eq!(result.state, "5", "…8 is out for delivery at the first query");
    assert!(result.data[0].context.contains("out for delivery"), "{:?}", result.data[0]);
    fx.clock.advance(Duration::hours(1));
    let error = client.query(&QueryRequest::new("yuantong", "ERR5020001")).await.expect_err("busy");
    assert!(error.is_transient(), "{error}");
    let guesses = client.autonumber("YT9693083639795").await.expect("guesses");
    assert_eq!(guesses.first().map(|g| g.com_code.as_str()), Some("yuantong"));
}

#[tokio::test]
async fn serve_runs_until_its_shutdown_future_completes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = SandboxConfig::new(sandbox_credentials(), Arc::new(ManualClock::new(ten_am())));
    let server = tokio::spawn(kuaidi_bot::sandbox::serve(listener, config, async move {
        let _ = stopped.await;
    }));
    let stats: Stats = reqwest::get(format!("{url}/sandbox/stats")).await.expect("up").json().await.expect("JSON");
    assert_eq!(stats, Stats::default());
    let _ = stop.send(());
    let finished = tokio::time::timeout(StdDuration::from_secs(5), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

#[tokio::test]
async fn a_handle_shuts_its_server_down() {
    let fx = start().await;
    let url = fx.handle.url.clone();
    assert!(!url.ends_with('/') && url.starts_with("http://127.0.0.1:"));
    fx.handle.shutdown().await.expect("a clean stop");
    let after = reqwest::Client::new().get(format!("{url}/sandbox/stats")).send().await;
    assert!(after.is_err(), "nothing listens any more");
}
