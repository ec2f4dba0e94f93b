//! HTML pages to items: JSON-LD, microdata, Open Graph, Twitter cards, plain metadata
//! (`<title>`, meta description, canonical link, `lang`) and `<img>` elements, with a
//! readability pass for a summary when the page states none.
//!
//! Sources are read in order of trust and each fact is taken from the first that states
//! it: the page's main schema.org entity, Open Graph, Twitter cards, plain meta tags, the
//! document itself. Nothing is guessed.

mod encoding;
mod entities;
mod jsonld;
mod markup;
mod microdata;
mod price;
mod schema;

use chrono::{DateTime, Utc};
use iqpins_core::fields::Money;
use serde_json::Value;
use url::Url;

pub use encoding::decode_html;
pub(crate) use price::{
    amount_in_text as price_amount, currency as price_currency,
    currency_in_text as price_currency_in_text,
};
pub(crate) use schema::parse_date as schema_date;

use crate::text::{clean, plain, resolve};
use crate::{Availability, ContentItem, ContentKind, Error, ImageRef, Result};

/// Pages larger than this are refused (a sane cap for one page, far above real pages).
pub const MAX_PAGE_BYTES: usize = 32 * 1024 * 1024;
/// How many `<img>` elements of the body are kept at most.
const MAX_BODY_IMAGES: usize = 12;

/// The facts one source states about the page; merged into the item by [`Facts::fill`].
#[derive(Default, Debug)]
pub(crate) struct Facts {
    pub(crate) kind: Option<ContentKind>,
    pub(crate) url: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) images: Vec<ImageRef>,
    pub(crate) price: Option<Money>,
    pub(crate) availability: Option<Availability>,
    pub(crate) brand: Option<String>,
    pub(crate) sku: Option<String>,
    pub(crate) gtin: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) keywords: Vec<String>,
    pub(crate) author: Option<String>,
    pub(crate) published_at: Option<DateTime<Utc>>,
    pub(crate) site_name: Option<String>,
    pub(crate) lang: Option<String>,
}

impl Facts {
    /// Takes from `other` every fact this one lacks; images are appended (no duplicates).
    fn fill(&mut self, other: Facts) {
        macro_rules! take {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f; } )* };
        }
        take!(
            kind,
            url,
            title,
            summary,
            price,
            availability,
            brand,
            sku,
            gtin,
            category,
            author,
            published_at,
            site_name,
            lang
        );
        if self.keywords.is_empty() {
            self.keywords = other.keywords;
        }
        for img in other.images {
            match self.images.iter_mut().find(|i| i.url == img.url) {
                Some(existing) => {
                    existing.width = existing.width.or(img.width);
                    existing.height = existing.height.or(img.height);
                    if existing.alt.is_none() {
                        existing.alt = img.alt;
                    }
                }
                None => self.images.push(img),
            }
        }
    }

    fn into_item(self) -> ContentItem {
        let mut kind = self.kind.unwrap_or_default();
        if kind == ContentKind::Page && self.price.is_some() {
            kind = ContentKind::Product;
        }
        ContentItem {
            kind,
            url: self.url,
            title: self.title,
            summary: self.summary,
            images: self.images,
            price: self.price,
            availability: self.availability,
            brand: self.brand,
            sku: self.sku,
            gtin: self.gtin,
            category: self.category,
            keywords: self.keywords,
            author: self.author,
            published_at: self.published_at,
            site_name: self.site_name,
            lang: self.lang,
        }
    }
}

/// Extracts the page's item from HTML bytes. The encoding comes from the BOM, the
/// `Content-Type` charset, `<meta charset>` or sniffing; `base` resolves relative URLs
/// (a `<base href>`, the canonical link or `og:url` serve when it is `None`).
///
/// Returns one item describing the page (an empty page gives an item of kind `page` with
/// no facts). Refuses pages over [`MAX_PAGE_BYTES`].
pub fn extract_html(
    bytes: &[u8],
    content_type: Option<&str>,
    base: Option<&Url>,
) -> Result<Vec<ContentItem>> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(Error::Unrecognised(format!(
            "page of {} bytes is larger than the {MAX_PAGE_BYTES}-byte limit",
            bytes.len()
        )));
    }
    let text = decode_html(bytes, content_type);
    Ok(vec![extract_page(&text, base, true)])
}

/// Extracts the item of an already decoded page. `readability` enables the readability
/// pass for a summary when the page has no description.
pub fn extract_page(text: &str, base: Option<&Url>, readability: bool) -> ContentItem {
    let text = &*prestrip(text);
    // One streaming pass; should it give up (a memory limit), the parsed tree serves.
    let markup = markup::scan(text).unwrap_or_else(|_| markup::from_tree(text));
    page_item(&markup, text, base, readability)
}

/// The page's item from what its markup states; `text` serves the readability pass.
fn page_item(
    markup: &markup::Markup,
    text: &str,
    base: Option<&Url>,
    readability: bool,
) -> ContentItem {
    let metas = &markup.metas;
    let meta = |key: &str| -> Option<String> {
        metas
            .iter()
            .filter(|(k, _)| k == key)
            .find_map(|(_, v)| clean(v))
    };

    // The base: given, else <base href>, canonical or og:url (absolute ones only).
    let canonical_raw = markup.canonical.clone();
    let own_base = base.cloned().or_else(|| {
        canonical_raw
            .as_deref()
            .or(meta("og:url").as_deref())
            .and_then(|u| Url::parse(u.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    });
    let base_href = markup.base_href.as_deref().and_then(|h| match &own_base {
        Some(b) => b.join(h.trim()).ok(),
        None => Url::parse(h.trim()).ok(),
    });
    let base = base_href.or(own_base);
    let base = base.as_ref();

    // Structured data.
    let blocks: Vec<Value> = markup
        .json_ld
        .iter()
        .filter_map(|s| jsonld::parse_block(s))
        .collect();
    let nodes = jsonld::flatten(blocks);
    let micro = markup.microdata.to_json(base);
    let mut ids = jsonld::index(&nodes);
    for (k, v) in jsonld::index(&micro) {
        ids.entry(k).or_insert(v);
    }
    let reader = schema::Reader { ids: &ids, base };
    let page_url = canonical_raw
        .as_deref()
        .and_then(|c| resolve(c, base))
        .or_else(|| base.map(Url::to_string));
    // The main entity: products before articles before pages; among several, the one
    // that has an offer and the one whose URL is the page's (listings and "you may also
    // like" blocks describe other products), then the first in the document.
    let main = nodes
        .iter()
        .chain(micro.iter())
        .enumerate()
        .filter_map(|(i, n)| {
            let o = n.as_object()?;
            let kind = schema::class(&jsonld::types(o))?;
            let rank = match kind {
                ContentKind::Product => 0,
                ContentKind::Article => 1,
                ContentKind::Page => 2,
            };
            let no_offer = !(o.contains_key("offers") || o.contains_key("hasVariant"));
            let other_url = match (o.get("url").and_then(Value::as_str), &page_url) {
                (Some(u), Some(p)) => resolve(u, base).is_some_and(|u| !same_page(&u, p)),
                _ => false,
            };
            Some(((rank, no_offer, other_url, i), kind, o))
        })
        .min_by_key(|(key, _, _)| *key)
        .map(|(_, kind, o)| (kind, o));
    let site_node = nodes
        .iter()
        .chain(micro.iter())
        .filter_map(Value::as_object)
        .find(|o| jsonld::types(o).iter().any(|t| t == "WebSite"));

    // Where the page lives (canonical first), its language and site name.
    let mut facts = Facts {
        url: canonical_raw
            .as_deref()
            .and_then(|c| resolve(c, base))
            .or_else(|| meta("og:url").and_then(|u| resolve(&u, base))),
        lang: markup
            .lang
            .as_deref()
            .or(markup.xml_lang.as_deref())
            .and_then(clean)
            .or_else(|| meta("content-language")),
        site_name: meta("og:site_name"),
        ..Facts::default()
    };
    if let Some((kind, node)) = main {
        facts.fill(reader.facts(node, kind));
    }
    facts.fill(open_graph(metas, &meta, base));
    facts.fill(twitter(metas, &meta, base));
    facts.fill(plain_meta(markup, &meta, base));
    if let Some(site) = site_node {
        facts.fill(Facts {
            site_name: site.get("name").and_then(Value::as_str).and_then(plain),
            ..Facts::default()
        });
    }
    facts.fill(Facts {
        images: body_images(&markup.images, base),
        url: base.map(Url::to_string),
        ..Facts::default()
    });
    // An article's `<time datetime>` (not a product's: that dates reviews or offers).
    if facts.published_at.is_none() && facts.kind != Some(ContentKind::Product) {
        facts.published_at = markup.time.as_deref().and_then(schema::parse_date);
    }
    if readability && facts.summary.is_none() {
        facts.fill(readable(text, base));
    }
    facts.into_item()
}

/// Removes what extraction never reads before the (costly) tree is built: comments,
/// `<style>`, inline `<svg>` and every `<script>` that is not JSON-LD. Modern pages are
/// mostly these; the HTML parser ends them at the same `</script>` / `</style>` as here.
fn prestrip(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lower_at = |i: usize, pat: &[u8]| {
        bytes.len() >= i + pat.len() && bytes[i..i + pat.len()].eq_ignore_ascii_case(pat)
    };
    let find_ci = |from: usize, pat: &[u8]| find_ci(bytes, from, pat);
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(j) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + j;
        let boundary = |n: usize| {
            bytes
                .get(at + n)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
        };
        let skip_to = if lower_at(at, b"<!--") {
            memchr::memmem::find(&bytes[at + 4..], b"-->").map(|e| at + 4 + e + 3)
        } else if lower_at(at, b"<script") && boundary(7) {
            let tag_end = bytes[at..].iter().position(|&b| b == b'>').map(|e| at + e);
            match tag_end {
                Some(te)
                    if !bytes[at..te]
                        .windows(7)
                        .any(|w| w.eq_ignore_ascii_case(b"ld+json")) =>
                {
                    find_ci(te, b"</script").map(|e| {
                        bytes[e..]
                            .iter()
                            .position(|&b| b == b'>')
                            .map_or(bytes.len(), |g| e + g + 1)
                    })
                }
                // JSON-LD is kept whole: its text is not markup (an old CMS may wrap it
                // in `<!-- … -->`, which the JSON-LD reader unwraps).
                Some(te) => {
                    i = find_ci(te, b"</script").unwrap_or(bytes.len());
                    continue;
                }
                None => None,
            }
        } else if lower_at(at, b"<style") && boundary(6) {
            find_ci(at, b"</style>").map(|e| e + 8)
        } else if lower_at(at, b"<svg") && boundary(4) {
            find_ci(at, b"</svg>").map(|e| e + 6)
        } else {
            None
        };
        match skip_to {
            Some(end) if text.is_char_boundary(end) => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() / 2));
                o.push_str(&text[copied..at]);
                copied = end;
                i = end;
            }
            _ => i = at + 1,
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[copied..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Where `pat` first occurs in `bytes` at or after `from`, ignoring ASCII case.
pub(crate) fn find_ci(bytes: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    let first = *pat.first()?;
    let hay = bytes.get(from..)?;
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), hay)
        .map(|i| from + i)
        .find(|&i| {
            bytes
                .get(i..i + pat.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(pat))
        })
}

/// Two URLs name the same page when they differ only in query, fragment or a final `/`.
fn same_page(a: &str, b: &str) -> bool {
    let strip = |u: &str| {
        let u = u.split(['?', '#']).next().unwrap_or(u);
        u.trim_end_matches('/').to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

fn open_graph(
    metas: &[(String, String)],
    meta: &dyn Fn(&str) -> Option<String>,
    base: Option<&Url>,
) -> Facts {
    let mut f = Facts::default();
    let og_type = meta("og:type").map(|t| t.to_ascii_lowercase());
    f.kind = match og_type.as_deref() {
        Some(t) if t.starts_with("product") || t == "og:product" => Some(ContentKind::Product),
        Some(t) if t.starts_with("article") || t == "blog" || t.contains("recipe") => {
            Some(ContentKind::Article)
        }
        _ => None,
    };
    f.title = meta("og:title").and_then(|t| plain(&t));
    f.summary = meta("og:description").and_then(|t| plain(&t));
    f.url = meta("og:url").and_then(|u| resolve(&u, base));
    // Images: og:image starts a new image; :width/:height/:alt describe the last one.
    let mut url_set = false;
    for (k, v) in metas {
        match k.as_str() {
            "og:image" => {
                if let Some(u) = resolve(v, base) {
                    f.images.push(ImageRef::new(u));
                    url_set = false;
                }
            }
            "og:image:url" | "og:image:secure_url" => {
                if let Some(u) = resolve(v, base) {
                    match f.images.last_mut() {
                        Some(last) if !url_set => {
                            if k == "og:image:secure_url" || last.url == u {
                                last.url = u;
                            }
                            url_set = true;
                        }
                        _ => {
                            f.images.push(ImageRef::new(u));
                            url_set = true;
                        }
                    }
                }
            }
            "og:image:width" | "og:image:height" | "og:image:alt" => {
                if let Some(last) = f.images.last_mut() {
                    match k.as_str() {
                        "og:image:width" => last.width = last.width.or(schema::parse_dimension(v)),
                        "og:image:height" => {
                            last.height = last.height.or(schema::parse_dimension(v));
                        }
                        _ => {
                            if last.alt.is_none() {
                                last.alt = clean(v);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let amount = meta("product:price:amount")
        .or_else(|| meta("og:price:amount"))
        .or_else(|| meta("product:sale_price:amount"));
    let currency = meta("product:price:currency")
        .or_else(|| meta("og:price:currency"))
        .or_else(|| meta("product:sale_price:currency"));
    if let Some(a) = amount {
        f.price = price::money(&a, currency.as_deref());
    }
    f.availability = meta("product:availability")
        .or_else(|| meta("og:availability"))
        .and_then(|a| Availability::parse_loose(&a));
    f.brand = meta("product:brand").or_else(|| meta("og:brand"));
    f.sku = meta("product:retailer_item_id").or_else(|| meta("product:sku"));
    f.gtin = meta("product:ean")
        .or_else(|| meta("product:upc"))
        .or_else(|| meta("product:gtin"))
        .or_else(|| meta("product:isbn"))
        .or_else(|| meta("books:isbn"));
    f.category = meta("product:category").or_else(|| meta("article:section"));
    f.keywords = metas
        .iter()
        .filter(|(k, _)| k == "article:tag" || k == "book:tag")
        .filter_map(|(_, v)| clean(v))
        .collect();
    f.author = meta("article:author")
        .or_else(|| meta("book:author"))
        .filter(|a| !a.starts_with("http"));
    f.published_at = meta("article:published_time")
        .or_else(|| meta("og:published_time"))
        .and_then(|d| schema::parse_date(&d));
    f.lang = meta("og:locale").map(|l| l.replace('_', "-"));
    if f.kind.is_none() && f.price.is_some() {
        f.kind = Some(ContentKind::Product);
    } else if f.kind.is_none() && f.published_at.is_some() {
        f.kind = Some(ContentKind::Article);
    }
    f
}

fn twitter(
    metas: &[(String, String)],
    meta: &dyn Fn(&str) -> Option<String>,
    base: Option<&Url>,
) -> Facts {
    let mut f = Facts {
        title: meta("twitter:title").and_then(|t| plain(&t)),
        summary: meta("twitter:description").and_then(|t| plain(&t)),
        ..Facts::default()
    };
    for (k, v) in metas {
        match k.as_str() {
            "twitter:image" | "twitter:image:src" => {
                if let Some(u) = resolve(v, base) {
                    f.images.push(ImageRef::new(u));
                }
            }
            "twitter:image:alt" => {
                if let Some(last) = f.images.last_mut()
                    && last.alt.is_none()
                {
                    last.alt = clean(v);
                }
            }
            "twitter:image:width" | "twitter:image:height" => {
                if let Some(last) = f.images.last_mut() {
                    let d = schema::parse_dimension(v);
                    if k.ends_with("width") {
                        last.width = last.width.or(d);
                    } else {
                        last.height = last.height.or(d);
                    }
                }
            }
            _ => {}
        }
    }
    f
}

/// `<title>`, meta description/keywords/author/date, Dublin Core and parse.ly tags,
/// `link rel=image_src`.
fn plain_meta(
    markup: &markup::Markup,
    meta: &dyn Fn(&str) -> Option<String>,
    base: Option<&Url>,
) -> Facts {
    let title = markup.title.as_deref().and_then(plain);
    let mut f = Facts {
        title: title
            .or_else(|| meta("dc.title"))
            .or_else(|| meta("parsely-title")),
        summary: meta("description")
            .or_else(|| meta("dc.description"))
            .and_then(|d| plain(&d)),
        author: meta("dc.creator")
            .or_else(|| meta("author"))
            .or_else(|| meta("parsely-author"))
            .or_else(|| meta("sailthru.author"))
            .filter(|a| !a.starts_with("http")),
        published_at: [
            "parsely-pub-date",
            "date",
            "pubdate",
            "publish-date",
            "publish_date",
            "dc.date",
            "dc.date.issued",
            "dc.created",
            "sailthru.date",
            "citation_publication_date",
        ]
        .iter()
        .find_map(|k| meta(k).and_then(|d| schema::parse_date(&d))),
        site_name: meta("application-name").or_else(|| meta("apple-mobile-web-app-title")),
        category: meta("parsely-section"),
        ..Facts::default()
    };
    // The document itself: its first heading.
    if f.title.is_none() {
        f.title = markup.h1.as_deref().and_then(plain);
    }
    if let Some(k) = meta("keywords").or_else(|| meta("news_keywords")) {
        f.keywords = k.split([',', ';']).filter_map(clean).collect();
    }
    for h in &markup.image_src {
        if let Some(u) = resolve(h, base) {
            f.images.push(ImageRef::new(u));
        }
    }
    f
}

/// `<img>` elements with a usable source (lazy-loading attributes included), skipping
/// tracking pixels and icons whose declared size is under 50 pixels.
fn body_images(images: &[markup::RawImage], base: Option<&Url>) -> Vec<ImageRef> {
    let mut out: Vec<ImageRef> = Vec::new();
    for img in images {
        if out.len() >= MAX_BODY_IMAGES {
            break;
        }
        let Some(url) = img
            .sources
            .iter()
            .find_map(|s| resolve(s, base))
            .filter(|u| !is_media_file(u))
        else {
            continue;
        };
        let width = img.width.as_deref().and_then(schema::parse_dimension);
        let height = img.height.as_deref().and_then(schema::parse_dimension);
        if width.is_some_and(|w| w < 50) || height.is_some_and(|h| h < 50) {
            continue;
        }
        if out.iter().any(|i| i.url == url) {
            continue;
        }
        out.push(ImageRef {
            url,
            width,
            height,
            alt: img.alt.as_deref().and_then(clean),
        });
    }
    out
}

/// Video and audio files are sometimes put where images go; they are not images.
fn is_media_file(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    [
        ".mp4", ".webm", ".mov", ".m4v", ".mp3", ".ogg", ".wav", ".m3u8",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}

/// The readability pass: an excerpt (and byline, date) when the page states no summary.
fn readable(text: &str, base: Option<&Url>) -> Facts {
    let url = base.map(Url::as_str);
    let Ok(mut r) = dom_smoothie::Readability::new(text, url, None) else {
        return Facts::default();
    };
    let Ok(article) = r.parse() else {
        return Facts::default();
    };
    Facts {
        summary: article
            .excerpt
            .as_deref()
            .and_then(plain)
            .map(|s| crate::text::summary_cut(&s, 500)),
        author: article.byline.as_deref().and_then(clean),
        published_at: article
            .published_time
            .as_deref()
            .and_then(schema::parse_date),
        ..Facts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> ContentItem {
        let base = Url::parse("https://shop.example/p/mug").unwrap();
        extract_html(html.as_bytes(), None, Some(&base))
            .unwrap()
            .remove(0)
    }

    #[test]
    fn json_ld_wrapped_in_an_html_comment_is_read() {
        let item = page(
            r#"<head><script type="application/ld+json"><!--
            {"@type":"Product","name":"Tasse","offers":{"price":"24.50","priceCurrency":"EUR"}}
            --></script><!-- a real comment --></head><p itemprop=x>y"#,
        );
        assert_eq!(item.title.as_deref(), Some("Tasse"));
        assert_eq!(item.price.unwrap().amount().as_str(), "24.50");
    }

    #[test]
    fn a_property_left_unclosed_ends_at_the_next_paragraph() {
        let item = page(
            r#"<div itemscope itemtype="https://schema.org/Product"><span itemprop=name>Bowl</span>
            <p itemprop=description>First line<p>Other paragraph<ul><li>Blue<li>Green</ul></div>"#,
        );
        assert_eq!(item.summary.as_deref(), Some("First line"));
    }

    #[test]
    fn json_ld_products_give_price_brand_and_codes() {
        let item = page(
            r#"<html lang="en"><head><script type="application/ld+json">
            {"@context":"https://schema.org","@type":"Product","name":"Blue Mug","image":["/img/mug.jpg"],
             "brand":{"@type":"Brand","name":"Acme"},"sku":"M-1","gtin13":"4006381333931",
             "offers":{"@type":"Offer","price":"12.50","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}
            </script></head><body></body></html>"#,
        );
        assert_eq!(item.kind, ContentKind::Product);
        assert_eq!(item.title.as_deref(), Some("Blue Mug"));
        assert_eq!(item.images[0].url, "https://shop.example/img/mug.jpg");
        let p = item.price.unwrap();
        assert_eq!(
            (p.amount().as_str(), p.currency().as_str()),
            ("12.50", "EUR")
        );
        assert_eq!(item.availability, Some(Availability::InStock));
        assert_eq!(item.brand.as_deref(), Some("Acme"));
        assert_eq!(item.sku.as_deref(), Some("M-1"));
        assert_eq!(item.gtin.as_deref(), Some("4006381333931"));
        assert_eq!(item.lang.as_deref(), Some("en"));
    }

    #[test]
    fn open_graph_prices_and_images_are_read() {
        let item = page(
            r#"<head><meta property="og:type" content="product"><meta property="og:title" content="Tea &amp; Cake">
            <meta property="og:image" content="https://cdn.example/a.jpg"><meta property="og:image:width" content="800">
            <meta property="og:image:alt" content="A cake">
            <meta property="product:price:amount" content="9.99"><meta property="product:price:currency" content="USD">
            </head>"#,
        );
        assert_eq!(item.kind, ContentKind::Product);
        assert_eq!(item.title.as_deref(), Some("Tea & Cake"));
        assert_eq!(item.images[0].width, Some(800));
        assert_eq!(item.images[0].alt.as_deref(), Some("A cake"));
        assert_eq!(item.price.unwrap().amount().as_str(), "9.99");
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped_but_json_ld_kept() {
        let t = prestrip(
            "<p>a</p><script>var x='</p>';</script><!-- c --><style>p{}</style>\
             <script type=\"application/ld+json\">{}</script><svg><path/></svg><b>b</b>",
        );
        assert_eq!(
            t,
            "<p>a</p><script type=\"application/ld+json\">{}</script><b>b</b>"
        );
    }

    #[test]
    fn a_page_without_structured_data_gives_only_what_it_states() {
        let item =
            page("<html><head><title> Hello  world </title></head><body><p>Hi</p></body></html>");
        assert_eq!(item.kind, ContentKind::Page);
        assert_eq!(item.title.as_deref(), Some("Hello world"));
        assert_eq!(item.price, None);
        assert_eq!(item.brand, None);
        assert_eq!(item.url.as_deref(), Some("https://shop.example/p/mug"));
    }

    #[test]
    fn articles_give_author_date_and_site_name() {
        let item = page(
            r##"<script type="application/ld+json">{"@graph":[{"@type":"WebSite","@id":"#site","name":"Kitchen Notes"},
            {"@type":"BlogPosting","headline":"Ten soups","author":{"@id":"#me"},"datePublished":"2024-03-01T10:00:00+01:00","publisher":{"@id":"#site"}},
            {"@type":"Person","@id":"#me","name":"Ann Cook"}]}</script>"##,
        );
        assert_eq!(item.kind, ContentKind::Article);
        assert_eq!(item.author.as_deref(), Some("Ann Cook"));
        assert_eq!(item.site_name.as_deref(), Some("Kitchen Notes"));
        assert_eq!(
            item.published_at.unwrap().to_rfc3339(),
            "2024-03-01T09:00:00+00:00"
        );
    }
}
