//! `iqpins emulator`: a stateful local Pinterest (OAuth consent under `/oauth/`, the API
//! under `/v5`) for demos and tests. It prints its base URL and serves until Ctrl-C.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use iqpins_pinterest::emulator::{Emulator, EmulatorConfig, Faults};

/// The arguments of `iqpins emulator`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Port to listen on, on 127.0.0.1 only (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The app's client id.
    #[arg(long, env = "PINTEREST_CLIENT_ID")]
    pub client_id: String,
    /// The app's client secret.
    #[arg(long, env = "PINTEREST_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
    /// The app's registered redirect URI (matched exactly).
    #[arg(long, env = "PINTEREST_REDIRECT_URI")]
    pub redirect_uri: String,
    /// How many boards the emulated user already has.
    #[arg(long, default_value_t = 3)]
    pub boards: usize,
    /// Faults to inject, e.g. `error=0.1,rate_limit=0.05,drop=0.02,latency_ms=50`.
    #[arg(long, default_value = "none")]
    pub faults: Faults,
    /// Refuse analytics and websites, like Pinterest's Sandbox.
    #[arg(long)]
    pub sandbox: bool,
    /// Access token lifetime in seconds (default 30 days).
    #[arg(long)]
    pub access_token_ttl: Option<u64>,
    /// Refresh token lifetime in seconds (default 365 days).
    #[arg(long)]
    pub refresh_token_ttl: Option<u64>,
}

impl Args {
    /// The emulator configuration these arguments describe.
    pub fn config(&self) -> EmulatorConfig {
        let mut c = EmulatorConfig::new(&self.client_id, &self.client_secret, &self.redirect_uri);
        c.port = self.port;
        c.boards = self.boards;
        c.faults = self.faults;
        c.sandbox = self.sandbox;
        if let Some(s) = self.access_token_ttl {
            c.access_token_ttl = Duration::from_secs(s);
        }
        if let Some(s) = self.refresh_token_ttl {
            c.refresh_token_ttl = Duration::from_secs(s);
        }
        c
    }
}

/// Runs the emulator until Ctrl-C.
pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iqpins emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let emulator = match Emulator::start(args.config()).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!(
                    "iqpins emulator: cannot listen on 127.0.0.1:{}: {e}",
                    args.port
                );
                return ExitCode::FAILURE;
            }
        };
        println!("{}", emulator.base_url());
        let _ = std::io::stdout().flush();
        eprintln!(
            "Pinterest emulator: consent page {0}/oauth/, API {0}/v5; Ctrl-C stops it.",
            emulator.base_url()
        );
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("iqpins emulator: cannot wait for Ctrl-C: {e}");
        }
        emulator.shutdown().await;
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn emulator_arguments_become_its_configuration() {
        let cli = Cli::try_parse_from([
            "iqpins",
            "emulator",
            "--port",
            "0",
            "--client-id",
            "app",
            "--client-secret",
            "s",
            "--redirect-uri",
            "http://127.0.0.1:3000/callback",
            "--boards",
            "300",
            "--faults",
            "error=0.1,rate_limit=0.05,drop=0.02",
            "--sandbox",
        ])
        .unwrap();
        let Command::Emulator(args) = cli.command else {
            panic!("not the emulator command");
        };
        let c = args.config();
        assert_eq!(c.boards, 300);
        assert_eq!(c.redirect_uri, "http://127.0.0.1:3000/callback");
        assert_eq!(c.faults.commit_then_drop_rate, 0.02);
        assert!(c.sandbox);
    }

    #[test]
    fn a_bad_fault_spec_is_refused_with_a_reason() {
        let e = Cli::try_parse_from([
            "iqpins",
            "emulator",
            "--client-id",
            "app",
            "--client-secret",
            "s",
            "--redirect-uri",
            "http://127.0.0.1/cb",
            "--faults",
            "error=7",
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("between 0 and 1"), "{e}");
    }
}
