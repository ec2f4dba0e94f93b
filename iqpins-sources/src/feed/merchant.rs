//! Google Merchant product feeds (Google Shopping, also read by Pinterest catalogs): RSS
//! 2.0 or Atom whose items carry `g:` elements in the namespace
//! `http://base.google.com/ns/1.0` (`g:price` "15.00 USD", `g:image_link`,
//! `g:availability`, `g:brand`, `g:gtin`…). feed-rs keeps none of them, so a second,
//! streaming pass reads them per item, in document order.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use url::Url;

use crate::text::{clean, plain, resolve};
use crate::{Availability, ContentItem, ContentKind, ImageRef};

/// The Google Merchant namespace (fields keep their local name: `price`).
const G_NS: &str = "http://base.google.com/ns/1.0";
/// The namespace of Shopify's own product feeds (`/collections/all.atom`), whose fields are
/// named `shopify:…` here (`shopify:price` gets its `currency` attribute after the amount).
const SHOPIFY_NS: &str = "http://jadedpixel.com/-/spec/shopify";

/// Values kept per field at most (a hostile feed cannot grow memory per item).
const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Whether the feed uses the Google Merchant namespace at all.
pub(crate) fn uses_merchant_namespace(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, G_NS.as_bytes()).is_some()
        || memchr::memmem::find(bytes, SHOPIFY_NS.as_bytes()).is_some()
}

/// The `g:` fields of each `<item>`/`<entry>`, in document order: local name and text.
/// `None` when the XML cannot be read through (feed-rs has read it, so this is rare).
pub(crate) fn fields(bytes: &[u8]) -> Option<Vec<Vec<(String, String)>>> {
    let mut reader = NsReader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut items: Vec<Vec<(String, String)>> = Vec::new();
    let mut in_item = 0usize;
    // The field being read: its name, raw text (references kept as written) and the
    // currency attribute Shopify puts on its prices.
    let mut field: Option<(String, String, Option<String>)> = None;
    loop {
        let (ns, event) = reader.read_resolved_event_into(&mut buf).ok()?;
        let prefix = match ns {
            ResolveResult::Bound(Namespace(n)) if n == G_NS => Some(""),
            ResolveResult::Bound(Namespace(n)) if n == SHOPIFY_NS => Some("shopify:"),
            _ => None,
        };
        match event {
            Event::Start(e) => {
                let local = e.local_name().as_ref().to_owned();
                match prefix {
                    None if matches!(local.as_str(), "item" | "entry") => {
                        in_item += 1;
                        if in_item == 1 {
                            items.push(Vec::new());
                        }
                    }
                    // A Shopify variant holds fields of its own (price, sku): read those.
                    Some("shopify:") if local == "variant" => {}
                    Some(prefix) if in_item > 0 && field.is_none() => {
                        let currency =
                            e.try_get_attribute("currency")
                                .ok()
                                .flatten()
                                .and_then(|c| {
                                    c.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                        .ok()
                                        .map(|c| c.into_owned())
                                });
                        field = Some((format!("{prefix}{local}"), String::new(), currency));
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                match prefix {
                    None if matches!(local.as_ref(), "item" | "entry") => {
                        in_item = in_item.saturating_sub(1);
                    }
                    Some(prefix) => {
                        let ends = |(n, _, _): &mut (String, String, Option<String>)| {
                            n.strip_prefix(prefix) == Some(local.as_ref())
                        };
                        if let Some((name, raw, currency)) = field.take_if(ends)
                            && let Some(item) = items.last_mut()
                            && let Some(value) = plain(&raw)
                        {
                            let value = match currency {
                                Some(c) => format!("{value} {c}"),
                                None => value,
                            };
                            item.push((name, value));
                        }
                    }
                    None => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, raw, _)) = field.as_mut() {
                    push_capped(raw, &t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, raw, _)) = field.as_mut() {
                    push_capped(raw, &format!("&{};", &*r));
                }
            }
            Event::CData(c) => {
                if let Some((_, raw, _)) = field.as_mut() {
                    // CDATA is literal: escape what `plain` would otherwise decode.
                    push_capped(raw, &c.replace('&', "&amp;"));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(items)
}

fn push_capped(raw: &mut String, s: &str) {
    let room = MAX_VALUE_BYTES.saturating_sub(raw.len());
    let mut take = s.len().min(room);
    while !s.is_char_boundary(take) {
        take -= 1;
    }
    raw.push_str(&s[..take]);
}

/// Adds an item's Merchant fields to what feed-rs read: it becomes a product with price
/// (`sale_price` first), availability, brand, codes, category and the image links first.
pub(crate) fn enrich(item: &mut ContentItem, fields: &[(String, String)], base: Option<&Url>) {
    if fields.is_empty() {
        return;
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let first = |names: &[&str]| names.iter().find_map(|n| get(n));
    item.kind = ContentKind::Product;
    if item.title.is_none() {
        item.title = get("title").and_then(clean);
    }
    if item.url.is_none() {
        item.url = first(&["link", "mobile_link"]).and_then(|u| resolve(u, base));
    }
    if item.summary.is_none() {
        item.summary = get("description").and_then(clean);
    }
    // "15.00 USD"; the older Google Base spelling puts the currency in g:currency.
    if let Some(raw) = first(&["sale_price", "price", "shopify:price"])
        && let Some(amount) = crate::html::price_amount(raw)
        && let Some(currency) = crate::html::price_currency_in_text(raw)
            .or_else(|| get("currency").and_then(crate::html::price_currency))
        && let Ok(money) = iqpins_core::Money::new(&amount, currency.as_str())
    {
        item.price = Some(money);
    }
    if item.keywords.is_empty() {
        item.keywords = fields
            .iter()
            .filter(|(n, _)| n == "label")
            .filter_map(|(_, v)| clean(v))
            .collect();
    }
    item.availability = get("availability")
        .and_then(Availability::parse_loose)
        .or(item.availability.take());
    item.brand = first(&["brand", "shopify:vendor"])
        .and_then(clean)
        .or(item.brand.take());
    item.gtin = first(&["gtin", "ean", "upc"])
        .and_then(clean)
        .or(item.gtin.take());
    item.sku = first(&["mpn", "id", "shopify:sku"])
        .and_then(clean)
        .or(item.sku.take());
    item.category = first(&["product_type", "google_product_category", "shopify:type"])
        .and_then(clean)
        .or(item.category.take());
    // The product's own photos come before anything found in the description.
    let mut images: Vec<ImageRef> = fields
        .iter()
        .filter(|(n, _)| n == "image_link" || n == "additional_image_link")
        .flat_map(|(_, v)| v.split(',').map(str::trim).collect::<Vec<_>>())
        .filter_map(|u| resolve(u, base))
        .map(ImageRef::new)
        .collect();
    images.dedup_by(|a, b| a.url == b.url);
    for img in std::mem::take(&mut item.images) {
        if !images.iter().any(|i| i.url == img.url) {
            images.push(img);
        }
    }
    item.images = images;
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<title>Atelier</title><link>https://atelier.example</link><description>Shop</description>
<item>
  <g:id>TS-42</g:id>
  <title>Tasse &amp; soucoupe</title>
  <link>https://atelier.example/tasse</link>
  <description><![CDATA[Gr&egrave;s <b>bleu</b>]]></description>
  <g:price>24.50 EUR</g:price>
  <g:sale_price>19.90 EUR</g:sale_price>
  <g:availability>in stock</g:availability>
  <g:brand>Atelier &amp; Co</g:brand>
  <g:gtin>4006381333931</g:gtin>
  <g:image_link>https://cdn.atelier.example/tasse.jpg</g:image_link>
  <g:additional_image_link>https://cdn.atelier.example/tasse-2.jpg</g:additional_image_link>
  <g:product_type>Cuisine &gt; Tasses</g:product_type>
</item>
<item>
  <g:id>BOL-1</g:id>
  <g:title>Bol</g:title>
  <g:link>https://atelier.example/bol</g:link>
  <g:price>12 USD</g:price>
  <g:availability>out_of_stock</g:availability>
  <g:image_link><![CDATA[https://cdn.atelier.example/bol.jpg?a=1&b=2]]></g:image_link>
</item>
</channel></rss>"#;

    #[test]
    fn merchant_rss_items_become_products_with_price_stock_and_photos() {
        let items = crate::feed::extract_feed(RSS.as_bytes(), None).unwrap();
        assert_eq!(items.len(), 2);
        let t = &items[0];
        assert_eq!(t.kind, ContentKind::Product);
        assert_eq!(t.title.as_deref(), Some("Tasse & soucoupe"));
        let p = t.price.as_ref().unwrap();
        assert_eq!(
            (p.amount().as_str(), p.currency().as_str()),
            ("19.90", "EUR")
        );
        assert_eq!(t.availability, Some(Availability::InStock));
        assert_eq!(t.brand.as_deref(), Some("Atelier & Co"));
        assert_eq!(t.gtin.as_deref(), Some("4006381333931"));
        assert_eq!(t.sku.as_deref(), Some("TS-42"));
        assert_eq!(t.category.as_deref(), Some("Cuisine > Tasses"));
        let urls: Vec<&str> = t.images.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://cdn.atelier.example/tasse.jpg",
                "https://cdn.atelier.example/tasse-2.jpg"
            ]
        );
        let b = &items[1];
        assert_eq!(b.title.as_deref(), Some("Bol"));
        assert_eq!(b.url.as_deref(), Some("https://atelier.example/bol"));
        assert_eq!(b.price.as_ref().unwrap().currency().as_str(), "USD");
        assert_eq!(b.availability, Some(Availability::OutOfStock));
        assert_eq!(
            b.images[0].url,
            "https://cdn.atelier.example/bol.jpg?a=1&b=2"
        );
    }

    #[test]
    fn the_older_google_base_spelling_has_its_currency_apart_and_labels() {
        let rss = r#"<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>x</title>
            <item><title>Mini</title><link>https://shop.example/mini</link>
            <g:label>web search</g:label><g:label>appliance</g:label>
            <g:currency>USD</g:currency><g:price>2995</g:price></item></channel></rss>"#;
        let items = crate::feed::extract_feed(rss.as_bytes(), None).unwrap();
        let p = items[0].price.as_ref().unwrap();
        assert_eq!(
            (p.amount().as_str(), p.currency().as_str()),
            ("2995", "USD")
        );
        assert_eq!(items[0].keywords, ["web search", "appliance"]);
    }

    #[test]
    fn shopify_collection_feeds_give_products_with_the_first_variants_price() {
        let atom = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://jadedpixel.com/-/spec/shopify">
  <id>https://shop.example/collections/all.atom</id><title>Shop</title>
  <updated>2026-11-02T10:00:00-05:00</updated>
  <entry>
    <id>https://shop.example/products/7</id>
    <published>2026-10-01T10:00:00-05:00</published><updated>2026-11-01T10:00:00-05:00</updated>
    <link rel="alternate" type="text/html" href="https://shop.example/products/ocean-mug"/>
    <title>Ocean mug</title>
    <s:type>Mugs</s:type>
    <s:vendor>Atelier</s:vendor>
    <summary type="html"><![CDATA[<p><img src="https://cdn.shop.example/ocean.jpg"></p><p>Stoneware.</p>]]></summary>
    <s:variant>
      <id>https://shop.example/products/7#v1</id><title>Small</title>
      <s:price currency="EUR">24.00</s:price><s:sku>OM-S</s:sku><s:grams>300</s:grams>
    </s:variant>
    <s:variant>
      <id>https://shop.example/products/7#v2</id><title>Large</title>
      <s:price currency="EUR">29.00</s:price><s:sku>OM-L</s:sku>
    </s:variant>
  </entry>
</feed>"#;
        let items = crate::feed::extract_feed(atom.as_bytes(), None).unwrap();
        let m = &items[0];
        assert_eq!(m.kind, ContentKind::Product);
        assert_eq!(
            m.url.as_deref(),
            Some("https://shop.example/products/ocean-mug")
        );
        let p = m.price.as_ref().unwrap();
        assert_eq!(
            (p.amount().as_str(), p.currency().as_str()),
            ("24.00", "EUR")
        );
        assert_eq!(m.brand.as_deref(), Some("Atelier"));
        assert_eq!(m.category.as_deref(), Some("Mugs"));
        assert_eq!(m.sku.as_deref(), Some("OM-S"));
        assert_eq!(m.images[0].url, "https://cdn.shop.example/ocean.jpg");
    }

    #[test]
    fn a_feed_without_the_namespace_is_left_as_articles() {
        let rss = RSS.replace(
            "xmlns:g=\"http://base.google.com/ns/1.0\"",
            "xmlns:g=\"urn:other\"",
        );
        let items = crate::feed::extract_feed(rss.as_bytes(), None).unwrap();
        assert!(
            items
                .iter()
                .all(|i| i.kind == ContentKind::Article && i.price.is_none())
        );
    }
}
