//! Kuaidi100's push subscription (`POST /poll`) and the callbacks it sends: the subscribe request, its
//! return codes, the callback's document and its signature check.
//!
//! A subscription is one billed call per parcel; Kuaidi100 then checks the parcel about every four hours
//! and POSTs each change to the `callbackurl` with `param` (a JSON document holding a full query answer)
//! and `sign = UPPER(MD5(param + salt))`. The signature is over the raw `param` as received, so it is
//! checked before anything is parsed, and `param` is parsed from that same string. The salt is a secret
//! like the key: its `Debug` is redacted.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::param::ResultV2;
use super::response::QueryResult;
use super::sign::callback_sign;

/// What a callback must answer for Kuaidi100 to stop retrying it.
pub const PUSH_ACK: &str = r#"{"result":true,"returnCode":"200","message":"成功"}"#;

/// The secret that signs pushes: at most 32 characters (`KUAIDI100_PUSH_SALT`, or [`Salt::derive`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Salt(String);

impl Salt {
    pub fn new(salt: impl Into<String>) -> Self {
        Self(salt.into())
    }

    /// The salt used when none is configured: `UPPER(MD5("kuaidi-bot push salt:" + key))`, 32 hex
    /// characters. Every replica with the same key derives the same salt; nobody without the key can.
    pub fn derive(key: &str) -> Self {
        Self(callback_sign("kuaidi-bot push salt:", key))
    }

    /// The salt itself, for the subscribe request and the signature check only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(<redacted>)")
    }
}

/// One push subscription to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeRequest {
    /// Courier code (`company`).
    pub company: String,
    pub number: String,
    /// The phone's last 4 digits, for couriers that check them.
    pub phone: Option<String>,
    /// Where the parcel comes from and goes to (free text, 省-市-区), when known.
    pub from: Option<String>,
    pub to: Option<String>,
    pub callback_url: String,
}

/// The `param` of a subscribe request, in Kuaidi100's field names.
#[derive(Serialize)]
struct SubscribeParam<'a> {
    company: &'a str,
    number: &'a str,
    from: &'a str,
    to: &'a str,
    key: &'a str,
    parameters: SubscribeParameters<'a>,
}

#[derive(Serialize)]
struct SubscribeParameters<'a> {
    callbackurl: &'a str,
    salt: &'a str,
    resultv2: &'a str,
    #[serde(rename = "autoCom")]
    auto_com: &'a str,
    phone: &'a str,
}

impl SubscribeRequest {
    pub fn new(company: &str, number: &str, callback_url: &str) -> Self {
        Self {
            company: company.to_owned(),
            number: number.to_owned(),
            phone: None,
            from: None,
            to: None,
            callback_url: callback_url.to_owned(),
        }
    }

    /// The JSON `param` (with the key and the salt in it: never log it).
    pub fn param(&self, key: &str, salt: &Salt) -> String {
        let param = SubscribeParam {
            company: &self.company,
            number: &self.number,
            from: self.from.as_deref().unwrap_or_default(),
            to: self.to.as_deref().unwrap_or_default(),
            key,
            parameters: SubscribeParameters {
                callbackurl: &self.callback_url,
                salt: salt.expose(),
                resultv2: ResultV2::Advanced.as_param(),
                auto_com: "0",
                phone: self.phone.as_deref().unwrap_or_default(),
            },
        };
        serde_json::to_string(&param).unwrap_or_default()
    }
}

/// What the bot should do after a subscribe call, by its `returnCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// 200: subscribed; pushes will come.
    Subscribed,
    /// 501: already subscribed and still tracked: as good as 200.
    AlreadySubscribed,
    /// 600, 601: the account cannot subscribe (bad or expired key): stop subscribing, tell the operator.
    AccountRefused,
    /// 700, 701, 702: Kuaidi100 will not push this parcel (bad data, courier not accepted or unknown):
    /// poll it instead.
    ParcelRefused,
    /// 500, an unknown code, or no answer: try again later.
    TryLater,
}

impl SubscribeOutcome {
    pub fn from_code(code: &str) -> Self {
        match code.trim() {
            "200" => Self::Subscribed,
            "501" => Self::AlreadySubscribed,
            "600" | "601" => Self::AccountRefused,
            "700" | "701" | "702" => Self::ParcelRefused,
            _ => Self::TryLater,
        }
    }

    /// Pushes will come for this parcel.
    pub fn is_subscribed(self) -> bool {
        matches!(self, Self::Subscribed | Self::AlreadySubscribed)
    }

    /// The label of `kuaidi_push_subscribe_total{outcome}`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Subscribed => "subscribed",
            Self::AlreadySubscribed => "already_subscribed",
            Self::AccountRefused => "account_refused",
            Self::ParcelRefused => "parcel_refused",
            Self::TryLater => "try_later",
        }
    }
}

/// The answer to a subscribe call: `{"result": true, "returnCode": "200", "message": "提交成功"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubscribeAnswer {
    #[serde(default)]
    pub result: bool,
    #[serde(rename = "returnCode", default, deserialize_with = "code_string")]
    pub return_code: String,
    #[serde(default)]
    pub message: String,
}

impl SubscribeAnswer {
    pub fn outcome(&self) -> SubscribeOutcome {
        SubscribeOutcome::from_code(&self.return_code)
    }
}

fn code_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => text,
        serde_json::Value::Number(number) => number.to_string(),
        _ => String::new(),
    })
}

/// A push's `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushStatus {
    /// Being tracked; `lastResult` is the latest answer.
    Polling,
    /// Finished (delivered, returned…): no more pushes.
    Shutdown,
    /// Kuaidi100 gave up (e.g. "3天查询无记录": no record for 3 days): no more pushes.
    Abort,
    /// A full re-send of the trajectory.
    UpdateAll,
    Other(String),
}

impl PushStatus {
    fn parse(text: &str) -> Self {
        match text.trim() {
            "polling" => Self::Polling,
            "shutdown" => Self::Shutdown,
            "abort" => Self::Abort,
            "updateall" => Self::UpdateAll,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// A push callback's `param`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub status: PushStatus,
    pub message: String,
    /// Kuaidi100 corrected the courier: from `com_old` to `com_new`.
    pub com_old: Option<String>,
    pub com_new: Option<String>,
    /// The latest full answer (all lines, newest first); an `abort` may carry an empty one.
    pub last_result: QueryResult,
}

impl Push {
    /// The courier the parcel is now known under: the corrected one when Kuaidi100 corrected it.
    pub fn courier(&self) -> &str {
        match (&self.com_new, self.last_result.com.as_str()) {
            (Some(new), _) => new,
            (None, com) if !com.is_empty() => com,
            (None, _) => self.com_old.as_deref().unwrap_or_default(),
        }
    }

    /// The courier was corrected to another one.
    pub fn courier_corrected(&self) -> Option<(&str, &str)> {
        match (self.com_old.as_deref(), self.com_new.as_deref()) {
            (Some(old), Some(new)) if !old.eq_ignore_ascii_case(new) => Some((old, new)),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct RawPush {
    #[serde(default)]
    status: serde_json::Value,
    #[serde(default)]
    message: serde_json::Value,
    #[serde(rename = "comOld", default)]
    com_old: serde_json::Value,
    #[serde(rename = "comNew", default)]
    com_new: serde_json::Value,
    #[serde(rename = "lastResult")]
    last_result: Option<QueryResult>,
}

fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Why a callback was refused (not applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PushRefusal {
    #[error("the push carries no sign")]
    MissingSign,
    #[error("the push's sign does not match")]
    BadSign,
    #[error("the push's param is not a push document")]
    Malformed,
}

impl PushRefusal {
    /// The label of `kuaidi_push_callbacks_total{result}`.
    pub fn label(self) -> &'static str {
        match self {
            Self::MissingSign => "missing_sign",
            Self::BadSign => "bad_sign",
            Self::Malformed => "malformed",
        }
    }
}

/// Checks `sign` over the raw `param` as received, then reads it.
pub fn verify_push(param: &str, sign: Option<&str>, salt: &Salt) -> Result<Push, PushRefusal> {
    let sign = sign.map(str::trim).filter(|sign| !sign.is_empty()).ok_or(PushRefusal::MissingSign)?;
    let expected = callback_sign(param, salt.expose());
    if !constant_time_eq(expected.as_bytes(), sign.to_ascii_uppercase().as_bytes()) {
        return Err(PushRefusal::BadSign);
    }
    parse_push(param)
}

/// Reads a push document (signature already checked).
pub fn parse_push(param: &str) -> Result<Push, PushRefusal> {
    let raw: RawPush = serde_json::from_str(param).map_err(|_| PushRefusal::Malformed)?;
    let status = text_of(&raw.status).map(|text| PushStatus::parse(&text)).ok_or(PushRefusal::Malformed)?;
    let last_result = raw.last_result.ok_or(PushRefusal::Malformed)?;
    let push = Push {
        status,
        message: text_of(&raw.message).unwrap_or_default(),
        com_old: text_of(&raw.com_old),
        com_new: text_of(&raw.com_new),
        last_result,
    };
    if push.courier().is_empty() || push.last_result.nu.trim().is_empty() {
        return Err(PushRefusal::Malformed);
    }
    Ok(push)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs a push document as Kuaidi100 does (for the simulator and tests).
pub fn sign_push(param: &str, salt: &Salt) -> String {
    callback_sign(param, salt.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_SALT: &str = "mySalt_32chars_xxxxxxxxxxxxxxxxx";
    const VECTOR_PARAM: &str = r#"{"status":"polling","billstatus":"got","message":"","lastResult":{"message":"ok","nu":"YT9693083639795","ischeck":"0","com":"yuantong","status":"200","state":"0","data":[]}}"#;

    #[test]
    fn the_documented_callback_vector_verifies() {
        let salt = Salt::new(VECTOR_SALT);
        assert_eq!(sign_push(VECTOR_PARAM, &salt), "9A2AB057AD601F8076F826D975637BE7");
        let push = verify_push(VECTOR_PARAM, Some("9A2AB057AD601F8076F826D975637BE7"), &salt).expect("valid");
        assert_eq!(push.status, PushStatus::Polling);
        assert_eq!((push.courier(), push.last_result.nu.as_str()), ("yuantong", "YT9693083639795"));
        assert!(verify_push(VECTOR_PARAM, Some("9a2ab057ad601f8076f826d975637be7"), &salt).is_ok(), "any case");
    }

    #[test]
    fn bad_missing_and_malformed_pushes_are_refused() {
        let salt = Salt::new(VECTOR_SALT);
        assert_eq!(verify_push(VECTOR_PARAM, None, &salt), Err(PushRefusal::MissingSign));
        assert_eq!(verify_push(VECTOR_PARAM, Some("  "), &salt), Err(PushRefusal::MissingSign));
        assert_eq!(
            verify_push(VECTOR_PARAM, Some("9A2AB057AD601F8076F826D975637BE8"), &salt),
            Err(PushRefusal::BadSign)
        );
        assert_eq!(
            verify_push(VECTOR_PARAM, Some("9A2AB057AD601F8076F826D975637BE7"), &Salt::new("other")),
            Err(PushRefusal::BadSign)
        );
        // The sign is over the raw bytes: the same document with a space is another document.
        let spaced = VECTOR_PARAM.replacen(',', ", ", 1);
        assert_eq!(verify_push(&spaced, Some("9A2AB057AD601F8076F826D975637BE7"), &salt), Err(PushRefusal::BadSign));
        for bad in ["", "not json", "[]", r#"{"status":"polling"}"#, r#"{"lastResult":{"nu":"x","com":"y","data":[]}}"#]
        {
            let sign = sign_push(bad, &salt);
            assert_eq!(verify_push(bad, Some(&sign), &salt), Err(PushRefusal::Malformed), "{bad}");
        }
    }

    #[test]
    fn corrected_couriers_and_statuses_are_read() {
        let param = r#"{"status":"shutdown","message":"","autoCheck":"1","comOld":"yuantong","comNew":"zhongtong","lastResult":{"nu":"YT1","com":"zhongtong","state":"3","ischeck":"1","data":[{"time":"2026-12-01 10:00:00","ftime":"2026-12-01 10:00:00","context":"已签收"}]}}"#;
        let push = parse_push(param).expect("valid");
        assert_eq!(push.status, PushStatus::Shutdown);
        assert_eq!(push.courier_corrected(), Some(("yuantong", "zhongtong")));
        assert_eq!(push.courier(), "zhongtong");
        assert_eq!(push.last_result.data.len(), 1);
        let abort = parse_push(
            r#"{"status":"abort","message":"3天查询无记录","lastResult":{"nu":"YT2","com":"yuantong","data":[]}}"#,
        )
        .expect("valid");
        assert_eq!((abort.status, abort.message.as_str()), (PushStatus::Abort, "3天查询无记录"));
    }

    #[test]
    fn the_subscribe_param_has_kuaidi100s_field_names_and_the_outcomes_follow_the_codes() {
        let mut request =
            SubscribeRequest::new("shunfeng", "SF1234567890123", "https://bot.example.com/kuaidi100/push");
        request.phone = Some("5678".into());
        request.to = Some("北京市".into());
        let param: serde_json::Value = serde_json::from_str(&request.param("KEY", &Salt::new("SALT"))).expect("json");
        assert_eq!(param["company"], "shunfeng");
        assert_eq!(param["number"], "SF1234567890123");
        assert_eq!(param["to"], "北京市");
        assert_eq!(param["key"], "KEY");
        assert_eq!(param["parameters"]["callbackurl"], "https://bot.example.com/kuaidi100/push");
        assert_eq!(param["parameters"]["salt"], "SALT");
        assert_eq!(param["parameters"]["resultv2"], "4");
        assert_eq!(param["parameters"]["phone"], "5678");
        use SubscribeOutcome::*;
        for (code, outcome) in [
            ("200", Subscribed),
            ("501", AlreadySubscribed),
            ("600", AccountRefused),
            ("601", AccountRefused),
            ("700", ParcelRefused),
            ("701", ParcelRefused),
            ("702", ParcelRefused),
            ("500", TryLater),
            ("999", TryLater),
        ] {
            assert_eq!(SubscribeOutcome::from_code(code), outcome, "{code}");
        }
        let answer: SubscribeAnswer =
            serde_json::from_str(r#"{"result":false,"returnCode":501,"message":"重复订阅"}"#).expect("json");
        assert!(answer.outcome().is_subscribed());
    }

    #[test]
    fn the_salt_is_redacted_and_derived_deterministically() {
        let salt = Salt::derive("SECRET-KEY");
        assert_eq!(salt, Salt::derive("SECRET-KEY"));
        assert_ne!(salt, Salt::derive("OTHER-KEY"));
        assert_eq!(salt.expose().len(), 32);
        assert!(!format!("{salt:?}").contains(salt.expose()));
    }
}
