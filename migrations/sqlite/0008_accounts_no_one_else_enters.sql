-- no-transaction
-- Accounts that no one else can enter (issue 28).
--
-- 1. Ids that leave the database are never handed out twice: accounts, admins, alerts and applications
--    are rebuilt with AUTOINCREMENT (without it SQLite gives a deleted largest id to the next row, and a
--    session or link naming the old row would name the new one). Postings and companies have no delete
--    path; their ids cannot come back.
-- 2. Each account has a random session epoch, kept in its sessions and compared on every request: a new
--    epoch ends every other session at once (password reset or change, deletion).
-- 3. Each alert and each candidate has a random link secret, signed into the e-mailed links: a link of a
--    deleted row does not work on a new one.
-- 4. Sessions are stored under the SHA-256 of their id: the sessions that exist now end (their ids were
--    stored in plain text).
-- 5. Sign-ups, forgot-password and resend-confirmation requests are queued (`account_requests`) and done
--    off the request path, so their answers cost the same whether the address has an account or not.
--
-- The rebuild follows SQLite's own procedure for changing a table (foreign keys off, outside a
-- transaction, then everything in one transaction, checked before it commits): with foreign keys on,
-- dropping the old table would run its ON DELETE actions on every child row. Run outside sqlx's
-- transaction, it could commit and the process die before sqlx records it: run again, it does the same
-- again and succeeds (every step may be repeated).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE candidates_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    password_hash TEXT    NOT NULL,
    name          TEXT    NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    contact_email TEXT    NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
    cv_url        TEXT    NOT NULL DEFAULT '' CHECK (length(cv_url) <= 2000),
    cv_text       TEXT    NOT NULL DEFAULT '' CHECK (length(cv_text) <= 20000),
    note_template TEXT    NOT NULL DEFAULT '' CHECK (length(note_template) <= 2000),
    confirmed_at  TEXT,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    notices_off   INTEGER NOT NULL DEFAULT 0 CHECK (notices_off IN (0, 1)),
    session_epoch TEXT    NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    link_secret   TEXT    NOT NULL DEFAULT (lower(hex(randomblob(16))))
);
INSERT INTO candidates_rebuilt (id, email, password_hash, name, contact_email, cv_url, cv_text, note_template,
                                confirmed_at, created_at, notices_off)
    SELECT id, email, password_hash, name, contact_email, cv_url, cv_text, note_template, confirmed_at,
           created_at, notices_off
    FROM candidates;
DROP TABLE candidates;
ALTER TABLE candidates_rebuilt RENAME TO candidates;

CREATE TABLE admins_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    -- A PHC string (argon2id); the password itself is never stored.
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    session_epoch TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))
);
INSERT INTO admins_rebuilt (id, email, password_hash, created_at)
    SELECT id, email, password_hash, created_at FROM admins;
DROP TABLE admins;
ALTER TABLE admins_rebuilt RENAME TO admins;

CREATE TABLE alerts_rebuilt (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    email                TEXT    NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    candidate_id         INTEGER REFERENCES candidates(id) ON DELETE CASCADE,
    listing_query        TEXT    CHECK (listing_query IS NULL OR length(listing_query) <= 2000),
    career_path_id       INTEGER REFERENCES career_paths(id) ON DELETE CASCADE,
    frequency            TEXT    NOT NULL DEFAULT 'daily' CHECK (frequency IN ('immediate', 'daily', 'weekly')),
    paused               INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    confirmed_at         INTEGER,
    confirmation_sent_at INTEGER,
    created_at           INTEGER NOT NULL,
    link_secret          TEXT    NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    CHECK ((listing_query IS NULL) <> (career_path_id IS NULL))
);
INSERT INTO alerts_rebuilt (id, email, candidate_id, listing_query, career_path_id, frequency, paused,
                            confirmed_at, confirmation_sent_at, created_at)
    SELECT id, email, candidate_id, listing_query, career_path_id, frequency, paused, confirmed_at,
           confirmation_sent_at, created_at
    FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_rebuilt RENAME TO alerts;
CREATE UNIQUE INDEX alerts_search_once ON alerts (email, listing_query) WHERE listing_query IS NOT NULL;
CREATE UNIQUE INDEX alerts_career_once ON alerts (email, career_path_id) WHERE career_path_id IS NOT NULL;
CREATE INDEX alerts_candidate ON alerts (candidate_id);
CREATE INDEX alerts_unconfirmed ON alerts (created_at) WHERE confirmed_at IS NULL;

CREATE TABLE applications_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    posting_id   INTEGER NOT NULL REFERENCES postings(id),
    candidate_id INTEGER REFERENCES candidates(id) ON DELETE SET NULL,
    company_id   INTEGER NOT NULL REFERENCES companies(id),
    position     INTEGER NOT NULL CHECK (position > 0),
    name         TEXT    NOT NULL CHECK (length(name) <= 200),
    email        TEXT    NOT NULL CHECK (length(email) <= 254),
    cv_url       TEXT    NOT NULL DEFAULT '' CHECK (length(cv_url) <= 2000),
    cv_text      TEXT    NOT NULL DEFAULT '' CHECK (length(cv_text) <= 20000),
    note         TEXT    NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    status       TEXT    NOT NULL DEFAULT 'received'
                 CHECK (status IN ('received', 'reviewed', 'shortlisted', 'rejected', 'withdrawn')),
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO applications_rebuilt SELECT id, posting_id, candidate_id, company_id, position, name, email, cv_url,
    cv_text, note, status, created_at, updated_at FROM applications;
DROP TABLE applications;
ALTER TABLE applications_rebuilt RENAME TO applications;
CREATE UNIQUE INDEX applications_once_per_posting ON applications (candidate_id, posting_id)
    WHERE status <> 'withdrawn';
CREATE INDEX applications_posting ON applications (posting_id, id);
CREATE INDEX applications_candidate ON applications (candidate_id, company_id, id);

-- Every id used so far stays used, also the largest ones deleted before this migration ran that a later
-- table still names (an alert's old account, say): start each sequence above the largest id any table
-- refers to.
DELETE FROM sqlite_sequence WHERE name IN ('candidates', 'admins', 'alerts', 'applications');
INSERT INTO sqlite_sequence (name, seq) SELECT 'candidates', max(
    COALESCE((SELECT max(id) FROM candidates), 0),
    COALESCE((SELECT max(candidate_id) FROM applications), 0),
    COALESCE((SELECT max(candidate_id) FROM alerts), 0));
INSERT INTO sqlite_sequence (name, seq) SELECT 'admins', max(
    COALESCE((SELECT max(id) FROM admins), 0),
    COALESCE((SELECT max(admin_id) FROM audit_log), 0));
INSERT INTO sqlite_sequence (name, seq) SELECT 'alerts', COALESCE((SELECT max(id) FROM alerts), 0);
INSERT INTO sqlite_sequence (name, seq) SELECT 'applications', COALESCE((SELECT max(id) FROM applications), 0);

-- Sessions under the hash of their id: the plain ids stored so far are worthless now.
DELETE FROM sessions;

-- Account requests done off the request path (the request itself is the same write for any address): a
-- sign-up (a new account, or an e-mail to the owner of a taken address), a reset link or a new
-- confirmation link (when the address has an account). A sign-up carries the password's hash, the name,
-- and the page to come back to; the row is deleted when it is done.
CREATE TABLE IF NOT EXISTS account_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('sign-up', 'reset', 'confirm')),
    email         TEXT    NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash TEXT,
    name          TEXT    NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    next          TEXT    NOT NULL DEFAULT '' CHECK (length(next) <= 512),
    created_at    INTEGER NOT NULL
);

-- The rebuild must leave every reference whole: a violation aborts the migration.
CREATE TEMP TABLE rebuild_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO rebuild_check SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE rebuild_check;

COMMIT;
PRAGMA foreign_keys = ON;
