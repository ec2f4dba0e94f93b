//! Small text helpers shared by the extractors.

use scraper::Html;
use url::Url;

/// Collapses runs of whitespace to one space and trims; `None` when nothing is left.
pub(crate) fn clean(s: &str) -> Option<String> {
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
/// into plain text, then [`clean`]s it.
pub(crate) fn plain(s: &str) -> Option<String> {
    if !s.contains('&') && !s.contains('<') {
        return clean(s);
    }
    let frag = Html::parse_fragment(s);
    let mut out = String::with_capacity(s.len());
    for t in frag.root_element().text() {
        out.push_str(t);
        out.push(' ');
    }
    // A second pass handles double-escaped text such as `&amp;amp;`.
    if out.contains("&amp;") || out.contains("&#") {
        let frag = Html::parse_fragment(&out);
        out = frag.root_element().text().collect::<Vec<_>>().join(" ");
    }
    clean(&out)
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
