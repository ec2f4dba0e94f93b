//! The records IQ Pins keeps: accounts, sources, stored items, drafts, connections,
//! boards, metrics and the audit log. Every record belongs to exactly one account.

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::content::ContentItem;
use crate::fields::{
    AltText, BoardId, BoardSectionId, DestinationUrl, PinDescription, PinId, PinTitle, Scope,
};
use crate::ids::{AccountId, DraftId, EventId, ItemId, SourceId};
use crate::lifecycle::DraftState;

/// An IQ Pins user (tenant).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// Display name.
    pub name: String,
    /// Login e-mail, lower case; unique.
    pub email: String,
    /// Link hosts drafts may point to (`shop.example`); empty means "not configured yet".
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Where content comes from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceKind {
    /// A product, article or other page.
    Url {
        /// The page.
        url: String,
    },
    /// An RSS, Atom or JSON feed.
    Feed {
        /// The feed's URL.
        url: String,
    },
    /// An uploaded CSV/TSV file.
    Csv {
        /// The file's name as uploaded.
        file_name: String,
    },
    /// Product data entered by hand or posted through the API.
    Product,
}

/// Defaults a source gives to the drafts made from it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SourceDefaults {
    /// Board for every draft of this source (wins over suggestions).
    #[serde(default)]
    pub board: Option<BoardId>,
    /// Category → board rules (category compared case-insensitively); win over suggestions.
    #[serde(default)]
    pub category_boards: Vec<(String, BoardId)>,
    /// UTM parameters added to links (`utm_source=pinterest`, …).
    #[serde(default = "default_utm")]
    pub utm: Vec<(String, String)>,
    /// Drafts per item.
    #[serde(default = "one")]
    pub variants: u8,
}

fn one() -> u8 {
    1
}

fn default_utm() -> Vec<(String, String)> {
    vec![
        ("utm_source".into(), "pinterest".into()),
        ("utm_medium".into(), "social".into()),
    ]
}

impl Default for SourceDefaults {
    fn default() -> Self {
        Self {
            board: None,
            category_boards: Vec::new(),
            utm: default_utm(),
            variants: 1,
        }
    }
}

/// A content source of an account.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Source {
    /// Id.
    pub id: SourceId,
    /// Owner.
    pub account_id: AccountId,
    /// Name shown to people (also the default `utm_campaign`).
    pub name: String,
    /// What it is.
    pub kind: SourceKind,
    /// Draft defaults.
    pub defaults: SourceDefaults,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A content item as stored: the item plus where it came from.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct StoredItem {
    /// Id.
    pub id: ItemId,
    /// Owner.
    pub account_id: AccountId,
    /// The source it was imported from.
    pub source_id: SourceId,
    /// [`ContentItem::fingerprint`] of `item`; unique per account.
    pub fingerprint: String,
    /// The content.
    pub item: ContentItem,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
}

/// The picture of a draft.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
pub struct DraftImage {
    /// The source image's URL (sent as `image_url`).
    #[serde(default)]
    pub url: Option<DestinationUrl>,
    /// Where the rendered 1000×1500 creative is kept (file path or blob key), if rendered.
    #[serde(default)]
    pub creative: Option<String>,
    /// Which picture publishing sends: the source photo or the rendered creative.
    #[serde(default)]
    pub send: ImageSend,
}

/// Which picture of a draft is published.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImageSend {
    /// The source image, by URL (`media_source.source_type = image_url`): Pinterest
    /// fetches it.
    #[default]
    Photo,
    /// The 1000×1500 creative rendered from the photo, title, price and domain, sent as
    /// bytes (`image_base64`) at publish time by the engine's [`CreativeRenderer`](crate::CreativeRenderer).
    Creative,
}

impl ImageSend {
    /// `photo` or `creative` (as stored and shown).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Creative => "creative",
        }
    }

    /// Reads [`ImageSend::as_str`]'s words back.
    pub fn parse(s: &str) -> crate::Result<Self> {
        match s.trim() {
            "photo" => Ok(Self::Photo),
            "creative" => Ok(Self::Creative),
            other => Err(crate::Error::invalid(
                "image_send",
                format!("{other:?} is neither \"photo\" nor \"creative\""),
            )),
        }
    }
}

/// The reviewable content of a draft; every field already respects Pinterest's limits.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DraftContent {
    /// Title (1–100).
    pub title: PinTitle,
    /// Description (≤500).
    pub description: PinDescription,
    /// Alt text (≤500).
    pub alt_text: AltText,
    /// Destination link.
    pub link: Option<DestinationUrl>,
    /// Image.
    pub image: DraftImage,
    /// Board.
    pub board: Option<BoardId>,
    /// Board section.
    pub section: Option<BoardSectionId>,
}

/// A change a reviewer makes; `None` leaves a field as it is.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
pub struct DraftEdit {
    /// New title.
    #[serde(default)]
    pub title: Option<PinTitle>,
    /// New description.
    #[serde(default)]
    pub description: Option<PinDescription>,
    /// New alt text.
    #[serde(default)]
    pub alt_text: Option<AltText>,
    /// New link.
    #[serde(default)]
    pub link: Option<DestinationUrl>,
    /// New image URL.
    #[serde(default)]
    pub image_url: Option<DestinationUrl>,
    /// Which picture to publish.
    #[serde(default)]
    pub image_send: Option<ImageSend>,
    /// New board (`Some(None)` clears it).
    #[serde(default)]
    pub board: Option<Option<BoardId>>,
    /// New section (`Some(None)` clears it).
    #[serde(default)]
    pub section: Option<Option<BoardSectionId>>,
}

impl DraftEdit {
    /// Applies the edit; returns the names of the fields that really changed.
    pub fn apply(&self, c: &mut DraftContent) -> Vec<&'static str> {
        let mut changed = Vec::new();
        macro_rules! set {
            ($src:expr, $dst:expr, $name:literal) => {
                if let Some(v) = &$src {
                    if $dst != *v {
                        $dst = v.clone();
                        changed.push($name);
                    }
                }
            };
        }
        set!(self.title, c.title, "title");
        set!(self.description, c.description, "description");
        set!(self.alt_text, c.alt_text, "alt_text");
        set!(self.link.clone().map(Some), c.link, "link");
        set!(self.image_url.clone().map(Some), c.image.url, "image_url");
        if self.image_url.is_some() && changed.contains(&"image_url") {
            // A new photo makes the old rendered creative stale.
            c.image.creative = None;
        }
        set!(self.image_send, c.image.send, "image_send");
        set!(self.board, c.board, "board");
        set!(self.section, c.section, "section");
        changed
    }
}

/// One entry of a draft's edit history.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Revision {
    /// The revision number this entry created.
    pub revision: u32,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Which fields changed.
    pub fields: Vec<String>,
}

/// One Pin proposal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Draft {
    /// Id.
    pub id: DraftId,
    /// Owner.
    pub account_id: AccountId,
    /// The source it came from, if any.
    pub source_id: Option<SourceId>,
    /// The item it came from, if any.
    pub item_id: Option<ItemId>,
    /// What will be published.
    pub content: DraftContent,
    /// Lifecycle state.
    pub state: DraftState,
    /// Content revision: 1 at creation, +1 on every edit.
    pub revision: u32,
    /// The revision a person approved; only that revision can be queued.
    pub approved_revision: Option<u32>,
    /// Row version for optimistic concurrency: +1 on every stored change.
    pub version: i64,
    /// Publishing attempts so far.
    pub attempts: u32,
    /// The last error (Pinterest's message, a refused check).
    pub last_error: Option<String>,
    /// Edit history, oldest first.
    pub history: Vec<Revision>,
    /// Readiness problems found at generation ("needs image", …).
    pub flags: Vec<String>,
    /// [`ContentItem::fingerprint`] of the item and the variant, for de-duplication.
    pub fingerprint: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Draft {
    /// A new pending draft at revision 1.
    pub fn new(account_id: AccountId, content: DraftContent, now: DateTime<Utc>) -> Self {
        Self {
            id: DraftId::new(),
            account_id,
            source_id: None,
            item_id: None,
            content,
            state: DraftState::Pending,
            revision: 1,
            approved_revision: None,
            version: 0,
            attempts: 0,
            last_error: None,
            history: Vec::new(),
            flags: Vec::new(),
            fingerprint: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Whether a Pinterest connection can be used.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Tokens work.
    Active,
    /// Refresh failed or access was revoked: the user must connect again.
    NeedsReconnect,
    /// The user disconnected; tokens are deleted.
    Disconnected,
}

/// OAuth tokens. `Debug` never shows them.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// Access token.
    pub access: SecretString,
    /// When the access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// Refresh token.
    pub refresh: SecretString,
    /// When the refresh token expires.
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

/// The Pinterest account linked to an IQ Pins account.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Owner.
    pub account_id: AccountId,
    /// Pinterest's user id.
    pub pinterest_user_id: Option<String>,
    /// Pinterest username.
    pub username: String,
    /// `BUSINESS` or `PINNER` (or what Pinterest sends).
    pub account_type: String,
    /// Scopes the user granted.
    pub scopes: Vec<Scope>,
    /// Tokens (plain in memory; the store encrypts them with the [`crate::Vault`]).
    pub tokens: Tokens,
    /// Status.
    pub status: ConnectionStatus,
    /// When it was connected.
    pub connected_at: DateTime<Utc>,
    /// When tokens were last refreshed.
    pub refreshed_at: Option<DateTime<Utc>>,
}

/// A board, cached from Pinterest.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Board {
    /// Pinterest's id.
    pub id: BoardId,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `PUBLIC`, `PROTECTED`, `SECRET` or what Pinterest sends.
    #[serde(default)]
    pub privacy: Option<String>,
}

/// A pin's numbers for one day.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PinMetrics {
    /// The pin.
    pub pin_id: PinId,
    /// The day (UTC).
    pub date: NaiveDate,
    /// Impressions.
    pub impressions: u64,
    /// Saves.
    pub saves: u64,
    /// Pin clicks.
    pub pin_clicks: u64,
    /// Outbound clicks.
    pub outbound_clicks: u64,
}

/// How an audited action ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It worked.
    Ok,
    /// It was refused or failed.
    Error,
}

/// One line of the audit log: who did what, when, to what, and how it ended.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Id.
    pub id: EventId,
    /// Owner.
    pub account_id: AccountId,
    /// Who: a user e-mail, `worker`, `system`.
    pub actor: String,
    /// What: `draft.approve`, `pinterest.token_refresh`, `pinterest.api_error`, …
    pub action: String,
    /// The draft concerned.
    pub draft_id: Option<DraftId>,
    /// The source concerned.
    pub source_id: Option<SourceId>,
    /// How it ended.
    pub outcome: Outcome,
    /// Details (never a token).
    pub detail: String,
    /// When.
    pub at: DateTime<Utc>,
}
