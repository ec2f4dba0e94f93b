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

/// Font files tried, in order, for characters the bundled Noto Sans lacks (CJK, Hebrew,
/// Arabic, Thai, …), when `IQPINS_FALLBACK_FONTS` is not set. Debian's packages
/// `fonts-noto-cjk`, `fonts-wqy-microhei` and `fonts-dejavu-core` put them here.
pub const SYSTEM_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

/// Largest font file read.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// The fallback fonts: the files listed in `IQPINS_FALLBACK_FONTS` (separated by `:`;
/// empty for none), else those of [`SYSTEM_FONTS`] that exist. A listed file that cannot
/// be read is logged and skipped.
pub fn fallback_fonts() -> Vec<Arc<[u8]>> {
    let listed = std::env::var("IQPINS_FALLBACK_FONTS").ok();
    let paths: Vec<String> = match &listed {
        Some(list) => list
            .split(':')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().to_owned())
            .collect(),
        None => SYSTEM_FONTS
            .iter()
            .filter(|p| std::path::Path::new(p).exists())
            .map(|p| (*p).to_owned())
            .collect(),
    };
    let mut fonts = Vec::new();
    for path in paths {
        let read = std::fs::metadata(&path)
            .map_err(|e| e.to_string())
            .and_then(|m| {
                if m.len() > MAX_FONT_BYTES {
                    Err(format!("larger than {MAX_FONT_BYTES} bytes"))
                } else {
                    std::fs::read(&path).map_err(|e| e.to_string())
                }
            });
        match read {
            Ok(bytes) => {
                tracing::info!(%path, "fallback font for creatives");
                fonts.push(Arc::from(bytes));
            }
            Err(e) => tracing::warn!(%path, error = %e, "fallback font skipped"),
        }
    }
    fonts
}

/// Renders the 1000×1500 JPEG creative of `photo` (JPEG, PNG or WebP bytes) with `text`,
/// drawing characters the bundled font lacks from `fonts`. A photo that cannot be decoded
/// or rendered, or a build without the `creative` feature, gives an error in words a
/// reviewer understands.
pub fn render_jpeg(
    photo: &[u8],
    text: &CreativeText,
    fonts: &[Arc<[u8]>],
) -> Result<Vec<u8>, String> {
    #[cfg(feature = "creative")]
    {
        iqpins_creative::render(photo, &spec(text, fonts)).map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "creative"))]
    {
        let _ = (photo, text, fonts);
        Err(NO_RENDERER.into())
    }
}

/// Why a build without the `creative` feature cannot render.
#[cfg(not(feature = "creative"))]
const NO_RENDERER: &str =
    "this build of IQ Pins renders no creatives (the `creative` feature is off)";

#[cfg(feature = "creative")]
fn spec(text: &CreativeText, fonts: &[Arc<[u8]>]) -> iqpins_creative::CreativeSpec {
    let mut spec = iqpins_creative::CreativeSpec::new(&text.title);
    spec.price.clone_from(&text.price);
    spec.domain.clone_from(&text.domain);
    spec.fallback_fonts = fonts.to_vec();
    spec
}

/// The problems of a creative with `text` for the reviewer: characters that no font here
/// can draw (they would show as boxes), or a build that renders no creatives.
pub fn creative_problems(text: &CreativeText, fonts: &[Arc<[u8]>]) -> Vec<String> {
    #[cfg(feature = "creative")]
    {
        match iqpins_creative::unsupported_chars(&spec(text, fonts)) {
            Ok(missing) if missing.is_empty() => Vec::new(),
            Ok(missing) => {
                let chars: String = missing.iter().take(12).collect::<String>();
                vec![format!(
                    "The creative cannot draw these characters (no font here has them): {chars}. \
                     Publish the source photo, or add a font that has them to IQPINS_FALLBACK_FONTS."
                )]
            }
            Err(e) => vec![format!("The creative's fonts cannot be read: {e}")],
        }
    }
    #[cfg(not(feature = "creative"))]
    {
        let _ = (text, fonts);
        vec![format!("{NO_RENDERER}: publish the source photo.")]
    }
}

/// A creative's cache key: the draft and its revision (an edit makes a new one).
type Key = (DraftId, u32);

/// Renders drafts' creatives and keeps the last few, so the review page and a publish
/// right after it do not render the same revision twice.
pub struct Renderer {
    store: Arc<dyn Store>,
    importer: Arc<dyn Importer>,
    fonts: Vec<Arc<[u8]>>,
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
            fonts: Vec::new(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Fonts tried for characters the bundled Noto Sans lacks (see [`fallback_fonts`]).
    pub fn with_fonts(mut self, fonts: Vec<Arc<[u8]>>) -> Self {
        self.fonts = fonts;
        self
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
            Some(item) => match self.store.get_item(d.account_id, item).await {
                Ok(stored) => stored.item.price,
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let text = CreativeText::of(&d.content, price.as_ref());
        let fonts = self.fonts.clone();
        let rendered = tokio::task::spawn_blocking(move || render_jpeg(&photo, &text, &fonts))
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

    fn problems(&self, content: &DraftContent) -> Vec<String> {
        creative_problems(&CreativeText::of(content, None), &self.fonts)
    }
}

#[cfg(all(test, feature = "creative"))]
mod tests {
    use super::*;

    fn text(title: &str) -> CreativeText {
        CreativeText {
            title: title.to_owned(),
            price: None,
            domain: Some("shop.example".to_owned()),
        }
    }

    #[test]
    fn characters_no_font_has_are_a_problem_for_the_reviewer() {
        assert!(creative_problems(&text("Blue mug, €24 — café crème"), &[]).is_empty());
        let problems = creative_problems(&text("日本の茶碗 bowl"), &[]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("日本の茶碗"), "{problems:?}");
        assert!(problems[0].contains("IQPINS_FALLBACK_FONTS"));
    }

    #[test]
    fn a_font_that_cannot_be_parsed_is_reported() {
        let bad: Arc<[u8]> = Arc::from(b"not a font".to_vec());
        let problems = creative_problems(&text("日本"), &[bad]);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
