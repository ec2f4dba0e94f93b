//! De-duplication: re-importing the same feed or file makes no second draft.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::domain::Draft;

use super::link::without_utm;
use super::text::fold;

/// The fingerprint of one variant: the item's [`crate::ContentItem::fingerprint`] with the
/// variant's title (folded) and image URL. The same item and variant always give the same
/// value, so a re-import is recognised.
pub fn variant_fingerprint(item_fingerprint: &str, title: &str, image_url: Option<&str>) -> String {
    let mut h = Sha256::new();
    for part in [
        item_fingerprint,
        &fold(title),
        image_url.unwrap_or_default(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// What an account already has, to recognise duplicates: draft fingerprints and
/// (link without UTM, image URL) pairs.
///
/// Link + image is compared with drafts that existed before the batch (from
/// [`Existing::from_drafts`] / [`Existing::from_parts`], or [`Existing::seal`]ed), never
/// with drafts added during the batch: the variants of one item share link and image and
/// differ in title, and must all be kept. Within a batch, fingerprints catch repeats.
#[derive(Clone, Debug, Default)]
pub struct Existing {
    fingerprints: HashSet<String>,
    link_images: HashSet<(String, String)>,
    pending: Vec<(String, String)>,
}

impl Existing {
    /// Nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// From fingerprints and (link, image URL) pairs, e.g. read from a store.
    pub fn from_parts<'a>(
        fingerprints: impl IntoIterator<Item = &'a str>,
        link_images: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut e = Self::new();
        for f in fingerprints {
            e.fingerprints.insert(f.to_owned());
        }
        for (l, i) in link_images {
            e.link_images.insert((without_utm(l), i.trim().to_owned()));
        }
        e
    }

    /// From the account's drafts.
    pub fn from_drafts(drafts: &[Draft]) -> Self {
        let mut e = Self::new();
        for d in drafts {
            e.add(
                d.fingerprint.as_deref(),
                d.content.link.as_ref().map(|l| l.as_str()),
                d.content.image.url.as_ref().map(|u| u.as_str()),
            );
        }
        e.seal();
        e
    }

    /// Whether a draft with this fingerprint, or with this link and image, exists.
    pub fn contains(
        &self,
        fingerprint: Option<&str>,
        link: Option<&str>,
        image_url: Option<&str>,
    ) -> bool {
        fingerprint.is_some_and(|f| self.fingerprints.contains(f))
            || link.zip(image_url).is_some_and(|(l, i)| {
                self.link_images
                    .contains(&(without_utm(l), i.trim().to_owned()))
            })
    }

    /// Remembers a draft of this batch: its fingerprint counts at once, its link + image
    /// from the next [`Existing::seal`].
    pub fn add(&mut self, fingerprint: Option<&str>, link: Option<&str>, image_url: Option<&str>) {
        if let Some(f) = fingerprint {
            self.fingerprints.insert(f.to_owned());
        }
        if let Some((l, i)) = link.zip(image_url) {
            self.pending.push((without_utm(l), i.trim().to_owned()));
        }
    }

    /// Ends a batch: the link + image of the drafts added so far count as existing.
    pub fn seal(&mut self) {
        self.link_images.extend(self.pending.drain(..));
    }

    /// Keeps the candidates that are new, in order, and remembers them (fingerprints at
    /// once, so repeats inside the batch are dropped too; link + image from the next
    /// [`Existing::seal`]). `key` gives a candidate's fingerprint, link and image URL.
    /// Returns the new ones and how many were dropped.
    pub fn keep_new<T>(
        &mut self,
        candidates: Vec<T>,
        key: impl Fn(&T) -> (Option<String>, Option<String>, Option<String>),
    ) -> (Vec<T>, usize) {
        let mut kept = Vec::with_capacity(candidates.len());
        let mut dropped = 0;
        for c in candidates {
            let (f, l, i) = key(&c);
            if self.contains(f.as_deref(), l.as_deref(), i.as_deref()) {
                dropped += 1;
            } else {
                self.add(f.as_deref(), l.as_deref(), i.as_deref());
                kept.push(c);
            }
        }
        (kept, dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_link_and_image_is_a_duplicate_whatever_the_utm() {
        let e = Existing::from_parts(
            [],
            [(
                "https://s.example/p?utm_source=pinterest&utm_campaign=a",
                "https://s.example/i.jpg",
            )],
        );
        assert!(e.contains(
            None,
            Some("https://s.example/p?utm_campaign=b"),
            Some("https://s.example/i.jpg")
        ));
        assert!(!e.contains(
            None,
            Some("https://s.example/p"),
            Some("https://s.example/other.jpg")
        ));
        assert!(!e.contains(None, Some("https://s.example/p"), None));
    }

    #[test]
    fn fingerprints_match_and_batches_drop_their_own_repeats() {
        let mut e = Existing::from_parts(["f1"], []);
        let (kept, dropped) = e.keep_new(vec!["f1", "f2", "f2", "f3"], |f| {
            (Some((*f).to_owned()), None, None)
        });
        assert_eq!(kept, vec!["f2", "f3"]);
        assert_eq!(dropped, 2);
    }

    #[test]
    fn variants_sharing_link_and_image_are_kept_until_the_batch_is_sealed() {
        let mut e = Existing::new();
        let link = Some("https://s.example/p?utm_source=pinterest");
        let img = Some("https://s.example/i.jpg");
        e.add(Some("v1"), link, img);
        assert!(!e.contains(Some("v2"), link, img));
        e.add(Some("v2"), link, img);
        e.seal();
        assert!(e.contains(Some("v3"), Some("https://s.example/p"), img));
    }

    #[test]
    fn variant_fingerprints_are_stable_and_differ_by_variant() {
        let a = variant_fingerprint("x", "Blue Mug", Some("https://s.example/1.jpg"));
        assert_eq!(
            a,
            variant_fingerprint(
                "x",
                "blue  mug".replace("  ", " ").as_str(),
                Some("https://s.example/1.jpg")
            )
        );
        assert_ne!(
            a,
            variant_fingerprint("x", "Blue Mug", Some("https://s.example/2.jpg"))
        );
    }
}
