//! The `iqpins` command line. Each subcommand lives in its own module with an `Args`
//! struct and a `run` function returning an exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod draft;
pub mod emulator;

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
    /// Draft Pins from pages, feeds or CSV files (local or http/https) and print them.
    Draft(draft::Args),
    /// Run a local Pinterest emulator (OAuth consent page and the v5 API) until Ctrl-C.
    Emulator(emulator::Args),
    /// Print the crate versions and what this build contains.
    Version,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Draft(args) => draft::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Version => {
            println!("iqpins {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
