-- Admin accounts, their server-side sessions, the audit trail of posting changes, and apply-by-e-mail.

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    -- A PHC string (argon2id); the password itself is never stored.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- tower-sessions records: the session id, its JSON data, and when it expires (unix seconds).
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    data       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Who changed which posting, when, and how. posting_id is not a foreign key: history outlives a posting.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    admin_id   INTEGER REFERENCES admins(id) ON DELETE SET NULL,
    admin_email TEXT   NOT NULL,
    posting_id INTEGER,
    action     TEXT    NOT NULL CHECK (action IN ('create', 'edit', 'publish', 'close', 'reopen')),
    detail     TEXT    NOT NULL DEFAULT '',
    at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX audit_log_posting ON audit_log (posting_id, id);

-- Postings may take applications by e-mail instead of (or as well as) a URL.
ALTER TABLE postings ADD COLUMN apply_email TEXT CHECK (apply_email IS NULL OR apply_email LIKE '%_@_%');
