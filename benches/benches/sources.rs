//! Extraction speed of iqpins-sources: HTML pages, feeds and CSV files of the corpus
//! (`../shared/corpus` beside the workspace), and a 1,000,000-row Shopify CSV generated
//! at bench time into a temporary file (never committed) and streamed from disk.
//!
//! `cargo bench -p iqpins-benches --bench sources`
#![allow(clippy::unwrap_used)] // a benchmark: missing inputs should stop it loudly

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iqpins_sources::csv::{CsvItems, CsvOptions};
use iqpins_sources::{Input, extract};

fn corpus_files(sub: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    assert!(root.is_dir(), "the corpus is missing at {}", root.display());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    manifest
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["role"] == "input")
        .filter_map(|e| e["file"].as_str())
        .filter(|f| f.starts_with(sub))
        .map(|f| (f.to_owned(), std::fs::read(root.join(f)).unwrap()))
        .collect()
}

fn bench_set(c: &mut Criterion, name: &str, files: &[(String, Vec<u8>)]) {
    let items: usize = files
        .iter()
        .map(|(n, b)| extract(&Input::new(b).name(n)).items.len())
        .sum();
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(items as u64));
    g.bench_function("corpus", |b| {
        b.iter(|| {
            let mut n = 0;
            for (name, bytes) in files {
                n += extract(&Input::new(bytes).name(name)).items.len();
            }
            n
        });
    });
    g.finish();
}

fn html(c: &mut Criterion) {
    bench_set(c, "html", &corpus_files("html/"));
}

fn feeds(c: &mut Criterion) {
    bench_set(c, "feeds", &corpus_files("feeds/"));
}

/// Writes a Shopify product export of `rows` rows: three variant rows per product.
pub fn write_shopify_csv(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Variant SKU,Variant Price,Variant Inventory Qty,Image Src,Image Alt Text"
    )?;
    for i in 0..rows {
        let p = i / 3;
        if i % 3 == 0 {
            writeln!(
                w,
                "product-{p},Product number {p},\"<p>A fine product, number {p}.</p>\",Acme,Mugs,\"kitchen, mugs\",SKU-{i},{}.{:02},{},https://cdn.example/p/{p}-{i}.jpg,Front view",
                10 + p % 90,
                i % 100,
                i % 7
            )?;
        } else {
            writeln!(
                w,
                "product-{p},,,,,,SKU-{i},{}.{:02},{},https://cdn.example/p/{p}-{i}.jpg,Other view",
                10 + p % 90,
                i % 100,
                i % 7
            )?;
        }
    }
    w.flush()
}

fn csv(c: &mut Criterion) {
    bench_set(c, "csv", &corpus_files("csv/"));
    let path: PathBuf =
        std::env::temp_dir().join(format!("iqpins-bench-shopify-{}.csv", std::process::id()));
    write_shopify_csv(&path, 1_000_000).unwrap();
    let options = CsvOptions {
        currency: iqpins_core::fields::Currency::parse("USD").ok(),
        ..CsvOptions::default()
    };
    let mut g = c.benchmark_group("csv-shopify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("1M rows streamed from disk", |b| {
        b.iter(|| {
            let file = std::fs::File::open(&path).unwrap();
            CsvItems::new(file, options.clone())
                .unwrap()
                .filter(Result::is_ok)
                .count()
        });
    });
    g.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, html, feeds, csv);
criterion_main!(benches);
