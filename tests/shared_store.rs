//! What replicas share through PostgreSQL, at the store: leased due parcels, claimed notices, the
//! send budget, the user throttle and the long-polling lock — each used from several handles on one
//! database, as replicas do. PostgreSQL only (SQLite is the single-process backend, where these are
//! plain reads or are not used); skipped with a printed line when PostgreSQL is not reachable.

use std::collections::HashSet;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use kuaidi_bot::store::{CheckOutcome, Claim, ParcelKey, Refusal, Spend, Store};
use kuaidi_test_support::outbox::queue_fan_out;
use kuaidi_test_support::store as test_store;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).expect("valid time") // 2026-01-01 00:00 UTC
}

/// A PostgreSQL test store and `more` further handles on the same schema (the other replicas).
async fn replicas(more: usize) -> Option<(test_store::TestStore, Vec<Store>)> {
    let test = test_store::postgres().await?;
    let mut handles = Vec::new();
    for _ in 0..more {
        handles.push(Store::connect(&test.url).await.expect("a second handle"));
    }
    Some((test, handles))
}

#[tokio::test]
async fn due_parcels_are_leased_to_one_replica_and_taken_over_when_the_lease_runs_out() {
    let Some((test, others)) = replicas(2).await else { return };
    let stores: Vec<&Store> = std::iter::once(&test.store).chain(others.iter()).collect();
    let lease = Duration::minutes(2);
    for i in 0..90 {
        let key = ParcelKey::new("yuantong", &format!("YT8{i:012}"));
        test.store.subscribe(i, None, &key, "zh", 0, None, 50, t0(), t0()).await.expect("subscribe");
    }
    // Three replicas take their rounds at the same moment: every parcel goes to exactly one.
    let rounds = futures::future::join_all(stores.iter().map(|store| store.claim_due_parcels(t0(), lease, 40))).await;
    let mut taken = HashSet::new();
    let mut per_replica = Vec::new();
    for round in rounds {
        let round = round.expect("claim");
        per_replica.push(round.len());
        for parcel in round {
            assert_eq!(parcel.due_at, t0(), "returned with the time it was due, not its lease");
            assert!(taken.insert(parcel.id), "parcel {} taken twice", parcel.id);
        }
    }
    assert_eq!(taken.len(), 90, "all taken, none twice: {per_replica:?}");
    assert!(stores[0].claim_due_parcels(t0() + Duration::seconds(90), lease, 100).await.expect("claim").is_empty());

    // One replica finishes its checks, the others die: their parcels come back once the lease is over.
    let done: Vec<i64> = taken.iter().copied().take(30).collect();
    for id in &done {
        let outcome = CheckOutcome { next_check_at: Some(t0() + Duration::hours(2)), ..CheckOutcome::default() };
        stores[1].commit_check(*id, &outcome, t0()).await.expect("commit");
    }
    let retaken = stores[2].claim_due_parcels(t0() + lease, lease, 100).await.expect("claim");
    assert_eq!(retaken.len(), 60, "the unfinished ones are taken over after the lease");
    assert!(retaken.iter().all(|parcel| !done.contains(&parcel.id)), "a finished check is not redone");
}

#[tokio::test]
async fn notices_are_claimed_by_one_replica_released_when_unsent_and_taken_over_after_the_claim() {
    let Some((test, others)) = replicas(1).await else { return };
    let (a, b) = (&test.store, &others[0]);
    let lease = Duration::seconds(30);
    queue_fan_out(a, 1, 50, t0()).await;
    let (first, second) = tokio::join!(a.claim_notices(t0(), lease, 30), b.claim_notices(t0(), lease, 30));
    let (first, second) = (first.expect("claim"), second.expect("claim"));
    assert_eq!(first.len() + second.len(), 50, "{} + {}", first.len(), second.len());
    let ids: HashSet<i64> = first.iter().chain(second.iter()).map(|notice| notice.id).collect();
    assert_eq!(ids.len(), 50, "no notice claimed twice");
    let mut order: Vec<i64> = first.iter().map(|notice| notice.id).collect();
    let sorted = {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        sorted
    };
    assert_eq!(order, sorted, "earliest first");

    // `a` sends two, gives the rest back (shutdown); `b` dies with its claim.
    a.mark_sent(&order[..2], t0()).await.expect("sent");
    let rest = order.split_off(2);
    a.release_notices(&rest, t0() + lease).await.expect("release");
    let again = b.claim_notices(t0(), lease, 100).await.expect("claim");
    assert_eq!(again.len(), rest.len(), "released notices are due again at once");
    let after_claims = a.claim_notices(t0() + lease, lease, 100).await.expect("claim");
    assert_eq!(after_claims.len(), 50 - 2, "a dead replica's claims are taken over when they run out");
}

#[tokio::test]
async fn a_renewed_claim_keeps_its_notices_and_a_claim_that_ran_out_is_not_renewed_from_its_new_holder() {
    let Some((test, others)) = replicas(1).await else { return };
    let (a, b) = (&test.store, &others[0]);
    let lease = Duration::seconds(30);
    queue_fan_out(a, 1, 10, t0()).await;
    let claimed: Vec<i64> = a.claim_notices(t0(), lease, 10).await.expect("claim").iter().map(|n| n.id).collect();
    assert_eq!(claimed.len(), 10);
    // `a` renews a third of the way in: at its old end the notices are still its own.
    let renewed_until = t0() + lease / 3 + lease;
    let kept = a.renew_notices(&claimed, t0() + lease, renewed_until).await.expect("renew");
    assert_eq!(kept, claimed, "every notice held is renewed");
    assert!(b.claim_notices(t0() + lease, lease, 100).await.expect("claim").is_empty(), "renewed: not taken over");
    // `a` stalls past its renewed claim; `b` takes the notices over; `a`'s late renewal and release
    // (with its old claim) leave them with `b`.
    let taken = b.claim_notices(renewed_until, lease, 100).await.expect("claim");
    assert_eq!(taken.len(), 10, "taken over once the renewed claim ran out");
    let late = a.renew_notices(&claimed, renewed_until, renewed_until + lease).await.expect("renew");
    assert!(late.is_empty(), "a claim that ran out is not renewed: {late:?}");
    a.release_notices(&claimed, renewed_until).await.expect("release");
    assert!(
        a.claim_notices(renewed_until, lease, 100).await.expect("claim").is_empty(),
        "a stale release does not free another replica's claim"
    );
}

#[tokio::test]
async fn the_send_budget_spaces_every_replicas_sends_on_one_clock() {
    let Some((test, others)) = replicas(2).await else { return };
    let stores: Vec<&Store> = std::iter::once(&test.store).chain(others.iter()).collect();
    let every = StdDuration::from_millis(40);
    let started = Instant::now();
    // 3 replicas × 10 sends reserved at once: the slots are 40 ms apart, whoever reserved them.
    let reservations =
        futures::future::join_all((0..30).map(|i| stores[i % 3].reserve_send("bot1:overall", 1, every))).await;
    let reserving = started.elapsed();
    let mut waits: Vec<StdDuration> = reservations.into_iter().map(|wait| wait.expect("reserve")).collect();
    waits.sort();
    let last = *waits.last().expect("30 waits");
    // 29 gaps of 40 ms, less what the reservations themselves took (their clock moved meanwhile).
    assert!(last + reserving >= every * 29, "the last waits {last:?} (reserving took {reserving:?})");
    for pair in waits.windows(2) {
        assert!(pair[1] + reserving >= pair[0], "{waits:?}");
    }

    // A group's budget: 3 in any rolling second. The first 3 go at once, the next 3 a second later.
    let group: Vec<StdDuration> = futures::future::join_all(
        (0..6).map(|i| stores[i % 3].reserve_send("bot1:group:-5", 3, StdDuration::from_secs(1))),
    )
    .await
    .into_iter()
    .map(|wait| wait.expect("reserve"))
    .collect();
    let mut group = group;
    group.sort();
    assert!(group[2] < StdDuration::from_millis(200), "{group:?}");
    assert!(group[3] >= StdDuration::from_millis(700), "{group:?}");
    // Other budgets are not affected.
    let other = stores[1].reserve_send("bot1:chat:7", 1, StdDuration::from_secs(1)).await.expect("reserve");
    assert!(other < StdDuration::from_millis(100), "{other:?}");
    assert!(test.store.forget_idle_budgets(StdDuration::from_secs(3600), Utc::now(), 100).await.expect("forget") == 0);
}

#[tokio::test]
async fn the_user_throttle_is_one_budget_across_replicas() {
    let Some((test, others)) = replicas(1).await else { return };
    let (a, b) = (&test.store, &others[0]);
    let period = StdDuration::from_secs(6);
    // 10 a minute, burst 10: five asks at each replica, then the eleventh waits one period.
    for i in 0..10 {
        let store = if i % 2 == 0 { a } else { b };
        assert_eq!(store.take_rate("user:1", t0(), period, 10).await.expect("take"), Ok(()), "ask {i}");
    }
    let wait = b.take_rate("user:1", t0(), period, 10).await.expect("take").expect_err("the 11th waits");
    assert_eq!(wait, period);
    assert_eq!(a.take_rate("user:2", t0(), period, 10).await.expect("take"), Ok(()), "another user is free");
    assert_eq!(a.take_rate("user:1", t0() + Duration::seconds(6), period, 10).await.expect("take"), Ok(()));
    assert_eq!(
        test.store
            .forget_idle_budgets(StdDuration::from_secs(60), t0() + Duration::hours(1), 100)
            .await
            .expect("forget"),
        2,
        "idle users are forgotten"
    );
}

#[tokio::test]
async fn one_long_poller_per_bot_and_the_standby_takes_over() {
    let Some((test, others)) = replicas(1).await else { return };
    let first = test.store.try_lock_polling("42").await.expect("lock").expect("the first poller gets it");
    assert!(others[0].try_lock_polling("42").await.expect("lock").is_none(), "a second poller waits");
    let other_bot = others[0].try_lock_polling("43").await.expect("lock").expect("another bot is free");
    first.release().await;
    let second = others[0].try_lock_polling("42").await.expect("lock");
    assert!(second.is_some(), "once the first stops, the standby takes over");
    other_bot.release().await;
}

#[tokio::test]
async fn concurrent_asks_at_two_replicas_make_one_query_and_every_asker_gets_it_fresh() {
    use kuaidi_bot::clock::ManualClock;
    use kuaidi_bot::input::tracking_number;
    use kuaidi_bot::tracking::{Asker, Report, TrackRequest};
    use kuaidi_test_support::sim::{sandbox_engine, start_time};

    let Some(test) = test_store::postgres().await else { return };
    let clock = ManualClock::new(start_time());
    let env = [("USER_RATE_LIMIT", "1000/min")];
    let a = sandbox_engine(&test, std::sync::Arc::new(clock.clone()), &env).await.expect("replica a");
    let b = sandbox_engine(&test, std::sync::Arc::new(clock.clone()), &env).await.expect("replica b");
    for engine in [&a, &b] {
        let sandbox = &engine.sandbox.as_ref().expect("sandbox mode").sandbox;
        sandbox.set_latency(Some(StdDuration::from_millis(300)));
    }
    let ask = |engine: &kuaidi_bot::app::Engine, user: i64| {
        let request =
            TrackRequest::new(Some("yuantong"), tracking_number("YT9693083639795").expect("valid"), Asker::User(user));
        let tracker = engine.tracker.clone();
        async move { tracker.track(request).await }
    };
    let asks = (0..10).map(|user| if user % 2 == 0 { ask(&a, user) } else { ask(&b, user) });
    let answers = futures::future::join_all(asks).await;
    for (user, answer) in answers.iter().enumerate() {
        let tracked = answer.as_ref().expect("an answer");
        assert!(tracked.fresh, "asker {user} got the answer of the one query as fresh");
        assert!(matches!(tracked.report, Report::Answer { .. }), "asker {user}: {:?}", tracked.report);
    }
    let queries: u64 =
        [&a, &b].iter().map(|engine| engine.sandbox.as_ref().expect("sandbox").sandbox.stats().total_queries).sum();
    assert_eq!(queries, 1, "one upstream query for ten asks at two replicas");
}

#[tokio::test]
async fn the_daily_budget_is_one_count_across_replicas_and_frees_as_calls_leave_the_window() {
    let Some((test, others)) = replicas(2).await else { return };
    let stores: Vec<&Store> = std::iter::once(&test.store).chain(others.iter()).collect();
    let (floor, cap, budget) = (Duration::minutes(30), 48, Some(10));
    // Three replicas claim 30 different parcels at once against a budget of 10 billed calls.
    let claims = futures::future::join_all((0..30).map(|i| {
        let store = stores[i % 3];
        async move {
            let key = ParcelKey::new("yuantong", &format!("YT7{i:012}"));
            store.claim_query_within(&key, None, t0(), floor, cap, budget).await.expect("claim")
        }
    }))
    .await;
    let granted = claims.iter().filter(|claim| matches!(claim, Claim::Granted { .. })).count();
    assert_eq!(granted, 10, "exactly the budget is granted across replicas");
    let refused_until: Vec<DateTime<Utc>> = claims
        .iter()
        .filter_map(|claim| match claim {
            Claim::Refused { reason: Refusal::Budget { frees_at }, .. } => Some(*frees_at),
            _ => None,
        })
        .collect();
    assert_eq!(refused_until.len(), 20, "the rest are refused for the budget");
    let day_later = t0() + Duration::days(1) + Duration::minutes(1);
    assert!(
        refused_until.iter().all(|at| *at == day_later),
        "free once the calls' minute is a day old: {refused_until:?}"
    );
    assert_eq!(stores[1].billed_calls_24h(t0()).await.expect("count"), 10);
    // A push subscribe call counts against the same budget.
    assert!(matches!(
        stores[2].spend_billed_call(t0(), Some(10)).await.expect("spend"),
        Spend::Refused { used: 10, .. }
    ));
    // A day and a minute later the calls have left the window.
    let key = ParcelKey::new("yuantong", "YT7000000000029");
    assert!(matches!(
        stores[0].claim_query_within(&key, None, day_later, floor, cap, budget).await.expect("claim"),
        Claim::Granted { billed: 1, .. }
    ));
}
