//! The simulator's arrival estimate: what Kuaidi100 adds to an answer with `resultv2=8` and a `to`.
//!
//! A timeline knows when the parcel really reaches the door (the event after its first "out for
//! delivery"), so the estimate is that time plus an error that a real predictor would make: drawn from
//! the parcel and from how many of its events are shown, so it is the same for the same question and
//! moves a little each time the parcel moves, and shrinks as the remaining way does (about ±15 % of the
//! time still to go, plus or minus two hours, never earlier than the next hour). A quarter
//! of that error is drawn again every six hours of Beijing time ([`REFRESH`]), as a predictor that
//! refreshes its model does: an estimate may move while the parcel sits at a hub, not only when it
//! moves on. Once the parcel is at the door — delivered, in a locker, refused, a problem — there is no estimate, as with Kuaidi100.
//!
//! Written as Kuaidi100 does: `arrivalTime` as `yyyy-MM-dd HH:mm:ss` in Beijing time (on the hour),
//! `totalTime` and `remainTime` as whole hours, and `predictedRoute` as the route's nodes (consecutive
//! events at one place), origin to destination, each passed, current or predicted.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Asia::Shanghai;
use md5::{Digest, Md5};

use super::parcel::{Event, Parcel};
use crate::kuaidi100::response::{NODE_CURRENT, NODE_PASSED, NODE_PREDICTED, PredictedNode};

/// The four estimate fields of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub arrival_time: String,
    pub total_time: String,
    pub remain_time: String,
    pub predicted_route: Vec<PredictedNode>,
}

/// How often the part of the error the predictor revises on its own is drawn again.
pub const REFRESH: Duration = Duration::hours(6);

/// The event at the door: the one after the first "out for delivery".
fn door(parcel: &Parcel) -> Option<usize> {
    parcel.events.iter().position(|event| event.code == "5").map(|out| out + 1).filter(|&i| i < parcel.events.len())
}

/// A number in [-1, 1] drawn from the parcel, how far it is and (when not empty) the refresh window.
fn draw(com: &str, num: &str, shown: usize, window: &str) -> f64 {
    let text =
        format!("eta\n{}\n{}\n{shown}{window}", com.trim().to_ascii_lowercase(), num.trim().to_ascii_uppercase());
    let digest = Md5::digest(text.as_bytes());
    let value = u16::from_le_bytes([digest[0], digest[1]]);
    f64::from(value) / f64::from(u16::MAX) * 2.0 - 1.0
}

fn beijing(time: DateTime<Utc>) -> String {
    time.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Up to the next full hour (a time on the hour stays).
fn on_the_hour(time: DateTime<Utc>) -> DateTime<Utc> {
    let past = i64::from(time.minute()) * 60 + i64::from(time.second());
    if past == 0 { time } else { time + Duration::seconds(3_600 - past) }
}

fn whole_hours(span: Duration) -> String {
    ((span.num_minutes().max(0) + 59) / 60).to_string()
}

/// The estimate for `parcel` asked about at `now`, or `None` when the parcel is already at the door.
pub fn estimate(com: &str, num: &str, parcel: &Parcel, now: DateTime<Utc>) -> Option<Written> {
    let door = door(parcel)?;
    let newest = parcel.revealed(now).len() - 1;
    if newest >= door {
        return None;
    }
    let truth = parcel.events[door].time;
    let to_go = (truth - now).max(Duration::zero());
    let spread_minutes = to_go.num_minutes() as f64 * 0.15 + 120.0;
    // The refresh window: six-hour blocks of Beijing time (00:00, 06:00, 12:00, 18:00).
    let window = format!("\n{}", (now.timestamp() + 8 * 3_600).div_euclid(REFRESH.num_seconds()));
    let drawn = 0.75 * draw(com, num, newest + 1, "") + 0.25 * draw(com, num, newest + 1, &window);
    let error = Duration::minutes((drawn * spread_minutes).round() as i64);
    let arrival = on_the_hour((truth + error).max(now + Duration::hours(1)));
    let offset = arrival - truth;
    let first = parcel.events.first().map_or(now, |event| event.time);
    Some(Written {
        arrival_time: beijing(arrival),
        total_time: whole_hours(arrival - first),
        remain_time: whole_hours(arrival - now),
        predicted_route: route(parcel, newest, door, offset),
    })
}

fn same_place(a: &Event, b: &Event) -> bool {
    std::ptr::eq(a.city, b.city) && a.district.code == b.district.code
}

/// The nodes up to the door, each a run of consecutive events at one place. Times of events still to
/// come are moved by the share of `offset` their position on the way gives them.
fn route(parcel: &Parcel, newest: usize, door: usize, offset: Duration) -> Vec<PredictedNode> {
    let events = &parcel.events[..=door];
    let predicted = |i: usize| {
        let event = &events[i];
        if i <= newest {
            return event.time;
        }
        let share = (i - newest) as f64 / (door - newest) as f64;
        event.time + Duration::seconds((offset.num_seconds() as f64 * share).round() as i64)
    };
    let mut nodes = Vec::new();
    let mut start = 0;
    while start < events.len() {
        let end = (start..events.len()).take_while(|&i| same_place(&events[start], &events[i])).last().unwrap_or(start);
        let event = &events[start];
        let (city, district) = (event.city, event.district);
        let hub = district.code == city.hub.code && city.hub.code != city.outlet.code;
        let (name, kind) = if hub {
            (format!("{}转运中心", city.hub_zh), "转运中心")
        } else {
            (format!("{}{}网点", city.short_zh, district.name_zh), "网点")
        };
        let stage = if end < newest {
            NODE_PASSED
        } else if start <= newest {
            NODE_CURRENT
        } else {
            NODE_PREDICTED
        };
        let leaves = (end < door && end != newest).then(|| beijing(predicted(end)));
        nodes.push(PredictedNode {
            arrive_time: Some(beijing(predicted(start))),
            leave_time: leaves,
            province: Some(city.province_full.to_owned()),
            city: Some(city.name_zh.to_owned()),
            district: Some(district.name_zh.to_owned()),
            name: Some(name),
            state: Some(stage.to_owned()),
            kind: Some(kind.to_owned()),
        });
        start = end + 1;
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::response::{NodeStage, beijing_time, duration};

    fn anchor() -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    #[test]
    fn an_estimate_moves_a_little_as_the_parcel_moves_and_ends_at_the_door() {
        let mut checked = 0;
        for i in 0..200 {
            let num = format!("YT96930836{i:04}0");
            let parcel = Parcel::generate("yuantong", &num, anchor());
            let Some(door) = door(&parcel) else { continue };
            let truth = parcel.events[door].time;
            let mut arrivals = Vec::new();
            for index in 0..parcel.events.len() {
                let now = parcel.events[index].time + Duration::minutes(1);
                let written = estimate("yuantong", &num, &parcel, now);
                assert_eq!(estimate("yuantong", &num, &parcel, now), written, "deterministic");
                if index >= door {
                    assert_eq!(written, None, "{num}: no estimate once at the door");
                    continue;
                }
                let written = written.unwrap_or_else(|| panic!("{num}: an estimate before the door"));
                let arrival = beijing_time(&written.arrival_time).expect("arrivalTime reads back");
                assert!(arrival > now, "{num}: the estimate is in the future");
                let miss = (arrival - truth).num_minutes().abs();
                let allowed = ((truth - now).num_minutes().max(0) as f64 * 0.15 + 120.0) as i64 + 61;
                assert!(miss <= allowed || arrival <= now + Duration::hours(2), "{num}: {miss} min off");
                let remaining = duration(&written.remain_time).expect("remainTime reads back");
                assert!((remaining - (arrival - now)).num_minutes().abs() <= 60, "{num}");
                assert!(duration(&written.total_time).is_some());
                let stages: Vec<_> = written.predicted_route.iter().filter_map(PredictedNode::stage).collect();
                assert_eq!(stages.len(), written.predicted_route.len());
                assert_eq!(stages.iter().filter(|s| **s == NodeStage::Current).count(), 1, "{num}: one current node");
                assert!(stages.windows(2).all(|w| w[0] as u8 <= w[1] as u8), "{num}: passed, current, predicted");
                arrivals.push(written.arrival_time);
            }
            arrivals.dedup();
            if arrivals.len() > 1 {
                checked += 1;
            }
        }
        assert!(checked > 100, "estimates move as parcels move ({checked} of 200)");
    }

    #[test]
    fn an_estimate_may_move_while_the_parcel_sits_as_the_predictor_refreshes() {
        let (mut sitting, mut moved) = (0, 0);
        for i in 0..200 {
            let num = format!("YT96930836{i:04}3");
            let parcel = Parcel::generate("yuantong", &num, anchor());
            let Some(door) = door(&parcel) else { continue };
            for index in 0..door {
                let (from, to) = (parcel.events[index].time, parcel.events[index + 1].time);
                let later = from + REFRESH + Duration::minutes(1);
                if later >= to {
                    continue;
                }
                sitting += 1;
                let at = |now| estimate("yuantong", &num, &parcel, now).map(|written| written.arrival_time);
                if at(from + Duration::minutes(1)) != at(later) {
                    moved += 1;
                }
            }
        }
        assert!(sitting > 100 && moved * 3 > sitting, "{moved} of {sitting} long stays saw the estimate move");
        assert!(moved < sitting, "not every refresh moves it");
    }
}
