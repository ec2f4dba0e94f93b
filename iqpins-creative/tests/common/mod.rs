//! Synthetic "photos" for the tests: deterministic gradients, shapes and grain.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// Which kind of photo to make.
#[derive(Clone, Copy)]
pub enum Scene {
    /// A night sky gradient with a bright moon off to the right.
    Dark,
    /// A pale studio background with a coloured product (a rounded bottle) left of centre.
    Light,
    /// A flat mid grey, the hardest case for text contrast.
    Grey,
    /// Saturated colour stripes.
    Stripes,
}

/// A tiny deterministic generator for grain.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> i32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % 17) as i32 - 8
    }
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// A `w`×`h` synthetic photo of `scene`.
pub fn photo(w: u32, h: u32, scene: Scene) -> RgbImage {
    let mut rng = Lcg(u64::from(w) * 31 + u64::from(h));
    let (fw, fh) = (w as f32, h as f32);
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 / fw, y as f32 / fh);
        let g = rng.next();
        match scene {
            Scene::Dark => {
                let (dx, dy) = (u - 0.72, (v - 0.3) * fh / fw);
                if dx * dx + dy * dy < 0.01 {
                    Rgb([clamp(235 + g), clamp(230 + g), clamp(200 + g)])
                } else {
                    let b = (20.0 + 60.0 * v) as i32;
                    Rgb([clamp(b / 3 + g), clamp(b / 2 + g), clamp(b + 20 + g)])
                }
            }
            Scene::Light => {
                let (dx, dy) = ((u - 0.38) * fw / fh, v - 0.55);
                let body = dx.abs() < 0.09 && dy.abs() < 0.22;
                let neck = dx.abs() < 0.035 && (-0.34..-0.2).contains(&dy);
                if body || neck {
                    Rgb([clamp(30 + g), clamp(120 + g), clamp(90 + g)])
                } else {
                    let base = (245.0 - 25.0 * v) as i32;
                    Rgb([clamp(base + g), clamp(base - 4 + g), clamp(base - 10 + g)])
                }
            }
            Scene::Grey => Rgb([clamp(128 + g / 4); 3].map(|c| c)),
            Scene::Stripes => {
                let band = (u * 6.0) as u32;
                let c = match band {
                    0 => [230, 40, 40],
                    1 => [240, 200, 30],
                    2 => [40, 180, 60],
                    3 => [30, 120, 230],
                    4 => [150, 50, 200],
                    _ => [250, 250, 250],
                };
                Rgb(c.map(|c: i32| clamp(c + g)))
            }
        }
    })
}

/// `img` encoded as `format` (JPEG at quality 90).
pub fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            img.write_with_encoder(enc).unwrap();
        }
        other => DynamicImage::ImageRgb8(img.clone())
            .write_to(&mut out, other)
            .unwrap(),
    }
    out.into_inner()
}

/// A photo as JPEG bytes.
pub fn jpeg(w: u32, h: u32, scene: Scene) -> Vec<u8> {
    encode(&photo(w, h, scene), ImageFormat::Jpeg)
}

/// A photo as PNG bytes.
pub fn png(w: u32, h: u32, scene: Scene) -> Vec<u8> {
    encode(&photo(w, h, scene), ImageFormat::Png)
}

/// A transparent PNG with an opaque red square in the middle.
pub fn transparent_png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| {
        if (w / 3..2 * w / 3).contains(&x) && (h / 3..2 * h / 3).contains(&y) {
            Rgba([200, 20, 20, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(img)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// Decodes a rendered creative.
pub fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().to_rgb8()
}
