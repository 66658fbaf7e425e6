//! The people and places a trajectory mentions besides cities: couriers with masked phones, parcel
//! stations and lockers, who signed, what went wrong.
//!
//! Everything comes in pairs (Chinese, English) so that one parcel reads the same in both languages, and
//! is drawn from the parcel's own random generator so that it never changes between two queries.
//! Phones are always masked (`138****1234`) as Kuaidi100 shows them: the simulator must not invent
//! anything that looks like a real person's number.

use rand::Rng;
use rand::seq::SliceRandom;

/// A delivery courier as a trajectory line names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Courier {
    pub name_zh: String,
    pub name_en: String,
    /// Masked mobile number, `138****1234`.
    pub phone: String,
}

const SURNAMES: [(&str, &str); 16] = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("高", "Gao"),
    ("林", "Lin"),
];

const GIVEN_NAMES: [(&str, &str); 16] = [
    ("伟", "Wei"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("勇", "Yong"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("建华", "Jianhua"),
    ("志强", "Zhiqiang"),
    ("海峰", "Haifeng"),
    ("晓东", "Xiaodong"),
    ("丽", "Li"),
    ("静", "Jing"),
    ("红梅", "Hongmei"),
];

const MOBILE_PREFIXES: [&str; 16] =
    ["130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "158", "159", "177", "186", "188", "199"];

const ROADS: [(&str, &str); 10] = [
    ("人民路", "Renmin Rd"),
    ("中山路", "Zhongshan Rd"),
    ("解放路", "Jiefang Rd"),
    ("建设路", "Jianshe Rd"),
    ("和平路", "Heping Rd"),
    ("文化路", "Wenhua Rd"),
    ("新华路", "Xinhua Rd"),
    ("长江路", "Changjiang Rd"),
    ("学府路", "Xuefu Rd"),
    ("幸福里", "Xingfuli"),
];

/// Who signs for a parcel that the recipient did not sign for (code 303).
pub const PROXY_SIGNERS: [(&str, &str); 4] = [
    ("门卫", "the gatekeeper"),
    ("前台", "the front desk"),
    ("家人", "a family member"),
    ("物业", "the property office"),
];

/// A problem at the door: `(code, zh reason, en reason)`. The codes are the advanced 2xx states.
pub const DOOR_PROBLEMS: [(&str, &str, &str); 4] = [
    ("204", "收件地址不详，待再次派送", "incomplete address, will try again"),
    ("206", "多次联系收件人未果", "the recipient could not be reached"),
    ("208", "因天气原因延误派送", "delivery delayed by the weather"),
    ("204", "收件人不在家，已预约改日派送", "nobody at home, rescheduled"),
];

pub fn courier(rng: &mut impl Rng) -> Courier {
    let (surname_zh, surname_en) = pick(rng, &SURNAMES);
    let (given_zh, given_en) = pick(rng, &GIVEN_NAMES);
    let prefix = pick(rng, &MOBILE_PREFIXES);
    let tail: u16 = rng.gen_range(0..10_000);
    Courier {
        name_zh: format!("{surname_zh}{given_zh}"),
        name_en: format!("{given_en} {surname_en}"),
        phone: format!("{prefix}****{tail:04}"),
    }
}

/// Where a station or locker is and whether it is a locker: drawn from a parcel's plan (the draws it
/// always made), while the brand ([`PickupPoint::draw`]) and its code come from another generator, so
/// that plans did not change when pickup points got brands and codes.
#[derive(Debug, Clone, Copy)]
pub struct Spot {
    road: (&'static str, &'static str),
    pub locker: bool,
}

pub fn station_spot(rng: &mut impl Rng) -> Spot {
    let road = pick(rng, &ROADS);
    Spot { road, locker: !rng.gen_bool(0.5) }
}

/// The brands of stations and lockers, each with its own name and code format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickupPoint {
    Cainiao,
    HiveBox,
    Tuxi,
    Mama,
    Duoduo,
    ZtoStore,
    YundaStore,
    JdLocker,
    PostLocker,
    Jinlinbao,
}

impl PickupPoint {
    /// A brand for a spot: a courier's own where it has one, else a common one.
    pub fn draw(rng: &mut impl Rng, com: &str, spot: Spot) -> Self {
        let own = match (com, spot.locker) {
            ("jd", true) => Some(PickupPoint::JdLocker),
            ("ems" | "youzhengguonei" | "youzhengbk", true) => Some(PickupPoint::PostLocker),
            ("zhongtong", false) => Some(PickupPoint::ZtoStore),
            ("yunda", false) => Some(PickupPoint::YundaStore),
            _ => None,
        };
        if let Some(own) = own.filter(|_| rng.gen_bool(0.6)) {
            return own;
        }
        let table: &[PickupPoint] = if spot.locker {
            &[
                PickupPoint::HiveBox,
                PickupPoint::HiveBox,
                PickupPoint::HiveBox,
                PickupPoint::Jinlinbao,
                PickupPoint::PostLocker,
            ]
        } else {
            &[
                PickupPoint::Cainiao,
                PickupPoint::Cainiao,
                PickupPoint::Cainiao,
                PickupPoint::Tuxi,
                PickupPoint::Mama,
                PickupPoint::Duoduo,
            ]
        };
        pick(rng, table)
    }

    /// `(zh, en)` name at a spot.
    pub fn name(self, spot: Spot, district_zh: &str, district_en: &str) -> (String, String) {
        let (road_zh, road_en) = spot.road;
        match self {
            PickupPoint::Cainiao => {
                (format!("{district_zh}{road_zh}菜鸟驿站"), format!("Cainiao Station, {road_en}, {district_en}"))
            }
            PickupPoint::HiveBox => (format!("丰巢智能柜({road_zh}店)"), format!("Hive Box locker ({road_en})")),
            PickupPoint::Tuxi => (format!("兔喜生活+{road_zh}店"), format!("Tuxi Life, {road_en}")),
            PickupPoint::Mama => (format!("妈妈驿站({road_zh}店)"), format!("Mama Station ({road_en})")),
            PickupPoint::Duoduo => (format!("多多驿站{road_zh}店"), format!("Duoduo Station, {road_en}")),
            PickupPoint::ZtoStore => (format!("中通快递超市-{road_zh}店"), format!("ZTO Express Store, {road_en}")),
            PickupPoint::YundaStore => (format!("韵达超市{road_zh}店"), format!("Yunda Store, {road_en}")),
            PickupPoint::JdLocker => {
                (format!("京东自提柜-{district_zh}{road_zh}"), format!("JD pickup locker, {road_en}"))
            }
            PickupPoint::PostLocker => {
                (format!("{district_zh}{road_zh}中国邮政智能包裹柜"), format!("China Post parcel locker, {road_en}"))
            }
            PickupPoint::Jinlinbao => (format!("近邻宝{road_zh}智能柜"), format!("Jinlinbao locker, {road_en}")),
        }
    }

    /// What the brand calls its code.
    pub fn label_zh(self) -> &'static str {
        match self {
            PickupPoint::Mama => "取货码",
            PickupPoint::JdLocker => "提货码",
            PickupPoint::PostLocker => "开箱码",
            _ => "取件码",
        }
    }

    /// A code in the brand's format: shelf codes at stations, digits at lockers.
    pub fn code(self, rng: &mut impl Rng) -> String {
        let shelf = |rng: &mut dyn rand::RngCore| {
            format!("{}-{}-{:04}", rng.gen_range(1..=20), rng.gen_range(1..=6), rng.gen_range(1_000..10_000))
        };
        match self {
            PickupPoint::Cainiao if rng.gen_bool(0.2) => {
                format!("{}-{:04}", rng.gen_range(1..=30), rng.gen_range(1_000..10_000))
            }
            PickupPoint::Cainiao
            | PickupPoint::Mama
            | PickupPoint::Duoduo
            | PickupPoint::ZtoStore
            | PickupPoint::YundaStore => shelf(rng),
            PickupPoint::Tuxi => {
                let letter = char::from(b'A' + rng.gen_range(0..6u8));
                format!("{letter}{}-{:04}", rng.gen_range(1..=20), rng.gen_range(1_000..10_000))
            }
            PickupPoint::HiveBox | PickupPoint::PostLocker => rng.gen_range(10_000_000..100_000_000u32).to_string(),
            PickupPoint::JdLocker | PickupPoint::Jinlinbao => rng.gen_range(100_000..900_000u32).to_string(),
        }
    }
}

/// One element of a non-empty table (the tables here are constants, never empty).
pub fn pick<T: Copy>(rng: &mut impl Rng, table: &[T]) -> T {
    match table.choose(rng) {
        Some(item) => *item,
        None => unreachable!("pick() is only called with the non-empty tables of this module"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn phones_are_masked_and_names_paired() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let courier = courier(&mut rng);
            let phone = courier.phone.as_bytes();
            assert_eq!(phone.len(), 11, "{}", courier.phone);
            assert_eq!(&courier.phone[3..7], "****");
            assert!(phone[..3].iter().chain(&phone[7..]).all(u8::is_ascii_digit), "{}", courier.phone);
            assert!(!courier.name_zh.is_ascii() && courier.name_en.is_ascii());
        }
    }

    #[test]
    fn stations_name_their_road_in_both_languages() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut kinds = std::collections::HashSet::new();
        for com in ["yuantong", "zhongtong", "yunda", "jd", "ems"].iter().cycle().take(200) {
            let spot = station_spot(&mut rng);
            let point = PickupPoint::draw(&mut rng, com, spot);
            let (zh, en) = point.name(spot, "上城区", "Shangcheng");
            assert!(en.is_ascii(), "{en}");
            assert!(["驿站", "柜", "超市", "兔喜"].iter().any(|word| zh.contains(word)), "{zh}");
            let code = point.code(&mut rng);
            assert!(code.len() >= 4 && code.is_ascii(), "{code}");
            kinds.insert(format!("{point:?}"));
        }
        assert_eq!(kinds.len(), 10, "every brand occurs: {kinds:?}");
    }
}
