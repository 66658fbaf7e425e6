//! The page's stylesheet and script, served from the page's own origin (the Content-Security-Policy
//! allows nothing else), compiled into the binary.
//!
//! Their URLs carry a digest of their content (`/page.css?v=…`), so a browser may keep them for a
//! year and still fetches the new file the moment a release changes it; a request with any other
//! `v` (an old page, or none) gets the current file marked to be revalidated.

use std::sync::LazyLock;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use md5::{Digest, Md5};
use serde::Deserialize;

pub const CSS_PATH: &str = "/page.css";
pub const JS_PATH: &str = "/page.js";

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// A served file: its body and its versioned URL.
pub struct Asset {
    body: &'static str,
    content_type: &'static str,
    version: String,
    pub href: String,
}

impl Asset {
    fn new(path: &str, body: &'static str, content_type: &'static str) -> Self {
        let digest = Md5::digest(body.as_bytes());
        let version: String = digest.iter().take(5).map(|byte| format!("{byte:02x}")).collect();
        Self { body, content_type, href: format!("{path}?v={version}"), version }
    }

    fn response(&self, asked_version: Option<&str>) -> Response {
        let cache = if asked_version == Some(self.version.as_str()) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        ([(CONTENT_TYPE, self.content_type), (CACHE_CONTROL, cache)], self.body).into_response()
    }
}

pub static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| Asset::new(CSS_PATH, CSS, "text/css; charset=utf-8"));
pub static SCRIPT: LazyLock<Asset> = LazyLock::new(|| Asset::new(JS_PATH, JS, "text/javascript; charset=utf-8"));

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn stylesheet(query: Result<Query<Version>, QueryRejection>) -> Response {
    STYLESHEET.response(asked(&query))
}

pub async fn script(query: Result<Query<Version>, QueryRejection>) -> Response {
    SCRIPT.response(asked(&query))
}

fn asked(query: &Result<Query<Version>, QueryRejection>) -> Option<&str> {
    query.as_ref().ok().and_then(|Query(version)| version.v.as_deref())
}
