//! The SQLite store: the embedded default, one file (plus its `-wal`/`-shm`), WAL mode.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use iqpins_core::Vault;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::Result;
use crate::migrations;

/// Connections a SQLite store opens by default: readers run in parallel under WAL, writers
/// take turns (every write transaction starts with `BEGIN IMMEDIATE` or is one statement).
pub const DEFAULT_SQLITE_CONNECTIONS: u32 = 4;

/// [`iqpins_core::Store`] on a SQLite file.
pub struct SqliteStore {
    pool: SqlitePool,
    vault: Arc<dyn Vault>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens `sqlite://path` (or `sqlite:path`, `sqlite::memory:`), creating the file if it
    /// is missing, and applies the migrations.
    pub async fn open(url: &str, vault: Arc<dyn Vault>) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?;
        // Every connection to `:memory:` is a database of its own: keep to one.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if in_memory {
            Self::connect(options, 1, true, vault).await
        } else {
            Self::connect(options, DEFAULT_SQLITE_CONNECTIONS, false, vault).await
        }
    }

    /// Opens (creating if missing) the database file at `path` with up to
    /// `max_connections` connections, and applies the migrations.
    pub async fn open_file(
        path: impl AsRef<Path>,
        max_connections: u32,
        vault: Arc<dyn Vault>,
    ) -> Result<Self> {
        let options = SqliteConnectOptions::new().filename(path.as_ref());
        Self::connect_with(options, max_connections, vault).await
    }

    /// Opens with explicit options. The store adds what it relies on: create if missing,
    /// WAL, `synchronous = NORMAL`, foreign keys, a 30 s busy timeout (writers wait for
    /// each other instead of failing) and `secure_delete` (deleted tokens are overwritten).
    /// For an in-memory database use [`SqliteStore::open`] with `sqlite::memory:`, which
    /// keeps its one connection alive.
    pub async fn connect_with(
        options: SqliteConnectOptions,
        max_connections: u32,
        vault: Arc<dyn Vault>,
    ) -> Result<Self> {
        Self::connect(options, max_connections, false, vault).await
    }

    async fn connect(
        options: SqliteConnectOptions,
        max_connections: u32,
        in_memory: bool,
        vault: Arc<dyn Vault>,
    ) -> Result<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("secure_delete", "ON");
        let mut pool = SqlitePoolOptions::new().max_connections(max_connections.max(1));
        if in_memory {
            // An in-memory database lives as long as its one connection: never recycle it.
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool.connect_with(options).await?;
        migrations::migrator(migrations::SQLITE)
            .await?
            .run(&pool)
            .await?;
        Ok(Self { pool, vault })
    }

    /// The connection pool (for tests and maintenance).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection; SQLite then checkpoints the WAL into the main file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that holds SQLite's write lock from its first statement, so two
    /// writers never both read and then collide on the upgrade.
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

sql_store!(SqliteStore, sqlx::Sqlite, lock = "");
sql_auth_store!(SqliteStore);
