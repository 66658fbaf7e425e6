//! The JSON API's cached path under load: `GET /api/v1/track` for a parcel already asked once, inside
//! the floor, from many keep-alive connections at once.
//!
//! Run: `cargo run --release --example api_bench` (options after `--`: `--connections C` (32),
//! `--seconds S` (10), `--number N` (the parcel, `YT9693083639795`), `--external` (no load of its own:
//! print the URL and serve it for S seconds to another load generator, e.g.
//! `wrk -t2 -c64 -d10s --latency URL`, then check the query count as usual)).
//!
//! What it measures: requests per second over the run, and each request's latency (from the request
//! leaving the client to the last byte of the answer; median, p99, max); that every answer was a 200
//! with the cached document; and that the run cost **no** upstream query (the simulator's count of
//! billed queries is the same before and after, and the process fails if not).
//!
//! How: the bot's real HTTP server (`http::serve`, connect info and every layer as in production:
//! body limit, timeout, the latency metric into the Prometheus recorder) on a loopback port in this process, on the engine the binary
//! builds in sandbox mode (`kuaidi_test_support::api::ApiServer`, SQLite in a temp file), with
//! `API_RATE_LIMIT` out of the way (one client would otherwise be throttled at 60/min). The parcel is
//! asked once (the one query), then C tasks, each with its own HTTP/1.1 keep-alive connection, ask it
//! in a loop for S seconds. Client and server share the machine's cores, so the figures include the
//! load generator's own work; the simulated clock stands still, so the parcel stays inside its floor.

use std::time::{Duration, Instant};

use kuaidi_test_support::api::ApiServer;
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::store;

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    not_cached: u64,
    failed: u64,
}

#[tokio::main]
async fn main() {
    let connections: usize = arg("--connections", 32);
    let seconds: u64 = arg("--seconds", 10);
    let number: String = arg("--number", "YT9693083639795".to_owned());

    // The Prometheus recorder, as `kuaidi-bot run` installs it: every request's latency is recorded.
    kuaidi_bot::http::install_recorder();
    let store = store::sqlite().await.expect("a SQLite store");
    let server = ApiServer::start(&store, &[("API_RATE_LIMIT", "1000000/s")]).await.expect("the server starts");
    let url = server.url(&format!("/api/v1/track?number={number}"));

    let first = reqwest::get(&url).await.expect("the first question");
    assert_eq!(first.status().as_u16(), 200, "the first question is answered");
    let queries_before = server.total_queries();
    assert_eq!(queries_before, 1, "one upstream query for the first question");

    if std::env::args().any(|a| a == "--external") {
        println!("api_bench: serving {url} for {seconds} s");
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let queries_during = server.total_queries() - queries_before;
        println!("  upstream queries during the run: {queries_during}");
        assert_eq!(queries_during, 0, "the cached path costs no upstream query");
        server.stop().await;
        return;
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .http1_only()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(10))
                    .build()
                    .expect("a client");
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let outcome = match client.get(&url).send().await {
                        Ok(response) if response.status().is_success() => response.bytes().await.ok(),
                        _ => None,
                    };
                    tally.latencies_us.push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                    match outcome {
                        Some(body) if contains(&body, br#""freshness":"cached""#) => {}
                        Some(_) => tally.not_cached += 1,
                        None => tally.failed += 1,
                    }
                }
                tally
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut not_cached, mut failed) = (0, 0);
    for task in tasks {
        let tally = task.await.expect("a connection's task");
        latencies.extend(tally.latencies_us);
        not_cached += tally.not_cached;
        failed += tally.failed;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let requests = latencies.len();
    let queries_during = server.total_queries() - queries_before;
    let ms = |p: f64| percentile(&latencies, p).map_or(0.0, |us| us as f64 / 1000.0);

    println!(
        "api_bench: GET /api/v1/track (cached, inside the floor), {connections} keep-alive connections, {seconds} s"
    );
    println!("  requests:        {requests} in {:.2} s", elapsed.as_secs_f64());
    println!("  requests/s:      {:.0}", requests as f64 / elapsed.as_secs_f64());
    println!("  latency p50:     {:.2} ms", ms(0.5));
    println!("  latency p99:     {:.2} ms", ms(0.99));
    println!("  latency max:     {:.2} ms", ms(1.0));
    println!("  not 200/cached:  {failed} failed, {not_cached} not cached");
    println!("  upstream queries during the run: {queries_during}");
    assert_eq!(failed + not_cached, 0, "every answer is the cached document");
    assert_eq!(queries_during, 0, "the cached path costs no upstream query");
    server.stop().await;
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}
