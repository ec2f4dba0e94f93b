//! The consent page: `GET /oauth/` shows an HTML form with Allow and Deny; `POST /oauth/`
//! redirects to the registered redirect URI with `code` and `state`, or
//! `error=access_denied`. A client id or redirect URI that does not match exactly is
//! refused with an error page and no redirect.

#![allow(
    clippy::result_large_err,
    reason = "handlers short-circuit with a ready axum Response; the size of an error answer does not matter here"
)]

use std::collections::HashMap;
use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::EmulatorState;
use super::world::CodeRec;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn refuse(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pinterest emulator: \
             error</title></head><body><h1>Cannot authorize</h1><p>{}</p></body></html>",
            escape(message)
        )),
    )
        .into_response()
}

fn check(state: &EmulatorState, params: &HashMap<String, String>) -> Result<(), Response> {
    let config = state.config();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id") != config.client_id {
        return Err(refuse("Unknown client_id."));
    }
    if get("redirect_uri") != config.redirect_uri {
        return Err(refuse(
            "The redirect_uri does not match the app's registered redirect URI.",
        ));
    }
    Ok(())
}

/// `GET /oauth/`: the consent form.
pub(super) async fn page(
    State(state): State<EmulatorState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = check(&state, &params) {
        return r;
    }
    if params.get("response_type").map(String::as_str) != Some("code") {
        return refuse("response_type must be code.");
    }
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    let scopes: Vec<String> = get("scope")
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let hidden = ["client_id", "redirect_uri", "scope", "state"]
        .iter()
        .map(|k| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(get(k))
            )
        })
        .collect::<String>();
    let username = state.world().username.clone();
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pinterest emulator: \
         give access</title></head><body>\n<h1>Give access to your Pinterest account?</h1>\n\
         <p>An app wants access to <strong>{}</strong>'s account:</p>\n<ul>{}</ul>\n\
         <form method=\"post\" action=\"./\">{hidden}\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form></body></html>\n",
        escape(&username),
        scopes.join("")
    ))
    .into_response()
}

/// `POST /oauth/`: the user's answer.
pub(super) async fn decide(
    State(state): State<EmulatorState>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = check(&state, &params) {
        return r;
    }
    let config = state.config();
    let Ok(mut target) = url::Url::parse(&config.redirect_uri) else {
        return refuse("The registered redirect URI is not a URL.");
    };
    let st = params.get("state").cloned().unwrap_or_default();
    if params.get("decision").map(String::as_str) == Some("allow") {
        let scopes = params
            .get("scope")
            .map(String::as_str)
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let mut world = state.world();
        let code = world.new_secret("code_");
        world.codes.insert(
            code.clone(),
            CodeRec {
                redirect_uri: config.redirect_uri.clone(),
                scopes,
                expires_at: Instant::now() + config.code_ttl,
            },
        );
        target
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &st);
    } else {
        target
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &st);
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}
