//! The crate's one error type: what Pinterest said, or why we could not hear it.

use std::time::Duration;

use iqpins_core::{PinterestError, PinterestErrorKind};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Pinterest's answer to a failed request: the HTTP status with its `{code, message}` body
/// and the `x-pinterest-rid` request id to quote to Pinterest support.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Pinterest's error code (`code` in the body), when the body had one.
    pub code: Option<i64>,
    /// Pinterest's message, or the raw body when it was not `{code, message}`.
    pub message: String,
    /// `x-pinterest-rid`.
    pub request_id: Option<String>,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
}

/// Everything that can go wrong talking to Pinterest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Pinterest answered with an error status.
    #[error("Pinterest answered HTTP {}: {} (code {:?}, request {:?})", .0.status, .0.message, .0.code, .0.request_id)]
    Api(ApiError),
    /// The answer could not be decoded; the JSON path and the raw body are kept.
    #[error("could not decode Pinterest's answer (HTTP {status}) at `{path}`: {message}")]
    Decode {
        /// HTTP status of the answer.
        status: u16,
        /// Where in the JSON document decoding failed (`items[3].id`, `.` for the root).
        path: String,
        /// What was wrong.
        message: String,
        /// The raw body, as received (lossy UTF-8).
        body: String,
        /// `x-pinterest-rid`.
        request_id: Option<String>,
    },
    /// The request never reached Pinterest (connect failure, DNS, timeout before sending):
    /// safe to retry.
    #[error("could not reach Pinterest: {0}")]
    Transport(String),
    /// A non-idempotent request (a create) may or may not have taken effect: a timeout or
    /// connection loss after sending, a 5xx, or a body that never arrived. Reconcile before
    /// trying again; never retry it blindly.
    #[error("the outcome of {operation} is unknown: {reason}")]
    OutcomeUnknown {
        /// Which operation (`POST /pins`).
        operation: String,
        /// HTTP status, when an answer started to arrive.
        status: Option<u16>,
        /// `x-pinterest-rid`, when sent.
        request_id: Option<String>,
        /// Why the outcome is unknown.
        reason: String,
    },
    /// The refresh token is invalid or expired (Pinterest code 283): the user must connect
    /// again.
    #[error("the refresh token is invalid or expired; the user must reconnect: {message}")]
    InvalidRefreshToken {
        /// Pinterest's code (283), when given.
        code: Option<i64>,
        /// Pinterest's message.
        message: String,
        /// `x-pinterest-rid`.
        request_id: Option<String>,
    },
    /// The OAuth exchange failed in another way (bad code, bad client credentials, …).
    #[error("OAuth token request failed: {message}")]
    OAuth {
        /// HTTP status, when there was an answer.
        status: Option<u16>,
        /// Pinterest's code, when given.
        code: Option<i64>,
        /// What went wrong.
        message: String,
        /// `x-pinterest-rid`.
        request_id: Option<String>,
    },
    /// A value we were asked to send is not acceptable (bad base URL, bad id).
    #[error("invalid {what}: {message}")]
    Invalid {
        /// What was invalid.
        what: &'static str,
        /// Why.
        message: String,
    },
}

impl Error {
    /// The HTTP status, when Pinterest answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::OutcomeUnknown { status, .. } | Error::OAuth { status, .. } => *status,
            _ => None,
        }
    }

    /// The kind that drives the workflow.
    pub fn kind(&self) -> PinterestErrorKind {
        match self {
            Error::Api(e) => match e.status {
                401 => PinterestErrorKind::Unauthorized,
                403 => PinterestErrorKind::Forbidden,
                404 => PinterestErrorKind::NotFound,
                429 => PinterestErrorKind::RateLimited,
                s if s >= 500 => PinterestErrorKind::Server,
                _ => PinterestErrorKind::Invalid,
            },
            Error::Decode { .. } => PinterestErrorKind::Decode,
            Error::Transport(_) => PinterestErrorKind::Transport,
            Error::OutcomeUnknown { .. } => PinterestErrorKind::OutcomeUnknown,
            Error::InvalidRefreshToken { .. } => PinterestErrorKind::InvalidRefreshToken,
            Error::OAuth { status, .. } => match status {
                Some(401) => PinterestErrorKind::Unauthorized,
                Some(s) if *s >= 500 => PinterestErrorKind::Server,
                None => PinterestErrorKind::Transport,
                _ => PinterestErrorKind::Invalid,
            },
            Error::Invalid { .. } => PinterestErrorKind::Invalid,
        }
    }

    pub(crate) fn invalid(what: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            what,
            message: message.into(),
        }
    }
}

impl From<Error> for PinterestError {
    fn from(e: Error) -> Self {
        let kind = e.kind();
        let message = e.to_string();
        let (status, code, request_id, retry_after) = match &e {
            Error::Api(a) => (Some(a.status), a.code, a.request_id.clone(), a.retry_after),
            Error::Decode {
                status, request_id, ..
            } => (Some(*status), None, request_id.clone(), None),
            Error::OutcomeUnknown {
                status, request_id, ..
            } => (*status, None, request_id.clone(), None),
            Error::InvalidRefreshToken {
                code, request_id, ..
            } => (None, *code, request_id.clone(), None),
            Error::OAuth {
                status,
                code,
                request_id,
                ..
            } => (*status, *code, request_id.clone(), None),
            Error::Transport(_) | Error::Invalid { .. } => (None, None, None, None),
        };
        PinterestError {
            kind,
            status,
            code,
            message,
            request_id,
            retry_after,
        }
    }
}
