//! Character references and input preprocessing as the HTML tokenizer applies them
//! (html5ever's rules, with its table): the streaming scan sees source text, a parsed
//! tree sees decoded text, and both must give extraction the same strings.

use std::borrow::Cow;

use web_atoms::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Where a piece of source text stands, which decides how it is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// An attribute value: references decoded, with the legacy rule that `&amp=` or
    /// `&copyx` (no semicolon, then `=` or an alphanumeric) stay as written.
    Attribute,
    /// Ordinary text: references decoded; NUL characters are dropped.
    Data,
    /// `<title>` and `<textarea>` text: references decoded; NUL becomes U+FFFD.
    RcData,
    /// `<script>`, `<style>`, `<noscript>` and other raw text: nothing decoded; NUL
    /// becomes U+FFFD.
    Raw,
}

/// Decodes `raw` source text as the tokenizer would: CR and CRLF become LF, NUL is
/// replaced or dropped, and (outside raw text) character references are decoded.
pub(crate) fn decode(raw: &str, cx: Context) -> Cow<'_, str> {
    let special = |b: &u8| matches!(b, b'\r' | b'\0') || (*b == b'&' && cx != Context::Raw);
    let Some(first) = raw.as_bytes().iter().position(special) else {
        return Cow::Borrowed(raw);
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(i) = rest.as_bytes().iter().position(special) {
        out.push_str(&rest[..i]);
        let at = &rest[i..];
        match at.as_bytes()[0] {
            b'\r' => {
                out.push('\n');
                rest = at[1..].strip_prefix('\n').unwrap_or(&at[1..]);
            }
            b'\0' => {
                if cx != Context::Data {
                    out.push('\u{fffd}');
                }
                rest = &at[1..];
            }
            _ => {
                let used = reference(&at[1..], cx == Context::Attribute, &mut out);
                if used == 0 {
                    out.push('&');
                }
                rest = &at[1 + used..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Decodes the character reference that follows a `&` into `out`; returns how many bytes
/// after the `&` it used (0: not a reference, the `&` stands for itself).
fn reference(after: &str, in_attribute: bool, out: &mut String) -> usize {
    let bytes = after.as_bytes();
    match bytes.first() {
        Some(b'#') => numeric(after, out),
        Some(c) if c.is_ascii_alphanumeric() => named(after, in_attribute, out),
        _ => 0,
    }
}

fn numeric(after: &str, out: &mut String) -> usize {
    let bytes = after.as_bytes();
    let (radix, mut i) = match bytes.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits_from = i;
    let mut n: u32 = 0;
    let mut too_big = false;
    while let Some(d) = bytes.get(i).and_then(|&b| char::from(b).to_digit(radix)) {
        n = n.wrapping_mul(radix);
        if n > 0x10_FFFF {
            too_big = true;
        }
        n = n.wrapping_add(d);
        i += 1;
    }
    if i == digits_from {
        return 0;
    }
    if bytes.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match n {
        _ if too_big || n > 0x10_FFFF => '\u{fffd}',
        0x00 | 0xD800..=0xDFFF => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(n - 0x80) as usize]
            .or_else(|| char::from_u32(n))
            .unwrap_or('\u{fffd}'),
        _ => char::from_u32(n).unwrap_or('\u{fffd}'),
    };
    out.push(c);
    i
}

fn named(after: &str, in_attribute: bool, out: &mut String) -> usize {
    // The longest name in the table that the text starts with; the table also holds
    // every prefix of a name (with no characters), so the search stops at a dead end.
    let mut best: Option<(usize, (u32, u32))> = None;
    for (i, c) in after.char_indices() {
        let end = i + c.len_utf8();
        match NAMED_ENTITIES.get(&after[..end]) {
            Some(&m) => {
                if m.0 != 0 {
                    best = Some((end, m));
                }
            }
            None => break,
        }
    }
    let Some((len, (c1, c2))) = best else {
        return 0;
    };
    let ends_with_semicolon = after.as_bytes()[len - 1] == b';';
    let next = after.as_bytes().get(len);
    if in_attribute
        && !ends_with_semicolon
        && next.is_some_and(|b| *b == b'=' || b.is_ascii_alphanumeric())
    {
        return 0;
    }
    for cp in [c1, c2] {
        if cp != 0
            && let Some(c) = char::from_u32(cp)
        {
            out.push(c);
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html5ever_text(s: &str) -> String {
        let doc = scraper::Html::parse_fragment(&format!("<p>{s}</p>"));
        doc.root_element().text().collect()
    }

    fn html5ever_attr(s: &str) -> String {
        let doc = scraper::Html::parse_fragment(&format!("<p title=\"{s}\"></p>"));
        let sel = scraper::Selector::parse("p").unwrap();
        let p = doc.select(&sel).next().unwrap();
        p.value().attr("title").unwrap().to_owned()
    }

    #[test]
    fn references_decode_as_the_html_parser_decodes_them() {
        for s in [
            "Tea &amp; cake",
            "&lt;b&gt; &quot;x&quot; &#39;y&#39; &#x27;z&#X27;",
            "caf&eacute; &Eacute;t&eacute; &nbsp;&hellip;",
            "&amp &ampx &amp= &notit; &notin; &not &copy2024",
            "&#0; &#x110000; &#xD800; &#128; &#x81; &#150; &#99999999999;",
            "&#; &#x; &#xg; & &; &bogus; &zz",
            "&acE; &NotEqualTilde; &fjlig;",
            "a\r\nb\rc\n",
            "é &eacute",
            "&amp;amp;",
        ] {
            assert_eq!(decode(s, Context::Data), html5ever_text(s), "text {s:?}");
            assert_eq!(
                decode(s, Context::Attribute),
                html5ever_attr(s),
                "attribute {s:?}"
            );
        }
    }

    #[test]
    fn raw_text_is_left_alone() {
        assert_eq!(decode("a &amp; b", Context::Raw), "a &amp; b");
        assert_eq!(decode("a\r\nb\0", Context::Raw), "a\nb\u{fffd}");
        assert_eq!(decode("a\0b", Context::Data), "ab");
        assert_eq!(decode("a\0b", Context::RcData), "a\u{fffd}b");
        assert!(matches!(decode("plain", Context::Data), Cow::Borrowed(_)));
    }
}
