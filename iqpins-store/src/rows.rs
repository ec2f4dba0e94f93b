//! Records as the database holds them (plain column values) and the way back to core's
//! types. Decoding always goes through core's validating constructors: a stored value
//! that core would refuse is an [`Error::Store`], never a panic.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use iqpins_core::{
    Account, AccountId, AltText, AuditEvent, Board, BoardId, BoardSectionId, Connection,
    ConnectionStatus, DestinationUrl, Draft, DraftContent, DraftId, DraftImage, DraftState, Error,
    EventId, ItemId, Outcome, PinDescription, PinId, PinMetrics, PinTitle, Result, Revision, Scope,
    Source, SourceId, StateName, StoredItem, Tokens, Vault,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Times are kept to the microsecond, the precision both databases store.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn corrupt(what: &str, id: impl std::fmt::Display, detail: impl std::fmt::Display) -> Error {
    Error::Store(format!("stored {what} {id} is invalid: {detail}"))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Store(format!("encoding JSON: {e}")))
}

fn from_json<T: DeserializeOwned>(
    what: &str,
    id: impl std::fmt::Display,
    column: &str,
    json: &str,
) -> Result<T> {
    serde_json::from_str(json).map_err(|e| corrupt(what, id, format!("{column}: {e}")))
}

fn to_i64(field: &'static str, v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::invalid(field, format!("{v} is too large to store")))
}

fn to_u32(what: &str, id: impl std::fmt::Display, column: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(what, id, format!("{column} {v} is out of range")))
}

fn to_u64(what: &str, id: impl std::fmt::Display, column: &str, v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| corrupt(what, id, format!("{column} {v} is negative")))
}

/// An `accounts` row.
#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) allowed_domains: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl AccountRow {
    pub(crate) fn from_account(a: &Account) -> Result<Self> {
        Ok(Self {
            id: a.id.as_uuid(),
            name: a.name.clone(),
            email: normalise_email(&a.email),
            allowed_domains: to_json(&a.allowed_domains)?,
            created_at: micros(a.created_at),
        })
    }

    pub(crate) fn into_account(self) -> Result<Account> {
        Ok(Account {
            id: AccountId::from_uuid(self.id),
            allowed_domains: from_json(
                "account",
                self.id,
                "allowed_domains",
                &self.allowed_domains,
            )?,
            name: self.name,
            email: self.email,
            created_at: self.created_at,
        })
    }
}

/// Login e-mails are compared case-insensitively: they are stored trimmed and lower case.
pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A `sources` row.
#[derive(sqlx::FromRow)]
pub(crate) struct SourceRow {
    pub(crate) id: Uuid,
    pub(crate) account_id: Uuid,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) defaults: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl SourceRow {
    pub(crate) fn from_source(s: &Source) -> Result<Self> {
        Ok(Self {
            id: s.id.as_uuid(),
            account_id: s.account_id.as_uuid(),
            name: s.name.clone(),
            kind: to_json(&s.kind)?,
            defaults: to_json(&s.defaults)?,
            created_at: micros(s.created_at),
        })
    }

    pub(crate) fn into_source(self) -> Result<Source> {
        Ok(Source {
            id: SourceId::from_uuid(self.id),
            account_id: AccountId::from_uuid(self.account_id),
            kind: from_json("source", self.id, "kind", &self.kind)?,
            defaults: from_json("source", self.id, "defaults", &self.defaults)?,
            name: self.name,
            created_at: self.created_at,
        })
    }
}

/// An `items` row.
#[derive(sqlx::FromRow)]
pub(crate) struct ItemRow {
    pub(crate) id: Uuid,
    pub(crate) account_id: Uuid,
    pub(crate) source_id: Uuid,
    pub(crate) fingerprint: String,
    pub(crate) item: String,
    pub(crate) imported_at: DateTime<Utc>,
}

impl ItemRow {
    pub(crate) fn from_item(i: &StoredItem) -> Result<Self> {
        Ok(Self {
            id: i.id.as_uuid(),
            account_id: i.account_id.as_uuid(),
            source_id: i.source_id.as_uuid(),
            fingerprint: i.fingerprint.clone(),
            item: to_json(&i.item)?,
            imported_at: micros(i.imported_at),
        })
    }

    pub(crate) fn into_item(self) -> Result<StoredItem> {
        Ok(StoredItem {
            id: ItemId::from_uuid(self.id),
            account_id: AccountId::from_uuid(self.account_id),
            source_id: SourceId::from_uuid(self.source_id),
            item: from_json("item", self.id, "item", &self.item)?,
            fingerprint: self.fingerprint,
            imported_at: self.imported_at,
        })
    }
}

/// A `drafts` row: the content in columns, the lifecycle state spread over typed columns
/// (so the scheduler's claim is a plain indexed `UPDATE`), history and flags as JSON.
#[derive(sqlx::FromRow)]
pub(crate) struct DraftRow {
    pub(crate) id: Uuid,
    pub(crate) account_id: Uuid,
    pub(crate) source_id: Option<Uuid>,
    pub(crate) item_id: Option<Uuid>,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) alt_text: String,
    pub(crate) link: Option<String>,
    pub(crate) image_url: Option<String>,
    pub(crate) creative: Option<String>,
    pub(crate) board_id: Option<String>,
    pub(crate) section_id: Option<String>,
    pub(crate) state: String,
    pub(crate) queued_at: Option<DateTime<Utc>>,
    pub(crate) attempt: Option<i64>,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) lease_until: Option<DateTime<Utc>>,
    pub(crate) pin_id: Option<String>,
    pub(crate) published_at: Option<DateTime<Utc>>,
    pub(crate) fail_reason: Option<String>,
    pub(crate) revision: i64,
    pub(crate) approved_revision: Option<i64>,
    pub(crate) version: i64,
    pub(crate) attempts: i64,
    pub(crate) last_error: Option<String>,
    pub(crate) history: String,
    pub(crate) flags: String,
    pub(crate) fingerprint: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) image_send: String,
}

impl DraftRow {
    pub(crate) fn from_draft(d: &Draft) -> Result<Self> {
        let mut row = Self {
            id: d.id.as_uuid(),
            account_id: d.account_id.as_uuid(),
            source_id: d.source_id.map(|s| s.as_uuid()),
            item_id: d.item_id.map(|i| i.as_uuid()),
            title: d.content.title.as_str().to_owned(),
            description: d.content.description.as_str().to_owned(),
            alt_text: d.content.alt_text.as_str().to_owned(),
            link: d.content.link.as_ref().map(|l| l.as_str().to_owned()),
            image_url: d.content.image.url.as_ref().map(|l| l.as_str().to_owned()),
            creative: d.content.image.creative.clone(),
            board_id: d.content.board.as_ref().map(|b| b.as_str().to_owned()),
            section_id: d.content.section.as_ref().map(|b| b.as_str().to_owned()),
            state: d.state.name().as_str().to_owned(),
            queued_at: None,
            attempt: None,
            started_at: None,
            lease_until: None,
            pin_id: None,
            published_at: None,
            fail_reason: None,
            revision: i64::from(d.revision),
            approved_revision: d.approved_revision.map(i64::from),
            version: d.version,
            attempts: i64::from(d.attempts),
            last_error: d.last_error.clone(),
            history: to_json(&d.history)?,
            flags: to_json(&d.flags)?,
            fingerprint: d.fingerprint.clone(),
            created_at: micros(d.created_at),
            updated_at: micros(d.updated_at),
            image_send: d.content.image.send.as_str().to_owned(),
        };
        match &d.state {
            DraftState::Pending | DraftState::Rejected | DraftState::Approved => {}
            DraftState::Queued { at } => row.queued_at = Some(micros(*at)),
            DraftState::Publishing {
                attempt,
                started_at,
                lease_until,
            } => {
                row.attempt = Some(i64::from(*attempt));
                row.started_at = Some(micros(*started_at));
                row.lease_until = Some(micros(*lease_until));
            }
            DraftState::Reconciling {
                attempt,
                started_at,
                lease_until,
            } => {
                row.attempt = Some(i64::from(*attempt));
                row.started_at = Some(micros(*started_at));
                row.lease_until = lease_until.map(micros);
            }
            DraftState::Published { pin_id, at } => {
                row.pin_id = Some(pin_id.as_str().to_owned());
                row.published_at = Some(micros(*at));
            }
            DraftState::Failed { reason } => row.fail_reason = Some(reason.clone()),
        }
        Ok(row)
    }

    pub(crate) fn into_draft(self) -> Result<Draft> {
        let id = self.id;
        let bad = |detail: String| corrupt("draft", id, detail);
        let need = |column: &str| bad(format!("state {} without {column}", self.state));
        let state_name: StateName = self.state.parse().map_err(|e| bad(format!("{e}")))?;
        let attempt = || -> Result<u32> {
            to_u32(
                "draft",
                id,
                "attempt",
                self.attempt.ok_or_else(|| need("attempt"))?,
            )
        };
        let state = match state_name {
            StateName::Pending => DraftState::Pending,
            StateName::Rejected => DraftState::Rejected,
            StateName::Approved => DraftState::Approved,
            StateName::Queued => DraftState::Queued {
                at: self.queued_at.ok_or_else(|| need("queued_at"))?,
            },
            StateName::Publishing => DraftState::Publishing {
                attempt: attempt()?,
                started_at: self.started_at.ok_or_else(|| need("started_at"))?,
                lease_until: self.lease_until.ok_or_else(|| need("lease_until"))?,
            },
            StateName::Reconciling => DraftState::Reconciling {
                attempt: attempt()?,
                started_at: self.started_at.ok_or_else(|| need("started_at"))?,
                lease_until: self.lease_until,
            },
            StateName::Published => DraftState::Published {
                pin_id: PinId::parse(self.pin_id.as_deref().ok_or_else(|| need("pin_id"))?)
                    .map_err(|e| bad(e.to_string()))?,
                at: self.published_at.ok_or_else(|| need("published_at"))?,
            },
            StateName::Failed => DraftState::Failed {
                reason: self
                    .fail_reason
                    .clone()
                    .ok_or_else(|| need("fail_reason"))?,
            },
        };
        let field = |e: Error| bad(e.to_string());
        let content = DraftContent {
            title: PinTitle::parse(&self.title).map_err(field)?,
            description: PinDescription::parse(&self.description).map_err(field)?,
            alt_text: AltText::parse(&self.alt_text).map_err(field)?,
            link: self
                .link
                .as_deref()
                .map(DestinationUrl::parse)
                .transpose()
                .map_err(field)?,
            image: DraftImage {
                url: self
                    .image_url
                    .as_deref()
                    .map(|u| DestinationUrl::parse_field("image_url", u))
                    .transpose()
                    .map_err(field)?,
                creative: self.creative,
                send: iqpins_core::ImageSend::parse(&self.image_send).map_err(field)?,
            },
            board: self
                .board_id
                .as_deref()
                .map(BoardId::parse)
                .transpose()
                .map_err(field)?,
            section: self
                .section_id
                .as_deref()
                .map(BoardSectionId::parse)
                .transpose()
                .map_err(field)?,
        };
        let history: Vec<Revision> = from_json("draft", id, "history", &self.history)?;
        let flags: Vec<String> = from_json("draft", id, "flags", &self.flags)?;
        Ok(Draft {
            id: DraftId::from_uuid(id),
            account_id: AccountId::from_uuid(self.account_id),
            source_id: self.source_id.map(SourceId::from_uuid),
            item_id: self.item_id.map(ItemId::from_uuid),
            content,
            state,
            revision: to_u32("draft", id, "revision", self.revision)?,
            approved_revision: self
                .approved_revision
                .map(|r| to_u32("draft", id, "approved_revision", r))
                .transpose()?,
            version: self.version,
            attempts: to_u32("draft", id, "attempts", self.attempts)?,
            last_error: self.last_error,
            history,
            flags,
            fingerprint: self.fingerprint,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A `connections` row; the tokens only as vault ciphertexts.
#[derive(sqlx::FromRow)]
pub(crate) struct ConnectionRow {
    pub(crate) account_id: Uuid,
    pub(crate) pinterest_user_id: Option<String>,
    pub(crate) username: String,
    pub(crate) account_type: String,
    pub(crate) scopes: String,
    pub(crate) access_token: Vec<u8>,
    pub(crate) access_expires_at: DateTime<Utc>,
    pub(crate) refresh_token: Vec<u8>,
    pub(crate) refresh_expires_at: Option<DateTime<Utc>>,
    pub(crate) status: String,
    pub(crate) connected_at: DateTime<Utc>,
    pub(crate) refreshed_at: Option<DateTime<Utc>>,
}

/// The associated data that binds a token ciphertext to its account and its role, so a
/// ciphertext copied to another account, or an access token swapped with the refresh
/// token, no longer decrypts.
fn token_aad(account: Uuid, role: &str) -> Vec<u8> {
    format!("iqpins:{account}:pinterest:{role}").into_bytes()
}

fn status_str(s: ConnectionStatus) -> &'static str {
    match s {
        ConnectionStatus::Active => "active",
        ConnectionStatus::NeedsReconnect => "needs_reconnect",
        ConnectionStatus::Disconnected => "disconnected",
    }
}

impl ConnectionRow {
    pub(crate) fn from_connection(c: &Connection, vault: &dyn Vault) -> Result<Self> {
        let account = c.account_id.as_uuid();
        Ok(Self {
            account_id: account,
            pinterest_user_id: c.pinterest_user_id.clone(),
            username: c.username.clone(),
            account_type: c.account_type.clone(),
            scopes: to_json(&c.scopes)?,
            access_token: vault.encrypt(
                c.tokens.access.expose_secret().as_bytes(),
                &token_aad(account, "access"),
            )?,
            access_expires_at: micros(c.tokens.access_expires_at),
            refresh_token: vault.encrypt(
                c.tokens.refresh.expose_secret().as_bytes(),
                &token_aad(account, "refresh"),
            )?,
            refresh_expires_at: c.tokens.refresh_expires_at.map(micros),
            status: status_str(c.status).to_owned(),
            connected_at: micros(c.connected_at),
            refreshed_at: c.refreshed_at.map(micros),
        })
    }

    pub(crate) fn into_connection(self, vault: &dyn Vault) -> Result<Connection> {
        let account = self.account_id;
        let open = |ct: &[u8], role: &str| -> Result<SecretString> {
            let plain = vault.decrypt(ct, &token_aad(account, role))?;
            String::from_utf8(plain)
                .map(SecretString::from)
                .map_err(|_| corrupt("connection", account, format!("{role} token is not UTF-8")))
        };
        let status = match self.status.as_str() {
            "active" => ConnectionStatus::Active,
            "needs_reconnect" => ConnectionStatus::NeedsReconnect,
            "disconnected" => ConnectionStatus::Disconnected,
            other => return Err(corrupt("connection", account, format!("status {other:?}"))),
        };
        let scopes: Vec<Scope> = from_json("connection", account, "scopes", &self.scopes)?;
        Ok(Connection {
            account_id: AccountId::from_uuid(account),
            pinterest_user_id: self.pinterest_user_id,
            username: self.username,
            account_type: self.account_type,
            scopes,
            tokens: Tokens {
                access: open(&self.access_token, "access")?,
                access_expires_at: self.access_expires_at,
                refresh: open(&self.refresh_token, "refresh")?,
                refresh_expires_at: self.refresh_expires_at,
            },
            status,
            connected_at: self.connected_at,
            refreshed_at: self.refreshed_at,
        })
    }
}

/// A `boards` row.
#[derive(sqlx::FromRow)]
pub(crate) struct BoardRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) privacy: Option<String>,
}

impl BoardRow {
    pub(crate) fn into_board(self, account: AccountId) -> Result<Board> {
        Ok(Board {
            id: BoardId::parse(&self.id).map_err(|e| corrupt("board of account", account, e))?,
            name: self.name,
            description: self.description,
            privacy: self.privacy,
        })
    }
}

/// Boards in the order `list_boards` gives them: by name, ignoring case.
pub(crate) fn board_order(boards: &[Board]) -> Vec<&Board> {
    let mut b: Vec<&Board> = boards.iter().collect();
    b.sort_by_cached_key(|x| x.name.to_lowercase());
    b
}

/// A `pin_metrics` row.
#[derive(sqlx::FromRow)]
pub(crate) struct MetricsRow {
    pub(crate) pin_id: String,
    pub(crate) day: NaiveDate,
    pub(crate) impressions: i64,
    pub(crate) saves: i64,
    pub(crate) pin_clicks: i64,
    pub(crate) outbound_clicks: i64,
}

impl MetricsRow {
    pub(crate) fn from_metrics(m: &PinMetrics) -> Result<Self> {
        Ok(Self {
            pin_id: m.pin_id.as_str().to_owned(),
            day: m.date,
            impressions: to_i64("impressions", m.impressions)?,
            saves: to_i64("saves", m.saves)?,
            pin_clicks: to_i64("pin_clicks", m.pin_clicks)?,
            outbound_clicks: to_i64("outbound_clicks", m.outbound_clicks)?,
        })
    }

    pub(crate) fn into_metrics(self) -> Result<PinMetrics> {
        let pin = self.pin_id.clone();
        Ok(PinMetrics {
            pin_id: PinId::parse(&self.pin_id).map_err(|e| corrupt("metrics of pin", &pin, e))?,
            date: self.day,
            impressions: to_u64("metrics of pin", &pin, "impressions", self.impressions)?,
            saves: to_u64("metrics of pin", &pin, "saves", self.saves)?,
            pin_clicks: to_u64("metrics of pin", &pin, "pin_clicks", self.pin_clicks)?,
            outbound_clicks: to_u64(
                "metrics of pin",
                &pin,
                "outbound_clicks",
                self.outbound_clicks,
            )?,
        })
    }
}

/// An `audit_events` row.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) id: Uuid,
    pub(crate) account_id: Uuid,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) draft_id: Option<Uuid>,
    pub(crate) source_id: Option<Uuid>,
    pub(crate) outcome: String,
    pub(crate) detail: String,
    pub(crate) at: DateTime<Utc>,
}

impl AuditRow {
    pub(crate) fn from_event(e: &AuditEvent) -> Self {
        Self {
            id: e.id.as_uuid(),
            account_id: e.account_id.as_uuid(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            draft_id: e.draft_id.map(|d| d.as_uuid()),
            source_id: e.source_id.map(|s| s.as_uuid()),
            outcome: match e.outcome {
                Outcome::Ok => "ok",
                Outcome::Error => "error",
            }
            .to_owned(),
            detail: e.detail.clone(),
            at: micros(e.at),
        }
    }

    pub(crate) fn into_event(self) -> Result<AuditEvent> {
        Ok(AuditEvent {
            id: EventId::from_uuid(self.id),
            account_id: AccountId::from_uuid(self.account_id),
            actor: self.actor,
            action: self.action,
            draft_id: self.draft_id.map(DraftId::from_uuid),
            source_id: self.source_id.map(SourceId::from_uuid),
            outcome: match self.outcome.as_str() {
                "ok" => Outcome::Ok,
                "error" => Outcome::Error,
                other => {
                    return Err(corrupt(
                        "audit event",
                        self.id,
                        format!("outcome {other:?}"),
                    ));
                }
            },
            detail: self.detail,
            at: self.at,
        })
    }
}
