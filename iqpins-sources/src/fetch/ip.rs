//! Which addresses the fetcher may reach, and every spelling of an IP-literal host.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused, or `None` when it is a public unicast address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    Some(match o {
        [0, ..] => "an unspecified / \"this network\" address (0.0.0.0/8)",
        [127, ..] => "a loopback address (127.0.0.0/8)",
        [10, ..] => "a private address (10.0.0.0/8)",
        [172, b, ..] if (16..=31).contains(&b) => "a private address (172.16.0.0/12)",
        [192, 168, ..] => "a private address (192.168.0.0/16)",
        [169, 254, ..] => "a link-local / cloud metadata address (169.254.0.0/16)",
        [100, b, ..] if (64..=127).contains(&b) => "a carrier-grade NAT address (100.64.0.0/10)",
        [192, 0, 0, _] => "an IETF protocol assignment (192.0.0.0/24)",
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => "a documentation address",
        [198, b, ..] if b == 18 || b == 19 => "a benchmarking address (198.18.0.0/15)",
        [192, 88, 99, _] => "a deprecated 6to4 relay address (192.88.99.0/24)",
        [a, ..] if (224..=239).contains(&a) => "a multicast address (224.0.0.0/4)",
        [255, 255, 255, 255] => "the broadcast address",
        [a, ..] if a >= 240 => "a reserved address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("the unspecified address (::)");
    }
    if ip.is_loopback() {
        return Some("a loopback address (::1)");
    }
    // Addresses that carry an IPv4 address: judge the embedded one.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4)
            .map(|_| "an IPv4-mapped address of an internal IPv4 address")
            .or(Some(
                "an IPv4-mapped address (::ffff:0:0/96); use the IPv4 address",
            ));
    }
    let seg = ip.segments();
    if seg[..6] == [0, 0, 0, 0, 0, 0] {
        return Some("an IPv4-compatible address (::/96, deprecated)");
    }
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || seg[..3] == [0x64, 0xff9b, 1] {
        return Some("a NAT64 address (64:ff9b::/96), which can reach internal IPv4 hosts");
    }
    if seg[0] == 0x2002 {
        return Some("a 6to4 address (2002::/16), which can reach internal IPv4 hosts");
    }
    if seg[0] & 0xfe00 == 0xfc00 {
        return Some("a unique local address (fc00::/7)");
    }
    if seg[0] & 0xffc0 == 0xfe80 {
        return Some("a link-local address (fe80::/10)");
    }
    if seg[0] & 0xffc0 == 0xfec0 {
        return Some("a site-local address (fec0::/10, deprecated)");
    }
    if seg[0] & 0xff00 == 0xff00 {
        return Some("a multicast address (ff00::/8)");
    }
    if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        return Some("a documentation address (2001:db8::/32)");
    }
    if seg[0] == 0x2001 && seg[1] < 0x0200 {
        return Some("an IETF special-purpose address (2001::/23)");
    }
    if seg[0] == 0x0100 && seg[1..4] == [0, 0, 0] {
        return Some("a discard-only address (100::/64)");
    }
    if seg[0] & 0xe000 != 0x2000 {
        return Some("an address outside global unicast (2000::/3)");
    }
    None
}

/// Reads a host name the way `inet_aton` (and so many HTTP stacks) would read it as an
/// IPv4 address: 1–4 parts, each decimal, octal (`0177`) or hex (`0x7f`), with the last
/// part filling the remaining bytes (`127.1`, `2130706433`). `None` for real names.
pub fn parse_ipv4_loose(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(parts.len());
    for p in &parts {
        nums.push(parse_part(p)?);
    }
    let (last, init) = nums.split_last()?;
    let mut value: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        value |= n << (8 * (3 - i));
    }
    let room = 8 * (4 - init.len()) as u32;
    if room < 64 && *last >= (1u64 << room) {
        return None;
    }
    value |= last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn parse_part(p: &str) -> Option<u64> {
    if p.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if digits.is_empty() {
        return (radix == 16).then_some(0);
    }
    if digits.len() > 12 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ipv4_spelling_is_read() {
        let lo = Ipv4Addr::new(127, 0, 0, 1);
        for s in [
            "127.0.0.1",
            "127.1",
            "0x7f000001",
            "2130706433",
            "0177.0.0.1",
            "0x7f.0.0.1",
            "0x7f.1",
            "017700000001",
            "127.0.1",
            "127.0.0.1.",
        ] {
            assert_eq!(parse_ipv4_loose(s), Some(lo), "{s}");
        }
        assert_eq!(parse_ipv4_loose("shop.example"), None);
        assert_eq!(parse_ipv4_loose("1.2.3.4.5"), None);
        assert_eq!(parse_ipv4_loose("256.1.1.1"), None);
    }

    #[test]
    fn internal_ranges_are_refused_and_public_ones_allowed() {
        for ip in [
            "10.1.2.3",
            "172.31.0.1",
            "100.100.0.1",
            "169.254.169.254",
            "::ffff:10.0.0.1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::",
            "64:ff9b::a00:1",
            "2002:a00:1::",
        ] {
            assert!(forbidden_reason(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert_eq!(forbidden_reason(ip.parse().unwrap()), None, "{ip}");
        }
    }
}
