//! The stores under real concurrency: four workers take 5,000 due drafts from one
//! database at the same time (each draft is claimed exactly once, none is left), and
//! twenty writers save the same draft version at once (one wins, the rest conflict).
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iqpins_core::testing::{at, created_account, draft_in};
use iqpins_core::{DraftFilter, DraftId, DraftState, StateName, Store};

const DRAFTS: usize = 5_000;
const WORKERS: usize = 4;
const BATCH: u32 = 50;

/// Stores `DRAFTS` queued drafts, all due, with 8 writers at once.
async fn seed(store: Arc<dyn Store>) -> (iqpins_core::AccountId, HashSet<DraftId>) {
    let account = created_account(store.as_ref(), "ClaimLoad").await;
    let now = at(0);
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in (w..DRAFTS).step_by(8) {
                let due = now - chrono::Duration::seconds(i as i64);
                let d = draft_in(account.id, i as u32, DraftState::Queued { at: due });
                store.insert_draft(&d).await.unwrap();
                ids.push(d.id);
            }
            ids
        }));
    }
    let mut all = HashSet::new();
    for w in writers {
        all.extend(w.await.unwrap());
    }
    assert_eq!(all.len(), DRAFTS);
    (account.id, all)
}

/// Four workers claim at once until nothing is due; returns what each one got.
async fn race(store: Arc<dyn Store>) -> Vec<Vec<DraftId>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(WORKERS));
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let store = store.clone();
        let barrier = barrier.clone();
        workers.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_due_drafts(at(1), Duration::from_secs(600), BATCH)
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                for d in got {
                    assert!(
                        matches!(d.state, DraftState::Publishing { attempt: 1, .. }),
                        "{:?}",
                        d.state
                    );
                    mine.push(d.id);
                }
            }
        }));
    }
    let mut out = Vec::new();
    for w in workers {
        out.push(w.await.unwrap());
    }
    out
}

async fn every_draft_is_claimed_exactly_once(store: Arc<dyn Store>, name: &str) {
    let t = Instant::now();
    let (account, ids) = seed(store.clone()).await;
    let seeded = t.elapsed();

    let t = Instant::now();
    let per_worker = race(store.clone()).await;
    let raced = t.elapsed();

    let claimed: Vec<DraftId> = per_worker.concat();
    let unique: HashSet<DraftId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), unique.len(), "a draft was claimed twice");
    assert_eq!(unique, ids, "every due draft was claimed");
    assert!(
        store
            .claim_due_drafts(at(1), Duration::from_secs(600), BATCH)
            .await
            .unwrap()
            .is_empty(),
        "nothing is left to claim"
    );
    let queued = DraftFilter {
        state: Some(StateName::Queued),
        ..DraftFilter::default()
    };
    assert!(
        store
            .list_drafts(account, &queued)
            .await
            .unwrap()
            .is_empty()
    );
    let publishing = DraftFilter {
        state: Some(StateName::Publishing),
        ..DraftFilter::default()
    };
    assert_eq!(
        store.list_drafts(account, &publishing).await.unwrap().len(),
        DRAFTS
    );
    let counts: Vec<usize> = per_worker.iter().map(Vec::len).collect();
    println!(
        "{name}: seeded {DRAFTS} drafts in {seeded:.2?}; {WORKERS} workers claimed them in \
         {raced:.2?} (batches of {BATCH}; per worker {counts:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_claim_5000_drafts_from_one_postgres_each_exactly_once() {
    let Some(url) =
        common::pg_url("four_workers_claim_5000_drafts_from_one_postgres_each_exactly_once")
    else {
        return;
    };
    let db = common::PgDb::create(&url).await;
    let store = Arc::new(db.store(12, common::vault()).await);
    every_draft_is_claimed_exactly_once(store.clone(), "postgres").await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_connections_claim_5000_drafts_from_one_sqlite_file_each_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(common::sqlite(&dir, WORKERS as u32).await);
    every_draft_is_claimed_exactly_once(store.clone(), "sqlite").await;
    store.close().await;
}

/// Twenty writers save the same draft version at the same moment: exactly one wins, the
/// others get `Conflict`, and the stored draft is the winner's.
async fn one_of_many_simultaneous_writers_wins(store: Arc<dyn Store>) {
    let account = created_account(store.as_ref(), "Reviewers").await;
    let d = store
        .insert_draft(&iqpins_core::testing::draft(account.id, 1, at(0)))
        .await
        .unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let mut writers = Vec::new();
    for i in 0..20 {
        let (store, barrier, mut mine) = (store.clone(), barrier.clone(), d.clone());
        mine.content.title =
            iqpins_core::PinTitle::parse(format!("Title by reviewer {i}")).unwrap();
        writers.push(tokio::spawn(async move {
            barrier.wait().await;
            (i, store.update_draft(&mine).await)
        }));
    }
    let mut winners = Vec::new();
    for w in writers {
        match w.await.unwrap() {
            (i, Ok(saved)) => winners.push((i, saved)),
            (_, Err(iqpins_core::Error::Conflict { expected: 1, .. })) => {}
            (i, Err(e)) => panic!("writer {i}: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    let (i, saved) = winners.remove(0);
    assert_eq!(saved.version, 2);
    let stored = store.get_draft(account.id, d.id).await.unwrap();
    assert_eq!(stored, saved);
    assert_eq!(
        stored.content.title.as_str(),
        format!("Title by reviewer {i}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_writers_of_one_version_on_sqlite_yield_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(common::sqlite(&dir, WORKERS as u32).await);
    one_of_many_simultaneous_writers_wins(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_writers_of_one_version_on_postgres_yield_one_winner() {
    let Some(url) =
        common::pg_url("simultaneous_writers_of_one_version_on_postgres_yield_one_winner")
    else {
        return;
    };
    let db = common::PgDb::create(&url).await;
    let store = Arc::new(db.store(12, common::vault()).await);
    one_of_many_simultaneous_writers_wins(store.clone()).await;
    store.close().await;
    db.drop_db().await;
}
