//! The dashboard through `Router::oneshot`: sign-in, CSRF, per-account isolation, review.
#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use iqpins_core::generate::TemplateWriter;
use iqpins_core::memory::MemoryStore;
use iqpins_core::*;
use iqpins_server::web::{self, AppInner, AppState, Imported, Importer, WebConfig};
use tower::ServiceExt;

struct ShopImporter;

#[async_trait]
impl Importer for ShopImporter {
    async fn fetch_items(&self, kind: &SourceKind) -> Result<Imported> {
        let (SourceKind::Url { url } | SourceKind::Feed { url }) = kind else {
            return Ok(Imported::default());
        };
        Ok(Imported {
            items: vec![ContentItem {
                kind: ContentKind::Product,
                url: Some(url.clone()),
                title: Some("Blue stoneware mug".into()),
                summary: Some("Hand thrown.".into()),
                images: vec![ImageRef::new("https://shop.example/mug.jpg")],
                ..Default::default()
            }],
            errors: vec!["line 3: no title".into()],
        })
    }
    async fn fetch_image(&self, url: &str) -> Result<Vec<u8>> {
        Err(Error::Fetch {
            url: url.to_owned(),
            reason: "no network in this test".into(),
        })
    }
    fn file_items(&self, _: &str, bytes: &[u8]) -> Imported {
        Imported {
            items: String::from_utf8_lossy(bytes)
                .lines()
                .map(|t| ContentItem {
                    title: Some(t.to_owned()),
                    url: Some(format!("https://shop.example/{}", t.len())),
                    ..Default::default()
                })
                .collect(),
            errors: vec![],
        }
    }
}

fn app() -> (axum::Router, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let importer: Arc<dyn iqpins_server::web::Importer> = Arc::new(ShopImporter);
    let renderer = Arc::new(iqpins_server::render::Renderer::new(
        store.clone(),
        importer.clone(),
    ));
    let engine = Arc::new(
        Engine::new(store.clone(), None, Arc::new(SystemClock)).with_renderer(renderer.clone()),
    );
    let state = AppState(Arc::new(AppInner {
        engine,
        store: store.clone(),
        auth: store.clone(),
        importer,
        writer: Arc::new(TemplateWriter::new()),
        config: WebConfig {
            secure_cookies: false,
            allow_signup: true,
            login_hint: None,
        },
        renderer,
        sign_in_limits: Default::default(),
    }));
    (web::router(state), store)
}

struct Resp {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    Resp {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post(path: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

async fn sign_up(app: &axum::Router, email: &str) -> (String, String) {
    let r = send(
        app,
        post(
            "/signup",
            "",
            &[
                ("name", "Shop"),
                ("email", email),
                ("password", "correct horse battery"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cookie = r.cookie.expect("session cookie");
    let page = send(app, get("/", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_owned();
    (cookie, csrf)
}

fn draft_ids(body: &str) -> Vec<String> {
    body.split("id=\"draft-")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_need_a_session_and_send_strangers_to_sign_in() {
    let (app, _) = app();
    for path in [
        "/",
        "/drafts",
        "/sources",
        "/settings",
        "/analytics",
        "/audit",
    ] {
        let r = send(&app, get(path, "")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.location.as_deref(), Some("/login"), "{path}");
    }
    let r = send(&app, get("/", "iqpins_session=forged")).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_right_one_signs_in() {
    let (app, store) = app();
    sign_up(&app, "owner@shop.example").await;
    let r = send(
        &app,
        post(
            "/login",
            "",
            &[
                ("email", "owner@shop.example"),
                ("password", "wrong password!"),
            ],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("error=wrong"));
    assert!(r.cookie.is_none());
    let r = send(
        &app,
        post(
            "/login",
            "",
            &[
                ("email", "OWNER@shop.example"),
                ("password", "correct horse battery"),
            ],
        ),
    )
    .await;
    let cookie = r.cookie.expect("cookie");
    assert!(
        send(&app, get("/", &cookie))
            .await
            .body
            .contains("owner@shop.example")
    );
    // only a hash of the password is stored
    let account = store
        .find_account_by_email("owner@shop.example")
        .await
        .unwrap()
        .unwrap();
    let hash = store.password_hash(account.id).await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("correct horse"));
}

#[tokio::test]
async fn password_guessing_is_slowed_per_address_before_any_hashing() {
    let (app, _) = app();
    sign_up(&app, "owner@shop.example").await;
    let attempt = |email: &'static str, password: &'static str| {
        let app = app.clone();
        async move {
            send(
                &app,
                post("/login", "", &[("email", email), ("password", password)]),
            )
            .await
        }
    };
    for _ in 0..iqpins_server::web::auth::SIGN_IN_BURST {
        let r = attempt("owner@shop.example", "wrong password!").await;
        assert!(r.location.unwrap().contains("error=wrong"));
    }
    // The burst is spent: even the right password waits (case does not make a new key).
    let r = attempt("Owner@Shop.example", "correct horse battery").await;
    assert!(r.cookie.is_none());
    let location = r.location.unwrap();
    assert!(
        location.contains("Too%20many%20sign-in") || location.contains("Too+many+sign-in"),
        "{location}"
    );
    // Another address is not affected.
    let r = attempt("someone@else.example", "wrong password!").await;
    assert!(r.location.unwrap().contains("error=wrong"));
}

#[tokio::test]
async fn only_messages_the_server_signed_are_shown() {
    let (app, _) = app();
    let r = send(
        &app,
        post(
            "/login",
            "",
            &[
                ("email", "nobody@shop.example"),
                ("password", "wrong password!"),
            ],
        ),
    )
    .await;
    let signed = r.location.unwrap();
    assert!(signed.contains("&sig="), "{signed}");
    let page = send(&app, get(&signed, "")).await;
    assert!(
        page.body.contains("wrong e-mail or password"),
        "{}",
        page.body
    );
    // A link with its own words (or a signature for other words) shows nothing.
    let forged = "/login?error=Your+account+is+locked%2C+call+555-0100";
    assert!(!send(&app, get(forged, "")).await.body.contains("555-0100"));
    let sig = signed.split("&sig=").nth(1).unwrap();
    let swapped = format!("/login?error=Your+account+is+locked&sig={sig}");
    assert!(!send(&app, get(&swapped, "")).await.body.contains("locked"));
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused() {
    let (app, _) = app();
    let (cookie, _) = sign_up(&app, "owner@shop.example").await;
    let r = send(
        &app,
        post(
            "/sources",
            &cookie,
            &[
                ("csrf", "guess"),
                ("name", "x"),
                ("kind", "url"),
                ("url", "https://shop.example/a"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // and a cross-site browser post is refused before the handler runs
    let mut req = post("/logout", &cookie, &[("csrf", "x")]);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn importing_a_page_makes_drafts_to_review_and_reports_skipped_entries() {
    let (app, _) = app();
    let (cookie, csrf) = sign_up(&app, "owner@shop.example").await;
    let r = send(
        &app,
        post(
            "/sources",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Mugs"),
                ("kind", "url"),
                ("url", "https://shop.example/mug"),
            ],
        ),
    )
    .await;
    let loc = r.location.unwrap();
    assert!(loc.starts_with("/drafts?notice="), "{loc}");
    let loc = url::form_urlencoded::parse(loc.split_once('?').unwrap().1.as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    assert!(
        loc.contains("1 draft") && loc.contains("line 3: no title"),
        "{loc}"
    );
    let page = send(&app, get("/drafts", &cookie)).await;
    assert!(page.body.contains("Blue stoneware mug"), "{}", page.body);
    assert!(
        page.body.contains("Choose a board."),
        "readiness reasons are shown"
    );
    assert_eq!(draft_ids(&page.body).len(), 1);
}

#[tokio::test]
async fn another_account_cannot_see_or_change_a_draft() {
    let (app, store) = app();
    let (a_cookie, a_csrf) = sign_up(&app, "a@shop.example").await;
    send(
        &app,
        post(
            "/sources",
            &a_cookie,
            &[
                ("csrf", &a_csrf),
                ("name", "Mugs"),
                ("kind", "url"),
                ("url", "https://shop.example/mug"),
            ],
        ),
    )
    .await;
    let id = draft_ids(&send(&app, get("/drafts", &a_cookie)).await.body)[0].clone();

    let (b_cookie, b_csrf) = sign_up(&app, "b@other.example").await;
    assert!(draft_ids(&send(&app, get("/drafts", &b_cookie)).await.body).is_empty());
    let r = send(
        &app,
        post(
            &format!("/drafts/{id}"),
            &b_cookie,
            &[("csrf", &b_csrf), ("version", "1"), ("op", "reject")],
        ),
    )
    .await;
    let loc = r.location.unwrap();
    assert!(loc.contains("error=") && loc.contains("not+found"), "{loc}");
    let a = store
        .find_account_by_email("a@shop.example")
        .await
        .unwrap()
        .unwrap();
    let d = store.get_draft(a.id, id.parse().unwrap()).await.unwrap();
    assert_eq!(d.state, DraftState::Pending);
}

#[tokio::test]
async fn a_reviewer_edits_rejects_and_restores_a_draft() {
    let (app, store) = app();
    let (cookie, csrf) = sign_up(&app, "owner@shop.example").await;
    send(
        &app,
        post(
            "/sources",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Mugs"),
                ("kind", "url"),
                ("url", "https://shop.example/mug"),
            ],
        ),
    )
    .await;
    let id = draft_ids(&send(&app, get("/drafts", &cookie)).await.body)[0].clone();
    let path = format!("/drafts/{id}");
    let r = send(
        &app,
        post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("op", "save"),
                ("title", "A better title"),
                ("description", "d"),
                ("alt_text", "a"),
                ("link", "https://shop.example/mug"),
                ("image_url", ""),
                ("board", ""),
            ],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("notice=Saved"));
    // a stale form (version 1 again) is refused, not applied
    let r = send(
        &app,
        post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("op", "save"),
                ("title", "Stale title"),
            ],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("changed+by+someone+else"));
    // a title over 100 characters is refused with the field named
    let long = "x".repeat(101);
    let r = send(
        &app,
        post(
            &path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("version", "2"),
                ("op", "save"),
                ("title", &long),
            ],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("invalid+title"));
    let r = send(
        &app,
        post(
            &path,
            &cookie,
            &[("csrf", &csrf), ("version", "2"), ("op", "reject")],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("rejected"));
    let a = store
        .find_account_by_email("owner@shop.example")
        .await
        .unwrap()
        .unwrap();
    let d = store.get_draft(a.id, id.parse().unwrap()).await.unwrap();
    assert_eq!(d.content.title.as_str(), "A better title");
    assert_eq!(d.state, DraftState::Rejected);
    let audit = send(&app, get("/audit", &cookie)).await.body;
    assert!(audit.contains("draft.edit") && audit.contains("draft.reject"));
}

#[tokio::test]
async fn uploading_a_csv_file_imports_its_rows() {
    let (app, _) = app();
    let (cookie, csrf) = sign_up(&app, "owner@shop.example").await;
    let boundary = "XbOuNdArY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nCatalog\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\nContent-Type: text/csv\r\n\r\nRed mug\nGreen bowl\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/sources/upload")
        .header(header::COOKIE, &cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let r = send(&app, req).await;
    assert!(
        r.location
            .as_deref()
            .unwrap_or_default()
            .contains("2+draft"),
        "{:?} {}",
        r.location,
        r.body
    );
}

#[tokio::test]
async fn an_oauth_callback_with_a_state_this_session_did_not_start_is_refused() {
    let (app, store) = app();
    let (cookie, _) = sign_up(&app, "owner@shop.example").await;
    let r = send(&app, get("/oauth/callback?code=abc&state=forged", &cookie)).await;
    let loc = r.location.unwrap();
    assert!(
        loc.starts_with("/settings?error=") && loc.contains("does+not+belong"),
        "{loc}"
    );
    let a = store
        .find_account_by_email("owner@shop.example")
        .await
        .unwrap()
        .unwrap();
    assert!(store.get_connection(a.id).await.unwrap().is_none());
}

#[tokio::test]
async fn oversized_forms_and_names_are_refused() {
    let (app, _) = app();
    let (cookie, csrf) = sign_up(&app, "owner@shop.example").await;
    let big = "x".repeat(web::MAX_FORM + 1);
    let r = send(
        &app,
        post(
            "/settings/domains",
            &cookie,
            &[("csrf", &csrf), ("domains", &big)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let long = "n".repeat(201);
    let r = send(
        &app,
        post(
            "/sources",
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", &long),
                ("kind", "url"),
                ("url", "https://shop.example/a"),
            ],
        ),
    )
    .await;
    assert!(r.location.unwrap().contains("longer+than+200"));
}
