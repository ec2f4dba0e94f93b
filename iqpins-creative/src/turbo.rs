//! libjpeg-turbo (through its TurboJPEG API) for JPEG decoding and encoding, behind the
//! `turbojpeg` cargo feature: its SIMD encoder is about twice as fast as the pure-Rust one,
//! its full decode about a fifth faster than zune-jpeg's, and its 1/2, 1/4 and 1/8 IDCT
//! scaling is cheaper than a full decode (measured with libturbojpeg 2.1.5: the other
//! scales, 3/8 … 7/8, decode slower than a full decode, so they are never asked for).

use image::RgbImage;
use turbojpeg::{Colorspace, Compressor, Decompressor, Image, PixelFormat, Subsamp};

use crate::{Error, InputLimits, Result};

/// Decodes a JPEG to RGB at the smallest of 1/8, 1/4, 1/2 and 1 scale that still covers
/// `cover` (the least width and height the fit needs, in stored orientation). `None` for
/// colour spaces TurboJPEG does not turn into RGB (CMYK, YCCK): the pure-Rust decoder takes
/// those.
pub(crate) fn decode(
    bytes: &[u8],
    cover: (f64, f64),
    limits: &InputLimits,
) -> Result<Option<RgbImage>> {
    let mut decompressor = Decompressor::new().map_err(decode_error)?;
    let header = decompressor.read_header(bytes).map_err(decode_error)?;
    if !matches!(
        header.colorspace,
        Colorspace::YCbCr | Colorspace::Gray | Colorspace::RGB
    ) {
        return Ok(None);
    }
    let (w, h) = (header.width, header.height);
    let mut denom = 1;
    for d in [8usize, 4, 2] {
        if (w.div_ceil(d) as f64) >= cover.0 && (h.div_ceil(d) as f64) >= cover.1 {
            denom = d;
            break;
        }
    }
    let (sw, sh) = (w.div_ceil(denom), h.div_ceil(denom));
    let len = sw
        .checked_mul(sh)
        .and_then(|n| n.checked_mul(3))
        .filter(|&n| n as u64 <= limits.max_alloc)
        .ok_or_else(|| Error::Decode("the decoded image would exceed the memory limit".into()))?;
    let mut pixels = vec![0u8; len];
    decompressor
        .decompress(
            bytes,
            Image {
                pixels: &mut pixels[..],
                width: sw,
                pitch: sw * 3,
                height: sh,
                format: PixelFormat::RGB,
            },
        )
        .map_err(decode_error)?;
    let (Ok(sw), Ok(sh)) = (u32::try_from(sw), u32::try_from(sh)) else {
        return Err(Error::Decode("the JPEG is too large".into()));
    };
    RgbImage::from_raw(sw, sh, pixels)
        .map(Some)
        .ok_or_else(|| Error::Decode("the JPEG decoder returned too few pixels".into()))
}

/// Encodes RGB pixels as a baseline JPEG at `quality`, with 4:2:0 chroma below quality 90
/// and 4:4:4 from 90 on (the pure-Rust encoder's choice too).
pub(crate) fn encode(canvas: &RgbImage, quality: u8) -> Result<Vec<u8>> {
    let mut compressor = Compressor::new().map_err(encode_error)?;
    compressor.set_quality(i32::from(quality));
    compressor.set_subsamp(if quality < 90 {
        Subsamp::Sub2x2
    } else {
        Subsamp::None
    });
    compressor
        .compress_to_vec(Image {
            pixels: canvas.as_raw().as_slice(),
            width: canvas.width() as usize,
            pitch: canvas.width() as usize * 3,
            height: canvas.height() as usize,
            format: PixelFormat::RGB,
        })
        .map_err(encode_error)
}

fn decode_error(e: turbojpeg::Error) -> Error {
    Error::Decode(e.to_string())
}

fn encode_error(e: turbojpeg::Error) -> Error {
    Error::Encode(e.to_string())
}
