//! Creative rendering: the photos in `benches/data/` rendered as 1000×1500 JPEG creatives
//! (quality 85) with a title band, a price badge and a domain footer.
//!
//! `cargo bench -p iqpins-benches --bench creative`; `benches/peers/creative-run.sh` runs
//! this on one core next to the Pillow script and prints the ratio.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iqpins_creative::{CreativeSpec, OutputFormat, render};

/// The same texts as `benches/peers/creative.py`.
fn spec() -> CreativeSpec {
    CreativeSpec {
        price: Some("€24.90".into()),
        domain: Some("shop.example".into()),
        format: OutputFormat::Jpeg { quality: 85 },
        ..CreativeSpec::new(
            "Hand-roasted Colombian coffee beans, 1 kg bag — fresh from the roaster",
        )
    }
}

fn photos() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut photos: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("benches/data")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&p).expect("photo");
            (name, bytes)
        })
        .collect();
    photos.sort();
    photos
}

fn creative(c: &mut Criterion) {
    let photos = photos();
    let spec = spec();
    let mut group = c.benchmark_group("creative");
    group.sample_size(20);
    group.throughput(Throughput::Elements(1));
    for (name, bytes) in &photos {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| render(black_box(bytes), black_box(&spec)).expect("render"))
        });
    }
    // One creative from each photo per iteration: the mix the Pillow script reports.
    group.throughput(Throughput::Elements(photos.len() as u64));
    group.bench_function("all", |b| {
        b.iter(|| {
            for (_, bytes) in &photos {
                black_box(render(black_box(bytes), &spec).expect("render"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, creative);
criterion_main!(benches);
