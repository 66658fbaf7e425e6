//! Telegram's HTML `parse_mode`, as strict as the real server: a bare `<`, an unknown tag or a badly
//! nested one is a 400 "can't parse entities", which is exactly how an escaping bug in the bot shows up
//! in production. Modelled on tdlib's `parse_html` (same error texts); only the parts a bot can trip
//! over are kept: tag names, nesting, closing, entities (`&lt;` `&gt;` `&amp;` `&quot;` and numeric;
//! any other `&` stays literal, as in Telegram). The result is the plain text, for the length limit.
//!
//! [`check_bot_html`] is the stricter rule for what the bot itself writes, used by the property tests
//! and the fuzzers: Telegram must accept it, every `&` must open one of the entities `escape` writes
//! (a bare `&` is accepted by Telegram but means something was not escaped), and the text must fit
//! Telegram's limit, which counts the plain text in UTF-16 code units (an emoji is two).

const SUPPORTED_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

/// Parses `text` as Telegram HTML; `Ok(plain text)` or `Err(reason)` for
/// "Bad Request: can't parse entities: {reason}".
pub fn parse(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut plain = String::with_capacity(text.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let begin = i;
                i += 1;
                if bytes.get(i) == Some(&b'/') {
                    let Some(expected) = open.pop() else {
                        return Err(format!("Unexpected end tag at byte offset {begin}"));
                    };
                    i += 1;
                    let name_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    let name = text[name_start..i].to_ascii_lowercase();
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if bytes.get(i) != Some(&b'>') {
                        return Err(format!("Unclosed end tag at byte offset {begin}"));
                    }
                    i += 1;
                    if !name.is_empty() && name != expected {
                        return Err(format!(
                            "Unmatched end tag at byte offset {begin}, expected \"</{expected}>\", found \"</{name}>\""
                        ));
                    }
                } else {
                    let name_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    if i >= bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    let name = text[name_start..i].to_ascii_lowercase();
                    if !SUPPORTED_TAGS.contains(&name.as_str()) {
                        return Err(format!("Unsupported start tag \"{name}\" at byte offset {begin}"));
                    }
                    // Attributes: skip to the closing '>' outside quotes.
                    let mut quote = None;
                    while i < bytes.len() {
                        match (quote, bytes[i]) {
                            (None, b'>') => break,
                            (None, q @ (b'"' | b'\'')) => quote = Some(q),
                            (Some(q), c) if c == q => quote = None,
                            _ => {}
                        }
                        i += 1;
                    }
                    if i >= bytes.len() {
                        return Err(format!("Unclosed start tag at byte offset {begin}"));
                    }
                    i += 1;
                    open.push(name);
                }
            }
            b'&' => match decode_entity(&text[i..]) {
                Some((c, used)) => {
                    plain.push(c);
                    i += used;
                }
                None => {
                    plain.push('&');
                    i += 1;
                }
            },
            _ => {
                let c = text[i..].chars().next().expect("inside the text");
                plain.push(c);
                i += c.len_utf8();
            }
        }
    }
    match open.last() {
        Some(tag) => Err(format!("Can't find end tag corresponding to start tag \"{tag}\"")),
        None => Ok(plain),
    }
}

/// Decodes an entity at the start of `s` (which starts with '&'): the char and the bytes used.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    let body = &s[1..end];
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let number = body.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// Telegram's limit on a message's text, in UTF-16 code units of the text after parsing.
pub const MAX_TEXT: usize = 4096;

/// The plain text's length as Telegram counts it (UTF-16 code units).
pub fn telegram_len(plain: &str) -> usize {
    plain.encode_utf16().count()
}

/// Checks HTML the bot wrote: Telegram parses it, no `&` is left bare, and the plain text is 1 to
/// [`MAX_TEXT`] long. `Ok(plain text)` or `Err(reason)`.
pub fn check_bot_html(html: &str) -> Result<String, String> {
    let plain = parse(html)?;
    for (at, _) in html.match_indices('&') {
        let rest = &html[at..];
        let known = ["&lt;", "&gt;", "&amp;", "&quot;"].iter().any(|entity| rest.starts_with(entity));
        if !known {
            return Err(format!("bare '&' at byte offset {at}"));
        }
    }
    match telegram_len(&plain) {
        0 => Err("the text is empty".to_owned()),
        len if len > MAX_TEXT => Err(format!("the text is {len} UTF-16 units long, more than {MAX_TEXT}")),
        _ => Ok(plain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_telegram_refuses_is_refused() {
        assert_eq!(parse("<b>x</b> &lt;&amp;&gt; &#128512;").as_deref(), Ok("x <&> \u{1F600}"));
        for bad in ["<b>x", "x</b>", "<b><i>x</b></i>", "<script>x</script>", "a < b", "<b x</b>"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("AT&T").as_deref(), Ok("AT&T"), "Telegram keeps a bare & as it is");
    }

    #[test]
    fn the_bot_escapes_every_ampersand_and_stays_inside_the_limit() {
        assert!(check_bot_html("AT&amp;T <code>1</code>").is_ok());
        assert!(check_bot_html("AT&T").is_err());
        assert!(check_bot_html("").is_err());
        assert!(check_bot_html(&"a".repeat(MAX_TEXT)).is_ok());
        assert!(check_bot_html(&"😀".repeat(MAX_TEXT / 2 + 1)).is_err(), "an emoji counts twice");
        assert!(check_bot_html(&format!("<b>{}</b>", "a".repeat(MAX_TEXT))).is_ok(), "tags do not count");
    }
}
