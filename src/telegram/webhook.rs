//! Webhook mode: where Telegram delivers updates, the secret it sends with them, and the gate that
//! checks that secret before teloxide sees the update.
//!
//! The path and the secret are derived from the bot token, deterministically and irreversibly (MD5 of
//! the token behind a purpose prefix), so that every replica of a deployment computes the same pair from
//! the shared configuration: an update is accepted by whichever replica receives it, and `setWebhook`
//! from several replicas at start-up sets the same thing. Nothing here is random, and nothing needs
//! storing; a new token gives a new path and a new secret.
//!
//! The path is a capability (whoever knows it may try secrets), so the route is mounted as the pattern
//! `/telegram/{*rest}` and the gate compares the whole path itself: the HTTP server's latency metric
//! labels requests with the matched pattern, never with the path, and the request teloxide's own
//! tracing sees carries a neutral path. The gate compares path and secret in constant time, answers a
//! wrong or missing `X-Telegram-Bot-Api-Secret-Token` with 401 (counted in
//! [`WEBHOOK_REJECTED_METRIC`], not dispatched) and an unknown path with 404. teloxide checks the
//! secret once more behind it (its own check answers 401 too, or 400 for a malformed header, and is
//! not constant-time — hence ours in front). Neither the token, the secret nor the path is ever
//! logged or shown by `Debug`.

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use md5::{Digest, Md5};
use teloxide::RequestError;
use teloxide::payloads::SetWebhookSetters;
use teloxide::types::AllowedUpdate;
use teloxide::update_listeners::webhooks::{Options, axum_no_setup};

use super::bot::{Api, TelegramError};
use super::listener::WebhookUpdates;

/// Accepted webhook updates (answered 200 by the listener), counted through the `metrics` facade.
pub const WEBHOOK_UPDATES_METRIC: &str = "kuaidi_telegram_webhook_updates_total";
/// Webhook requests refused for their secret header, by `reason` (`missing`, `wrong`).
pub const WEBHOOK_REJECTED_METRIC: &str = "kuaidi_telegram_webhook_rejected_total";

/// The header Telegram puts the secret token in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Every webhook path starts with this.
const PATH_PREFIX: &str = "/telegram/";
/// The route the server matches (a pattern, so that the real path never becomes a metric label).
const ROUTE: &str = "/telegram/{*rest}";
/// What the request's path becomes once the gate let it through (teloxide's tracing sees this).
const NEUTRAL_PATH: &str = "/telegram/webhook";
/// `setWebhook` attempts at start-up before giving up, and the first pause between two (doubling).
const SET_WEBHOOK_ATTEMPTS: u32 = 4;
const SET_WEBHOOK_BACKOFF: Duration = Duration::from_millis(500);

/// The path and the secret of one bot token.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    /// `/telegram/<32 hex>`.
    path: String,
    /// 32 hex characters (Telegram allows 1–256 of `A-Za-z0-9_-`).
    secret: String,
}

impl Endpoint {
    /// The pair for `token`; the same token always gives the same pair.
    pub(super) fn derive(token: &str) -> Self {
        let path = format!("{PATH_PREFIX}{}", hex_md5("kuaidi-bot webhook path:", token));
        Self { path, secret: hex_md5("kuaidi-bot webhook secret:", token) }
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("path", &"/telegram/<redacted>").field("secret", &"<redacted>").finish()
    }
}

fn hex_md5(purpose: &str, token: &str) -> String {
    let mut hasher = Md5::new();
    hasher.update(purpose.as_bytes());
    hasher.update(token.as_bytes());
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Equal contents, in a time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Webhook mode, prepared: the routes to mount on the bot's HTTP server, and the updates that arrive
/// there. Registering it with Telegram is [`Telegram::intake`](super::Telegram::intake)'s job.
pub struct Webhook {
    /// `PUBLIC_URL` as configured, the only part that may be logged.
    public_url: String,
    /// `PUBLIC_URL` + the path: what `setWebhook` registers.
    url: reqwest::Url,
    endpoint: Endpoint,
    router: Router,
    updates: WebhookUpdates,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook").field("public_url", &self.public_url).field("endpoint", &self.endpoint).finish()
    }
}

impl Webhook {
    /// The webhook of `token` under `public_url` (no trailing slash, as `Config` gives it). Nothing is
    /// sent to Telegram yet; updates that arrive before the dispatcher runs wait for it.
    pub fn new(token: &str, public_url: &str) -> Result<Self, TelegramError> {
        let endpoint = Endpoint::derive(token);
        let public_url = public_url.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&format!("{public_url}{}", endpoint.path))
            .map_err(|_| TelegramError::BadPublicUrl(public_url.clone()))?;
        // `address` is for teloxide's own server, which is not used: the routes join the bot's server.
        let mut options = Options::new(([127, 0, 0, 1], 0).into(), url.clone()).path(ROUTE.to_owned());
        options.secret_token = Some(endpoint.secret.clone());
        let (listener, stop_flag, router) = axum_no_setup(options);
        let router = router.route_layer(axum::middleware::from_fn_with_state(endpoint.clone(), gate));
        Ok(Self { public_url, url, endpoint, router, updates: WebhookUpdates::new(listener, stop_flag) })
    }

    /// The routes to mount on the bot's HTTP server (`http::router`'s `extra`).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// `setWebhook` with the secret and `allowed` (the kinds long polling would ask for), retried with
    /// back-off; pending updates are kept. Then the updates that arrive.
    pub(super) async fn register<B: Api>(
        self,
        bot: &B,
        allowed: Vec<AllowedUpdate>,
    ) -> Result<WebhookUpdates, TelegramError> {
        let (mut attempt, mut pause) = (0, SET_WEBHOOK_BACKOFF);
        loop {
            attempt += 1;
            let request = bot
                .set_webhook(self.url.clone())
                .secret_token(self.endpoint.secret.clone())
                .allowed_updates(allowed.clone())
                .drop_pending_updates(false);
            let error = match request.await {
                Ok(_) => {
                    let public_url = self.public_url.as_str();
                    tracing::info!(public_url, "webhook mode: Telegram delivers updates to the bot under PUBLIC_URL");
                    return Ok(self.updates);
                }
                Err(error) => error,
            };
            let reason = self.redact(&error.to_string());
            if attempt >= SET_WEBHOOK_ATTEMPTS {
                return Err(TelegramError::SetWebhook {
                    public_url: self.public_url.clone(),
                    attempts: attempt,
                    reason,
                });
            }
            let wait = match &error {
                RequestError::RetryAfter(after) => after.duration().max(pause),
                _ => pause,
            };
            tracing::warn!(attempt, %reason, "setWebhook failed; trying again in {wait:?}");
            tokio::time::sleep(wait).await;
            pause *= 2;
        }
    }

    /// A text about this webhook with the path and the secret blotted out (for Telegram's error texts,
    /// which might echo what was sent).
    pub(super) fn redact(&self, text: &str) -> String {
        text.replace(&self.endpoint.path, "/telegram/<redacted>").replace(&self.endpoint.secret, "<redacted>")
    }
}

/// Lets a request through to teloxide only on the right path with the right secret.
async fn gate(State(endpoint): State<Endpoint>, mut request: Request, next: Next) -> Response {
    if !constant_time_eq(request.uri().path().as_bytes(), endpoint.path.as_bytes()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let refused = match request.headers().get(SECRET_HEADER) {
        None => Some("missing"),
        Some(given) if !constant_time_eq(given.as_bytes(), endpoint.secret.as_bytes()) => Some("wrong"),
        Some(_) => None,
    };
    if let Some(reason) = refused {
        metrics::counter!(WEBHOOK_REJECTED_METRIC, "reason" => reason).increment(1);
        tracing::warn!(reason, "a webhook request without the right secret token was refused");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    *request.uri_mut() = Uri::from_static(NEUTRAL_PATH);
    let response = next.run(request).await;
    if response.status().is_success() {
        metrics::counter!(WEBHOOK_UPDATES_METRIC).increment(1);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:AAH-secret_part_of_the_token_0123456";

    #[test]
    fn the_same_token_gives_the_same_path_and_secret_on_every_replica() {
        assert_eq!(Endpoint::derive(TOKEN), Endpoint::derive(TOKEN));
        let other = Endpoint::derive("123456:AAH-secret_part_of_the_token_0123457");
        let mine = Endpoint::derive(TOKEN);
        assert_ne!(mine.path, other.path);
        assert_ne!(mine.secret, other.secret);
        assert_ne!(mine.path.trim_start_matches(PATH_PREFIX), mine.secret, "path and secret are unrelated");
    }

    #[test]
    fn path_and_secret_are_valid_and_hold_nothing_of_the_token() {
        let endpoint = Endpoint::derive(TOKEN);
        let hex = endpoint.path.strip_prefix(PATH_PREFIX).expect("under /telegram/");
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!((1..=256).contains(&endpoint.secret.len()));
        assert!(endpoint.secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        for part in TOKEN.split(':') {
            assert!(!endpoint.path.contains(part) && !endpoint.secret.contains(part));
        }
        let shown = format!("{endpoint:?}");
        assert!(!shown.contains(hex) && !shown.contains(&endpoint.secret), "{shown}");
    }

    #[test]
    fn the_webhook_url_is_under_public_url_and_debug_hides_it() {
        let webhook = Webhook::new(TOKEN, "https://bot.example.com/k").expect("a webhook");
        let endpoint = Endpoint::derive(TOKEN);
        assert_eq!(webhook.url.as_str(), format!("https://bot.example.com/k{}", endpoint.path));
        assert_eq!(webhook.endpoint, endpoint);
        let shown = format!("{webhook:?}");
        assert!(shown.contains("https://bot.example.com/k"), "{shown}");
        assert!(!shown.contains(&endpoint.path) && !shown.contains(&endpoint.secret), "{shown}");
        let echoed = format!("bad webhook {} {}", webhook.url, endpoint.secret);
        let redacted = webhook.redact(&echoed);
        assert!(!redacted.contains(&endpoint.path) && !redacted.contains(&endpoint.secret), "{redacted}");
    }

    #[test]
    fn the_counters_are_published_by_the_http_server() {
        for name in [WEBHOOK_UPDATES_METRIC, WEBHOOK_REJECTED_METRIC] {
            assert!(crate::http::METRIC_NAMES.contains(&name), "{name}");
        }
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
