//! Colours: WCAG relative luminance and contrast, and the band/text colour scheme.

/// Light text.
pub(crate) const WHITE: [u8; 3] = [255, 255, 255];
/// Dark text: near-black reads softer than pure black and still gives ≥ 18:1 on white.
pub(crate) const INK: [u8; 3] = [17, 17, 17];

/// The contrast the scheme aims at: above AA's 4.5 so that antialiasing and JPEG
/// quantisation of the edges cannot pull the rendered text under it.
const TARGET: f64 = 5.0;

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG 2 relative luminance of an sRGB colour, 0 (black) ..= 1 (white).
pub(crate) fn luminance(c: [u8; 3]) -> f64 {
    0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
}

/// The WCAG 2 contrast ratio of two sRGB colours, 1 ..= 21 (order does not matter).
///
/// Text needs at least [`crate::MIN_CONTRAST`] (4.5) against its background for level AA.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The band colour and the text colour drawn on it, derived from `base` (a colour taken from
/// the picture next to the band): the text is white or ink, whichever contrasts more, and the
/// band is darkened (or lightened) from `base` until the contrast reaches the target.
pub(crate) fn scheme(base: [u8; 3]) -> ([u8; 3], [u8; 3]) {
    let text = if contrast_ratio(base, WHITE) >= contrast_ratio(base, INK) {
        WHITE
    } else {
        INK
    };
    let mut band = base;
    // Each step moves 12% of the way to black (or white); 60 steps always reach the target,
    // since black on white is 21:1 and INK on white is over 18:1.
    for _ in 0..60 {
        if contrast_ratio(band, text) >= TARGET {
            break;
        }
        band = if text == WHITE {
            band.map(|v| (f64::from(v) * 0.88).floor() as u8)
        } else {
            band.map(|v| (f64::from(v) + (255.0 - f64::from(v)) * 0.12).ceil() as u8)
        };
    }
    (band, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_of_black_on_white_is_21() {
        assert!((contrast_ratio([0, 0, 0], WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(WHITE, WHITE) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn every_base_colour_gets_a_scheme_above_the_target() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let (band, text) = scheme([r as u8, g as u8, b as u8]);
                    assert!(
                        contrast_ratio(band, text) >= TARGET,
                        "{r},{g},{b} -> {band:?} {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_mid_grey_band_is_adjusted_to_meet_the_target() {
        let base = [128, 128, 128];
        let (band, text) = scheme(base);
        assert!(contrast_ratio(base, text) < TARGET);
        assert_ne!(band, base);
        assert!(contrast_ratio(band, text) >= TARGET);
    }
}
