-- Candidates and their applications (issue 16), and the outbox every e-mail goes through.

-- A group of companies sharing one application limit ("TikTok and its affiliates' jobs globally").
CREATE TABLE company_groups (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    application_limit INTEGER CHECK (application_limit IS NULL OR application_limit > 0)
);
ALTER TABLE companies ADD COLUMN group_id INTEGER REFERENCES company_groups(id) ON DELETE SET NULL;

-- The poster's choice: applications are taken on this site (beside the apply link or address).
ALTER TABLE postings ADD COLUMN applies_on_site INTEGER NOT NULL DEFAULT 0 CHECK (applies_on_site IN (0, 1));

-- Candidate accounts: an address is unique whatever its case. `confirmed_at` is set when the link of the
-- confirmation e-mail is followed; only a confirmed account can apply.
CREATE TABLE candidates (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    password_hash TEXT    NOT NULL,
    name          TEXT    NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    contact_email TEXT    NOT NULL DEFAULT '' CHECK (length(contact_email) <= 254),
    cv_url        TEXT    NOT NULL DEFAULT '' CHECK (length(cv_url) <= 2000),
    cv_text       TEXT    NOT NULL DEFAULT '' CHECK (length(cv_text) <= 20000),
    note_template TEXT    NOT NULL DEFAULT '' CHECK (length(note_template) <= 2000),
    confirmed_at  TEXT,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Single-use links sent by e-mail: only the SHA-256 of the token is stored.
CREATE TABLE candidate_tokens (
    token_hash   TEXT    PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    purpose      TEXT    NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX candidate_tokens_candidate ON candidate_tokens (candidate_id);

-- Applications. `position` is the application's place among the candidate's applications to the
-- company (or its group) in the order made; a withdrawal frees a slot and renumbers nothing. A deleted
-- account leaves its applications withdrawn, without the person's data (`candidate_id` NULL, blanks).
CREATE TABLE applications (
    id           INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX applications_once_per_posting ON applications (candidate_id, posting_id)
    WHERE status <> 'withdrawn';
CREATE INDEX applications_posting ON applications (posting_id, id);
CREATE INDEX applications_candidate ON applications (candidate_id, company_id, id);

-- Saved jobs, and the slot planner's shortlist (ranked, per candidate).
CREATE TABLE saved_jobs (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    posting_id   INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    saved_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (candidate_id, posting_id)
);
CREATE TABLE planned_applications (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    posting_id   INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    rank         INTEGER NOT NULL CHECK (rank > 0),
    PRIMARY KEY (candidate_id, posting_id)
);

-- Every e-mail is written here in the transaction of what it tells, then delivered by the sender task
-- when SMTP is configured (`sent_at`); without SMTP it stays here and the admin area shows it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT    NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;

-- The audit trail also records the employer's changes to applications (`posting_id` is the posting).
CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY,
    admin_id    INTEGER REFERENCES admins(id) ON DELETE SET NULL,
    admin_email TEXT    NOT NULL,
    posting_id  INTEGER,
    action      TEXT    NOT NULL CHECK (action IN ('create', 'edit', 'publish', 'close', 'reopen', 'application', 'company')),
    detail      TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO audit_log_new (id, admin_id, admin_email, posting_id, action, detail, at)
    SELECT id, admin_id, admin_email, posting_id, action, detail, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_posting ON audit_log (posting_id, id);

-- How often each posting's page was served (counted in memory, added here every 30 s).
CREATE TABLE posting_views (
    posting_id INTEGER PRIMARY KEY REFERENCES postings(id) ON DELETE CASCADE,
    views      INTEGER NOT NULL CHECK (views >= 0)
);
