//! The `param` of a real-time query.
//!
//! `param` travels as a JSON string inside a form, and the signature covers its exact bytes. So it is
//! serialized exactly once, into a [`SignedQuery`], and that one string is both signed and sent.

use serde::{Deserialize, Serialize};

use super::credentials::Credentials;
use super::sign::query_sign;

/// Which extra fields Kuaidi100 adds to an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultV2 {
    /// Plain lines: time and text.
    Off,
    /// Adds area parsing and a state name per line.
    Areas,
    /// Adds advanced state codes, locations, coordinates, pinyin and `routeInfo`. The bot's default.
    #[default]
    Advanced,
    /// `Advanced` plus Kuaidi100's in-transit estimate (`arrivalTime`, `totalTime`, `remainTime`,
    /// `predictedRoute`), for the couriers it supports and only when the request gives `to`.
    Estimate,
}

impl ResultV2 {
    pub fn as_param(self) -> &'static str {
        match self {
            ResultV2::Off => "0",
            ResultV2::Areas => "1",
            ResultV2::Advanced => "4",
            ResultV2::Estimate => "8",
        }
    }

    /// Reads the wire value; empty means off.
    pub fn from_param(value: &str) -> Option<Self> {
        match value.trim() {
            "" | "0" => Some(ResultV2::Off),
            "1" => Some(ResultV2::Areas),
            "4" => Some(ResultV2::Advanced),
            "8" => Some(ResultV2::Estimate),
            _ => None,
        }
    }

    /// Every level from 4 up carries the advanced fields and `routeInfo`.
    pub fn is_advanced(self) -> bool {
        matches!(self, ResultV2::Advanced | ResultV2::Estimate)
    }
}

/// Order of trajectory lines in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

impl Order {
    pub fn as_param(self) -> &'static str {
        match self {
            Order::NewestFirst => "desc",
            Order::OldestFirst => "asc",
        }
    }
}

/// Language of the trajectory text Kuaidi100 returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// `zh`, `zh-CN`, `zh-hans` … → Chinese; `en*` → English; anything else → `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to ask about one parcel. Build with [`QueryRequest::new`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRequest {
    /// Courier code, lower case.
    pub com: String,
    pub num: String,
    /// Phone or its last 4 digits; empty when not needed.
    pub phone: String,
    pub from: String,
    pub to: String,
    pub resultv2: ResultV2,
    pub order: Order,
    pub lang: Lang,
}

impl QueryRequest {
    pub fn new(com: &str, num: &str) -> Self {
        Self {
            com: com.trim().to_ascii_lowercase(),
            num: num.trim().to_owned(),
            phone: String::new(),
            from: String::new(),
            to: String::new(),
            resultv2: ResultV2::default(),
            order: Order::default(),
            lang: Lang::default(),
        }
    }

    pub fn with_phone(mut self, phone: &str) -> Self {
        self.phone = phone.to_owned();
        self
    }

    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn with_resultv2(mut self, resultv2: ResultV2) -> Self {
        self.resultv2 = resultv2;
        self
    }

    pub fn with_order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    pub fn with_route(mut self, from: &str, to: &str) -> Self {
        self.from = from.to_owned();
        self.to = to.to_owned();
        self
    }

    /// Serializes `param` once and signs that string.
    pub fn sign(&self, credentials: &Credentials) -> SignedQuery {
        let param = serde_json::json!({
            "com": self.com,
            "num": self.num,
            "phone": self.phone,
            "from": self.from,
            "to": self.to,
            "resultv2": self.resultv2.as_param(),
            "show": "0",
            "order": self.order.as_param(),
            "lang": self.lang.as_str(),
        })
        .to_string();
        let sign = query_sign(&param, credentials.key(), credentials.customer());
        SignedQuery { customer: credentials.customer().to_owned(), param, sign }
    }
}

/// The three form fields, ready to send. `param` is the exact string that was signed.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedQuery {
    pub customer: String,
    pub param: String,
    pub sign: String,
}

impl std::fmt::Debug for SignedQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedQuery").field("customer", &"<redacted>").field("param", &self.param).finish()
    }
}

/// `param` as the server reads it: every field optional, because clients differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReceivedParam {
    #[serde(default)]
    pub com: String,
    #[serde(default)]
    pub num: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub resultv2: String,
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub lang: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_string_is_the_sent_string() {
        let credentials = Credentials::new("0123456789ABCDEF0123456789ABCDEF", "abcdEFGH1234");
        let signed = QueryRequest::new("YuanTong", "YT9693083639795").with_lang(Lang::En).sign(&credentials);
        assert_eq!(signed.sign, query_sign(&signed.param, "abcdEFGH1234", "0123456789ABCDEF0123456789ABCDEF"));
        let back: ReceivedParam = serde_json::from_str(&signed.param).expect("param is JSON");
        assert_eq!(back.com, "yuantong");
        assert_eq!(back.num, "YT9693083639795");
        assert_eq!(
            (back.resultv2.as_str(), back.show.as_str(), back.order.as_str(), back.lang.as_str()),
            ("4", "0", "desc", "en")
        );
        assert!(!format!("{signed:?}").contains("0123456789ABCDEF"));
    }

    #[test]
    fn language_codes() {
        assert_eq!(Lang::parse("zh-hans"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("ru"), None);
    }
}
