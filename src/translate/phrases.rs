//! The phrases couriers write in trajectory lines, each in Chinese and in English.
//!
//! A phrase is one clause of a line (`快件到达【{p}】` / `Arrived at {p}`); a line is read as clauses
//! and the signs between them (`mod.rs`), so that `…正在派件，电话：{t}，请保持电话畅通` needs three
//! small phrases rather than one long one per courier. Each side lists the ways it is written, the first
//! being the one written out; the slots (`template.rs`) of every way of one phrase are the same, which a
//! test checks. Order matters where two phrases could cover the same words: the longer comes first.
//!
//! The wording follows real lines of SF, YTO, ZTO, STO, Yunda, JD, EMS, J&T, Cainiao and the locker
//! brands (see the tests in `mod.rs`), and every line the simulator writes (`sandbox/parcel.rs`).

/// One phrase: the ways it is written in Chinese, and in English.
#[derive(Debug, Clone, Copy)]
pub struct Phrase {
    pub zh: &'static [&'static str],
    pub en: &'static [&'static str],
}

const fn phrase(zh: &'static [&'static str], en: &'static [&'static str]) -> Phrase {
    Phrase { zh, en }
}

/// The labels a pickup code comes after.
macro_rules! code_label {
    () => {
        "<取件码|取货码|提货码|开箱码|取件号|提件码|取件密码>"
    };
}

pub const PHRASES: &[Phrase] = &[
    // Picked up.
    phrase(&["境外快件已交寄，海外合作方已揽收"], &["International parcel accepted from the overseas sender"]),
    phrase(
        &["【{p}】（{t}）的{n}（{t2}）已<揽收|收件|取件>", "【{p}】({t})的{n}({t2})已<揽收|收件|取件>"],
        &["Picked up by courier {n} ({t2}) of {p} ({t})"],
    ),
    phrase(
        &[
            "【{p}】快递员【{n}】已取件",
            "【{p}】<的|><快递员|收件员|揽收员|揽投员|业务员>【{n}】已<取件|收件|揽收|揽件>",
            "【{p}】<的|><快递员|收件员|揽收员|揽投员|业务员>{n}已<取件|收件|揽收|揽件>",
        ],
        &["Picked up by courier {n} of {p}"],
    ),
    phrase(
        &[
            "【{p}】已揽收",
            "【{p}】<-|>已<收件|取件|揽件|收取快件>",
            "<您的|>快件已由【{p}】揽收",
            "{p}已收取快件",
            "{p}已揽收",
        ],
        &["Picked up by {p}", "Picked up at {p}", "Shipment picked up by {p}"],
    ),
    phrase(
        &["已揽收", "<快件|您的快件|包裹|>已<揽收|收件|取件|揽件|收取快件>", "揽收成功", "快递员已<揽件|取件>"],
        &["Picked up", "Shipment picked up", "Parcel picked up"],
    ),
    phrase(&["您提交了订单，请等待系统确认", "您提交了订单"], &["Order submitted, awaiting confirmation"]),
    phrase(
        &["等待揽收", "商家正在通知快递公司揽件", "<包裹|快件>正在等待揽收", "<包裹|快件>等待揽收"],
        &["Waiting to be picked up", "Awaiting pickup"],
    ),
    phrase(
        &["卖家已发货", "商家已发货", "<您的|>订单已出库", "<您的|>包裹已出库", "<您的|>订单已发货"],
        &["Shipped by the seller", "Dispatched by the seller"],
    ),
    phrase(&["已下单", "快递公司已收到订单信息", "已生成运单"], &["Shipment information received", "Label created"]),
    // Line-haul.
    phrase(
        &[
            "快件离开【{p}】已发往【{p2}】",
            "<快件|您的快件|>离开【{p}】<，|>已发往【{p2}】",
            "【{p}】已发出<，|>下一站【{p2}】",
            "从【{p}】发出，本次转运目的地：【{p2}】",
            "<您的快件|快件|>由【{p}】发往【{p2}】",
            "快件在【{p}】<完成分拣|已装车|已发车>，准备发往【{p2}】",
            "<快件|>已离开【{p}】，<已|>发往【{p2}】",
            "快件已从【{p}】发出，<准备|>发往【{p2}】",
        ],
        &["Departed {p}, heading to {p2}", "Departed {p} for {p2}", "Left {p}, heading to {p2}"],
    ),
    phrase(
        &["快件离开【{p}】", "【{p}】已发出", "<快件|>已离开【{p}】", "<快件|><已|>从【{p}】发出", "离开【{p}】"],
        &["Departed {p}", "Left {p}", "Departed from {p}"],
    ),
    phrase(
        &[
            "快件已到达【{p}】",
            "<快件|您的快件|您的包裹|包裹|您的订单|订单|>已<经|>到达【{p}】",
            "<快件|您的快件|>到达【{p}】",
            "【{p}】已<收入|到达>",
            "<快件|您的快件|>已<到|抵达>【{p}】",
        ],
        &["Arrived at {p}", "Arrived at facility {p}", "Reached {p}"],
    ),
    phrase(
        &["快件在【{p}】分拣完成", "<您的快件|快件>在【{p}】<分拣完成|完成分拣>", "【{p}】已分拣"],
        &["Sorted at {p}", "Sorting completed at {p}"],
    ),
    phrase(&["下一站【{p}】", "下一站：【{p}】", "下一站{p}"], &["next stop {p}", "next stop: {p}"]),
    phrase(&["扫描员是【{n}】", "扫描员：{n}", "扫描员【{n}】"], &["scanned by {n}"]),
    phrase(
        &["运输中", "<快件|您的快件|>正在运输途中", "<快件|>运输中", "<快件|>在途中", "快件已发车", "已发车"],
        &["In transit", "On its way"],
    ),
    phrase(&["快件已装车", "已装车"], &["Loaded onto a truck"]),
    phrase(&["已交航空公司运输", "航班已起飞", "快件已登机"], &["Handed over to the airline", "Flight departed"]),
    phrase(&["等待清关"], &["awaiting customs clearance"]),
    phrase(
        &["准备派送", "即将派送", "等待派送", "正在安排派送"],
        &["getting ready for delivery", "ready for delivery", "awaiting delivery"],
    ),
    // Out for delivery.
    phrase(&["【{p}】的极兔小哥正在派件"], &["A J&T courier of {p} is out for delivery"]),
    phrase(
        &["【{p}】<的|>{n}（{t2}）正在第{t}次派件", "【{p}】<的|>{n}({t2})正在第{t}次派件"],
        &["Courier {n} ({t2}) of {p} is out for delivery (attempt {t})"],
    ),
    phrase(
        &["【{p}】<的|><派件员|派送员|快递员|配送员|>{n}正在第{t}次派件"],
        &["Courier {n} of {p} is out for delivery (attempt {t})"],
    ),
    phrase(
        &["【{p}】的<派件员|派送员|快递员|配送员>【{n}，{t}】正在<派件|派送>"],
        &["Courier {n} ({t}) of {p} is out for delivery"],
    ),
    phrase(
        &[
            "【{p}】的派件员【{n}】正在派件",
            "【{p}】<的|><派件员|派送员|快递员|配送员>【{n}】正在<为您|><派件|派送>",
            "【{p}】<的|><派件员|派送员|快递员|配送员>{n}正在<为您|><派件|派送>",
            "【{p}】派件人<：|>{n}<派件中|正在派件>",
            "【{p}】安排投递，投递员<：|>{n}",
        ],
        &["Courier {n} of {p} is out for delivery"],
    ),
    phrase(
        &[
            "派件员【{n}】正在为您派件",
            "<派件员|派送员|快递员|配送员|投递员>【{n}】正在<为您|><派件|派送|投递>",
            "<派件员|派送员|快递员|配送员|投递员>{n}正在<为您|><派件|派送|投递>",
            "快件交给{n}，正在派送途中",
        ],
        &["Courier {n} is out for delivery", "Out for delivery with courier {n}"],
    ),
    phrase(
        &[
            "正在派件",
            "<快件|您的快件|您的订单|>正在<为您|><派件|派送|配送>",
            "<快件|您的快件|>派送中",
            "派件中",
            "<您的订单|快件>正在配送途中",
            "快件已安排派送",
        ],
        &["Out for delivery", "Being delivered", "On vehicle for delivery"],
    ),
    phrase(
        &[
            "电话：{t}",
            "<联系|派件员|快递员|投递员|配送员|>电话<：|>{t}",
            "<手机|手机号|联系方式><：|>{t}",
            "<派件员|快递员|>电话：（{t}）",
        ],
        &["phone {t}", "tel. {t}", "phone: {t}"],
    ),
    phrase(
        &["请保持电话畅通", "请<您|>保持<电话|手机>畅通"],
        &["please keep your phone on", "please keep your phone reachable"],
    ),
    phrase(&["并耐心等待", "请耐心等待"], &["please be patient"]),
    phrase(&["请<您|>准备签收"], &["please be ready to sign for it"]),
    phrase(
        &["如有疑问请联系派件员【{n}】", "<如有疑问|有问题|如有问题>请联系<派件员|快递员|配送员|投递员><【|>{n}<】|>"],
        &["Questions? Courier {n}", "Questions? Contact courier {n}"],
    ),
    phrase(
        &[
            "如有疑问请联系：{t}",
            "<如有疑问|有疑问|有问题|如有问题><请|><联系|电联|拨打|致电><：|>（{t}）",
            "<如有疑问|有疑问|有问题|如有问题><请|><联系|电联|拨打|致电><：|>{t}",
        ],
        &["Questions? Call {t}", "For questions call {t}"],
    ),
    phrase(&["投诉电话：{t}", "投诉电话<：|>（{t}）"], &["complaints {t}", "complaints line {t}"]),
    phrase(
        &[
            "派件员【{n}】",
            "<派件员|快递员|投递员|揽投员|配送员|派送员><：|>【{n}】",
            "<派件员|快递员|投递员|揽投员|配送员|派送员><：|>{n}",
        ],
        &["Courier {n}", "courier: {n}"],
    ),
    phrase(&["工号：{t}", "工号{t}"], &["staff no. {t}"]),
    phrase(&["订单号：{t}", "订单号{t}"], &["order no. {t}"]),
    phrase(&["运单号：{t}", "运单号{t}"], &["tracking number {t}"]),
    // Delivered.
    phrase(
        &["您的快件已签收，签收人：{w}（派件异常后签收）"],
        &["Delivered and signed for by {w} after an earlier failed attempt"],
    ),
    phrase(&["已签收，签收人凭取货码签收"], &["Delivered, signed for with the pickup code"]),
    phrase(
        &[
            "您的快件已签收，签收人：{w}",
            "<您的快件|快件|>已签收，签收人<是|为|><：|>【{w}】",
            "<您的快件|快件|>已签收，签收人<是|为|><：|>{w}",
            "客户签收人<：|>{w}已签收",
        ],
        &["Delivered and signed for by {w}"],
    ),
    phrase(
        &[
            "您的快件已由【{w}】代签收",
            "<您的快件|快件|>已由<【|>{w}<】|>代<签收|收>",
            "<已签收，|>他人收<：|>{w}",
            "代签收人<：|>{w}",
        ],
        &["Delivered, signed for by {w}", "Signed for on the recipient's behalf by {w}"],
    ),
    phrase(
        &["签收人：{w}", "签收人<是|为|><：|>【{w}】", "签收人<是|为|><：|>{w}"],
        &["signed for by {w}", "Signed by {w}"],
    ),
    phrase(&["快件已在【{p}】签收", "<您的快件|快件|>已在【{p}】签收"], &["Signed for at {p}"]),
    phrase(
        &["您的快件已由本人签收", "快件已由本人签收", "<已|>本人签收"],
        &["Signed for by the recipient", "Delivered to the recipient in person"],
    ),
    phrase(
        &["已签收", "<您的快件|快件|您的快递|快递|>已<经|>妥投", "<您的快件|快件|>已签收", "投递并签收"],
        &["Delivered", "Signed for"],
    ),
    phrase(
        &["感谢使用{p}，期待再次为您服务", "感谢<您|>使用{p}，期待再次为您服务", "感谢<您|>使用{p}"],
        &["Thank you for choosing {p}"],
    ),
    phrase(&["感谢使用", "感谢您的使用", "期待再次为您服务"], &["Thank you", "Thanks"]),
    phrase(&["感谢您在京东购物"], &["thank you for shopping at JD"]),
    phrase(&["欢迎再次光临"], &["see you again"]),
    // Stations and lockers.
    phrase(
        &["您的快件已被{p}【{p2}】代收", "<您的快件|快件|您的订单>已<被|由>{p}【{p2}】代收"],
        &["Your parcel is waiting at {p} ({p2})"],
    ),
    phrase(
        &[
            "您的包裹已存放至【{p}】",
            "<您的包裹|您的快件|快件|包裹|您的订单>已<存放至|存放在|放入|存入|存放到>【{p}】",
            "<您的包裹|您的快件|快件|包裹|您的订单>已<存放至|存放在|放入|存入|存放到>{p}",
            "<您的快件|快件|您的订单|包裹>已<被|由>【{p}】代收",
            "<您的快件|快件|您的订单|包裹>已<被|由>{p}代收",
        ],
        &["Your parcel is waiting at {p}", "Available for pickup at {p}", "Stored at {p}"],
    ),
    phrase(
        &[
            "快件已投递至【{p}】",
            "<您的快件|快件|您的邮件|邮件|您的EMS快件|包裹>已<投递至|投递到|派送至|送达>【{p}】",
            "<您的快件|快件|您的邮件|邮件|您的EMS快件|包裹>已<投递至|投递到|派送至|送达>{p}",
        ],
        &["Delivered to {p}", "Dropped off at {p}"],
    ),
    phrase(
        &["您的快件已从【{p}】取出签收", "<您的快件|快件>已从【{p}】取出<签收|>", "已从【{p}】取件"],
        &["Collected from {p} and signed for", "Collected from {p}"],
    ),
    phrase(
        &["您的快件在【{p}】超时未取", "<您的快件|快件|您的包裹|包裹>在<【|>{p}<】|><超时未取|滞留|已滞留>"],
        &["Still not collected from {p}", "Not yet collected from {p}"],
    ),
    phrase(&["<请|>凭<取件码|>{t}到{p}取件"], &["collect it at {p} with pickup code {t}"]),
    phrase(
        &[
            concat!("请凭", code_label!(), "{t}及时取件"),
            concat!("<请|>凭", code_label!(), "<：|>{t}<及时|尽快|>取件"),
            concat!("<请|>凭", code_label!(), "<：|>{t}<及时|尽快|><提货|领取>"),
        ],
        &["collect it with pickup code {t}", "use pickup code {t} to collect it"],
    ),
    phrase(
        &[
            concat!(code_label!(), "：{t}"),
            concat!(code_label!(), "<：|为|是|>【{t}】"),
            concat!(code_label!(), "<：|为|是|>{t}"),
        ],
        &["pickup code {t}", "pickup code: {t}", "pick-up code: {t}", "pick-up code {t}", "collection code {t}"],
    ),
    phrase(
        &["请及时取件", "请<您|><及时|尽快><取件|领取|取走|来取>"],
        &["please collect it soon", "please pick it up soon", "please collect it promptly"],
    ),
    phrase(&["记得早点来取它回家"], &["remember to come and take it home soon"]),
    phrase(&["请于{t}前取件", "请<在|于>{t}前<取件|提货|领取>"], &["please collect it before {t}"]),
    phrase(&["请在{t}小时内取件", "请<您|><在|>{t}小时内<取件|提货|领取>"], &["please collect it within {t} hours"]),
    phrase(&["营业时间{t}", "营业时间：{t}"], &["open {t}", "opening hours {t}"]),
    phrase(&["您的包裹已到站", "<包裹|快件>已到站"], &["Your parcel has arrived at the station"]),
    phrase(&["已签收入库", "已入库"], &["received into storage"]),
    // Problems.
    phrase(
        &[
            "快件派送不成功，原因：{r}",
            "<快件|>派送<不成功|失败>，<原因：|>{r}",
            "<派件异常|投递失败|未妥投>，原因：{r}",
        ],
        &["Delivery attempt failed: {r}", "Delivery failed: {r}"],
    ),
    phrase(
        &["快件派送不成功", "<快件|>派送<不成功|失败>", "投递失败", "未妥投", "派件异常"],
        &["Delivery attempt failed", "Delivery failed"],
    ),
    phrase(
        &["快件已被收件人拒签", "<快件已被|快件被|>收件人<拒签|拒收>", "客户拒收", "快件被拒收"],
        &["Refused by the recipient", "Rejected by the recipient"],
    ),
    phrase(&["快件已转寄至【{p}】", "<快件|>已<转寄至|转投|转投至>【{p}】"], &["Forwarded to {p}"]),
    phrase(&["快件已转寄", "<快件|>已<转寄|转投>"], &["Forwarded"]),
    phrase(&["快件已转交其他快递公司派送", "转第三方派送"], &["Handed to another carrier for delivery"]),
    phrase(&["快件异常", "包裹异常"], &["Problem with the parcel"]),
    phrase(&["请留意短信通知", "请<留意|注意查收>短信<通知|>"], &["watch for a text message", "watch for an SMS"]),
    phrase(&["如有疑问请联系客服", "<如有疑问|如有问题|有疑问>请联系客服"], &["Questions? Contact customer service"]),
    // Returns.
    phrase(
        &["因无法联系收件人，快件已安排退回寄件人"],
        &["Recipient unreachable; the parcel is being returned to the sender"],
    ),
    phrase(
        &["退回件离开【{p}】已发往【{p2}】", "<退回件|退件>离开【{p}】<已|>发往【{p2}】"],
        &["Returned parcel departed {p}, heading to {p2}"],
    ),
    phrase(&["退回件到达【{p}】", "<退回件|退件><已|>到达【{p}】"], &["Returned parcel arrived at {p}"]),
    phrase(
        &["退回件已由寄件人签收", "<退回件|退件>已签收", "寄件人已签收退件"],
        &["Returned parcel signed for by the sender", "Return signed for by the sender"],
    ),
    phrase(
        &[
            "快件已安排退回寄件人",
            "<快件|包裹|>已退回<寄件人|>",
            "快件<退回中|正在退回>",
            "退回寄件人",
            "<快件|>已退件",
        ],
        &["Being returned to the sender", "Returned to sender", "Return to sender"],
    ),
    // Customs.
    phrase(
        &["快件已交海关查验", "<快件|>已交海关查验", "<快件|>海关查验中", "海关查验"],
        &["Handed to customs for inspection", "Under customs inspection"],
    ),
    phrase(
        &["快件清关中", "<进口|海关|>清关中", "<快件|>正在清关"],
        &["Customs clearance in progress", "Clearing customs"],
    ),
    phrase(&["清关异常：{r}", "<清关|海关>异常<：|，>{r}"], &["Customs exception: {r}"]),
    phrase(&["清关异常", "海关扣留", "海关扣件", "清关失败"], &["Customs exception", "Held by customs"]),
    phrase(
        &["快件已清关", "<快件|>已清关", "清关完成", "<海关|快件><已|>放行", "清关成功"],
        &["Cleared customs", "Customs clearance completed", "Released by customs"],
    ),
    phrase(&["快件已到达海关监管区", "<快件|>已到达海关监管区"], &["Arrived at the customs area"]),
    phrase(&["出口报关中", "出口清关中"], &["Export customs clearance in progress"]),
    phrase(&["出口报关完成", "已完成出口报关", "出口清关完成"], &["Export customs cleared"]),
    phrase(&["已到达目的地国家", "到达目的国", "已到达寄达国"], &["Arrived in the destination country"]),
    phrase(&["已离开始发国", "离开原寄国"], &["Departed the origin country"]),
    phrase(&["需缴纳关税", "请缴纳关税", "待缴税"], &["Customs duty to be paid"]),
    // The couriers' own boilerplate.
    phrase(
        &["顺丰已开启“安全呼叫”保护您的电话隐私", "顺丰已开启\"安全呼叫\"保护您的电话隐私"],
        &["SF protects your number with secure calling"],
    ),
    phrase(&["请放心接听", "请您放心接听"], &["it is safe to answer"]),
    phrase(&["{t}为中通快递员外呼专属号码"], &["{t} is the number ZTO couriers call from"]),
    phrase(&["风里来雨里去，只为客官您满意"], &["through wind and rain, all for your satisfaction"]),
    phrase(&["上有老下有小，赏个好评好不好"], &["a good rating would mean a lot to your courier"]),
    phrase(
        &["【请在评价快递员处帮忙点亮五颗星星哦~】", "请在评价快递员处帮忙点亮五颗星星哦~"],
        &["please give your courier five stars"],
    ),
    // A reason on its own, last: any phrase that names it comes first.
    phrase(&["{r}"], &["{r}"]),
];
