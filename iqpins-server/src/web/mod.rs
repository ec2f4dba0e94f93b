//! The web dashboard: server-rendered pages (askama) over the [`Engine`], working without
//! JavaScript. Sign-in with Argon2id passwords and database sessions, a CSRF token on
//! every form plus an Origin / `Sec-Fetch-Site` check, per-account isolation on every
//! route (every lookup goes through the signed-in account).

pub mod auth;
pub mod error;
mod pages;

pub use pages::create_user;

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::routing::{get, post};
use iqpins_core::{AuthStore, ContentItem, CopyWriter, Engine, SourceKind, Store};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Items read from a source, and what could not be read (row errors, skipped entries).
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// The items.
    pub items: Vec<ContentItem>,
    /// One message per problem, with its line or entry where known.
    pub errors: Vec<String>,
}

/// Reads a source's content: fetches pages and feeds (SSRF-safe in production) and
/// parses uploaded files. Implemented with `iqpins-sources` by the server's wiring.
#[async_trait]
pub trait Importer: Send + Sync {
    /// Fetches and extracts a URL or feed source.
    async fn fetch_items(&self, kind: &SourceKind) -> Result<Imported, iqpins_core::Error>;
    /// Extracts an uploaded CSV/TSV file.
    fn file_items(&self, file_name: &str, bytes: &[u8]) -> Imported;
    /// Fetches an image of a draft (for the creative preview), under the same rules.
    async fn fetch_image(&self, url: &str) -> Result<Vec<u8>, iqpins_core::Error>;
}

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Add `Secure` to cookies (on for https deployments, off for the local demo).
    pub secure_cookies: bool,
    /// Whether anyone may create an account at `/signup`.
    pub allow_signup: bool,
    /// Shown on the sign-in page (the demo's credentials), if any.
    pub login_hint: Option<String>,
}

/// What handlers share.
pub struct AppInner {
    /// The workflow.
    pub engine: Arc<Engine>,
    /// The store behind the engine (read-only views use it directly).
    pub store: Arc<dyn Store>,
    /// Passwords and sessions.
    pub auth: Arc<dyn AuthStore>,
    /// Reads sources.
    pub importer: Arc<dyn Importer>,
    /// Writes draft text.
    pub writer: Arc<dyn CopyWriter>,
    /// Settings.
    pub config: WebConfig,
    /// Renders (and caches) creatives for the preview; the engine publishes with it too.
    pub renderer: Arc<crate::render::Renderer>,
    /// Sign-in and sign-up attempt limits.
    pub sign_in_limits: auth::SignInLimits,
}

/// Cheaply clonable handle on [`AppInner`].
#[derive(Clone)]
pub struct AppState(pub Arc<AppInner>);

impl std::ops::Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// Largest form body (every route but the upload).
pub const MAX_FORM: usize = 64 * 1024;
/// Largest uploaded file.
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

/// The dashboard's routes with their security layers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/signup", get(pages::signup_page).post(pages::signup))
        .route("/logout", post(pages::logout))
        .route("/drafts", get(pages::drafts))
        .route("/drafts/{id}", post(pages::draft_action))
        .route("/drafts/{id}/creative.jpg", get(pages::creative))
        .route("/sources", get(pages::sources).post(pages::add_source))
        .route(
            "/sources/upload",
            post(pages::upload_source).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/settings", get(pages::settings))
        .route("/settings/domains", post(pages::set_domains))
        .route("/connect", post(pages::connect))
        .route("/oauth/callback", get(pages::oauth_callback))
        .route("/disconnect", post(pages::disconnect))
        .route("/boards/sync", post(pages::sync_boards))
        .route("/analytics", get(pages::analytics))
        .route("/analytics/sync", post(pages::sync_analytics))
        .route("/audit", get(pages::audit))
        .route("/healthz", get(|| async { "ok" }))
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::X_FRAME_OPTIONS,
            axum::http::HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
        .with_state(state)
}
