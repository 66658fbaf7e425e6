//! Benchmark of the tracker's cached and cold paths (issue 3's figures).
//!
//! Run: `cargo run --release --example tracker_bench [-- --askers 64 --requests 500000]`
//!
//! Cached path: 64 concurrent askers (no per-user throttle) ask about 100 parcels already fetched
//! inside the floor; reports answers per second and p50/p99 latency per answer. Cold path: every
//! request is a parcel never seen, so each one claims in SQLite, queries the in-process simulator over
//! loopback HTTP and records the answer; compared with the bare client querying the same simulator, the
//! difference is the tracker's own overhead.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kuaidi_bot::clock::SystemClock;
use kuaidi_bot::input::tracking_number;
use kuaidi_bot::kuaidi100::{Client, ClientConfig, QueryRequest};
use kuaidi_bot::sandbox;
use kuaidi_bot::tracking::{Asker, TrackRequest};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::sim::sandbox_engine;
use kuaidi_test_support::store as test_store;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn report(name: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort_unstable();
    println!(
        "{name}: {} answers in {:.2} s = {:.0} answers/s; p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).unwrap_or_default(),
        percentile(&latencies, 0.99).unwrap_or_default(),
        latencies.last().copied().unwrap_or_default()
    );
}

#[tokio::main]
async fn main() {
    let askers = arg("--askers", 64);
    let requests = arg("--requests", 500_000);
    let cold = arg("--cold", 300);

    let store = test_store::sqlite().await.expect("sqlite store");
    // The default floor (30 min) and daily cap (48), and no per-user throttle.
    let engine = sandbox_engine(&store, Arc::new(SystemClock), &[("USER_RATE_LIMIT", "1000000/s")]).await;
    let engine = engine.expect("engine");
    let sim = engine.sandbox.as_ref().expect("sandbox mode");
    let client = Client::new(ClientConfig::new(&sim.url, &sim.autonumber_url(), sandbox::sandbox_credentials()))
        .expect("client");
    let tracker = engine.tracker.clone();

    let numbers: Vec<_> = (0..100).map(|i| tracking_number(&format!("YT97000000{i:05}")).expect("number")).collect();
    for number in &numbers {
        tracker.track(TrackRequest::new(Some("yuantong"), number.clone(), Asker::Operator)).await.expect("warm-up");
    }

    // Cached path.
    let per_asker = requests / askers;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for asker in 0..askers {
        let tracker = tracker.clone();
        let numbers = numbers.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_asker);
            for i in 0..per_asker {
                let number = numbers[(asker * 7 + i) % numbers.len()].clone();
                let request = TrackRequest::new(Some("yuantong"), number, Asker::User(asker as i64));
                let t = Instant::now();
                let tracked = tracker.track(request).await.expect("cached answer");
                latencies.push(t.elapsed());
                std::hint::black_box(tracked);
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await.expect("asker"));
    }
    report(&format!("cached path, {askers} askers"), latencies, started.elapsed());
    let metrics = tracker.metrics();
    assert_eq!(metrics.upstream_queries(), numbers.len() as u64, "the cached path must not query upstream");

    // Cold path: the bare client first, then the tracker, on parcels never seen before.
    let mut bare = Vec::with_capacity(cold);
    let started = Instant::now();
    for i in 0..cold {
        let t = Instant::now();
        client.query(&QueryRequest::new("yuantong", &format!("YT98000000{i:05}"))).await.expect("answer");
        bare.push(t.elapsed());
    }
    report("cold path, bare client", bare, started.elapsed());
    let mut tracked = Vec::with_capacity(cold);
    let started = Instant::now();
    for i in 0..cold {
        let number = tracking_number(&format!("YT99000000{i:05}")).expect("number");
        let t = Instant::now();
        tracker.track(TrackRequest::new(Some("yuantong"), number, Asker::Operator)).await.expect("answer");
        tracked.push(t.elapsed());
    }
    report("cold path, tracker (claim + query + record in SQLite)", tracked, started.elapsed());
    assert_eq!(sim.sandbox.stats().lock_violations, 0);
}
