//! OAuth 2 with Pinterest through the `oauth2` crate: the consent URL with a fresh `state`,
//! code exchange and refresh (HTTP Basic client authentication, form body), and a
//! [`Session`] that tracks expiry, refreshes ahead of it, rotates the refresh token and
//! answers a 401 with one refresh and one retry.
//!
//! `oauth2`'s own HTTP client is reqwest 0.12; ours is 0.13, so [`OAuth`] hands `oauth2` a
//! small adapter over our client (redirects disabled). Tokens stay `SecretString`s: they
//! never reach `Debug` output or logs.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use iqpins_core::{Clock, Scope, SystemClock, TokenGrant};
use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{Auth, Client, Paginated, REQUEST_ID_HEADER, Request};
use crate::error::{Error, Result};
use crate::pagination::{Page, paginate_with};

/// Pinterest's consent page.
pub const PRODUCTION_AUTHORIZE_URL: &str = "https://www.pinterest.com/oauth/";
/// Pinterest's token endpoint.
pub const PRODUCTION_TOKEN_URL: &str = "https://api.pinterest.com/v5/oauth/token";
/// Pinterest's code for an invalid or expired refresh token.
pub const INVALID_REFRESH_TOKEN_CODE: i64 = 283;

/// The app's OAuth settings. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    /// App id.
    pub client_id: String,
    /// App secret.
    pub client_secret: SecretString,
    /// The registered redirect URI, exactly as registered (it must match to the byte).
    pub redirect_uri: String,
    /// The consent page (`https://www.pinterest.com/oauth/`).
    pub authorize_url: Url,
    /// The token endpoint (`https://api.pinterest.com/v5/oauth/token`).
    pub token_url: Url,
    /// Scopes requested.
    pub scopes: Vec<Scope>,
}

impl OAuthConfig {
    /// Settings for Pinterest itself, requesting [`Scope::REQUESTED`].
    pub fn production(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: &str,
    ) -> Result<Self> {
        Self::with_hosts(
            client_id,
            client_secret,
            redirect_uri,
            PRODUCTION_AUTHORIZE_URL,
            PRODUCTION_TOKEN_URL,
        )
    }

    /// Settings for any host laid out like Pinterest (the emulator): `web_base` serves
    /// `/oauth/`, `api_base` (ending in `/v5`) serves `/oauth/token`.
    pub fn for_hosts(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: &str,
        web_base: &str,
        api_base: &str,
    ) -> Result<Self> {
        let web = web_base.trim_end_matches('/');
        let api = api_base.trim_end_matches('/');
        Self::with_hosts(
            client_id,
            client_secret,
            redirect_uri,
            &format!("{web}/oauth/"),
            &format!("{api}/oauth/token"),
        )
    }

    fn with_hosts(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: &str,
        authorize_url: &str,
        token_url: &str,
    ) -> Result<Self> {
        let parse = |what, s: &str| Url::parse(s).map_err(|e| Error::invalid(what, e.to_string()));
        Ok(Self {
            client_id: client_id.into(),
            client_secret,
            redirect_uri: parse("redirect URI", redirect_uri).map(|_| redirect_uri.to_owned())?,
            authorize_url: parse("authorize URL", authorize_url)?,
            token_url: parse("token URL", token_url)?,
            scopes: Scope::REQUESTED.to_vec(),
        })
    }
}

/// Pinterest's additions to the token response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PinterestTokenFields {
    /// When the refresh token expires (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_at: Option<i64>,
    /// How long the refresh token lives (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_in: Option<i64>,
    /// `authorization_code` or `refresh_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
}

impl ExtraTokenFields for PinterestTokenFields {}

/// The token endpoint's error body: Pinterest's `{code, message}` or OAuth's
/// `{error, error_description}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenErrorBody {
    /// Pinterest's code (283 = invalid refresh token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// Pinterest's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// RFC 6749 error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// RFC 6749 description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl std::fmt::Display for TokenErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let msg = self
            .message
            .as_deref()
            .or(self.error_description.as_deref())
            .or(self.error.as_deref())
            .unwrap_or("no message");
        match self.code {
            Some(c) => write!(f, "{msg} (code {c})"),
            None => f.write_str(msg),
        }
    }
}

impl oauth2::ErrorResponse for TokenErrorBody {}

type PinterestTokenResponse = StandardTokenResponse<PinterestTokenFields, BasicTokenType>;

type OAuthClient = oauth2::Client<
    TokenErrorBody,
    PinterestTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The OAuth flow for one app.
#[derive(Clone)]
pub struct OAuth {
    client: OAuthClient,
    config: OAuthConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    /// The flow for these settings, sending through `http` (build it with redirects
    /// disabled, as [`Client::http`] is).
    pub fn new(config: OAuthConfig, http: reqwest::Client) -> Result<Self> {
        let to_err = |what| move |e: url::ParseError| Error::invalid(what, e.to_string());
        let client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                config.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(
                AuthUrl::new(config.authorize_url.to_string()).map_err(to_err("authorize URL"))?,
            )
            .set_token_uri(
                TokenUrl::new(config.token_url.to_string()).map_err(to_err("token URL"))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_uri.clone()).map_err(to_err("redirect URI"))?,
            )
            .set_auth_type(oauth2::AuthType::BasicAuth);
        Ok(Self {
            client,
            config,
            http,
            clock: Arc::new(SystemClock),
        })
    }

    /// Uses this clock for expiry times (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The settings.
    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// The consent URL with a fresh random `state`; keep the state (bound to the user's
    /// session) and compare it when Pinterest redirects back.
    pub fn authorize_url(&self) -> (Url, String) {
        let state = CsrfToken::new_random();
        let url = self.authorize_url_with_state(state.secret());
        (url, state.secret().clone())
    }

    /// The consent URL with the caller's `state`. Pinterest wants the scopes
    /// comma-separated.
    pub fn authorize_url_with_state(&self, state: &str) -> Url {
        let scopes = self
            .config
            .scopes
            .iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(",");
        let state = state.to_owned();
        let (url, _) = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_extra_param("scope", scopes)
            .url();
        url
    }

    /// Exchanges an authorization code for tokens.
    pub async fn exchange_code(&self, code: &str) -> Result<TokenGrant> {
        let meta = Arc::new(Mutex::new(None));
        let http = adapter(self.http.clone(), meta.clone());
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&http)
            .await;
        tracing::debug!(ok = answer.is_ok(), "OAuth code exchange answered");
        self.grant(answer, None, &meta)
    }

    /// Refreshes: the answer carries a new refresh token (rotation); store it. An invalid or
    /// expired refresh token is [`Error::InvalidRefreshToken`].
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant> {
        let meta = Arc::new(Mutex::new(None));
        let http = adapter(self.http.clone(), meta.clone());
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let answer = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        tracing::debug!(ok = answer.is_ok(), "OAuth refresh answered");
        self.grant(answer, Some(refresh_token), &meta)
    }

    fn grant(
        &self,
        answer: Result<PinterestTokenResponse, RequestTokenError<Error, TokenErrorBody>>,
        previous_refresh: Option<&SecretString>,
        meta: &Mutex<Option<Meta>>,
    ) -> Result<TokenGrant> {
        let meta = meta
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let (status, request_id) = match meta {
            Some(m) => (Some(m.status), m.request_id),
            None => (None, None),
        };
        let t = match answer {
            Ok(t) => t,
            Err(RequestTokenError::ServerResponse(body)) => {
                let invalid_refresh = body.code == Some(INVALID_REFRESH_TOKEN_CODE)
                    || previous_refresh.is_some() && body.error.as_deref() == Some("invalid_grant");
                return Err(if invalid_refresh {
                    Error::InvalidRefreshToken {
                        code: body.code,
                        message: body.to_string(),
                        request_id,
                    }
                } else {
                    Error::OAuth {
                        status,
                        code: body.code,
                        message: body.to_string(),
                        request_id,
                    }
                });
            }
            Err(RequestTokenError::Request(e)) => return Err(e),
            Err(RequestTokenError::Parse(e, body)) => {
                return Err(Error::Decode {
                    status: status.unwrap_or(0),
                    path: e.path().to_string(),
                    message: e.inner().to_string(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                    request_id,
                });
            }
            Err(RequestTokenError::Other(message)) => {
                return Err(Error::OAuth {
                    status,
                    code: None,
                    message,
                    request_id,
                });
            }
        };
        let now = self.clock.now();
        let expires_in = t
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .unwrap_or_else(|| chrono::Duration::days(30));
        let refresh_token = match (t.refresh_token(), previous_refresh) {
            (Some(r), _) => SecretString::from(r.secret().to_owned()),
            (None, Some(prev)) => prev.clone(),
            (None, None) => {
                return Err(Error::OAuth {
                    status,
                    code: None,
                    message: "the token answer has no refresh token".into(),
                    request_id,
                });
            }
        };
        let extra = t.extra_fields();
        let refresh_expires_at = extra
            .refresh_token_expires_at
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .or_else(|| {
                extra
                    .refresh_token_expires_in
                    .map(|s| now + chrono::Duration::seconds(s))
            });
        let scopes = t
            .scopes()
            .map(|s| {
                s.iter()
                    .flat_map(|s| Scope::parse_list(s.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(TokenGrant {
            access_token: SecretString::from(t.access_token().secret().to_owned()),
            access_expires_at: now + expires_in,
            refresh_token,
            refresh_expires_at,
            scopes,
        })
    }
}

#[derive(Clone, Debug)]
struct Meta {
    status: u16,
    request_id: Option<String>,
}

/// The `oauth2::AsyncHttpClient` over our reqwest client. It records the status and request
/// id of the answer, which `oauth2` does not keep.
fn adapter(
    http: reqwest::Client,
    meta: Arc<Mutex<Option<Meta>>>,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, Error>> + Send>,
> {
    move |request: oauth2::HttpRequest| {
        let http = http.clone();
        let meta = meta.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| Error::Transport(e.to_string()))?;
            let status = response.status();
            let headers = response.headers().clone();
            let request_id = headers
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            *meta
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Meta {
                status: status.as_u16(),
                request_id,
            });
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Error::Transport(e.to_string()))?;
            let mut out = oauth2::HttpResponse::new(bytes.to_vec());
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}

/// Whether the access token should be refreshed now: it expires within `margin`.
pub fn needs_refresh(grant: &TokenGrant, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
    grant.access_expires_at - margin <= now
}

/// A callback told about every new token grant (to store the rotated refresh token).
pub type OnRefresh = Arc<dyn Fn(&TokenGrant) + Send + Sync>;

/// A connected account: the client, the OAuth flow and the current tokens. It refreshes
/// ahead of expiry, and on a 401 it refreshes once and retries once.
pub struct Session {
    client: Client,
    oauth: OAuth,
    account: String,
    tokens: tokio::sync::Mutex<TokenGrant>,
    margin: chrono::Duration,
    on_refresh: Option<OnRefresh>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session for `account` (the limiter key) with the tokens it has.
    pub fn new(
        client: Client,
        oauth: OAuth,
        account: impl Into<String>,
        grant: TokenGrant,
    ) -> Self {
        Self {
            client,
            oauth,
            account: account.into(),
            tokens: tokio::sync::Mutex::new(grant),
            margin: chrono::Duration::minutes(5),
            on_refresh: None,
        }
    }

    /// Refresh this long before the access token expires (default 5 minutes).
    pub fn refresh_margin(mut self, margin: chrono::Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Calls `f` with every new grant.
    pub fn on_refresh(mut self, f: OnRefresh) -> Self {
        self.on_refresh = Some(f);
        self
    }

    /// The current tokens.
    pub async fn tokens(&self) -> TokenGrant {
        self.tokens.lock().await.clone()
    }

    /// A valid access token, refreshing first when it expires within the margin.
    pub async fn access_token(&self) -> Result<SecretString> {
        let mut tokens = self.tokens.lock().await;
        if needs_refresh(&tokens, self.oauth.clock.now(), self.margin) {
            self.refresh_locked(&mut tokens).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// Refreshes now, unless another task already replaced `used` (the token that got a 401).
    async fn refresh_after_401(&self, used: &SecretString) -> Result<SecretString> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access_token.expose_secret() == used.expose_secret() {
            self.refresh_locked(&mut tokens).await?;
        }
        Ok(tokens.access_token.clone())
    }

    async fn refresh_locked(&self, tokens: &mut TokenGrant) -> Result<()> {
        let grant = self.oauth.refresh(&tokens.refresh_token).await?;
        tracing::info!(account = %self.account, "Pinterest tokens refreshed");
        *tokens = grant;
        if let Some(f) = &self.on_refresh {
            f(tokens);
        }
        Ok(())
    }

    /// Refreshes now (rotation) and returns the new grant.
    pub async fn refresh_now(&self) -> Result<TokenGrant> {
        let mut tokens = self.tokens.lock().await;
        self.refresh_locked(&mut tokens).await?;
        Ok(tokens.clone())
    }

    /// Sends a request; a 401 gets one refresh and one retry.
    pub async fn send<R: Request + ?Sized>(&self, req: &R) -> Result<R::Response> {
        let token = self.access_token().await?;
        let auth = Auth::new(token.clone(), self.account.clone());
        match self.client.send(&auth, req).await {
            Err(e) if e.status() == Some(401) => {
                tracing::debug!(account = %self.account, "401: refreshing once and retrying once");
                let fresh = self.refresh_after_401(&token).await?;
                let auth = Auth::new(fresh, self.account.clone());
                self.client.send(&auth, req).await
            }
            other => other,
        }
    }

    /// Every item of a paginated list through this session.
    pub fn paginate<R>(
        self: &Arc<Self>,
        request: R,
    ) -> impl futures::Stream<Item = Result<<R as Paginated>::Item>> + Send + 'static
    where
        R: Paginated
            + Request<Response = Page<<R as Paginated>::Item>>
            + Clone
            + Send
            + Sync
            + 'static,
        <R as Paginated>::Item: Send + 'static,
    {
        let session = self.clone();
        paginate_with(move |bookmark| {
            let session = session.clone();
            let req = request.with_bookmark(bookmark);
            async move { session.send(&req).await }
        })
    }

    /// Disconnects: Pinterest revokes only for system users, so this forgets the tokens
    /// (the caller deletes its stored copy).
    pub fn disconnect(self) {
        tracing::info!(account = %self.account, "Pinterest session disconnected");
        drop(self);
    }
}
