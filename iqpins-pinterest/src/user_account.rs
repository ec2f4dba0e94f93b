//! The user behind a token: `GET /user_account` and `GET /user_account/websites`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{DecodeError, Paginated, Request, decode_json};
use crate::enums::string_enum;
use crate::limiter::RateCategory;
use crate::pagination::Page;

string_enum! {
    /// A Pinterest account's type.
    pub enum AccountType {
        /// A personal account.
        Pinner => "PINNER",
        /// A business account.
        Business => "BUSINESS",
    }
}

/// `Account` in the spec: the user behind the token.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct UserAccount {
    /// User id (digits).
    #[serde(default)]
    pub id: Option<String>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
    /// Account type.
    #[serde(default)]
    pub account_type: Option<AccountType>,
    /// Profile image URL.
    #[serde(default)]
    pub profile_image: Option<String>,
    /// Website URL.
    #[serde(default)]
    pub website_url: Option<String>,
    /// Business name.
    #[serde(default)]
    pub business_name: Option<String>,
    /// Profile "about" text.
    #[serde(default)]
    pub about: Option<String>,
    /// Boards.
    #[serde(default)]
    pub board_count: Option<i64>,
    /// Pins, created and saved.
    #[serde(default)]
    pub pin_count: Option<i64>,
    /// Followers.
    #[serde(default)]
    pub follower_count: Option<i64>,
    /// Following.
    #[serde(default)]
    pub following_count: Option<i64>,
    /// Monthly views.
    #[serde(default)]
    pub monthly_views: Option<i64>,
}

/// `UserWebsiteSummary`: a website the user verified (or tried to).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct UserWebsite {
    /// The website, domain with an optional path.
    #[serde(default)]
    pub website: Option<String>,
    /// Verification status (`success`, …).
    #[serde(default)]
    pub status: Option<String>,
    /// When it was verified (UTC, sometimes missing).
    #[serde(default)]
    pub verified_at: Option<String>,
}

/// `GET /user_account`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct GetUserAccount;

impl GetUserAccount {
    /// The request.
    pub fn new() -> Self {
        Self
    }
}

impl Request for GetUserAccount {
    type Response = UserAccount;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        "user_account".into()
    }
    fn category(&self) -> RateCategory {
        RateCategory::OrgRead
    }
    fn decode(body: &[u8]) -> Result<UserAccount, DecodeError> {
        decode_json(body)
    }
}

/// `GET /user_account/websites`: the user's verified websites, one page.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GetUserAccountWebsites {
    /// Page cursor.
    pub bookmark: Option<String>,
    /// Page size (1–250).
    pub page_size: Option<u32>,
}

impl GetUserAccountWebsites {
    /// The first page.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the page size.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }
}

impl Request for GetUserAccountWebsites {
    type Response = Page<UserWebsite>;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path(&self) -> String {
        "user_account/websites".into()
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

impl Paginated for GetUserAccountWebsites {
    type Item = UserWebsite;
    fn with_bookmark(&self, bookmark: Option<String>) -> Self {
        Self {
            bookmark,
            ..self.clone()
        }
    }
}

/// `bookmark` and `page_size` query parameters.
pub(crate) fn page_query(
    bookmark: &Option<String>,
    page_size: Option<u32>,
) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    if let Some(b) = bookmark {
        q.push(("bookmark", b.clone()));
    }
    if let Some(n) = page_size {
        q.push(("page_size", n.to_string()));
    }
    q
}
