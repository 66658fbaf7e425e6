//! Test and benchmark infrastructure of kuaidi-bot, in a crate of its own.
//!
//! Why a crate: the integration tests (`tests/*.rs`) and the benchmarks (`examples/*.rs`) are each a
//! binary of their own, and shared code used to be pulled into every one of them with `mod` or
//! `#[path]`, so it was compiled once per binary and needed `#![allow(dead_code)]` wherever a binary used
//! only part of it; what the library kept for them (`store::testing`) was compiled into the release
//! binary. Here it is compiled once, and the root package depends on it under `[dev-dependencies]`
//! only, so `cargo build --release` never sees it. It depends on `kuaidi-bot` like any user of the
//! library does, through its public API.
//!
//! - [`api`]: the bot's HTTP server with the JSON API, in-process on the simulator.
//! - [`fake_telegram`]: a fake Telegram Bot API server on loopback for end-to-end tests.
//! - [`store`]: throw-away SQLite and PostgreSQL stores, and the both-backends loop of the store tests.
//! - [`sim`]: the simulated world of the tests and benchmarks: the start of every driven clock, and the
//!   bot's engine started on the in-process Kuaidi100 simulator.
//! - [`outbox`]: notices waiting in the outbox, queued the way the watcher queues them.
//! - [`page`]: the HTTP server with the tracking page on loopback, in sandbox mode.
//! - [`process`]: the real binary started as the end-to-end tests start it, and a plain HTTP GET.
//! - [`balancer`]: a round-robin HTTP reverse proxy on loopback, the load balancer in front of replicas.
//! - [`replicas`]: several real `kuaidi-bot run` processes on one fresh PostgreSQL database, in
//!   webhook mode behind the balancer, on one Kuaidi100 simulator with a fast clock, at a faked Beijing
//!   daytime — and the SQL and metrics the replicas tests read.
//! - [`telegram_html`]: Telegram's HTML `parse_mode` as strictly as the server (the fake Bot API's
//!   check), and the stricter rule for what the bot itself writes; the property tests and fuzzers use it.
//! - [`images`]: generated photos of waybills (barcodes and QR codes) with the numbers they hold.
//! - [`bench`]: what the benchmarks compute alike (one percentile).

pub mod api;
pub mod balancer;
pub mod bench;
pub mod fake_telegram;
pub mod images;
pub mod outbox;
pub mod page;
pub mod process;
pub mod replicas;
pub mod sim;
pub mod store;
pub mod tcp_cut;
pub mod telegram_html;
