//! Test support shared by every [`crate::Store`] implementation (feature `testing`).
//!
//! [`conformance`] runs every check below on one store. Each check is public too, so an
//! adapter can run them one by one and see which one fails. The checks panic with a
//! message naming what broke, as test helpers do.
//!
//! Run the suite on an **empty** store: the claim checks take every due draft of every
//! account, so they assume that only the suite's own drafts exist. The other checks leave
//! no draft that a claim could take (they end in `Pending` or `Published`).

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::content::{ContentItem, ContentKind, ImageRef};
use crate::domain::{
    Account, AuditEvent, Board, Connection, ConnectionStatus, Draft, DraftContent, DraftImage,
    Outcome, PinMetrics, Revision, Source, SourceDefaults, SourceKind, StoredItem, Tokens,
};
use crate::error::Error;
use crate::fields::{
    AltText, BoardId, BoardSectionId, DestinationUrl, Money, PinDescription, PinId, PinTitle, Scope,
};
use crate::ids::{AccountId, DraftId, EventId, ItemId, SourceId};
use crate::lifecycle::{DraftState, StateName};
use crate::ports::{DraftFilter, Store};

/// Runs every check on `store`, which must be empty.
pub async fn conformance(store: &dyn Store) {
    accounts(store).await;
    sources(store).await;
    items_are_deduplicated_by_fingerprint(store).await;
    draft_lifecycle_persists(store).await;
    draft_listing_and_lookup(store).await;
    optimistic_concurrency(store).await;
    account_scoping(store).await;
    claims(store).await;
    claim_limits(store).await;
    concurrent_claims_take_each_draft_once(store).await;
    connections(store).await;
    boards(store).await;
    metrics(store).await;
    audit_is_newest_first(store).await;
    references_stay_inside_the_account(store).await;
}

/// A time `secs` seconds after 2030-01-01T00:00:00Z (whole seconds, which every store
/// keeps exactly).
pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000 + secs, 0).expect("a time in range")
}

/// A new account with a unique e-mail; `tag` shows up in the name and e-mail.
pub fn account(tag: &str) -> Account {
    let id = AccountId::new();
    Account {
        id,
        name: format!("{tag} shop"),
        email: format!("{tag}-{id}@example.test"),
        allowed_domains: Vec::new(),
        created_at: at(0),
    }
}

/// Creates [`account`] in the store and returns it.
pub async fn created_account(store: &dyn Store, tag: &str) -> Account {
    let a = account(tag);
    store
        .create_account(&a)
        .await
        .unwrap_or_else(|e| panic!("create_account({tag}): {e}"));
    a
}

/// Draft content with every optional field set.
pub fn full_content(n: u32) -> DraftContent {
    DraftContent {
        title: PinTitle::parse(format!("Hand-thrown blue mug no. {n}")).expect("title"),
        description: PinDescription::parse(
            "Stoneware, 350 ml.\nDishwasher safe — made in Porto. #ceramics",
        )
        .expect("description"),
        alt_text: AltText::parse("A blue mug on a wooden table").expect("alt text"),
        link: Some(
            DestinationUrl::parse(format!(
                "https://shop.example/mugs/{n}?utm_source=pinterest&utm_medium=social"
            ))
            .expect("link"),
        ),
        image: DraftImage {
            url: Some(
                DestinationUrl::parse_field("image_url", &format!("https://cdn.example/{n}.jpg"))
                    .expect("image"),
            ),
            creative: Some(format!("creatives/{n}.png")),
            send: crate::ImageSend::Creative,
        },
        board: Some(BoardId::parse("549755885175").expect("board")),
        section: Some(BoardSectionId::parse("5027629787972154216").expect("section")),
    }
}

/// Draft content with only the required title.
pub fn bare_content() -> DraftContent {
    DraftContent {
        title: PinTitle::parse("Untitled").expect("title"),
        description: PinDescription::parse("").expect("description"),
        alt_text: AltText::parse("").expect("alt text"),
        link: None,
        image: DraftImage::default(),
        board: None,
        section: None,
    }
}

/// A new pending draft of `account` created at `created`, not yet stored.
pub fn draft(account: AccountId, n: u32, created: DateTime<Utc>) -> Draft {
    let mut d = Draft::new(account, full_content(n), created);
    d.fingerprint = Some(format!("fp-{n}-{}", d.id));
    d.flags = vec!["needs board".into()];
    d
}

/// A new draft of `account` already in `state`, not yet stored (as a scheduler fixture).
pub fn draft_in(account: AccountId, n: u32, state: DraftState) -> Draft {
    let mut d = draft(account, n, at(0));
    d.approved_revision = Some(1);
    d.state = state;
    d
}

/// A time as far from `at(0)` as `d`.
fn plus(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    t + chrono::Duration::seconds(secs)
}

fn expect_not_found<T: std::fmt::Debug>(r: crate::Result<T>, what: &str) {
    match r {
        Err(Error::NotFound { .. }) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

async fn stored(store: &dyn Store, d: &Draft) -> Draft {
    store
        .get_draft(d.account_id, d.id)
        .await
        .unwrap_or_else(|e| panic!("get_draft {}: {e}", d.id))
}

async fn insert(store: &dyn Store, d: &Draft) -> Draft {
    store
        .insert_draft(d)
        .await
        .unwrap_or_else(|e| panic!("insert_draft {}: {e}", d.id))
}

async fn update(store: &dyn Store, d: &Draft) -> Draft {
    store
        .update_draft(d)
        .await
        .unwrap_or_else(|e| panic!("update_draft {} to {}: {e}", d.id, d.state.name()))
}

/// Accounts: creation, lookup by id and by e-mail in any case, unique e-mails, allowed
/// domains, and NotFound for an unknown id.
pub async fn accounts(store: &dyn Store) {
    let mut a = account("Accounts");
    a.email = format!("Ann.{}@Example.TEST", a.id);
    store.create_account(&a).await.expect("create_account");
    let got = store.get_account(a.id).await.expect("get_account");
    assert_eq!(
        got.email,
        a.email.to_lowercase(),
        "e-mails are stored lower case"
    );
    assert_eq!(
        (got.id, &got.name, got.created_at),
        (a.id, &a.name, a.created_at)
    );
    assert!(got.allowed_domains.is_empty());

    let found = store
        .find_account_by_email(&a.email.to_uppercase())
        .await
        .expect("find_account_by_email")
        .expect("an e-mail lookup ignores case");
    assert_eq!(found, got);
    assert_eq!(
        store
            .find_account_by_email("nobody@example.test")
            .await
            .expect("find_account_by_email"),
        None
    );

    let mut twin = account("Twin");
    twin.email = a.email.to_uppercase();
    assert!(
        store.create_account(&twin).await.is_err(),
        "a second account with the same e-mail (other case) is refused"
    );

    let domains = vec!["shop.example".to_owned(), "blog.shop.example".to_owned()];
    store
        .set_allowed_domains(a.id, &domains)
        .await
        .expect("set_allowed_domains");
    assert_eq!(
        store.get_account(a.id).await.expect("get").allowed_domains,
        domains
    );
    store
        .set_allowed_domains(a.id, &[])
        .await
        .expect("set_allowed_domains to none");
    assert!(
        store
            .get_account(a.id)
            .await
            .expect("get")
            .allowed_domains
            .is_empty()
    );

    expect_not_found(
        store.get_account(AccountId::new()).await,
        "get_account(unknown)",
    );
    expect_not_found(
        store.set_allowed_domains(AccountId::new(), &domains).await,
        "set_allowed_domains(unknown)",
    );
}

fn source(account: AccountId, name: &str, kind: SourceKind, created: DateTime<Utc>) -> Source {
    Source {
        id: SourceId::new(),
        account_id: account,
        name: name.into(),
        kind,
        defaults: SourceDefaults::default(),
        created_at: created,
    }
}

/// Sources: every kind and the defaults survive storage; listed oldest first.
pub async fn sources(store: &dyn Store) {
    let a = created_account(store, "Sources").await;
    let mut feed = source(
        a.id,
        "Blog",
        SourceKind::Feed {
            url: "https://shop.example/feed.xml".into(),
        },
        at(10),
    );
    feed.defaults = SourceDefaults {
        board: Some(BoardId::parse("111").expect("board")),
        category_boards: vec![("Mugs".into(), BoardId::parse("222").expect("board"))],
        utm: vec![("utm_source".into(), "pinterest".into())],
        variants: 3,
    };
    let page = source(
        a.id,
        "Product page",
        SourceKind::Url {
            url: "https://shop.example/p/1".into(),
        },
        at(20),
    );
    let csv = source(
        a.id,
        "Catalog",
        SourceKind::Csv {
            file_name: "products export.csv".into(),
        },
        at(30),
    );
    let product = source(a.id, "By hand", SourceKind::Product, at(40));
    for s in [&feed, &page, &csv, &product] {
        store.insert_source(s).await.expect("insert_source");
    }
    assert_eq!(
        store.get_source(a.id, feed.id).await.expect("get_source"),
        feed
    );
    assert_eq!(
        store.list_sources(a.id).await.expect("list_sources"),
        vec![feed, page, csv, product],
        "sources are listed oldest first"
    );
    expect_not_found(
        store.get_source(a.id, SourceId::new()).await,
        "get_source(unknown)",
    );
}

fn item(account: AccountId, source: SourceId, title: &str, imported: DateTime<Utc>) -> StoredItem {
    let content = ContentItem {
        kind: ContentKind::Product,
        url: Some(format!(
            "https://shop.example/p/{}",
            title.replace(' ', "-").to_lowercase()
        )),
        title: Some(title.into()),
        summary: Some("Stoneware mug, glazed by hand.".into()),
        images: vec![ImageRef {
            url: "https://cdn.example/mug.jpg".into(),
            width: Some(1000),
            height: Some(1500),
            alt: Some("A mug".into()),
        }],
        price: Some(Money::new("24.50", "EUR").expect("price")),
        keywords: vec!["mug".into(), "ceramics".into()],
        published_at: Some(at(5)),
        lang: Some("en".into()),
        ..ContentItem::default()
    };
    StoredItem {
        id: ItemId::new(),
        account_id: account,
        source_id: source,
        fingerprint: content.fingerprint(),
        item: content,
        imported_at: imported,
    }
}

/// Items: a second import of the same content (same fingerprint) returns the first one;
/// the fingerprint is unique per account, not across accounts; listing is oldest first
/// and can be limited to one source.
pub async fn items_are_deduplicated_by_fingerprint(store: &dyn Store) {
    let a = created_account(store, "Items").await;
    let s1 = source(a.id, "Feed", SourceKind::Product, at(1));
    let s2 = source(a.id, "Other", SourceKind::Product, at(2));
    store.insert_source(&s1).await.expect("insert_source");
    store.insert_source(&s2).await.expect("insert_source");

    let first = item(a.id, s1.id, "Blue Mug", at(10));
    let (got, new) = store.upsert_item(&first).await.expect("upsert_item");
    assert!(new, "a new fingerprint is stored");
    assert_eq!(got, first);

    let mut again = item(a.id, s1.id, "Blue Mug", at(20));
    assert_eq!(again.fingerprint, first.fingerprint);
    again.item.summary = Some("changed summary, same fingerprint".into());
    let (got, new) = store.upsert_item(&again).await.expect("upsert_item again");
    assert!(!new, "the same fingerprint is not stored twice");
    assert_eq!(got, first, "a duplicate returns the item stored first");

    let second = item(a.id, s2.id, "Red Mug", at(30));
    assert!(store.upsert_item(&second).await.expect("upsert").1);

    assert_eq!(
        store.list_items(a.id, None).await.expect("list_items"),
        vec![first.clone(), second.clone()],
        "items are listed oldest first, once each"
    );
    assert_eq!(
        store
            .list_items(a.id, Some(s2.id))
            .await
            .expect("list_items"),
        vec![second]
    );

    let b = created_account(store, "ItemsOther").await;
    let sb = source(b.id, "Feed", SourceKind::Product, at(1));
    store.insert_source(&sb).await.expect("insert_source");
    let theirs = item(b.id, sb.id, "Blue Mug", at(40));
    assert_eq!(theirs.fingerprint, first.fingerprint);
    let (got, new) = store.upsert_item(&theirs).await.expect("upsert_item");
    assert!(new, "de-duplication is per account");
    assert_eq!(got, theirs);
    assert_eq!(
        store.list_items(b.id, None).await.expect("list_items"),
        vec![theirs.clone()]
    );

    // One item by id, and only inside its account.
    assert_eq!(
        store.get_item(a.id, first.id).await.expect("get_item"),
        first
    );
    assert!(matches!(
        store.get_item(a.id, theirs.id).await,
        Err(Error::NotFound { .. })
    ));
}

/// One change of a draft in [`draft_lifecycle_persists`].
type Step = Box<dyn Fn(&mut Draft)>;

/// Drafts: insertion stores version 1; every lifecycle state with its data, the content,
/// history, flags and counters survive `update_draft`, which adds 1 to the version.
pub async fn draft_lifecycle_persists(store: &dyn Store) {
    let a = created_account(store, "Lifecycle").await;
    let s = source(a.id, "Feed", SourceKind::Product, at(1));
    store.insert_source(&s).await.expect("insert_source");
    let it = item(a.id, s.id, "Green Mug", at(2));
    store.upsert_item(&it).await.expect("upsert_item");

    let mut d = draft(a.id, 1, at(100));
    d.source_id = Some(s.id);
    d.item_id = Some(it.id);
    let mut cur = insert(store, &d).await;
    let mut want = d.clone();
    want.version = 1;
    assert_eq!(cur, want, "insert_draft returns the draft at version 1");
    assert_eq!(stored(store, &d).await, want);

    let pin = PinId::parse("1125899906842624").expect("pin");
    let steps: Vec<Step> = vec![
        Box::new(|d| {
            d.content.title = PinTitle::parse("Hand-thrown mug, sea blue").expect("title");
            d.content.board = None;
            d.revision = 2;
            d.history.push(Revision {
                revision: 2,
                actor: "ann@example.test".into(),
                at: at(110),
                fields: vec!["title".into(), "board".into()],
            });
        }),
        Box::new(|d| d.state = DraftState::Rejected),
        Box::new(|d| d.state = DraftState::Pending),
        Box::new(|d| {
            d.state = DraftState::Approved;
            d.approved_revision = Some(2);
            d.flags.clear();
        }),
        Box::new(|d| d.state = DraftState::Queued { at: at(200) }),
        Box::new(|d| {
            d.attempts = 1;
            d.state = DraftState::Publishing {
                attempt: 1,
                started_at: at(201),
                lease_until: at(261),
            }
        }),
        Box::new(|d| {
            d.last_error = Some("timeout after sending".into());
            d.state = DraftState::Reconciling {
                attempt: 1,
                started_at: at(201),
                lease_until: None,
            }
        }),
        Box::new(|d| {
            d.state = DraftState::Reconciling {
                attempt: 1,
                started_at: at(201),
                lease_until: Some(at(330)),
            }
        }),
        Box::new(|d| {
            d.state = DraftState::Failed {
                reason: "Sorry! The image is too small.".into(),
            }
        }),
        Box::new(|d| {
            d.content = bare_content();
            d.fingerprint = None;
            d.last_error = None;
            d.state = DraftState::Queued { at: at(400) };
        }),
        Box::new(|d| {
            d.content = full_content(7);
            d.attempts = 2;
            d.state = DraftState::Publishing {
                attempt: 2,
                started_at: at(401),
                lease_until: at(461),
            }
        }),
        Box::new(move |d| {
            d.state = DraftState::Published {
                pin_id: pin.clone(),
                at: at(402),
            }
        }),
    ];
    for (i, step) in steps.iter().enumerate() {
        let mut next = cur.clone();
        step(&mut next);
        next.updated_at = plus(at(100), 10 * (i as i64 + 1));
        let saved = update(store, &next).await;
        let mut want = next.clone();
        want.version = cur.version + 1;
        assert_eq!(
            saved,
            want,
            "update_draft to {} (step {i})",
            next.state.name()
        );
        assert_eq!(
            stored(store, &next).await,
            want,
            "get_draft after {}",
            next.state.name()
        );
        cur = saved;
    }
    assert_eq!(cur.version, 1 + steps.len() as i64);

    let bare = Draft::new(a.id, bare_content(), at(500));
    let saved = insert(store, &bare).await;
    assert_eq!(
        saved.content,
        bare_content(),
        "a draft without optional fields"
    );
    assert_eq!(stored(store, &bare).await, saved);

    let mut versioned = draft(a.id, 2, at(501));
    versioned.version = 3;
    assert!(
        matches!(
            store.insert_draft(&versioned).await,
            Err(Error::Invalid { .. })
        ),
        "a new draft must have version 0"
    );
    assert!(
        store.insert_draft(&d).await.is_err(),
        "the same draft id cannot be inserted twice"
    );
}

/// Drafts: listing newest first with state, source and limit filters; `draft_exists` by
/// fingerprint and by link + image.
pub async fn draft_listing_and_lookup(store: &dyn Store) {
    let a = created_account(store, "Listing").await;
    let s = source(a.id, "Feed", SourceKind::Product, at(1));
    store.insert_source(&s).await.expect("insert_source");
    let mut older = draft(a.id, 1, at(10));
    older.source_id = Some(s.id);
    let mut middle = draft(a.id, 2, at(20));
    middle.state = DraftState::Rejected;
    let newer = draft(a.id, 3, at(30));
    for d in [&older, &middle, &newer] {
        insert(store, d).await;
    }
    let ids = |v: Vec<Draft>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    let all = store
        .list_drafts(a.id, &DraftFilter::default())
        .await
        .expect("list_drafts");
    assert_eq!(
        ids(all),
        vec![newer.id, middle.id, older.id],
        "newest first"
    );
    let pending = DraftFilter {
        state: Some(StateName::Pending),
        ..DraftFilter::default()
    };
    assert_eq!(
        ids(store.list_drafts(a.id, &pending).await.expect("list")),
        vec![newer.id, older.id]
    );
    let of_source = DraftFilter {
        source_id: Some(s.id),
        ..DraftFilter::default()
    };
    assert_eq!(
        ids(store.list_drafts(a.id, &of_source).await.expect("list")),
        vec![older.id]
    );
    let two = DraftFilter {
        limit: Some(2),
        ..DraftFilter::default()
    };
    assert_eq!(
        ids(store.list_drafts(a.id, &two).await.expect("list")),
        vec![newer.id, middle.id]
    );
    let none = DraftFilter {
        state: Some(StateName::Published),
        ..DraftFilter::default()
    };
    assert!(
        store
            .list_drafts(a.id, &none)
            .await
            .expect("list")
            .is_empty()
    );

    let fp = older.fingerprint.clone().expect("fingerprint");
    assert!(store.draft_exists(a.id, &fp, None).await.expect("exists"));
    assert!(
        !store
            .draft_exists(a.id, "no-such-fp", None)
            .await
            .expect("exists")
    );
    let link = older.content.link.clone().expect("link");
    let image = older.content.image.url.clone().expect("image");
    assert!(
        store
            .draft_exists(a.id, "no-such-fp", Some((link.as_str(), image.as_str())))
            .await
            .expect("exists"),
        "a draft with the same link and image exists"
    );
    assert!(
        !store
            .draft_exists(
                a.id,
                "no-such-fp",
                Some((link.as_str(), "https://cdn.example/other.jpg"))
            )
            .await
            .expect("exists"),
        "the same link with another image is a different draft"
    );
}

/// Optimistic concurrency: of two writers that read the same version, the second is
/// refused with `Conflict` and nothing of its change is stored; after reloading it can
/// write.
pub async fn optimistic_concurrency(store: &dyn Store) {
    let a = created_account(store, "Concurrency").await;
    let d = draft(a.id, 1, at(10));
    insert(store, &d).await;
    let mut first = stored(store, &d).await;
    let mut second = stored(store, &d).await;

    first.content.title = PinTitle::parse("First reviewer's title").expect("title");
    first.revision = 2;
    let saved = update(store, &first).await;
    assert_eq!(saved.version, 2);

    second.content.title = PinTitle::parse("Second reviewer's title").expect("title");
    second.state = DraftState::Rejected;
    match store.update_draft(&second).await {
        Err(Error::Conflict { expected, .. }) => assert_eq!(expected, 1),
        other => panic!("a stale update must be refused with Conflict, got {other:?}"),
    }
    assert_eq!(
        stored(store, &d).await,
        saved,
        "the stale update changed nothing"
    );

    let mut future = saved.clone();
    future.version = 9;
    assert!(
        matches!(
            store.update_draft(&future).await,
            Err(Error::Conflict { .. })
        ),
        "a version that was never stored is refused too"
    );

    let mut reloaded = stored(store, &d).await;
    reloaded.state = DraftState::Rejected;
    assert_eq!(update(store, &reloaded).await.version, 3);

    let mut ghost = draft(a.id, 2, at(11));
    ghost.version = 1;
    expect_not_found(
        store.update_draft(&ghost).await,
        "update_draft(never inserted)",
    );
}

/// Account scoping: another account's draft, source and connection are invisible and
/// untouchable by id; listings only show the account's own records.
pub async fn account_scoping(store: &dyn Store) {
    let owner = created_account(store, "Owner").await;
    let other = created_account(store, "Other").await;
    let s = source(owner.id, "Feed", SourceKind::Product, at(1));
    store.insert_source(&s).await.expect("insert_source");
    let it = item(owner.id, s.id, "Scoped Mug", at(2));
    store.upsert_item(&it).await.expect("upsert_item");
    let d = insert(store, &draft(owner.id, 1, at(10))).await;
    store
        .put_connection(&connection(owner.id, "owner-access", "owner-refresh"))
        .await
        .expect("put_connection");

    expect_not_found(
        store.get_draft(other.id, d.id).await,
        "get_draft(other account)",
    );
    expect_not_found(
        store.get_source(other.id, s.id).await,
        "get_source(other account)",
    );
    let mut hijack = d.clone();
    hijack.account_id = other.id;
    hijack.content.title = PinTitle::parse("Hijacked").expect("title");
    expect_not_found(
        store.update_draft(&hijack).await,
        "update_draft(another account's id)",
    );
    assert_eq!(stored(store, &d).await, d, "the owner's draft is unchanged");

    assert!(
        store
            .list_drafts(other.id, &DraftFilter::default())
            .await
            .expect("list_drafts")
            .is_empty()
    );
    assert!(store.list_sources(other.id).await.expect("list").is_empty());
    assert!(
        store
            .list_items(other.id, None)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        store
            .list_items(other.id, Some(s.id))
            .await
            .expect("list")
            .is_empty()
    );
    let fp = d.fingerprint.clone().expect("fingerprint");
    assert!(
        !store
            .draft_exists(other.id, &fp, None)
            .await
            .expect("exists")
    );

    assert!(
        store
            .get_connection(other.id)
            .await
            .expect("get_connection")
            .is_none(),
        "another account's connection is not visible"
    );
    store
        .delete_connection(other.id)
        .await
        .expect("delete_connection of an account without one");
    let kept = store
        .get_connection(owner.id)
        .await
        .expect("get_connection")
        .expect("the owner's connection survives another account's delete");
    assert_eq!(kept.tokens.access.expose_secret(), "owner-access");
}

/// Stricter scoping, which the SQL stores enforce with foreign keys and the memory store
/// does not (yet), so it is not part of [`conformance`]: a record cannot be created for an
/// account that does not exist, and cannot point at another account's source or item.
pub async fn references_stay_inside_the_account(store: &dyn Store) {
    let a = created_account(store, "RefOwner").await;
    let b = created_account(store, "RefOther").await;
    let theirs = source(b.id, "Theirs", SourceKind::Product, at(1));
    store.insert_source(&theirs).await.expect("insert_source");
    let their_item = item(b.id, theirs.id, "Their Mug", at(2));
    store.upsert_item(&their_item).await.expect("upsert_item");

    let ghost = AccountId::new();
    expect_not_found(
        store
            .insert_source(&source(ghost, "Ghost", SourceKind::Product, at(1)))
            .await,
        "insert_source(unknown account)",
    );
    expect_not_found(
        store.insert_draft(&draft(ghost, 1, at(1))).await,
        "insert_draft(unknown account)",
    );
    expect_not_found(
        store
            .upsert_item(&item(a.id, theirs.id, "Stolen Mug", at(3)))
            .await,
        "upsert_item(another account's source)",
    );
    let mut d = draft(a.id, 2, at(4));
    d.source_id = Some(theirs.id);
    expect_not_found(
        store.insert_draft(&d).await,
        "insert_draft(another account's source)",
    );
    d.source_id = None;
    d.item_id = Some(their_item.id);
    expect_not_found(
        store.insert_draft(&d).await,
        "insert_draft(another account's item)",
    );
    d.item_id = None;
    let mut saved = insert(store, &d).await;
    saved.source_id = Some(theirs.id);
    expect_not_found(
        store.update_draft(&saved).await,
        "update_draft(another account's source)",
    );
    expect_not_found(
        store
            .put_connection(&connection(ghost, "pina_ghost", "pinr_ghost"))
            .await,
        "put_connection(unknown account)",
    );
    assert!(
        store.list_items(a.id, None).await.expect("list").is_empty(),
        "nothing was stored for the owner"
    );
}

/// The scheduler's claim: only `Queued` drafts that are due, and `Publishing`/`Reconciling`
/// drafts whose lease ended before `now`, are taken. Queued → `Publishing(attempts + 1)`
/// with a lease; an expired lease → `Reconciling` with the same attempt and start (never a
/// blind retry). A draft is claimed once per lease.
pub async fn claims(store: &dyn Store) {
    let a = created_account(store, "Claims").await;
    let now = at(1_000_000);
    let lease = Duration::from_secs(60);
    let until = plus(now, 60);

    let mut due_retry = draft_in(a.id, 1, DraftState::Queued { at: plus(now, -10) });
    due_retry.attempts = 2;
    let due_exactly = draft_in(a.id, 2, DraftState::Queued { at: now });
    let not_due = draft_in(a.id, 3, DraftState::Queued { at: plus(now, 1) });
    let approved = draft_in(a.id, 4, DraftState::Approved);
    let expired_publishing = draft_in(
        a.id,
        5,
        DraftState::Publishing {
            attempt: 1,
            started_at: plus(now, -100),
            lease_until: plus(now, -40),
        },
    );
    let live_publishing = draft_in(
        a.id,
        6,
        DraftState::Publishing {
            attempt: 1,
            started_at: plus(now, -5),
            lease_until: plus(now, 30),
        },
    );
    let lease_ends_now = draft_in(
        a.id,
        7,
        DraftState::Publishing {
            attempt: 1,
            started_at: plus(now, -60),
            lease_until: now,
        },
    );
    let expired_reconciling = draft_in(
        a.id,
        8,
        DraftState::Reconciling {
            attempt: 2,
            started_at: plus(now, -200),
            lease_until: Some(plus(now, -1)),
        },
    );
    let live_reconciling = draft_in(
        a.id,
        9,
        DraftState::Reconciling {
            attempt: 2,
            started_at: plus(now, -200),
            lease_until: Some(plus(now, 30)),
        },
    );
    let published = draft_in(
        a.id,
        10,
        DraftState::Published {
            pin_id: PinId::parse("77").expect("pin"),
            at: plus(now, -3600),
        },
    );
    let failed = draft_in(
        a.id,
        11,
        DraftState::Failed {
            reason: "bad image".into(),
        },
    );
    let all = [
        &due_retry,
        &due_exactly,
        &not_due,
        &approved,
        &expired_publishing,
        &live_publishing,
        &lease_ends_now,
        &expired_reconciling,
        &live_reconciling,
        &published,
        &failed,
    ];
    for d in all {
        insert(store, d).await;
    }

    let claimed = store
        .claim_due_drafts(now, lease, 100)
        .await
        .expect("claim_due_drafts");
    let mut got: Vec<Draft> = claimed.clone();
    got.sort_by_key(|d| d.id);
    let expect = |d: &Draft, state: DraftState, attempts: u32| {
        let mut w = d.clone();
        w.state = state;
        w.attempts = attempts;
        w.version = 2;
        w.updated_at = now;
        w
    };
    let mut want = vec![
        expect(
            &due_retry,
            DraftState::Publishing {
                attempt: 3,
                started_at: now,
                lease_until: until,
            },
            3,
        ),
        expect(
            &due_exactly,
            DraftState::Publishing {
                attempt: 1,
                started_at: now,
                lease_until: until,
            },
            1,
        ),
        expect(
            &expired_publishing,
            DraftState::Reconciling {
                attempt: 1,
                started_at: plus(now, -100),
                lease_until: Some(until),
            },
            0,
        ),
        expect(
            &expired_reconciling,
            DraftState::Reconciling {
                attempt: 2,
                started_at: plus(now, -200),
                lease_until: Some(until),
            },
            0,
        ),
    ];
    want.sort_by_key(|d| d.id);
    assert_eq!(
        got, want,
        "claim takes due queued drafts (→ Publishing) and expired leases (→ Reconciling), nothing else"
    );
    for d in &claimed {
        assert_eq!(&stored(store, d).await, d, "a claim is stored as returned");
    }
    for d in [
        &not_due,
        &approved,
        &live_publishing,
        &lease_ends_now,
        &live_reconciling,
        &published,
        &failed,
    ] {
        assert_eq!(
            stored(store, d).await.version,
            1,
            "{} was not touched",
            d.state.name()
        );
    }

    assert!(
        store
            .claim_due_drafts(now, lease, 100)
            .await
            .expect("claim again")
            .is_empty(),
        "a leased draft is not claimed again while its lease runs"
    );

    // After every lease ran out: everything in flight is reconciled, never re-sent.
    let later = plus(until, 1);
    let mut again = store
        .claim_due_drafts(later, lease, 100)
        .await
        .expect("claim after the leases");
    again.sort_by_key(|d| d.id);
    let names: Vec<(DraftId, StateName)> = again.iter().map(|d| (d.id, d.state.name())).collect();
    let mut want: Vec<(DraftId, StateName)> = vec![
        (due_retry.id, StateName::Reconciling),
        (due_exactly.id, StateName::Reconciling),
        (not_due.id, StateName::Publishing),
        (expired_publishing.id, StateName::Reconciling),
        (live_publishing.id, StateName::Reconciling),
        (lease_ends_now.id, StateName::Reconciling),
        (expired_reconciling.id, StateName::Reconciling),
        (live_reconciling.id, StateName::Reconciling),
    ];
    want.sort_by_key(|p| p.0);
    assert_eq!(names, want, "expired leases become Reconciling");
    let retried = again
        .iter()
        .find(|d| d.id == due_retry.id)
        .expect("claimed");
    assert_eq!(
        retried.state,
        DraftState::Reconciling {
            attempt: 3,
            started_at: now,
            lease_until: Some(plus(later, 60)),
        }
    );
    assert_eq!(retried.attempts, 3, "reconciling is not a new attempt");
    finish(store, &again).await;
}

/// Moves claimed drafts to `Published` so later claims do not see them.
async fn finish(store: &dyn Store, claimed: &[Draft]) {
    for d in claimed {
        let mut done = stored(store, d).await;
        done.state = DraftState::Published {
            pin_id: PinId::parse("1").expect("pin"),
            at: at(0),
        };
        update(store, &done).await;
    }
}

/// The claim's limit: at most `limit` drafts per call, the oldest due first, and repeated
/// calls take the rest, each draft once.
pub async fn claim_limits(store: &dyn Store) {
    let a = created_account(store, "ClaimLimits").await;
    let now = at(2_000_000);
    let lease = Duration::from_secs(300);
    let mut queued = Vec::new();
    for i in 0..5 {
        let d = draft_in(
            a.id,
            i,
            DraftState::Queued {
                at: plus(now, -100 + i as i64),
            },
        );
        insert(store, &d).await;
        queued.push(d.id);
    }
    assert!(
        store
            .claim_due_drafts(now, lease, 0)
            .await
            .expect("claim 0")
            .is_empty(),
        "limit 0 claims nothing"
    );
    // The order inside one claim is not specified; the order across claims is.
    let batches: [HashSet<DraftId>; 4] = [
        queued[0..2].iter().copied().collect(),
        queued[2..4].iter().copied().collect(),
        queued[4..5].iter().copied().collect(),
        HashSet::new(),
    ];
    for (i, want) in batches.iter().enumerate() {
        let got = store
            .claim_due_drafts(now, lease, 2)
            .await
            .expect("claim_due_drafts");
        let ids: HashSet<DraftId> = got.iter().map(|d| d.id).collect();
        assert_eq!(
            (got.len(), &ids),
            (want.len(), want),
            "claim {i} of at most 2 out of 5 takes the oldest due drafts not yet taken"
        );
        finish(store, &got).await;
    }
}

/// Four claimers at once (interleaved on one task; on a SQL store each on its own
/// connection): every due draft is claimed exactly once.
pub async fn concurrent_claims_take_each_draft_once(store: &dyn Store) {
    let a = created_account(store, "ClaimRace").await;
    let now = at(3_000_000);
    let mut ids = HashSet::new();
    for i in 0..40 {
        let d = draft_in(
            a.id,
            i,
            DraftState::Queued {
                at: plus(now, -(i as i64)),
            },
        );
        insert(store, &d).await;
        ids.insert(d.id);
    }
    let drain = || async {
        let mut mine = Vec::new();
        loop {
            let got = store
                .claim_due_drafts(now, Duration::from_secs(600), 3)
                .await
                .expect("claim_due_drafts");
            if got.is_empty() {
                return mine;
            }
            mine.extend(got);
        }
    };
    let (w1, w2, w3, w4) = tokio::join!(drain(), drain(), drain(), drain());
    let claimed: Vec<Draft> = [w1, w2, w3, w4].concat();
    let unique: HashSet<DraftId> = claimed.iter().map(|d| d.id).collect();
    assert_eq!(claimed.len(), unique.len(), "no draft was claimed twice");
    assert_eq!(unique, ids, "every due draft was claimed");
    finish(store, &claimed).await;
}

/// A connection with the given token strings.
pub fn connection(account: AccountId, access: &str, refresh: &str) -> Connection {
    Connection {
        account_id: account,
        pinterest_user_id: Some("549755813888".into()),
        username: "blue_mug_shop".into(),
        account_type: "BUSINESS".into(),
        scopes: vec![
            Scope::UserAccountsRead,
            Scope::BoardsRead,
            Scope::PinsWrite,
            Scope::Unknown("ads:read".into()),
        ],
        tokens: Tokens {
            access: SecretString::from(access.to_owned()),
            access_expires_at: at(30 * 86_400),
            refresh: SecretString::from(refresh.to_owned()),
            refresh_expires_at: Some(at(365 * 86_400)),
        },
        status: ConnectionStatus::Active,
        connected_at: at(60),
        refreshed_at: None,
    }
}

fn assert_same_connection(got: &Connection, want: &Connection) {
    assert_eq!(got.account_id, want.account_id);
    assert_eq!(got.pinterest_user_id, want.pinterest_user_id);
    assert_eq!(got.username, want.username);
    assert_eq!(got.account_type, want.account_type);
    assert_eq!(got.scopes, want.scopes);
    assert_eq!(
        got.tokens.access.expose_secret(),
        want.tokens.access.expose_secret()
    );
    assert_eq!(got.tokens.access_expires_at, want.tokens.access_expires_at);
    assert_eq!(
        got.tokens.refresh.expose_secret(),
        want.tokens.refresh.expose_secret()
    );
    assert_eq!(
        got.tokens.refresh_expires_at,
        want.tokens.refresh_expires_at
    );
    assert_eq!(got.status, want.status);
    assert_eq!(got.connected_at, want.connected_at);
    assert_eq!(got.refreshed_at, want.refreshed_at);
}

/// Connections: stored, replaced (a token refresh) and deleted; tokens come back as
/// they went in and never show in `Debug`.
pub async fn connections(store: &dyn Store) {
    let a = created_account(store, "Connections").await;
    assert!(store.get_connection(a.id).await.expect("get").is_none());
    let c = connection(a.id, "pina_ACCESS_first", "pinr_REFRESH_first");
    store.put_connection(&c).await.expect("put_connection");
    let got = store
        .get_connection(a.id)
        .await
        .expect("get_connection")
        .expect("stored");
    assert_same_connection(&got, &c);
    let shown = format!("{got:?}");
    assert!(
        !shown.contains("pina_ACCESS_first") && !shown.contains("pinr_REFRESH_first"),
        "tokens never show in Debug: {shown}"
    );

    let mut refreshed = connection(a.id, "pina_ACCESS_second", "pinr_REFRESH_second");
    refreshed.status = ConnectionStatus::NeedsReconnect;
    refreshed.refreshed_at = Some(at(90));
    refreshed.tokens.refresh_expires_at = None;
    refreshed.pinterest_user_id = None;
    store.put_connection(&refreshed).await.expect("put again");
    let got = store
        .get_connection(a.id)
        .await
        .expect("get_connection")
        .expect("stored");
    assert_same_connection(&got, &refreshed);

    store
        .delete_connection(a.id)
        .await
        .expect("delete_connection");
    assert!(store.get_connection(a.id).await.expect("get").is_none());
    store
        .delete_connection(a.id)
        .await
        .expect("deleting twice is fine");
}

fn board(id: &str, name: &str) -> Board {
    Board {
        id: BoardId::parse(id).expect("board id"),
        name: name.into(),
        description: Some(format!("All about {name}")),
        privacy: Some("PUBLIC".into()),
    }
}

/// Boards: a sync replaces the cache; listed by name ignoring case; per account.
pub async fn boards(store: &dyn Store) {
    let a = created_account(store, "Boards").await;
    let b = created_account(store, "BoardsOther").await;
    let mut secret = board("3", "Mid");
    secret.description = None;
    secret.privacy = None;
    store
        .replace_boards(
            a.id,
            &[board("1", "Zeta"), board("2", "alpha"), secret.clone()],
        )
        .await
        .expect("replace_boards");
    assert_eq!(
        store.list_boards(a.id).await.expect("list_boards"),
        vec![board("2", "alpha"), secret, board("1", "Zeta")],
        "boards by name, ignoring case"
    );
    store
        .replace_boards(b.id, &[board("9", "Theirs")])
        .await
        .expect("replace_boards");
    store
        .replace_boards(a.id, &[board("4", "Kitchen")])
        .await
        .expect("replace again");
    assert_eq!(
        store.list_boards(a.id).await.expect("list"),
        vec![board("4", "Kitchen")],
        "a sync replaces the whole cache"
    );
    assert_eq!(
        store.list_boards(b.id).await.expect("list"),
        vec![board("9", "Theirs")]
    );
    store
        .replace_boards(a.id, &[])
        .await
        .expect("replace empty");
    assert!(store.list_boards(a.id).await.expect("list").is_empty());
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2030, 3, d).expect("date")
}

fn metric(pin: &str, d: u32, n: u64) -> PinMetrics {
    PinMetrics {
        pin_id: PinId::parse(pin).expect("pin"),
        date: day(d),
        impressions: n * 100,
        saves: n,
        pin_clicks: n * 3,
        outbound_clicks: n * 2,
    }
}

/// Metrics: one row per pin and day (a second sync replaces it), listed by day then pin
/// between two dates inclusive, optionally for one pin, per account.
pub async fn metrics(store: &dyn Store) {
    let a = created_account(store, "Metrics").await;
    let b = created_account(store, "MetricsOther").await;
    store
        .upsert_metrics(
            a.id,
            &[
                metric("20", 2, 1),
                metric("10", 1, 2),
                metric("20", 1, 3),
                metric("10", 3, 4),
                metric("10", 9, 5),
            ],
        )
        .await
        .expect("upsert_metrics");
    store
        .upsert_metrics(b.id, &[metric("10", 2, 50)])
        .await
        .expect("upsert_metrics");
    store
        .upsert_metrics(a.id, &[metric("10", 1, 7)])
        .await
        .expect("upsert_metrics again");
    assert_eq!(
        store
            .list_metrics(a.id, None, day(1), day(3))
            .await
            .expect("list_metrics"),
        vec![
            metric("10", 1, 7),
            metric("20", 1, 3),
            metric("20", 2, 1),
            metric("10", 3, 4)
        ],
        "by day then pin, both ends inclusive, the second sync wins"
    );
    let pin = PinId::parse("10").expect("pin");
    assert_eq!(
        store
            .list_metrics(a.id, Some(&pin), day(2), day(30))
            .await
            .expect("list_metrics"),
        vec![metric("10", 3, 4), metric("10", 9, 5)]
    );
    assert_eq!(
        store
            .list_metrics(b.id, None, day(1), day(30))
            .await
            .expect("list_metrics"),
        vec![metric("10", 2, 50)]
    );
}

/// The audit log: newest first, limited, per account, every field kept.
pub async fn audit_is_newest_first(store: &dyn Store) {
    let a = created_account(store, "Audit").await;
    let b = created_account(store, "AuditOther").await;
    let event = |account: AccountId, action: &str, t: i64, outcome: Outcome| AuditEvent {
        id: EventId::new(),
        account_id: account,
        actor: "ann@example.test".into(),
        action: action.into(),
        draft_id: Some(DraftId::new()),
        source_id: None,
        outcome,
        detail: format!("{action} at {t}"),
        at: at(t),
    };
    let e1 = event(a.id, "draft.approve", 10, Outcome::Ok);
    let mut e2 = event(a.id, "source.import", 20, Outcome::Error);
    e2.draft_id = None;
    e2.source_id = Some(SourceId::new());
    e2.actor = "worker".into();
    let theirs = event(b.id, "draft.reject", 25, Outcome::Ok);
    let e3 = event(a.id, "draft.schedule", 30, Outcome::Ok);
    let e4 = event(a.id, "draft.publish", 30, Outcome::Ok);
    for e in [&e1, &e2, &theirs, &e3, &e4] {
        store.append_audit(e).await.expect("append_audit");
    }
    assert_eq!(
        store.list_audit(a.id, 10).await.expect("list_audit"),
        vec![e4.clone(), e3.clone(), e2.clone(), e1],
        "newest first; of two at the same time the later appended first"
    );
    assert_eq!(
        store.list_audit(a.id, 2).await.expect("list_audit"),
        vec![e4, e3]
    );
    assert_eq!(
        store.list_audit(b.id, 10).await.expect("list_audit"),
        vec![theirs]
    );
    assert!(
        store
            .list_audit(a.id, 0)
            .await
            .expect("list_audit")
            .is_empty()
    );
}

/// The [`crate::AuthStore`] contract: password hashes per account, sessions found by
/// token hash only until they expire, deleted one by one or per account, and nothing
/// stored for an account that does not exist.
pub async fn auth_conformance(store: &dyn Store, auth: &dyn crate::AuthStore) {
    let a = created_account(store, "Auth").await;
    let b = created_account(store, "AuthOther").await;
    assert_eq!(auth.password_hash(a.id).await.expect("read"), None);
    auth.set_password_hash(a.id, "$argon2id$v=19$first")
        .await
        .expect("set");
    auth.set_password_hash(a.id, "$argon2id$v=19$second")
        .await
        .expect("replace");
    assert_eq!(
        auth.password_hash(a.id).await.expect("read").as_deref(),
        Some("$argon2id$v=19$second")
    );
    assert_eq!(
        auth.password_hash(b.id).await.expect("read"),
        None,
        "scoped by account"
    );
    expect_not_found(
        auth.set_password_hash(AccountId::new(), "h").await,
        "set_password_hash(unknown account)",
    );

    let now = at(500);
    let session = |hash: &str, account: AccountId, expires: i64| crate::Session {
        token_hash: hash.to_owned(),
        account_id: account,
        csrf: format!("csrf-{hash}"),
        oauth_state: None,
        expires_at: plus(now, expires),
    };
    auth.put_session(&session("s1", a.id, 60))
        .await
        .expect("put");
    auth.put_session(&session("s2", a.id, 60))
        .await
        .expect("put");
    auth.put_session(&session("s3", b.id, 60))
        .await
        .expect("put");
    auth.put_session(&session("old", a.id, -1))
        .await
        .expect("put");
    let got = auth
        .get_session("s1", now)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(got, session("s1", a.id, 60));
    assert_eq!(
        auth.get_session("old", now).await.expect("get"),
        None,
        "expired"
    );
    assert_eq!(auth.get_session("nope", now).await.expect("get"), None);
    assert_eq!(
        auth.get_session("s1", plus(now, 61)).await.expect("get"),
        None
    );

    let mut with_state = session("s1", a.id, 60);
    with_state.oauth_state = Some("state-123".into());
    auth.put_session(&with_state).await.expect("update");
    assert_eq!(
        auth.get_session("s1", now)
            .await
            .expect("get")
            .expect("present")
            .oauth_state
            .as_deref(),
        Some("state-123")
    );

    // OAuth state: set on a live session only, taken once, and only when it matches.
    assert!(auth.set_oauth_state("s2", "st-1").await.expect("set"));
    assert!(
        !auth.set_oauth_state("nope", "st-1").await.expect("set"),
        "no session, no state"
    );
    assert!(
        auth.get_session("nope", now).await.expect("get").is_none(),
        "not re-created"
    );
    assert!(
        !auth.take_oauth_state("s2", "st-2").await.expect("take"),
        "wrong state"
    );
    assert!(auth.take_oauth_state("s2", "st-1").await.expect("take"));
    assert!(
        !auth.take_oauth_state("s2", "st-1").await.expect("take"),
        "single use"
    );

    auth.delete_session("s2").await.expect("delete");
    assert!(
        !auth.set_oauth_state("s2", "st-3").await.expect("set"),
        "signed out stays out"
    );
    assert_eq!(auth.get_session("s2", now).await.expect("get"), None);
    auth.delete_account_sessions(a.id)
        .await
        .expect("delete all");
    assert_eq!(auth.get_session("s1", now).await.expect("get"), None);
    assert!(
        auth.get_session("s3", now).await.expect("get").is_some(),
        "other account kept"
    );
    expect_not_found(
        auth.put_session(&session("ghost", AccountId::new(), 60))
            .await,
        "put_session(unknown account)",
    );
}

#[cfg(test)]
mod tests {
    use crate::memory::MemoryStore;

    #[tokio::test]
    async fn the_memory_store_passes_the_conformance_suite() {
        super::conformance(&MemoryStore::new()).await;
    }

    #[tokio::test]
    async fn the_memory_store_passes_the_auth_conformance_suite() {
        let store = MemoryStore::new();
        super::auth_conformance(&store, &store).await;
    }
}
