//! The Kuaidi100 client against the simulator over real loopback HTTP, and against misbehaving servers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::kuaidi100::{Client, ClientConfig, Credentials, Error, Lang, QueryRequest, ResultV2, ReturnCode};
use kuaidi_bot::sandbox::{self, SandboxConfig, SandboxHandle};

async fn simulator() -> SandboxHandle {
    sandbox::spawn(SandboxConfig::new(sandbox::sandbox_credentials(), Arc::new(SystemClock)))
        .await
        .expect("simulator starts")
}

fn client_for(base: &str, credentials: Credentials) -> Client {
    Client::new(ClientConfig::new(base, &format!("{base}/autonumber/auto"), credentials)).expect("client builds")
}

/// A server that answers every request with `body` and `status`, optionally after a delay.
async fn fake_server(status: u16, body: &'static str, delay: Duration) -> String {
    let handler = move || async move {
        tokio::time::sleep(delay).await;
        (axum::http::StatusCode::from_u16(status).expect("status"), body)
    };
    let app = Router::new().route("/poll/query.do", post(handler)).route("/autonumber/auto", get(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_good_query_returns_the_trajectory() {
    let sim = simulator().await;
    let client = client_for(&sim.url, sandbox::sandbox_credentials());
    let result = client.query(&QueryRequest::new("yuantong", "YT9693083639795")).await.expect("answer");
    assert_eq!(result.com, "yuantong");
    assert_eq!(result.nu, "YT9693083639795");
    assert!(!result.data.is_empty());
    assert!(result.data.iter().all(|line| line.status_code.is_some()), "resultv2=4 is the default");
    assert!(result.route_info.is_some());

    let english = QueryRequest::new("yuantong", "YT9693083639795").with_lang(Lang::En).with_resultv2(ResultV2::Off);
    let result = client.query(&english).await.expect("answer");
    assert!(result.data.iter().all(|line| line.status_code.is_none() && line.area_name.is_none()));
    assert!(result.data.iter().all(|line| line.context.is_ascii()), "English text: {:?}", result.data);
    assert_eq!(sim.sandbox.stats().lock_violations, 1, "two queries of one parcel at once is a violation");
}

#[tokio::test]
async fn a_wrong_key_surfaces_as_the_signature_error() {
    let sim = simulator().await;
    let client = client_for(&sim.url, Credentials::new(sandbox::SANDBOX_CUSTOMER, "not-the-key"));
    let error = client.query(&QueryRequest::new("yuantong", "YT9693083639795")).await.expect_err("must fail");
    assert_eq!(error.return_code(), Some(&ReturnCode::BadSignature));
    assert!(!error.is_transient());
    assert!(!error.to_string().contains("not-the-key"));
}

#[tokio::test]
async fn each_err_number_surfaces_as_its_error() {
    let sim = simulator().await;
    let client = client_for(&sim.url, sandbox::sandbox_credentials());
    let cases = [
        ("ERR4000001", ReturnCode::BadRequest),
        ("ERR4080001", ReturnCode::PhoneCheckFailed),
        ("ERR5000001", ReturnCode::NoResult),
        ("ERR5010001", ReturnCode::ServerError),
        ("ERR5020001", ReturnCode::Busy),
        ("ERR5030001", ReturnCode::BadSignature),
        ("ERR6010001", ReturnCode::KeyExpired),
        ("ERR7770001", ReturnCode::Other("777".into())),
    ];
    for (number, code) in cases {
        let error = client.query(&QueryRequest::new("yuantong", number)).await.expect_err(number);
        assert_eq!(error.return_code(), Some(&code), "{number}: {error}");
    }
    assert_eq!(sim.sandbox.stats().total_queries, 8);
}

#[tokio::test]
async fn shunfeng_without_a_phone_is_408_and_with_one_answers() {
    let sim = simulator().await;
    let client = client_for(&sim.url, sandbox::sandbox_credentials());
    let error = client.query(&QueryRequest::new("shunfeng", "SF1234567890123")).await.expect_err("needs phone");
    assert_eq!(error.return_code(), Some(&ReturnCode::PhoneCheckFailed));
    let wrong = client.query(&QueryRequest::new("shunfeng", "SF1234567890124").with_phone("0000")).await;
    assert_eq!(wrong.expect_err("0000 is wrong").return_code(), Some(&ReturnCode::PhoneCheckFailed));
    let ok = client.query(&QueryRequest::new("shunfeng", "SF1234567890125").with_phone("5678")).await;
    assert!(ok.is_ok(), "{ok:?}");
    let unknown = client.query(&QueryRequest::new("nosuchcourier", "YT9693083639795")).await;
    assert_eq!(unknown.expect_err("unknown courier").return_code(), Some(&ReturnCode::BadRequest));
}

#[tokio::test]
async fn auto_detection_ranks_candidates() {
    let sim = simulator().await;
    let client = client_for(&sim.url, sandbox::sandbox_credentials());
    let candidates = client.autonumber("YT9693083639795").await.expect("candidates");
    assert_eq!(candidates.first().map(|c| c.com_code.as_str()), Some("yuantong"));
    assert!(client.autonumber("QQ12345678").await.expect("no candidates").is_empty());
    let wrong_key = client_for(&sim.url, Credentials::new(sandbox::SANDBOX_CUSTOMER, "wrong-key"));
    let error = wrong_key.autonumber("YT9693083639795").await.expect_err("wrong key");
    assert!(error.return_code().is_some(), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-key"));
}

#[tokio::test]
async fn an_html_error_page_is_a_clear_error_with_an_excerpt() {
    let url = fake_server(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", Duration::ZERO).await;
    let error =
        client_for(&url, Credentials::new("c", "k")).query(&QueryRequest::new("yuantong", "YT9693083639795")).await;
    match error {
        Err(Error::Http { status: 502, excerpt }) => assert!(excerpt.contains("502 Bad Gateway")),
        other => panic!("expected an HTTP error, got {other:?}"),
    }

    let url = fake_server(200, "<html>maintenance</html>", Duration::ZERO).await;
    let error =
        client_for(&url, Credentials::new("c", "k")).query(&QueryRequest::new("yuantong", "YT9693083639795")).await;
    match error {
        Err(error @ Error::BadBody { .. }) => {
            assert!(error.to_string().contains("maintenance"));
            assert!(error.is_transient());
        }
        other => panic!("expected a bad body, got {other:?}"),
    }
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_transient() {
    let url = fake_server(200, "{}", Duration::from_secs(5)).await;
    let mut config = ClientConfig::new(&url, &format!("{url}/autonumber/auto"), Credentials::new("c", "SECRETKEY"));
    config.timeout = Duration::from_millis(200);
    let error = Client::new(config).expect("client").query(&QueryRequest::new("yuantong", "YT9693083639795")).await;
    assert_eq!(error, Err(Error::Timeout));

    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let client = client_for(&format!("http://127.0.0.1:{port}"), Credentials::new("CUSTOMERID", "SECRETKEY"));
    let error = client.autonumber("YT9693083639795").await.expect_err("refused");
    assert!(matches!(error, Error::Connection(_)) && error.is_transient(), "{error:?}");
    assert!(!error.to_string().contains("SECRETKEY"), "the key travels in the URL and must not leak: {error}");
}

#[tokio::test]
async fn an_answer_over_the_size_cap_is_a_bad_body_not_read_whole() {
    let huge: &'static str =
        Box::leak(format!("{{\"message\":\"ok\",\"padding\":\"{}\"}}", "x".repeat(3 << 20)).into_boxed_str());
    let url = fake_server(200, huge, Duration::ZERO).await;
    let error =
        client_for(&url, Credentials::new("c", "k")).query(&QueryRequest::new("yuantong", "YT9693083639795")).await;
    match error {
        Err(error @ Error::BadBody { .. }) => {
            assert!(error.is_transient());
            assert!(error.to_string().len() < 200, "no excerpt of the body: {error}");
        }
        other => panic!("expected a bad body, got {:?}", other.map(|result| result.nu)),
    }
}
