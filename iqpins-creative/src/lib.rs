//! IQ Pins creative renderer: 1000x1500 Pin images with a text overlay in a bundled open font.
//!
//! [`render`] takes the bytes of an item's image (JPEG, PNG or WebP) and a [`CreativeSpec`]
//! and returns an encoded 1000×1500 JPEG or PNG:
//!
//! - the image is cover-fitted into the picture area with a crop window that keeps the
//!   busiest (highest edge-energy) part of the image, or letterboxed on a colour taken from
//!   the image when cropping would lose too much of it ([`FitMode`]);
//! - a text band holds the title, wrapped to at most three lines (an ellipsis ends a longer
//!   title; words wider than a line are broken), in Noto Sans Bold bundled from the
//!   `ttf-noto-sans` crate; an optional domain footer sits under it;
//! - an optional price badge sits on the picture;
//! - every text colour is chosen against its background for a WCAG contrast ratio of at least
//!   [`MIN_CONTRAST`] (4.5:1, level AA), with a margin so antialiasing and JPEG do not push it
//!   under.
//!
//! Rendering is deterministic: the same bytes and spec give byte-identical output on the same
//! machine. Inputs are checked against [`InputLimits`] before any pixel is decoded, so huge
//! images and decompression bombs are refused with [`Error::TooLarge`]; broken bytes give
//! [`Error::Decode`]. The renderer never panics on any input.
//!
//! # Scripts and fonts
//!
//! The bundled Noto Sans covers Latin, Greek and Cyrillic. Characters it lacks (CJK, Hebrew,
//! Arabic, …) are drawn from [`CreativeSpec::fallback_fonts`] when the caller supplies a font
//! that has them; otherwise they are drawn as the font's "missing glyph" box, and
//! [`unsupported_chars`] lists them so a caller can flag the draft. Emoji are dropped when no
//! font has them. Right-to-left text is reordered with the Unicode bidi algorithm; Arabic
//! letters are not shaped into their joining forms (there is no shaping engine here).

mod color;
mod decode;
mod fit;
mod text;
#[cfg(feature = "turbojpeg")]
mod turbo;

use std::sync::Arc;

use image::{ExtendedColorType, ImageEncoder, RgbImage};

pub use color::contrast_ratio;

/// Width of every rendered creative, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every rendered creative, in pixels (2:3, Pinterest's recommended ratio).
pub const HEIGHT: u32 = 1500;
/// The least WCAG 2 contrast ratio between any text and its background (level AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while rendering a creative.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is empty.
    #[error("the image is empty (0 bytes)")]
    Empty,
    /// The input is larger than [`InputLimits::max_input_bytes`].
    #[error("the image file is {size} bytes, more than the limit of {limit} bytes")]
    InputTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The bytes are not an image in a supported format (JPEG, PNG, WebP).
    #[error("the image format is not recognised (supported: JPEG, PNG, WebP)")]
    UnknownFormat,
    /// The image declares dimensions beyond [`InputLimits`]; nothing was decoded.
    #[error(
        "the image is {width}x{height} pixels, beyond the limit of {max_side} px a side and {max_pixels} pixels"
    )]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Longest allowed side.
        max_side: u32,
        /// Most pixels allowed.
        max_pixels: u64,
    },
    /// The image has a zero width or height.
    #[error("the image has no pixels ({width}x{height})")]
    NoPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// The image bytes are broken or truncated, or need more memory than allowed.
    #[error("the image could not be decoded: {0}")]
    Decode(String),
    /// A font in [`CreativeSpec::fallback_fonts`] is not a valid TrueType/OpenType font.
    #[error("fallback font #{index} is not a valid TrueType/OpenType font")]
    Font {
        /// Position of the font in `fallback_fonts`.
        index: usize,
    },
    /// The JPEG quality is outside 1..=100.
    #[error("JPEG quality {0} is outside 1..=100")]
    Quality(u8),
    /// Resizing failed (an internal invariant was broken).
    #[error("resizing failed: {0}")]
    Resize(String),
    /// Encoding the output failed.
    #[error("the creative could not be encoded: {0}")]
    Encode(String),
}

/// The encoding of the rendered creative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Baseline JPEG at this quality (1..=100; 85 is a good default for Pins).
    Jpeg {
        /// JPEG quality, 1..=100.
        quality: u8,
    },
    /// Lossless PNG.
    Png,
}

impl Default for OutputFormat {
    fn default() -> Self {
        Self::Jpeg { quality: 85 }
    }
}

/// How the item image fills the picture area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FitMode {
    /// Cover with a subject-keeping crop, unless the crop would keep less than
    /// [`CreativeSpec::min_kept`] of the image; then letterbox.
    #[default]
    Auto,
    /// Always cover (crop), keeping the busiest part of the image.
    Cover,
    /// Always letterbox: the whole image, on a colour taken from its edges.
    Contain,
}

/// Where the text band sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BandPosition {
    /// Under the picture (the default).
    #[default]
    Bottom,
    /// Above the picture.
    Top,
}

/// Limits checked against the input before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest accepted input, in bytes.
    pub max_input_bytes: usize,
    /// Longest accepted side, in pixels.
    pub max_side: u32,
    /// Most accepted pixels (width × height).
    pub max_pixels: u64,
    /// Most memory a decoder may allocate, in bytes.
    pub max_alloc: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_input_bytes: 50 * 1024 * 1024,
            max_side: 16_384,
            max_pixels: 50_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// What to render: the texts, the output format and the layout choices.
#[derive(Debug, Clone, PartialEq)]
pub struct CreativeSpec {
    /// The title shown in the band: wrapped to at most three lines, ellipsised beyond.
    pub title: String,
    /// A price shown in a badge on the picture, e.g. `"€24.90"`; none when `None` or blank.
    pub price: Option<String>,
    /// A domain shown under the title, e.g. `"shop.example"`; none when `None` or blank.
    pub domain: Option<String>,
    /// JPEG or PNG.
    pub format: OutputFormat,
    /// Cover, letterbox, or choose.
    pub fit: FitMode,
    /// In [`FitMode::Auto`], the least share (0..=1) of the image's area a crop may keep
    /// before the image is letterboxed instead. Default 0.5: a 3:2 landscape photo is
    /// cropped, a 16:9 one letterboxed.
    pub min_kept: f32,
    /// Where the text band goes.
    pub band: BandPosition,
    /// Fonts tried, in order, for characters the bundled Noto Sans lacks (e.g. a CJK font).
    /// Each is the bytes of a TrueType/OpenType file.
    pub fallback_fonts: Vec<Arc<[u8]>>,
    /// Input limits.
    pub limits: InputLimits,
}

impl Default for CreativeSpec {
    fn default() -> Self {
        Self {
            title: String::new(),
            price: None,
            domain: None,
            format: OutputFormat::default(),
            fit: FitMode::default(),
            min_kept: 0.5,
            band: BandPosition::default(),
            fallback_fonts: Vec::new(),
            limits: InputLimits::default(),
        }
    }
}

impl CreativeSpec {
    /// A spec with this title and every other field at its default.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }
}

/// Renders a 1000×1500 creative from `image` (JPEG, PNG or WebP bytes) and `spec`.
///
/// Refuses empty, oversized, unrecognised and broken inputs with an [`Error`] that names the
/// problem; never panics.
pub fn render(image: &[u8], spec: &CreativeSpec) -> Result<Vec<u8>> {
    let canvas = render_rgb(image, spec)?;
    encode(&canvas, spec.format)
}

/// Renders like [`render`] but returns the pixels instead of encoded bytes.
pub fn render_rgb(image: &[u8], spec: &CreativeSpec) -> Result<RgbImage> {
    if let OutputFormat::Jpeg { quality } = spec.format
        && !(1..=100).contains(&quality)
    {
        return Err(Error::Quality(quality));
    }
    let fonts = text::Fonts::new(&spec.fallback_fonts)?;
    let mut canvas = RgbImage::new(WIDTH, HEIGHT);
    let title = text::layout_title(&fonts, &spec.title);
    let domain = non_blank(spec.domain.as_deref());
    let band_h = text::band_height(&title, domain.is_some());
    let pic_h = HEIGHT - band_h;
    let (pic_y, band_y) = match spec.band {
        BandPosition::Bottom => (0, pic_h),
        BandPosition::Top => (band_h, 0),
    };

    let decoded = decode::decode(image, &spec.limits, (WIDTH, pic_h))?;
    fit::fit_into(&decoded, &mut canvas, pic_y, pic_h, spec.fit, spec.min_kept)?;
    drop(decoded);

    let (band_color, text_color) = color::scheme(fit::edge_color(&canvas, pic_y, pic_h, spec.band));
    fill_rect(&mut canvas, 0, band_y, WIDTH, band_h, band_color);
    text::draw_band(&mut canvas, &fonts, &title, domain, band_y, text_color);

    if let Some(price) = non_blank(spec.price.as_deref()) {
        // The badge reverses the band's colours, so its contrast equals the band's.
        text::draw_badge(&mut canvas, &fonts, price, pic_y, text_color, band_color);
    }
    Ok(canvas)
}

/// The characters of the spec's texts that no available font can draw (they render as a
/// "missing glyph" box). Emoji that no font has are dropped silently and not listed.
pub fn unsupported_chars(spec: &CreativeSpec) -> Result<Vec<char>> {
    let fonts = text::Fonts::new(&spec.fallback_fonts)?;
    let mut out = Vec::new();
    let texts = [
        Some(spec.title.as_str()),
        spec.price.as_deref(),
        spec.domain.as_deref(),
    ];
    for c in texts.into_iter().flatten().flat_map(str::chars) {
        if fonts.is_missing(c) && !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn encode(canvas: &RgbImage, format: OutputFormat) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256 * 1024);
    match format {
        #[cfg(feature = "turbojpeg")]
        OutputFormat::Jpeg { quality } => return turbo::encode(canvas, quality),
        #[cfg(not(feature = "turbojpeg"))]
        OutputFormat::Jpeg { quality } => {
            // jpeg-encoder with its AVX2 path: several times faster than the image crate's
            // encoder, which would otherwise dominate the render time. Chroma is averaged
            // over each 2x2 block, as libjpeg does, rather than sampled from one pixel of
            // four: point sampling fringes coloured text edges.
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
            encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
            encoder
                .encode(
                    canvas.as_raw(),
                    WIDTH as u16,
                    HEIGHT as u16,
                    jpeg_encoder::ColorType::Rgb,
                )
                .map_err(|e| Error::Encode(e.to_string()))?;
        }
        OutputFormat::Png => {
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(canvas.as_raw(), WIDTH, HEIGHT, ExtendedColorType::Rgb8)
                .map_err(|e| Error::Encode(e.to_string()))?;
        }
    }
    Ok(out)
}

/// Fills the rectangle with `c`, clipped to the canvas.
pub(crate) fn fill_rect(canvas: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: [u8; 3]) {
    let (cw, ch) = (canvas.width() as usize, canvas.height() as usize);
    let x0 = (x as usize).min(cw);
    let x1 = (x as usize + w as usize).min(cw);
    let y0 = (y as usize).min(ch);
    let y1 = (y as usize + h as usize).min(ch);
    if x0 == x1 {
        return;
    }
    let buf: &mut [u8] = canvas;
    for row in buf[y0 * cw * 3..y1 * cw * 3].chunks_exact_mut(cw * 3) {
        for p in row[x0 * 3..x1 * 3].chunks_exact_mut(3) {
            p.copy_from_slice(&c);
        }
    }
}
