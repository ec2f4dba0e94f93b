//! # iqpins-server
//!
//! The reference adapter around `iqpins-core`: the web dashboard ([`web`]), the scheduler
//! worker ([`worker`]) and the `iqpins` command line ([`cli`]).
//!
//! This is where the adapters are wired together, so it may depend on every other IQ Pins
//! crate; no other crate may depend on it.

pub mod app;
pub mod cli;
pub mod demo;
pub mod render;
pub mod web;
pub mod worker;
