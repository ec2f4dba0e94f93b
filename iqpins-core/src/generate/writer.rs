//! The template [`CopyWriter`]: Pin text from the item's own words, no invention.

use std::collections::HashSet;

use crate::content::{ContentItem, ContentKind};
use crate::error::{Error, Result};
use crate::fields::{
    AltText, DESCRIPTION_MAX, DestinationUrl, PinDescription, PinTitle, TITLE_MAX, char_count,
    truncate_words,
};
use crate::ports::{CopyWriter, DraftCopy, WriteContext};

use super::image::rank_images;
use super::link::destination;
use super::text::{
    INPUT_CAP, cap_chars, capitalise_first, first_sentence, fold, one_line, strip_site_name,
    title_from_url, unshout,
};

/// The flag a draft gets when the item has no usable image.
pub const NEEDS_IMAGE: &str = "needs image";
/// The flag a draft gets when the item has no usable http/https link.
pub const NEEDS_LINK: &str = "needs link";
/// The most variants one item gives, whatever is asked.
pub const MAX_VARIANTS: u8 = 10;
/// The most keywords kept per item.
pub const MAX_KEYWORDS: usize = 10;
/// Site names, brands and categories are cut to this many characters before use.
const NAME_CAP: usize = 60;

/// How a variant's title is built from the cleaned title.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TitleStyle {
    /// The cleaned title.
    Plain,
    /// The title with the price: `Blue Mug – $19.99`.
    Price,
    /// The brand first: `Acme Blue Mug`.
    Brand,
    /// The title with the category: `Blue Mug – Kitchen`.
    Category,
}

/// The styles in the order variants use them.
pub const TITLE_STYLES: [TitleStyle; 4] = [
    TitleStyle::Plain,
    TitleStyle::Price,
    TitleStyle::Brand,
    TitleStyle::Category,
];

/// Words the writer adds, per language.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Phrases {
    price: &'static str,
    brand: &'static str,
    shop: &'static str,
    shop_at: &'static str,
    read: &'static str,
    read_at: &'static str,
    more: &'static str,
    more_at: &'static str,
}

const EN: Phrases = Phrases {
    price: "Price",
    brand: "Brand",
    shop: "Shop now.",
    shop_at: "Shop now at {site}.",
    read: "Read more.",
    read_at: "Read the full story on {site}.",
    more: "Learn more.",
    more_at: "Learn more on {site}.",
};
const FR: Phrases = Phrases {
    price: "Prix",
    brand: "Marque",
    shop: "Achetez maintenant.",
    shop_at: "Achetez maintenant sur {site}.",
    read: "Lire la suite.",
    read_at: "Lire la suite sur {site}.",
    more: "En savoir plus.",
    more_at: "En savoir plus sur {site}.",
};
const DE: Phrases = Phrases {
    price: "Preis",
    brand: "Marke",
    shop: "Jetzt kaufen.",
    shop_at: "Jetzt kaufen bei {site}.",
    read: "Weiterlesen.",
    read_at: "Weiterlesen auf {site}.",
    more: "Mehr erfahren.",
    more_at: "Mehr erfahren auf {site}.",
};
const ES: Phrases = Phrases {
    price: "Precio",
    brand: "Marca",
    shop: "Compra ahora.",
    shop_at: "Compra ahora en {site}.",
    read: "Leer más.",
    read_at: "Lee el artículo completo en {site}.",
    more: "Más información.",
    more_at: "Más información en {site}.",
};

fn phrases(lang: Option<&str>) -> &'static Phrases {
    let l = lang.unwrap_or("en").to_ascii_lowercase();
    match l.get(..2).unwrap_or("en") {
        "fr" => &FR,
        "de" => &DE,
        "es" => &ES,
        _ => &EN,
    }
}

/// The default writer: deterministic text from the item's title, summary and facts.
///
/// It never invents facts: everything in a draft comes from the item. It refuses only an
/// item with nothing to make a title from (no title, summary, image alt or URL words).
#[derive(Clone, Debug, Default)]
pub struct TemplateWriter;

impl TemplateWriter {
    /// The template writer.
    pub fn new() -> Self {
        Self
    }
}

/// The host of the item's URL without `www.`.
fn host_of(item: &ContentItem) -> Option<String> {
    // Only the start matters for the host; parsing a megabyte URL would be slow.
    let u = url::Url::parse(cap_chars(item.url.as_deref()?.trim(), 4096)).ok()?;
    let h = u.host_str()?.trim_start_matches("www.").to_owned();
    (!h.is_empty()).then_some(h)
}

/// A short field: one line, capped.
fn short(s: Option<&str>) -> Option<String> {
    let v = one_line(cap_chars(s?, NAME_CAP * 4));
    let v = truncate_words(&v, NAME_CAP);
    (!v.is_empty()).then_some(v)
}

/// A site name short enough for a call to action: the part before a separator
/// (`craigslist SF bay area | apts/housing` → `craigslist SF bay area`); `None` when even
/// that is longer than 40 characters (the host is used instead).
fn short_site(site: &str) -> Option<String> {
    let cut = SITE_SEPARATORS
        .iter()
        .filter_map(|sep| site.find(sep))
        .min()
        .unwrap_or(site.len());
    let first = site[..cut].trim();
    (!first.is_empty() && char_count(first) <= 40).then(|| first.to_owned())
}

/// Separators inside a site name.
const SITE_SEPARATORS: [&str; 6] = [" | ", " – ", " — ", " - ", " · ", "｜"];

/// The most specific part of a category breadcrumb: `Home > Kitchen > Mugs` → `Mugs`.
pub fn category_leaf(category: &str) -> Option<String> {
    let leaf = cap_chars(category, 1000)
        .rsplit(['>', '/', '|', '›', '»'])
        .map(str::trim)
        .find(|s| !s.is_empty())?;
    short(Some(leaf))
}

/// Everything a writer needs from the item, cleaned once.
struct Facts {
    title: String,
    title_flag: Option<String>,
    brand: Option<String>,
    site: Option<String>,
    category: Option<String>,
    price: Option<String>,
}

/// The cleaned title, or a fallback from the summary, image alt or URL.
fn clean_title(
    item: &ContentItem,
    brand: Option<&str>,
    site: Option<&str>,
    host: Option<&str>,
) -> Result<(String, Option<String>)> {
    let mut names: Vec<&str> = Vec::new();
    names.extend(site);
    names.extend(brand);
    names.extend(host);
    let host_label = host.and_then(|h| h.split('.').next());
    names.extend(host_label);
    let keep: Vec<&str> = brand.into_iter().collect();
    let clean = |raw: &str| -> String {
        let line = one_line(raw);
        // A title that is only a web address is no title.
        if !line.contains(' ') && url::Url::parse(&line).is_ok() {
            return String::new();
        }
        let stripped = strip_site_name(&line, &names);
        let calm = unshout(&stripped, &keep);
        truncate_words(calm.trim(), TITLE_MAX)
    };
    if let Some(t) = item.title.as_deref() {
        let c = clean(t);
        if !c.is_empty() {
            return Ok((c, None));
        }
    }
    let summary_line = item
        .summary
        .as_deref()
        .map(|s| one_line(cap_chars(s, INPUT_CAP)));
    if let Some(s) = summary_line.as_deref().filter(|s| !s.is_empty()) {
        let c = clean(first_sentence(s));
        if !c.is_empty() {
            return Ok((c, Some("title taken from the summary; check it".to_owned())));
        }
    }
    if let Some(alt) = item
        .images
        .iter()
        .filter_map(|i| i.alt.as_deref())
        .find(|a| !one_line(a).is_empty())
    {
        let c = clean(alt);
        if !c.is_empty() {
            return Ok((
                c,
                Some("title taken from the image's alt text; check it".to_owned()),
            ));
        }
    }
    if let Some(t) = item.url.as_deref().and_then(title_from_url) {
        let c = clean(&t);
        if !c.is_empty() {
            return Ok((
                c,
                Some("title made from the page address; check it".to_owned()),
            ));
        }
    }
    Err(Error::invalid(
        "title",
        "the item has no title, summary, image alt text or URL words to make one from",
    ))
}

impl Facts {
    fn of(item: &ContentItem) -> Result<Self> {
        let brand = short(item.brand.as_deref());
        let site = short(item.site_name.as_deref());
        let host = host_of(item);
        let (title, title_flag) =
            clean_title(item, brand.as_deref(), site.as_deref(), host.as_deref())?;
        let category = item.category.as_deref().and_then(category_leaf);
        let price = item
            .price
            .as_ref()
            .filter(|p| !p.amount().is_zero())
            .map(crate::fields::Money::display);
        Ok(Self {
            title,
            title_flag,
            brand,
            site: site.as_deref().and_then(short_site).or(host),
            category,
            price,
        })
    }

    /// The title in a style, within 100 characters; `None` when the style does not apply
    /// or adds nothing.
    fn title(&self, style: TitleStyle) -> Option<String> {
        let contains = |part: &str| fold(&self.title).contains(&fold(part));
        let with_suffix = |suffix: &str| {
            let room = TITLE_MAX.saturating_sub(char_count(suffix) + 3);
            if room < 10 {
                return None;
            }
            Some(format!("{} – {suffix}", truncate_words(&self.title, room)))
        };
        match style {
            TitleStyle::Plain => Some(self.title.clone()),
            TitleStyle::Price => with_suffix(self.price.as_deref()?),
            TitleStyle::Brand => {
                let b = self.brand.as_deref()?;
                if contains(b) {
                    return None;
                }
                let room = TITLE_MAX.saturating_sub(char_count(b) + 1);
                (room >= 10).then(|| format!("{b} {}", truncate_words(&self.title, room)))
            }
            TitleStyle::Category => {
                let c = self.category.as_deref()?;
                if contains(c) {
                    return None;
                }
                with_suffix(c)
            }
        }
    }
}

/// The item's keywords as plain words: `#`, extra spaces and duplicates removed, at most
/// [`MAX_KEYWORDS`], each at most 50 characters.
pub fn keywords(item: &ContentItem) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for raw in item.keywords.iter().take(200) {
        for part in cap_chars(raw, 1000).split([',', ';']) {
            let k = one_line(part.trim().trim_start_matches('#'));
            let k = truncate_words(&k, 50);
            if k.is_empty() || k.ends_with('…') {
                continue;
            }
            if seen.insert(fold(&k)) {
                out.push(k);
            }
            if out.len() == MAX_KEYWORDS {
                return out;
            }
        }
    }
    out
}

/// A keyword as a hashtag: letters and digits only, words joined in CamelCase.
fn hashtag(keyword: &str) -> Option<String> {
    let mut tag = String::from("#");
    for word in keyword.split(|c: char| !c.is_alphanumeric()) {
        tag.push_str(&capitalise_first(word));
    }
    (char_count(&tag) > 2 && char_count(&tag) <= 30).then_some(tag)
}

/// The description: summary, key facts, a call to action and at most `max_hashtags`
/// hashtags, within 500 characters.
fn description(item: &ContentItem, facts: &Facts, max_hashtags: u8) -> String {
    let p = phrases(item.lang.as_deref());
    let mut fact_parts: Vec<String> = Vec::new();
    if let Some(price) = &facts.price {
        fact_parts.push(format!("{}: {price}", p.price));
    }
    if let Some(a) = &item.availability {
        fact_parts.push(a.label().to_owned());
    }
    if let Some(b) = &facts.brand {
        fact_parts.push(format!("{}: {b}", p.brand));
    }
    let facts_line = if fact_parts.is_empty() {
        String::new()
    } else {
        format!("{}.", fact_parts.join(" · "))
    };
    let cta = match (item.kind, facts.site.as_deref()) {
        (ContentKind::Product, Some(s)) => p.shop_at.replace("{site}", s),
        (ContentKind::Product, None) => p.shop.to_owned(),
        (ContentKind::Article, Some(s)) => p.read_at.replace("{site}", s),
        (ContentKind::Article, None) => p.read.to_owned(),
        (ContentKind::Page, Some(s)) => p.more_at.replace("{site}", s),
        (ContentKind::Page, None) => p.more.to_owned(),
    };
    let tags: Vec<String> = keywords(item)
        .iter()
        .filter_map(|k| hashtag(k))
        .take(usize::from(max_hashtags))
        .collect();
    let summary = item
        .summary
        .as_deref()
        .map(one_line)
        .filter(|s| fold(s) != fold(&facts.title))
        .unwrap_or_default();
    let tail = |with_tags: bool| {
        let mut parts: Vec<&str> = Vec::new();
        if !facts_line.is_empty() {
            parts.push(&facts_line);
        }
        parts.push(&cta);
        let joined_tags = tags.join(" ");
        let mut s = parts.join(" ");
        if with_tags && !joined_tags.is_empty() {
            s.push(' ');
            s.push_str(&joined_tags);
        }
        s
    };
    let mut end = tail(true);
    if summary.is_empty() {
        return truncate_words(&end, DESCRIPTION_MAX);
    }
    if DESCRIPTION_MAX.saturating_sub(char_count(&end) + 1) < 80 {
        end = tail(false);
    }
    let room = DESCRIPTION_MAX.saturating_sub(char_count(&end) + 1);
    let mut body = truncate_words(&summary, room);
    // The facts start a new sentence.
    if !body.is_empty()
        && !body.ends_with([
            '.', '!', '?', '…', '。', '！', '？', ':', ')', '"', '”', ']',
        ])
        && char_count(&body) < room
    {
        body.push('.');
    }
    let out = if body.is_empty() {
        end
    } else {
        format!("{body} {end}")
    };
    truncate_words(&out, DESCRIPTION_MAX)
}

/// Alt text that says little (`image`, a file name) is replaced by a plain description.
fn useful_alt(alt: &str) -> bool {
    let a = fold(alt);
    let a = a.trim();
    char_count(a) >= 3
        && ![
            "image",
            "photo",
            "picture",
            "img",
            "product image",
            "thumbnail",
        ]
        .contains(&a)
        && !a.contains("://")
        && !(a
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ["jpg", "jpeg", "png", "webp", "gif"].contains(&ext)))
}

/// Alt text for an image: its own alt when useful, else the title with brand and category.
fn alt_text(alt: Option<&str>, facts: &Facts) -> String {
    if let Some(a) = alt.map(one_line).filter(|a| useful_alt(a)) {
        return truncate_words(&a, AltText::MAX);
    }
    let mut s = facts.title.clone();
    if let Some(b) = facts
        .brand
        .as_deref()
        .filter(|b| !fold(&facts.title).contains(&fold(b)))
    {
        s.push_str(&format!(", by {b}"));
    }
    if let Some(c) = facts
        .category
        .as_deref()
        .filter(|c| !fold(&facts.title).contains(&fold(c)))
    {
        s.push_str(&format!(" ({c})"));
    }
    truncate_words(&s, AltText::MAX)
}

/// The UTM pairs a context asks for, plus `utm_campaign` = source name when not given.
pub fn utm_pairs(ctx: &WriteContext) -> Vec<(String, String)> {
    let mut utm = ctx.utm.clone();
    let name = one_line(cap_chars(&ctx.source_name, 200));
    if !name.is_empty()
        && !utm
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("utm_campaign"))
    {
        utm.push(("utm_campaign".into(), name));
    }
    utm
}

impl CopyWriter for TemplateWriter {
    fn write(&self, item: &ContentItem, ctx: &WriteContext) -> Result<Vec<DraftCopy>> {
        let facts = Facts::of(item)?;
        let link = item
            .url
            .as_deref()
            .and_then(|u| destination(cap_chars(u, 4096), &utm_pairs(ctx)));
        let description = PinDescription::parse(description(item, &facts, ctx.max_hashtags))?;
        let ranked = rank_images(&item.images, item.title.as_deref());
        // A picture that is no public URL (a file next to the input) can still be
        // rendered into a creative; its alt text describes it.
        let best_alt = ranked.first().and_then(|r| r.image.alt.clone());
        // Only images Pinterest can fetch (http/https) can be a draft's image_url.
        let images: Vec<(DestinationUrl, Option<String>)> = ranked
            .into_iter()
            .filter_map(|r| {
                DestinationUrl::parse_field("image_url", cap_chars(&r.image.url, 4096))
                    .ok()
                    .map(|u| (u, r.image.alt))
            })
            .take(usize::from(MAX_VARIANTS))
            .collect();
        let mut flags = Vec::new();
        flags.extend(facts.title_flag.clone());
        if images.is_empty() {
            flags.push(NEEDS_IMAGE.to_owned());
        }
        if link.is_none() {
            flags.push(NEEDS_LINK.to_owned());
        }
        let wanted = usize::from(ctx.variants.clamp(1, MAX_VARIANTS));
        let image_slots: Vec<Option<&(DestinationUrl, Option<String>)>> = if images.is_empty() {
            vec![None]
        } else {
            images.iter().map(Some).collect()
        };
        // Candidates by "distance" from the first: a new image with the plain title comes
        // before a new title style on the same image.
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for s in 0..TITLE_STYLES.len() {
            for j in 0..image_slots.len() {
                candidates.push((s, j));
            }
        }
        candidates.sort_by_key(|&(s, j)| (s + j, s));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (s, j) in candidates {
            if out.len() == wanted {
                break;
            }
            let Some(title) = facts.title(TITLE_STYLES[s]) else {
                continue;
            };
            let image = image_slots[j];
            let key = (fold(&title), image.map(|(u, _)| u.as_str().to_owned()));
            if !seen.insert(key) {
                continue;
            }
            let alt = match image {
                Some((_, a)) => alt_text(a.as_deref(), &facts),
                None => alt_text(best_alt.as_deref(), &facts),
            };
            out.push(DraftCopy {
                title: PinTitle::parse(&title)?,
                description: description.clone(),
                alt_text: AltText::parse(alt)?,
                link: link.clone(),
                image_url: image.map(|(u, _)| u.clone()),
                flags: flags.clone(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Availability, ImageRef};
    use crate::fields::Money;

    fn mug() -> ContentItem {
        ContentItem {
            kind: ContentKind::Product,
            url: Some("https://shop.example/p/mug?color=blue#top".into()),
            title: Some("Blue Ceramic Mug | Acme Shop".into()),
            summary: Some("A hand-thrown mug that keeps coffee warm.".into()),
            images: vec![
                ImageRef {
                    url: "https://shop.example/logo.png".into(),
                    width: None,
                    height: None,
                    alt: None,
                },
                ImageRef {
                    url: "https://shop.example/mug.jpg".into(),
                    width: Some(1000),
                    height: Some(1500),
                    alt: Some("Blue mug on a wooden table".into()),
                },
                ImageRef::new("https://shop.example/mug-side.jpg"),
            ],
            price: Some(Money::new("19.99", "USD").unwrap()),
            availability: Some(Availability::InStock),
            brand: Some("Acme".into()),
            category: Some("Home > Kitchen > Mugs".into()),
            keywords: vec!["coffee mug".into(), "#ceramics".into(), "gift".into()],
            site_name: Some("Acme Shop".into()),
            ..Default::default()
        }
    }

    fn ctx(variants: u8) -> WriteContext {
        WriteContext {
            source_name: "Spring".into(),
            utm: vec![
                ("utm_source".into(), "pinterest".into()),
                ("utm_medium".into(), "social".into()),
            ],
            variants,
            max_hashtags: 2,
        }
    }

    #[test]
    fn a_product_gives_a_clean_title_facts_and_a_tagged_link() {
        let d = &TemplateWriter.write(&mug(), &ctx(1)).unwrap()[0];
        assert_eq!(d.title.as_str(), "Blue Ceramic Mug");
        assert_eq!(
            d.description.as_str(),
            "A hand-thrown mug that keeps coffee warm. Price: $19.99 · In stock · Brand: Acme. Shop now at Acme Shop. #CoffeeMug #Ceramics"
        );
        assert_eq!(d.alt_text.as_str(), "Blue mug on a wooden table");
        assert_eq!(
            d.link.as_ref().unwrap().as_str(),
            "https://shop.example/p/mug?color=blue&utm_source=pinterest&utm_medium=social&utm_campaign=Spring"
        );
        assert_eq!(
            d.image_url.as_ref().unwrap().as_str(),
            "https://shop.example/mug.jpg"
        );
        assert!(d.flags.is_empty());
    }

    #[test]
    fn variants_differ_in_image_or_title_and_are_never_identical() {
        let v = TemplateWriter.write(&mug(), &ctx(6)).unwrap();
        assert_eq!(v.len(), 6);
        let keys: HashSet<_> = v
            .iter()
            .map(|d| (d.title.clone(), d.image_url.clone()))
            .collect();
        assert_eq!(keys.len(), 6);
        assert_eq!(v[1].title.as_str(), "Blue Ceramic Mug");
        assert_eq!(
            v[1].image_url.as_ref().unwrap().as_str(),
            "https://shop.example/mug-side.jpg"
        );
        assert!(
            v.iter()
                .any(|d| d.title.as_str() == "Blue Ceramic Mug – $19.99")
        );
        // Only as many variants as there are distinct ones.
        let mut bare = mug();
        bare.images.truncate(2);
        bare.price = None;
        bare.brand = None;
        bare.category = None;
        assert_eq!(TemplateWriter.write(&bare, &ctx(5)).unwrap().len(), 1);
    }

    #[test]
    fn an_item_without_images_is_flagged_needs_image() {
        let mut item = mug();
        item.images.clear();
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert!(d.image_url.is_none());
        assert_eq!(d.flags, vec![NEEDS_IMAGE.to_owned()]);
        assert_eq!(d.alt_text.as_str(), "Blue Ceramic Mug, by Acme (Mugs)");
    }

    #[test]
    fn a_missing_title_falls_back_to_summary_then_url_else_errors() {
        let mut item = mug();
        item.title = None;
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert_eq!(
            d.title.as_str(),
            "A hand-thrown mug that keeps coffee warm."
        );
        assert!(d.flags[0].contains("summary"));
        item.summary = None;
        item.images.clear();
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert_eq!(d.title.as_str(), "Mug");
        item.url = None;
        let e = TemplateWriter
            .write(&item, &ctx(1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("title"), "{e}");
    }

    #[test]
    fn a_huge_title_is_cut_at_a_word_boundary() {
        let mut item = mug();
        item.title = Some("word ".repeat(2_000_000));
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert!(char_count(d.title.as_str()) <= 100);
        assert!(d.title.as_str().ends_with("word…"));
    }

    #[test]
    fn french_items_get_french_phrases() {
        let mut item = mug();
        item.lang = Some("fr-FR".into());
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert!(
            d.description.as_str().contains("Prix : ") || d.description.as_str().contains("Prix: ")
        );
        assert!(d.description.as_str().contains("Achetez maintenant"));
    }

    #[test]
    fn long_site_names_are_shortened_for_the_call_to_action() {
        assert_eq!(
            short_site("craigslist SF bay area | apts/housing for rent search").as_deref(),
            Some("craigslist SF bay area")
        );
        assert_eq!(short_site(&"x".repeat(50)), None);
    }

    #[test]
    fn a_summary_without_a_full_stop_gets_one_before_the_facts() {
        let mut item = mug();
        item.summary = Some("Black floor lamp".into());
        let d = &TemplateWriter.write(&item, &ctx(1)).unwrap()[0];
        assert!(
            d.description
                .as_str()
                .starts_with("Black floor lamp. Price: $19.99"),
            "{:?}",
            d.description
        );
    }

    #[test]
    fn category_leaves_come_from_breadcrumbs() {
        assert_eq!(
            category_leaf("Home > Kitchen > Mugs").as_deref(),
            Some("Mugs")
        );
        assert_eq!(category_leaf("Shoes").as_deref(), Some("Shoes"));
        assert_eq!(category_leaf(" > "), None);
    }
}
