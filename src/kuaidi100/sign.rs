//! Kuaidi100's request and callback signatures.
//!
//! Both are an upper-case hex MD5 over a plain concatenation of UTF-8 strings. The server hashes the exact
//! `param` bytes it receives, so callers must sign the very string they send (see `query.rs`).

use md5::{Digest, Md5};

/// `UPPER(MD5(param + key + customer))`, the `sign` of a real-time query.
pub fn query_sign(param: &str, key: &str, customer: &str) -> String {
    md5_upper_hex(&[param, key, customer])
}

/// `UPPER(MD5(param + salt))`, the `sign` of a push callback.
pub fn callback_sign(param: &str, salt: &str) -> String {
    md5_upper_hex(&[param, salt])
}

fn md5_upper_hex(parts: &[&str]) -> String {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02X}")).collect()
}

/// Compares two signatures without caring about hex case.
pub fn signatures_match(expected: &str, received: &str) -> bool {
    expected.eq_ignore_ascii_case(received.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdEFGH1234";
    const CUSTOMER: &str = "0123456789ABCDEF0123456789ABCDEF";

    #[test]
    fn compact_param_vector() {
        let param = r#"{"com":"yuantong","num":"YT9693083639795","phone":"","from":"","to":"","resultv2":"4","show":"0","order":"desc"}"#;
        assert_eq!(query_sign(param, KEY, CUSTOMER), "FBAAD0EAE45CC64F2765069DBF144CBF");
    }

    #[test]
    fn spaced_param_vector() {
        let param = r#"{"com": "yuantong", "num": "YT9693083639795", "phone": "", "from": "", "to": "", "resultv2": "4", "show": "0", "order": "desc"}"#;
        assert_eq!(query_sign(param, KEY, CUSTOMER), "E5585B2F1E4EF8509B04179F5A170196");
    }

    #[test]
    fn raw_utf8_param_vector() {
        let param = r#"{"com":"shunfeng","num":"SF1234567890123","phone":"5678","from":"广东省深圳市","to":"北京市"}"#;
        assert_eq!(query_sign(param, KEY, CUSTOMER), "460BBBEA753E0FA31C03D803863A0FFF");
    }

    #[test]
    fn escaped_param_vector() {
        let raw = r#"{"com":"shunfeng","num":"SF1234567890123","phone":"5678","from":"广东省深圳市","to":"北京市"}"#;
        let escaped: String =
            raw.chars().map(|c| if c.is_ascii() { c.to_string() } else { format!("\\u{:04x}", c as u32) }).collect();
        assert!(escaped.contains("\\u5e7f"));
        assert_eq!(query_sign(&escaped, KEY, CUSTOMER), "6CF3E3422643B683E98C7CAE35CEB155");
    }

    #[test]
    fn callback_vector() {
        let param = r#"{"status":"polling","billstatus":"got","message":"","lastResult":{"message":"ok","nu":"YT9693083639795","ischeck":"0","com":"yuantong","status":"200","state":"0","data":[]}}"#;
        assert_eq!(callback_sign(param, "mySalt_32chars_xxxxxxxxxxxxxxxxx"), "9A2AB057AD601F8076F826D975637BE7");
    }

    #[test]
    fn signature_comparison_ignores_case() {
        assert!(signatures_match("ABCDEF", "abcdef"));
        assert!(!signatures_match("ABCDEF", "ABCDEE"));
    }
}
