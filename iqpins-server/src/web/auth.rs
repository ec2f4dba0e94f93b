//! Sign-in: Argon2id password hashes, sessions stored (hashed) through the `AuthStore`
//! port, a per-session CSRF token for every form, and secure cookie flags.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use base64::Engine as _;
use chrono::Duration;
use iqpins_core::{Account, Session};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::AppError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "iqpins_session";
/// How long a session lasts.
pub const SESSION_DAYS: i64 = 14;
/// Passwords shorter than this are refused.
pub const MIN_PASSWORD: usize = 8;
/// Passwords longer than this are refused (Argon2 would hash any length).
pub const MAX_PASSWORD: usize = 1024;

/// Sign-in and sign-up attempts allowed before the limiter slows them down: a burst of
/// [`SIGN_IN_BURST`] per e-mail address, then one every [`SIGN_IN_EVERY`]; sign-ups
/// (each hashes a password) [`SIGN_UP_BURST`] in a burst, then one every [`SIGN_UP_EVERY`]
/// per process.
pub const SIGN_IN_BURST: u32 = 5;
/// See [`SIGN_IN_BURST`].
pub const SIGN_IN_EVERY: std::time::Duration = std::time::Duration::from_secs(12);
/// See [`SIGN_IN_BURST`].
pub const SIGN_UP_BURST: u32 = 10;
/// See [`SIGN_IN_BURST`].
pub const SIGN_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Limits password guessing: attempts per e-mail address, and account creation (both cost
/// an Argon2 hash) per process.
pub struct SignInLimits {
    by_email: governor::DefaultKeyedRateLimiter<String>,
    signups: governor::DefaultDirectRateLimiter,
}

impl std::fmt::Debug for SignInLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInLimits").finish_non_exhaustive()
    }
}

impl Default for SignInLimits {
    fn default() -> Self {
        let quota = |every, burst| {
            governor::Quota::with_period(every)
                .map(|q| {
                    q.allow_burst(
                        std::num::NonZeroU32::new(burst).unwrap_or(std::num::NonZeroU32::MIN),
                    )
                })
                .unwrap_or_else(|| governor::Quota::per_second(std::num::NonZeroU32::MIN))
        };
        Self {
            by_email: governor::RateLimiter::keyed(quota(SIGN_IN_EVERY, SIGN_IN_BURST)),
            signups: governor::RateLimiter::direct(quota(SIGN_UP_EVERY, SIGN_UP_BURST)),
        }
    }
}

/// Too many attempts: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany(pub std::time::Duration);

impl SignInLimits {
    /// Keys kept before the limiter forgets addresses that are back to a full burst.
    const MAX_KEYS: usize = 10_000;

    /// Counts one sign-in attempt for `email` (case and spaces ignored).
    pub fn sign_in(&self, email: &str) -> Result<(), TooMany> {
        use governor::clock::Clock as _;
        if self.by_email.len() > Self::MAX_KEYS {
            self.by_email.retain_recent();
        }
        let key = email.trim().to_lowercase();
        self.by_email.check_key(&key).map_err(|not_until| {
            TooMany(not_until.wait_time_from(governor::clock::DefaultClock::default().now()))
        })
    }

    /// Counts one account creation.
    pub fn sign_up(&self) -> Result<(), TooMany> {
        use governor::clock::Clock as _;
        self.signups.check().map_err(|not_until| {
            TooMany(not_until.wait_time_from(governor::clock::DefaultClock::default().now()))
        })
    }
}

impl TooMany {
    /// The message shown on the form.
    pub fn message(self, what: &str) -> String {
        format!(
            "Too many {what} attempts; try again in {} seconds.",
            self.0.as_secs().max(1)
        )
    }
}

/// [`hash_password`] on the blocking pool: Argon2id takes tens of milliseconds and
/// ~19 MiB, which must not stall the async workers.
pub async fn hash_password_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
}

/// [`verify_password`] on the blocking pool.
pub async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Hashes a password with Argon2id and a fresh salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Core(iqpins_core::Error::Store(format!("password hash: {e}"))))
}

/// Checks a password against a PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session for the account; returns the `Set-Cookie` value.
pub async fn start_session(state: &AppState, account: &Account) -> Result<HeaderValue, AppError> {
    let token = random_token();
    let session = Session {
        token_hash: token_hash(&token),
        account_id: account.id,
        csrf: random_token(),
        oauth_state: None,
        expires_at: state.engine.now() + Duration::days(SESSION_DAYS),
    };
    state.auth.put_session(&session).await?;
    cookie(state, &token, SESSION_DAYS * 86_400)
}

/// A `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie(state: &AppState) -> Result<HeaderValue, AppError> {
    cookie(state, "", 0)
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The name of the header that sets cookies (re-exported for handlers).
pub const SET_COOKIE_HEADER: axum::http::HeaderName = SET_COOKIE;

fn session_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The signed-in user of a request; handlers that take it refuse anonymous requests
/// (the browser is sent to the sign-in page).
#[derive(Clone, Debug)]
pub struct User {
    /// The account.
    pub account: Account,
    /// The session.
    pub session: Session,
}

impl User {
    /// Who, for the audit log.
    pub fn actor(&self) -> &str {
        &self.account.email
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        let a = Sha256::digest(token.as_bytes());
        let b = Sha256::digest(self.session.csrf.as_bytes());
        // Comparing digests keeps the comparison's time independent of the secret.
        if a == b { Ok(()) } else { Err(AppError::Csrf) }
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = session_token(parts).ok_or(AppError::SignIn)?;
        let session = state
            .auth
            .get_session(&token_hash(&token), state.engine.now())
            .await?
            .ok_or(AppError::SignIn)?;
        let account = state.store.get_account(session.account_id).await?;
        Ok(User { account, session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert!(!token_hash(&a).contains(&a));
    }
}
