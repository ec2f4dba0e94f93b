//! # iqpins-core
//!
//! The domain of IQ Pins: content items, Pin drafts and their lifecycle, the rules of
//! review and publishing, draft generation, and the ports (traits) that adapters
//! implement. Embed it through [`Engine`].
//!
//! This crate does no I/O of its own. It must never depend on axum, reqwest, sqlx, pyo3
//! or an image-I/O crate: storage, HTTP, Pinterest and rendering live in adapter crates
//! that depend on this one, never the other way round.

pub mod content;
pub mod domain;
pub mod engine;
pub mod error;
pub mod fields;
pub mod generate;
pub mod ids;
pub mod lifecycle;
pub mod memory;
pub mod ports;
#[cfg(feature = "testing")]
pub mod testing;

pub use content::{Availability, ContentItem, ContentKind, ImageRef};
pub use domain::*;
pub use engine::{Engine, ImportReport, PublishReport};
pub use error::{Error, Result};
pub use fields::{
    AltText, BoardId, BoardSectionId, Currency, Decimal, DestinationUrl, Money, PinDescription,
    PinId, PinTitle, Scope,
};
pub use ids::{AccountId, DraftId, EventId, ItemId, SourceId};
pub use lifecycle::{DraftEvent, DraftState, StateName, TransitionError, transition};
pub use ports::*;
