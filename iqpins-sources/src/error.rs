//! The one error type of `iqpins-sources`.

/// Everything that can go wrong while fetching or reading a source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL points somewhere the fetcher must not go (internal address, bad scheme or
    /// port, too many redirects).
    #[error("refused {url}: {reason}")]
    Refused {
        /// The URL that was refused.
        url: String,
        /// Why, e.g. `127.0.0.1 is a loopback address`.
        reason: String,
    },
    /// The request failed (connection, timeout, TLS, HTTP error status).
    #[error("fetch {url}: {reason}")]
    Fetch {
        /// The URL that was asked for.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// The body was larger than allowed (before or after decompression).
    #[error("fetch {url}: body is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap in bytes.
        limit: usize,
    },
    /// The server sent a content type that is not a page, feed or CSV file.
    #[error("fetch {url}: unsupported content type {content_type:?}")]
    UnsupportedContentType {
        /// The URL.
        url: String,
        /// The type that was sent or sniffed.
        content_type: String,
    },
    /// The input has no bytes (or only whitespace).
    #[error("input is empty")]
    Empty,
    /// The input is binary data, not a page, feed or CSV file.
    #[error("input looks like binary data ({0}), not a page, feed or CSV file")]
    Binary(String),
    /// The input is text of no kind this crate reads.
    #[error("input is not recognised as HTML, a feed or CSV: {0}")]
    Unrecognised(String),
    /// A feed could not be parsed.
    #[error("malformed feed: {0}")]
    MalformedFeed(String),
    /// A CSV file could not be read at all (bad header, unknown format, missing mapping).
    #[error("csv: {0}")]
    Csv(String),
    /// Reading a file failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for iqpins_core::Error {
    fn from(e: Error) -> Self {
        let url = match &e {
            Error::Refused { url, .. }
            | Error::Fetch { url, .. }
            | Error::TooLarge { url, .. }
            | Error::UnsupportedContentType { url, .. } => url.clone(),
            _ => String::new(),
        };
        iqpins_core::Error::Fetch {
            url,
            reason: e.to_string(),
        }
    }
}
