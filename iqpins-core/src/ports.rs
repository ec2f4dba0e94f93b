//! The ports: what the workflow needs from the outside world. Adapters implement them
//! (`iqpins-store`, `iqpins-pinterest`, `iqpins-sources`); tests use in-memory fakes.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::content::ContentItem;
use crate::domain::{
    Account, AuditEvent, Board, Connection, Draft, DraftContent, PinMetrics, Source, StoredItem,
};
use crate::error::Result;
use crate::fields::{
    AltText, BoardId, BoardSectionId, DestinationUrl, PinDescription, PinId, PinTitle, Scope,
};
use crate::ids::{AccountId, DraftId, ItemId, SourceId};
use crate::lifecycle::StateName;

/// Which drafts to list.
#[derive(Clone, Debug, Default)]
pub struct DraftFilter {
    /// Only drafts in this state.
    pub state: Option<StateName>,
    /// Only drafts from this source.
    pub source_id: Option<SourceId>,
    /// At most this many (newest first); `None` = all.
    pub limit: Option<u32>,
}

/// Persistence. Every method that takes an `AccountId` is scoped by it: a record of
/// another account behaves exactly as a missing one (`Error::NotFound`).
#[async_trait]
pub trait Store: Send + Sync {
    /// Creates an account; the e-mail must be unique.
    async fn create_account(&self, account: &Account) -> Result<()>;
    /// An account by id.
    async fn get_account(&self, id: AccountId) -> Result<Account>;
    /// An account by login e-mail (case-insensitive).
    async fn find_account_by_email(&self, email: &str) -> Result<Option<Account>>;
    /// Replaces the account's allowed link domains.
    async fn set_allowed_domains(&self, id: AccountId, domains: &[String]) -> Result<()>;

    /// Adds a source.
    async fn insert_source(&self, source: &Source) -> Result<()>;
    /// A source of the account.
    async fn get_source(&self, account: AccountId, id: SourceId) -> Result<Source>;
    /// The account's sources, oldest first.
    async fn list_sources(&self, account: AccountId) -> Result<Vec<Source>>;

    /// Stores an item unless the account already has one with the same fingerprint;
    /// returns the stored item (the existing one on a duplicate) and whether it was new.
    async fn upsert_item(&self, item: &StoredItem) -> Result<(StoredItem, bool)>;
    /// The account's items, optionally of one source, oldest first.
    async fn list_items(
        &self,
        account: AccountId,
        source: Option<SourceId>,
    ) -> Result<Vec<StoredItem>>;
    /// One item of the account; another account's items are not found.
    async fn get_item(&self, account: AccountId, id: ItemId) -> Result<StoredItem>;

    /// Stores a new draft (its `version` must be 0; stored as 1).
    async fn insert_draft(&self, draft: &Draft) -> Result<Draft>;
    /// A draft of the account.
    async fn get_draft(&self, account: AccountId, id: DraftId) -> Result<Draft>;
    /// The account's drafts, newest first.
    async fn list_drafts(&self, account: AccountId, filter: &DraftFilter) -> Result<Vec<Draft>>;
    /// Stores a changed draft if nobody changed it since it was read (`draft.version` is
    /// the version read); returns it with the new version, or `Error::Conflict`.
    async fn update_draft(&self, draft: &Draft) -> Result<Draft>;
    /// Whether the account has a draft with this fingerprint or this link + image URL.
    async fn draft_exists(
        &self,
        account: AccountId,
        fingerprint: &str,
        link_and_image: Option<(&str, &str)>,
    ) -> Result<bool>;
    /// For the scheduler, across accounts: takes a lease on up to `limit` drafts that are
    /// `Queued` with a time ≤ `now` (→ `Publishing`, attempts + 1) or whose publishing or
    /// reconciling lease expired (→ `Reconciling`, never a blind retry). Each draft is
    /// claimed by exactly one caller, even with several workers and instances.
    async fn claim_due_drafts(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Draft>>;

    /// Stores (replaces) the account's Pinterest connection; tokens are encrypted at rest.
    async fn put_connection(&self, connection: &Connection) -> Result<()>;
    /// The account's connection, if any.
    async fn get_connection(&self, account: AccountId) -> Result<Option<Connection>>;
    /// Deletes the account's connection and its tokens.
    async fn delete_connection(&self, account: AccountId) -> Result<()>;

    /// Replaces the account's cached boards.
    async fn replace_boards(&self, account: AccountId, boards: &[Board]) -> Result<()>;
    /// The account's cached boards, by name.
    async fn list_boards(&self, account: AccountId) -> Result<Vec<Board>>;

    /// Inserts or replaces daily pin metrics.
    async fn upsert_metrics(&self, account: AccountId, metrics: &[PinMetrics]) -> Result<()>;
    /// Daily metrics between two dates (inclusive), optionally of one pin.
    async fn list_metrics(
        &self,
        account: AccountId,
        pin: Option<&PinId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PinMetrics>>;

    /// Appends to the audit log.
    async fn append_audit(&self, event: &AuditEvent) -> Result<()>;
    /// The newest audit events first, at most `limit`.
    async fn list_audit(&self, account: AccountId, limit: u32) -> Result<Vec<AuditEvent>>;
}

/// What kind of failure Pinterest (or the way to it) gave.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinterestErrorKind {
    /// 401: the access token is invalid or expired.
    Unauthorized,
    /// The refresh token is invalid or expired (Pinterest code 283): reconnect needed.
    InvalidRefreshToken,
    /// 403: missing scope or not allowed.
    Forbidden,
    /// 404.
    NotFound,
    /// 429.
    RateLimited,
    /// Another 4xx: the request is wrong and a retry will not help.
    Invalid,
    /// 5xx on a request whose effect is known not to have happened (reads).
    Server,
    /// The request may or may not have taken effect (timeout or connection loss after
    /// sending, 5xx on a create). Reconcile before trying again.
    OutcomeUnknown,
    /// The request never left (connect failure, timeout before sending): safe to retry.
    Transport,
    /// The answer could not be decoded.
    Decode,
}

/// An error from the Pinterest port: the kind that drives the workflow, plus what
/// Pinterest said (status, code, message, request id).
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error, Serialize, Deserialize)]
#[error("{kind:?}{}{}: {message}{}", status.map(|s| format!(" (HTTP {s}")).unwrap_or_default(), status.map(|_| ")").unwrap_or_default(), request_id.as_ref().map(|r| format!(" [request {r}]")).unwrap_or_default())]
pub struct PinterestError {
    /// What kind of failure.
    pub kind: PinterestErrorKind,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// Pinterest's error code, when given.
    pub code: Option<i64>,
    /// Pinterest's message or ours.
    pub message: String,
    /// `x-pinterest-rid`, for Pinterest support.
    pub request_id: Option<String>,
    /// How long to wait before retrying (from `Retry-After`), when given.
    pub retry_after: Option<Duration>,
}

impl PinterestError {
    /// An error of a kind with a message and nothing else.
    pub fn new(kind: PinterestErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            retry_after: None,
        }
    }
}

/// Tokens granted by Pinterest's token endpoint.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    /// Access token.
    pub access_token: SecretString,
    /// Access token lifetime end.
    pub access_expires_at: DateTime<Utc>,
    /// Refresh token (a new one on every refresh: store it).
    pub refresh_token: SecretString,
    /// Refresh token lifetime end.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// Scopes granted.
    pub scopes: Vec<Scope>,
}

/// The Pinterest user behind a connection.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PinterestUser {
    /// User id, when sent.
    pub id: Option<String>,
    /// Username.
    pub username: String,
    /// `BUSINESS`, `PINNER`, …
    pub account_type: String,
    /// Profile image URL.
    pub profile_image: Option<String>,
    /// Website URL.
    pub website_url: Option<String>,
}

/// The media of a new pin.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PinMedia {
    /// Pinterest fetches the image from this URL.
    ImageUrl(DestinationUrl),
    /// The image bytes, base64 encoded.
    ImageBase64 {
        /// `image/jpeg` or `image/png`.
        content_type: String,
        /// Base64 data.
        data: String,
    },
}

/// A pin to create.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewPin {
    /// Board.
    pub board_id: BoardId,
    /// Section.
    pub board_section_id: Option<BoardSectionId>,
    /// Title.
    pub title: PinTitle,
    /// Description.
    pub description: PinDescription,
    /// Alt text.
    pub alt_text: AltText,
    /// Destination.
    pub link: DestinationUrl,
    /// Image.
    pub media: PinMedia,
}

/// A pin as listed by Pinterest (enough to reconcile).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PinSummary {
    /// Id.
    pub id: PinId,
    /// Creation time.
    pub created_at: Option<DateTime<Utc>>,
    /// Link.
    pub link: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Board.
    pub board_id: Option<BoardId>,
}

/// What the workflow needs from Pinterest. Every call takes the access token so the
/// caller (the engine) owns refresh, reconnect and auditing.
#[async_trait]
pub trait Pinterest: Send + Sync {
    /// The consent page URL with the given `state`, requesting [`Scope::REQUESTED`].
    fn authorize_url(&self, state: &str) -> String;
    /// Exchanges an authorization code.
    async fn exchange_code(&self, code: &str) -> Result<TokenGrant, PinterestError>;
    /// Refreshes; the answer carries a new refresh token.
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant, PinterestError>;
    /// The user behind the token.
    async fn user_account(&self, access: &SecretString) -> Result<PinterestUser, PinterestError>;
    /// All boards (every page).
    async fn list_boards(&self, access: &SecretString) -> Result<Vec<Board>, PinterestError>;
    /// Creates a board.
    async fn create_board(
        &self,
        access: &SecretString,
        name: &str,
        description: Option<&str>,
    ) -> Result<Board, PinterestError>;
    /// Creates a pin. Never retried blindly: an unknown outcome is reported as
    /// [`PinterestErrorKind::OutcomeUnknown`].
    async fn create_pin(
        &self,
        access: &SecretString,
        pin: &NewPin,
    ) -> Result<PinSummary, PinterestError>;
    /// The board's pins created at or after `since` (newest first), for reconciliation.
    async fn list_board_pins(
        &self,
        access: &SecretString,
        board: &BoardId,
        since: DateTime<Utc>,
    ) -> Result<Vec<PinSummary>, PinterestError>;
    /// Daily metrics of a pin between two dates (inclusive, UTC).
    async fn pin_analytics(
        &self,
        access: &SecretString,
        pin: &PinId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PinMetrics>, PinterestError>;
}

/// A fetched document.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// The body (decompressed, capped).
    pub body: Vec<u8>,
}

/// Fetches the user's own content by URL. Implementations refuse internal addresses.
#[async_trait]
pub trait Fetcher: Send + Sync {
    /// GETs the URL.
    async fn fetch(&self, url: &str) -> Result<Fetched>;
}

/// The time, injectable for tests.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved (for tests and simulations).
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock at `t`.
    pub fn new(t: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(t))
    }
    /// Moves the clock forward.
    pub fn advance(&self, d: chrono::Duration) {
        let mut g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *g += d;
    }
    /// Sets the clock.
    pub fn set(&self, t: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A rendered picture ready to publish.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedImage {
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for RenderedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedImage")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Renders a draft's 1000×1500 creative (implemented with `iqpins-creative` by the
/// server's wiring). The engine calls it at publish time for drafts whose
/// [`ImageSend`](crate::ImageSend) is `Creative`, so what is sent is always rendered from
/// the approved revision.
#[async_trait]
pub trait CreativeRenderer: Send + Sync {
    /// Renders the creative of `draft`. [`Error::Fetch`](crate::Error::Fetch) means the
    /// photo could not be fetched (worth retrying); any other error means the photo or
    /// the draft cannot be rendered.
    async fn render(&self, draft: &Draft) -> Result<RenderedImage>;

    /// Why the creative of `content` would not show what the reviewer expects (e.g. title
    /// characters no available font can draw), in words for the reviewer; each one blocks
    /// approval while the draft publishes its creative. Empty by default.
    fn problems(&self, content: &DraftContent) -> Vec<String> {
        let _ = content;
        Vec::new()
    }
}

/// Encrypts secrets at rest (OAuth tokens). `aad` binds a ciphertext to its owner so it
/// cannot be moved to another record.
pub trait Vault: Send + Sync {
    /// Encrypts; the output carries whatever is needed to decrypt (key id, nonce).
    fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>>;
    /// Decrypts; fails on a wrong key, wrong `aad` or tampered data.
    fn decrypt(&self, ciphertext: &[u8], aad: &[u8]) -> Result<Vec<u8>>;
}

/// What a [`CopyWriter`] knows besides the item.
#[derive(Clone, Debug, Default)]
pub struct WriteContext {
    /// The source's name (default `utm_campaign`).
    pub source_name: String,
    /// UTM parameters to add to links.
    pub utm: Vec<(String, String)>,
    /// How many variants to write.
    pub variants: u8,
    /// At most this many hashtags in a description.
    pub max_hashtags: u8,
}

/// The text of one draft variant.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DraftCopy {
    /// Title.
    pub title: PinTitle,
    /// Description.
    pub description: PinDescription,
    /// Alt text.
    pub alt_text: AltText,
    /// Destination link, when the item has a usable URL.
    pub link: Option<DestinationUrl>,
    /// Image chosen for this variant, when the item has a usable one.
    pub image_url: Option<DestinationUrl>,
    /// Readiness problems (e.g. "needs image").
    pub flags: Vec<String>,
}

/// Writes draft text from an item. The template writer is the default; an LLM-backed
/// writer can implement the same trait. Must be deterministic for the same input.
pub trait CopyWriter: Send + Sync {
    /// Up to `ctx.variants` distinct variants; an item that cannot give a title is an error.
    fn write(&self, item: &ContentItem, ctx: &WriteContext) -> Result<Vec<DraftCopy>>;
}

/// A signed-in browser session. The cookie carries a random token; only its SHA-256 is
/// stored, so a leaked database does not give working sessions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Session {
    /// SHA-256 of the cookie token, hex.
    pub token_hash: String,
    /// Who is signed in.
    pub account_id: AccountId,
    /// The per-session CSRF token every form must echo.
    pub csrf: String,
    /// The OAuth `state` of a Pinterest connect in progress, bound to this session.
    pub oauth_state: Option<String>,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Credentials and sessions, kept apart from [`Store`] so that embedders who bring their
/// own login need not implement them. Scoped like `Store`.
#[async_trait]
pub trait AuthStore: Send + Sync {
    /// Sets the account's password hash (a PHC string, e.g. Argon2id).
    async fn set_password_hash(&self, account: AccountId, hash: &str) -> Result<()>;
    /// The account's password hash, if it has one.
    async fn password_hash(&self, account: AccountId) -> Result<Option<String>>;
    /// Creates or replaces a session.
    async fn put_session(&self, session: &Session) -> Result<()>;
    /// A session by token hash, if it exists and has not expired at `now`.
    async fn get_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>>;
    /// Records the OAuth `state` of a connect in progress on an existing session; `false`
    /// when the session is gone (signed out meanwhile). Never re-creates a session.
    async fn set_oauth_state(&self, token_hash: &str, state: &str) -> Result<bool>;
    /// Consumes the session's OAuth `state` if it equals `state` (compare-and-clear in one
    /// step, so a state is good for exactly one callback); `false` otherwise.
    async fn take_oauth_state(&self, token_hash: &str, state: &str) -> Result<bool>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of an account (after a password change).
    async fn delete_account_sessions(&self, account: AccountId) -> Result<()>;
}
