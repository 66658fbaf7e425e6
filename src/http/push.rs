//! `POST /kuaidi100/push`: Kuaidi100's push callbacks, handed to `watch/`'s [`PushIntake`].
//!
//! The form is read as sent (`param`, `sign`); `param` goes to the intake exactly as received, since the
//! signature is over those bytes. Kuaidi100 retries any push not answered with its acknowledgement, so
//! the answer says precisely whether the push was taken: the acknowledgement once it is committed (or
//! knowingly ignored), `400`/`403` with `"result": false` for a push that is refused, and `500` when the
//! store failed, so that the push comes again.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::HttpState;
use crate::kuaidi100::PushRefusal;
use crate::kuaidi100::push::PUSH_ACK;
use crate::watch::PushReceipt;

/// The callback path under `PUBLIC_URL`.
pub const PUSH_PATH: &str = "/kuaidi100/push";

fn json(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    json(status, serde_json::json!({"result": false, "returnCode": code, "message": message}).to_string())
}

pub(super) async fn callback(
    State(state): State<HttpState>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Some(intake) = state.push.as_ref() else {
        return refusal(StatusCode::NOT_FOUND, "404", "push callbacks are not served here");
    };
    let Ok(Form(form)) = form else {
        metrics::counter!(crate::watch::CALLBACKS_METRIC, "result" => PushRefusal::Malformed.label()).increment(1);
        return refusal(StatusCode::BAD_REQUEST, "400", "expected a form with param and sign");
    };
    let Some(param) = form.get("param") else {
        metrics::counter!(crate::watch::CALLBACKS_METRIC, "result" => PushRefusal::Malformed.label()).increment(1);
        return refusal(StatusCode::BAD_REQUEST, "400", "param is missing");
    };
    match intake.receive(param, form.get("sign").map(String::as_str)).await {
        Ok(receipt) if receipt.acknowledged() => json(StatusCode::OK, PUSH_ACK.to_owned()),
        Ok(PushReceipt::Refused(PushRefusal::Malformed)) => {
            refusal(StatusCode::BAD_REQUEST, "400", "param is not a push document")
        }
        Ok(_) => refusal(StatusCode::FORBIDDEN, "403", "sign missing or wrong"),
        Err(error) => {
            tracing::error!(%error, "cannot take in a push; Kuaidi100 will send it again");
            refusal(StatusCode::INTERNAL_SERVER_ERROR, "500", "try again later")
        }
    }
}
