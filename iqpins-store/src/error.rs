//! The one error type of `iqpins-store`.

/// What can go wrong when opening a store or loading a vault key. Store operations
/// themselves answer with [`iqpins_core::Error`], as the [`iqpins_core::Store`] trait says.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL is neither `sqlite:` nor `postgres:`/`postgresql:`. Only the
    /// scheme is shown, never the rest of the URL (it may hold a password).
    #[error("unsupported database URL scheme {scheme:?}: expected sqlite://… or postgres://…")]
    UnsupportedUrl {
        /// The scheme that was given.
        scheme: String,
    },
    /// The database refused a connection or a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The embedded migrations could not be applied.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A vault key from configuration is unusable. The key itself is never shown.
    #[error("secret key {name}: {reason}")]
    Key {
        /// Which setting, e.g. `IQPINS_SECRET_KEY`.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for iqpins_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Key { .. } => iqpins_core::Error::Vault(e.to_string()),
            other => iqpins_core::Error::Store(other.to_string()),
        }
    }
}

/// A database error as core's error: unique and foreign-key violations become the
/// domain's words, everything else [`iqpins_core::Error::Store`].
pub(crate) fn db(e: sqlx::Error) -> iqpins_core::Error {
    iqpins_core::Error::Store(e.to_string())
}

/// Whether the error is a violated unique constraint.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Whether the error is a violated foreign key (a referenced record is missing).
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation())
}
