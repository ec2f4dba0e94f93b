//! The `/v5` handlers: token endpoint, user account, boards, sections, pins, analytics.
//! Every API answer goes through [`gate`]: latency, bearer token and scopes, rate limits
//! and injected faults, in that order. Errors are Pinterest's `{code, message}`.

#![allow(
    clippy::result_large_err,
    reason = "handlers short-circuit with a ready axum Response; the size of an error answer does not matter here"
)]

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use super::EmulatorState;
use super::world::{PinRec, SectionRec, TokenRec, World, day_metrics};

type Query_ = Query<HashMap<String, String>>;

fn err(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

fn bad_request(message: &str) -> Response {
    err(StatusCode::BAD_REQUEST, 1, message)
}

fn not_found_msg(message: &str) -> Response {
    err(StatusCode::NOT_FOUND, 404, message)
}

/// Adds `x-pinterest-rid` to every answer, as Pinterest does.
pub(super) async fn add_request_id(mut response: Response) -> Response {
    let rid = format!("{:016x}", rand::random::<u64>());
    if let Ok(v) = HeaderValue::from_str(&rid) {
        response.headers_mut().insert("x-pinterest-rid", v);
    }
    response
}

/// Unknown `/v5` paths.
pub(super) async fn not_found() -> Response {
    not_found_msg("Not found: this emulator does not serve that path.")
}

/// Latency, bearer token and scopes, rate limit, then injected faults.
async fn gate(
    state: &EmulatorState,
    headers: &HeaderMap,
    category: &'static str,
    scopes: &[&str],
) -> Result<(), Response> {
    let latency = state.world().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut w = state.world();
    w.stats.api_requests += 1;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let Some(token) = token else {
        return Err(err(
            StatusCode::UNAUTHORIZED,
            2,
            "Authentication failed: no bearer token.",
        ));
    };
    let Some(rec) = w.access.get(&token) else {
        return Err(err(
            StatusCode::UNAUTHORIZED,
            2,
            "Authentication failed: unknown access token.",
        ));
    };
    if rec.expires_at <= Instant::now() {
        return Err(err(
            StatusCode::UNAUTHORIZED,
            2,
            "Authentication failed: the access token expired.",
        ));
    }
    if let Some(missing) = scopes.iter().find(|s| !rec.scopes.iter().any(|g| g == *s)) {
        return Err(err(
            StatusCode::FORBIDDEN,
            3,
            &format!("Not authorized: the token lacks the {missing} scope."),
        ));
    }
    if let Err(wait) = w.take_budget(category) {
        w.stats.rate_limited += 1;
        let mut r = err(
            StatusCode::TOO_MANY_REQUESTS,
            8,
            &format!("Rate limit exceeded for {category}."),
        );
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Err(r);
    }
    let faults = w.faults;
    let roll = w.roll();
    if roll < faults.error_rate {
        w.stats.injected_errors += 1;
        return Err(err(
            StatusCode::SERVICE_UNAVAILABLE,
            503,
            "Service unavailable (injected fault).",
        ));
    }
    if roll < faults.error_rate + faults.rate_limit_rate {
        w.stats.injected_rate_limits += 1;
        return Err(err(
            StatusCode::TOO_MANY_REQUESTS,
            8,
            "Rate limit exceeded (injected fault).",
        ));
    }
    Ok(())
}

fn sandbox_refusal(state: &EmulatorState) -> Result<(), Response> {
    if state.config().sandbox {
        return Err(err(
            StatusCode::FORBIDDEN,
            29,
            "This endpoint is not available in the Pinterest API Sandbox.",
        ));
    }
    Ok(())
}

fn encode_bookmark(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_bookmark(b: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(b).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// One page of `items` per `bookmark` and `page_size` (1–250, default 25).
fn page(items: Vec<Value>, q: &HashMap<String, String>) -> Result<Value, Response> {
    let size = match q.get("page_size") {
        None => 25,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=250).contains(&n) => n,
            _ => return Err(bad_request("page_size must be between 1 and 250.")),
        },
    };
    let start = match q.get("bookmark") {
        None => 0,
        Some(b) => decode_bookmark(b).ok_or_else(|| bad_request("Invalid bookmark."))?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| encode_bookmark(end));
    let items: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    Ok(json!({"items": items, "bookmark": next}))
}

fn ok(v: Value) -> Response {
    Json(v).into_response()
}

fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let raw = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(raw.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    let unform = |s: &str| {
        url::form_urlencoded::parse(s.as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default()
    };
    Some((unform(id), unform(secret)))
}

fn issue_tokens(state: &EmulatorState, w: &mut World, scopes: Vec<String>, kind: &str) -> Value {
    let config = state.config();
    let access = w.new_secret("pina_");
    let refresh = w.new_secret("pinr_");
    let now = Instant::now();
    w.access.insert(
        access.clone(),
        TokenRec {
            scopes: scopes.clone(),
            expires_at: now + config.access_token_ttl,
        },
    );
    w.refresh.insert(
        refresh.clone(),
        TokenRec {
            scopes: scopes.clone(),
            expires_at: now + config.refresh_token_ttl,
        },
    );
    let refresh_in = config.refresh_token_ttl.as_secs();
    json!({
        "access_token": access,
        "refresh_token": refresh,
        "response_type": kind,
        "token_type": "bearer",
        "expires_in": config.access_token_ttl.as_secs(),
        "refresh_token_expires_in": refresh_in,
        "refresh_token_expires_at": Utc::now().timestamp() + refresh_in as i64,
        "scope": scopes.join(" "),
    })
}

/// `POST /v5/oauth/token`: `authorization_code` and `refresh_token` grants, HTTP Basic
/// client authentication, form body.
pub(super) async fn token(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let config = state.config();
    match basic_credentials(&headers) {
        Some((id, secret)) if id == config.client_id && secret == config.client_secret => {}
        _ => {
            return err(
                StatusCode::UNAUTHORIZED,
                2,
                "Authentication failed: bad client credentials (HTTP Basic).",
            );
        }
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let mut w = state.world();
    match get("grant_type") {
        "authorization_code" => {
            // Single use: the code is gone whatever the outcome.
            let Some(code) = w.codes.remove(get("code")) else {
                return bad_request("Invalid authorization code.");
            };
            if code.expires_at <= Instant::now() {
                return bad_request("The authorization code expired.");
            }
            if code.redirect_uri != get("redirect_uri") {
                return bad_request("redirect_uri does not match the authorization request.");
            }
            w.stats.code_exchanges += 1;
            ok(issue_tokens(
                &state,
                &mut w,
                code.scopes,
                "authorization_code",
            ))
        }
        "refresh_token" => {
            // Rotation: the old refresh token is spent.
            let Some(old) = w.refresh.remove(get("refresh_token")) else {
                return err(
                    StatusCode::BAD_REQUEST,
                    283,
                    "Refresh token is invalid or expired.",
                );
            };
            if old.expires_at <= Instant::now() {
                return err(
                    StatusCode::BAD_REQUEST,
                    283,
                    "Refresh token is invalid or expired.",
                );
            }
            w.stats.refreshes += 1;
            ok(issue_tokens(&state, &mut w, old.scopes, "refresh_token"))
        }
        other => bad_request(&format!("Unsupported grant_type {other:?}.")),
    }
}

/// `GET /v5/user_account`.
pub(super) async fn user_account(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["user_accounts:read"]).await {
        return r;
    }
    let w = state.world();
    ok(json!({
        "id": w.user_id,
        "username": w.username,
        "account_type": "BUSINESS",
        "business_name": "IQ Pins Demo Shop",
        "profile_image": "https://i.pinimg.invalid/75x75_RS/iqpins-demo.jpg",
        "website_url": "https://shop.example",
        "about": "A demo business account served by the IQ Pins Pinterest emulator.",
        "board_count": w.boards.len(),
        "pin_count": w.pins.len(),
        "follower_count": 42,
        "following_count": 7,
        "monthly_views": 1234,
    }))
}

/// `GET /v5/user_account/websites`.
pub(super) async fn websites(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["user_accounts:read"]).await {
        return r;
    }
    if let Err(r) = sandbox_refusal(&state) {
        return r;
    }
    let items = vec![json!({
        "website": "shop.example",
        "status": "success",
        "verified_at": "2026-01-15T10:00:00.000000",
    })];
    page(items, &q).map_or_else(|r| r, ok)
}

/// `GET /v5/boards`.
pub(super) async fn list_boards(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read"]).await {
        return r;
    }
    let w = state.world();
    let privacy = q.get("privacy");
    let items = w
        .boards
        .iter()
        .filter(|b| privacy.is_none_or(|p| p == "ALL" || *p == b.privacy))
        .map(|b| w.board_json(b))
        .collect();
    page(items, &q).map_or_else(|r| r, ok)
}

fn parse_json(body: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("The body must be a JSON object.")),
        Err(e) => Err(bad_request(&format!("Invalid JSON: {e}"))),
    }
}

fn opt_str(m: &serde_json::Map<String, Value>, k: &str) -> Result<Option<String>, Response> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(&format!("{k} must be a string."))),
    }
}

fn check_len(field: &str, v: &Option<String>, max: usize) -> Result<(), Response> {
    match v {
        Some(s) if s.chars().count() > max => Err(bad_request(&format!(
            "{field} is longer than {max} characters."
        ))),
        _ => Ok(()),
    }
}

/// `POST /v5/boards`.
pub(super) async fn create_board(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.world().stats.board_create_requests += 1;
    if let Err(r) = gate(&state, &headers, "org_write", &["boards:write"]).await {
        return r;
    }
    let result = (|| {
        let m = parse_json(&body)?;
        let name = opt_str(&m, "name")?
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| bad_request("name is required."))?;
        let description = opt_str(&m, "description")?;
        let privacy = opt_str(&m, "privacy")?.unwrap_or_else(|| "PUBLIC".into());
        if !["PUBLIC", "PROTECTED", "SECRET"].contains(&privacy.as_str()) {
            return Err(bad_request("privacy must be PUBLIC, PROTECTED or SECRET."));
        }
        let mut w = state.world();
        if w.boards.iter().any(|b| b.name == name) {
            return Err(err(
                StatusCode::CONFLICT,
                58,
                "You already have a board with this name.",
            ));
        }
        let id = w.new_id();
        let now = Utc::now();
        w.boards.push(super::world::BoardRec {
            id,
            name,
            description,
            privacy,
            created_at: now,
            pins_modified_at: now,
        });
        let b = w
            .boards
            .last()
            .map(|b| w.board_json(b))
            .unwrap_or(Value::Null);
        Ok(created(b))
    })();
    result.unwrap_or_else(|r| r)
}

/// `GET /v5/boards/{board_id}`.
pub(super) async fn get_board(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(board_id): Path<String>,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read"]).await {
        return r;
    }
    let w = state.world();
    match w.board(&board_id) {
        Some(b) => ok(w.board_json(b)),
        None => not_found_msg("Board not found."),
    }
}

/// `PATCH /v5/boards/{board_id}`.
pub(super) async fn update_board(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(board_id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_write", &["boards:write"]).await {
        return r;
    }
    let result = (|| {
        let m = parse_json(&body)?;
        let name = opt_str(&m, "name")?;
        let description = opt_str(&m, "description")?;
        let privacy = opt_str(&m, "privacy")?;
        if privacy
            .as_deref()
            .is_some_and(|p| !["PUBLIC", "SECRET"].contains(&p))
        {
            return Err(bad_request("privacy must be PUBLIC or SECRET."));
        }
        let mut w = state.world();
        let b = w
            .boards
            .iter_mut()
            .find(|b| b.id == board_id)
            .ok_or_else(|| not_found_msg("Board not found."))?;
        if let Some(n) = name {
            b.name = n;
        }
        if description.is_some() {
            b.description = description;
        }
        if let Some(p) = privacy {
            b.privacy = p;
        }
        let b = w
            .board(&board_id)
            .map(|b| w.board_json(b))
            .unwrap_or(Value::Null);
        Ok(ok(b))
    })();
    result.unwrap_or_else(|r| r)
}

/// `GET /v5/boards/{board_id}/sections`.
pub(super) async fn list_sections(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(board_id): Path<String>,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read"]).await {
        return r;
    }
    let w = state.world();
    if w.board(&board_id).is_none() {
        return not_found_msg("Board not found.");
    }
    let items = w
        .sections
        .iter()
        .filter(|s| s.board_id == board_id)
        .map(|s| json!({"id": s.id, "name": s.name}))
        .collect();
    page(items, &q).map_or_else(|r| r, ok)
}

/// `POST /v5/boards/{board_id}/sections`.
pub(super) async fn create_section(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(board_id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_write", &["boards:write"]).await {
        return r;
    }
    let result = (|| {
        let m = parse_json(&body)?;
        let name = opt_str(&m, "name")?
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| bad_request("Invalid board section parameters: name is required."))?;
        if name.chars().count() > 180 {
            return Err(bad_request(
                "Invalid board section parameters: name is longer than 180 characters.",
            ));
        }
        let mut w = state.world();
        if w.board(&board_id).is_none() {
            return Err(not_found_msg("Board not found."));
        }
        let id = w.new_id();
        w.sections.push(SectionRec {
            id: id.clone(),
            board_id,
            name: name.clone(),
        });
        Ok(created(json!({"id": id, "name": name})))
    })();
    result.unwrap_or_else(|r| r)
}

/// `GET /v5/boards/{board_id}/pins`: newest first.
pub(super) async fn list_board_pins(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(board_id): Path<String>,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read", "pins:read"]).await {
        return r;
    }
    let w = state.world();
    if w.board(&board_id).is_none() {
        return not_found_msg("Board not found.");
    }
    let items = w
        .pins
        .iter()
        .rev()
        .filter(|p| p.board_id == board_id)
        .map(|p| w.pin_json(p))
        .collect();
    page(items, &q).map_or_else(|r| r, ok)
}

/// `GET /v5/pins`: the user's pins, newest first.
pub(super) async fn list_pins(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read", "pins:read"]).await {
        return r;
    }
    let w = state.world();
    let items = w.pins.iter().rev().map(|p| w.pin_json(p)).collect();
    page(items, &q).map_or_else(|r| r, ok)
}

fn media(m: &serde_json::Map<String, Value>, pin_id: &str) -> Result<String, Response> {
    let Some(Value::Object(src)) = m.get("media_source") else {
        return Err(bad_request("media_source is required."));
    };
    let get = |k: &str| src.get(k).and_then(Value::as_str).unwrap_or_default();
    match get("source_type") {
        "image_url" => {
            let url = get("url");
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(url.to_owned()),
                _ => Err(bad_request("media_source.url must be an http(s) URL.")),
            }
        }
        "image_base64" => {
            let ext = match get("content_type") {
                "image/jpeg" => "jpg",
                "image/png" => "png",
                _ => {
                    return Err(bad_request(
                        "media_source.content_type must be image/jpeg or image/png.",
                    ));
                }
            };
            let magic: &[u8] = if ext == "jpg" {
                b"\xFF\xD8\xFF"
            } else {
                b"\x89PNG"
            };
            match STANDARD.decode(get("data")) {
                Ok(bytes) if bytes.starts_with(magic) => {
                    Ok(format!("https://i.pinimg.invalid/originals/{pin_id}.{ext}"))
                }
                _ => Err(bad_request(
                    "media_source.data is not base64 data of an image of that content_type.",
                )),
            }
        }
        other => Err(bad_request(&format!(
            "media_source.source_type {other:?} is not supported by the emulator."
        ))),
    }
}

/// A body that fails at once: the connection drops without a complete answer.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("answer dropped (injected fault)"))
    });
    Response::new(Body::from_stream(stream))
}

/// `POST /v5/pins`.
pub(super) async fn create_pin(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.world().stats.pin_create_requests += 1;
    if let Err(r) = gate(
        &state,
        &headers,
        "org_write",
        &["boards:read", "pins:write"],
    )
    .await
    {
        return r;
    }
    let result = (|| {
        let m = parse_json(&body)?;
        let board_id =
            opt_str(&m, "board_id")?.ok_or_else(|| bad_request("board_id is required."))?;
        let section_id = opt_str(&m, "board_section_id")?;
        let title = opt_str(&m, "title")?;
        let description = opt_str(&m, "description")?;
        let link = opt_str(&m, "link")?;
        let alt_text = opt_str(&m, "alt_text")?;
        let dominant_color = opt_str(&m, "dominant_color")?;
        check_len("title", &title, 100)?;
        check_len("description", &description, 800)?;
        check_len("link", &link, 2048)?;
        check_len("alt_text", &alt_text, 500)?;
        if let Some(l) = &link {
            match url::Url::parse(l) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => return Err(bad_request("link must be an http(s) URL.")),
            }
        }
        let mut w = state.world();
        if w.board(&board_id).is_none() {
            return Err(not_found_msg("Board not found."));
        }
        if let Some(s) = &section_id
            && !w
                .sections
                .iter()
                .any(|x| &x.id == s && x.board_id == board_id)
        {
            return Err(not_found_msg("Board section not found."));
        }
        let id = w.new_id();
        let image_url = media(&m, &id)?;
        let now = Utc::now();
        w.pins.push(PinRec {
            id,
            board_id: board_id.clone(),
            section_id,
            title,
            description,
            link,
            alt_text,
            dominant_color,
            image_url,
            created_at: now,
        });
        if let Some(b) = w.boards.iter_mut().find(|b| b.id == board_id) {
            b.pins_modified_at = now;
        }
        w.stats.pins_created += 1;
        let drop_rate = w.faults.commit_then_drop_rate;
        if drop_rate > 0.0 && w.roll() < drop_rate {
            w.stats.dropped_answers += 1;
            return Ok(dropped());
        }
        let pin = w.pins.last().map(|p| w.pin_json(p)).unwrap_or(Value::Null);
        Ok(created(pin))
    })();
    result.unwrap_or_else(|r| r)
}

/// `GET /v5/pins/{pin_id}`.
pub(super) async fn get_pin(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(pin_id): Path<String>,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_read", &["boards:read", "pins:read"]).await {
        return r;
    }
    let w = state.world();
    match w.pins.iter().find(|p| p.id == pin_id) {
        Some(p) => ok(w.pin_json(p)),
        None => not_found_msg("Pin not found."),
    }
}

/// `DELETE /v5/pins/{pin_id}`: 204.
pub(super) async fn delete_pin(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(pin_id): Path<String>,
) -> Response {
    if let Err(r) = gate(
        &state,
        &headers,
        "org_write",
        &["boards:read", "pins:write"],
    )
    .await
    {
        return r;
    }
    let mut w = state.world();
    let before = w.pins.len();
    w.pins.retain(|p| p.id != pin_id);
    if w.pins.len() == before {
        return not_found_msg("Pin not found.");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Checks `start_date`/`end_date` (at most 90 days back, at most 90 days long) and
/// `metric_types`; returns the days and metrics.
fn analytics_params(
    q: &HashMap<String, String>,
    metrics_required: bool,
    default_metrics: &[&str],
) -> Result<(Vec<NaiveDate>, Vec<String>), Response> {
    let date = |k: &str| -> Result<NaiveDate, Response> {
        let v = q
            .get(k)
            .ok_or_else(|| bad_request(&format!("{k} is required.")))?;
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| bad_request(&format!("{k} must be YYYY-MM-DD.")))
    };
    let start = date("start_date")?;
    let end = date("end_date")?;
    let today = Utc::now().date_naive();
    if start > end {
        return Err(bad_request("start_date is after end_date."));
    }
    if start < today - chrono::Duration::days(90) {
        return Err(bad_request(
            "start_date cannot be more than 90 days back from today.",
        ));
    }
    if end - start > chrono::Duration::days(90) {
        return Err(bad_request(
            "end_date cannot be more than 90 days past start_date.",
        ));
    }
    let metrics: Vec<String> = match q.get("metric_types") {
        Some(m) => m
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None if metrics_required => return Err(bad_request("metric_types is required.")),
        None => default_metrics.iter().map(|s| (*s).to_owned()).collect(),
    };
    let days = start
        .iter_days()
        .take_while(|d| *d <= end.min(today))
        .collect();
    Ok((days, metrics))
}

fn report(key: &str, days: &[NaiveDate], metrics: &[String], lifetime: bool) -> Value {
    let daily: Vec<Value> = days
        .iter()
        .map(|d| {
            json!({
                "date": d.to_string(),
                "data_status": "READY",
                "metrics": day_metrics(key, *d, metrics),
            })
        })
        .collect();
    let mut summary = serde_json::Map::new();
    for m in metrics {
        let total: f64 = daily
            .iter()
            .filter_map(|d| d["metrics"][m.as_str()].as_f64())
            .sum();
        let v = if m.ends_with("_RATE") {
            json!((total / days.len().max(1) as f64 * 10_000.0).round() / 10_000.0)
        } else {
            json!(total as u64)
        };
        summary.insert(m.clone(), v);
    }
    let mut out = json!({"daily_metrics": daily, "summary_metrics": summary});
    if lifetime {
        out["lifetime_metrics"] = json!({"TOTAL_COMMENTS": 0, "TOTAL_REACTIONS": 0});
    }
    json!({ "all": out })
}

/// `GET /v5/pins/{pin_id}/analytics`: deterministic synthetic daily metrics.
pub(super) async fn pin_analytics(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Path(pin_id): Path<String>,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(
        &state,
        &headers,
        "org_analytics",
        &["boards:read", "pins:read"],
    )
    .await
    {
        return r;
    }
    if let Err(r) = sandbox_refusal(&state) {
        return r;
    }
    if !state.world().pins.iter().any(|p| p.id == pin_id) {
        return not_found_msg("Pin not found.");
    }
    match analytics_params(&q, true, &[]) {
        Ok((days, metrics)) => ok(report(&pin_id, &days, &metrics, true)),
        Err(r) => r,
    }
}

/// `GET /v5/user_account/analytics`.
pub(super) async fn account_analytics(
    State(state): State<EmulatorState>,
    headers: HeaderMap,
    Query(q): Query_,
) -> Response {
    if let Err(r) = gate(&state, &headers, "org_analytics", &["user_accounts:read"]).await {
        return r;
    }
    if let Err(r) = sandbox_refusal(&state) {
        return r;
    }
    let defaults = [
        "ENGAGEMENT",
        "ENGAGEMENT_RATE",
        "IMPRESSION",
        "OUTBOUND_CLICK",
        "OUTBOUND_CLICK_RATE",
        "PIN_CLICK",
        "PIN_CLICK_RATE",
        "SAVE",
        "SAVE_RATE",
    ];
    let key = state.world().user_id.clone();
    match analytics_params(&q, false, &defaults) {
        Ok((days, metrics)) => ok(report(&key, &days, &metrics, false)),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_bookmark(&encode_bookmark(250)), Some(250));
        assert_eq!(decode_bookmark("not a bookmark"), None);
    }

    #[test]
    fn pages_are_cut_by_size_and_the_last_has_no_bookmark() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let mut q = HashMap::from([("page_size".to_owned(), "2".to_owned())]);
        let p1 = page(items.clone(), &q).unwrap();
        assert_eq!(p1["items"], json!([0, 1]));
        q.insert("bookmark".into(), p1["bookmark"].as_str().unwrap().into());
        let p2 = page(items.clone(), &q).unwrap();
        assert_eq!(p2["items"], json!([2, 3]));
        q.insert("bookmark".into(), p2["bookmark"].as_str().unwrap().into());
        let p3 = page(items.clone(), &q).unwrap();
        assert_eq!(p3["items"], json!([4]));
        assert!(p3["bookmark"].is_null());
        q.insert("page_size".into(), "251".into());
        assert_eq!(
            page(items, &q).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
    }
}
