-- Alerts and the notices about followed jobs (issue 17). The career path's subscriptions become alerts of
-- one kind; a saved search is the other. Nothing is sent to an address before it confirms.

-- An alert: a listing query (its canonical query string) or steps of a career path, for one address.
-- `confirmed_at` is set when the address confirms (at once for a confirmed account's own address);
-- `confirmation_sent_at` is NULL until the confirmation e-mail is in the outbox. Unconfirmed alerts are
-- deleted after 7 days. Times are Unix seconds.
CREATE TABLE alerts (
    id                   INTEGER PRIMARY KEY,
    email                TEXT    NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
    candidate_id         INTEGER REFERENCES candidates(id) ON DELETE CASCADE,
    listing_query        TEXT    CHECK (listing_query IS NULL OR length(listing_query) <= 2000),
    career_path_id       INTEGER REFERENCES career_paths(id) ON DELETE CASCADE,
    frequency            TEXT    NOT NULL DEFAULT 'daily' CHECK (frequency IN ('immediate', 'daily', 'weekly')),
    paused               INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    confirmed_at         INTEGER,
    confirmation_sent_at INTEGER,
    created_at           INTEGER NOT NULL,
    CHECK ((listing_query IS NULL) <> (career_path_id IS NULL))
);
CREATE UNIQUE INDEX alerts_search_once ON alerts (email, listing_query) WHERE listing_query IS NOT NULL;
CREATE UNIQUE INDEX alerts_career_once ON alerts (email, career_path_id) WHERE career_path_id IS NOT NULL;
CREATE INDEX alerts_candidate ON alerts (candidate_id);
CREATE INDEX alerts_unconfirmed ON alerts (created_at) WHERE confirmed_at IS NULL;

CREATE TABLE alert_steps (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    step_id  INTEGER NOT NULL REFERENCES career_steps(id) ON DELETE CASCADE,
    PRIMARY KEY (alert_id, step_id)
) WITHOUT ROWID;

-- The run log: one row per alert and period (`H2026-12-01T21`, `D2026-12-01`, `W2026-49`), written in the
-- transaction that puts the digest in the outbox, so a second sweep in the period sends nothing and a
-- crash leaves either both or neither.
CREATE TABLE alert_runs (
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    period   TEXT    NOT NULL,
    ran_at   INTEGER NOT NULL,
    postings INTEGER NOT NULL,
    PRIMARY KEY (alert_id, period)
) WITHOUT ROWID;

-- The postings each alert has told about: never twice, and followed for changes.
CREATE TABLE alert_sent_postings (
    alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    posting_id INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    PRIMARY KEY (alert_id, posting_id)
) WITHOUT ROWID;
CREATE INDEX alert_sent_postings_posting ON alert_sent_postings (posting_id);

-- A change of a posting's pay, apply-before date or status, written in the edit's transaction; the sweep
-- tells its followers and sets `notified_at` in the transaction that puts the notices in the outbox.
CREATE TABLE posting_changes (
    id           INTEGER PRIMARY KEY,
    posting_id   INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    before_facts TEXT    NOT NULL,
    after_facts  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    notified_at  INTEGER
);
CREATE INDEX posting_changes_pending ON posting_changes (id) WHERE notified_at IS NULL;

-- Keys that sign the links of e-mails (unsubscribe, confirm), made at first use.
CREATE TABLE signing_keys (
    name   TEXT PRIMARY KEY,
    secret TEXT NOT NULL CHECK (length(secret) >= 32)
);

-- A candidate who unsubscribed from the notices about saved and applied jobs.
ALTER TABLE candidates ADD COLUMN notices_off INTEGER NOT NULL DEFAULT 0 CHECK (notices_off IN (0, 1));

-- The career path's subscriptions so far, as unconfirmed alerts: the sweep sends each its confirmation.
INSERT INTO alerts (id, email, career_path_id, frequency, created_at)
SELECT id, lower(email), career_path_id, 'daily', CAST(strftime('%s', 'now') AS INTEGER)
FROM career_alert_subscriptions;
INSERT INTO alert_steps (alert_id, step_id) SELECT subscription_id, step_id FROM career_alert_steps;
DROP TABLE career_alert_steps;
DROP TABLE career_alert_subscriptions;

-- The one-click unsubscribe address of an e-mail about alerts (List-Unsubscribe, RFC 8058).
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT CHECK (list_unsubscribe IS NULL OR length(list_unsubscribe) <= 2000);
