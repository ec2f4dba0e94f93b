//! The creative renderer the engine publishes with and the review page previews: the
//! draft's photo (fetched under the importer's rules), its title, the item's price and the
//! link's domain, drawn by `iqpins-creative` into a 1000×1500 JPEG.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use iqpins_core::{CreativeRenderer, Draft, DraftId, Error, RenderedImage, Store};

use crate::web::Importer;

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
                .and_then(|i| i.item.price)
                .map(|p| p.display()),
            None => None,
        };
        let mut spec = iqpins_creative::CreativeSpec::new(d.content.title.as_str());
        spec.price = price;
        spec.domain = d
            .content
            .link
            .as_ref()
            .map(|l| l.host().trim_start_matches("www.").to_owned());
        let rendered = tokio::task::spawn_blocking(move || iqpins_creative::render(&photo, &spec))
            .await
            .map_err(|e| Error::invalid("image", format!("the renderer stopped: {e}")))?
            .map_err(|e| Error::invalid("image", e.to_string()))?;
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
