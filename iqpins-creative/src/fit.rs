//! Fitting the image into the picture area: cover with a subject-keeping crop, or letterbox.

use fast_image_resize::{self as fir, PixelType, ResizeOptions, Resizer, images::ImageRef};
use image::RgbImage;

use crate::{BandPosition, Error, FitMode, Result};

/// The mean colour of the strip of the picture (rows `y0..y0 + h` of `canvas`) next to the band.
pub(crate) fn edge_color(canvas: &RgbImage, y0: u32, h: u32, band: BandPosition) -> [u8; 3] {
    let strip = 24.min(h);
    let (s0, s1) = match band {
        BandPosition::Bottom => (y0 + h - strip, y0 + h),
        BandPosition::Top => (y0, y0 + strip),
    };
    mean_color(canvas, 0, s0, canvas.width(), s1)
}

/// Centre of the crop window: how strongly the crop prefers the centre over the busiest part
/// (0 = pure energy; 1 = the window's energy counts half at the far edge).
const CENTRE_BIAS: f64 = 0.35;

/// Fits `src` into the full-width rows `y0..y0 + th` of `canvas`, resizing straight into it.
pub(crate) fn fit_into(
    src: &RgbImage,
    canvas: &mut RgbImage,
    y0: u32,
    th: u32,
    mode: FitMode,
    min_kept: f32,
) -> Result<()> {
    let tw = canvas.width();
    let (sw, sh) = (f64::from(src.width()), f64::from(src.height()));
    let (fw, fh) = (f64::from(tw), f64::from(th));
    let src_ar = sw / sh;
    let dst_ar = fw / fh;
    let kept = (src_ar / dst_ar).min(dst_ar / src_ar);
    let contain = match mode {
        FitMode::Cover => false,
        FitMode::Contain => true,
        FitMode::Auto => kept < f64::from(min_kept),
    };
    if contain {
        return letterbox(src, canvas, y0, th);
    }
    let crop = if src_ar > dst_ar {
        // Wider than the area: slide a window of this width along x.
        let cw = sh * dst_ar;
        let x = best_offset(src, true, cw);
        (x, 0.0, cw, sh)
    } else {
        let ch = sw / dst_ar;
        let y = best_offset(src, false, ch);
        (0.0, y, sw, ch)
    };
    resize(src, canvas, (0, y0, tw, th), Some(crop))
}

fn letterbox(src: &RgbImage, canvas: &mut RgbImage, y0: u32, th: u32) -> Result<()> {
    let tw = canvas.width();
    let (sw, sh) = (f64::from(src.width()), f64::from(src.height()));
    let scale = (f64::from(tw) / sw).min(f64::from(th) / sh);
    let rw = ((sw * scale).round() as u32).clamp(1, tw);
    let rh = ((sh * scale).round() as u32).clamp(1, th);
    let bg = border_color(src, rw < tw);
    crate::fill_rect(canvas, 0, y0, tw, th, bg);
    let (x0, oy) = ((tw - rw) / 2, (th - rh) / 2);
    resize(src, canvas, (x0, y0 + oy, rw, rh), None)
}

/// The mean colour of the image's edges that touch the bars: left and right columns when the
/// bars are at the sides, top and bottom rows otherwise.
fn border_color(src: &RgbImage, bars_at_sides: bool) -> [u8; 3] {
    let (w, h) = (src.width(), src.height());
    let (a, b) = if bars_at_sides {
        let d = (w / 50).max(1);
        (mean_color(src, 0, 0, d, h), mean_color(src, w - d, 0, w, h))
    } else {
        let d = (h / 50).max(1);
        (mean_color(src, 0, 0, w, d), mean_color(src, 0, h - d, w, h))
    };
    [0, 1, 2].map(|i| ((u16::from(a[i]) + u16::from(b[i])) / 2) as u8)
}

/// The mean colour of the rectangle [x0, x1) × [y0, y1), sampled on a grid of at most
/// about 64×64 points.
fn mean_color(img: &RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> [u8; 3] {
    let sx = ((x1 - x0) / 64).max(1);
    let sy = ((y1 - y0) / 64).max(1);
    let mut sum = [0u64; 3];
    let mut n = 0u64;
    for y in (y0..y1).step_by(sy as usize) {
        for x in (x0..x1).step_by(sx as usize) {
            let p = img.get_pixel(x, y);
            for i in 0..3 {
                sum[i] += u64::from(p[i]);
            }
            n += 1;
        }
    }
    if n == 0 {
        return [128, 128, 128];
    }
    sum.map(|s| ((s + n / 2) / n) as u8)
}

/// The offset along x (`along_x`) or y of a window `len` pixels long that holds the most edge
/// energy, with a mild preference for the centre. Energy is measured on a grid of at most
/// 192 samples along the free axis.
fn best_offset(src: &RgbImage, along_x: bool, len: f64) -> f64 {
    let (w, h) = (src.width(), src.height());
    let (long, short) = if along_x { (w, h) } else { (h, w) };
    let free = f64::from(long) - len;
    if free < 1.0 {
        return 0.0;
    }
    let n = long.min(192);
    let m = short.min(96);
    let luma_at = |i: u32, j: u32| -> i32 {
        // (i along the free axis, j across it), nearest-sampled.
        let a = (u64::from(i) * u64::from(long) / u64::from(n)) as u32;
        let b = (u64::from(j) * u64::from(short) / u64::from(m)) as u32;
        let p = if along_x {
            src.get_pixel(a, b)
        } else {
            src.get_pixel(b, a)
        };
        (i32::from(p[0]) * 54 + i32::from(p[1]) * 183 + i32::from(p[2]) * 19) >> 8
    };
    let mut grid = vec![0i32; (n * m) as usize];
    for i in 0..n {
        for j in 0..m {
            grid[(i * m + j) as usize] = luma_at(i, j);
        }
    }
    // Energy per line across the free axis: gradient magnitude in both directions.
    let mut profile = vec![0f64; n as usize];
    for i in 0..n {
        let mut e = 0i64;
        for j in 0..m {
            let v = grid[(i * m + j) as usize];
            if i + 1 < n {
                e += i64::from((grid[((i + 1) * m + j) as usize] - v).abs());
            }
            if j + 1 < m {
                e += i64::from((grid[(i * m + j + 1) as usize] - v).abs());
            }
        }
        profile[i as usize] = e as f64;
    }
    let win = ((len / f64::from(long)) * f64::from(n))
        .round()
        .clamp(1.0, f64::from(n)) as usize;
    let positions = n as usize - win + 1;
    if positions <= 1 {
        return free / 2.0;
    }
    let mut prefix = vec![0f64; n as usize + 1];
    for (i, e) in profile.iter().enumerate() {
        prefix[i + 1] = prefix[i] + e;
    }
    let centre = (positions - 1) as f64 / 2.0;
    // A floor so that a flat image (no energy anywhere) still prefers the centre.
    let floor = 1.0 + prefix[n as usize] / n as f64;
    let mut best = (f64::MIN, 0usize);
    for p in 0..positions {
        let energy = prefix[p + win] - prefix[p];
        let off = (p as f64 - centre) / centre;
        let score = (energy + floor) * (1.0 - CENTRE_BIAS * off * off);
        // Strictly greater: ties keep the earlier, so the choice is deterministic.
        if score > best.0 {
            best = (score, p);
        }
    }
    (best.1 as f64 / (positions - 1) as f64) * free
}

/// Resizes (a crop of) `src` into the rectangle `(x, y, w, h)` of `canvas` with Lanczos3
/// (SIMD where the CPU has it).
fn resize(
    src: &RgbImage,
    canvas: &mut RgbImage,
    (x, y, w, h): (u32, u32, u32, u32),
    crop: Option<(f64, f64, f64, f64)>,
) -> Result<()> {
    let (sw, sh) = (src.width(), src.height());
    let (cx, cy, cw, ch) = crop.unwrap_or((0.0, 0.0, f64::from(sw), f64::from(sh)));
    let view = ImageRef::new(sw, sh, src.as_raw(), PixelType::U8x3).map_err(resize_error)?;
    let mut dst = fir::images::CroppedImageMut::new(canvas, x, y, w, h).map_err(resize_error)?;
    let lanczos3 =
        || ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    let mut resizer = Resizer::new();
    if f64::from(h) > ch && f64::from(w) != cw {
        // Upscaling vertically. fast_image_resize runs the vertical pass first, so its
        // (slower, RGB) horizontal pass would run on every output row; run the horizontal
        // pass first, on the source rows only (measured: a 386x400 crop to 1000x1036 takes a
        // third less time). The intermediate keeps the rows the vertical kernel reaches: the
        // crop and 3 rows (Lanczos3 when upscaling) either side, within the image.
        let top = (cy.floor() - 4.0).max(0.0);
        let bottom = ((cy + ch).ceil() + 4.0).min(f64::from(sh));
        let mut rows = fir::images::Image::new(w, (bottom - top) as u32, PixelType::U8x3);
        resizer
            .resize(
                &view,
                &mut rows,
                &lanczos3().crop(cx, top, cw, bottom - top),
            )
            .map_err(resize_error)?;
        return resizer
            .resize(
                &rows,
                &mut dst,
                &lanczos3().crop(0.0, cy - top, f64::from(w), ch),
            )
            .map_err(resize_error);
    }
    resizer
        .resize(&view, &mut dst, &lanczos3().crop(cx, cy, cw, ch))
        .map_err(resize_error)
}

fn resize_error(e: impl std::fmt::Display) -> Error {
    Error::Resize(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn with_square(w: u32, h: u32, sx: u32, sy: u32, size: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            if x >= sx && x < sx + size && y >= sy && y < sy + size {
                Rgb([200, 30, 30])
            } else {
                Rgb([240, 240, 240])
            }
        })
    }

    #[test]
    fn the_crop_window_moves_to_an_off_centre_subject() {
        // A wide image with the subject near the right edge: the window must include it.
        let src = with_square(3000, 1000, 2500, 400, 200);
        let len = 1000.0 * 1000.0 / 1200.0;
        let x = best_offset(&src, true, len);
        assert!(x <= 2500.0 && x + len >= 2700.0, "window at {x}");
    }

    #[test]
    fn a_flat_image_is_cropped_at_the_centre() {
        let src = RgbImage::from_pixel(3000, 1000, Rgb([10, 120, 10]));
        let len = 900.0;
        let x = best_offset(&src, true, len);
        assert!((x - (3000.0 - len) / 2.0).abs() < 20.0, "window at {x}");
    }

    #[test]
    fn a_very_wide_image_is_letterboxed_in_auto_mode() {
        let src = RgbImage::from_pixel(4000, 500, Rgb([10, 120, 10]));
        let mut canvas = RgbImage::new(1000, 1500);
        fit_into(&src, &mut canvas, 100, 1200, FitMode::Auto, 0.5).unwrap();
        // The bars are the image's own colour, and nothing is drawn outside the area.
        assert_eq!(canvas.get_pixel(500, 105).0, [10, 120, 10]);
        assert_eq!(canvas.get_pixel(500, 50).0, [0, 0, 0]);
        assert_eq!(canvas.get_pixel(500, 1350).0, [0, 0, 0]);
    }

    #[test]
    fn an_upscale_done_horizontal_pass_first_matches_one_lanczos_pass() {
        // Texture within 40..=215, so that no overshoot is clipped in either order.
        let src = RgbImage::from_fn(300, 200, |x, y| {
            let v = |a: f32| (128.0 + 87.0 * a.sin()) as u8;
            let (x, y) = (x as f32, y as f32);
            Rgb([v(x * 0.3), v(y * 0.45), v((x + y) * 0.2)])
        });
        let crop = (40.5, 10.25, 150.0, 160.0);
        let mut two_pass = RgbImage::new(700, 800);
        resize(&src, &mut two_pass, (0, 0, 700, 800), Some(crop)).unwrap();
        let view = ImageRef::new(300, 200, src.as_raw(), PixelType::U8x3).unwrap();
        let mut one_pass = fir::images::Image::new(700, 800, PixelType::U8x3);
        let options = ResizeOptions::new()
            .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3))
            .crop(crop.0, crop.1, crop.2, crop.3);
        Resizer::new()
            .resize(&view, &mut one_pass, &options)
            .unwrap();
        let (mut sum, mut max) = (0u64, 0u8);
        for (a, b) in two_pass.as_raw().iter().zip(one_pass.buffer()) {
            sum += u64::from(a.abs_diff(*b));
            max = max.max(a.abs_diff(*b));
        }
        let mean = sum as f64 / one_pass.buffer().len() as f64;
        // Only the rounding of the intermediate image differs.
        assert!(mean < 0.5 && max <= 3, "mean {mean:.3}, max {max}");
    }

    #[test]
    fn cover_fills_the_area_exactly() {
        let src = RgbImage::from_pixel(800, 600, Rgb([200, 30, 30]));
        let mut canvas = RgbImage::new(1000, 1500);
        fit_into(&src, &mut canvas, 300, 1200, FitMode::Cover, 0.5).unwrap();
        assert_eq!(canvas.get_pixel(0, 300).0, [200, 30, 30]);
        assert_eq!(canvas.get_pixel(999, 1499).0, [200, 30, 30]);
        assert_eq!(canvas.get_pixel(0, 299).0, [0, 0, 0]);
    }
}
