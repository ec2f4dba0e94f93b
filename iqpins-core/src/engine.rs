//! The [`Engine`]: the user workflow over the ports. Adapters (server, Python, examples)
//! call these methods; the rules of review and publishing live here and only here.
//!
//! Rules enforced:
//! - approval needs a board, a link, valid fields and an active Pinterest connection;
//! - any edit after approval sends the draft back to review (Pending);
//! - only the approved revision can be queued, and only queued drafts are published;
//! - an unknown publishing outcome is reconciled against the board, never blindly retried;
//! - every operation, refused or not, writes an [`AuditEvent`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::content::ContentItem;
use crate::domain::{
    Account, AuditEvent, Board, Connection, ConnectionStatus, Draft, DraftContent, DraftEdit,
    ImageSend, Outcome, PinMetrics, Revision, Source, SourceDefaults, SourceKind, StoredItem,
    Tokens,
};
use crate::error::{Error, Result};
use crate::ids::{AccountId, DraftId, EventId, ItemId, SourceId};
use crate::lifecycle::{DraftEvent, DraftState, transition};
use crate::ports::{
    Clock, CreativeRenderer, DraftFilter, NewPin, PinMedia, Pinterest, PinterestError,
    PinterestErrorKind, Store,
};

use base64::Engine as _;

/// Who acts on behalf of the scheduler.
pub const WORKER: &str = "worker";

/// Refresh access tokens that expire sooner than this.
const REFRESH_AHEAD: chrono::Duration = chrono::Duration::minutes(5);

/// The first retry delay unless [`Engine::with_retry_base`] sets another.
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(30);

/// Attempts after which a draft that keeps failing with retryable errors is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// Longest account or source name.
pub const NAME_MAX: usize = 200;

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    if name.chars().count() > NAME_MAX {
        return Err(Error::invalid(
            "name",
            format!("is longer than {NAME_MAX} characters"),
        ));
    }
    Ok(name)
}

/// Result of recording imported items.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// Items stored for the first time.
    pub new: Vec<StoredItem>,
    /// Items already known (same fingerprint).
    pub duplicates: usize,
}

/// What happened to one claimed draft in [`Engine::publish_due`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishReport {
    /// The draft.
    pub draft_id: DraftId,
    /// Its state afterwards.
    pub state: DraftState,
}

/// The workflow facade, built from the ports.
pub struct Engine {
    store: Arc<dyn Store>,
    pinterest: Option<Arc<dyn Pinterest>>,
    clock: Arc<dyn Clock>,
    retry_base: Duration,
    renderer: Option<Arc<dyn CreativeRenderer>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("pinterest", &self.pinterest.is_some())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over a store, an optional Pinterest port (none: no connect/publish), a clock.
    pub fn new(
        store: Arc<dyn Store>,
        pinterest: Option<Arc<dyn Pinterest>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            pinterest,
            clock,
            retry_base: DEFAULT_RETRY_BASE,
            renderer: None,
        }
    }

    /// Sets the renderer of creatives, used to publish drafts whose
    /// [`ImageSend`](crate::ImageSend) is `Creative`. Without one such drafts fail with a
    /// reason instead of publishing something the reviewer did not choose.
    pub fn with_renderer(mut self, renderer: Arc<dyn CreativeRenderer>) -> Self {
        self.renderer = Some(renderer);
        self
    }

    /// Sets the first retry delay (doubling per attempt, capped at an hour); 30 s unless
    /// set. Tests and simulations use a short one.
    pub fn with_retry_base(mut self, base: Duration) -> Self {
        self.retry_base = base;
        self
    }

    fn retry_delay(&self, d: &Draft, retry_after: Option<Duration>) -> chrono::Duration {
        chrono::Duration::from_std(Self::backoff_from(
            self.retry_base,
            d.id,
            d.attempts,
            retry_after,
        ))
        .unwrap_or_default()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Now, by the engine's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn pinterest(&self) -> Result<&Arc<dyn Pinterest>> {
        self.pinterest.as_ref().ok_or_else(|| Error::Refused {
            action: "pinterest",
            reasons: vec!["this engine has no Pinterest client configured".into()],
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        account: AccountId,
        actor: &str,
        action: &str,
        draft: Option<DraftId>,
        source: Option<SourceId>,
        outcome: Outcome,
        detail: impl Into<String>,
    ) -> Result<()> {
        self.store
            .append_audit(&AuditEvent {
                id: EventId::new(),
                account_id: account,
                actor: actor.to_owned(),
                action: action.to_owned(),
                draft_id: draft,
                source_id: source,
                outcome,
                detail: detail.into(),
                at: self.clock.now(),
            })
            .await
    }

    /// Audits the result of an operation on a draft, then returns it.
    async fn audited<T>(
        &self,
        account: AccountId,
        actor: &str,
        action: &str,
        draft: Option<DraftId>,
        result: Result<T>,
        ok_detail: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        let (outcome, detail) = match &result {
            Ok(v) => (Outcome::Ok, ok_detail(v)),
            Err(e) => (Outcome::Error, e.to_string()),
        };
        self.audit(account, actor, action, draft, None, outcome, detail)
            .await?;
        result
    }

    // ----- accounts and sources -------------------------------------------------------

    /// Creates an account (e-mail unique, case-insensitive).
    pub async fn create_account(&self, name: &str, email: &str) -> Result<Account> {
        let email = email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(Error::invalid(
                "email",
                format!("{email:?} is not an e-mail address"),
            ));
        }
        let name = check_name(name)?;
        let account = Account {
            id: AccountId::new(),
            name: name.to_owned(),
            email: email.clone(),
            allowed_domains: Vec::new(),
            created_at: self.clock.now(),
        };
        self.store.create_account(&account).await?;
        self.audit(
            account.id,
            &email,
            "account.create",
            None,
            None,
            Outcome::Ok,
            "",
        )
        .await?;
        Ok(account)
    }

    /// Adds a content source.
    pub async fn add_source(
        &self,
        account: AccountId,
        actor: &str,
        name: &str,
        kind: SourceKind,
        defaults: SourceDefaults,
    ) -> Result<Source> {
        let name = check_name(name)?;
        if let SourceKind::Csv { file_name } = &kind
            && file_name.chars().count() > 255
        {
            return Err(Error::invalid("file_name", "is longer than 255 characters"));
        }
        if let SourceKind::Url { url } | SourceKind::Feed { url } = &kind {
            crate::fields::DestinationUrl::parse_field("url", url)?;
        }
        self.store.get_account(account).await?;
        let source = Source {
            id: SourceId::new(),
            account_id: account,
            name: name.to_owned(),
            kind,
            defaults,
            created_at: self.clock.now(),
        };
        self.store.insert_source(&source).await?;
        self.audit(
            account,
            actor,
            "source.add",
            None,
            Some(source.id),
            Outcome::Ok,
            &source.name,
        )
        .await?;
        Ok(source)
    }

    /// The account's sources.
    pub async fn list_sources(&self, account: AccountId) -> Result<Vec<Source>> {
        self.store.list_sources(account).await
    }

    /// Records imported items of a source; items already known are counted, not stored again.
    pub async fn record_items(
        &self,
        account: AccountId,
        actor: &str,
        source: SourceId,
        items: Vec<ContentItem>,
    ) -> Result<ImportReport> {
        self.store.get_source(account, source).await?;
        let mut report = ImportReport::default();
        let now = self.clock.now();
        for item in items {
            let stored = StoredItem {
                id: ItemId::new(),
                account_id: account,
                source_id: source,
                fingerprint: item.fingerprint(),
                item,
                imported_at: now,
            };
            let (stored, new) = self.store.upsert_item(&stored).await?;
            if new {
                report.new.push(stored);
            } else {
                report.duplicates += 1;
            }
        }
        self.audit(
            account,
            actor,
            "source.import",
            None,
            Some(source),
            Outcome::Ok,
            format!(
                "{} new, {} already known",
                report.new.len(),
                report.duplicates
            ),
        )
        .await?;
        Ok(report)
    }

    // ----- drafts ---------------------------------------------------------------------

    /// Stores a new pending draft. `origin` ties it to its source and item; `fingerprint`
    /// (item + variant) de-duplicates: a draft whose fingerprint or link + image the
    /// account already has is refused with `Error::Conflict`.
    pub async fn create_draft(
        &self,
        account: AccountId,
        actor: &str,
        content: DraftContent,
        origin: Option<(SourceId, ItemId)>,
        fingerprint: Option<String>,
        flags: Vec<String>,
    ) -> Result<Draft> {
        self.store.get_account(account).await?;
        let link_image = content
            .link
            .as_ref()
            .zip(content.image.url.as_ref())
            .map(|(l, i)| (l.as_str(), i.as_str()));
        let fp = fingerprint.clone().unwrap_or_default();
        if (fingerprint.is_some() || link_image.is_some())
            && self.store.draft_exists(account, &fp, link_image).await?
        {
            return Err(Error::Conflict {
                what: "a draft with the same content".into(),
                expected: 0,
            });
        }
        let mut draft = Draft::new(account, content, self.clock.now());
        draft.source_id = origin.map(|o| o.0);
        draft.item_id = origin.map(|o| o.1);
        draft.fingerprint = fingerprint;
        draft.flags = flags;
        let draft = self.store.insert_draft(&draft).await?;
        self.audit(
            account,
            actor,
            "draft.create",
            Some(draft.id),
            draft.source_id,
            Outcome::Ok,
            "",
        )
        .await?;
        Ok(draft)
    }

    /// Generates drafts for imported items of a source with `writer` (board from the
    /// source's rules and default, else a confident suggestion from the cached boards),
    /// skipping anything the account already has a draft for. Returns the new drafts and,
    /// per item the writer refused, the item's id and why.
    pub async fn generate_drafts(
        &self,
        account: AccountId,
        actor: &str,
        source: SourceId,
        items: &[StoredItem],
        writer: &dyn crate::ports::CopyWriter,
    ) -> Result<(Vec<Draft>, Vec<(ItemId, Error)>)> {
        use crate::generate::{BoardIndex, Existing, generate};
        use crate::ports::WriteContext;
        let source = self.store.get_source(account, source).await?;
        let boards = BoardIndex::new(&self.store.list_boards(account).await?);
        let ctx = WriteContext::for_source(&source);
        let mut existing = Existing::from_drafts(
            &self
                .store
                .list_drafts(account, &DraftFilter::default())
                .await?,
        );
        let mut created = Vec::new();
        let mut refused = Vec::new();
        for stored in items.iter().filter(|i| i.account_id == account) {
            let generated = match generate(writer, &stored.item, &ctx, &boards, &source.defaults) {
                Ok(g) => g,
                Err(e) => {
                    refused.push((stored.id, e));
                    continue;
                }
            };
            for g in generated {
                let link = g.content.link.as_ref().map(|l| l.as_str().to_owned());
                let image = g.content.image.url.as_ref().map(|u| u.as_str().to_owned());
                if existing.contains(Some(&g.fingerprint), link.as_deref(), image.as_deref()) {
                    continue;
                }
                existing.add(Some(&g.fingerprint), link.as_deref(), image.as_deref());
                let mut draft =
                    g.into_draft(account, Some(source.id), Some(stored.id), self.clock.now());
                // With a renderer the Pin is the rendered creative (what the review page
                // shows); the reviewer can switch to the photo.
                if self.renderer.is_some() && draft.content.image.url.is_some() {
                    draft.content.image.send = ImageSend::Creative;
                }
                let draft = self.store.insert_draft(&draft).await?;
                self.audit(
                    account,
                    actor,
                    "draft.generate",
                    Some(draft.id),
                    Some(source.id),
                    Outcome::Ok,
                    draft.flags.join(", "),
                )
                .await?;
                created.push(draft);
            }
            // Variants of one item may share a link and image; another item may not.
            existing.seal();
        }
        Ok((created, refused))
    }

    /// Fills in a board for pending drafts that have none, from the source's rules and
    /// default or a confident suggestion over the cached boards (after boards were synced).
    /// Returns how many drafts got a board.
    pub async fn suggest_missing_boards(&self, account: AccountId, actor: &str) -> Result<usize> {
        use crate::generate::{BoardIndex, NEEDS_BOARD};
        let boards = BoardIndex::new(&self.store.list_boards(account).await?);
        let pending = self
            .store
            .list_drafts(
                account,
                &DraftFilter {
                    state: Some(crate::lifecycle::StateName::Pending),
                    ..Default::default()
                },
            )
            .await?;
        let items = self.store.list_items(account, None).await?;
        let sources = self.store.list_sources(account).await?;
        let mut n = 0;
        for mut d in pending.into_iter().filter(|d| d.content.board.is_none()) {
            let Some(item) = d.item_id.and_then(|id| items.iter().find(|i| i.id == id)) else {
                continue;
            };
            let defaults = sources
                .iter()
                .find(|s| Some(s.id) == d.source_id)
                .map(|s| s.defaults.clone())
                .unwrap_or_default();
            let Some(choice) = boards.choose(&item.item, &defaults) else {
                continue;
            };
            d.content.board = Some(choice.id.clone());
            d.flags.retain(|f| f != NEEDS_BOARD);
            d.updated_at = self.clock.now();
            let d = match self.store.update_draft(&d).await {
                Ok(d) => d,
                // A reviewer changed it meanwhile: their choice wins.
                Err(Error::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            };
            self.audit(
                account,
                actor,
                "draft.board_suggested",
                Some(d.id),
                d.source_id,
                Outcome::Ok,
                format!("{} ({:.0} %)", choice.name, choice.confidence * 100.0),
            )
            .await?;
            n += 1;
        }
        Ok(n)
    }

    /// A draft of the account.
    pub async fn get_draft(&self, account: AccountId, id: DraftId) -> Result<Draft> {
        self.store.get_draft(account, id).await
    }

    /// The account's drafts.
    pub async fn list_drafts(
        &self,
        account: AccountId,
        filter: &DraftFilter,
    ) -> Result<Vec<Draft>> {
        self.store.list_drafts(account, filter).await
    }

    /// Loads a draft and checks the caller saw its current version.
    async fn load(&self, account: AccountId, id: DraftId, version: i64) -> Result<Draft> {
        let d = self.store.get_draft(account, id).await?;
        if d.version != version {
            return Err(Error::Conflict {
                what: format!("draft {id}"),
                expected: version,
            });
        }
        Ok(d)
    }

    async fn step(&self, mut d: Draft, event: &DraftEvent) -> Result<Draft> {
        d.state = transition(&d.state, event)?;
        d.updated_at = self.clock.now();
        self.store.update_draft(&d).await
    }

    /// Edits a draft (`version` is the version the reviewer saw). A real change makes a
    /// new revision and sends an approved or failed draft back to review.
    pub async fn edit(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
        edit: &DraftEdit,
    ) -> Result<Draft> {
        let r = async {
            let mut d = self.load(account, id, version).await?;
            let changed = edit.apply(&mut d.content);
            if changed.is_empty() {
                return Ok(d);
            }
            d.state = transition(&d.state, &DraftEvent::Edit)?;
            d.revision += 1;
            d.approved_revision = None;
            d.last_error = None;
            d.history.push(Revision {
                revision: d.revision,
                actor: actor.to_owned(),
                at: self.clock.now(),
                fields: changed.iter().map(|s| (*s).to_owned()).collect(),
            });
            d.updated_at = self.clock.now();
            self.store.update_draft(&d).await
        }
        .await;
        self.audited(account, actor, "draft.edit", Some(id), r, |d| {
            format!("revision {}", d.revision)
        })
        .await
    }

    /// Why this draft cannot be approved now (empty when it can): the readiness checks
    /// of [`crate::generate::readiness`] plus an active Pinterest connection.
    pub async fn approval_problems(&self, d: &Draft) -> Result<Vec<String>> {
        let account = self.store.get_account(d.account_id).await?;
        let connection = self.store.get_connection(d.account_id).await?;
        Ok(self.approval_reasons(d, &account, connection.as_ref()))
    }

    /// [`Engine::approval_problems`] from an already loaded account and connection (a
    /// review page checks many drafts of one account).
    pub fn approval_reasons(
        &self,
        d: &Draft,
        account: &Account,
        connection: Option<&Connection>,
    ) -> Vec<String> {
        let mut reasons: Vec<String> =
            crate::generate::readiness(&d.content, &account.allowed_domains)
                .into_iter()
                .map(String::from)
                .collect();
        if d.content.image.send == ImageSend::Creative {
            match &self.renderer {
                Some(r) => reasons.extend(r.problems(&d.content)),
                None => reasons.push(
                    "Creatives cannot be rendered here: choose to publish the source photo."
                        .to_owned(),
                ),
            }
        }
        match connection {
            Some(c) if c.status == ConnectionStatus::Active => {}
            Some(_) => reasons.push("Reconnect your Pinterest account.".to_owned()),
            None => reasons.push("Connect a Pinterest account.".to_owned()),
        }
        reasons
    }

    /// Approves the current revision; refused with every reason that is not met.
    pub async fn approve(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
    ) -> Result<Draft> {
        let r = async {
            let mut d = self.load(account, id, version).await?;
            transition(&d.state, &DraftEvent::Approve)?;
            let reasons = self.approval_problems(&d).await?;
            if !reasons.is_empty() {
                return Err(Error::Refused {
                    action: "approve",
                    reasons,
                });
            }
            d.approved_revision = Some(d.revision);
            self.step(d, &DraftEvent::Approve).await
        }
        .await;
        self.audited(account, actor, "draft.approve", Some(id), r, |d| {
            format!("revision {}", d.revision)
        })
        .await
    }

    /// One reviewer move on a draft: load the version the reviewer saw, check that the
    /// approved revision is the current one when the move queues it, apply the event,
    /// and audit the outcome either way.
    #[allow(clippy::too_many_arguments)]
    async fn review_step(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
        action: &str,
        needs_approval: bool,
        event: DraftEvent,
        detail: String,
    ) -> Result<Draft> {
        let r = async {
            let d = self.load(account, id, version).await?;
            if needs_approval {
                Self::check_approved_revision(&d)?;
            }
            self.step(d, &event).await
        }
        .await;
        self.audited(account, actor, action, Some(id), r, |_| detail)
            .await
    }

    /// Rejects a pending draft.
    pub async fn reject(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
        reason: Option<&str>,
    ) -> Result<Draft> {
        let detail = reason.unwrap_or_default().to_owned();
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.reject",
            false,
            DraftEvent::Reject,
            detail,
        )
        .await
    }

    /// Brings a rejected draft back to review.
    pub async fn restore(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
    ) -> Result<Draft> {
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.restore",
            false,
            DraftEvent::Restore,
            String::new(),
        )
        .await
    }

    fn check_approved_revision(d: &Draft) -> Result<()> {
        if d.approved_revision != Some(d.revision) {
            return Err(Error::Refused {
                action: "schedule",
                reasons: vec!["this revision has not been approved".into()],
            });
        }
        Ok(())
    }

    /// Queues an approved draft for the next worker run.
    pub async fn publish_now(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
    ) -> Result<Draft> {
        let now = self.clock.now();
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.publish_now",
            true,
            DraftEvent::PublishNow { now },
            String::new(),
        )
        .await
    }

    /// Schedules an approved (or re-schedules a queued) draft for a time.
    pub async fn schedule(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<Draft> {
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.schedule",
            true,
            DraftEvent::Schedule { at },
            at.to_rfc3339(),
        )
        .await
    }

    /// Takes a queued draft off the schedule (back to Approved).
    pub async fn unschedule(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
    ) -> Result<Draft> {
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.unschedule",
            false,
            DraftEvent::Unschedule,
            String::new(),
        )
        .await
    }

    /// Queues a failed draft again (its approved revision is unchanged).
    pub async fn retry(
        &self,
        account: AccountId,
        actor: &str,
        id: DraftId,
        version: i64,
    ) -> Result<Draft> {
        let at = self.clock.now();
        self.review_step(
            account,
            actor,
            id,
            version,
            "draft.retry",
            true,
            DraftEvent::Retry { at },
            String::new(),
        )
        .await
    }

    /// The account's audit log, newest first.
    pub async fn audit_log(&self, account: AccountId, limit: u32) -> Result<Vec<AuditEvent>> {
        self.store.list_audit(account, limit).await
    }

    // ----- scheduler ------------------------------------------------------------------

    /// Claims due drafts with a lease (see [`Store::claim_due_drafts`]) and audits each claim.
    pub async fn claim_due(&self, lease: Duration, limit: u32) -> Result<Vec<Draft>> {
        let claimed = self
            .store
            .claim_due_drafts(self.clock.now(), lease, limit)
            .await?;
        for d in &claimed {
            self.audit(
                d.account_id,
                WORKER,
                "draft.claim",
                Some(d.id),
                None,
                Outcome::Ok,
                d.state.name().as_str(),
            )
            .await?;
        }
        Ok(claimed)
    }

    /// Applies a worker event to a claimed draft, audited as `action`.
    async fn worker_step(
        &self,
        d: Draft,
        event: DraftEvent,
        action: &str,
        outcome: Outcome,
        detail: String,
    ) -> Result<Draft> {
        let (account, id) = (d.account_id, d.id);
        let mut d = d;
        if let DraftEvent::Permanent { reason } = &event {
            d.last_error = Some(reason.clone());
        }
        let d = self.step(d, &event).await?;
        self.audit(account, WORKER, action, Some(id), None, outcome, detail)
            .await?;
        Ok(d)
    }

    /// Records that Pinterest created the pin.
    pub async fn mark_published(&self, d: Draft, pin_id: crate::fields::PinId) -> Result<Draft> {
        let at = self.clock.now();
        let detail = format!("pin {pin_id} ({})", d.content.image.send.as_str());
        self.worker_step(
            d,
            DraftEvent::Created { pin_id, at },
            "draft.published",
            Outcome::Ok,
            detail,
        )
        .await
    }

    /// Records a permanent failure.
    pub async fn mark_failed(&self, d: Draft, reason: &str) -> Result<Draft> {
        self.worker_step(
            d,
            DraftEvent::Permanent {
                reason: reason.to_owned(),
            },
            "draft.failed",
            Outcome::Error,
            reason.to_owned(),
        )
        .await
    }

    /// Records that the outcome of a create is unknown (→ Reconciling).
    pub async fn mark_reconciling(&self, d: Draft, why: &str) -> Result<Draft> {
        self.worker_step(
            d,
            DraftEvent::OutcomeUnknown,
            "draft.reconciling",
            Outcome::Error,
            why.to_owned(),
        )
        .await
    }

    /// Puts a draft back in the queue after a retryable failure.
    pub async fn mark_retry(&self, d: Draft, retry_at: DateTime<Utc>, why: &str) -> Result<Draft> {
        self.worker_step(
            d,
            DraftEvent::Retryable { retry_at },
            "draft.retry_later",
            Outcome::Error,
            format!("{why}; next try {}", retry_at.to_rfc3339()),
        )
        .await
    }

    /// When to try again after `attempts` failures: exponential from 30 s, at most 1 h,
    /// with a jitter of up to 25 % derived from the draft id (spreads retries, stays
    /// deterministic for tests). `retry_after` (Pinterest's `Retry-After`) wins.
    pub fn backoff(id: DraftId, attempts: u32, retry_after: Option<Duration>) -> Duration {
        Self::backoff_from(DEFAULT_RETRY_BASE, id, attempts, retry_after)
    }

    /// [`Engine::backoff`] from another first delay.
    pub fn backoff_from(
        base: Duration,
        id: DraftId,
        attempts: u32,
        retry_after: Option<Duration>,
    ) -> Duration {
        if let Some(ra) = retry_after {
            return ra;
        }
        let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
        let ms = base_ms
            .saturating_mul(1u64 << attempts.saturating_sub(1).min(7))
            .min(3_600_000);
        let h = Sha256::digest(format!("{id}:{attempts}").as_bytes());
        let jitter = u64::from(h[0]) * ms / 4 / 255;
        Duration::from_millis(ms + jitter)
    }

    /// A valid access token for the account, refreshing it ahead of expiry. A failed
    /// refresh marks the connection `NeedsReconnect` and returns [`Error::NeedsReconnect`].
    pub async fn access_token(&self, account: AccountId) -> Result<SecretString> {
        let conn = self
            .store
            .get_connection(account)
            .await?
            .ok_or(Error::NeedsReconnect)?;
        if conn.status != ConnectionStatus::Active {
            return Err(Error::NeedsReconnect);
        }
        if conn.tokens.access_expires_at - self.clock.now() > REFRESH_AHEAD {
            return Ok(conn.tokens.access.clone());
        }
        self.refresh_connection(conn).await
    }

    async fn refresh_connection(&self, mut conn: Connection) -> Result<SecretString> {
        let account = conn.account_id;
        match self.pinterest()?.refresh(&conn.tokens.refresh).await {
            Ok(grant) => {
                conn.tokens = Tokens {
                    access: grant.access_token,
                    access_expires_at: grant.access_expires_at,
                    refresh: grant.refresh_token,
                    refresh_expires_at: grant.refresh_expires_at,
                };
                conn.refreshed_at = Some(self.clock.now());
                self.store.put_connection(&conn).await?;
                self.audit(
                    account,
                    WORKER,
                    "pinterest.token_refresh",
                    None,
                    None,
                    Outcome::Ok,
                    "",
                )
                .await?;
                Ok(conn.tokens.access)
            }
            Err(e) => {
                self.audit(
                    account,
                    WORKER,
                    "pinterest.token_refresh",
                    None,
                    None,
                    Outcome::Error,
                    e.to_string(),
                )
                .await?;
                if matches!(
                    e.kind,
                    PinterestErrorKind::InvalidRefreshToken
                        | PinterestErrorKind::Unauthorized
                        | PinterestErrorKind::Invalid
                ) {
                    conn.status = ConnectionStatus::NeedsReconnect;
                    self.store.put_connection(&conn).await?;
                    self.audit(
                        account,
                        WORKER,
                        "pinterest.needs_reconnect",
                        None,
                        None,
                        Outcome::Error,
                        "refresh refused",
                    )
                    .await?;
                    Err(Error::NeedsReconnect)
                } else {
                    Err(e.into())
                }
            }
        }
    }

    async fn api_error(
        &self,
        account: AccountId,
        draft: Option<DraftId>,
        op: &str,
        e: &PinterestError,
    ) -> Result<()> {
        self.audit(
            account,
            WORKER,
            "pinterest.api_error",
            draft,
            None,
            Outcome::Error,
            format!("{op}: {e}"),
        )
        .await
    }

    /// One worker pass: claims up to `limit` due drafts and publishes or reconciles each.
    /// Errors of single drafts are recorded on them; a draft whose step fails outright
    /// (store unavailable) is left to its lease and does not stop the others. The pass
    /// returns an error only when nothing could be done.
    pub async fn publish_due(&self, lease: Duration, limit: u32) -> Result<Vec<PublishReport>> {
        let claimed = self.claim_due(lease, limit).await?;
        let mut out = Vec::with_capacity(claimed.len());
        let mut first_error = None;
        for d in claimed {
            let id = d.id;
            let done = match d.state {
                DraftState::Reconciling { .. } => self.reconcile(d).await,
                _ => self.publish_claimed(d).await,
            };
            // One draft's failure (its lease will expire and it will be reconciled) must
            // not hold up the others of the pass.
            match done {
                Ok(d) => out.push(PublishReport {
                    draft_id: id,
                    state: d.state,
                }),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if out.is_empty() => Err(e),
            _ => Ok(out),
        }
    }

    fn new_pin(d: &Draft) -> std::result::Result<NewPin, &'static str> {
        let c = &d.content;
        let board_id = c.board.clone().ok_or("no board")?;
        let link = c.link.clone().ok_or("no link")?;
        let url = c.image.url.clone().ok_or("no image")?;
        Ok(NewPin {
            board_id,
            board_section_id: c.section.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            alt_text: c.alt_text.clone(),
            link,
            media: PinMedia::ImageUrl(url),
        })
    }

    /// Publishes one draft the caller holds a `Publishing` lease on.
    pub async fn publish_claimed(&self, d: Draft) -> Result<Draft> {
        let now = self.clock.now();
        let account = d.account_id;
        // Approval is re-checked at the last moment: nothing unapproved ever leaves.
        if d.approved_revision != Some(d.revision) {
            return self.mark_failed(d, "this revision was not approved").await;
        }
        let mut pin = match Self::new_pin(&d) {
            Ok(p) => p,
            Err(why) => return self.mark_failed(d, why).await,
        };
        if d.content.image.send == ImageSend::Creative {
            let Some(renderer) = &self.renderer else {
                return self
                    .mark_failed(
                        d,
                        "the draft publishes its rendered creative and no creative renderer is configured",
                    )
                    .await;
            };
            match renderer.render(&d).await {
                Ok(img) => {
                    pin.media = PinMedia::ImageBase64 {
                        content_type: img.content_type,
                        data: base64::engine::general_purpose::STANDARD.encode(&img.bytes),
                    }
                }
                // The photo could not be fetched: nothing was sent, try again later.
                Err(e @ Error::Fetch { .. }) if d.attempts < MAX_ATTEMPTS => {
                    let at = now + self.retry_delay(&d, None);
                    return self
                        .mark_retry(d, at, &format!("the creative could not be rendered: {e}"))
                        .await;
                }
                Err(e) => {
                    return self
                        .mark_failed(d, &format!("the creative could not be rendered: {e}"))
                        .await;
                }
            }
        }
        let token = match self.access_token(account).await {
            Ok(t) => t,
            Err(Error::NeedsReconnect) => {
                let at = now + chrono::Duration::minutes(15);
                return self
                    .mark_retry(d, at, "Pinterest connection needs reconnecting")
                    .await;
            }
            Err(Error::Pinterest(e)) => {
                let at = now + self.retry_delay(&d, e.retry_after);
                return self
                    .mark_retry(d, at, &format!("token refresh failed: {e}"))
                    .await;
            }
            // The stored tokens cannot be read (e.g. the secret key changed): nothing was
            // sent, so the draft waits in the queue; the audit log says why.
            Err(e @ Error::Vault(_)) => {
                let at = now + chrono::Duration::minutes(15);
                return self
                    .mark_retry(d, at, &format!("the Pinterest tokens cannot be read: {e}"))
                    .await;
            }
            Err(e) => return Err(e),
        };
        let pinterest = self.pinterest()?;
        let mut result = pinterest.create_pin(&token, &pin).await;
        if let Err(e) = &result
            && e.kind == PinterestErrorKind::Unauthorized
        {
            // A 401 means the create did not happen: refresh once and try once more.
            self.api_error(account, Some(d.id), "create_pin", e).await?;
            let conn = self
                .store
                .get_connection(account)
                .await?
                .ok_or(Error::NeedsReconnect)?;
            match self.refresh_connection(conn).await {
                Ok(token) => result = pinterest.create_pin(&token, &pin).await,
                Err(_) => {
                    let at = now + chrono::Duration::minutes(15);
                    return self
                        .mark_retry(d, at, "Pinterest connection needs reconnecting")
                        .await;
                }
            }
        }
        match result {
            Ok(created) => self.mark_published(d, created.id).await,
            Err(e) => {
                self.api_error(account, Some(d.id), "create_pin", &e)
                    .await?;
                let backoff = self.retry_delay(&d, e.retry_after);
                match e.kind {
                    PinterestErrorKind::RateLimited | PinterestErrorKind::Transport
                        if d.attempts < MAX_ATTEMPTS =>
                    {
                        self.mark_retry(d, now + backoff, &e.message).await
                    }
                    PinterestErrorKind::Unauthorized => {
                        // Still refused after a fresh token: the grant is gone.
                        if let Some(mut conn) = self.store.get_connection(account).await? {
                            conn.status = ConnectionStatus::NeedsReconnect;
                            self.store.put_connection(&conn).await?;
                        }
                        let at = now + chrono::Duration::minutes(15);
                        self.mark_retry(d, at, "Pinterest refused the token; reconnect needed")
                            .await
                    }
                    PinterestErrorKind::OutcomeUnknown
                    | PinterestErrorKind::Server
                    | PinterestErrorKind::Decode => {
                        let d = self.mark_reconciling(d, &e.message).await?;
                        self.reconcile(d).await
                    }
                    _ => self.mark_failed(d, &e.to_string()).await,
                }
            }
        }
    }

    /// Looks for the pin of a `Reconciling` draft on its board (same link and title,
    /// created after the attempt started): found → Published, not found → Queued again.
    /// If the board cannot be read now, the draft stays Reconciling for a later pass.
    pub async fn reconcile(&self, d: Draft) -> Result<Draft> {
        let DraftState::Reconciling { started_at, .. } = d.state else {
            return Ok(d);
        };
        let account = d.account_id;
        let Some(board) = d.content.board.clone() else {
            return Ok(d);
        };
        let token = match self.access_token(account).await {
            Ok(t) => t,
            Err(_) => return Ok(d),
        };
        // Pinterest's clock and ours differ a little: look a minute further back.
        let since = started_at - chrono::Duration::minutes(1);
        let pins = match self
            .pinterest()?
            .list_board_pins(&token, &board, since)
            .await
        {
            Ok(p) => p,
            Err(e) => {
                self.api_error(account, Some(d.id), "list_board_pins", &e)
                    .await?;
                return Ok(d);
            }
        };
        let link = d.content.link.as_ref().map(|l| l.as_str().to_owned());
        let found = pins.into_iter().find(|p| {
            p.link.as_deref() == link.as_deref()
                && p.title.as_deref() == Some(d.content.title.as_str())
                && p.created_at.is_none_or(|c| c >= since)
        });
        match found {
            Some(p) => {
                let at = p.created_at.unwrap_or_else(|| self.clock.now());
                let detail = format!("found pin {} on the board", p.id);
                self.worker_step(
                    d,
                    DraftEvent::Found { pin_id: p.id, at },
                    "draft.reconciled",
                    Outcome::Ok,
                    detail,
                )
                .await
            }
            None => {
                let retry_at = self.clock.now() + self.retry_delay(&d, None);
                self.worker_step(
                    d,
                    DraftEvent::NotFound { retry_at },
                    "draft.reconciled",
                    Outcome::Ok,
                    "not on the board; queued again".into(),
                )
                .await
            }
        }
    }

    // ----- Pinterest connection -------------------------------------------------------

    /// The consent URL for connecting Pinterest with this `state`.
    pub fn authorize_url(&self, state: &str) -> Result<String> {
        Ok(self.pinterest()?.authorize_url(state))
    }

    /// Finishes OAuth: exchanges the code, reads the user, stores the connection.
    pub async fn connect(&self, account: AccountId, actor: &str, code: &str) -> Result<Connection> {
        let r = async {
            let p = self.pinterest()?;
            let grant = p.exchange_code(code).await?;
            let user = p.user_account(&grant.access_token).await?;
            let conn = Connection {
                account_id: account,
                pinterest_user_id: user.id,
                username: user.username,
                account_type: user.account_type,
                scopes: grant.scopes,
                tokens: Tokens {
                    access: grant.access_token,
                    access_expires_at: grant.access_expires_at,
                    refresh: grant.refresh_token,
                    refresh_expires_at: grant.refresh_expires_at,
                },
                status: ConnectionStatus::Active,
                connected_at: self.clock.now(),
                refreshed_at: None,
            };
            self.store.put_connection(&conn).await?;
            Ok(conn)
        }
        .await;
        self.audited(account, actor, "pinterest.connect", None, r, |c| {
            format!("@{} ({})", c.username, c.account_type)
        })
        .await
    }

    /// Disconnects: deletes the stored tokens (Pinterest has no revoke for normal apps).
    pub async fn disconnect(&self, account: AccountId, actor: &str) -> Result<()> {
        let r = self.store.delete_connection(account).await;
        self.audited(account, actor, "pinterest.disconnect", None, r, |_| {
            String::new()
        })
        .await
    }

    /// Refreshes the cached boards from Pinterest.
    pub async fn sync_boards(&self, account: AccountId, actor: &str) -> Result<Vec<Board>> {
        let r = async {
            let token = self.access_token(account).await?;
            let boards = match self.pinterest()?.list_boards(&token).await {
                Ok(b) => b,
                Err(e) => {
                    self.api_error(account, None, "list_boards", &e).await?;
                    return Err(e.into());
                }
            };
            self.store.replace_boards(account, &boards).await?;
            Ok(boards)
        }
        .await;
        self.audited(account, actor, "pinterest.sync_boards", None, r, |b| {
            format!("{} boards", b.len())
        })
        .await
    }

    /// Fetches daily metrics of the account's published pins between two dates.
    pub async fn sync_analytics(
        &self,
        account: AccountId,
        actor: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<usize> {
        let r = async {
            let token = self.access_token(account).await?;
            let published = self
                .store
                .list_drafts(
                    account,
                    &DraftFilter {
                        state: Some(crate::lifecycle::StateName::Published),
                        ..Default::default()
                    },
                )
                .await?;
            let mut n = 0;
            for d in published {
                let DraftState::Published { pin_id, .. } = &d.state else {
                    continue;
                };
                match self
                    .pinterest()?
                    .pin_analytics(&token, pin_id, from, to)
                    .await
                {
                    Ok(m) => {
                        n += m.len();
                        self.store.upsert_metrics(account, &m).await?;
                    }
                    Err(e) => {
                        self.api_error(account, Some(d.id), "pin_analytics", &e)
                            .await?
                    }
                }
            }
            Ok(n)
        }
        .await;
        self.audited(account, actor, "pinterest.sync_analytics", None, r, |n| {
            format!("{n} daily rows")
        })
        .await
    }

    /// Stored daily metrics.
    pub async fn metrics(
        &self,
        account: AccountId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PinMetrics>> {
        self.store.list_metrics(account, None, from, to).await
    }
}
