//! Draft generation: turns a [`crate::ContentItem`] into original Pin drafts.
