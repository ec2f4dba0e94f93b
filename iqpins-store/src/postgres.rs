//! The Postgres store: for several server instances sharing one database.

use std::str::FromStr;
use std::sync::Arc;

use iqpins_core::Vault;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::error::Result;
use crate::migrations;

/// Connections a Postgres store opens at most by default.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 10;

/// [`iqpins_core::Store`] on Postgres. The scheduler's claim locks rows with
/// `FOR UPDATE SKIP LOCKED`, so any number of workers on any number of instances each
/// get different drafts without waiting for each other.
pub struct PostgresStore {
    pool: PgPool,
    vault: Arc<dyn Vault>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `postgres://…` and applies the migrations (under Postgres' migration
    /// lock, so several instances may start at once).
    pub async fn open(url: &str, vault: Arc<dyn Vault>) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options, DEFAULT_POSTGRES_CONNECTIONS, vault).await
    }

    /// Connects with explicit options and pool size, and applies the migrations.
    pub async fn connect_with(
        options: PgConnectOptions,
        max_connections: u32,
        vault: Arc<dyn Vault>,
    ) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await?;
        migrations::migrator(migrations::POSTGRES)
            .await?
            .run(&pool)
            .await?;
        Ok(Self { pool, vault })
    }

    /// The connection pool (for tests and maintenance).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await
    }
}

sql_store!(
    PostgresStore,
    sqlx::Postgres,
    lock = " FOR UPDATE SKIP LOCKED"
);
sql_auth_store!(PostgresStore);
