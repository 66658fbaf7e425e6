//! Webhooks in the fake, the way Telegram does them.
//!
//! `setWebhook` records the URL, the `secret_token` and `allowed_updates` (which, as in Telegram, is
//! also the setting long polling would use); while a webhook is set, `getUpdates` answers Telegram's
//! own 409 "Conflict: can't use getUpdates method while webhook is active; …", and `getWebhookInfo`
//! reports the URL, so that teloxide's polling start-up (`getWebhookInfo`, then `deleteWebhook` if a
//! URL is set) is exercised. Delivering is the test's move: the updates it injected with `send_text`,
//! `press_button`, … — the very JSON `getUpdates` would hand out — are POSTed to the recorded URL with
//! the recorded secret in `X-Telegram-Bot-Api-Secret-Token`, or with a header of the test's choosing.
//! As in Telegram, an update the bot does not answer with 2xx stays queued (`deliver_pending_via_webhook`).

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::server::{boolean, string};
use super::{ApiErr, FakeTelegram, State};

/// The header Telegram sends the secret token in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// What the last successful `setWebhook` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSetting {
    pub url: String,
    pub secret_token: Option<String>,
    /// `None`: not given (Telegram then keeps the previous setting).
    pub allowed_updates: Option<Vec<String>>,
    pub drop_pending_updates: bool,
    pub max_connections: Option<i64>,
}

fn valid_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl State {
    pub(super) fn set_webhook(&mut self, params: &Value) -> Result<Value, ApiErr> {
        if let Some(reason) = &self.webhook_refusal {
            return Err(ApiErr::bad_request(&format!("bad webhook: {reason}")));
        }
        let url = string(params, "url").unwrap_or_default();
        if url.is_empty() {
            // Telegram: an empty URL removes the webhook.
            return self.delete_webhook(params);
        }
        // Telegram wants https on a few ports; the fake accepts http too, for loopback tests.
        match reqwest::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some() => {}
            _ => return Err(ApiErr::bad_request("bad webhook: An HTTPS URL must be provided for webhook")),
        }
        let secret_token = string(params, "secret_token");
        if secret_token.as_deref().is_some_and(|secret| !valid_secret(secret)) {
            return Err(ApiErr::bad_request("secret token contains unallowed characters"));
        }
        let allowed_updates: Option<Vec<String>> = match params.get("allowed_updates") {
            Some(Value::Array(kinds)) => Some(kinds.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            _ => None,
        };
        if let Some(kinds) = &allowed_updates {
            self.allowed_updates = if kinds.is_empty() { None } else { Some(kinds.clone()) };
        }
        let drop_pending_updates = boolean(params, "drop_pending_updates");
        if drop_pending_updates {
            self.updates.clear();
        }
        let max_connections = super::server::int(params, "max_connections");
        self.webhook =
            Some(WebhookSetting { url, secret_token, allowed_updates, drop_pending_updates, max_connections });
        Ok(json!(true))
    }

    pub(super) fn delete_webhook(&mut self, params: &Value) -> Result<Value, ApiErr> {
        self.webhook = None;
        if boolean(params, "drop_pending_updates") {
            self.updates.clear();
        }
        Ok(json!(true))
    }

    pub(super) fn webhook_info(&self) -> Value {
        let mut info = json!({
            "url": self.webhook.as_ref().map(|w| w.url.as_str()).unwrap_or_default(),
            "has_custom_certificate": false,
            "pending_update_count": self.updates.len(),
        });
        if let Some(kinds) = self.webhook.as_ref().and_then(|w| w.allowed_updates.as_ref()) {
            info["allowed_updates"] = json!(kinds);
        }
        info
    }

    /// `getUpdates` and a webhook exclude each other.
    pub(super) fn polling_allowed(&self) -> Result<(), ApiErr> {
        match self.webhook {
            Some(_) => Err(ApiErr {
                code: 409,
                description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to \
                              delete the webhook first"
                    .into(),
                parameters: None,
            }),
            None => Ok(()),
        }
    }
}

impl FakeTelegram {
    /// The webhook the bot set, if any.
    pub fn webhook(&self) -> Option<WebhookSetting> {
        self.lock().webhook.clone()
    }

    /// `Some(reason)`: every `setWebhook` fails with 400 "Bad Request: bad webhook: {reason}" (as when
    /// Telegram cannot reach the URL); `None` accepts them again.
    pub fn refuse_webhooks(&self, reason: Option<&str>) {
        self.lock().webhook_refusal = reason.map(str::to_owned);
    }

    /// Takes the injected updates not yet handed out, in order (those of kinds outside the bot's
    /// `allowed_updates` are dropped, like Telegram does): the JSON to deliver through the webhook.
    pub fn take_updates(&self) -> Vec<Value> {
        let updates = {
            let mut state = self.lock();
            let batch = state.take_batch(usize::MAX);
            state.updates.clear();
            batch
        };
        self.shared.activity.notify_waiters();
        updates
    }

    /// POSTs `update` to the webhook's URL with its secret token, as Telegram does; the bot's answer.
    pub async fn deliver_via_webhook(&self, update: &Value) -> Result<StatusCode, String> {
        let secret = self.webhook().ok_or("no webhook is set")?.secret_token;
        self.deliver_via_webhook_with_secret(update, secret.as_deref()).await
    }

    /// The same with the secret header of the test's choosing (`None`: no header at all).
    pub async fn deliver_via_webhook_with_secret(
        &self,
        update: &Value,
        secret: Option<&str>,
    ) -> Result<StatusCode, String> {
        let url = self.webhook().ok_or("no webhook is set")?.url;
        let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().map_err(|e| e.to_string())?;
        let mut request = client.post(&url).header("content-type", "application/json").body(update.to_string());
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        let status = request.send().await.map_err(|error| format!("POST to the webhook failed: {error}"))?.status();
        self.shared.activity.notify_waiters();
        Ok(status)
    }

    /// Delivers every pending update through the webhook, in order, like Telegram; an update not
    /// answered with 2xx is queued again (Telegram retries it later). The answers, in order.
    pub async fn deliver_pending_via_webhook(&self) -> Result<Vec<StatusCode>, String> {
        let mut statuses = Vec::new();
        let mut refused = Vec::new();
        let mut updates = self.take_updates().into_iter();
        while let Some(update) = updates.next() {
            match self.deliver_via_webhook(&update).await {
                Ok(status) => {
                    if !status.is_success() {
                        refused.push(update);
                    }
                    statuses.push(status);
                }
                Err(error) => {
                    refused.push(update);
                    refused.extend(updates);
                    self.requeue(refused);
                    return Err(error);
                }
            }
        }
        self.requeue(refused);
        Ok(statuses)
    }

    /// Puts updates back at the head of the queue, in order.
    fn requeue(&self, updates: Vec<Value>) {
        let mut state = self.lock();
        for update in updates.into_iter().rev() {
            state.updates.push_front(update);
        }
    }
}
