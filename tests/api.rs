//! The JSON API end to end: the bot's real HTTP server on a loopback port, on the in-process simulator
//! (sandbox mode), asked over HTTP like any client would.
//!
//! Every error class answers its status and its stable code; a parcel the bot was just asked about
//! costs the API no query (and the other way round); the token is required when set; the OpenAPI
//! document parses and names the paths; and schemathesis, a property-based API tester, finds no 5xx
//! and no response outside the document (`.ci/schemathesis`).

use std::process::Command;
use std::time::Duration;

use chrono::Duration as ChronoDuration;
use kuaidi_bot::chat::{Action, ChatRef, Incoming, Input, UserRef};
use kuaidi_bot::sandbox::{SANDBOX_CUSTOMER, SANDBOX_KEY};
use kuaidi_test_support::api::ApiServer;
use kuaidi_test_support::store::{self as test_store, TestStore};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A token long enough for `API_TOKEN`.
const TOKEN: &str = "test-token-0123456789abcdef";

/// A query string as pairs.
type Query<'a> = [(&'a str, &'a str)];

/// One answer of the API.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("(no error code)")
    }

    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

struct World {
    server: ApiServer,
    client: reqwest::Client,
    // Dropped after the server: the engine holds connections to its database.
    _store: TestStore,
}

impl World {
    async fn start(env: &[(&str, &str)]) -> Self {
        let store = test_store::sqlite().await.expect("sqlite");
        let server = ApiServer::start(&store, env).await.expect("the server starts");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
        Self { server, client, _store: store }
    }

    async fn get(&self, path: &str, query: &[(&str, &str)], headers: &[(&str, &str)]) -> Answer {
        let mut request = self.client.get(self.server.url(path)).query(query);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        for secret in [SANDBOX_KEY, SANDBOX_CUSTOMER, TOKEN] {
            assert!(!text.contains(secret), "a secret in the answer to {path} {query:?}: {text}");
        }
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path} {query:?}: not JSON: {text}"));
        Answer { status, headers, body }
    }

    async fn track(&self, query: &[(&str, &str)]) -> Answer {
        self.get("/api/v1/track", query, &[]).await
    }

    /// `/track <text>` from user `user` in their private chat, through the chat core as the bot runs it.
    async fn bot_track(&self, user: i64, text: &str) -> String {
        let core = self.server.engine.chat_core("kuaidi_test_bot");
        let incoming = Incoming::new(
            ChatRef::private(user),
            UserRef { id: user, language_code: Some("en".into()) },
            Input::Text(format!("/track {text}")),
        );
        core.handle(&incoming)
            .await
            .into_iter()
            .filter_map(|action| match action {
                Action::Send(reply) => Some(reply.html),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn queries(&self) -> u64 {
        self.server.total_queries()
    }
}

fn codes(couriers: &Value) -> Vec<&str> {
    couriers.as_array().map(|list| list.iter().filter_map(|c| c["code"].as_str()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_parcel_is_answered_with_the_query_document() {
    let world = World::start(&[]).await;
    let answer = world.track(&[("number", "yt 9693 0836 39795"), ("courier", "圆通"), ("lang", "en")]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let document = &answer.body;
    assert_eq!(document["number"], "YT9693083639795");
    assert_eq!(document["courier"]["code"], "yuantong");
    assert_eq!(document["courier"]["name_en"], "YTO Express");
    assert_eq!(document["lang"], "en");
    assert_eq!(document["sandbox"], true);
    assert_eq!(document["freshness"], "fresh");
    assert!(document["state"]["name"].is_string() && document["next_query_at"].is_string());
    let events = document["events"].as_array().expect("events");
    assert!(!events.is_empty() && events.iter().all(|e| e["time"].is_string() && e["context"].is_string()));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));

    // Detected from the number, and from memory the second time.
    let again = world.track(&[("number", "YT9693083639795")]).await;
    assert_eq!((again.status, again.body["freshness"].as_str()), (200, Some("cached")), "{again:?}");
    assert_eq!(again.body["lang"], "zh", "DEFAULT_LANG without lang= or Accept-Language");
    let english = world.get("/api/v1/track", &[("number", "YT9693083639795")], &[("accept-language", "en-GB")]).await;
    assert_eq!(english.body["lang"], "en");
    assert_eq!(world.queries(), 1);
}

fn error_codes_of(body: &serde_json::Value) -> Vec<&str> {
    body["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .map_or_else(Vec::new, |codes| codes.iter().filter_map(serde_json::Value::as_str).collect())
}

#[tokio::test]
async fn tz_adds_the_zone_and_local_times_and_a_bad_one_is_400() {
    let world = World::start(&[]).await;
    let plain = world.track(&[("number", "YT9693083639795"), ("lang", "en")]).await;
    assert_eq!(plain.status, 200, "{plain:?}");
    assert!(plain.body.get("zone").is_none() && plain.body["events"][0].get("local_time").is_none(), "{plain:?}");
    let berlin = world.track(&[("number", "YT9693083639795"), ("lang", "en"), ("tz", "Europe/Berlin")]).await;
    assert_eq!(berlin.status, 200, "{berlin:?}");
    assert_eq!(berlin.body["zone"], "Europe/Berlin");
    assert_eq!(berlin.body["events"][0]["time"], plain.body["events"][0]["time"], "Kuaidi100's own text is kept");
    let written = berlin.body["events"][0]["time"].as_str().expect("a time");
    let local = berlin.body["events"][0]["local_time"].as_str().expect("a local time");
    let wall = chrono::NaiveDateTime::parse_from_str(written, "%Y-%m-%d %H:%M:%S").expect("Kuaidi100's format");
    let at = chrono::TimeZone::from_local_datetime(&chrono_tz::Asia::Shanghai, &wall).single().expect("a time");
    let expected = at.with_timezone(&chrono_tz::Europe::Berlin).to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    assert_eq!(local, expected);
    assert!(berlin.body["next_query_local"].as_str().is_some_and(|t| t.ends_with("+01:00") || t.ends_with("+02:00")));
    let offset = world.track(&[("number", "YT9693083639795"), ("tz", "UTC-5")]).await;
    assert_eq!(offset.body["zone"], "UTC-05:00", "{offset:?}");
    let bad = world.track(&[("number", "YT9693083639795"), ("lang", "en"), ("tz", "Mars/Olympus")]).await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(bad.body["error"]["code"], "zone_invalid", "{bad:?}");
    assert!(bad.body["error"]["message"].as_str().is_some_and(|m| m.contains("Mars/Olympus")), "{bad:?}");
    assert_eq!(world.queries(), 1, "a zone never costs a query");
}

#[tokio::test]
async fn bad_input_is_400_and_says_what_is_wrong() {
    let world = World::start(&[]).await;
    let cases: [(&Query, &str, &str); 9] = [
        (&[("lang", "en")], "number_empty", "tracking number"),
        (&[("number", "12"), ("lang", "en")], "number_too_short", "at least 6"),
        (&[("number", &"9".repeat(40)), ("lang", "en")], "number_too_long", "at most 32"),
        (&[("number", "YT#9693083639795"), ("lang", "en")], "number_bad_chars", "#"),
        (&[("number", "YT9693083639795"), ("phone", "abcd"), ("lang", "en")], "phone_bad_chars", "a"),
        (&[("number", "SF1234567890123"), ("phone", "123"), ("lang", "en")], "phone_too_short", "3 digits"),
        (
            &[("number", "YT9693083639795"), ("courier", "nosuchcourier"), ("lang", "en")],
            "courier_unknown",
            "nosuchcourier",
        ),
        (&[("number", "YT9693083639795"), ("lang", "fr")], "lang_invalid", "fr"),
        (&[("number", "YT9693083639795"), ("number", "YT9693083639796")], "bad_query", ""),
    ];
    for (query, code, needle) in cases {
        let answer = world.track(query).await;
        assert_eq!((answer.status, answer.code()), (400, code), "{query:?}: {answer:?}");
        assert!(answer.message().contains(needle), "{query:?}: {}", answer.message());
        assert!(!answer.message().contains('<'), "plain text, no HTML: {}", answer.message());
    }
    let misspelled = world.track(&[("number", "YT9693083639795"), ("courier", "yuantog")]).await;
    assert_eq!((misspelled.status, misspelled.code()), (400, "courier_unknown"));
    assert_eq!(codes(&misspelled.body["error"]["suggestions"])[0], "yuantong", "{misspelled:?}");
    assert!(misspelled.message().contains("您是不是要找"), "Chinese by default: {}", misspelled.message());
    assert_eq!(world.queries(), 0, "nothing was asked upstream");
}

#[tokio::test]
async fn a_courier_to_choose_is_409_with_the_candidates() {
    let world = World::start(&[]).await;
    // 43 and 13 digits: shentong's and yunda's shape; the simulator's auto-detection answers both.
    let by_number = world.track(&[("number", "431234567890123"), ("lang", "en")]).await;
    assert_eq!((by_number.status, by_number.code()), (409, "courier_choose"), "{by_number:?}");
    assert_eq!(codes(&by_number.body["error"]["candidates"]), ["shentong", "yunda"]);
    assert!(by_number.message().contains("431234567890123"), "{}", by_number.message());
    let by_name = world.track(&[("number", "431234567890123"), ("courier", "德邦")]).await;
    assert_eq!((by_name.status, by_name.code()), (409, "courier_ambiguous"), "{by_name:?}");
    assert_eq!(codes(&by_name.body["error"]["candidates"]), ["debangkuaidi", "debangwuliu"]);
    // A candidate picked: answered.
    let picked = world.track(&[("number", "431234567890123"), ("courier", "yunda")]).await;
    assert_eq!(picked.status, 200, "{picked:?}");
    let unknown = world.track(&[("number", "QQ12345678")]).await;
    assert_eq!((unknown.status, unknown.code()), (422, "courier_not_detected"), "{unknown:?}");
    assert_eq!(world.queries(), 1);
}

#[tokio::test]
async fn phone_checked_couriers_want_the_right_last_four_digits() {
    let world = World::start(&[]).await;
    let without = world.track(&[("number", "SF1234567890123"), ("courier", "sf"), ("lang", "en")]).await;
    assert_eq!((without.status, without.code()), (422, "phone_required"), "{without:?}");
    assert_eq!(without.body["error"]["courier"]["code"], "shunfeng");
    assert_eq!(without.body["error"]["courier"]["needs_phone"], true);
    assert!(without.message().contains("last 4 digits"), "{}", without.message());

    // Kuaidi100 refuses the phone (the simulator refuses the digits 0000).
    let wrong = world.track(&[("number", "73100000000018"), ("courier", "zhongtong"), ("phone", "0000")]).await;
    assert_eq!((wrong.status, wrong.code()), (422, "phone_rejected"), "{wrong:?}");

    let right = world.track(&[("number", "SF1234567890123"), ("courier", "sf"), ("phone", "138-1234-5678")]).await;
    assert_eq!(right.status, 200, "{right:?}");
    // Inside the floor someone with another phone sees nothing (and no phone ever comes back whole).
    let other = world.track(&[("number", "SF1234567890123"), ("courier", "sf"), ("phone", "13900009999")]).await;
    assert_eq!((other.status, other.code()), (422, "phone_mismatch"), "{other:?}");
    assert!(other.body["error"]["next_query_at"].is_string());
    for answer in [&right, &other] {
        let text = answer.body.to_string();
        assert!(!text.contains("1381234") && !text.contains("1390000"), "a phone echoed: {text}");
        assert!(!text.contains("\"phone\""), "{text}");
    }
    assert_eq!(world.queries(), 2, "the refused phone and the right one");
}

#[tokio::test]
async fn too_many_questions_are_429_with_retry_after() {
    let world = World::start(&[("API_RATE_LIMIT", "2/min")]).await;
    for _ in 0..2 {
        assert_eq!(world.track(&[("number", "YT9693083639795")]).await.status, 200);
    }
    let throttled = world.track(&[("number", "YT9693083639795"), ("lang", "en")]).await;
    assert_eq!((throttled.status, throttled.code()), (429, "throttled"), "{throttled:?}");
    let header: u64 = throttled.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After seconds");
    assert_eq!(Some(header), throttled.body["error"]["retry_after"].as_u64());
    assert!((1..=30).contains(&header), "one request per 30 s: {header}");
    assert!(throttled.message().contains("wait"), "{}", throttled.message());
    // Courier suggestions cost nothing and are not counted.
    assert_eq!(world.get("/api/v1/couriers", &[("q", "yto")], &[]).await.status, 200);
    // The budget refills on the clock.
    world.server.clock.advance(ChronoDuration::seconds(30));
    assert_eq!(world.track(&[("number", "YT9693083639795")]).await.status, 200);
}

#[tokio::test]
async fn callers_are_told_apart_by_address_and_forwarded_for_only_from_trusted_proxies() {
    let number = [("number", "YT9693083639795")];
    let from = |client: &'static str| [("x-forwarded-for", client)];
    // The test is the proxy at 127.0.0.1: each client behind it has its own budget of one a minute.
    let proxied = World::start(&[("API_RATE_LIMIT", "1/min"), ("TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_eq!(proxied.get("/api/v1/track", &number, &from("203.0.113.1")).await.status, 200);
    assert_eq!(proxied.get("/api/v1/track", &number, &from("203.0.113.1")).await.status, 429);
    assert_eq!(proxied.get("/api/v1/track", &number, &from("203.0.113.2")).await.status, 200);
    // What a client writes in front of the proxy's entry is not believed.
    let forged = [("x-forwarded-for", "198.51.100.9, 203.0.113.2")];
    assert_eq!(proxied.get("/api/v1/track", &number, &forged).await.status, 429);

    // Not a trusted proxy: the header is ignored, every request is the peer's.
    let direct = World::start(&[("API_RATE_LIMIT", "1/min")]).await;
    assert_eq!(direct.get("/api/v1/track", &number, &from("203.0.113.1")).await.status, 200);
    assert_eq!(direct.get("/api/v1/track", &number, &from("203.0.113.2")).await.status, 429);

    // With a token, its holder is the caller, wherever it calls from.
    let bearer = format!("Bearer {TOKEN}");
    let held =
        World::start(&[("API_RATE_LIMIT", "1/min"), ("API_TOKEN", TOKEN), ("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let as_client = |client: &'static str| [("authorization", bearer.clone()), ("x-forwarded-for", client.to_owned())];
    let headers = as_client("203.0.113.1");
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(held.get("/api/v1/track", &number, &headers).await.status, 200);
    let headers = as_client("203.0.113.2");
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(held.get("/api/v1/track", &number, &headers).await.status, 429);
}

#[tokio::test]
async fn kuaidi100_failing_is_503_or_502_with_the_answer_from_before_when_there_is_one() {
    let world = World::start(&[]).await;
    // Nothing from before: busy (502 from Kuaidi100) is 503, an expired key (601) is 502.
    let busy = world.track(&[("number", "ERR5020001"), ("courier", "yuantong"), ("lang", "en")]).await;
    assert_eq!((busy.status, busy.code()), (503, "upstream_unavailable"), "{busy:?}");
    assert!(busy.body["error"].get("cached").is_none(), "{busy:?}");
    let wait: u64 = busy.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=1800).contains(&wait), "until the floor allows another query: {wait}");
    assert!(busy.message().contains("try again later"), "{}", busy.message());
    assert!(!busy.message().contains("服务器繁忙"), "Kuaidi100's own message is not shown");
    let expired = world.track(&[("number", "ERR6010001"), ("courier", "yuantong")]).await;
    assert_eq!((expired.status, expired.code()), (502, "upstream_failed"), "{expired:?}");
    assert!(expired.body["error"].get("cached").is_none());
    let none = world.track(&[("number", "NOREC0000001"), ("courier", "yuantong")]).await;
    assert_eq!((none.status, none.code()), (404, "no_result_yet"), "{none:?}");
    let rejected = world.track(&[("number", "ERR4000001"), ("courier", "yuantong")]).await;
    assert_eq!((rejected.status, rejected.code()), (422, "courier_rejected"), "{rejected:?}");

    // Answered once, then Kuaidi100 fails after the floor: the old answer comes along, marked stale.
    for number in ["YT9693083639795", "YT9693083639796"] {
        assert_eq!(world.track(&[("number", number)]).await.status, 200);
    }
    world.server.clock.advance(ChronoDuration::minutes(31));
    world.server.sandbox().set_forced_error(Some("502"));
    let stale = world.track(&[("number", "YT9693083639795")]).await;
    assert_eq!((stale.status, stale.code()), (503, "upstream_unavailable"), "{stale:?}");
    let cached = &stale.body["error"]["cached"];
    assert_eq!((cached["number"].as_str(), cached["freshness"].as_str()), (Some("YT9693083639795"), Some("stale")));
    assert!(stale.header("retry-after").is_some());
    world.server.sandbox().set_forced_error(Some("601"));
    let refused = world.track(&[("number", "YT9693083639796")]).await;
    assert_eq!((refused.status, refused.code()), (502, "upstream_failed"), "{refused:?}");
    assert_eq!(refused.body["error"]["cached"]["freshness"], "stale", "{refused:?}");
    world.server.sandbox().set_forced_error(None);
    assert_eq!(world.server.sandbox().stats().lock_violations, 0);
}

#[tokio::test]
async fn the_bot_and_the_api_share_one_query_inside_the_floor() {
    let world = World::start(&[]).await;
    // The bot first, then the API.
    let reply = world.bot_track(7, "yto YT9693083639795").await;
    assert!(reply.contains("YT9693083639795"), "{reply}");
    assert_eq!(world.queries(), 1);
    let answer = world.track(&[("number", "YT9693083639795"), ("courier", "yuantong")]).await;
    assert_eq!((answer.status, answer.body["freshness"].as_str()), (200, Some("cached")), "{answer:?}");
    assert_eq!(world.queries(), 1, "the API's question cost nothing");

    // The API first, then the bot.
    let answer = world.track(&[("number", "YT9693083639796")]).await;
    assert_eq!((answer.status, answer.body["freshness"].as_str()), (200, Some("fresh")));
    let reply = world.bot_track(8, "YT9693083639796").await;
    assert!(reply.contains("YT9693083639796"), "{reply}");
    assert_eq!(world.queries(), 2, "the bot's question cost nothing");

    // After the floor, one new query for whoever asks first.
    world.server.clock.advance(ChronoDuration::minutes(31));
    let answer = world.track(&[("number", "YT9693083639795")]).await;
    assert_eq!(answer.body["freshness"], "fresh");
    world.bot_track(7, "yto YT9693083639795").await;
    assert_eq!(world.queries(), 3);
    assert_eq!(world.server.sandbox().stats().lock_violations, 0);
}

#[tokio::test]
async fn with_a_token_set_only_its_bearer_may_call() {
    let world = World::start(&[("API_TOKEN", TOKEN)]).await;
    let query = [("number", "YT9693083639795"), ("lang", "en")];
    let missing = world.get("/api/v1/track", &query, &[]).await;
    let bearer = format!("Bearer {TOKEN}");
    let wrong_token = format!("Bearer {TOKEN}x");
    for (headers, what) in [
        (vec![], "missing"),
        (vec![("authorization", wrong_token.as_str())], "wrong"),
        (vec![("authorization", "Basic dXNlcjpwYXNz")], "another scheme"),
        (vec![("authorization", TOKEN)], "no scheme"),
    ] {
        let answer = world.get("/api/v1/track", &query, &headers).await;
        assert_eq!((answer.status, answer.code()), (401, "unauthorized"), "{what}: {answer:?}");
        assert_eq!(answer.header("www-authenticate"), Some("Bearer realm=\"kuaidi-bot\""), "{what}");
        assert!(answer.message().contains("Authorization: Bearer"), "{what}: {}", answer.message());
        let couriers = world.get("/api/v1/couriers", &[("q", "yto")], &headers).await;
        assert_eq!(couriers.status, 401, "{what}");
    }
    assert_eq!(missing.status, 401);
    assert_eq!(world.queries(), 0, "nothing was asked for the refused");
    let allowed = world.get("/api/v1/track", &query, &[("authorization", &bearer)]).await;
    assert_eq!(allowed.status, 200, "{allowed:?}");
    let allowed = world.get("/api/v1/couriers", &[("q", "yto")], &[("authorization", &bearer)]).await;
    assert_eq!(codes(&allowed.body["couriers"])[0], "yuantong");

    // The document stays public and says a token is needed.
    let document = world.get("/api/openapi.json", &[], &[]).await;
    assert_eq!(document.status, 200);
    assert_eq!(document.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let track = &document.body["paths"]["/api/v1/track"]["get"];
    assert_eq!(track["security"][0]["bearer"], serde_json::json!([]));
    assert!(track["responses"]["401"].is_object());
}

#[tokio::test]
async fn courier_suggestions_for_the_form() {
    let world = World::start(&[]).await;
    let answer = world.get("/api/v1/couriers", &[("q", "顺丰"), ("limit", "3")], &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let couriers = &answer.body["couriers"];
    assert_eq!(codes(couriers), ["shunfeng", "shunfengkuaiyun", "shunfenglengyun"], "{couriers}");
    assert_eq!(couriers[0]["name_zh"], "顺丰速运");
    assert_eq!(couriers[0]["needs_phone"], true);
    let popular = world.get("/api/v1/couriers", &[], &[]).await;
    assert_eq!(popular.body["couriers"].as_array().map(Vec::len), Some(10), "the default limit");
    assert_eq!(codes(&popular.body["couriers"])[..3], ["yuantong", "shentong", "zhongtong"]);
    let nothing = world.get("/api/v1/couriers", &[("q", "xyzzy123")], &[]).await;
    assert_eq!((nothing.status, nothing.body["couriers"].as_array().map(Vec::len)), (200, Some(0)));
    for limit in ["0", "51", "many"] {
        let refused = world.get("/api/v1/couriers", &[("q", "yto"), ("limit", limit)], &[]).await;
        assert_eq!((refused.status, refused.code()), (400, "limit_invalid"), "{limit}");
    }
}

#[tokio::test]
async fn the_openapi_document_parses_and_lists_the_paths() {
    let world = World::start(&[]).await;
    let document = world.get("/api/openapi.json", &[], &[]).await;
    assert_eq!(document.status, 200);
    let body = &document.body;
    assert!(body["openapi"].as_str().is_some_and(|version| version.starts_with("3.")), "{}", body["openapi"]);
    let paths: Vec<&String> = body["paths"].as_object().expect("paths").keys().collect();
    assert_eq!(paths, ["/api/openapi.json", "/api/v1/couriers", "/api/v1/track"]);
    let track = &body["paths"]["/api/v1/track"]["get"];
    let statuses: Vec<&String> = track["responses"].as_object().expect("responses").keys().collect();
    assert_eq!(statuses, ["200", "400", "404", "409", "422", "429", "502", "503"]);
    assert!(track.get("security").is_none() && body["components"].get("securitySchemes").is_none(), "open");
    let parameters: Vec<&str> =
        track["parameters"].as_array().expect("parameters").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(parameters, ["number", "courier", "phone", "lang", "tz"]);
    let zone_error = error_codes_of(body);
    assert!(zone_error.contains(&"zone_invalid"), "{zone_error:?}");
    let error_codes = body["components"]["schemas"]["ErrorCode"]["enum"].as_array().expect("codes");
    assert!(error_codes.iter().any(|code| code == "courier_choose") && error_codes.len() > 20);
    for schema in ["TrackDocument", "ErrorResponse", "CourierList"] {
        assert!(body["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

/// The venv schemathesis runs from (`.ci/schemathesis` makes it on first use).
fn schemathesis_available() -> Result<(), String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    match Command::new(&python).args(["-m", "venv", "--help"]).output() {
        Ok(output) if output.status.success() => Ok(()),
        Ok(_) => Err(format!("{python} has no venv module")),
        Err(error) => Err(format!("no {python}: {error}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_5xx_and_every_response_matches_the_schema() {
    let required = std::env::var_os("CI").is_some() || std::env::var_os("KUAIDI_TEST_REQUIRE_POSTGRES").is_some();
    if let Err(why) = schemathesis_available() {
        assert!(!required, "schemathesis is required here (CI): {why}");
        eprintln!("SKIPPED schemathesis_finds_no_5xx_and_every_response_matches_the_schema: {why}");
        return;
    }
    // A generous budget: schemathesis's examples are each a question, and 429s would hide the rest.
    let world = World::start(&[("API_RATE_LIMIT", "100000/s")]).await;
    let schema = world.server.url("/api/openapi.json");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/schemathesis");
    let run = tokio::task::spawn_blocking(move || Command::new("bash").arg(script).arg(&schema).output());
    let output = run.await.expect("the run").expect("bash runs .ci/schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "schemathesis found problems:\n{stdout}\n{stderr}");
    // Its summary, for the log (`cargo test -- --nocapture`).
    eprintln!("{stdout}");
    assert!(stdout.contains("passed") || stdout.contains("No issues found"), "{stdout}\n{stderr}");
    assert_eq!(world.server.sandbox().stats().lock_violations, 0, "schemathesis broke the lock rule");
}
