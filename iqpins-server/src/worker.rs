//! The scheduler worker: publishes due drafts in a loop until told to stop. Several
//! workers (in one process or in several instances over Postgres) may run at once: the
//! store's leases give every draft to exactly one of them.

use std::sync::Arc;
use std::time::Duration;

use iqpins_core::Engine;
use tokio::sync::watch;

/// How the worker runs.
#[derive(Clone, Copy, Debug)]
pub struct WorkerConfig {
    /// Pause between passes when nothing was due.
    pub idle: Duration,
    /// Lease a worker holds on a claimed draft.
    pub lease: Duration,
    /// Drafts per pass.
    pub batch: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            batch: 20,
        }
    }
}

/// Runs passes of [`Engine::publish_due`] until `stop` turns true. A failing pass (store
/// unavailable) is logged and retried after the idle pause; nothing is lost because
/// claimed drafts are reclaimed when their lease ends.
pub async fn run(engine: Arc<Engine>, config: WorkerConfig, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let pause = match engine.publish_due(config.lease, config.batch).await {
            Ok(done) if !done.is_empty() => {
                tracing::info!(drafts = done.len(), "publishing pass");
                Duration::ZERO
            }
            Ok(_) => config.idle,
            Err(e) => {
                tracing::error!(error = %e, "publishing pass failed");
                config.idle
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}
