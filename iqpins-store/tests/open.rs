//! Opening stores by URL, migrations at open, and what happens to a corrupted row.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use iqpins_core::testing::{created_account, draft};
use iqpins_core::{Error, Store};
use iqpins_store::SqliteStore;

#[tokio::test]
async fn a_sqlite_url_creates_the_file_and_reopening_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.db");
    let url = format!("sqlite://{}", path.display());
    let store = iqpins_store::open(&url, common::vault()).await.unwrap();
    let account = created_account(store.as_ref(), "Reopen").await;
    drop(store);
    assert!(path.exists(), "the file was created");

    // Opening again runs the (already applied) migrations again without harm.
    let store = iqpins_store::open(&url, common::vault()).await.unwrap();
    assert_eq!(store.get_account(account.id).await.unwrap().id, account.id);
}

#[tokio::test]
async fn an_in_memory_sqlite_url_works_as_one_database() {
    let store = iqpins_store::open("sqlite::memory:", common::vault())
        .await
        .unwrap();
    let account = created_account(store.as_ref(), "Memory").await;
    for _ in 0..3 {
        assert_eq!(store.get_account(account.id).await.unwrap().id, account.id);
    }
}

#[tokio::test]
async fn an_unknown_scheme_is_refused_without_echoing_the_url() {
    let err = iqpins_store::open("mysql://root:hunter2@db/iqpins", common::vault())
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(msg.contains("mysql") && msg.contains("sqlite://"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[tokio::test]
async fn a_postgres_url_opens_a_postgres_store() {
    let Some(url) = common::pg_url("a_postgres_url_opens_a_postgres_store") else {
        return;
    };
    let db = common::PgDb::create(&url).await;
    let db_url = {
        // The per-test database's URL: the server URL with its path replaced.
        let mut u = url::Url::parse(&url).unwrap();
        u.set_path(db.options.get_database().unwrap());
        u.to_string()
    };
    let store = iqpins_store::open(&db_url, common::vault()).await.unwrap();
    let account = created_account(store.as_ref(), "PgOpen").await;
    assert_eq!(store.get_account(account.id).await.unwrap().id, account.id);
    drop(store);
    // A second instance starting on the same database finds the schema in place.
    let again = iqpins_store::open(&db_url, common::vault()).await.unwrap();
    assert_eq!(again.get_account(account.id).await.unwrap().id, account.id);
    drop(again);
    db.drop_db().await;
}

#[tokio::test]
async fn a_stored_value_that_core_would_refuse_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store: SqliteStore = common::sqlite(&dir, 2).await;
    let account = created_account(&store, "Corrupt").await;
    let d = store
        .insert_draft(&draft(account.id, 1, iqpins_core::testing::at(0)))
        .await
        .unwrap();

    let cases = [
        (
            "title",
            "UPDATE drafts SET title = '' WHERE id = $1",
            "title",
        ),
        (
            "a 101-character title",
            "UPDATE drafts SET title = substr(hex(zeroblob(60)), 1, 101) WHERE id = $1",
            "title",
        ),
        (
            "link",
            "UPDATE drafts SET link = 'ftp://shop.example/x' WHERE id = $1",
            "link",
        ),
        (
            "board",
            "UPDATE drafts SET board_id = 'abc' WHERE id = $1",
            "board",
        ),
        (
            "state",
            "UPDATE drafts SET state = 'queued', queued_at = NULL WHERE id = $1",
            "queued_at",
        ),
        (
            "history",
            "UPDATE drafts SET history = '{not json' WHERE id = $1",
            "history",
        ),
        (
            "revision",
            "UPDATE drafts SET revision = -1 WHERE id = $1",
            "revision",
        ),
    ];
    for (what, sql, mentions) in cases {
        // Start from the good row each time.
        sqlx::query("DELETE FROM drafts WHERE id = $1")
            .bind(d.id.as_uuid())
            .execute(store.pool())
            .await
            .unwrap();
        let mut fresh = d.clone();
        fresh.version = 0;
        store.insert_draft(&fresh).await.unwrap();
        sqlx::query(sql)
            .bind(d.id.as_uuid())
            .execute(store.pool())
            .await
            .unwrap();
        match store.get_draft(account.id, d.id).await {
            Err(Error::Store(msg)) => {
                assert!(msg.contains(&d.id.to_string()), "{what}: {msg}");
                assert!(msg.contains(mentions), "{what}: {msg}");
            }
            other => panic!("{what}: expected a store error, got {other:?}"),
        }
    }
    store.close().await;
}
