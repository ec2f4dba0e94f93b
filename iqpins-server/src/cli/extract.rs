//! `iqpins extract <FILE|URL>... [--base-url URL] [--json]`: detects the kind of each
//! input (HTML page, feed, CSV file), extracts its items and prints one JSON object per
//! input: `{"input", "kind", "items", "errors"}`. Facts the input does not state are left
//! out of the items, never guessed.
//!
//! Without `--json` each object is pretty-printed; with `--json` each is one line (JSON
//! Lines). CSV files are streamed: items are printed as they are read, so memory stays
//! flat for files of millions of rows. URLs are fetched with the SSRF-safe fetcher. On a
//! terminal, large files show a progress bar on stderr.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

use iqpins_core::fields::Currency;
use iqpins_sources::csv::{CsvItems, CsvOptions};
use iqpins_sources::fetch::SafeFetcher;
use iqpins_sources::{Extraction, Input, InputKind, Problem};
use serde::Serialize;
use url::Url;

/// Files larger than this show a progress bar (on a terminal).
const PROGRESS_FROM_BYTES: u64 = 8 * 1024 * 1024;
/// Non-CSV files larger than this are refused (pages and feeds are read whole).
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// The arguments of `iqpins extract`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Pages, feeds or CSV files: local paths or http(s) URLs.
    #[arg(required = true, value_name = "FILE|URL")]
    pub inputs: Vec<String>,
    /// The URL relative links of local files are resolved against (for URLs, the final
    /// URL after redirects is used).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,
    /// Print one JSON object per line (JSON Lines) instead of pretty-printed JSON.
    #[arg(long)]
    pub json: bool,
    /// The currency of CSV prices in formats that state none (Shopify, WooCommerce);
    /// without it such prices are left out.
    #[arg(long, value_name = "ISO 4217 CODE", value_parser = parse_currency)]
    pub currency: Option<Currency>,
}

fn parse_currency(s: &str) -> Result<Currency, String> {
    Currency::parse(s).map_err(|e| e.to_string())
}

/// The head of one printed object (the items and errors follow).
#[derive(Serialize)]
struct Output<'a> {
    input: &'a str,
    kind: InputKind,
    items: &'a [iqpins_sources::ContentItem],
    errors: &'a [Problem],
}

/// Runs `iqpins extract`; exits with failure when an input gave nothing but errors.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut ok = true;
    let mut fetcher = None;
    for input in &args.inputs {
        let result = if is_url(input) {
            if fetcher.is_none() {
                match SafeFetcher::new() {
                    Ok(f) => fetcher = Some(f),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            let Some(f) = fetcher.as_ref() else {
                return ExitCode::FAILURE;
            };
            let extraction = runtime.block_on(extract_url(f, input, &args));
            print(&mut out, input, &extraction, args.json)
                .map(|()| !extraction.items.is_empty() || extraction.errors.is_empty())
        } else {
            extract_file(&mut out, input, &args)
        };
        match result {
            Ok(fine) => ok &= fine,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write the output: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(e) = out.flush()
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the output: {e}");
        return ExitCode::FAILURE;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn is_url(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn csv_options(args: &Args, base: Option<Url>) -> CsvOptions {
    CsvOptions {
        currency: args.currency,
        base_url: base,
        ..CsvOptions::default()
    }
}

fn failed(message: String) -> Extraction {
    Extraction {
        kind: InputKind::Unknown,
        items: Vec::new(),
        errors: vec![Problem {
            line: None,
            message,
        }],
    }
}

async fn extract_url(fetcher: &SafeFetcher, url: &str, args: &Args) -> Extraction {
    let fetched = match fetcher.get(url).await {
        Ok(f) => f,
        Err(e) => return failed(e.to_string()),
    };
    let base = Url::parse(&fetched.url).ok();
    let mut input = Input::new(&fetched.body).name(&fetched.url);
    if let Some(ct) = fetched.content_type.as_deref() {
        input = input.content_type(ct);
    }
    if let Some(b) = base.clone() {
        input = input.base_url(b);
    }
    input = input.csv_options(csv_options(args, base));
    iqpins_sources::extract(&input)
}

/// Extracts a local file; CSV files are streamed straight to the output.
fn extract_file(out: &mut impl Write, path: &str, args: &Args) -> io::Result<bool> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            print(
                out,
                path,
                &failed(format!("cannot open {path}: {e}")),
                args.json,
            )?;
            return Ok(false);
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(8192);
    if let Err(e) = (&mut file).take(8192).read_to_end(&mut head) {
        print(
            out,
            path,
            &failed(format!("cannot read {path}: {e}")),
            args.json,
        )?;
        return Ok(false);
    }
    let kind = iqpins_sources::detect(&head, Some(path), None);
    if matches!(kind, Ok(InputKind::Csv)) {
        return stream_csv(out, path, head, file, size, args);
    }
    if size > MAX_DOCUMENT_BYTES {
        let msg = format!(
            "{path} is {size} bytes; pages and feeds over {MAX_DOCUMENT_BYTES} bytes are not read"
        );
        print(out, path, &failed(msg), args.json)?;
        return Ok(false);
    }
    let mut bytes = head;
    if let Err(e) = file.read_to_end(&mut bytes) {
        print(
            out,
            path,
            &failed(format!("cannot read {path}: {e}")),
            args.json,
        )?;
        return Ok(false);
    }
    let mut input = Input::new(&bytes)
        .name(path)
        .csv_options(csv_options(args, args.base_url.clone()));
    if let Some(b) = args.base_url.clone() {
        input = input.base_url(b);
    }
    let extraction = iqpins_sources::extract(&input);
    print(out, path, &extraction, args.json)?;
    Ok(!extraction.items.is_empty() || extraction.errors.is_empty())
}

fn print(out: &mut impl Write, input: &str, e: &Extraction, compact: bool) -> io::Result<()> {
    let o = Output {
        input,
        kind: e.kind,
        items: &e.items,
        errors: &e.errors,
    };
    if compact {
        serde_json::to_writer(&mut *out, &o)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &o)?;
    }
    writeln!(out)
}

/// Counts bytes read into a progress bar.
struct Counting<R> {
    inner: R,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

/// Writes `{"input":…,"kind":"csv","items":[…],"errors":[…]}` while reading the rows.
fn stream_csv(
    out: &mut impl Write,
    path: &str,
    head: Vec<u8>,
    file: File,
    size: u64,
    args: &Args,
) -> io::Result<bool> {
    let bar = (size >= PROGRESS_FROM_BYTES && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})",
        ) {
            bar.set_style(style);
        }
        bar.set_message(path.to_owned());
        bar.inc(head.len() as u64);
        bar
    });
    let reader = Counting {
        inner: io::Cursor::new(head).chain(file),
        bar: bar.clone(),
    };
    let rows = match CsvItems::new(reader, csv_options(args, args.base_url.clone())) {
        Ok(r) => r,
        Err(e) => {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let mut f = failed(e.to_string());
            f.kind = InputKind::Csv;
            print(out, path, &f, args.json)?;
            return Ok(false);
        }
    };
    let sep = if args.json { "" } else { "\n" };
    write!(out, "{{\"input\":")?;
    serde_json::to_writer(&mut *out, path)?;
    write!(out, ",\"kind\":\"csv\",\"items\":[")?;
    let mut errors = Vec::new();
    let mut n = 0u64;
    for row in rows {
        match row {
            Ok(item) => {
                if n > 0 {
                    write!(out, ",")?;
                }
                write!(out, "{sep}")?;
                serde_json::to_writer(&mut *out, &item)?;
                n += 1;
            }
            Err(e) => errors.push(Problem::from(e)),
        }
    }
    write!(out, "{sep}],\"errors\":")?;
    serde_json::to_writer(&mut *out, &errors)?;
    writeln!(out, "}}")?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok(n > 0 || errors.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(json: bool) -> Args {
        Args {
            inputs: Vec::new(),
            base_url: Some(Url::parse("https://shop.example/").unwrap()),
            json,
            currency: Some(Currency::parse("EUR").unwrap()),
        }
    }

    fn write_temp(name: &str, body: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("iqpins-extract-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn a_streamed_csv_prints_one_valid_json_object_with_items_and_row_errors() {
        let p = write_temp(
            "shop.csv",
            b"Handle,Title,Variant Price\nmug,Mug,12.50\n,Orphan,1\ntea,Tea,4\n",
        );
        for json in [true, false] {
            let mut out = Vec::new();
            let fine = extract_file(&mut out, p.to_str().unwrap(), &args(json)).unwrap();
            assert!(fine);
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(v["kind"], "csv");
            assert_eq!(v["items"].as_array().unwrap().len(), 2);
            assert_eq!(v["items"][0]["price"]["currency"], "EUR");
            assert_eq!(v["items"][0]["url"], "https://shop.example/products/mug");
            assert_eq!(v["errors"][0]["line"], 3);
            if json {
                assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            }
        }
    }

    #[test]
    fn a_page_prints_its_item_without_unknown_fields() {
        let p = write_temp(
            "p.html",
            b"<html lang=en><head><title>Blue mug</title></head><body></body></html>",
        );
        let mut out = Vec::new();
        assert!(extract_file(&mut out, p.to_str().unwrap(), &args(true)).unwrap());
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "html");
        let item = v["items"][0].as_object().unwrap();
        assert_eq!(item["title"], "Blue mug");
        assert!(!item.contains_key("price") && !item.contains_key("brand"));
    }

    #[test]
    fn a_missing_or_empty_file_is_an_error_object() {
        let mut out = Vec::new();
        assert!(!extract_file(&mut out, "/nonexistent/x.html", &args(true)).unwrap());
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "unknown");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("cannot open")
        );
        let p = write_temp("empty.html", b"");
        let mut out = Vec::new();
        assert!(!extract_file(&mut out, p.to_str().unwrap(), &args(true)).unwrap());
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["errors"][0]["message"], "input is empty");
    }
}
