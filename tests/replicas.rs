//! Several replicas on one database (issue 12): three real `kuaidi-bot run` processes sharing one
//! PostgreSQL, in webhook mode behind a round-robin balancer, on one fast Kuaidi100 simulator
//! (`kuaidi_test_support::replicas` says how and why). What must hold:
//!
//! - Started together on an empty database, the replicas migrate it, register one webhook, and the
//!   balancer hands updates to each in turn (the harness itself, and migrations run concurrently).
//! - 300 chats subscribe to 100 parcels, which then live their whole lives: every notification
//!   delivered, no chat told twice, 0 lock violations, each check made by one replica (none answered
//!   from another replica's query, and every replica checks some: leases spread the work) — and,
//!   under Telegram's strict rolling-second limiter, three replicas sending together never get a 429.
//! - The same with one replica SIGKILLed in the middle of the fan-out: the survivors deliver
//!   everything, what is repeated is bounded by one sending window, every subscription is kept.
//! - 50 concurrent asks for one parcel, spread over the three: one upstream query, 50 fresh answers.
//!
//! "Told twice" is counted in notice blocks, not messages: the outbox sends all the pending notices of
//! a chat as one message, one `🔔 <b>courier</b> · <code>number</code>` block each, so a chat whose
//! notices were told once shows exactly as many blocks as it has outbox rows.
//!
//! The two fan-outs run one after the other ([`FAN_OUTS`]): each is three replicas sending at
//! Telegram's full pace, and together, with PostgreSQL, on two cores, they starve each other's
//! timers — a test of timing under a load that production never puts on one machine.
//!
//! Needs PostgreSQL (`TEST_POSTGRES_URL`; skipped with a `SKIPPED …` line when unreachable unless
//! required) and libfaketime (`apt-get install faketime`).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use kuaidi_bot::kuaidi100::state;
use kuaidi_bot::sandbox::Sandbox;
use kuaidi_bot::telegram::MAX_WINDOW;
use kuaidi_test_support::fake_telegram::{Chat, FakeTelegram, User};
use kuaidi_test_support::replicas::{FLOOR, LEASE, Replicas};
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_kuaidi-bot");
const REPLICAS: usize = 3;
const PARCELS: usize = 100;
const CHATS_PER_PARCEL: usize = 3;
/// Kuaidi100's code for YTO, which the chats call `yto`.
const COURIER: &str = "yuantong";
/// The simulated life of a chosen parcel, from its first query to its delivery, in hours: 2 to 3½
/// days, 24 to 42 s of real time on the simulator's clock — long enough for all three rounds of
/// `/sub` to come before it ends, short enough for a test of a minute or two.
const LIFE_HOURS: std::ops::RangeInclusive<i64> = 48..=84;
/// How long all parcels may take to finish and every notice to be sent.
const FINISH_WITHIN: Duration = Duration::from_secs(240);
/// How long the simulator takes to answer in the last test: half the replicas' floor.
const QUERY_LATENCY: Duration = Duration::from_secs(1);
/// How long untold chats are waited for once no subscription and no unsent notice is left.
const NOTHING_LEFT_GRACE: Duration = Duration::from_secs(3);
/// How long replies to a wave of commands may take.
const REPLIES_WITHIN: Duration = Duration::from_secs(60);

// The words the chats read (en, `locales/en.yml`).
/// `sub.created`.
const SUBSCRIBED: &str = "Watching this parcel";
/// `notice.finished`: the closing line of a parcel's last notice.
const FINISHED: &str = "This parcel is done; it is no longer watched.";
/// `freshness.fresh`.
const FRESH: &str = "updated just now";
/// `freshness.cached`, `freshness.cached_recent`, `freshness.stale`.
const NOT_FRESH: [&str; 3] = ["min ago", "less than a minute ago", "could not refresh"];
/// How every notice block starts (`chat/words/notices.rs`); the `/sub` reply's 🔔 is followed by text.
const NOTICE_BLOCK: &str = "🔔 <b>";
/// Held by each fan-out test for its whole run (see the module doc).
static FAN_OUTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A chat of the fan-out and the parcel it follows.
#[derive(Clone, Debug)]
struct Follower {
    chat: i64,
    number: String,
}

/// `count` YTO numbers whose simulated journey is just beginning (last digit 0 or 1: only the pick-up
/// is known at the first query), ends in delivery (signed, or collected from a locker), skips customs
/// and lasts [`LIFE_HOURS`] from now.
fn fresh_journeys(sandbox: &Sandbox, count: usize) -> Vec<String> {
    let now = sandbox.config().clock.now();
    (0u64..10_000)
        .map(|i| format!("YT96931{:07}{}", i / 2, i % 2))
        .filter(|number| {
            let parcel = sandbox.timeline(COURIER, number);
            parcel.stage == 0
                && !parcel.customs
                && !parcel.ending.is_trouble()
                && LIFE_HOURS.contains(&(parcel.ends_at() - now).num_hours())
        })
        .take(count)
        .collect()
}

/// The chats of the fan-out: [`CHATS_PER_PARCEL`] per number, ids from `first_chat`.
fn followers(numbers: &[String], first_chat: i64) -> Vec<Follower> {
    (0..CHATS_PER_PARCEL)
        .flat_map(|round| {
            numbers.iter().enumerate().map(move |(i, number)| Follower {
                chat: first_chat + (round * numbers.len() + i) as i64,
                number: number.clone(),
            })
        })
        .collect()
}

fn user(chat: i64) -> User {
    User::new(chat, "Lin").lang("en")
}

/// Each chat sends `/sub yto <number>`, in one wave per round of [`CHATS_PER_PARCEL`] (a wave names
/// each parcel once: the first anchors the parcel's simulated life, and concurrent asks for one parcel
/// are the last test's subject), each wave's updates delivered through the balancer at once; returns
/// once every chat has been answered that it now watches its parcel.
async fn subscribe_all(replicas: &Replicas, followers: &[Follower]) {
    let started = Instant::now();
    for wave in followers.chunks(followers.len() / CHATS_PER_PARCEL) {
        for follower in wave {
            replicas.tg.send_text(
                Chat::private(follower.chat),
                user(follower.chat),
                &format!("/sub yto {}", follower.number),
            );
        }
        let answers = replicas.deliver_updates_at_once().await;
        assert!(answers.iter().all(|answer| *answer == Ok(StatusCode::OK)), "webhook answers: {answers:?}");
        let answered = replicas
            .tg
            .wait_for(REPLIES_WITHIN, |tg| wave.iter().all(|w| !tg.messages_to(w.chat).is_empty()).then_some(()))
            .await;
        assert!(
            answered.is_some(),
            "{} of {} chats got no reply to /sub ({} × 429 so far)",
            unanswered(&replicas.tg, wave),
            wave.len(),
            replicas.tg.too_many_requests_count()
        );
    }
    println!("replicas: {} chats subscribed in {:?}", followers.len(), started.elapsed());
    for follower in followers {
        let reply = &replicas.tg.messages_to(follower.chat)[0].text;
        assert!(reply.contains(SUBSCRIBED), "chat {} was not subscribed: {reply}", follower.chat);
    }
}

fn unanswered(tg: &FakeTelegram, followers: &[Follower]) -> usize {
    followers.iter().filter(|w| tg.messages_to(w.chat).is_empty()).count()
}

/// Every chat's parcel finished and told, nothing left in the outbox, no subscription left: how long
/// that took, or a panic saying what is missing after `within` — or as soon as nothing is left that
/// could still tell the chats that were not told (no subscription, nothing unsent).
async fn wait_until_everything_is_told(replicas: &Replicas, followers: &[Follower], within: Duration) -> Duration {
    let started = Instant::now();
    let mut nothing_left_since: Option<Instant> = None;
    loop {
        let untold = untold(&replicas.tg, followers);
        let unsent = replicas.db.unsent_notices().await.expect("count unsent notices");
        let active = replicas.db.active_subscriptions().await.expect("count active subscriptions");
        if untold.is_empty() && unsent == 0 && active == 0 {
            return started.elapsed();
        }
        nothing_left_since = match unsent == 0 && active == 0 {
            true => nothing_left_since.or_else(|| Some(Instant::now())),
            false => None,
        };
        let stuck = nothing_left_since.is_some_and(|since| since.elapsed() > NOTHING_LEFT_GRACE);
        if stuck || started.elapsed() > within {
            let example = untold.first().map(|w| (w, replicas.tg.messages_to(w.chat)));
            panic!(
                "after {:?}: {} chats not told their parcel finished, {unsent} notices unsent, {active} \
                 subscriptions active; simulator: {} queries, {} violations; first untold: {example:#?}",
                started.elapsed(),
                untold.len(),
                replicas.sandbox().stats().total_queries,
                replicas.sandbox().stats().lock_violations,
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The chats without a final notice yet (one pass over what the fake delivered).
fn untold<'a>(tg: &FakeTelegram, followers: &'a [Follower]) -> Vec<&'a Follower> {
    let told: HashSet<i64> =
        tg.sent_messages().into_iter().filter(|m| m.text.contains(FINISHED)).map(|m| m.chat_id).collect();
    followers.iter().filter(|f| !told.contains(&f.chat)).collect()
}

/// Each chat's final notice shows its parcel delivered, in the state the simulator ended it in.
fn assert_every_final_notice_says_delivered(replicas: &Replicas, followers: &[Follower]) {
    for follower in followers {
        let last = replicas.sandbox().timeline(COURIER, &follower.number).events.last().map(|event| event.code);
        let delivered = last.and_then(state::lookup).expect("the simulator ends in a known state");
        assert_eq!(delivered.family, kuaidi_bot::kuaidi100::Family::Delivered, "{}", follower.number);
        let messages = replicas.tg.messages_to(follower.chat);
        let last_notice = messages.iter().rev().find(|m| m.text.contains(FINISHED)).expect("a final notice");
        assert!(
            last_notice.text.contains(delivered.name_en),
            "chat {}: the final notice does not say {:?}: {}",
            follower.chat,
            delivered.name_en,
            last_notice.text
        );
    }
}

/// What the chats were told against what the outbox holds.
#[derive(Debug, Default)]
struct Telling {
    /// Outbox rows, all chats.
    notices: u64,
    /// Notice blocks the chats received, all chats.
    blocks: u64,
    /// Messages carrying them.
    messages: u64,
    /// Blocks beyond each chat's rows, summed: notices told again.
    repeated_blocks: u64,
    /// Chats told something again.
    repeated_chats: u64,
    /// Rows beyond each chat's blocks, summed: notices never told.
    lost: u64,
    /// A few (chat, blocks, rows) that differ.
    examples: Vec<(i64, u64, u64)>,
}

async fn telling(replicas: &Replicas, followers: &[Follower]) -> Telling {
    let rows: HashMap<i64, u64> = replicas.db.outbox_rows_per_chat().await.expect("outbox rows per chat");
    let mut telling = Telling::default();
    for follower in followers {
        let notices: Vec<String> = replicas
            .tg
            .messages_to(follower.chat)
            .into_iter()
            .map(|message| message.text)
            .filter(|text| text.contains(NOTICE_BLOCK))
            .collect();
        let blocks = notices.iter().map(|text| text.matches(NOTICE_BLOCK).count() as u64).sum::<u64>();
        let queued = rows.get(&follower.chat).copied().unwrap_or(0);
        telling.notices += queued;
        telling.blocks += blocks;
        telling.messages += notices.len() as u64;
        telling.repeated_blocks += blocks.saturating_sub(queued);
        telling.repeated_chats += u64::from(blocks > queued);
        telling.lost += queued.saturating_sub(blocks);
        if blocks != queued && telling.examples.len() < 5 {
            telling.examples.push((follower.chat, blocks, queued));
        }
    }
    telling
}

fn assert_no_lock_violation(sandbox: &Sandbox) {
    let stats = sandbox.stats();
    let broken: Vec<_> = stats.parcels.iter().filter(|parcel| parcel.violations > 0).collect();
    assert_eq!(stats.lock_violations, 0, "queries that broke the lock rule: {broken:#?}");
}

/// `kuaidi_watch_checks_total` of one `result` on each replica (0 for one that does not answer).
async fn checks(replicas: &Replicas, result: &str) -> Vec<f64> {
    let label = format!("result=\"{result}\"");
    let values = replicas.metric_by_replica("kuaidi_watch_checks_total", &[&label]).await;
    values.into_iter().map(|value| value.unwrap_or(0.0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_started_together_migrate_one_database_and_answer_in_turn_through_the_balancer() {
    // `Replicas::start` has already seen each one ready (database, getMe, setWebhook) on the faked clock.
    let Some(mut replicas) = Replicas::start(BIN, REPLICAS).await else { return };
    assert_eq!(replicas.db.subscriptions().await.expect("the tables are there"), 0);
    let registered = replicas.tg.requests_to("setWebhook");
    assert_eq!(registered.len(), REPLICAS, "each replica registered the webhook");
    assert!(registered.iter().all(|call| call.params == registered[0].params), "the same URL and secret from each");
    let webhook = replicas.tg.webhook().expect("a webhook");
    assert!(webhook.url.starts_with(&format!("{}/telegram/", replicas.balancer.url())), "{webhook:?}");

    let chats: Vec<i64> = (200_000..200_000 + 2 * REPLICAS as i64).collect();
    for &chat in &chats {
        replicas.tg.send_text(Chat::private(chat), user(chat), "/help");
    }
    let answers = replicas.deliver_updates_at_once().await;
    assert!(answers.iter().all(|answer| *answer == Ok(StatusCode::OK)), "webhook answers: {answers:?}");
    assert_eq!(replicas.balancer.answered(), vec![2; REPLICAS], "in turn");
    let answered = replicas
        .tg
        .wait_for(REPLIES_WITHIN, |tg| chats.iter().all(|c| !tg.messages_to(*c).is_empty()).then_some(()))
        .await;
    assert!(answered.is_some(), "every /help answered");
    let accepted = replicas.metric_by_replica("kuaidi_telegram_webhook_updates_total", &[]).await;
    assert_eq!(accepted, vec![Some(2.0); REPLICAS], "each replica took its two updates");
    assert!(replicas.tg.requests_to("getUpdates").is_empty(), "webhook mode only");
    assert_eq!(replicas.stop_all().await, vec![Some(0); REPLICAS], "every replica stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_tell_300_chats_every_move_of_100_parcels_once_without_a_429() {
    let _alone = FAN_OUTS.lock().await;
    let Some(mut replicas) = Replicas::start(BIN, REPLICAS).await else { return };
    // "Under the strict rolling-second limiter, three replicas sending together: 0 × 429" is folded in
    // here: the limiter is on from the first reply to the last notice.
    replicas.tg.set_global_rate_limit(Some(30));
    let numbers = fresh_journeys(replicas.sandbox(), PARCELS);
    assert_eq!(numbers.len(), PARCELS, "enough fresh journeys among the candidates");
    let followers = followers(&numbers, 300_000);

    subscribe_all(&replicas, &followers).await;
    let spread = replicas.balancer.answered();
    println!("replicas: the balancer handed the 300 /sub updates out as {spread:?}");
    // While chats subscribe, a check may rightly be answered by a subscriber's own query of a moment
    // before (its /sub); two floors after the last /sub only the watchers query, so from then on a
    // check answered by another's query is a parcel checked twice.
    tokio::time::sleep(FLOOR * 2).await;
    let shared_after_subscribing = checks(&replicas, "shared").await;
    assert_eq!(spread.iter().sum::<u64>(), followers.len() as u64);
    assert!(spread.iter().all(|count| *count == (followers.len() / REPLICAS) as u64), "in turn: {spread:?}");

    let took = wait_until_everything_is_told(&replicas, &followers, FINISH_WITHIN).await;
    assert_every_final_notice_says_delivered(&replicas, &followers);
    let telling = telling(&replicas, &followers).await;
    let stats = replicas.sandbox().stats();
    println!(
        "replicas: 100 parcels finished and 300 chats told in {took:?}: {} notices in {} messages, {} upstream \
         queries ({:.1} per parcel), {} × 429",
        telling.notices,
        telling.messages,
        stats.total_queries,
        stats.total_queries as f64 / PARCELS as f64,
        replicas.tg.too_many_requests_count(),
    );
    assert_eq!((telling.repeated_blocks, telling.lost), (0, 0), "no chat told twice, nothing lost: {telling:?}");
    assert_no_lock_violation(replicas.sandbox());

    assert_eq!(replicas.tg.too_many_requests_count(), 0, "the fake Bot API answered 429");
    assert_eq!(replicas.metric_sum("kuaidi_telegram_retry_after_total", &[]).await, 0.0);

    // Each check made by one replica: none answered from another's query, and every replica checked.
    let (queried, shared) = (checks(&replicas, "queried").await, checks(&replicas, "shared").await);
    println!(
        "replicas: watcher checks per replica: queried {queried:?}, shared {shared:?} \
         ({shared_after_subscribing:?} of them while chats subscribed)"
    );
    assert_eq!(shared, shared_after_subscribing, "checks answered by another replica's query after the /sub waves");
    assert!(queried.iter().any(|count| *count > 0.0), "no check counted as queried: {queried:?}");
    for (index, (q, s)) in queried.iter().zip(&shared).enumerate() {
        assert!(q + s > 0.0, "replica {index} made no check: leases should spread the work");
    }

    assert_eq!(replicas.stop_all().await, vec![Some(0); REPLICAS], "every replica stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_fan_out_loses_nothing_repeats_at_most_a_window_and_keeps_every_subscription() {
    let _alone = FAN_OUTS.lock().await;
    let Some(mut replicas) = Replicas::start(BIN, REPLICAS).await else { return };
    let numbers = fresh_journeys(replicas.sandbox(), PARCELS);
    assert_eq!(numbers.len(), PARCELS, "enough fresh journeys among the candidates");
    let followers = followers(&numbers, 400_000);
    subscribe_all(&replicas, &followers).await;

    // Notices are flowing: a third of the chats already know their parcel's end.
    let third = followers.len() / 3;
    let deadline = Instant::now() + FINISH_WITHIN;
    while followers.len() - untold(&replicas.tg, &followers).len() < third {
        assert!(Instant::now() < deadline, "a third of the parcels finished and were told");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let killed = 1;
    replicas.kill(killed);
    let at_kill = Instant::now();
    let (killed_at, sent_at_kill) = (replicas.replicas_now(), replicas.tg.sent_count());
    // Pending at the kill: among them whatever the killed replica had claimed and not sent.
    let pending_at_kill = replicas.db.unsent_notice_ids().await.expect("unsent notices");

    // The balancer passes the dead replica over: every update still reaches a live one.
    let answered_by_killed = replicas.balancer.answered()[killed];
    let askers: Vec<i64> = (490_000..490_006).collect();
    for &chat in &askers {
        replicas.tg.send_text(Chat::private(chat), user(chat), "/help");
    }
    let answers = replicas.deliver_updates_at_once().await;
    assert!(answers.iter().all(|answer| *answer == Ok(StatusCode::OK)), "webhook answers after the kill: {answers:?}");
    assert_eq!(replicas.balancer.answered()[killed], answered_by_killed, "nothing reached the killed replica");
    assert!(replicas.balancer.passed_over() >= 2, "the balancer passed the dead replica over");
    let helped = replicas
        .tg
        .wait_for(REPLIES_WITHIN, |tg| askers.iter().all(|c| !tg.messages_to(*c).is_empty()).then_some(()))
        .await;
    assert!(helped.is_some(), "the survivors answered the updates sent after the kill");

    wait_until_everything_is_told(&replicas, &followers, FINISH_WITHIN).await;
    let all_told = at_kill.elapsed();
    let last_pending_sent = replicas.db.last_sent_at(&pending_at_kill).await.expect("sent times");
    let takeover = last_pending_sent.map(|at| (at - killed_at).to_std().unwrap_or_default());
    let telling = telling(&replicas, &followers).await;
    println!(
        "replicas: killed replica {killed} after {sent_at_kill} messages, {} notices pending; the last of those was \
         sent {takeover:?} after the kill (OUTBOX_LEASE {LEASE}), all 300 chats told {all_told:?} after it; \
         repeated {} notices to {} chats (window at most {MAX_WINDOW}); {} notices in {} messages",
        pending_at_kill.len(),
        telling.repeated_blocks,
        telling.repeated_chats,
        telling.notices,
        telling.messages,
    );
    assert_eq!(telling.lost, 0, "every notice delivered: {telling:?}");
    // Only the messages the killed replica had on their way may go out again, one chat each.
    assert!(telling.repeated_chats <= MAX_WINDOW as u64, "repeats beyond one window: {telling:?}");
    assert_every_final_notice_says_delivered(&replicas, &followers);

    // Every subscription kept: all 300 are there, and each ended only with its parcel.
    assert_eq!(replicas.db.subscriptions().await.expect("count"), followers.len() as u64);
    let early = replicas.db.subscriptions_ended_early().await.expect("ended subscriptions");
    assert!(early.is_empty(), "subscriptions ended before their parcel finished: {early:#?}");
    assert_no_lock_violation(replicas.sandbox());

    let mut expected = vec![Some(0); REPLICAS];
    expected[killed] = None;
    assert_eq!(replicas.stop_all().await, expected, "the survivors stop cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_asks_for_one_parcel_over_three_replicas_make_one_upstream_query_and_fifty_fresh_answers() {
    let Some(mut replicas) = Replicas::start(BIN, REPLICAS).await else { return };
    // Mid-journey: a few lines to show. The simulator takes a second to answer, so that all 50 asks
    // arrive while the one query is on its way: every answer then comes after its ask — fresh, none
    // from a cache (an ask that came after the answer would rightly be told "updated less than a minute
    // ago"). Half the floor: an answer later than the floor would free the next asker to query again.
    let number = "YT9693083639795";
    replicas.sandbox().set_latency(Some(QUERY_LATENCY));
    let askers: Vec<i64> = (500_000..500_050).collect();
    for &chat in &askers {
        replicas.tg.send_text(Chat::private(chat), user(chat), &format!("/track yto {number}"));
    }
    let answers = replicas.deliver_updates_at_once().await;
    assert!(answers.iter().all(|answer| *answer == Ok(StatusCode::OK)), "webhook answers: {answers:?}");
    let spread = replicas.balancer.answered();
    assert!(spread.iter().all(|count| *count > 0), "the asks reached every replica: {spread:?}");

    let answered = replicas
        .tg
        .wait_for(REPLIES_WITHIN, |tg| askers.iter().all(|chat| !tg.messages_to(*chat).is_empty()).then_some(()))
        .await;
    assert!(answered.is_some(), "every asker was answered");
    let stats = replicas.sandbox().stats();
    let queries = stats.parcel(COURIER, number).map_or(0, |parcel| parcel.queries);
    println!("replicas: 50 asks spread {spread:?} over the replicas made {queries} upstream queries");
    assert_eq!(queries, 1, "one upstream query for 50 asks: {stats:#?}");

    // The trajectory as of that query: its newest line, as the reply shows it ("MM-DD HH:MM", Beijing).
    let parcel = replicas.sandbox().timeline(COURIER, number);
    let newest = parcel.events.get(parcel.stage).expect("the newest event at the first query");
    let newest_line = format!("<b>{}</b>", &newest.beijing_time()[5..16]);
    let shows_the_trajectory = |reply: &str| reply.contains(number) && reply.contains(&newest_line);
    let fresh = |reply: &str| reply.contains(FRESH) && NOT_FRESH.iter().all(|words| !reply.contains(words));
    let replies: Vec<(i64, String)> =
        askers.iter().map(|&chat| (chat, replicas.tg.messages_to(chat)[0].text.clone())).collect();
    let without_trajectory: Vec<_> = replies.iter().filter(|(_, reply)| !shows_the_trajectory(reply)).collect();
    let not_fresh: Vec<_> = replies.iter().filter(|(_, reply)| !fresh(reply)).collect();
    assert!(
        without_trajectory.is_empty() && not_fresh.is_empty(),
        "{} of 50 replies show no trajectory, {} are not fresh; first of each: {:#?} {:#?}",
        without_trajectory.len(),
        not_fresh.len(),
        without_trajectory.first(),
        not_fresh.first(),
    );
    assert_eq!(replicas.stop_all().await, vec![Some(0); REPLICAS]);
}
