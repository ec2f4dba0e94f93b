-- IQ Pins schema, Postgres dialect. Kept column-for-column identical to
-- ../sqlite/0001_init.sql so both stores run the same DML text.
-- Ids are UUIDs, times timestamptz, days date; JSON columns are text that the
-- store decodes through core's validating types (it never queries inside them).

CREATE TABLE accounts (
    id              UUID PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    allowed_domains TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE sources (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         UUID NOT NULL UNIQUE,
    account_id UUID NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    defaults   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, id)
);

CREATE TABLE items (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          UUID NOT NULL UNIQUE,
    account_id  UUID NOT NULL REFERENCES accounts (id),
    source_id   UUID NOT NULL,
    fingerprint TEXT NOT NULL,
    item        TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, fingerprint),
    UNIQUE (account_id, id),
    FOREIGN KEY (account_id, source_id) REFERENCES sources (account_id, id)
);
CREATE INDEX items_by_source ON items (account_id, source_id);

CREATE TABLE drafts (
    id                UUID PRIMARY KEY NOT NULL,
    account_id        UUID NOT NULL REFERENCES accounts (id),
    source_id         UUID,
    item_id           UUID,
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
    queued_at         TIMESTAMPTZ,
    attempt           BIGINT,
    started_at        TIMESTAMPTZ,
    lease_until       TIMESTAMPTZ,
    pin_id            TEXT,
    published_at      TIMESTAMPTZ,
    fail_reason       TEXT,
    revision          BIGINT NOT NULL,
    approved_revision BIGINT,
    version           BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    last_error        TEXT,
    history           TEXT NOT NULL,
    flags             TEXT NOT NULL,
    fingerprint       TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
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
    account_id         UUID PRIMARY KEY NOT NULL REFERENCES accounts (id),
    pinterest_user_id  TEXT,
    username           TEXT NOT NULL,
    account_type       TEXT NOT NULL,
    scopes             TEXT NOT NULL,
    access_token       BYTEA NOT NULL,
    access_expires_at  TIMESTAMPTZ NOT NULL,
    refresh_token      BYTEA NOT NULL,
    refresh_expires_at TIMESTAMPTZ,
    status             TEXT NOT NULL CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
    connected_at       TIMESTAMPTZ NOT NULL,
    refreshed_at       TIMESTAMPTZ
);

CREATE TABLE boards (
    account_id  UUID NOT NULL REFERENCES accounts (id),
    id          TEXT NOT NULL,
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    privacy     TEXT,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE pin_metrics (
    account_id      UUID NOT NULL REFERENCES accounts (id),
    pin_id          TEXT NOT NULL,
    day             DATE NOT NULL,
    impressions     BIGINT NOT NULL,
    saves           BIGINT NOT NULL,
    pin_clicks      BIGINT NOT NULL,
    outbound_clicks BIGINT NOT NULL,
    PRIMARY KEY (account_id, pin_id, day)
);
CREATE INDEX pin_metrics_by_day ON pin_metrics (account_id, day);

CREATE TABLE audit_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         UUID NOT NULL UNIQUE,
    account_id UUID NOT NULL REFERENCES accounts (id),
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    draft_id   UUID,
    source_id  UUID,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    detail     TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, seq DESC);
