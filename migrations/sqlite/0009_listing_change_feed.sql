-- The listing's change feed, which replaces the listing version (0004). Every change to what the listing,
-- a posting page, a company page or a career page shows appends a row naming what changed, in the same
-- transaction as the change (triggers, so that no write path, the seed in another process and
-- hand-written SQL included, can forget to). Each server remembers the last `seq` it applied, reads only
-- the rows after it and reloads only the postings they name. SQLite has one writer at a time, so `seq`
-- order is commit order: a reader that sees a row sees every row before it.
CREATE TABLE listing_changes (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    posting_id     INTEGER,
    company_id     INTEGER,
    career_step_id INTEGER
);

-- The largest `seq` the pruner has deleted through: a server that last applied an older one has missed
-- changes and reloads the whole listing.
CREATE TABLE listing_feed_pruned (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL
);
INSERT INTO listing_feed_pruned (id, through) VALUES (1, 0);

DROP TRIGGER postings_bump_insert;
DROP TRIGGER postings_bump_update;
DROP TRIGGER postings_bump_delete;
DROP TRIGGER posting_locations_bump_insert;
DROP TRIGGER posting_locations_bump_update;
DROP TRIGGER posting_locations_bump_delete;
DROP TRIGGER posting_pay_bump_insert;
DROP TRIGGER posting_pay_bump_update;
DROP TRIGGER posting_pay_bump_delete;
DROP TRIGGER companies_bump_insert;
DROP TRIGGER companies_bump_update;
DROP TRIGGER companies_bump_delete;
DROP TRIGGER career_steps_bump_insert;
DROP TRIGGER career_steps_bump_update;
DROP TRIGGER career_steps_bump_delete;
DROP TABLE listing_version;

CREATE TRIGGER postings_feed_insert AFTER INSERT ON postings
BEGIN INSERT INTO listing_changes (posting_id) VALUES (NEW.id); END;
CREATE TRIGGER postings_feed_update AFTER UPDATE ON postings
BEGIN
    INSERT INTO listing_changes (posting_id) VALUES (NEW.id);
    INSERT INTO listing_changes (posting_id) SELECT OLD.id WHERE OLD.id <> NEW.id;
END;
CREATE TRIGGER postings_feed_delete AFTER DELETE ON postings
BEGIN INSERT INTO listing_changes (posting_id) VALUES (OLD.id); END;

CREATE TRIGGER posting_locations_feed_insert AFTER INSERT ON posting_locations
BEGIN INSERT INTO listing_changes (posting_id) VALUES (NEW.posting_id); END;
CREATE TRIGGER posting_locations_feed_update AFTER UPDATE ON posting_locations
BEGIN
    INSERT INTO listing_changes (posting_id) VALUES (NEW.posting_id);
    INSERT INTO listing_changes (posting_id) SELECT OLD.posting_id WHERE OLD.posting_id <> NEW.posting_id;
END;
CREATE TRIGGER posting_locations_feed_delete AFTER DELETE ON posting_locations
BEGIN INSERT INTO listing_changes (posting_id) VALUES (OLD.posting_id); END;

CREATE TRIGGER posting_pay_feed_insert AFTER INSERT ON posting_pay
BEGIN INSERT INTO listing_changes (posting_id) VALUES (NEW.posting_id); END;
CREATE TRIGGER posting_pay_feed_update AFTER UPDATE ON posting_pay
BEGIN
    INSERT INTO listing_changes (posting_id) VALUES (NEW.posting_id);
    INSERT INTO listing_changes (posting_id) SELECT OLD.posting_id WHERE OLD.posting_id <> NEW.posting_id;
END;
CREATE TRIGGER posting_pay_feed_delete AFTER DELETE ON posting_pay
BEGIN INSERT INTO listing_changes (posting_id) VALUES (OLD.posting_id); END;

CREATE TRIGGER companies_feed_insert AFTER INSERT ON companies
BEGIN INSERT INTO listing_changes (company_id) VALUES (NEW.id); END;
CREATE TRIGGER companies_feed_update AFTER UPDATE ON companies
BEGIN INSERT INTO listing_changes (company_id) VALUES (NEW.id); END;
CREATE TRIGGER companies_feed_delete AFTER DELETE ON companies
BEGIN INSERT INTO listing_changes (company_id) VALUES (OLD.id); END;

CREATE TRIGGER career_steps_feed_insert AFTER INSERT ON career_steps
BEGIN INSERT INTO listing_changes (career_step_id) VALUES (NEW.id); END;
CREATE TRIGGER career_steps_feed_update AFTER UPDATE ON career_steps
BEGIN INSERT INTO listing_changes (career_step_id) VALUES (NEW.id); END;
CREATE TRIGGER career_steps_feed_delete AFTER DELETE ON career_steps
BEGIN INSERT INTO listing_changes (career_step_id) VALUES (OLD.id); END;
