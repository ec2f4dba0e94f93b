//! Test support shared by every [`crate::Store`] implementation (feature `testing`).
