//! The Store conformance suite of `iqpins-core` on both real databases.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_passes_the_store_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite(&dir, 4).await;
    iqpins_core::testing::conformance(&store).await;
    iqpins_core::testing::references_stay_inside_the_account(&store).await;
    iqpins_core::testing::auth_conformance(&store, &store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_store_conformance_suite() {
    let Some(url) = common::pg_url("postgres_passes_the_store_conformance_suite") else {
        return;
    };
    let db = common::PgDb::create(&url).await;
    let store = db.store(8, common::vault()).await;
    iqpins_core::testing::conformance(&store).await;
    iqpins_core::testing::references_stay_inside_the_account(&store).await;
    store.close().await;
    db.drop_db().await;
}
