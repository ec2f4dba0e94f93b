//! The `iqpins` command line. Each subcommand lives in its own module with an `Args`
//! struct and a `run` function returning an exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod demo;
pub mod draft;
pub mod emulator;
pub mod extract;
pub mod serve;

/// IQ Pins: turn your own pages, feeds and product files into Pinterest Pin drafts.
#[derive(Debug, Parser)]
#[command(name = "iqpins", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run IQ Pins locally with no credentials: SQLite, the Pinterest emulator, a demo
    /// sign-in and a sample shop, at http://127.0.0.1:8080/.
    Demo(demo::Args),
    /// Run the dashboard and the publishing worker (configured from the environment).
    Serve(serve::Args),
    /// Draft Pins from pages, feeds or CSV files (local or http/https) and print them.
    Draft(draft::Args),
    /// Run a local Pinterest emulator (OAuth consent page and the v5 API) until Ctrl-C.
    Emulator(emulator::Args),
    /// Detect each input's kind (page, feed, CSV), extract its items, print JSON.
    Extract(extract::Args),
    /// Print the crate versions and what this build contains.
    Version,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Draft(args) => draft::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Version => {
            println!("iqpins {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}

/// Structured logs on stderr, filtered by `RUST_LOG` (default `info`). Tokens are never
/// logged: they only travel in secrecy types.
pub(crate) fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
