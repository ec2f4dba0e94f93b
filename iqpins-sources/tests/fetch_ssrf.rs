//! SSRF guards of the fetcher. No packet leaves the machine: names are resolved by a
//! fake resolver (no real DNS), literal addresses are refused before anything is sent,
//! and the only server contacted is a mockito server on 127.0.0.1, allow-listed, whose
//! redirects to internal addresses must be refused before connecting.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use iqpins_core::ports::Fetcher;
use iqpins_sources::Error;
use iqpins_sources::fetch::{FetchPolicy, SafeFetcher};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A resolver that answers from a table and records every question. Unknown names fail,
/// so a test can never fall through to real DNS.
#[derive(Clone, Default)]
struct FakeDns {
    table: HashMap<String, Vec<IpAddr>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl FakeDns {
    fn with(mut self, name: &str, ips: &[&str]) -> Self {
        self.table.insert(
            name.to_owned(),
            ips.iter().map(|i| i.parse().unwrap()).collect(),
        );
        self
    }
}

impl Resolve for FakeDns {
    fn resolve(&self, name: Name) -> Resolving {
        self.asked.lock().unwrap().push(name.as_str().to_owned());
        let answer = self.table.get(name.as_str()).cloned();
        Box::pin(async move {
            match answer {
                Some(ips) => {
                    let addrs: Addrs = Box::new(
                        ips.into_iter()
                            .map(|ip| SocketAddr::new(ip, 0))
                            .collect::<Vec<_>>()
                            .into_iter(),
                    );
                    Ok(addrs)
                }
                None => Err("no such name in the fake DNS".into()),
            }
        })
    }
}

fn dns() -> FakeDns {
    FakeDns::default()
        .with("localhost", &["127.0.0.1", "::1"])
        .with("internal.test", &["10.0.0.1"])
        .with("metadata.test", &["169.254.169.254"])
        .with("mixed.test", &["93.184.216.34", "192.168.1.10"])
        .with("v6local.test", &["fd00::5"])
        .with("mapped.test", &["::ffff:127.0.0.1"])
        .with("cgnat.test", &["100.64.0.1"])
        .with("127.0.0.1.nip.test", &["127.0.0.1"])
}

fn fetcher(policy: FetchPolicy, dns: FakeDns) -> SafeFetcher {
    SafeFetcher::with_resolver(policy, Arc::new(dns)).unwrap()
}

async fn refused(f: &SafeFetcher, url: &str) -> String {
    match f.get(url).await {
        Err(Error::Refused { reason, .. }) => reason,
        other => panic!("{url} was not refused: {other:?}"),
    }
}

/// Literal addresses and bad schemes/ports, refused before anything is sent.
const LITERAL_FORMS: &[(&str, &str)] = &[
    ("http://127.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://127.0.1/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://0x7f.0.0.1/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://127.0.0.1./", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "IPv4-mapped"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://0xa9fea9fe/", "metadata"),
    ("http://2852039166/", "metadata"),
    ("http://[::ffff:169.254.169.254]/", "IPv4-mapped"),
    ("http://10.0.0.1/", "private"),
    ("http://012.0.0.1/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://100.64.0.1/", "carrier-grade"),
    ("http://224.0.0.1/", "multicast"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://[fd00::1]/", "unique local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[::127.0.0.1]/", "IPv4-compatible"),
    ("http://[64:ff9b::7f00:1]/", "NAT64"),
    ("http://[2002:7f00:1::]/", "6to4"),
    ("http://localhost/", "loopback name"),
    ("http://api.localhost/", "loopback name"),
    ("file:///etc/passwd", "scheme"),
    ("ftp://files.example/", "scheme"),
    ("gopher://gopher.example/", "scheme"),
    ("http://shop.example:22/", "port"),
    ("https://shop.example:8443/", "port"),
    ("http://user:secret@shop.example/", "user:password"),
];

#[tokio::test]
async fn every_literal_bypass_form_is_refused_before_sending() {
    let dns = dns();
    let asked = dns.asked.clone();
    let f = fetcher(FetchPolicy::default(), dns);
    assert!(LITERAL_FORMS.len() >= 25);
    for (url, why) in LITERAL_FORMS {
        let reason = refused(&f, url).await;
        assert!(
            reason.to_lowercase().contains(&why.to_lowercase()),
            "{url}: {reason:?} does not say {why:?}"
        );
    }
    // Nothing needed a name lookup: all were refused from the URL alone.
    assert!(
        asked.lock().unwrap().is_empty(),
        "{:?}",
        asked.lock().unwrap()
    );
}

#[tokio::test]
async fn names_resolving_to_internal_addresses_are_refused_before_connecting() {
    let f = fetcher(FetchPolicy::default(), dns());
    for (url, why) in [
        ("http://internal.test/", "10.0.0.1 is a private address"),
        ("http://metadata.test/", "169.254.169.254"),
        ("http://mixed.test/", "192.168.1.10"),
        ("http://v6local.test/", "unique local"),
        ("http://mapped.test/", "loopback"),
        ("http://cgnat.test/", "carrier-grade"),
        ("http://127.0.0.1.nip.test/", "loopback"),
    ] {
        let reason = refused(&f, url).await;
        assert!(
            reason.contains(why),
            "{url}: {reason:?} does not say {why:?}"
        );
    }
}

#[tokio::test]
async fn a_name_the_resolver_cannot_answer_is_a_fetch_error_not_a_real_lookup() {
    let f = fetcher(FetchPolicy::default(), dns());
    let e = f.get("http://unknown.test/").await.unwrap_err();
    assert!(matches!(e, Error::Fetch { .. }), "{e:?}");
}

fn loopback_policy(port: u16) -> FetchPolicy {
    FetchPolicy {
        allow: vec!["127.0.0.1/32".parse().unwrap()],
        ports: vec![80, 443, port],
        ..FetchPolicy::default()
    }
}

#[tokio::test]
async fn redirects_to_internal_addresses_are_refused() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let targets = [
        (
            "/a",
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "169.254.169.254",
        ),
        ("/b", "http://10.0.0.1/".to_owned(), "private"),
        ("/c", "http://0xa9fea9fe/".to_owned(), "169.254.169.254"),
        ("/d", "http://[::ffff:a9fe:a9fe]/".to_owned(), "IPv4-mapped"),
        ("/e", "http://internal.test/".to_owned(), "10.0.0.1"),
        ("/f", format!("http://[::1]:{port}/"), "loopback"),
        ("/g", "file:///etc/passwd".to_owned(), "scheme"),
        ("/h", "http://127.0.0.1:22/".to_owned(), "port 22"),
    ];
    let mut mocks = Vec::new();
    for (path, to, _) in &targets {
        mocks.push(
            server
                .mock("GET", *path)
                .with_status(302)
                .with_header("location", to)
                .create_async()
                .await,
        );
    }
    let f = fetcher(loopback_policy(port), dns());
    for (path, _, why) in &targets {
        let url = format!("{}{path}", server.url());
        let reason = refused(&f, &url).await;
        assert!(
            reason.contains("redirect") || reason.contains(why),
            "{url}: {reason}"
        );
        assert!(
            reason.contains(why),
            "{url}: {reason:?} does not say {why:?}"
        );
    }
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn more_than_five_redirects_are_refused() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let _m = server
        .mock("GET", "/loop")
        .with_status(302)
        .with_header("location", "/loop")
        .expect_at_least(5)
        .create_async()
        .await;
    let f = fetcher(loopback_policy(port), dns());
    let reason = refused(&f, &format!("{}/loop", server.url())).await;
    assert!(reason.contains("more than 5 redirects"), "{reason}");
}

#[tokio::test]
async fn an_allow_listed_server_is_fetched_with_an_honest_user_agent() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let m = server
        .mock("GET", "/p")
        .match_header("user-agent", mockito::Matcher::Regex("^IQPinsBot/".into()))
        .with_header("content-type", "text/html; charset=utf-8")
        .with_body("<html><title>Mug</title></html>")
        .create_async()
        .await;
    let f = fetcher(loopback_policy(port), dns());
    let got = f.fetch(&format!("{}/p", server.url())).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"<html><title>Mug</title></html>");
    m.assert_async().await;
}

#[tokio::test]
async fn the_same_server_is_refused_without_the_allow_list() {
    let server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let policy = FetchPolicy {
        ports: vec![port],
        ..FetchPolicy::default()
    };
    let f = fetcher(policy, dns());
    let reason = refused(&f, &server.url()).await;
    assert!(reason.contains("loopback"), "{reason}");
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_also_after_decompression() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let big = vec![b'a'; 300 * 1024];
    let _plain = server
        .mock("GET", "/big")
        .with_header("content-type", "text/html")
        .with_body(&big)
        .create_async()
        .await;
    // A gzip bomb: small on the wire, large once inflated (made with the system gzip).
    let gz = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&big)?;
            child.wait_with_output()
        })
        .expect("gzip is needed for the gzip-bomb test")
        .stdout;
    assert!(gz.len() < 10 * 1024);
    let _bomb = server
        .mock("GET", "/bomb")
        .with_header("content-type", "text/html")
        .with_header("content-encoding", "gzip")
        .with_body(&gz)
        .create_async()
        .await;
    let policy = FetchPolicy {
        max_body: 100 * 1024,
        ..loopback_policy(port)
    };
    let f = fetcher(policy, dns());
    for path in ["/big", "/bomb"] {
        let e = f.get(&format!("{}{path}", server.url())).await.unwrap_err();
        assert!(
            matches!(e, Error::TooLarge { limit: 102400, .. }),
            "{path}: {e:?}"
        );
    }
}

#[tokio::test]
async fn images_and_other_content_types_are_refused() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let _m = server
        .mock("GET", "/img")
        .with_header("content-type", "image/png")
        .with_body(b"\x89PNG\r\n\x1a\n")
        .create_async()
        .await;
    let _o = server
        .mock("GET", "/bin")
        .with_header("content-type", "application/octet-stream")
        .with_body([0u8, 1, 2, 3, 0, 0, 7])
        .create_async()
        .await;
    let f = fetcher(loopback_policy(port), dns());
    for path in ["/img", "/bin"] {
        let e = f.get(&format!("{}{path}", server.url())).await.unwrap_err();
        assert!(
            matches!(e, Error::UnsupportedContentType { .. }),
            "{path}: {e:?}"
        );
    }
}

#[tokio::test]
async fn refusals_through_the_core_port_name_the_url_and_reason() {
    let f = fetcher(FetchPolicy::default(), dns());
    let e = f.fetch("http://169.254.169.254/").await.unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("169.254.169.254") && s.contains("link-local"),
        "{s}"
    );
}
