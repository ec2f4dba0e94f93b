//! The HTTP client: requests are values implementing [`Request`]; [`Client::send`] applies
//! the rate limiter, the retry policy and the error mapping to every one of them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ApiError, Error, Result};
use crate::limiter::{Limiter, RateCategory, RateLimits};
use crate::pagination::{Page, paginate_with};
use crate::retry::{Attempt, Decision, Idempotency, RetryPolicy, parse_retry_after};

/// Pinterest's production API base.
pub const PRODUCTION_API: &str = "https://api.pinterest.com/v5";
/// Pinterest's sandbox API base.
pub const SANDBOX_API: &str = "https://api-sandbox.pinterest.com/v5";
/// The header carrying Pinterest's request id.
pub const REQUEST_ID_HEADER: &str = "x-pinterest-rid";

/// One Pinterest API operation: how to send it and how to read its answer.
pub trait Request {
    /// The decoded answer.
    type Response;

    /// HTTP method.
    fn method(&self) -> Method;
    /// Path below the API base, without a leading slash (`boards/123/pins`).
    fn path(&self) -> String;
    /// Query parameters.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// JSON body, when the operation has one.
    fn body(&self) -> Option<serde_json::Value> {
        None
    }
    /// Pinterest's `x-ratelimit-category` of the operation.
    fn category(&self) -> RateCategory;
    /// Whether repeating the request is harmless.
    fn idempotency(&self) -> Idempotency {
        Idempotency::Idempotent
    }
    /// Decodes a successful answer's body.
    fn decode(body: &[u8]) -> Result<Self::Response, DecodeError>;
}

/// A failed decode: where and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DecodeError {
    /// JSON path (`items[3].id`; `.` for the root).
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// Decodes a JSON object keeping the path of the first error. Every Pinterest answer is an
/// object; anything else (an array, which serde would read as a struct, a string, HTML) is
/// refused at the root.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(DecodeError {
            path: ".".into(),
            message: "expected a JSON object".into(),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| DecodeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Who a request is sent for: the access token and the account key the limiter counts
/// against. `Debug` never shows the token.
#[derive(Clone)]
pub struct Auth {
    token: SecretString,
    account: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("token", &"[redacted]")
            .field("account", &self.account)
            .finish()
    }
}

impl Auth {
    /// A token whose account is known (the Pinterest user id or our connection id).
    pub fn new(token: SecretString, account: impl Into<String>) -> Self {
        Self {
            token,
            account: account.into(),
        }
    }

    /// A token alone; the limiter keys it by a hash of the token (never the token itself).
    pub fn from_token(token: SecretString) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        token.expose_secret().hash(&mut h);
        let account = format!("token-{:016x}", h.finish());
        Self { token, account }
    }

    /// The access token.
    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// The limiter key.
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// How to build a [`Client`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// API base, e.g. [`PRODUCTION_API`], [`SANDBOX_API`] or an emulator's `…/v5`.
    pub base_url: Url,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Client-side limits per account and category.
    pub rate_limits: RateLimits,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
}

impl ClientConfig {
    /// Defaults for an API base URL.
    pub fn new(base_url: &str) -> Result<Self> {
        let mut base_url =
            Url::parse(base_url).map_err(|e| Error::invalid("base URL", e.to_string()))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(Error::invalid("base URL", "must be http or https"));
        }
        if !base_url.path().ends_with('/') {
            let p = format!("{}/", base_url.path());
            base_url.set_path(&p);
        }
        Ok(Self {
            base_url,
            retry: RetryPolicy::default(),
            rate_limits: RateLimits::default(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        })
    }
}

/// The Pinterest API v5 client. Cheap to clone; clones share connections and limiter.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: Url,
    retry: RetryPolicy,
    limiter: Limiter,
}

/// Builds the reqwest client every part of this crate uses: no redirects followed (an API
/// that redirects is answered as is), timeouts set.
pub(crate) fn http_client(timeout: Duration, connect_timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .user_agent(concat!("iqpins/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::invalid("HTTP client", e.to_string()))
}

impl Client {
    /// A client for this configuration.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = http_client(config.timeout, config.connect_timeout)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base: config.base_url,
                retry: config.retry,
                limiter: Limiter::new(config.rate_limits),
            }),
        })
    }

    /// The API base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The underlying HTTP client (shared with the OAuth adapter).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Sends a request, retrying as the policy allows.
    pub async fn send<R: Request + ?Sized>(&self, auth: &Auth, req: &R) -> Result<R::Response> {
        let url = self
            .inner
            .base
            .join(&req.path())
            .map_err(|e| Error::invalid("request path", e.to_string()))?;
        let method = req.method();
        let operation = format!("{method} /{}", req.path());
        let query = req.query();
        let body = req.body();
        let category = req.category();
        let idempotency = req.idempotency();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.inner
                .limiter
                .until_ready(auth.account(), &category)
                .await;
            let mut builder = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(auth.token().expose_secret())
                .header(reqwest::header::ACCEPT, "application/json");
            if !query.is_empty() {
                builder = builder.query(&query);
            }
            if let Some(body) = &body {
                builder = builder.json(body);
            }
            let response = match builder.send().await {
                Ok(r) => r,
                Err(e) => {
                    let outcome = if e.is_connect() {
                        Attempt::NotSent
                    } else {
                        Attempt::Lost
                    };
                    tracing::debug!(%operation, attempt, error = %e, "Pinterest request failed");
                    match self.decide(idempotency, outcome, attempt) {
                        Decision::RetryAfter(d) => {
                            tokio::time::sleep(d).await;
                            continue;
                        }
                        Decision::OutcomeUnknown => {
                            return Err(Error::OutcomeUnknown {
                                operation,
                                status: None,
                                request_id: None,
                                reason: e.to_string(),
                            });
                        }
                        Decision::Return => return Err(Error::Transport(e.to_string())),
                    }
                }
            };
            let status = response.status().as_u16();
            let request_id = response
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let bytes = match response.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    tracing::debug!(%operation, attempt, status, error = %e, "Pinterest answer cut short");
                    match self.decide(idempotency, Attempt::Lost, attempt) {
                        Decision::RetryAfter(d) => {
                            tokio::time::sleep(d).await;
                            continue;
                        }
                        Decision::OutcomeUnknown => {
                            return Err(Error::OutcomeUnknown {
                                operation,
                                status: Some(status),
                                request_id,
                                reason: format!("the answer was cut short: {e}"),
                            });
                        }
                        Decision::Return => {
                            return Err(Error::Transport(format!(
                                "the answer (HTTP {status}) was cut short: {e}"
                            )));
                        }
                    }
                }
            };
            tracing::debug!(%operation, attempt, status, request_id = ?request_id, "Pinterest answered");
            if (200..300).contains(&status) {
                return R::decode(&bytes).map_err(|d| {
                    let body = String::from_utf8_lossy(&bytes).into_owned();
                    if idempotency == Idempotency::Create {
                        Error::OutcomeUnknown {
                            operation: operation.clone(),
                            status: Some(status),
                            request_id: request_id.clone(),
                            reason: format!(
                                "the answer could not be decoded at `{}`: {}; body: {body}",
                                d.path, d.message
                            ),
                        }
                    } else {
                        Error::Decode {
                            status,
                            path: d.path,
                            message: d.message,
                            body,
                            request_id: request_id.clone(),
                        }
                    }
                });
            }
            let outcome = Attempt::Status {
                status,
                retry_after,
            };
            let api = api_error(status, &bytes, request_id, retry_after);
            match self.decide(idempotency, outcome, attempt) {
                Decision::RetryAfter(d) => {
                    tokio::time::sleep(d).await;
                }
                Decision::OutcomeUnknown => {
                    return Err(Error::OutcomeUnknown {
                        operation,
                        status: Some(status),
                        request_id: api.request_id,
                        reason: format!("Pinterest answered HTTP {status}: {}", api.message),
                    });
                }
                Decision::Return => return Err(Error::Api(api)),
            }
        }
    }

    /// Every item of a paginated list, page after page, as a stream.
    pub fn paginate<R>(
        &self,
        auth: &Auth,
        request: R,
    ) -> impl futures::Stream<Item = Result<R::Item>> + Send + 'static
    where
        R: Paginated
            + Request<Response = Page<<R as Paginated>::Item>>
            + Clone
            + Send
            + Sync
            + 'static,
        R::Item: Send + 'static,
    {
        let client = self.clone();
        let auth = auth.clone();
        paginate_with(move |bookmark| {
            let client = client.clone();
            let auth = auth.clone();
            let req = request.with_bookmark(bookmark);
            async move { client.send(&auth, &req).await }
        })
    }

    fn decide(&self, idempotency: Idempotency, outcome: Attempt, attempt: u32) -> Decision {
        self.inner
            .retry
            .decide(idempotency, outcome, attempt, rand::random::<f64>())
    }
}

/// A list operation answered as `{items, bookmark}`.
pub trait Paginated: Request {
    /// One listed item.
    type Item;
    /// The same request for the page at `bookmark` (`None` = first page).
    fn with_bookmark(&self, bookmark: Option<String>) -> Self;
}

/// Reads Pinterest's `{code, message}` error body; any other body becomes the message.
pub(crate) fn api_error(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<Duration>,
) -> ApiError {
    #[derive(serde::Deserialize)]
    struct Body {
        code: Option<i64>,
        message: Option<String>,
    }
    let (code, message) = match serde_json::from_slice::<Body>(body) {
        Ok(Body {
            code,
            message: Some(m),
        }) => (code, m),
        Ok(Body {
            code,
            message: None,
        }) => (code, String::from_utf8_lossy(body).into_owned()),
        Err(_) => (None, String::from_utf8_lossy(body).into_owned()),
    };
    ApiError {
        status,
        code,
        message,
        request_id,
        retry_after,
    }
}
