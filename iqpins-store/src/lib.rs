//! # iqpins-store
//!
//! Storage for IQ Pins: [`SqliteStore`] (the embedded default, one file) and
//! [`PostgresStore`] (several instances, one database), both implementations of
//! [`iqpins_core::Store`], and [`TokenVault`], the [`iqpins_core::Vault`] that encrypts
//! OAuth tokens at rest. [`open`] picks the store from a URL.
//!
//! Migrations are embedded per dialect (`migrations/sqlite`, `migrations/postgres`, same
//! file names) and applied at open. Both stores run the same SQL text (see `sql.rs`).
//!
//! ## Configuration
//!
//! | setting | meaning |
//! |---|---|
//! | database URL | `sqlite://iqpins.db` (file created if missing), `sqlite::memory:`, or `postgres://user:pass@host/db` |
//! | `IQPINS_SECRET_KEY` | the vault key: 32 random bytes in base64 ([`TokenVault::generate_key`] makes one) |
//! | `IQPINS_SECRET_KEYS_PREVIOUS` | optional, comma-separated older keys still accepted for decryption (key rotation) |
//!
//! This crate depends on `iqpins-core` and sqlx only: never on axum, reqwest, pyo3 or
//! another adapter crate.

#[macro_use]
mod sql;
#[macro_use]
mod auth;
mod error;
mod migrations;
mod postgres;
mod rows;
mod sqlite;
mod vault;

use std::sync::Arc;

use iqpins_core::{AuthStore, Store, Vault};

pub use error::{Error, Result};
pub use postgres::{DEFAULT_POSTGRES_CONNECTIONS, PostgresStore};
pub use sqlite::{DEFAULT_SQLITE_CONNECTIONS, SqliteStore};
pub use vault::{PREVIOUS_KEYS_VAR, SECRET_KEY_VAR, TokenVault};

/// Opens the store a URL names: `sqlite://path` (created if missing, WAL) or
/// `postgres://…` / `postgresql://…`, and applies its migrations. Connection tokens are
/// encrypted with `vault`.
pub async fn open(url: &str, vault: Arc<dyn Vault>) -> Result<Arc<dyn Store>> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::open(url, vault).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PostgresStore::open(url, vault).await?)),
        other => Err(Error::UnsupportedUrl {
            scheme: other.chars().take(20).collect(),
        }),
    }
}

/// Like [`open`], also giving the same store as an [`AuthStore`] (passwords and
/// sessions), for servers that sign people in.
pub async fn open_with_auth(
    url: &str,
    vault: Arc<dyn Vault>,
) -> Result<(Arc<dyn Store>, Arc<dyn AuthStore>)> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => {
            let s = Arc::new(SqliteStore::open(url, vault).await?);
            Ok((s.clone(), s))
        }
        "postgres" | "postgresql" => {
            let s = Arc::new(PostgresStore::open(url, vault).await?);
            Ok((s.clone(), s))
        }
        other => Err(Error::UnsupportedUrl {
            scheme: other.chars().take(20).collect(),
        }),
    }
}
