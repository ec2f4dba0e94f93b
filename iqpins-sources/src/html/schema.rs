//! schema.org nodes (from JSON-LD or microdata) to item facts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use serde_json::{Map, Value};
use url::Url;

use super::Facts;
use crate::html::price;
use crate::text::{clean, plain, resolve};
use crate::{Availability, ContentKind, ImageRef};

/// schema.org types read as products.
pub(crate) const PRODUCT_TYPES: &[&str] = &[
    "Product",
    "ProductGroup",
    "IndividualProduct",
    "ProductModel",
    "SomeProducts",
    "Vehicle",
    "Car",
    "Offer",
];

/// schema.org types read as articles (news, posts, recipes, how-tos).
pub(crate) const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "Recipe",
    "Report",
    "ScholarlyArticle",
    "TechArticle",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "OpinionNewsArticle",
    "AnalysisNewsArticle",
    "ReportageNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "AskPublicNewsArticle",
    "SatiricalArticle",
    "AdvertiserContentArticle",
    "DiscussionForumPosting",
    "HowTo",
    "Review",
];

/// schema.org types read as plain pages.
pub(crate) const PAGE_TYPES: &[&str] = &[
    "WebPage",
    "ItemPage",
    "AboutPage",
    "CollectionPage",
    "ContactPage",
    "FAQPage",
    "ProfilePage",
    "QAPage",
    "SearchResultsPage",
    "CheckoutPage",
    "MedicalWebPage",
    "RealEstateListing",
];

/// How strongly a node describes the page: products, then articles, then web pages.
pub(crate) fn class(types: &[String]) -> Option<ContentKind> {
    // Pages are written by people: `"@type": "product"` means Product.
    let has = |list: &[&str]| {
        types
            .iter()
            .any(|t| list.iter().any(|l| l.eq_ignore_ascii_case(t)))
    };
    if has(PRODUCT_TYPES) {
        Some(ContentKind::Product)
    } else if has(ARTICLE_TYPES) {
        Some(ContentKind::Article)
    } else if has(PAGE_TYPES) {
        Some(ContentKind::Page)
    } else {
        None
    }
}

/// Reads the facts of one node.
pub(crate) struct Reader<'a> {
    pub(crate) ids: &'a HashMap<String, Value>,
    pub(crate) base: Option<&'a Url>,
}

impl Reader<'_> {
    /// Follows an `{"@id": …}` reference to the full node when it is known.
    fn deref<'v>(&'v self, v: &'v Value) -> &'v Value {
        if let Value::Object(o) = v
            && o.len() == 1
            && let Some(Value::String(id)) = o.get("@id")
            && let Some(full) = self.ids.get(id)
        {
            return full;
        }
        v
    }

    /// The first string a value holds: a string, a number, the `name` (or `@value`) of an
    /// object, or the first of an array.
    fn text(&self, v: &Value) -> Option<String> {
        match self.deref(v) {
            Value::String(s) => plain(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(a) => a.iter().find_map(|x| self.text(x)),
            Value::Object(o) => ["name", "@value", "value"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|x| self.text(x))),
            _ => None,
        }
    }

    fn get_text(&self, node: &Map<String, Value>, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| node.get(*k).and_then(|v| self.text(v)))
    }

    /// All the names a value holds (for authors and keywords).
    fn texts(&self, v: &Value, out: &mut Vec<String>) {
        match self.deref(v) {
            Value::Array(a) => {
                for x in a.iter().take(50) {
                    self.texts(x, out);
                }
            }
            other => {
                if let Some(t) = self.text(other)
                    && !out.contains(&t)
                {
                    out.push(t);
                }
            }
        }
    }

    fn images(&self, v: &Value, out: &mut Vec<ImageRef>, depth: usize) {
        if depth > 3 {
            return;
        }
        match self.deref(v) {
            Value::String(s) => {
                if let Some(url) = resolve(s, self.base) {
                    out.push(ImageRef::new(url));
                }
            }
            Value::Array(a) => {
                for x in a.iter().take(20) {
                    self.images(x, out, depth + 1);
                }
            }
            Value::Object(o) => {
                let url = ["url", "contentUrl", "contentURL", "@id"]
                    .iter()
                    .filter_map(|k| o.get(*k))
                    .find_map(|u| match u {
                        Value::String(s) => resolve(s, self.base),
                        Value::Array(a) => a
                            .iter()
                            .find_map(|x| x.as_str())
                            .and_then(|s| resolve(s, self.base)),
                        _ => None,
                    });
                if let Some(url) = url {
                    out.push(ImageRef {
                        url,
                        width: o.get("width").and_then(|w| self.dimension(w)),
                        height: o.get("height").and_then(|h| self.dimension(h)),
                        alt: self.get_text(o, &["caption", "description", "name"]),
                    });
                }
            }
            _ => {}
        }
    }

    fn dimension(&self, v: &Value) -> Option<u32> {
        match v {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => parse_dimension(s),
            Value::Object(o) => o.get("value").and_then(|x| self.dimension(x)),
            _ => None,
        }
    }

    /// Reads a node into facts.
    pub(crate) fn facts(&self, node: &Map<String, Value>, kind: ContentKind) -> Facts {
        let mut f = Facts {
            kind: Some(kind),
            ..Facts::default()
        };
        // An Offer that wraps the product: read the product and keep the offer's price.
        if kind == ContentKind::Product
            && !node.contains_key("name")
            && let Some(Value::Object(inner)) = node.get("itemOffered").map(|v| self.deref(v))
        {
            let mut f = self.facts(inner, kind);
            self.offers(&Value::Object(node.clone()), &mut f, 0);
            return f;
        }
        f.title = if kind == ContentKind::Article {
            self.get_text(node, &["headline", "name", "alternativeHeadline"])
        } else {
            self.get_text(node, &["name", "headline"])
        }
        // A link marked up as the name is no name.
        .filter(|t| !t.starts_with("http://") && !t.starts_with("https://"));
        f.summary = self.get_text(node, &["description", "abstract"]);
        f.url = node
            .get("url")
            .and_then(|v| self.text(v))
            .and_then(|u| resolve(&u, self.base));
        for key in ["image", "thumbnailUrl", "thumbnail", "photo"] {
            if let Some(v) = node.get(key) {
                self.images(v, &mut f.images, 0);
            }
        }
        if let Some(b) = node.get("brand").or_else(|| node.get("manufacturer")) {
            f.brand = self.text(b);
        }
        f.sku = self.get_text(node, &["sku", "productID"]);
        f.gtin = self.get_text(
            node,
            &["gtin13", "gtin12", "gtin14", "gtin8", "gtin", "isbn", "ean"],
        );
        let mut cats = Vec::new();
        for key in ["category", "articleSection", "recipeCategory"] {
            if let Some(v) = node.get(key) {
                self.texts(v, &mut cats);
            }
        }
        f.category = (!cats.is_empty()).then(|| cats.join(", "));
        if let Some(v) = node.get("keywords") {
            let mut kws = Vec::new();
            self.texts(v, &mut kws);
            for k in kws {
                for part in k.split(',') {
                    if let Some(p) = clean(part)
                        && !f.keywords.contains(&p)
                    {
                        f.keywords.push(p);
                    }
                }
            }
        }
        for key in ["author", "creator"] {
            if let Some(v) = node.get(key) {
                let mut names = Vec::new();
                self.texts(v, &mut names);
                names.retain(|n| !n.starts_with("http"));
                if !names.is_empty() {
                    f.author = Some(names.join(", "));
                    break;
                }
            }
        }
        f.published_at = ["datePublished", "dateCreated", "uploadDate"]
            .iter()
            .filter_map(|k| node.get(*k))
            .find_map(|v| self.text(v).and_then(|s| parse_date(&s)));
        if let Some(p) = node.get("publisher") {
            f.site_name = self.text(p);
        }
        if let Some(l) = node.get("inLanguage") {
            f.lang = match self.deref(l) {
                Value::Object(o) => self.get_text(o, &["alternateName", "name"]),
                other => self.text(other),
            };
        }
        if let Some(offers) = node.get("offers") {
            self.offers(offers, &mut f, 0);
        }
        if f.price.is_none()
            && let Some(variants) = node.get("hasVariant")
        {
            let mut vf = Facts::default();
            match self.deref(variants) {
                Value::Array(a) => {
                    for v in a.iter().take(50) {
                        if let Value::Object(o) = self.deref(v) {
                            vf = self.facts(o, ContentKind::Product);
                            if vf.price.is_some() {
                                break;
                            }
                        }
                    }
                }
                Value::Object(o) => vf = self.facts(o, ContentKind::Product),
                _ => {}
            }
            f.price = vf.price;
            if f.availability.is_none() {
                f.availability = vf.availability;
            }
            if f.images.is_empty() {
                f.images = vf.images;
            }
        }
        f
    }

    /// Reads price, currency and availability from `offers`.
    fn offers(&self, v: &Value, f: &mut Facts, depth: usize) {
        if depth > 3 {
            return;
        }
        match self.deref(v) {
            Value::Array(a) => {
                for x in a.iter().take(50) {
                    self.offers(x, f, depth + 1);
                    if f.price.is_some() {
                        break;
                    }
                }
            }
            Value::Object(o) => {
                let currency = self.get_text(o, &["priceCurrency", "currency"]);
                let mut amount = ["price", "lowPrice", "highPrice"]
                    .iter()
                    .filter_map(|k| o.get(*k))
                    .find_map(|p| self.text(p));
                let mut currency = currency;
                if amount.is_none()
                    && let Some(spec) = o.get("priceSpecification")
                {
                    let spec = match self.deref(spec) {
                        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    };
                    if let Value::Object(s) = spec {
                        amount = self.get_text(&s, &["price", "minPrice"]);
                        currency = currency.or_else(|| self.get_text(&s, &["priceCurrency"]));
                    }
                }
                if f.availability.is_none() {
                    f.availability = self
                        .get_text(o, &["availability"])
                        .and_then(|a| Availability::parse_loose(&a));
                }
                if f.sku.is_none() {
                    f.sku = self.get_text(o, &["sku"]);
                }
                if f.gtin.is_none() {
                    f.gtin = self.get_text(o, &["gtin13", "gtin12", "gtin14", "gtin8", "gtin"]);
                }
                if f.price.is_none()
                    && let Some(a) = amount
                {
                    f.price = price::money(&a, currency.as_deref());
                }
                if f.price.is_none()
                    && let Some(inner) = o.get("offers")
                {
                    self.offers(inner, f, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// A width or height such as `600`, `"600"` or `"600px"`.
pub(crate) fn parse_dimension(s: &str) -> Option<u32> {
    let digits: String = s.trim().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| *n > 0)
}

/// Reads the date formats pages use: RFC 3339, RFC 2822, date-only and date-time without
/// an offset (read as UTC).
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.and_utc());
        }
    }
    let date_part = s.get(..10).unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    for fmt in ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_common_formats_are_read() {
        for s in [
            "2017-07-05T12:00:00Z",
            "2017-07-05T14:00:00+02:00",
            "2017-07-05T12:00:00",
            "Wed, 05 Jul 2017 12:00:00 GMT",
            "2017-07-05T12:00:00+0000",
        ] {
            assert_eq!(
                parse_date(s).unwrap().to_rfc3339(),
                "2017-07-05T12:00:00+00:00",
                "{s}"
            );
        }
        assert_eq!(
            parse_date("2017-07-05").unwrap().to_rfc3339(),
            "2017-07-05T00:00:00+00:00"
        );
        assert_eq!(parse_date("yesterday"), None);
    }
}
