//! IQ Pins content sources: an SSRF-safe fetcher and HTML, feed and CSV extractors.
//!
//! The entry point for callers that hold a document is [`extract`]: give it the bytes and
//! whatever is known about them (a file name or URL, a `Content-Type`, a base URL) and it
//! detects the kind of input and returns the [`ContentItem`]s found, with the problems met
//! on the way. Extraction never invents a value: a fact the document does not state stays
//! `None`.
//!
//! - [`fetch`]: [`fetch::SafeFetcher`], core's `Fetcher` with SSRF guards.
//! - [`html`]: JSON-LD, microdata, Open Graph, Twitter cards and plain HTML metadata.
//! - [`feed`]: RSS 0.9x/1.0/2.0, Atom and JSON Feed.
//! - [`csv`]: Shopify, WooCommerce, Google Merchant / Pinterest catalog, Pinterest bulk
//!   and mapped generic CSV files, streamed row by row.

pub mod csv;
mod detect;
mod error;
pub mod feed;
pub mod fetch;
pub mod html;
mod text;

use serde::Serialize;
use url::Url;

pub use detect::detect;
pub use error::{Error, Result};
pub use iqpins_core::content::{Availability, ContentItem, ContentKind, ImageRef};

/// What kind of document an input is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InputKind {
    /// An HTML page.
    Html,
    /// An RSS, Atom or JSON feed.
    Feed,
    /// A CSV or TSV file of products or pins.
    Csv,
    /// Empty, binary or otherwise unrecognised input.
    Unknown,
}

impl InputKind {
    /// The lower-case name used in JSON output (`html`, `feed`, `csv`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Html => "html",
            InputKind::Feed => "feed",
            InputKind::Csv => "csv",
            InputKind::Unknown => "unknown",
        }
    }
}

/// A document to extract items from, and what is known about it.
///
/// Build one with [`Input::new`] and the builder methods; every hint is optional.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    bytes: &'a [u8],
    name: Option<&'a str>,
    content_type: Option<&'a str>,
    base_url: Option<Url>,
    csv: csv::CsvOptions,
}

impl<'a> Input<'a> {
    /// An input made of these bytes, with no hints.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            name: None,
            content_type: None,
            base_url: None,
            csv: csv::CsvOptions::default(),
        }
    }

    /// The file name or URL the bytes came from (its extension helps detection; an
    /// absolute http(s) URL also serves as the base URL when none is set).
    pub fn name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }

    /// The `Content-Type` the bytes were served with (helps detection and decoding).
    pub fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The URL relative links are resolved against.
    pub fn base_url(mut self, base: Url) -> Self {
        self.base_url = Some(base);
        self
    }

    /// Options for CSV files (column mapping, currency of files that state none).
    pub fn csv_options(mut self, options: csv::CsvOptions) -> Self {
        self.csv = options;
        self
    }

    /// The bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The effective base URL: the one set, else the name when it is an http(s) URL.
    pub fn effective_base(&self) -> Option<Url> {
        self.base_url.clone().or_else(|| {
            self.name
                .and_then(|n| Url::parse(n).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
        })
    }
}

/// One problem met while extracting: a bad CSV row, a malformed feed, an unreadable input.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Problem {
    /// The line number (1-based) of the row at fault, for CSV files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What went wrong, in words.
    pub message: String,
}

impl Problem {
    fn whole(e: &Error) -> Self {
        Self {
            line: None,
            message: e.to_string(),
        }
    }
}

impl From<csv::RowError> for Problem {
    fn from(e: csv::RowError) -> Self {
        Self {
            line: Some(e.line),
            message: e.reason,
        }
    }
}

/// What [`extract`] found in one input.
#[derive(Clone, Debug, Serialize)]
pub struct Extraction {
    /// The detected kind of the input.
    pub kind: InputKind,
    /// The items found (possibly none).
    pub items: Vec<ContentItem>,
    /// Problems: rows skipped, or why nothing could be read.
    pub errors: Vec<Problem>,
}

/// Detects the kind of `input` and extracts its items.
///
/// This never panics and never fails as a whole: an unreadable input gives
/// [`InputKind::Unknown`] (or its detected kind) with no items and a [`Problem`] that says
/// why; a CSV file with bad rows gives the good rows as items and one problem per bad row.
///
/// ```
/// let page = br#"<html><head><title>Blue mug</title></head></html>"#;
/// let out = iqpins_sources::extract(&iqpins_sources::Input::new(page).name("mug.html"));
/// assert_eq!(out.kind, iqpins_sources::InputKind::Html);
/// assert_eq!(out.items[0].title.as_deref(), Some("Blue mug"));
/// ```
pub fn extract(input: &Input<'_>) -> Extraction {
    let kind = match detect(input.bytes, input.name, input.content_type) {
        Ok(kind) => kind,
        Err(e) => {
            return Extraction {
                kind: InputKind::Unknown,
                items: Vec::new(),
                errors: vec![Problem::whole(&e)],
            };
        }
    };
    let base = input.effective_base();
    let (items, errors) = match kind {
        InputKind::Html => {
            match html::extract_html(input.bytes, input.content_type, base.as_ref()) {
                Ok(items) => (items, Vec::new()),
                Err(e) => (Vec::new(), vec![Problem::whole(&e)]),
            }
        }
        InputKind::Feed => match feed::extract_feed_lenient(input.bytes, base.as_ref()) {
            Ok((items, None)) => (items, Vec::new()),
            Ok((items, Some(note))) => (
                items,
                vec![Problem {
                    line: None,
                    message: note,
                }],
            ),
            Err(e) => (Vec::new(), vec![Problem::whole(&e)]),
        },
        InputKind::Csv => {
            let mut options = input.csv.clone();
            if options.base_url.is_none() {
                options.base_url = base;
            }
            match csv::CsvItems::new(input.bytes, options) {
                Ok(rows) => {
                    let mut items = Vec::new();
                    let mut errors = Vec::new();
                    for row in rows {
                        match row {
                            Ok(item) => items.push(item),
                            Err(e) => errors.push(Problem::from(e)),
                        }
                    }
                    (items, errors)
                }
                Err(e) => (Vec::new(), vec![Problem::whole(&e)]),
            }
        }
        InputKind::Unknown => (Vec::new(), Vec::new()),
    };
    Extraction {
        kind,
        items,
        errors,
    }
}
