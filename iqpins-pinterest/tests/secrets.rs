//! Tokens and the client secret never reach `Debug` output or tracing logs.

#![allow(
    clippy::unwrap_used,
    reason = "integration tests: a failed unwrap is a failed test"
)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use iqpins_pinterest::emulator::Emulator;
use iqpins_pinterest::{Auth, GetUserAccount, PinterestApi, Session};
use secrecy::ExposeSecret;
use support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_appear_in_debug_output_or_logs() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let session = Session::new(client.clone(), oauth.clone(), "acct", grant.clone());
    session.send(&GetUserAccount::new()).await.unwrap();
    // A 401 → refresh → retry, and an explicit rotation: more tokens go by.
    emu.state().expire_access_tokens();
    session.send(&GetUserAccount::new()).await.unwrap();
    let rotated = session.refresh_now().await.unwrap();
    // An error on the way.
    let _ = oauth.refresh(&grant.refresh_token).await.unwrap_err();

    let secrets = [
        grant.access_token.expose_secret().to_owned(),
        grant.refresh_token.expose_secret().to_owned(),
        rotated.access_token.expose_secret().to_owned(),
        rotated.refresh_token.expose_secret().to_owned(),
        CLIENT_SECRET.to_owned(),
    ];
    let api = PinterestApi::new(client, oauth.clone());
    let debug = [
        format!("{grant:?}"),
        format!("{rotated:?}"),
        format!("{session:?}"),
        format!("{oauth:?}"),
        format!("{:?}", oauth.config()),
        format!("{api:?}"),
        format!("{:?}", Auth::new(rotated.access_token.clone(), "acct")),
        format!("{:?}", Auth::from_token(rotated.access_token.clone())),
    ];
    drop(_guard);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("Pinterest answered") && logs.contains("Pinterest tokens refreshed"),
        "the subscriber captured the client's logs: {logs}"
    );
    for secret in &secrets {
        assert!(!secret.is_empty());
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
        for d in &debug {
            assert!(
                !d.contains(secret.as_str()),
                "a secret is in Debug output: {d}"
            );
        }
    }
    assert!(
        debug[0].contains("REDACTED") || debug[0].contains("redacted"),
        "{}",
        debug[0]
    );
}
