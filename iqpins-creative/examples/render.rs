//! Renders one creative to a file, for looking at the result.
//!
//! ```text
//! cargo run -p iqpins-creative --example render -- IN OUT TITLE [--price P] [--domain D]
//!     [--fallback-font FILE]... [--fit auto|cover|contain] [--top]
//! ```
//! OUT ending in `.png` gives a PNG, anything else a JPEG at quality 85.

use std::process::ExitCode;
use std::sync::Arc;

use iqpins_creative::{BandPosition, CreativeSpec, FitMode, OutputFormat, render};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!(
            "usage: render IN OUT TITLE [--price P] [--domain D] [--fallback-font FILE]... [--fit auto|cover|contain] [--top]"
        );
        return ExitCode::from(2);
    }
    let (input, output) = (&args[0], &args[1]);
    let mut spec = CreativeSpec::new(args[2].clone());
    spec.format = if output.ends_with(".png") {
        OutputFormat::Png
    } else {
        OutputFormat::Jpeg { quality: 85 }
    };
    let mut rest = args[3..].iter();
    while let Some(flag) = rest.next() {
        if flag == "--top" {
            spec.band = BandPosition::Top;
            continue;
        }
        match (flag.as_str(), rest.next()) {
            ("--price", Some(v)) => spec.price = Some(v.clone()),
            ("--domain", Some(v)) => spec.domain = Some(v.clone()),
            ("--fallback-font", Some(v)) => match std::fs::read(v) {
                Ok(bytes) => spec.fallback_fonts.push(Arc::from(bytes)),
                Err(e) => {
                    eprintln!("{v}: {e}");
                    return ExitCode::FAILURE;
                }
            },
            ("--fit", Some(v)) => {
                spec.fit = match v.as_str() {
                    "cover" => FitMode::Cover,
                    "contain" => FitMode::Contain,
                    _ => FitMode::Auto,
                }
            }
            (other, _) => {
                eprintln!("unknown or incomplete option {other}");
                return ExitCode::from(2);
            }
        }
    }
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match render(&bytes, &spec).map(|out| std::fs::write(output, out)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("{output}: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{input}: {e}");
            ExitCode::FAILURE
        }
    }
}
