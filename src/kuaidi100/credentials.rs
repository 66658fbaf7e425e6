//! Kuaidi100 account credentials.
//!
//! The key and the customer id are billing secrets: their `Debug` and `Display` never show them, so they
//! cannot leak through a log line, an error or a `{:?}` in a test failure.

use std::fmt;

/// A customer id (授权码) and key pair. Read the parts only to sign a request.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    customer: String,
    key: String,
}

impl Credentials {
    pub fn new(customer: impl Into<String>, key: impl Into<String>) -> Self {
        Self { customer: customer.into(), key: key.into() }
    }

    pub fn customer(&self) -> &str {
        &self.customer
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials { customer: <redacted>, key: <redacted> }")
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted credentials>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_both_parts() {
        let credentials = Credentials::new("CUSTOMER-ID-123", "SECRET-KEY-456");
        for shown in [format!("{credentials:?}"), format!("{credentials}"), format!("{:#?}", Some(&credentials))] {
            assert!(!shown.contains("CUSTOMER-ID-123"), "{shown}");
            assert!(!shown.contains("SECRET-KEY-456"), "{shown}");
        }
        assert_eq!(credentials.key(), "SECRET-KEY-456");
    }
}
