//! Destination links: the item's canonical URL plus UTM parameters.

use crate::fields::{DestinationUrl, LINK_MAX};

/// Builds the Pin's destination from the item's canonical URL: the fragment is dropped,
/// the existing query is kept, and each UTM pair is appended unless the URL already has
/// that parameter. When the parameters would push the link over 2048 characters they are
/// left out. `None` when the URL is not an absolute http/https URL with a host.
pub fn destination(url: &str, utm: &[(String, String)]) -> Option<DestinationUrl> {
    let mut parsed = url::Url::parse(url.trim()).ok()?;
    parsed.set_fragment(None);
    let plain = DestinationUrl::from_url(parsed.clone()).ok()?;
    let existing: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let add: Vec<&(String, String)> = utm
        .iter()
        .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
        .filter(|(k, _)| !existing.iter().any(|e| e.eq_ignore_ascii_case(k.trim())))
        .collect();
    if add.is_empty() {
        return Some(plain);
    }
    {
        let mut q = parsed.query_pairs_mut();
        for (k, v) in add {
            q.append_pair(k.trim(), v.trim());
        }
    }
    if parsed.as_str().len() > LINK_MAX {
        return Some(plain);
    }
    DestinationUrl::from_url(parsed).ok().or(Some(plain))
}

/// The link without `utm_*` parameters and fragment, for recognising the same page.
pub fn without_utm(link: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(link.trim()) else {
        return link.trim().to_owned();
    };
    parsed.set_fragment(None);
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("utm_"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(kept);
    }
    parsed.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utm() -> Vec<(String, String)> {
        vec![
            ("utm_source".into(), "pinterest".into()),
            ("utm_medium".into(), "social".into()),
            ("utm_campaign".into(), "Spring shop".into()),
        ]
    }

    #[test]
    fn utm_is_added_the_query_kept_and_the_fragment_dropped() {
        let l = destination("https://shop.example/p/1?color=blue#reviews", &utm()).unwrap();
        assert_eq!(
            l.as_str(),
            "https://shop.example/p/1?color=blue&utm_source=pinterest&utm_medium=social&utm_campaign=Spring+shop"
        );
    }

    #[test]
    fn existing_utm_parameters_are_not_overwritten() {
        let l = destination("https://shop.example/p?utm_source=news", &utm()).unwrap();
        assert_eq!(
            l.as_str(),
            "https://shop.example/p?utm_source=news&utm_medium=social&utm_campaign=Spring+shop"
        );
    }

    #[test]
    fn non_http_urls_give_no_link() {
        assert!(destination("ftp://shop.example/x", &utm()).is_none());
        assert!(destination("/relative", &utm()).is_none());
        assert!(destination("", &utm()).is_none());
    }

    #[test]
    fn a_link_that_would_be_too_long_keeps_no_utm() {
        let long = format!("https://shop.example/{}", "a".repeat(2000));
        let l = destination(&long, &utm()).unwrap();
        assert!(!l.as_str().contains("utm_"));
    }

    #[test]
    fn utm_stripping_recognises_the_same_page() {
        assert_eq!(
            without_utm("https://s.example/p?x=1&utm_source=pinterest#f"),
            "https://s.example/p?x=1"
        );
        assert_eq!(
            without_utm("https://s.example/p?utm_medium=a"),
            "https://s.example/p"
        );
    }
}
