//! The token vault: XChaCha20-Poly1305, `key_id ‖ nonce ‖ ciphertext`, the owner as
//! associated data, and key rotation.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use iqpins_core::{Error, Vault};
use iqpins_store::TokenVault;

const AAD: &[u8] = b"iqpins:account-1:pinterest:access";
const SECRET: &[u8] = b"pina_secret_access_token_value";

fn vault() -> (String, TokenVault) {
    let key = TokenVault::generate_key();
    let v = TokenVault::from_base64(&key, &[]).unwrap();
    (key, v)
}

fn refused(r: iqpins_core::Result<Vec<u8>>, why: &str) -> String {
    match r {
        Err(Error::Vault(msg)) => msg,
        other => panic!("{why}: expected a vault error, got {other:?}"),
    }
}

#[test]
fn a_round_trip_gives_the_plaintext_back_and_the_layout_is_key_id_nonce_ciphertext() {
    let (_, v) = vault();
    let ct = v.encrypt(SECRET, AAD).unwrap();
    assert_eq!(ct.len(), 4 + 24 + SECRET.len() + 16);
    assert_eq!(TokenVault::key_id_of(&ct).unwrap(), v.current_key_id());
    assert!(!ct.windows(SECRET.len()).any(|w| w == SECRET));
    assert_eq!(v.decrypt(&ct, AAD).unwrap(), SECRET);
}

#[test]
fn the_same_plaintext_encrypts_differently_every_time() {
    let (_, v) = vault();
    let a = v.encrypt(SECRET, AAD).unwrap();
    let b = v.encrypt(SECRET, AAD).unwrap();
    assert_ne!(a, b, "random nonces");
    assert_ne!(a[4..28], b[4..28]);
}

#[test]
fn a_wrong_key_is_refused() {
    let (_, v) = vault();
    let (_, other) = vault();
    let ct = v.encrypt(SECRET, AAD).unwrap();
    let msg = refused(other.decrypt(&ct, AAD), "another key");
    assert!(msg.contains("unknown key"), "{msg}");

    // A different key that claims the same key id still fails authentication.
    let mut forged = other.encrypt(SECRET, AAD).unwrap();
    forged[..4].copy_from_slice(&ct[..4]);
    refused(v.decrypt(&forged, AAD), "forged key id");
}

#[test]
fn a_wrong_owner_is_refused() {
    let (_, v) = vault();
    let ct = v.encrypt(SECRET, AAD).unwrap();
    refused(
        v.decrypt(&ct, b"iqpins:account-2:pinterest:access"),
        "another account",
    );
    refused(
        v.decrypt(&ct, b"iqpins:account-1:pinterest:refresh"),
        "another role",
    );
    refused(v.decrypt(&ct, b""), "no associated data");
}

#[test]
fn every_changed_byte_is_detected() {
    let (_, v) = vault();
    let ct = v.encrypt(SECRET, AAD).unwrap();
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x01;
        refused(v.decrypt(&bad, AAD), &format!("byte {i} flipped"));
    }
    refused(v.decrypt(&ct[..ct.len() - 1], AAD), "truncated tag");
    refused(v.decrypt(&ct[..20], AAD), "shorter than a header");
    refused(v.decrypt(&[], AAD), "empty");
    let mut longer = ct.clone();
    longer.push(0);
    refused(v.decrypt(&longer, AAD), "extended");
}

#[test]
fn rotation_decrypts_with_old_keys_and_encrypts_with_the_new_one() {
    let (old_key, old) = vault();
    let (older_key, older) = vault();
    let by_old = old.encrypt(SECRET, AAD).unwrap();
    let by_older = older.encrypt(b"older", AAD).unwrap();

    let new_key = TokenVault::generate_key();
    let rotated = TokenVault::from_base64(&new_key, &[&old_key, &older_key]).unwrap();
    assert_eq!(rotated.decrypt(&by_old, AAD).unwrap(), SECRET);
    assert_eq!(rotated.decrypt(&by_older, AAD).unwrap(), b"older");

    let fresh = rotated.encrypt(SECRET, AAD).unwrap();
    assert_eq!(
        TokenVault::key_id_of(&fresh).unwrap(),
        rotated.current_key_id()
    );
    assert_ne!(rotated.current_key_id(), old.current_key_id());
    let msg = refused(
        old.decrypt(&fresh, AAD),
        "the old vault cannot read new data",
    );
    assert!(msg.contains("unknown key"), "{msg}");

    // Dropping a key from the list makes its ciphertexts unreadable, and says which key.
    let without_older = TokenVault::from_base64(&new_key, &[&old_key]).unwrap();
    let msg = refused(without_older.decrypt(&by_older, AAD), "dropped key");
    assert!(msg.contains(&older.current_key_id()), "{msg}");
}

#[test]
fn keys_are_read_in_any_base64_flavour_and_around_whitespace() {
    use base64::Engine as _;
    let raw = [42u8; 32];
    let std = base64::engine::general_purpose::STANDARD.encode(raw);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let a = TokenVault::from_base64(&std, &[]).unwrap();
    let b = TokenVault::from_base64(&format!("  {url}\n"), &[]).unwrap();
    assert_eq!(a.current_key_id(), b.current_key_id());
    let ct = a.encrypt(SECRET, AAD).unwrap();
    assert_eq!(b.decrypt(&ct, AAD).unwrap(), SECRET);
}

#[test]
fn the_vault_debug_shows_key_ids_only() {
    let (key, v) = vault();
    let shown = format!("{v:?}");
    assert!(shown.contains(&v.current_key_id()), "{shown}");
    assert!(!shown.contains(&key), "{shown}");
}
