//! Scripted misbehaviour of the simulator, one parcel number at a time: the ways a real Kuaidi100 (or
//! the network in front of it) fails that a well-formed error body cannot show.
//!
//! Why per number: the bot is tested end to end through many entry points at once (a command, a
//! button, the watcher, inline mode, the web API), and each test case takes a number of its own, so
//! cases do not disturb each other and need no server of their own; a number can be switched from good
//! to failing and back while the bot watches it (a watcher check that fails after a good `/sub`).
//! `ERR<code>` numbers (`codes.rs`) stay the way to see an error body without scripting anything.
//!
//! A scripted fault applies to real-time queries (`POST /poll/query.do`) of that number, after the
//! signature check: the query is recorded in the books like any other (it was sent, and would be
//! billed), so the lock rule is still judged.

use std::time::Duration;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::codes;

/// One way for a query to go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A Kuaidi100 error body with this `returnCode` (HTTP 200, as Kuaidi100 answers errors).
    Code(String),
    /// No answer for this long (longer than the client's timeout: the client gives up first).
    Stall(Duration),
    /// This HTTP status with a short plain-text body (a 5xx of a proxy in front of Kuaidi100).
    Status(u16),
    /// HTTP 200 with an HTML maintenance page instead of JSON.
    Html,
    /// HTTP 200 with the first half of the real answer: JSON cut off mid-way.
    Truncated,
    /// HTTP 200 with a well-formed answer padded to at least this many bytes (a runaway trajectory).
    Huge(usize),
    /// The connection is cut after the headers and part of the body (the network failed mid-answer).
    Cut,
}

impl Fault {
    /// Whether the fault replaces the answer outright (no trajectory needs to be rendered first).
    pub(super) fn needs_answer(&self) -> bool {
        matches!(self, Fault::Truncated | Fault::Huge(_) | Fault::Cut)
    }

    /// The `returnCode` recorded in the books for this fault.
    pub(super) fn recorded_code(&self) -> &str {
        match self {
            Fault::Code(code) => code,
            _ => "fault",
        }
    }

    /// The response, given the well-formed answer the query would have had (`answer`, JSON) if any.
    pub(super) async fn respond(&self, answer: Option<String>) -> Response {
        let answer =
            answer.unwrap_or_else(|| serde_json::to_string(&codes::error(codes::NO_RESULT)).unwrap_or_default());
        match self {
            Fault::Code(code) => axum::Json(codes::error(code)).into_response(),
            Fault::Stall(wait) => {
                tokio::time::sleep(*wait).await;
                axum::Json(codes::error("502")).into_response()
            }
            Fault::Status(status) => {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
                (status, format!("{status}: upstream unavailable")).into_response()
            }
            Fault::Html => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><head><title>系统维护</title></head><body><h1>系统维护中</h1>\
                 <p>Kuaidi100 is under maintenance, please come back later.</p></body></html>",
            )
                .into_response(),
            Fault::Truncated => {
                let cut = answer.len() / 2;
                let cut = (0..=cut).rev().find(|at| answer.is_char_boundary(*at)).unwrap_or(0);
                ([(header::CONTENT_TYPE, "application/json")], answer[..cut].to_owned()).into_response()
            }
            Fault::Huge(size) => ([(header::CONTENT_TYPE, "application/json")], padded(&answer, *size)).into_response(),
            Fault::Cut => {
                let half = answer.as_bytes()[..answer.len() / 2].to_vec();
                let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                    vec![Ok(half), Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut"))];
                let mut response = Body::from_stream(futures::stream::iter(chunks)).into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
                response
            }
        }
    }
}

/// `answer` (a JSON object) with a `padding` field that makes it at least `size` bytes long: still a
/// well-formed answer, as a client that reads it all would see.
fn padded(answer: &str, size: usize) -> String {
    let Some(body) = answer.trim_end().strip_suffix('}') else { return answer.to_owned() };
    let room = size.saturating_sub(answer.len());
    format!("{body},\"padding\":\"{}\"}}", "x".repeat(room))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_keeps_the_answer_json_and_reaches_the_size() {
        let padded = padded(r#"{"message":"ok","data":[]}"#, 1_000);
        assert!(padded.len() >= 1_000);
        let value: serde_json::Value = serde_json::from_str(&padded).unwrap_or_default();
        assert_eq!(value["message"], "ok");
    }

    #[test]
    fn only_code_faults_record_their_code() {
        assert_eq!(Fault::Code("501".into()).recorded_code(), "501");
        assert_eq!(Fault::Html.recorded_code(), "fault");
        assert!(Fault::Truncated.needs_answer() && !Fault::Html.needs_answer());
    }
}
