//! Helpers shared by the store's integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use iqpins_core::Vault;
use iqpins_store::{PostgresStore, SqliteStore, TokenVault};
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// The variable that names the Postgres server tests may use.
pub const PG_VAR: &str = "IQPINS_TEST_POSTGRES_URL";

/// A vault with a fresh random key.
pub fn vault() -> Arc<dyn Vault> {
    Arc::new(TokenVault::from_base64(&TokenVault::generate_key(), &[]).unwrap())
}

/// A SQLite store on a new file in `dir`.
pub async fn sqlite(dir: &tempfile::TempDir, connections: u32) -> SqliteStore {
    SqliteStore::open_file(dir.path().join("iqpins.db"), connections, vault())
        .await
        .unwrap()
}

/// The Postgres URL, or `None` after a visible notice that the test is skipped.
/// Set but unreachable is a failure, not a skip (the caller's connect panics).
pub fn pg_url(test: &str) -> Option<String> {
    match std::env::var(PG_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Straight to stderr: the test harness captures `eprintln!` of passing tests,
            // and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "NOTICE: {test} SKIPPED: {PG_VAR} is not set (scripts/test sets it; by hand: \
                 {PG_VAR}=postgres://postgres@127.0.0.1:54330/postgres)"
            );
            None
        }
    }
}

/// A database of its own on the test server, so tests run in parallel; dropped by
/// [`PgDb::drop_db`] at the end of a test that passed (a failed test leaves it for
/// inspection in the throwaway cluster).
pub struct PgDb {
    admin: PgConnectOptions,
    name: String,
    pub options: PgConnectOptions,
}

impl PgDb {
    pub async fn create(url: &str) -> PgDb {
        let admin = PgConnectOptions::from_str(url).unwrap();
        let name = format!("iqpins_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&admin)
            .await
            .unwrap_or_else(|e| panic!("{PG_VAR} is set but Postgres is unreachable: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let options = admin.clone().database(&name);
        PgDb {
            admin,
            name,
            options,
        }
    }

    pub async fn store(&self, connections: u32, vault: Arc<dyn Vault>) -> PostgresStore {
        PostgresStore::connect_with(self.options.clone(), connections, vault)
            .await
            .unwrap()
    }

    pub async fn drop_db(self) {
        let mut conn = PgConnection::connect_with(&self.admin).await.unwrap();
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
}
