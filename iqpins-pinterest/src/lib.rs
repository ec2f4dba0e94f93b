//! # iqpins-pinterest
//!
//! IQ Pins' typed Pinterest API v5 client with OAuth, and a local Pinterest emulator
//! (feature `emulator`).
//!
//! - Requests are values ([`GetUserAccount`], [`ListBoards`], [`CreatePin`], …) sent with
//!   [`Client::send`]; lists are streams ([`Client::paginate`]) that stop on a missing,
//!   empty or repeated bookmark.
//! - One error type, [`Error`], keeps Pinterest's status, code, message and request id, and
//!   on a decode failure the JSON path and the raw body.
//! - Retries follow a [`RetryPolicy`] whose decision function is pure; creates are never
//!   retried once they may have been sent ([`Error::OutcomeUnknown`]).
//! - A [`Limiter`] per Pinterest account and rate-limit category.
//! - [`OAuth`] (consent URL, code exchange, refresh with rotation) and [`Session`]
//!   (refresh ahead of expiry, one refresh and one retry on 401).
//! - [`PinterestApi`] implements core's `Pinterest` port.

pub mod analytics;
pub mod boards;
pub mod client;
mod enums;
pub mod error;
pub mod limiter;
pub mod oauth;
pub mod pagination;
pub mod pins;
pub mod port;
pub mod retry;
pub mod time;
pub mod user_account;

#[cfg(feature = "emulator")]
pub mod emulator;

pub use analytics::{
    AnalyticsReport, DailyMetrics, DataStatus, GetPinAnalytics, GetUserAccountAnalytics,
    MetricType, MetricsReport,
};
pub use boards::{
    Board, BoardOwner, BoardPrivacy, BoardSection, CreateBoard, CreateBoardSection, ListBoardPins,
    ListBoardSections, ListBoards, UpdateBoard,
};
pub use client::{
    Auth, Client, ClientConfig, DecodeError, PRODUCTION_API, Paginated, Request, SANDBOX_API,
};
pub use error::{ApiError, Error, Result};
pub use limiter::{Limiter, RateCategory, RateLimits};
pub use oauth::{OAuth, OAuthConfig, Session};
pub use pagination::{MAX_PAGE_SIZE, Page};
pub use pins::{
    CreatePin, CreativeType, DeletePin, GetPin, ImageContentType, MediaSource, MediaType, Pin,
};
pub use port::PinterestApi;
pub use retry::{Attempt, Decision, Idempotency, RetryPolicy};
pub use user_account::{
    AccountType, GetUserAccount, GetUserAccountWebsites, UserAccount, UserWebsite,
};
