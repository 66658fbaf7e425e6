//! The push-callback burst benchmark: 10,000 signed Kuaidi100 pushes for 10,000 watched parcels at
//! once, on SQLite, against the bot's real HTTP server and push intake.
//!
//! Run: `cargo run --release --example callback_bench` (options after `--`: `--parcels N` (10,000),
//! `--connections C` (how many pushes are in flight at once; default: all of them), `--repeat`
//! (send every push a second time afterwards, as Kuaidi100's retries would)).
//!
//! What it measures: each push's acknowledgement latency (from the request leaving the client to the
//! acknowledgement's last byte; median, p99, max), the burst's wall time and rate, that every push was
//! acknowledged with Kuaidi100's `{"result":true,"returnCode":"200","message":"成功"}`, that every
//! parcel's answer was recorded and every subscriber got exactly one notice in the outbox (none lost,
//! none doubled; with `--repeat`, still exactly one), and that no push cost an upstream query.
//!
//! How: a SQLite file in a temp directory is seeded through `Store::seed_watched_parcels` with N
//! parcels (`YT98` + 11 digits), each watched by one chat; the engine is built as the binary builds it
//! (`sim::sandbox_engine_calling_back`, `WATCH_MODE=hybrid`), and `kuaidi_bot::http::router` is served
//! on a loopback port in this process. Each push is a full `lastResult` of three lines, signed with the
//! engine's salt, posted as the form Kuaidi100 sends. Client and server share the machine's cores, so
//! with all pushes in flight at once the figures include the client's own work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};
use futures::StreamExt;
use kuaidi_bot::clock::ManualClock;
use kuaidi_bot::http::{self, Readiness};
use kuaidi_bot::kuaidi100::push::{PUSH_ACK, sign_push};
use kuaidi_bot::store::{Spread, WatchedSeed};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::sim::{sandbox_engine_calling_back, start_time};
use tokio_util::sync::CancellationToken;

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

fn number(id: usize) -> String {
    format!("YT98{id:011}")
}

fn push_param(id: usize) -> String {
    let lines: Vec<serde_json::Value> = [
        ("2026-11-02 10:20:00", "【杭州市】快件已到达 杭州转运中心"),
        ("2026-11-02 06:05:00", "【金华市】快件离开 金华分拨中心 已发往 杭州转运中心"),
        ("2026-11-01 22:40:00", "【金华市】您的快件已被 义乌公司 揽收"),
    ]
    .iter()
    .map(|(time, context)| serde_json::json!({"time": time, "ftime": time, "context": context, "statusCode": "1002"}))
    .collect();
    serde_json::json!({
        "status": "polling",
        "billstatus": "got",
        "message": "",
        "lastResult": {"message": "ok", "nu": number(id), "ischeck": "0", "com": "yuantong", "status": "200",
                       "state": "1002", "data": lines}
    })
    .to_string()
}

#[tokio::main]
async fn main() {
    let parcels = arg("--parcels").unwrap_or(10_000);
    let connections = arg("--connections").unwrap_or(parcels).max(1);
    let repeat = std::env::args().any(|a| a == "--repeat");

    let store = kuaidi_test_support::store::sqlite().await.expect("a temp SQLite database");
    let seeded_at = start_time();
    let seed = WatchedSeed {
        count: i64::try_from(parcels).expect("parcels fit"),
        courier: "yuantong".into(),
        number_prefix: "YT98".into(),
        first_chat: 10_000_000,
        parcels_per_chat: 1,
        lang: "zh".into(),
        created_at: seeded_at,
        spread: Spread {
            start: seeded_at + ChronoDuration::hours(2),
            spacing: ChronoDuration::seconds(1),
            slots: i64::try_from(parcels).expect("parcels fit"),
            shuffle: 2_654_435_761,
        },
        batch: 100_000,
    };
    store.store.seed_watched_parcels(&seed, |_| {}).await.expect("seed");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let clock = ManualClock::new(seeded_at + ChronoDuration::minutes(30));
    let env = [("WATCH_MODE", "hybrid")];
    let engine = sandbox_engine_calling_back(&store, Arc::new(clock.clone()), &env, Some(&base)).await.expect("engine");
    let salt = engine.config.push_salt.clone();
    let readiness = Readiness::new();
    readiness.telegram_reached();
    let state = engine.http_state(readiness);
    let stop = CancellationToken::new();
    let server = tokio::spawn(http::serve(listener, state, axum::Router::new(), stop.clone()));

    let forms: Vec<(String, String)> = (1..=parcels)
        .map(|id| {
            let param = push_param(id);
            let sign = sign_push(&param, &salt);
            (param, sign)
        })
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    let url = format!("{base}{}", http::PUSH_PATH);
    let queries_before = engine.sandbox.as_ref().map(|s| s.sandbox.stats().total_queries).unwrap_or(0);

    for round in if repeat { vec!["first", "again"] } else { vec!["first"] } {
        let started = Instant::now();
        let results: Vec<(Duration, bool)> = futures::stream::iter(forms.iter())
            .map(|(param, sign)| {
                let (client, url) = (client.clone(), url.clone());
                async move {
                    let sent = Instant::now();
                    let form = [("param", param.as_str()), ("sign", sign.as_str())];
                    let acked = match client.post(&url).form(&form).send().await {
                        Ok(response) => {
                            response.status().is_success() && response.text().await.is_ok_and(|b| b == PUSH_ACK)
                        }
                        Err(_) => false,
                    };
                    (sent.elapsed(), acked)
                }
            })
            .buffer_unordered(connections)
            .collect()
            .await;
        let wall = started.elapsed();
        let acked = results.iter().filter(|(_, acked)| *acked).count();
        let mut latencies: Vec<u128> = results.iter().map(|(latency, _)| latency.as_micros()).collect();
        latencies.sort_unstable();
        let ms = |us: u128| us as f64 / 1000.0;
        println!(
            "{round}: {} pushes, {connections} in flight at most: wall {:.2} s ({:.0} pushes/s); acknowledged {acked}; \
             ack latency median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            results.len(),
            wall.as_secs_f64(),
            results.len() as f64 / wall.as_secs_f64(),
            ms(percentile(&latencies, 0.5).unwrap_or(0)),
            ms(percentile(&latencies, 0.99).unwrap_or(0)),
            ms(latencies.last().copied().unwrap_or(0)),
        );
    }

    let census = engine.store.census().await.expect("census");
    let queries = engine.sandbox.as_ref().map(|s| s.sandbox.stats().total_queries).unwrap_or(0) - queries_before;
    let mut answered = 0;
    for id in [1, parcels / 2, parcels] {
        let key = kuaidi_bot::store::ParcelKey::new("yuantong", &number(id.max(1)));
        if engine
            .store
            .parcel(&key, Utc::now())
            .await
            .ok()
            .flatten()
            .is_some_and(|p| p.state.as_deref() == Some("1002"))
        {
            answered += 1;
        }
    }
    println!(
        "outbox: {} notices for {parcels} subscribers ({} unsent); sampled parcels with the pushed answer: {answered}/3; \
         upstream queries made: {queries}",
        census.notices, census.unsent_notices
    );
    assert_eq!(census.notices, parcels as u64, "exactly one notice per subscriber");
    stop.cancel();
    let _ = server.await;
}
