//! Boards and their sections: list, create, update; and the pins of a board.

use chrono::{DateTime, Utc};
use iqpins_core::{BoardId, BoardSectionId};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{DecodeError, Paginated, Request, decode_json};
use crate::enums::string_enum;
use crate::limiter::RateCategory;
use crate::pagination::Page;
use crate::pins::Pin;
use crate::retry::Idempotency;
use crate::user_account::page_query;

string_enum! {
    /// Who can see a board.
    pub enum BoardPrivacy {
        /// Everyone.
        Public => "PUBLIC",
        /// Only for ads.
        Protected => "PROTECTED",
        /// The owner and collaborators.
        Secret => "SECRET",
    }
}

/// A board's owner.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BoardOwner {
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
}

/// A board as Pinterest describes it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Board {
    /// Id.
    pub id: BoardId,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Privacy.
    #[serde(default)]
    pub privacy: Option<BoardPrivacy>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::time::lenient")]
    pub created_at: Option<DateTime<Utc>>,
    /// Last time pins were added or removed.
    #[serde(default, deserialize_with = "crate::time::lenient")]
    pub board_pins_modified_at: Option<DateTime<Utc>>,
    /// Pins on the board.
    #[serde(default)]
    pub pin_count: Option<i64>,
    /// Followers.
    #[serde(default)]
    pub follower_count: Option<i64>,
    /// Collaborators.
    #[serde(default)]
    pub collaborator_count: Option<i64>,
    /// Owner.
    #[serde(default)]
    pub owner: Option<BoardOwner>,
}

impl From<Board> for iqpins_core::Board {
    fn from(b: Board) -> Self {
        iqpins_core::Board {
            id: b.id,
            name: b.name,
            description: b.description,
            privacy: b.privacy.map(String::from),
        }
    }
}

/// A section of a board.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BoardSection {
    /// Id (read only).
    #[serde(default)]
    pub id: Option<BoardSectionId>,
    /// Name (1–180 characters).
    pub name: String,
}

/// `GET /boards`: one page of the user's boards.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ListBoards {
    /// Page cursor.
    pub bookmark: Option<String>,
    /// Page size (1–250).
    pub page_size: Option<u32>,
    /// Only boards of this privacy.
    pub privacy: Option<BoardPrivacy>,
}

impl ListBoards {
    /// The first page.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the page size.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }
    /// Only boards of this privacy.
    pub fn privacy(mut self, p: BoardPrivacy) -> Self {
        self.privacy = Some(p);
        self
    }
}

impl Request for ListBoards {
    type Response = Page<Board>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        "boards".into()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = page_query(&self.bookmark, self.page_size);
        if let Some(p) = &self.privacy {
            q.push(("privacy", p.to_string()));
        }
        q
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgRead
    }
    fn decode(body: &[u8]) -> Result<Self::Response, DecodeError> {
        decode_json(body)
    }
}

impl Paginated for ListBoards {
    type Item = Board;
    fn with_bookmark(&self, bookmark: Option<String>) -> Self {
        Self {
            bookmark,
            ..self.clone()
        }
    }
}

/// `POST /boards`: creates a board. Not idempotent: never retried once sent.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CreateBoard {
    /// Name.
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Privacy (Pinterest's default is public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<BoardPrivacy>,
}

impl CreateBoard {
    /// A board with this name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            privacy: None,
        }
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
    /// Sets the privacy.
    pub fn privacy(mut self, p: BoardPrivacy) -> Self {
        self.privacy = Some(p);
        self
    }
}

impl Request for CreateBoard {
    type Response = Board;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> String {
        "boards".into()
    }
    fn body(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgWrite
    }
    fn idempotency(&self) -> Idempotency {
        Idempotency::Create
    }
    fn decode(body: &[u8]) -> Result<Board, DecodeError> {
        decode_json(body)
    }
}

/// `PATCH /boards/{board_id}`: changes name, description or privacy (public or secret).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct UpdateBoard {
    /// The board.
    #[serde(skip)]
    pub board_id: BoardId,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New privacy (`PUBLIC` or `SECRET`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<BoardPrivacy>,
}

impl UpdateBoard {
    /// An update of this board that changes nothing yet.
    pub fn new(board_id: BoardId) -> Self {
        Self {
            board_id,
            name: None,
            description: None,
            privacy: None,
        }
    }
    /// Sets the name.
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }
    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
    /// Sets the privacy.
    pub fn privacy(mut self, p: BoardPrivacy) -> Self {
        self.privacy = Some(p);
        self
    }
}

impl Request for UpdateBoard {
    type Response = Board;
    fn method(&self) -> Method {
        Method::PATCH
    }
    fn path(&self) -> String {
        format!("boards/{}", self.board_id)
    }
    fn body(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgWrite
    }
    fn decode(body: &[u8]) -> Result<Board, DecodeError> {
        decode_json(body)
    }
}

/// `GET /boards/{board_id}/sections`: one page of a board's sections.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ListBoardSections {
    /// The board.
    pub board_id: BoardId,
    /// Page cursor.
    pub bookmark: Option<String>,
    /// Page size (1–250).
    pub page_size: Option<u32>,
}

impl ListBoardSections {
    /// The first page of this board's sections.
    pub fn new(board_id: BoardId) -> Self {
        Self {
            board_id,
            bookmark: None,
            page_size: None,
        }
    }
    /// Sets the page size.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }
}

impl Request for ListBoardSections {
    type Response = Page<BoardSection>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        format!("boards/{}/sections", self.board_id)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        page_query(&self.bookmark, self.page_size)
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgRead
    }
    fn decode(body: &[u8]) -> Result<Self::Response, DecodeError> {
        decode_json(body)
    }
}

impl Paginated for ListBoardSections {
    type Item = BoardSection;
    fn with_bookmark(&self, bookmark: Option<String>) -> Self {
        Self {
            bookmark,
            ..self.clone()
        }
    }
}

/// `POST /boards/{board_id}/sections`: creates a section. Not idempotent.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CreateBoardSection {
    /// The board.
    #[serde(skip)]
    pub board_id: BoardId,
    /// Name (1–180 characters).
    pub name: String,
}

impl CreateBoardSection {
    /// A section with this name on this board.
    pub fn new(board_id: BoardId, name: impl Into<String>) -> Self {
        Self {
            board_id,
            name: name.into(),
        }
    }
}

impl Request for CreateBoardSection {
    type Response = BoardSection;
    fn method(&self) -> Method {
        Method::POST
    }
    fn path(&self) -> String {
        format!("boards/{}/sections", self.board_id)
    }
    fn body(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgWrite
    }
    fn idempotency(&self) -> Idempotency {
        Idempotency::Create
    }
    fn decode(body: &[u8]) -> Result<BoardSection, DecodeError> {
        decode_json(body)
    }
}

/// `GET /boards/{board_id}/pins`: one page of a board's pins, newest first.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ListBoardPins {
    /// The board.
    pub board_id: BoardId,
    /// Page cursor.
    pub bookmark: Option<String>,
    /// Page size (1–250).
    pub page_size: Option<u32>,
}

impl ListBoardPins {
    /// The first page of this board's pins.
    pub fn new(board_id: BoardId) -> Self {
        Self {
            board_id,
            bookmark: None,
            page_size: None,
        }
    }
    /// Sets the page size.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }
}

impl Request for ListBoardPins {
    type Response = Page<Pin>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        format!("boards/{}/pins", self.board_id)
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        page_query(&self.bookmark, self.page_size)
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgRead
    }
    fn decode(body: &[u8]) -> Result<Self::Response, DecodeError> {
        decode_json(body)
    }
}

impl Paginated for ListBoardPins {
    type Item = Pin;
    fn with_bookmark(&self, bookmark: Option<String>) -> Self {
        Self {
            bookmark,
            ..self.clone()
        }
    }
}
