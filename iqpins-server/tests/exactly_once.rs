//! Publishing exactly once with the real parts: a SQLite file, the Pinterest client and the
//! emulator injecting 5xx answers, 429s and creates whose answer is dropped after the pin
//! was committed, with three workers publishing at the same time.
#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iqpins_core::*;
use iqpins_pinterest::emulator::{Emulator, EmulatorConfig, Faults};
use iqpins_server::app::{self, PinterestSettings};
use iqpins_store::TokenVault;
use secrecy::SecretString;

const REDIRECT: &str = "http://127.0.0.1:9/oauth/callback";

/// Follows the consent page like a person pressing Allow; returns the code.
async fn allow(authorize_url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = url::Url::parse(authorize_url).unwrap();
    let page = http
        .get(url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Allow"), "{page}");
    let mut form: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| ["client_id", "redirect_uri", "scope", "state"].contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("decision".into(), "allow".into()));
    let back = http
        .post(url.join("./").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    let location = url::Url::parse(&location).unwrap();
    location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_and_concurrent_workers_never_publish_a_draft_twice() {
    let mut config = EmulatorConfig::new("app", "secret", REDIRECT);
    config.boards = 2;
    let emulator = Emulator::start(config).await.unwrap();
    let pinterest = app::pinterest(&PinterestSettings {
        api_base: emulator.api_base_url(),
        web_base: emulator.base_url(),
        client_id: "app".into(),
        client_secret: SecretString::from("secret"),
        redirect_uri: REDIRECT.into(),
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::from_base64(&TokenVault::generate_key(), &[]).unwrap();
    let store = iqpins_store::open(
        &format!("sqlite://{}", dir.path().join("pins.db").display()),
        Arc::new(vault),
    )
    .await
    .unwrap();
    let engine = Arc::new(
        Engine::new(
            store.clone(),
            Some(Arc::new(pinterest)),
            Arc::new(SystemClock),
        )
        .with_retry_base(Duration::from_millis(20)),
    );

    let account = engine
        .create_account("Shop", "owner@shop.example")
        .await
        .unwrap();
    store
        .set_allowed_domains(account.id, &["shop.example".into()])
        .await
        .unwrap();
    let state = "s-1";
    let code = allow(&engine.authorize_url(state).unwrap()).await;
    engine.connect(account.id, "owner", &code).await.unwrap();
    let boards = engine.sync_boards(account.id, "owner").await.unwrap();
    assert_eq!(boards.len(), 2);

    const N: usize = 40;
    for i in 0..N {
        let d = engine
            .create_draft(
                account.id,
                "owner",
                DraftContent {
                    title: PinTitle::parse(format!("Mug number {i}")).unwrap(),
                    description: PinDescription::parse("Stoneware").unwrap(),
                    alt_text: AltText::parse("A mug").unwrap(),
                    link: Some(
                        DestinationUrl::parse(format!("https://shop.example/mug/{i}")).unwrap(),
                    ),
                    image: DraftImage {
                        url: Some(
                            DestinationUrl::parse(format!("https://shop.example/mug/{i}.jpg"))
                                .unwrap(),
                        ),
                        creative: None,
                        send: iqpins_core::ImageSend::Photo,
                    },
                    board: Some(boards[i % 2].id.clone()),
                    section: None,
                },
                None,
                None,
                vec![],
            )
            .await
            .unwrap();
        let d = engine
            .approve(account.id, "owner", d.id, d.version)
            .await
            .unwrap();
        engine
            .publish_now(account.id, "owner", d.id, d.version)
            .await
            .unwrap();
    }

    // Now Pinterest misbehaves.
    emulator.state().set_faults(Faults {
        error_rate: 0.10,
        rate_limit_rate: 0.05,
        commit_then_drop_rate: 0.15,
        latency: Duration::ZERO,
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let engine = engine.clone();
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let done = engine.publish_due(Duration::from_secs(5), 5).await.unwrap();
                    if done.is_empty() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            })
        })
        .collect();
    loop {
        let published = store
            .list_drafts(
                account.id,
                &DraftFilter {
                    state: Some(StateName::Published),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if published.len() == N || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for w in workers {
        w.abort();
    }
    emulator.state().set_faults(Faults::default());

    let drafts = store
        .list_drafts(account.id, &DraftFilter::default())
        .await
        .unwrap();
    let states: Vec<_> = drafts.iter().map(|d| d.state.name()).collect();
    assert!(
        drafts
            .iter()
            .all(|d| matches!(d.state, DraftState::Published { .. })),
        "every draft ends published: {states:?}"
    );
    // Pinterest holds exactly one pin per draft, and each draft names its own pin.
    let stats = emulator.state().stats();
    assert_eq!(stats.pins_created as usize, N, "{stats:?}");
    let token = engine.access_token(account.id).await.unwrap();
    let api = app::pinterest(&PinterestSettings {
        api_base: emulator.api_base_url(),
        web_base: emulator.base_url(),
        client_id: "app".into(),
        client_secret: SecretString::from("secret"),
        redirect_uri: REDIRECT.into(),
    })
    .unwrap();
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let mut pins_by_link: HashMap<String, Vec<PinId>> = HashMap::new();
    for b in &boards {
        for p in api.list_board_pins(&token, &b.id, epoch).await.unwrap() {
            pins_by_link
                .entry(p.link.clone().unwrap_or_default())
                .or_default()
                .push(p.id);
        }
    }
    assert_eq!(pins_by_link.len(), N);
    for d in &drafts {
        let link = d.content.link.as_ref().unwrap().as_str();
        let DraftState::Published { pin_id, .. } = &d.state else {
            unreachable!()
        };
        assert_eq!(pins_by_link[link], vec![pin_id.clone()], "{link}");
    }
    // The faults did happen, and the unknown outcomes were reconciled.
    assert!(
        stats.dropped_answers > 0 && stats.injected_errors > 0,
        "{stats:?}"
    );
    let audit = engine.audit_log(account.id, 10_000).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "draft.reconciled"));
    assert!(audit.iter().any(|e| e.action == "pinterest.api_error"));
    eprintln!(
        "{N} drafts: {} create requests, {} dropped answers, {} injected 5xx, {} injected 429",
        stats.pin_create_requests,
        stats.dropped_answers,
        stats.injected_errors,
        stats.injected_rate_limits
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_secret_key_keeps_drafts_queued_and_sends_nothing() {
    let emulator = Emulator::start(EmulatorConfig::new("app", "secret", REDIRECT))
        .await
        .unwrap();
    let settings = PinterestSettings {
        api_base: emulator.api_base_url(),
        web_base: emulator.base_url(),
        client_id: "app".into(),
        client_secret: SecretString::from("secret"),
        redirect_uri: REDIRECT.into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("pins.db").display());
    let open = |key: String| {
        let url = url.clone();
        async move {
            let vault = TokenVault::from_base64(&key, &[]).unwrap();
            iqpins_store::open(&url, Arc::new(vault)).await.unwrap()
        }
    };
    let store = open(TokenVault::generate_key()).await;
    let engine = Engine::new(
        store.clone(),
        Some(Arc::new(app::pinterest(&settings).unwrap())),
        Arc::new(SystemClock),
    );
    let account = engine
        .create_account("Shop", "owner@shop.example")
        .await
        .unwrap();
    store
        .set_allowed_domains(account.id, &["shop.example".into()])
        .await
        .unwrap();
    let code = allow(&engine.authorize_url("s").unwrap()).await;
    engine.connect(account.id, "owner", &code).await.unwrap();
    let board = engine.sync_boards(account.id, "owner").await.unwrap()[0]
        .id
        .clone();
    let d = engine
        .create_draft(
            account.id,
            "owner",
            DraftContent {
                title: PinTitle::parse("Mug").unwrap(),
                description: PinDescription::parse("").unwrap(),
                alt_text: AltText::parse("").unwrap(),
                link: Some(DestinationUrl::parse("https://shop.example/mug").unwrap()),
                image: DraftImage {
                    url: Some(DestinationUrl::parse("https://shop.example/mug.jpg").unwrap()),
                    creative: None,
                    send: iqpins_core::ImageSend::Photo,
                },
                board: Some(board),
                section: None,
            },
            None,
            None,
            vec![],
        )
        .await
        .unwrap();
    let d = engine
        .approve(account.id, "owner", d.id, d.version)
        .await
        .unwrap();
    engine
        .publish_now(account.id, "owner", d.id, d.version)
        .await
        .unwrap();

    // The server restarts with another key: the stored tokens cannot be read.
    let store = open(TokenVault::generate_key()).await;
    let engine = Engine::new(
        store.clone(),
        Some(Arc::new(app::pinterest(&settings).unwrap())),
        Arc::new(SystemClock),
    );
    let report = engine
        .publish_due(Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Queued { .. }),
        "{report:?}"
    );
    assert_eq!(
        emulator.state().stats().pin_create_requests,
        0,
        "nothing was sent"
    );
    let audit = engine.audit_log(account.id, 20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "draft.retry_later" && e.detail.contains("tokens cannot be read")),
        "{audit:?}"
    );
    emulator.shutdown().await;
}
