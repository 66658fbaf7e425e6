//! What Kuaidi100's real-time query answers.
//!
//! Kuaidi100 writes every code as a string but is not strict about its optional fields: a line may omit
//! them, send `null` or send `""`. The types here read all three as `None` (and accept a number where a
//! string is documented), and write `None` by leaving the field out, so that the simulator can produce
//! the same documents the client reads. A body with a `returnCode` is an error, whatever else it holds.

use serde::{Deserialize, Deserializer, Serialize};

/// A successful answer (`status` "200").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
    /// Current state code: basic, or advanced with `resultv2=4` (e.g. "304").
    #[serde(default, deserialize_with = "lenient_string")]
    pub state: String,
    /// Transport status, "200"; Kuaidi100 says to ignore it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// "1" when signed for.
    #[serde(default, deserialize_with = "lenient_string")]
    pub ischeck: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub com: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub nu: String,
    #[serde(default, deserialize_with = "lenient_lines")]
    pub data: Vec<TraceLine>,
    #[serde(rename = "routeInfo", default, skip_serializing_if = "Option::is_none")]
    pub route_info: Option<RouteInfo>,
    #[serde(rename = "isLoop", default, skip_serializing_if = "Option::is_none")]
    pub is_loop: Option<bool>,
}

impl QueryResult {
    /// Kuaidi100 marks a signed-for parcel with `ischeck = "1"`.
    pub fn is_signed(&self) -> bool {
        self.ischeck == "1"
    }

    /// Delivered, returned, cancelled or signed for: nothing more will happen to the parcel.
    pub fn is_finished(&self) -> bool {
        super::state::lookup(&self.state).is_some_and(|state| state.is_terminal()) || self.is_signed()
    }
}

/// One line of a parcel's trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceLine {
    /// Time as Kuaidi100 received it from the courier, Beijing time.
    #[serde(default, deserialize_with = "lenient_string")]
    pub time: String,
    /// Formatted time (`YYYY-MM-DD HH:MM:SS`), Beijing time.
    #[serde(default, deserialize_with = "lenient_string")]
    pub ftime: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub context: String,
    /// State name of this line (resultv2 ≥ 1).
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Advanced state code of this line (resultv2 = 4).
    #[serde(
        rename = "statusCode",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_code: Option<String>,
    #[serde(
        rename = "areaCode",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub area_code: Option<String>,
    #[serde(
        rename = "areaName",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub area_name: Option<String>,
    /// "lng,lat" (resultv2 = 4).
    #[serde(
        rename = "areaCenter",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub area_center: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(
        rename = "areaPinYin",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub area_pinyin: Option<String>,
}

impl TraceLine {
    /// When the line happened, as Kuaidi100 wrote it: the formatted time when it gave one.
    pub fn when(&self) -> &str {
        if self.ftime.is_empty() { &self.time } else { &self.ftime }
    }

    /// Where it happened, when Kuaidi100 said: the precise location, else the area's name.
    pub fn place(&self) -> Option<&str> {
        self.location.as_deref().or(self.area_name.as_deref())
    }
}

/// Origin, current and destination areas (resultv2 = 4). Kuaidi100 sends `null` for unknown ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteInfo {
    #[serde(default)]
    pub from: Option<RoutePoint>,
    #[serde(default)]
    pub cur: Option<RoutePoint>,
    #[serde(default)]
    pub to: Option<RoutePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutePoint {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub number: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub name: Option<String>,
}

/// An error answer: `{"result": false, "returnCode": "500", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub result: bool,
    #[serde(rename = "returnCode", deserialize_with = "lenient_string")]
    pub return_code: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
}

impl ErrorBody {
    pub fn new(return_code: &str, message: &str) -> Self {
        Self { result: false, return_code: return_code.to_owned(), message: message.to_owned() }
    }
}

/// Either shape of answer, told apart by the presence of `returnCode`.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Result(Box<QueryResult>),
    Error(ErrorBody),
}

/// Why a body could not be read as either shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    NotJson,
    UnexpectedShape,
}

/// Reads a body as a result or an error answer.
pub fn parse_answer(body: &str) -> Result<Answer, BodyProblem> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|_| BodyProblem::NotJson)?;
    let object = value.as_object().ok_or(BodyProblem::UnexpectedShape)?;
    if object.contains_key("returnCode") {
        return serde_json::from_value(value).map(Answer::Error).map_err(|_| BodyProblem::UnexpectedShape);
    }
    // A result must at least say which parcel it is about and carry its lines.
    if !object.contains_key("data") || !(object.contains_key("nu") || object.contains_key("state")) {
        return Err(BodyProblem::UnexpectedShape);
    }
    serde_json::from_value(value)
        .map(|result| Answer::Result(Box::new(result)))
        .map_err(|_| BodyProblem::UnexpectedShape)
}

/// A string field that may be a string, a number, a bool, or missing/null.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient_opt_string(deserializer)?.unwrap_or_default())
}

/// An optional string field: missing, `null` and `""` (after trimming) all read as `None`.
fn lenient_opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::String(text)) if !text.trim().is_empty() => Some(text),
        Some(serde_json::Value::Number(number)) => Some(number.to_string()),
        Some(serde_json::Value::Bool(flag)) => Some(flag.to_string()),
        _ => None,
    })
}

/// `data` may be missing or `null` on odd answers; read both as no lines.
fn lenient_lines<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<TraceLine>, D::Error> {
    Ok(Option::<Vec<TraceLine>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The success example of the seed document (§1.7), without its `//` comments.
    const SEED_SUCCESS: &str = include_str!("../../tests/fixtures/seed-success.json");

    #[test]
    fn reads_the_seed_success_example() {
        let Ok(Answer::Result(result)) = parse_answer(SEED_SUCCESS) else { panic!("seed example must parse") };
        assert_eq!(result.nu, "JT0004301991791");
        assert_eq!(result.com, "jtexpress");
        assert_eq!(result.state, "5");
        assert_eq!(result.condition.as_deref(), Some("00"));
        assert!(!result.is_signed());
        assert_eq!(result.data.len(), 9);
        let newest = &result.data[0];
        assert_eq!(newest.ftime, "2021-12-15 17:19:28");
        assert_eq!(newest.status_code.as_deref(), Some("501"));
        assert_eq!(newest.area_center.as_deref(), Some("120.184349,30.25446"));
        assert_eq!(newest.area_pinyin.as_deref(), Some("shang cheng qu"));
        assert_eq!(newest.location.as_deref(), Some("浙江省 杭州市 上城区"));
        let route = result.route_info.expect("routeInfo");
        assert_eq!(route.from.and_then(|p| p.name).as_deref(), Some("上海,上海,杨浦区"));
        assert_eq!(route.to, None);
        assert_eq!(result.is_loop, Some(false));
    }

    #[test]
    fn reads_the_seed_error_example() {
        let body = r#"{"result": false, "returnCode": "400", "message": "找不到对应公司"}"#;
        assert_eq!(parse_answer(body), Ok(Answer::Error(ErrorBody::new("400", "找不到对应公司"))));
    }

    #[test]
    fn return_code_means_error_even_with_numbers() {
        let body = r#"{"result": false, "returnCode": 502, "message": "服务器繁忙", "data": []}"#;
        assert_eq!(parse_answer(body), Ok(Answer::Error(ErrorBody::new("502", "服务器繁忙"))));
    }

    #[test]
    fn reads_a_resultv2_0_answer() {
        let body = r#"{"message":"ok","nu":"YT9693083639795","ischeck":"1","condition":"F00","com":"yuantong","status":"200","state":"3",
            "data":[{"time":"2024-05-02 10:01:00","ftime":"2024-05-02 10:01:00","context":"已签收"}]}"#;
        let Ok(Answer::Result(result)) = parse_answer(body) else { panic!("must parse") };
        assert!(result.is_signed());
        assert_eq!(result.data[0].status, None);
        assert_eq!(result.data[0].area_name, None);
        assert_eq!(result.route_info, None);
    }

    #[test]
    fn null_and_empty_optional_fields_read_as_none() {
        let body = r#"{"message":"ok","nu":"1","ischeck":"0","com":"yuantong","status":"200","state":"0",
            "data":[{"time":"t","ftime":"t","context":"c","status":null,"statusCode":"","areaCode":null,"areaName":"","location":"  ","areaCenter":null,"areaPinYin":null}],
            "routeInfo":{"from":null,"cur":{"number":null,"name":"北京"},"to":null},"isLoop":null}"#;
        let Ok(Answer::Result(result)) = parse_answer(body) else { panic!("must parse") };
        let line = &result.data[0];
        assert_eq!((&line.status, &line.status_code, &line.area_name, &line.location), (&None, &None, &None, &None));
        assert_eq!(result.route_info.and_then(|r| r.cur).and_then(|c| c.name).as_deref(), Some("北京"));
        assert_eq!(result.is_loop, None);
    }

    #[test]
    fn rejects_non_json_and_html() {
        assert_eq!(parse_answer("not json at all"), Err(BodyProblem::NotJson));
        assert_eq!(parse_answer("<html><body><h1>502 Bad Gateway</h1></body></html>"), Err(BodyProblem::NotJson));
        assert_eq!(parse_answer("[1,2,3]"), Err(BodyProblem::UnexpectedShape));
        assert_eq!(parse_answer(r#"{"hello":"world"}"#), Err(BodyProblem::UnexpectedShape));
    }

    #[test]
    fn writes_what_it_reads() {
        let Ok(Answer::Result(result)) = parse_answer(SEED_SUCCESS) else { panic!("seed example must parse") };
        let written = serde_json::to_string(&result).expect("serializable");
        assert_eq!(parse_answer(&written), Ok(Answer::Result(result)));
    }
}
