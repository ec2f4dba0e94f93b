//! Rendering end to end: size and format, determinism, contrast of the rendered pixels,
//! golden images, hostile inputs and every kind of title.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::sync::Arc;

use common::{Scene, decode, jpeg, png, transparent_png};
use image::{ImageFormat, RgbImage};
use iqpins_creative::{
    BandPosition, CreativeSpec, Error, FitMode, HEIGHT, MIN_CONTRAST, OutputFormat, WIDTH,
    contrast_ratio, render, render_rgb, unsupported_chars,
};

fn spec(title: &str) -> CreativeSpec {
    CreativeSpec {
        price: Some("€24.90".into()),
        domain: Some("shop.example".into()),
        format: OutputFormat::Png,
        ..CreativeSpec::new(title)
    }
}

fn luminance(p: [u8; 3]) -> f64 {
    // The contrast against pure black is a monotone function of luminance.
    contrast_ratio(p, [0, 0, 0])
}

/// The band at the bottom: the rows up from the bottom whose margins are one flat colour.
fn bottom_band(img: &RgbImage) -> (u32, [u8; 3]) {
    let bg = img.get_pixel(8, HEIGHT - 8).0;
    let mut top = HEIGHT - 8;
    while top > 0 && img.get_pixel(8, top - 1).0 == bg && img.get_pixel(WIDTH - 8, top - 1).0 == bg
    {
        top -= 1;
    }
    (top, bg)
}

/// The pixel in the rectangle whose luminance is farthest from `bg`'s: the inside of a glyph.
fn farthest(img: &RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, bg: [u8; 3]) -> [u8; 3] {
    let lb = luminance(bg);
    let mut best = (0.0, bg);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y).0;
            let d = (luminance(p) - lb).abs();
            if d > best.0 {
                best = (d, p);
            }
        }
    }
    best.1
}

#[test]
fn a_creative_is_a_1000_by_1500_jpeg_or_png() {
    let input = jpeg(1200, 1600, Scene::Light);
    let out = render(&input, &CreativeSpec::new("Linen shirt")).unwrap();
    assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Jpeg);
    assert_eq!(decode(&out).dimensions(), (WIDTH, HEIGHT));

    let out = render(&input, &spec("Linen shirt")).unwrap();
    assert_eq!(image::guess_format(&out).unwrap(), ImageFormat::Png);
    assert_eq!(decode(&out).dimensions(), (WIDTH, HEIGHT));

    // WebP input too.
    let webp = common::encode(&common::photo(400, 600, Scene::Stripes), ImageFormat::WebP);
    assert_eq!(image::guess_format(&webp).unwrap(), ImageFormat::WebP);
    let img = render_rgb(&webp, &CreativeSpec::new("WebP")).unwrap();
    assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
}

#[test]
fn the_jpeg_creative_decodes_close_to_the_rendered_pixels() {
    // Whichever encoder the build uses (jpeg-encoder, or libjpeg-turbo with the `turbojpeg`
    // feature), quality 85 with 4:2:0 chroma stays close to the rendered canvas.
    let input = jpeg(1200, 1600, Scene::Stripes);
    let s = CreativeSpec {
        format: OutputFormat::Jpeg { quality: 85 },
        ..spec("Handmade ceramic mug, speckled glaze")
    };
    let pixels = render_rgb(&input, &s).unwrap();
    let out = render(&input, &s).unwrap();
    let decoded = decode(&out);
    let sum: u64 = pixels
        .as_raw()
        .iter()
        .zip(decoded.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = sum as f64 / pixels.as_raw().len() as f64;
    assert!(mean < 3.0, "mean difference {mean:.2}");
    assert!(out.len() < 600_000, "{} bytes", out.len());
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    for (input, format) in [
        (
            jpeg(2400, 1800, Scene::Dark),
            OutputFormat::Jpeg { quality: 85 },
        ),
        (png(700, 900, Scene::Light), OutputFormat::Png),
    ] {
        let s = CreativeSpec {
            format,
            ..spec("Handmade ceramic mug, speckled glaze")
        };
        let a = render(&input, &s).unwrap();
        let b = render(&input, &s).unwrap();
        assert!(a == b, "two renders differ");
    }
}

#[test]
fn rendered_text_meets_wcag_aa_contrast_on_dark_light_grey_and_colourful_photos() {
    let cases = [
        (Scene::Dark, BandPosition::Bottom),
        (Scene::Light, BandPosition::Bottom),
        (Scene::Grey, BandPosition::Bottom),
        (Scene::Stripes, BandPosition::Bottom),
        (Scene::Dark, BandPosition::Top),
        (Scene::Light, BandPosition::Top),
    ];
    for (scene, band) in cases {
        let s = CreativeSpec {
            band,
            ..spec("Contrast check: a title of two lines at least, to be sure")
        };
        let rendered = render_rgb(&png(600, 800, scene), &s).unwrap();
        let img = if band == BandPosition::Top {
            image::imageops::flip_vertical(&rendered)
        } else {
            rendered.clone()
        };
        let (top, bg) = bottom_band(&img);
        assert!(HEIGHT - top > 150, "no band found");
        let text = farthest(&img, 64, top, WIDTH - 64, HEIGHT - 8, bg);
        let ratio = contrast_ratio(text, bg);
        assert!(
            ratio >= MIN_CONTRAST,
            "band text {text:?} on {bg:?}: {ratio:.2}"
        );
        if band == BandPosition::Top {
            continue;
        }
        // The price badge at the top right of the picture.
        let img = rendered;
        let badge_bg = img.get_pixel(WIDTH - 62, 48 + 40).0;
        let text = farthest(&img, WIDTH - 400, 60, WIDTH - 70, 120, badge_bg);
        let ratio = contrast_ratio(text, badge_bg);
        assert!(
            ratio >= MIN_CONTRAST,
            "badge text {text:?} on {badge_bg:?}: {ratio:.2}"
        );
    }
}

/// Compares a 100×150 thumbnail of `img` with `tests/golden/NAME.png`: mean absolute channel
/// difference ≤ 2.5 and no channel off by more than 64 (room for SIMD and rasteriser changes,
/// not for a moved crop, band or text). `IQPINS_UPDATE_GOLDEN=1` rewrites the file.
fn assert_golden(name: &str, img: &RgbImage) {
    let thumb = image::imageops::resize(img, 100, 150, image::imageops::FilterType::Triangle);
    let path = format!("{}/tests/golden/{name}.png", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("IQPINS_UPDATE_GOLDEN").is_some() {
        thumb.save(&path).unwrap();
    }
    let golden = image::open(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run with IQPINS_UPDATE_GOLDEN=1 to create it)"))
        .to_rgb8();
    assert_eq!(golden.dimensions(), thumb.dimensions());
    let (mut sum, mut max) = (0u64, 0u8);
    for (a, b) in golden.as_raw().iter().zip(thumb.as_raw()) {
        let d = a.abs_diff(*b);
        sum += u64::from(d);
        max = max.max(d);
    }
    let mean = sum as f64 / golden.as_raw().len() as f64;
    assert!(
        mean <= 2.5 && max <= 64,
        "{name}: mean diff {mean:.2}, max {max}"
    );
}

#[test]
fn golden_light_product_photo_cover_with_badge_and_footer() {
    let img = render_rgb(
        &jpeg(1200, 1200, Scene::Light),
        &spec("Glass bottle, 750 ml — reusable and dishwasher safe"),
    )
    .unwrap();
    assert_golden("light-cover", &img);
}

#[test]
fn golden_wide_dark_photo_letterboxed_with_the_band_on_top() {
    let s = CreativeSpec {
        band: BandPosition::Top,
        price: None,
        ..spec("Night sky")
    };
    let img = render_rgb(&jpeg(1920, 800, Scene::Dark), &s).unwrap();
    assert_golden("dark-letterbox-top", &img);
}

#[test]
fn golden_stripes_cropped_to_the_busy_side() {
    let s = CreativeSpec {
        fit: FitMode::Cover,
        ..spec("Stripes")
    };
    let img = render_rgb(&png(1500, 600, Scene::Stripes), &s).unwrap();
    assert_golden("stripes-cover", &img);
}

#[test]
fn transparent_pixels_are_composited_on_white() {
    let img = render_rgb(&transparent_png(900, 1200), &CreativeSpec::new("Red")).unwrap();
    assert_eq!(img.get_pixel(20, 20).0, [255, 255, 255]);
    let [r, g, b] = img.get_pixel(500, 600).0;
    assert!(r > 150 && g < 60 && b < 60);
}

#[test]
fn titles_in_every_script_and_shape_render_without_panicking() {
    let titles = [
        String::new(),
        "   \n\t  ".into(),
        "北京烤鸭 — 传统做法，皮脆肉嫩，配薄饼和甜面酱".into(),
        "東京の夏祭り：浴衣と花火の楽しみ方".into(),
        "한국 전통 찻잔 세트".into(),
        "שלום עולם — חנות מקוונת".into(),
        "متجر القهوة العربية الأصيلة".into(),
        "Mixed: English עברית العربية 中文 ελληνικά русский".into(),
        "Emoji 😀🎉 family 👨‍👩‍👧‍👦 flag 🇫🇷 keycap 1️⃣ skin 👍🏽".into(),
        "😀😀😀".into(),
        "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhersteller".repeat(3),
        "e\u{301}\u{302}\u{303}\u{304} Zalgo ̷̧̛̖̗̘̙̜̝̞̟̠̤̥̦̩̪̫̬̭̮̯̰̱̲̳".into(),
        "\u{0}\u{7}\u{1b}[31m control \u{202e}reversed\u{202c} \u{feff}bom".into(),
        "x".repeat(10 * 1024 * 1024),
        "word ".repeat(200_000),
    ];
    let input = jpeg(800, 1000, Scene::Light);
    for title in titles {
        let s = CreativeSpec {
            price: Some(title.chars().take(40).collect()),
            domain: Some(title.chars().take(300).collect()),
            ..spec(&title)
        };
        let img = render_rgb(&input, &s).unwrap();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
    }
}

#[test]
fn characters_no_font_has_are_listed_but_emoji_are_not() {
    let s = CreativeSpec::new("Tea 茶 😀 café");
    assert_eq!(unsupported_chars(&s).unwrap(), vec!['茶']);
}

#[test]
fn a_fallback_font_that_is_not_a_font_is_refused() {
    let s = CreativeSpec {
        fallback_fonts: vec![Arc::from(&b"not a font"[..])],
        ..CreativeSpec::new("x")
    };
    let err = render(&jpeg(100, 100, Scene::Grey), &s).unwrap_err();
    assert!(matches!(err, Error::Font { index: 0 }), "{err}");
}

#[test]
fn empty_and_unknown_bytes_are_refused_with_a_clear_error() {
    let s = CreativeSpec::new("x");
    assert!(matches!(render(b"", &s), Err(Error::Empty)));
    assert!(matches!(
        render(b"definitely not an image", &s),
        Err(Error::UnknownFormat)
    ));
    assert!(matches!(
        render(b"GIF89a\x01\x00\x01\x00", &s),
        Err(Error::UnknownFormat)
    ));
}

#[test]
fn truncated_and_corrupt_images_give_a_decode_error_not_a_panic() {
    let s = CreativeSpec::new("x");
    let png_bytes = png(300, 300, Scene::Stripes);
    let err = render(&png_bytes[..png_bytes.len() / 2], &s).unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err}");

    // A JPEG cut in its header, and one with its scan data scrambled.
    let jpeg_bytes = jpeg(300, 300, Scene::Stripes);
    let err = render(&jpeg_bytes[..40], &s).unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err}");
    let mut scrambled = jpeg_bytes.clone();
    let n = scrambled.len();
    for (i, b) in scrambled[n / 3..n - 2].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151);
    }
    match render(&scrambled, &s) {
        // Some decoders conceal damaged scans; then a creative is still a creative.
        Ok(out) => assert_eq!(decode(&out).dimensions(), (WIDTH, HEIGHT)),
        Err(e) => assert!(matches!(e, Error::Decode(_)), "{e}"),
    }
}

/// The CRC-32 of PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid small PNG whose header claims `w`×`h`.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = png(16, 16, Scene::Grey);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A valid small JPEG whose frame header claims `w`×`h`.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = jpeg(16, 16, Scene::Grey);
    let sof = bytes
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("baseline frame header");
    // Marker (2), length (2), precision (1), then height and width.
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    let s = CreativeSpec::new("x");
    for bomb in [png_claiming(100_000, 100_000), png_claiming(16_000, 16_000)] {
        let err = render(&bomb, &s).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    }
    let err = render(&jpeg_claiming(65_000, 65_000), &s).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    let err = render(&png_claiming(0, 10), &s).unwrap_err();
    assert!(
        matches!(err, Error::NoPixels { .. } | Error::Decode(_)),
        "{err}"
    );
}

#[test]
fn inputs_beyond_configured_limits_are_refused() {
    let mut s = CreativeSpec::new("x");
    s.limits.max_pixels = 1_000_000;
    let err = render(&jpeg(2000, 1000, Scene::Grey), &s).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                width: 2000,
                height: 1000,
                ..
            }
        ),
        "{err}"
    );

    let mut s = CreativeSpec::new("x");
    s.limits.max_input_bytes = 1000;
    let err = render(&jpeg(300, 300, Scene::Stripes), &s).unwrap_err();
    assert!(
        matches!(err, Error::InputTooLarge { limit: 1000, .. }),
        "{err}"
    );
}

#[test]
fn a_jpeg_quality_outside_1_to_100_is_refused() {
    for quality in [0, 101] {
        let s = CreativeSpec {
            format: OutputFormat::Jpeg { quality },
            ..CreativeSpec::new("x")
        };
        let err = render(&jpeg(100, 100, Scene::Grey), &s).unwrap_err();
        assert!(matches!(err, Error::Quality(q) if q == quality), "{err}");
    }
}

#[test]
fn tiny_and_extreme_aspect_images_render() {
    for (w, h) in [(1, 1), (1, 3000), (3000, 1), (7, 5)] {
        let img = render_rgb(&png(w, h, Scene::Stripes), &spec("Edge case")).unwrap();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
    }
}

/// A JPEG with an EXIF APP1 segment whose orientation tag is `orientation`.
fn jpeg_with_orientation(img: &RgbImage, orientation: u16) -> Vec<u8> {
    let plain = common::encode(img, ImageFormat::Jpeg);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one IFD entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding of the value field
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

#[test]
fn the_exif_orientation_is_applied_before_fitting() {
    // Red on top, blue below; orientation 6 means "rotate 90° clockwise to display", which
    // brings the red half to the right.
    let img = RgbImage::from_fn(600, 400, |_, y| {
        if y < 200 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let out = render_rgb(
        &jpeg_with_orientation(&img, 6),
        &CreativeSpec::new("Turned"),
    )
    .unwrap();
    let left = out.get_pixel(100, 500).0;
    let right = out.get_pixel(900, 500).0;
    assert!(left[2] > 150 && left[0] < 80, "left {left:?}");
    assert!(right[0] > 150 && right[2] < 80, "right {right:?}");
}
