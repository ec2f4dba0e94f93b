//! Prices written by people: `"$1,299.00"`, `"15.00 USD"`, `48`, `"1.299,00 €"`.

use iqpins_core::fields::{Currency, Money};

/// Active ISO 4217 codes (a code that is not here is not taken from free text).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// Currency symbols that name exactly one currency. `$`, `¥` and `kr` are shared by
/// several currencies, so they give no currency on their own.
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("R$", "BRL"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("₩", "KRW"),
    ("₽", "RUB"),
    ("₺", "TRY"),
    ("₴", "UAH"),
    ("₪", "ILS"),
    ("₫", "VND"),
    ("₱", "PHP"),
    ("฿", "THB"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("CHF", "CHF"),
];

/// True for an active ISO 4217 code (upper case).
pub(crate) fn is_iso(code: &str) -> bool {
    code.len() == 3 && ISO_4217.split(' ').any(|c| c == code)
}

/// A currency from a declared value: an ISO code in any case, or an unambiguous symbol.
pub(crate) fn currency(declared: &str) -> Option<Currency> {
    let d = declared.trim();
    let up = d.to_ascii_uppercase();
    if is_iso(&up) {
        return Currency::parse(&up).ok();
    }
    SYMBOLS
        .iter()
        .find(|(sym, _)| d == *sym)
        .and_then(|(_, code)| Currency::parse(code).ok())
}

/// Finds a currency written inside a price text (`15.00 USD`, `€12`).
pub(crate) fn currency_in_text(text: &str) -> Option<Currency> {
    for word in text.split(|c: char| !c.is_ascii_alphabetic()) {
        if word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()) && is_iso(word) {
            return Currency::parse(word).ok();
        }
    }
    SYMBOLS
        .iter()
        .find(|(sym, _)| text.contains(sym))
        .and_then(|(_, code)| Currency::parse(code).ok())
}

/// The number inside a price text: the first run of digits with `.`/`,` separators.
pub(crate) fn amount_in_text(text: &str) -> Option<String> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '\''))
        .unwrap_or(rest.len());
    let num = rest[..end].trim_end_matches(['.', ',', '\'']);
    // A minus sign right before the digits means a negative number: not a price.
    if text[..start].trim_end().ends_with('-') {
        return None;
    }
    (!num.is_empty()).then(|| num.to_owned())
}

/// A price from an amount text and an optional declared currency; the currency may also
/// be written in the amount text. `None` when either part is unknown or invalid.
pub(crate) fn money(amount: &str, declared_currency: Option<&str>) -> Option<Money> {
    let cur = declared_currency
        .and_then(currency)
        .or_else(|| currency_in_text(amount))?;
    let num = amount_in_text(amount)?;
    Money::new(num, cur.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_many_spellings_are_read() {
        let m = money("15.00 USD", None).unwrap();
        assert_eq!(
            (m.amount().as_str(), m.currency().as_str()),
            ("15.00", "USD")
        );
        let m = money("1.299,00 €", None).unwrap();
        assert_eq!(
            (m.amount().as_str(), m.currency().as_str()),
            ("1299.00", "EUR")
        );
        let m = money("48", Some("eur")).unwrap();
        assert_eq!(m.amount().as_str(), "48");
        let m = money("$1,299.00", Some("USD")).unwrap();
        assert_eq!(m.amount().as_str(), "1299.00");
    }

    #[test]
    fn a_price_without_a_known_currency_is_left_out() {
        assert_eq!(money("$12.00", None), None);
        assert_eq!(money("12.00", Some("dollars")), None);
        assert_eq!(money("free", Some("USD")), None);
        assert_eq!(money("-5", Some("USD")), None);
    }
}
