//! Wiring: the real adapters behind the web layer (stores, Pinterest client, SSRF-safe
//! importer), and [`serve`], which runs the dashboard and the scheduler worker together.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use iqpins_core::generate::TemplateWriter;
use iqpins_core::{Engine, SourceKind, SystemClock};
use iqpins_pinterest::{Client, ClientConfig, OAuth, OAuthConfig, PinterestApi};
use iqpins_sources::fetch::{FetchPolicy, SafeFetcher};
use secrecy::SecretString;
use tokio::sync::watch;

use crate::web::{self, AppInner, AppState, Imported, Importer, WebConfig};
use crate::worker::{self, WorkerConfig};

/// Reads sources with `iqpins-sources`: URLs through the SSRF-safe fetcher, files in memory.
pub struct SourcesImporter {
    fetcher: SafeFetcher,
}

impl SourcesImporter {
    /// An importer fetching under `policy` (the default policy refuses internal addresses).
    pub fn new(policy: FetchPolicy) -> Result<Self, iqpins_sources::Error> {
        Ok(Self {
            fetcher: SafeFetcher::with_policy(policy)?,
        })
    }
}

/// The fetch error a person sees. A refused address only says so: the fetcher's reason
/// (which names what a host resolves to) is logged, not shown, so the form cannot be used
/// to map internal DNS.
fn fetch_error(url: &str, e: iqpins_sources::Error) -> iqpins_core::Error {
    let reason = match &e {
        iqpins_sources::Error::Refused { .. } => {
            tracing::warn!(%url, error = %e, "fetch refused");
            "this address cannot be reached from IQ Pins".to_owned()
        }
        other => other.to_string(),
    };
    iqpins_core::Error::Fetch {
        url: url.to_owned(),
        reason,
    }
}

fn imported(e: iqpins_sources::Extraction) -> Imported {
    Imported {
        items: e.items,
        errors: e
            .errors
            .into_iter()
            .map(|p| match p.line {
                Some(line) => format!("line {line}: {}", p.message),
                None => p.message,
            })
            .collect(),
    }
}

#[async_trait]
impl Importer for SourcesImporter {
    async fn fetch_items(&self, kind: &SourceKind) -> iqpins_core::Result<Imported> {
        let (SourceKind::Url { url } | SourceKind::Feed { url }) = kind else {
            return Ok(Imported::default());
        };
        let fetched = self
            .fetcher
            .get(url)
            .await
            .map_err(|e| fetch_error(url, e))?;
        let mut input = iqpins_sources::Input::new(&fetched.body).name(&fetched.url);
        if let Some(ct) = fetched.content_type.as_deref() {
            input = input.content_type(ct);
        }
        Ok(imported(iqpins_sources::extract(&input)))
    }

    async fn fetch_image(&self, url: &str) -> iqpins_core::Result<Vec<u8>> {
        let fetched = self
            .fetcher
            .get_image(url)
            .await
            .map_err(|e| fetch_error(url, e))?;
        if !(200..300).contains(&fetched.status) {
            return Err(iqpins_core::Error::Fetch {
                url: url.to_owned(),
                reason: format!("HTTP {}", fetched.status),
            });
        }
        Ok(fetched.body)
    }

    fn file_items(&self, file_name: &str, bytes: &[u8]) -> Imported {
        imported(iqpins_sources::extract(
            &iqpins_sources::Input::new(bytes).name(file_name),
        ))
    }
}

/// Where Pinterest is and who we are to it.
#[derive(Clone, Debug)]
pub struct PinterestSettings {
    /// API base, ending in `/v5` (production, sandbox or the emulator).
    pub api_base: String,
    /// The host serving the consent page at `/oauth/` (`https://www.pinterest.com`).
    pub web_base: String,
    /// App id.
    pub client_id: String,
    /// App secret.
    pub client_secret: SecretString,
    /// Registered redirect URI: this server's `/oauth/callback`.
    pub redirect_uri: String,
}

/// The Pinterest port for these settings.
pub fn pinterest(s: &PinterestSettings) -> Result<PinterestApi, iqpins_pinterest::Error> {
    let client = Client::new(ClientConfig::new(&s.api_base)?)?;
    let config = if s.web_base.contains("www.pinterest.com") {
        OAuthConfig::production(
            s.client_id.clone(),
            s.client_secret.clone(),
            &s.redirect_uri,
        )?
    } else {
        OAuthConfig::for_hosts(
            s.client_id.clone(),
            s.client_secret.clone(),
            &s.redirect_uri,
            &s.web_base,
            &s.api_base,
        )?
    };
    let oauth = OAuth::new(config, client.http().clone())?;
    Ok(PinterestApi::new(client, oauth))
}

/// Everything [`serve`] needs.
pub struct ServerParts {
    /// Store behind the engine.
    pub store: Arc<dyn iqpins_core::Store>,
    /// Passwords and sessions.
    pub auth: Arc<dyn iqpins_core::AuthStore>,
    /// Pinterest.
    pub pinterest: Arc<dyn iqpins_core::Pinterest>,
    /// Importer.
    pub importer: Arc<dyn Importer>,
    /// Web settings.
    pub web: WebConfig,
    /// Worker settings.
    pub worker: WorkerConfig,
}

/// The shared state of the dashboard for these parts.
pub fn state(parts: &ServerParts) -> AppState {
    let renderer = Arc::new(
        crate::render::Renderer::new(parts.store.clone(), parts.importer.clone())
            .with_fonts(crate::render::fallback_fonts()),
    );
    let mut engine = Engine::new(
        parts.store.clone(),
        Some(parts.pinterest.clone()),
        Arc::new(SystemClock),
    );
    if crate::render::AVAILABLE {
        engine = engine.with_renderer(renderer.clone());
    }
    let engine = Arc::new(engine);
    AppState(Arc::new(AppInner {
        engine,
        store: parts.store.clone(),
        auth: parts.auth.clone(),
        importer: parts.importer.clone(),
        writer: Arc::new(TemplateWriter::new()),
        config: parts.web.clone(),
        renderer,
        sign_in_limits: web::auth::SignInLimits::default(),
    }))
}

/// Serves `router` on `listener` with the scheduler worker beside it, until `shutdown`
/// completes; then stops the worker after its current pass.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    state: &AppState,
    worker_config: WorkerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(worker::run(state.engine.clone(), worker_config, stop_rx));
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, "serving");
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = stop_tx.send(true);
    let _ = worker.await;
    result
}

/// Completes on Ctrl-C (or at once if the signal cannot be watched).
pub async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// The dashboard router for `state`.
pub fn router(state: AppState) -> axum::Router {
    web::router(state)
}
