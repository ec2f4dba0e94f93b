//! The client against the emulator, end to end: consent → code exchange → account → all
//! boards (> 250, paginated) → board + section → pins by URL and by base64 → board pins →
//! analytics → refresh with rotation → disconnect; and the same under faults.

#![allow(
    clippy::unwrap_used,
    reason = "integration tests: a failed unwrap is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::Utc;
use futures::TryStreamExt;
use iqpins_core::{
    AltText, DestinationUrl, NewPin, PinDescription, PinMedia, PinTitle, Pinterest,
    PinterestErrorKind, Scope,
};
use iqpins_pinterest::emulator::{Emulator, EmulatorRateLimits, Faults};
use iqpins_pinterest::{
    AccountType, Auth, BoardPrivacy, CreateBoard, CreateBoardSection, CreatePin, DeletePin, Error,
    GetPin, GetPinAnalytics, GetUserAccount, GetUserAccountAnalytics, GetUserAccountWebsites,
    ImageContentType, ListBoardPins, ListBoardSections, ListBoards, MediaSource, MetricType,
    PinterestApi, Session, UpdateBoard,
};
use secrecy::{ExposeSecret, SecretString};
use support::*;

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn the_whole_journey_works_against_the_emulator() {
    let mut config = config();
    config.boards = 260;
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);

    // Consent: the URL carries comma-separated scopes and a fresh state.
    let (url, state) = oauth.authorize_url();
    let (url2, state2) = oauth.authorize_url();
    assert_ne!(state, state2);
    assert_ne!(url, url2);
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q["scope"],
        "user_accounts:read,boards:read,boards:write,pins:read,pins:write"
    );
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["redirect_uri"], REDIRECT_URI);
    let back = consent(&url, "allow").await;
    assert!(
        back.as_str()
            .starts_with("http://127.0.0.1:9/oauth/callback?from=iqpins&")
    );
    let back: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(back["state"], state);

    // Code exchange.
    let grant = oauth.exchange_code(&back["code"]).await.unwrap();
    assert_eq!(grant.scopes, Scope::REQUESTED.to_vec());
    assert!(grant.access_expires_at > Utc::now() + chrono::Duration::days(29));
    assert!(grant.refresh_expires_at.unwrap() > Utc::now() + chrono::Duration::days(300));
    // Codes are single-use.
    let again = oauth.exchange_code(&back["code"]).await.unwrap_err();
    assert!(
        matches!(
            again,
            Error::OAuth {
                status: Some(400),
                ..
            }
        ),
        "{again:?}"
    );

    let rotations = Arc::new(Mutex::new(Vec::new()));
    let seen = rotations.clone();
    let session = Arc::new(
        Session::new(client.clone(), oauth.clone(), "account-1", grant.clone()).on_refresh(
            Arc::new(move |g| {
                seen.lock()
                    .unwrap()
                    .push(g.refresh_token.expose_secret().to_owned())
            }),
        ),
    );

    // The user.
    let me = session.send(&GetUserAccount::new()).await.unwrap();
    assert_eq!(me.account_type, Some(AccountType::Business));
    assert_eq!(me.username.as_deref(), Some("iqpins_demo"));
    assert!(me.profile_image.is_some());
    let sites: Vec<_> = session
        .paginate(GetUserAccountWebsites::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sites[0].website.as_deref(), Some("shop.example"));

    // All boards: more than one page of 250.
    let boards: Vec<_> = session
        .paginate(ListBoards::new().page_size(250))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(boards.len(), 260);
    let mut ids: Vec<_> = boards.iter().map(|b| b.id.clone()).collect();
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    assert_eq!(ids.len(), 260);

    // A board and a section.
    let board = session
        .send(&CreateBoard::new("Summer recipes").description("Cold soups"))
        .await
        .unwrap();
    assert_eq!(board.name, "Summer recipes");
    let board = session
        .send(&UpdateBoard::new(board.id.clone()).privacy(BoardPrivacy::Secret))
        .await
        .unwrap();
    assert_eq!(board.privacy, Some(BoardPrivacy::Secret));
    let section = session
        .send(&CreateBoardSection::new(board.id.clone(), "Gazpacho"))
        .await
        .unwrap();
    let sections: Vec<_> = session
        .paginate(ListBoardSections::new(board.id.clone()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sections, vec![section.clone()]);

    // Pins by URL and by base64.
    let by_url = session
        .send(
            &CreatePin::new(
                board.id.clone(),
                MediaSource::ImageUrl {
                    url: "https://shop.example/img/gazpacho.jpg".into(),
                },
            )
            .title("Gazpacho in 10 minutes")
            .description("Cold, red, quick.")
            .link("https://shop.example/recipes/gazpacho?utm_source=pinterest")
            .alt_text("A bowl of gazpacho"),
        )
        .await
        .unwrap();
    let by_base64 = session
        .send(
            &CreatePin::new(
                board.id.clone(),
                MediaSource::ImageBase64 {
                    content_type: ImageContentType::Png,
                    data: base64::engine::general_purpose::STANDARD.encode(PNG_1X1),
                },
            )
            .section(section.id.clone().unwrap())
            .title("Salmorejo")
            .link("https://shop.example/recipes/salmorejo"),
        )
        .await
        .unwrap();
    assert_eq!(by_base64.board_section_id, section.id);
    let fetched = session.send(&GetPin::new(by_url.id.clone())).await.unwrap();
    assert_eq!(fetched.title.as_deref(), Some("Gazpacho in 10 minutes"));

    // The board's pins, newest first.
    let pins: Vec<_> = session
        .paginate(ListBoardPins::new(board.id.clone()).page_size(1))
        .try_collect()
        .await
        .unwrap();
    let pin_ids: Vec<_> = pins.iter().map(|p| p.id.clone()).collect();
    assert_eq!(pin_ids, vec![by_base64.id.clone(), by_url.id.clone()]);

    // Analytics.
    let today = Utc::now().date_naive();
    let week_ago = today - chrono::Duration::days(6);
    let report = session
        .send(&GetPinAnalytics::new(by_url.id.clone(), week_ago, today))
        .await
        .unwrap();
    assert_eq!(report["all"].daily_metrics.len(), 7);
    let again = session
        .send(&GetPinAnalytics::new(by_url.id.clone(), week_ago, today))
        .await
        .unwrap();
    assert_eq!(report, again, "synthetic metrics are deterministic");
    let account = session
        .send(&GetUserAccountAnalytics::new(week_ago, today))
        .await
        .unwrap();
    assert!(account["all"].summary_metrics[&MetricType::Impression] > 0.0);
    let too_old = session
        .send(&GetUserAccountAnalytics::new(
            today - chrono::Duration::days(120),
            today,
        ))
        .await
        .unwrap_err();
    assert_eq!(too_old.status(), Some(400));

    // Refresh with rotation: a new refresh token; the old one is spent.
    let before = session.tokens().await;
    let after = session.refresh_now().await.unwrap();
    assert_ne!(
        before.refresh_token.expose_secret(),
        after.refresh_token.expose_secret()
    );
    assert_ne!(
        before.access_token.expose_secret(),
        after.access_token.expose_secret()
    );
    assert!(after.refresh_expires_at.is_some());
    let spent = oauth.refresh(&before.refresh_token).await.unwrap_err();
    assert!(
        matches!(
            spent,
            Error::InvalidRefreshToken {
                code: Some(283),
                ..
            }
        ),
        "{spent:?}"
    );
    assert_eq!(rotations.lock().unwrap().len(), 1);

    // A 401 gets one refresh and one retry.
    emu.state().expire_access_tokens();
    let refreshes = emu.state().stats().refreshes;
    session.send(&GetUserAccount::new()).await.unwrap();
    assert_eq!(emu.state().stats().refreshes, refreshes + 1);
    assert_eq!(rotations.lock().unwrap().len(), 2);

    // Clean up a pin, then disconnect: the tokens are forgotten.
    session
        .send(&DeletePin::new(by_url.id.clone()))
        .await
        .unwrap();
    let gone = session
        .send(&GetPin::new(by_url.id.clone()))
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(404));
    match Arc::try_unwrap(session) {
        Ok(s) => s.disconnect(),
        Err(_) => panic!("the session is still shared"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_core_port_works_against_the_emulator() {
    let mut config = config();
    config.boards = 251;
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let api = PinterestApi::new(client, oauth);
    let state = "state-123";
    let url = url::Url::parse(&api.authorize_url(state)).unwrap();
    let back = consent(&url, "allow").await;
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["state"], state);
    let grant = api.exchange_code(&q["code"]).await.unwrap();
    let access = grant.access_token.clone();

    let user = api.user_account(&access).await.unwrap();
    assert_eq!(user.account_type, "BUSINESS");
    assert_eq!(api.list_boards(&access).await.unwrap().len(), 251);
    let board = api
        .create_board(&access, "Port board", Some("made through the port"))
        .await
        .unwrap();
    // The attempt time has sub-second precision; Pinterest's created_at does not.
    let since = Utc::now();
    let new_pin = NewPin {
        board_id: board.id.clone(),
        board_section_id: None,
        title: PinTitle::parse("A pin through the port").unwrap(),
        description: PinDescription::parse("Description").unwrap(),
        alt_text: AltText::parse("Alt").unwrap(),
        link: DestinationUrl::parse("https://shop.example/p/1").unwrap(),
        media: PinMedia::ImageUrl(DestinationUrl::parse("https://shop.example/p/1.jpg").unwrap()),
    };
    let pin = api.create_pin(&access, &new_pin).await.unwrap();
    let listed = api
        .list_board_pins(&access, &board.id, since)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, pin.id);
    assert_eq!(listed[0].link.as_deref(), Some("https://shop.example/p/1"));
    let future = Utc::now() + chrono::Duration::hours(1);
    assert!(
        api.list_board_pins(&access, &board.id, future)
            .await
            .unwrap()
            .is_empty()
    );
    let today = Utc::now().date_naive();
    let metrics = api
        .pin_analytics(&access, &pin.id, today - chrono::Duration::days(2), today)
        .await
        .unwrap();
    assert_eq!(metrics.len(), 3);
    assert!(metrics.iter().all(|m| m.impressions >= 50));

    let rotated = api.refresh(&grant.refresh_token).await.unwrap();
    let spent = api.refresh(&grant.refresh_token).await.unwrap_err();
    assert_eq!(spent.kind, PinterestErrorKind::InvalidRefreshToken);
    assert_eq!(spent.code, Some(283));
    let stale = api
        .user_account(&SecretString::from("pina_not_a_token"))
        .await
        .unwrap_err();
    assert_eq!(stale.kind, PinterestErrorKind::Unauthorized);
    assert!(stale.request_id.is_some());
    assert!(api.user_account(&rotated.access_token).await.is_ok());
}

#[tokio::test]
async fn deny_and_a_foreign_redirect_uri_are_refused() {
    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let (url, state) = oauth.authorize_url();
    let back = consent(&url, "deny").await;
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], state);
    assert!(!q.contains_key("code"));

    let mut foreign = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "http://127.0.0.1:9/elsewhere".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    foreign.query_pairs_mut().clear().extend_pairs(pairs);
    let page = browser().get(foreign).send().await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.headers().get("location").is_none());
}

#[tokio::test]
async fn bad_client_credentials_and_expired_codes_are_refused() {
    let mut config = config();
    config.code_ttl = Duration::ZERO;
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let (url, _) = oauth.authorize_url();
    let back = consent(&url, "allow").await;
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    let expired = oauth.exchange_code(&q["code"]).await.unwrap_err();
    assert!(expired.to_string().contains("expired"), "{expired}");

    let wrong = iqpins_pinterest::OAuthConfig::for_hosts(
        CLIENT_ID,
        SecretString::from("wrong"),
        REDIRECT_URI,
        &emu.base_url(),
        &emu.api_base_url(),
    )
    .unwrap();
    let wrong = iqpins_pinterest::OAuth::new(wrong, client.http().clone()).unwrap();
    let e = wrong.exchange_code("whatever").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::OAuth {
                status: Some(401),
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_invalid_refresh_token_is_a_distinct_error_when_the_session_needs_one() {
    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let session = Session::new(client, oauth, "a", grant);
    emu.state().expire_access_tokens();
    emu.state().revoke_refresh_tokens();
    let e = session.send(&GetUserAccount::new()).await.unwrap_err();
    assert!(matches!(e, Error::InvalidRefreshToken { .. }), "{e:?}");
    assert_eq!(e.kind(), PinterestErrorKind::InvalidRefreshToken);
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let mut config = config();
    config.access_token_ttl = Duration::from_secs(60);
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    // With a 5-minute margin a 60-second token is refreshed before it is used.
    let session = Session::new(client, oauth, "a", grant.clone());
    session.send(&GetUserAccount::new()).await.unwrap();
    assert_eq!(emu.state().stats().refreshes, 1);
    let now = session.tokens().await;
    assert_ne!(
        now.access_token.expose_secret(),
        grant.access_token.expose_secret()
    );
    // With no margin it is used as is.
    let session = session.refresh_margin(chrono::Duration::zero());
    session.send(&GetUserAccount::new()).await.unwrap();
    assert_eq!(emu.state().stats().refreshes, 1);
}

#[tokio::test]
async fn the_sandbox_refuses_analytics_like_the_real_one() {
    let mut config = config();
    config.sandbox = true;
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let auth = Auth::new(grant.access_token, "a");
    let today = Utc::now().date_naive();
    let e = client
        .send(&auth, &GetUserAccountAnalytics::new(today, today))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Forbidden);
    assert!(client.send(&auth, &GetUserAccount::new()).await.is_ok());
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_which_the_client_honours() {
    let mut config = config();
    config.rate_limits = EmulatorRateLimits {
        org_read: Some(2),
        org_write: None,
        org_analytics: None,
        window: Duration::from_millis(900),
    };
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let auth = Auth::new(grant.access_token, "a");
    let started = std::time::Instant::now();
    for _ in 0..3 {
        client.send(&auth, &GetUserAccount::new()).await.unwrap();
    }
    assert_eq!(emu.state().stats().rate_limited, 1);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured"
    );
    // A create is not retried on 429: the caller gets it, with Retry-After.
    let mut config = support::config();
    config.rate_limits = EmulatorRateLimits {
        org_read: None,
        org_write: Some(0),
        org_analytics: None,
        window: Duration::from_secs(3),
    };
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let auth = Auth::new(grant.access_token, "a");
    let e = client
        .send(&auth, &CreateBoard::new("x"))
        .await
        .unwrap_err();
    match e {
        Error::Api(a) => {
            assert_eq!(a.status, 429);
            assert_eq!(a.retry_after, Some(Duration::from_secs(3)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emu.state().stats().board_create_requests, 1);
}

#[tokio::test]
async fn under_faults_reads_succeed_and_no_create_is_sent_twice() {
    let mut config = config();
    config.boards = 120;
    config.faults = Faults {
        error_rate: 0.10,
        rate_limit_rate: 0.05,
        commit_then_drop_rate: 0.02,
        latency: Duration::ZERO,
    };
    let emu = Emulator::start(config).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let auth = Auth::new(grant.access_token, "faulty");

    // Reads: every one eventually succeeds.
    for _ in 0..20 {
        let boards: Vec<_> = client
            .paginate(&auth, ListBoards::new().page_size(50))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(boards.len(), 120);
        client.send(&auth, &GetUserAccount::new()).await.unwrap();
    }
    let board_id = {
        let boards: Vec<_> = client
            .paginate(&auth, ListBoards::new())
            .try_collect()
            .await
            .unwrap();
        boards[0].id.clone()
    };

    // Creates: each is sent exactly once, whatever happens to it.
    let attempts = 150u64;
    let (mut created, mut unknown, mut limited) = (0u64, 0u64, 0u64);
    for i in 0..attempts {
        let req = CreatePin::new(
            board_id.clone(),
            MediaSource::ImageUrl {
                url: format!("https://shop.example/img/{i}.jpg"),
            },
        )
        .title(format!("Pin {i}"))
        .link(format!("https://shop.example/p/{i}"));
        match client.send(&auth, &req).await {
            Ok(_) => created += 1,
            Err(e @ Error::OutcomeUnknown { .. }) => {
                assert_eq!(e.kind(), PinterestErrorKind::OutcomeUnknown);
                unknown += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), PinterestErrorKind::RateLimited, "{e:?}");
                limited += 1;
            }
        }
    }
    let stats = emu.state().stats();
    assert_eq!(stats.pin_create_requests, attempts, "{stats:?}");
    assert_eq!(created + unknown + limited, attempts);
    assert_eq!(
        stats.pins_created,
        created + stats.dropped_answers,
        "{stats:?}"
    );
    assert!(unknown >= stats.dropped_answers);
    assert!(
        stats.injected_errors > 0 && stats.injected_rate_limits > 0,
        "{stats:?}"
    );
    assert!(
        stats.dropped_answers > 0 && unknown > stats.dropped_answers,
        "{stats:?}"
    );
    eprintln!("faults: {stats:?}; created {created}, unknown {unknown}, rate limited {limited}");

    // Reconciliation finds exactly the pins that were committed.
    let pins: Vec<_> = client
        .paginate(&auth, ListBoardPins::new(board_id).page_size(250))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pins.len() as u64, stats.pins_created);
}

#[tokio::test]
async fn the_emulator_router_can_be_nested_in_another_app() {
    use iqpins_pinterest::emulator::{EmulatorState, router};
    let state = EmulatorState::new(config());
    let app = axum::Router::new().nest("/pinterest", router(state.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/pinterest", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let mut config = iqpins_pinterest::ClientConfig::new(&format!("{base}/v5")).unwrap();
    config.retry = fast_retries();
    let client = iqpins_pinterest::Client::new(config).unwrap();
    let oauth = iqpins_pinterest::OAuthConfig::for_hosts(
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
        REDIRECT_URI,
        &base,
        &format!("{base}/v5"),
    )
    .unwrap();
    let oauth = iqpins_pinterest::OAuth::new(oauth, client.http().clone()).unwrap();
    let grant = connect(&oauth).await;
    let auth = Auth::new(grant.access_token, "nested");
    let me = client.send(&auth, &GetUserAccount::new()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("iqpins_demo"));
    assert_eq!(state.stats().code_exchanges, 1);
    server.abort();
}

#[tokio::test]
async fn a_token_without_a_scope_is_refused_with_403() {
    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let mut narrow = iqpins_pinterest::OAuthConfig::for_hosts(
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
        REDIRECT_URI,
        &emu.base_url(),
        &emu.api_base_url(),
    )
    .unwrap();
    narrow.scopes = vec![Scope::UserAccountsRead, Scope::BoardsRead];
    let oauth = iqpins_pinterest::OAuth::new(narrow, client.http().clone()).unwrap();
    let grant = connect(&oauth).await;
    assert_eq!(
        grant.scopes,
        vec![Scope::UserAccountsRead, Scope::BoardsRead]
    );
    let auth = Auth::new(grant.access_token, "narrow");
    let boards = client.send(&auth, &ListBoards::new()).await.unwrap();
    let e = client
        .send(
            &auth,
            &CreatePin::new(
                boards.items[0].id.clone(),
                MediaSource::ImageUrl {
                    url: "https://shop.example/a.jpg".into(),
                },
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Forbidden);
    assert!(e.to_string().contains("pins:write"), "{e}");
}

#[tokio::test]
async fn concurrent_401s_share_one_refresh() {
    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let grant = connect(&oauth).await;
    let session = Arc::new(Session::new(client, oauth, "a", grant));
    emu.state().expire_access_tokens();
    let calls = (0..6).map(|_| {
        let s = session.clone();
        tokio::spawn(async move { s.send(&GetUserAccount::new()).await })
    });
    for answer in futures::future::join_all(calls).await {
        answer.unwrap().unwrap();
    }
    // Refresh tokens rotate: a second refresh with the spent token would have failed.
    assert_eq!(emu.state().stats().refreshes, 1);
}
