//! [`iqpins_core::AuthStore`] for the SQL stores: password hashes and hashed sessions,
//! the same SQL text on SQLite and Postgres.

pub(crate) const UPSERT_PASSWORD: &str = "INSERT INTO passwords (account_id, hash) VALUES ($1, $2) \
     ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash";
pub(crate) const GET_PASSWORD: &str = "SELECT hash FROM passwords WHERE account_id = $1";
pub(crate) const UPSERT_SESSION: &str = "INSERT INTO sessions (token_hash, account_id, csrf, oauth_state, \
     expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO UPDATE SET \
     csrf = excluded.csrf, oauth_state = excluded.oauth_state, expires_at = excluded.expires_at";
pub(crate) const GET_SESSION: &str = "SELECT token_hash, account_id, csrf, oauth_state, expires_at FROM sessions WHERE token_hash = $1";
pub(crate) const SET_OAUTH_STATE: &str =
    "UPDATE sessions SET oauth_state = $2 WHERE token_hash = $1";
pub(crate) const TAKE_OAUTH_STATE: &str =
    "UPDATE sessions SET oauth_state = NULL WHERE token_hash = $1 AND oauth_state = $2";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
pub(crate) const DELETE_ACCOUNT_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";

/// Implements [`iqpins_core::AuthStore`] for `$store` (a struct with `pool: sqlx::Pool<_>`).
macro_rules! sql_auth_store {
    ($store:ident) => {
        fn not_found_if_fk(e: sqlx::Error, account: iqpins_core::AccountId) -> iqpins_core::Error {
            if $crate::error::is_foreign_key_violation(&e) {
                iqpins_core::Error::not_found(format!("account {account}"))
            } else {
                $crate::error::db(e)
            }
        }

        #[async_trait::async_trait]
        impl iqpins_core::AuthStore for $store {
            async fn set_password_hash(
                &self,
                account: iqpins_core::AccountId,
                hash: &str,
            ) -> iqpins_core::Result<()> {
                sqlx::query($crate::auth::UPSERT_PASSWORD)
                    .bind(account.as_uuid())
                    .bind(hash)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| not_found_if_fk(e, account))?;
                Ok(())
            }

            async fn password_hash(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<Option<String>> {
                use sqlx::Row as _;
                sqlx::query($crate::auth::GET_PASSWORD)
                    .bind(account.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .map(|r| r.try_get::<String, _>("hash"))
                    .transpose()
                    .map_err($crate::error::db)
            }

            async fn put_session(&self, s: &iqpins_core::Session) -> iqpins_core::Result<()> {
                sqlx::query($crate::auth::UPSERT_SESSION)
                    .bind(&s.token_hash)
                    .bind(s.account_id.as_uuid())
                    .bind(&s.csrf)
                    .bind(&s.oauth_state)
                    .bind($crate::rows::micros(s.expires_at))
                    .execute(&self.pool)
                    .await
                    .map_err(|e| not_found_if_fk(e, s.account_id))?;
                Ok(())
            }

            async fn get_session(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> iqpins_core::Result<Option<iqpins_core::Session>> {
                use sqlx::Row as _;
                let Some(row) = sqlx::query($crate::auth::GET_SESSION)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                else {
                    return Ok(None);
                };
                let s = (|| -> Result<iqpins_core::Session, sqlx::Error> {
                    Ok(iqpins_core::Session {
                        token_hash: row.try_get("token_hash")?,
                        account_id: iqpins_core::AccountId::from_uuid(row.try_get("account_id")?),
                        csrf: row.try_get("csrf")?,
                        oauth_state: row.try_get("oauth_state")?,
                        expires_at: row.try_get("expires_at")?,
                    })
                })()
                .map_err($crate::error::db)?;
                // Compared here, not in SQL: SQLite keeps times as text.
                Ok((s.expires_at > now).then_some(s))
            }

            async fn set_oauth_state(
                &self,
                token_hash: &str,
                state: &str,
            ) -> iqpins_core::Result<bool> {
                let done = sqlx::query($crate::auth::SET_OAUTH_STATE)
                    .bind(token_hash)
                    .bind(state)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok(done.rows_affected() == 1)
            }

            async fn take_oauth_state(
                &self,
                token_hash: &str,
                state: &str,
            ) -> iqpins_core::Result<bool> {
                let done = sqlx::query($crate::auth::TAKE_OAUTH_STATE)
                    .bind(token_hash)
                    .bind(state)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_session(&self, token_hash: &str) -> iqpins_core::Result<()> {
                sqlx::query($crate::auth::DELETE_SESSION)
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok(())
            }

            async fn delete_account_sessions(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<()> {
                sqlx::query($crate::auth::DELETE_ACCOUNT_SESSIONS)
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok(())
            }
        }
    };
}
