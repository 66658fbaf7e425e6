//! The store's rules on both backends: claims (floor, daily cap, concurrency), persistence across
//! handles, answers and failures, chat languages, remembered courier detections. PostgreSQL runs when
//! reachable (see kuaidi_test_support::store).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::kuaidi100::Lang;
use kuaidi_bot::store::{
    Backend, Census, CheckOutcome, Claim, NewNotice, ParcelKey, QueryOutcome, Refusal, Spread, Store, StoreError,
    Subscribed, WatchedSeed,
};
use kuaidi_test_support::store as test_store;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).expect("valid time") // 2026-01-01 00:00 UTC
}

const FLOOR: i64 = 30;
const CAP: u32 = 48;

async fn claim(store: &Store, key: &ParcelKey, at: DateTime<Utc>) -> Claim {
    store.claim_query(key, None, at, Duration::minutes(FLOOR), CAP).await.expect("claim")
}

#[tokio::test]
async fn the_floor_refuses_then_grants() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("yuantong", "YT9693083639795");
        assert!(matches!(claim(store, &key, t0()).await, Claim::Granted { .. }), "{}", test.name);
        match claim(store, &key, t0() + Duration::minutes(29)).await {
            Claim::Refused { reason, next_query_at, record } => {
                assert_eq!(reason, Refusal::TooSoon, "{}", test.name);
                assert_eq!(next_query_at, t0() + Duration::minutes(FLOOR), "{}", test.name);
                assert_eq!(record.queries_last_24h, 1, "{}", test.name);
                assert_eq!(record.last_outcome, Some(QueryOutcome::Pending), "{}", test.name);
            }
            other => panic!("{}: expected refusal, got {other:?}", test.name),
        }
        assert!(
            matches!(claim(store, &key, t0() + Duration::minutes(FLOOR)).await, Claim::Granted { .. }),
            "{}",
            test.name
        );
        // Another parcel is not affected.
        assert!(matches!(
            claim(store, &ParcelKey::new("yuantong", "YT0000000000001"), t0()).await,
            Claim::Granted { .. }
        ));
    }
}

#[tokio::test]
async fn the_daily_cap_is_rolling() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("zhongtong", "73100000000001");
        let floor = Duration::minutes(1);
        for i in 0..CAP {
            let at = t0() + Duration::minutes(i64::from(i) * 2);
            let claim = store.claim_query(&key, Some("1234"), at, floor, CAP).await.expect("claim");
            assert!(matches!(claim, Claim::Granted { .. }), "{}: query {i}", test.name);
        }
        let forty_ninth = t0() + Duration::hours(3);
        match store.claim_query(&key, None, forty_ninth, floor, CAP).await.expect("claim") {
            Claim::Refused { reason, next_query_at, record } => {
                assert_eq!(reason, Refusal::DailyCap, "{}", test.name);
                assert_eq!(next_query_at, t0() + Duration::hours(24), "{}", test.name);
                assert_eq!(record.queries_last_24h, CAP, "{}", test.name);
                assert_eq!(record.phone_tail.as_deref(), Some("1234"), "{}", test.name);
            }
            other => panic!("{}: expected the cap, got {other:?}", test.name),
        }
        // Once the first query of the window is 24 h old, one more is allowed.
        let later = t0() + Duration::hours(24) + Duration::seconds(1);
        assert!(matches!(
            store.claim_query(&key, None, later, floor, CAP).await.expect("claim"),
            Claim::Granted { .. }
        ));
    }
}

#[tokio::test]
async fn concurrent_claims_grant_exactly_one() {
    for test in test_store::all().await {
        let key = ParcelKey::new("shentong", "773000000000001");
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let store = test.store.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move { claim(&store, &key, t0()).await }));
        }
        let mut granted = 0;
        for task in tasks {
            if matches!(task.await.expect("task"), Claim::Granted { .. }) {
                granted += 1;
            }
        }
        assert_eq!(granted, 1, "{}", test.name);
    }
}

#[tokio::test]
async fn a_second_handle_sees_the_same_limits_and_answers() {
    for test in test_store::all().await {
        let key = ParcelKey::new("yunda", "312345678901234");
        let Claim::Granted { parcel_id, .. } = claim(&test.store, &key, t0()).await else {
            panic!("{}: first claim", test.name)
        };
        test.store
            .record_answer(
                parcel_id,
                t0(),
                r#"{"nu":"312345678901234","data":[]}"#,
                "1002",
                "en",
                t0() + Duration::seconds(1),
            )
            .await
            .expect("record answer");

        let second = Arc::new(Store::connect(&test.url).await.expect("second handle"));
        let Claim::Refused { record, .. } = claim(&second, &key, t0() + Duration::minutes(5)).await else {
            panic!("{}: the second handle must respect the floor", test.name)
        };
        assert_eq!(record.answer.as_deref(), Some(r#"{"nu":"312345678901234","data":[]}"#));
        assert_eq!(record.state.as_deref(), Some("1002"));
        assert_eq!(record.answer_lang.as_deref(), Some("en"));
        assert_eq!(record.answered_at, Some(t0() + Duration::seconds(1)));
        assert_eq!(record.last_outcome, Some(QueryOutcome::Answered));
        second.close().await;
    }
}

#[tokio::test]
async fn a_failure_keeps_the_last_answer() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("jtexpress", "JT0004301991791");
        let Claim::Granted { parcel_id, .. } = claim(store, &key, t0()).await else { panic!("first claim") };
        store.record_answer(parcel_id, t0(), "{}", "5", "zh", t0()).await.expect("answer");
        let later = t0() + Duration::hours(1);
        let Claim::Granted { parcel_id, .. } = claim(store, &key, later).await else { panic!("second claim") };
        store
            .record_failure(parcel_id, later, &QueryOutcome::Code("502".into()), "服务器繁忙", later)
            .await
            .expect("failure");
        let record = store.parcel(&key, later).await.expect("read").expect("exists");
        assert_eq!(record.answer.as_deref(), Some("{}"), "{}", test.name);
        assert_eq!(record.answered_at, Some(t0()));
        assert_eq!(record.last_query_at, Some(later));
        assert_eq!(record.last_outcome, Some(QueryOutcome::Code("502".into())));
        assert_eq!(record.last_error_message.as_deref(), Some("服务器繁忙"));
        assert_eq!(record.queries_last_24h, 2);
        assert!(store.parcel(&ParcelKey::new("jtexpress", "nope"), later).await.expect("read").is_none());
    }
}

#[tokio::test]
async fn chat_languages() {
    for test in test_store::all().await {
        let store = &test.store;
        assert_eq!(store.chat_lang(-100123).await.expect("read"), None, "{}", test.name);
        store.set_chat_lang(-100123, Lang::En, t0()).await.expect("set");
        assert_eq!(store.chat_lang(-100123).await.expect("read"), Some(Lang::En));
        store.set_chat_lang(-100123, Lang::Zh, t0()).await.expect("update");
        assert_eq!(store.chat_lang(-100123).await.expect("read"), Some(Lang::Zh));
    }
}

#[tokio::test]
async fn chats_remember_the_phone_they_gave_for_a_parcel() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("shunfeng", "SF1234567890123");
        assert_eq!(store.chat_parcel_phone(1, &key).await.expect("read"), None, "{}", test.name);
        store.remember_chat_parcel(1, &key, Some("5678"), t0()).await.expect("remember");
        store.remember_chat_parcel(1, &key, None, t0() + Duration::minutes(1)).await.expect("seen again");
        assert_eq!(store.chat_parcel_phone(1, &key).await.expect("read").as_deref(), Some("5678"));
        assert_eq!(store.chat_parcel_phone(2, &key).await.expect("read"), None, "another chat does not borrow it");
    }
}

#[tokio::test]
async fn labels_are_per_chat_found_by_number_cleared_and_moved_with_a_migrated_group() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("yuantong", "YT9693083639795");
        assert_eq!(store.chat_courier_for(1, &key.number).await.expect("read"), None, "{}: never seen", test.name);
        store.remember_chat_parcel(1, &key, None, t0()).await.expect("remember");
        assert_eq!(store.chat_courier_for(1, &key.number).await.expect("read").as_deref(), Some("yuantong"));
        store.set_label(1, &key, "<b>x</b> & co", t0()).await.expect("set");
        store.set_label(1, &key, "妈妈的茶", t0() + Duration::minutes(1)).await.expect("replace");
        assert_eq!(store.label(1, &key).await.expect("read").as_deref(), Some("妈妈的茶"), "{}", test.name);
        assert_eq!(store.label(2, &key).await.expect("read"), None, "another chat has its own");
        let labels = store.chat_labels(1).await.expect("read");
        assert_eq!(labels.get(&key).map(String::as_str), Some("妈妈的茶"));
        assert_eq!(labels.len(), 1);

        // A group that became a supergroup keeps its labels.
        store.set_label(-5, &key, "office", t0()).await.expect("set");
        store.move_chat(-5, -1005, t0()).await.expect("move");
        assert_eq!(store.label(-1005, &key).await.expect("read").as_deref(), Some("office"), "{}", test.name);
        assert!(store.chat_labels(-5).await.expect("read").is_empty());

        assert!(store.clear_label(1, &key.number).await.expect("clear"), "{}", test.name);
        assert!(!store.clear_label(1, &key.number).await.expect("clear again"));
        assert_eq!(store.label(1, &key).await.expect("read"), None);
    }
}

#[tokio::test]
async fn overdue_checks_are_spread_out_after_a_downtime() {
    for test in test_store::all().await {
        let store = &test.store;
        let long_ago = t0() - Duration::days(2);
        for i in 0..200 {
            let key = ParcelKey::new("yuantong", &format!("YT8{i:012}"));
            store.subscribe(i, None, &key, "zh", 0, None, 50, long_ago, long_ago).await.expect("subscribe");
        }
        let first =
            store.spread_overdue(t0(), Duration::minutes(30), Duration::minutes(30), 150).await.expect("spread");
        let rest = store.spread_overdue(t0(), Duration::minutes(30), Duration::minutes(30), 150).await.expect("spread");
        assert_eq!((first, rest), (150, 50), "{}: in batches", test.name);
        assert!(store.due_parcels(t0(), 1000).await.expect("due").len() < 20, "not all due at once");
        let all = store.due_parcels(t0() + Duration::minutes(30), 1000).await.expect("due");
        assert_eq!(all.len(), 200, "all due within the spreading window");
        let distinct: std::collections::HashSet<_> = all.iter().map(|parcel| parcel.due_at).collect();
        assert!(distinct.len() > 150, "{} distinct times", distinct.len());
    }
}

#[tokio::test]
async fn the_outbox_keeps_sent_notices_for_a_while_then_purges_them() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("yuantong", "YT9693083639795");
        let later = t0() + Duration::days(1);
        store.subscribe(7, None, &key, "en", 0, None, 50, later, t0()).await.expect("subscribe");
        let parcel = store.parcel(&key, t0()).await.expect("read").expect("parcel");
        let subscriber = store.subscribers(parcel.id).await.expect("subscribers").remove(0);
        let notice = |n: u32| NewNotice {
            subscription_id: subscriber.id,
            chat_id: 7,
            topic: None,
            lang: "en".into(),
            payload: format!("{{\"n\":{n}}}"),
            seen_lines: n,
            seen_state: None,
            was_lines: n - 1,
            was_state: None,
            seen_estimate: None,
            estimate_told_at: None,
            was_estimate_told_at: None,
        };
        let outcome =
            CheckOutcome { notices: vec![notice(1), notice(2)], next_check_at: Some(later), ..Default::default() };
        store.commit_check(parcel.id, &outcome, t0()).await.expect("queue");

        let pending = store.pending_notices(t0(), 10).await.expect("pending");
        assert_eq!(pending.iter().map(|n| n.payload.as_str()).collect::<Vec<_>>(), [r#"{"n":1}"#, r#"{"n":2}"#]);
        store.mark_sent(&[pending[0].id], t0()).await.expect("sent");
        store.mark_sent(&[pending[1].id], t0() + Duration::days(3)).await.expect("sent");
        assert!(store.pending_notices(t0() + Duration::days(9), 10).await.expect("pending").is_empty());

        // Only what was sent before the cut goes, and never an unsent notice.
        store
            .commit_check(parcel.id, &CheckOutcome { notices: vec![notice(3)], ..Default::default() }, t0())
            .await
            .expect("queue");
        let purged = store.purge_sent_notices(t0() + Duration::days(1), 100).await.expect("purge");
        assert_eq!(purged, 1, "{}", test.name);
        assert_eq!(store.purge_sent_notices(t0() + Duration::days(1), 100).await.expect("purge"), 0);
        assert_eq!(store.purge_sent_notices(t0() + Duration::days(30), 100).await.expect("purge"), 1);
        assert_eq!(store.unsent_notices().await.expect("unsent"), 1, "{}", test.name);
    }
}

#[tokio::test]
async fn detections_are_remembered_until_they_expire_then_purged_in_batches() {
    for test in test_store::all().await {
        let store = &test.store;
        let max_age = Duration::days(30);
        let codes = vec!["shentong".to_owned(), "yunda".to_owned()];
        assert_eq!(store.remembered_detection("431234567890123", t0(), max_age).await.expect("read"), None);
        store.remember_detection("431234567890123", &codes, t0()).await.expect("remember");
        // An empty answer (Kuaidi100 knew no courier) is an answer too.
        store.remember_detection("QQ12345678", &[], t0() + Duration::days(10)).await.expect("remember");

        let read = |number: &'static str, at: DateTime<Utc>| store.remembered_detection(number, at, max_age);
        assert_eq!(read("431234567890123", t0()).await.expect("read"), Some(codes.clone()), "{}", test.name);
        let almost = t0() + max_age - Duration::milliseconds(1);
        assert_eq!(read("431234567890123", almost).await.expect("read"), Some(codes.clone()), "{}", test.name);
        assert_eq!(read("431234567890123", t0() + max_age).await.expect("read"), None, "{}", test.name);
        assert_eq!(read("QQ12345678", t0() + max_age).await.expect("read"), Some(Vec::new()), "{}", test.name);

        // A new answer replaces the old one and starts its age again.
        let later = t0() + Duration::days(5);
        store.remember_detection("431234567890123", &codes[1..], later).await.expect("remember");
        assert_eq!(read("431234567890123", t0() + max_age).await.expect("read"), Some(vec!["yunda".to_owned()]));

        // A second handle (another process) sees the same rows.
        let other = Store::connect(&test.url).await.expect("second handle");
        assert_eq!(other.remembered_detection("QQ12345678", later, max_age).await.expect("read"), Some(Vec::new()));

        // Purging removes only rows past the age, oldest first, at most `limit` at a time.
        for i in 0..5 {
            store.remember_detection(&format!("OLD{i}"), &codes, t0() - Duration::days(40 - i)).await.expect("old");
        }
        assert_eq!(store.purge_detections(t0(), max_age, 3).await.expect("purge"), 3, "{}", test.name);
        assert_eq!(read("OLD2", t0() - Duration::days(38)).await.expect("read"), None, "oldest first");
        assert_eq!(read("OLD3", t0() - Duration::days(37)).await.expect("read"), Some(codes.clone()));
        assert_eq!(store.purge_detections(t0(), max_age, 3).await.expect("purge"), 2, "{}", test.name);
        assert_eq!(store.purge_detections(t0(), max_age, 3).await.expect("purge"), 0, "{}", test.name);
        assert_eq!(read("QQ12345678", t0()).await.expect("read"), Some(Vec::new()), "young rows stay");
        // Thirty days after the last answer, everything has aged out.
        let end = t0() + Duration::days(40);
        assert_eq!(store.purge_detections(end, max_age, 100).await.expect("purge"), 2, "{}", test.name);
        assert_eq!(other.remembered_detection("431234567890123", later, max_age).await.expect("read"), None);
        other.close().await;
    }
}

#[tokio::test]
async fn bulk_seeding_for_benchmarks_counts_retimes_and_explains() {
    for test in test_store::all().await {
        let store = &test.store;
        let name = test.name;
        let spread = Spread { start: t0(), spacing: Duration::minutes(1), slots: 10, shuffle: 2_654_435_761 };
        let seed = WatchedSeed {
            count: 10,
            courier: "yuantong".into(),
            number_prefix: "YT98".into(),
            first_chat: 100,
            parcels_per_chat: 5,
            lang: "zh".into(),
            created_at: t0(),
            spread,
            batch: 4,
        };
        let mut batches = Vec::new();
        store.seed_watched_parcels(&seed, |high| batches.push(high)).await.expect("seed");
        assert_eq!(batches, [4, 8, 10], "{name}");
        let census = store.census().await.expect("census");
        let expected = Census {
            parcels: 10,
            watched_parcels: 10,
            active_subscriptions: 10,
            first_created_at: Some(t0()),
            ..Census::default()
        };
        assert_eq!(census, expected, "{name}");
        // One parcel per slot: one falls due every minute from t0.
        assert_eq!(store.next_due_at().await.expect("next"), Some(t0()), "{name}");
        assert_eq!(store.count_due(t0() + Duration::seconds(270)).await.expect("due"), 5, "{name}");
        let first = store.parcel(&ParcelKey::new("yuantong", "YT9800000000001"), t0()).await.expect("read");
        let first = first.expect("seeded parcel 1");
        let subscribers = store.subscribers(first.id).await.expect("subscribers");
        assert_eq!(subscribers.iter().map(|s| (s.chat_id, s.lang.as_str())).collect::<Vec<_>>(), [(100, "zh")]);
        let last = store.parcel(&ParcelKey::new("yuantong", "YT9800000000010"), t0()).await.expect("read");
        let last = last.expect("seeded parcel 10");
        assert_eq!(store.subscribers(last.id).await.expect("subscribers")[0].chat_id, 101, "{name}");

        let later = Spread { start: t0() + Duration::days(1), ..spread };
        assert_eq!(store.shift_schedule(&later).await.expect("shift"), 10, "{name}");
        assert_eq!(store.next_due_at().await.expect("next"), Some(t0() + Duration::days(1)), "{name}");
        assert_eq!(store.count_due(t0() + Duration::hours(1)).await.expect("due"), 0, "{name}");

        // Rows written after the seed get ids of their own (PostgreSQL's sequences were moved on).
        let key = ParcelKey::new("yuantong", "YT9693083639795");
        let subscribed = store.subscribe(7, None, &key, "en", 0, None, 50, t0(), t0()).await.expect("subscribe");
        assert_eq!(subscribed, Subscribed::Created, "{name}");
        assert_eq!(store.census().await.expect("census").parcels, 11, "{name}");

        let plans = store.query_plans(t0()).await.expect("plans");
        for plan in [&plans.due_parcels, &plans.next_due_at, &plans.pending_notices] {
            assert!(!plan.is_empty(), "{name}: {plans:?}");
        }
        match store.backend() {
            Backend::Sqlite => {
                assert!(plans.due_parcels.contains("parcels_watch_due"), "{plans:?}");
                assert!(plans.pending_notices.contains("outbox_pending"), "{plans:?}");
                store.checkpoint().await.expect("checkpoint");
            }
            Backend::Postgres => {
                assert!(matches!(store.checkpoint().await, Err(StoreError::Unsupported { .. })));
            }
        }
    }
}

#[tokio::test]
async fn subscriptions_remember_the_estimate_they_were_told_and_when_one_went_out_alone() {
    for test in test_store::all().await {
        let store = &test.store;
        let key = ParcelKey::new("yuantong", "YT9693000000003");
        let later = t0() + Duration::days(1);
        store.subscribe(7, None, &key, "en", 3, Some("0"), 50, later, t0()).await.expect("subscribe");
        let eta = t0() + Duration::hours(40);
        store.set_seen_estimate(7, &key, Some(eta)).await.expect("seen estimate");
        let parcel = store.parcel(&key, t0()).await.expect("read").expect("parcel");
        let subscriber = store.subscribers(parcel.id).await.expect("subscribers").remove(0);
        assert_eq!((subscriber.seen_estimate, subscriber.estimate_told_at), (Some(eta), None));

        // Two checks race to tell a moved estimate alone: the first is queued, the second is not.
        let moved = |payload: &str, at: DateTime<Utc>| NewNotice {
            subscription_id: subscriber.id,
            chat_id: 7,
            topic: None,
            lang: "en".into(),
            payload: payload.into(),
            seen_lines: 3,
            seen_state: Some("0".into()),
            was_lines: 3,
            was_state: Some("0".into()),
            seen_estimate: Some(at),
            estimate_told_at: Some(t0()),
            was_estimate_told_at: None,
        };
        let first = CheckOutcome {
            notices: vec![moved("first", eta + Duration::hours(3))],
            next_check_at: Some(later),
            ..Default::default()
        };
        store.commit_check(parcel.id, &first, t0()).await.expect("queue");
        let second = CheckOutcome {
            notices: vec![moved("second", eta + Duration::hours(5))],
            next_check_at: Some(later),
            ..Default::default()
        };
        store.commit_check(parcel.id, &second, t0()).await.expect("queue");
        let pending = store.pending_notices(t0(), 10).await.expect("pending");
        assert_eq!(pending.iter().map(|n| n.payload.as_str()).collect::<Vec<_>>(), ["first"], "{}", test.name);
        let subscriber = store.subscribers(parcel.id).await.expect("subscribers").remove(0);
        assert_eq!(subscriber.seen_estimate, Some(eta + Duration::hours(3)));
        assert_eq!(subscriber.estimate_told_at, Some(t0()));
    }
}

#[tokio::test]
async fn the_daily_budget_refuses_past_its_count_and_names_the_floor_when_the_floor_refuses_too() {
    for test in test_store::all().await {
        let store = &test.store;
        let floor = Duration::minutes(FLOOR);
        let within = |number: &str, at: DateTime<Utc>| {
            let key = ParcelKey::new("yuantong", number);
            async move { store.claim_query_within(&key, None, at, floor, CAP, Some(3)).await.expect("claim") }
        };
        for (i, number) in ["YT7100000000001", "YT7100000000002", "YT7100000000003"].iter().enumerate() {
            let at = t0() + Duration::seconds(i as i64);
            assert!(
                matches!(within(number, at).await, Claim::Granted { billed, .. } if billed == i as u64 + 1),
                "{}: call {i}",
                test.name
            );
        }
        let now = t0() + Duration::minutes(40);
        // A new parcel: the budget is what refuses it, until the first minute's calls are a day old.
        match within("YT7100000000004", now).await {
            Claim::Refused { reason: Refusal::Budget { frees_at }, next_query_at, record } => {
                assert_eq!(frees_at, t0() + Duration::days(1) + Duration::minutes(1), "{}", test.name);
                assert_eq!(next_query_at, frees_at);
                assert!(record.answer.is_none());
            }
            other => panic!("{}: {other:?}", test.name),
        }
        // Inside its floor a parcel is refused for the floor, whatever the budget says.
        assert!(matches!(
            within("YT7100000000003", t0() + Duration::minutes(5)).await,
            Claim::Refused { reason: Refusal::TooSoon, .. }
        ));
        // No budget configured: calls are still counted, never refused.
        let key = ParcelKey::new("yuantong", "YT7100000000005");
        assert!(matches!(
            store.claim_query_within(&key, None, now, floor, CAP, None).await.expect("claim"),
            Claim::Granted { billed: 4, .. }
        ));
        assert_eq!(store.billed_calls_24h(now).await.expect("count"), 4, "{}", test.name);
        assert_eq!(store.billed_calls_24h(t0() + Duration::days(2)).await.expect("count"), 0);
    }
}

#[tokio::test]
async fn chat_zones_are_stored_reset_and_forgotten() {
    for test in test_store::all().await {
        let store = &test.store;
        assert_eq!(store.chat_zone(7).await.expect("read"), None, "{}", test.name);
        store.set_chat_lang(7, Lang::En, t0()).await.expect("a language first");
        store.set_chat_zone(7, Some("Europe/Berlin"), t0()).await.expect("set");
        assert_eq!(store.chat_zone(7).await.expect("read").as_deref(), Some("Europe/Berlin"));
        assert_eq!(store.chat_lang(7).await.expect("read"), Some(Lang::En), "the zone leaves the language alone");
        store.set_chat_zone(7, None, t0()).await.expect("reset");
        assert_eq!(store.chat_zone(7).await.expect("read"), None);
        store.set_chat_zone(8, Some("+01:00"), t0()).await.expect("a zone alone makes the chat's row");
        assert_eq!(store.chat_lang(8).await.expect("read"), None);
        let forgotten = store.forget_chat(8, t0()).await.expect("forget");
        assert_eq!(forgotten.settings, 1, "{}: {forgotten:?}", test.name);
        assert_eq!(store.chat_zone(8).await.expect("read"), None);
    }
}

#[tokio::test]
async fn subscriptions_are_counted_per_person_across_chats() {
    for test in test_store::all().await {
        let store = &test.store;
        for (chat, number) in [(1, "YT7200000000001"), (2, "YT7200000000002"), (3, "YT7200000000003")] {
            let key = ParcelKey::new("yuantong", number);
            store.subscribe(chat, None, &key, "en", 0, None, 50, t0(), t0()).await.expect("subscribe");
            store.set_subscribed_by(chat, &key, if chat == 3 { 43 } else { 42 }).await.expect("by");
        }
        assert_eq!(store.count_subscriptions_by(42).await.expect("count"), 2, "{}", test.name);
        store.unsubscribe(2, "YT7200000000002", t0()).await.expect("unsub");
        assert_eq!(store.count_subscriptions_by(42).await.expect("count"), 1, "only active ones count");
        assert_eq!(store.count_subscriptions_by(43).await.expect("count"), 1);
    }
}

#[tokio::test]
async fn forget_keeps_what_another_chat_gave_or_watches_and_stops_what_only_it_did() {
    for test in test_store::all().await {
        let (store, name) = (&test.store, test.name);
        let shared = ParcelKey::new("shunfeng", "SF1234567890123");
        let alone = ParcelKey::new("shunfeng", "SF1234567890124");
        for (chat, key) in [(1, &shared), (2, &shared), (1, &alone)] {
            store.remember_chat_parcel(chat, key, Some("5678"), t0()).await.expect("remember");
            store.subscribe(chat, None, key, "en", 0, None, 50, t0(), t0()).await.expect("subscribe");
        }
        for key in [&shared, &alone] {
            store.claim_query(key, Some("5678"), t0(), Duration::minutes(FLOOR), CAP).await.expect("claim");
        }
        let forgotten = store.forget_chat(1, t0()).await.expect("forget");
        assert_eq!((forgotten.subscriptions, forgotten.parcels, forgotten.phones), (2, 2, 2), "{name}");
        let later = t0() + Duration::minutes(1);
        let shared_row = store.parcel(&shared, later).await.expect("read").expect("kept");
        let alone_row = store.parcel(&alone, later).await.expect("read").expect("kept: the lock rule's record");
        assert_eq!(shared_row.phone_tail.as_deref(), Some("5678"), "{name}: chat 2 gave the same digits");
        assert_eq!(alone_row.phone_tail, None, "{name}: only chat 1 gave these");
        assert_eq!(alone_row.queries_last_24h, 1, "{name}: the daily cap still counts the query");
        let due: Vec<i64> =
            store.due_parcels(t0() + Duration::days(30), 100).await.expect("read").iter().map(|p| p.id).collect();
        assert!(due.contains(&shared_row.id), "{name}: chat 2 still watches");
        assert!(!due.contains(&alone_row.id), "{name}: nobody watches it any more");
        assert_eq!(store.chat_parcel_phone(2, &shared).await.expect("read").as_deref(), Some("5678"));
        let rows: u64 = store.rows_about_chat(1).await.expect("count").iter().map(|(_, count)| count).sum();
        assert_eq!(rows, 0, "{name}");
        assert_eq!(store.forget_chat(1, t0()).await.expect("again"), Default::default(), "{name}: nothing left");
    }
}
