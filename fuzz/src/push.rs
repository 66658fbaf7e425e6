//! A push callback, through the bot's own HTTP router: the form decoder, the signature check, the push
//! parser and the intake that writes to the store, as `POST /kuaidi100/push` runs them, on a throw-away
//! SQLite store (a file per process under `target/push-stores/`) and without a network (the requests are handed to the router in-process; the Kuaidi100
//! client points at a closed port and is never asked).
//!
//! The first byte chooses how the rest is sent, so that the fuzzer gets past the signature:
//! - `0`: the rest is the form body as received (any bytes);
//! - `1`: the rest is `param`, signed with the salt as Kuaidi100 signs it;
//! - `2`: the rest is `param`, a newline, and the `sign` to send with it.
//!
//! For 1 and 2 the answer must be what the signature check and the parser say: 200 and the
//! acknowledgement for a good push (applied, stale or unwatched), 400 for a signed document that is no
//! push, 403 for a missing or wrong sign. Never 500: the store does not fail here. Two parcels are kept
//! watched by a chat, so that good pushes are applied, diffed and queued as notices.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use kuaidi_bot::app::{Config, Engine};
use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::couriers::directory;
use kuaidi_bot::http::{BODY_LIMIT, PUSH_PATH, Readiness, router};
use kuaidi_bot::kuaidi100::push::{PUSH_ACK, PushRefusal, Salt, sign_push, verify_push};
use kuaidi_bot::kuaidi100::{Lang, QueryResult};
use kuaidi_bot::store::ParcelKey;
use kuaidi_bot::tracking::{Freshness, Report, Tracked};
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// `KUAIDI100_PUSH_SALT` of the fuzzed bot; the corpus's signed seeds use it too.
pub const SALT: &str = "fuzz-salt";
/// The parcels a chat watches: the callback vector's and the seed document's.
const WATCHED: [(&str, &str); 2] = [("yuantong", "YT9693083639795"), ("jtexpress", "JT0004301991791")];
const CHAT: i64 = 1;

struct Server {
    runtime: Runtime,
    router: Router,
    engine: Engine,
    salt: Salt,
}

/// Where the store of a fuzzing process is: a file per process under `target/push-stores/`, which
/// outlives it (libFuzzer exits without dropping anything) and which `.ci/fuzz` clears.
fn store_url() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/push-stores");
    std::fs::create_dir_all(&dir).expect("a directory for the store");
    let file = dir.join(format!("{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    format!("sqlite://{}", file.display())
}

static SERVER: LazyLock<Server> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let (engine, router) = runtime.block_on(async {
        let url = store_url();
        let vars = [
            ("DATABASE_URL", url),
            ("KUAIDI100_CUSTOMER", "FUZZCUSTOMER".to_owned()),
            ("KUAIDI100_KEY", "fuzz-key".to_owned()),
            ("KUAIDI100_API_URL", "http://127.0.0.1:9/poll/query.do".to_owned()),
            ("KUAIDI100_AUTONUMBER_URL", "http://127.0.0.1:9/autonumber/auto".to_owned()),
            ("KUAIDI100_PUSH_SALT", SALT.to_owned()),
        ];
        let config = Config::from_lookup(|name| vars.iter().find(|(key, _)| *key == name).map(|(_, v)| v.clone()))
            .expect("a configuration");
        let engine = Engine::start(config, Arc::new(SystemClock)).await.expect("an engine");
        let router = router(engine.http_state(Readiness::new()), Router::new());
        (engine, router)
    });
    Server { runtime, router, engine, salt: Salt::new(SALT) }
});

pub fn one_input(data: &[u8]) {
    let server = &*SERVER;
    let Some((&mode, rest)) = data.split_first() else { return };
    let (body, expected) = match mode % 3 {
        0 => (rest.to_vec(), None),
        1 => {
            let param = String::from_utf8_lossy(rest);
            let sign = sign_push(&param, &server.salt);
            signed(server, &param, &sign)
        }
        _ => {
            let at = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let param = String::from_utf8_lossy(&rest[..at]);
            let sign = String::from_utf8_lossy(rest.get(at + 1..).unwrap_or_default());
            signed(server, &param, &sign)
        }
    };
    let expected = if body.len() > BODY_LIMIT { Some(StatusCode::PAYLOAD_TOO_LARGE) } else { expected };
    let (status, answer) = server.runtime.block_on(async {
        let request = Request::post(PUSH_PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("a request");
        let response = server.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        keep_watching(server).await;
        (status, bytes)
    });
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "the store failed: {answer:?}");
    if let Some(expected) = expected {
        assert_eq!(status, expected, "{answer:?}");
    } else {
        let known = [StatusCode::OK, StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN, StatusCode::PAYLOAD_TOO_LARGE];
        assert!(known.contains(&status), "{status}: {answer:?}");
    }
    if status == StatusCode::OK {
        assert_eq!(&answer[..], PUSH_ACK.as_bytes());
    } else if status != StatusCode::PAYLOAD_TOO_LARGE {
        let json: serde_json::Value = serde_json::from_slice(&answer).expect("a refusal is JSON");
        assert_eq!(json["result"], false, "{json}");
    }
}

/// The form Kuaidi100 posts, and what the bot must answer to it.
fn signed(server: &Server, param: &str, sign: &str) -> (Vec<u8>, Option<StatusCode>) {
    let body =
        form_urlencoded::Serializer::new(String::new()).append_pair("param", param).append_pair("sign", sign).finish();
    let expected = match verify_push(param, Some(sign), &server.salt) {
        Ok(_) => StatusCode::OK,
        Err(PushRefusal::Malformed) => StatusCode::BAD_REQUEST,
        Err(PushRefusal::MissingSign | PushRefusal::BadSign) => StatusCode::FORBIDDEN,
    };
    (body.into_bytes(), Some(expected))
}

/// Subscribes the chat again to a parcel a push finished (or moved to another courier).
async fn keep_watching(server: &Server) {
    let now = chrono::Utc::now();
    for (code, number) in WATCHED {
        let key = ParcelKey::new(code, number);
        if server.engine.subscriptions.is_watched(CHAT, &key).await.unwrap_or(true) {
            continue;
        }
        let result = QueryResult { nu: number.into(), com: code.into(), state: "0".into(), ..QueryResult::default() };
        let tracked = Tracked {
            courier: directory().get(code).expect("a courier of the table"),
            number: number.into(),
            report: Report::Answer { result: Arc::new(result), freshness: Freshness::Fresh },
            fresh: true,
            answered_at: Some(now),
            queried_at: Some(now),
            next_query_at: now,
            daily_cap_reached: false,
            budget_spent_until: None,
            answer_lang: Some(Lang::Zh),
            last_answer: None,
        };
        server.engine.subscriptions.subscribe(CHAT, None, &tracked, Lang::Zh, None).await.expect("a subscription");
    }
}
