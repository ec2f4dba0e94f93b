//! Page handlers. Every handler that shows or changes data takes a [`User`] and reads
//! through the signed-in account, so another account's ids behave as not found.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDateTime, Utc};
use iqpins_core::{
    AltText, AuditEvent, BoardId, ConnectionStatus, DestinationUrl, Draft, DraftEdit, DraftFilter,
    DraftId, DraftState, Outcome, PinDescription, PinTitle, SourceDefaults, SourceKind, StateName,
};
use serde::Deserialize;

use super::AppState;
use super::auth::{self, User};
use super::error::{AppError, AppResult};

/// `?notice=…&error=…&sig=…` carried across a redirect. Only messages this process
/// signed are shown: a link cannot put its own words on the page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Flash {
    notice: Option<String>,
    error: Option<String>,
    sig: Option<String>,
    state: Option<String>,
}

/// The signature of a flash message: HMAC-SHA256 under a key made at start-up (messages
/// live for one redirect, so they need not survive a restart), 128 bits in hex.
fn flash_sig(kind: &str, msg: &str) -> String {
    use hmac::{KeyInit, Mac};
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut k);
        k
    });
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(kind.as_bytes());
    mac.update(b"\0");
    mac.update(msg.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

impl Flash {
    /// The message, if it carries this process's signature.
    fn verified(self) -> (Option<String>, Option<String>) {
        let sig = self.sig.unwrap_or_default();
        let ok = |kind: &str, m: &String| {
            let want = flash_sig(kind, m);
            !want.is_empty() && sig == want
        };
        let notice = self.notice.filter(|m| ok("notice", m));
        let error = self.error.filter(|m| ok("error", m));
        (notice, error)
    }
}

fn go(path: &str, result: Result<String, AppError>) -> Response {
    let (key, msg) = match result {
        Ok(m) => ("notice", m),
        Err(e) => {
            if matches!(e, AppError::SignIn) {
                return e.into_response();
            }
            if e.status_code().0.is_server_error() {
                tracing::error!(error = %e, "request failed");
            }
            ("error", e.public_message())
        }
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(key, &msg)
        .append_pair("sig", &flash_sig(key, &msg))
        .finish();
    Redirect::to(&format!("{path}{sep}{q}")).into_response()
}

fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

fn fmt_time(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// What every signed-in page shows around its content: the flash message, the nav with
/// the current page, the user's e-mail and the CSRF token for the sign-out form.
struct Chrome {
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    email: String,
    page: &'static str,
}

impl Chrome {
    fn anonymous(flash: Flash) -> Self {
        let (notice, error) = flash.verified();
        Self {
            notice,
            error,
            csrf: String::new(),
            email: String::new(),
            page: "login",
        }
    }

    fn new(user: &User, flash: Flash, page: &'static str) -> Self {
        let (notice, error) = flash.verified();
        Self {
            notice,
            error,
            csrf: user.session.csrf.clone(),
            email: user.account.email.clone(),
            page,
        }
    }
}

// ----- sign-in ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    signup: bool,
    allow_signup: bool,
    hint: Option<String>,
}

pub(super) async fn login_page(
    State(s): State<AppState>,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    render(&LoginPage {
        chrome: Chrome::anonymous(f),
        signup: false,
        allow_signup: s.config.allow_signup,
        hint: s.config.login_hint.clone(),
    })
}

pub(super) async fn signup_page(
    State(s): State<AppState>,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    if !s.config.allow_signup {
        return Ok(go(
            "/login",
            Err(AppError::BadRequest(
                "sign-up is closed on this server".into(),
            )),
        ));
    }
    render(&LoginPage {
        chrome: Chrome::anonymous(f),
        signup: true,
        allow_signup: true,
        hint: None,
    })
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    name: String,
}

fn signed_in(cookie: axum::http::HeaderValue) -> Response {
    ([(SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

pub(super) async fn login(
    State(s): State<AppState>,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let refused = || {
        go(
            "/login",
            Err(AppError::BadRequest("wrong e-mail or password".into())),
        )
    };
    // Limited before any hashing: guessing and Argon2 work are both bounded.
    if let Err(wait) = s.sign_in_limits.sign_in(&f.email) {
        return Ok(go(
            "/login",
            Err(AppError::BadRequest(wait.message("sign-in"))),
        ));
    }
    let Some(account) = s.store.find_account_by_email(&f.email).await? else {
        // Spend the same time as a real check so e-mail existence does not leak.
        let _ = auth::hash_password_blocking(f.password).await;
        return Ok(refused());
    };
    let Some(hash) = s.auth.password_hash(account.id).await? else {
        return Ok(refused());
    };
    if !auth::verify_password_blocking(f.password, hash).await {
        return Ok(refused());
    }
    Ok(signed_in(auth::start_session(&s, &account).await?))
}

/// Creates an account with a password (shared by the sign-up page and the demo seed).
pub async fn create_user(
    s: &AppState,
    name: &str,
    email: &str,
    password: &str,
) -> AppResult<iqpins_core::Account> {
    if password.chars().count() < auth::MIN_PASSWORD {
        return Err(iqpins_core::Error::invalid(
            "password",
            format!("must be at least {} characters", auth::MIN_PASSWORD),
        )
        .into());
    }
    if password.chars().count() > auth::MAX_PASSWORD {
        return Err(iqpins_core::Error::invalid(
            "password",
            format!("must be at most {} characters", auth::MAX_PASSWORD),
        )
        .into());
    }
    let hash = auth::hash_password_blocking(password.to_owned()).await?;
    let account = s.engine.create_account(name, email).await?;
    s.auth.set_password_hash(account.id, &hash).await?;
    Ok(account)
}

pub(super) async fn signup(
    State(s): State<AppState>,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    if !s.config.allow_signup {
        return Ok(go(
            "/login",
            Err(AppError::BadRequest(
                "sign-up is closed on this server".into(),
            )),
        ));
    }
    if let Err(wait) = s.sign_in_limits.sign_up() {
        return Ok(go(
            "/signup",
            Err(AppError::BadRequest(wait.message("sign-up"))),
        ));
    }
    match create_user(&s, &f.name, &f.email, &f.password).await {
        Ok(account) => Ok(signed_in(auth::start_session(&s, &account).await?)),
        Err(e) => Ok(go("/signup", Err(e))),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn logout(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    s.auth.delete_session(&user.session.token_hash).await?;
    Ok((
        [(SET_COOKIE, auth::clear_cookie(&s)?)],
        Redirect::to("/login"),
    )
        .into_response())
}

// ----- overview -----------------------------------------------------------------------

struct EventView {
    at: String,
    actor: String,
    action: String,
    draft: String,
    outcome: &'static str,
    detail: String,
}

impl From<&AuditEvent> for EventView {
    fn from(e: &AuditEvent) -> Self {
        Self {
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            draft: e
                .draft_id
                .map(|d| {
                    let s = d.to_string();
                    s[s.len() - 8..].to_owned()
                })
                .unwrap_or_default(),
            outcome: match e.outcome {
                Outcome::Ok => "ok",
                Outcome::Error => "error",
            },
            detail: e.detail.clone(),
        }
    }
}

const TABS: [(&str, StateName); 7] = [
    ("To review", StateName::Pending),
    ("Approved", StateName::Approved),
    ("Scheduled", StateName::Queued),
    ("Published", StateName::Published),
    ("Failed", StateName::Failed),
    ("Rejected", StateName::Rejected),
    ("Publishing", StateName::Publishing),
];

async fn counts(s: &AppState, user: &User) -> AppResult<Vec<(&'static str, &'static str, usize)>> {
    let all = s
        .store
        .list_drafts(user.account.id, &DraftFilter::default())
        .await?;
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &all {
        let name = match d.state.name() {
            StateName::Reconciling => StateName::Publishing,
            n => n,
        };
        *by.entry(name.as_str()).or_default() += 1;
    }
    Ok(TABS
        .iter()
        .map(|(label, st)| {
            (
                *label,
                st.as_str(),
                by.get(st.as_str()).copied().unwrap_or(0),
            )
        })
        .collect())
}

async fn connection_label(s: &AppState, user: &User) -> AppResult<(String, bool, bool, String)> {
    Ok(match s.store.get_connection(user.account.id).await? {
        None => ("not connected".into(), false, false, String::new()),
        Some(c) => {
            let scopes = c
                .scopes
                .iter()
                .map(|x| x.as_str().to_owned())
                .collect::<Vec<_>>()
                .join(" ");
            match c.status {
                ConnectionStatus::Active => (
                    format!("connected as @{} ({})", c.username, c.account_type),
                    true,
                    false,
                    scopes,
                ),
                ConnectionStatus::NeedsReconnect => (
                    format!("@{} needs to be reconnected", c.username),
                    true,
                    true,
                    scopes,
                ),
                ConnectionStatus::Disconnected => ("disconnected".into(), false, false, scopes),
            }
        }
    })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    counts: Vec<(&'static str, &'static str, usize)>,
    connection: String,
    sources: usize,
    recent: Vec<EventView>,
}

pub(super) async fn dashboard(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let recent = s.engine.audit_log(user.account.id, 10).await?;
    render(&DashboardPage {
        chrome: Chrome::new(&user, f, "home"),
        counts: counts(&s, &user).await?,
        connection: connection_label(&s, &user).await?.0,
        sources: s.store.list_sources(user.account.id).await?.len(),
        recent: recent.iter().map(EventView::from).collect(),
    })
}

// ----- review ---------------------------------------------------------------------------

struct DraftView {
    id: String,
    version: i64,
    revision: u32,
    state: &'static str,
    editable: bool,
    title: String,
    description: String,
    alt_text: String,
    link: String,
    image_url: Option<String>,
    image_field: String,
    send: &'static str,
    board: String,
    when: Option<String>,
    pin_id: Option<String>,
    last_error: Option<String>,
    flags: Vec<String>,
    reasons: Vec<String>,
}

impl DraftView {
    fn new(d: &Draft, reasons: Vec<String>) -> Self {
        let c = &d.content;
        let image = c.image.url.as_ref().map(|u| u.as_str().to_owned());
        let (when, pin_id) = match &d.state {
            DraftState::Queued { at } => (Some(format!("publishes {} UTC", fmt_time(*at))), None),
            DraftState::Published { pin_id, at } => (
                Some(format!("published {} UTC", fmt_time(*at))),
                Some(pin_id.to_string()),
            ),
            _ => (None, None),
        };
        Self {
            id: d.id.to_string(),
            version: d.version,
            revision: d.revision,
            state: d.state.name().as_str(),
            editable: matches!(
                d.state,
                DraftState::Pending | DraftState::Approved | DraftState::Failed { .. }
            ),
            title: c.title.to_string(),
            description: c.description.to_string(),
            alt_text: c.alt_text.to_string(),
            link: c
                .link
                .as_ref()
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            image_field: image.clone().unwrap_or_default(),
            image_url: image,
            send: c.image.send.as_str(),
            board: c
                .board
                .as_ref()
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            when,
            pin_id,
            last_error: d.last_error.clone(),
            flags: d.flags.clone(),
            reasons,
        }
    }
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage {
    chrome: Chrome,
    tabs: Vec<(&'static str, &'static str, usize, bool)>,
    current: &'static str,
    drafts: Vec<DraftView>,
    boards: Vec<(String, String)>,
}

pub(super) async fn drafts(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let state: StateName = f.state.as_deref().unwrap_or("pending").parse()?;
    let mut list = s
        .store
        .list_drafts(
            user.account.id,
            &DraftFilter {
                state: Some(state),
                source_id: None,
                limit: Some(200),
            },
        )
        .await?;
    if state == StateName::Publishing {
        list.extend(
            s.store
                .list_drafts(
                    user.account.id,
                    &DraftFilter {
                        state: Some(StateName::Reconciling),
                        source_id: None,
                        limit: Some(200),
                    },
                )
                .await?,
        );
    }
    let connection = s.store.get_connection(user.account.id).await?;
    let mut views = Vec::with_capacity(list.len());
    for d in &list {
        let reasons = if d.state == DraftState::Pending {
            s.engine
                .approval_reasons(d, &user.account, connection.as_ref())
        } else {
            Vec::new()
        };
        views.push(DraftView::new(d, reasons));
    }
    let boards = s
        .store
        .list_boards(user.account.id)
        .await?
        .into_iter()
        .map(|b| (b.id.to_string(), b.name))
        .collect();
    render(&DraftsPage {
        chrome: Chrome::new(&user, f, "drafts"),
        tabs: counts(&s, &user)
            .await?
            .into_iter()
            .map(|(l, st, n)| (l, st, n, st == state.as_str()))
            .collect(),
        current: state.as_str(),
        drafts: views,
        boards,
    })
}

#[derive(Deserialize)]
pub(super) struct DraftForm {
    csrf: String,
    version: i64,
    op: String,
    #[serde(default)]
    back: String,
    title: Option<String>,
    description: Option<String>,
    alt_text: Option<String>,
    link: Option<String>,
    image_url: Option<String>,
    image_send: Option<String>,
    board: Option<String>,
    at: Option<String>,
}

impl DraftForm {
    /// The edit the form asks for; every field goes through its constructor.
    fn edit(&self) -> Result<DraftEdit, iqpins_core::Error> {
        fn opt(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        Ok(DraftEdit {
            title: self.title.as_deref().map(PinTitle::parse).transpose()?,
            description: self
                .description
                .as_deref()
                .map(PinDescription::parse)
                .transpose()?,
            alt_text: self.alt_text.as_deref().map(AltText::parse).transpose()?,
            link: opt(&self.link).map(DestinationUrl::parse).transpose()?,
            image_url: opt(&self.image_url)
                .map(|u| DestinationUrl::parse_field("image_url", u))
                .transpose()?,
            image_send: opt(&self.image_send)
                .map(iqpins_core::ImageSend::parse)
                .transpose()?,
            board: self
                .board
                .as_ref()
                .map(|b| {
                    Some(b.trim())
                        .filter(|b| !b.is_empty())
                        .map(BoardId::parse)
                        .transpose()
                })
                .transpose()?,
            section: None,
        })
    }
}

async fn apply_draft_action(
    s: &AppState,
    user: &User,
    id: DraftId,
    f: &DraftForm,
) -> AppResult<String> {
    let (acc, who, e) = (user.account.id, user.actor(), &s.engine);
    let d = match f.op.as_str() {
        "save" | "approve" => {
            let mut d = s.store.get_draft(acc, id).await?;
            if matches!(
                d.state,
                DraftState::Pending | DraftState::Approved | DraftState::Failed { .. }
            ) {
                d = e.edit(acc, who, id, f.version, &f.edit()?).await?;
            } else if d.version != f.version {
                return Err(iqpins_core::Error::Conflict {
                    what: format!("draft {id}"),
                    expected: f.version,
                }
                .into());
            }
            if f.op == "approve" {
                e.approve(acc, who, id, d.version).await?;
                return Ok("Approved. Choose “Publish now” or a time in the Approved tab.".into());
            }
            return Ok("Saved.".into());
        }
        "reject" => e.reject(acc, who, id, f.version, None).await?,
        "restore" => e.restore(acc, who, id, f.version).await?,
        "publish_now" => e.publish_now(acc, who, id, f.version).await?,
        "schedule" => {
            let raw = f.at.as_deref().unwrap_or_default();
            let at = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
                .map_err(|_| {
                    iqpins_core::Error::invalid("at", format!("{raw:?} is not a date and time"))
                })?
                .and_utc();
            if at < e.now() - Duration::minutes(1) {
                return Err(iqpins_core::Error::invalid("at", "is in the past").into());
            }
            e.schedule(acc, who, id, f.version, at).await?
        }
        "unschedule" => e.unschedule(acc, who, id, f.version).await?,
        "retry" => e.retry(acc, who, id, f.version).await?,
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    Ok(format!("Draft is now {}.", d.state.name()))
}

pub(super) async fn draft_action(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<DraftForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let back = f
        .back
        .parse::<StateName>()
        .map(StateName::as_str)
        .unwrap_or("pending");
    let path = format!("/drafts?state={back}");
    let id: DraftId = id.parse()?;
    Ok(go(&path, apply_draft_action(&s, &user, id, &f).await))
}

/// The draft's 1000×1500 creative (its photo, title band, price badge and domain),
/// rendered from the current revision.
pub(super) async fn creative(
    State(s): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: DraftId = id.trim_end_matches(".jpg").parse()?;
    let d = s.store.get_draft(user.account.id, id).await?;
    let bytes = s.renderer.jpeg(&d).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/jpeg"),
            (axum::http::header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

// ----- sources --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    chrome: Chrome,
    sources: Vec<(String, &'static str, String, String)>,
}

pub(super) async fn sources(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let list = s.store.list_sources(user.account.id).await?;
    render(&SourcesPage {
        chrome: Chrome::new(&user, f, "sources"),
        sources: list
            .into_iter()
            .map(|x| {
                let (kind, at) = match &x.kind {
                    SourceKind::Url { url } => ("page", url.clone()),
                    SourceKind::Feed { url } => ("feed", url.clone()),
                    SourceKind::Csv { file_name } => ("CSV file", file_name.clone()),
                    SourceKind::Product => ("product data", String::new()),
                };
                (x.name, kind, at, fmt_time(x.created_at))
            })
            .collect(),
    })
}

/// Imports items into a new source and drafts them; the summary for the person.
async fn import_and_draft(
    s: &AppState,
    user: &User,
    name: &str,
    kind: SourceKind,
    items: super::Imported,
) -> AppResult<String> {
    let (acc, who) = (user.account.id, user.actor());
    let source = s
        .engine
        .add_source(acc, who, name, kind, SourceDefaults::default())
        .await?;
    let report = s
        .engine
        .record_items(acc, who, source.id, items.items)
        .await?;
    let (drafts, refused) = s
        .engine
        .generate_drafts(acc, who, source.id, &report.new, s.writer.as_ref())
        .await?;
    let mut msg = format!(
        "Imported {} new item(s) ({} already known) and made {} draft(s) to review.",
        report.new.len(),
        report.duplicates,
        drafts.len()
    );
    let problems = items.errors.len() + refused.len();
    if problems > 0 {
        let first: Vec<String> = items
            .errors
            .iter()
            .cloned()
            .chain(refused.iter().map(|(_, e)| e.to_string()))
            .take(3)
            .collect();
        msg.push_str(&format!(" {problems} skipped: {}", first.join("; ")));
    }
    Ok(msg)
}

#[derive(Deserialize)]
pub(super) struct SourceForm {
    csrf: String,
    name: String,
    kind: String,
    url: String,
}

pub(super) async fn add_source(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<SourceForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let r = async {
        DestinationUrl::parse_field("url", &f.url)?;
        let kind = match f.kind.as_str() {
            "feed" => SourceKind::Feed {
                url: f.url.trim().to_owned(),
            },
            _ => SourceKind::Url {
                url: f.url.trim().to_owned(),
            },
        };
        let items = s.importer.fetch_items(&kind).await?;
        import_and_draft(&s, &user, &f.name, kind, items).await
    }
    .await;
    Ok(go(if r.is_ok() { "/drafts" } else { "/sources" }, r))
}

pub(super) async fn upload_source(
    State(s): State<AppState>,
    user: User,
    mut form: Multipart,
) -> AppResult<Response> {
    let mut csrf = String::new();
    let mut name = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
            }
            "name" => {
                name = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?
            }
            "file" => {
                let fname = field.file_name().unwrap_or("upload.csv").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?;
                file = Some((fname, bytes.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    let r = async {
        let (fname, bytes) = file.ok_or_else(|| AppError::BadRequest("choose a file".into()))?;
        if bytes.is_empty() {
            return Err(iqpins_core::Error::invalid("file", format!("{fname} is empty")).into());
        }
        let items = s.importer.file_items(&fname, &bytes);
        let name = if name.trim().is_empty() {
            fname.clone()
        } else {
            name
        };
        import_and_draft(
            &s,
            &user,
            &name,
            SourceKind::Csv { file_name: fname },
            items,
        )
        .await
    }
    .await;
    Ok(go(if r.is_ok() { "/drafts" } else { "/sources" }, r))
}

// ----- settings and Pinterest connection ---------------------------------------------------

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    connection: String,
    connected: bool,
    needs_reconnect: bool,
    scopes: String,
    boards: Vec<String>,
    domains: String,
}

pub(super) async fn settings(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let (connection, connected, needs_reconnect, scopes) = connection_label(&s, &user).await?;
    let boards = s.store.list_boards(user.account.id).await?;
    render(&SettingsPage {
        chrome: Chrome::new(&user, f, "settings"),
        connection,
        connected,
        needs_reconnect,
        scopes,
        boards: boards
            .into_iter()
            .map(|b| match b.description {
                Some(d) if !d.is_empty() => format!("{} — {d}", b.name),
                _ => b.name,
            })
            .collect(),
        domains: user.account.allowed_domains.join("\n"),
    })
}

#[derive(Deserialize)]
pub(super) struct DomainsForm {
    csrf: String,
    domains: String,
}

pub(super) async fn set_domains(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<DomainsForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let r = async {
        let mut list = Vec::new();
        let lines: Vec<&str> = f
            .domains
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.len() > 50 {
            return Err(iqpins_core::Error::invalid("domains", "at most 50 domains").into());
        }
        for line in lines {
            let host = if line.contains("://") {
                url::Url::parse(line)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
            } else {
                url::Url::parse(&format!("https://{line}"))
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
            };
            list.push(host.ok_or_else(|| {
                iqpins_core::Error::invalid("domains", format!("{line:?} is not a domain"))
            })?);
        }
        s.store.set_allowed_domains(user.account.id, &list).await?;
        Ok(format!("Saved {} domain(s).", list.len()))
    }
    .await;
    Ok(go("/settings", r))
}

pub(super) async fn connect(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let state = auth::random_token();
    let url = s.engine.authorize_url(&state)?;
    if !s
        .auth
        .set_oauth_state(&user.session.token_hash, &state)
        .await?
    {
        return Err(AppError::SignIn);
    }
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub(super) async fn oauth_callback(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<Callback>,
) -> AppResult<Response> {
    let r = async {
        // The state must be the one this session started, and is good for one callback
        // only: compare-and-clear in the store, so two callbacks cannot both pass.
        let state = q.state.as_deref().unwrap_or_default();
        if state.is_empty()
            || !s
                .auth
                .take_oauth_state(&user.session.token_hash, state)
                .await?
        {
            return Err(AppError::BadRequest(
                "this Pinterest answer does not belong to your session; connect again".into(),
            ));
        }
        if let Some(err) = q.error {
            return Err(AppError::BadRequest(format!(
                "Pinterest did not connect: {err}"
            )));
        }
        let code = q
            .code
            .ok_or_else(|| AppError::BadRequest("Pinterest sent no code".into()))?;
        let conn = s
            .engine
            .connect(user.account.id, user.actor(), &code)
            .await?;
        let boards = s.engine.sync_boards(user.account.id, user.actor()).await?;
        let suggested = s
            .engine
            .suggest_missing_boards(user.account.id, user.actor())
            .await?;
        Ok(format!(
            "Connected @{} with {} board(s); suggested a board for {suggested} draft(s).",
            conn.username,
            boards.len()
        ))
    }
    .await;
    Ok(go("/settings", r))
}

pub(super) async fn disconnect(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let r = s
        .engine
        .disconnect(user.account.id, user.actor())
        .await
        .map(|()| "Disconnected; the tokens are deleted.".to_owned());
    Ok(go("/settings", r.map_err(AppError::from)))
}

pub(super) async fn sync_boards(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let r = async {
        let boards = s.engine.sync_boards(user.account.id, user.actor()).await?;
        let suggested = s
            .engine
            .suggest_missing_boards(user.account.id, user.actor())
            .await?;
        Ok(format!(
            "{} board(s); suggested a board for {suggested} draft(s).",
            boards.len()
        ))
    }
    .await;
    Ok(go("/settings", r))
}

// ----- analytics and audit ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    chrome: Chrome,
    from: String,
    to: String,
    totals: (u64, u64, u64, u64),
    chart: String,
    rows: Vec<(String, String, u64, u64, u64, u64)>,
}

/// A bar chart of daily values as inline SVG (no script, readable without styles).
pub(super) fn bar_chart(days: &[(chrono::NaiveDate, u64)]) -> String {
    let (w, h, pad) = (720.0_f64, 180.0_f64, 24.0_f64);
    let max = days.iter().map(|d| d.1).max().unwrap_or(0).max(1) as f64;
    let n = days.len().max(1) as f64;
    let bw = (w - pad * 2.0) / n;
    let mut svg = format!(
        r#"<svg role="img" aria-label="Impressions per day" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
    );
    for (i, (day, v)) in days.iter().enumerate() {
        let bh = (*v as f64 / max) * (h - pad * 2.0);
        let x = pad + i as f64 * bw;
        let y = h - pad - bh;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="#b3001b"><title>{day}: {v}</title></rect>"##,
            (bw - 2.0).max(1.0)
        ));
    }
    svg.push_str(&format!(
        r##"<text x="{pad}" y="{}" font-size="11" fill="#5f6368">{}</text><text x="{}" y="{}" font-size="11" fill="#5f6368" text-anchor="end">{}</text></svg>"##,
        h - 6.0,
        days.first().map(|d| d.0.to_string()).unwrap_or_default(),
        w - pad,
        h - 6.0,
        days.last().map(|d| d.0.to_string()).unwrap_or_default(),
    ));
    svg
}

pub(super) async fn analytics(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let to = s.engine.now().date_naive();
    let from = to - Duration::days(29);
    let metrics = s.engine.metrics(user.account.id, from, to).await?;
    let mut per_day: BTreeMap<chrono::NaiveDate, u64> =
        (0..30).map(|i| (from + Duration::days(i), 0)).collect();
    let mut per_pin: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
    let mut totals = (0, 0, 0, 0);
    for m in &metrics {
        *per_day.entry(m.date).or_default() += m.impressions;
        let p = per_pin.entry(m.pin_id.to_string()).or_default();
        *p = (
            p.0 + m.impressions,
            p.1 + m.saves,
            p.2 + m.pin_clicks,
            p.3 + m.outbound_clicks,
        );
        totals = (
            totals.0 + m.impressions,
            totals.1 + m.saves,
            totals.2 + m.pin_clicks,
            totals.3 + m.outbound_clicks,
        );
    }
    let published = s
        .store
        .list_drafts(
            user.account.id,
            &DraftFilter {
                state: Some(StateName::Published),
                source_id: None,
                limit: None,
            },
        )
        .await?;
    let title_of = |pin: &str| {
        published
            .iter()
            .find(|d| matches!(&d.state, DraftState::Published { pin_id, .. } if pin_id.as_str() == pin))
            .map(|d| d.content.title.to_string())
            .unwrap_or_default()
    };
    let days: Vec<_> = per_day.into_iter().collect();
    render(&AnalyticsPage {
        chrome: Chrome::new(&user, f, "analytics"),
        from: from.to_string(),
        to: to.to_string(),
        totals,
        chart: bar_chart(&days),
        rows: per_pin
            .into_iter()
            .map(|(pin, t)| {
                let title = title_of(&pin);
                (pin, title, t.0, t.1, t.2, t.3)
            })
            .collect(),
    })
}

pub(super) async fn sync_analytics(
    State(s): State<AppState>,
    user: User,
    Form(f): Form<CsrfForm>,
) -> AppResult<Response> {
    user.check_csrf(&f.csrf)?;
    let to = s.engine.now().date_naive();
    let from = to - Duration::days(29);
    let r = s
        .engine
        .sync_analytics(user.account.id, user.actor(), from, to)
        .await
        .map(|n| format!("Fetched {n} daily row(s)."));
    Ok(go("/analytics", r.map_err(AppError::from)))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    events: Vec<EventView>,
}

pub(super) async fn audit(
    State(s): State<AppState>,
    user: User,
    Query(f): Query<Flash>,
) -> AppResult<Response> {
    let events = s.engine.audit_log(user.account.id, 500).await?;
    render(&AuditPage {
        chrome: Chrome::new(&user, f, "audit"),
        events: events.iter().map(EventView::from).collect(),
    })
}
