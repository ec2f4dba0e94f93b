//! Small text helpers shared by the extractors.

use scraper::Html;
use url::Url;

/// Collapses runs of whitespace to one space and trims; `None` when nothing is left.
pub(crate) fn clean(s: &str) -> Option<String> {
    // Most text is already clean: single ASCII spaces, no other whitespace. Bytes that
    // start a multi-byte whitespace character (U+0085, U+00A0, U+1680, U+2000…U+3000)
    // send the text down the general path.
    let b = s.as_bytes();
    let already_clean = !b.is_empty()
        && b[0] != b' '
        && b[b.len() - 1] != b' '
        && !b.windows(2).any(|w| w == b"  ")
        && !b.iter().any(|&c| {
            matches!(
                c,
                b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0xC2 | 0xE1 | 0xE2 | 0xE3
            )
        });
    if already_clean {
        return Some(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// Turns text that may hold markup or character references (`&amp;`, `&#39;`, `<p>`)
/// into plain text, then [`clean`]s it. Tags are dropped (with the content of `script`
/// and `style`); references are decoded by a fast path for numeric and common named ones,
/// and by the HTML parser when an uncommon name appears.
pub(crate) fn plain(s: &str) -> Option<String> {
    if !s.contains('&') && !s.contains('<') {
        return clean(s);
    }
    let stripped = strip_tags(s);
    let mut out = match decode_refs(&stripped) {
        Some(t) => t,
        None => html_text(&stripped),
    };
    // A second pass handles double-escaped text such as `&amp;amp;` or `&lt;p&gt;`.
    if out.contains("&amp;") || out.contains("&#") || out.contains("&lt;") {
        let again = strip_tags(&out);
        out = decode_refs(&again).unwrap_or_else(|| html_text(&again));
    }
    clean(&out)
}

fn html_text(s: &str) -> String {
    let frag = Html::parse_fragment(s);
    frag.root_element().text().collect::<Vec<_>>().join(" ")
}

/// Removes tags (and the content of `script`/`style`/comments), leaving a space where
/// a tag was so words do not run together.
fn strip_tags(s: &str) -> String {
    if !s.contains('<') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        // Only `<` followed by a letter, `/`, `!` or `?` opens markup ("a < b" is text).
        let opens = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !opens {
            out.push('<');
            rest = after;
            continue;
        }
        if let Some(body) = after.strip_prefix("!--") {
            rest = body.find("-->").map_or("", |e| &body[e + 3..]);
            out.push(' ');
            continue;
        }
        let lower: String = after
            .chars()
            .take(7)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if lower.starts_with("script") {
            Some("</script")
        } else if lower.starts_with("style") {
            Some("</style")
        } else {
            None
        };
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
        if let Some(close) = skip_to {
            let low = rest.to_ascii_lowercase();
            rest = match low.find(close) {
                Some(i) => {
                    let tail = &rest[i..];
                    tail.find('>').map_or("", |e| &tail[e + 1..])
                }
                None => "",
            };
        }
        out.push(' ');
    }
    out.push_str(rest);
    out
}

/// Common named character references (the rest go through the HTML parser).
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("sbquo", '‚'),
    ("bdquo", '„'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("middot", '·'),
    ("deg", '°'),
    ("euro", '€'),
    ("pound", '£'),
    ("yen", '¥'),
    ("cent", '¢'),
    ("times", '×'),
    ("divide", '÷'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("acirc", 'â'),
    ("auml", 'ä'),
    ("aring", 'å'),
    ("atilde", 'ã'),
    ("ccedil", 'ç'),
    ("iacute", 'í'),
    ("igrave", 'ì'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("ntilde", 'ñ'),
    ("oacute", 'ó'),
    ("ograve", 'ò'),
    ("ocirc", 'ô'),
    ("ouml", 'ö'),
    ("otilde", 'õ'),
    ("oslash", 'ø'),
    ("uacute", 'ú'),
    ("ugrave", 'ù'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("szlig", 'ß'),
    ("Eacute", 'É'),
    ("Agrave", 'À'),
    ("Auml", 'Ä'),
    ("Ouml", 'Ö'),
    ("Uuml", 'Ü'),
    ("Ccedil", 'Ç'),
    ("shy", '\u{ad}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
];

/// Decodes character references; `None` when an unknown name needs the full table.
fn decode_refs(s: &str) -> Option<String> {
    if !s.contains('&') {
        return Some(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(12)
            .find(|(_, c)| !c.is_ascii_alphanumeric() && *c != '#')
            .map(|(i, _)| i);
        let Some(end) = end.filter(|&e| after[e..].starts_with(';') && e > 0) else {
            out.push('&');
            rest = after;
            continue;
        };
        let name = &after[..end];
        let ch = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            Some(
                code.and_then(char::from_u32)
                    .filter(|c| *c != '\0')
                    .unwrap_or('\u{fffd}'),
            )
        } else {
            match NAMED.iter().find(|(n, _)| *n == name) {
                Some((_, c)) => Some(*c),
                None if name.chars().all(|c| c.is_ascii_alphanumeric()) => return None,
                None => None,
            }
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Resolves `raw` against `base`; without a base only absolute http(s) URLs are kept.
/// `data:` and `javascript:` URLs are dropped.
pub(crate) fn resolve(raw: &str, base: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let lower = raw.get(..11).unwrap_or(raw).to_ascii_lowercase();
    if lower.starts_with("data:") || lower.starts_with("javascript:") || lower.starts_with("about:")
    {
        return None;
    }
    let url = match base {
        Some(b) => b.join(raw).ok()?,
        None => Url::parse(raw).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Truncates long text at a word boundary (used for summaries built from whole content).
pub(crate) fn summary_cut(s: &str, max: usize) -> String {
    iqpins_core::fields::truncate_words(s, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_entities_become_plain_text() {
        assert_eq!(plain("Tom &amp; Jerry").as_deref(), Some("Tom & Jerry"));
        assert_eq!(plain("<p>Hi <b>you</b></p>").as_deref(), Some("Hi you"));
        assert_eq!(plain("Tom &amp;amp; Jerry").as_deref(), Some("Tom & Jerry"));
        assert_eq!(plain("   ").as_deref(), None);
        assert_eq!(
            plain("a &lt; b &#233;&#x20AC;").as_deref(),
            Some("a < b é€")
        );
        assert_eq!(
            plain("x <script>var a = '<p>';</script>y").as_deref(),
            Some("x y")
        );
        assert_eq!(plain("1 < 2 &hearts;").as_deref(), Some("1 < 2 ♥"));
        assert_eq!(
            plain("&#0; &#xFFFFFFFF; &;").as_deref(),
            Some("\u{fffd} \u{fffd} &;")
        );
    }

    #[test]
    fn clean_collapses_every_kind_of_whitespace() {
        for (input, want) in [
            ("Plain text", Some("Plain text")),
            ("  padded\tand\nwrapped  ", Some("padded and wrapped")),
            ("double  space", Some("double space")),
            (
                "no\u{a0}break\u{2003}em\u{3000}ideo",
                Some("no break em ideo"),
            ),
            (
                "caf\u{e9} \u{2019}quoted\u{2019}",
                Some("caf\u{e9} \u{2019}quoted\u{2019}"),
            ),
            ("", None),
            (" \u{a0} ", None),
        ] {
            assert_eq!(clean(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn relative_urls_need_a_base() {
        let base = Url::parse("https://shop.example/a/b").unwrap();
        assert_eq!(
            resolve("../img.jpg", Some(&base)).as_deref(),
            Some("https://shop.example/img.jpg")
        );
        assert_eq!(resolve("img.jpg", None), None);
        assert_eq!(resolve("data:image/png;base64,xx", Some(&base)), None);
    }
}
