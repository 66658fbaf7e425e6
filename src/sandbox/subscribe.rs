//! The push subscription request (`POST /poll`): reading it and judging it with Kuaidi100's codes.
//!
//! Kept apart from the subscription book (`push.rs`) because it is pure: a form in, a code or an
//! accepted subscription out, so every code can be unit-tested without a server or a clock. Only `501`
//! (already subscribed) needs the book, and the book decides it.
//!
//! The checks run in this order, the first failure answers:
//!
//! | check | code |
//! |---|---|
//! | `schema` = `json` and `param` present; `param` a JSON object; `number` present; `company` present unless `autoCom` = `1`; `parameters.callbackurl` present | `500` |
//! | `key` is the sandbox credentials' key | `600` |
//! | an `ERR<code>` number (`codes.rs`) | that code (`ERR200…` is an ordinary number) |
//! | the callback URL is `http(s)://host…`; the number has 6–32 characters | `700` |
//! | an empty `company` (with `autoCom`): the number's first courier guess | `702` if none |
//! | `company` is a known courier code | `701` |
//! | a courier that needs a phone got one in `parameters.phone` | `700` |
//!
//! A number starting `COMNEW` (any case) is "corrected" by the simulator: subscribed under any courier
//! but `zhongtong`, its pushes carry `autoCheck: "1"`, `comOld` = the subscribed courier, `comNew` =
//! `zhongtong`, and the trajectory (and `lastResult.com`) of the parcel under `zhongtong`.

use serde::Serialize;
use serde_json::Value;

use super::codes;
use super::render::Options;
use crate::couriers::directory;
use crate::kuaidi100::param::ReceivedParam;

pub const SUBSCRIBED: &str = "200";
pub const MALFORMED: &str = "500";
pub const DUPLICATE: &str = "501";
pub const BAD_KEY: &str = "600";
pub const BAD_DATA: &str = "700";
pub const COURIER_REFUSED: &str = "701";
pub const COURIER_UNKNOWN: &str = "702";

/// The courier `COMNEW…` numbers are corrected to.
pub const CORRECTED_COURIER: &str = "zhongtong";

/// The message Kuaidi100 gives with a subscribe return code.
pub fn message(code: &str) -> &'static str {
    match code {
        "200" => "提交成功",
        "500" => "服务器错误",
        "501" => "重复订阅",
        "600" => "您不是合法的订阅者（即授权Key出错）",
        "601" => "POLL:KEY已过期",
        "700" => "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）或错误的回调地址",
        "701" => "拒绝订阅的快递公司",
        "702" => "POLL:识别不到该单号对应的快递公司",
        _ => "未知错误",
    }
}

/// The answer to a subscribe call: `{"result":…,"returnCode":"…","message":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub result: bool,
    #[serde(rename = "returnCode")]
    pub return_code: String,
    pub message: &'static str,
}

pub fn answer(code: &str) -> Answer {
    Answer { result: code == SUBSCRIBED, return_code: code.to_owned(), message: message(code) }
}

/// A subscribe request as received, every field a trimmed string (numbers are read as text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub company: String,
    pub number: String,
    pub key: String,
    pub callback_url: String,
    pub salt: String,
    pub resultv2: String,
    pub phone: String,
    pub auto_com: bool,
    /// The destination (`to`), which Kuaidi100's estimate (`resultv2=8`) needs.
    pub to: String,
}

fn text(object: &serde_json::Map<String, Value>, name: &str) -> String {
    match object.get(name) {
        Some(Value::String(text)) => text.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// Reads the form's `schema` and `param`; `None` when Kuaidi100 would answer `500`.
pub fn read(schema: Option<&str>, param: Option<&str>) -> Option<Request> {
    if !schema?.trim().eq_ignore_ascii_case("json") {
        return None;
    }
    let Value::Object(object) = serde_json::from_str::<Value>(param?).ok()? else {
        return None;
    };
    let parameters = match object.get("parameters") {
        Some(Value::Object(parameters)) => parameters.clone(),
        _ => serde_json::Map::new(),
    };
    Some(Request {
        company: text(&object, "company"),
        number: text(&object, "number"),
        key: text(&object, "key"),
        callback_url: text(&parameters, "callbackurl"),
        salt: text(&parameters, "salt"),
        resultv2: text(&parameters, "resultv2"),
        phone: text(&parameters, "phone"),
        auto_com: text(&parameters, "autoCom") == "1",
        to: text(&object, "to"),
    })
}

/// A subscription that passed every check but the duplicate one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The subscribed courier code (detected, with `autoCom` and no company), lower case.
    pub com: String,
    /// The courier the pushes are about: [`CORRECTED_COURIER`] for `COMNEW…` numbers, else `com`.
    pub tracked_com: String,
    pub num: String,
    pub callback_url: String,
    pub salt: String,
    /// How `lastResult` is rendered: the subscription's `resultv2`, Chinese, newest first.
    pub options: Options,
}

impl Accepted {
    /// The pushes carry a courier correction.
    pub fn corrected(&self) -> bool {
        self.com != self.tracked_com
    }
}

/// `http://` or `https://` with a host.
fn is_callback_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
}

fn corrected_number(num: &str) -> bool {
    num.get(..6).is_some_and(|prefix| prefix.eq_ignore_ascii_case("COMNEW"))
}

/// Judges a request (table in the module doc) against the account `key`.
pub fn judge(request: Option<&Request>, key: &str) -> Result<Accepted, String> {
    let request = request.ok_or(MALFORMED)?;
    let num = request.number.as_str();
    if num.is_empty() || (request.company.is_empty() && !request.auto_com) || request.callback_url.is_empty() {
        return Err(MALFORMED.to_owned());
    }
    if request.key.is_empty() || request.key != key {
        return Err(BAD_KEY.to_owned());
    }
    if let Some(code) = codes::requested_error(num).filter(|code| *code != SUBSCRIBED) {
        return Err(code.to_owned());
    }
    if !is_callback_url(&request.callback_url) || !(6..=32).contains(&num.chars().count()) {
        return Err(BAD_DATA.to_owned());
    }
    let courier = if request.company.is_empty() {
        directory().guess_by_number(num).into_iter().next().ok_or(COURIER_UNKNOWN)?
    } else {
        directory().get(&request.company).ok_or(COURIER_REFUSED)?
    };
    if courier.needs_phone && request.phone.is_empty() {
        return Err(BAD_DATA.to_owned());
    }
    let com = courier.code.to_owned();
    let tracked_com = if corrected_number(num) { CORRECTED_COURIER.to_owned() } else { com.clone() };
    let received =
        ReceivedParam { resultv2: request.resultv2.clone(), to: request.to.clone(), ..ReceivedParam::default() };
    Ok(Accepted {
        com,
        tracked_com,
        num: num.to_owned(),
        callback_url: request.callback_url.clone(),
        salt: request.salt.clone(),
        options: Options::from_param(&received),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::param::{Lang, ResultV2};

    const KEY: &str = "sandbox-key";

    fn request(company: &str, number: &str) -> Request {
        Request {
            company: company.into(),
            number: number.into(),
            key: KEY.into(),
            callback_url: "http://127.0.0.1:9/push?t=1".into(),
            salt: "salt".into(),
            resultv2: "4".into(),
            ..Request::default()
        }
    }

    fn code(request: Request) -> String {
        judge(Some(&request), KEY).map_or_else(|code| code, |_| SUBSCRIBED.to_owned())
    }

    #[test]
    fn the_form_is_read_leniently_and_malformed_ones_are_refused() {
        let raw = r#"{"company":"yuantong","number":96930836397,"key":"k","parameters":{"callbackurl":" https://x.example/p ","salt":"s","resultv2":4,"autoCom":"1","phone":"5678"}}"#;
        let read = read(Some("json"), Some(raw)).unwrap_or_default();
        assert_eq!((read.company.as_str(), read.number.as_str()), ("yuantong", "96930836397"));
        assert_eq!((read.callback_url.as_str(), read.resultv2.as_str()), ("https://x.example/p", "4"));
        assert!(read.auto_com && read.phone == "5678" && read.salt == "s");
        assert_eq!(super::read(Some("xml"), Some(raw)), None);
        assert_eq!(super::read(None, Some(raw)), None);
        assert_eq!(super::read(Some("json"), None), None);
        assert_eq!(super::read(Some("json"), Some("[1]")), None);
        assert_eq!(super::read(Some("json"), Some("company=yuantong")), None);
    }

    #[test]
    fn every_code_has_its_rule() {
        assert_eq!(judge(None, KEY), Err("500".into()));
        assert_eq!(code(request("yuantong", "YT9693083639795")), "200");
        assert_eq!(code(request("yuantong", "")), "500");
        assert_eq!(code(request("", "YT9693083639795")), "500", "no company without autoCom");
        assert_eq!(code(Request { callback_url: String::new(), ..request("yuantong", "YT9693083639795") }), "500");
        assert_eq!(code(Request { key: "nope".into(), ..request("yuantong", "YT9693083639795") }), "600");
        assert_eq!(code(Request { key: "nope".into(), ..request("yuantong", "ERR601") }), "600", "key first");
        for err in ["500", "600", "601", "700", "701", "702", "501"] {
            assert_eq!(code(request("yuantong", &format!("ERR{err}"))), err);
        }
        assert_eq!(code(request("yuantong", "ERR200")), "200", "ERR200 is an ordinary number");
        let ftp = Request { callback_url: "ftp://x.example/p".into(), ..request("yuantong", "YT9693083639795") };
        assert_eq!(code(ftp), "700");
        let relative = Request { callback_url: "/push".into(), ..request("yuantong", "YT9693083639795") };
        assert_eq!(code(relative), "700");
        assert_eq!(code(request("yuantong", "12345")), "700", "too short");
        assert_eq!(code(request("nosuchcourier", "YT9693083639795")), "701");
        let auto = |number: &str| Request { auto_com: true, ..request("", number) };
        assert_eq!(judge(Some(&auto("YT9693083639795")), KEY).map(|a| a.com), Ok("yuantong".into()));
        assert_eq!(code(auto("hello-world")), "702");
        assert_eq!(code(request("shunfeng", "SF1234567890123")), "700", "needs a phone");
        assert_eq!(code(Request { phone: "5678".into(), ..request("shunfeng", "SF1234567890123") }), "200");
    }

    #[test]
    fn comnew_numbers_are_corrected_to_zhongtong_and_options_follow_resultv2() {
        let accepted = judge(Some(&request("YuanTong", "COMNEW00000019")), KEY);
        let accepted = accepted.unwrap_or_else(|code| panic!("{code}"));
        assert_eq!((accepted.com.as_str(), accepted.tracked_com.as_str()), ("yuantong", "zhongtong"));
        assert!(accepted.corrected());
        assert_eq!(
            accepted.options,
            Options { resultv2: ResultV2::Advanced, newest_first: true, lang: Lang::Zh, destination_given: false }
        );
        let plain = judge(Some(&request("yuantong", "YT9693083639795")), KEY).map(|a| a.corrected());
        assert_eq!(plain, Ok(false));
        let phone = Request { phone: "5678".into(), ..request("zhongtong", "COMNEW00000019") };
        assert_eq!(judge(Some(&phone), KEY).map(|a| a.corrected()), Ok(false), "already the right courier");
    }

    #[test]
    fn answers_carry_kuaidi100s_messages() {
        assert_eq!(answer("200"), Answer { result: true, return_code: "200".into(), message: "提交成功" });
        assert_eq!(answer("501").message, "重复订阅");
        assert!(!answer("700").result);
        assert_eq!(answer("999").message, "未知错误");
    }
}
