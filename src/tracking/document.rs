//! The normalized document of one tracked parcel: what `kuaidi-bot query --json` prints and what
//! `GET /api/v1/track` answers, one typed schema for both.
//!
//! It is built from the tracker's [`Tracked`] and the answer it carries, so it lives beside them; the
//! adapters only serialize it. The types derive `serde::Serialize` (the wire form) and
//! `utoipa::ToSchema` (the web API's OpenAPI document is generated from them), so the two can never
//! disagree. The field names are the command line's since its first `--json`; the command line prints
//! the document through `serde_json::Value`, whose keys are sorted, exactly as it always did.
//!
//! Times are RFC 3339 in UTC where the tracker knows them (`fetched_at`, `queried_at`, `next_query_at`);
//! an event's `time` is Kuaidi100's own text (Beijing time, `2026-11-02 09:00:00`). A caller that names
//! a zone ([`TrackDocument::in_zone`]: the API's `tz`, `query --tz`) also gets `zone` and each time in
//! it, RFC 3339 with the zone's offset (`local_time`, `next_query_local`); those fields are added, never
//! in place of the others, and absent without a zone, so earlier readers see what they always did.
//! Trajectory text is
//! whatever Kuaidi100 returned: the document is data, and whoever renders it escapes it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

use super::request::{Freshness, Report, Tracked};
use crate::couriers::Courier;
use crate::kuaidi100::state::{self, Family};
use crate::kuaidi100::{Lang, QueryResult, response};
use crate::zone::Zone;

/// One parcel as the tracker knows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrackDocument {
    pub courier: DocumentCourier,
    /// The normalized tracking number (upper case, no spaces or dashes).
    #[schema(example = "YT9693083639795")]
    pub number: String,
    pub state: DocumentState,
    /// Kuaidi100 says the parcel was signed for (`ischeck = 1`).
    pub signed: bool,
    /// The language of the document: of its names, and of each event's `context_in_lang` and
    /// `place_in_lang` (`context` and `place` are Kuaidi100's own text, in `answer_lang`).
    #[schema(schema_with = lang_schema)]
    pub lang: Lang,
    /// The language Kuaidi100 wrote the trajectory in (one answer serves readers of both languages);
    /// null when unknown.
    #[schema(schema_with = answer_lang_schema)]
    pub answer_lang: Option<Lang>,
    /// The data comes from the built-in Kuaidi100 simulator, not from Kuaidi100.
    pub sandbox: bool,
    pub freshness: FreshnessLabel,
    /// When this answer arrived from Kuaidi100.
    pub fetched_at: Option<DateTime<Utc>>,
    /// When Kuaidi100 was last asked about this parcel (by anyone; the answer may be older when that
    /// query failed).
    pub queried_at: Option<DateTime<Utc>>,
    /// The earliest time a newer answer may be fetched (Kuaidi100's lock rule: the floor between two
    /// queries of one parcel, and the daily cap).
    pub next_query_at: DateTime<Utc>,
    /// Set when the deployment's daily Kuaidi100 budget (`KUAIDI100_DAILY_BUDGET`) kept this answer
    /// from being refreshed: fresh data resumes then. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_spent_until: Option<DateTime<Utc>>,
    /// The trajectory, newest first, as Kuaidi100 orders it.
    pub events: Vec<DocumentEvent>,
    /// The time zone asked for (`tz`): `Asia/Shanghai` (Beijing time), an IANA name, or `UTC+01:00`.
    /// Absent when none was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Europe/Berlin")]
    pub zone: Option<String>,
    /// `next_query_at` in `zone`, RFC 3339 with the zone's offset. Absent without `zone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-11-02T02:30:00+01:00")]
    pub next_query_local: Option<String>,
}

/// The courier of a tracked parcel.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentCourier {
    /// Kuaidi100's courier code.
    #[schema(example = "yuantong")]
    pub code: String,
    #[schema(example = "圆通速递")]
    pub name_zh: String,
    /// The English brand name, where the courier has one.
    #[schema(example = "YTO Express")]
    pub name_en: Option<String>,
}

/// Where the parcel is now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentState {
    /// Kuaidi100's state code: a basic one (`0`–`8`, `14`) or an advanced one (e.g. `1002`, `304`).
    #[schema(example = "0")]
    pub code: String,
    /// The state's name in the document's language; null for a code outside Kuaidi100's table.
    pub name: Option<String>,
    /// The basic state the code belongs to; null for a code outside Kuaidi100's table.
    #[schema(schema_with = family_schema)]
    pub family: Option<Family>,
    /// Delivered, or returned, cancelled or refused: the parcel will not move again.
    pub terminal: bool,
}

/// How current the answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FreshnessLabel {
    /// Fetched from Kuaidi100 for this question (or for one asked at the same moment).
    Fresh,
    /// Fetched earlier, inside the floor between two queries.
    Cached,
    /// The last query failed; this is the answer from before.
    Stale,
    /// No answer (never in a document the bot hands out; kept for the schema's sake).
    None,
}

/// One line of the trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentEvent {
    /// When it happened, as Kuaidi100 wrote it (Beijing time).
    #[schema(example = "2026-11-02 09:00:00")]
    pub time: String,
    /// Where it happened, when Kuaidi100 said.
    pub place: Option<String>,
    /// What happened, Kuaidi100's text.
    pub context: String,
    /// The line's advanced state code.
    pub state_code: Option<String>,
    /// The line's state name, Kuaidi100's text.
    pub state: Option<String>,
    /// The area's administrative code.
    pub area_code: Option<String>,
    /// `time` in the document's `zone`, RFC 3339 with the zone's offset; absent without `zone`, or
    /// when Kuaidi100's text does not read as a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-11-02T02:00:00+01:00")]
    pub local_time: Option<String>,
    /// `place` in the document's language: romanized for `en` (`Yanta District, Xi'an, Shaanxi`).
    pub place_in_lang: Option<String>,
    /// `context` in the document's language; Kuaidi100's text as it is when `context_original`.
    pub context_in_lang: String,
    /// No phrase of the bot's table covered the line: `context_in_lang` is the text as received, in
    /// the other language.
    pub context_original: bool,
}

impl TrackDocument {
    /// The document of `tracked`, whose answer is `result`, with names in `lang`.
    pub fn new(tracked: &Tracked, result: &QueryResult, sandbox: bool, lang: Lang) -> Self {
        let state = state::lookup(&result.state);
        Self {
            courier: DocumentCourier::from(tracked.courier),
            number: tracked.number.clone(),
            state: DocumentState {
                code: result.state.clone(),
                name: state.map(|state| state.name(lang.as_str()).to_owned()),
                family: state.map(|state| state.family),
                terminal: result.is_finished(),
            },
            signed: result.is_signed(),
            lang,
            answer_lang: tracked.answer_lang,
            sandbox,
            freshness: FreshnessLabel::of(&tracked.report),
            fetched_at: tracked.answered_at,
            queried_at: tracked.queried_at,
            next_query_at: tracked.next_query_at,
            budget_spent_until: tracked.budget_spent_until,
            events: result
                .data
                .iter()
                .map(|line| (line, crate::translate::line(line, tracked.answer_lang, lang)))
                .map(|(line, shown)| DocumentEvent {
                    time: line.when().to_owned(),
                    place: line.place().map(str::to_owned),
                    context: line.context.clone(),
                    state_code: line.status_code.clone(),
                    state: line.status.clone(),
                    area_code: line.area_code.clone(),
                    local_time: None,
                    place_in_lang: shown.place,
                    context_in_lang: shown.context,
                    context_original: shown.original,
                })
                .collect(),
            zone: None,
            next_query_local: None,
        }
    }

    /// The same document with `zone` named and every time also given in it.
    pub fn in_zone(mut self, zone: &Zone) -> Self {
        let local = |at: DateTime<Utc>| zone.local(at).to_rfc3339_opts(SecondsFormat::Secs, false);
        self.zone = Some(zone.id());
        self.next_query_local = Some(local(self.next_query_at));
        for event in &mut self.events {
            event.local_time = response::beijing_time(&event.time).map(local);
        }
        self
    }

    /// The document of `tracked` if it carries an answer (fresh, cached or stale).
    pub fn of(tracked: &Tracked, sandbox: bool, lang: Lang) -> Option<Self> {
        tracked.report.result().map(|result| Self::new(tracked, result, sandbox, lang))
    }
}

impl From<&Courier> for DocumentCourier {
    fn from(courier: &Courier) -> Self {
        Self {
            code: courier.code.to_owned(),
            name_zh: courier.name_zh.to_owned(),
            name_en: courier.name_en.map(str::to_owned),
        }
    }
}

impl FreshnessLabel {
    pub fn of(report: &Report) -> Self {
        match report {
            Report::Answer { freshness: Freshness::Fresh, .. } => FreshnessLabel::Fresh,
            Report::Answer { freshness: Freshness::Cached { .. }, .. } => FreshnessLabel::Cached,
            Report::Answer { freshness: Freshness::Stale { .. }, .. } => FreshnessLabel::Stale,
            _ => FreshnessLabel::None,
        }
    }
}

/// `zh` or `en`, as [`Lang`] serializes.
pub fn lang_schema() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some([Lang::Zh.as_str(), Lang::En.as_str()]))
        .description(Some("Language: `zh` Chinese, `en` English."))
}

/// `zh`, `en` or null.
fn answer_lang_schema() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some([
            serde_json::Value::from(Lang::Zh.as_str()),
            serde_json::Value::from(Lang::En.as_str()),
            serde_json::Value::Null,
        ]))
        .description(Some("Language: `zh` Chinese, `en` English; null when unknown."))
}

/// The basic state families, as [`Family`] serializes (snake case), or null.
fn family_schema() -> impl Into<RefOr<Schema>> {
    let families = [
        Family::InTransit,
        Family::PickedUp,
        Family::Problem,
        Family::Delivered,
        Family::Returned,
        Family::OutForDelivery,
        Family::Returning,
        Family::Transferred,
        Family::Customs,
    ];
    let mut values: Vec<serde_json::Value> =
        families.iter().filter_map(|family| serde_json::to_value(family).ok()).collect();
    values.push(serde_json::Value::Null);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .description(Some("The basic state family; null for a state code outside Kuaidi100's table."))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::couriers::directory;

    /// The command line's document as it was built before this type existed, kept as the reference
    /// the type must reproduce key for key.
    fn former_document(tracked: &Tracked, result: &QueryResult, sandbox: bool, lang: Lang) -> serde_json::Value {
        let state = state::lookup(&result.state);
        let freshness = match &tracked.report {
            Report::Answer { freshness: Freshness::Fresh, .. } => "fresh",
            Report::Answer { freshness: Freshness::Cached { .. }, .. } => "cached",
            Report::Answer { freshness: Freshness::Stale { .. }, .. } => "stale",
            _ => "none",
        };
        json!({
            "courier": {
                "code": tracked.courier.code,
                "name_zh": tracked.courier.name_zh,
                "name_en": tracked.courier.name_en,
            },
            "number": tracked.number,
            "state": {
                "code": result.state,
                "name": state.map(|state| state.name(lang.as_str())),
                "family": state.map(|state| state.family),
                "terminal": result.is_finished(),
            },
            "signed": result.is_signed(),
            "lang": lang,
            "sandbox": sandbox,
            "freshness": freshness,
            "fetched_at": tracked.answered_at,
            "queried_at": tracked.queried_at,
            "next_query_at": tracked.next_query_at,
            "events": result.data.iter().map(|line| json!({
                "time": line.when(),
                "place": line.place(),
                "context": line.context,
                "state_code": line.status_code,
                "state": line.status,
                "area_code": line.area_code,
            })).collect::<Vec<_>>(),
        })
    }

    fn result(state: &str) -> QueryResult {
        serde_json::from_value(json!({
            "message": "ok", "state": state, "status": "200", "ischeck": "0", "com": "yuantong",
            "nu": "YT9693083639795",
            "data": [
                {"time": "2026-11-02 10:00:00", "ftime": "2026-11-02 10:00:00", "context": "到达 <上海>",
                 "status": "在途", "statusCode": "1002", "areaCode": "310000", "areaName": "上海"},
                {"time": "2026-11-02 09:00:00", "context": "已揽收"}
            ]
        }))
        .expect("a result")
    }

    #[test]
    fn the_document_is_the_former_json_key_for_key() {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).single().expect("time");
        let courier = directory().get("yuantong").expect("yuantong");
        for (state, freshness, answered_at, lang) in [
            ("1002", Freshness::Fresh, Some(at), Lang::Zh),
            ("3", Freshness::Cached { fetched_at: at }, Some(at), Lang::En),
            ("999", Freshness::Stale { fetched_at: at, error: crate::kuaidi100::Error::Timeout }, None, Lang::En),
        ] {
            let result = result(state);
            let tracked = Tracked {
                courier,
                number: "YT9693083639795".into(),
                report: Report::Answer { result: Arc::new(result.clone()), freshness },
                fresh: true,
                answered_at,
                queried_at: Some(at),
                next_query_at: at + chrono::Duration::minutes(30),
                daily_cap_reached: false,
                budget_spent_until: None,
                last_answer: None,
                answer_lang: None,
            };
            let document = TrackDocument::new(&tracked, &result, true, lang);
            let mut typed = serde_json::to_value(&document).expect("serializes");
            // Every former key keeps its value; the fields added since are exactly these.
            let added = typed.as_object_mut().and_then(|object| object.remove("answer_lang"));
            assert_eq!(added, Some(serde_json::Value::Null));
            for event in typed["events"].as_array_mut().into_iter().flatten() {
                let event = event.as_object_mut().expect("an object");
                let place_in_lang = event.remove("place_in_lang");
                match lang {
                    Lang::Zh => assert_eq!(place_in_lang, event.get("place").cloned()),
                    Lang::En => assert!(place_in_lang.is_some_and(|place| !place.to_string().contains('上'))),
                }
                assert!(event.remove("context_in_lang").is_some_and(|text| text.is_string()));
                assert!(event.remove("context_original").is_some_and(|flag| flag.is_boolean()));
            }
            assert_eq!(typed, former_document(&tracked, &result, true, lang), "{state}");
            assert_eq!(typed.to_string(), former_document(&tracked, &result, true, lang).to_string());
        }
    }
}
