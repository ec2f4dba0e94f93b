//! Draft generation: turns a [`crate::ContentItem`] into original Pin drafts.
//!
//! Everything here is pure and deterministic: the same item, context and boards always
//! give byte-identical drafts. The pieces:
//!
//! - [`TemplateWriter`], the default [`CopyWriter`]: title, description, alt text, link and
//!   image per variant ([`writer`]);
//! - [`rank_images`] ([`image`]), [`BoardIndex`] ([`board`]), UTM links ([`link`]);
//! - [`Existing`] for de-duplication against the account's drafts ([`dedup`]);
//! - [`readiness()`] for approval ([`checks`]);
//! - [`pinterest_bulk_csv`] for Pinterest's bulk-create CSV ([`export`]);
//! - [`generate`], which puts them together.

pub mod board;
pub mod checks;
pub mod dedup;
pub mod export;
pub mod image;
pub mod link;
pub mod text;
pub mod writer;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use board::{BoardChoice, BoardIndex, BoardSuggestion, choose_board};
pub use checks::{Reason, readiness};
pub use dedup::{Existing, variant_fingerprint};
pub use export::{CsvExport, PinRow, pinterest_bulk_csv};
pub use image::{RankedImage, rank_images};
pub use writer::{NEEDS_IMAGE, NEEDS_LINK, TemplateWriter, keywords};

use crate::content::ContentItem;
use crate::domain::{Draft, DraftContent, DraftImage, Source, SourceDefaults};
use crate::error::Result;
use crate::ids::{AccountId, ItemId, SourceId};
use crate::ports::{CopyWriter, WriteContext};

/// Hashtags per description unless configured otherwise.
pub const DEFAULT_MAX_HASHTAGS: u8 = 3;

/// The flag a draft gets when no board was chosen or suggested.
pub const NEEDS_BOARD: &str = "needs board";

impl WriteContext {
    /// The context for drafts of a source: its name (the `utm_campaign`), UTM parameters
    /// and variant count, with [`DEFAULT_MAX_HASHTAGS`].
    pub fn for_source(source: &Source) -> Self {
        Self::from_defaults(&source.name, &source.defaults)
    }

    /// The context from a source name and its defaults.
    pub fn from_defaults(source_name: &str, defaults: &SourceDefaults) -> Self {
        Self {
            source_name: source_name.to_owned(),
            utm: defaults.utm.clone(),
            variants: defaults.variants.max(1),
            max_hashtags: DEFAULT_MAX_HASHTAGS,
        }
    }
}

/// One generated draft, before it is stored.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct GeneratedDraft {
    /// The draft's content (board set from the rule, default or confident suggestion).
    pub content: DraftContent,
    /// The board choice with its confidence, when there is one.
    pub board: Option<BoardSuggestion>,
    /// Plain keywords of the item (for the bulk CSV's Keywords column).
    pub keywords: Vec<String>,
    /// Problems found at generation (`needs image`, `needs board`, …).
    pub flags: Vec<String>,
    /// [`variant_fingerprint`] of this draft.
    pub fingerprint: String,
    /// [`ContentItem::fingerprint`] of the item.
    pub item_fingerprint: String,
    /// 0 for the first variant of the item, 1 for the second, …
    pub variant: u8,
}

impl GeneratedDraft {
    /// A pending [`Draft`] with this content, flags and fingerprint.
    pub fn into_draft(
        self,
        account: AccountId,
        source: Option<SourceId>,
        item: Option<ItemId>,
        now: DateTime<Utc>,
    ) -> Draft {
        let mut d = Draft::new(account, self.content, now);
        d.source_id = source;
        d.item_id = item;
        d.flags = self.flags;
        d.fingerprint = Some(self.fingerprint);
        d
    }

    /// The draft as a bulk-CSV row; `board_name` overrides the chosen board's name.
    pub fn pin_row(&self, board_name: Option<&str>) -> PinRow {
        PinRow {
            title: self.content.title.as_str().to_owned(),
            media_url: self
                .content
                .image
                .url
                .as_ref()
                .map(|u| u.as_str().to_owned()),
            board: board_name
                .map(str::to_owned)
                .or_else(|| self.board.as_ref().map(|b| b.name.clone())),
            thumbnail: None,
            description: self.content.description.as_str().to_owned(),
            link: self.content.link.as_ref().map(|l| l.as_str().to_owned()),
            publish_date: None,
            keywords: self.keywords.clone(),
        }
    }
}

/// Writes the item's variants with `writer` and chooses a board for them (source rule,
/// source default, or a confident suggestion from `boards`). Deterministic.
///
/// Fails only when the writer does (an item with nothing to make a title from).
pub fn generate(
    writer: &dyn CopyWriter,
    item: &ContentItem,
    ctx: &WriteContext,
    boards: &BoardIndex,
    defaults: &SourceDefaults,
) -> Result<Vec<GeneratedDraft>> {
    let copies = writer.write(item, ctx)?;
    let board = boards.choose(item, defaults);
    let item_fingerprint = item.fingerprint();
    let kws = keywords(item);
    Ok(copies
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut flags = c.flags;
            if board.is_none() {
                flags.push(NEEDS_BOARD.to_owned());
            }
            GeneratedDraft {
                fingerprint: variant_fingerprint(
                    &item_fingerprint,
                    c.title.as_str(),
                    c.image_url.as_ref().map(|u| u.as_str()),
                ),
                content: DraftContent {
                    title: c.title,
                    description: c.description,
                    alt_text: c.alt_text,
                    link: c.link,
                    image: DraftImage {
                        url: c.image_url,
                        creative: None,
                        send: crate::ImageSend::Photo,
                    },
                    board: board.as_ref().map(|b| b.id.clone()),
                    section: None,
                },
                board: board.clone(),
                keywords: kws.clone(),
                flags,
                item_fingerprint: item_fingerprint.clone(),
                variant: u8::try_from(i).unwrap_or(u8::MAX),
            }
        })
        .collect())
}

/// [`generate`] for many items, de-duplicated against `existing` and against the drafts
/// of earlier items in `items` (by fingerprint, and by link + image across items). Items the writer refuses are returned with their error, by index, instead of
/// stopping the batch.
pub fn generate_all(
    writer: &dyn CopyWriter,
    items: &[ContentItem],
    ctx: &WriteContext,
    boards: &BoardIndex,
    defaults: &SourceDefaults,
    existing: &mut Existing,
) -> (Vec<GeneratedDraft>, Vec<(usize, crate::Error)>) {
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match generate(writer, item, ctx, boards, defaults) {
            Ok(d) => {
                let (kept, _) = existing.keep_new(d, |d| {
                    (
                        Some(d.fingerprint.clone()),
                        d.content.link.as_ref().map(|l| l.as_str().to_owned()),
                        d.content.image.url.as_ref().map(|u| u.as_str().to_owned()),
                    )
                });
                drafts.extend(kept);
            }
            Err(e) => errors.push((i, e)),
        }
        // The next item's drafts are compared with this one's link + image too.
        existing.seal();
    }
    (drafts, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ImageRef;

    fn item(n: u32) -> ContentItem {
        ContentItem {
            url: Some(format!("https://shop.example/p/{n}")),
            title: Some(format!("Mug number {n}")),
            images: vec![ImageRef::new(format!("https://shop.example/{n}.jpg"))],
            ..Default::default()
        }
    }

    #[test]
    fn re_importing_the_same_items_creates_no_new_drafts() {
        let ctx = WriteContext::from_defaults("Feed", &SourceDefaults::default());
        let boards = BoardIndex::new(&[]);
        let defaults = SourceDefaults::default();
        let items = vec![item(1), item(2), item(1)];
        let mut existing = Existing::new();
        let (first, errs) = generate_all(
            &TemplateWriter,
            &items,
            &ctx,
            &boards,
            &defaults,
            &mut existing,
        );
        assert!(errs.is_empty());
        assert_eq!(first.len(), 2);
        let drafts: Vec<Draft> = first
            .into_iter()
            .map(|g| g.into_draft(AccountId::new(), None, None, Utc::now()))
            .collect();
        let mut from_store = Existing::from_drafts(&drafts);
        let (second, _) = generate_all(
            &TemplateWriter,
            &items,
            &ctx,
            &boards,
            &defaults,
            &mut from_store,
        );
        assert!(second.is_empty());
    }

    #[test]
    fn variants_of_one_item_sharing_link_and_image_are_all_kept() {
        let defaults = SourceDefaults {
            variants: 3,
            ..SourceDefaults::default()
        };
        let ctx = WriteContext::from_defaults("Feed", &defaults);
        let mut it = item(1);
        it.price = Some(crate::fields::Money::new("5", "EUR").unwrap());
        it.brand = Some("Acme".into());
        let mut existing = Existing::new();
        let (drafts, _) = generate_all(
            &TemplateWriter,
            &[it.clone()],
            &ctx,
            &BoardIndex::new(&[]),
            &defaults,
            &mut existing,
        );
        assert_eq!(drafts.len(), 3);
        let (again, _) = generate_all(
            &TemplateWriter,
            &[it],
            &ctx,
            &BoardIndex::new(&[]),
            &defaults,
            &mut existing,
        );
        assert!(again.is_empty());
    }

    #[test]
    fn a_draft_without_a_board_is_flagged() {
        let ctx = WriteContext::from_defaults("Feed", &SourceDefaults::default());
        let g = generate(
            &TemplateWriter,
            &item(1),
            &ctx,
            &BoardIndex::new(&[]),
            &SourceDefaults::default(),
        )
        .unwrap();
        assert_eq!(g[0].flags, vec![NEEDS_BOARD.to_owned()]);
        assert_eq!(
            g[0].content.link.as_ref().unwrap().as_str(),
            "https://shop.example/p/1?utm_source=pinterest&utm_medium=social&utm_campaign=Feed"
        );
    }
}
