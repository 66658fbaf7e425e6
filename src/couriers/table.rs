//! Turning the two embedded data files into [`Courier`]s.
//!
//! `kuaidi100-couriers.csv` is Kuaidi100's code table (`公司名称,公司编码,公司类型`, most used first);
//! `courier-english-names.tsv` adds English names and aliases (`code`, `english_name`, comma-separated
//! `aliases`) for the couriers people use most. The files are compiled in, so loading cannot fail at run
//! time in a way a user could fix; instead of panicking, a row that cannot be used is skipped (or
//! repaired) and the reason is kept in [`Table::problems`], which the tests require to be empty. Known
//! quirks of the real file that are handled silently: quoted names with commas, names and codes with
//! stray tabs or spaces, duplicate Chinese names (different codes for one postal service).

use std::borrow::Cow;
use std::collections::HashMap;

use super::courier::{Courier, CourierKind, PHONE_REQUIRED};
use super::csv;

/// Kuaidi100's code table.
pub(super) const COURIERS_CSV: &str = include_str!("../../data/kuaidi100-couriers.csv");
/// English names and aliases for the most used couriers.
pub(super) const ENGLISH_TSV: &str = include_str!("../../data/courier-english-names.tsv");

const CSV_HEADER: [&str; 3] = ["公司名称", "公司编码", "公司类型"];
const TSV_HEADER: [&str; 3] = ["code", "english_name", "aliases"];

/// The parsed couriers, in table order, and what had to be skipped or repaired on the way.
#[derive(Debug, Default)]
pub(super) struct Table {
    pub couriers: Vec<Courier>,
    pub problems: Vec<String>,
}

/// Parses the code table and merges the English names into it.
pub(super) fn load(couriers_csv: &'static str, english_tsv: &'static str) -> Table {
    let mut table = Table::default();
    read_couriers(couriers_csv, &mut table);
    read_english(english_tsv, &mut table);
    for code in PHONE_REQUIRED {
        if !table.couriers.iter().any(|c| c.code == code) {
            table.problems.push(format!("phone courier {code} is not in the code table"));
        }
    }
    table
}

fn read_couriers(text: &'static str, table: &mut Table) {
    let records = match csv::parse(text) {
        Ok(records) => records,
        Err(error) => {
            table.problems.push(format!("courier table: {error}"));
            return;
        }
    };
    let mut records = records.into_iter();
    if let Some(header) = records.next() {
        let names: Vec<&str> = header.fields.iter().map(|f| f.trim()).collect();
        if names != CSV_HEADER {
            table.problems.push(format!("courier table: unexpected header {names:?}"));
        }
    }
    let mut seen: HashMap<&'static str, usize> = HashMap::new();
    for record in records {
        let line = record.line;
        let [name, code, label]: [Cow<'static, str>; 3] = match record.fields.try_into() {
            Ok(fields) => fields,
            Err(fields) => {
                let n = fields.len();
                table.problems.push(format!("courier table line {line}: {n} fields, expected 3"));
                continue;
            }
        };
        let name = static_str(name).trim();
        let mut code = static_str(code).trim();
        if name.is_empty() || code.is_empty() {
            table.problems.push(format!("courier table line {line}: empty name or code"));
            continue;
        }
        if code.bytes().any(|b| b.is_ascii_uppercase()) {
            table.problems.push(format!("courier table line {line}: code {code} is not lower case"));
            code = String::leak(code.to_ascii_lowercase());
        }
        if let Some(first) = seen.get(code) {
            table.problems.push(format!("courier table line {line}: code {code} repeats line {first}; kept the first"));
            continue;
        }
        let kind = CourierKind::from_label(label.trim()).unwrap_or_else(|| {
            table.problems.push(format!("courier table line {line}: unknown type {label:?}"));
            CourierKind::Domestic
        });
        seen.insert(code, line);
        table.couriers.push(Courier {
            code,
            name_zh: name,
            name_en: None,
            aliases: Vec::new(),
            kind,
            needs_phone: PHONE_REQUIRED.contains(&code),
            rank: table.couriers.len(),
        });
    }
}

fn read_english(text: &'static str, table: &mut Table) {
    let position: HashMap<&'static str, usize> = table.couriers.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    if let Some((_, header)) = lines.next() {
        let names: Vec<&str> = header.split('\t').map(str::trim).collect();
        if names != TSV_HEADER {
            table.problems.push(format!("english names: unexpected header {names:?}"));
        }
    }
    let mut merged = vec![false; table.couriers.len()];
    for (line, row) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let mut fields = row.split('\t').map(str::trim);
        let code = fields.next().unwrap_or_default().to_ascii_lowercase();
        let name_en = fields.next().filter(|n| !n.is_empty());
        let aliases = fields.next().unwrap_or_default();
        if fields.next().is_some() {
            table.problems.push(format!("english names line {line}: more than 3 fields"));
        }
        let Some(&i) = position.get(code.as_str()) else {
            table.problems.push(format!("english names line {line}: unknown code {code:?}"));
            continue;
        };
        if std::mem::replace(&mut merged[i], true) {
            table.problems.push(format!("english names line {line}: {code} repeats; kept the first"));
            continue;
        }
        let courier = &mut table.couriers[i];
        courier.name_en = name_en;
        for alias in aliases.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            if !courier.aliases.contains(&alias) {
                courier.aliases.push(alias);
            }
        }
    }
}

/// A field as a `'static` string. Fields borrow from the embedded text unless a `""` escape forced a
/// copy; such a copy is made once, when the table is built, and lives as long as the table (for ever),
/// so leaking it is the same as storing it.
fn static_str(field: Cow<'static, str>) -> &'static str {
    match field {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => String::leak(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_load_without_problems() {
        let table = load(COURIERS_CSV, ENGLISH_TSV);
        assert_eq!(table.problems, Vec::<String>::new());
        assert_eq!(table.couriers.len(), 1413);
    }

    #[test]
    fn quirky_rows_are_cleaned_up() {
        let table = load(COURIERS_CSV, ENGLISH_TSV);
        let find = |code: &str| table.couriers.iter().find(|c| c.code == code);
        // Quoted, with a comma inside.
        assert_eq!(find("england").map(|c| c.name_zh), Some("英国(大包,EMS)"));
        // Quoted, with a stray tab.
        assert_eq!(find("gdjida56").map(|c| c.name_zh), Some("继达物流"));
        // A code with a trailing space, and a name with a leading one.
        assert_eq!(find("bridgeexpress").map(|c| c.name_zh), Some("Bridge Express"));
        assert_eq!(find("buffaloex").map(|c| c.name_zh), Some("Buffalo"));
    }

    #[test]
    fn bad_rows_are_reported_not_fatal() {
        let csv = "公司名称,公司编码,公司类型\n\
                   甲快递,Jia,国内运输商\n\
                   乙快递,jia,国内运输商\n\
                   丙快递,bing\n\
                   丁快递,ding,火星运输商\n\
                   ,wu,国内运输商\n";
        let tsv = "code\tenglish_name\taliases\n\
                   jia\tJia Express\tjx, jia ,,甲\n\
                   nope\tNope\t\n\
                   jia\tAgain\t\n";
        let table = load(csv, tsv);
        let codes: Vec<&str> = table.couriers.iter().map(|c| c.code).collect();
        assert_eq!(codes, vec!["jia", "ding"]);
        assert_eq!(table.couriers[1].rank, 1);
        assert_eq!(table.couriers[1].kind, CourierKind::Domestic);
        assert_eq!(table.couriers[0].name_en, Some("Jia Express"));
        assert_eq!(table.couriers[0].aliases, vec!["jx", "jia", "甲"]);
        let problems = table.problems.join("\n");
        for expected in [
            "line 2: code Jia is not lower case",
            "line 3: code jia repeats line 2",
            "line 4: 2 fields",
            "line 5: unknown type",
            "line 6: empty name or code",
            "line 3: unknown code \"nope\"",
            "line 4: jia repeats",
            "phone courier shunfeng is not in the code table",
        ] {
            assert!(problems.contains(expected), "missing {expected:?} in\n{problems}");
        }
    }

    #[test]
    fn unreadable_csv_gives_an_empty_table_and_a_problem() {
        let table = load("公司名称,公司编码,公司类型\n\"open,x,y\n", "code\tenglish_name\taliases\n");
        assert!(table.couriers.is_empty());
        assert!(table.problems[0].contains("never closed"), "{:?}", table.problems);
    }
}
