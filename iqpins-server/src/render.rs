//! The creative renderer the engine publishes with and the review page previews: the
//! draft's photo (fetched under the importer's rules), its title, the item's price and the
//! link's domain, drawn by `iqpins-creative` into a 1000×1500 JPEG.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use iqpins_core::{
    CreativeRenderer, Draft, DraftContent, DraftId, Error, Money, RenderedImage, Store,
};

use crate::web::Importer;

/// Whether this build renders creatives (the `creative` feature, on by default).
pub const AVAILABLE: bool = cfg!(feature = "creative");

/// What a creative shows besides the photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreativeText {
    /// The title, drawn in the band (at most 3 lines).
    pub title: String,
    /// The price badge, e.g. `€24.00` (none for a zero or unknown price).
    pub price: Option<String>,
    /// The footer: the link's host without `www.`.
    pub domain: Option<String>,
}

impl CreativeText {
    /// The text of a draft's creative, with its item's price if known.
    pub fn of(content: &DraftContent, price: Option<&Money>) -> Self {
        Self {
            title: content.title.as_str().to_owned(),
            price: price.filter(|p| !p.amount().is_zero()).map(Money::display),
            domain: content
                .link
                .as_ref()
                .map(|l| l.host().trim_start_matches("www.").to_owned()),
        }
    }
}

/// Renders the 1000×1500 JPEG creative of `photo` (JPEG, PNG or WebP bytes) with `text`.
/// A photo that cannot be decoded or rendered, or a build without the `creative` feature,
/// gives an error in words a reviewer understands.
pub fn render_jpeg(photo: &[u8], text: &CreativeText) -> Result<Vec<u8>, String> {
    #[cfg(feature = "creative")]
    {
        let mut spec = iqpins_creative::CreativeSpec::new(&text.title);
        spec.price.clone_from(&text.price);
        spec.domain.clone_from(&text.domain);
        iqpins_creative::render(photo, &spec).map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "creative"))]
    {
        let _ = (photo, text);
        Err("this build of IQ Pins renders no creatives (the `creative` feature is off)".into())
    }
}

/// A creative's cache key: the draft and its revision (an edit makes a new one).
type Key = (DraftId, u32);

/// Renders drafts' creatives and keeps the last few, so the review page and a publish
/// right after it do not render the same revision twice.
pub struct Renderer {
    store: Arc<dyn Store>,
    importer: Arc<dyn Importer>,
    cache: Mutex<HashMap<Key, Arc<Vec<u8>>>>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

impl Renderer {
    /// Entries kept at most; the cache starts over when full.
    pub const MAX_CACHED: usize = 256;

    /// A renderer reading items from `store` and photos through `importer`.
    pub fn new(store: Arc<dyn Store>, importer: Arc<dyn Importer>) -> Self {
        Self {
            store,
            importer,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The JPEG creative of the draft's current revision.
    ///
    /// Errors: [`Error::Fetch`] when the photo cannot be fetched, [`Error::Invalid`]
    /// (field `image`) when the draft has no photo or the photo cannot be rendered.
    pub async fn jpeg(&self, d: &Draft) -> Result<Arc<Vec<u8>>, Error> {
        let key = (d.id, d.revision);
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let url = d
            .content
            .image
            .url
            .as_ref()
            .ok_or_else(|| Error::invalid("image", "the draft has no photo to render from"))?;
        let photo = self.importer.fetch_image(url.as_str()).await?;
        let price = match d.item_id {
            Some(item) => self
                .store
                .list_items(d.account_id, d.source_id)
                .await?
                .into_iter()
                .find(|i| i.id == item)
                .and_then(|i| i.item.price),
            None => None,
        };
        let text = CreativeText::of(&d.content, price.as_ref());
        let rendered = tokio::task::spawn_blocking(move || render_jpeg(&photo, &text))
            .await
            .map_err(|e| Error::invalid("image", format!("the renderer stopped: {e}")))?
            .map_err(|e| Error::invalid("image", e))?;
        let rendered = Arc::new(rendered);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= Self::MAX_CACHED {
                c.clear();
            }
            c.insert(key, rendered.clone());
        }
        Ok(rendered)
    }
}

#[async_trait]
impl CreativeRenderer for Renderer {
    async fn render(&self, draft: &Draft) -> iqpins_core::Result<RenderedImage> {
        Ok(RenderedImage {
            content_type: "image/jpeg".to_owned(),
            bytes: self.jpeg(draft).await?.as_ref().clone(),
        })
    }
}
