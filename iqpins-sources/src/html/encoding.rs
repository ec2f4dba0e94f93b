//! Turning page bytes into text: BOM, `Content-Type` charset, `<meta charset>`, then
//! sniffing (chardetng) when nothing is declared and the bytes are not UTF-8.

use encoding_rs::{Encoding, UTF_8};

/// Decodes page bytes to text. Malformed sequences become U+FFFD; this never fails.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    let encoding = choose(bytes, content_type);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// The encoding the page is in.
pub(crate) fn choose(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
    {
        return fix_utf16(enc);
    }
    if let Some(enc) = meta_charset(&bytes[..bytes.len().min(4096)]) {
        return fix_utf16(enc);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(
        &bytes[..bytes.len().min(64 * 1024)],
        bytes.len() <= 64 * 1024,
    );
    det.guess(None, true)
}

/// A page that claims UTF-16 in a meta tag is really ASCII-compatible (HTML spec).
fn fix_utf16(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    }
}

/// The `charset=` parameter of a `Content-Type` value.
pub(crate) fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// Finds `<meta charset=X>` or `<meta http-equiv=Content-Type content="…charset=X">` in
/// the first bytes of a page (a simplified form of the HTML prescan).
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + 7..];
            let rest = rest
                .iter()
                .position(|&c| c == b'=')
                .map(|p| &rest[p + 1..])?;
            let rest: &[u8] = {
                let n = rest
                    .iter()
                    .take_while(|c| c.is_ascii_whitespace() || **c == b'"' || **c == b'\'')
                    .count();
                &rest[n..]
            };
            let label_len = rest
                .iter()
                .position(|&c| {
                    c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b';' | b'/' | b'>')
                })
                .unwrap_or(rest.len());
            if let Some(enc) = Encoding::for_label(&rest[..label_len]) {
                return Some(enc);
            }
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charsets_are_honoured() {
        let page = b"<html><head><meta charset=\"windows-1252\"></head><body>caf\xe9</body></html>";
        assert!(decode_html(page, None).contains("café"));
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">\xc6\xfc\xcb\xdc";
        assert!(decode_html(page, None).contains("日本"));
        assert!(decode_html(b"caf\xe9", Some("text/html; charset=ISO-8859-1")).contains("café"));
    }

    #[test]
    fn undeclared_non_utf8_text_is_sniffed() {
        let page = "<html><body><p>Ceci est un café très célèbre à côté de la gare, où l'on mange bien.</p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(page);
        assert!(decode_html(&bytes, None).contains("très célèbre"));
    }
}
