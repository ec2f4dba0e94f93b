//! Image choice: which of an item's images make a good Pin, best first.

use serde::Serialize;

use crate::content::ImageRef;

use super::text::{cap_chars, fold};

/// The smallest width that is good on Pinterest; narrower known images rank lower.
pub const MIN_GOOD_WIDTH: u32 = 600;
/// Known images smaller than this on either side are icons or pixels and are skipped.
pub const MIN_SIDE: u32 = 100;
/// Pinterest's preferred height ÷ width (2:3).
pub const IDEAL_RATIO: f64 = 1.5;

/// Words in an image URL or alt text that mark it as decoration, not content.
const JUNK_HINTS: [&str; 17] = [
    "logo",
    "icon",
    "sprite",
    "favicon",
    "pixel",
    "spacer",
    "blank.gif",
    "transparent.gif",
    "1x1",
    "tracking",
    "badge",
    "avatar",
    "gravatar",
    "placeholder",
    "loader",
    "spinner",
    "emoji",
];

/// Hosts that only serve tracking pixels or ads.
const TRACKER_HOSTS: [&str; 6] = [
    "doubleclick.net",
    "facebook.com/tr",
    "google-analytics.com",
    "googletagmanager.com",
    "feeds.feedburner.com/~r",
    "pixel.",
];

/// An image that passed the filters, with its score.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct RankedImage {
    /// The image as found.
    pub image: ImageRef,
    /// Position in the item's list.
    pub index: usize,
    /// Higher is better.
    pub score: f64,
}

/// Why an image was not used, or `None` when it is usable. `title` is the item's title: a
/// hint word it contains (a "Hoodie with Logo") does not mark the image as decoration.
pub fn rejection(image: &ImageRef, title: Option<&str>) -> Option<&'static str> {
    let title = title.map(|t| fold(cap_chars(t, 1000))).unwrap_or_default();
    let hinted = |text: &str, hints: &[&str]| {
        hints
            .iter()
            .any(|h| text.contains(h) && !title.contains(h.trim_end_matches(".gif")))
    };
    let url = image.url.trim();
    if url.is_empty() {
        return Some("empty URL");
    }
    if url.len() > crate::fields::LINK_MAX {
        return Some("URL too long");
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("data:") {
        return Some("inline data URL");
    }
    // Only the path and file name carry hints; a host such as `icons.example` does not.
    let path_part = lower
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').map(|(_, p)| p).unwrap_or(""))
        .unwrap_or(&lower);
    let path_part = path_part.split(['?', '#']).next().unwrap_or_default();
    if hinted(path_part, &JUNK_HINTS) {
        return Some("looks like a logo, icon or tracking pixel");
    }
    if TRACKER_HOSTS.iter().any(|h| lower.contains(h)) {
        return Some("tracking pixel");
    }
    if path_part.ends_with(".svg") || path_part.ends_with(".ico") {
        return Some("vector or icon file");
    }
    if let Some(alt) = &image.alt {
        let a = alt.to_lowercase();
        if ["logo", "icon", "sprite", "avatar", "tracking"]
            .iter()
            .any(|h| a.split(|c: char| !c.is_alphanumeric()).any(|w| w == *h) && !title.contains(h))
        {
            return Some("alt text says it is a logo or icon");
        }
    }
    if image.width.is_some_and(|w| w < MIN_SIDE) || image.height.is_some_and(|h| h < MIN_SIDE) {
        return Some("too small");
    }
    None
}

/// Scores a usable image: known size, at least 600 px wide, aspect ratio near 2:3.
fn score(image: &ImageRef) -> f64 {
    let mut s = 0.0;
    match (image.width, image.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => {
            // Known and wide enough beats unknown; known and too narrow loses to unknown.
            s += if w >= MIN_GOOD_WIDTH {
                3.0
            } else {
                -1.0 - 2.0 * f64::from(MIN_GOOD_WIDTH - w) / f64::from(MIN_GOOD_WIDTH)
            };
            let ratio = f64::from(h) / f64::from(w);
            // Distance on a log scale: 1:3 too tall is as bad as 3:1 too wide.
            s -= (ratio / IDEAL_RATIO).ln().abs() * 2.0;
        }
        (Some(w), None) => {
            s += if w >= MIN_GOOD_WIDTH { 1.5 } else { -1.0 };
        }
        _ => {}
    }
    s
}

/// The usable images, best first. Ties keep the source's order (the source lists its main
/// image first). `title` is the item's title (see [`rejection`]).
pub fn rank_images(images: &[ImageRef], title: Option<&str>) -> Vec<RankedImage> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<RankedImage> = images
        .iter()
        .enumerate()
        .filter(|(_, i)| rejection(i, title).is_none())
        .filter(|(_, i)| seen.insert(i.url.trim().to_owned()))
        .map(|(index, image)| RankedImage {
            image: image.clone(),
            index,
            score: score(image),
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(url: &str, w: Option<u32>, h: Option<u32>) -> ImageRef {
        ImageRef {
            url: url.into(),
            width: w,
            height: h,
            alt: None,
        }
    }

    #[test]
    fn logos_icons_sprites_and_pixels_are_skipped() {
        for u in [
            "https://s.example/img/logo.png",
            "https://s.example/favicon.ico",
            "https://s.example/sprite-sheet.png",
            "https://s.example/t/1x1.gif",
            "https://www.facebook.com/tr?id=1",
            "data:image/png;base64,AAAA",
        ] {
            assert!(rejection(&img(u, None, None), None).is_some(), "{u}");
        }
        assert!(rejection(&img("https://s.example/p.jpg", Some(1), Some(1)), None).is_some());
        let mut with_alt = img("https://s.example/a.png", None, None);
        with_alt.alt = Some("Acme logo".into());
        assert!(rejection(&with_alt, None).is_some());
        assert!(rejection(&img("https://icons.example/mug.jpg", None, None), None).is_none());
        // A product that is about a logo keeps its photo.
        let hoodie = img("https://s.example/hoodie-with-logo-2.jpg", None, None);
        assert!(rejection(&hoodie, Some("Hoodie with Logo")).is_none());
        assert!(rejection(&hoodie, Some("Hoodie")).is_some());
    }

    #[test]
    fn a_large_two_by_three_image_ranks_first() {
        let ranked = rank_images(
            &[
                img("https://s.example/wide.jpg", Some(1200), Some(600)),
                img("https://s.example/unknown.jpg", None, None),
                img("https://s.example/small.jpg", Some(300), Some(450)),
                img("https://s.example/tall.jpg", Some(1000), Some(1500)),
            ],
            None,
        );
        let order: Vec<&str> = ranked.iter().map(|r| r.image.url.as_str()).collect();
        assert_eq!(order[0], "https://s.example/tall.jpg");
        assert!(
            order.iter().position(|u| u.contains("small"))
                > order.iter().position(|u| u.contains("unknown"))
        );
    }

    #[test]
    fn duplicate_urls_count_once() {
        let ranked = rank_images(
            &[
                img("https://s.example/a.jpg", None, None),
                img("https://s.example/a.jpg", None, None),
            ],
            None,
        );
        assert_eq!(ranked.len(), 1);
    }
}
