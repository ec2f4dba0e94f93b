//! The token [`Vault`]: XChaCha20-Poly1305 with keys from configuration.
//!
//! A ciphertext is `key_id (4 bytes) ‖ nonce (24 bytes) ‖ ciphertext+tag`. The key id is
//! derived from the key itself (the first 4 bytes of a domain-separated SHA-256), so an
//! operator only ever handles keys, never numbers. To rotate, make a new key the current
//! one and keep the old one among the previous keys: old ciphertexts still decrypt, and
//! every new encryption (each token refresh stores the connection again) uses the new
//! key. When no stored ciphertext names an old key any more, drop it.

use std::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use iqpins_core::Vault;
use secrecy::zeroize::Zeroizing;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The setting that holds the current key (32 bytes, base64).
pub const SECRET_KEY_VAR: &str = "IQPINS_SECRET_KEY";
/// The setting that holds previous keys, still accepted for decryption (comma-separated).
pub const PREVIOUS_KEYS_VAR: &str = "IQPINS_SECRET_KEYS_PREVIOUS";

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

struct VaultKey {
    id: [u8; KEY_ID_LEN],
    cipher: XChaCha20Poly1305,
}

impl VaultKey {
    fn from_base64(name: &str, encoded: &str) -> Result<Self> {
        let err = |reason: &str| Error::Key {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let encoded = encoded.trim();
        if encoded.is_empty() {
            return Err(err("is empty"));
        }
        let bytes = Zeroizing::new(
            [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ]
            .iter()
            .find_map(|engine| engine.decode(encoded).ok())
            .ok_or_else(|| err("is not base64"))?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| err(&format!("must be 32 bytes, got {}", bytes.len())))?;
        let key = Zeroizing::new(key);
        Ok(Self::from_bytes(&key))
    }

    fn from_bytes(key: &[u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"iqpins vault key id\0");
        h.update(key);
        let digest = h.finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Self {
            id,
            cipher: XChaCha20Poly1305::new(&Key::from(*key)),
        }
    }

    fn id_hex(&self) -> String {
        self.id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Encrypts OAuth tokens at rest with XChaCha20-Poly1305 (random 192-bit nonces), binding
/// each ciphertext to its owner through the associated data. Refuses a wrong key, a wrong
/// owner and any changed byte. `Debug` shows key ids only.
pub struct TokenVault {
    current: VaultKey,
    previous: Vec<VaultKey>,
}

impl fmt::Debug for TokenVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVault")
            .field("current_key_id", &self.current.id_hex())
            .field(
                "previous_key_ids",
                &self
                    .previous
                    .iter()
                    .map(VaultKey::id_hex)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TokenVault {
    /// A vault from base64 keys: `current` encrypts and decrypts, `previous` only decrypt.
    /// Refuses keys that are not 32 bytes of base64, and two keys with the same id.
    pub fn from_base64(current: &str, previous: &[&str]) -> Result<Self> {
        let current = VaultKey::from_base64(SECRET_KEY_VAR, current)?;
        let mut keys = Vec::with_capacity(previous.len());
        for (i, p) in previous.iter().enumerate() {
            let key = VaultKey::from_base64(&format!("{PREVIOUS_KEYS_VAR}[{i}]"), p)?;
            if key.id == current.id || keys.iter().any(|k: &VaultKey| k.id == key.id) {
                return Err(Error::Key {
                    name: format!("{PREVIOUS_KEYS_VAR}[{i}]"),
                    reason: "is listed twice".into(),
                });
            }
            keys.push(key);
        }
        Ok(Self {
            current,
            previous: keys,
        })
    }

    /// A vault from `IQPINS_SECRET_KEY` and the optional comma-separated
    /// `IQPINS_SECRET_KEYS_PREVIOUS`.
    pub fn from_env() -> Result<Self> {
        let current = std::env::var(SECRET_KEY_VAR).map_err(|_| Error::Key {
            name: SECRET_KEY_VAR.into(),
            reason: "is not set (generate one with 32 random bytes in base64)".into(),
        })?;
        let current = Zeroizing::new(current);
        let previous = Zeroizing::new(std::env::var(PREVIOUS_KEYS_VAR).unwrap_or_default());
        let previous: Vec<&str> = previous
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        Self::from_base64(&current, &previous)
    }

    /// A fresh random key in base64, for `IQPINS_SECRET_KEY`.
    pub fn generate_key() -> String {
        let key = Key::generate();
        base64::engine::general_purpose::STANDARD.encode(key.as_slice())
    }

    /// The id of the key that encrypts (hex), as written in front of every ciphertext.
    pub fn current_key_id(&self) -> String {
        self.current.id_hex()
    }

    /// The id (hex) of the key a ciphertext was made with, if it is long enough to have one.
    pub fn key_id_of(ciphertext: &[u8]) -> Option<String> {
        ciphertext
            .get(..KEY_ID_LEN)
            .map(|id| id.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl Vault for TokenVault {
    fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> iqpins_core::Result<Vec<u8>> {
        let nonce = XNonce::generate();
        let ct = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| iqpins_core::Error::Vault("encryption failed".into()))?;
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + ct.len());
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&ct);
        Ok(out)
    }

    fn decrypt(&self, ciphertext: &[u8], aad: &[u8]) -> iqpins_core::Result<Vec<u8>> {
        if ciphertext.len() < KEY_ID_LEN + NONCE_LEN + TAG_LEN {
            return Err(iqpins_core::Error::Vault(format!(
                "ciphertext too short ({} bytes)",
                ciphertext.len()
            )));
        }
        let (id, rest) = ciphertext.split_at(KEY_ID_LEN);
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| {
                iqpins_core::Error::Vault(format!(
                    "encrypted with an unknown key (id {}); is the old key still configured in {PREVIOUS_KEYS_VAR}?",
                    Self::key_id_of(ciphertext).unwrap_or_default()
                ))
            })?;
        let nonce = XNonce::try_from(nonce)
            .map_err(|_| iqpins_core::Error::Vault("malformed nonce".into()))?;
        key.cipher
            .decrypt(&nonce, Payload { msg: ct, aad })
            .map_err(|_| {
                iqpins_core::Error::Vault(
                    "decryption failed: wrong key, wrong owner or tampered data".into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_32_bytes_of_base64_are_refused_without_echoing_them() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let e = TokenVault::from_base64(&short, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("32 bytes") && !e.contains(&short), "{e}");
        let e = TokenVault::from_base64("not base64 !!", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("base64") && !e.contains("not base64 !!"), "{e}");
        assert!(TokenVault::from_base64("", &[]).is_err());
    }

    #[test]
    fn a_generated_key_is_accepted_and_has_a_stable_id() {
        let k = TokenVault::generate_key();
        let a = TokenVault::from_base64(&k, &[]).unwrap();
        let b = TokenVault::from_base64(&k, &[]).unwrap();
        assert_eq!(a.current_key_id(), b.current_key_id());
        assert_eq!(a.current_key_id().len(), 8);
        let dbg = format!("{a:?}");
        assert!(!dbg.contains(&k), "{dbg}");
    }

    #[test]
    fn the_same_key_twice_is_refused() {
        let k = TokenVault::generate_key();
        assert!(TokenVault::from_base64(&k, &[&k]).is_err());
    }
}
