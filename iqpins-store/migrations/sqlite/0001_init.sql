-- IQ Pins schema, SQLite dialect. Kept column-for-column identical to
-- ../postgres/0001_init.sql so both stores run the same DML text.
-- Ids are UUID blobs, times RFC 3339 text (UTC, so text order is time order),
-- JSON columns are text that the store decodes through core's validating types.

CREATE TABLE accounts (
    id              BLOB PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    allowed_domains TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE sources (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         BLOB NOT NULL UNIQUE,
    account_id BLOB NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    defaults   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (account_id, id)
);

CREATE TABLE items (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB NOT NULL UNIQUE,
    account_id  BLOB NOT NULL REFERENCES accounts (id),
    source_id   BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    item        TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (account_id, fingerprint),
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, source_id) REFERENCES sources (account_id, id)
);
CREATE INDEX items_by_source ON items (account_id, source_id);

CREATE TABLE drafts (
    id                BLOB PRIMARY KEY NOT NULL,
    account_id        BLOB NOT NULL REFERENCES accounts (id),
    source_id         BLOB,
    item_id           BLOB,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    alt_text          TEXT NOT NULL,
    link              TEXT,
    image_url         TEXT,
    creative          TEXT,
    board_id          TEXT,
    section_id        TEXT,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'rejected', 'approved', 'queued',
                                                     'publishing', 'reconciling', 'published', 'failed')),
    queued_at         TEXT,
    attempt           INTEGER,
    started_at        TEXT,
    lease_until       TEXT,
    pin_id            TEXT,
    published_at      TEXT,
    fail_reason       TEXT,
    revision          INTEGER NOT NULL,
    approved_revision INTEGER,
    version           INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    last_error        TEXT,
    history           TEXT NOT NULL,
    flags             TEXT NOT NULL,
    fingerprint       TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    FOREIGN KEY (account_id, source_id) REFERENCES sources (account_id, id),
    FOREIGN KEY (account_id, item_id) REFERENCES items (account_id, id)
);
CREATE INDEX drafts_by_account ON drafts (account_id, created_at DESC, id DESC);
CREATE INDEX drafts_by_fingerprint ON drafts (account_id, fingerprint);
CREATE INDEX drafts_by_link ON drafts (account_id, link);
-- The scheduler's two claims, each an index range scan.
CREATE INDEX drafts_due ON drafts (queued_at, id) WHERE state = 'queued';
CREATE INDEX drafts_leased ON drafts (lease_until, id) WHERE state IN ('publishing', 'reconciling');

CREATE TABLE connections (
    account_id         BLOB PRIMARY KEY NOT NULL REFERENCES accounts (id),
    pinterest_user_id  TEXT,
    username           TEXT NOT NULL,
    account_type       TEXT NOT NULL,
    scopes             TEXT NOT NULL,
    access_token       BLOB NOT NULL,
    access_expires_at  TEXT NOT NULL,
    refresh_token      BLOB NOT NULL,
    refresh_expires_at TEXT,
    status             TEXT NOT NULL CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
    connected_at       TEXT NOT NULL,
    refreshed_at       TEXT
);

CREATE TABLE boards (
    account_id  BLOB NOT NULL REFERENCES accounts (id),
    id          TEXT NOT NULL,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    privacy     TEXT,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE pin_metrics (
    account_id      BLOB NOT NULL REFERENCES accounts (id),
    pin_id          TEXT NOT NULL,
    day             TEXT NOT NULL,
    impressions     INTEGER NOT NULL,
    saves           INTEGER NOT NULL,
    pin_clicks      INTEGER NOT NULL,
    outbound_clicks INTEGER NOT NULL,
    PRIMARY KEY (account_id, pin_id, day)
);
CREATE INDEX pin_metrics_by_day ON pin_metrics (account_id, day);

CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         BLOB NOT NULL UNIQUE,
    account_id BLOB NOT NULL REFERENCES accounts (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    draft_id   BLOB,
    source_id  BLOB,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    detail     TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, seq DESC);
