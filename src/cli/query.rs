//! `kuaidi-bot query [COURIER] NUMBER`: one question about one parcel, through the tracker.
//!
//! It obeys the same rules as the bot (floor, daily cap, the store in `DATABASE_URL`), so running it
//! twice inside the floor makes one upstream query and the second run says how old its data is.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{QueryArgs, exit, fail};
use crate::app::{Config, Engine};
use crate::chat::words;
use crate::clock::{Clock, SystemClock};
use crate::couriers::{Resolution, directory};
use crate::input::{phone_tail, tracking_number};
use crate::kuaidi100::{Lang, QueryResult};
use crate::tracking::{Asker, Report, TrackDocument, TrackError, TrackRequest, Tracked};
use crate::zone::Zone;

pub async fn run(args: QueryArgs) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(exit::BAD_INPUT, error),
    };
    let lang = args.lang.map(Lang::from).unwrap_or(config.default_lang);
    // `--tz` or Beijing time; only a zone asked for adds the zone fields to `--json`.
    let asked_zone = match args.tz.as_deref().map(Zone::parse).transpose() {
        Ok(zone) => zone,
        Err(_) => return fail(exit::BAD_INPUT, words::commands::tz_usage(lang)),
    };
    let zone = asked_zone.unwrap_or_default();
    let (courier_text, number_text) = match args.words.as_slice() {
        [number] => (None, number),
        [courier, number] if courier.eq_ignore_ascii_case("auto") => (None, number),
        [courier, number] => (Some(courier.as_str()), number),
        _ => {
            return fail(
                exit::BAD_INPUT,
                "usage: kuaidi-bot query [COURIER] NUMBER [--phone P] [--lang zh|en] [--tz ZONE] [--json]",
            );
        }
    };
    let number = match tracking_number(number_text) {
        Ok(number) => number,
        Err(error) => return fail(exit::BAD_INPUT, words::input_error(&error, lang)),
    };
    let phone = match args.phone.as_deref().map(phone_tail).transpose() {
        Ok(phone) => phone,
        Err(error) => return fail(exit::BAD_INPUT, words::input_error(&error, lang)),
    };
    let courier = match courier_text.map(|text| directory().resolve(text)) {
        None => None,
        Some(Resolution::Found(courier)) => Some(courier),
        Some(Resolution::Ambiguous(candidates)) => {
            let input = courier_text.unwrap_or_default();
            return fail(exit::BAD_INPUT, words::errors::ambiguous_courier(input, &candidates, lang));
        }
        Some(Resolution::Unknown { suggestions }) => {
            let mut reason = words::errors::unknown_courier(courier_text.unwrap_or_default(), lang);
            if !suggestions.is_empty() {
                reason = format!("{reason} {}", words::errors::did_you_mean(&suggestions, lang));
            }
            return fail(exit::BAD_INPUT, reason);
        }
    };
    if let Some(courier) = courier
        && courier.needs_phone
        && phone.is_none()
    {
        return fail(exit::BAD_INPUT, words::errors::need_phone(courier, lang));
    }

    let clock = Arc::new(SystemClock);
    let engine = match Engine::start(config, clock.clone()).await {
        Ok(engine) => engine,
        Err(error) => return fail(exit::OTHER, error),
    };
    if engine.is_sandbox() {
        eprintln!("{}", words::parcel::sandbox_mode(lang));
    }
    let request = TrackRequest::new(courier.map(|courier| courier.code), number.clone(), Asker::Operator)
        .with_phone(phone)
        .with_lang(lang);
    let outcome = engine.tracker.track(request).await;
    engine.store.close().await;
    let tracked = match outcome {
        Ok(tracked) => tracked,
        Err(error @ TrackError::Store(_)) => {
            return fail(
                exit::OTHER,
                format!("{} ({error})", words::track_error(&error, number.as_str(), lang, &zone)),
            );
        }
        Err(error) => return fail(exit::BAD_INPUT, words::track_error(&error, number.as_str(), lang, &zone)),
    };
    let now = clock.now();
    match &tracked.report {
        Report::Answer { result, .. } => {
            if args.json {
                let mut document = TrackDocument::new(&tracked, result, engine.is_sandbox(), lang);
                if let Some(zone) = &asked_zone {
                    document = document.in_zone(zone);
                }
                // Through `Value`, whose keys are sorted: the output the command has always printed.
                match serde_json::to_value(&document) {
                    Ok(json) => println!("{json}"),
                    Err(error) => return fail(exit::OTHER, error),
                }
            } else {
                print!("{}", text_document(&tracked, result, now, engine.is_sandbox(), lang, &zone));
            }
            ExitCode::SUCCESS
        }
        Report::NoResultYet => fail(exit::UPSTREAM, words::parcel::no_result(lang)),
        Report::Failed(error) => fail(exit::UPSTREAM, format!("{} ({error})", words::upstream_error(error, lang))),
    }
}

/// The parcel as text: header, state, freshness and next update (each time with its zone), then the
/// trajectory with its times in `zone` and one line naming it.
fn text_document(
    tracked: &Tracked,
    result: &QueryResult,
    now: DateTime<Utc>,
    sandbox: bool,
    lang: Lang,
    zone: &Zone,
) -> String {
    let locale = lang.as_str();
    let mut out = format!("{} ({}) {}\n", tracked.courier.name(locale), tracked.courier.code, tracked.number);
    out += &format!(
        "{}: {} · {}\n",
        words::parcel::state_caption(lang),
        words::state_label(&result.state, lang),
        words::freshness(tracked, now, sandbox, lang, zone)
    );
    out += &format!("{}\n\n", words::next_update(tracked, lang, zone));
    if result.data.is_empty() {
        out += &format!("{}\n", words::parcel::no_lines(lang));
    }
    for line in &result.data {
        let time = words::zone::line_time_full(line.when(), zone);
        let shown = crate::translate::line(line, tracked.answer_lang, lang);
        let context = words::parcel::shown_context(&shown, lang);
        match shown.place {
            Some(place) => out += &format!("{time}  {place}  {context}\n"),
            None => out += &format!("{time}  {context}\n"),
        }
    }
    if !result.data.is_empty() {
        out += &format!("{}\n", words::zone::note(zone, lang));
    }
    out
}
