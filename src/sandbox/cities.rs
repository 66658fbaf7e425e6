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

const fn district(
    code: &'static str,
    name_zh: &'static str,
    pinyin: &'static str,
    name_en: &'static str,
    lng: f64,
    lat: f64,
) -> District {
    District { code, name_zh, pinyin, name_en, lng, lat }
}

/// A municipality (直辖市): province and city have the same name.
const fn municipality(
    short: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    outlet: District,
    hub: District,
    hub_names: (&'static str, &'static str),
    exchange: Option<(&'static str, &'static str)>,
) -> City {
    City {
        name_zh,
        short_zh: short,
        name_en,
        province_short: short,
        province_full: short,
        city_in_area: short,
        outlet,
        hub,
        hub_zh: hub_names.0,
        hub_en: hub_names.1,
        exchange,
    }
}

/// A city inside a province or autonomous region.
#[allow(clippy::too_many_arguments)]
const fn provincial(
    province_short: &'static str,
    province_full: &'static str,
    short: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    outlet: District,
    hub: District,
    hub_names: (&'static str, &'static str),
    exchange: Option<(&'static str, &'static str)>,
) -> City {
    City {
        name_zh,
        short_zh: short,
        name_en,
        province_short,
        province_full,
        city_in_area: name_zh,
        outlet,
        hub,
        hub_zh: hub_names.0,
        hub_en: hub_names.1,
        exchange,
    }
}

/// The map. Ports of entry (with an `exchange`) are where customs parcels enter China.
pub static CITIES: [City; 26] = [
    municipality(
        "北京",
        "北京市",
        "Beijing",
        district("110105", "朝阳区", "chao yang qu", "Chaoyang", 116.443205, 39.921506),
        district("110113", "顺义区", "shun yi qu", "Shunyi", 116.654561, 40.130347),
        ("北京顺义", "Beijing Shunyi"),
        Some(("北京首都机场国际邮件互换局", "Beijing Capital Airport International Mail Exchange")),
    ),
    municipality(
        "上海",
        "上海市",
        "Shanghai",
        district("310110", "杨浦区", "yang pu qu", "Yangpu", 121.526077, 31.259541),
        district("310118", "青浦区", "qing pu qu", "Qingpu", 121.124178, 31.150681),
        ("上海浦西", "Shanghai Puxi"),
        Some(("上海浦东国际邮件互换局", "Shanghai Pudong International Mail Exchange")),
    ),
    municipality(
        "天津",
        "天津市",
        "Tianjin",
        district("120101", "和平区", "he ping qu", "Heping", 117.195907, 39.118327),
        district("120111", "西青区", "xi qing qu", "Xiqing", 117.012247, 39.139446),
        ("天津西青", "Tianjin Xiqing"),
        None,
    ),
    municipality(
        "重庆",
        "重庆市",
        "Chongqing",
        district("500103", "渝中区", "yu zhong qu", "Yuzhong", 106.56288, 29.556742),
        district("500106", "沙坪坝区", "sha ping ba qu", "Shapingba", 106.4542, 29.541224),
        ("重庆", "Chongqing"),
        None,
    ),
    provincial(
        "广东",
        "广东省",
        "广州",
        "广州市",
        "Guangzhou",
        district("440106", "天河区", "tian he qu", "Tianhe", 113.335367, 23.13559),
        district("440111", "白云区", "bai yun qu", "Baiyun", 113.262831, 23.162281),
        ("广州白云", "Guangzhou Baiyun"),
        Some(("广州白云机场国际邮件互换局", "Guangzhou Baiyun Airport International Mail Exchange")),
    ),
    provincial(
        "广东",
        "广东省",
        "深圳",
        "深圳市",
        "Shenzhen",
        district("440305", "南山区", "nan shan qu", "Nanshan", 113.92943, 22.531221),
        district("440306", "宝安区", "bao an qu", "Bao'an", 113.828671, 22.754741),
        ("深圳宝安", "Shenzhen Bao'an"),
        Some(("深圳国际邮件互换局", "Shenzhen International Mail Exchange")),
    ),
    provincial(
        "浙江",
        "浙江省",
        "杭州",
        "杭州市",
        "Hangzhou",
        district("330102", "上城区", "shang cheng qu", "Shangcheng", 120.184349, 30.25446),
        district("330109", "萧山区", "xiao shan qu", "Xiaoshan", 120.493286, 30.28333),
        ("杭州", "Hangzhou"),
        Some(("杭州萧山机场国际邮件互换局", "Hangzhou Xiaoshan Airport International Mail Exchange")),
    ),
    provincial(
        "浙江",
        "浙江省",
        "宁波",
        "宁波市",
        "Ningbo",
        district("330203", "海曙区", "hai shu qu", "Haishu", 121.539698, 29.874452),
        district("330212", "鄞州区", "yin zhou qu", "Yinzhou", 121.558436, 29.831662),
        ("宁波鄞州", "Ningbo Yinzhou"),
        None,
    ),
    provincial(
        "浙江",
        "浙江省",
        "义乌",
        "金华市",
        "Jinhua",
        district("330782", "义乌市", "yi wu shi", "Yiwu", 120.074911, 29.306863),
        district("330782", "义乌市", "yi wu shi", "Yiwu", 120.074911, 29.306863),
        ("义乌", "Yiwu"),
        None,
    ),
    provincial(
        "江苏",
        "江苏省",
        "南京",
        "南京市",
        "Nanjing",
        district("320102", "玄武区", "xuan wu qu", "Xuanwu", 118.792199, 32.050678),
        district("320115", "江宁区", "jiang ning qu", "Jiangning", 118.850621, 31.953418),
        ("南京江宁", "Nanjing Jiangning"),
        None,
    ),
    provincial(
        "江苏",
        "江苏省",
        "苏州",
        "苏州市",
        "Suzhou",
        district("320508", "姑苏区", "gu su qu", "Gusu", 120.622249, 31.311414),
        district("320506", "吴中区", "wu zhong qu", "Wuzhong", 120.624621, 31.270839),
        ("苏州", "Suzhou"),
        None,
    ),
    provincial(
        "湖北",
        "湖北省",
        "武汉",
        "武汉市",
        "Wuhan",
        district("420103", "江汉区", "jiang han qu", "Jianghan", 114.283109, 30.578771),
        district("420112", "东西湖区", "dong xi hu qu", "Dongxihu", 114.142483, 30.622467),
        ("武汉", "Wuhan"),
        None,
    ),
    provincial(
        "四川",
        "四川省",
        "成都",
        "成都市",
        "Chengdu",
        district("510104", "锦江区", "jin jiang qu", "Jinjiang", 104.080989, 30.657689),
        district("510116", "双流区", "shuang liu qu", "Shuangliu", 103.922706, 30.573243),
        ("成都双流", "Chengdu Shuangliu"),
        None,
    ),
    provincial(
        "陕西",
        "陕西省",
        "西安",
        "西安市",
        "Xi'an",
        district("610113", "雁塔区", "yan ta qu", "Yanta", 108.926593, 34.213389),
        district("610112", "未央区", "wei yang qu", "Weiyang", 108.946022, 34.30823),
        ("西安", "Xi'an"),
        None,
    ),
    provincial(
        "河南",
        "河南省",
        "郑州",
        "郑州市",
        "Zhengzhou",
        district("410105", "金水区", "jin shui qu", "Jinshui", 113.686037, 34.775838),
        district("410104", "管城回族区", "guan cheng hui zu qu", "Guancheng", 113.685313, 34.746453),
        ("郑州", "Zhengzhou"),
        None,
    ),
    provincial(
        "湖南",
        "湖南省",
        "长沙",
        "长沙市",
        "Changsha",
        district("430104", "岳麓区", "yue lu qu", "Yuelu", 112.911591, 28.213044),
        district("430121", "长沙县", "chang sha xian", "Changsha County", 113.080098, 28.237888),
        ("长沙", "Changsha"),
        None,
    ),
    provincial(
        "安徽",
        "安徽省",
        "合肥",
        "合肥市",
        "Hefei",
        district("340104", "蜀山区", "shu shan qu", "Shushan", 117.262334, 31.855868),
        district("340111", "包河区", "bao he qu", "Baohe", 117.285751, 31.82956),
        ("合肥", "Hefei"),
        None,
    ),
    provincial(
        "山东",
        "山东省",
        "济南",
        "济南市",
        "Jinan",
        district("370102", "历下区", "li xia qu", "Lixia", 117.03862, 36.664169),
        district("370104", "槐荫区", "huai yin qu", "Huaiyin", 116.947921, 36.668205),
        ("济南", "Jinan"),
        None,
    ),
    provincial(
        "山东",
        "山东省",
        "青岛",
        "青岛市",
        "Qingdao",
        district("370202", "市南区", "shi nan qu", "Shinan", 120.395966, 36.070892),
        district("370214", "城阳区", "cheng yang qu", "Chengyang", 120.389135, 36.306833),
        ("青岛城阳", "Qingdao Chengyang"),
        None,
    ),
    provincial(
        "辽宁",
        "辽宁省",
        "沈阳",
        "沈阳市",
        "Shenyang",
        district("210102", "和平区", "he ping qu", "Heping", 123.406664, 41.788074),
        district("210114", "于洪区", "yu hong qu", "Yuhong", 123.310829, 41.795833),
        ("沈阳", "Shenyang"),
        None,
    ),
    provincial(
        "黑龙江",
        "黑龙江省",
        "哈尔滨",
        "哈尔滨市",
        "Harbin",
        district("230103", "南岗区", "nan gang qu", "Nangang", 126.652098, 45.755971),
        district("230102", "道里区", "dao li qu", "Daoli", 126.612532, 45.762035),
        ("哈尔滨", "Harbin"),
        None,
    ),
    provincial(
        "福建",
        "福建省",
        "福州",
        "福州市",
        "Fuzhou",
        district("350102", "鼓楼区", "gu lou qu", "Gulou", 119.29929, 26.082284),
        district("350104", "仓山区", "cang shan qu", "Cangshan", 119.320988, 26.038912),
        ("福州", "Fuzhou"),
        None,
    ),
    provincial(
        "福建",
        "福建省",
        "厦门",
        "厦门市",
        "Xiamen",
        district("350203", "思明区", "si ming qu", "Siming", 118.087828, 24.462059),
        district("350211", "集美区", "ji mei qu", "Jimei", 118.100869, 24.572874),
        ("厦门", "Xiamen"),
        Some(("厦门高崎机场国际邮件互换局", "Xiamen Gaoqi Airport International Mail Exchange")),
    ),
    provincial(
        "云南",
        "云南省",
        "昆明",
        "昆明市",
        "Kunming",
        district("530102", "五华区", "wu hua qu", "Wuhua", 102.704412, 25.042165),
        district("530111", "官渡区", "guan du qu", "Guandu", 102.723437, 25.021211),
        ("昆明", "Kunming"),
        None,
    ),
    provincial(
        "广西",
        "广西壮族自治区",
        "南宁",
        "南宁市",
        "Nanning",
        district("450103", "青秀区", "qing xiu qu", "Qingxiu", 108.346113, 22.816614),
        district("450107", "西乡塘区", "xi xiang tang qu", "Xixiangtang", 108.306903, 22.832779),
        ("南宁", "Nanning"),
        None,
    ),
    provincial(
        "新疆",
        "新疆维吾尔自治区",
        "乌鲁木齐",
        "乌鲁木齐市",
        "Urumqi",
        district("650102", "天山区", "tian shan qu", "Tianshan", 87.620116, 43.796428),
        district("650104", "新市区", "xin shi qu", "Xinshi", 87.560653, 43.870882),
        ("乌鲁木齐", "Urumqi"),
        None,
    ),
];

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
}
