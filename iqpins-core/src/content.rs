//! Normalised content extracted from a user's pages, feeds and files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fields::Money;

/// What kind of thing an item describes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    /// Something for sale.
    Product,
    /// A post, news story, recipe or other article.
    Article,
    /// Any other web page.
    #[default]
    Page,
}

impl ContentKind {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Product => "product",
            ContentKind::Article => "article",
            ContentKind::Page => "page",
        }
    }
}

/// Stock status of a product (schema.org / Google Merchant vocabulary).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// In stock.
    InStock,
    /// Out of stock / sold out.
    OutOfStock,
    /// Can be pre-ordered.
    PreOrder,
    /// Back-ordered.
    BackOrder,
    /// Limited availability.
    LimitedAvailability,
    /// Discontinued.
    Discontinued,
}

impl Availability {
    /// Reads schema.org URLs (`https://schema.org/InStock`), Merchant values (`in stock`,
    /// `in_stock`, `out of stock`, `preorder`, `backorder`) and common shop words.
    pub fn parse_loose(value: &str) -> Option<Self> {
        let v = value.trim();
        let v = v.rsplit('/').next().unwrap_or(v);
        let norm: String = v
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match norm.as_str() {
            "instock" | "available" | "onlineonly" | "instoreonly" | "true" | "1" | "yes" => {
                Availability::InStock
            }
            "outofstock" | "soldout" | "unavailable" | "false" | "0" | "no" => {
                Availability::OutOfStock
            }
            "preorder" | "presale" => Availability::PreOrder,
            "backorder" | "onbackorder" => Availability::BackOrder,
            "limitedavailability" => Availability::LimitedAvailability,
            "discontinued" => Availability::Discontinued,
            _ => return None,
        })
    }

    /// Words for people, e.g. "In stock".
    pub fn label(&self) -> &'static str {
        match self {
            Availability::InStock => "In stock",
            Availability::OutOfStock => "Out of stock",
            Availability::PreOrder => "Pre-order",
            Availability::BackOrder => "Back-order",
            Availability::LimitedAvailability => "Limited availability",
            Availability::Discontinued => "Discontinued",
        }
    }
}

/// An image of an item, as found in the source (never fetched by extraction).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct ImageRef {
    /// Absolute URL.
    pub url: String,
    /// Width in pixels, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Alt text, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

impl ImageRef {
    /// An image with only a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            width: None,
            height: None,
            alt: None,
        }
    }
}

/// One piece of the user's content, normalised. Unknown facts are `None`, never guessed.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize, Default)]
pub struct ContentItem {
    /// Product, article or page.
    pub kind: ContentKind,
    /// Canonical absolute URL of the item, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Title / product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Summary or description (plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Images, best first as found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageRef>,
    /// Price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Stock status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// Brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Stock keeping unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// GTIN / EAN / UPC / ISBN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// Category (product type, breadcrumb or article section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Keywords / tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Author of an article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    /// Name of the site or shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// Language tag, e.g. `en` or `fr-CA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl ContentItem {
    /// A stable fingerprint of what matters for de-duplication: kind, URL, title, first
    /// image and price. Two imports of the same content give the same fingerprint.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        let norm = |s: &Option<String>| {
            s.as_deref()
                .map(|v| {
                    v.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                })
                .unwrap_or_default()
        };
        for part in [
            self.kind.as_str().to_owned(),
            norm(&self.url),
            norm(&self.title),
            self.images
                .first()
                .map(|i| i.url.clone())
                .unwrap_or_default(),
            self.price
                .as_ref()
                .map(|p| format!("{} {}", p.amount(), p.currency()))
                .unwrap_or_default(),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        hex::encode(h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_reads_schema_org_and_merchant_spellings() {
        assert_eq!(
            Availability::parse_loose("https://schema.org/InStock"),
            Some(Availability::InStock)
        );
        assert_eq!(
            Availability::parse_loose("out of stock"),
            Some(Availability::OutOfStock)
        );
        assert_eq!(
            Availability::parse_loose("preorder"),
            Some(Availability::PreOrder)
        );
        assert_eq!(Availability::parse_loose("maybe"), None);
    }

    #[test]
    fn fingerprints_ignore_whitespace_and_case_but_not_content() {
        let a = ContentItem {
            title: Some("Blue  Mug".into()),
            url: Some("https://s.example/m".into()),
            ..Default::default()
        };
        let mut b = a.clone();
        b.title = Some("blue mug".into());
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.title = Some("red mug".into());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
