//! Tracking numbers out of real-shaped texts: shop messages (Taobao, Tmall, JD, Pinduoduo, Douyin),
//! courier SMS, Cainiao and 丰巢 locker SMS, English shop e-mails and texts without a number. Each row
//! says which numbers (with which courier hint) and which phone tail the text must yield; the table
//! must pass whole, and `extraction_precision_and_recall` prints the figures over it.

use kuaidi_bot::input::{Extracted, extract};

/// A text, the numbers it holds with the courier code each must be hinted with, the phone tail.
type Row = (&'static str, &'static [(&'static str, Option<&'static str>)], Option<&'static str>);

const YTO: Option<&str> = Some("yuantong");
const SF: Option<&str> = Some("shunfeng");
const ZTO: Option<&str> = Some("zhongtong");
const STO: Option<&str> = Some("shentong");
const YUNDA: Option<&str> = Some("yunda");
const JD: Option<&str> = Some("jd");
const JT: Option<&str> = Some("jtexpress");
const EMS: Option<&str> = Some("ems");

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Taobao and Tmall.
    ("【淘宝】您的包裹已发货，圆通速递 YT9693083639795，点击查看", &[("YT9693083639795", YTO)], None),
    ("【淘宝】亲，您购买的宝贝已发货，中通快递单号：73100012345678，订单号：3719282736152837465", &[("73100012345678", ZTO)], None),
    ("【天猫】您的订单 2398475610293847561 已由顺丰速运发出，运单号 SF1402938475612，收货人手机尾号5678", &[("SF1402938475612", SF)], Some("5678")),
    ("淘宝订单编号:1928374650192837465 物流公司:韵达快递 运单号码:312345678901234", &[("312345678901234", YUNDA)], None),
    ("【天猫超市】您的包裹已由申通快递揽收，快递单号773012345678901，实付¥128.50", &[("773012345678901", STO)], None),
    ("亲，宝贝已经发出啦～ 快递：圆通 单号：YT8812345678901 有问题联系客服 4001234567", &[("YT8812345678901", YTO)], None),
    ("【淘宝】您的退货已签收，退款金额 ¥1299 元，退款单号 20241105123456789012", &[], None),
    ("【淘宝】提醒：订单 3719282736152837465 未付款，点击 https://m.tb.cn/h.5ABCDE12345678 支付", &[], None),
    // JD.
    ("【京东】您的订单已出库，京东物流 JDVA12345678901，配送员电话 13812345678", &[("JDVA12345678901", JD)], Some("5678")),
    ("【京东】您购买的商品已由京东快递发出，运单号JDAZ09876543210，查看 https://jd.com/t/JDAZ09876543210", &[("JDAZ09876543210", JD)], None),
    ("京东订单号：289374651029 已发货，JDVB11122233344", &[("JDVB11122233344", JD)], None),
    ("【京东】订单285647382910已完成，金额￥3599.00", &[], None),
    // Pinduoduo.
    ("【拼多多】您的商品已发货，快递公司：极兔速递，运单号：JT5012345678901，订单编号：231105-123456789012345", &[("JT5012345678901", JT)], None),
    ("拼多多：亲，您的包裹 韵达快递 432109876543210 已发出，订单号 231105-567890123456789", &[("432109876543210", YUNDA)], None),
    ("【拼多多】商家已发货 中通 78123456789012 收件人 138****1234", &[("78123456789012", ZTO)], Some("1234")),
    // Douyin.
    ("【抖音电商】您购买的商品已发货，快递公司：韵达快递，快递单号：312345678901234", &[("312345678901234", YUNDA)], None),
    ("【抖音商城】订单号6928374650192837465已发货，物流单号YT7712345678901", &[("YT7712345678901", YTO)], None),
    ("抖音小店：您的快递 申通 773098765432101 预计 2024-11-08 送达", &[("773098765432101", STO)], None),
    // Courier SMS.
    ("【中通快递】您的快递78123456789012已到达杭州转运中心，快递员王师傅 13912345678", &[("78123456789012", ZTO)], Some("5678")),
    ("【顺丰速运】您的快件SF1234567890123已由快递员张三（电话13700001111）取件", &[("SF1234567890123", SF)], Some("1111")),
    ("【圆通速递】YT9693083639795 正在派送中，派件员：李四 15800002222", &[("YT9693083639795", YTO)], Some("2222")),
    ("【韵达快递】您的包裹 312345678901234 已签收，签收时间 2024-11-05 14:30", &[("312345678901234", YUNDA)], None),
    ("【申通快递】尊敬的客户，您的快件773012345678901已发出，收件人手机尾号：0000", &[("773012345678901", STO)], Some("0000")),
    ("【EMS】您的邮件1123456789012已投递，如有疑问请致电11183", &[("1123456789012", EMS)], None),
    ("【极兔速递】您的包裹JT0001234567890正在派送，快递员电话 17700003333", &[("JT0001234567890", JT)], Some("3333")),
    ("【顺丰速运】顺丰 SF1500000000001 将于今天 18:00 前送达，收件人 139****8888", &[("SF1500000000001", SF)], Some("8888")),
    // Cainiao and 丰巢 lockers.
    ("【菜鸟驿站】您的中通快递包裹已到XX小区菜鸟驿站，取件码 8-3-2021，运单尾号5678", &[], None),
    ("【菜鸟驿站】凭取件码12345678到XX驿站取圆通快递YT1234567890123，电话 0571-88888888", &[("YT1234567890123", YTO)], None),
    ("【丰巢】您的顺丰快递SF1402938475612已存入丰巢柜，取件码87654321，请于2024-11-06 20:00前取件", &[("SF1402938475612", SF)], None),
    ("【丰巢智能柜】取件码：20241105，韵达快递 312345678901234 已放入柜中", &[("312345678901234", YUNDA)], None),
    ("【菜鸟】提货码：1234567890，您的包裹 78123456789012 到了", &[("78123456789012", None)], None),
    // Several numbers.
    ("YT9693083639795 YT9693083639788", &[("YT9693083639795", YTO), ("YT9693083639788", YTO)], None),
    ("两个包裹：圆通 YT9693083639795，顺丰 SF1234567890123", &[("YT9693083639795", YTO), ("SF1234567890123", SF)], None),
    ("YT9693083639795\nYT9693083639795\n773012345678901", &[("YT9693083639795", YTO), ("773012345678901", None)], None),
    ("中通：73100012345678、73100012345679，手机 13812341234", &[("73100012345678", ZTO), ("73100012345679", ZTO)], Some("1234")),
    // English shop e-mails.
    ("Your order #112-3456789-1234567 has shipped! Carrier: UPS, tracking number 1Z999AA10123456784.", &[("1Z999AA10123456784", Some("ups"))], None),
    ("Hi Ann, your AliExpress order 8123456789012345 is on its way via SF Express: SF1234567890123", &[("SF1234567890123", SF)], None),
    ("Order No.: 20241105123456. Total: $45.99. Tracking: EA123456789CN (China Post EMS)", &[("EA123456789CN", None)], None),
    ("Shipped with DHL, waybill 1234567890. Questions? Call +1 212 555 0100 or see https://dhl.com/track?id=1234567890", &[("1234567890", Some("dhl"))], None),
    ("Your package from Shein: tracking YT2012345678901, phone ending 5678", &[("YT2012345678901", YTO)], None),
    ("Order ID 9876543210123 total RMB 268, shipped by J&T Express JT3012345678901", &[("JT3012345678901", JT)], None),
    // No number.
    ("你好，我的快递什么时候到？", &[], None),
    ("hello", &[], None),
    ("【淘宝】您关注的宝贝降价啦，原价¥199，现价¥99，点击 https://m.tb.cn/h.gH1234567890 查看", &[], None),
    ("订单号：3719282736152837465，请问什么时候发货", &[], None),
    ("【验证码】您的验证码是 123456，5分钟内有效", &[], None),
    ("明天下午三点 2024年11月5日 14:30 到付 25元", &[], None),
    ("我的手机号 13812345678，麻烦查一下", &[], Some("5678")),
];

fn found(extracted: &Extracted) -> Vec<(String, Option<&'static str>)> {
    extracted.numbers.iter().map(|f| (f.number.as_str().to_owned(), f.courier.map(|c| c.code))).collect()
}

fn expected(row: &Row) -> Vec<(String, Option<&'static str>)> {
    row.1.iter().map(|&(number, code)| (number.to_owned(), code)).collect()
}

#[test]
fn the_table_has_at_least_forty_texts() {
    assert!(TABLE.len() >= 40, "{}", TABLE.len());
}

#[test]
fn every_text_yields_its_numbers_hints_and_phone() {
    let failures: Vec<String> = TABLE
        .iter()
        .filter_map(|row| {
            let extracted = extract(row.0);
            let got = found(&extracted);
            let phone = extracted.phone.as_ref().map(|p| p.digits().to_owned());
            let want_phone = row.2.map(str::to_owned);
            (got != expected(row) || phone != want_phone).then(|| {
                format!("{:?}\n  expected {:?} {want_phone:?}\n  got      {got:?} {phone:?}", row.0, expected(row))
            })
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn extraction_precision_and_recall() {
    let (mut right, mut taken, mut wanted, mut hinted, mut hints) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for row in TABLE {
        let got = found(&extract(row.0));
        let want = expected(row);
        taken += got.len();
        wanted += want.len();
        for (number, code) in &got {
            if let Some((_, want_code)) = want.iter().find(|(w, _)| w == number) {
                right += 1;
                hints += 1;
                hinted += usize::from(want_code == code);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(right, taken), ratio(right, wanted));
    println!(
        "extraction over {} texts: precision {precision:.3} ({right}/{taken}), recall {recall:.3} ({right}/{wanted}), courier hints right {hinted}/{hints}",
        TABLE.len()
    );
    assert!((precision - 1.0).abs() < f64::EPSILON && (recall - 1.0).abs() < f64::EPSILON && hinted == hints);
}
