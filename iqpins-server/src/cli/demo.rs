//! `iqpins demo`: IQ Pins with no credentials — SQLite, the Pinterest emulator, a seeded
//! sign-in and a sample shop with drafts already waiting for review.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use iqpins_core::generate::TemplateWriter;
use iqpins_core::{SourceDefaults, SourceKind};
use iqpins_pinterest::emulator::{Emulator, EmulatorConfig};
use iqpins_sources::fetch::FetchPolicy;
use iqpins_store::TokenVault;
use secrecy::SecretString;

use crate::app::{self, PinterestSettings, ServerParts, SourcesImporter};
use crate::demo;
use crate::web::{Importer, WebConfig};
use crate::worker::WorkerConfig;

/// The demo's sign-in.
pub const DEMO_EMAIL: &str = "demo@iqpins.local";
/// The demo's password.
pub const DEMO_PASSWORD: &str = "iqpins-demo";

/// The arguments of `iqpins demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Database URL (default: a new SQLite file in the temp directory).
    #[arg(long)]
    pub database: Option<String>,
}

/// Runs the demo until Ctrl-C.
pub fn run(args: Args) -> ExitCode {
    super::init_tracing();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iqpins demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(demo(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iqpins demo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn demo(args: Args) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{}: {e} (try --port 0)",
                args.port
            )
        })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base = format!("http://{addr}");

    let database = args.database.unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("iqpins-demo-{}.db", std::process::id()));
        format!("sqlite://{}", path.display())
    });
    // A fresh key per run: the demo's tokens only need to outlive the process.
    let vault =
        TokenVault::from_base64(&TokenVault::generate_key(), &[]).map_err(|e| e.to_string())?;
    let (store, auth) = iqpins_store::open_with_auth(&database, Arc::new(vault))
        .await
        .map_err(|e| format!("cannot open {database}: {e}"))?;

    let redirect_uri = format!("{base}/oauth/callback");
    let mut emulator_config =
        EmulatorConfig::new("iqpins-demo", "iqpins-demo-secret", &redirect_uri);
    emulator_config.boards = 0;
    emulator_config.board_names = demo::BOARDS
        .iter()
        .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
        .collect();
    let emulator = Emulator::start(emulator_config)
        .await
        .map_err(|e| format!("cannot start the Pinterest emulator: {e}"))?;
    let pinterest = app::pinterest(&PinterestSettings {
        api_base: emulator.api_base_url(),
        web_base: emulator.base_url(),
        client_id: "iqpins-demo".into(),
        client_secret: SecretString::from("iqpins-demo-secret"),
        redirect_uri,
    })
    .map_err(|e| e.to_string())?;

    // The demo may fetch its own sample shop on 127.0.0.1; nothing else internal.
    let policy = FetchPolicy {
        allow: vec![
            "127.0.0.0/8"
                .parse()
                .map_err(|e: ipnet::AddrParseError| e.to_string())?,
        ],
        ports: vec![80, 443, addr.port()],
        ..FetchPolicy::default()
    };
    let importer: Arc<dyn Importer> =
        Arc::new(SourcesImporter::new(policy).map_err(|e| e.to_string())?);
    let parts = ServerParts {
        store,
        auth,
        pinterest: Arc::new(pinterest),
        importer: importer.clone(),
        web: WebConfig {
            secure_cookies: false,
            allow_signup: true,
            login_hint: Some(format!("Demo sign-in: {DEMO_EMAIL} / {DEMO_PASSWORD}")),
        },
        worker: WorkerConfig {
            idle: Duration::from_secs(2),
            ..WorkerConfig::default()
        },
    };
    let state = app::state(&parts);
    seed(&state, &base, importer.as_ref())
        .await
        .map_err(|e| format!("seeding the demo: {e}"))?;

    println!("IQ Pins demo: open {base}/ and sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!(
        "  sample shop   {base}/shop/  (feed {base}/shop/feed.xml, catalog {base}/shop/products.csv)"
    );
    println!(
        "  Pinterest     emulator at {} (connect it under Settings)",
        emulator.base_url()
    );
    println!("  database      {database}");
    println!("Stop with Ctrl-C.");
    let router = app::router(state.clone()).merge(demo::shop_router(&base));
    let served = app::serve(listener, router, &state, parts.worker).await;
    emulator.shutdown().await;
    served.map_err(|e| e.to_string())
}

/// The demo account with its websites and the sample shop's catalog and journal imported.
async fn seed(
    state: &crate::web::AppState,
    base: &str,
    importer: &dyn Importer,
) -> Result<(), String> {
    let e = &state.engine;
    let account = match crate::web::create_user(state, demo::SHOP, DEMO_EMAIL, DEMO_PASSWORD).await
    {
        Ok(a) => a,
        // A database given with --database may already have the demo account.
        Err(_) => e
            .store()
            .find_account_by_email(DEMO_EMAIL)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo account could not be created")?,
    };
    e.store()
        .set_allowed_domains(account.id, &["127.0.0.1".to_owned()])
        .await
        .map_err(|e| e.to_string())?;
    if !e
        .list_sources(account.id)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(());
    }
    let inputs = [
        (
            "Catalog (CSV)",
            SourceKind::Csv {
                file_name: "products.csv".into(),
            },
            importer.file_items(
                &format!("{base}/shop/products.csv"),
                demo::catalog_csv(base).as_bytes(),
            ),
        ),
        (
            "Journal (RSS)",
            SourceKind::Feed {
                url: format!("{base}/shop/feed.xml"),
            },
            importer.file_items(
                &format!("{base}/shop/feed.xml"),
                demo::feed(base).as_bytes(),
            ),
        ),
    ];
    for (name, kind, imported) in inputs {
        let who = account.email.as_str();
        let source = e
            .add_source(account.id, who, name, kind, SourceDefaults::default())
            .await
            .map_err(|e| e.to_string())?;
        let report = e
            .record_items(account.id, who, source.id, imported.items)
            .await
            .map_err(|e| e.to_string())?;
        e.generate_drafts(
            account.id,
            who,
            source.id,
            &report.new,
            &TemplateWriter::new(),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}
