//! The tracker's rules against the simulator over loopback HTTP, on SQLite and PostgreSQL: the floor,
//! the daily cap, single flight of queries and of courier detection, detections kept in the store.

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use common::{Harness, Limits};
use kuaidi_bot::input::{phone_tail, tracking_number};
use kuaidi_bot::kuaidi100::{Client, ClientConfig, Credentials, Lang};
use kuaidi_bot::sandbox;
use kuaidi_bot::tracking::{Asker, Freshness, Report, TrackError, TrackRequest, Tracked, Tracker, TrackerConfig};
use kuaidi_test_support::store as test_store;

fn request(courier: Option<&str>, number: &str, asker: Asker) -> TrackRequest {
    TrackRequest::new(courier, tracking_number(number).expect("valid number"), asker)
}

async fn track(harness: &Harness, courier: &str, number: &str) -> Tracked {
    harness.tracker.track(request(Some(courier), number, Asker::Operator)).await.expect("tracked")
}

fn freshness(tracked: &Tracked) -> &Freshness {
    match &tracked.report {
        Report::Answer { freshness, .. } => freshness,
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[tokio::test]
async fn a_thousand_concurrent_requests_for_ten_parcels_make_ten_upstream_queries() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        // Slow upstream answers keep every parcel's query in flight while the others pile up.
        harness.sandbox.sandbox.set_latency(Some(StdDuration::from_millis(200)));
        let numbers: Vec<String> = (0..10).map(|i| format!("YT960000000000{i}")).collect();
        let mut tasks = Vec::new();
        for user in 0..100_i64 {
            for number in &numbers {
                let tracker = harness.tracker.clone();
                let request = request(Some("yuantong"), number, Asker::User(user));
                tasks.push(tokio::spawn(async move { tracker.track(request).await }));
            }
        }
        assert_eq!(tasks.len(), 1000);
        for task in tasks {
            let tracked = task.await.expect("task").expect("every request is answered");
            assert!(matches!(tracked.report, Report::Answer { .. }));
        }
        let stats = harness.stats();
        assert_eq!(stats.total_queries, 10, "{}: {stats:?}", harness.store.name);
        let metrics = harness.tracker.metrics();
        assert_eq!(metrics.upstream_queries(), 10);
        assert_eq!(metrics.coalesced + metrics.cache_hits, 990, "{metrics:?}");
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn inside_the_floor_nothing_goes_upstream_and_after_it_one_query_does() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let first = track(&harness, "yuantong", "YT9693083639795").await;
        assert_eq!(freshness(&first), &Freshness::Fresh);
        assert_eq!(first.next_query_at, common::start_time() + Duration::minutes(30));

        harness.clock.advance(Duration::minutes(29));
        // Another asker, another language: still the floor.
        let english = request(Some("yuantong"), "YT9693083639795", Asker::User(7)).with_lang(Lang::En);
        let second = harness.tracker.track(english).await.expect("tracked");
        assert!(matches!(freshness(&second), Freshness::Cached { fetched_at } if *fetched_at == common::start_time()));
        assert_eq!(harness.stats().total_queries, 1);

        harness.clock.advance(Duration::minutes(1));
        let third = track(&harness, "yuantong", "YT9693083639795").await;
        assert_eq!(freshness(&third), &Freshness::Fresh);
        assert_eq!(harness.stats().total_queries, 2);
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn a_new_tracker_on_the_same_database_keeps_the_floor() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        harness.tracker.track(request(Some("yunda"), "312345678901238", Asker::Operator)).await.expect("tracked");
        assert_eq!(harness.stats().total_queries, 1);

        harness.clock.advance(Duration::minutes(10));
        let reopened = kuaidi_bot::store::Store::connect(&harness.store.url).await.expect("second handle");
        let restarted = harness.second_tracker(reopened);
        let tracked =
            restarted.track(request(Some("yunda"), "312345678901238", Asker::Operator)).await.expect("tracked");
        assert!(matches!(freshness(&tracked), Freshness::Cached { fetched_at } if *fetched_at == common::start_time()));
        assert_eq!(tracked.next_query_at, common::start_time() + Duration::minutes(30));
        assert_eq!(harness.stats().total_queries, 1, "the restarted tracker must not query inside the floor");
        assert_eq!(restarted.metrics().refused_by_floor, 1);
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn the_forty_ninth_query_in_a_day_is_refused_with_the_cached_answer() {
    for store in test_store::all().await {
        // A one-minute floor lets 48 queries fit in 96 minutes; the simulator checks the same rule.
        let limits = Limits { floor: Duration::minutes(1), ..Limits::default() };
        let harness = Harness::new(store, limits).await;
        for i in 0..48 {
            let tracked = track(&harness, "jtexpress", "JT0004301991791").await;
            assert_eq!(freshness(&tracked), &Freshness::Fresh, "query {i}");
            harness.clock.advance(Duration::minutes(2));
        }
        assert_eq!(harness.stats().total_queries, 48);
        let refused = track(&harness, "jtexpress", "JT0004301991791").await;
        assert!(matches!(freshness(&refused), Freshness::Cached { .. }), "{:?}", refused.report);
        assert!(refused.daily_cap_reached);
        assert_eq!(refused.next_query_at, common::start_time() + Duration::hours(24));
        assert_eq!(harness.stats().total_queries, 48);

        harness.clock.set(common::start_time() + Duration::hours(24));
        let next_day = track(&harness, "jtexpress", "JT0004301991791").await;
        assert_eq!(freshness(&next_day), &Freshness::Fresh);
        assert_eq!(harness.stats().total_queries, 49);
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn a_busy_upstream_serves_the_last_answer_marked_stale() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let first = track(&harness, "shentong", "773000000000015").await;
        let first_lines = first.report.result().expect("answer").data.len();

        harness.clock.advance(Duration::minutes(30));
        harness.sandbox.sandbox.set_forced_error(Some("502"));
        let stale = track(&harness, "shentong", "773000000000015").await;
        match &stale.report {
            Report::Answer { result, freshness: Freshness::Stale { fetched_at, error } } => {
                assert_eq!(*fetched_at, common::start_time());
                assert_eq!(error.return_code().map(|code| code.as_str()), Some("502"));
                assert_eq!(result.data.len(), first_lines);
            }
            other => panic!("expected a stale answer, got {other:?}"),
        }
        assert_eq!(stale.next_query_at, harness.clock_now() + Duration::minutes(30));
        assert_eq!(harness.tracker.metrics().upstream_transient_errors, 1);

        // Inside the floor after the failure, the stale answer is served without asking again.
        harness.clock.advance(Duration::minutes(5));
        let again = track(&harness, "shentong", "773000000000015").await;
        assert!(matches!(freshness(&again), Freshness::Stale { .. }));
        assert_eq!(harness.stats().total_queries, 2);
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn no_result_is_remembered_for_the_floor() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let first = track(&harness, "yuantong", "ERR5000001").await;
        assert!(matches!(first.report, Report::NoResultYet), "{:?}", first.report);
        harness.clock.advance(Duration::minutes(20));
        let second = track(&harness, "yuantong", "ERR5000001").await;
        assert!(matches!(second.report, Report::NoResultYet));
        assert_eq!(harness.stats().total_queries, 1);
        assert_eq!(harness.tracker.metrics().upstream_no_result, 1);

        // Permanent errors are phrased by the layer above, and also cost nothing inside the floor.
        let busy_key = track(&harness, "yuantong", "ERR6010001").await;
        assert!(
            matches!(&busy_key.report, Report::Failed(error) if error.return_code().map(|c| c.as_str()) == Some("601"))
        );
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn the_eleventh_request_of_a_user_in_a_minute_waits_and_others_do_not() {
    let harness = Harness::new(test_store::sqlite().await.expect("sqlite"), Limits::default()).await;
    for _ in 0..10 {
        harness.tracker.track(request(Some("yuantong"), "YT9693083639795", Asker::User(1))).await.expect("allowed");
    }
    match harness.tracker.track(request(Some("yuantong"), "YT9693083639795", Asker::User(1))).await {
        Err(TrackError::Throttled { retry_after }) => {
            assert!(retry_after > StdDuration::ZERO && retry_after <= StdDuration::from_secs(6), "{retry_after:?}")
        }
        other => panic!("expected the throttle, got {other:?}"),
    }
    harness.tracker.track(request(Some("yuantong"), "YT9693083639795", Asker::User(2))).await.expect("other user");
    harness.tracker.track(request(Some("yuantong"), "YT9693083639795", Asker::Watcher)).await.expect("watcher");
    assert_eq!(harness.tracker.metrics().throttled, 1);
    harness.clock.advance(Duration::seconds(6));
    harness.tracker.track(request(Some("yuantong"), "YT9693083639795", Asker::User(1))).await.expect("refilled");
    harness.assert_no_lock_violations();
}

#[tokio::test]
async fn couriers_are_detected_from_the_number_and_never_overridden() {
    let harness = Harness::new(test_store::sqlite().await.expect("sqlite"), Limits::default()).await;
    let detected = harness.tracker.track(request(None, "YT9693083639795", Asker::Operator)).await.expect("detected");
    assert_eq!(detected.courier.code, "yuantong");
    assert_eq!(harness.stats().autonumber_queries, 0, "a single pattern match needs no auto-detection");

    match harness.tracker.track(request(None, "9812345678901", Asker::Operator)).await {
        Err(TrackError::ChooseCourier(candidates)) => {
            let codes: Vec<_> = candidates.iter().map(|courier| courier.code).collect();
            assert!(codes.contains(&"ems") && codes.contains(&"youzhengguonei"), "{codes:?}");
        }
        other => panic!("expected candidates, got {other:?}"),
    }
    assert!(matches!(
        harness.tracker.track(request(None, "QQ12345678", Asker::Operator)).await,
        Err(TrackError::CourierNotDetected)
    ));
    assert_eq!(harness.stats().autonumber_queries, 2);

    // The user said yunda for a YT-looking number: yunda it is.
    let chosen =
        harness.tracker.track(request(Some("yunda"), "YT9693083639795", Asker::Operator)).await.expect("tracked");
    assert_eq!(chosen.courier.code, "yunda");
    harness.assert_no_lock_violations();
}

#[tokio::test]
async fn phone_checked_parcels_need_the_same_phone() {
    let harness = Harness::new(test_store::sqlite().await.expect("sqlite"), Limits::default()).await;
    let without = harness.tracker.track(request(Some("shunfeng"), "SF1234567890123", Asker::User(1))).await;
    assert!(matches!(without, Err(TrackError::PhoneRequired(courier)) if courier.code == "shunfeng"));
    assert_eq!(harness.stats().total_queries, 0);

    let with_phone = request(Some("shunfeng"), "SF1234567890123", Asker::User(1))
        .with_phone(Some(phone_tail("13812345678").expect("phone")));
    let tracked = harness.tracker.track(with_phone).await.expect("tracked");
    assert!(matches!(tracked.report, Report::Answer { .. }));

    // Someone with another phone does not see the cached trajectory, nor someone with none.
    let other = request(Some("shunfeng"), "SF1234567890123", Asker::User(2))
        .with_phone(Some(phone_tail("9999").expect("phone")));
    assert!(matches!(harness.tracker.track(other).await, Err(TrackError::PhoneMismatch { .. })));
    let none = request(Some("shunfeng"), "SF1234567890123", Asker::User(2));
    assert!(matches!(harness.tracker.track(none).await, Err(TrackError::PhoneRequired(_))));
    let same = request(Some("shunfeng"), "SF1234567890123", Asker::User(3))
        .with_phone(Some(phone_tail("5678").expect("phone")));
    assert!(harness.tracker.track(same).await.is_ok());
    assert_eq!(harness.stats().total_queries, 1);
    harness.assert_no_lock_violations();
}

/// 43 and 13 digits: both shentong's and yunda's shape, so no single pattern decides and the simulator's
/// auto-detection answers both.
const UNDECIDED: &str = "431234567890123";

/// The couriers a detection offered to choose from.
fn offered(outcome: Result<Tracked, TrackError>) -> Vec<&'static str> {
    match outcome {
        Err(TrackError::ChooseCourier(candidates)) => candidates.iter().map(|courier| courier.code).collect(),
        other => panic!("expected couriers to choose from, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_askers_of_an_undecided_number_make_one_auto_detection() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let name = harness.store.name;
        let tasks: Vec<_> = (0..100_i64)
            .map(|user| {
                let tracker = harness.tracker.clone();
                tokio::spawn(async move { tracker.track(request(None, UNDECIDED, Asker::User(user))).await })
            })
            .collect();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(offered(task.await.expect("task")));
        }
        let stats = harness.stats();
        assert_eq!(stats.autonumber_queries, 1, "{name}: {stats:?}");
        assert_eq!(outcomes[0], ["shentong", "yunda"], "{name}");
        assert!(outcomes.iter().all(|offered| *offered == outcomes[0]), "{name}: {outcomes:?}");
        let metrics = harness.tracker.metrics();
        assert_eq!(metrics.autonumber_calls, 1, "{name}: {metrics:?}");
        assert_eq!(metrics.detections_coalesced + metrics.detections_remembered, 99, "{name}: {metrics:?}");
        // Nothing was queried: the user has to choose first.
        assert_eq!(stats.total_queries, 0, "{name}");

        // A number one pattern decides needs no auto-detection, however many ask.
        let tasks: Vec<_> = (100..200_i64)
            .map(|user| {
                let tracker = harness.tracker.clone();
                tokio::spawn(async move { tracker.track(request(None, "YT9693083639795", Asker::User(user))).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("task").expect("tracked").courier.code, "yuantong", "{name}");
        }
        assert_eq!(harness.stats().autonumber_queries, 1, "{name}");
        assert_eq!(harness.stats().total_queries, 1, "{name}");
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn a_second_tracker_on_the_same_database_reuses_the_detection_until_it_expires() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let name = harness.store.name;
        let first = offered(harness.tracker.track(request(None, UNDECIDED, Asker::Operator)).await);
        assert_eq!(harness.stats().autonumber_queries, 1, "{name}");

        harness.clock.advance(Duration::days(29));
        let reopened = kuaidi_bot::store::Store::connect(&harness.store.url).await.expect("second handle");
        let restarted = harness.second_tracker(reopened);
        assert_eq!(offered(restarted.track(request(None, UNDECIDED, Asker::Operator)).await), first, "{name}");
        assert_eq!(harness.stats().autonumber_queries, 1, "{name}: the stored detection is reused");
        let metrics = restarted.metrics();
        assert_eq!((metrics.autonumber_calls, metrics.detections_remembered), (0, 1), "{name}: {metrics:?}");

        // Thirty days after it was made, a detection is made again; the tracker's first write of a
        // detection also purges expired ones.
        let store = &harness.store.store;
        let old = common::start_time() - Duration::days(1);
        store.remember_detection("OLD000000", &["yunda".to_owned()], old).await.expect("old row");
        harness.clock.advance(Duration::days(1));
        assert_eq!(offered(restarted.track(request(None, UNDECIDED, Asker::Operator)).await), first, "{name}");
        assert_eq!(harness.stats().autonumber_queries, 2, "{name}");
        let ever = Duration::days(10_000);
        assert_eq!(store.remembered_detection("OLD000000", old, ever).await.expect("read"), None, "{name}: purged");
        assert!(store.remembered_detection(UNDECIDED, old, ever).await.expect("read").is_some(), "{name}: renewed");
        assert_eq!(offered(harness.tracker.track(request(None, UNDECIDED, Asker::Operator)).await), first, "{name}");
        assert_eq!(harness.stats().autonumber_queries, 2, "{name}: the renewed detection is shared again");
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn a_failed_auto_detection_is_not_remembered() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        let name = harness.store.name;
        // An account that may not use auto-detection gets 601; the offline guesses are offered instead.
        let sandbox = &harness.sandbox;
        let credentials = Credentials::new(sandbox::SANDBOX_CUSTOMER, "not-the-key");
        let client = Client::new(ClientConfig::new(&sandbox.url, &sandbox.autonumber_url(), credentials))
            .expect("client builds");
        let config = TrackerConfig {
            min_interval: harness.limits.floor,
            max_per_day: harness.limits.cap,
            user_rate: harness.limits.user_rate,
            web_rate: harness.limits.user_rate,
            push: None,
            daily_budget: None,
        };
        let refused = Tracker::new(client, harness.store.store.clone(), Arc::new(harness.clock.clone()), config);
        assert_eq!(offered(refused.track(request(None, UNDECIDED, Asker::Operator)).await), ["shentong", "yunda"]);
        assert_eq!(refused.metrics().autonumber_calls, 1, "{name}");

        // The failure was not stored: the next asker (here with a working key) detects for real.
        assert_eq!(harness.stats().autonumber_queries, 0, "{name}");
        offered(harness.tracker.track(request(None, UNDECIDED, Asker::Operator)).await);
        assert_eq!(harness.stats().autonumber_queries, 1, "{name}");
        harness.assert_no_lock_violations();
    }
}

#[tokio::test]
async fn queries_ask_for_the_estimate_and_name_the_destination_the_last_answer_gave() {
    for store in test_store::all().await {
        let harness = Harness::new(store, Limits::default()).await;
        // In transit, far from the door (the simulator's parcel).
        let first = track(&harness, "yuantong", "YT9693000000003").await;
        let answer = first.report.result().expect("an answer");
        let destination = answer.route_info.as_ref().and_then(|route| route.to.as_ref()).and_then(|to| to.name.clone());
        assert!(destination.is_some(), "resultv2=8 carries routeInfo as 4 did");
        assert_eq!(answer.estimate(), None, "no `to` yet, so no estimate");
        assert!(answer.data.iter().all(|line| line.status_code.is_some()), "advanced states as with 4");

        harness.clock.advance(Duration::minutes(30));
        let second = track(&harness, "yuantong", "YT9693000000003").await;
        let estimate = second.report.result().and_then(|answer| answer.estimate()).expect("an estimate with `to`");
        let arrival = estimate.arrival.expect("arrivalTime");
        assert!(arrival > harness.clock_now(), "{arrival}");
        assert_eq!(harness.stats().total_queries, 2);
        harness.assert_no_lock_violations();
    }
}
