//! Decoding with limits checked before any pixel is decoded, and JPEGs decoded at a reduced
//! size (IDCT scaling) when they are much larger than the picture they will fill.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, Rgb, RgbImage,
    metadata::Orientation,
};

use crate::{Error, InputLimits, Result};

/// Decodes like [`decode_unguarded`], turning a panic inside a third-party decoder on hostile
/// bytes into [`Error::Decode`]: the renderer's callers (a server, a CMS plugin) must never go
/// down because of one bad image.
pub(crate) fn decode(bytes: &[u8], limits: &InputLimits, target: (u32, u32)) -> Result<RgbImage> {
    std::panic::catch_unwind(|| decode_unguarded(bytes, limits, target))
        .unwrap_or_else(|_| Err(Error::Decode("the decoder failed on malformed data".into())))
}

/// Decodes `bytes` into RGB pixels, upright (EXIF orientation applied), alpha composited on
/// white. `target` is the size the image will be fitted into: a JPEG at least four times its
/// cover-fit in both directions is decoded at 1/4 or 1/8 scale.
fn decode_unguarded(bytes: &[u8], limits: &InputLimits, target: (u32, u32)) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::Empty);
    }
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::InputTooLarge {
            size: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(Error::UnknownFormat),
    };
    // The header is read without limits (it allocates nothing sized by the image), so that
    // an oversized image is reported with its dimensions; the limits apply to decoding.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(&e))?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    #[cfg(feature = "turbojpeg")]
    if format == ImageFormat::Jpeg {
        let cover = cover_size(width, height, orientation, target);
        if let Some(mut image) = crate::turbo::decode(bytes, cover, limits)?.map(DynamicImage::from)
        {
            image.apply_orientation(orientation);
            return Ok(to_rgb_on_white(image));
        }
    }
    let scaled = match scaled_request(width, height, orientation, target) {
        Some(request) if format == ImageFormat::Jpeg => decode_jpeg_scaled(bytes, request, limits)?,
        _ => None,
    };
    let mut image = match scaled {
        Some(image) => image,
        None => {
            let mut image_limits = Limits::default();
            image_limits.max_image_width = Some(limits.max_side);
            image_limits.max_image_height = Some(limits.max_side);
            image_limits.max_alloc = Some(limits.max_alloc);
            decoder
                .set_limits(image_limits)
                .map_err(|e| decode_error(&e))?;
            DynamicImage::from_decoder(decoder).map_err(|e| decode_error(&e))?
        }
    };
    image.apply_orientation(orientation);
    Ok(to_rgb_on_white(image))
}

fn check_dimensions(width: u32, height: u32, limits: &InputLimits) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::NoPixels { width, height });
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(Error::TooLarge {
            width,
            height,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        });
    }
    Ok(())
}

fn decode_error(e: &image::ImageError) -> Error {
    Error::Decode(e.to_string())
}

/// The least (width, height), in the stored orientation, that an image of `width`×`height`
/// may be decoded at and still cover `target` (upright) without upscaling.
#[cfg(feature = "turbojpeg")]
fn cover_size(width: u32, height: u32, orientation: Orientation, target: (u32, u32)) -> (f64, f64) {
    let cover = cover_scale(width, height, orientation, target);
    (f64::from(width) * cover, f64::from(height) * cover)
}

/// The scale at which an image of `width`×`height` exactly covers `target`.
fn cover_scale(width: u32, height: u32, orientation: Orientation, target: (u32, u32)) -> f64 {
    // The target is upright; the stored image may be rotated by a quarter turn.
    let (tw, th) = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (target.1, target.0),
        _ => target,
    };
    (f64::from(tw) / f64::from(width)).max(f64::from(th) / f64::from(height))
}

/// The (width, height) to ask the scaled JPEG decoder for, or `None` when the image is not
/// at least four times the size its cover-fit into `target` needs (no scaled decode then).
fn scaled_request(
    width: u32,
    height: u32,
    orientation: Orientation,
    target: (u32, u32),
) -> Option<(u16, u16)> {
    let cover = cover_scale(width, height, orientation, target);
    // jpeg-decoder's entropy decoding is slower than zune-jpeg's whole full-size decode, so
    // the scaled path only pays from 1/4 scale on (measured: a 3000x3000 photo renders in
    // 34 ms via zune-jpeg and 40 ms via a 1/2-scale decode; a 5000x5000 one in 58 ms via a
    // 1/4-scale decode and 131 ms via zune-jpeg).
    if cover > 0.25 {
        return None;
    }
    let w = (f64::from(width) * cover).ceil();
    let h = (f64::from(height) * cover).ceil();
    Some((u16::try_from(w as u32).ok()?, u16::try_from(h as u32).ok()?))
}

/// Decodes a JPEG at the smallest IDCT scale (1/8 … 1) that is at least `request`; `None`
/// for CMYK JPEGs, which the full decoder converts better.
fn decode_jpeg_scaled(
    bytes: &[u8],
    request: (u16, u16),
    limits: &InputLimits,
) -> Result<Option<DynamicImage>> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    let (w, h) = decoder
        .scale(request.0, request.1)
        .map_err(|e| Error::Decode(e.to_string()))?;
    let format = decoder
        .info()
        .ok_or_else(|| Error::Decode("JPEG header is missing".into()))?
        .pixel_format;
    if format == jpeg_decoder::PixelFormat::CMYK32 {
        return Ok(None);
    }
    let pixels = decoder.decode().map_err(|e| Error::Decode(e.to_string()))?;
    let rgb: Vec<u8> = match format {
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        // Big-endian 16-bit samples: the high byte is the 8-bit value.
        jpeg_decoder::PixelFormat::L16 => pixels
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0]])
            .collect(),
        _ => pixels,
    };
    RgbImage::from_raw(u32::from(w), u32::from(h), rgb)
        .map(|rgb| Some(DynamicImage::ImageRgb8(rgb)))
        .ok_or_else(|| Error::Decode("the JPEG decoder returned too few pixels".into()))
}

fn to_rgb_on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return match image {
            DynamicImage::ImageRgb8(rgb) => rgb,
            other => other.to_rgb8(),
        };
    }
    let rgba = image.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(src[3]);
        let blend = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        *dst = Rgb([blend(src[0]), blend(src[1]), blend(src[2])]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    #[test]
    fn a_jpeg_four_times_the_target_is_decoded_scaled() {
        let req = scaled_request(4000, 6000, Orientation::NoTransforms, (1000, 1200));
        assert_eq!(req, Some((1000, 1500)));
    }

    #[test]
    fn a_jpeg_under_four_times_the_target_is_decoded_whole() {
        for size in [1600, 3000, 4700] {
            assert_eq!(
                scaled_request(size, size, Orientation::NoTransforms, (1000, 1200)),
                None
            );
        }
    }

    /// Deterministic byte mutations of small valid images: each decodes or gives an error.
    #[test]
    fn mutated_images_decode_or_fail_cleanly() {
        let img = RgbImage::from_fn(48, 40, |x, y| Rgb([(x * 5) as u8, (y * 6) as u8, 90]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&img)
            .unwrap();
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 48, 40, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut ok, mut failed) = (0, 0);
        for original in [&jpeg, &png] {
            for _ in 0..300 {
                let mut bytes = original.clone();
                for _ in 0..=(next() % 4) {
                    let i = (next() as usize) % bytes.len();
                    bytes[i] = next() as u8;
                }
                if next() % 5 == 0 {
                    bytes.truncate((next() as usize) % bytes.len());
                }
                // Both the full path and the 1/4-scale JPEG path.
                for target in [(48, 40), (12, 10)] {
                    match decode(&bytes, &InputLimits::default(), target) {
                        Ok(out) => {
                            assert!(out.width() > 0 && out.height() > 0);
                            ok += 1;
                        }
                        Err(_) => failed += 1,
                    }
                }
            }
        }
        assert!(ok > 0 && failed > 0, "ok {ok}, failed {failed}");
    }

    #[test]
    fn a_scaled_decode_matches_a_full_decode_shrunk() {
        let full = RgbImage::from_fn(1000, 1200, |x, y| {
            let v = ((x / 40 + y / 40) % 2) as u8 * 180 + 30;
            Rgb([v, (x / 4) as u8, (y / 5) as u8])
        });
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
            .encode_image(&full)
            .unwrap();
        let scaled = decode(&bytes, &InputLimits::default(), (250, 300)).unwrap();
        assert_eq!(scaled.dimensions(), (250, 300));
        let whole = decode(&bytes, &InputLimits::default(), (900, 1000)).unwrap();
        assert_eq!(whole.dimensions(), (1000, 1200));
        let shrunk =
            image::imageops::resize(&whole, 250, 300, image::imageops::FilterType::Triangle);
        let diff: u64 = scaled
            .as_raw()
            .iter()
            .zip(shrunk.as_raw())
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        let mean = diff as f64 / shrunk.as_raw().len() as f64;
        assert!(mean < 6.0, "mean difference {mean:.2}");
    }

    #[cfg(feature = "turbojpeg")]
    #[test]
    fn libjpeg_turbo_decodes_at_half_scale_when_that_still_covers_the_target() {
        let full = RgbImage::from_fn(1000, 1200, |x, y| Rgb([(x / 4) as u8, (y / 5) as u8, 90]));
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(&full)
            .unwrap();
        let limits = InputLimits::default();
        // Covering 500x500 needs 500x600 of it: 1/2 scale does.
        assert_eq!(
            decode(&bytes, &limits, (500, 500)).unwrap().dimensions(),
            (500, 600)
        );
        // Covering 520x600 needs more than half: a full decode, never 5/8 … 7/8.
        assert_eq!(
            decode(&bytes, &limits, (520, 600)).unwrap().dimensions(),
            (1000, 1200)
        );
    }

    #[test]
    fn a_rotated_jpeg_swaps_the_target() {
        let req = scaled_request(6000, 4000, Orientation::Rotate90, (1000, 1200));
        assert_eq!(req, Some((1500, 1000)));
    }
}
