//! Tracking numbers read out of any text: a pasted shop message, a forwarded courier SMS, an e-mail.
//!
//! People rarely type `/track yto YT…`; they paste what the shop or the courier sent them. This module
//! finds the tracking numbers in such a text, with the courier the text names next to each (a hint),
//! and the last 4 digits of a phone number the text shows (for the couriers that need them). It is
//! pure: no I/O, the same answer for the same text, so the chat core and the console read pasted text
//! alike and the rules can be tested on a table of real-shaped messages.
//!
//! How a text is read (after full-width folding):
//! - Candidates are maximal runs of ASCII letters and digits that pass [`tracking_number`] and look
//!   like a number: they fit a courier number shape (`couriers::patterns`), or a tracking label
//!   (运单号, tracking number …) or a courier word stands before them, or they have at least
//!   [`MIN_BARE_DIGITS`] digits and few letters. Pure words never count.
//! - Not taken, whatever their shape: phone numbers (an 11-digit mobile, parts of a masked
//!   `138****1234`, groups joined by `-` such as `0755-12345678`), numbers labelled as order numbers
//!   (订单号, 订单编号, order no. …), pickup codes (取件码, 提货码 …) or phones (电话, tel …), dates
//!   (`20241105`, `20241105143000`), amounts (`¥`, `$`, `RMB` before or `元` after, decimals), and
//!   anything inside a URL or an e-mail address.
//! - The courier hint is the courier word nearest before the number in the same sentence, resolved by
//!   [`Directory::named`] (the directory's own names and aliases, nothing fuzzy); a word whose courier
//!   fits the number's shape wins over a nearer one that does not (签收 is a courier's name too); the
//!   next number of a list (`中通：7310…、7310…`) keeps the word of the one before; without one, a number
//!   whose letter prefix fits exactly one courier's shape (`YT…`, `SF…`, `JD…`) hints that courier.
//! - The phone hint is the last 4 digits of the first full mobile, masked mobile or `尾号1234` in the
//!   text, through [`phone_tail`]; nothing more of a phone is kept.
//!
//! Numbers come in order of appearance, each once.

use super::phone::{PhoneTail, TAIL_LEN, phone_tail};
use super::tracking_number::{TrackingNumber, tracking_number};
use super::width::fold_width;
use crate::couriers::{Courier, Directory, directory};

/// A bare run of digits (no label, no courier word, no known shape) needs this many digits.
pub const MIN_BARE_DIGITS: usize = 10;
/// A bare run may have at most this many letters (`1Z…` UPS numbers have a few).
const MAX_BARE_LETTERS: usize = 4;
/// How far back (in characters) labels and courier words are looked for.
const HINT_WINDOW: usize = 24;
/// How far back a label may end before the number (after separators are trimmed).
const LABEL_WINDOW: usize = 16;
/// Longest courier name tried as a piece of Chinese text.
const MAX_NAME_CHARS: usize = 8;
/// Most consecutive Latin words tried as one courier name (`SF Express`, `China Post Parcel`).
const MAX_NAME_WORDS: usize = 3;

/// One tracking number found in a text, with the courier the text names for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundNumber {
    pub number: TrackingNumber,
    pub courier: Option<&'static Courier>,
}

/// Everything a text says about parcels: its numbers in order, and a phone's last 4 digits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    pub numbers: Vec<FoundNumber>,
    pub phone: Option<PhoneTail>,
}

/// Labels after which a number is an order number, not a tracking number (lower case).
const ORDER_LABELS: &[&str] = &[
    "订单号",
    "订单编号",
    "订单",
    "交易号",
    "交易单号",
    "商户单号",
    "支付单号",
    "流水号",
    "售后单号",
    "退款单号",
    "服务单号",
    "发票号",
    "order no",
    "order number",
    "order id",
    "order #",
    "order#",
];
/// Labels after which a number is a pickup code.
const PICKUP_LABELS: &[&str] = &[
    "取件码",
    "提货码",
    "取货码",
    "取件密码",
    "开箱码",
    "验证码",
    "取件号",
    "提货号",
    "pickup code",
    "pick-up code",
    "code",
];
/// Labels after which a number is a phone or an account.
const PHONE_LABELS: &[&str] = &["电话", "手机", "手机号", "热线", "客服", "微信", "qq", "tel", "phone", "mobile"];
/// What stands before an amount.
const AMOUNT_BEFORE: &[&str] = &["¥", "￥", "$", "rmb", "cny", "usd", "金额", "实付", "合计", "总计", "价格"];
/// What stands after an amount.
const AMOUNT_AFTER: &[&str] = &["元", "块", "rmb", "yuan", "cny"];
/// Labels that say a tracking number follows.
const TRACKING_LABELS: &[&str] = &[
    "运单号",
    "快递单号",
    "物流单号",
    "单号",
    "运单",
    "快递号",
    "tracking number",
    "tracking no",
    "tracking #",
    "tracking",
    "waybill",
    "awb",
];
/// Words before a phone's last 4 digits.
const TAIL_LABELS: &[&str] = &["尾号", "后四位", "后4位"];
/// Characters that end a sentence: labels and courier words are not looked for across them.
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '!', '?', '\n', '；', ';'];

/// What a label before a number says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Order,
    Pickup,
    Phone,
    Amount,
    Tracking,
    /// English `order` alone: an order number unless the number fits a courier's shape.
    WeakOrder,
    None,
}

/// Finds the tracking numbers and the phone hint in `text` (see the module documentation).
pub fn extract(text: &str) -> Extracted {
    let chars: Vec<char> = text.chars().map(fold_width).collect();
    let hidden = hidden_spans(&chars);
    let runs = alnum_runs(&chars);
    let mut numbers: Vec<FoundNumber> = Vec::new();
    let mut boundary = 0;
    let mut listed_courier = None;
    for (i, &(start, end)) in runs.iter().enumerate() {
        let sentence = sentence_start(&chars, start).max(boundary);
        if hidden[start] || is_grouped(&chars, &runs, i) || is_decimal_or_masked(&chars, start, end) {
            continue;
        }
        let in_list = boundary > 0 && chars[boundary..start].iter().all(|&c| is_list_separator(c));
        let inherited = if in_list { listed_courier } else { None };
        let Some((found, named)) = candidate(&chars, start, end, sentence, inherited) else { continue };
        boundary = end;
        listed_courier = named;
        if !numbers.iter().any(|known| known.number == found.number) {
            numbers.push(found);
        }
    }
    Extracted { numbers, phone: phone_hint(&chars) }
}

/// Between two numbers of one list (`中通：7310…、7310…`): the courier named for the first holds for
/// the next.
fn is_list_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '、' | ',' | '，' | '/' | '&')
}

/// The run `start..end` as a tracking number with its hint and the courier the text named for it, or
/// `None` if it is not one; `inherited` is the courier named for the number before it in the same list.
fn candidate(
    chars: &[char],
    start: usize,
    end: usize,
    sentence: usize,
    inherited: Option<&'static Courier>,
) -> Option<(FoundNumber, Option<&'static Courier>)> {
    let text: String = chars[start..end].iter().collect();
    let number = tracking_number(&text).ok()?;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let letters = text.len() - digits;
    if digits == 0 || is_mobile(&text) || is_date(&text) {
        return None;
    }
    let directory = directory();
    let shaped = directory.guess_by_number(number.as_str());
    let label = label_before(chars, start, sentence);
    let amount_after = starts_with_any(&lower(&chars[end..(end + 4).min(chars.len())]), AMOUNT_AFTER);
    match label {
        Label::Order | Label::Pickup | Label::Phone | Label::Amount => return None,
        Label::WeakOrder if shaped.is_empty() => return None,
        _ if amount_after => return None,
        _ => {}
    }
    // The nearest courier word whose courier can have a number of this shape, else the nearest one.
    let words = couriers_before(directory, chars, start, sentence);
    let fits = |courier: &&'static Courier| shaped.is_empty() || shaped.iter().any(|s| s.code == courier.code);
    let named = words.iter().copied().find(fits).or(words.first().copied()).or(inherited);
    let plausible = !shaped.is_empty()
        || (label == Label::Tracking && digits >= TAIL_LEN)
        || (named.is_some() && digits >= 6)
        || (digits >= MIN_BARE_DIGITS && letters <= MAX_BARE_LETTERS);
    if !plausible {
        return None;
    }
    let lettered = text.starts_with(|c: char| c.is_ascii_alphabetic());
    let shape_hint = match shaped.as_slice() {
        [only] if lettered => Some(*only),
        _ => None,
    };
    let courier = named.or(shape_hint);
    Some((FoundNumber { number, courier }, named))
}

/// Query keys whose value is a tracking number, lower case with `_` and `-` dropped
/// (`?nu=…` on Kuaidi100, `?waybillNo=…`, `?mailNo=…` on couriers' pages).
const LINK_KEYS: &[&str] = &[
    "nu",
    "num",
    "no",
    "number",
    "postid",
    "mailno",
    "waybill",
    "waybillno",
    "billno",
    "billcode",
    "trackingno",
    "trackingnumber",
    "expressno",
    "logisticcode",
];

/// The tracking numbers in a link (a QR code pointing at a tracking page), which [`extract`] leaves
/// alone: the value of a tracking parameter (`nu=`, `waybillNo=` …, see `LINK_KEYS`) judged as if
/// a tracking label stood before it, and any other path piece or value that starts with letters and
/// fits a courier's shape (`…/track/SF1234567890123`). Other values (ids, timestamps) are not taken
/// even when they are long digit runs: a 13-digit millisecond timestamp fits the EMS shape.
pub(crate) fn number_in_link(link: &str) -> Vec<FoundNumber> {
    let after_scheme = link.split_once("://").map_or(link, |(_, rest)| rest);
    let (path, query) = after_scheme.split_once('?').unwrap_or((after_scheme, ""));
    let query = query.split('#').next().unwrap_or_default();
    let path_pieces = path.split('/').skip(1).map(|piece| (None, piece));
    let query_pieces = query.split('&').filter_map(|pair| pair.split_once('=')).map(|(key, value)| (Some(key), value));
    let mut found: Vec<FoundNumber> = Vec::new();
    for (key, value) in path_pieces.chain(query_pieces) {
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let keyed = key.is_some_and(|key| {
            let key: String = key.chars().filter(|c| !matches!(c, '_' | '-')).collect::<String>().to_ascii_lowercase();
            LINK_KEYS.contains(&key.as_str())
        });
        let lettered = value.starts_with(|c: char| c.is_ascii_alphabetic());
        let number = if keyed {
            let chars: Vec<char> = "运单号 ".chars().chain(value.chars()).collect();
            let start = chars.len() - value.chars().count();
            candidate(&chars, start, chars.len(), 0, None)
        } else if lettered && !directory().guess_by_number(value).is_empty() {
            let chars: Vec<char> = value.chars().collect();
            candidate(&chars, 0, chars.len(), 0, None)
        } else {
            None
        };
        if let Some((number, _)) = number
            && !found.iter().any(|known| known.number == number.number)
        {
            found.push(number);
        }
    }
    found
}

/// Maximal runs of ASCII letters and digits, as `start..end` character positions.
fn alnum_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                runs.push((from, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        runs.push((from, chars.len()));
    }
    runs
}

/// For each character: is it part of a URL or an e-mail address? Those are chunks of ASCII without
/// spaces that hold `://`, start with `www.`, hold `@`, or look like `host.tld/path`.
fn hidden_spans(chars: &[char]) -> Vec<bool> {
    let mut hidden = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !is_chunk_char(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_chunk_char(chars[i]) {
            i += 1;
        }
        let chunk: String = chars[start..i].iter().collect::<String>().to_ascii_lowercase();
        if is_link(&chunk) {
            hidden[start..i].iter_mut().for_each(|h| *h = true);
        }
    }
    hidden
}

fn is_chunk_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '(' | ')' | '[' | ']')
}

fn is_link(chunk: &str) -> bool {
    if chunk.contains("://") || chunk.starts_with("www.") || chunk.contains('@') {
        return true;
    }
    let Some((host, _)) = chunk.split_once('/') else { return false };
    host.rsplit_once('.')
        .is_some_and(|(name, tld)| !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_lowercase()))
}

/// Digit groups joined by `-` (`0755-12345678`, `2024-11-05`, `6-2-3021`): phones, dates and
/// pickup codes, never one of today's tracking numbers.
fn is_grouped(chars: &[char], runs: &[(usize, usize)], i: usize) -> bool {
    let all_digits = |&(start, end): &(usize, usize)| chars[start..end].iter().all(char::is_ascii_digit);
    let joined = |left: &(usize, usize), right: &(usize, usize)| {
        right.0 == left.1 + 1 && chars.get(left.1) == Some(&'-') && all_digits(left) && all_digits(right)
    };
    let Some(run) = runs.get(i) else { return false };
    let before = i.checked_sub(1).and_then(|j| runs.get(j)).is_some_and(|left| joined(left, run));
    let after = runs.get(i + 1).is_some_and(|right| joined(run, right));
    before || after
}

/// A run next to `*` (a masked phone) or part of a decimal number (`12.50`).
fn is_decimal_or_masked(chars: &[char], start: usize, end: usize) -> bool {
    let at = |i: usize| chars.get(i).copied();
    let before = start.checked_sub(1).and_then(at);
    let before_that = start.checked_sub(2).and_then(at);
    let masked = before == Some('*') || at(end) == Some('*');
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let decimal = (before == Some('.') && digit(before_that)) || (at(end) == Some('.') && digit(at(end + 1)));
    masked || decimal
}

/// An 11-digit mobile number.
fn is_mobile(text: &str) -> bool {
    text.len() == 11 && text.starts_with('1') && text.bytes().all(|b| b.is_ascii_digit())
}

/// `yyyymmdd`, `yyyymmddhhmm` or `yyyymmddhhmmss` of this century or the last.
fn is_date(text: &str) -> bool {
    if !matches!(text.len(), 8 | 12 | 14) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let field = |from: usize| text.get(from..from + 2).and_then(|f| f.parse::<u32>().ok()).unwrap_or(99);
    matches!(&text[..2], "19" | "20") && (1..=12).contains(&field(4)) && (1..=31).contains(&field(6))
}

/// Where the sentence holding position `at` starts.
fn sentence_start(chars: &[char], at: usize) -> usize {
    chars[..at].iter().rposition(|c| SENTENCE_ENDS.contains(c)).map_or(0, |end| end + 1)
}

/// The lower-cased text of `chars`.
fn lower(chars: &[char]) -> String {
    chars.iter().collect::<String>().to_lowercase()
}

fn starts_with_any(text: &str, words: &[&str]) -> bool {
    let text = text.trim_start();
    words.iter().any(|word| text.starts_with(word))
}

fn ends_with_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|word| text.ends_with(word))
}

/// What the words right before the number (separators trimmed) say it is.
fn label_before(chars: &[char], start: usize, sentence: usize) -> Label {
    let from = start.saturating_sub(LABEL_WINDOW).max(sentence);
    let before = lower(&chars[from..start]);
    let label =
        before.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '为' | '是' | '=' | '.'));
    let amount = before.trim_end();
    if ends_with_any(amount, AMOUNT_BEFORE) || ends_with_any(label, AMOUNT_BEFORE) {
        Label::Amount
    } else if ends_with_any(label, ORDER_LABELS) {
        Label::Order
    } else if ends_with_any(label, PICKUP_LABELS) {
        Label::Pickup
    } else if ends_with_any(label, PHONE_LABELS) {
        Label::Phone
    } else if ends_with_any(label, TRACKING_LABELS) {
        Label::Tracking
    } else if label.ends_with("order") {
        Label::WeakOrder
    } else {
        Label::None
    }
}

/// The couriers named before `start` in its sentence, nearest first (one per run of words).
fn couriers_before(
    directory: &'static Directory,
    chars: &[char],
    start: usize,
    sentence: usize,
) -> Vec<&'static Courier> {
    let from = start.saturating_sub(HINT_WINDOW).max(sentence);
    let window = &chars[from..start];
    let mut named = Vec::new();
    let mut end = window.len();
    while end > 0 {
        let c = window[end - 1];
        if is_han(c) {
            let seg_start = window[..end].iter().rposition(|&c| !is_han(c)).map_or(0, |i| i + 1);
            named.extend(han_name(directory, &window[seg_start..end]));
            end = seg_start;
        } else if c.is_ascii_alphanumeric() || c == '&' {
            let seg_start = window[..end].iter().rposition(|&c| !is_latin_name_char(c)).map_or(0, |i| i + 1);
            named.extend(latin_name(directory, &window[seg_start..end]));
            end = seg_start;
        } else {
            end -= 1;
        }
    }
    named
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

fn is_latin_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '&' | ' ')
}

/// The courier a piece of Chinese text ends with a name of, the piece nearest its end first.
fn han_name(directory: &'static Directory, segment: &[char]) -> Option<&'static Courier> {
    (2..=segment.len()).rev().find_map(|end| {
        let longest = (end - 2).saturating_sub(MAX_NAME_CHARS - 2);
        (longest..=end - 2).find_map(|from| directory.named(&segment[from..end].iter().collect::<String>()))
    })
}

/// The courier a run of Latin words ends with a name of (`… via SF Express`), nearest first.
fn latin_name(directory: &'static Directory, segment: &[char]) -> Option<&'static Courier> {
    let text: String = segment.iter().collect();
    let words: Vec<&str> =
        text.split_whitespace().filter(|word| word.chars().filter(char::is_ascii_digit).count() < 6).collect();
    (1..=words.len()).rev().find_map(|end| {
        (end.saturating_sub(MAX_NAME_WORDS)..end).find_map(|from| directory.named(&words[from..end].join(" ")))
    })
}

/// The last 4 digits of the first phone the text shows: a full mobile, a masked one, or `尾号1234`.
fn phone_hint(chars: &[char]) -> Option<PhoneTail> {
    let mut i = 0;
    while i < chars.len() {
        if let Some(tail) = tail_after_label(chars, i) {
            return Some(tail);
        }
        if chars[i].is_ascii_digit() && !chars.get(i.wrapping_sub(1)).is_some_and(char::is_ascii_alphanumeric) {
            let end = phone_shape_end(chars, i);
            let shape: String = chars[i..end].iter().collect();
            let plain = shape.bytes().all(|b| b.is_ascii_digit());
            let whole = !chars.get(end).is_some_and(char::is_ascii_alphanumeric);
            if whole
                && ((plain && is_mobile(&shape)) || (shape.contains('*') && shape.starts_with('1')))
                && let Ok(tail) = phone_tail(&shape)
            {
                return Some(tail);
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    None
}

/// The end of a phone-shaped piece from `start`: digits with `*` masks inside.
fn phone_shape_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '*') {
        end += 1;
    }
    while end > start && chars[end - 1] == '*' {
        end -= 1;
    }
    end
}

/// `尾号1234` (or `尾号：1234`, `尾号为 1234`) starting at `at`.
fn tail_after_label(chars: &[char], at: usize) -> Option<PhoneTail> {
    let rest: String = chars[at..(at + 12).min(chars.len())].iter().collect();
    let label = TAIL_LABELS.iter().find(|label| rest.starts_with(*label))?;
    // `运单尾号5678`, `单号后四位`: the tracking number's tail, not a phone's.
    if at.checked_sub(1).and_then(|i| chars.get(i)).is_some_and(|c| matches!(c, '单' | '号')) {
        return None;
    }
    let after =
        rest[label.len()..].trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '为' | '是'));
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == TAIL_LEN).then(|| phone_tail(&digits).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<String> {
        extract(text).numbers.into_iter().map(|found| found.number.into_string()).collect()
    }

    #[test]
    fn words_of_shop_messages_name_no_courier() {
        let named: Vec<(&str, &str)> = [
            "您的",
            "包裹",
            "快递",
            "已发货",
            "单号",
            "运单号",
            "点击查看",
            "派送",
            "淘宝",
            "天猫",
            "拼多多",
            "抖音",
            "驿站",
            "取件码",
            "your",
            "order",
            "has",
            "shipped",
            "with",
            "via",
            "the",
            "tracking",
            "number",
            "package",
            "is",
            "on",
            "way",
            "hello",
            "total",
            "carrier",
            "from",
        ]
        .into_iter()
        .filter_map(|word| directory().named(word).map(|courier| (word, courier.code)))
        .collect();
        assert!(named.is_empty(), "{named:?}");
    }

    #[test]
    fn a_courier_word_that_fits_the_number_wins_over_a_nearer_one() {
        // 签收 is also the name of a courier (signedexpress), nearer, but 31… is a Yunda shape.
        let found = extract("【韵达快递】您的包裹已签收 312345678901234").numbers;
        assert_eq!(found.first().and_then(|f| f.courier).map(|c| c.code), Some("yunda"));
    }

    #[test]
    fn full_width_and_separators() {
        assert_eq!(numbers("圆通：ＹＴ９６９３０８３６３９７９５。"), ["YT9693083639795"]);
        assert_eq!(numbers("(SF1234567890123)"), ["SF1234567890123"]);
    }

    #[test]
    fn never_phones_links_dates_or_amounts() {
        assert!(numbers("13812345678 138****1234 0755-12345678 400-123-4567").is_empty());
        assert!(numbers("https://example.com/track/YT9693083639795 shop@example.com").is_empty());
        assert!(numbers("20241105 20241105143000 ¥12345678 12345678元 1234567.89").is_empty());
    }

    #[test]
    fn the_phone_hint_is_only_four_digits() {
        let tail = |text: &str| extract(text).phone.map(|phone| phone.digits().to_owned());
        assert_eq!(tail("收件人 13812345678"), Some("5678".to_owned()));
        assert_eq!(tail("收件人 138****1234"), Some("1234".to_owned()));
        assert_eq!(tail("手机尾号：4321"), Some("4321".to_owned()));
        assert_eq!(tail("运单尾号4321"), None);
        assert_eq!(tail("YT9693083639795"), None);
    }
}
