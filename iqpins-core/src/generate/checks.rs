//! Readiness checks: what stops a draft from being approved, in words a reviewer
//! understands.

use std::fmt;

use serde::Serialize;

use crate::domain::DraftContent;
use crate::fields::{
    ALT_TEXT_MAX, DESCRIPTION_MAX, DestinationUrl, LINK_MAX, TITLE_MAX, char_count,
};

/// One failed readiness check.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Reason {
    /// A stable code: `no_link`, `link_domain`, `no_board`, `no_image`, `bad_url`, `limit`.
    pub code: &'static str,
    /// What is wrong and what to do, for the reviewer.
    pub message: String,
}

impl Reason {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> String {
        r.message
    }
}

/// Whether `host` is `domain` or one of its subdomains (`www.shop.example` for
/// `shop.example`). Case, a leading `www.`/`.` and a trailing dot of the entry are ignored.
pub fn host_allowed(host: &str, allowed_domains: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    allowed_domains.iter().any(|d| {
        let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        // An entry may be written as a URL.
        let d = url::Url::parse(&d)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or(d);
        let d = d.trim_start_matches('.').trim_start_matches("www.");
        !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
    })
}

fn check_url(field: &'static str, what: &str, value: &DestinationUrl, out: &mut Vec<Reason>) {
    // The newtype already guarantees this; re-checking keeps approval safe if a stored
    // value was written by an older version with other rules.
    if let Err(e) = DestinationUrl::parse_field(field, value.as_str()) {
        out.push(Reason::new(
            "bad_url",
            format!("The {what} is not a valid web address: {e}"),
        ));
    }
}

/// Every reason the draft is not ready to approve; empty when it is ready.
///
/// Checks: a link is set, well formed, at most 2048 characters, and its host is one of the
/// account's allowed domains (an empty list means none is configured, which is a reason
/// too); a board is chosen; an image (URL or rendered creative) is present and well
/// formed; title, description and alt text are within Pinterest's limits.
pub fn readiness(content: &DraftContent, allowed_domains: &[String]) -> Vec<Reason> {
    let mut out = Vec::new();
    let title = char_count(content.title.as_str());
    if title == 0 || title > TITLE_MAX {
        out.push(Reason::new(
            "limit",
            format!("The title must be 1 to {TITLE_MAX} characters; it is {title}."),
        ));
    }
    let d = char_count(content.description.as_str());
    if d > DESCRIPTION_MAX {
        out.push(Reason::new(
            "limit",
            format!("The description must be at most {DESCRIPTION_MAX} characters; it is {d}."),
        ));
    }
    let a = char_count(content.alt_text.as_str());
    if a > ALT_TEXT_MAX {
        out.push(Reason::new(
            "limit",
            format!("The alt text must be at most {ALT_TEXT_MAX} characters; it is {a}."),
        ));
    }
    match &content.link {
        None => out.push(Reason::new("no_link", "Add a destination link.")),
        Some(link) => {
            check_url("link", "link", link, &mut out);
            if link.as_str().len() > LINK_MAX {
                out.push(Reason::new(
                    "limit",
                    format!("The link must be at most {LINK_MAX} characters."),
                ));
            }
            if allowed_domains.is_empty() {
                out.push(Reason::new(
                    "link_domain",
                    "No website is allowed for links yet: add your site's domain in settings.",
                ));
            } else if !host_allowed(link.host(), allowed_domains) {
                out.push(Reason::new(
                    "link_domain",
                    format!(
                        "The link goes to {}, which is not one of your websites ({}).",
                        link.host(),
                        allowed_domains.join(", ")
                    ),
                ));
            }
        }
    }
    if content.board.is_none() {
        out.push(Reason::new("no_board", "Choose a board."));
    }
    match (&content.image.url, &content.image.creative) {
        (None, None) => out.push(Reason::new("no_image", "Add an image.")),
        (Some(u), _) => check_url("image_url", "image address", u, &mut out),
        (None, Some(c)) if c.trim().is_empty() => {
            out.push(Reason::new("no_image", "Add an image."));
        }
        (None, Some(_)) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DraftImage;
    use crate::fields::{AltText, BoardId, PinDescription, PinTitle};

    fn ready() -> DraftContent {
        DraftContent {
            title: PinTitle::parse("Blue mug").unwrap(),
            description: PinDescription::parse("A mug.").unwrap(),
            alt_text: AltText::parse("A blue mug").unwrap(),
            link: Some(
                DestinationUrl::parse("https://www.shop.example/p/1?utm_source=pinterest").unwrap(),
            ),
            image: DraftImage {
                url: Some(DestinationUrl::parse("https://cdn.example/mug.jpg").unwrap()),
                creative: None,
                send: crate::ImageSend::Photo,
            },
            board: Some(BoardId::parse("1").unwrap()),
            section: None,
        }
    }

    #[test]
    fn a_complete_draft_on_an_allowed_domain_is_ready() {
        assert!(readiness(&ready(), &["shop.example".into()]).is_empty());
        assert!(readiness(&ready(), &["https://www.shop.example/".into()]).is_empty());
    }

    #[test]
    fn a_link_to_another_domain_is_refused_with_the_domain_named() {
        let r = readiness(&ready(), &["other.example".into()]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, "link_domain");
        assert!(r[0].message.contains("www.shop.example"), "{}", r[0]);
        // A look-alike suffix is not a subdomain.
        assert!(!host_allowed("evilshop.example", &["shop.example".into()]));
    }

    #[test]
    fn missing_board_image_and_link_each_give_a_reason() {
        let mut c = ready();
        c.board = None;
        c.image = DraftImage::default();
        c.link = None;
        let codes: Vec<&str> = readiness(&c, &["shop.example".into()])
            .iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(codes, vec!["no_link", "no_board", "no_image"]);
    }

    #[test]
    fn no_configured_domains_is_a_reason() {
        let r = readiness(&ready(), &[]);
        assert_eq!(r[0].code, "link_domain");
    }

    #[test]
    fn a_rendered_creative_counts_as_an_image() {
        let mut c = ready();
        c.image = DraftImage {
            url: None,
            creative: Some("creatives/1.jpg".into()),
            send: crate::ImageSend::Photo,
        };
        assert!(readiness(&c, &["shop.example".into()]).is_empty());
    }
}
