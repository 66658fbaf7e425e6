//! The HTTP client of Kuaidi100: real-time query, push subscription and courier auto-detection.
//!
//! It sends exactly one request per call and never retries: every call is billed and counts against the
//! lock rule, so whether to ask again is the business of the tracking layer, not of the transport. An
//! answer is read up to [`MAX_BODY_BYTES`]; a larger one is a bad body, not a trajectory.

use std::time::Duration;

use serde::Deserialize;

use super::credentials::Credentials;
use super::error::{Error, excerpt};
use super::param::QueryRequest;
use super::push::{Salt, SubscribeAnswer, SubscribeRequest};
use super::response::{Answer, BodyProblem, ErrorBody, QueryResult, parse_answer};

/// Kuaidi100's production endpoints.
pub const DEFAULT_API_URL: &str = "https://poll.kuaidi100.com";
pub const DEFAULT_AUTONUMBER_URL: &str = "https://www.kuaidi100.com/autonumber/auto";

const EXCERPT_CHARS: usize = 120;
/// The largest answer read: a parcel's whole trajectory is a few tens of kilobytes, so anything near
/// this is not an answer, and reading (then storing) it whole would only cost memory and disk.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where and how to reach Kuaidi100.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base for `/poll/query.do`, without a trailing slash.
    pub api_url: String,
    /// Full URL of the auto-detection endpoint.
    pub autonumber_url: String,
    pub credentials: Credentials,
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(api_url: &str, autonumber_url: &str, credentials: Credentials) -> Self {
        Self {
            api_url: api_url.trim_end_matches('/').to_owned(),
            autonumber_url: autonumber_url.to_owned(),
            credentials,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
        }
    }
}

/// One courier guess of the auto-detection endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AutoCandidate {
    #[serde(rename = "comCode")]
    pub com_code: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("kuaidi-bot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| Error::Connection(error.to_string()))?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// One real-time query. Kuaidi100's error answers come back as [`Error::Api`].
    pub async fn query(&self, request: &QueryRequest) -> Result<QueryResult, Error> {
        let signed = request.sign(&self.config.credentials);
        let url = format!("{}/poll/query.do", self.config.api_url);
        let form =
            [("customer", signed.customer.as_str()), ("sign", signed.sign.as_str()), ("param", signed.param.as_str())];
        let body = self.send(self.http.post(url).form(&form)).await?;
        match parse_answer(&body) {
            Ok(Answer::Result(result)) => Ok(*result),
            Ok(Answer::Error(ErrorBody { return_code, message, .. })) => Err(Error::api(&return_code, &message)),
            Err(BodyProblem::NotJson | BodyProblem::UnexpectedShape) => {
                Err(Error::BadBody { excerpt: excerpt(&body, EXCERPT_CHARS) })
            }
        }
    }

    /// One push subscription (`POST {api_url}/poll`, form `schema=json`, `param`). Any answer with a
    /// `returnCode` comes back as `Ok`; what it means is [`SubscribeAnswer::outcome`].
    pub async fn subscribe(&self, request: &SubscribeRequest, salt: &Salt) -> Result<SubscribeAnswer, Error> {
        let param = request.param(self.config.credentials.key(), salt);
        let url = format!("{}/poll", self.config.api_url);
        let body = self.send(self.http.post(url).form(&[("schema", "json"), ("param", param.as_str())])).await?;
        serde_json::from_str::<SubscribeAnswer>(&body)
            .ok()
            .filter(|answer| !answer.return_code.is_empty())
            .ok_or_else(|| Error::BadBody { excerpt: excerpt(&body, EXCERPT_CHARS) })
    }

    /// Kuaidi100's guesses for a number, most likely first (may be empty). Paid accounts only; its
    /// answer is a hint, never a reason to override a courier the user chose.
    pub async fn autonumber(&self, number: &str) -> Result<Vec<AutoCandidate>, Error> {
        let query = [("num", number), ("key", self.config.credentials.key())];
        let body = self.send(self.http.get(&self.config.autonumber_url).query(&query)).await?;
        if let Ok(candidates) = serde_json::from_str::<Vec<AutoCandidate>>(&body) {
            return Ok(candidates);
        }
        match parse_answer(&body) {
            Ok(Answer::Error(ErrorBody { return_code, message, .. })) => Err(Error::api(&return_code, &message)),
            _ => Err(Error::BadBody { excerpt: excerpt(&body, EXCERPT_CHARS) }),
        }
    }

    /// Sends a request and returns its body, mapping transport failures. The URL is never part of an
    /// error, because the auto-detection URL carries the key.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<String, Error> {
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let too_big = || Error::BadBody { excerpt: format!("an answer over {MAX_BODY_BYTES} bytes, not read") };
        if response.content_length().is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Err(too_big());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if !status.is_success() {
            return Err(Error::Http { status: status.as_u16(), excerpt: excerpt(&body, EXCERPT_CHARS) });
        }
        Ok(body)
    }
}

fn transport_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout;
    }
    // reqwest's Display includes the URL; strip it so a key in a query string cannot leak.
    let error = error.without_url();
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    Error::Connection(reason)
}
