//! A small binary around `iqpins_sources::extract`, for looking at results and for the
//! side-by-side benchmark against peers (`benches/peers/sources.sh`).
//!
//! `extract FILE...` prints one JSON object per file. `extract --time N FILE...` extracts
//! every file N times and prints `files items seconds` (no JSON), timing extraction only.
//! `extract --csv-stream FILE` streams a CSV file row by row (memory stays flat) and
//! prints `items errors seconds`.

use std::time::Instant;

use iqpins_sources::{Input, extract};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = None;
    let mut base = None;
    while let Some(flag) = args.first().cloned() {
        match flag.as_str() {
            "--csv-stream" if args.len() > 1 => {
                csv_stream(&args[1]);
                return;
            }
            "--time" if args.len() > 1 => {
                repeat = args[1].parse::<u32>().ok();
                args.drain(..2);
            }
            "--base-url" if args.len() > 1 => {
                base = url::Url::parse(&args[1]).ok();
                args.drain(..2);
            }
            _ => break,
        }
    }
    let files: Vec<(String, Vec<u8>)> = args
        .iter()
        .filter_map(|p| std::fs::read(p).ok().map(|b| (p.clone(), b)))
        .collect();
    match repeat {
        Some(n) => {
            let start = Instant::now();
            let mut items = 0usize;
            for _ in 0..n {
                for (name, bytes) in &files {
                    let mut input = Input::new(bytes).name(name);
                    if let Some(b) = &base {
                        input = input.base_url(b.clone());
                    }
                    items += extract(&input).items.len();
                }
            }
            println!(
                "{} {items} {:.6}",
                files.len() * n as usize,
                start.elapsed().as_secs_f64()
            );
        }
        None => {
            for (name, bytes) in &files {
                let mut input = Input::new(bytes).name(name);
                if let Some(b) = &base {
                    input = input.base_url(b.clone());
                }
                let out = extract(&input);
                let json = serde_json::json!({
                    "input": name, "kind": out.kind, "items": out.items, "errors": out.errors,
                });
                println!("{json}");
            }
        }
    }
}

fn csv_stream(path: &str) {
    let start = Instant::now();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let rows = match iqpins_sources::csv::CsvItems::new(file, Default::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let (mut items, mut errors) = (0u64, 0u64);
    for r in rows {
        match r {
            Ok(_) => items += 1,
            Err(_) => errors += 1,
        }
    }
    println!("{items} {errors} {:.6}", start.elapsed().as_secs_f64());
}
