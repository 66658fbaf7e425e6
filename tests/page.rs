//! The tracking page over loopback, without a browser: languages, security headers, no external
//! URL, escaping, the timeline, the courier picker, the phone prompt (POST only, never in a URL),
//! the sandbox banner, error lines, the throttle, compression and the page's size on the wire.
//!
//! Each test serves the production HTTP server in sandbox mode (`kuaidi_test_support::page`) and
//! asks it as a browser would. The escaping of upstream text with a crafted trajectory is unit-tested
//! next to the template (`src/http/page/view.rs`), since the simulator writes no markup.

use kuaidi_test_support::page::ServedPage;
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, HeaderMap};

const BOT: &str = "kuaidi_test_bot";
/// Plenty for a test's visits, which all come from 127.0.0.1.
const GENEROUS: [(&str, &str); 1] = [("API_RATE_LIMIT", "1000/min")];
/// Detected from its shape as YTO, finished (last digit 9): a long trajectory.
const YTO: &str = "YT9693083639799";
/// Both STO's and Yunda's shape: detection leaves two couriers.
const UNDECIDED: &str = "431234567890123";
const SF: &str = "SF1234567890123";

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

async fn get(page: &ServedPage, path: &str, accept_language: &str) -> Answer {
    let response =
        client().get(page.url(path)).header(ACCEPT_LANGUAGE, accept_language).send().await.expect("the page answers");
    answer(response).await
}

async fn post(page: &ServedPage, fields: &[(&str, &str)], accept_language: &str) -> Answer {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", value.replace('%', "%25").replace('&', "%26").replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    let response = client()
        .post(page.url("/"))
        .header(ACCEPT_LANGUAGE, accept_language)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the page answers");
    answer(response).await
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    Answer { status, headers, body }
}

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or("")
}

/// The values of every `name="…"` attribute (`href`, `src`, `action`) in `html`.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let pattern = format!("{name}=\"");
    html.match_indices(&pattern)
        .filter_map(|(at, _)| {
            let rest = &html[at + pattern.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Whether an element has an inline event handler (` onclick="…"` and the like).
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let name: String = html[at + 3..].chars().take_while(char::is_ascii_lowercase).collect();
        !name.is_empty() && html[at + 3 + name.len()..].starts_with("=")
    })
}

/// The `<li>` lines of the timeline.
fn timeline_lines(html: &str) -> usize {
    html.split("<ol class=\"timeline\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .map_or(0, |list| list.matches("<li").count())
}

/// The text of the error lines (`class="error"`).
fn error_lines(html: &str) -> Vec<&str> {
    html.match_indices("class=\"error\" role=\"alert\">")
        .filter_map(|(at, marker)| {
            let rest = &html[at + marker.len()..];
            rest.find("</p>").map(|end| &rest[..end])
        })
        .collect()
}

#[tokio::test]
async fn speaks_chinese_or_english_by_accept_language_and_by_the_switch() {
    let page = ServedPage::start(&GENEROUS, None).await;
    let zh = get(&page, "/", "zh-CN,zh;q=0.9,en;q=0.8").await;
    assert_eq!(zh.status, 200);
    assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("快递查询"), "{}", zh.body);
    assert_eq!(header(&zh, "content-language"), "zh-CN");
    assert!(header(&zh, "content-type").starts_with("text/html"));
    assert!(zh.body.contains("href=\"/?lang=en\""), "the switch to English");

    let en = get(&page, "/", "en-GB,en;q=0.9").await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Parcel tracking"), "{}", en.body);
    assert!(en.body.contains("href=\"/?lang=zh\""), "the switch to Chinese");

    // Neither language in the header: DEFAULT_LANG (zh).
    let other = get(&page, "/", "fr-FR,de;q=0.8").await;
    assert!(other.body.contains("<html lang=\"zh-CN\">"));

    // The switch wins over the header, keeps the question, and the forms keep the choice.
    let switched = get(&page, &format!("/?number={YTO}&lang=en"), "zh-CN").await;
    assert!(
        switched.body.contains("<html lang=\"en\">") && switched.body.contains("Beijing time"),
        "{}",
        switched.body
    );
    assert!(switched.body.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"));
    assert!(switched.body.contains(&format!("href=\"/?number={YTO}&#38;lang=zh\"")), "{}", switched.body);
    page.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_content_security_policy_and_the_security_headers() {
    let page = ServedPage::start(&GENEROUS, None).await;
    let empty = get(&page, "/", "zh").await;
    let find = |name: &str, start: &str| {
        let value = attributes(&empty.body, name).into_iter().find(|value| value.starts_with(start));
        value.expect("the page links its assets").replace("&#38;", "&")
    };
    let (css_href, js_src) = (find("href", "/page.css"), find("src", "/page.js"));
    let answers = [
        empty,
        get(&page, &format!("/?number={YTO}"), "en").await,
        get(&page, "/?number=abc", "en").await,
        post(&page, &[("number", SF), ("courier", "shunfeng"), ("phone", "")], "en").await,
        get(&page, &css_href, "en").await,
        get(&page, &js_src, "en").await,
    ];
    for answer in &answers {
        assert_eq!(answer.status, 200);
        assert_eq!(
            header(answer, "content-security-policy"),
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; \
             base-uri 'none'; frame-ancestors 'none'"
        );
        assert_eq!(header(answer, "x-content-type-options"), "nosniff");
        assert_eq!(header(answer, "referrer-policy"), "no-referrer");
    }
    assert_eq!(header(&answers[0], "cache-control"), "no-store");
    assert!(header(&answers[4], "content-type").starts_with("text/css"));
    assert!(header(&answers[4], "cache-control").contains("immutable"), "a versioned stylesheet is kept");
    assert!(header(&answers[5], "content-type").starts_with("text/javascript"));
    // The page uses no inline style or script, which the policy would block.
    for answer in &answers[..4] {
        assert!(!answer.body.contains("<style") && !answer.body.contains("style=\""), "{}", answer.body);
        assert!(
            !answer.body.contains("<script>") && !has_event_handler(&answer.body),
            "inline script: {}",
            answer.body
        );
    }
    page.stop().await;
}

#[tokio::test]
async fn no_url_leads_to_another_host_but_the_bot_in_telegram() {
    let page = ServedPage::start(&GENEROUS, Some(BOT)).await;
    let pages = [
        get(&page, "/", "zh").await,
        get(&page, &format!("/?number={YTO}"), "zh").await,
        get(&page, &format!("/?number={UNDECIDED}"), "en").await,
        get(&page, &format!("/?number={SF}"), "en").await,
    ];
    let css = get(&page, "/page.css", "en").await.body;
    let js = get(&page, "/page.js", "en").await.body;
    for html in pages.iter().map(|answer| &answer.body) {
        for url in html.match_indices("://").map(|(at, _)| &html[at.saturating_sub(8)..(at + 30).min(html.len())]) {
            assert!(url.contains(&format!("https://t.me/{BOT}")), "an external URL: …{url}…");
        }
        for name in ["href", "src", "action"] {
            for value in attributes(html, name) {
                let local = value.starts_with('/') && !value.starts_with("//");
                assert!(local || value == "data:," || value.starts_with("https://t.me/"), "{name}={value}");
            }
        }
    }
    assert!(pages[1].body.contains(&format!("href=\"https://t.me/{BOT}?start=yuantong-{YTO}\"")));
    assert!(!css.contains("://") && !css.contains("@import") && !css.contains("url("), "the stylesheet loads nothing");
    assert!(!js.contains("://") && !js.contains("fetch("), "the script loads nothing");
    page.stop().await;
}

#[tokio::test]
async fn a_zone_asked_for_shifts_the_timeline_and_is_named_and_kept_in_the_form_but_not_the_permalink() {
    let page = ServedPage::start(&GENEROUS, Some(BOT)).await;
    let beijing = get(&page, &format!("/?number={YTO}"), "en").await.body;
    let berlin = get(&page, &format!("/?number={YTO}&tz=europe/berlin"), "en").await.body;
    let (beijing_times, berlin_times) = (attributes(&beijing, "datetime"), attributes(&berlin, "datetime"));
    assert_eq!(beijing_times.len(), berlin_times.len());
    for (at_beijing, at_berlin) in beijing_times.iter().zip(&berlin_times) {
        let (a, b) = (
            chrono::DateTime::parse_from_rfc3339(at_beijing).expect("a time"),
            chrono::DateTime::parse_from_rfc3339(at_berlin).expect("a time"),
        );
        assert_eq!(a, b, "the same instant");
        assert!(at_berlin.ends_with("+01:00") || at_berlin.ends_with("+02:00"), "{at_berlin}");
    }
    assert!(
        berlin.contains("All times are Europe/Berlin.") && berlin.contains("<span class=\"tz\">Europe/Berlin</span>")
    );
    assert!(beijing.contains("All times are Beijing time."), "{beijing}");
    assert!(berlin.contains("name=\"tz\" value=\"Europe/Berlin\""), "the form keeps the zone: {berlin}");
    let permalink = format!("/?number={YTO}&#38;courier=yuantong");
    assert!(attributes(&berlin, "href").contains(&permalink.as_str()), "no zone in the permalink: {berlin}");
    let unreadable = get(&page, &format!("/?number={YTO}&tz=Mars%2FOlympus"), "en").await;
    assert_eq!(unreadable.status, 200);
    assert!(unreadable.body.contains("All times are Beijing time."), "an unreadable zone shows Beijing time, named");
    assert_eq!(page.upstream_queries(), 1, "a zone never costs a query");
    page.stop().await;
}

#[tokio::test]
async fn a_number_shows_its_timeline_newest_first_with_a_permalink_at_one_query() {
    let page = ServedPage::start(&GENEROUS, Some(BOT)).await;
    let shown = get(&page, &format!("/?number={YTO}"), "zh-CN").await;
    assert_eq!(shown.status, 200);
    let html = &shown.body;
    assert!(html.contains("圆通速递") && html.contains("class=\"badge "), "{html}");
    assert!(html.contains("北京时间") && html.contains("沙盒数据"), "{html}");
    let times = attributes(html, "datetime");
    assert!(times.len() >= 5, "a finished parcel has a long trajectory: {times:?}");
    assert!(times.iter().all(|time| time.ends_with("+08:00")), "{times:?}");
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first, "newest first");
    assert_eq!(timeline_lines(html), times.len());
    let permalink = format!("/?number={YTO}&#38;courier=yuantong");
    assert!(attributes(html, "href").contains(&permalink.as_str()), "{html}");
    assert_eq!(page.upstream_queries(), 1);

    // The permalink, opened inside the floor (by anyone), costs nothing more.
    let again = get(&page, &permalink.replace("&#38;", "&"), "en").await;
    assert_eq!(timeline_lines(&again.body), times.len());
    assert!(again.body.contains("YTO Express") && again.body.contains("sandbox data"), "{}", again.body);
    assert_eq!(page.upstream_queries(), 1);
    page.stop().await;
}

#[tokio::test]
async fn the_sandbox_banner_says_the_data_is_not_real() {
    let page = ServedPage::start(&GENEROUS, None).await;
    let zh = get(&page, "/", "zh").await;
    assert!(zh.body.contains("<p class=\"sandbox\" role=\"note\">⚠️ 沙盒模式"), "{}", zh.body);
    let en = get(&page, "/", "en").await;
    assert!(en.body.contains("Sandbox mode: answers come from a simulator, not from real parcels."), "{}", en.body);
    page.stop().await;
}

#[tokio::test]
async fn a_bad_number_or_courier_gets_a_clear_error_line_and_costs_nothing() {
    let page = ServedPage::start(&GENEROUS, None).await;
    let cases = [
        ("/?number=abc", "at least 6"),
        ("/?number=", "Please give a tracking number"),
        ("/?number=YT%23123456", "not “#”"),
        (&*format!("/?number={}", "1".repeat(40)), "at most 32"),
        ("/?number=YT9693083639795&courier=xyzzy123", "Unknown courier “xyzzy123”"),
        ("/?number=QQ12345678", "Could not tell the courier"),
    ];
    for (path, expected) in cases {
        let answer = get(&page, path, "en").await;
        assert_eq!(answer.status, 200, "{path}");
        let errors = error_lines(&answer.body);
        assert!(errors.len() == 1 && errors[0].contains(expected), "{path}: {errors:?}");
        assert_eq!(timeline_lines(&answer.body), 0);
    }
    let zh = get(&page, "/?number=abc", "zh").await;
    assert!(error_lines(&zh.body)[0].contains("至少需要 6 位"), "{}", zh.body);

    // What was typed is shown again, escaped, in the message and the form.
    let typed = get(&page, "/?number=YT9693083639795&courier=%3Cscript%3Ex", "en").await;
    assert!(!typed.body.contains("<script>x"), "{}", typed.body);
    assert!(typed.body.contains("&#60;script&#62;x"), "{}", typed.body);
    assert_eq!(page.upstream_queries(), 0);
    page.stop().await;
}

#[tokio::test]
async fn several_couriers_are_offered_as_links_and_a_pick_shows_the_parcel() {
    let page = ServedPage::start(&GENEROUS, None).await;
    let choose = get(&page, &format!("/?number={UNDECIDED}"), "en").await;
    assert!(error_lines(&choose.body).iter().any(|line| line.contains("could belong to several couriers")));
    let picks: Vec<&str> =
        attributes(&choose.body, "href").into_iter().filter(|href| href.contains("courier=")).collect();
    assert!(picks.iter().any(|href| href.ends_with("courier=shentong")), "{picks:?}");
    assert!(picks.iter().any(|href| href.ends_with("courier=yunda")), "{picks:?}");
    let picked = get(&page, &picks[0].replace("&#38;", "&"), "en").await;
    assert!(timeline_lines(&picked.body) > 0, "{}", picked.body);

    // A courier name that means several also gets links.
    let ambiguous = get(&page, "/?number=DPK123456789012&courier=德邦", "zh").await;
    let picks = attributes(&ambiguous.body, "href");
    assert!(picks.iter().any(|href| href.ends_with("courier=debangkuaidi")), "{picks:?}");
    assert!(picks.iter().any(|href| href.ends_with("courier=debangwuliu")), "{picks:?}");
    page.stop().await;
}

#[tokio::test]
async fn a_phone_checked_parcel_asks_for_the_phone_by_post_and_shows_only_to_the_right_digits() {
    let page = ServedPage::start(&GENEROUS, Some(BOT)).await;
    // Detected as SF Express, which checks a phone: the prompt, and no query.
    let prompt = get(&page, &format!("/?number={SF}"), "en").await;
    assert!(prompt.body.contains("needs the last 4 digits"), "{}", prompt.body);
    assert!(prompt.body.contains("<form method=\"post\" action=\"/\">"), "{}", prompt.body);
    assert!(prompt.body.contains("<label for=\"phone\">") && prompt.body.contains("name=\"phone\""));
    assert!(prompt.body.contains("name=\"courier\" value=\"shunfeng\""));
    assert_eq!(timeline_lines(&prompt.body), 0);
    assert_eq!(page.upstream_queries(), 0);

    // A phone in the URL is ignored: phones come by POST only.
    let in_url = get(&page, &format!("/?number={SF}&courier=shunfeng&phone=13800000917"), "en").await;
    assert_eq!(timeline_lines(&in_url.body), 0);
    assert_eq!(page.upstream_queries(), 0);

    let bad = post(&page, &[("number", SF), ("courier", "shunfeng"), ("phone", "12")], "en").await;
    assert!(error_lines(&bad.body).iter().any(|line| line.contains("Only 2 digits")), "{}", bad.body);

    let shown = post(&page, &[("number", SF), ("courier", "shunfeng"), ("phone", "138 0000 0917")], "en").await;
    assert_eq!(shown.status, 200);
    assert!(timeline_lines(&shown.body) > 0, "{}", shown.body);
    assert_eq!(page.upstream_queries(), 1);
    assert!(!shown.body.contains("0917"), "the phone is not written back: {}", shown.body);
    for name in ["href", "action"] {
        for url in attributes(&shown.body, name) {
            assert!(!url.contains("phone") && !url.contains("0917"), "{name}={url}");
        }
    }
    assert!(attributes(&shown.body, "href").contains(&format!("/?number={SF}&#38;courier=shunfeng").as_str()));
    assert!(shown.body.contains(&format!("https://t.me/{BOT}?start=shunfeng-{SF}")));

    // Other digits, or none, see no trajectory: a "wrong phone" line and the prompt again.
    let wrong = post(&page, &[("number", SF), ("courier", "shunfeng"), ("phone", "1111")], "en").await;
    assert!(
        error_lines(&wrong.body).iter().any(|line| line.contains("checked with a different phone number")),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("name=\"phone\"") && timeline_lines(&wrong.body) == 0);
    let none = get(&page, &format!("/?number={SF}&courier=shunfeng"), "en").await;
    assert!(none.body.contains("name=\"phone\"") && timeline_lines(&none.body) == 0);
    // The right digits again: from memory.
    let again = post(&page, &[("number", SF), ("courier", "sf"), ("phone", "0917")], "en").await;
    assert!(timeline_lines(&again.body) > 0);
    assert_eq!(page.upstream_queries(), 1);
    page.stop().await;
}

#[tokio::test]
async fn kuaidi100_refusing_the_phone_asks_for_it_again() {
    let page = ServedPage::start(&GENEROUS, None).await;
    // The simulator answers 408 to the phone 0000.
    let refused = post(&page, &[("number", "SF1234567890129"), ("courier", "shunfeng"), ("phone", "0000")], "zh").await;
    assert!(error_lines(&refused.body).iter().any(|line| line.contains("手机号验证未通过")), "{}", refused.body);
    assert!(refused.body.contains("name=\"phone\""));
    page.stop().await;
}

#[tokio::test]
async fn the_throttle_answers_429_with_retry_after() {
    let page = ServedPage::start(&[("API_RATE_LIMIT", "2/min")], None).await;
    for _ in 0..2 {
        assert_eq!(get(&page, &format!("/?number={YTO}"), "en").await.status, 200);
    }
    let throttled = get(&page, &format!("/?number={YTO}"), "en").await;
    assert_eq!(throttled.status, 429);
    assert!(header(&throttled, "retry-after").parse::<u64>().is_ok_and(|seconds| seconds > 0));
    assert!(error_lines(&throttled.body).iter().any(|line| line.contains("Too many requests")), "{}", throttled.body);
    // The empty page and a bad number ask nothing, so they are never throttled.
    assert_eq!(get(&page, "/", "en").await.status, 200);
    assert_eq!(get(&page, "/?number=abc", "en").await.status, 200);
    page.stop().await;
}

/// Bytes on the wire for `path` with gzip accepted (what a browser is sent).
async fn gzipped_size(page: &ServedPage, path: &str) -> (usize, usize) {
    let response = client().get(page.url(path)).header(ACCEPT_ENCODING, "gzip").send().await.expect("answers");
    assert_eq!(response.headers().get("content-encoding").map(|v| v.as_bytes()), Some(&b"gzip"[..]), "{path}");
    let wire = response.bytes().await.expect("a body").len();
    let plain = client().get(page.url(path)).send().await.expect("answers").bytes().await.expect("a body").len();
    (wire, plain)
}

#[tokio::test]
async fn the_page_is_small_on_the_wire() {
    let page = ServedPage::start(&GENEROUS, Some(BOT)).await;
    let (empty, empty_plain) = gzipped_size(&page, "/").await;
    let (css, css_plain) = gzipped_size(&page, "/page.css").await;
    let (js, js_plain) = gzipped_size(&page, "/page.js").await;
    let trajectory = page.simulated_trajectory(20).await;
    page.record_answer("yuantong", "YT9693083639789", &trajectory).await;
    let path = "/?number=YT9693083639789&courier=yuantong";
    assert_eq!(timeline_lines(&get(&page, path, "zh").await.body), 20);
    let (full, full_plain) = gzipped_size(&page, path).await;
    println!("page size on the wire, gzip (uncompressed):");
    println!("  empty page HTML        {empty:>6} B ({empty_plain} B)");
    println!("  20-line timeline HTML  {full:>6} B ({full_plain} B)");
    println!("  page.css               {css:>6} B ({css_plain} B)");
    println!("  page.js                {js:>6} B ({js_plain} B)");
    println!("  first visit, empty     {:>6} B", empty + css + js);
    println!("  first visit, 20 lines  {:>6} B", full + css + js);
    assert!(empty + css + js < 8 * 1024, "an empty page's first visit stays under 8 KiB");
    assert!(full + css + js < 12 * 1024, "a 20-line page's first visit stays under 12 KiB");
    page.stop().await;
}
