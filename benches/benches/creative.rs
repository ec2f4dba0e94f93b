//! Creative rendering: the photos in `benches/data/` rendered as 1000×1500 JPEG creatives
//! (quality 85) with a title band, a price badge and a domain footer.
//!
//! `cargo bench -p iqpins-benches --bench creative`; `benches/peers/creative-run.sh` runs
//! this on one core next to the Pillow script and prints the ratio.
//!
//! With `CREATIVE_BENCH_CLOCK=cpu` the times are the CPU time of the benchmark thread
//! (`/proc/thread-self/schedstat`) instead of wall time: on a machine shared with other
//! work, wall time on a pinned core also counts the time other processes ran on it, and
//! the Pillow script's `--cpu` measures the same way.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_main};
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

/// CPU time of the calling thread, in nanoseconds, as the scheduler accounts it.
struct ThreadCpu {
    wall: WallTime,
}

fn thread_cpu_ns() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    stat.split_whitespace()
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .expect("schedstat run time")
}

impl Measurement for ThreadCpu {
    type Intermediate = f64;
    type Value = f64;
    fn start(&self) -> f64 {
        thread_cpu_ns()
    }
    fn end(&self, start: f64) -> f64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, v: &f64) -> f64 {
        *v
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall time: the same units and throughput lines.
        self.wall.formatter()
    }
}

fn creative<M: Measurement>(c: &mut Criterion<M>) {
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

fn benches() {
    if std::env::var("CREATIVE_BENCH_CLOCK").is_ok_and(|v| v == "cpu") {
        let mut c = Criterion::default()
            .with_measurement(ThreadCpu { wall: WallTime })
            .configure_from_args();
        creative(&mut c);
    } else {
        let mut c = Criterion::default().configure_from_args();
        creative(&mut c);
    }
}

criterion_main!(benches);
