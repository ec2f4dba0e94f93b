//! Fetching images (for creatives) under the same SSRF policy as pages.
#![allow(clippy::unwrap_used)]

use iqpins_sources::Error;
use iqpins_sources::fetch::{FetchPolicy, SafeFetcher};

fn fetcher(port: u16) -> SafeFetcher {
    SafeFetcher::with_policy(FetchPolicy {
        allow: vec!["127.0.0.1/32".parse().unwrap()],
        ports: vec![80, 443, port],
        ..FetchPolicy::default()
    })
    .unwrap()
}

#[tokio::test]
async fn images_are_fetched_and_recognised_by_their_bytes() {
    let mut server = mockito::Server::new_async().await;
    let port = server.socket_address().port();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let _a = server
        .mock("GET", "/a.png")
        .with_header("content-type", "application/octet-stream")
        .with_body(png.clone())
        .create_async()
        .await;
    let _b = server
        .mock("GET", "/page")
        .with_header("content-type", "text/html")
        .with_body("<html><title>not an image</title></html>")
        .create_async()
        .await;
    let f = fetcher(port);
    let got = f
        .get_image(&format!("{}/a.png", server.url()))
        .await
        .unwrap();
    assert_eq!(got.body, png);
    let e = f
        .get_image(&format!("{}/page", server.url()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::UnsupportedContentType { .. }) && e.to_string().contains("no JPEG"),
        "{e}"
    );
    // and pages are still refused an image body
    let e = f.get(&format!("{}/a.png", server.url())).await.unwrap_err();
    assert!(matches!(e, Error::UnsupportedContentType { .. }), "{e}");
}

#[tokio::test]
async fn image_fetches_obey_the_address_policy() {
    let f = SafeFetcher::with_policy(FetchPolicy::default()).unwrap();
    let e = f.get_image("http://127.0.0.1/x.png").await.unwrap_err();
    assert!(matches!(e, Error::Refused { .. }), "{e}");
}
