//! Field newtypes: a value of these types always respects Pinterest's limits.
//!
//! Parse, don't validate: each type has a private field and a fallible constructor, and
//! serde goes through the same constructor (`#[serde(try_from = "String")]`).

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};

/// Maximum characters in a Pin title.
pub const TITLE_MAX: usize = 100;
/// Maximum characters in a Pin description (the bulk-CSV limit; the API allows 800).
pub const DESCRIPTION_MAX: usize = 500;
/// Maximum characters in alt text.
pub const ALT_TEXT_MAX: usize = 500;
/// Maximum length of a destination link.
pub const LINK_MAX: usize = 2048;

/// Counts characters the way Pinterest does: Unicode scalar values.
pub fn char_count(s: &str) -> usize {
    s.chars().count()
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $field:literal, required: $req:expr, $max:expr, newlines: $nl:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The largest number of characters allowed.
            pub const MAX: usize = $max;

            /// Trims the value and checks it; the error names the field and the limit.
            pub fn parse(value: impl AsRef<str>) -> Result<Self> {
                let v = value.as_ref().trim();
                let n = char_count(v);
                if $req && n == 0 {
                    return Err(Error::invalid($field, "must not be empty"));
                }
                if n > $max {
                    return Err(Error::invalid(
                        $field,
                        format!("is {n} characters; at most {} allowed", $max),
                    ));
                }
                if has_control(v) || (!$nl && v.contains('\n')) {
                    return Err(Error::invalid($field, "contains control characters"));
                }
                Ok(Self(v.to_owned()))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(v: String) -> Result<Self> {
                Self::parse(v)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_newtype!(
    /// A Pin title: 1–100 characters, one line.
    PinTitle, "title", required: true, TITLE_MAX, newlines: false
);
text_newtype!(
    /// A Pin description: at most 500 characters (may be empty).
    PinDescription, "description", required: false, DESCRIPTION_MAX, newlines: true
);
text_newtype!(
    /// Alt text for the Pin image: at most 500 characters (may be empty).
    AltText, "alt_text", required: false, ALT_TEXT_MAX, newlines: false
);

/// A Pin's destination: an absolute http/https URL of at most 2048 characters, with a host
/// and no `user:password@` part.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DestinationUrl(url::Url);

impl DestinationUrl {
    /// Parses and checks the link.
    pub fn parse(value: impl AsRef<str>) -> Result<Self> {
        Self::parse_field("link", value.as_ref())
    }

    /// Like [`DestinationUrl::parse`] with another field name in the error (e.g. `image_url`).
    pub fn parse_field(field: &'static str, value: &str) -> Result<Self> {
        let v = value.trim();
        if v.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        let url = url::Url::parse(v).map_err(|e| Error::invalid(field, format!("{e}: {v:?}")))?;
        Self::from_url_field(field, url)
    }

    /// Checks an already parsed URL.
    pub fn from_url(url: url::Url) -> Result<Self> {
        Self::from_url_field("link", url)
    }

    fn from_url_field(field: &'static str, url: url::Url) -> Result<Self> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid(
                field,
                format!(
                    "scheme {:?} is not allowed; use http or https",
                    url.scheme()
                ),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid(field, "has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid(field, "must not contain user:password"));
        }
        let n = url.as_str().len();
        if n > LINK_MAX {
            return Err(Error::invalid(
                field,
                format!("is {n} characters; at most {LINK_MAX} allowed"),
            ));
        }
        Ok(Self(url))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// The host, lower case.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }
}

impl TryFrom<String> for DestinationUrl {
    type Error = Error;
    fn try_from(v: String) -> Result<Self> {
        Self::parse(v)
    }
}
impl From<DestinationUrl> for String {
    fn from(v: DestinationUrl) -> String {
        v.0.into()
    }
}
impl fmt::Display for DestinationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}
impl fmt::Debug for DestinationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DestinationUrl({:?})", self.0.as_str())
    }
}

macro_rules! digit_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks that the id is 1–64 ASCII digits, as Pinterest sends ids.
            pub fn parse(value: impl AsRef<str>) -> Result<Self> {
                let v = value.as_ref().trim();
                if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid(
                        $field,
                        format!("must be 1-64 digits, got {v:?}"),
                    ));
                }
                Ok(Self(v.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(v: String) -> Result<Self> {
                Self::parse(v)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

digit_id!(
    /// A Pinterest board id (a digit string).
    BoardId, "board_id"
);
digit_id!(
    /// A Pinterest board section id (a digit string).
    BoardSectionId, "board_section_id"
);
digit_id!(
    /// A Pinterest pin id (a digit string).
    PinId, "pin_id"
);

/// An ISO 4217 currency code (three upper-case ASCII letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Accepts three ASCII letters (any case) and upper-cases them.
    pub fn parse(value: impl AsRef<str>) -> Result<Self> {
        let v = value.as_ref().trim();
        let b = v.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::invalid(
                "currency",
                format!("must be a 3-letter ISO 4217 code, got {v:?}"),
            ));
        }
        Ok(Self([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// The code, e.g. `EUR`.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point for this currency (ISO 4217 minor units).
    pub fn minor_units(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// A symbol for display where one is common, else the code.
    pub fn symbol(&self) -> &str {
        match self.as_str() {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "INR" => "₹",
            "KRW" => "₩",
            other => other,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(v: String) -> Result<Self> {
        Self::parse(v)
    }
}
impl From<Currency> for String {
    fn from(v: Currency) -> String {
        v.as_str().to_owned()
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

/// A price: a non-negative decimal amount kept as text (no float rounding) and a currency.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Debug)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// A non-negative decimal number as text: digits, optionally `.` and more digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal(String);

impl Decimal {
    /// Accepts `12`, `12.5`, `0.99`; also `1,299.00` / `1.299,00` / `12,50` styles, which
    /// are normalised to `1299.00` and `12.50`. Refuses negatives, exponents and words.
    pub fn parse(value: impl AsRef<str>) -> Result<Self> {
        let raw = value.as_ref().trim();
        let err = || Error::invalid("price", format!("{raw:?} is not a decimal amount"));
        if raw.is_empty() || raw.len() > 32 {
            return Err(err());
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',' || b == b' ' || b == b'\'')
        {
            return Err(err());
        }
        let s: String = raw.chars().filter(|c| *c != ' ' && *c != '\'').collect();
        let last_dot = s.rfind('.');
        let last_comma = s.rfind(',');
        // The decimal separator is the last of '.'/',' when followed by 1-3 digits and
        // (for ',') when it is not a thousands group of exactly 3 after other groups.
        let normalised = match (last_dot, last_comma) {
            (Some(d), Some(c)) if d > c => s.replace(',', ""),
            (Some(_), Some(_)) => s.replace('.', "").replace(',', "."),
            (None, Some(c)) => {
                let frac = s.len() - c - 1;
                if s.matches(',').count() == 1 && frac != 3 {
                    s.replace(',', ".")
                } else {
                    s.replace(',', "")
                }
            }
            // Several dots can only be thousands groups ("1.299.000").
            (Some(_), None) if s.matches('.').count() > 1 => s.replace('.', ""),
            (Some(_), None) => s,
            (None, None) => s,
        };
        let mut parts = normalised.split('.');
        let int = parts.next().unwrap_or_default();
        let frac = parts.next();
        if parts.next().is_some()
            || int.is_empty() && frac.is_none_or(str::is_empty)
            || frac.is_some_and(str::is_empty)
        {
            return Err(err());
        }
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        Ok(Self(match frac {
            Some(f) => format!("{int}.{f}"),
            None => int.to_owned(),
        }))
    }

    /// The amount as text, e.g. `19.99`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds an amount from integer minor units, e.g. `1999` cents → `19.99`.
    pub fn from_minor(units: u64, digits: u32) -> Self {
        if digits == 0 {
            return Self(units.to_string());
        }
        let p = 10u64.pow(digits);
        Self(format!(
            "{}.{:0width$}",
            units / p,
            units % p,
            width = digits as usize
        ))
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.0.bytes().all(|b| b == b'0' || b == b'.')
    }
}

impl TryFrom<String> for Decimal {
    type Error = Error;
    fn try_from(v: String) -> Result<Self> {
        Self::parse(v)
    }
}
impl From<Decimal> for String {
    fn from(v: Decimal) -> String {
        v.0
    }
}
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl Money {
    /// A price from a decimal amount and a currency code.
    pub fn new(amount: impl AsRef<str>, currency: impl AsRef<str>) -> Result<Self> {
        Ok(Self {
            amount: Decimal::parse(amount)?,
            currency: Currency::parse(currency)?,
        })
    }

    /// A price from integer minor units (cents), using the currency's ISO 4217 exponent.
    pub fn from_minor_units(units: u64, currency: impl AsRef<str>) -> Result<Self> {
        let currency = Currency::parse(currency)?;
        Ok(Self {
            amount: Decimal::from_minor(units, currency.minor_units()),
            currency,
        })
    }

    /// The amount.
    pub fn amount(&self) -> &Decimal {
        &self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The price for people, e.g. `$19.99` or `19.99 CHF`.
    pub fn display(&self) -> String {
        let sym = self.currency.symbol();
        if sym.len() == 3 && sym.is_ascii() {
            format!("{} {sym}", self.amount)
        } else {
            format!("{sym}{}", self.amount)
        }
    }
}

/// One of the Pinterest OAuth scopes IQ Pins knows; unknown scope names are kept as given.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[serde(from = "String", into = "String")]
pub enum Scope {
    /// `user_accounts:read`
    UserAccountsRead,
    /// `boards:read`
    BoardsRead,
    /// `boards:write`
    BoardsWrite,
    /// `pins:read`
    PinsRead,
    /// `pins:write`
    PinsWrite,
    /// Any other scope name Pinterest sends.
    Unknown(String),
}

impl Scope {
    /// Exactly the scopes IQ Pins requests.
    pub const REQUESTED: [Scope; 5] = [
        Scope::UserAccountsRead,
        Scope::BoardsRead,
        Scope::BoardsWrite,
        Scope::PinsRead,
        Scope::PinsWrite,
    ];

    /// The scope's name as Pinterest spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Scope::UserAccountsRead => "user_accounts:read",
            Scope::BoardsRead => "boards:read",
            Scope::BoardsWrite => "boards:write",
            Scope::PinsRead => "pins:read",
            Scope::PinsWrite => "pins:write",
            Scope::Unknown(s) => s,
        }
    }

    /// Parses a known scope name strictly; the error lists the valid names.
    pub fn parse(value: &str) -> Result<Self> {
        match Scope::from(value.trim().to_owned()) {
            Scope::Unknown(s) => Err(Error::invalid(
                "scope",
                format!(
                    "unknown scope {s:?}; expected one of {}",
                    Scope::REQUESTED.map(|s| s.as_str().to_owned()).join(", ")
                ),
            )),
            known => Ok(known),
        }
    }

    /// Splits a space- or comma-separated scope list as Pinterest returns it.
    pub fn parse_list(list: &str) -> Vec<Scope> {
        list.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(|s| Scope::from(s.to_owned()))
            .collect()
    }
}

impl From<String> for Scope {
    fn from(v: String) -> Self {
        match v.as_str() {
            "user_accounts:read" => Scope::UserAccountsRead,
            "boards:read" => Scope::BoardsRead,
            "boards:write" => Scope::BoardsWrite,
            "pins:read" => Scope::PinsRead,
            "pins:write" => Scope::PinsWrite,
            _ => Scope::Unknown(v),
        }
    }
}
impl From<Scope> for String {
    fn from(v: Scope) -> String {
        v.as_str().to_owned()
    }
}
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cuts `text` to at most `max` characters at a word boundary, never inside a grapheme,
/// appending `…` when something was cut (the ellipsis counts towards `max`).
pub fn truncate_words(text: &str, max: usize) -> String {
    let text = text.trim();
    if char_count(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut end = 0; // byte index of the last word end that fits
    let mut fit_end = 0; // byte index of the last grapheme that fits
    let mut chars = 0;
    for (idx, g) in text.grapheme_indices(true) {
        let n = char_count(g);
        if chars + n > budget {
            break;
        }
        chars += n;
        fit_end = idx + g.len();
        if g.chars().all(char::is_whitespace) {
            end = idx;
        }
    }
    // A following space means the last grapheme ended a word too.
    if text[fit_end..].starts_with(char::is_whitespace) {
        end = fit_end;
    }
    let cut = if end == 0 { fit_end } else { end };
    let mut out = text[..cut]
        .trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—|/".contains(c))
        .to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_over_100_characters_is_refused_naming_the_field_and_limit() {
        let e = PinTitle::parse("x".repeat(101)).unwrap_err().to_string();
        assert!(e.contains("title") && e.contains("100"), "{e}");
        assert!(PinTitle::parse("x".repeat(100)).is_ok());
        assert!(
            PinTitle::parse("   ")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }

    #[test]
    fn titles_count_characters_not_bytes() {
        assert!(PinTitle::parse("é".repeat(100)).is_ok());
        assert!(PinTitle::parse("日".repeat(101)).is_err());
    }

    #[test]
    fn descriptions_and_alt_text_have_their_limits() {
        assert!(PinDescription::parse("").is_ok());
        let e = PinDescription::parse("a".repeat(501))
            .unwrap_err()
            .to_string();
        assert!(e.contains("description") && e.contains("500"), "{e}");
        let e = AltText::parse("a".repeat(501)).unwrap_err().to_string();
        assert!(e.contains("alt_text") && e.contains("500"), "{e}");
        assert!(AltText::parse("line\nbreak").is_err());
    }

    #[test]
    fn links_must_be_http_with_a_host_and_no_credentials() {
        assert!(DestinationUrl::parse("https://shop.example/p/1?x=1").is_ok());
        for bad in [
            "ftp://shop.example/",
            "javascript:alert(1)",
            "https://user:pw@shop.example/",
            "/relative",
            "",
            "data:text/html,hi",
        ] {
            let e = DestinationUrl::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid link"), "{bad}: {e}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(2048));
        assert!(
            DestinationUrl::parse(long)
                .unwrap_err()
                .to_string()
                .contains("2048")
        );
    }

    #[test]
    fn ids_are_digit_strings() {
        assert!(BoardId::parse("549755885175").is_ok());
        let e = BoardId::parse("12a").unwrap_err().to_string();
        assert!(e.contains("board_id"), "{e}");
        assert!(PinId::parse("").is_err());
        let id: PinId = serde_json::from_str("\"123\"").unwrap();
        assert_eq!(id.as_str(), "123");
        assert!(serde_json::from_str::<PinId>("\"x\"").is_err());
    }

    #[test]
    fn money_keeps_decimal_text_and_iso_currency() {
        let m = Money::new("19.99", "usd").unwrap();
        assert_eq!(m.amount().as_str(), "19.99");
        assert_eq!(m.currency().as_str(), "USD");
        assert_eq!(m.display(), "$19.99");
        assert_eq!(
            Money::new("1,299.00", "USD").unwrap().amount().as_str(),
            "1299.00"
        );
        assert_eq!(
            Money::new("1.299,50", "EUR").unwrap().amount().as_str(),
            "1299.50"
        );
        assert_eq!(
            Money::new("12,50", "EUR").unwrap().amount().as_str(),
            "12.50"
        );
        assert_eq!(
            Money::from_minor_units(1999, "EUR")
                .unwrap()
                .amount()
                .as_str(),
            "19.99"
        );
        assert_eq!(
            Money::from_minor_units(500, "JPY")
                .unwrap()
                .amount()
                .as_str(),
            "500"
        );
        assert!(Money::new("-1", "USD").is_err());
        assert!(Money::new("1e5", "USD").is_err());
        let e = Money::new("1", "US").unwrap_err().to_string();
        assert!(e.contains("currency") && e.contains("ISO 4217"), "{e}");
    }

    #[test]
    fn scopes_round_trip_and_unknown_names_are_kept() {
        let list = Scope::parse_list("user_accounts:read,boards:read pins:write ads:read");
        assert_eq!(list[0], Scope::UserAccountsRead);
        assert_eq!(list[3], Scope::Unknown("ads:read".into()));
        assert!(
            Scope::parse("pins:delete")
                .unwrap_err()
                .to_string()
                .contains("pins:write")
        );
    }

    #[test]
    fn truncation_cuts_at_words_and_graphemes() {
        assert_eq!(truncate_words("hello world again", 12), "hello world…");
        assert_eq!(truncate_words("short", 12), "short");
        let s = truncate_words("Supercalifragilistic", 8);
        assert_eq!(char_count(&s), 8);
        // a family emoji is one grapheme of several chars; never split it
        let fam = "👨‍👩‍👧‍👦";
        let t = truncate_words(&format!("ab {fam}{fam}"), 9);
        assert!(t.starts_with("ab") && t.ends_with('…'));
        assert!(!t.contains('\u{200d}') || t.contains(fam));
    }
}
