//! The tracking page at `GET /`: a number (and optionally a courier) in, the parcel's timeline out,
//! server-rendered, in Chinese or English, on the same [`Tracker`](crate::tracking::Tracker) as the
//! bot — so the web can never cost a query the bot would not, nor break Kuaidi100's lock rule.
//!
//! Why it is built this way:
//! - **No JavaScript needed.** The number form is a plain `GET /` (its URL is the permalink's shape,
//!   `/?number=…&courier=…`); couriers to pick from are links; the one script (`page.js`) only adds
//!   a "copy link" button.
//! - **Phones never in a URL.** The phone prompt appears only when the courier checks a phone (its
//!   `needs_phone`, or the tracker's `PhoneRequired`), and its form POSTs to `/`; `GET` ignores any
//!   `phone` parameter, and no link the page writes takes one (see `links.rs`). Whether a trajectory
//!   may be shown for the digits given is the tracker's decision (`PhoneMismatch`), as in the bot.
//! - **Nothing from elsewhere.** The stylesheet and script come from this server (`assets.rs`), no
//!   font, image or script is loaded from another host, and a strict Content-Security-Policy says
//!   so to the browser; `nosniff`, `no-referrer` and `frame-ancestors 'none'` come with every answer.
//! - **Upstream text is escaped**: the template (askama) escapes every value it prints (`view.rs`).
//! - **Who asks**: a visitor is throttled like an API caller, by `API_RATE_LIMIT` per client address
//!   (`Api::visitor`: the TCP peer, or behind a trusted proxy the client it names).
//!
//! Answers are gzip-compressed when the browser accepts it. Files: `ask.rs` (input → tracker →
//! outcome), `view.rs` (the template's data), `links.rs`, `lang.rs`, `assets.rs`, and the templates
//! in `templates/`.

mod ask;
mod assets;
mod lang;
mod links;
mod view;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    RETRY_AFTER, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use tower_http::compression::CompressionLayer;

pub use ask::{Answer, Ask};
pub use assets::{CSS_PATH, JS_PATH};
pub use lang::PageLang;
pub use links::telegram_link;
pub use view::{
    Badge, Choice, LineView, Link, Outcome, PageTemplate, ParcelView, PhonePrompt, SUGGESTED_COURIERS, Share,
};

use super::HttpState;
use crate::chat::words;
use crate::chat::words::page::page_words;
use crate::tracking::Asker;
use crate::zone::Zone;

/// The policy every page answer carries: only this origin's stylesheet and script, images only as
/// `data:` (the empty favicon), forms only to this origin, no framing, no `<base>`.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The bot's Telegram username, learnt from `getMe` after the HTTP server started; until then (and
/// where there is no bot, as in the console) the page shows no "open in Telegram" link. Clones share
/// the name.
#[derive(Debug, Clone, Default)]
pub struct BotUsername(Arc<OnceLock<String>>);

impl BotUsername {
    /// Tells every clone the name (the first one told stays).
    pub fn set(&self, username: &str) {
        if !username.is_empty() {
            let _ = self.0.set(username.to_owned());
        }
    }

    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// The page's routes: `GET /` and `POST /` (the phone form), its stylesheet and script.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/", get(show).post(submit))
        .route(CSS_PATH, get(assets::stylesheet))
        .route(JS_PATH, get(assets::script))
        .layer(axum::middleware::map_response(security_headers))
        .layer(CompressionLayer::new())
}

/// The number form's fields (`GET /`). A `phone` parameter is not one of them: phones come by POST.
#[derive(Debug, Default, Deserialize)]
pub struct NumberQuery {
    pub number: Option<String>,
    pub courier: Option<String>,
    pub lang: Option<String>,
    /// The time zone to show times in (`Europe/Berlin`, `UTC+1`); none or unreadable: Beijing time.
    pub tz: Option<String>,
}

/// The phone form's fields (`POST /`).
#[derive(Debug, Default, Deserialize)]
pub struct PhoneForm {
    pub number: Option<String>,
    pub courier: Option<String>,
    pub phone: Option<String>,
    pub lang: Option<String>,
    pub tz: Option<String>,
}

async fn show(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    query: Result<Query<NumberQuery>, QueryRejection>,
) -> Response {
    let Query(query) = query.unwrap_or_default();
    let ask = Ask { number: query.number, courier: query.courier, phone: None };
    respond(&state, peer, &headers, query.lang.as_deref(), query.tz.as_deref(), ask).await
}

async fn submit(
    State(state): State<HttpState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<PhoneForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    // The phone form always sends a phone field; an empty one is a refused phone, not "no phone".
    let ask = Ask { number: form.number, courier: form.courier, phone: Some(form.phone.unwrap_or_default()) };
    respond(&state, peer, &headers, form.lang.as_deref(), form.tz.as_deref(), ask).await
}

async fn respond(
    state: &HttpState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    lang_param: Option<&str>,
    zone_param: Option<&str>,
    ask: Ask,
) -> Response {
    let accept_language = headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let lang = PageLang::negotiate(lang_param, accept_language, state.default_lang);
    // An unreadable zone shows Beijing time, named, like no zone at all: the page still answers.
    let zone = zone_param.and_then(|typed| Zone::parse(typed).ok()).unwrap_or_default();
    let zone_param = zone.stored().map(|_| zone.id()).unwrap_or_default();
    let links = links::Links {
        chosen_lang: lang.chosen.then_some(lang.lang),
        chosen_zone: Some(zone_param.clone()).filter(|zone| !zone.is_empty()),
        bot_username: state.bot_username.get().map(str::to_owned),
    };
    let address = peer.map_or(Ipv4Addr::UNSPECIFIED.into(), |Extension(ConnectInfo(address))| address.ip());
    let visit = ask::Visit {
        state,
        lang: lang.lang,
        zone,
        asker: Asker::Web(state.api.visitor(address, headers)),
        links: &links,
    };
    let (number, courier) = (ask.number.clone().unwrap_or_default(), ask.courier.clone().unwrap_or_default());
    let answer = visit.answer(ask).await;
    let typed = |text: &str| Some(text.trim()).filter(|text| !text.is_empty()).map(str::to_owned);
    let switch_href = links.in_lang(typed(&number).as_deref(), typed(&courier).as_deref(), lang.other());
    let words = page_words(lang.lang);
    let page = PageTemplate {
        html_lang: lang.html_lang(),
        words: &words,
        css_href: &assets::STYLESHEET.href,
        js_href: &assets::SCRIPT.href,
        sandbox: state.sandbox,
        switch_href,
        switch_lang: lang.other().as_str(),
        lang_param: lang.chosen.then_some(lang.lang.as_str()),
        zone_param,
        zone_name: words::zone::name(&zone, lang.lang),
        zone_note: words::page::zone_note(&zone, lang.lang),
        zone_choices: &view::ZONE_CHOICES,
        number,
        courier,
        suggestions: view::suggestions(lang.lang),
        outcome: answer.outcome,
    };
    render(&page, answer.status, answer.retry_after, lang)
}

fn render(
    page: &PageTemplate<'_>,
    status: StatusCode,
    retry_after: Option<std::time::Duration>,
    lang: PageLang,
) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "the page template failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be rendered").into_response();
        }
    };
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.html_lang()));
    headers.insert(VARY, HeaderValue::from_static("Accept-Language"));
    // An answer may hold a phone-checked parcel's trajectory: no cache keeps it.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(wait) = retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(wait.as_secs_f64().ceil() as u64));
    }
    response
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
