//! The simulator's map: real Chinese cities, each with a delivery outlet district and a line-haul hub
//! district.
//!
//! A parcel's trajectory lines carry administrative areas the way Kuaidi100 writes them with `resultv2`:
//! a 12-digit area code after `CN` (the 6-digit GB/T 2260 district code padded with zeros, as in
//! `CN330102000000`), an `areaName` like `浙江,杭州市,上城区`, a `location` like `浙江省 杭州市 上城区`,
//! the district's pinyin and its centre as `lng,lat`. Real networks sort parcels at a hub on the edge of
//! town and deliver from an outlet in town, so every city has both; the hub district is the one where
//! couriers really have their big sorting centres (Xiaoshan for Hangzhou, Qingpu for Shanghai …).
//! Coordinates are the district centres, rounded; they only have to be plausible, not survey grade.
//!
//! The names — Chinese, short, English, pinyin — are not written here: they come from the project's
//! one place table (`data/places.tsv`, read by `translate::places`) by GB/T 2260 code, so that every
//! place the simulator writes is one the translator knows.

use std::sync::LazyLock;

use crate::translate::places;

/// One district: where a trajectory line happens.
#[derive(Debug, PartialEq)]
pub struct District {
    /// 6-digit GB/T 2260 code.
    pub code: &'static str,
    pub name_zh: &'static str,
    /// Kuaidi100 style: syllables separated by spaces, `shang cheng qu`.
    pub pinyin: &'static str,
    /// Short English name, `Shangcheng`.
    pub name_en: &'static str,
    pub lng: f64,
    pub lat: f64,
}

/// A city of the map.
#[derive(Debug, PartialEq)]
pub struct City {
    /// `杭州市`, as used in `【杭州市】` at the start of a trajectory line.
    pub name_zh: &'static str,
    /// `杭州`, used to build outlet and hub names.
    pub short_zh: &'static str,
    pub name_en: &'static str,
    /// Province as it appears in `areaName` (`浙江`, or `上海` for a municipality).
    pub province_short: &'static str,
    /// Province as it appears in `location` (`浙江省`, `上海`).
    pub province_full: &'static str,
    /// The city part of `areaName` (`杭州市`, or `上海` for a municipality).
    pub city_in_area: &'static str,
    /// Where the parcel is picked up or delivered.
    pub outlet: District,
    /// Where the sorting centre is.
    pub hub: District,
    /// First part of the hub's name: `杭州` → `杭州转运中心`; `上海浦西` → `上海浦西转运中心`.
    pub hub_zh: &'static str,
    pub hub_en: &'static str,
    /// The international mail exchange of a port of entry, `(zh, en)`; customs happens there.
    pub exchange: Option<(&'static str, &'static str)>,
}

impl City {
    /// `areaCode` of a district of this city: `CN` + 12 digits.
    pub fn area_code(district: &District) -> String {
        format!("CN{}000000", district.code)
    }

    /// `areaName`: `浙江,杭州市,上城区`.
    pub fn area_name(&self, district: &District) -> String {
        format!("{},{},{}", self.province_short, self.city_in_area, district.name_zh)
    }

    /// `location`: `浙江省 杭州市 上城区`.
    pub fn location(&self, district: &District) -> String {
        format!("{} {} {}", self.province_full, self.name_zh, district.name_zh)
    }

    /// `areaCenter`: `lng,lat`.
    pub fn area_center(district: &District) -> String {
        format!("{},{}", district.lng, district.lat)
    }

    /// Great-circle distance between the two cities' outlets, in kilometres.
    pub fn distance_km(&self, other: &City) -> f64 {
        let (lat1, lat2) = (self.outlet.lat.to_radians(), other.outlet.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lng = (other.outlet.lng - self.outlet.lng).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lng / 2.0).sin().powi(2);
        6371.0 * 2.0 * a.sqrt().asin()
    }
}

/// One city of the map as this file writes it: the short name its outlets and hubs are named after,
/// the outlet and hub districts (code, centre), the hub's name and the exchange.
struct Spec {
    short_zh: &'static str,
    outlet: (&'static str, f64, f64),
    hub: (&'static str, f64, f64),
    hub_names: (&'static str, &'static str),
    exchange: Option<(&'static str, &'static str)>,
}

const fn spec(
    short_zh: &'static str,
    outlet: (&'static str, f64, f64),
    hub: (&'static str, f64, f64),
    hub_names: (&'static str, &'static str),
    exchange: Option<(&'static str, &'static str)>,
) -> Spec {
    Spec { short_zh, outlet, hub, hub_names, exchange }
}

/// Municipalities (直辖市): `areaName` and `location` write the province as the city's short name.
const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

fn district((code, lng, lat): (&'static str, f64, f64)) -> District {
    let place = places::by_code(code);
    District {
        code,
        name_zh: place.map_or(code, |place| place.zh),
        pinyin: place.map_or("", |place| place.pinyin),
        name_en: place.map_or(code, |place| place.en),
        lng,
        lat,
    }
}

impl Spec {
    fn city(&self) -> City {
        let code = self.outlet.0;
        let province = places::by_code(&format!("{}0000", &code[..2]));
        let prefecture = places::by_code(&format!("{}00", &code[..4]));
        let province_short = province.map_or(self.short_zh, |place| place.short);
        let name_zh = prefecture.map_or(self.short_zh, |place| place.zh);
        let municipality = MUNICIPALITIES.contains(&&code[..2]);
        City {
            name_zh,
            short_zh: self.short_zh,
            name_en: prefecture.map_or(self.short_zh, |place| place.en),
            province_short,
            province_full: if municipality { province_short } else { province.map_or(province_short, |p| p.zh) },
            city_in_area: if municipality { province_short } else { name_zh },
            outlet: district(self.outlet),
            hub: district(self.hub),
            hub_zh: self.hub_names.0,
            hub_en: self.hub_names.1,
            exchange: self.exchange,
        }
    }
}

/// The map, in the order parcels draw from it. Ports of entry (with an `exchange`) are where customs
/// parcels enter China. Names come from the place table (`data/places.tsv`) by code.
const MAP: [Spec; 26] = [
    spec(
        "北京",
        ("110105", 116.443205, 39.921506),
        ("110113", 116.654561, 40.130347),
        ("北京顺义", "Beijing Shunyi"),
        Some(("北京首都机场国际邮件互换局", "Beijing Capital Airport International Mail Exchange")),
    ),
    spec(
        "上海",
        ("310110", 121.526077, 31.259541),
        ("310118", 121.124178, 31.150681),
        ("上海浦西", "Shanghai Puxi"),
        Some(("上海浦东国际邮件互换局", "Shanghai Pudong International Mail Exchange")),
    ),
    spec(
        "天津",
        ("120101", 117.195907, 39.118327),
        ("120111", 117.012247, 39.139446),
        ("天津西青", "Tianjin Xiqing"),
        None,
    ),
    spec("重庆", ("500103", 106.56288, 29.556742), ("500106", 106.4542, 29.541224), ("重庆", "Chongqing"), None),
    spec(
        "广州",
        ("440106", 113.335367, 23.13559),
        ("440111", 113.262831, 23.162281),
        ("广州白云", "Guangzhou Baiyun"),
        Some(("广州白云机场国际邮件互换局", "Guangzhou Baiyun Airport International Mail Exchange")),
    ),
    spec(
        "深圳",
        ("440305", 113.92943, 22.531221),
        ("440306", 113.828671, 22.754741),
        ("深圳宝安", "Shenzhen Bao'an"),
        Some(("深圳国际邮件互换局", "Shenzhen International Mail Exchange")),
    ),
    spec(
        "杭州",
        ("330102", 120.184349, 30.25446),
        ("330109", 120.493286, 30.28333),
        ("杭州", "Hangzhou"),
        Some(("杭州萧山机场国际邮件互换局", "Hangzhou Xiaoshan Airport International Mail Exchange")),
    ),
    spec(
        "宁波",
        ("330203", 121.539698, 29.874452),
        ("330212", 121.558436, 29.831662),
        ("宁波鄞州", "Ningbo Yinzhou"),
        None,
    ),
    spec("义乌", ("330782", 120.074911, 29.306863), ("330782", 120.074911, 29.306863), ("义乌", "Yiwu"), None),
    spec(
        "南京",
        ("320102", 118.792199, 32.050678),
        ("320115", 118.850621, 31.953418),
        ("南京江宁", "Nanjing Jiangning"),
        None,
    ),
    spec("苏州", ("320508", 120.622249, 31.311414), ("320506", 120.624621, 31.270839), ("苏州", "Suzhou"), None),
    spec("武汉", ("420103", 114.283109, 30.578771), ("420112", 114.142483, 30.622467), ("武汉", "Wuhan"), None),
    spec(
        "成都",
        ("510104", 104.080989, 30.657689),
        ("510116", 103.922706, 30.573243),
        ("成都双流", "Chengdu Shuangliu"),
        None,
    ),
    spec("西安", ("610113", 108.926593, 34.213389), ("610112", 108.946022, 34.30823), ("西安", "Xi'an"), None),
    spec("郑州", ("410105", 113.686037, 34.775838), ("410104", 113.685313, 34.746453), ("郑州", "Zhengzhou"), None),
    spec("长沙", ("430104", 112.911591, 28.213044), ("430121", 113.080098, 28.237888), ("长沙", "Changsha"), None),
    spec("合肥", ("340104", 117.262334, 31.855868), ("340111", 117.285751, 31.82956), ("合肥", "Hefei"), None),
    spec("济南", ("370102", 117.03862, 36.664169), ("370104", 116.947921, 36.668205), ("济南", "Jinan"), None),
    spec(
        "青岛",
        ("370202", 120.395966, 36.070892),
        ("370214", 120.389135, 36.306833),
        ("青岛城阳", "Qingdao Chengyang"),
        None,
    ),
    spec("沈阳", ("210102", 123.406664, 41.788074), ("210114", 123.310829, 41.795833), ("沈阳", "Shenyang"), None),
    spec("哈尔滨", ("230103", 126.652098, 45.755971), ("230102", 126.612532, 45.762035), ("哈尔滨", "Harbin"), None),
    spec("福州", ("350102", 119.29929, 26.082284), ("350104", 119.320988, 26.038912), ("福州", "Fuzhou"), None),
    spec(
        "厦门",
        ("350203", 118.087828, 24.462059),
        ("350211", 118.100869, 24.572874),
        ("厦门", "Xiamen"),
        Some(("厦门高崎机场国际邮件互换局", "Xiamen Gaoqi Airport International Mail Exchange")),
    ),
    spec("昆明", ("530102", 102.704412, 25.042165), ("530111", 102.723437, 25.021211), ("昆明", "Kunming"), None),
    spec("南宁", ("450103", 108.346113, 22.816614), ("450107", 108.306903, 22.832779), ("南宁", "Nanning"), None),
    spec("乌鲁木齐", ("650102", 87.620116, 43.796428), ("650104", 87.560653, 43.870882), ("乌鲁木齐", "Urumqi"), None),
];

/// The map's cities, named from the place table.
pub static CITIES: LazyLock<Vec<City>> = LazyLock::new(|| MAP.iter().map(Spec::city).collect());

/// Big national hubs that parcels between distant cities pass through.
pub const NATIONAL_HUBS: [&str; 7] = ["郑州市", "武汉市", "上海市", "广州市", "北京市", "成都市", "西安市"];

/// The city named `name_zh` (`杭州市`).
pub fn by_name(name_zh: &str) -> Option<&'static City> {
    CITIES.iter().find(|city| city.name_zh == name_zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn districts() -> impl Iterator<Item = (&'static City, &'static District)> {
        CITIES.iter().flat_map(|city| [(city, &city.outlet), (city, &city.hub)])
    }

    #[test]
    fn at_least_twenty_distinct_cities() {
        let mut names: Vec<_> = CITIES.iter().map(|c| c.name_en).collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() >= 20, "{}", names.len());
        assert_eq!(names.len(), CITIES.len(), "no city twice");
    }

    #[test]
    fn area_codes_are_cn_and_twelve_digits_and_match_their_city() {
        for (city, district) in districts() {
            let code = City::area_code(district);
            assert_eq!(code.len(), 14, "{code}");
            assert!(code.starts_with("CN") && code[2..].bytes().all(|b| b.is_ascii_digit()), "{code}");
            // Outlet and hub of one city share province and prefecture digits.
            assert_eq!(&city.outlet.code[..4], &city.hub.code[..4], "{}", city.name_en);
            assert!(!district.pinyin.is_empty() && district.pinyin.is_ascii(), "{}", district.pinyin);
        }
        let hangzhou = by_name("杭州市").expect("on the map");
        assert_eq!(City::area_code(&hangzhou.outlet), "CN330102000000");
        assert_eq!(hangzhou.area_name(&hangzhou.outlet), "浙江,杭州市,上城区");
        assert_eq!(hangzhou.location(&hangzhou.hub), "浙江省 杭州市 萧山区");
        assert_eq!(City::area_center(&hangzhou.outlet), "120.184349,30.25446");
    }

    #[test]
    fn coordinates_are_inside_china() {
        for (city, district) in districts() {
            assert!((73.0..=135.5).contains(&district.lng), "{} lng {}", city.name_en, district.lng);
            assert!((18.0..=54.0).contains(&district.lat), "{} lat {}", city.name_en, district.lat);
        }
        let beijing = by_name("北京市").expect("on the map");
        let shanghai = by_name("上海市").expect("on the map");
        let km = beijing.distance_km(shanghai);
        assert!((1000.0..1150.0).contains(&km), "Beijing–Shanghai is about 1070 km, got {km}");
    }

    #[test]
    fn national_hubs_and_ports_are_on_the_map() {
        for name in NATIONAL_HUBS {
            assert!(by_name(name).is_some(), "{name}");
        }
        assert!(CITIES.iter().filter(|c| c.exchange.is_some()).count() >= 3);
    }

    /// The names the map wrote itself before they came from the place table: none changed, so no
    /// parcel did.
    #[test]
    fn names_from_the_place_table_are_the_ones_the_map_always_had() {
        type Names = (&'static str, &'static str, &'static str, &'static str, [&'static str; 3], [&'static str; 3]);
        const BEFORE: [Names; 26] = [
            (
                "北京市",
                "Beijing",
                "北京",
                "北京",
                ["朝阳区", "chao yang qu", "Chaoyang"],
                ["顺义区", "shun yi qu", "Shunyi"],
            ),
            (
                "上海市",
                "Shanghai",
                "上海",
                "上海",
                ["杨浦区", "yang pu qu", "Yangpu"],
                ["青浦区", "qing pu qu", "Qingpu"],
            ),
            (
                "天津市",
                "Tianjin",
                "天津",
                "天津",
                ["和平区", "he ping qu", "Heping"],
                ["西青区", "xi qing qu", "Xiqing"],
            ),
            (
                "重庆市",
                "Chongqing",
                "重庆",
                "重庆",
                ["渝中区", "yu zhong qu", "Yuzhong"],
                ["沙坪坝区", "sha ping ba qu", "Shapingba"],
            ),
            (
                "广州市",
                "Guangzhou",
                "广东",
                "广东省",
                ["天河区", "tian he qu", "Tianhe"],
                ["白云区", "bai yun qu", "Baiyun"],
            ),
            (
                "深圳市",
                "Shenzhen",
                "广东",
                "广东省",
                ["南山区", "nan shan qu", "Nanshan"],
                ["宝安区", "bao an qu", "Bao'an"],
            ),
            (
                "杭州市",
                "Hangzhou",
                "浙江",
                "浙江省",
                ["上城区", "shang cheng qu", "Shangcheng"],
                ["萧山区", "xiao shan qu", "Xiaoshan"],
            ),
            (
                "宁波市",
                "Ningbo",
                "浙江",
                "浙江省",
                ["海曙区", "hai shu qu", "Haishu"],
                ["鄞州区", "yin zhou qu", "Yinzhou"],
            ),
            ("金华市", "Jinhua", "浙江", "浙江省", ["义乌市", "yi wu shi", "Yiwu"], ["义乌市", "yi wu shi", "Yiwu"]),
            (
                "南京市",
                "Nanjing",
                "江苏",
                "江苏省",
                ["玄武区", "xuan wu qu", "Xuanwu"],
                ["江宁区", "jiang ning qu", "Jiangning"],
            ),
            (
                "苏州市",
                "Suzhou",
                "江苏",
                "江苏省",
                ["姑苏区", "gu su qu", "Gusu"],
                ["吴中区", "wu zhong qu", "Wuzhong"],
            ),
            (
                "武汉市",
                "Wuhan",
                "湖北",
                "湖北省",
                ["江汉区", "jiang han qu", "Jianghan"],
                ["东西湖区", "dong xi hu qu", "Dongxihu"],
            ),
            (
                "成都市",
                "Chengdu",
                "四川",
                "四川省",
                ["锦江区", "jin jiang qu", "Jinjiang"],
                ["双流区", "shuang liu qu", "Shuangliu"],
            ),
            (
                "西安市",
                "Xi'an",
                "陕西",
                "陕西省",
                ["雁塔区", "yan ta qu", "Yanta"],
                ["未央区", "wei yang qu", "Weiyang"],
            ),
            (
                "郑州市",
                "Zhengzhou",
                "河南",
                "河南省",
                ["金水区", "jin shui qu", "Jinshui"],
                ["管城回族区", "guan cheng hui zu qu", "Guancheng"],
            ),
            (
                "长沙市",
                "Changsha",
                "湖南",
                "湖南省",
                ["岳麓区", "yue lu qu", "Yuelu"],
                ["长沙县", "chang sha xian", "Changsha County"],
            ),
            (
                "合肥市",
                "Hefei",
                "安徽",
                "安徽省",
                ["蜀山区", "shu shan qu", "Shushan"],
                ["包河区", "bao he qu", "Baohe"],
            ),
            (
                "济南市",
                "Jinan",
                "山东",
                "山东省",
                ["历下区", "li xia qu", "Lixia"],
                ["槐荫区", "huai yin qu", "Huaiyin"],
            ),
            (
                "青岛市",
                "Qingdao",
                "山东",
                "山东省",
                ["市南区", "shi nan qu", "Shinan"],
                ["城阳区", "cheng yang qu", "Chengyang"],
            ),
            (
                "沈阳市",
                "Shenyang",
                "辽宁",
                "辽宁省",
                ["和平区", "he ping qu", "Heping"],
                ["于洪区", "yu hong qu", "Yuhong"],
            ),
            (
                "哈尔滨市",
                "Harbin",
                "黑龙江",
                "黑龙江省",
                ["南岗区", "nan gang qu", "Nangang"],
                ["道里区", "dao li qu", "Daoli"],
            ),
            (
                "福州市",
                "Fuzhou",
                "福建",
                "福建省",
                ["鼓楼区", "gu lou qu", "Gulou"],
                ["仓山区", "cang shan qu", "Cangshan"],
            ),
            (
                "厦门市",
                "Xiamen",
                "福建",
                "福建省",
                ["思明区", "si ming qu", "Siming"],
                ["集美区", "ji mei qu", "Jimei"],
            ),
            (
                "昆明市",
                "Kunming",
                "云南",
                "云南省",
                ["五华区", "wu hua qu", "Wuhua"],
                ["官渡区", "guan du qu", "Guandu"],
            ),
            (
                "南宁市",
                "Nanning",
                "广西",
                "广西壮族自治区",
                ["青秀区", "qing xiu qu", "Qingxiu"],
                ["西乡塘区", "xi xiang tang qu", "Xixiangtang"],
            ),
            (
                "乌鲁木齐市",
                "Urumqi",
                "新疆",
                "新疆维吾尔自治区",
                ["天山区", "tian shan qu", "Tianshan"],
                ["新市区", "xin shi qu", "Xinshi"],
            ),
        ];
        for (city, before) in CITIES.iter().zip(BEFORE) {
            let district = |d: &District| [d.name_zh, d.pinyin, d.name_en];
            let now = (
                city.name_zh,
                city.name_en,
                city.province_short,
                city.province_full,
                district(&city.outlet),
                district(&city.hub),
            );
            assert_eq!(now, before);
        }
        assert_eq!(CITIES.len(), BEFORE.len());
    }
}
