//! When to look at a watched parcel again.
//!
//! Every interval is a multiple of the floor (`QUERY_MIN_INTERVAL`), so a test or a benchmark that
//! shrinks the floor shrinks the whole policy. What people wait for — "out for delivery", "delivered",
//! problems — decides the pace: a parcel in its destination city, out for delivery or in a locker is
//! looked at every floor; one crossing the country every 4 floors; one in customs every 8; a parcel that
//! has not moved for days ever more slowly (doubling per unchanged day, up to 16 floors). At night in
//! China only parcels out for delivery (state 5) are looked at: a parcel waiting in a locker is not
//! collected at 3 a.m. A little jitter keeps parcels subscribed together from moving in step, except at
//! the one-floor pace, where every minute of delay is felt.
//!
//! The shape was tuned with `cargo run --release --example economy_bench`.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::kuaidi100::{Family, State};

/// "No result yet" for this long: give up.
pub const GIVE_UP_NO_RESULT_AFTER: i64 = 3;
/// No change for this many days: stop.
pub const STOP_UNCHANGED_AFTER_DAYS: i64 = 14;
/// Jitter: up to this fraction of the interval is added.
const JITTER: f64 = 0.1;
/// The longest "no result" back-off, and the slowest pace of an unchanged parcel, in floors.
const MAX_NO_RESULT_FLOORS: i32 = 16;
const MAX_UNCHANGED_FLOORS: i32 = 16;
/// A parcel Kuaidi100 pushes is looked at again after this many floors without a push (24 h at the
/// 30-minute floor): in hybrid mode a silent parcel is queried then, in push mode only judged again.
/// The default of [`Policy::push_safety_floors`]; the economy benchmark tries others.
pub const PUSH_SAFETY_FLOORS: i32 = 48;

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub floor: Duration,
    /// Floors without a push before a pushed parcel's safety check ([`PUSH_SAFETY_FLOORS`] unless set).
    pub push_safety_floors: i32,
    /// Floors between two checks of a parcel waiting in a locker or station (501).
    pub locker_floors: i32,
    /// A parcel in its destination city (1001) is not checked from this hour (Beijing) to 07:00:
    /// nobody sends a parcel out for delivery in the evening.
    pub city_until_hour: u32,
    /// … and not before this hour.
    pub city_from_hour: u32,
    /// A parcel out for delivery (5) is not checked from this hour (Beijing) to 07:00; 24 = it is
    /// checked all night (poll mode, which has nothing else to catch a late delivery with).
    pub delivery_until_hour: u32,
    /// Hybrid mode: a pushed parcel unchanged in the last mile for this many floors is left to pushes
    /// (a locker nobody empties, a delivery stuck for days).
    pub last_mile_patience_floors: i32,
}

impl Policy {
    pub fn new(floor: Duration) -> Self {
        Self {
            floor,
            push_safety_floors: PUSH_SAFETY_FLOORS,
            locker_floors: 1,
            city_until_hour: 23,
            city_from_hour: 7,
            delivery_until_hour: 24,
            last_mile_patience_floors: i32::MAX,
        }
    }

    /// Hybrid mode's last mile, tuned with the economy benchmark (`--modes hybrid`): pushes carry
    /// everything else, so the polls it pays for go where minutes matter. A locker or station is
    /// checked every 4 floors (the recipient got the pickup code by SMS and collects it themselves; the
    /// "at a locker" notice itself comes from the check that was made out for delivery); a parcel in
    /// its destination city only 08:00–18:00 (delivery rounds start in the morning, and nobody is sent
    /// out for delivery in the evening), one out
    /// for delivery not after 21:00 (a late delivery is still caught by Kuaidi100's next push); and a
    /// locker or delivery problem unchanged for a day is left to pushes.
    pub fn hybrid(floor: Duration) -> Self {
        Self {
            locker_floors: 4,
            city_until_hour: 18,
            city_from_hour: 8,
            delivery_until_hour: 21,
            last_mile_patience_floors: 48,
            ..Self::new(floor)
        }
    }

    /// How long hybrid mode polls an unchanged parcel in the last mile.
    pub fn last_mile_patience(&self) -> Duration {
        self.floor * self.last_mile_patience_floors.clamp(1, 100_000)
    }

    /// The same with another safety interval (at least one floor).
    pub fn with_push_safety_floors(mut self, floors: i32) -> Self {
        self.push_safety_floors = floors.max(1);
        self
    }

    /// The safety check of a parcel Kuaidi100 pushes: [`Policy::push_safety_floors`] floors.
    pub fn push_safety(&self) -> Duration {
        self.floor * self.push_safety_floors
    }

    /// When a pushed parcel's safety check falls: [`Policy::push_safety`] from `now`, never at night.
    pub fn safety_check(&self, now: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
        self.after_night(now + self.push_safety(), jitter)
    }

    /// How many floors between two checks of a parcel in this state.
    pub fn floors_for(&self, state: Option<&State>) -> i32 {
        let Some(state) = state else { return 4 };
        match state.family {
            Family::OutForDelivery if state.code == "501" => self.locker_floors.max(1),
            Family::OutForDelivery => 1,
            // Arrived in the destination city: delivery is near.
            Family::InTransit if state.code == "1001" => 1,
            Family::Customs => 8,
            Family::InTransit | Family::PickedUp | Family::Problem | Family::Returning | Family::Transferred => 4,
            Family::Delivered | Family::Returned => 4,
        }
    }

    /// The next check of a parcel in `state`; `jitter` in `[0, 1)` spreads parcels apart.
    pub fn next_check(&self, state: Option<&State>, now: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
        self.next_check_unchanged(state, now, jitter, Duration::zero())
    }

    /// The same for a parcel whose trajectory has not changed for `unchanged_for`: each whole unchanged
    /// day doubles the interval (up to 16 floors), except near the end of the journey (1001, 5, 501).
    pub fn next_check_unchanged(
        &self,
        state: Option<&State>,
        now: DateTime<Utc>,
        jitter: f64,
        unchanged_for: Duration,
    ) -> DateTime<Utc> {
        let mut floors = self.floors_for(state);
        let near_the_end = state.is_some_and(|state| matches!(state.code, "1001" | "5" | "501"));
        if !near_the_end {
            let days = u32::try_from(unchanged_for.num_days().clamp(0, 8)).unwrap_or(0);
            floors = floors.saturating_mul(2_i32.saturating_pow(days)).min(MAX_UNCHANGED_FLOORS).max(floors);
        }
        let interval = self.floor * floors;
        let jitter = if floors == 1 { 0.0 } else { jitter };
        let candidate = now + interval + self.jitter(interval, jitter);
        match state.map(|state| state.code) {
            Some("5") if self.delivery_until_hour >= 24 => candidate,
            Some("5") => self.after_hours(candidate, jitter, self.delivery_until_hour),
            Some("1001") => self.between_hours(candidate, jitter, self.city_from_hour, self.city_until_hour),
            _ => self.after_night(candidate, jitter),
        }
    }

    /// The next try after `streak` "no result" answers in a row: 2, 4, 8 … floors.
    pub fn after_no_result(&self, streak: u32, now: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
        let floors = 2_i32.saturating_pow(streak.clamp(1, 8)).min(MAX_NO_RESULT_FLOORS);
        let interval = self.floor * floors;
        self.after_night(now + interval + self.jitter(interval, jitter), jitter)
    }

    fn jitter(&self, interval: Duration, jitter: f64) -> Duration {
        let millis = (interval.num_milliseconds() as f64 * JITTER * jitter.clamp(0.0, 1.0)) as i64;
        Duration::milliseconds(millis)
    }

    /// Moves a check that falls between 23:00 and 07:00 Beijing time to just after 07:00.
    fn after_night(&self, at: DateTime<Utc>, jitter: f64) -> DateTime<Utc> {
        self.after_hours(at, jitter, 23)
    }

    /// Moves a check that falls between `until`:00 and 07:00 Beijing time to just after 07:00.
    fn after_hours(&self, at: DateTime<Utc>, jitter: f64, until: u32) -> DateTime<Utc> {
        self.between_hours(at, jitter, 7, until)
    }

    /// Moves a check that falls outside `from`:00–`until`:00 Beijing time to just after `from`:00.
    fn between_hours(&self, at: DateTime<Utc>, jitter: f64, from: u32, until: u32) -> DateTime<Utc> {
        let local = at.with_timezone(&Shanghai);
        let hour = local.time().hour_of_day();
        let from = from.clamp(0, 12);
        let until = until.clamp(from + 1, 24);
        if (from..until).contains(&hour) {
            return at;
        }
        let morning_date = if hour >= until { local.date_naive() + Duration::days(1) } else { local.date_naive() };
        let seven = morning_date.and_time(NaiveTime::from_hms_opt(from, 0, 0).unwrap_or_default());
        let morning = Shanghai.from_local_datetime(&seven).single().map(|time| time.with_timezone(&Utc)).unwrap_or(at);
        morning + self.jitter(self.floor * 2, jitter)
    }
}

trait HourOfDay {
    fn hour_of_day(&self) -> u32;
}

impl HourOfDay for NaiveTime {
    fn hour_of_day(&self) -> u32 {
        chrono::Timelike::hour(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kuaidi100::state::lookup;

    fn beijing(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Shanghai.with_ymd_and_hms(2026, 11, day, hour, minute, 0).single().expect("valid").with_timezone(&Utc)
    }

    #[test]
    fn intervals_follow_the_state_in_floors() {
        let policy = Policy::new(Duration::minutes(30));
        let noon = beijing(2, 12, 0);
        assert_eq!(policy.next_check(lookup("5"), noon, 0.0), noon + Duration::minutes(30));
        assert_eq!(policy.next_check(lookup("1001"), noon, 0.0), noon + Duration::minutes(30));
        assert_eq!(policy.next_check(lookup("1002"), noon, 0.0), noon + Duration::hours(2));
        assert_eq!(policy.next_check(lookup("1"), noon, 0.0), noon + Duration::hours(2));
        assert_eq!(policy.next_check(lookup("204"), noon, 0.0), noon + Duration::hours(2));
        assert_eq!(policy.next_check(lookup("11"), noon, 0.0), noon + Duration::hours(4));
        assert_eq!(policy.next_check(None, noon, 0.0), noon + Duration::hours(2));
    }

    #[test]
    fn jitter_adds_at_most_a_tenth_and_none_at_the_fastest_pace() {
        let policy = Policy::new(Duration::minutes(30));
        let noon = beijing(2, 12, 0);
        let late = policy.next_check(lookup("1002"), noon, 0.999);
        assert!(late > noon + Duration::hours(2) && late <= noon + Duration::minutes(132), "{late}");
        assert_eq!(policy.next_check(lookup("5"), noon, 0.999), noon + Duration::minutes(30));
    }

    #[test]
    fn unchanged_parcels_slow_down_except_near_the_end() {
        let policy = Policy::new(Duration::minutes(30));
        let noon = beijing(2, 12, 0);
        let days = |n| Duration::days(n) + Duration::hours(1);
        assert_eq!(
            policy.next_check_unchanged(lookup("1002"), noon, 0.0, Duration::hours(20)),
            noon + Duration::hours(2)
        );
        assert_eq!(policy.next_check_unchanged(lookup("1002"), noon, 0.0, days(1)), noon + Duration::hours(4));
        assert_eq!(policy.next_check_unchanged(lookup("1002"), noon, 0.0, days(2)), noon + Duration::hours(8));
        assert_eq!(
            policy.next_check_unchanged(lookup("1002"), noon, 0.0, days(9)),
            noon + Duration::hours(8),
            "16 floors at most"
        );
        assert_eq!(policy.next_check_unchanged(lookup("501"), noon, 0.0, days(3)), noon + Duration::minutes(30));
        assert_eq!(policy.next_check_unchanged(lookup("1001"), noon, 0.0, days(3)), noon + Duration::minutes(30));
    }

    #[test]
    fn at_night_only_parcels_out_for_delivery_are_checked() {
        let policy = Policy::new(Duration::minutes(30));
        let late_evening = beijing(2, 22, 0);
        assert_eq!(policy.next_check(lookup("1002"), late_evening, 0.0), beijing(3, 7, 0));
        assert_eq!(policy.next_check(lookup("5"), beijing(2, 22, 50), 0.0), beijing(2, 23, 20));
        assert_eq!(
            policy.next_check(lookup("501"), beijing(2, 22, 50), 0.0),
            beijing(3, 7, 0),
            "lockers wait for morning"
        );
        assert_eq!(policy.next_check(lookup("1001"), beijing(3, 2, 0), 0.0), beijing(3, 7, 0));
        assert_eq!(policy.next_check(lookup("1001"), beijing(3, 6, 40), 0.0), beijing(3, 7, 10));
    }

    #[test]
    fn the_push_safety_check_is_48_floors_unless_set() {
        let policy = Policy::new(Duration::minutes(30));
        assert_eq!(policy.push_safety(), Duration::hours(24));
        assert_eq!(policy.with_push_safety_floors(16).push_safety(), Duration::hours(8));
        assert_eq!(policy.with_push_safety_floors(0).push_safety(), Duration::minutes(30), "one floor at least");
        assert_eq!(Policy::new(Duration::minutes(1)).push_safety(), Duration::minutes(48));
    }

    #[test]
    fn hybrid_polls_lockers_slower_and_the_city_and_deliveries_not_in_the_evening() {
        let policy = Policy::hybrid(Duration::minutes(30));
        let noon = beijing(2, 12, 0);
        assert_eq!(policy.next_check(lookup("501"), noon, 0.0), noon + Duration::hours(2));
        assert_eq!(policy.next_check(lookup("1001"), noon, 0.0), noon + Duration::minutes(30));
        assert_eq!(policy.next_check(lookup("1001"), beijing(2, 17, 40), 0.0), beijing(3, 8, 0));
        assert_eq!(policy.next_check(lookup("1001"), beijing(3, 6, 0), 0.0), beijing(3, 8, 0));
        assert_eq!(policy.next_check(lookup("501"), beijing(3, 5, 0), 0.0), beijing(3, 7, 0), "lockers from 07:00");
        assert_eq!(policy.next_check(lookup("5"), beijing(2, 20, 10), 0.0), beijing(2, 20, 40));
        assert_eq!(policy.next_check(lookup("5"), beijing(2, 20, 40), 0.0), beijing(3, 7, 0));
        assert_eq!(policy.last_mile_patience(), Duration::hours(24));
        assert_eq!(policy.safety_check(beijing(2, 20, 0), 0.0), beijing(3, 20, 0), "a day later");
        assert_eq!(policy.safety_check(beijing(2, 2, 0), 0.0), beijing(3, 7, 0), "never at night");
        // Poll mode is unchanged: every floor in the last mile, out for delivery all night.
        let poll = Policy::new(Duration::minutes(30));
        assert_eq!(poll.next_check(lookup("501"), noon, 0.0), noon + Duration::minutes(30));
        assert_eq!(poll.next_check(lookup("5"), beijing(2, 23, 40), 0.0), beijing(3, 0, 10));
    }

    #[test]
    fn no_result_backs_off_and_the_floor_scales_everything() {
        let policy = Policy::new(Duration::minutes(1));
        let noon = beijing(2, 12, 0);
        assert_eq!(policy.after_no_result(1, noon, 0.0), noon + Duration::minutes(2));
        assert_eq!(policy.after_no_result(2, noon, 0.0), noon + Duration::minutes(4));
        assert_eq!(policy.after_no_result(3, noon, 0.0), noon + Duration::minutes(8));
        assert_eq!(policy.after_no_result(30, noon, 0.0), noon + Duration::minutes(16));
    }
}
