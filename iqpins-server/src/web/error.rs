//! The one error type at the HTTP edge: maps domain errors to statuses; 5xx details are
//! logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A domain or store error.
    #[error(transparent)]
    Core(#[from] iqpins_core::Error),
    /// Not signed in: send the browser to the sign-in page.
    #[error("sign in first")]
    SignIn,
    /// The form's CSRF token did not match the session's.
    #[error("the form expired; reload the page and try again")]
    Csrf,
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// A page template failed to render (a bug).
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

/// Stable error codes in JSON bodies.
#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

impl AppError {
    /// The HTTP status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        use iqpins_core::Error as E;
        match self {
            AppError::Core(E::NotFound { .. }) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Core(E::Conflict { .. }) => (StatusCode::CONFLICT, "conflict"),
            AppError::Core(E::Invalid { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Core(E::Refused { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            AppError::Core(E::Transition(_)) => (StatusCode::CONFLICT, "transition"),
            AppError::Core(E::NeedsReconnect) => (StatusCode::CONFLICT, "needs_reconnect"),
            AppError::Core(E::Pinterest(_)) => (StatusCode::BAD_GATEWAY, "pinterest"),
            AppError::Core(E::Fetch { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, "fetch"),
            AppError::Core(_) | AppError::Template(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            AppError::SignIn => (StatusCode::UNAUTHORIZED, "sign_in"),
            AppError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        }
    }

    /// The message safe to show a person (internal details are replaced).
    pub fn public_message(&self) -> String {
        match self.status_code().0 {
            s if s.is_server_error() && s != StatusCode::BAD_GATEWAY => {
                "something went wrong on our side; it has been logged".to_owned()
            }
            _ => self.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::SignIn) {
            return Redirect::to("/login").into_response();
        }
        let (status, code) = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (
            status,
            axum::Json(ErrorBody {
                code,
                message: self.public_message(),
            }),
        )
            .into_response()
    }
}

/// `Result` for handlers.
pub type AppResult<T> = Result<T, AppError>;
