//! Contract tests against Pinterest's official OpenAPI description (v5.23.0): every request
//! the client builds fits its operation (path, method, rate-limit category, query, body),
//! the token requests fit the token endpoint, and every emulator answer fits the response
//! schema of its operation and status. A drift from the spec fails here.

#![allow(
    clippy::unwrap_used,
    reason = "integration tests: a failed unwrap is a failed test"
)]

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use iqpins_core::{BoardId, BoardSectionId, PinId};
use iqpins_pinterest::emulator::{Emulator, EmulatorRateLimits};
use iqpins_pinterest::{
    BoardPrivacy, CreateBoard, CreateBoardSection, CreatePin, DeletePin, GetPin, GetPinAnalytics,
    GetUserAccount, GetUserAccountAnalytics, GetUserAccountWebsites, ImageContentType,
    ListBoardPins, ListBoardSections, ListBoards, MediaSource, MetricType, OAuth, OAuthConfig,
    Request, UpdateBoard,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use support::spec::{self, check};
use support::*;

fn check_request<R: Request>(spec: &Value, req: &R) -> String {
    let path = format!("/{}", req.path());
    let template = spec::template_for(spec, &path);
    let method = req.method().as_str().to_owned();
    let op = spec::operation(spec, &template, &method);
    assert_eq!(
        op["x-ratelimit-category"].as_str(),
        Some(req.category().as_str()),
        "{method} {template}: rate-limit category"
    );
    spec::check_query(spec, &template, &method, &req.query())
        .unwrap_or_else(|e| panic!("{method} {template}: {e}"));
    match req.body() {
        Some(body) => {
            let schema = spec::request_schema(spec, &template, &method, "application/json");
            check(&schema, &body)
                .unwrap_or_else(|e| panic!("{method} {template} body: {e}\n{body}"));
        }
        None => assert!(
            op["requestBody"]["required"] != Value::Bool(true),
            "{method} {template} needs a body"
        ),
    }
    format!("{method} {template}")
}

#[test]
fn every_request_the_client_builds_fits_its_operation() {
    let spec = spec::load();
    let board = BoardId::parse("549755885175").unwrap();
    let section = BoardSectionId::parse("549755885176").unwrap();
    let pin = PinId::parse("813744226420795884").unwrap();
    let today = Utc::now().date_naive();
    let from = today - chrono::Duration::days(30);
    let mut covered = BTreeSet::new();
    covered.insert(check_request(&spec, &GetUserAccount::new()));
    covered.insert(check_request(
        &spec,
        &GetUserAccountWebsites::new().page_size(250),
    ));
    covered.insert(check_request(&spec, &ListBoards::new()));
    let mut paged = ListBoards::new()
        .page_size(250)
        .privacy(BoardPrivacy::Secret);
    paged.bookmark = Some("b2Zmc2V0OjI1MA".into());
    covered.insert(check_request(&spec, &paged));
    covered.insert(check_request(&spec, &CreateBoard::new("Summer recipes")));
    covered.insert(check_request(
        &spec,
        &CreateBoard::new("Summer")
            .description("Cold soups")
            .privacy(BoardPrivacy::Secret),
    ));
    covered.insert(check_request(
        &spec,
        &UpdateBoard::new(board.clone())
            .name("Renamed")
            .description("New")
            .privacy(BoardPrivacy::Public),
    ));
    covered.insert(check_request(
        &spec,
        &ListBoardSections::new(board.clone()).page_size(10),
    ));
    covered.insert(check_request(
        &spec,
        &CreateBoardSection::new(board.clone(), "Salads"),
    ));
    covered.insert(check_request(
        &spec,
        &ListBoardPins::new(board.clone()).page_size(250),
    ));
    covered.insert(check_request(
        &spec,
        &CreatePin::new(
            board.clone(),
            MediaSource::ImageUrl {
                url: "https://shop.example/a.jpg".into(),
            },
        )
        .title("t".repeat(100))
        .description("d".repeat(800))
        .link("https://shop.example/p")
        .alt_text("a".repeat(500))
        .dominant_color("#6E7874")
        .section(section.clone()),
    ));
    covered.insert(check_request(
        &spec,
        &CreatePin::new(
            board.clone(),
            MediaSource::ImageBase64 {
                content_type: ImageContentType::Jpeg,
                data: "iVBORw0KGgo=".into(),
            },
        ),
    ));
    covered.insert(check_request(&spec, &GetPin::new(pin.clone())));
    covered.insert(check_request(&spec, &DeletePin::new(pin.clone())));
    covered.insert(check_request(
        &spec,
        &GetPinAnalytics::new(pin.clone(), from, today),
    ));
    covered.insert(check_request(
        &spec,
        &GetPinAnalytics::new(pin, from, today)
            .metric_types(vec![MetricType::Impression, MetricType::SaveRate]),
    ));
    covered.insert(check_request(
        &spec,
        &GetUserAccountAnalytics::new(from, today),
    ));
    covered.insert(check_request(
        &spec,
        &GetUserAccountAnalytics::new(from, today)
            .metric_types(vec![MetricType::Engagement, MetricType::OutboundClickRate]),
    ));
    assert_eq!(covered.len(), 13, "{covered:?}");
}

#[test]
fn a_drift_from_the_spec_is_caught() {
    let spec = spec::load();
    let body = spec::request_schema(&spec, "/pins", "POST", "application/json");
    assert!(
        check(
            &body,
            &json!({"board_id": "12a", "media_source": {"source_type": "image_url", "url": "x"}})
        )
        .is_err()
    );
    assert!(check(&body, &json!({"title": "t".repeat(101)})).is_err());
    assert!(check(&body, &json!({"media_source": {"source_type": "image_base64", "content_type": "image/gif", "data": "AA=="}})).is_err());
    let pin = spec::response_schema(&spec, "/pins/{pin_id}", "GET", 200).unwrap();
    assert!(check(&pin, &json!({"id": 123})).is_err());
    assert!(
        check(
            &pin,
            &json!({"id": "1", "board_section_id": null, "creative_type": null})
        )
        .is_ok()
    );
    let list = spec::response_schema(&spec, "/boards", "GET", 200).unwrap();
    assert!(
        check(&list, &json!({"bookmark": null})).is_err(),
        "items is required"
    );
    let q = spec::check_query(&spec, "/boards", "GET", &[("page_size", "251".into())]);
    assert!(q.is_err());
    let q = spec::check_query(&spec, "/boards", "GET", &[("pagesize", "25".into())]);
    assert!(q.is_err());
}

#[tokio::test]
async fn token_requests_fit_the_token_endpoint() {
    let spec = spec::load();
    let mut server = mockito::Server::new_async().await;
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let log = seen.clone();
    let _m = server
        .mock("POST", "/v5/oauth/token")
        .match_request(move |r| {
            let auth = r
                .header("authorization")
                .first()
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            log.lock()
                .unwrap()
                .push((auth, r.utf8_lossy_body().unwrap().into_owned()));
            true
        })
        .with_header("content-type", "application/json")
        .with_body(
            json!({
                "access_token": "pina_new", "refresh_token": "pinr_new",
                "response_type": "refresh_token", "token_type": "bearer",
                "expires_in": 2_592_000, "refresh_token_expires_in": 31_536_000,
                "refresh_token_expires_at": 1_900_000_000,
                "scope": "boards:read boards:write pins:read pins:write user_accounts:read"
            })
            .to_string(),
        )
        .expect(2)
        .create_async()
        .await;
    let config = OAuthConfig::for_hosts(
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET),
        REDIRECT_URI,
        &server.url(),
        &format!("{}/v5", server.url()),
    )
    .unwrap();
    let oauth = OAuth::new(config, reqwest::Client::new()).unwrap();
    let grant = oauth.exchange_code("code_123").await.unwrap();
    assert_eq!(grant.refresh_token.expose_secret(), "pinr_new");
    oauth
        .refresh(&SecretString::from("pinr_old"))
        .await
        .unwrap();
    _m.assert_async().await;

    let generic = spec::request_schema(
        &spec,
        "/oauth/token",
        "POST",
        "application/x-www-form-urlencoded",
    );
    let seen = seen.lock().unwrap().clone();
    for ((auth, body), specific) in seen.iter().zip([
        "OauthAccessTokenRequestCode",
        "OauthAccessTokenRequestRefresh",
    ]) {
        let form: serde_json::Map<String, Value> = url::form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), json!(v)))
            .collect();
        let form = Value::Object(form);
        check(&generic, &form).unwrap_or_else(|e| panic!("{e}: {form}"));
        check(&spec::component(&spec, specific), &form).unwrap_or_else(|e| panic!("{e}: {form}"));
        assert!(
            form.get("client_secret").is_none(),
            "the secret goes in HTTP Basic, not the body"
        );
        assert!(
            auth.starts_with("Basic "),
            "HTTP Basic client authentication: {auth}"
        );
    }
    assert!(seen[0].1.contains("redirect_uri="));
    assert!(seen[1].1.contains("refresh_token=pinr_old"));
}

/// Calls the emulator and validates the answer against the spec.
struct Probe {
    spec: Value,
    http: reqwest::Client,
    base: String,
    token: String,
    covered: BTreeSet<String>,
}

impl Probe {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}/v5{path}", self.base))
            .bearer_auth(&self.token)
            .query(query);
        if let Some(b) = &body {
            let template = spec::template_for(&self.spec, path);
            let schema = spec::request_schema(&self.spec, &template, method, "application/json");
            // Bodies meant to be refused may break the schema; valid ones must fit.
            if check(&schema, b).is_ok() {
                req = req.json(b);
            } else {
                req = req
                    .header("content-type", "application/json")
                    .body(b.to_string());
            }
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        assert!(
            resp.headers().contains_key("x-pinterest-rid"),
            "{method} {path}: no request id"
        );
        let bytes = resp.bytes().await.unwrap();
        let template = spec::template_for(&self.spec, path);
        let value = match spec::response_schema(&self.spec, &template, method, status) {
            Some(schema) => {
                let v: Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{method} {path} → {status}: not JSON ({e})"));
                check(&schema, &v)
                    .unwrap_or_else(|e| panic!("{method} {template} → {status}: {e}\n{v}"));
                v
            }
            None => {
                assert!(
                    bytes.is_empty(),
                    "{method} {path} → {status} must have no body"
                );
                Value::Null
            }
        };
        self.covered.insert(format!("{method} {template} {status}"));
        (status, value)
    }
}

async fn probe(emu: &Emulator) -> Probe {
    let client = client_for(emu);
    let oauth = oauth_for(emu, &client);
    let grant = connect(&oauth).await;
    Probe {
        spec: spec::load(),
        http: browser(),
        base: emu.base_url(),
        token: grant.access_token.expose_secret().to_owned(),
        covered: BTreeSet::new(),
    }
}

#[tokio::test]
async fn every_emulator_answer_fits_the_spec() {
    let mut config = config();
    config.boards = 5;
    let emu = Emulator::start(config).await.unwrap();
    let mut p = probe(&emu).await;

    assert_eq!(p.call("GET", "/user_account", &[], None).await.0, 200);
    assert_eq!(
        p.call("GET", "/user_account/websites", &[], None).await.0,
        200
    );
    let today = Utc::now().date_naive().to_string();
    let week = (Utc::now().date_naive() - chrono::Duration::days(7)).to_string();
    let old = (Utc::now().date_naive() - chrono::Duration::days(200)).to_string();
    let q = [("start_date", week.as_str()), ("end_date", today.as_str())];
    assert_eq!(
        p.call("GET", "/user_account/analytics", &q, None).await.0,
        200
    );
    let q2 = [("start_date", old.as_str()), ("end_date", today.as_str())];
    assert_eq!(
        p.call("GET", "/user_account/analytics", &q2, None).await.0,
        400
    );

    let (s, page) = p.call("GET", "/boards", &[("page_size", "2")], None).await;
    assert_eq!(s, 200);
    let bookmark = page["bookmark"].as_str().unwrap().to_owned();
    assert_eq!(
        p.call(
            "GET",
            "/boards",
            &[("page_size", "2"), ("bookmark", &bookmark)],
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        p.call("GET", "/boards", &[("page_size", "0")], None)
            .await
            .0,
        400
    );
    let (s, board) = p
        .call(
            "POST",
            "/boards",
            &[],
            Some(json!({"name": "Contract", "description": "d", "privacy": "PUBLIC"})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        p.call("POST", "/boards", &[], Some(json!({"name": "Contract"})))
            .await
            .0,
        409
    );
    assert_eq!(
        p.call(
            "POST",
            "/boards",
            &[],
            Some(json!({"description": "no name"}))
        )
        .await
        .0,
        400
    );
    let board_id = board["id"].as_str().unwrap().to_owned();
    let bp = format!("/boards/{board_id}");
    assert_eq!(p.call("GET", &bp, &[], None).await.0, 200);
    assert_eq!(p.call("GET", "/boards/1", &[], None).await.0, 404);
    assert_eq!(
        p.call(
            "PATCH",
            &bp,
            &[],
            Some(json!({"name": "Renamed", "privacy": "SECRET"}))
        )
        .await
        .0,
        200
    );
    let sp = format!("{bp}/sections");
    let (s, section) = p
        .call("POST", &sp, &[], Some(json!({"name": "Salads"})))
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        p.call("POST", &sp, &[], Some(json!({"name": ""}))).await.0,
        400
    );
    assert_eq!(p.call("GET", &sp, &[], None).await.0, 200);

    let by_url = json!({"board_id": board_id, "title": "T", "description": "D", "link": "https://shop.example/p",
        "alt_text": "A", "media_source": {"source_type": "image_url", "url": "https://shop.example/a.jpg"}});
    let (s, pin) = p.call("POST", "/pins", &[], Some(by_url)).await;
    assert_eq!(s, 201);
    let by_b64 = json!({"board_id": board_id, "board_section_id": section["id"],
        "media_source": {"source_type": "image_base64", "content_type": "image/png", "data": "iVBORw0KGgo="}});
    assert_eq!(p.call("POST", "/pins", &[], Some(by_b64)).await.0, 201);
    let mislabelled = json!({"board_id": board_id,
        "media_source": {"source_type": "image_base64", "content_type": "image/jpeg", "data": "iVBORw0KGgo="}});
    assert_eq!(p.call("POST", "/pins", &[], Some(mislabelled)).await.0, 400);
    let bad_media = json!({"board_id": board_id, "media_source": {"source_type": "video_id", "cover_image_url": "x", "media_id": "1"}});
    assert_eq!(p.call("POST", "/pins", &[], Some(bad_media)).await.0, 400);
    let no_board = json!({"board_id": "1", "media_source": {"source_type": "image_url", "url": "https://shop.example/a.jpg"}});
    assert_eq!(p.call("POST", "/pins", &[], Some(no_board)).await.0, 404);
    assert_eq!(
        p.call("GET", &format!("{bp}/pins"), &[("page_size", "1")], None)
            .await
            .0,
        200
    );
    assert_eq!(p.call("GET", "/boards/1/pins", &[], None).await.0, 404);
    assert_eq!(p.call("GET", "/pins", &[], None).await.0, 200);
    let pin_path = format!("/pins/{}", pin["id"].as_str().unwrap());
    assert_eq!(p.call("GET", &pin_path, &[], None).await.0, 200);
    let aq = [
        ("start_date", week.as_str()),
        ("end_date", today.as_str()),
        (
            "metric_types",
            "IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK,SAVE_RATE",
        ),
    ];
    assert_eq!(
        p.call("GET", &format!("{pin_path}/analytics"), &aq, None)
            .await
            .0,
        200
    );
    assert_eq!(
        p.call("GET", &format!("{pin_path}/analytics"), &q, None)
            .await
            .0,
        400
    );
    assert_eq!(p.call("GET", "/pins/1/analytics", &aq, None).await.0, 404);
    assert_eq!(p.call("DELETE", &pin_path, &[], None).await.0, 204);
    assert_eq!(p.call("DELETE", &pin_path, &[], None).await.0, 404);
    assert_eq!(p.call("GET", &pin_path, &[], None).await.0, 404);

    // Without a valid token.
    p.token = "pina_wrong".into();
    assert_eq!(p.call("GET", "/user_account", &[], None).await.0, 401);
    assert_eq!(p.call("GET", "/boards", &[], None).await.0, 401);
    assert_eq!(p.call("POST", "/pins", &[], Some(json!({}))).await.0, 401);
    assert_eq!(p.covered.len(), 31, "{:?}", p.covered);
}

#[tokio::test]
async fn token_answers_fit_the_spec() {
    let spec = spec::load();
    let emu = Emulator::start(config()).await.unwrap();
    let client = client_for(&emu);
    let oauth = oauth_for(&emu, &client);
    let (url, _) = oauth.authorize_url();
    let back = consent(&url, "allow").await;
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let post = |form: Vec<(&'static str, String)>, secret: &'static str| {
        let url = format!("{}/v5/oauth/token", emu.base_url());
        async move {
            let r = browser()
                .post(url)
                // RFC 6749 §2.3.1: form-encode both parts before Basic encoding.
                .basic_auth(
                    CLIENT_ID,
                    Some(
                        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
                    ),
                )
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let generic = spec::response_schema(&spec, "/oauth/token", "POST", 200).unwrap();
    let errors = spec::response_schema(&spec, "/oauth/token", "POST", 400).unwrap();
    let (s, v) = post(
        vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.clone()),
            ("redirect_uri", REDIRECT_URI.into()),
        ],
        CLIENT_SECRET,
    )
    .await;
    assert_eq!(s, 200);
    check(&generic, &v).unwrap();
    check(&spec::component(&spec, "OauthAccessTokenResponseCode"), &v).unwrap();
    let refresh = v["refresh_token"].as_str().unwrap().to_owned();
    let (s, v) = post(
        vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh.clone()),
        ],
        CLIENT_SECRET,
    )
    .await;
    assert_eq!(s, 200);
    check(&generic, &v).unwrap();
    check(
        &spec::component(&spec, "OauthAccessTokenResponseRefresh"),
        &v,
    )
    .unwrap();
    let (s, v) = post(
        vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh),
        ],
        CLIENT_SECRET,
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(283)));
    check(&errors, &v).unwrap();
    let (s, v) = post(
        vec![
            ("grant_type", "authorization_code".into()),
            ("code", code),
            ("redirect_uri", REDIRECT_URI.into()),
        ],
        CLIENT_SECRET,
    )
    .await;
    assert_eq!(s, 400);
    check(&errors, &v).unwrap();
    let (s, v) = post(vec![("grant_type", "client_credentials".into())], "wrong").await;
    assert_eq!(s, 401);
    check(&errors, &v).unwrap();
}

#[tokio::test]
async fn rate_limited_and_sandbox_answers_fit_the_spec() {
    let mut config = config();
    config.sandbox = true;
    config.rate_limits = EmulatorRateLimits {
        org_read: Some(1),
        org_write: None,
        org_analytics: None,
        window: std::time::Duration::from_secs(60),
    };
    let emu = Emulator::start(config).await.unwrap();
    let mut p = probe(&emu).await;
    assert_eq!(p.call("GET", "/boards", &[], None).await.0, 200);
    assert_eq!(p.call("GET", "/boards", &[], None).await.0, 429);
    let today = Utc::now().date_naive().to_string();
    let q = [("start_date", today.as_str()), ("end_date", today.as_str())];
    assert_eq!(
        p.call("GET", "/user_account/analytics", &q, None).await.0,
        403
    );
    assert_eq!(p.call("GET", "/pins/1/analytics", &q, None).await.0, 403);
}

#[tokio::test]
async fn what_the_client_puts_on_the_wire_fits_the_spec() {
    let spec = spec::load();
    let mut server = mockito::Server::new_async().await;
    let seen: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        let log = seen.clone();
        mocks.push(
            server
                .mock(method, mockito::Matcher::Any)
                .match_request(move |r| {
                    log.lock().unwrap().push((
                        r.method().to_owned(),
                        r.path_and_query().to_owned(),
                        r.utf8_lossy_body().unwrap().into_owned(),
                    ));
                    true
                })
                // Not a valid answer for most operations: only the requests matter here.
                .with_status(400)
                .with_body(r#"{"code":1,"message":"recorded"}"#)
                .create_async()
                .await,
        );
    }
    let mut config = iqpins_pinterest::ClientConfig::new(&format!("{}/v5", server.url())).unwrap();
    config.retry = iqpins_pinterest::RetryPolicy::never();
    let client = iqpins_pinterest::Client::new(config).unwrap();
    let auth = iqpins_pinterest::Auth::new(SecretString::from("pina_x"), "a");
    let board = BoardId::parse("549755885175").unwrap();
    let pin = PinId::parse("813744226420795884").unwrap();
    let today = Utc::now().date_naive();
    let _ = client.send(&auth, &GetUserAccount::new()).await;
    let _ = client
        .send(&auth, &GetUserAccountWebsites::new().page_size(5))
        .await;
    let _ = client
        .send(
            &auth,
            &ListBoards::new()
                .page_size(250)
                .privacy(BoardPrivacy::Public),
        )
        .await;
    let _ = client
        .send(
            &auth,
            &CreateBoard::new("Wire")
                .description("d")
                .privacy(BoardPrivacy::Secret),
        )
        .await;
    let _ = client
        .send(&auth, &UpdateBoard::new(board.clone()).name("n"))
        .await;
    let _ = client
        .send(&auth, &ListBoardSections::new(board.clone()))
        .await;
    let _ = client
        .send(&auth, &CreateBoardSection::new(board.clone(), "S"))
        .await;
    let _ = client
        .send(&auth, &ListBoardPins::new(board.clone()).page_size(1))
        .await;
    let _ = client
        .send(
            &auth,
            &CreatePin::new(
                board.clone(),
                MediaSource::ImageBase64 {
                    content_type: ImageContentType::Png,
                    data: "iVBORw0KGgo=".into(),
                },
            )
            .title("T")
            .alt_text("A")
            .link("https://shop.example/p"),
        )
        .await;
    let _ = client.send(&auth, &GetPin::new(pin.clone())).await;
    let _ = client.send(&auth, &DeletePin::new(pin.clone())).await;
    let _ = client
        .send(&auth, &GetPinAnalytics::new(pin, today, today))
        .await;
    let _ = client
        .send(&auth, &GetUserAccountAnalytics::new(today, today))
        .await;

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 13, "{seen:?}");
    for (method, path_and_query, body) in seen {
        let url = url::Url::parse(&format!("http://x{path_and_query}")).unwrap();
        let path = url.path().strip_prefix("/v5").unwrap().to_owned();
        let template = spec::template_for(&spec, &path);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let query: Vec<(&str, String)> =
            query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        spec::check_query(&spec, &template, &method, &query)
            .unwrap_or_else(|e| panic!("{method} {path_and_query}: {e}"));
        if body.is_empty() {
            continue;
        }
        let json: Value = serde_json::from_str(&body).unwrap();
        let schema = spec::request_schema(&spec, &template, &method, "application/json");
        check(&schema, &json).unwrap_or_else(|e| panic!("{method} {template}: {e}\n{json}"));
    }
}
