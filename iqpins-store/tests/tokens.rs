//! OAuth tokens at rest: only ciphertext reaches the database files, `Debug` never shows
//! a token, and a database opened with the wrong key refuses to hand tokens out.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::sync::Arc;

use iqpins_core::testing::{connection, created_account};
use iqpins_core::{Error, Store, Vault};
use iqpins_store::{SqliteStore, TokenVault};
use secrecy::ExposeSecret;

const ACCESS: &str = "pina_AMA3Q6QXAAKVMAQAGDAFSDD3YFMRXGYBQBIQCWMVVRI3BROQWIVKAJB";
const REFRESH: &str = "pinr_AQAQSV4XADLAWAQAGBANQDEOYPRC3GYBQBIQCY6WKRN7OGSBWA7O5RV";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file SQLite may have written: the database, its WAL and shared memory.
fn database_files(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| {
            let p = format!("{}{suffix}", db.display());
            std::fs::read(&p).ok().map(|bytes| (p, bytes))
        })
        .collect()
}

#[tokio::test]
async fn stored_tokens_appear_in_no_sqlite_file_not_even_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.db");
    let store = SqliteStore::open_file(&path, 4, common::vault())
        .await
        .unwrap();
    let account = created_account(&store, "Tokens").await;
    store
        .put_connection(&connection(account.id, ACCESS, REFRESH))
        .await
        .unwrap();
    // A refresh stores new tokens over the old ones.
    let access2 = format!("{ACCESS}-2");
    let refresh2 = format!("{REFRESH}-2");
    store
        .put_connection(&connection(account.id, &access2, &refresh2))
        .await
        .unwrap();
    let back = store.get_connection(account.id).await.unwrap().unwrap();
    assert_eq!(back.tokens.access.expose_secret(), access2);

    // Look while the store is open (the WAL holds the latest pages) and after closing.
    for moment in ["open", "closed"] {
        if moment == "closed" {
            store.close().await;
        }
        let files = database_files(&path);
        assert!(!files.is_empty());
        for (name, bytes) in &files {
            for token in [ACCESS, REFRESH, &access2, &refresh2] {
                // The shortest token is a prefix of the longer one, so this also covers
                // partial copies of the refreshed tokens.
                assert!(
                    !contains(bytes, token.as_bytes()),
                    "{name} ({moment}) contains a token in clear"
                );
                assert!(
                    !contains(bytes, &token.as_bytes()[..24]),
                    "{name} ({moment}) contains the start of a token"
                );
            }
        }
        // The account is there (so we did look at the right files).
        let all: Vec<u8> = files.iter().flat_map(|(_, b)| b.clone()).collect();
        assert!(
            contains(&all, b"blue_mug_shop"),
            "{moment}: username stored"
        );
    }
}

#[tokio::test]
async fn tokens_never_show_in_debug_output() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite(&dir, 2).await;
    let account = created_account(&store, "Debug").await;
    let c = connection(account.id, ACCESS, REFRESH);
    store.put_connection(&c).await.unwrap();
    let back = store.get_connection(account.id).await.unwrap().unwrap();
    for shown in [
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{back:?}"),
        format!("{:?}", back.tokens),
        format!("{:?}", back.tokens.access),
        format!("{store:?}"),
    ] {
        assert!(
            !shown.contains(ACCESS) && !shown.contains(REFRESH),
            "a token shows in Debug: {shown}"
        );
        assert!(
            !shown.contains("pina_") && !shown.contains("pinr_"),
            "{shown}"
        );
    }
    assert!(format!("{back:?}").contains("blue_mug_shop"));
}

#[tokio::test]
async fn a_database_opened_with_another_key_refuses_to_decrypt_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.db");
    let old_key = TokenVault::generate_key();
    let old: Arc<dyn Vault> = Arc::new(TokenVault::from_base64(&old_key, &[]).unwrap());
    let store = SqliteStore::open_file(&path, 2, old).await.unwrap();
    let account = created_account(&store, "Keys").await;
    store
        .put_connection(&connection(account.id, ACCESS, REFRESH))
        .await
        .unwrap();
    store.close().await;

    let new_key = TokenVault::generate_key();
    let wrong: Arc<dyn Vault> = Arc::new(TokenVault::from_base64(&new_key, &[]).unwrap());
    let store = SqliteStore::open_file(&path, 2, wrong).await.unwrap();
    match store.get_connection(account.id).await {
        Err(Error::Vault(msg)) => {
            assert!(msg.contains("unknown key"), "{msg}");
            assert!(!msg.contains(ACCESS));
        }
        other => panic!("expected a vault error, got {other:?}"),
    }
    store.close().await;

    // Rotation: the new key encrypts, the old one still decrypts until tokens are
    // stored again.
    let rotated = TokenVault::from_base64(&new_key, &[&old_key]).unwrap();
    let new_id = rotated.current_key_id();
    let store = SqliteStore::open_file(&path, 2, Arc::new(rotated))
        .await
        .unwrap();
    let c = store.get_connection(account.id).await.unwrap().unwrap();
    assert_eq!(c.tokens.refresh.expose_secret(), REFRESH);
    store.put_connection(&c).await.unwrap();
    let ct: Vec<u8> = sqlx::query_scalar("SELECT access_token FROM connections")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(TokenVault::key_id_of(&ct).unwrap(), new_id);
    store.close().await;

    let only_new: Arc<dyn Vault> = Arc::new(TokenVault::from_base64(&new_key, &[]).unwrap());
    let store = SqliteStore::open_file(&path, 2, only_new).await.unwrap();
    let c = store.get_connection(account.id).await.unwrap().unwrap();
    assert_eq!(
        c.tokens.access.expose_secret(),
        ACCESS,
        "after re-storing, the old key is no longer needed"
    );
    store.close().await;
}

#[tokio::test]
async fn a_token_copied_to_another_account_or_role_does_not_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::sqlite(&dir, 2).await;
    let alice = created_account(&store, "Alice").await;
    let mallory = created_account(&store, "Mallory").await;
    store
        .put_connection(&connection(alice.id, ACCESS, REFRESH))
        .await
        .unwrap();
    store
        .put_connection(&connection(mallory.id, "pina_mallory", "pinr_mallory"))
        .await
        .unwrap();
    // Someone with write access to the database copies Alice's ciphertexts to Mallory.
    sqlx::query(
        "UPDATE connections SET access_token = (SELECT access_token FROM connections \
         WHERE account_id = $1) WHERE account_id = $2",
    )
    .bind(alice.id.as_uuid())
    .bind(mallory.id.as_uuid())
    .execute(store.pool())
    .await
    .unwrap();
    assert!(matches!(
        store.get_connection(mallory.id).await,
        Err(Error::Vault(_))
    ));
    // Or swaps Alice's access and refresh tokens.
    sqlx::query(
        "UPDATE connections SET access_token = refresh_token, refresh_token = access_token \
         WHERE account_id = $1",
    )
    .bind(alice.id.as_uuid())
    .execute(store.pool())
    .await
    .unwrap();
    assert!(matches!(
        store.get_connection(alice.id).await,
        Err(Error::Vault(_))
    ));
    store.close().await;
}
