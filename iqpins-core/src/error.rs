//! The one error type of `iqpins-core`.

use crate::lifecycle::TransitionError;

/// Everything that can go wrong in the domain and in the ports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused by its constructor; `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field (or type) that was refused, e.g. `title`.
        field: &'static str,
        /// Why, including the limit that was broken.
        reason: String,
    },
    /// A lifecycle event that is not allowed in the current state.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The record does not exist for this account (records of other accounts look absent too).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `draft 0190…`.
        what: String,
    },
    /// An optimistic-concurrency check failed: someone else changed the record first.
    #[error(
        "{what} was changed by someone else (expected version {expected}); reload and try again"
    )]
    Conflict {
        /// The record.
        what: String,
        /// The version the caller had.
        expected: i64,
    },
    /// A business rule refused the operation; `reasons` lists every failed check.
    #[error("{action} refused: {}", reasons.join("; "))]
    Refused {
        /// The operation, e.g. `approve`.
        action: &'static str,
        /// Each failed check, in words a reviewer understands.
        reasons: Vec<String>,
    },
    /// The Pinterest connection needs the user to connect again (refresh failed or revoked).
    #[error("the Pinterest connection needs to be reconnected")]
    NeedsReconnect,
    /// A storage backend failed.
    #[error("store: {0}")]
    Store(String),
    /// Pinterest (or the emulator) answered with an error.
    #[error("pinterest: {0}")]
    Pinterest(#[from] crate::ports::PinterestError),
    /// Fetching user content failed.
    #[error("fetch {url}: {reason}")]
    Fetch {
        /// The URL that was asked for.
        url: String,
        /// Why it failed (refused address, timeout, too large, …).
        reason: String,
    },
    /// Encrypting or decrypting a secret failed (wrong key, tampered data).
    #[error("vault: {0}")]
    Vault(String),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }
}
