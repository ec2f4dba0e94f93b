//! Draft generation over every item of every input file of the shared corpus
//! (`../shared/corpus`, extracted with iqpins-sources): every draft respects every
//! Pinterest limit, and generating twice gives byte-identical drafts.

// Helpers outside #[test] functions unwrap fixed, known-good values too.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use iqpins_core::fields::{ALT_TEXT_MAX, DESCRIPTION_MAX, LINK_MAX, TITLE_MAX, char_count};
use iqpins_core::generate::{
    BoardIndex, GeneratedDraft, TemplateWriter, generate, pinterest_bulk_csv, readiness,
};
use iqpins_core::{Board, BoardId, ContentItem, SourceDefaults, WriteContext};
use proptest::prelude::*;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// (file, item) for every item the extractors find in the corpus's input files.
fn corpus_items() -> &'static Vec<(String, ContentItem)> {
    static ITEMS: OnceLock<Vec<(String, ContentItem)>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let dir = corpus_dir();
        let manifest = std::fs::read_to_string(dir.join("manifest.json"))
            .unwrap_or_else(|e| panic!("the shared corpus is missing at {}: {e}", dir.display()));
        let entries: Vec<serde_json::Value> = serde_json::from_str(&manifest).unwrap();
        let mut out = Vec::new();
        for e in entries.iter().filter(|e| e["role"] == "input") {
            let file = e["file"].as_str().unwrap();
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let extraction =
                iqpins_sources::extract(&iqpins_sources::Input::new(&bytes).name(file));
            out.extend(extraction.items.into_iter().map(|i| (file.to_owned(), i)));
        }
        out
    })
}

fn boards() -> Vec<Board> {
    [
        ("1", "Recipes", "Dinner, baking, desserts, cooking"),
        ("2", "Fashion", "Clothing, shirts, hoodies, dresses, shoes"),
        (
            "3",
            "Tech news",
            "Software, programming, computers, internet",
        ),
        ("4", "Home", "Furniture, decor, kitchen"),
        ("5", "Podcasts", "Episodes, audio, music"),
        ("6", "Travel", "Destinations and guides"),
        ("7", "Garden", "Plants and outdoor"),
        ("8", "Books", "Reading, literature, authors"),
    ]
    .iter()
    .map(|(id, name, d)| Board {
        id: BoardId::parse(id).unwrap(),
        name: (*name).into(),
        description: Some((*d).into()),
        privacy: None,
    })
    .collect()
}

fn check(file: &str, d: &GeneratedDraft) {
    let c = &d.content;
    let t = char_count(c.title.as_str());
    assert!((1..=TITLE_MAX).contains(&t), "{file}: title {t} chars");
    assert!(!c.title.as_str().chars().any(char::is_control), "{file}");
    assert!(
        char_count(c.description.as_str()) <= DESCRIPTION_MAX,
        "{file}"
    );
    assert!(char_count(c.alt_text.as_str()) <= ALT_TEXT_MAX, "{file}");
    if let Some(l) = &c.link {
        let s = l.as_str();
        assert!(s.len() <= LINK_MAX && (s.starts_with("http://") || s.starts_with("https://")));
        assert!(!s.contains('#'), "{file}: fragment kept in {s}");
        assert!(s.contains("utm_source="), "{file}: no UTM in {s}");
    }
    match &c.image.url {
        Some(u) => assert!(u.as_str().starts_with("http"), "{file}"),
        None => assert!(d.flags.iter().any(|f| f == "needs image"), "{file}"),
    }
    if let Some(b) = &d.board {
        assert!((0.0..=1.0).contains(&b.confidence));
    }
    // Readiness names every missing piece in words.
    for r in readiness(c, &["example.com".into()]) {
        assert!(!r.message.is_empty());
    }
}

fn run(
    item: &ContentItem,
    variants: u8,
    hashtags: u8,
    index: &BoardIndex,
) -> iqpins_core::Result<Vec<GeneratedDraft>> {
    let defaults = SourceDefaults {
        variants,
        ..SourceDefaults::default()
    };
    let mut ctx = WriteContext::from_defaults("Corpus", &defaults);
    ctx.max_hashtags = hashtags;
    generate(&TemplateWriter, item, &ctx, index, &defaults)
}

#[test]
fn every_corpus_item_gives_drafts_within_every_limit_twice_the_same() {
    let items = corpus_items();
    let files: HashSet<&str> = items.iter().map(|(f, _)| f.as_str()).collect();
    // The corpus has ~128 inputs; most give at least one item.
    assert!(
        items.len() >= 300,
        "only {} items from {} files",
        items.len(),
        files.len()
    );
    let index = BoardIndex::new(&boards());
    let (mut drafts, mut refused, mut suggested) = (0usize, 0usize, 0usize);
    for (file, item) in items {
        let a = run(item, 3, 3, &index);
        let b = run(item, 3, 3, &index);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    serde_json::to_string(&a).unwrap(),
                    serde_json::to_string(&b).unwrap(),
                    "{file}"
                );
                let keys: HashSet<_> = a
                    .iter()
                    .map(|d| (d.content.title.clone(), d.content.image.url.clone()))
                    .collect();
                assert_eq!(keys.len(), a.len(), "{file}: identical variants");
                for d in &a {
                    check(file, d);
                }
                suggested += usize::from(a[0].board.is_some());
                drafts += a.len();
                let rows: Vec<_> = a.iter().map(|d| d.pin_row(Some("Board"))).collect();
                pinterest_bulk_csv(&rows, 100).unwrap();
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string());
                assert!(a.to_string().contains("title"), "{file}: {a}");
                refused += 1;
            }
            _ => panic!("{file}: different outcomes"),
        }
    }
    println!(
        "{} items from {} files: {drafts} drafts, {refused} items refused (no title), a board suggested for {suggested}",
        items.len(),
        files.len()
    );
    assert!(
        refused * 10 < items.len(),
        "too many items refused: {refused}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_corpus_item_with_any_settings_respects_the_limits(
        pick in any::<prop::sample::Index>(),
        variants in 1u8..=10,
        hashtags in 0u8..=10,
        board_count in 0usize..=8,
    ) {
        let items = corpus_items();
        let (file, item) = &items[pick.index(items.len())];
        let index = BoardIndex::new(&boards()[..board_count]);
        if let Ok(a) = run(item, variants, hashtags, &index) {
            prop_assert!(a.len() <= usize::from(variants));
            for d in &a {
                check(file, d);
                let own_hash = [&item.summary, &item.brand, &item.site_name]
                    .iter()
                    .any(|f| f.as_deref().unwrap_or_default().contains('#'));
                if !own_hash {
                    let tags = d.content.description.as_str().split_whitespace().filter(|w| w.starts_with('#')).count();
                    prop_assert!(tags <= usize::from(hashtags), "{} hashtags in {:?}", tags, d.content.description);
                }
            }
            prop_assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&run(item, variants, hashtags, &index).unwrap()).unwrap()
            );
        }
    }
}
