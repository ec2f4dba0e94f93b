//! The workflow rules of the Engine, over the in-memory store and a scripted Pinterest.
#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use iqpins_core::memory::MemoryStore;
use iqpins_core::*;
use secrecy::{ExposeSecret, SecretString};

/// A scripted Pinterest: answers `create_pin` from a queue of outcomes and records calls.
#[derive(Default)]
struct FakePinterest {
    create_results: Mutex<VecDeque<Result<(), PinterestError>>>,
    creates: Mutex<Vec<(String, NewPin)>>,
    board_pins: Mutex<Vec<PinSummary>>,
    refreshes: Mutex<u32>,
    refresh_fails: Mutex<bool>,
    board_read_fails: Mutex<bool>,
    next_id: Mutex<u64>,
}

fn perr(kind: PinterestErrorKind, status: u16) -> PinterestError {
    PinterestError {
        kind,
        status: Some(status),
        code: None,
        message: format!("HTTP {status}"),
        request_id: Some("rid-1".into()),
        retry_after: None,
    }
}

#[async_trait]
impl Pinterest for FakePinterest {
    fn authorize_url(&self, state: &str) -> String {
        format!("https://pinterest.invalid/oauth/?state={state}")
    }
    async fn exchange_code(&self, code: &str) -> Result<TokenGrant, PinterestError> {
        if code != "good-code" {
            return Err(perr(PinterestErrorKind::Invalid, 400));
        }
        Ok(TokenGrant {
            access_token: SecretString::from("access-1"),
            access_expires_at: t0() + chrono::Duration::days(30),
            refresh_token: SecretString::from("refresh-1"),
            refresh_expires_at: Some(t0() + chrono::Duration::days(365)),
            scopes: Scope::REQUESTED.to_vec(),
        })
    }
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenGrant, PinterestError> {
        if *self.refresh_fails.lock().unwrap() {
            let mut e = perr(PinterestErrorKind::InvalidRefreshToken, 400);
            e.code = Some(283);
            return Err(e);
        }
        let mut n = self.refreshes.lock().unwrap();
        *n += 1;
        assert!(refresh_token.expose_secret().starts_with("refresh-"));
        Ok(TokenGrant {
            access_token: SecretString::from(format!("access-{}", *n + 1)),
            access_expires_at: Utc::now() + chrono::Duration::days(30),
            refresh_token: SecretString::from(format!("refresh-{}", *n + 1)),
            refresh_expires_at: None,
            scopes: Scope::REQUESTED.to_vec(),
        })
    }
    async fn user_account(&self, _: &SecretString) -> Result<PinterestUser, PinterestError> {
        Ok(PinterestUser {
            id: Some("77".into()),
            username: "shop".into(),
            account_type: "BUSINESS".into(),
            profile_image: None,
            website_url: None,
        })
    }
    async fn list_boards(&self, _: &SecretString) -> Result<Vec<Board>, PinterestError> {
        Ok(vec![board()])
    }
    async fn create_board(
        &self,
        _: &SecretString,
        name: &str,
        _: Option<&str>,
    ) -> Result<Board, PinterestError> {
        Ok(Board {
            id: BoardId::parse("2").unwrap(),
            name: name.into(),
            description: None,
            privacy: None,
        })
    }
    async fn create_pin(
        &self,
        access: &SecretString,
        pin: &NewPin,
    ) -> Result<PinSummary, PinterestError> {
        self.creates
            .lock()
            .unwrap()
            .push((access.expose_secret().to_owned(), pin.clone()));
        let outcome = self
            .create_results
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(()));
        let mut n = self.next_id.lock().unwrap();
        *n += 1;
        let summary = PinSummary {
            id: PinId::parse(format!("9000{}", *n)).unwrap(),
            created_at: Some(Utc::now()),
            link: Some(pin.link.as_str().to_owned()),
            title: Some(pin.title.as_str().to_owned()),
            board_id: Some(pin.board_id.clone()),
        };
        match outcome {
            Ok(()) => Ok(summary),
            Err(e) => {
                // An unknown outcome here means "created, but the answer was lost".
                if e.kind == PinterestErrorKind::OutcomeUnknown {
                    self.board_pins.lock().unwrap().push(summary);
                }
                Err(e)
            }
        }
    }
    async fn list_board_pins(
        &self,
        _: &SecretString,
        _: &BoardId,
        since: DateTime<Utc>,
    ) -> Result<Vec<PinSummary>, PinterestError> {
        if *self.board_read_fails.lock().unwrap() {
            return Err(perr(PinterestErrorKind::Server, 503));
        }
        Ok(self
            .board_pins
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.created_at.is_none_or(|c| c >= since))
            .cloned()
            .collect())
    }
    async fn pin_analytics(
        &self,
        _: &SecretString,
        pin: &PinId,
        from: NaiveDate,
        _: NaiveDate,
    ) -> Result<Vec<PinMetrics>, PinterestError> {
        Ok(vec![PinMetrics {
            pin_id: pin.clone(),
            date: from,
            impressions: 10,
            saves: 1,
            pin_clicks: 2,
            outbound_clicks: 3,
        }])
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn board() -> Board {
    Board {
        id: BoardId::parse("1").unwrap(),
        name: "Mugs".into(),
        description: None,
        privacy: Some("PUBLIC".into()),
    }
}

struct World {
    engine: Engine,
    pinterest: Arc<FakePinterest>,
    store: Arc<MemoryStore>,
    account: Account,
}

/// A renderer that fails with the queued errors first, then "renders" bytes naming the
/// draft's title and revision; it records what it rendered.
#[derive(Default)]
struct FakeRenderer {
    failures: Mutex<VecDeque<Error>>,
    rendered: Mutex<Vec<(DraftId, u32)>>,
}

#[async_trait]
impl CreativeRenderer for FakeRenderer {
    async fn render(&self, d: &Draft) -> iqpins_core::Result<RenderedImage> {
        self.rendered.lock().unwrap().push((d.id, d.revision));
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        Ok(RenderedImage {
            content_type: "image/jpeg".into(),
            bytes: format!("creative of {} r{}", d.content.title.as_str(), d.revision).into_bytes(),
        })
    }
    fn problems(&self, c: &DraftContent) -> Vec<String> {
        c.title
            .as_str()
            .contains('日')
            .then(|| "The creative cannot draw: 日".to_owned())
            .into_iter()
            .collect()
    }
}

async fn world() -> World {
    world_with(None).await
}

async fn world_with(renderer: Option<Arc<FakeRenderer>>) -> World {
    let store = Arc::new(MemoryStore::new());
    let pinterest = Arc::new(FakePinterest::default());
    // The real clock: the fake Pinterest stamps pins with Utc::now().
    let mut engine = Engine::new(
        store.clone(),
        Some(pinterest.clone()),
        Arc::new(SystemClock),
    )
    .with_retry_base(Duration::ZERO);
    if let Some(r) = renderer {
        engine = engine.with_renderer(r);
    }
    let mut account = engine
        .create_account("Shop", "Owner@Shop.example")
        .await
        .unwrap();
    account.allowed_domains = vec!["shop.example".into()];
    store
        .set_allowed_domains(account.id, &account.allowed_domains)
        .await
        .unwrap();
    World {
        engine,
        pinterest,
        store,
        account,
    }
}

fn content(board: bool) -> DraftContent {
    DraftContent {
        title: PinTitle::parse("Blue stoneware mug").unwrap(),
        description: PinDescription::parse("A mug.").unwrap(),
        alt_text: AltText::parse("A blue mug on a table").unwrap(),
        link: Some(DestinationUrl::parse("https://shop.example/mug").unwrap()),
        image: DraftImage {
            url: Some(DestinationUrl::parse("https://shop.example/mug.jpg").unwrap()),
            creative: None,
            send: iqpins_core::ImageSend::Photo,
        },
        board: board.then(board_id),
        section: None,
    }
}

fn board_id() -> BoardId {
    board().id
}

const ME: &str = "owner@shop.example";

impl World {
    /// A feed source named `name` at https://shop.example/feed.
    async fn feed_source(&self, name: &str) -> Source {
        self.engine
            .add_source(
                self.account.id,
                ME,
                name,
                SourceKind::Feed {
                    url: "https://shop.example/feed".into(),
                },
                SourceDefaults::default(),
            )
            .await
            .unwrap()
    }
    async fn connect(&self) {
        self.engine
            .connect(self.account.id, ME, "good-code")
            .await
            .unwrap();
    }
    async fn draft(&self, board: bool) -> Draft {
        self.engine
            .create_draft(self.account.id, ME, content(board), None, None, vec![])
            .await
            .unwrap()
    }
    async fn queued(&self) -> Draft {
        self.connect().await;
        let d = self.draft(true).await;
        let d = self
            .engine
            .approve(self.account.id, ME, d.id, d.version)
            .await
            .unwrap();
        self.engine
            .publish_now(self.account.id, ME, d.id, d.version)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn approving_a_draft_without_a_board_or_connection_is_refused_with_every_reason() {
    let w = world().await;
    let d = w.draft(false).await;
    let err = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("Choose a board") && msg.contains("Connect a Pinterest account"),
        "{msg}"
    );
    let audit = w.engine.audit_log(w.account.id, 10).await.unwrap();
    assert_eq!(audit[0].action, "draft.approve");
    assert_eq!(audit[0].outcome, Outcome::Error);
}

#[tokio::test]
async fn a_link_outside_the_accounts_domains_cannot_be_approved() {
    let w = world().await;
    w.connect().await;
    w.store
        .set_allowed_domains(w.account.id, &["other.example".into()])
        .await
        .unwrap();
    let d = w.draft(true).await;
    let msg = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("shop.example, which is not one of your websites"),
        "{msg}"
    );
    w.store
        .set_allowed_domains(w.account.id, &["shop.example".into()])
        .await
        .unwrap();
    w.engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_edit_after_approval_needs_a_new_review_before_queueing() {
    let w = world().await;
    w.connect().await;
    let d = w.draft(true).await;
    let d = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
    assert_eq!(d.approved_revision, Some(1));
    let edit = DraftEdit {
        title: Some(PinTitle::parse("Blue mug, hand made").unwrap()),
        ..Default::default()
    };
    let d = w
        .engine
        .edit(w.account.id, ME, d.id, d.version, &edit)
        .await
        .unwrap();
    assert_eq!(d.state, DraftState::Pending);
    assert_eq!(d.revision, 2);
    assert_eq!(d.history.last().unwrap().fields, vec!["title".to_owned()]);
    let err = w
        .engine
        .publish_now(w.account.id, ME, d.id, d.version)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("publish_now") || err.to_string().contains("not been approved"),
        "{err}"
    );
}

#[tokio::test]
async fn a_stale_version_is_refused_and_nothing_is_overwritten() {
    let w = world().await;
    let d = w.draft(true).await;
    let e1 = DraftEdit {
        title: Some(PinTitle::parse("First reviewer").unwrap()),
        ..Default::default()
    };
    let e2 = DraftEdit {
        title: Some(PinTitle::parse("Second reviewer").unwrap()),
        ..Default::default()
    };
    w.engine
        .edit(w.account.id, ME, d.id, d.version, &e1)
        .await
        .unwrap();
    let err = w
        .engine
        .edit(w.account.id, ME, d.id, d.version, &e2)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    let now = w.engine.get_draft(w.account.id, d.id).await.unwrap();
    assert_eq!(now.content.title.as_str(), "First reviewer");
}

#[tokio::test]
async fn another_accounts_draft_behaves_as_not_found() {
    let w = world().await;
    let other = w
        .engine
        .create_account("Other", "x@other.example")
        .await
        .unwrap();
    let d = w.draft(true).await;
    for r in [
        w.engine.get_draft(other.id, d.id).await.map(|_| ()),
        w.engine
            .approve(other.id, "x", d.id, d.version)
            .await
            .map(|_| ()),
        w.engine
            .reject(other.id, "x", d.id, d.version, None)
            .await
            .map(|_| ()),
    ] {
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
    }
}

#[tokio::test]
async fn publishing_creates_the_pin_once_and_audits_it() {
    let w = world().await;
    let d = w.queued().await;
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(report.len(), 1);
    assert!(
        matches!(report[0].state, DraftState::Published { .. }),
        "{report:?}"
    );
    assert_eq!(w.pinterest.creates.lock().unwrap().len(), 1);
    // nothing left to do
    assert!(
        w.engine
            .publish_due(Duration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let actions: Vec<String> = w
        .engine
        .audit_log(w.account.id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.draft_id == Some(d.id))
        .map(|e| e.action)
        .collect();
    for a in [
        "draft.create",
        "draft.approve",
        "draft.publish_now",
        "draft.claim",
        "draft.published",
    ] {
        assert!(
            actions.contains(&a.to_owned()),
            "{a} missing in {actions:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_outcome_is_reconciled_not_retried() {
    let w = world().await;
    w.queued().await;
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::OutcomeUnknown, 504)));
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Published { .. }),
        "{report:?}"
    );
    assert_eq!(
        w.pinterest.creates.lock().unwrap().len(),
        1,
        "create must not be sent twice"
    );
}

#[tokio::test]
async fn an_unknown_outcome_that_did_not_happen_is_queued_again() {
    let w = world().await;
    w.queued().await;
    // a 500 on create where the pin was NOT created
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::Server, 500)));
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Queued { .. }),
        "{report:?}"
    );
    assert_eq!(w.pinterest.creates.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn rate_limits_honour_retry_after() {
    let w = world().await;
    w.queued().await;
    let mut e = perr(PinterestErrorKind::RateLimited, 429);
    e.retry_after = Some(Duration::from_secs(120));
    w.pinterest.create_results.lock().unwrap().push_back(Err(e));
    let before = Utc::now();
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let DraftState::Queued { at } = report[0].state else {
        panic!("{report:?}")
    };
    assert!(at >= before + chrono::Duration::seconds(119), "{at}");
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_with_the_new_token() {
    let w = world().await;
    w.queued().await;
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::Unauthorized, 401)));
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Published { .. }),
        "{report:?}"
    );
    let tokens: Vec<String> = w
        .pinterest
        .creates
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.0.clone())
        .collect();
    assert_eq!(tokens, ["access-1", "access-2"]);
    let conn = w.store.get_connection(w.account.id).await.unwrap().unwrap();
    assert_eq!(
        conn.tokens.refresh.expose_secret(),
        "refresh-2",
        "rotated refresh token stored"
    );
}

#[tokio::test]
async fn a_failed_refresh_needs_reconnect_and_keeps_the_draft_queued() {
    let w = world().await;
    w.queued().await;
    *w.pinterest.refresh_fails.lock().unwrap() = true;
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::Unauthorized, 401)));
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Queued { .. }),
        "{report:?}"
    );
    let conn = w.store.get_connection(w.account.id).await.unwrap().unwrap();
    assert_eq!(conn.status, ConnectionStatus::NeedsReconnect);
    let audit = w.engine.audit_log(w.account.id, 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "pinterest.token_refresh" && e.outcome == Outcome::Error)
    );
    assert!(audit.iter().any(|e| e.action == "pinterest.api_error"));
}

#[tokio::test]
async fn a_validation_error_fails_the_draft_and_an_edit_brings_it_back() {
    let w = world().await;
    w.queued().await;
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::Invalid, 400)));
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(report[0].state.name(), StateName::Failed);
    let d = w
        .engine
        .get_draft(w.account.id, report[0].draft_id)
        .await
        .unwrap();
    assert!(d.last_error.is_some());
    let edit = DraftEdit {
        description: Some(PinDescription::parse("Fixed").unwrap()),
        ..Default::default()
    };
    let d = w
        .engine
        .edit(w.account.id, ME, d.id, d.version, &edit)
        .await
        .unwrap();
    assert_eq!(d.state, DraftState::Pending);
}

#[tokio::test]
async fn an_expired_lease_is_reconciled_by_the_next_worker() {
    let w = world().await;
    w.queued().await;
    // a worker claims and dies
    let claimed = w
        .engine
        .claim_due(Duration::from_millis(1), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    // nothing was created, so reconciliation queues it again, and no blind create happened
    assert!(
        matches!(report[0].state, DraftState::Queued { .. }),
        "{report:?}"
    );
    assert!(w.pinterest.creates.lock().unwrap().is_empty());
}

#[tokio::test]
async fn importing_the_same_items_twice_stores_them_once() {
    let w = world().await;
    let s = w.feed_source("Feed").await;
    let item = ContentItem {
        title: Some("Mug".into()),
        url: Some("https://shop.example/mug".into()),
        ..Default::default()
    };
    let r1 = w
        .engine
        .record_items(w.account.id, ME, s.id, vec![item.clone()])
        .await
        .unwrap();
    let r2 = w
        .engine
        .record_items(w.account.id, ME, s.id, vec![item])
        .await
        .unwrap();
    assert_eq!((r1.new.len(), r1.duplicates), (1, 0));
    assert_eq!((r2.new.len(), r2.duplicates), (0, 1));
}

#[tokio::test]
async fn analytics_are_synced_for_published_pins() {
    let w = world().await;
    w.queued().await;
    w.engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let n = w
        .engine
        .sync_analytics(w.account.id, ME, day, day)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let m = w.engine.metrics(w.account.id, day, day).await.unwrap();
    assert_eq!(m[0].outbound_clicks, 3);
}

#[test]
fn backoff_grows_and_is_capped() {
    let id = DraftId::new();
    let a = Engine::backoff(id, 1, None);
    let b = Engine::backoff(id, 4, None);
    let c = Engine::backoff(id, 30, None);
    assert!(
        a >= Duration::from_secs(30) && a <= Duration::from_secs(38),
        "{a:?}"
    );
    assert!(b >= Duration::from_secs(240), "{b:?}");
    assert!(c <= Duration::from_secs(4500), "{c:?}");
    assert_eq!(
        Engine::backoff(id, 2, Some(Duration::from_secs(7))),
        Duration::from_secs(7)
    );
}

#[tokio::test]
async fn tokens_never_show_in_debug_output() {
    let w = world().await;
    w.connect().await;
    let conn = w.store.get_connection(w.account.id).await.unwrap().unwrap();
    let dbg = format!("{conn:?} {:?}", conn.tokens);
    assert!(
        !dbg.contains("access-1") && !dbg.contains("refresh-1"),
        "{dbg}"
    );
    assert!(
        dbg.contains("REDACTED") || dbg.contains("redacted"),
        "{dbg}"
    );
}

#[tokio::test]
async fn a_reconciliation_that_cannot_read_the_board_waits_for_the_lease_then_resumes() {
    let w = world().await;
    w.queued().await;
    *w.pinterest.board_read_fails.lock().unwrap() = true;
    w.pinterest
        .create_results
        .lock()
        .unwrap()
        .push_back(Err(perr(PinterestErrorKind::OutcomeUnknown, 504)));
    let report = w
        .engine
        .publish_due(Duration::from_millis(20), 10)
        .await
        .unwrap();
    assert_eq!(report[0].state.name(), StateName::Reconciling);
    // While the lease runs, nobody takes it.
    assert!(
        w.engine
            .publish_due(Duration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(30)).await;
    *w.pinterest.board_read_fails.lock().unwrap() = false;
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Published { .. }),
        "{report:?}"
    );
    assert_eq!(
        w.pinterest.creates.lock().unwrap().len(),
        1,
        "never created twice"
    );
}

#[tokio::test]
async fn generating_drafts_twice_for_the_same_items_creates_them_once() {
    let w = world().await;
    w.store
        .replace_boards(w.account.id, &[board()])
        .await
        .unwrap();
    let s = w.feed_source("Mugs feed").await;
    let items = vec![
        ContentItem {
            kind: ContentKind::Product,
            title: Some("Blue stoneware mug | Shop".into()),
            url: Some("https://shop.example/mug#reviews".into()),
            images: vec![ImageRef::new("https://shop.example/mug.jpg")],
            category: Some("Mugs".into()),
            ..Default::default()
        },
        ContentItem::default(), // nothing to write a title from
    ];
    let report = w
        .engine
        .record_items(w.account.id, ME, s.id, items)
        .await
        .unwrap();
    let writer = iqpins_core::generate::TemplateWriter::new();
    let (drafts, refused) = w
        .engine
        .generate_drafts(w.account.id, ME, s.id, &report.new, &writer)
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(refused.len(), 1);
    let d = &drafts[0];
    assert_eq!(d.state, DraftState::Pending);
    assert_eq!(d.source_id, Some(s.id));
    let link = d.content.link.as_ref().unwrap().as_str();
    assert!(
        link.starts_with("https://shop.example/mug?")
            && link.contains("utm_source=pinterest")
            && !link.contains('#'),
        "{link}"
    );
    let (again, _) = w
        .engine
        .generate_drafts(w.account.id, ME, s.id, &report.new, &writer)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn two_items_with_the_same_link_and_image_make_one_draft() {
    let w = world().await;
    let s = w
        .engine
        .add_source(
            w.account.id,
            ME,
            "CSV",
            SourceKind::Product,
            SourceDefaults::default(),
        )
        .await
        .unwrap();
    let item = |title: &str| ContentItem {
        kind: ContentKind::Product,
        title: Some(title.into()),
        url: Some("https://shop.example/mug".into()),
        images: vec![ImageRef::new("https://shop.example/mug.jpg")],
        ..Default::default()
    };
    let report = w
        .engine
        .record_items(
            w.account.id,
            ME,
            s.id,
            vec![item("Blue mug"), item("Blue mug, large")],
        )
        .await
        .unwrap();
    assert_eq!(report.new.len(), 2);
    let (drafts, _) = w
        .engine
        .generate_drafts(
            w.account.id,
            ME,
            s.id,
            &report.new,
            &iqpins_core::generate::TemplateWriter::new(),
        )
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
}

/// Creates, approves and queues a draft that publishes its creative.
async fn queued_creative(w: &World) -> Draft {
    w.connect().await;
    let mut c = content(true);
    c.image.send = ImageSend::Creative;
    let d = w
        .engine
        .create_draft(w.account.id, ME, c, None, None, vec![])
        .await
        .unwrap();
    let d = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
    w.engine
        .publish_now(w.account.id, ME, d.id, d.version)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_draft_set_to_its_creative_publishes_the_rendered_bytes() {
    use base64::Engine as _;
    let renderer = Arc::new(FakeRenderer::default());
    let w = world_with(Some(renderer.clone())).await;
    let d = queued_creative(&w).await;
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(report[0].state, DraftState::Published { .. }),
        "{report:?}"
    );
    // Rendered from the approved revision, and sent as image_base64.
    assert_eq!(*renderer.rendered.lock().unwrap(), vec![(d.id, d.revision)]);
    let creates = w.pinterest.creates.lock().unwrap().clone();
    assert_eq!(creates.len(), 1);
    let PinMedia::ImageBase64 { content_type, data } = &creates[0].1.media else {
        panic!("{:?}", creates[0].1.media)
    };
    assert_eq!(content_type, "image/jpeg");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    assert_eq!(bytes, b"creative of Blue stoneware mug r1");
    let published = w
        .engine
        .audit_log(w.account.id, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "draft.published")
        .unwrap();
    assert!(published.detail.ends_with("(creative)"), "{published:?}");
}

#[tokio::test]
async fn without_a_renderer_a_creative_draft_is_not_approved_and_never_sent_as_a_photo() {
    // Approval is refused on an engine that cannot render.
    let w = world().await;
    w.connect().await;
    let mut c = content(true);
    c.image.send = ImageSend::Creative;
    let d = w
        .engine
        .create_draft(w.account.id, ME, c, None, None, vec![])
        .await
        .unwrap();
    let e = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("publish the source photo"), "{e}");

    // Approved where it could render, published by an engine that cannot (say, a build
    // without the renderer): the draft fails with the reason, the photo is not sent instead.
    let w = world_with(Some(Arc::new(FakeRenderer::default()))).await;
    queued_creative(&w).await;
    let other = Engine::new(
        w.store.clone(),
        Some(w.pinterest.clone()),
        Arc::new(SystemClock),
    );
    let report = other
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let DraftState::Failed { reason } = &report[0].state else {
        panic!("{report:?}")
    };
    assert!(reason.contains("no creative renderer"), "{reason}");
    assert!(w.pinterest.creates.lock().unwrap().is_empty());
}

#[tokio::test]
async fn what_the_renderer_cannot_draw_blocks_approval_of_the_creative_only() {
    let w = world_with(Some(Arc::new(FakeRenderer::default()))).await;
    w.connect().await;
    let mut c = content(true);
    c.title = PinTitle::parse("日本の茶碗").unwrap();
    c.image.send = ImageSend::Creative;
    let d = w
        .engine
        .create_draft(w.account.id, ME, c, None, None, vec![])
        .await
        .unwrap();
    let e = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot draw: 日"), "{e}");
    // Publishing the photo instead needs no font.
    let edit = DraftEdit {
        image_send: Some(ImageSend::Photo),
        ..Default::default()
    };
    let d = w
        .engine
        .edit(w.account.id, ME, d.id, d.version, &edit)
        .await
        .unwrap();
    w.engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_creative_whose_photo_cannot_be_fetched_waits_and_is_sent_once_later() {
    let renderer = Arc::new(FakeRenderer::default());
    renderer.failures.lock().unwrap().push_back(Error::Fetch {
        url: "https://shop.example/mug.jpg".into(),
        reason: "timed out".into(),
    });
    let w = world_with(Some(renderer.clone())).await;
    queued_creative(&w).await;
    let first = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(first[0].state, DraftState::Queued { .. }),
        "{first:?}"
    );
    assert!(w.pinterest.creates.lock().unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(
        matches!(second[0].state, DraftState::Published { .. }),
        "{second:?}"
    );
    assert_eq!(w.pinterest.creates.lock().unwrap().len(), 1);
    assert_eq!(renderer.rendered.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_photo_that_cannot_be_rendered_fails_the_draft_and_switching_to_the_photo_publishes_it() {
    let renderer = Arc::new(FakeRenderer::default());
    renderer
        .failures
        .lock()
        .unwrap()
        .push_back(Error::invalid("image", "not a JPEG, PNG or WebP image"));
    let w = world_with(Some(renderer.clone())).await;
    let d = queued_creative(&w).await;
    let report = w
        .engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let DraftState::Failed { reason } = &report[0].state else {
        panic!("{report:?}")
    };
    assert!(reason.contains("not a JPEG"), "{reason}");
    // The reviewer switches to the photo: a new revision, reviewed again, sent by URL.
    let d = w.engine.get_draft(w.account.id, d.id).await.unwrap();
    let edit = DraftEdit {
        image_send: Some(ImageSend::Photo),
        ..Default::default()
    };
    let d = w
        .engine
        .edit(w.account.id, ME, d.id, d.version, &edit)
        .await
        .unwrap();
    assert_eq!(d.state, DraftState::Pending);
    assert_eq!(d.content.image.send, ImageSend::Photo);
    let d = w
        .engine
        .approve(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
    w.engine
        .publish_now(w.account.id, ME, d.id, d.version)
        .await
        .unwrap();
    w.engine
        .publish_due(Duration::from_secs(60), 10)
        .await
        .unwrap();
    let creates = w.pinterest.creates.lock().unwrap();
    assert_eq!(creates.len(), 1);
    assert!(
        matches!(creates[0].1.media, PinMedia::ImageUrl(_)),
        "{:?}",
        creates[0].1.media
    );
}

#[tokio::test]
async fn with_a_renderer_generated_drafts_publish_their_creative() {
    let renderer = Arc::new(FakeRenderer::default());
    let w = world_with(Some(renderer)).await;
    let s = w.feed_source("Mugs feed").await;
    let items = vec![
        ContentItem {
            kind: ContentKind::Product,
            title: Some("Blue stoneware mug".into()),
            url: Some("https://shop.example/mug".into()),
            images: vec![ImageRef::new("https://shop.example/mug.jpg")],
            ..Default::default()
        },
        ContentItem {
            kind: ContentKind::Article,
            title: Some("How we glaze".into()),
            url: Some("https://shop.example/glaze".into()),
            ..Default::default()
        },
    ];
    let report = w
        .engine
        .record_items(w.account.id, ME, s.id, items)
        .await
        .unwrap();
    let writer = iqpins_core::generate::TemplateWriter::new();
    let (drafts, _) = w
        .engine
        .generate_drafts(w.account.id, ME, s.id, &report.new, &writer)
        .await
        .unwrap();
    let sends: Vec<ImageSend> = drafts.iter().map(|d| d.content.image.send).collect();
    // The item without a photo has nothing to render from.
    assert_eq!(sends, vec![ImageSend::Creative, ImageSend::Photo]);
}
