//! The schema migrations, embedded in the binary per dialect and applied at open.
//!
//! Both dialects have the same file names (`migrations/{sqlite,postgres}/NNNN_name.sql`),
//! so a schema change is one new file in each folder and one line in each list below.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// One migration: version, description, SQL.
type Embedded = (i64, &'static str, &'static str);

pub(crate) const SQLITE: &[Embedded] = &[
    (
        1,
        "init",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "auth",
        include_str!("../migrations/sqlite/0002_auth.sql"),
    ),
    (
        3,
        "image_send",
        include_str!("../migrations/sqlite/0003_image_send.sql"),
    ),
];

pub(crate) const POSTGRES: &[Embedded] = &[
    (
        1,
        "init",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "auth",
        include_str!("../migrations/postgres/0002_auth.sql"),
    ),
    (
        3,
        "image_send",
        include_str!("../migrations/postgres/0003_image_send.sql"),
    ),
];

/// What [`MigrationSource::resolve`] returns (sqlx's `BoxFuture`).
type Resolved<'s> = Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>>;

/// A [`MigrationSource`] over migrations compiled into the binary (no files at run time,
/// and no need for sqlx's proc-macro `migrate!`).
#[derive(Debug)]
struct EmbeddedSource(&'static [Embedded]);

impl<'s> MigrationSource<'s> for EmbeddedSource {
    fn resolve(self) -> Resolved<'s> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// The migrator of one dialect.
pub(crate) async fn migrator(
    migrations: &'static [Embedded],
) -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(EmbeddedSource(migrations)).await
}
