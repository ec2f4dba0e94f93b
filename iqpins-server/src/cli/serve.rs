//! `iqpins serve`: the dashboard and the scheduler worker against a real database and
//! Pinterest (production, sandbox or an emulator), configured from the environment.

use std::process::ExitCode;
use std::sync::Arc;

use iqpins_sources::fetch::FetchPolicy;
use iqpins_store::TokenVault;
use secrecy::SecretString;

use crate::app::{self, PinterestSettings, ServerParts, SourcesImporter};
use crate::web::WebConfig;
use crate::worker::WorkerConfig;

/// The arguments of `iqpins serve` (each also read from its environment variable).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "IQPINS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// `sqlite://path` or `postgres://…`.
    #[arg(
        long,
        env = "IQPINS_DATABASE_URL",
        default_value = "sqlite://iqpins.db"
    )]
    pub database_url: String,
    /// The address people use to reach this server (`https://pins.example.com`); cookies
    /// are marked `Secure` when it is https.
    #[arg(long, env = "IQPINS_PUBLIC_URL")]
    pub public_url: String,
    /// Your Pinterest app's id.
    #[arg(long, env = "PINTEREST_CLIENT_ID")]
    pub client_id: String,
    /// Your Pinterest app's secret.
    #[arg(long, env = "PINTEREST_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// The redirect URI registered with Pinterest (default: PUBLIC_URL/oauth/callback).
    #[arg(long, env = "PINTEREST_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// Pinterest API base (production, `https://api-sandbox.pinterest.com/v5`, or an emulator's).
    #[arg(
        long,
        env = "PINTEREST_API_BASE",
        default_value = "https://api.pinterest.com/v5"
    )]
    pub api_base: String,
    /// Host of the OAuth consent page.
    #[arg(
        long,
        env = "PINTEREST_WEB_BASE",
        default_value = "https://www.pinterest.com"
    )]
    pub web_base: String,
    /// Let anyone create an account at /signup.
    #[arg(long, env = "IQPINS_ALLOW_SIGNUP", default_value_t = false)]
    pub allow_signup: bool,
}

/// Runs the server until Ctrl-C.
pub fn run(args: Args) -> ExitCode {
    super::init_tracing();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iqpins serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iqpins serve: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let vault = TokenVault::from_env().map_err(|e| e.to_string())?;
    let (store, auth) = iqpins_store::open_with_auth(&args.database_url, Arc::new(vault))
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let public = args.public_url.trim_end_matches('/').to_owned();
    let pinterest = app::pinterest(&PinterestSettings {
        api_base: args.api_base,
        web_base: args.web_base,
        client_id: args.client_id,
        client_secret: SecretString::from(args.client_secret),
        redirect_uri: args
            .redirect_uri
            .unwrap_or_else(|| format!("{public}/oauth/callback")),
    })
    .map_err(|e| e.to_string())?;
    let parts = ServerParts {
        store,
        auth,
        pinterest: Arc::new(pinterest),
        importer: Arc::new(
            SourcesImporter::new(FetchPolicy::default()).map_err(|e| e.to_string())?,
        ),
        web: WebConfig {
            secure_cookies: public.starts_with("https://"),
            allow_signup: args.allow_signup,
            login_hint: None,
        },
        worker: WorkerConfig::default(),
    };
    let state = app::state(&parts);
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    println!("IQ Pins on {public} (listening on {})", args.bind);
    app::serve(
        listener,
        app::router(state.clone()),
        &state,
        parts.worker,
        app::ctrl_c(),
    )
    .await
    .map_err(|e| e.to_string())
}
