//! Everything that can go wrong with one call to Kuaidi100.
//!
//! One type for all of it, because the layer above needs to ask the same two questions of any failure:
//! may trying again later help ([`Error::is_transient`]), and what should the person be told
//! ([`Error::advice`])? Messages quote at most a short excerpt of a bad body and never a credential.

use std::fmt;

/// A Kuaidi100 `returnCode`, as documented, or any other code it sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReturnCode {
    /// 400: incomplete data, unknown courier, or account not authorised.
    BadRequest,
    /// 408: phone check failed (missing or wrong phone).
    PhoneCheckFailed,
    /// 500: no result yet, often the wrong courier.
    NoResult,
    /// 501: Kuaidi100 server error.
    ServerError,
    /// 502: Kuaidi100 busy.
    Busy,
    /// 503: signature check failed.
    BadSignature,
    /// 601: key expired or no balance.
    KeyExpired,
    Other(String),
}

impl ReturnCode {
    pub fn parse(code: &str) -> Self {
        match code.trim() {
            "400" => ReturnCode::BadRequest,
            "408" => ReturnCode::PhoneCheckFailed,
            "500" => ReturnCode::NoResult,
            "501" => ReturnCode::ServerError,
            "502" => ReturnCode::Busy,
            "503" => ReturnCode::BadSignature,
            "601" => ReturnCode::KeyExpired,
            other => ReturnCode::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ReturnCode::BadRequest => "400",
            ReturnCode::PhoneCheckFailed => "408",
            ReturnCode::NoResult => "500",
            ReturnCode::ServerError => "501",
            ReturnCode::Busy => "502",
            ReturnCode::BadSignature => "503",
            ReturnCode::KeyExpired => "601",
            ReturnCode::Other(code) => code,
        }
    }
}

impl fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of message a person should get for a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Advice {
    /// The courier is not recognised: check it.
    CheckCourier,
    /// The courier needs the last 4 digits of the sender's or recipient's phone (or they were wrong).
    NeedPhone,
    /// Nothing found yet: maybe the wrong courier, or too early; try later.
    NoResultYet,
    /// Kuaidi100 or the network is having trouble: try again later.
    TryLater,
    /// The bot's operator must fix credentials or quota; the person can only wait.
    OperatorProblem,
}

/// The failure of one request to Kuaidi100.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("Kuaidi100 answered {code}: {message}")]
    Api { code: ReturnCode, message: String },
    #[error("Kuaidi100 did not answer in time")]
    Timeout,
    #[error("could not reach Kuaidi100: {0}")]
    Connection(String),
    #[error("Kuaidi100 answered HTTP {status}: {excerpt}")]
    Http { status: u16, excerpt: String },
    #[error("Kuaidi100 sent an unreadable answer: {excerpt}")]
    BadBody { excerpt: String },
}

impl Error {
    pub fn api(code: &str, message: &str) -> Self {
        Error::Api { code: ReturnCode::parse(code), message: message.to_owned() }
    }

    /// The `returnCode`, when Kuaidi100 gave one.
    pub fn return_code(&self) -> Option<&ReturnCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether asking again later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api { code, .. } => matches!(code, ReturnCode::ServerError | ReturnCode::Busy),
            Error::Timeout | Error::Connection(_) | Error::BadBody { .. } => true,
            Error::Http { status, .. } => *status == 429 || *status >= 500,
        }
    }

    /// "No result yet" is an answer of sorts: remembered and not re-asked inside the floor.
    pub fn is_no_result(&self) -> bool {
        self.return_code() == Some(&ReturnCode::NoResult)
    }

    pub fn advice(&self) -> Advice {
        match self {
            Error::Api { code, .. } => match code {
                ReturnCode::BadRequest => Advice::CheckCourier,
                ReturnCode::PhoneCheckFailed => Advice::NeedPhone,
                ReturnCode::NoResult => Advice::NoResultYet,
                ReturnCode::ServerError | ReturnCode::Busy | ReturnCode::Other(_) => Advice::TryLater,
                ReturnCode::BadSignature | ReturnCode::KeyExpired => Advice::OperatorProblem,
            },
            Error::Timeout | Error::Connection(_) | Error::BadBody { .. } => Advice::TryLater,
            Error::Http { status, .. } if *status == 401 || *status == 403 => Advice::OperatorProblem,
            Error::Http { .. } => Advice::TryLater,
        }
    }
}

/// At most `max` characters of a body, on one line, for an error message.
pub(crate) fn excerpt(body: &str, max: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(max).collect();
    if flat.chars().count() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_advice_and_transience() {
        let cases = [
            ("400", Advice::CheckCourier, false),
            ("408", Advice::NeedPhone, false),
            ("500", Advice::NoResultYet, false),
            ("501", Advice::TryLater, true),
            ("502", Advice::TryLater, true),
            ("503", Advice::OperatorProblem, false),
            ("601", Advice::OperatorProblem, false),
            ("777", Advice::TryLater, false),
        ];
        for (code, advice, transient) in cases {
            let error = Error::api(code, "m");
            assert_eq!(error.advice(), advice, "{code}");
            assert_eq!(error.is_transient(), transient, "{code}");
            assert_eq!(error.return_code().map(ReturnCode::as_str), Some(code));
        }
        assert!(Error::api("500", "").is_no_result());
    }

    #[test]
    fn transport_failures_are_transient() {
        assert!(Error::Timeout.is_transient());
        assert!(Error::Connection("refused".into()).is_transient());
        assert!(Error::Http { status: 502, excerpt: String::new() }.is_transient());
        assert!(!Error::Http { status: 404, excerpt: String::new() }.is_transient());
    }

    #[test]
    fn excerpts_are_short_and_single_line() {
        let long = format!("<html>\n<body>{}</body>", "x".repeat(500));
        let short = excerpt(&long, 80);
        assert!(!short.contains('\n'));
        assert_eq!(short.chars().count(), 81);
        assert_eq!(excerpt("ok", 80), "ok");
    }
}
