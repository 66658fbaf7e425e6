//! The phrase table against real-shaped courier lines (both directions), and against every line the
//! simulator writes for whole parcel lives.

use chrono::{DateTime, Duration, Utc};

use super::template::Template;
use super::*;
use crate::sandbox::parcel::Parcel;
use crate::tracking::pickup_code;

/// Digit runs of a text (a masked phone's `*` included), sorted: a translation may reorder them,
/// never lose or change one.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().map(crate::input::fold_width) {
        if c.is_ascii_digit() || (c == '*' && !run.is_empty()) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs.sort();
    runs
}

/// `(courier, Chinese line, its English)`: lines as SF, YTO, ZTO, STO, Yunda, JD, EMS, J&T, Cainiao
/// and the locker brands write them.
const ZH_LINES: &[(&str, &str, &str)] = &[
    ("sf", "【深圳市】顺丰速运 已收取快件", "[Shenzhen] Picked up by SF Express"),
    (
        "sf",
        "快件在【深圳宝安集散中心】完成分拣，准备发往【北京顺义集散中心】",
        "Departed Shenzhen Bao'an Distribution Hub, heading to Beijing Shunyi Distribution Hub",
    ),
    ("sf", "快件到达 【北京顺义集散中心】", "Arrived at Beijing Shunyi Distribution Hub"),
    (
        "sf",
        "快件交给王伟，正在派送途中（联系电话：138****1234，顺丰已开启“安全呼叫”保护您的电话隐私,请放心接听！）",
        "Courier Wang Wei is out for delivery (phone 138****1234, SF protects your number with secure calling, it is safe to answer!)",
    ),
    ("sf", "已签收,感谢使用顺丰,期待再次为您服务", "Delivered, thank you for choosing SF"),
    ("yto", "【浙江省杭州市西湖区公司】 已揽收", "Picked up by Zhejiang Hangzhou Xihu District Branch"),
    ("yto", "【杭州转运中心】 已收入", "Arrived at Hangzhou Transit Center"),
    (
        "yto",
        "【杭州转运中心】 已发出 下一站 【北京转运中心】",
        "Departed Hangzhou Transit Center, heading to Beijing Transit Center",
    ),
    (
        "yto",
        "【北京市朝阳区望京公司】 派件人: 王伟 派件中 派件员电话13800001234",
        "Courier Wang Wei of Beijing Chaoyang District Wangjing Branch is out for delivery, phone 13800001234",
    ),
    (
        "yto",
        "客户 签收人: 本人 已签收 感谢使用圆通速递，期待再次为您服务",
        "Delivered and signed for by the recipient, thank you for choosing YTO Express",
    ),
    (
        "zto",
        "【杭州西湖】（0571-88888888）的 王伟（13800001234） 已揽收",
        "Picked up by courier Wang Wei (13800001234) of Xihu, Hangzhou (0571-88888888)",
    ),
    ("zto", "快件离开 【杭州西湖】 已发往 【杭州中转部】", "Departed Xihu, Hangzhou, heading to Hangzhou Transfer Hub"),
    ("zto", "快件已经到达 【杭州中转部】", "Arrived at Hangzhou Transfer Hub"),
    (
        "zto",
        "【北京朝阳】 的王伟（13800001234） 正在第1次派件, 请保持电话畅通,并耐心等待（95720为中通快递员外呼专属号码，请放心接听）",
        "Courier Wang Wei (13800001234) of Chaoyang, Beijing is out for delivery (attempt 1), please keep your phone on, please be patient (95720 is the number ZTO couriers call from, it is safe to answer)",
    ),
    (
        "zto",
        "快件已在 【北京朝阳】 签收, 签收人: 本人, 如有疑问请电联:（13800001234）, 投诉电话:（010-88888888）, 您的快递已经妥投。风里来雨里去, 只为客官您满意。上有老下有小, 赏个好评好不好？【请在评价快递员处帮忙点亮五颗星星哦~】",
        "Signed for at Chaoyang, Beijing, signed for by the recipient, questions? Call 13800001234, complaints 010-88888888, delivered. Through wind and rain, all for your satisfaction. A good rating would mean a lot to your courier? Please give your courier five stars",
    ),
    ("sto", "【浙江杭州公司】的收件员【王伟】已收件", "Picked up by courier Wang Wei of Zhejiang Hangzhou Branch"),
    ("sto", "快件已到达【杭州转运中心】扫描员是【张三】", "Arrived at Hangzhou Transit Center, scanned by Zhang San"),
    (
        "sto",
        "由【杭州转运中心】发往【北京转运中心】",
        "Departed Hangzhou Transit Center, heading to Beijing Transit Center",
    ),
    (
        "sto",
        "【北京朝阳公司】的派件员【王伟】正在派件",
        "Courier Wang Wei of Beijing Chaoyang Branch is out for delivery",
    ),
    ("sto", "已签收，签收人是：【本人】", "Delivered and signed for by the recipient"),
    ("yunda", "【浙江主城区公司杭州分部】已揽收", "Picked up by Zhejiang Main Urban Area Branch Hangzhou Branch"),
    ("yunda", "到达【浙江杭州分拨中心】", "Arrived at Zhejiang Hangzhou Distribution Center"),
    (
        "yunda",
        "从【浙江杭州分拨中心】发出，本次转运目的地：【北京分拨中心】",
        "Departed Zhejiang Hangzhou Distribution Center, heading to Beijing Distribution Center",
    ),
    (
        "yunda",
        "【北京朝阳区公司】的派送员【王伟，13800001234】正在派送",
        "Courier Wang Wei (13800001234) of Beijing Chaoyang District Branch is out for delivery",
    ),
    (
        "yunda",
        "您的快件已放入韵达超市文三路店，取件码5-1-0236，如有疑问联系：0571-86661234",
        "Your parcel is waiting at Yunda Store Wensan Rd Store, pickup code 5-1-0236, questions? Call 0571-86661234",
    ),
    ("jd", "您提交了订单，请等待系统确认", "Order submitted, awaiting confirmation"),
    ("jd", "您的快件已到达【北京通州分拣中心】", "Arrived at Beijing Tongzhou Sorting Center"),
    ("jd", "您的快件在【北京通州分拣中心】分拣完成", "Sorted at Beijing Tongzhou Sorting Center"),
    (
        "jd",
        "您的快件由【北京通州分拣中心】发往【北京望京营业部】",
        "Departed Beijing Tongzhou Sorting Center, heading to Beijing Wangjing Delivery Station",
    ),
    ("jd", "配送员【李明】正在为您派件，电话：138****1234", "Courier Li Ming is out for delivery, phone 138****1234"),
    (
        "jd",
        "您的订单已到达【京东自提柜-融科资讯中心】，提货码：365421，请您在72小时内提货",
        "Arrived at JD pickup locker-Rongkezixun Center, pickup code 365421, please collect it within 72 hours",
    ),
    (
        "jd",
        "您的快件已由本人签收。感谢您在京东购物，欢迎再次光临！",
        "Signed for by the recipient. Thank you for shopping at JD, see you again!",
    ),
    (
        "ems",
        "【杭州市邮政速递物流公司】已收件，揽投员：王伟，电话：13800001234",
        "Picked up by Hangzhou China Post EMS Branch, courier Wang Wei, phone 13800001234",
    ),
    (
        "ems",
        "已离开【杭州邮件处理中心】，发往【北京邮件处理中心】",
        "Departed Hangzhou Mail Processing Center, heading to Beijing Mail Processing Center",
    ),
    (
        "ems",
        "【北京市朝阳区望京揽投部】安排投递，投递员：王伟，电话：13800001234",
        "Courier Wang Wei of Beijing Chaoyang District Wangjing Delivery Office is out for delivery, phone 13800001234",
    ),
    (
        "ems",
        "您的邮件已投递至【南京鼓楼区中国邮政智能包裹柜】，开箱码：62815394，请及时领取。投递员：王强，电话：11183",
        "Delivered to China Post parcel locker, Gulou District, Nanjing, pickup code 62815394, please collect it soon. Courier Wang Qiang, phone 11183",
    ),
    ("ems", "已签收，他人收：门卫，投递员：王伟", "Delivered, signed for by the gatekeeper, courier Wang Wei"),
    ("ems", "海关查验中", "Handed to customs for inspection"),
    ("ems", "清关完成", "Cleared customs"),
    (
        "jtexpress",
        "【杭州市】【杭州网点】的极兔小哥正在派件",
        "[Hangzhou] A J&T courier of Hangzhou Outlet is out for delivery",
    ),
    (
        "jtexpress",
        "【上海市】【上海杨浦黄兴路网点】已取件。",
        "[Shanghai] Picked up by Shanghai Yangpu Huangxing Rd Outlet.",
    ),
    (
        "jtexpress",
        "【杭州市】您的包裹已存放至【驿站】，记得早点来取它回家！",
        "[Hangzhou] Your parcel is waiting at Station, remember to come and take it home soon!",
    ),
    (
        "cainiao",
        "【杭州市】您的快件已到达【杭州西湖区文三路菜鸟驿站】，请凭取件码6-3-1024及时取件",
        "[Hangzhou] Arrived at Cainiao Station, Wensan Rd, Xihu District, Hangzhou, collect it with pickup code 6-3-1024",
    ),
    (
        "cainiao",
        "【菜鸟驿站】您的包裹已到站，凭12-5-3021到文一路108号菜鸟驿站取件",
        "[Cainiao Station] Your parcel has arrived at the station, collect it at Cainiao Station, No. 108, Wenyi Rd with pickup code 12-5-3021",
    ),
    (
        "hivebox",
        "快件已投递到【丰巢智能柜(西溪花园店)】，取件码：28461735，请及时取件，如有疑问请联系派件员张三，电话：138****1234",
        "Delivered to Hive Box locker (Xixi Garden Store), pickup code 28461735, please collect it soon, questions? Courier Zhang San, phone 138****1234",
    ),
    (
        "zto",
        "快件派送不成功，原因：收件人电话无人接听",
        "Delivery attempt failed: the recipient did not answer the phone",
    ),
    (
        "yto",
        "因无法联系收件人，快件已安排退回寄件人",
        "Recipient unreachable; the parcel is being returned to the sender",
    ),
];

/// `(courier, English line, its Chinese)`: lines as couriers' English feeds and Kuaidi100's `lang=en`
/// write them.
const EN_LINES: &[(&str, &str, &str)] = &[
    ("sf", "[Shenzhen] Picked up by SF Express", "【深圳市】【顺丰速运】已揽收"),
    ("sf", "Arrived at Shenzhen Bao'an Transit Center", "快件已到达【深圳宝安转运中心】"),
    (
        "sf",
        "Departed Shenzhen Bao'an Transit Center, heading to Beijing Shunyi Transit Center",
        "快件离开【深圳宝安转运中心】已发往【北京顺义转运中心】",
    ),
    ("sf", "Out for delivery, courier Wang Wei, phone 138****1234", "正在派件，派件员【Wang Wei】，电话：138****1234"),
    ("sf", "Delivered, signed for by the front desk", "您的快件已由【前台】代签收"),
    (
        "yto",
        "[Hangzhou] Picked up by courier Wei Wang of Hangzhou Xihu Outlet, phone 138****1234",
        "【杭州市】【杭州西湖网点】快递员【Wei Wang】已取件，电话：138****1234",
    ),
    (
        "yto",
        "[Hangzhou] Departed Hangzhou Transit Center, heading to Xi'an Transit Center",
        "【杭州市】快件离开【杭州转运中心】已发往【西安转运中心】",
    ),
    ("yto", "[Xi'an] Arrived at Xi'an Transit Center", "【西安市】快件已到达【西安转运中心】"),
    (
        "zto",
        "[Beijing] Courier Li Ming of Beijing Chaoyang Outlet is out for delivery, phone 139****5678",
        "【北京市】【北京朝阳网点】的派件员【Li Ming】正在派件，电话：139****5678",
    ),
    (
        "zto",
        "Delivered and signed for by the recipient. Questions? Courier Li Ming, phone 139****5678",
        "您的快件已签收，签收人：本人。如有疑问请联系派件员【Li Ming】，电话：139****5678",
    ),
    ("sto", "In transit", "运输中"),
    (
        "sto",
        "Arrived at Nanjing Jiangning Transit Center, getting ready for delivery",
        "快件已到达【南京江宁转运中心】，准备派送",
    ),
    (
        "yunda",
        "[Chengdu] Delivery attempt failed: nobody at home, rescheduled. Courier Tao Chen, phone 151****6441",
        "【成都市】快件派送不成功，原因：收件人不在家，已预约改日派送。派件员【Tao Chen】，电话：151****6441",
    ),
    ("yunda", "Refused by the recipient", "快件已被收件人拒签"),
    ("jd", "Order submitted, awaiting confirmation", "您提交了订单，请等待系统确认"),
    ("jd", "Sorted at Beijing Tongzhou Sorting Center", "快件在【北京通州分拣中心】分拣完成"),
    (
        "jd",
        "Delivered to JD pickup locker, Renmin Rd, pickup code 365421; please collect it soon",
        "快件已投递至【人民路京东自提柜】，取件码：365421，请及时取件",
    ),
    (
        "ems",
        "[Beijing] Arrived at Beijing Capital Airport International Mail Exchange, awaiting customs clearance",
        "【北京市】快件已到达【北京首都机场国际邮件互换局】，等待清关",
    ),
    (
        "ems",
        "[Beijing] Cleared customs, left Beijing Capital Airport International Mail Exchange",
        "【北京市】快件已清关，快件离开【北京首都机场国际邮件互换局】",
    ),
    ("ems", "Customs clearance in progress", "快件清关中"),
    ("ems", "Handed over to the airline", "已交航空公司运输"),
    (
        "jtexpress",
        "[Hangzhou] Your parcel is waiting at Cainiao Station, Wensan Rd, Xihu; pickup code 6-3-1024, please collect it soon",
        "【杭州市】您的包裹已存放至【西湖区文三路菜鸟驿站】，取件码：6-3-1024，请及时取件",
    ),
    ("jtexpress", "Returned parcel signed for by the sender", "退回件已由寄件人签收"),
    (
        "cainiao",
        "Still not collected from Cainiao Station, Renmin Rd, Yanta; pickup code 12-5-3021, please collect it soon",
        "您的快件在【雁塔区人民路菜鸟驿站】超时未取，取件码：12-5-3021，请及时取件",
    ),
    (
        "hivebox",
        "Delivered to the Hive Box locker. Pick-up code: 28461735",
        "快件已投递至【丰巢智能柜】。取件码：28461735",
    ),
    (
        "hivebox",
        "Collected from Hive Box locker (Renmin Rd) and signed for. Thank you",
        "您的快件已从【丰巢智能柜(人民路)】取出签收。感谢使用",
    ),
    ("intl", "Shipment information received", "已下单"),
    ("intl", "Arrived in the destination country", "已到达目的地国家"),
    (
        "intl",
        "Customs exception: more declaration documents needed, watch for a text message",
        "清关异常：需补充申报资料，请留意短信通知",
    ),
];

fn check_table(table: &[(&str, &str, &str)], from: Lang, to: Lang) {
    let mut couriers: Vec<&str> = table.iter().map(|(courier, ..)| *courier).collect();
    couriers.dedup();
    assert!(couriers.len() >= 8, "{couriers:?}");
    let mut wrong = Vec::new();
    for (courier, line, expected) in table {
        let shown = text(line, Some(from), to);
        if shown.text != *expected || shown.original {
            wrong.push(format!("{courier}: {line}\n    expected {expected}\n    found    {}", shown.text));
        }
        assert_eq!(digit_runs(&shown.text), digit_runs(line), "{line}");
        let code = |text: &str| pickup_code(text).map(|found| found.code);
        assert_eq!(code(&shown.text), code(line), "{line} → {}", shown.text);
        assert_eq!(script_of(&shown.text) == Lang::Zh, to == Lang::Zh || shown.text.chars().any(places::is_cjk));
    }
    assert!(wrong.is_empty(), "{} of {} lines:\n{}", wrong.len(), table.len(), wrong.join("\n"));
}

#[test]
fn real_chinese_lines_of_many_couriers_read_in_english() {
    check_table(ZH_LINES, Lang::Zh, Lang::En);
    for (_, _, english) in ZH_LINES {
        assert!(!english.chars().any(places::is_cjk), "{english}");
    }
}

#[test]
fn real_english_lines_of_many_couriers_read_in_chinese() {
    check_table(EN_LINES, Lang::En, Lang::Zh);
}

#[test]
fn the_table_has_forty_phrases_or_more_whose_ways_agree_on_their_slots() {
    assert!(phrase_count() >= 40, "{}", phrase_count());
    for phrase in phrases::PHRASES {
        let slots: Vec<_> = phrase
            .zh
            .iter()
            .map(|source| Template::parse(source, Lang::Zh).slots())
            .chain(phrase.en.iter().map(|source| Template::parse(source, Lang::En).slots()))
            .collect();
        assert!(slots.windows(2).all(|pair| pair[0] == pair[1]), "{phrase:?}: {slots:?}");
        assert!(!phrase.zh.is_empty() && !phrase.en.is_empty());
    }
}

#[test]
fn nothing_is_translated_for_a_reader_of_the_answers_language() {
    let zh = "【杭州市】快件到达【杭州转运中心】";
    assert_eq!(text(zh, Some(Lang::Zh), Lang::Zh), Text { text: zh.into(), original: false, complete: true });
    let en = "[Hangzhou] Arrived at Hangzhou Transit Center";
    assert_eq!(text(en, Some(Lang::En), Lang::En).text, en);
    // A line Kuaidi100 left in Chinese in an English answer is still translated for English readers;
    // Latin text in a Chinese answer stays as it is for Chinese readers.
    assert_eq!(text(zh, Some(Lang::En), Lang::En).text, "[Hangzhou] Arrived at Hangzhou Transit Center");
    assert_eq!(text("YT9693083639795 SIGNED", Some(Lang::Zh), Lang::Zh).text, "YT9693083639795 SIGNED");
    // Unknown language: the script tells.
    assert_eq!(text(zh, None, Lang::Zh).text, zh);
    assert_eq!(text(zh, None, Lang::En).text, "[Hangzhou] Arrived at Hangzhou Transit Center");
}

#[test]
fn a_line_no_phrase_covers_is_shown_as_received_and_marked() {
    let odd = "【杭州市】快递小哥今天休息，明天见138****1234";
    let shown = text(odd, Some(Lang::Zh), Lang::En);
    assert_eq!((shown.text.as_str(), shown.original, shown.complete), (odd, true, false));
    let odd = "The parcel is having a nice day in Hangzhou";
    assert!(text(odd, Some(Lang::En), Lang::Zh).original);
}

#[test]
fn a_lines_place_comes_in_the_readers_script() {
    let line: TraceLine = serde_json::from_value(serde_json::json!({
        "time": "2026-12-02 03:35:00", "ftime": "2026-12-02 03:35:00",
        "context": "【西安市】快件到达【西安转运中心】",
        "areaCode": "CN610113000000", "areaName": "陕西,西安市,雁塔区",
        "location": "陕西省 西安市 雁塔区", "areaPinYin": "yan ta qu"
    }))
    .expect("a line");
    let english = super::line(&line, Some(Lang::Zh), Lang::En);
    assert_eq!(english.place.as_deref(), Some("Yanta District, Xi'an, Shaanxi"));
    assert_eq!(english.context, "[Xi'an] Arrived at Xi'an Transit Center");
    let chinese = super::line(&line, Some(Lang::Zh), Lang::Zh);
    assert_eq!(chinese.place.as_deref(), Some("陕西省 西安市 雁塔区"));
    assert_eq!(place_name("文三路菜鸟驿站", Lang::En), "Cainiao Station, Wensan Rd");
}

/// Every line of 200 whole parcel lives in each language, across couriers: the share fully rendered
/// in the other language, and no line that loses a digit, a masked phone or a pickup code.
#[test]
fn the_simulators_lines_read_in_the_other_language() {
    let anchor = DateTime::from_timestamp(1_714_528_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let couriers = ["yuantong", "zhongtong", "shentong", "yunda", "shunfeng", "jd", "ems", "jtexpress"];
    let (mut lines, mut full) = ([0usize; 2], [0usize; 2]);
    let mut missed: Vec<String> = Vec::new();
    for i in 0..200u64 {
        let com = couriers[i as usize % couriers.len()];
        // Every fifth number international-looking, so customs lines are many.
        let num = if i % 5 == 0 {
            format!("EA{:09}CN", 100_000_000 + i * 7_919)
        } else {
            format!("YT{:013}", 7_300_000_000_000u64 + i * 7_919)
        };
        let parcel = Parcel::generate(com, &num, anchor + Duration::minutes(i as i64 * 97));
        for event in &parcel.events {
            for (side, (line, to)) in
                [(&event.context_zh, Lang::En), (&event.context_en, Lang::Zh)].into_iter().enumerate()
            {
                let from = if to == Lang::En { Lang::Zh } else { Lang::En };
                let shown = text(line, Some(from), to);
                lines[side] += 1;
                if shown.complete && !shown.original {
                    full[side] += 1;
                } else if missed.len() < 20 {
                    missed.push(format!("{line} → {}", shown.text));
                }
                assert_eq!(digit_runs(&shown.text), digit_runs(line), "{line} → {}", shown.text);
                let code = |text: &str| pickup_code(text).map(|found| found.code);
                assert_eq!(code(&shown.text), event.pickup_code, "{line} → {}", shown.text);
                if to == Lang::En && shown.complete {
                    assert!(!shown.text.chars().any(places::is_cjk), "{line} → {}", shown.text);
                }
            }
        }
    }
    let share = |side: usize| full[side] as f64 / lines[side] as f64;
    println!(
        "simulator lines, 200 parcels: zh→en {}/{} = {:.1}%, en→zh {}/{} = {:.1}%, {} phrases",
        full[0],
        lines[0],
        share(0) * 100.0,
        full[1],
        lines[1],
        share(1) * 100.0,
        phrase_count()
    );
    for line in &missed {
        println!("  not fully rendered: {line}");
    }
    assert!(share(0) >= 0.95 && share(1) >= 0.95, "{full:?} of {lines:?}");
}
