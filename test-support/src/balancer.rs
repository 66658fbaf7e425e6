//! A tiny round-robin HTTP reverse proxy on loopback: the load balancer in front of several replicas.
//!
//! Why: in webhook mode every replica registers the same `PUBLIC_URL` with Telegram, and something in
//! front of them must hand each update to one of them. Here that is this proxy: each request (method,
//! path and query, headers — `X-Telegram-Bot-Api-Secret-Token` included — and body) goes to the next
//! backend in turn, and the backend's status, headers and body come back. A backend that refuses the
//! connection (a killed replica) is passed over for the next one, like a load balancer's passive health
//! check; a backend that fails after the request reached it is not retried (the update may have been
//! dispatched), and the caller gets 502, as from nginx. Requests are counted per backend, so a test can
//! see the spread.
//!
//! Connections are not kept alive towards the backends: a pooled connection to a killed replica would
//! fail in ways that are not "connection refused", and loopback connections cost nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The largest request body forwarded (Telegram's updates are far smaller).
const MAX_BODY: usize = 1 << 20;
/// How long a backend may take to answer one request.
const BACKEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers of one hop only, never forwarded (`host` and `content-length` are set again by the client).
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
    header::PROXY_AUTHENTICATE,
];

struct Shared {
    /// `http://ADDR` of each backend.
    backends: Vec<String>,
    next: AtomicUsize,
    /// Requests each backend answered.
    answered: Vec<AtomicU64>,
    /// Attempts passed over because the backend refused the connection.
    passed_over: AtomicU64,
    client: reqwest::Client,
}

/// The proxy; it serves until [`Balancer::stop`] or until dropped.
pub struct Balancer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Balancer {
    /// Binds `127.0.0.1:0` and forwards to `backends`, in turn, from the first.
    pub async fn start(backends: &[SocketAddr]) -> std::io::Result<Balancer> {
        let client = reqwest::Client::builder()
            .timeout(BACKEND_TIMEOUT)
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            backends: backends.iter().map(|addr| format!("http://{addr}")).collect(),
            next: AtomicUsize::new(0),
            answered: backends.iter().map(|_| AtomicU64::new(0)).collect(),
            passed_over: AtomicU64::new(0),
            client,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = Router::new().fallback(forward).with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Balancer { addr, shared, stop: Some(stop), task: Some(task) })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: what the replicas' `PUBLIC_URL` is.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests each backend answered (any status), in the order of the backends.
    pub fn answered(&self) -> Vec<u64> {
        self.shared.answered.iter().map(|count| count.load(Ordering::Relaxed)).collect()
    }

    /// Attempts passed over because a backend refused the connection.
    pub fn passed_over(&self) -> u64 {
        self.shared.passed_over.load(Ordering::Relaxed)
    }

    /// Stops accepting, lets the requests in hand finish, and waits until the server has stopped.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|error| Err(std::io::Error::other(error))),
            None => Ok(()),
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(error) => return (StatusCode::PAYLOAD_TOO_LARGE, error.to_string()).into_response(),
    };
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let count = shared.backends.len();
    let first = shared.next.fetch_add(1, Ordering::Relaxed);
    for attempt in 0..count {
        let index = (first + attempt) % count;
        let sent = shared
            .client
            .request(parts.method.clone(), format!("{}{path}", shared.backends[index]))
            .headers(end_to_end(&parts.headers))
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(answer) => {
                shared.answered[index].fetch_add(1, Ordering::Relaxed);
                return relay(answer).await;
            }
            Err(error) if error.is_connect() => {
                shared.passed_over.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => return (StatusCode::BAD_GATEWAY, format!("backend {index}: {error}")).into_response(),
        }
    }
    (StatusCode::BAD_GATEWAY, "no backend accepted the connection").into_response()
}

/// The backend's answer as this proxy's.
async fn relay(answer: reqwest::Response) -> Response {
    let status = answer.status();
    let headers = end_to_end(answer.headers());
    let body: Bytes = match answer.bytes().await {
        Ok(body) => body,
        Err(error) => {
            return (StatusCode::BAD_GATEWAY, format!("reading the backend's answer: {error}")).into_response();
        }
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    kept.remove("keep-alive");
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backend that answers with its name and echoes the secret header and the body.
    async fn backend(name: &'static str) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().fallback(move |headers: HeaderMap, request: Request| async move {
            let path = request.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
            let body = axum::body::to_bytes(request.into_body(), MAX_BODY).await.unwrap_or_default();
            let secret = headers.get("x-telegram-bot-api-secret-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            let body = String::from_utf8_lossy(&body).into_owned();
            (StatusCode::ACCEPTED, [("x-backend", name)], format!("{name} {path} {secret} {body}"))
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        addr
    }

    fn refusing_addr() -> SocketAddr {
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
    }

    #[tokio::test]
    async fn forwards_in_turn_skips_a_refusing_backend_and_relays_the_answer() {
        let (a, b) = (backend("a").await, backend("b").await);
        let balancer = Balancer::start(&[a, refusing_addr(), b]).await.expect("balancer");
        let client = reqwest::Client::new();
        let mut names = Vec::new();
        for i in 0..6 {
            let answer = client
                .post(format!("{}/telegram/x?i={i}", balancer.url()))
                .header("X-Telegram-Bot-Api-Secret-Token", "s3cret")
                .body(format!("update {i}"))
                .send()
                .await
                .expect("an answer");
            assert_eq!(answer.status(), StatusCode::ACCEPTED);
            let name = answer.headers().get("x-backend").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let text = answer.text().await.expect("body");
            assert_eq!(text, format!("{name} /telegram/x?i={i} s3cret update {i}"));
            names.push(name);
        }
        // a, (refused → b), b, a, (refused → b), b
        assert_eq!(names, ["a", "b", "b", "a", "b", "b"]);
        assert_eq!(balancer.answered(), vec![2, 0, 4]);
        assert_eq!(balancer.passed_over(), 2);
        balancer.stop().await.expect("stops");
    }

    #[tokio::test]
    async fn no_backend_at_all_is_a_bad_gateway() {
        let balancer = Balancer::start(&[refusing_addr()]).await.expect("balancer");
        let answer = reqwest::get(format!("{}/readyz", balancer.url())).await.expect("an answer");
        assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
        balancer.stop().await.expect("stops");
    }
}
