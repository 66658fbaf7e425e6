//! The simulator's built-in account, and the signature check.
//!
//! With no Kuaidi100 account configured the bot talks to the simulator with these public, documented
//! credentials; they open nothing but the simulator. The check works like Kuaidi100's: the MD5 is taken
//! over the `param` string exactly as it arrived (after form decoding), before anything parses it, so a
//! client may serialize `param` however it likes (spaces, key order, `\u` escapes) as long as it signs
//! the very string it sends.

use crate::kuaidi100::credentials::Credentials;
use crate::kuaidi100::sign::{query_sign, signatures_match};

/// Customer id (授权码) of the built-in account: 32 characters, like a real one.
pub const SANDBOX_CUSTOMER: &str = "KUAIDIBOTSANDBOX0000000000000000";
/// Key of the built-in account.
pub const SANDBOX_KEY: &str = "sandbox-key";

/// The built-in account's credentials.
pub fn sandbox_credentials() -> Credentials {
    Credentials::new(SANDBOX_CUSTOMER, SANDBOX_KEY)
}

/// Whether `customer` and `sign` prove that the sender holds `credentials` for this exact `param`.
pub fn is_signed_by(credentials: &Credentials, customer: &str, param: &str, sign: &str) -> bool {
    customer.trim() == credentials.customer()
        && signatures_match(&query_sign(param, credentials.key(), credentials.customer()), sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_account_has_a_realistic_shape() {
        assert_eq!(SANDBOX_CUSTOMER.len(), 32);
        let credentials = sandbox_credentials();
        assert_eq!((credentials.customer(), credentials.key()), (SANDBOX_CUSTOMER, SANDBOX_KEY));
    }

    #[test]
    fn the_signature_covers_the_raw_param_and_both_secrets() {
        let credentials = Credentials::new("0123456789ABCDEF0123456789ABCDEF", "abcdEFGH1234");
        let customer = credentials.customer();
        let spaced = r#"{"com": "yuantong", "num": "YT9693083639795", "phone": "", "from": "", "to": "", "resultv2": "4", "show": "0", "order": "desc"}"#;
        assert!(is_signed_by(&credentials, customer, spaced, "E5585B2F1E4EF8509B04179F5A170196"));
        assert!(is_signed_by(&credentials, customer, spaced, "e5585b2f1e4ef8509b04179f5a170196"), "any hex case");
        let compact = spaced.replace(": ", ":").replace(", ", ",");
        assert!(!is_signed_by(&credentials, customer, &compact, "E5585B2F1E4EF8509B04179F5A170196"), "other bytes");
        assert!(is_signed_by(&credentials, customer, &compact, "FBAAD0EAE45CC64F2765069DBF144CBF"));
        assert!(!is_signed_by(&credentials, "SOMEONE-ELSE", &compact, "FBAAD0EAE45CC64F2765069DBF144CBF"));
        let other_key = Credentials::new(customer, "another-key");
        assert!(!is_signed_by(&other_key, customer, &compact, "FBAAD0EAE45CC64F2765069DBF144CBF"));
        assert!(!is_signed_by(&credentials, customer, &compact, ""));
    }
}
