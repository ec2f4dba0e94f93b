//! Pinterest's timestamps: RFC 3339, or without an offset (then UTC), as the API has sent both.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Parses an RFC 3339 timestamp or one without an offset (taken as UTC).
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// serde `deserialize_with` for an optional lenient timestamp.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(s) => parse_timestamp(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a timestamp"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_offset_parse() {
        assert!(parse_timestamp("2024-01-02T03:04:05Z").is_some());
        assert!(parse_timestamp("2024-01-02T03:04:05.123+02:00").is_some());
        assert_eq!(
            parse_timestamp("2024-01-02T03:04:05"),
            parse_timestamp("2024-01-02T03:04:05Z")
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
