//! Kuaidi100's error answers and the `ERR<code>` test numbers.
//!
//! Every refusal of the simulator is an HTTP 200 with `{"result":false,"returnCode":"…","message":"…"}`,
//! because that is what Kuaidi100 does; the messages are those of the original document (seed §1.8), so
//! a client that shows or logs them sees what it would see in production. Codes outside that table get
//! `未知错误` ("unknown error") and keep their code.
//!
//! A number of the form `ERR<3 digits><digits>` (any case, e.g. `ERR5000001`) makes the simulator answer
//! that code, so that tests and people trying the bot can see every error path on demand. The same
//! numbers work for push subscriptions (`POST /poll`, `subscribe.rs`), with that API's codes.
//!
//! A number starting `NOREC` (any case, e.g. `NOREC0000001`) never gets a record: a query answers `500`
//! (查询无结果) however long one waits, and a push subscription of it ends with `abort` ("3天查询无记录")
//! after three days. Every other number always has at least its pick-up line.

use crate::kuaidi100::response::ErrorBody;

pub const INCOMPLETE: &str = "400";
pub const BAD_PHONE: &str = "408";
pub const NO_RESULT: &str = "500";
pub const BAD_SIGNATURE: &str = "503";
pub const KEY_EXPIRED: &str = "601";
pub const OK: &str = "200";

/// The message Kuaidi100 gives with a return code.
pub fn message(code: &str) -> &'static str {
    match code {
        "200" => "查询成功",
        "400" => "找不到对应公司",
        "408" => "快递公司参数异常：验证码错误",
        "500" => "查询无结果，请隔段时间再查",
        "501" => "服务器错误",
        "502" => "服务器繁忙",
        "503" => "验证签名失败",
        "601" => "key已过期",
        _ => "未知错误",
    }
}

/// The error body for a return code.
pub fn error(code: &str) -> ErrorBody {
    ErrorBody::new(code, message(code))
}

/// The return code an `ERR<code><digits>` number asks for; `None` for every other number.
pub fn requested_error(num: &str) -> Option<&str> {
    let num = num.trim();
    let prefix = num.get(..3)?;
    if !prefix.eq_ignore_ascii_case("ERR") {
        return None;
    }
    let code = num.get(3..6)?;
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (digits_only(code) && digits_only(&num[6..])).then_some(code)
}

/// Whether `num` is one that never gets a record (`NOREC…`).
pub fn never_recorded(num: &str) -> bool {
    num.trim().get(..5).is_some_and(|prefix| prefix.eq_ignore_ascii_case("NOREC"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norec_numbers_never_get_a_record() {
        assert!(never_recorded("NOREC0000001"));
        assert!(never_recorded(" norec12 "));
        assert!(!never_recorded("NORE"));
        assert!(!never_recorded("YT9693083639795"));
        assert!(!never_recorded("无记录无记录"), "multi-byte text never panics");
    }

    #[test]
    fn err_numbers_name_their_code() {
        assert_eq!(requested_error("ERR5000001"), Some("500"));
        assert_eq!(requested_error("err4080000"), Some("408"));
        assert_eq!(requested_error(" Err601 "), Some("601"), "no trailing digits is fine");
        assert_eq!(requested_error("ERR9991234"), Some("999"));
        assert_eq!(requested_error("ERR50"), None, "too short");
        assert_eq!(requested_error("ERR50X001"), None);
        assert_eq!(requested_error("ERR500ABC"), None);
        assert_eq!(requested_error("YT9693083639795"), None);
        assert_eq!(requested_error("错误5000001"), None, "multi-byte text never panics");
        assert_eq!(requested_error("ER"), None);
    }

    #[test]
    fn messages_follow_the_seed_document() {
        assert_eq!(error("503").message, "验证签名失败");
        assert_eq!(error("400").message, "找不到对应公司");
        assert_eq!(error("408").message, "快递公司参数异常：验证码错误");
        assert_eq!(error("777").message, "未知错误");
        assert_eq!(error("777").return_code, "777");
        assert!(!error("500").result);
    }
}
