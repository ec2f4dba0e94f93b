-- Sign-in: password hashes (Argon2id PHC strings) and browser sessions. Only a SHA-256
-- of each session token is kept, so the table does not hold working sessions.
CREATE TABLE passwords (
    account_id BLOB PRIMARY KEY NOT NULL REFERENCES accounts (id),
    hash       TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    account_id  BLOB NOT NULL REFERENCES accounts (id),
    csrf        TEXT NOT NULL,
    oauth_state TEXT,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);
