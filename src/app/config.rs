//! Configuration from the environment (and `.env`, read by dotenvy at start-up).
//!
//! Every variable of `design.md` is read here and nowhere else, with its default, and any invalid value
//! stops start-up with a message that names the variable. Parsing is split from reading so that the
//! rules (durations like `30m`, rates like `10/min`) are unit-tested without touching the environment.

use std::net::SocketAddr;
use std::time::Duration;

use crate::http::{ApiToken, TrustedProxies};
use crate::kuaidi100::{Credentials, DEFAULT_API_URL, DEFAULT_AUTONUMBER_URL, Lang, Salt};
use crate::tracking::{DailyBudget, Rate};
use crate::watch::WatchMode;

/// `HTTP_ADDR` for a local run: loopback only (the Dockerfile sets `0.0.0.0:8080`).
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kuaidi-bot.db";
/// The console keeps its own database, so that nothing typed in a terminal is ever polled for, or
/// sent to, a Telegram chat.
pub const DEFAULT_CONSOLE_DATABASE_URL: &str = "sqlite://kuaidi-bot-console.db";

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self { variable, problem: problem.into() }
    }
}

/// Everything the engine needs to know about Kuaidi100 and its limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// `None` = sandbox mode: the built-in simulator answers.
    pub credentials: Option<Credentials>,
    pub api_url: String,
    pub autonumber_url: String,
    pub database_url: String,
    /// `CONSOLE_DATABASE_URL`: the console's own database.
    pub console_database_url: String,
    pub query_min_interval: Duration,
    pub query_max_per_day: u32,
    /// `KUAIDI100_TIMEOUT`: how long one call to Kuaidi100 may take before it counts as failed
    /// (default 15 s; tests of failures shorten it).
    pub kuaidi100_timeout: Duration,
    pub user_rate_limit: Rate,
    pub default_lang: Lang,
    /// `MAX_SUBSCRIPTIONS_PER_CHAT`: parcels one chat may watch at once.
    pub max_subscriptions_per_chat: u32,
    /// `MAX_SUBSCRIPTIONS_PER_USER`: parcels one person may have subscribed, across all chats.
    pub max_subscriptions_per_user: u32,
    /// `KUAIDI100_DAILY_BUDGET`: billed Kuaidi100 calls per rolling 24 h across the deployment.
    pub daily_budget: Option<DailyBudget>,
    /// `HTTP_ADDR`: where the bot's HTTP server (health, readiness, metrics) listens; `None` = `off`.
    pub http_addr: Option<SocketAddr>,
    /// `PUBLIC_URL`: the https base the world reaches the HTTP server at, without a trailing slash;
    /// set = Telegram webhook mode, and Kuaidi100's pushes can reach the bot.
    pub public_url: Option<String>,
    /// `WATCH_MODE`: `hybrid` by default when `PUBLIC_URL` is set, else `poll`.
    pub watch_mode: WatchMode,
    /// `KUAIDI100_PUSH_SALT`, or derived from the key (see [`Salt::derive`]); redacted in `Debug`.
    pub push_salt: Salt,
    /// Where Kuaidi100's pushes are sent: `PUBLIC_URL`, or in sandbox mode the loopback address the
    /// HTTP server was bound at (set by the command that binds it).
    pub callback_base: Option<String>,
    /// `WATCH_LEASE`: how long a replica holds the due parcels it took (PostgreSQL; default 2 min).
    pub watch_lease: Duration,
    /// `OUTBOX_LEASE`: how long a replica holds the notices it claimed (PostgreSQL; default 30 s).
    pub outbox_lease: Duration,
    /// `API_TOKEN`: set, the JSON API wants `Authorization: Bearer <token>`; redacted in `Debug`.
    pub api_token: Option<ApiToken>,
    /// `API_RATE_LIMIT`: tracking questions per API caller (default `60/min`).
    pub api_rate_limit: Rate,
    /// `TRUSTED_PROXIES`: the proxies whose `X-Forwarded-For` names the API caller (default none).
    pub trusted_proxies: TrustedProxies,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
        let credentials = match (get("KUAIDI100_CUSTOMER"), get("KUAIDI100_KEY")) {
            (Some(customer), Some(key)) => Some(Credentials::new(customer, key)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "KUAIDI100_KEY",
                    "is missing while KUAIDI100_CUSTOMER is set (set both, or neither for sandbox mode)",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "KUAIDI100_CUSTOMER",
                    "is missing while KUAIDI100_KEY is set (set both, or neither for sandbox mode)",
                ));
            }
        };
        let query_min_interval = match get("QUERY_MIN_INTERVAL") {
            Some(text) => parse_duration(&text).map_err(|problem| ConfigError::new("QUERY_MIN_INTERVAL", problem))?,
            None => Duration::from_secs(30 * 60),
        };
        if query_min_interval.is_zero() {
            return Err(ConfigError::new("QUERY_MIN_INTERVAL", "must be longer than zero"));
        }
        let query_max_per_day = match get("QUERY_MAX_PER_DAY") {
            Some(text) => text.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError::new("QUERY_MAX_PER_DAY", format!("`{text}` is not a positive whole number"))
            })?,
            None => 48,
        };
        let kuaidi100_timeout = match get("KUAIDI100_TIMEOUT") {
            Some(text) => match parse_duration(&text) {
                Ok(timeout) if timeout >= Duration::from_secs(1) => timeout,
                Ok(_) => return Err(ConfigError::new("KUAIDI100_TIMEOUT", "must be at least 1s")),
                Err(problem) => return Err(ConfigError::new("KUAIDI100_TIMEOUT", problem)),
            },
            None => Duration::from_secs(15),
        };
        let user_rate_limit = match get("USER_RATE_LIMIT") {
            Some(text) => parse_rate(&text).map_err(|problem| ConfigError::new("USER_RATE_LIMIT", problem))?,
            None => Rate { count: 10, per: Duration::from_secs(60) },
        };
        let default_lang = match get("DEFAULT_LANG") {
            Some(text) => match text.to_ascii_lowercase().as_str() {
                "zh" => Lang::Zh,
                "en" => Lang::En,
                _ => return Err(ConfigError::new("DEFAULT_LANG", format!("`{text}` is not `zh` or `en`"))),
            },
            None => Lang::Zh,
        };
        let max_subscriptions_per_chat = match get("MAX_SUBSCRIPTIONS_PER_CHAT") {
            Some(text) => text.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError::new("MAX_SUBSCRIPTIONS_PER_CHAT", format!("`{text}` is not a positive whole number"))
            })?,
            None => 50,
        };
        let max_subscriptions_per_user = match get("MAX_SUBSCRIPTIONS_PER_USER") {
            Some(text) => text.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError::new("MAX_SUBSCRIPTIONS_PER_USER", format!("`{text}` is not a positive whole number"))
            })?,
            None => crate::watch::DEFAULT_MAX_PER_USER,
        };
        let daily_budget = match get("KUAIDI100_DAILY_BUDGET") {
            Some(text) => Some(DailyBudget {
                calls: text.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ConfigError::new(
                        "KUAIDI100_DAILY_BUDGET",
                        format!("`{text}` is not a positive whole number of billed calls per 24 hours"),
                    )
                })?,
            }),
            None => None,
        };
        let http_addr = parse_http_addr(get("HTTP_ADDR").as_deref().unwrap_or(DEFAULT_HTTP_ADDR))
            .map_err(|problem| ConfigError::new("HTTP_ADDR", problem))?;
        let public_url = match get("PUBLIC_URL") {
            Some(url) => Some(parse_public_url(&url).map_err(|problem| ConfigError::new("PUBLIC_URL", problem))?),
            None => None,
        };
        let watch_mode = match get("WATCH_MODE") {
            Some(text) => WatchMode::parse(&text)
                .ok_or_else(|| ConfigError::new("WATCH_MODE", format!("`{text}` is not `poll`, `push` or `hybrid`")))?,
            None if public_url.is_some() => WatchMode::Hybrid,
            None => WatchMode::Poll,
        };
        // In sandbox mode the in-process simulator calls back a loopback listener instead.
        let real = credentials.is_some();
        if real && watch_mode != WatchMode::Poll && public_url.is_none() {
            return Err(ConfigError::new(
                "WATCH_MODE",
                format!(
                    "`{}` needs PUBLIC_URL: Kuaidi100 must be able to reach the bot's callback",
                    watch_mode.as_str()
                ),
            ));
        }
        if real && watch_mode != WatchMode::Poll && http_addr.is_none() {
            return Err(ConfigError::new(
                "WATCH_MODE",
                format!("`{}` needs the HTTP server (HTTP_ADDR is off): pushes arrive there", watch_mode.as_str()),
            ));
        }
        if public_url.is_some() && http_addr.is_none() {
            return Err(ConfigError::new(
                "HTTP_ADDR",
                "is off, but PUBLIC_URL is set (Telegram webhook mode): updates arrive on the HTTP server \
                 (set HTTP_ADDR, or unset PUBLIC_URL for long polling)",
            ));
        }
        let push_salt = match get("KUAIDI100_PUSH_SALT") {
            Some(salt) if salt.chars().count() > 32 || !salt.is_ascii() => {
                return Err(ConfigError::new("KUAIDI100_PUSH_SALT", "must be at most 32 ASCII characters"));
            }
            Some(salt) => Salt::new(salt),
            None => Salt::derive(credentials.as_ref().map(Credentials::key).unwrap_or(crate::sandbox::SANDBOX_KEY)),
        };
        let lease = |name: &'static str, default: Duration| match get(name) {
            Some(text) => match parse_duration(&text) {
                Ok(lease) if lease >= Duration::from_secs(1) => Ok(lease),
                Ok(_) => Err(ConfigError::new(name, "must be at least 1s")),
                Err(problem) => Err(ConfigError::new(name, problem)),
            },
            None => Ok(default),
        };
        let watch_lease = lease("WATCH_LEASE", Duration::from_secs(120))?;
        let outbox_lease = lease("OUTBOX_LEASE", Duration::from_secs(30))?;
        let api_token = match get("API_TOKEN") {
            Some(text) => Some(ApiToken::parse(&text).map_err(|problem| ConfigError::new("API_TOKEN", problem))?),
            None => None,
        };
        let api_rate_limit = match get("API_RATE_LIMIT") {
            Some(text) => parse_rate(&text).map_err(|problem| ConfigError::new("API_RATE_LIMIT", problem))?,
            None => Rate { count: 60, per: Duration::from_secs(60) },
        };
        let trusted_proxies = TrustedProxies::parse(get("TRUSTED_PROXIES").as_deref().unwrap_or_default())
            .map_err(|problem| ConfigError::new("TRUSTED_PROXIES", problem))?;
        let api_url = get("KUAIDI100_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        check_url("KUAIDI100_API_URL", &api_url)?;
        let autonumber_url = get("KUAIDI100_AUTONUMBER_URL").unwrap_or_else(|| DEFAULT_AUTONUMBER_URL.to_owned());
        check_url("KUAIDI100_AUTONUMBER_URL", &autonumber_url)?;
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url("DATABASE_URL", &database_url)?;
        let console_database_url =
            get("CONSOLE_DATABASE_URL").unwrap_or_else(|| DEFAULT_CONSOLE_DATABASE_URL.to_owned());
        check_database_url("CONSOLE_DATABASE_URL", &console_database_url)?;
        if console_database_url == database_url {
            return Err(ConfigError::new(
                "CONSOLE_DATABASE_URL",
                "must differ from DATABASE_URL: console chats must never be confused with Telegram chats",
            ));
        }
        Ok(Self {
            credentials,
            api_url,
            autonumber_url,
            database_url,
            console_database_url,
            query_min_interval,
            query_max_per_day,
            kuaidi100_timeout,
            user_rate_limit,
            default_lang,
            max_subscriptions_per_chat,
            max_subscriptions_per_user,
            daily_budget,
            http_addr,
            watch_mode,
            push_salt,
            callback_base: public_url.clone(),
            public_url,
            watch_lease,
            outbox_lease,
            api_token,
            api_rate_limit,
            trusted_proxies,
        })
    }

    pub fn is_sandbox(&self) -> bool {
        self.credentials.is_none()
    }
}

fn check_database_url(variable: &'static str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(())
    } else {
        Err(ConfigError::new(variable, "must start with sqlite:, postgres:// or postgresql://"))
    }
}

fn check_url(variable: &'static str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ConfigError::new(variable, format!("`{url}` is not an http(s) URL")))
    }
}

/// `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`; `off` = no HTTP server.
pub fn parse_http_addr(text: &str) -> Result<Option<SocketAddr>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse::<SocketAddr>()
        .map(Some)
        .map_err(|_| format!("`{text}` is not an address like 127.0.0.1:8080 (or `off`)"))
}

/// An `https://` (or, for tests and local proxies, `http://`) base URL with no query or fragment; the
/// trailing slash is dropped so that paths can be appended.
pub fn parse_public_url(text: &str) -> Result<String, String> {
    let url =
        reqwest::Url::parse(text.trim()).map_err(|_| format!("`{text}` is not a URL like https://bot.example.com"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(format!("`{text}` is not an http(s) URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{text}` must not carry a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `90s`, `30m`, `2h`, `1d`, `250ms`; a bare number means seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let amount: u64 = digits.parse().map_err(|_| format!("`{text}` is not a duration like 90s, 30m or 2h"))?;
    let seconds_per_unit = match unit.trim() {
        "ms" => return Ok(Duration::from_millis(amount)),
        "" | "s" | "sec" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}` has an unknown unit (use ms, s, m, h or d)")),
    };
    amount.checked_mul(seconds_per_unit).map(Duration::from_secs).ok_or_else(|| format!("`{text}` is too long"))
}

/// `10/min`, `5/s`, `100/h`, `30/90s`.
pub fn parse_rate(text: &str) -> Result<Rate, String> {
    let bad = || format!("`{text}` is not a rate like 10/min");
    let (count, period) = text.trim().split_once('/').ok_or_else(bad)?;
    let count: u32 = count.trim().parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
    let per = match period.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        "d" | "day" => Duration::from_secs(86_400),
        other => parse_duration(other).map_err(|_| bad())?,
    };
    if per.is_zero() {
        return Err(bad());
    }
    Ok(Rate { count, per })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_sandbox_sqlite_and_the_lock_rule() {
        let config = config(&[]).expect("defaults are valid");
        assert!(config.is_sandbox());
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.query_min_interval, Duration::from_secs(1800));
        assert_eq!(config.query_max_per_day, 48);
        assert_eq!(config.user_rate_limit, Rate { count: 10, per: Duration::from_secs(60) });
        assert_eq!(config.default_lang, Lang::Zh);
        assert_eq!(config.api_url, DEFAULT_API_URL);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(parse_duration("-3m").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("10/min"), Ok(Rate { count: 10, per: Duration::from_secs(60) }));
        assert_eq!(parse_rate("3/s"), Ok(Rate { count: 3, per: Duration::from_secs(1) }));
        assert_eq!(parse_rate("30/90s"), Ok(Rate { count: 30, per: Duration::from_secs(90) }));
        assert!(parse_rate("0/min").is_err());
        assert!(parse_rate("ten").is_err());
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases = [
            ("QUERY_MIN_INTERVAL", "soon"),
            ("QUERY_MIN_INTERVAL", "0s"),
            ("QUERY_MAX_PER_DAY", "-1"),
            ("KUAIDI100_TIMEOUT", "500ms"),
            ("KUAIDI100_TIMEOUT", "0s"),
            ("MAX_SUBSCRIPTIONS_PER_CHAT", "0"),
            ("MAX_SUBSCRIPTIONS_PER_USER", "none"),
            ("KUAIDI100_DAILY_BUDGET", "0"),
            ("KUAIDI100_DAILY_BUDGET", "lots"),
            ("USER_RATE_LIMIT", "lots"),
            ("DEFAULT_LANG", "fr"),
            ("DATABASE_URL", "mysql://x"),
            ("CONSOLE_DATABASE_URL", "mysql://x"),
            ("CONSOLE_DATABASE_URL", DEFAULT_DATABASE_URL),
            ("KUAIDI100_API_URL", "ftp://x"),
            ("API_TOKEN", "short"),
            ("API_TOKEN", "long enough but has spaces"),
            ("API_RATE_LIMIT", "many"),
            ("API_RATE_LIMIT", "0/min"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.example"),
        ];
        for (variable, value) in cases {
            let error = config(&[(variable, value)]).expect_err(variable);
            assert_eq!(error.variable, variable);
            assert!(error.to_string().starts_with(variable));
        }
    }

    #[test]
    fn http_addr_defaults_to_loopback_and_can_be_off() {
        let default = config(&[]).expect("defaults are valid").http_addr;
        assert_eq!(default, Some(SocketAddr::from(([127, 0, 0, 1], 8080))));
        assert_eq!(config(&[("HTTP_ADDR", "off")]).expect("off").http_addr, None);
        assert_eq!(config(&[("HTTP_ADDR", "OFF")]).expect("off").http_addr, None);
        let any = config(&[("HTTP_ADDR", "0.0.0.0:9000")]).expect("valid").http_addr;
        assert_eq!(any, Some(SocketAddr::from(([0, 0, 0, 0], 9000))));
        for bad in ["8080", "localhost", "1.2.3.4:99999", "on"] {
            let error = config(&[("HTTP_ADDR", bad)]).expect_err(bad);
            assert_eq!(error.variable, "HTTP_ADDR");
            assert!(error.to_string().starts_with("HTTP_ADDR"), "{error}");
        }
    }

    #[test]
    fn watch_mode_follows_public_url_and_the_salt_never_shows() {
        assert_eq!(config(&[]).expect("defaults").watch_mode, WatchMode::Poll);
        let public = config(&[("PUBLIC_URL", "https://bot.example.com/")]).expect("valid");
        assert_eq!(public.public_url.as_deref(), Some("https://bot.example.com"));
        assert_eq!(public.watch_mode, WatchMode::Hybrid);
        let push = config(&[("PUBLIC_URL", "https://bot.example.com/k"), ("WATCH_MODE", "push")]).expect("valid");
        assert_eq!(push.watch_mode, WatchMode::Push);
        assert_eq!(push.public_url.as_deref(), Some("https://bot.example.com/k"));
        let poll = config(&[("PUBLIC_URL", "https://bot.example.com"), ("WATCH_MODE", "POLL")]).expect("valid");
        assert_eq!(poll.watch_mode, WatchMode::Poll);
        let sandbox_hybrid = config(&[("WATCH_MODE", "hybrid"), ("HTTP_ADDR", "off")]).expect("sandbox: loopback");
        assert_eq!(sandbox_hybrid.watch_mode, WatchMode::Hybrid);
        let real = [("KUAIDI100_KEY", "K"), ("KUAIDI100_CUSTOMER", "C")];
        for (variable, pairs) in [
            ("WATCH_MODE", [&real[..], &[("WATCH_MODE", "hybrid")]].concat()),
            ("WATCH_MODE", vec![("WATCH_MODE", "sometimes"), ("PUBLIC_URL", "https://x.example")]),
            ("WATCH_MODE", [&real[..], &[("PUBLIC_URL", "https://x.example"), ("HTTP_ADDR", "off")]].concat()),
            ("PUBLIC_URL", vec![("PUBLIC_URL", "bot.example.com")]),
            ("PUBLIC_URL", vec![("PUBLIC_URL", "ftp://bot.example.com")]),
            ("PUBLIC_URL", vec![("PUBLIC_URL", "https://bot.example.com/?a=1")]),
            ("KUAIDI100_PUSH_SALT", vec![("KUAIDI100_PUSH_SALT", &"x".repeat(33))]),
        ] {
            let error = config(&pairs).expect_err(variable);
            assert_eq!(error.variable, variable, "{pairs:?}");
        }
        let salted = config(&[
            ("KUAIDI100_KEY", "SECRETKEY"),
            ("KUAIDI100_CUSTOMER", "SECRETCUSTOMER"),
            ("KUAIDI100_PUSH_SALT", "SECRETSALT"),
        ])
        .expect("valid");
        assert_eq!(salted.push_salt.expose(), "SECRETSALT");
        assert!(!format!("{salted:?}").contains("SECRETSALT"));
        let derived = config(&[("KUAIDI100_KEY", "SECRETKEY"), ("KUAIDI100_CUSTOMER", "C")]).expect("valid");
        assert_eq!(derived.push_salt, Salt::derive("SECRETKEY"), "replicas sharing a key agree on the salt");
    }

    #[test]
    fn webhook_mode_needs_the_http_server() {
        let error = config(&[("PUBLIC_URL", "https://bot.example.com"), ("HTTP_ADDR", "off"), ("WATCH_MODE", "poll")])
            .expect_err("no server for the webhook");
        assert_eq!(error.variable, "HTTP_ADDR");
        assert!(error.to_string().contains("PUBLIC_URL"), "{error}");
        let served = config(&[("PUBLIC_URL", "https://bot.example.com"), ("HTTP_ADDR", "0.0.0.0:8080")]);
        assert!(served.is_ok(), "{served:?}");
        assert!(config(&[("HTTP_ADDR", "off")]).is_ok(), "long polling needs no server");
    }

    #[test]
    fn the_api_is_open_by_default_and_its_token_never_shows() {
        let open = config(&[]).expect("defaults");
        assert!(open.api_token.is_none());
        assert_eq!(open.api_rate_limit, Rate { count: 60, per: Duration::from_secs(60) });
        assert!(open.trusted_proxies.is_empty());
        let closed = config(&[
            ("API_TOKEN", "SECRETTOKEN-0123456789"),
            ("API_RATE_LIMIT", "5/s"),
            ("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
        ])
        .expect("valid");
        assert!(closed.api_token.as_ref().is_some_and(|token| token.accepts("SECRETTOKEN-0123456789")));
        assert_eq!(closed.api_rate_limit, Rate { count: 5, per: Duration::from_secs(1) });
        assert!(closed.trusted_proxies.contains("10.9.8.7".parse().expect("ip")));
        assert!(!format!("{closed:?}").contains("SECRETTOKEN"));
    }

    #[test]
    fn credentials_come_in_pairs_and_never_show() {
        assert_eq!(config(&[("KUAIDI100_KEY", "k")]).expect_err("half").variable, "KUAIDI100_CUSTOMER");
        let config =
            config(&[("KUAIDI100_KEY", "SECRETKEY"), ("KUAIDI100_CUSTOMER", "SECRETCUSTOMER")]).expect("valid");
        assert!(!config.is_sandbox());
        let shown = format!("{config:?}");
        assert!(!shown.contains("SECRETKEY") && !shown.contains("SECRETCUSTOMER"), "{shown}");
    }
}
