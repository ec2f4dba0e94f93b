//! An in-memory [`Store`], for tests and for embedding without a database.
//! Same rules as the SQL stores: account scoping, optimistic concurrency, leases.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{
    Account, AuditEvent, Board, Connection, Draft, PinMetrics, Source, StoredItem,
};
use crate::error::{Error, Result};
use crate::fields::PinId;
use crate::ids::{AccountId, DraftId, ItemId, SourceId};
use crate::lifecycle::{DraftEvent, DraftState, transition};
use crate::ports::{AuthStore, DraftFilter, Session, Store};

#[derive(Default)]
struct Data {
    accounts: Vec<Account>,
    sources: Vec<Source>,
    items: Vec<StoredItem>,
    drafts: HashMap<DraftId, Draft>,
    connections: HashMap<AccountId, Connection>,
    boards: HashMap<AccountId, Vec<Board>>,
    metrics: HashMap<(AccountId, PinId, NaiveDate), PinMetrics>,
    audit: Vec<AuditEvent>,
    passwords: HashMap<AccountId, String>,
    sessions: HashMap<String, Session>,
}

/// Keeps everything in a mutex-guarded map; lost when dropped.
#[derive(Default)]
pub struct MemoryStore {
    data: Mutex<Data>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl Data {
    fn account_exists(&self, id: AccountId) -> Result<()> {
        if self.accounts.iter().any(|a| a.id == id) {
            Ok(())
        } else {
            Err(Error::not_found(format!("account {id}")))
        }
    }

    /// Like the SQL stores' foreign keys: a draft may only point at its own account's
    /// source and item.
    fn draft_refs_ok(&self, d: &Draft) -> Result<()> {
        self.account_exists(d.account_id)?;
        if let Some(s) = d.source_id
            && !self
                .sources
                .iter()
                .any(|x| x.id == s && x.account_id == d.account_id)
        {
            return Err(Error::not_found(format!("source {s}")));
        }
        if let Some(i) = d.item_id
            && !self
                .items
                .iter()
                .any(|x| x.id == i && x.account_id == d.account_id)
        {
            return Err(Error::not_found(format!("item {i}")));
        }
        Ok(())
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Data> {
        // A panic while holding the lock leaves consistent data (every write is one step).
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn lease_end(now: DateTime<Utc>, lease: Duration) -> Result<DateTime<Utc>> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| Error::invalid("lease", "is too long"))
}

#[async_trait]
impl Store for MemoryStore {
    async fn create_account(&self, account: &Account) -> Result<()> {
        let mut d = self.lock();
        let email = account.email.to_lowercase();
        if d.accounts
            .iter()
            .any(|a| a.email == email || a.id == account.id)
        {
            return Err(Error::invalid("email", "cannot be used for a new account"));
        }
        let mut a = account.clone();
        a.email = email;
        d.accounts.push(a);
        Ok(())
    }

    async fn get_account(&self, id: AccountId) -> Result<Account> {
        self.lock()
            .accounts
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("account {id}")))
    }

    async fn find_account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let email = email.trim().to_lowercase();
        Ok(self
            .lock()
            .accounts
            .iter()
            .find(|a| a.email == email)
            .cloned())
    }

    async fn set_allowed_domains(&self, id: AccountId, domains: &[String]) -> Result<()> {
        let mut d = self.lock();
        let a = d
            .accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::not_found(format!("account {id}")))?;
        a.allowed_domains = domains.to_vec();
        Ok(())
    }

    async fn insert_source(&self, source: &Source) -> Result<()> {
        let mut d = self.lock();
        d.account_exists(source.account_id)?;
        d.sources.push(source.clone());
        Ok(())
    }

    async fn get_source(&self, account: AccountId, id: SourceId) -> Result<Source> {
        self.lock()
            .sources
            .iter()
            .find(|s| s.id == id && s.account_id == account)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("source {id}")))
    }

    async fn list_sources(&self, account: AccountId) -> Result<Vec<Source>> {
        Ok(self
            .lock()
            .sources
            .iter()
            .filter(|s| s.account_id == account)
            .cloned()
            .collect())
    }

    async fn upsert_item(&self, item: &StoredItem) -> Result<(StoredItem, bool)> {
        let mut d = self.lock();
        if !d
            .sources
            .iter()
            .any(|s| s.id == item.source_id && s.account_id == item.account_id)
        {
            return Err(Error::not_found(format!("source {}", item.source_id)));
        }
        if let Some(existing) = d
            .items
            .iter()
            .find(|i| i.account_id == item.account_id && i.fingerprint == item.fingerprint)
        {
            return Ok((existing.clone(), false));
        }
        d.items.push(item.clone());
        Ok((item.clone(), true))
    }

    async fn list_items(
        &self,
        account: AccountId,
        source: Option<SourceId>,
    ) -> Result<Vec<StoredItem>> {
        Ok(self
            .lock()
            .items
            .iter()
            .filter(|i| i.account_id == account && source.is_none_or(|s| i.source_id == s))
            .cloned()
            .collect())
    }

    async fn insert_draft(&self, draft: &Draft) -> Result<Draft> {
        if draft.version != 0 {
            return Err(Error::invalid("version", "a new draft has version 0"));
        }
        let mut d = self.lock();
        d.draft_refs_ok(draft)?;
        if d.drafts.contains_key(&draft.id) {
            return Err(Error::Conflict {
                what: format!("draft {}", draft.id),
                expected: 0,
            });
        }
        let mut stored = draft.clone();
        stored.version = 1;
        d.drafts.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn get_item(&self, account: AccountId, id: ItemId) -> Result<StoredItem> {
        self.lock()
            .items
            .iter()
            .find(|i| i.id == id && i.account_id == account)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("item {id}")))
    }

    async fn get_draft(&self, account: AccountId, id: DraftId) -> Result<Draft> {
        self.lock()
            .drafts
            .get(&id)
            .filter(|d| d.account_id == account)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("draft {id}")))
    }

    async fn list_drafts(&self, account: AccountId, filter: &DraftFilter) -> Result<Vec<Draft>> {
        let d = self.lock();
        let mut out: Vec<Draft> = d
            .drafts
            .values()
            .filter(|x| x.account_id == account)
            .filter(|x| filter.state.is_none_or(|s| x.state.name() == s))
            .filter(|x| filter.source_id.is_none_or(|s| x.source_id == Some(s)))
            .cloned()
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        if let Some(limit) = filter.limit {
            out.truncate(limit as usize);
        }
        Ok(out)
    }

    async fn update_draft(&self, draft: &Draft) -> Result<Draft> {
        let mut d = self.lock();
        d.draft_refs_ok(draft)?;
        let stored = d
            .drafts
            .get_mut(&draft.id)
            .filter(|x| x.account_id == draft.account_id)
            .ok_or_else(|| Error::not_found(format!("draft {}", draft.id)))?;
        if stored.version != draft.version {
            return Err(Error::Conflict {
                what: format!("draft {}", draft.id),
                expected: draft.version,
            });
        }
        let mut next = draft.clone();
        next.version += 1;
        *stored = next.clone();
        Ok(next)
    }

    async fn draft_exists(
        &self,
        account: AccountId,
        fingerprint: &str,
        link_and_image: Option<(&str, &str)>,
    ) -> Result<bool> {
        Ok(self.lock().drafts.values().any(|x| {
            x.account_id == account
                && (x.fingerprint.as_deref() == Some(fingerprint)
                    || link_and_image.is_some_and(|(link, image)| {
                        x.content.link.as_ref().is_some_and(|l| l.as_str() == link)
                            && x.content
                                .image
                                .url
                                .as_ref()
                                .is_some_and(|i| i.as_str() == image)
                    }))
        }))
    }

    async fn claim_due_drafts(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Draft>> {
        let until = lease_end(now, lease)?;
        let mut d = self.lock();
        let mut due: Vec<(DateTime<Utc>, DraftId)> = d
            .drafts
            .values()
            .filter_map(|x| match &x.state {
                DraftState::Queued { at } if *at <= now => Some((*at, x.id)),
                DraftState::Publishing { lease_until, .. } if *lease_until < now => {
                    Some((*lease_until, x.id))
                }
                DraftState::Reconciling {
                    lease_until: Some(l),
                    ..
                } if *l < now => Some((*l, x.id)),
                _ => None,
            })
            .collect();
        due.sort();
        due.truncate(limit as usize);
        let mut out = Vec::with_capacity(due.len());
        for (_, id) in due {
            let Some(x) = d.drafts.get_mut(&id) else {
                continue;
            };
            let event = match x.state {
                DraftState::Queued { .. } => DraftEvent::Claim {
                    attempt: x.attempts + 1,
                    now,
                    lease_until: until,
                },
                _ => DraftEvent::LeaseExpired {
                    now,
                    lease_until: until,
                },
            };
            x.state = transition(&x.state, &event)?;
            if matches!(event, DraftEvent::Claim { .. }) {
                x.attempts += 1;
            }
            x.version += 1;
            x.updated_at = now;
            out.push(x.clone());
        }
        Ok(out)
    }

    async fn put_connection(&self, connection: &Connection) -> Result<()> {
        let mut d = self.lock();
        d.account_exists(connection.account_id)?;
        d.connections
            .insert(connection.account_id, connection.clone());
        Ok(())
    }

    async fn get_connection(&self, account: AccountId) -> Result<Option<Connection>> {
        Ok(self.lock().connections.get(&account).cloned())
    }

    async fn delete_connection(&self, account: AccountId) -> Result<()> {
        self.lock().connections.remove(&account);
        Ok(())
    }

    async fn replace_boards(&self, account: AccountId, boards: &[Board]) -> Result<()> {
        let mut b = boards.to_vec();
        b.sort_by_cached_key(|x| x.name.to_lowercase());
        self.lock().boards.insert(account, b);
        Ok(())
    }

    async fn list_boards(&self, account: AccountId) -> Result<Vec<Board>> {
        Ok(self
            .lock()
            .boards
            .get(&account)
            .cloned()
            .unwrap_or_default())
    }

    async fn upsert_metrics(&self, account: AccountId, metrics: &[PinMetrics]) -> Result<()> {
        let mut d = self.lock();
        for m in metrics {
            d.metrics
                .insert((account, m.pin_id.clone(), m.date), m.clone());
        }
        Ok(())
    }

    async fn list_metrics(
        &self,
        account: AccountId,
        pin: Option<&PinId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PinMetrics>> {
        let d = self.lock();
        let mut out: Vec<PinMetrics> = d
            .metrics
            .iter()
            .filter(|((a, p, day), _)| {
                *a == account && pin.is_none_or(|x| x == p) && *day >= from && *day <= to
            })
            .map(|(_, m)| m.clone())
            .collect();
        out.sort_by(|a, b| a.date.cmp(&b.date).then(a.pin_id.cmp(&b.pin_id)));
        Ok(out)
    }

    async fn append_audit(&self, event: &AuditEvent) -> Result<()> {
        self.lock().audit.push(event.clone());
        Ok(())
    }

    async fn list_audit(&self, account: AccountId, limit: u32) -> Result<Vec<AuditEvent>> {
        Ok(self
            .lock()
            .audit
            .iter()
            .rev()
            .filter(|e| e.account_id == account)
            .take(limit as usize)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl AuthStore for MemoryStore {
    async fn set_password_hash(&self, account: AccountId, hash: &str) -> Result<()> {
        let mut d = self.lock();
        if !d.accounts.iter().any(|a| a.id == account) {
            return Err(Error::not_found(format!("account {account}")));
        }
        d.passwords.insert(account, hash.to_owned());
        Ok(())
    }

    async fn password_hash(&self, account: AccountId) -> Result<Option<String>> {
        Ok(self.lock().passwords.get(&account).cloned())
    }

    async fn put_session(&self, session: &Session) -> Result<()> {
        let mut d = self.lock();
        d.account_exists(session.account_id)?;
        d.sessions
            .insert(session.token_hash.clone(), session.clone());
        Ok(())
    }

    async fn get_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        Ok(self
            .lock()
            .sessions
            .get(token_hash)
            .filter(|s| s.expires_at > now)
            .cloned())
    }

    async fn set_oauth_state(&self, token_hash: &str, state: &str) -> Result<bool> {
        Ok(match self.lock().sessions.get_mut(token_hash) {
            Some(s) => {
                s.oauth_state = Some(state.to_owned());
                true
            }
            None => false,
        })
    }

    async fn take_oauth_state(&self, token_hash: &str, state: &str) -> Result<bool> {
        Ok(match self.lock().sessions.get_mut(token_hash) {
            Some(s) if s.oauth_state.as_deref() == Some(state) => {
                s.oauth_state = None;
                true
            }
            _ => false,
        })
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.lock().sessions.remove(token_hash);
        Ok(())
    }

    async fn delete_account_sessions(&self, account: AccountId) -> Result<()> {
        self.lock().sessions.retain(|_, s| s.account_id != account);
        Ok(())
    }
}
