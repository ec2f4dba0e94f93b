//! Property tests over generated content items: every draft respects every limit, and
//! generating twice gives byte-identical drafts. (The same properties over every item of
//! the shared corpus live in iqpins-server's tests, which may depend on iqpins-sources.)

// Helpers outside #[test] functions unwrap fixed, known-good values too.
#![allow(clippy::unwrap_used)]

use iqpins_core::fields::{ALT_TEXT_MAX, DESCRIPTION_MAX, LINK_MAX, TITLE_MAX, char_count};
use iqpins_core::generate::{
    BoardIndex, GeneratedDraft, TemplateWriter, generate, pinterest_bulk_csv,
};
use iqpins_core::{
    Availability, Board, BoardId, ContentItem, ContentKind, ImageRef, Money, SourceDefaults,
    WriteContext,
};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ]{0,40}",
        "[A-Z ]{5,60}",
        "\\PC{0,120}",
        ".{0,300}",
        "(word ){20,60}",
        "[a-z]{150,300}",
        Just("👨‍👩‍👧‍👦".repeat(60)),
        Just("Blue Mug | Acme Shop".to_owned()),
        Just("Crème brûlée à la vanille – Pâtisserie Dupont".to_owned()),
        Just("日本のキッチン用品、木製のまな板".repeat(10)),
        Just("\u{202e}RTL عربي نص طويل جدا ".repeat(12)),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://shop\\.example/p/[a-z0-9-]{1,40}",
        "http://[a-z]{1,10}\\.example/[a-z/]{0,30}\\?[a-z]=[0-9]{1,4}#[a-z]{0,5}",
        "https://shop\\.example/[a-z]{2000,2100}",
        "ftp://files\\.example/x",
        "/relative/path",
        ".{0,40}",
    ]
}

fn image() -> impl Strategy<Value = ImageRef> {
    (
        prop_oneof![
            url(),
            Just("https://shop.example/logo.png".to_owned()),
            "https://cdn\\.example/[a-z]{1,12}\\.jpg"
        ],
        proptest::option::of(0u32..5000),
        proptest::option::of(0u32..5000),
        proptest::option::of(text()),
    )
        .prop_map(|(url, width, height, alt)| ImageRef {
            url,
            width,
            height,
            alt,
        })
}

prop_compose! {
    fn item()(
        kind in prop_oneof![Just(ContentKind::Product), Just(ContentKind::Article), Just(ContentKind::Page)],
        url in proptest::option::of(url()),
        title in proptest::option::of(text()),
        summary in proptest::option::of(text()),
        images in proptest::collection::vec(image(), 0..5),
        price in proptest::option::of((0u64..10_000_000, prop_oneof![Just("USD"), Just("EUR"), Just("JPY"), Just("CHF")])),
        in_stock in any::<bool>(),
        brand in proptest::option::of(text()),
        category in proptest::option::of(text()),
        keywords in proptest::collection::vec(text(), 0..8),
        site_name in proptest::option::of(text()),
        lang in proptest::option::of(prop_oneof![Just("en"), Just("fr-FR"), Just("de"), Just("es"), Just("ja"), Just("x")]),
    ) -> ContentItem {
        ContentItem {
            kind,
            url,
            title,
            summary,
            images,
            price: price.and_then(|(u, c)| Money::from_minor_units(u, c).ok()),
            availability: Some(if in_stock { Availability::InStock } else { Availability::OutOfStock }),
            brand,
            category,
            keywords,
            site_name,
            lang: lang.map(str::to_owned),
            ..Default::default()
        }
    }
}

fn boards() -> Vec<Board> {
    [
        "Kitchen",
        "Recipes",
        "Garden",
        "Fashion",
        "Home Decor",
        "Travel",
        "Kids",
        "Fitness",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| Board {
        id: BoardId::parse((i + 1).to_string()).unwrap(),
        name: (*n).into(),
        description: None,
        privacy: None,
    })
    .collect()
}

/// Checks every limit of one generated draft.
pub fn assert_limits(d: &GeneratedDraft) {
    let c = &d.content;
    let t = char_count(c.title.as_str());
    assert!((1..=TITLE_MAX).contains(&t), "title {t}: {:?}", c.title);
    assert!(!c.title.as_str().chars().any(char::is_control));
    assert!(char_count(c.description.as_str()) <= DESCRIPTION_MAX);
    assert!(char_count(c.alt_text.as_str()) <= ALT_TEXT_MAX);
    if let Some(l) = &c.link {
        assert!(l.as_str().len() <= LINK_MAX);
        assert!(l.as_str().starts_with("http://") || l.as_str().starts_with("https://"));
        assert!(!l.as_str().contains('#'));
    }
    if let Some(u) = &c.image.url {
        assert!(u.as_str().starts_with("http"));
    } else {
        assert!(d.flags.iter().any(|f| f == "needs image"));
    }
    if let Some(b) = &d.board {
        assert!((0.0..=1.0).contains(&b.confidence));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_draft_respects_every_limit_and_generation_is_deterministic(item in item(), variants in 1u8..6) {
        let ctx = WriteContext { source_name: "Spring sale".into(), utm: SourceDefaults::default().utm, variants, max_hashtags: 3 };
        let index = BoardIndex::new(&boards());
        let defaults = SourceDefaults::default();
        let first = generate(&TemplateWriter, &item, &ctx, &index, &defaults);
        let second = generate(&TemplateWriter, &item, &ctx, &index, &defaults);
        match (first, second) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
                prop_assert!(!a.is_empty() && a.len() <= usize::from(variants));
                let mut keys = std::collections::HashSet::new();
                for d in &a {
                    assert_limits(d);
                    prop_assert!(keys.insert((d.content.title.as_str().to_lowercase(), d.content.image.url.clone())));
                }
                let rows: Vec<_> = a.iter().map(|d| d.pin_row(Some("Kitchen"))).collect();
                let csv = pinterest_bulk_csv(&rows, 2).unwrap();
                let with_media = rows.iter().filter(|r| r.media_url.is_some()).count();
                prop_assert_eq!(csv.files.len(), with_media.div_ceil(2));
                prop_assert_eq!(csv.skipped.len(), rows.len() - with_media);
            }
            (Err(a), Err(b)) => {
                prop_assert_eq!(a.to_string(), b.to_string());
                prop_assert!(a.to_string().contains("title"));
            }
            _ => prop_assert!(false, "generation gave different outcomes"),
        }
    }
}
