-- The listing's version: one number that every change to what the listing shows moves forward, in the
-- same transaction as the change. The server's listing snapshot is rebuilt (by one background task)
-- when it differs from the version the snapshot was read at. Triggers bump it, so that no write path,
-- the seed in another process and hand-written SQL included, can forget to.
CREATE TABLE listing_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO listing_version (id, version) VALUES (1, 1);

CREATE TRIGGER postings_bump_insert AFTER INSERT ON postings
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER postings_bump_update AFTER UPDATE ON postings
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER postings_bump_delete AFTER DELETE ON postings
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posting_locations_bump_insert AFTER INSERT ON posting_locations
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posting_locations_bump_update AFTER UPDATE ON posting_locations
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posting_locations_bump_delete AFTER DELETE ON posting_locations
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER companies_bump_insert AFTER INSERT ON companies
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER companies_bump_update AFTER UPDATE ON companies
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER companies_bump_delete AFTER DELETE ON companies
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER career_steps_bump_insert AFTER INSERT ON career_steps
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER career_steps_bump_update AFTER UPDATE ON career_steps
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER career_steps_bump_delete AFTER DELETE ON career_steps
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;

-- Sections and notices keep their sanitised HTML, made when they are written: a page view no longer runs
-- the Markdown renderer and the sanitiser. NULL means "not rendered yet"; the server renders those rows
-- at start-up (rows written before this migration).
ALTER TABLE posting_sections ADD COLUMN body_html TEXT;
ALTER TABLE legal_notices ADD COLUMN body_html TEXT;

-- Implausible pay is refused by the domain (app::domain::pay): an annualised maximum above $10,000,000.
-- SQLite cannot add a CHECK to a table, so the table is rebuilt with it. Rows that break the rule (only a
-- typo can make one) lose their pay rather than stopping the migration; the posting then shows no pay.
CREATE TABLE posting_pay_checked (
    posting_id   INTEGER PRIMARY KEY REFERENCES postings(id) ON DELETE CASCADE,
    min_amount   INTEGER NOT NULL CHECK (min_amount > 0),
    max_amount   INTEGER NOT NULL CHECK (max_amount >= min_amount),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    unit         TEXT    NOT NULL CHECK (unit IN ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR')),
    location_id  INTEGER REFERENCES posting_locations(id) ON DELETE SET NULL,
    annual_min   INTEGER NOT NULL,
    annual_max   INTEGER NOT NULL CHECK (currency <> 'USD' OR annual_max <= 10000000)
);
INSERT INTO posting_pay_checked
    SELECT posting_id, min_amount, max_amount, currency, unit, location_id, annual_min, annual_max
    FROM posting_pay WHERE currency <> 'USD' OR annual_max <= 10000000;
DROP TABLE posting_pay;
ALTER TABLE posting_pay_checked RENAME TO posting_pay;
CREATE INDEX posting_pay_annual_min ON posting_pay (annual_min);
CREATE INDEX posting_pay_annual_max ON posting_pay (annual_max);
CREATE TRIGGER posting_pay_bump_insert AFTER INSERT ON posting_pay
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posting_pay_bump_update AFTER UPDATE ON posting_pay
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER posting_pay_bump_delete AFTER DELETE ON posting_pay
BEGIN UPDATE listing_version SET version = version + 1 WHERE id = 1; END;
