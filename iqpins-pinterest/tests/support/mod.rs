//! Helpers shared by the integration tests: an emulator, a client for it, and a browser
//! that clicks Allow or Deny on the consent page.

#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

pub mod spec;

use std::time::Duration;

use iqpins_core::TokenGrant;
use iqpins_pinterest::emulator::{Emulator, EmulatorConfig};
use iqpins_pinterest::{Client, ClientConfig, OAuth, OAuthConfig, RetryPolicy};
use secrecy::SecretString;

pub const CLIENT_ID: &str = "1234567";
pub const CLIENT_SECRET: &str = "emulator-secret+/=";
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth/callback?from=iqpins";

pub fn config() -> EmulatorConfig {
    EmulatorConfig::new(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn client_for(emu: &Emulator) -> Client {
    let mut config = ClientConfig::new(&emu.api_base_url()).unwrap();
    config.retry = fast_retries();
    Client::new(config).unwrap()
}

pub fn oauth_for(emu: &Emulator, client: &Client) -> OAuth {
    let config = OAuthConfig::for_hosts(
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
        REDIRECT_URI,
        &emu.base_url(),
        &emu.api_base_url(),
    )
    .unwrap();
    OAuth::new(config, client.http().clone()).unwrap()
}

/// A browser without redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden inputs of the consent form.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input type=\"hidden\" ").skip(1) {
        let name = part
            .split("name=\"")
            .nth(1)
            .and_then(|r| r.split('"').next());
        let value = part
            .split("value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next());
        if let (Some(n), Some(v)) = (name, value) {
            out.push((n.to_owned(), unescape(v)));
        }
    }
    out
}

/// Opens the consent page at `url` and clicks `decision` (`allow` or `deny`), posting the
/// form where a browser would (its action is relative); returns the redirect's location.
pub async fn consent(url: &url::Url, decision: &str) -> url::Url {
    let b = browser();
    let page = b.get(url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(">Allow</button>") && html.contains(">Deny</button>"),
        "{html}"
    );
    let mut form = hidden_fields(&html);
    form.push(("decision".into(), decision.into()));
    let answer = b
        .post(url.join("./").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    url::Url::parse(&location).unwrap()
}

/// Consent (Allow) and code exchange: a fresh grant.
pub async fn connect(oauth: &OAuth) -> TokenGrant {
    let (url, state) = oauth.authorize_url();
    let back = consent(&url, "allow").await;
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["state"], state);
    oauth.exchange_code(&q["code"]).await.unwrap()
}
