//! Bad input never panics: empty, binary, huge, truncated and hostile inputs give clear
//! errors, and random bytes and mutated corpus files go through every parser.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use iqpins_sources::csv::{CsvItems, CsvOptions};
use iqpins_sources::{Input, InputKind, extract, feed, html};
use proptest::prelude::*;

#[test]
fn empty_input_is_reported_as_empty() {
    let out = extract(&Input::new(b""));
    assert_eq!(out.kind, InputKind::Unknown);
    assert_eq!(out.errors[0].message, "input is empty");
}

#[test]
fn binary_input_is_reported_as_binary() {
    let out = extract(&Input::new(b"\x1f\x8b\x08\x00\x00\x00\x00\x00").name("x.html"));
    assert_eq!(out.kind, InputKind::Unknown);
    assert!(out.errors[0].message.contains("gzip"), "{:?}", out.errors);
}

#[test]
fn a_truncated_feed_is_malformed_and_a_truncated_page_still_reads() {
    let out = extract(&Input::new(
        b"<?xml version=\"1.0\"?><rss version=\"2.0\"><chan",
    ));
    assert_eq!(out.kind, InputKind::Feed);
    assert!(
        out.errors[0].message.starts_with("malformed feed"),
        "{:?}",
        out.errors
    );
    let out = extract(&Input::new(b"<html><head><title>Half a pa"));
    assert_eq!(out.kind, InputKind::Html);
    assert_eq!(out.items.len(), 1);
}

#[test]
fn hostile_pages_do_not_hang_or_panic() {
    // Deep nesting, a huge attribute, a JSON-LD bomb of nested arrays, broken entities.
    let mut page = String::from("<html><head><script type=\"application/ld+json\">");
    page.push_str(&"[".repeat(5000));
    page.push_str(&"]".repeat(5000));
    page.push_str("</script></head><body>");
    page.push_str(&"<div itemscope itemprop=\"x\">".repeat(3000));
    page.push_str(&format!(
        "<img src=\"{}\" width=\"99999999999999\">",
        "a".repeat(100_000)
    ));
    page.push_str("&#xFFFFFFFF; &#0; &bogus;</body></html>");
    let out = extract(&Input::new(page.as_bytes()).name("https://shop.example/p"));
    assert_eq!(out.kind, InputKind::Html);
    assert_eq!(out.items.len(), 1);
}

#[test]
fn a_huge_csv_field_and_a_ragged_file_give_row_errors() {
    let mut data = String::from("id\ttitle\tlink\n");
    data.push_str(&format!(
        "1\t{}\thttps://s.example/1\n",
        "x".repeat(1_000_000)
    ));
    data.push_str("2\tonly two fields\n");
    let rows: Vec<_> = CsvItems::new(data.as_bytes(), CsvOptions::default())
        .unwrap()
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].is_ok());
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.reason.contains("fields"), "{e}");
}

fn corpus_files() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(dir.is_dir(), "the corpus is missing at {}", dir.display());
    let mut out = Vec::new();
    for sub in [
        "html/metascraper-shopping",
        "html/extruct/schema.org",
        "feeds/rust-rss",
        "feeds/feed-rs/jsonfeed",
        "csv/solidus_importer",
        "csv/woocommerce/sample-data",
    ] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                let mut b = std::fs::read(&p).unwrap();
                b.truncate(200_000);
                out.push(b);
            }
        }
    }
    out
}

fn every_parser(bytes: &[u8]) {
    let _ = extract(&Input::new(bytes));
    let _ = html::extract_html(bytes, None, None);
    let _ = feed::extract_feed(bytes, None);
    if let Ok(rows) = CsvItems::new(bytes, CsvOptions::default()) {
        for _ in rows {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        every_parser(&bytes);
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..40),
        cut in any::<prop::sample::Index>(),
    ) {
        let files = corpus_files();
        let mut bytes = files[pick.index(files.len())].clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        if !bytes.is_empty() {
            let keep = cut.index(bytes.len()) + 1;
            if keep < bytes.len() / 2 { bytes.truncate(keep); }
        }
        every_parser(&bytes);
    }
}
