//! Row readers of each CSV format.

use std::collections::VecDeque;

use iqpins_core::fields::Money;

use super::{Columns, CsvFormat, CsvOptions, RowError, normalise};
use crate::html::schema_date;
use crate::text::{clean, plain, resolve};
use crate::{Availability, ContentItem, ContentKind, ImageRef};

/// One row and what is needed to read it.
pub(crate) struct Ctx<'a> {
    pub(crate) columns: &'a Columns,
    pub(crate) options: &'a CsvOptions,
    pub(crate) row: &'a [String],
    pub(crate) line: u64,
}

impl Ctx<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.columns.get(self.row, name)
    }

    fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }

    fn err(&self, reason: impl Into<String>) -> RowError {
        RowError {
            line: self.line,
            reason: reason.into(),
        }
    }

    /// A price column: `12.50`, or `12.50 EUR` with its own currency; else the currency
    /// column or the configured currency. An amount with no currency anywhere is left out.
    fn price(&self, raw: &str, currency_col: Option<&str>) -> Result<Option<Money>, RowError> {
        let Some(amount) = crate::html::price_amount(raw) else {
            return Err(self.err(format!("price {raw:?} is not a number")));
        };
        let currency = crate::html::price_currency_in_text(raw)
            .or_else(|| currency_col.and_then(crate::html::price_currency))
            .or(self.options.currency);
        match currency {
            Some(c) => Money::new(&amount, c.as_str())
                .map(Some)
                .map_err(|e| self.err(e.to_string())),
            None => Ok(None),
        }
    }

    fn url(&self, raw: &str) -> Option<String> {
        resolve(raw, self.options.base_url.as_ref())
    }
}

/// What a format remembers between rows.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The product being assembled (Shopify group, WooCommerce parent).
    pending: Option<Pending>,
}

#[derive(Debug)]
struct Pending {
    /// Shopify handle, or WooCommerce `id:N` and SKU of the parent.
    keys: Vec<String>,
    item: Result<ContentItem, RowError>,
}

/// Recognises a format from the header row.
pub(crate) fn detect(c: &Columns) -> Option<CsvFormat> {
    if c.has("handle") && (c.has("title") || c.has("variant price") || c.has("body (html)")) {
        Some(CsvFormat::Shopify)
    } else if c.has("type")
        && c.has("sku")
        && c.has("name")
        && (c.has("regular price") || c.has("images"))
    {
        Some(CsvFormat::WooCommerce)
    } else if c.has("title") && c.has("media url") {
        Some(CsvFormat::PinterestBulk)
    } else if c.has("id") && c.has("title") && (c.has("link") || c.has("image_link")) {
        Some(CsvFormat::Merchant)
    } else {
        None
    }
}

/// Reads one row, pushing finished items (or errors) to `out`.
pub(crate) fn row(
    format: CsvFormat,
    ctx: &Ctx<'_>,
    state: &mut State,
    out: &mut VecDeque<Result<ContentItem, RowError>>,
) {
    match format {
        CsvFormat::Shopify => shopify(ctx, state, out),
        CsvFormat::WooCommerce => woocommerce(ctx, state, out),
        CsvFormat::Merchant => out.push_back(merchant(ctx)),
        CsvFormat::PinterestBulk => out.push_back(pinterest_bulk(ctx)),
        CsvFormat::Mapped => out.push_back(mapped(ctx)),
    }
}

/// Emits what is still pending at the end of the file.
pub(crate) fn finish(state: &mut State, out: &mut VecDeque<Result<ContentItem, RowError>>) {
    if let Some(p) = state.pending.take() {
        out.push_back(p.item);
    }
}

fn split_list(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(',').filter_map(clean)
}

fn push_image(item: &mut ContentItem, img: ImageRef) {
    if !item.images.iter().any(|i| i.url == img.url) {
        item.images.push(img);
    }
}

fn shopify(ctx: &Ctx<'_>, state: &mut State, out: &mut VecDeque<Result<ContentItem, RowError>>) {
    let Some(handle) = ctx.get("handle") else {
        out.push_back(Err(ctx.err("missing Handle")));
        return;
    };
    let same = state
        .pending
        .as_ref()
        .is_some_and(|p| p.keys.first().is_some_and(|k| k == handle));
    if !same {
        finish(state, out);
        state.pending = Some(Pending {
            keys: vec![handle.to_owned()],
            item: shopify_product(ctx, handle),
        });
        return;
    }
    // A further row of the same product: another image and/or variant.
    let Some(Pending { item: Ok(item), .. }) = state.pending.as_mut() else {
        return;
    };
    shopify_images(ctx, item);
    if item.price.is_none()
        && let Some(p) = ctx.get("variant price")
        && let Ok(Some(m)) = ctx.price(p, None)
    {
        item.price = Some(m);
    }
    if item.sku.is_none() {
        item.sku = ctx.get("variant sku").map(str::to_owned);
    }
    if item.gtin.is_none() {
        item.gtin = ctx.get("variant barcode").map(str::to_owned);
    }
    if item.availability != Some(Availability::InStock)
        && let Some(a) = shopify_availability(ctx)
    {
        item.availability = Some(a);
    }
}

fn shopify_images(ctx: &Ctx<'_>, item: &mut ContentItem) {
    if let Some(url) = ctx.get("image src").and_then(|u| ctx.url(u)) {
        push_image(
            item,
            ImageRef {
                url,
                width: None,
                height: None,
                alt: ctx.get("image alt text").and_then(clean),
            },
        );
    }
    if let Some(url) = ctx.get("variant image").and_then(|u| ctx.url(u)) {
        push_image(item, ImageRef::new(url));
    }
}

fn shopify_availability(ctx: &Ctx<'_>) -> Option<Availability> {
    let qty: i64 = ctx.get("variant inventory qty")?.parse().ok()?;
    if qty > 0 {
        Some(Availability::InStock)
    } else if ctx
        .get("variant inventory policy")
        .is_some_and(|p| p.eq_ignore_ascii_case("deny"))
        && ctx.get("variant inventory tracker").is_some()
    {
        Some(Availability::OutOfStock)
    } else {
        None
    }
}

fn shopify_product(ctx: &Ctx<'_>, handle: &str) -> Result<ContentItem, RowError> {
    let Some(title) = ctx.get("title").and_then(plain) else {
        return Err(ctx.err(format!(
            "missing Title for the first row of handle {handle:?}"
        )));
    };
    let price = match ctx.get("variant price") {
        Some(p) => ctx.price(p, None)?,
        None => None,
    };
    let mut item = ContentItem {
        kind: ContentKind::Product,
        title: Some(title),
        url: ctx
            .options
            .base_url
            .as_ref()
            .and_then(|b| b.join(&format!("/products/{handle}")).ok())
            .map(|u| u.to_string()),
        summary: ctx
            .first(&["body (html)", "body html", "seo description"])
            .and_then(plain),
        price,
        availability: shopify_availability(ctx),
        brand: ctx.get("vendor").and_then(clean),
        sku: ctx.get("variant sku").map(str::to_owned),
        gtin: ctx.get("variant barcode").map(str::to_owned),
        category: ctx
            .first(&[
                "product category",
                "type",
                "google shopping / google product category",
            ])
            .and_then(clean),
        keywords: ctx
            .get("tags")
            .map(|t| split_list(t).collect())
            .unwrap_or_default(),
        published_at: ctx.get("published at").and_then(schema_date),
        ..ContentItem::default()
    };
    shopify_images(ctx, &mut item);
    Ok(item)
}

fn woocommerce(
    ctx: &Ctx<'_>,
    state: &mut State,
    out: &mut VecDeque<Result<ContentItem, RowError>>,
) {
    let ty = ctx.get("type").unwrap_or("simple").to_ascii_lowercase();
    if ty.split(',').any(|t| t.trim() == "variation") {
        // Variations fill in their parent's price, stock and images.
        let parent = ctx.get("parent").unwrap_or_default();
        let Some(Pending {
            keys,
            item: Ok(item),
        }) = state.pending.as_mut()
        else {
            return;
        };
        if !keys.iter().any(|k| k == parent) {
            return;
        }
        if item.price.is_none()
            && let Some(p) = ctx.first(&["sale price", "regular price"])
            && let Ok(Some(m)) = ctx.price(p, None)
        {
            item.price = Some(m);
        }
        if item.availability.is_none() {
            item.availability = woo_availability(ctx);
        }
        for url in ctx.get("images").into_iter().flat_map(split_list) {
            if let Some(u) = ctx.url(&url) {
                push_image(item, ImageRef::new(u));
            }
        }
        return;
    }
    finish(state, out);
    let mut keys = Vec::new();
    if let Some(id) = ctx.get("id") {
        keys.push(format!("id:{id}"));
    }
    if let Some(sku) = ctx.get("sku") {
        keys.push(sku.to_owned());
    }
    state.pending = Some(Pending {
        keys,
        item: woo_product(ctx),
    });
}

fn woo_availability(ctx: &Ctx<'_>) -> Option<Availability> {
    match ctx.get("in stock?")? {
        "1" => Some(Availability::InStock),
        "0" => match ctx.get("backorders allowed?") {
            Some("1") => Some(Availability::BackOrder),
            _ => Some(Availability::OutOfStock),
        },
        other => Availability::parse_loose(other),
    }
}

fn woo_product(ctx: &Ctx<'_>) -> Result<ContentItem, RowError> {
    let Some(title) = ctx.get("name").and_then(plain) else {
        return Err(ctx.err("missing Name"));
    };
    let price = match ctx.first(&["sale price", "regular price"]) {
        Some(p) => ctx.price(p, None)?,
        None => None,
    };
    let mut item = ContentItem {
        kind: ContentKind::Product,
        title: Some(title),
        url: ctx.get("external url").and_then(|u| ctx.url(u)),
        summary: ctx
            .first(&["short description", "description"])
            .and_then(plain),
        price,
        availability: woo_availability(ctx),
        brand: ctx.first(&["brands", "brand"]).and_then(clean),
        sku: ctx.get("sku").map(str::to_owned),
        gtin: ctx
            .first(&["gtin, upc, ean, or isbn", "meta: _global_unique_id", "gtin"])
            .map(str::to_owned),
        category: ctx.get("categories").and_then(clean),
        keywords: ctx
            .get("tags")
            .map(|t| split_list(t).collect())
            .unwrap_or_default(),
        ..ContentItem::default()
    };
    for url in ctx.get("images").into_iter().flat_map(split_list) {
        if let Some(u) = ctx.url(&url) {
            push_image(&mut item, ImageRef::new(u));
        }
    }
    Ok(item)
}

fn merchant(ctx: &Ctx<'_>) -> Result<ContentItem, RowError> {
    let Some(title) = ctx.get("title").and_then(plain) else {
        return Err(ctx.err("missing title"));
    };
    let price = match ctx.first(&["sale_price", "price"]) {
        Some(p) => ctx.price(p, None)?,
        None => None,
    };
    let mut item = ContentItem {
        kind: ContentKind::Product,
        title: Some(title),
        url: ctx.first(&["link", "mobile_link"]).and_then(|u| ctx.url(u)),
        summary: ctx.get("description").and_then(plain),
        price,
        availability: ctx.get("availability").and_then(Availability::parse_loose),
        brand: ctx.get("brand").and_then(clean),
        sku: ctx.first(&["sku", "id"]).map(str::to_owned),
        gtin: ctx.first(&["gtin", "ean", "upc"]).map(str::to_owned),
        category: ctx
            .first(&["product_type", "google_product_category"])
            .and_then(clean),
        ..ContentItem::default()
    };
    if let Some(u) = ctx.get("image_link").and_then(|u| ctx.url(u)) {
        push_image(&mut item, ImageRef::new(u));
    }
    for u in ctx
        .get("additional_image_link")
        .into_iter()
        .flat_map(split_list)
    {
        if let Some(u) = ctx.url(&u) {
            push_image(&mut item, ImageRef::new(u));
        }
    }
    if item.url.is_none() && ctx.get("link").is_some() {
        return Err(ctx.err("link is not an absolute http(s) URL"));
    }
    Ok(item)
}

fn pinterest_bulk(ctx: &Ctx<'_>) -> Result<ContentItem, RowError> {
    let Some(title) = ctx.get("title").and_then(plain) else {
        return Err(ctx.err("missing Title"));
    };
    let Some(media) = ctx.get("media url") else {
        return Err(ctx.err("missing Media URL"));
    };
    let Some(media) = ctx.url(media) else {
        return Err(ctx.err(format!("Media URL {media:?} is not an http(s) URL")));
    };
    let mut item = ContentItem {
        kind: ContentKind::Page,
        title: Some(title),
        url: ctx.get("link").and_then(|u| ctx.url(u)),
        summary: ctx.get("description").and_then(plain),
        images: vec![ImageRef::new(media)],
        // The board the pin is meant for is the closest thing to a category the file has.
        category: ctx.get("pinterest board").and_then(clean),
        keywords: ctx
            .get("keywords")
            .map(|t| split_list(t).collect())
            .unwrap_or_default(),
        published_at: ctx.get("publish date").and_then(schema_date),
        ..ContentItem::default()
    };
    if let Some(u) = ctx.get("thumbnail").and_then(|u| ctx.url(u)) {
        push_image(&mut item, ImageRef::new(u));
    }
    Ok(item)
}

fn mapped(ctx: &Ctx<'_>) -> Result<ContentItem, RowError> {
    let Some(m) = ctx.options.mapping.as_ref() else {
        return Err(ctx.err("no column mapping"));
    };
    let col = |name: &Option<String>| name.as_deref().and_then(|n| ctx.get(&normalise(n)));
    let Some(title) = ctx.get(&normalise(&m.title)).and_then(plain) else {
        return Err(ctx.err(format!("missing {}", m.title)));
    };
    let price = match col(&m.price) {
        Some(p) => ctx.price(p, col(&m.currency))?,
        None => None,
    };
    let mut item = ContentItem {
        kind: if price.is_some() || m.price.is_some() {
            ContentKind::Product
        } else {
            ContentKind::Page
        },
        title: Some(title),
        url: col(&m.url).and_then(|u| ctx.url(u)),
        summary: col(&m.summary).and_then(plain),
        price,
        availability: col(&m.availability).and_then(Availability::parse_loose),
        brand: col(&m.brand).and_then(clean),
        sku: col(&m.sku).map(str::to_owned),
        gtin: col(&m.gtin).map(str::to_owned),
        category: col(&m.category).and_then(clean),
        keywords: col(&m.keywords)
            .map(|t| split_list(t).collect())
            .unwrap_or_default(),
        author: col(&m.author).and_then(clean),
        published_at: col(&m.published_at).and_then(schema_date),
        ..ContentItem::default()
    };
    for u in col(&m.image)
        .into_iter()
        .flat_map(|s| s.split([',', ' ', '\n', '|']))
    {
        if let Some(u) = ctx.url(u) {
            push_image(&mut item, ImageRef::new(u));
        }
    }
    Ok(item)
}
