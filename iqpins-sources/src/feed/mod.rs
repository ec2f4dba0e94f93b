//! Feeds to items via feed-rs: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1.
//!
//! Each entry becomes an article. Images come from Media RSS (`media:content`,
//! `media:thumbnail`, `media:group`), enclosures, `itunes:image`, and else the first
//! `<img>` of the entry's content or summary. Google Merchant feeds (`g:` elements) give
//! products with price, availability, brand, codes and their image links.

mod merchant;

use feed_rs::model::{Entry, Feed, Link};
use url::Url;

use crate::text::{clean, plain, resolve, summary_cut};
use crate::{ContentItem, ContentKind, Error, ImageRef, Result};

/// Feeds larger than this are refused.
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;
/// Summaries built from whole entry content are cut to this many characters.
const CONTENT_SUMMARY_MAX: usize = 500;

/// Parses a feed and returns one item per entry. `base` resolves relative links when the
/// feed has no `xml:base` of its own.
///
/// A feed that cannot be parsed gives [`Error::MalformedFeed`] with the parser's reason.
pub fn extract_feed(bytes: &[u8], base: Option<&Url>) -> Result<Vec<ContentItem>> {
    extract_feed_lenient(bytes, base).map(|(items, _)| items)
}

/// Like [`extract_feed`], and also says how the feed was repaired when it was not
/// well-formed but could still be read: a `<rss>` root without a version, the Atom 0.3
/// namespace, or namespace prefixes (`media:`, `itunes:`, …) used without a declaration.
pub fn extract_feed_lenient(
    bytes: &[u8],
    base: Option<&Url>,
) -> Result<(Vec<ContentItem>, Option<String>)> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(Error::MalformedFeed(format!(
            "feed of {} bytes is larger than the {MAX_FEED_BYTES}-byte limit",
            bytes.len()
        )));
    }
    let parse = |b: &[u8]| {
        feed_rs::parser::Builder::new()
            .base_uri(base.map(Url::as_str))
            .build()
            .parse(b)
    };
    let (repaired, notes) = repair(bytes);
    match parse(&repaired) {
        Ok(feed) => {
            let note = (!notes.is_empty()).then(|| {
                format!(
                    "the feed is not well-formed ({}); it was read leniently",
                    notes.join("; ")
                )
            });
            let mut items = items_of(&feed, base);
            // Google Merchant product feeds: the g: fields of each item, matched by
            // position (both passes read items in document order).
            if merchant::uses_merchant_namespace(&repaired)
                && let Some(fields) = merchant::fields(&repaired)
                && fields.len() == items.len()
            {
                for (item, f) in items.iter_mut().zip(&fields) {
                    merchant::enrich(item, f, base);
                }
            }
            Ok((items, note))
        }
        Err(e) => Err(Error::MalformedFeed(e.to_string())),
    }
}

/// Namespaces feeds use without declaring them.
const KNOWN_PREFIXES: &[(&str, &str)] = &[
    ("media", "http://search.yahoo.com/mrss/"),
    ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
    ("content", "http://purl.org/rss/1.0/modules/content/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("atom", "http://www.w3.org/2005/Atom"),
];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Guesses the encoding of text that is not UTF-8 and declares none. chardetng reads the
/// non-ASCII bytes with a few bytes of context on each side (markup tells it nothing and
/// costs the most), up to 64 KiB of such windows.
fn sniff_encoding(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    const SAMPLE: usize = 64 * 1024;
    const CONTEXT: usize = 12;
    let mut sample = Vec::new();
    let mut done = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|b| !b.is_ascii()) {
        let start = (i + at).saturating_sub(CONTEXT).max(done);
        let run_end = bytes[i + at..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |e| i + at + e);
        let end = (run_end + CONTEXT).min(bytes.len());
        if start > done && !sample.is_empty() {
            sample.push(b' ');
        }
        sample.extend_from_slice(&bytes[start..end]);
        done = end;
        i = end;
        if sample.len() >= SAMPLE || i >= bytes.len() {
            break;
        }
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(&sample, true);
    det.guess(None, true)
}

/// Repairs what feed readers commonly tolerate; returns the bytes and what was repaired.
fn repair(bytes: &[u8]) -> (std::borrow::Cow<'_, [u8]>, Vec<String>) {
    let mut notes = Vec::new();
    // Text that is not UTF-8 and declares no encoding: sniff it and read it as UTF-8.
    let head = &bytes[..bytes.len().min(512)];
    let utf8 = std::str::from_utf8(bytes).is_ok();
    if !utf8
        && find(head, b"encoding=").is_none()
        && !bytes.starts_with(b"\xFF\xFE")
        && !bytes.starts_with(b"\xFE\xFF")
    {
        let enc = sniff_encoding(bytes);
        let text = enc.decode(bytes).0.into_owned();
        notes.push(format!(
            "its encoding is not declared (read as {})",
            enc.name()
        ));
        let (fixed, more) = repair(text.as_bytes());
        notes.extend(more);
        return (fixed.into_owned().into(), notes);
    }
    let head_len = bytes.len().min(8192);
    let Some(root) =
        find(&bytes[..head_len], b"<rss").or_else(|| find(&bytes[..head_len], b"<feed"))
    else {
        return (bytes.into(), notes);
    };
    let Some(root_end) = bytes[root..]
        .iter()
        .position(|&c| c == b'>')
        .map(|e| root + e)
    else {
        return (bytes.into(), notes);
    };
    let root_tag = &bytes[root..root_end];
    let mut extra = String::new();
    if root_tag.starts_with(b"<rss") && find(root_tag, b"version").is_none() {
        extra.push_str(" version=\"2.0\"");
        notes.push("the <rss> element has no version".to_owned());
    }
    for (prefix, ns) in KNOWN_PREFIXES {
        let used = find(bytes, format!("<{prefix}:").as_bytes()).is_some();
        let declared = used && find(bytes, format!("xmlns:{prefix}=").as_bytes()).is_some();
        if used && !declared {
            extra.push_str(&format!(" xmlns:{prefix}=\"{ns}\""));
            notes.push(format!("the namespace prefix {prefix:?} is not declared"));
        }
    }
    let atom03 =
        root_tag.starts_with(b"<feed") && find(root_tag, b"http://purl.org/atom/ns#").is_some();
    if extra.is_empty() && !atom03 {
        return (bytes.into(), notes);
    }
    let mut out = Vec::with_capacity(bytes.len() + extra.len());
    if atom03 {
        // Atom 0.3 differs from 1.0 in little a reader of titles, links and dates needs.
        let tag = String::from_utf8_lossy(root_tag)
            .replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
        out.extend_from_slice(&bytes[..root]);
        out.extend_from_slice(tag.as_bytes());
    } else {
        out.extend_from_slice(&bytes[..root_end]);
    }
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&bytes[root_end..]);
    (out.into(), notes)
}

/// The items of a parsed feed.
pub fn items_of(feed: &Feed, base: Option<&Url>) -> Vec<ContentItem> {
    let site_name = feed.title.as_ref().and_then(|t| plain(&t.content));
    let feed_base = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| Url::parse(&l.href).ok())
        .or_else(|| base.cloned());
    feed.entries
        .iter()
        .map(|e| entry_item(e, feed, feed_base.as_ref(), site_name.clone()))
        .collect()
}

fn entry_item(
    e: &Entry,
    feed: &Feed,
    base: Option<&Url>,
    site_name: Option<String>,
) -> ContentItem {
    let entry_base = e.base.as_deref().and_then(|b| Url::parse(b).ok());
    let base = entry_base.as_ref().or(base);
    let url = best_link(&e.links).and_then(|l| resolve(&l.href, base));
    let summary = e
        .summary
        .as_ref()
        .and_then(|s| plain(&s.content))
        .or_else(|| {
            e.content
                .as_ref()
                .and_then(|c| c.body.as_deref())
                .and_then(content_summary)
        })
        .or_else(|| {
            e.media
                .iter()
                .find_map(|m| m.description.as_ref())
                .and_then(|d| plain(&d.content))
        });
    let title = e
        .title
        .as_ref()
        .and_then(|t| plain(&t.content))
        .or_else(|| {
            e.media
                .iter()
                .find_map(|m| m.title.as_ref())
                .and_then(|t| plain(&t.content))
        });
    let mut authors: Vec<String> = e
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().and_then(clean))
        .collect();
    authors.dedup();
    let mut keywords: Vec<String> = Vec::new();
    for c in &e.categories {
        if let Some(k) = c
            .label
            .as_deref()
            .and_then(clean)
            .or_else(|| clean(&c.term))
            && !keywords.contains(&k)
        {
            keywords.push(k);
        }
    }
    ContentItem {
        kind: ContentKind::Article,
        url,
        title,
        summary,
        images: images(e, base),
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        published_at: e.published.or(e.updated),
        keywords,
        site_name,
        lang: e
            .language
            .as_deref()
            .or(feed.language.as_deref())
            .and_then(clean),
        ..ContentItem::default()
    }
}

/// A summary cut from an entry's whole content. Long content is read from a prefix
/// first: the summary is its first [`CONTENT_SUMMARY_MAX`] characters, and turning a whole
/// article into plain text only to cut it costs more than the rest of the entry.
fn content_summary(body: &str) -> Option<String> {
    const PREFIX: usize = CONTENT_SUMMARY_MAX * 16;
    if body.len() > PREFIX * 2 {
        let mut end = PREFIX;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        // Enough text past the cut that a tag or reference split at the prefix's end
        // cannot reach into the summary.
        if let Some(text) = plain(&body[..end])
            && text.chars().count() > CONTENT_SUMMARY_MAX + 200
        {
            return Some(summary_cut(&text, CONTENT_SUMMARY_MAX));
        }
    }
    plain(body).map(|s| summary_cut(&s, CONTENT_SUMMARY_MAX))
}

/// The entry's page: `rel="alternate"` (or no rel) first, never an enclosure.
fn best_link(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| {
            links
                .iter()
                .find(|l| !matches!(l.rel.as_deref(), Some("enclosure" | "self" | "replies")))
        })
}

fn looks_like_image(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".svg",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

fn images(e: &Entry, base: Option<&Url>) -> Vec<ImageRef> {
    let mut out: Vec<ImageRef> = Vec::new();
    fn push_to(out: &mut Vec<ImageRef>, img: ImageRef) {
        if !out.iter().any(|i| i.url == img.url) {
            out.push(img);
        }
    }
    for m in &e.media {
        let alt = m
            .description
            .as_ref()
            .and_then(|d| plain(&d.content))
            .or_else(|| m.title.as_ref().and_then(|t| plain(&t.content)));
        for c in &m.content {
            let Some(u) = &c.url else { continue };
            let is_image = match &c.content_type {
                Some(t) => t.ty() == "image",
                None => looks_like_image(u.as_str()),
            };
            if is_image && let Some(url) = resolve(u.as_str(), base) {
                push_to(
                    &mut out,
                    ImageRef {
                        url,
                        width: c.width,
                        height: c.height,
                        alt: alt.clone(),
                    },
                );
            }
        }
        for t in &m.thumbnails {
            if let Some(url) = resolve(&t.image.uri, base) {
                push_to(
                    &mut out,
                    ImageRef {
                        url,
                        width: t.image.width,
                        height: t.image.height,
                        alt: alt.clone(),
                    },
                );
            }
        }
    }
    // Atom enclosures arrive as links.
    for l in &e.links {
        if l.rel.as_deref() == Some("enclosure")
            && (l
                .media_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"))
                || l.media_type.is_none() && looks_like_image(&l.href))
            && let Some(url) = resolve(&l.href, base)
        {
            push_to(&mut out, ImageRef::new(url));
        }
    }
    if out.is_empty() {
        let html = e
            .content
            .as_ref()
            .and_then(|c| c.body.as_deref())
            .into_iter()
            .chain(e.summary.as_ref().map(|s| s.content.as_str()));
        for h in html {
            if let Some(img) = first_img(h, base) {
                push_to(&mut out, img);
                break;
            }
        }
    }
    out
}

/// The first `<img>` with a usable `src` in an HTML fragment (a light scan: feed
/// content is often long, and only one tag is needed).
fn first_img(html: &str, base: Option<&Url>) -> Option<ImageRef> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("<img") {
        let start = from + pos + 4;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        let attr = |name: &str| attr_value(tag, name);
        if let Some(url) = attr("src").and_then(|s| resolve(&s, base)) {
            return Some(ImageRef {
                url,
                width: attr("width").and_then(|w| w.trim().parse().ok()),
                height: attr("height").and_then(|h| h.trim().parse().ok()),
                alt: attr("alt").and_then(|a| plain(&a)),
            });
        }
        from = end;
    }
    None
}

/// The value of `name="…"`, `name='…'` or `name=…` in a tag's attribute text.
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let vstart = tag.len() - rest.len() + 1;
        let v = tag[vstart..].trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or_default(),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or_default(),
        };
        return Some(crate::text::plain(value).unwrap_or_default()).filter(|s| !s.is_empty());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_with_media_and_enclosures_give_images() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
          <channel><title>Shop news</title><link>https://shop.example/</link>
          <item><title>New mugs</title><link>https://shop.example/mugs</link><description>Hot &amp; new</description>
            <media:content url="https://cdn.example/m.jpg" medium="image" type="image/jpeg" width="600" height="900"/></item>
          <item><title>Tea</title><link>/tea</link><enclosure url="https://cdn.example/t.png" type="image/png" length="1"/></item>
          <item><title>Cake</title><description><![CDATA[<p><img src="/c.jpg" alt="cake"></p>]]></description></item>
          </channel></rss>"#;
        let items = extract_feed(rss, None).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].summary.as_deref(), Some("Hot & new"));
        assert_eq!(items[0].images[0].height, Some(900));
        assert_eq!(items[0].site_name.as_deref(), Some("Shop news"));
        assert_eq!(items[1].images[0].url, "https://cdn.example/t.png");
        assert_eq!(items[1].url.as_deref(), Some("https://shop.example/tea"));
        assert_eq!(items[2].images[0].url, "https://shop.example/c.jpg");
        assert_eq!(items[2].images[0].alt.as_deref(), Some("cake"));
    }

    #[test]
    fn a_long_content_summary_reads_a_prefix_and_equals_the_whole_read() {
        let para = "<p>Caf&eacute; <b>cr&egrave;me</b> &amp; tea, brewed slowly.</p>\n";
        let body = para.repeat(2_000);
        let whole = plain(&body).map(|s| summary_cut(&s, CONTENT_SUMMARY_MAX));
        let summary = content_summary(&body);
        assert_eq!(summary, whole);
        let summary = summary.unwrap();
        assert!(summary.starts_with("Café crème & tea"), "{summary}");
        assert!(summary.chars().count() <= CONTENT_SUMMARY_MAX);
        // Short content takes the direct path.
        assert_eq!(
            content_summary(para).as_deref(),
            Some("Café crème & tea, brewed slowly.")
        );
    }

    #[test]
    fn an_undeclared_legacy_encoding_is_sniffed_from_its_non_ascii_lines() {
        let mut rss =
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Not\xedcias</title>\n"
                .to_vec();
        for i in 0..50 {
            rss.extend_from_slice(
                format!("<item><title>Item {i}</title><link>https://n.example/{i}</link>\n")
                    .as_bytes(),
            );
            rss.extend_from_slice(b"<description>A s\xe3o Jo\xe3o e a pol\xedtica da na\xe7\xe3o</description></item>\n");
        }
        rss.extend_from_slice(b"</channel></rss>");
        let (items, note) = extract_feed_lenient(&rss, None).unwrap();
        assert_eq!(items.len(), 50);
        assert_eq!(items[0].site_name.as_deref(), Some("Notícias"));
        assert_eq!(
            items[3].summary.as_deref(),
            Some("A são João e a política da nação")
        );
        assert!(note.unwrap().contains("windows-1252"));
    }

    #[test]
    fn a_malformed_feed_is_reported_as_malformed() {
        let e = extract_feed(b"<rss><channel><item><title>x</ti", None).unwrap_err();
        assert!(e.to_string().starts_with("malformed feed"), "{e}");
    }
}
