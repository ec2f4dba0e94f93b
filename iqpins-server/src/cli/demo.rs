//! `iqpins demo`: IQ Pins with no credentials — SQLite, the Pinterest emulator, a seeded
//! sign-in and a sample shop with drafts already waiting for review.

use std::process::ExitCode;

use crate::demo::{DEMO_EMAIL, DEMO_PASSWORD, Demo};

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
    let result = rt.block_on(async {
        let demo = Demo::start(args.port, args.database).await?;
        let base = &demo.base_url;
        println!("IQ Pins demo: open {base}/ and sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}");
        println!(
            "  sample shop   {base}/shop/  (feed {base}/shop/feed.xml, catalog {base}/shop/products.csv)"
        );
        println!(
            "  Pinterest     emulator at {} (connect it under Settings)",
            demo.emulator_url
        );
        println!("  database      {}", demo.database);
        println!("Stop with Ctrl-C.");
        crate::app::ctrl_c().await;
        demo.stop().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iqpins demo: {e}");
            ExitCode::FAILURE
        }
    }
}
