//! The pickup code out of one trajectory line, so a reply can show "取件码 6-3-1024" without the
//! reader hunting for it in the courier's prose.
//!
//! Stations and lockers (菜鸟驿站, 丰巢, 兔喜生活, 妈妈驿站, 京东自提柜, 中通快递超市, 韵达超市, 多多驿站,
//! 邮政投递柜, 近邻宝 …) write the code into the line Kuaidi100 returns, each in its own words. Rather than
//! one pattern per brand, a code is read in three ways, in this order:
//!
//! 1. **After a label**: 取件码, 取货码, 提货码, 提件码, 提取码, 开箱码, 取件密码, "pickup code" … then
//!    separators (`：`, `为`, `【`) and the code.
//! 2. **凭 … 取件**: `请凭6-3-1024到文一路菜鸟驿站取件` — the first code-shaped token after 凭 in the same
//!    clause, when a pickup verb (取件, 取货, 提货, 领取) follows it and no word of a phone (尾号, 手机,
//!    电话) or an order (订单, 单号) comes between 凭 and the token: `凭手机尾号1234取件` has no code.
//! 3. **A locker and its cell**: `8号柜3021`, `3号柜12号格口`, `柜号：A08，格口：15`.
//!
//! Only tokens of the shapes seen in practice count: shelf codes (`6-3-1024`, `12-5-3021`), letter
//! codes (`A12-3456`, `B3021`) and 4–8 digits. Everything else a line carries next to a code — masked or
//! whole phone numbers, hotlines (95338), landlines (`0571-…`), times (`21:00`), dates, amounts, staff
//! and outlet numbers — is either the wrong shape or never follows a label, and a token directly
//! followed by `:`, `*`, a unit (元, 点, 号 …) or preceded by a phone or order word is refused.
//! Full-width digits and letters are folded first ([`crate::input::fold_width_str`]).
//!
//! Nothing here does I/O; the station or locker's name, when the line gives one, comes with the code
//! (`place`), so a reply can say where to go as well as what to type.
//!
//! Which line's code is the parcel's *current* one is [`current_pickup_code`]: the newest line's, or
//! while the parcel waits at a locker or station (and is not signed for), the newest code among its
//! latest lines (a reminder line after the arrival line often has none).

use crate::input::fold_width_str;
use crate::kuaidi100::{QueryResult, TraceLine};

/// What a line says about collecting a parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupCode {
    /// The code as the station wrote it, folded to ASCII (`6-3-1024`, `A12-3456`, `8号柜3021`).
    pub code: String,
    /// The station or locker the line names, when it names one (`文一路菜鸟驿站`, `丰巢智能柜(西溪店)`).
    pub place: Option<String>,
}

/// The pickup code in one trajectory line (Kuaidi100's `context`), if it has one.
pub fn pickup_code(line: &str) -> Option<PickupCode> {
    let folded: Vec<char> = fold_width_str(line).chars().collect();
    let code = after_label(&folded).or_else(|| after_ping(&folded)).or_else(|| locker_cell(&folded))?;
    Some(PickupCode { code, place: place(&folded) })
}

/// How many of the newest lines are searched for a code while the parcel waits at a locker or station.
const RECENT_LINES: usize = 5;

/// The code to collect the parcel with now, if its answer gives one: the newest line's, or, while the
/// parcel waits at a locker or station (501, or 205 not collected in time), the newest code among the
/// last few lines. A finished parcel (signed for, returned) has none: there is nothing left to collect.
pub fn current_pickup_code(result: &QueryResult) -> Option<PickupCode> {
    if result.is_finished() {
        return None;
    }
    let newest_first = newest_first(&result.data);
    if let Some(code) = newest_first.first().and_then(|line| pickup_code(&line.context)) {
        return Some(code);
    }
    if !matches!(result.state.as_str(), "501" | "205") {
        return None;
    }
    newest_first.iter().take(RECENT_LINES).find_map(|line| pickup_code(&line.context))
}

/// The lines newest first, whatever `order` the answer was asked in (Kuaidi100 writes sortable times).
fn newest_first(lines: &[TraceLine]) -> Vec<&TraceLine> {
    let mut sorted: Vec<&TraceLine> = lines.iter().collect();
    // A stable sort keeps Kuaidi100's own order among lines of one time.
    sorted.sort_by(|a, b| b.when().cmp(a.when()));
    sorted
}

/// A place name with any run of 7 or more digits masked (`138****1234`): a station's line may carry a
/// phone number next to its name, and a reply never shows a whole one.
pub fn masked_place(place: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 7 {
            out.push_str(&digits[..3]);
            out.push_str("****");
            out.push_str(&digits[digits.len() - 4..]);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in place.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Labels that introduce a code. Matched case-insensitively (the English ones).
const LABELS: &[&str] = &[
    "取件码",
    "取货码",
    "提货码",
    "提件码",
    "提取码",
    "开箱码",
    "取件密码",
    "取件号",
    "取货号",
    "pickup code",
    "pick-up code",
    "pick up code",
    "collection code",
];

/// What may stand between a label (or 凭) and its code.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | ':' | '：' | '为' | '是' | '【' | '[' | '「' | '(' | '（' | '"' | '“' | '\'' | '#' | '=')
}

/// Ends a clause: a 凭 … 取件 phrase never spans one.
fn ends_clause(c: char) -> bool {
    matches!(c, '，' | ',' | '。' | '；' | ';' | '！' | '!' | '？' | '?' | '\n')
}

/// Words that make the token after them a phone, an order or a person, never a code.
const NOT_CODE_WORDS: &[&str] =
    &["尾号", "手机", "电话", "号码", "后四位", "订单", "单号", "工号", "编号", "身份证", "短信", "phone", "order"];

/// Verbs that end a 凭 … phrase about collecting.
const PICKUP_VERBS: &[&str] = &["取件", "取货", "提货", "领取", "取快递", "取包裹", "取走", "collect", "pick up"];

/// Customer hotlines that look like 5–6 digit codes.
const HOTLINES: &[&str] = &["95338", "95311", "95543", "95546", "95554", "95105", "11183", "950616", "95353"];

fn lower(chars: &[char]) -> Vec<char> {
    chars.iter().map(|c| c.to_ascii_lowercase()).collect()
}

fn starts_with_at(haystack: &[char], at: usize, needle: &str) -> bool {
    (at..).zip(needle.chars()).all(|(i, n)| haystack.get(i) == Some(&n))
}

fn find_from(haystack: &[char], from: usize, needle: &str) -> Option<usize> {
    (from..haystack.len()).find(|&i| starts_with_at(haystack, i, needle))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// The run of code characters starting at `at` (letters, digits, inner dashes).
fn token_at(chars: &[char], at: usize) -> (String, usize) {
    let end = (at..chars.len()).find(|&i| !is_token_char(chars[i])).unwrap_or(chars.len());
    let token: String = chars[at..end].iter().collect::<String>().trim_end_matches('-').to_owned();
    let end = at + token.chars().count();
    (token.to_ascii_uppercase(), end)
}

/// The shapes a pickup code takes (module doc).
fn has_code_shape(token: &str) -> bool {
    if HOTLINES.contains(&token) {
        return false;
    }
    let groups: Vec<&str> = token.split('-').collect();
    let digits =
        |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let letters_then_digits = |s: &str, max_digits: usize| {
        let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
        (1..=2).contains(&letters) && digits(&s[letters..], 0, max_digits)
    };
    match groups.as_slice() {
        [whole] => digits(whole, 4, 8) || (letters_then_digits(whole, 7) && whole.len() >= 4),
        [first, last] => (digits(first, 1, 3) || letters_then_digits(first, 3)) && digits(last, 3, 6),
        [first, middle, last] => {
            (digits(first, 1, 3) || letters_then_digits(first, 3)) && digits(middle, 1, 3) && digits(last, 3, 6)
        }
        _ => false,
    }
}

/// Refuses a token by what touches it: `12:30`, `138****1234`, `20元`, `3点`, `12号楼`.
fn touches_non_code(chars: &[char], start: usize, end: usize) -> bool {
    let after = chars.get(end).copied();
    let followed_badly = matches!(
        after,
        Some(
            ':' | '*'
                | '.'
                | '元'
                | '块'
                | '点'
                | '时'
                | '分'
                | '月'
                | '日'
                | '年'
                | '号'
                | '楼'
                | '栋'
                | '单'
                | '室'
                | '/'
        )
    );
    let preceded_badly = start > 0 && matches!(chars[start - 1], '*' | '-' | '/' | '.');
    followed_badly || preceded_badly
}

/// Way 1: a label, separators, a code.
fn after_label(chars: &[char]) -> Option<String> {
    let lowered = lower(chars);
    let mut hits: Vec<(usize, usize)> = LABELS
        .iter()
        .flat_map(|label| {
            let len = label.chars().count();
            let lowered = &lowered;
            (0..lowered.len()).filter(move |&i| starts_with_at(lowered, i, label)).map(move |i| (i, i + len))
        })
        .collect();
    hits.sort_unstable();
    hits.into_iter().find_map(|(_, label_end)| {
        let start = (label_end..chars.len()).take(4).find(|&i| !is_separator(chars[i]))?;
        code_at(chars, start)
    })
}

fn code_at(chars: &[char], start: usize) -> Option<String> {
    if !chars.get(start).copied().is_some_and(is_token_char) {
        return None;
    }
    let (token, end) = token_at(chars, start);
    (has_code_shape(&token) && !touches_non_code(chars, start, end)).then_some(token)
}

/// Way 2: 凭 <code> … <pickup verb>, in one clause.
///
/// Where the clause's last pickup verb starts and where its first phone or order word ends are found
/// once per 凭, not once per token: a long line of tokens (a fuzzer's) took seconds otherwise.
fn after_ping(chars: &[char]) -> Option<String> {
    let lowered = lower(chars);
    let pings = (0..chars.len()).filter(|&i| chars[i] == '凭');
    pings.into_iter().find_map(|ping| {
        let clause_end = (ping + 1..chars.len()).find(|&i| ends_clause(chars[i])).unwrap_or(chars.len());
        let clause = &lowered[ping + 1..clause_end];
        let last_verb =
            (0..clause.len()).rev().find(|&i| PICKUP_VERBS.iter().any(|verb| starts_with_at(clause, i, verb)));
        let first_word_end = (0..clause.len())
            .filter_map(|i| {
                NOT_CODE_WORDS.iter().find(|word| starts_with_at(clause, i, word)).map(|word| i + word.chars().count())
            })
            .min();
        let mut i = 0;
        while i < clause.len() {
            if PICKUP_VERBS.iter().any(|verb| starts_with_at(clause, i, verb)) {
                return None;
            }
            if is_token_char(clause[i]) {
                let at = ping + 1 + i;
                let (token, end) = token_at(chars, at);
                let verb_follows = last_verb.is_some_and(|verb| ping + 1 + verb >= end);
                if first_word_end.is_some_and(|word_end| ping + 1 + word_end <= at) {
                    return None;
                }
                if has_code_shape(&token) && !touches_non_code(chars, at, end) && verb_follows {
                    return Some(token);
                }
                i = (end - ping - 1).max(i + 1);
            } else {
                i += 1;
            }
        }
        None
    })
}

/// Way 3: `8号柜3021`, `3号柜12号格口`, `柜号：A08，格口：15`.
fn locker_cell(chars: &[char]) -> Option<String> {
    if let Some(cabinet) = find_from(chars, 0, "号柜") {
        let number_start = (0..cabinet).rev().take_while(|&i| chars[i].is_ascii_alphanumeric()).last()?;
        let cabinet_number: String = chars[number_start..cabinet].iter().collect();
        let after = cabinet + 2;
        let cell_start = (after..chars.len()).take(2).find(|&i| !is_separator(chars[i]) && chars[i] != '第')?;
        let (cell, end) = token_at(chars, cell_start);
        if cabinet_number.len() <= 3 && !cell.is_empty() && cell.len() <= 6 && cell.bytes().all(|b| b.is_ascii_digit())
        {
            let rest: String = chars[end..].iter().take(3).collect();
            if rest.starts_with("号格口") || rest.starts_with("格口") || rest.starts_with("格") {
                return Some(format!("{cabinet_number}号柜{cell}号格口"));
            }
            if cell.len() >= 3 && !touches_non_code(chars, cell_start, end) {
                return Some(format!("{cabinet_number}号柜{cell}"));
            }
        }
    }
    let cabinet = labelled_value(chars, "柜号")?;
    let cell = labelled_value(chars, "格口号").or_else(|| labelled_value(chars, "格口"))?;
    Some(format!("{cabinet}号柜{cell}号格口"))
}

/// The short alphanumeric value after `label` and its separators (`柜号：A08` → `A08`).
fn labelled_value(chars: &[char], label: &str) -> Option<String> {
    let at = find_from(chars, 0, label)? + label.chars().count();
    let start = (at..chars.len()).take(3).find(|&i| !is_separator(chars[i]))?;
    let (value, _) = token_at(chars, start);
    (!value.is_empty() && value.len() <= 4 && !value.contains('-')).then_some(value)
}

/// Words that end the name of a station or locker.
const PLACE_WORDS: &[&str] = &[
    "菜鸟驿站",
    "妈妈驿站",
    "多多驿站",
    "兔喜生活",
    "快递超市",
    "韵达超市",
    "自提柜",
    "自提点",
    "智能柜",
    "快递柜",
    "包裹柜",
    "投递柜",
    "丰巢",
    "近邻宝",
    "驿站",
    "代收点",
    "服务站",
];

/// Where a place name stops when read backwards from its keyword.
fn ends_place_backwards(c: char) -> bool {
    ends_clause(c)
        || matches!(
            c,
            '】' | '【' | ']' | '[' | ' ' | '：' | ':' | '至' | '到' | '入' | '由' | '在' | '于' | '被' | '往' | '达'
        )
}

/// The station or locker the line names: a bracketed name with a place word, else the words around one.
fn place(chars: &[char]) -> Option<String> {
    let text: String = chars.iter().collect();
    let bracketed = text
        .split(['【', '['])
        .skip(1)
        .filter_map(|rest| rest.split(['】', ']']).next())
        .find(|inside| PLACE_WORDS.iter().any(|word| inside.contains(word)) || english_place(inside));
    if let Some(name) = bracketed {
        return Some(name.trim().to_owned());
    }
    let (at, word) = PLACE_WORDS.iter().filter_map(|word| find_from(chars, 0, word).map(|at| (at, *word))).min()?;
    let start = (0..at).rev().take_while(|&i| !ends_place_backwards(chars[i])).last().unwrap_or(at);
    let mut end = at + word.chars().count();
    while let Some(next) = PLACE_WORDS.iter().find(|next| starts_with_at(chars, end, next)) {
        end += next.chars().count();
    }
    if let Some(open) = chars.get(end).copied().filter(|c| matches!(c, '(' | '（')) {
        let close = if open == '(' { ')' } else { '）' };
        if let Some(closing) = (end..chars.len()).take(16).find(|&i| chars[i] == close) {
            end = closing + 1;
        }
    }
    let mut name: String = chars[start..end].iter().collect();
    // `近邻宝【浙江大学1号柜】`, `京东自提点【望京店】`: the brand, then which one.
    if chars.get(end).is_some_and(|c| matches!(c, '【' | '[')) {
        let inside: String = chars[end + 1..].iter().take_while(|c| !matches!(c, '】' | ']')).collect();
        if !inside.trim().is_empty() && inside.chars().count() <= 24 {
            name = format!("{name} {}", inside.trim());
        }
    }
    Some(name.trim().to_owned()).filter(|name| !name.is_empty())
}

fn english_place(text: &str) -> bool {
    let lowered = text.to_ascii_lowercase();
    ["station", "locker", "hive box"].iter().any(|word| lowered.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_of_tokens_after_a_ping_is_read_in_linear_time() {
        // Found by the fuzzer (answer target): a 4.6 kB answer at a station took 9 s to reply to,
        // because every token after 凭 searched the rest of the clause for a verb and the text before
        // it for a phone word. The same answers, and quickly.
        let tokens = "LLLL ".repeat(20_000);
        let started = std::time::Instant::now();
        assert_eq!(pickup_code(&format!("请凭{tokens}取件")), None);
        assert_eq!(
            pickup_code(&format!("请凭{tokens}6-3-1024取件")).map(|code| code.code).as_deref(),
            Some("6-3-1024"),
            "the first token of a code's shape"
        );
        assert_eq!(
            pickup_code(&format!("{tokens}，请凭6-3-1024取件")).map(|code| code.code).as_deref(),
            Some("6-3-1024")
        );
        assert_eq!(pickup_code(&format!("请凭手机{tokens}6-3-1024取件")), None, "a phone word before the code");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    }

    /// `(line, expected code, expected place)`: real-shaped Kuaidi100 lines of stations, lockers and
    /// couriers. `None` code: the line has none, whatever numbers it carries.
    const LINES: &[(&str, Option<&str>, Option<&str>)] = &[
        // 菜鸟驿站
        (
            "【杭州市】您的快件已到达【杭州西湖区文三路菜鸟驿站】，请凭取件码6-3-1024及时取件，如有疑问请联系：0571-88123456",
            Some("6-3-1024"),
            Some("杭州西湖区文三路菜鸟驿站"),
        ),
        (
            "【菜鸟驿站】您的包裹已到站，凭12-5-3021到文一路108号菜鸟驿站取件，营业时间8:30-21:00",
            Some("12-5-3021"),
            Some("菜鸟驿站"),
        ),
        (
            "您的快件已由【北京朝阳区望京西园三区菜鸟驿站】代收，取件码：3-2-5068，联系电话：138****1234",
            Some("3-2-5068"),
            Some("北京朝阳区望京西园三区菜鸟驿站"),
        ),
        ("快件已由菜鸟驿站代收，请凭手机尾号1234取件，电话：13812345678", None, Some("菜鸟驿站")),
        ("已签收，签收人凭取货码签收。", None, None),
        // 丰巢
        (
            "快件已投递到【丰巢智能柜(西溪花园店)】，取件码：28461735，请及时取件，如有疑问请联系派件员张三，电话：138****1234",
            Some("28461735"),
            Some("丰巢智能柜(西溪花园店)"),
        ),
        (
            "【上海市】您的快件已被丰巢智能快递柜【徐汇区漕溪北路店】代收，请及时取件。有问题请联系派件员13916661234",
            None,
            Some("徐汇区漕溪北路店"),
        ),
        (
            "您的快件已存入丰巢快递柜，取件码为【７３０２１５４６】，有疑问请拨打95338",
            Some("73021546"),
            Some("丰巢快递柜"),
        ),
        // 兔喜生活
        (
            "【兔喜生活】您的快件已到达兔喜生活+金色家园店，取件码A12-3456，请于21:00前取件，电话：0571-85123456",
            Some("A12-3456"),
            Some("兔喜生活"),
        ),
        ("您的快件已到【兔喜生活+滨江星耀城店】，凭取件码 B3021 取件", Some("B3021"), Some("兔喜生活+滨江星耀城店")),
        // 妈妈驿站
        (
            "快件已到达【妈妈驿站(南湖花园店)】，请凭取货码12-5-3021取件，订单号：2024050212345678",
            Some("12-5-3021"),
            Some("妈妈驿站(南湖花园店)"),
        ),
        // 京东
        (
            "您的订单已到达【京东自提柜-融科资讯中心】，提货码：365421，请您在72小时内提货，如有问题请拨打950616",
            Some("365421"),
            Some("京东自提柜-融科资讯中心"),
        ),
        (
            "您的订单已由京东自提点【望京SOHO店】代收，请凭提货码 882104 提货。订单号：289765432101",
            Some("882104"),
            Some("京东自提点 望京SOHO店"),
        ),
        ("配送员【李明】正在为您派件，工号：102345，请保持电话畅通，营业部：北京望京营业部(编号3021)", None, None),
        // 中通快递超市
        (
            "【中通快递超市-滨江浦沿店】已签收入库，取件码：8-2-2045，营业时间9:00-21:00，电话：15867891234",
            Some("8-2-2045"),
            Some("中通快递超市-滨江浦沿店"),
        ),
        // 韵达超市
        (
            "您的快件已放入韵达超市文三路店，取件码5-1-0236，如有疑问联系：0571-86661234",
            Some("5-1-0236"),
            Some("韵达超市"),
        ),
        // 多多驿站
        ("【多多驿站】包裹已到达幸福里店，取件码 4-3-5012，电话 138****1234", Some("4-3-5012"), Some("多多驿站")),
        // 邮政 / EMS
        (
            "您的邮件已投递至【南京鼓楼区中国邮政智能包裹柜】，开箱码：62815394，请及时领取。投递员：王强，电话：11183",
            Some("62815394"),
            Some("南京鼓楼区中国邮政智能包裹柜"),
        ),
        ("【邮政】您的包裹已放入8号柜3021，请凭手机验证码开箱", Some("8号柜3021"), None),
        ("您的EMS快件已投递至北苑投递柜，已存入3号柜12号格口，请及时取件", Some("3号柜12号格口"), Some("北苑投递柜")),
        // 近邻宝
        (
            "您的快件已到达近邻宝【浙江大学紫金港1号柜】，取件码：735018，请24小时内取件",
            Some("735018"),
            Some("近邻宝 浙江大学紫金港1号柜"),
        ),
        // English
        (
            "[Hangzhou] Your parcel is waiting at Cainiao Station, Wenyi Road; pickup code 6-3-1024, please collect it soon",
            Some("6-3-1024"),
            None,
        ),
        ("Delivered to the Hive Box locker. Pick-up code: 28461735", Some("28461735"), None),
        // Lines without a code, full of numbers that are not codes
        ("【杭州市】【杭州上城区网点】的派件员【王伟】正在派件，电话：138****1234，请保持电话畅通", None, None),
        ("【深圳市】快件已到达【深圳转运中心】，扫描员工号：20231，下一站【深圳南山营业部】", None, None),
        ("您的快件已签收，签收人：本人。如有疑问请联系派件员【刘洋】，电话：13957112345，投诉电话：95554", None, None),
        ("快件派送不成功，原因：收件人电话无人接听，订单号：123456789012，将于2024-05-03 10:00再次派送", None, None),
        (
            "包裹已到达【成都双流菜鸟驿站】，请凭取件码取件，取件码已通过短信发送至尾号5678的手机",
            None,
            Some("成都双流菜鸟驿站"),
        ),
        ("您的快件代收费用：12.50元，运单号：YT9693083639795，已发往【广州转运中心】", None, None),
        ("快件已由【丰巢】代收，凭电话0571-8765取件", None, Some("丰巢")),
        ("[Shanghai] Courier Wang of Xuhui outlet is out for delivery, phone 139****5678", None, None),
        ("Order no. 240502123456 shipped; tracking number YT9693083639795; call 95554 for help", None, None),
        (
            "【北京市】您的包裹已存放至【朝阳区望京菜鸟驿站】，请凭取件码8-1-3307及时取件，记得早点来取它回家！",
            Some("8-1-3307"),
            Some("朝阳区望京菜鸟驿站"),
        ),
        // Full-width digits
        ("快件已存入【丰巢智能柜】，取件码：１２－３－４５６７", Some("12-3-4567"), Some("丰巢智能柜")),
    ];

    #[test]
    fn reads_the_code_and_place_of_every_real_shaped_line() {
        assert!(LINES.len() >= 25, "the table must hold at least 25 lines");
        let mut wrong = Vec::new();
        for (line, code, place) in LINES {
            let found = pickup_code(line);
            let expected = code.map(|code| PickupCode { code: code.to_owned(), place: place.map(str::to_owned) });
            if found != expected {
                wrong.push(format!("{line}\n    expected {expected:?}\n    found    {found:?}"));
            }
        }
        assert!(wrong.is_empty(), "{} of {} lines read wrong:\n{}", wrong.len(), LINES.len(), wrong.join("\n"));
    }

    #[test]
    fn the_table_holds_lines_without_a_code_that_carry_phones_and_order_numbers() {
        let without = LINES.iter().filter(|(_, code, _)| code.is_none()).collect::<Vec<_>>();
        assert!(without.len() >= 8, "{}", without.len());
        assert!(without.iter().any(|(line, ..)| line.contains("****")));
        assert!(without.iter().any(|(line, ..)| line.contains("订单号")));
        assert!(without.iter().any(|(line, ..)| line.contains("尾号")));
    }

    #[test]
    fn code_shapes() {
        for good in ["6-3-1024", "12-5-3021", "A12-3456", "B3021", "1024", "28461735", "3-5068"] {
            assert!(has_code_shape(good), "{good}");
        }
        for bad in ["123", "123456789", "13812345678", "95338", "0571-88123456", "2024-05-02", "A", "AB", "1-2-3-4567"]
        {
            assert!(!has_code_shape(bad), "{bad}");
        }
    }

    fn answer(state: &str, ischeck: &str, lines: &[(&str, &str)]) -> QueryResult {
        let data = lines
            .iter()
            .map(|(time, context)| TraceLine {
                time: (*time).into(),
                ftime: (*time).into(),
                context: (*context).into(),
                ..serde_json::from_str("{}").expect("an empty line")
            })
            .collect();
        QueryResult { state: state.into(), ischeck: ischeck.into(), data, ..QueryResult::default() }
    }

    const AT_STATION: &str = "您的快件已到达【文三路菜鸟驿站】，请凭取件码6-3-1024及时取件";

    #[test]
    fn the_current_code_is_the_newest_lines_or_a_recent_one_while_waiting_at_a_station() {
        let newest = answer("501", "0", &[("2026-12-02 10:00:00", AT_STATION), ("2026-12-02 08:00:00", "派件中")]);
        let code = current_pickup_code(&newest).expect("a code");
        assert_eq!((code.code.as_str(), code.place.as_deref()), ("6-3-1024", Some("文三路菜鸟驿站")));
        // Oldest first (`order=asc`) reads the same.
        let ascending = answer("501", "0", &[("2026-12-02 08:00:00", "派件中"), ("2026-12-02 10:00:00", AT_STATION)]);
        assert_eq!(current_pickup_code(&ascending), Some(code.clone()));
        // A reminder without a code after the arrival line: still at the station, still that code.
        let reminded = answer(
            "205",
            "0",
            &[("2026-12-03 18:00:00", "您的快件在驿站超时未取，请尽快取件"), ("2026-12-02 10:00:00", AT_STATION)],
        );
        assert_eq!(current_pickup_code(&reminded), Some(code));
        // Out of the station again (back with the courier): an old code is not shown.
        let moved =
            answer("5", "0", &[("2026-12-03 09:00:00", "派件员正在为您派件"), ("2026-12-02 10:00:00", AT_STATION)]);
        assert_eq!(current_pickup_code(&moved), None);
        // Collected: nothing left to collect.
        let signed = answer(
            "304",
            "1",
            &[("2026-12-03 09:00:00", "已凭取件码6-3-1024取件"), ("2026-12-02 10:00:00", AT_STATION)],
        );
        assert_eq!(current_pickup_code(&signed), None);
    }

    #[test]
    fn places_never_show_a_whole_phone_number() {
        assert_eq!(masked_place("文三路菜鸟驿站(13812345678)"), "文三路菜鸟驿站(138****5678)");
        assert_eq!(masked_place("丰巢智能柜 0571-88123456"), "丰巢智能柜 0571-881****3456");
        assert_eq!(masked_place("近邻宝 1号柜"), "近邻宝 1号柜");
    }

    #[test]
    fn a_label_with_nothing_after_it_or_a_time_is_no_code() {
        assert_eq!(pickup_code("取件码："), None);
        assert_eq!(pickup_code("取件码 10:30前有效"), None);
        assert_eq!(pickup_code("凭取件码"), None);
        assert_eq!(pickup_code(""), None);
    }
}
