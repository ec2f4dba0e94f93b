//! The SQL both stores run, and the one [`Store`](iqpins_core::Store) implementation,
//! written once and expanded for each sqlx driver by [`sql_store!`].
//!
//! sqlx 0.8 understands `$1..$n` placeholders on SQLite and Postgres, and the two
//! schemas have the same tables and columns, so every statement below is shared. The
//! only dialect difference is how the scheduler's claim locks rows: Postgres adds
//! `FOR UPDATE SKIP LOCKED` to the row pick, SQLite runs the claim under
//! `BEGIN IMMEDIATE` (one writer at a time).

/// The columns of `drafts`, in the order `DraftRow` binds and reads them.
macro_rules! draft_columns {
    () => {
        "id, account_id, source_id, item_id, title, description, alt_text, link, image_url, \
         creative, board_id, section_id, state, queued_at, attempt, started_at, lease_until, \
         pin_id, published_at, fail_reason, revision, approved_revision, version, attempts, \
         last_error, history, flags, fingerprint, created_at, updated_at, image_send"
    };
}

pub(crate) const INSERT_ACCOUNT: &str = "INSERT INTO accounts (id, name, email, allowed_domains, created_at) \
     VALUES ($1, $2, $3, $4, $5)";
pub(crate) const GET_ACCOUNT: &str =
    "SELECT id, name, email, allowed_domains, created_at FROM accounts WHERE id = $1";
pub(crate) const FIND_ACCOUNT: &str =
    "SELECT id, name, email, allowed_domains, created_at FROM accounts WHERE email = $1";
pub(crate) const SET_DOMAINS: &str = "UPDATE accounts SET allowed_domains = $2 WHERE id = $1";

pub(crate) const INSERT_SOURCE: &str = "INSERT INTO sources (id, account_id, name, kind, defaults, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const GET_SOURCE: &str = "SELECT id, account_id, name, kind, defaults, created_at \
     FROM sources WHERE account_id = $1 AND id = $2";
pub(crate) const LIST_SOURCES: &str = "SELECT id, account_id, name, kind, defaults, created_at \
     FROM sources WHERE account_id = $1 ORDER BY created_at, seq";

pub(crate) const INSERT_ITEM: &str = "INSERT INTO items (id, account_id, source_id, fingerprint, item, imported_at) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, fingerprint) DO NOTHING RETURNING id";
pub(crate) const GET_ITEM_BY_FINGERPRINT: &str = "SELECT id, account_id, source_id, fingerprint, item, imported_at \
     FROM items WHERE account_id = $1 AND fingerprint = $2";
pub(crate) const GET_ITEM: &str = "SELECT id, account_id, source_id, fingerprint, item, imported_at \
     FROM items WHERE account_id = $1 AND id = $2";
pub(crate) const LIST_ITEMS: &str = "SELECT id, account_id, source_id, fingerprint, item, imported_at \
     FROM items WHERE account_id = $1 AND ($2 IS NULL OR source_id = $2) ORDER BY imported_at, seq";

pub(crate) const INSERT_DRAFT: &str = concat!(
    "INSERT INTO drafts (",
    draft_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
     $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) RETURNING ",
    draft_columns!()
);
pub(crate) const GET_DRAFT: &str = concat!(
    "SELECT ",
    draft_columns!(),
    " FROM drafts WHERE account_id = $1 AND id = $2"
);
pub(crate) const LIST_DRAFTS: &str = concat!(
    "SELECT ",
    draft_columns!(),
    " FROM drafts WHERE account_id = $1 AND ($2 IS NULL OR state = $2) \
     AND ($3 IS NULL OR source_id = $3) ORDER BY created_at DESC, id DESC LIMIT $4"
);
/// Binds like `INSERT_DRAFT`; stores only if the stored version is still `$23`.
pub(crate) const UPDATE_DRAFT: &str = concat!(
    "UPDATE drafts SET source_id = $3, item_id = $4, title = $5, description = $6, \
     alt_text = $7, link = $8, image_url = $9, creative = $10, board_id = $11, \
     section_id = $12, state = $13, queued_at = $14, attempt = $15, started_at = $16, \
     lease_until = $17, pin_id = $18, published_at = $19, fail_reason = $20, revision = $21, \
     approved_revision = $22, version = version + 1, attempts = $24, last_error = $25, \
     history = $26, flags = $27, fingerprint = $28, created_at = $29, updated_at = $30, \
     image_send = $31 \
     WHERE id = $1 AND account_id = $2 AND version = $23 RETURNING ",
    draft_columns!()
);
pub(crate) const DRAFT_VERSION: &str =
    "SELECT version FROM drafts WHERE account_id = $1 AND id = $2";
pub(crate) const DRAFT_EXISTS: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM drafts WHERE account_id = $1 \
     AND (fingerprint = $2 OR (link = $3 AND image_url = $4)) LIMIT 1) AS hit";

/// The claim of due queued drafts: `Queued(at ≤ $1)` → `Publishing(attempts + 1)` with a
/// lease until `$2`, oldest first, at most `$3`. `$lock` is the dialect's row lock.
macro_rules! claim_queued {
    ($lock:literal) => {
        concat!(
            "UPDATE drafts SET state = 'publishing', attempt = attempts + 1, \
             attempts = attempts + 1, started_at = $1, lease_until = $2, queued_at = NULL, \
             version = version + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM drafts WHERE state = 'queued' AND queued_at <= $1 \
             ORDER BY queued_at, id LIMIT $3",
            $lock,
            ") RETURNING ",
            draft_columns!()
        )
    };
}

/// The reclaim of expired leases: `Publishing`/`Reconciling` whose lease ended before
/// `$1` → `Reconciling` (same attempt and start) with a new lease until `$2`. Never back to
/// `Queued`: the old worker may have created the pin, so only reconciliation may retry.
macro_rules! claim_expired {
    ($lock:literal) => {
        concat!(
            "UPDATE drafts SET state = 'reconciling', lease_until = $2, \
             version = version + 1, updated_at = $1 \
             WHERE id IN (SELECT id FROM drafts WHERE state IN ('publishing', 'reconciling') \
             AND lease_until < $1 ORDER BY lease_until, id LIMIT $3",
            $lock,
            ") RETURNING ",
            draft_columns!()
        )
    };
}

pub(crate) const PUT_CONNECTION: &str = "INSERT INTO connections (account_id, pinterest_user_id, username, \
     account_type, scopes, access_token, access_expires_at, refresh_token, refresh_expires_at, \
     status, connected_at, refreshed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (account_id) DO UPDATE SET pinterest_user_id = excluded.pinterest_user_id, \
     username = excluded.username, account_type = excluded.account_type, \
     scopes = excluded.scopes, access_token = excluded.access_token, \
     access_expires_at = excluded.access_expires_at, refresh_token = excluded.refresh_token, \
     refresh_expires_at = excluded.refresh_expires_at, status = excluded.status, \
     connected_at = excluded.connected_at, refreshed_at = excluded.refreshed_at";
pub(crate) const GET_CONNECTION: &str = "SELECT account_id, pinterest_user_id, username, account_type, \
     scopes, access_token, access_expires_at, refresh_token, refresh_expires_at, status, \
     connected_at, refreshed_at FROM connections WHERE account_id = $1";
pub(crate) const DELETE_CONNECTION: &str = "DELETE FROM connections WHERE account_id = $1";

pub(crate) const DELETE_BOARDS: &str = "DELETE FROM boards WHERE account_id = $1";
pub(crate) const INSERT_BOARD: &str = "INSERT INTO boards (account_id, id, position, name, description, privacy) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, id) DO UPDATE SET \
     position = excluded.position, name = excluded.name, description = excluded.description, \
     privacy = excluded.privacy";
pub(crate) const LIST_BOARDS: &str = "SELECT id, name, description, privacy FROM boards \
     WHERE account_id = $1 ORDER BY position";

pub(crate) const UPSERT_METRICS: &str = "INSERT INTO pin_metrics (account_id, pin_id, day, impressions, saves, \
     pin_clicks, outbound_clicks) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (account_id, pin_id, day) DO UPDATE SET impressions = excluded.impressions, \
     saves = excluded.saves, pin_clicks = excluded.pin_clicks, \
     outbound_clicks = excluded.outbound_clicks";
pub(crate) const LIST_METRICS: &str = "SELECT pin_id, day, impressions, saves, pin_clicks, outbound_clicks \
     FROM pin_metrics WHERE account_id = $1 AND ($2 IS NULL OR pin_id = $2) \
     AND day >= $3 AND day <= $4";

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_events (id, account_id, actor, action, draft_id, \
     source_id, outcome, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const LIST_AUDIT: &str = "SELECT id, account_id, actor, action, draft_id, source_id, outcome, \
     detail, at FROM audit_events WHERE account_id = $1 ORDER BY seq DESC LIMIT $2";

/// The end of a lease that starts at `now`, refused if it does not fit in a timestamp.
pub(crate) fn lease_end(
    now: chrono::DateTime<chrono::Utc>,
    lease: std::time::Duration,
) -> iqpins_core::Result<chrono::DateTime<chrono::Utc>> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| iqpins_core::Error::invalid("lease", "is too long"))
}

/// Implements [`iqpins_core::Store`] for `$store` (a struct with `pool: sqlx::Pool<$db>`,
/// `vault: Arc<dyn Vault>` and an async `begin_write(&self)`), with `$lock` appended to the
/// claim's row pick.
macro_rules! sql_store {
    ($store:ident, $db:ty, lock = $lock:literal) => {
        type Args<'q> = <$db as sqlx::Database>::Arguments<'q>;
        type Query<'q> = sqlx::query::Query<'q, $db, Args<'q>>;
        type DbRow = <$db as sqlx::Database>::Row;

        const CLAIM_QUEUED: &str = claim_queued!($lock);
        const CLAIM_EXPIRED: &str = claim_expired!($lock);

        fn bind_draft(q: Query<'_>, r: $crate::rows::DraftRow) -> Query<'_> {
            q.bind(r.id)
                .bind(r.account_id)
                .bind(r.source_id)
                .bind(r.item_id)
                .bind(r.title)
                .bind(r.description)
                .bind(r.alt_text)
                .bind(r.link)
                .bind(r.image_url)
                .bind(r.creative)
                .bind(r.board_id)
                .bind(r.section_id)
                .bind(r.state)
                .bind(r.queued_at)
                .bind(r.attempt)
                .bind(r.started_at)
                .bind(r.lease_until)
                .bind(r.pin_id)
                .bind(r.published_at)
                .bind(r.fail_reason)
                .bind(r.revision)
                .bind(r.approved_revision)
                .bind(r.version)
                .bind(r.attempts)
                .bind(r.last_error)
                .bind(r.history)
                .bind(r.flags)
                .bind(r.fingerprint)
                .bind(r.created_at)
                .bind(r.updated_at)
                .bind(r.image_send)
        }

        /// Decodes a row into its `rows` struct (sqlx's `FromRow`, by column name).
        fn decode<T: for<'r> sqlx::FromRow<'r, DbRow>>(row: &DbRow) -> iqpins_core::Result<T> {
            T::from_row(row).map_err($crate::error::db)
        }

        fn read_draft(row: &DbRow) -> iqpins_core::Result<iqpins_core::Draft> {
            decode::<$crate::rows::DraftRow>(row)?.into_draft()
        }

        fn read_account(row: &DbRow) -> iqpins_core::Result<iqpins_core::Account> {
            decode::<$crate::rows::AccountRow>(row)?.into_account()
        }

        fn read_source(row: &DbRow) -> iqpins_core::Result<iqpins_core::Source> {
            decode::<$crate::rows::SourceRow>(row)?.into_source()
        }

        fn read_item(row: &DbRow) -> iqpins_core::Result<iqpins_core::StoredItem> {
            decode::<$crate::rows::ItemRow>(row)?.into_item()
        }

        fn read_connection(
            row: &DbRow,
            vault: &dyn iqpins_core::Vault,
        ) -> iqpins_core::Result<iqpins_core::Connection> {
            decode::<$crate::rows::ConnectionRow>(row)?.into_connection(vault)
        }

        fn read_board(
            row: &DbRow,
            account: iqpins_core::AccountId,
        ) -> iqpins_core::Result<iqpins_core::Board> {
            decode::<$crate::rows::BoardRow>(row)?.into_board(account)
        }

        fn read_metrics(row: &DbRow) -> iqpins_core::Result<iqpins_core::PinMetrics> {
            decode::<$crate::rows::MetricsRow>(row)?.into_metrics()
        }

        fn read_audit(row: &DbRow) -> iqpins_core::Result<iqpins_core::AuditEvent> {
            decode::<$crate::rows::AuditRow>(row)?.into_event()
        }

        #[async_trait::async_trait]
        impl iqpins_core::Store for $store {
            async fn create_account(
                &self,
                account: &iqpins_core::Account,
            ) -> iqpins_core::Result<()> {
                let r = $crate::rows::AccountRow::from_account(account)?;
                sqlx::query($crate::sql::INSERT_ACCOUNT)
                    .bind(r.id)
                    .bind(r.name)
                    .bind(r.email)
                    .bind(r.allowed_domains)
                    .bind(r.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_unique_violation(&e) {
                            // Not "already registered": sign-up must not tell who has an account.
                            iqpins_core::Error::invalid("email", "cannot be used for a new account")
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                Ok(())
            }

            async fn get_account(
                &self,
                id: iqpins_core::AccountId,
            ) -> iqpins_core::Result<iqpins_core::Account> {
                let row = sqlx::query($crate::sql::GET_ACCOUNT)
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .ok_or_else(|| iqpins_core::Error::not_found(format!("account {id}")))?;
                read_account(&row)
            }

            async fn find_account_by_email(
                &self,
                email: &str,
            ) -> iqpins_core::Result<Option<iqpins_core::Account>> {
                sqlx::query($crate::sql::FIND_ACCOUNT)
                    .bind($crate::rows::normalise_email(email))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .map(|row| read_account(&row))
                    .transpose()
            }

            async fn set_allowed_domains(
                &self,
                id: iqpins_core::AccountId,
                domains: &[String],
            ) -> iqpins_core::Result<()> {
                let done = sqlx::query($crate::sql::SET_DOMAINS)
                    .bind(id.as_uuid())
                    .bind($crate::rows::to_json(&domains)?)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                if done.rows_affected() == 0 {
                    return Err(iqpins_core::Error::not_found(format!("account {id}")));
                }
                Ok(())
            }

            async fn insert_source(&self, source: &iqpins_core::Source) -> iqpins_core::Result<()> {
                let r = $crate::rows::SourceRow::from_source(source)?;
                sqlx::query($crate::sql::INSERT_SOURCE)
                    .bind(r.id)
                    .bind(r.account_id)
                    .bind(r.name)
                    .bind(r.kind)
                    .bind(r.defaults)
                    .bind(r.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!("account {}", source.account_id))
                        } else if $crate::error::is_unique_violation(&e) {
                            iqpins_core::Error::Conflict {
                                what: format!("source {}", source.id),
                                expected: 0,
                            }
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                Ok(())
            }

            async fn get_source(
                &self,
                account: iqpins_core::AccountId,
                id: iqpins_core::SourceId,
            ) -> iqpins_core::Result<iqpins_core::Source> {
                let row = sqlx::query($crate::sql::GET_SOURCE)
                    .bind(account.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .ok_or_else(|| iqpins_core::Error::not_found(format!("source {id}")))?;
                read_source(&row)
            }

            async fn list_sources(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<Vec<iqpins_core::Source>> {
                sqlx::query($crate::sql::LIST_SOURCES)
                    .bind(account.as_uuid())
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(read_source)
                    .collect()
            }

            async fn upsert_item(
                &self,
                item: &iqpins_core::StoredItem,
            ) -> iqpins_core::Result<(iqpins_core::StoredItem, bool)> {
                let r = $crate::rows::ItemRow::from_item(item)?;
                let inserted = sqlx::query($crate::sql::INSERT_ITEM)
                    .bind(r.id)
                    .bind(r.account_id)
                    .bind(r.source_id)
                    .bind(r.fingerprint.clone())
                    .bind(r.item.clone())
                    .bind(r.imported_at)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!("source {}", item.source_id))
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                if inserted.is_some() {
                    return Ok((r.into_item()?, true));
                }
                let row = sqlx::query($crate::sql::GET_ITEM_BY_FINGERPRINT)
                    .bind(item.account_id.as_uuid())
                    .bind(&item.fingerprint)
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok((read_item(&row)?, false))
            }

            async fn list_items(
                &self,
                account: iqpins_core::AccountId,
                source: Option<iqpins_core::SourceId>,
            ) -> iqpins_core::Result<Vec<iqpins_core::StoredItem>> {
                sqlx::query($crate::sql::LIST_ITEMS)
                    .bind(account.as_uuid())
                    .bind(source.map(|s| s.as_uuid()))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(read_item)
                    .collect()
            }

            async fn insert_draft(
                &self,
                draft: &iqpins_core::Draft,
            ) -> iqpins_core::Result<iqpins_core::Draft> {
                if draft.version != 0 {
                    return Err(iqpins_core::Error::invalid(
                        "version",
                        format!("a new draft has version 0, not {}", draft.version),
                    ));
                }
                let mut r = $crate::rows::DraftRow::from_draft(draft)?;
                r.version = 1;
                let row = bind_draft(sqlx::query($crate::sql::INSERT_DRAFT), r)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_unique_violation(&e) {
                            iqpins_core::Error::Conflict {
                                what: format!("draft {}", draft.id),
                                expected: 0,
                            }
                        } else if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!(
                                "account {}, or its source or item of draft {}",
                                draft.account_id, draft.id
                            ))
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                read_draft(&row)
            }

            async fn get_item(
                &self,
                account: iqpins_core::AccountId,
                id: iqpins_core::ItemId,
            ) -> iqpins_core::Result<iqpins_core::StoredItem> {
                let row = sqlx::query($crate::sql::GET_ITEM)
                    .bind(account.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .ok_or_else(|| iqpins_core::Error::not_found(format!("item {id}")))?;
                read_item(&row)
            }

            async fn get_draft(
                &self,
                account: iqpins_core::AccountId,
                id: iqpins_core::DraftId,
            ) -> iqpins_core::Result<iqpins_core::Draft> {
                let row = sqlx::query($crate::sql::GET_DRAFT)
                    .bind(account.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .ok_or_else(|| iqpins_core::Error::not_found(format!("draft {id}")))?;
                read_draft(&row)
            }

            async fn list_drafts(
                &self,
                account: iqpins_core::AccountId,
                filter: &iqpins_core::DraftFilter,
            ) -> iqpins_core::Result<Vec<iqpins_core::Draft>> {
                sqlx::query($crate::sql::LIST_DRAFTS)
                    .bind(account.as_uuid())
                    .bind(filter.state.map(|s| s.as_str()))
                    .bind(filter.source_id.map(|s| s.as_uuid()))
                    .bind(filter.limit.map_or(i64::MAX, i64::from))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(read_draft)
                    .collect()
            }

            async fn update_draft(
                &self,
                draft: &iqpins_core::Draft,
            ) -> iqpins_core::Result<iqpins_core::Draft> {
                let r = $crate::rows::DraftRow::from_draft(draft)?;
                let row = bind_draft(sqlx::query($crate::sql::UPDATE_DRAFT), r)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!(
                                "source or item of draft {}",
                                draft.id
                            ))
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                if let Some(row) = row {
                    return read_draft(&row);
                }
                // Nothing stored: tell a missing (or foreign) draft from a stale version.
                let exists = sqlx::query($crate::sql::DRAFT_VERSION)
                    .bind(draft.account_id.as_uuid())
                    .bind(draft.id.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                match exists {
                    None => Err(iqpins_core::Error::not_found(format!("draft {}", draft.id))),
                    Some(_) => Err(iqpins_core::Error::Conflict {
                        what: format!("draft {}", draft.id),
                        expected: draft.version,
                    }),
                }
            }

            async fn draft_exists(
                &self,
                account: iqpins_core::AccountId,
                fingerprint: &str,
                link_and_image: Option<(&str, &str)>,
            ) -> iqpins_core::Result<bool> {
                use sqlx::Row as _;
                let row = sqlx::query($crate::sql::DRAFT_EXISTS)
                    .bind(account.as_uuid())
                    .bind(fingerprint)
                    .bind(link_and_image.map(|(l, _)| l))
                    .bind(link_and_image.map(|(_, i)| i))
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                let n: i64 = row.try_get(0).map_err($crate::error::db)?;
                Ok(n > 0)
            }

            async fn claim_due_drafts(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease: std::time::Duration,
                limit: u32,
            ) -> iqpins_core::Result<Vec<iqpins_core::Draft>> {
                let now = $crate::rows::micros(now);
                let until = $crate::rows::micros($crate::sql::lease_end(now, lease)?);
                if limit == 0 {
                    return Ok(Vec::new());
                }
                let mut tx = self.begin_write().await.map_err($crate::error::db)?;
                // Expired leases first: that work is older than anything queued now.
                let expired = sqlx::query(CLAIM_EXPIRED)
                    .bind(now)
                    .bind(until)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err($crate::error::db)?;
                let left = i64::from(limit) - expired.len() as i64;
                let queued = if left > 0 {
                    sqlx::query(CLAIM_QUEUED)
                        .bind(now)
                        .bind(until)
                        .bind(left)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err($crate::error::db)?
                } else {
                    Vec::new()
                };
                tx.commit().await.map_err($crate::error::db)?;
                expired.iter().chain(&queued).map(read_draft).collect()
            }

            async fn put_connection(
                &self,
                connection: &iqpins_core::Connection,
            ) -> iqpins_core::Result<()> {
                let r =
                    $crate::rows::ConnectionRow::from_connection(connection, self.vault.as_ref())?;
                sqlx::query($crate::sql::PUT_CONNECTION)
                    .bind(r.account_id)
                    .bind(r.pinterest_user_id)
                    .bind(r.username)
                    .bind(r.account_type)
                    .bind(r.scopes)
                    .bind(r.access_token)
                    .bind(r.access_expires_at)
                    .bind(r.refresh_token)
                    .bind(r.refresh_expires_at)
                    .bind(r.status)
                    .bind(r.connected_at)
                    .bind(r.refreshed_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!(
                                "account {}",
                                connection.account_id
                            ))
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                Ok(())
            }

            async fn get_connection(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<Option<iqpins_core::Connection>> {
                sqlx::query($crate::sql::GET_CONNECTION)
                    .bind(account.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .map(|row| read_connection(&row, self.vault.as_ref()))
                    .transpose()
            }

            async fn delete_connection(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<()> {
                sqlx::query($crate::sql::DELETE_CONNECTION)
                    .bind(account.as_uuid())
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::db)?;
                Ok(())
            }

            async fn replace_boards(
                &self,
                account: iqpins_core::AccountId,
                boards: &[iqpins_core::Board],
            ) -> iqpins_core::Result<()> {
                let mut tx = self.begin_write().await.map_err($crate::error::db)?;
                sqlx::query($crate::sql::DELETE_BOARDS)
                    .bind(account.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::db)?;
                for (position, b) in $crate::rows::board_order(boards).into_iter().enumerate() {
                    sqlx::query($crate::sql::INSERT_BOARD)
                        .bind(account.as_uuid())
                        .bind(b.id.as_str())
                        .bind(position as i64)
                        .bind(&b.name)
                        .bind(&b.description)
                        .bind(&b.privacy)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            if $crate::error::is_foreign_key_violation(&e) {
                                iqpins_core::Error::not_found(format!("account {account}"))
                            } else {
                                $crate::error::db(e)
                            }
                        })?;
                }
                tx.commit().await.map_err($crate::error::db)
            }

            async fn list_boards(
                &self,
                account: iqpins_core::AccountId,
            ) -> iqpins_core::Result<Vec<iqpins_core::Board>> {
                sqlx::query($crate::sql::LIST_BOARDS)
                    .bind(account.as_uuid())
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(|row| read_board(row, account))
                    .collect()
            }

            async fn upsert_metrics(
                &self,
                account: iqpins_core::AccountId,
                metrics: &[iqpins_core::PinMetrics],
            ) -> iqpins_core::Result<()> {
                let rows = metrics
                    .iter()
                    .map($crate::rows::MetricsRow::from_metrics)
                    .collect::<iqpins_core::Result<Vec<_>>>()?;
                let mut tx = self.begin_write().await.map_err($crate::error::db)?;
                for m in rows {
                    sqlx::query($crate::sql::UPSERT_METRICS)
                        .bind(account.as_uuid())
                        .bind(m.pin_id)
                        .bind(m.day)
                        .bind(m.impressions)
                        .bind(m.saves)
                        .bind(m.pin_clicks)
                        .bind(m.outbound_clicks)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            if $crate::error::is_foreign_key_violation(&e) {
                                iqpins_core::Error::not_found(format!("account {account}"))
                            } else {
                                $crate::error::db(e)
                            }
                        })?;
                }
                tx.commit().await.map_err($crate::error::db)
            }

            async fn list_metrics(
                &self,
                account: iqpins_core::AccountId,
                pin: Option<&iqpins_core::PinId>,
                from: chrono::NaiveDate,
                to: chrono::NaiveDate,
            ) -> iqpins_core::Result<Vec<iqpins_core::PinMetrics>> {
                let mut out = sqlx::query($crate::sql::LIST_METRICS)
                    .bind(account.as_uuid())
                    .bind(pin.map(|p| p.as_str()))
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(read_metrics)
                    .collect::<iqpins_core::Result<Vec<_>>>()?;
                // Sorted here, not by SQL collation, so both databases agree byte for byte.
                out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.pin_id.cmp(&b.pin_id)));
                Ok(out)
            }

            async fn append_audit(
                &self,
                event: &iqpins_core::AuditEvent,
            ) -> iqpins_core::Result<()> {
                let r = $crate::rows::AuditRow::from_event(event);
                sqlx::query($crate::sql::INSERT_AUDIT)
                    .bind(r.id)
                    .bind(r.account_id)
                    .bind(r.actor)
                    .bind(r.action)
                    .bind(r.draft_id)
                    .bind(r.source_id)
                    .bind(r.outcome)
                    .bind(r.detail)
                    .bind(r.at)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| {
                        if $crate::error::is_foreign_key_violation(&e) {
                            iqpins_core::Error::not_found(format!("account {}", event.account_id))
                        } else {
                            $crate::error::db(e)
                        }
                    })?;
                Ok(())
            }

            async fn list_audit(
                &self,
                account: iqpins_core::AccountId,
                limit: u32,
            ) -> iqpins_core::Result<Vec<iqpins_core::AuditEvent>> {
                sqlx::query($crate::sql::LIST_AUDIT)
                    .bind(account.as_uuid())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::error::db)?
                    .iter()
                    .map(read_audit)
                    .collect()
            }
        }
    };
}
