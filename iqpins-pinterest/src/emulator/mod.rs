//! A stateful local Pinterest for the demo and for tests (feature `emulator`).
//!
//! It lays its paths out like the real hosts: the consent page under `/oauth/` and the
//! API under `/v5` (`/v5/oauth/token`, `/v5/user_account`, `/v5/boards`, `/v5/pins`, …).
//! OAuth is real enough to exercise a client: the consent page is an HTML form with Allow
//! and Deny, the redirect URI must match exactly, codes are single-use and expire, access
//! tokens expire, refresh tokens rotate, and the token endpoint checks HTTP Basic client
//! authentication. Image URLs of pins are stored, never fetched.
//!
//! Configurable: rate limits per category (429 with `Retry-After`), faults (random 5xx and
//! 429, latency, and "commit the pin, then drop the answer"), token lifetimes, and sandbox
//! mode, which refuses analytics and websites like the real Sandbox.

mod api;
mod consent;
mod world;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, patch, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use world::Stats;
use world::World;

/// Requests allowed per window in each rate-limit category (`None` = unlimited).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EmulatorRateLimits {
    /// `org_read` requests per window.
    pub org_read: Option<u32>,
    /// `org_write` requests per window.
    pub org_write: Option<u32>,
    /// `org_analytics` requests per window.
    pub org_analytics: Option<u32>,
    /// The window.
    pub window: Duration,
}

impl Default for EmulatorRateLimits {
    fn default() -> Self {
        Self {
            org_read: None,
            org_write: None,
            org_analytics: None,
            window: Duration::from_secs(1),
        }
    }
}

/// Faults injected into API answers (not into the OAuth endpoints).
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub struct Faults {
    /// Share of API requests answered with a 5xx before doing anything.
    pub error_rate: f64,
    /// Share of API requests answered 429 before doing anything.
    pub rate_limit_rate: f64,
    /// Share of `POST /pins` that create the pin and then drop the answer.
    pub commit_then_drop_rate: f64,
    /// Delay before every API answer.
    pub latency: Duration,
}

impl FromStr for Faults {
    type Err = String;

    /// Parses `error=0.1,rate_limit=0.05,drop=0.02,latency_ms=20` (any subset; `none` for
    /// no faults).
    fn from_str(s: &str) -> Result<Self, String> {
        let mut f = Faults::default();
        for part in s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "none")
        {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected name=value"))?;
            let rate = || -> Result<f64, String> {
                let r: f64 = v
                    .parse()
                    .map_err(|_| format!("{k}: {v:?} is not a number"))?;
                if (0.0..=1.0).contains(&r) {
                    Ok(r)
                } else {
                    Err(format!("{k}: {r} is not between 0 and 1"))
                }
            };
            match k {
                "error" | "errors" | "5xx" => f.error_rate = rate()?,
                "rate_limit" | "429" => f.rate_limit_rate = rate()?,
                "drop" | "commit_then_drop" => f.commit_then_drop_rate = rate()?,
                "latency_ms" => {
                    f.latency = Duration::from_millis(
                        v.parse()
                            .map_err(|_| format!("latency_ms: {v:?} is not a number"))?,
                    )
                }
                other => {
                    return Err(format!(
                        "unknown fault {other:?}; expected error, rate_limit, drop or latency_ms"
                    ));
                }
            }
        }
        Ok(f)
    }
}

/// How the emulator behaves. `Debug` does not show the client secret.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The one registered app's id.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Its registered redirect URI (matched exactly).
    pub redirect_uri: String,
    /// Port to bind on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Boards the user already has (named "Board 1", "Board 2", …).
    pub boards: usize,
    /// Further boards the user already has, by name and description (for demos).
    pub board_names: Vec<(String, String)>,
    /// The user's username.
    pub username: String,
    /// Authorization code lifetime.
    pub code_ttl: Duration,
    /// Access token lifetime.
    pub access_token_ttl: Duration,
    /// Refresh token lifetime.
    pub refresh_token_ttl: Duration,
    /// Rate limits per category.
    pub rate_limits: EmulatorRateLimits,
    /// Faults.
    pub faults: Faults,
    /// Refuse what the real Sandbox refuses (analytics, websites).
    pub sandbox: bool,
    /// Seed of the fault dice and ids, for repeatable runs.
    pub seed: u64,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .field("port", &self.port)
            .field("boards", &self.boards)
            .field("username", &self.username)
            .field("code_ttl", &self.code_ttl)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("rate_limits", &self.rate_limits)
            .field("faults", &self.faults)
            .field("sandbox", &self.sandbox)
            .field("seed", &self.seed)
            .finish()
    }
}

impl EmulatorConfig {
    /// An emulator for one app, with three boards, Pinterest's usual token lifetimes
    /// (30 days access, 365 days refresh, 10 minutes for codes) and no faults.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            port: 0,
            boards: 3,
            board_names: Vec::new(),
            username: "iqpins_demo".into(),
            code_ttl: Duration::from_secs(600),
            access_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_token_ttl: Duration::from_secs(365 * 24 * 3600),
            rate_limits: EmulatorRateLimits::default(),
            faults: Faults::default(),
            sandbox: false,
            seed: 7,
        }
    }
}

/// The emulator's shared state; clone it into [`router`].
#[derive(Clone)]
pub struct EmulatorState {
    inner: Arc<Inner>,
}

struct Inner {
    config: EmulatorConfig,
    world: Mutex<World>,
}

impl std::fmt::Debug for EmulatorState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorState")
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

impl EmulatorState {
    /// A fresh world for this configuration.
    pub fn new(config: EmulatorConfig) -> Self {
        let world = World::new(&config);
        Self {
            inner: Arc::new(Inner {
                config,
                world: Mutex::new(world),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.inner
            .world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What happened so far (request counts, creates, injected faults).
    pub fn stats(&self) -> Stats {
        self.world().stats.clone()
    }

    /// Expires every access token now (to exercise refresh on 401).
    pub fn expire_access_tokens(&self) {
        self.world().expire_access_tokens();
    }

    /// Invalidates every refresh token now (to exercise "reconnect needed").
    pub fn revoke_refresh_tokens(&self) {
        self.world().revoke_refresh_tokens();
    }

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.world().faults = faults;
    }
}

/// The emulator's routes: `/oauth/` (consent) and `/v5/…` (API), for embedding in another
/// axum app (the demo server) or serving alone.
pub fn router(state: EmulatorState) -> Router {
    let v5 = Router::new()
        .route("/oauth/token", post(api::token))
        .route("/user_account", get(api::user_account))
        .route("/user_account/websites", get(api::websites))
        .route("/user_account/analytics", get(api::account_analytics))
        .route("/boards", get(api::list_boards).post(api::create_board))
        .route(
            "/boards/{board_id}",
            patch(api::update_board).get(api::get_board),
        )
        .route(
            "/boards/{board_id}/sections",
            get(api::list_sections).post(api::create_section),
        )
        .route("/boards/{board_id}/pins", get(api::list_board_pins))
        .route("/pins", post(api::create_pin).get(api::list_pins))
        .route("/pins/{pin_id}", get(api::get_pin).delete(api::delete_pin))
        .route("/pins/{pin_id}/analytics", get(api::pin_analytics))
        .fallback(api::not_found);
    Router::new()
        .route("/oauth/", get(consent::page).post(consent::decide))
        .nest("/v5", v5)
        .layer(axum::middleware::map_response(api::add_request_id))
        .with_state(state)
}

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    state: EmulatorState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `127.0.0.1:{config.port}` and serves in the background.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = EmulatorState::new(config);
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the Pinterest emulator stopped");
            }
        });
        Ok(Self {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the consent page is at `{base_url}/oauth/`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v5`: the API base for [`crate::ClientConfig::new`].
    pub fn api_base_url(&self) -> String {
        format!("{}/v5", self.base_url())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (stats, test controls).
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_parse_and_bad_ones_are_explained() {
        let f: Faults = "error=0.1, rate_limit=0.05,drop=0.02,latency_ms=5"
            .parse()
            .unwrap();
        assert_eq!(f.error_rate, 0.1);
        assert_eq!(f.rate_limit_rate, 0.05);
        assert_eq!(f.commit_then_drop_rate, 0.02);
        assert_eq!(f.latency, Duration::from_millis(5));
        assert_eq!("none".parse::<Faults>().unwrap(), Faults::default());
        assert!(
            "error=2"
                .parse::<Faults>()
                .unwrap_err()
                .contains("between 0 and 1")
        );
        assert!(
            "boom=1"
                .parse::<Faults>()
                .unwrap_err()
                .contains("unknown fault")
        );
    }
}
