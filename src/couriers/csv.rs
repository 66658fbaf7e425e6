//! A small RFC 4180 reader for the embedded courier table.
//!
//! The table is Kuaidi100's export and has real CSV quirks: names containing commas are quoted
//! (`"英国(大包,EMS)"`), some quoted names carry a stray tab, and a quoted field could in principle contain
//! `""` or a line break. Splitting lines on `,` would get these wrong, and no CSV crate is a dependency,
//! so this reader implements just the format: quoted and unquoted fields, `""` escapes, CRLF or LF, an
//! optional UTF-8 byte order mark. Fields borrow from the input unless an escape forces a copy.

use std::borrow::Cow;

/// One record: its fields and the (1-based) line it starts on, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record<'a> {
    pub line: usize,
    pub fields: Vec<Cow<'a, str>>,
}

/// Parses all records of `text`, skipping empty lines. Fails on an unterminated quote or on text right
/// after a closing quote, naming the line.
pub(super) fn parse(text: &str) -> Result<Vec<Record<'_>>, String> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut line = 1;
    let mut record_line = 1;
    let mut pos = 0;
    // Delimiters are ASCII, so every index where the loop stops is a char boundary.
    loop {
        let (field, next) = if bytes.get(pos) == Some(&b'"') {
            quoted(text, pos, &mut line)?
        } else {
            let end = text[pos..].find([',', '\n']).map_or(text.len(), |i| pos + i);
            let raw = &text[pos..end];
            (Cow::Borrowed(raw.strip_suffix('\r').unwrap_or(raw)), end)
        };
        fields.push(field);
        match bytes.get(next) {
            Some(b',') => pos = next + 1,
            Some(b'\n') | None => {
                let blank = fields.len() == 1 && fields[0].is_empty();
                if !blank {
                    records.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
                }
                fields.clear();
                if next >= bytes.len() {
                    return Ok(records);
                }
                pos = next + 1;
                line += 1;
                record_line = line;
            }
            Some(_) => return Err(format!("line {line}: text after a closing quote")),
        }
    }
}

/// Reads a quoted field starting at the opening quote `start`; returns it and the index after the
/// closing quote (and after a `\r` before the line end).
fn quoted<'a>(text: &'a str, start: usize, line: &mut usize) -> Result<(Cow<'a, str>, usize), String> {
    let bytes = text.as_bytes();
    let start_line = *line;
    let body = start + 1;
    let mut owned: Option<String> = None;
    let mut chunk = body;
    let mut i = body;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => {
                let buf = owned.get_or_insert_with(String::new);
                buf.push_str(&text[chunk..=i]);
                i += 2;
                chunk = i;
            }
            b'"' => {
                let field = match owned {
                    Some(mut buf) => {
                        buf.push_str(&text[chunk..i]);
                        Cow::Owned(buf)
                    }
                    None => Cow::Borrowed(&text[body..i]),
                };
                let mut next = i + 1;
                if bytes.get(next) == Some(&b'\r') && bytes.get(next + 1) == Some(&b'\n') {
                    next += 1;
                }
                return Ok((field, next));
            }
            b'\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Err(format!("line {start_line}: a quoted field is never closed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        match parse(text) {
            Ok(records) => records.into_iter().map(|r| r.fields.into_iter().map(Cow::into_owned).collect()).collect(),
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(fields("a,b,c\n\"x,y\",z,\"\"\n"), vec![vec!["a", "b", "c"], vec!["x,y", "z", ""]]);
    }

    #[test]
    fn escaped_quotes_crlf_bom_and_blank_lines() {
        assert_eq!(
            fields("\u{FEFF}h1,h2\r\n\r\n\"say \"\"hi\"\"\",2\r\nlast,1"),
            vec![vec!["h1", "h2"], vec!["say \"hi\"", "2"], vec!["last", "1"]]
        );
    }

    #[test]
    fn quoted_line_break_and_line_numbers() {
        let records = match parse("a\n\"two\nlines\",x\nb\n") {
            Ok(records) => records,
            Err(error) => panic!("{error}"),
        };
        let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        assert_eq!(records[1].fields[0], "two\nlines");
    }

    #[test]
    fn malformed_quotes_are_errors() {
        assert_eq!(parse("a\n\"open,b\n"), Err("line 2: a quoted field is never closed".to_owned()));
        assert_eq!(parse("\"x\"y,z\n"), Err("line 1: text after a closing quote".to_owned()));
    }
}
