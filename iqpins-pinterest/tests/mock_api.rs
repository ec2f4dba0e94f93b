//! Every request against mockito: success, Pinterest error bodies for 401/403/404/429/5xx,
//! malformed and truncated JSON, retries, pagination edge cases, and the 401 → refresh →
//! retry rule. A catch-all mock answers any request no test expected, naming it.

#![allow(
    clippy::unwrap_used,
    reason = "integration tests: a failed unwrap is a failed test"
)]

use std::time::Duration;

use futures::TryStreamExt;
use futures::future::BoxFuture;
use iqpins_core::{BoardId, PinId, PinterestErrorKind};
use iqpins_pinterest::{
    Auth, BoardPrivacy, Client, ClientConfig, CreateBoard, CreateBoardSection, CreatePin,
    DeletePin, Error, GetPin, GetPinAnalytics, GetUserAccount, GetUserAccountAnalytics,
    GetUserAccountWebsites, ListBoardPins, ListBoardSections, ListBoards, MediaSource, MetricType,
    OAuth, OAuthConfig, RetryPolicy, Session, UpdateBoard,
};
use mockito::{Matcher, Server, ServerGuard};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "pina_mock_token";

fn auth() -> Auth {
    Auth::new(SecretString::from(TOKEN), "acct")
}

fn board() -> BoardId {
    BoardId::parse("549755885175").unwrap()
}

fn pin() -> PinId {
    PinId::parse("813744226420795884").unwrap()
}

fn client(server: &ServerGuard, retry: RetryPolicy) -> Client {
    let mut config = ClientConfig::new(&format!("{}/v5", server.url())).unwrap();
    config.retry = retry;
    Client::new(config).unwrap()
}

fn quick(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(2),
    }
}

/// Answers every request that no other mock matched with 418 and a message naming it, so
/// a test that forgot an expectation fails saying which request was unexpected.
async fn catch_all(server: &mut ServerGuard) -> Vec<mockito::Mock> {
    let mut mocks = Vec::new();
    for method in ["GET", "POST", "PATCH", "DELETE"] {
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .with_status(418)
                .with_header("content-type", "application/json")
                .with_body_from_request(|r| {
                    json!({"code": 0, "message": format!(
                        "no mock expected {} {}", r.method(), r.path_and_query()
                    )})
                    .to_string()
                    .into_bytes()
                })
                .expect(0)
                .create_async()
                .await,
        );
    }
    mocks
}

type Call = fn(Client, Auth) -> BoxFuture<'static, iqpins_pinterest::Result<String>>;

struct Case {
    method: &'static str,
    path: &'static str,
    status: usize,
    body: serde_json::Value,
    call: Call,
    expect: &'static str,
}

const BOARD_JSON: &str = r#"{"id":"549755885175","name":"Summer recipes","description":"My favorite summer recipes","privacy":"PUBLIC","created_at":"2020-01-01T20:10:40","owner":{"username":"someone"},"pin_count":5}"#;
const PIN_JSON: &str = r#"{"id":"813744226420795884","created_at":"2020-01-01T20:10:40Z","link":"https://www.pinterest.com/","title":"string","description":"string","alt_text":null,"board_id":"549755885175","board_section_id":null,"creative_type":"REGULAR","media":{"media_type":"image","images":{"150x150":{"width":150,"height":150,"url":"https://i.pinimg.com/150x150/0d/f6/f1/0df6f1f0bfe7aaca849c1bbc3607a34b.jpg"}}},"is_owner":true}"#;

fn cases() -> Vec<Case> {
    let board_json: serde_json::Value = serde_json::from_str(BOARD_JSON).unwrap();
    let pin_json: serde_json::Value = serde_json::from_str(PIN_JSON).unwrap();
    let analytics = json!({"all": {"daily_metrics": [{"date": "2026-12-01", "data_status": "READY",
        "metrics": {"IMPRESSION": 240, "SAVE": 20, "PIN_CLICK": 37, "OUTBOUND_CLICK": 20}}],
        "summary_metrics": {"IMPRESSION": 240}}});
    vec![
        Case {
            method: "GET",
            path: "/v5/user_account",
            status: 200,
            body: json!({"account_type": "BUSINESS", "id": "2783136121146311751", "username": "shop", "profile_image": "https://i.pinimg.com/x.jpg", "website_url": "https://shop.example"}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &GetUserAccount::new())
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Business",
        },
        Case {
            method: "GET",
            path: "/v5/user_account/websites",
            status: 200,
            body: json!({"items": [{"website": "mysite.test", "status": "success", "verified_at": "2022-12-14T21:03:01.602000"}], "bookmark": null}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &GetUserAccountWebsites::new())
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "mysite.test",
        },
        Case {
            method: "GET",
            path: "/v5/boards",
            status: 200,
            body: json!({"items": [board_json], "bookmark": null}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &ListBoards::new().page_size(250))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Summer recipes",
        },
        Case {
            method: "POST",
            path: "/v5/boards",
            status: 201,
            body: board_json.clone(),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &CreateBoard::new("Summer recipes"))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "549755885175",
        },
        Case {
            method: "PATCH",
            path: "/v5/boards/549755885175",
            status: 200,
            body: board_json,
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &UpdateBoard::new(board()).privacy(BoardPrivacy::Public))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Public",
        },
        Case {
            method: "GET",
            path: "/v5/boards/549755885175/sections",
            status: 200,
            body: json!({"items": [{"id": "549755885176", "name": "Salads"}], "bookmark": ""}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &ListBoardSections::new(board()))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Salads",
        },
        Case {
            method: "POST",
            path: "/v5/boards/549755885175/sections",
            status: 201,
            body: json!({"id": "549755885176", "name": "Salads"}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &CreateBoardSection::new(board(), "Salads"))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "549755885176",
        },
        Case {
            method: "GET",
            path: "/v5/boards/549755885175/pins",
            status: 200,
            body: json!({"items": [pin_json.clone()], "bookmark": null}),
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &ListBoardPins::new(board()))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "813744226420795884",
        },
        Case {
            method: "POST",
            path: "/v5/pins",
            status: 201,
            body: pin_json.clone(),
            call: |c, a| {
                Box::pin(async move {
                    let req = CreatePin::new(
                        board(),
                        MediaSource::ImageUrl {
                            url: "https://shop.example/a.jpg".into(),
                        },
                    )
                    .title("t");
                    c.send(&a, &req).await.map(|r| format!("{r:?}"))
                })
            },
            expect: "Regular",
        },
        Case {
            method: "GET",
            path: "/v5/pins/813744226420795884",
            status: 200,
            body: pin_json,
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &GetPin::new(pin()))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Image",
        },
        Case {
            method: "DELETE",
            path: "/v5/pins/813744226420795884",
            status: 204,
            body: serde_json::Value::Null,
            call: |c, a| {
                Box::pin(async move {
                    c.send(&a, &DeletePin::new(pin()))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "()",
        },
        Case {
            method: "GET",
            path: "/v5/pins/813744226420795884/analytics",
            status: 200,
            body: analytics.clone(),
            call: |c, a| {
                Box::pin(async move {
                    let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
                    c.send(&a, &GetPinAnalytics::new(pin(), d, d))
                        .await
                        .map(|r| format!("{r:?}"))
                })
            },
            expect: "Impression",
        },
        Case {
            method: "GET",
            path: "/v5/user_account/analytics",
            status: 200,
            body: analytics,
            call: |c, a| {
                Box::pin(async move {
                    let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
                    c.send(
                        &a,
                        &GetUserAccountAnalytics::new(d, d)
                            .metric_types(vec![MetricType::Impression]),
                    )
                    .await
                    .map(|r| format!("{r:?}"))
                })
            },
            expect: "240",
        },
    ]
}

#[tokio::test]
async fn every_request_succeeds_on_its_documented_answer() {
    let mut server = Server::new_async().await;
    let unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    for case in cases() {
        let body = if case.body.is_null() {
            String::new()
        } else {
            case.body.to_string()
        };
        let m = server
            .mock(case.method, case.path)
            .match_query(Matcher::Any)
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_status(case.status)
            .with_header("content-type", "application/json")
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        let answer = (case.call)(client.clone(), auth())
            .await
            .unwrap_or_else(|e| panic!("{} {}: {e}", case.method, case.path));
        assert!(
            answer.contains(case.expect),
            "{} {}: {answer}",
            case.method,
            case.path
        );
        m.assert_async().await;
        m.remove_async().await;
    }
    for m in unexpected {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn every_request_keeps_pinterest_errors_typed() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let statuses = [
        (400, PinterestErrorKind::Invalid),
        (401, PinterestErrorKind::Unauthorized),
        (403, PinterestErrorKind::Forbidden),
        (404, PinterestErrorKind::NotFound),
        (429, PinterestErrorKind::RateLimited),
        (500, PinterestErrorKind::Server),
        (503, PinterestErrorKind::Server),
    ];
    for case in cases() {
        let create = case.method == "POST";
        for (status, kind) in statuses {
            let m = server
                .mock(case.method, case.path)
                .match_query(Matcher::Any)
                .with_status(status)
                .with_header("content-type", "application/json")
                .with_header("x-pinterest-rid", "rid-42")
                .with_header("retry-after", "7")
                .with_body(
                    json!({"code": 2900 + status, "message": format!("failure {status}")})
                        .to_string(),
                )
                .expect(1)
                .create_async()
                .await;
            let e = (case.call)(client.clone(), auth()).await.unwrap_err();
            let what = format!("{} {} → {status}: {e:?}", case.method, case.path);
            if create && status >= 500 {
                // A create answered 5xx may have happened: reconcile, never retry blindly.
                assert_eq!(e.kind(), PinterestErrorKind::OutcomeUnknown, "{what}");
                let core: iqpins_core::PinterestError = e.into();
                assert_eq!(core.request_id.as_deref(), Some("rid-42"), "{what}");
            } else {
                assert_eq!(e.kind(), kind, "{what}");
                let Error::Api(api) = &e else {
                    panic!("{what}")
                };
                assert_eq!(api.status, status as u16, "{what}");
                assert_eq!(api.code, Some(2900 + status as i64), "{what}");
                assert_eq!(api.message, format!("failure {status}"), "{what}");
                assert_eq!(api.request_id.as_deref(), Some("rid-42"), "{what}");
                assert_eq!(api.retry_after, Some(Duration::from_secs(7)), "{what}");
                let core: iqpins_core::PinterestError = e.into();
                assert_eq!(core.kind, kind);
                assert_eq!(core.status, Some(status as u16));
                assert_eq!(core.code, Some(2900 + status as i64));
            }
            m.assert_async().await;
            m.remove_async().await;
        }
    }
}

#[tokio::test]
async fn malformed_and_truncated_answers_are_decode_errors_with_path_and_body() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    for case in cases().into_iter().filter(|c| c.status != 204) {
        let full = case.body.to_string();
        let truncated = full[..full.len() / 2].to_owned();
        for bad in [
            "<html>Bad gateway</html>".to_owned(),
            truncated,
            "[]".to_owned(),
        ] {
            let m = server
                .mock(case.method, case.path)
                .match_query(Matcher::Any)
                .with_status(case.status)
                .with_header("x-pinterest-rid", "rid-7")
                .with_body(bad.clone())
                .expect(1)
                .create_async()
                .await;
            let e = (case.call)(client.clone(), auth()).await.unwrap_err();
            let what = format!("{} {} ← {bad:?}: {e:?}", case.method, case.path);
            match e {
                Error::Decode {
                    body,
                    status,
                    request_id,
                    path,
                    ..
                } => {
                    assert_eq!(body, bad, "{what}");
                    assert_eq!(status, case.status as u16, "{what}");
                    assert_eq!(request_id.as_deref(), Some("rid-7"), "{what}");
                    assert!(!path.is_empty(), "{what}");
                }
                // A create whose answer cannot be read may still have happened.
                Error::OutcomeUnknown { ref reason, .. } if case.method == "POST" => {
                    assert!(reason.contains(&bad), "{what}");
                }
                _ => panic!("{what}"),
            }
            m.assert_async().await;
            m.remove_async().await;
        }
    }
}

#[tokio::test]
async fn a_wrong_field_type_names_its_json_path_and_unknown_enums_decode() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let m = server
        .mock("GET", "/v5/boards")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"items":[{"id":"1","name":"ok"},{"id":"12a","name":"bad id"}],"bookmark":null}"#,
        )
        .create_async()
        .await;
    let e = client.send(&auth(), &ListBoards::new()).await.unwrap_err();
    let Error::Decode { path, body, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, "items[1].id");
    assert!(body.contains("bad id"));
    m.remove_async().await;

    let _m = server
        .mock("GET", "/v5/boards")
        .match_query(Matcher::Any)
        .with_body(r#"{"items":[{"id":"1","name":"new","privacy":"FRIENDS_ONLY"}]}"#)
        .create_async()
        .await;
    let page = client.send(&auth(), &ListBoards::new()).await.unwrap();
    assert_eq!(
        page.items[0].privacy,
        Some(BoardPrivacy::Unknown("FRIENDS_ONLY".into()))
    );
    assert_eq!(page.bookmark, None);
    let _a = server
        .mock("GET", "/v5/user_account")
        .with_body(r#"{"account_type":"CREATOR","username":"x"}"#)
        .create_async()
        .await;
    let me = client.send(&auth(), &GetUserAccount::new()).await.unwrap();
    assert_eq!(me.account_type.unwrap().as_str(), "CREATOR");
}

#[tokio::test]
async fn reads_are_retried_on_5xx_and_429_then_succeed() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, quick(4));
    let flaky = [
        server
            .mock("GET", "/v5/user_account")
            .with_status(503)
            .with_body("{}")
            .expect(1)
            .create_async()
            .await,
        server
            .mock("GET", "/v5/user_account")
            .with_status(429)
            .with_body(r#"{"code":8,"message":"slow down"}"#)
            .expect(1)
            .create_async()
            .await,
        server
            .mock("GET", "/v5/user_account")
            .with_status(502)
            .with_body("bad gateway")
            .expect(1)
            .create_async()
            .await,
    ];
    let ok = server
        .mock("GET", "/v5/user_account")
        .with_body(r#"{"username":"back"}"#)
        .expect(1)
        .create_async()
        .await;
    let me = client.send(&auth(), &GetUserAccount::new()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("back"));
    for m in flaky {
        m.assert_async().await;
    }
    ok.assert_async().await;
}

#[tokio::test]
async fn reads_give_up_after_the_last_attempt_with_the_last_error() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, quick(3));
    let m = server
        .mock("GET", "/v5/user_account")
        .with_status(500)
        .with_body(r#"{"code":1,"message":"down"}"#)
        .expect(3)
        .create_async()
        .await;
    let e = client
        .send(&auth(), &GetUserAccount::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Server);
    m.assert_async().await;
}

#[tokio::test]
async fn retry_after_is_waited_for_on_reads() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, quick(3));
    let limited = server
        .mock("GET", "/v5/user_account")
        .with_status(429)
        .with_header("retry-after", "1")
        .with_body(r#"{"code":8,"message":"slow down"}"#)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/v5/user_account")
        .with_body("{}")
        .expect(1)
        .create_async()
        .await;
    let started = std::time::Instant::now();
    client.send(&auth(), &GetUserAccount::new()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_create_is_sent_once_whatever_happens() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, quick(5));
    let req = CreatePin::new(
        board(),
        MediaSource::ImageUrl {
            url: "https://shop.example/a.jpg".into(),
        },
    );
    // 5xx: unknown outcome.
    let m = server
        .mock("POST", "/v5/pins")
        .with_status(503)
        .with_body("{}")
        .expect(1)
        .create_async()
        .await;
    let e = client.send(&auth(), &req).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutcomeUnknown {
                status: Some(503),
                ..
            }
        ),
        "{e:?}"
    );
    m.assert_async().await;
    m.remove_async().await;
    // 429: handed back with Retry-After, not retried.
    let m = server
        .mock("POST", "/v5/pins")
        .with_status(429)
        .with_header("retry-after", "30")
        .with_body(r#"{"code":8,"message":"slow down"}"#)
        .expect(1)
        .create_async()
        .await;
    let e: iqpins_core::PinterestError = client.send(&auth(), &req).await.unwrap_err().into();
    assert_eq!(e.kind, PinterestErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(30)));
    m.assert_async().await;
    m.remove_async().await;
    // The answer is cut short after a 201: unknown outcome.
    let m = server
        .mock("POST", "/v5/pins")
        .with_status(201)
        .with_chunked_body(|w| {
            w.write_all(br#"{"id":"8137"#)?;
            Err(std::io::Error::other("connection lost"))
        })
        .expect(1)
        .create_async()
        .await;
    let e = client.send(&auth(), &req).await.unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::OutcomeUnknown, "{e:?}");
    m.assert_async().await;
}

#[tokio::test]
async fn a_read_whose_answer_is_cut_short_is_retried() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, quick(3));
    let cut = server
        .mock("GET", "/v5/user_account")
        .with_chunked_body(|w| {
            w.write_all(br#"{"username":"#)?;
            Err(std::io::Error::other("connection lost"))
        })
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/v5/user_account")
        .with_body(r#"{"username":"ok"}"#)
        .expect(1)
        .create_async()
        .await;
    let me = client.send(&auth(), &GetUserAccount::new()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("ok"));
    cut.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = ClientConfig::new(&format!("http://127.0.0.1:{port}/v5")).unwrap();
    config.retry = quick(2);
    let client = Client::new(config).unwrap();
    let e = client
        .send(&auth(), &GetUserAccount::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Transport, "{e:?}");
    // A create that never left is not an unknown outcome.
    let req = CreateBoard::new("x");
    let e = client.send(&auth(), &req).await.unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Transport, "{e:?}");
}

async fn page_mock(
    server: &mut ServerGuard,
    bookmark: Option<&str>,
    items: &[&str],
    next: serde_json::Value,
) -> mockito::Mock {
    let query = match bookmark {
        Some(b) => Matcher::UrlEncoded("bookmark".into(), b.into()),
        None => Matcher::Any,
    };
    let items: Vec<_> = items
        .iter()
        .map(|id| json!({"id": id, "name": format!("board {id}")}))
        .collect();
    server
        .mock("GET", "/v5/boards")
        .match_query(query)
        .with_body(json!({"items": items, "bookmark": next}).to_string())
        .expect(1)
        .create_async()
        .await
}

async fn list_all(client: &Client) -> Vec<String> {
    client
        .paginate(&auth(), ListBoards::new().page_size(2))
        .map_ok(|b| b.id.to_string())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn pagination_stops_on_a_missing_bookmark() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let a = page_mock(&mut server, None, &["1", "2"], json!("p2")).await;
    let b = page_mock(&mut server, Some("p2"), &["3"], serde_json::Value::Null).await;
    assert_eq!(list_all(&client).await, ["1", "2", "3"]);
    a.assert_async().await;
    b.assert_async().await;
}

#[tokio::test]
async fn pagination_stops_on_an_empty_bookmark() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let a = page_mock(&mut server, None, &["1", "2"], json!("")).await;
    assert_eq!(list_all(&client).await, ["1", "2"]);
    a.assert_async().await;
}

#[tokio::test]
async fn pagination_stops_on_a_repeated_bookmark() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let a = page_mock(&mut server, None, &["1"], json!("p2")).await;
    let b = page_mock(&mut server, Some("p2"), &["2"], json!("p3")).await;
    let c = page_mock(&mut server, Some("p3"), &["3"], json!("p2")).await;
    assert_eq!(list_all(&client).await, ["1", "2", "3"]);
    a.assert_async().await;
    b.assert_async().await;
    c.assert_async().await;
}

#[tokio::test]
async fn pagination_yields_the_error_of_a_failed_page_and_stops() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let client = client(&server, RetryPolicy::never());
    let a = page_mock(&mut server, None, &["1"], json!("p2")).await;
    let b = server
        .mock("GET", "/v5/boards")
        .match_query(Matcher::UrlEncoded("bookmark".into(), "p2".into()))
        .with_status(403)
        .with_body(r#"{"code":3,"message":"no"}"#)
        .expect(1)
        .create_async()
        .await;
    let got: Vec<_> =
        futures::StreamExt::collect::<Vec<_>>(client.paginate(&auth(), ListBoards::new())).await;
    assert_eq!(got.len(), 2);
    assert!(got[0].is_ok());
    assert_eq!(
        got[1].as_ref().unwrap_err().kind(),
        PinterestErrorKind::Forbidden
    );
    a.assert_async().await;
    b.assert_async().await;
}

fn oauth(server: &ServerGuard) -> OAuth {
    let config = OAuthConfig::for_hosts(
        "app",
        SecretString::from("secret"),
        "https://app.example/callback",
        &server.url(),
        &format!("{}/v5", server.url()),
    )
    .unwrap();
    OAuth::new(config, reqwest::Client::new()).unwrap()
}

fn grant(access: &str) -> iqpins_core::TokenGrant {
    iqpins_core::TokenGrant {
        access_token: SecretString::from(access),
        access_expires_at: chrono::Utc::now() + chrono::Duration::days(30),
        refresh_token: SecretString::from("pinr_old"),
        refresh_expires_at: None,
        scopes: Vec::new(),
    }
}

fn token_answer() -> String {
    json!({"access_token": "pina_fresh", "refresh_token": "pinr_fresh", "response_type": "refresh_token",
        "token_type": "bearer", "expires_in": 2_592_000, "refresh_token_expires_in": 31_536_000,
        "refresh_token_expires_at": 1_900_000_000, "scope": "pins:read"})
    .to_string()
}

#[tokio::test]
async fn a_401_gets_one_refresh_and_one_retry() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let stale = server
        .mock("GET", "/v5/user_account")
        .match_header("authorization", "Bearer pina_stale")
        .with_status(401)
        .with_body(r#"{"code":2,"message":"Authentication failed."}"#)
        .expect(1)
        .create_async()
        .await;
    let refresh = server
        .mock("POST", "/v5/oauth/token")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("grant_type".into(), "refresh_token".into()),
            Matcher::UrlEncoded("refresh_token".into(), "pinr_old".into()),
        ]))
        .with_header("content-type", "application/json")
        .with_body(token_answer())
        .expect(1)
        .create_async()
        .await;
    let fresh = server
        .mock("GET", "/v5/user_account")
        .match_header("authorization", "Bearer pina_fresh")
        .with_body(r#"{"username":"me"}"#)
        .expect(1)
        .create_async()
        .await;
    let session = Session::new(
        client(&server, RetryPolicy::never()),
        oauth(&server),
        "a",
        grant("pina_stale"),
    );
    let me = session.send(&GetUserAccount::new()).await.unwrap();
    assert_eq!(me.username.as_deref(), Some("me"));
    let tokens = session.tokens().await;
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&tokens.refresh_token),
        "pinr_fresh"
    );
    assert_eq!(
        tokens.refresh_expires_at.unwrap().timestamp(),
        1_900_000_000
    );
    stale.assert_async().await;
    refresh.assert_async().await;
    fresh.assert_async().await;
}

#[tokio::test]
async fn a_second_401_after_the_refresh_is_returned() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let denied = server
        .mock("GET", "/v5/user_account")
        .with_status(401)
        .with_body(r#"{"code":2,"message":"Authentication failed."}"#)
        .expect(2)
        .create_async()
        .await;
    let refresh = server
        .mock("POST", "/v5/oauth/token")
        .with_header("content-type", "application/json")
        .with_body(token_answer())
        .expect(1)
        .create_async()
        .await;
    let session = Session::new(
        client(&server, RetryPolicy::never()),
        oauth(&server),
        "a",
        grant("pina_stale"),
    );
    let e = session.send(&GetUserAccount::new()).await.unwrap_err();
    assert_eq!(e.kind(), PinterestErrorKind::Unauthorized);
    denied.assert_async().await;
    refresh.assert_async().await;
}

#[tokio::test]
async fn refresh_token_errors_are_told_apart() {
    let mut server = Server::new_async().await;
    let _unexpected = catch_all(&mut server).await;
    let oauth = oauth(&server);
    let m = server
        .mock("POST", "/v5/oauth/token")
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_header("x-pinterest-rid", "rid-283")
        .with_body(r#"{"code":283,"message":"Refresh token is invalid or expired"}"#)
        .expect(1)
        .create_async()
        .await;
    let e = oauth
        .refresh(&SecretString::from("pinr_gone"))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidRefreshToken { code: Some(283), request_id: Some(r), .. } if r == "rid-283"),
        "{e:?}"
    );
    m.remove_async().await;
    let m = server
        .mock("POST", "/v5/oauth/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"code":2,"message":"bad client"}"#)
        .expect(1)
        .create_async()
        .await;
    let e = oauth.exchange_code("code").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::OAuth {
                status: Some(401),
                code: Some(2),
                ..
            }
        ),
        "{e:?}"
    );
    m.remove_async().await;
    let _m = server
        .mock("POST", "/v5/oauth/token")
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token": 12}"#)
        .expect(1)
        .create_async()
        .await;
    let e = oauth.exchange_code("code").await.unwrap_err();
    let Error::Decode { path, body, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(path, "access_token");
    assert!(body.contains("12"));
}
