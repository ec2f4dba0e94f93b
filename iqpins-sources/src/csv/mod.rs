//! CSV and TSV files to items, streamed row by row: memory stays flat however long the
//! file is.
//!
//! Formats are recognised by their header row: the Shopify product export (variant rows
//! grouped by `Handle`), the WooCommerce product export (variations fill their parent's
//! price), Google Merchant / Pinterest catalog feeds (`price` like `15.00 USD`), Pinterest's
//! bulk-create CSV, and any other file given an explicit [`ColumnMapping`]. A UTF-8 BOM,
//! `,` `;` and tab delimiters, quoted newlines and windows-1252 text are handled.
//!
//! A bad row gives a [`RowError`] with its line number; the other rows still import.

mod formats;

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read};

use iqpins_core::fields::Currency;
use url::Url;

use crate::{ContentItem, Error, Result};

/// The kind of CSV file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum CsvFormat {
    /// Shopify product export (`Handle`, `Title`, `Variant Price`, `Image Src`, …).
    Shopify,
    /// WooCommerce product export (`ID`, `Type`, `SKU`, `Name`, `Regular price`, …).
    WooCommerce,
    /// Google Merchant / Pinterest catalog feed (`id`, `title`, `link`, `image_link`,
    /// `price`, …).
    Merchant,
    /// Pinterest bulk-create CSV (`Title`, `Media URL`, `Pinterest board`, …).
    PinterestBulk,
    /// Any file, read through a [`ColumnMapping`].
    Mapped,
}

/// Which header names hold which facts, for CSV files of no known format. Names are
/// matched without regard to case or surrounding spaces. Only `title` is required.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// Column of the title (required).
    pub title: String,
    /// Column of the page URL.
    pub url: Option<String>,
    /// Column of the summary / description (HTML is reduced to text).
    pub summary: Option<String>,
    /// Column of image URLs (several may be separated by commas or spaces).
    pub image: Option<String>,
    /// Column of the price (`12.50`, or `12.50 EUR` with its currency).
    pub price: Option<String>,
    /// Column of the currency code, when the price column has none.
    pub currency: Option<String>,
    /// Column of the stock status.
    pub availability: Option<String>,
    /// Column of the brand.
    pub brand: Option<String>,
    /// Column of the SKU.
    pub sku: Option<String>,
    /// Column of the GTIN / EAN / UPC.
    pub gtin: Option<String>,
    /// Column of the category.
    pub category: Option<String>,
    /// Column of keywords (comma-separated).
    pub keywords: Option<String>,
    /// Column of the author.
    pub author: Option<String>,
    /// Column of the publication date.
    pub published_at: Option<String>,
}

/// How to read a CSV file.
#[derive(Clone, Debug, Default)]
pub struct CsvOptions {
    /// Force a format instead of detecting it from the header row.
    pub format: Option<CsvFormat>,
    /// The mapping for files of no known format (implies [`CsvFormat::Mapped`]).
    pub mapping: Option<ColumnMapping>,
    /// The currency of prices in formats that do not state one (Shopify and WooCommerce
    /// exports). Without it those prices are left out rather than guessed.
    pub currency: Option<Currency>,
    /// The shop's address: Shopify rows get `<base>/products/<handle>` as their URL, and
    /// relative image URLs are resolved against it.
    pub base_url: Option<Url>,
    /// Force a delimiter instead of detecting `,`, `;` or tab from the header row.
    pub delimiter: Option<u8>,
}

/// A row that could not be imported.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    /// The 1-based line on which the row starts.
    pub line: u64,
    /// Why the row was skipped.
    pub reason: String,
}

/// The items of a CSV file, one `Result` per product or pin, read lazily.
pub struct CsvItems<R: Read> {
    reader: csv::Reader<BufReader<R>>,
    format: CsvFormat,
    columns: Columns,
    options: CsvOptions,
    record: csv::ByteRecord,
    fields: Vec<String>,
    state: formats::State,
    out: VecDeque<Result<ContentItem, RowError>>,
    done: bool,
}

impl<R: Read> std::fmt::Debug for CsvItems<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvItems")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Header names (normalised) to column indexes.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    index: HashMap<String, usize>,
    width: usize,
}

impl Columns {
    fn new(headers: &[String]) -> Self {
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            index.entry(normalise(h)).or_insert(i);
        }
        Self {
            index,
            width: headers.len(),
        }
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub(crate) fn get<'r>(&self, row: &'r [String], name: &str) -> Option<&'r str> {
        let i = *self.index.get(name)?;
        row.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// Lower case, trimmed, without the `g:` namespace prefix of Merchant feeds.
fn normalise(h: &str) -> String {
    let h = h
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase();
    match h.strip_prefix("g:") {
        Some(rest) => rest.to_owned(),
        None => h,
    }
}

impl<R: Read> CsvItems<R> {
    /// Reads the header row, picks the delimiter and the format, and returns the rows as
    /// an iterator. Fails when the header cannot be read or the format is not known and no
    /// mapping was given.
    pub fn new(reader: R, options: CsvOptions) -> Result<Self> {
        let mut buf = BufReader::with_capacity(64 * 1024, reader);
        let head = buf.fill_buf()?;
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(head));
        if bom {
            buf.consume(3);
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(buf);
        let headers: Vec<String> = reader
            .byte_headers()
            .map_err(|e| Error::Csv(format!("cannot read the header row: {e}")))?
            .iter()
            .map(decode_field)
            .collect();
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(Error::Csv("the file has no header row".into()));
        }
        let columns = Columns::new(&headers);
        let format = match (&options.mapping, options.format) {
            (Some(_), _) => CsvFormat::Mapped,
            (None, Some(f)) => f,
            (None, None) => formats::detect(&columns).ok_or_else(|| {
                Error::Csv(format!(
                    "unknown CSV format (headers: {}); give a column mapping",
                    headers
                        .iter()
                        .take(12)
                        .map(|h| h.trim())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
        };
        if format == CsvFormat::Mapped {
            let mapping = options
                .mapping
                .as_ref()
                .ok_or_else(|| Error::Csv("the mapped format needs a column mapping".into()))?;
            if !columns.has(&normalise(&mapping.title)) {
                return Err(Error::Csv(format!(
                    "the title column {:?} is not in the header row",
                    mapping.title
                )));
            }
        }
        Ok(Self {
            reader,
            format,
            columns,
            options,
            record: csv::ByteRecord::new(),
            fields: Vec::new(),
            state: formats::State::default(),
            out: VecDeque::new(),
            done: false,
        })
    }

    /// The detected (or forced) format.
    pub fn format(&self) -> CsvFormat {
        self.format
    }
}

impl<R: Read> Iterator for CsvItems<R> {
    type Item = Result<ContentItem, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.out.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {
                    let line = self.record.position().map_or(0, csv::Position::line);
                    if self
                        .record
                        .iter()
                        .all(|f| f.iter().all(u8::is_ascii_whitespace))
                    {
                        continue;
                    }
                    if self.record.len() != self.columns.width {
                        self.out.push_back(Err(RowError {
                            line,
                            reason: format!(
                                "has {} fields; the header row has {}",
                                self.record.len(),
                                self.columns.width
                            ),
                        }));
                        continue;
                    }
                    self.fields.clear();
                    self.fields.extend(self.record.iter().map(decode_field));
                    let ctx = formats::Ctx {
                        columns: &self.columns,
                        options: &self.options,
                        row: &self.fields,
                        line,
                    };
                    formats::row(self.format, &ctx, &mut self.state, &mut self.out);
                }
                Ok(false) => {
                    self.done = true;
                    formats::finish(&mut self.state, &mut self.out);
                }
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                    self.out.push_back(Err(RowError {
                        line,
                        reason: e.to_string(),
                    }));
                    if fatal {
                        self.done = true;
                        formats::finish(&mut self.state, &mut self.out);
                    }
                }
            }
        }
    }
}

/// A field as text: UTF-8 when valid, else windows-1252 (spreadsheet exports).
fn decode_field(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(b).0.into_owned(),
    }
}

/// Picks the delimiter that splits the header line into the most fields.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut in_quotes = false;
    for &c in head {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            _ if !in_quotes => {
                for (d, n) in counts.iter_mut() {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

#[cfg(test)]
mod tests;
