//! Deciding whether bytes are an HTML page, a feed or a CSV file.

use crate::{Error, InputKind, Result};

/// How many bytes are looked at to decide.
const SNIFF: usize = 4096;

/// Detects the kind of a document from its first bytes, its name (file name or URL) and
/// its `Content-Type`. The content decides first; the type and name settle ambiguous cases
/// (plain text, bare XML).
///
/// Refuses empty input ([`Error::Empty`]) and binary data ([`Error::Binary`]).
pub fn detect(bytes: &[u8], name: Option<&str>, content_type: Option<&str>) -> Result<InputKind> {
    let head = strip_bom(&bytes[..bytes.len().min(SNIFF)]);
    let trimmed = trim_ascii_start(head);
    if trimmed.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(what) = binary_signature(trimmed) {
        return Err(Error::Binary(what));
    }
    let lower = String::from_utf8_lossy(trimmed).to_ascii_lowercase();
    let ct = content_type
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let ext = name.map(extension).unwrap_or_default();

    if lower.starts_with('<') {
        let feedish = ["<rss", "<feed", "<rdf:rdf", "<rdf ", "<channel"];
        let htmlish = [
            "<!doctype html",
            "<html",
            "<head",
            "<body",
            "<meta",
            "<title",
        ];
        // One pass over the tags (a `find` per marker scans the whole sniff each time).
        let first_of = |markers: &[&str]| {
            memchr::memchr_iter(b'<', lower.as_bytes())
                .find(|&i| markers.iter().any(|m| lower[i..].starts_with(m)))
        };
        let first_feed = first_of(&feedish);
        let first_html = first_of(&htmlish);
        return Ok(match (first_feed, first_html) {
            (Some(f), Some(h)) if f < h => InputKind::Feed,
            (Some(_), None) => InputKind::Feed,
            (_, Some(_)) => InputKind::Html,
            (None, None) if ct.contains("html") || matches!(ext.as_str(), "html" | "htm") => {
                InputKind::Html
            }
            (None, None) if lower.starts_with("<?xml") || ct.contains("xml") => InputKind::Feed,
            (None, None) => InputKind::Html,
        });
    }
    if lower.starts_with('{') {
        if lower.contains("jsonfeed.org") || ct.contains("feed+json") || ext == "json" {
            return Ok(InputKind::Feed);
        }
        return Err(Error::Unrecognised(
            "JSON that is not a JSON Feed (no jsonfeed.org version)".into(),
        ));
    }
    if ct.contains("html") {
        return Ok(InputKind::Html);
    }
    if ct.contains("csv")
        || ct.contains("tab-separated")
        || matches!(ext.as_str(), "csv" | "tsv" | "txt")
        || looks_tabular(&lower)
    {
        return Ok(InputKind::Csv);
    }
    Err(Error::Unrecognised(
        "no HTML tags, feed root or delimited header line found".into(),
    ))
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn extension(name: &str) -> String {
    let path = name.split(['?', '#']).next().unwrap_or(name);
    let last = path.rsplit('/').next().unwrap_or(path);
    match last.rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => String::new(),
    }
}

/// Names well-known binary formats, or says "control bytes" when NULs or many control
/// characters show the data is not text.
fn binary_signature(b: &[u8]) -> Option<String> {
    const SIGS: [(&[u8], &str); 9] = [
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF", "PDF document"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1F\x8B", "gzip data"),
        (b"RIFF", "RIFF media"),
        (b"\x7FELF", "executable"),
        (b"BZh", "bzip2 data"),
    ];
    for (sig, what) in SIGS {
        if b.starts_with(sig) {
            return Some(what.to_owned());
        }
    }
    // UTF-16 text has NULs but is text; leave it to the decoders.
    if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        return None;
    }
    let sample = &b[..b.len().min(1024)];
    let controls = sample
        .iter()
        .filter(|&&c| c == 0 || (c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t' | 0x0C)))
        .count();
    if sample.contains(&0) || controls * 10 > sample.len() {
        return Some("control bytes".to_owned());
    }
    None
}

/// A first line with at least one comma, semicolon or tab reads as a header row.
fn looks_tabular(lower: &str) -> bool {
    let first = lower.lines().next().unwrap_or_default();
    first.contains(',') || first.contains(';') || first.contains('\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_feeds_and_csv_files_are_told_apart_by_content() {
        assert_eq!(
            detect(b"<!DOCTYPE html><html></html>", None, None).unwrap(),
            InputKind::Html
        );
        assert_eq!(
            detect(
                b"<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>",
                None,
                None
            )
            .unwrap(),
            InputKind::Feed
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBFHandle,Title\nmug,Mug\n", None, None).unwrap(),
            InputKind::Csv
        );
        assert_eq!(
            detect(
                br#"{"version":"https://jsonfeed.org/version/1.1"}"#,
                None,
                None
            )
            .unwrap(),
            InputKind::Feed
        );
    }

    #[test]
    fn empty_and_binary_inputs_are_refused_with_a_reason() {
        assert!(matches!(detect(b"  \n", None, None), Err(Error::Empty)));
        let e = detect(b"\x89PNG\r\n\x1a\n\0\0", None, None).unwrap_err();
        assert!(e.to_string().contains("PNG"), "{e}");
        let e = detect(&[0u8, 1, 2, 3, 4, 5], None, None).unwrap_err();
        assert!(e.to_string().contains("binary"), "{e}");
    }
}
