//! The timeline generator: one deterministic, realistic parcel per (courier, number).
//!
//! A parcel is made in two steps so that it is both stable and alive:
//!
//! 1. **The plan** depends only on the courier code and the number. An MD5 of `com\nNUM` seeds a ChaCha
//!    generator (never std's `DefaultHasher`, whose output may change between Rust releases), which draws
//!    origin and destination cities, the hubs in between, what happens at the door, the names, and the
//!    gaps between events. Every plan has 6–15 events.
//! 2. **The layout** pins the plan to real time around the moment the simulator first answered for this
//!    parcel (the *anchor*). How far the parcel already is at that moment comes from the number's last
//!    digit ([`stage_for_digit`], the rule the README documents):
//!
//!    | last digit | the newest event at the first query |
//!    |---|---|
//!    | 0, 1 | the pick-up (揽收): a whole life still ahead |
//!    | 2 | the first scan after pick-up |
//!    | 3, 4, 5 | a line-haul or customs scan, early → late |
//!    | 6 | the last hub scan before the destination city |
//!    | 7 | arrived in the destination city (1001) |
//!    | 8 | out for delivery (5) |
//!    | 9 | the end of its life: delivered for most, returned/refused/stuck for the few in trouble |
//!
//!    Numbers without a digit use the seed instead. Events up to that stage are laid out backwards from
//!    the anchor, the rest forwards from it, so exactly that many events are in the past at the first
//!    query (never zero: the pick-up always is) and the others come due as the simulator's clock runs.
//!
//! Times follow the day in Beijing (Asia/Shanghai): line-haul and customs scans happen at any hour;
//! pick-ups, deliveries, signatures and problems at the door only between 08:00 and 20:00 (out for
//! delivery before 18:00). An event that would fall outside its window moves to the nearest allowed time
//! in the direction of the layout, plus a little jitter, so it never lands on a suspiciously round minute.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Asia::Shanghai;
use md5::{Digest, Md5};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::cities::{CITIES, City, District, NATIONAL_HUBS, by_name};
use super::names::{self, DOOR_PROBLEMS, PROXY_SIGNERS, PickupPoint, pick};

/// Events per parcel.
pub const MIN_EVENTS: usize = 6;
pub const MAX_EVENTS: usize = 15;

/// How a parcel's life ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// 301 signed by the recipient.
    Signed,
    /// 303 signed by someone else.
    ProxySigned,
    /// 501 left at a station or locker, then 304 collected.
    Locker,
    /// 501, then 205 not collected: the parcel stays a problem.
    LockerUncollected,
    /// A problem at the door (204/206/208), a second delivery the next day, then 302.
    ProblemThenSigned,
    /// A problem at the door that is never resolved.
    ProblemStuck,
    /// Unreachable (206), returning (6) back to the origin, signed by the sender (4).
    Returned,
    /// Refused by the recipient (14).
    Refused,
}

impl Ending {
    fn draw(rng: &mut impl Rng) -> Self {
        match rng.gen_range(0..100) {
            0..6 => Ending::ProblemThenSigned,
            6..9 => Ending::ProblemStuck,
            9..11 => Ending::LockerUncollected,
            11..14 => Ending::Returned,
            14..17 => Ending::Refused,
            17..55 => Ending::Signed,
            55..72 => Ending::ProxySigned,
            _ => Ending::Locker,
        }
    }

    /// Events after the first "out for delivery".
    fn len(self) -> usize {
        match self {
            Ending::Signed | Ending::ProxySigned | Ending::ProblemStuck | Ending::Refused => 1,
            Ending::Locker | Ending::LockerUncollected => 2,
            Ending::ProblemThenSigned => 3,
            Ending::Returned => 5,
        }
    }

    /// A parcel that ends like this meets trouble on its way.
    pub fn is_trouble(self) -> bool {
        !matches!(self, Ending::Signed | Ending::ProxySigned | Ending::Locker)
    }
}

/// One trajectory line with its time.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub time: DateTime<Utc>,
    /// Advanced state code (`1002`, `304` …).
    pub code: &'static str,
    pub city: &'static City,
    pub district: &'static District,
    pub context_zh: String,
    pub context_en: String,
    /// The pickup code the line gives (a station or locker line), for tests of the code reader.
    pub pickup_code: Option<String>,
}

impl Event {
    /// `YYYY-MM-DD HH:MM:SS` in Beijing time, as Kuaidi100 writes `time` and `ftime`.
    pub fn beijing_time(&self) -> String {
        self.time.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M:%S").to_string()
    }

    pub fn context(&self, english: bool) -> &str {
        if english { &self.context_en } else { &self.context_zh }
    }

    /// Only allowed in the daytime in Beijing: anything that needs a courier at a door or a counter.
    pub fn is_daytime_only(&self) -> bool {
        Window::for_code(self.code) != Window::Any
    }
}

/// A parcel laid out in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    pub origin: &'static City,
    pub destination: &'static City,
    pub ending: Ending,
    /// Goes through customs (international-looking number, or a small share of the others).
    pub customs: bool,
    /// Index of the newest event at the anchor (the first query).
    pub stage: usize,
    /// Oldest first, strictly increasing times.
    pub events: Vec<Event>,
}

impl Parcel {
    /// The parcel of `com` + `num` whose first query happened at `anchor`.
    pub fn generate(com: &str, num: &str, anchor: DateTime<Utc>) -> Self {
        let seed = seed(com, num);
        let mut rng = ChaCha8Rng::from_seed(seed);
        let plan = Plan::draw(&mut rng, com, num);
        let digit = progress_digit(num, &seed);
        let stage = stage_for_digit(digit, &plan.steps);
        let lag = if stage + 1 == plan.steps.len() {
            Duration::seconds(rng.gen_range(3_600..72_000))
        } else {
            Duration::seconds(rng.gen_range(180..5_400))
        };
        let times = lay_out(&plan.steps, stage, anchor, lag);
        let events = plan
            .steps
            .into_iter()
            .zip(times)
            .map(|(step, time)| Event {
                time,
                code: step.code,
                city: step.city,
                district: step.district,
                context_zh: step.zh,
                context_en: step.en,
                pickup_code: step.pickup,
            })
            .collect();
        Parcel {
            origin: plan.origin,
            destination: plan.destination,
            ending: plan.ending,
            customs: plan.customs,
            stage,
            events,
        }
    }

    /// The events whose time has come, oldest first; never fewer than one (the pick-up), even if the
    /// clock was set back before the anchor.
    pub fn revealed(&self, now: DateTime<Utc>) -> &[Event] {
        let due = self.events.iter().take_while(|event| event.time <= now).count();
        &self.events[..due.max(1).min(self.events.len())]
    }

    /// When the last event happens.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.events.last().map_or(DateTime::<Utc>::MIN_UTC, |event| event.time)
    }
}

/// 32 seed bytes from the MD5 of the normalized courier code and number.
fn seed(com: &str, num: &str) -> [u8; 32] {
    let text = format!("{}\n{}", com.trim().to_ascii_lowercase(), num.trim().to_ascii_uppercase());
    let digest = Md5::digest(text.as_bytes());
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(&digest);
    seed[16..].copy_from_slice(&Md5::digest(digest));
    seed
}

/// The seed of the pickup point's generator: independent of the plan's.
fn pickup_seed(com: &str, num: &str) -> [u8; 32] {
    let mut seed = seed(&format!("pickup\n{com}"), num);
    seed.reverse();
    seed
}

/// The digit that decides how far a parcel is at its first query: the number's last ASCII digit, else
/// one drawn from the seed.
fn progress_digit(num: &str, seed: &[u8; 32]) -> u8 {
    num.bytes().rev().find(u8::is_ascii_digit).map_or(seed[31] % 10, |digit| digit - b'0')
}

/// The index of the newest event at the first query, for a progress digit (table in the module doc).
pub fn stage_for_digit(digit: u8, steps: &[impl HasCode]) -> usize {
    let last = steps.len().saturating_sub(1);
    let arrived = steps.iter().position(|s| s.code() == "1001").unwrap_or(last);
    let out_for_delivery = steps.iter().position(|s| s.code() == "5").unwrap_or(last);
    // Scans between the first after pick-up (index 1) and the last before arrival.
    let (low, high) = (2.min(last), arrived.saturating_sub(1).max(2).min(last));
    match digit {
        0 | 1 => 0,
        2 => 1.min(last),
        3..=5 => low + (high - low) * (2 * usize::from(digit - 3) + 1) / 6,
        6 => high,
        7 => arrived,
        8 => out_for_delivery,
        _ => last,
    }
}

/// Anything with a state code; lets [`stage_for_digit`] work on plans and on laid-out events alike.
pub trait HasCode {
    fn code(&self) -> &str;
}

impl HasCode for Event {
    fn code(&self) -> &str {
        self.code
    }
}

impl HasCode for Step {
    fn code(&self) -> &str {
        self.code
    }
}

/// When in the Beijing day an event may happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    Any,
    /// 08:00–20:00.
    Daytime,
    /// 08:00–18:00: couriers start their rounds early enough to finish before dark.
    Rounds,
}

impl Window {
    fn for_code(code: &str) -> Self {
        match code {
            "5" => Window::Rounds,
            "1" | "501" | "3" | "301" | "302" | "303" | "304" | "4" | "14" | "201" | "203" | "204" | "205" | "206"
            | "207" | "208" | "209" => Window::Daytime,
            _ => Window::Any,
        }
    }

    /// `[start, end)` in seconds after Beijing midnight.
    fn bounds(self) -> (i64, i64) {
        match self {
            Window::Any => (0, 86_400),
            Window::Daytime => (8 * 3_600, 20 * 3_600),
            Window::Rounds => (8 * 3_600, 18 * 3_600),
        }
    }
}

fn seconds_of_beijing_day(time: DateTime<Utc>) -> i64 {
    i64::from(time.with_timezone(&Shanghai).num_seconds_from_midnight())
}

/// The first allowed moment at or after `time` (`jitter` past the window's opening if it had to move).
fn snap_forward(time: DateTime<Utc>, window: Window, jitter: Duration) -> DateTime<Utc> {
    let (start, end) = window.bounds();
    let now = seconds_of_beijing_day(time);
    if now < start {
        time + Duration::seconds(start - now) + jitter
    } else if now >= end {
        time + Duration::seconds(86_400 - now + start) + jitter
    } else {
        time
    }
}

/// The last allowed moment at or before `time` (`jitter` before the window's closing if it had to move).
fn snap_backward(time: DateTime<Utc>, window: Window, jitter: Duration) -> DateTime<Utc> {
    let (start, end) = window.bounds();
    let now = seconds_of_beijing_day(time);
    if now >= end {
        time - Duration::seconds(now - end) - jitter
    } else if now < start {
        time - Duration::seconds(now + 86_400 - end) - jitter
    } else {
        time
    }
}

/// Times for the steps: `steps[stage]` just before `anchor` (by `lag`), earlier ones backwards from it,
/// later ones forwards, the first of them strictly after `anchor`.
fn lay_out(steps: &[Step], stage: usize, anchor: DateTime<Utc>, lag: Duration) -> Vec<DateTime<Utc>> {
    let mut times = vec![anchor; steps.len()];
    if steps.is_empty() {
        return times;
    }
    times[stage] = snap_backward(anchor - lag, steps[stage].window, steps[stage].jitter);
    for i in (0..stage).rev() {
        times[i] = snap_backward(times[i + 1] - steps[i + 1].gap, steps[i].window, steps[i].jitter);
    }
    for i in stage + 1..steps.len() {
        let mut time = times[i - 1] + steps[i].gap;
        if time <= anchor {
            time = anchor + (steps[i].gap / 2).max(Duration::minutes(2));
        }
        times[i] = snap_forward(time, steps[i].window, steps[i].jitter);
    }
    times
}

/// One planned event, not yet in time.
#[derive(Debug)]
pub struct Step {
    code: &'static str,
    city: &'static City,
    district: &'static District,
    window: Window,
    /// Time since the previous step.
    gap: Duration,
    /// How far from a window's edge the event lands when it had to move into the window.
    jitter: Duration,
    zh: String,
    en: String,
    pickup: Option<String>,
}

/// Names that depend on the courier: Shunfeng has 中转场, Yunda 分拨中心 …
struct Style {
    hub_zh: &'static str,
    hub_en: &'static str,
    outlet_zh: &'static str,
    outlet_en: &'static str,
}

impl Style {
    fn of(com: &str) -> Self {
        let (hub_zh, hub_en, outlet_zh, outlet_en) = match com {
            "shunfeng" | "shunfengkuaiyun" | "fengwang" => ("中转场", "Transfer Hub", "营业点", "Service Point"),
            "yunda" | "zhongtong" | "shentong" => ("分拨中心", "Distribution Center", "网点", "Outlet"),
            "jd" | "jingdongkuaiyun" => ("分拣中心", "Sorting Center", "营业部", "Delivery Station"),
            "ems" | "youzhengguonei" | "youzhengbk" => {
                ("邮件处理中心", "Mail Processing Center", "揽投部", "Delivery Office")
            }
            _ => ("转运中心", "Transit Center", "网点", "Outlet"),
        };
        Style { hub_zh, hub_en, outlet_zh, outlet_en }
    }

    fn hub(&self, city: &City) -> (String, String) {
        (format!("{}{}", city.hub_zh, self.hub_zh), format!("{} {}", city.hub_en, self.hub_en))
    }

    fn outlet(&self, city: &City) -> (String, String) {
        let district = city.outlet.name_zh;
        let short = district.strip_suffix(['区', '县', '市']).filter(|s| !s.is_empty()).unwrap_or(district);
        let zh = if short == city.short_zh {
            format!("{}{}", city.short_zh, self.outlet_zh)
        } else {
            format!("{}{}{}", city.short_zh, short, self.outlet_zh)
        };
        let en = if city.name_en == city.outlet.name_en {
            format!("{} {}", city.name_en, self.outlet_en)
        } else {
            format!("{} {} {}", city.name_en, city.outlet.name_en, self.outlet_en)
        };
        (zh, en)
    }
}

/// The time-independent part of a parcel.
struct Plan {
    origin: &'static City,
    destination: &'static City,
    ending: Ending,
    customs: bool,
    steps: Vec<Step>,
}

/// `AB123456789CN`: the UPU S10 shape of international postal items.
fn looks_international(num: &str) -> bool {
    let bytes = num.trim().as_bytes();
    bytes.len() == 13
        && bytes[..2].iter().all(u8::is_ascii_alphabetic)
        && bytes[2..11].iter().all(u8::is_ascii_digit)
        && bytes[11..].iter().all(u8::is_ascii_alphabetic)
}

fn random_city(rng: &mut impl Rng, filter: impl Fn(&City) -> bool) -> &'static City {
    let candidates: Vec<&'static City> = CITIES.iter().filter(|city| filter(city)).collect();
    if candidates.is_empty() { &CITIES[0] } else { pick(rng, &candidates) }
}

/// Up to `count` national hubs between `origin` and `destination`, ordered along the way: of three
/// random candidates, the one with the smallest detour.
fn via_hubs(rng: &mut impl Rng, origin: &City, destination: &City, count: usize) -> Vec<&'static City> {
    let mut chosen: Vec<&'static City> = Vec::new();
    for _ in 0..count {
        let candidates: Vec<&'static City> = NATIONAL_HUBS
            .iter()
            .filter_map(|name| by_name(name))
            .filter(|city| *city != origin && *city != destination && !chosen.contains(city))
            .collect();
        if candidates.is_empty() {
            break;
        }
        let detour = |city: &City| city.distance_km(origin) + city.distance_km(destination);
        let best = (0..3)
            .map(|_| pick(rng, &candidates))
            .min_by(|a, b| detour(a).total_cmp(&detour(b)))
            .unwrap_or(candidates[0]);
        chosen.push(best);
    }
    chosen.sort_by(|a, b| a.distance_km(origin).total_cmp(&b.distance_km(origin)));
    chosen
}

/// Appends steps, drawing each gap (in minutes, to the second) and jitter from the plan's generator.
struct Builder<'r, R: Rng> {
    rng: &'r mut R,
    steps: Vec<Step>,
}

impl<R: Rng> Builder<'_, R> {
    fn push(
        &mut self,
        code: &'static str,
        city: &'static City,
        district: &'static District,
        gap_minutes: (i64, i64),
        zh: String,
        en: String,
    ) {
        let gap = if self.steps.is_empty() {
            Duration::zero()
        } else {
            Duration::seconds(self.rng.gen_range(gap_minutes.0 * 60..gap_minutes.1 * 60).max(60))
        };
        let jitter = Duration::seconds(self.rng.gen_range(60..5_400));
        let window = Window::for_code(code);
        self.steps.push(Step { code, city, district, window, gap, jitter, zh, en, pickup: None });
    }

    /// The last step's line gives this pickup code.
    fn with_pickup_code(&mut self, code: Option<&String>) {
        if let Some(step) = self.steps.last_mut() {
            step.pickup = code.cloned();
        }
    }
}

/// Minutes of line-haul between two cities: about 65 km/h plus loading, ±20 %.
fn travel_minutes(from: &City, to: &City) -> (i64, i64) {
    let minutes = (from.distance_km(to) / 65.0 * 60.0 + 90.0) as i64;
    ((minutes * 4 / 5).max(60), (minutes * 6 / 5).max(61))
}

impl Plan {
    fn draw(rng: &mut ChaCha8Rng, com: &str, num: &str) -> Self {
        let customs = looks_international(num) || rng.gen_bool(0.04);
        let ending = Ending::draw(rng);
        let origin = if customs { random_city(rng, |c| c.exchange.is_some()) } else { random_city(rng, |_| true) };
        let destination = random_city(rng, |c| c != origin);
        let km = origin.distance_km(destination);

        // Shape of the route, trimmed so that the whole life fits in MAX_EVENTS.
        let mut customs_exception = customs && rng.gen_bool(0.2);
        let outlet_departure = !customs && rng.gen_bool(0.8);
        let mut direct = km < 400.0 && rng.gen_bool(0.5);
        let mut vias = match km {
            k if k < 400.0 => 0,
            k if k < 1_200.0 => rng.gen_range(0..=1),
            _ => rng.gen_range(1..=2),
        };
        let count = |vias: usize, direct: bool, exception: bool| {
            let start = if customs { 4 + usize::from(exception) } else { 1 + usize::from(outlet_departure) };
            start + 2 + 2 * vias + if direct { 0 } else { 2 } + 2 + ending.len()
        };
        while count(vias, direct, customs_exception) > MAX_EVENTS {
            if vias > 0 {
                vias -= 1;
            } else if !direct {
                direct = true;
            } else {
                customs_exception = false;
            }
        }
        let vias = via_hubs(rng, origin, destination, vias);
        let com = com.trim().to_ascii_lowercase();
        let route = Route { origin, destination, vias, direct, style: Style::of(&com), com };
        let mut builder = Builder { rng, steps: Vec::with_capacity(MAX_EVENTS) };
        route.departure(&mut builder, customs, customs_exception, outlet_departure);
        route.line_haul(&mut builder, customs, outlet_departure);
        // The pickup point's brand and code come from a generator of their own, so that adding them
        // changed no other draw of any parcel.
        let mut pickup = ChaCha8Rng::from_seed(pickup_seed(&route.com, num));
        route.delivery(&mut builder, ending, &mut pickup);
        Plan { origin, destination, ending, customs, steps: builder.steps }
    }
}

/// The way a parcel goes: origin hub, national hubs, destination hub (unless `direct`), outlet.
struct Route {
    origin: &'static City,
    destination: &'static City,
    vias: Vec<&'static City>,
    /// A short trip: the origin hub sends the parcel straight to the destination outlet.
    direct: bool,
    style: Style,
    /// Courier code, lower case.
    com: String,
}

impl Route {
    /// Hubs in order, each with the place it sends the parcel to next.
    fn hubs(&self) -> Vec<&'static City> {
        let mut hubs = vec![self.origin];
        hubs.extend(&self.vias);
        if !self.direct {
            hubs.push(self.destination);
        }
        hubs
    }

    /// Pick-up, then customs or the departure from the origin outlet.
    fn departure<R: Rng>(&self, b: &mut Builder<'_, R>, customs: bool, exception: bool, outlet_departure: bool) {
        let city = self.origin;
        let (c_zh, c_en) = (city.name_zh, city.name_en);
        let (outlet_zh, outlet_en) = self.style.outlet(city);
        let (hub_zh, hub_en) = self.style.hub(city);
        if customs {
            let (ex_zh, ex_en) = city.exchange.unwrap_or(("国际邮件互换局", "International Mail Exchange"));
            b.push(
                "1",
                city,
                &city.hub,
                (0, 1),
                format!("【{c_zh}】境外快件已交寄，海外合作方已揽收"),
                format!("[{c_en}] International parcel accepted from the overseas sender"),
            );
            b.push(
                "10",
                city,
                &city.hub,
                (360, 2_880),
                format!("【{c_zh}】快件已到达【{ex_zh}】，等待清关"),
                format!("[{c_en}] Arrived at {ex_en}, awaiting customs clearance"),
            );
            if b.rng.gen_bool(0.5) {
                b.push(
                    "8",
                    city,
                    &city.hub,
                    (240, 1_800),
                    format!("【{c_zh}】快件已交海关查验"),
                    format!("[{c_en}] Handed to customs for inspection"),
                );
            } else {
                b.push(
                    "11",
                    city,
                    &city.hub,
                    (240, 1_800),
                    format!("【{c_zh}】快件清关中"),
                    format!("[{c_en}] Customs clearance in progress"),
                );
            }
            if exception {
                b.push(
                    "13",
                    city,
                    &city.hub,
                    (240, 1_200),
                    format!("【{c_zh}】清关异常：需补充申报资料，请留意短信通知"),
                    format!("[{c_en}] Customs exception: more declaration documents needed, watch for a text message"),
                );
            }
            let gap = if exception { (1_440, 4_320) } else { (120, 1_440) };
            b.push(
                "12",
                city,
                &city.hub,
                gap,
                format!("【{c_zh}】快件已清关，离开【{ex_zh}】"),
                format!("[{c_en}] Cleared customs, left {ex_en}"),
            );
            return;
        }
        if b.rng.gen_bool(0.5) {
            b.push(
                "1",
                city,
                &city.outlet,
                (0, 1),
                format!("【{c_zh}】【{outlet_zh}】已揽收"),
                format!("[{c_en}] Picked up by {outlet_en}"),
            );
        } else {
            let courier = names::courier(b.rng);
            b.push(
                "1",
                city,
                &city.outlet,
                (0, 1),
                format!("【{c_zh}】【{outlet_zh}】快递员【{}】已取件，电话：{}", courier.name_zh, courier.phone),
                format!("[{c_en}] Picked up by courier {} of {outlet_en}, phone {}", courier.name_en, courier.phone),
            );
        }
        if outlet_departure {
            b.push(
                "1002",
                city,
                &city.outlet,
                (120, 480),
                format!("【{c_zh}】快件离开【{outlet_zh}】已发往【{hub_zh}】"),
                format!("[{c_en}] Departed {outlet_en}, heading to {hub_en}"),
            );
        }
    }

    /// Arrivals at and departures from every hub, up to the destination outlet's 1001.
    fn line_haul<R: Rng>(&self, b: &mut Builder<'_, R>, customs: bool, outlet_departure: bool) {
        let hubs = self.hubs();
        let (last_zh, last_en) = self.style.outlet(self.destination);
        let mut previous: Option<&'static City> = None;
        for (i, city) in hubs.iter().copied().enumerate() {
            let (c_zh, c_en) = (city.name_zh, city.name_en);
            let (hub_zh, hub_en) = self.style.hub(city);
            let gap = match previous {
                Some(previous) => travel_minutes(previous, city),
                None if customs => (120, 600),
                None if outlet_departure => (60, 240),
                None => (180, 600),
            };
            b.push(
                "1002",
                city,
                &city.hub,
                gap,
                format!("【{c_zh}】快件到达【{hub_zh}】"),
                format!("[{c_en}] Arrived at {hub_en}"),
            );
            let (next_zh, next_en) = match hubs.get(i + 1) {
                Some(next) => self.style.hub(next),
                None => (last_zh.clone(), last_en.clone()),
            };
            b.push(
                "1002",
                city,
                &city.hub,
                (60, 300),
                format!("【{c_zh}】快件离开【{hub_zh}】已发往【{next_zh}】"),
                format!("[{c_en}] Departed {hub_en}, heading to {next_en}"),
            );
            previous = Some(city);
        }
        let city = self.destination;
        let gap = match previous {
            Some(previous) if previous != city => travel_minutes(previous, city),
            _ => (60, 240),
        };
        b.push(
            "1001",
            city,
            &city.outlet,
            gap,
            format!("【{}】快件已到达【{last_zh}】，准备派送", city.name_zh),
            format!("[{}] Arrived at {last_en}, getting ready for delivery", city.name_en),
        );
    }

    /// Out for delivery and what happens at the door.
    fn delivery<R: Rng>(&self, b: &mut Builder<'_, R>, ending: Ending, pickup: &mut ChaCha8Rng) {
        let city = self.destination;
        let district = &city.outlet;
        let (c_zh, c_en) = (city.name_zh, city.name_en);
        let (outlet_zh, outlet_en) = self.style.outlet(city);
        let courier = names::courier(b.rng);
        let (name_zh, name_en, phone) = (&courier.name_zh, &courier.name_en, &courier.phone);
        let out_zh = format!("【{c_zh}】【{outlet_zh}】的派件员【{name_zh}】正在派件，电话：{phone}，请保持电话畅通");
        let out_en = format!("[{c_en}] Courier {name_en} of {outlet_en} is out for delivery, phone {phone}");
        b.push("5", city, district, (30, 360), out_zh.clone(), out_en.clone());
        let spot = names::station_spot(b.rng);
        let point = PickupPoint::draw(pickup, &self.com, spot);
        let (station_zh, station_en) = point.name(spot, district.name_zh, district.name_en);
        let code = pickup.gen_bool(0.8).then(|| point.code(pickup));
        match ending {
            Ending::Signed => b.push(
                "301",
                city,
                district,
                (20, 240),
                format!("【{c_zh}】您的快件已签收，签收人：本人。如有疑问请联系派件员【{name_zh}】，电话：{phone}"),
                format!(
                    "[{c_en}] Delivered and signed for by the recipient. Questions? Courier {name_en}, phone {phone}"
                ),
            ),
            Ending::ProxySigned => {
                let (who_zh, who_en) = pick(b.rng, &PROXY_SIGNERS);
                b.push(
                    "303",
                    city,
                    district,
                    (20, 240),
                    format!(
                        "【{c_zh}】您的快件已由【{who_zh}】代签收，如有疑问请联系派件员【{name_zh}】，电话：{phone}"
                    ),
                    format!("[{c_en}] Delivered, signed for by {who_en}. Questions? Courier {name_en}, phone {phone}"),
                );
            }
            Ending::Locker | Ending::LockerUncollected => {
                let label = point.label_zh();
                let (zh, en) = match (&code, spot.locker) {
                    (None, _) => (
                        format!("【{c_zh}】您的包裹已存放至【{station_zh}】，记得早点来取它回家！"),
                        format!("[{c_en}] Your parcel is waiting at {station_en}; please collect it soon"),
                    ),
                    (Some(code), false) => (
                        format!(
                            "【{c_zh}】您的包裹已存放至【{station_zh}】，请凭{label}{code}及时取件，记得早点来取它回家！"
                        ),
                        format!(
                            "[{c_en}] Your parcel is waiting at {station_en}; pickup code {code}, please collect it soon"
                        ),
                    ),
                    (Some(code), true) => (
                        format!(
                            "【{c_zh}】快件已投递至【{station_zh}】，{label}：{code}，请及时取件。如有疑问请联系派件员【{name_zh}】，电话：{phone}"
                        ),
                        format!(
                            "[{c_en}] Delivered to {station_en}, pickup code {code}; please collect it soon. Questions? Courier {name_en}, phone {phone}"
                        ),
                    ),
                };
                b.push("501", city, district, (30, 180), zh, en);
                b.with_pickup_code(code.as_ref());
                if ending == Ending::Locker {
                    b.push(
                        "304",
                        city,
                        district,
                        (60, 1_800),
                        format!("【{c_zh}】您的快件已从【{station_zh}】取出签收，感谢使用"),
                        format!("[{c_en}] Collected from {station_en} and signed for. Thank you"),
                    );
                } else {
                    let (zh, en) = match &code {
                        None => (
                            format!("【{c_zh}】您的快件在【{station_zh}】超时未取，请尽快取件"),
                            format!("[{c_en}] Still not collected from {station_en}; please collect it soon"),
                        ),
                        Some(code) => (
                            format!("【{c_zh}】您的快件在【{station_zh}】超时未取，请凭取件码{code}尽快取件"),
                            format!(
                                "[{c_en}] Still not collected from {station_en}; pickup code {code}, please collect it soon"
                            ),
                        ),
                    };
                    b.push("205", city, district, (2_880, 4_320), zh, en);
                    b.with_pickup_code(code.as_ref());
                }
            }
            Ending::ProblemThenSigned | Ending::ProblemStuck => {
                let (code, why_zh, why_en) = pick(b.rng, &DOOR_PROBLEMS);
                b.push(
                    code,
                    city,
                    district,
                    (60, 300),
                    format!("【{c_zh}】快件派送不成功，原因：{why_zh}。派件员【{name_zh}】，电话：{phone}"),
                    format!("[{c_en}] Delivery attempt failed: {why_en}. Courier {name_en}, phone {phone}"),
                );
                if ending == Ending::ProblemThenSigned {
                    b.push("5", city, district, (960, 1_560), out_zh, out_en);
                    b.push(
                        "302",
                        city,
                        district,
                        (20, 240),
                        format!("【{c_zh}】您的快件已签收，签收人：本人（派件异常后签收）"),
                        format!("[{c_en}] Delivered and signed for by the recipient after an earlier failed attempt"),
                    );
                }
            }
            Ending::Returned => self.return_to_sender(b, &courier),
            Ending::Refused => b.push(
                "14",
                city,
                district,
                (20, 240),
                format!("【{c_zh}】快件已被收件人拒签，派件员【{name_zh}】，电话：{phone}"),
                format!("[{c_en}] Refused by the recipient. Courier {name_en}, phone {phone}"),
            ),
        }
    }

    /// Unreachable, then back the way it came to the sender.
    fn return_to_sender<R: Rng>(&self, b: &mut Builder<'_, R>, courier: &names::Courier) {
        let (city, origin) = (self.destination, self.origin);
        let (c_zh, c_en) = (city.name_zh, city.name_en);
        let (name_zh, name_en, phone) = (&courier.name_zh, &courier.name_en, &courier.phone);
        b.push(
            "206",
            city,
            &city.outlet,
            (60, 300),
            format!("【{c_zh}】快件派送不成功，原因：多次联系收件人未果。派件员【{name_zh}】，电话：{phone}"),
            format!(
                "[{c_en}] Delivery attempt failed: the recipient could not be reached. Courier {name_en}, phone {phone}"
            ),
        );
        b.push(
            "6",
            city,
            &city.outlet,
            (1_440, 4_320),
            format!("【{c_zh}】因无法联系收件人，快件已安排退回寄件人"),
            format!("[{c_en}] Recipient unreachable; the parcel is being returned to the sender"),
        );
        let (from_zh, from_en, from_district) = if self.direct {
            let (zh, en) = self.style.outlet(city);
            (zh, en, &city.outlet)
        } else {
            let (zh, en) = self.style.hub(city);
            (zh, en, &city.hub)
        };
        let (back_zh, back_en) = self.style.hub(origin);
        b.push(
            "6",
            city,
            from_district,
            (120, 600),
            format!("【{c_zh}】退回件离开【{from_zh}】已发往【{back_zh}】"),
            format!("[{c_en}] Returned parcel departed {from_en}, heading to {back_en}"),
        );
        b.push(
            "6",
            origin,
            &origin.hub,
            travel_minutes(city, origin),
            format!("【{}】退回件到达【{back_zh}】", origin.name_zh),
            format!("[{}] Returned parcel arrived at {back_en}", origin.name_en),
        );
        b.push(
            "4",
            origin,
            &origin.outlet,
            (480, 1_800),
            format!("【{}】退回件已由寄件人签收", origin.name_zh),
            format!("[{}] Returned parcel signed for by the sender", origin.name_en),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::kuaidi100::state::{Family, lookup};

    /// 2024-05-01 10:00 Beijing.
    fn morning() -> DateTime<Utc> {
        DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    fn numbers(count: usize) -> impl Iterator<Item = String> {
        (0..count).map(|i| format!("YT{:013}", 7_300_000_000_000u64 + i as u64 * 7_919))
    }

    /// A spread of anchors over the Beijing day, so the daytime rule is tested at every hour.
    fn anchor_for(i: usize) -> DateTime<Utc> {
        morning() + Duration::minutes((i as i64 * 97) % (24 * 60))
    }

    #[test]
    fn the_same_number_gives_the_same_parcel_and_different_numbers_differ() {
        let a = Parcel::generate("yuantong", "YT9693083639795", morning());
        let b = Parcel::generate("yuantong", "YT9693083639795", morning());
        assert_eq!(a, b);
        assert_eq!(a, Parcel::generate(" YuanTong ", "yt9693083639795", morning()), "normalized");
        let timelines: HashSet<Vec<(String, DateTime<Utc>)>> = numbers(200)
            .map(|num| {
                Parcel::generate("yuantong", &num, morning())
                    .events
                    .into_iter()
                    .map(|e| (e.context_zh, e.time))
                    .collect()
            })
            .collect();
        assert_eq!(timelines.len(), 200);
        assert_ne!(
            Parcel::generate("yuantong", "YT9693083639795", morning()),
            Parcel::generate("zhongtong", "YT9693083639795", morning()),
            "the courier is part of the seed"
        );
    }

    #[test]
    fn every_parcel_has_six_to_fifteen_events_in_strictly_increasing_time() {
        let mut lengths = HashSet::new();
        for (i, num) in numbers(1_000).enumerate() {
            let parcel = Parcel::generate("zhongtong", &num, anchor_for(i));
            let n = parcel.events.len();
            assert!((MIN_EVENTS..=MAX_EVENTS).contains(&n), "{num}: {n} events");
            lengths.insert(n);
            for pair in parcel.events.windows(2) {
                assert!(pair[0].time < pair[1].time, "{num}: {pair:#?}");
            }
            assert_eq!(parcel.events[0].code, "1", "{num} starts with a pick-up");
            assert_ne!(parcel.origin, parcel.destination);
        }
        assert!(lengths.len() >= 6, "a variety of lengths: {lengths:?}");
    }

    #[test]
    fn pickups_and_deliveries_happen_in_the_beijing_daytime() {
        let mut checked = 0;
        for (i, num) in numbers(1_000).enumerate() {
            for event in Parcel::generate("yunda", &num, anchor_for(i)).events {
                let hour = event.time.with_timezone(&Shanghai).hour();
                if event.is_daytime_only() {
                    assert!((8..20).contains(&hour), "{num}: {} at {}", event.code, event.beijing_time());
                    checked += 1;
                }
                if event.code == "5" {
                    assert!((8..18).contains(&hour), "{num}: out for delivery at {}", event.beijing_time());
                }
            }
        }
        assert!(checked > 3_000, "{checked}");
        // And line-haul really runs at night sometimes.
        let night_scans = numbers(300)
            .enumerate()
            .flat_map(|(i, num)| Parcel::generate("yunda", &num, anchor_for(i)).events)
            .filter(|e| e.code == "1002" && !(8..20).contains(&e.time.with_timezone(&Shanghai).hour()))
            .count();
        assert!(night_scans > 50, "{night_scans}");
    }

    #[test]
    fn a_thousand_parcels_show_the_whole_mix_of_fates() {
        let mut endings: HashMap<Ending, usize> = HashMap::new();
        let mut codes: HashSet<&str> = HashSet::new();
        let mut customs = 0;
        for (i, num) in numbers(1_000).enumerate() {
            let parcel = Parcel::generate("shentong", &num, anchor_for(i));
            *endings.entry(parcel.ending).or_default() += 1;
            customs += usize::from(parcel.customs);
            codes.extend(parcel.events.iter().map(|e| e.code));
            for event in &parcel.events {
                assert!(lookup(event.code).is_some(), "{} is in the state table", event.code);
            }
        }
        let trouble: usize = endings.iter().filter(|(e, _)| e.is_trouble()).map(|(_, n)| n).sum();
        assert!((100..=250).contains(&trouble), "about 15–20 % in trouble: {endings:?}");
        assert!((15..=80).contains(&customs), "{customs}");
        for code in
            ["1", "1002", "1001", "5", "501", "301", "302", "303", "304", "204", "206", "208", "205", "6", "4", "14"]
        {
            assert!(codes.contains(code), "{code} occurs: {codes:?}");
        }
        assert!(codes.contains("10") && codes.contains("12") && (codes.contains("11") || codes.contains("8")));
    }

    #[test]
    fn international_numbers_go_through_customs_at_a_port() {
        for num in ["EA123456785CN", "lx987654321us", "RR000111222DE"] {
            let parcel = Parcel::generate("ems", num, morning());
            assert!(parcel.customs, "{num}");
            assert!(parcel.origin.exchange.is_some());
            let codes: Vec<&str> = parcel.events.iter().map(|e| e.code).collect();
            let (ten, twelve) = (codes.iter().position(|c| *c == "10"), codes.iter().position(|c| *c == "12"));
            assert!(matches!((ten, twelve), (Some(a), Some(b)) if a < b), "{codes:?}");
        }
        assert!(!looks_international("YT9693083639795"));
    }

    #[test]
    fn lines_read_well_in_both_languages_and_carry_real_areas() {
        let parcel = Parcel::generate("yuantong", "YT9693083639799", morning());
        for event in &parcel.events {
            assert!(event.context_zh.starts_with(&format!("【{}】", event.city.name_zh)), "{}", event.context_zh);
            assert!(event.context_en.starts_with(&format!("[{}]", event.city.name_en)), "{}", event.context_en);
            assert!(event.context_en.is_ascii(), "{}", event.context_en);
            assert!(
                event.district == &event.city.outlet || event.district == &event.city.hub,
                "an event happens at its city's outlet or hub"
            );
        }
        let departures: Vec<&Event> = parcel.events.iter().filter(|e| e.context_zh.contains("已发往")).collect();
        assert!(!departures.is_empty());
        assert!(departures.iter().all(|e| e.context_en.contains("heading to")));
    }

    #[test]
    fn the_last_digit_decides_how_far_the_parcel_is_at_the_first_query() {
        for (i, base) in numbers(300).enumerate() {
            let anchor = anchor_for(i);
            for digit in 0..=9u8 {
                let num = format!("{}{digit}", &base[..base.len() - 1]);
                let parcel = Parcel::generate("jtexpress", &num, anchor);
                let shown = parcel.revealed(anchor);
                assert_eq!(shown.len(), parcel.stage + 1, "{num}");
                let newest = shown[shown.len() - 1].code;
                match digit {
                    0 | 1 => assert_eq!(shown.len(), 1, "{num}: only the pick-up"),
                    7 => assert_eq!(newest, "1001", "{num}"),
                    8 => assert_eq!(newest, "5", "{num}"),
                    9 => assert_eq!(shown.len(), parcel.events.len(), "{num}: its life is over"),
                    _ => {
                        let family = lookup(newest).map(|s| s.family);
                        assert!(matches!(family, Some(Family::InTransit | Family::Customs)), "{num}: {newest}");
                    }
                }
                if digit < 9 {
                    assert!(parcel.events[parcel.stage + 1].time > anchor, "{num}: the next event is in the future");
                }
            }
        }
    }

    #[test]
    fn stages_never_go_backwards_as_the_digit_grows() {
        for num in numbers(200) {
            let plan = Plan::draw(&mut ChaCha8Rng::from_seed(seed("yuantong", &num)), "yuantong", &num);
            let stages: Vec<usize> = (0..=9).map(|d| stage_for_digit(d, &plan.steps)).collect();
            assert!(stages.windows(2).all(|w| w[0] <= w[1]), "{num}: {stages:?}");
            assert_eq!(stages[9], plan.steps.len() - 1);
        }
        assert_eq!(progress_digit("YT1234", &[0; 32]), 4);
        assert_eq!(progress_digit("EA123456785CN", &[0; 32]), 5, "the last digit, even before letters");
        assert_eq!(progress_digit("ABCDEFG", &[7; 32]), 7, "no digit: from the seed");
    }

    #[test]
    fn events_come_due_as_time_passes_and_at_least_one_is_always_shown() {
        let parcel = Parcel::generate("yuantong", "YT0000000000010", morning());
        assert_eq!(parcel.revealed(morning()).len(), 1);
        assert_eq!(parcel.revealed(morning() - Duration::days(30)).len(), 1, "never zero");
        let mut shown = 1;
        for hour in 1..=24 * 10 {
            let now = morning() + Duration::hours(hour);
            let count = parcel.revealed(now).len();
            assert!(count >= shown);
            shown = count;
        }
        assert_eq!(shown, parcel.events.len(), "a whole life fits in ten days");
        assert!(parcel.ends_at() > morning());
    }

    #[test]
    fn every_pickup_code_of_a_station_or_locker_line_is_read_and_no_other_line_gives_one() {
        use crate::tracking::pickup_code;
        let (mut with_code, mut without) = (0, 0);
        for com in ["yuantong", "zhongtong", "yunda", "jd", "ems", "shunfeng"] {
            for (i, num) in numbers(400).enumerate() {
                let parcel = Parcel::generate(com, &num, anchor_for(i));
                for event in &parcel.events {
                    for line in [&event.context_zh, &event.context_en] {
                        let found = pickup_code(line).map(|found| found.code);
                        assert_eq!(found, event.pickup_code, "{com} {num}: {line}");
                    }
                    match (&event.pickup_code, event.code) {
                        (Some(_), _) => with_code += 1,
                        (None, "501") => without += 1,
                        _ => {}
                    }
                    if event.pickup_code.is_some() {
                        let place = pickup_code(&event.context_zh).and_then(|found| found.place);
                        assert!(place.is_some(), "{com} {num}: the station is named: {}", event.context_zh);
                    }
                }
            }
        }
        assert!(with_code > 100 && without > 10, "{with_code} lines with a code, {without} station lines without");
    }

    #[test]
    fn snapping_lands_inside_the_window() {
        let jitter = Duration::minutes(10);
        // 02:00 Beijing = 18:00 UTC the day before.
        let night = DateTime::from_timestamp(1_714_500_000, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
        assert_eq!(seconds_of_beijing_day(night), 2 * 3_600);
        let forward = snap_forward(night, Window::Daytime, jitter);
        assert_eq!(forward.with_timezone(&Shanghai).format("%H:%M").to_string(), "08:10");
        let backward = snap_backward(night, Window::Daytime, jitter);
        assert_eq!(backward.with_timezone(&Shanghai).format("%H:%M").to_string(), "19:50");
        assert!(backward < night && forward > night);
        assert_eq!(snap_forward(night, Window::Any, jitter), night);
        assert_eq!(snap_forward(morning(), Window::Daytime, jitter), morning());
    }
}
