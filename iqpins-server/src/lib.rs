//! # iqpins-server
//!
//! The reference adapter around `iqpins-core`: the `iqpins` command line (and, as it
//! grows, the axum web dashboard, the JSON API and the scheduler worker).
//!
//! This is where the adapters are wired together, so it may depend on every other IQ Pins
//! crate; no other crate may depend on it.

pub mod cli;
