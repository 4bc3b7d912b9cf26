-- The listing's change feed, which replaces the listing version (see the SQLite migration 0009). Row
-- triggers append what changed in the writer's transaction; one statement trigger per table notifies
-- the channel `listing_changes` (with the schema's name) so that every instance reads the feed at once.
--
-- Sequence values are taken in no particular commit order on PostgreSQL, so a reader cannot follow
-- `seq` alone: each row also keeps its transaction's id (`tx`). A reader asks for the rows of every
-- transaction from the oldest one still running at its previous read (`pg_snapshot_xmin`) on, which
-- holds every row that was not visible then, and skips the rows it applied already.
CREATE TABLE listing_changes (
    seq            BIGSERIAL PRIMARY KEY,
    tx             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    posting_id     BIGINT,
    company_id     BIGINT,
    career_step_id BIGINT
);
CREATE INDEX listing_changes_tx ON listing_changes (tx);

-- The newest transaction id the pruner deleted rows through: an instance whose previous read is older
-- has missed changes and reloads the whole listing.
CREATE TABLE listing_feed_pruned (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    through xid8 NOT NULL
);
INSERT INTO listing_feed_pruned (id, through) VALUES (1, '0'::xid8);

DROP TRIGGER postings_bump ON postings;
DROP TRIGGER posting_locations_bump ON posting_locations;
DROP TRIGGER posting_pay_bump ON posting_pay;
DROP TRIGGER companies_bump ON companies;
DROP TRIGGER career_steps_bump ON career_steps;
DROP FUNCTION bump_listing_version();
DROP TABLE listing_version;

CREATE FUNCTION feed_posting_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO listing_changes (posting_id) VALUES (NEW.id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
        INSERT INTO listing_changes (posting_id) VALUES (OLD.id);
    END IF;
    RETURN NULL;
END;
$$;

-- The same for a table of a posting's parts (places, pay), which name it by `posting_id`.
CREATE FUNCTION feed_posting_part_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO listing_changes (posting_id) VALUES (NEW.posting_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.posting_id <> NEW.posting_id) THEN
        INSERT INTO listing_changes (posting_id) VALUES (OLD.posting_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION feed_company_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO listing_changes (company_id) VALUES (OLD.id);
    ELSE
        INSERT INTO listing_changes (company_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION feed_career_step_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO listing_changes (career_step_id) VALUES (OLD.id);
    ELSE
        INSERT INTO listing_changes (career_step_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION notify_listing_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('listing_changes', current_schema());
    RETURN NULL;
END;
$$;

CREATE TRIGGER postings_feed AFTER INSERT OR UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION feed_posting_change();
CREATE TRIGGER posting_locations_feed AFTER INSERT OR UPDATE OR DELETE ON posting_locations
    FOR EACH ROW EXECUTE FUNCTION feed_posting_part_change();
CREATE TRIGGER posting_pay_feed AFTER INSERT OR UPDATE OR DELETE ON posting_pay
    FOR EACH ROW EXECUTE FUNCTION feed_posting_part_change();
CREATE TRIGGER companies_feed AFTER INSERT OR UPDATE OR DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION feed_company_change();
CREATE TRIGGER career_steps_feed AFTER INSERT OR UPDATE OR DELETE ON career_steps
    FOR EACH ROW EXECUTE FUNCTION feed_career_step_change();

CREATE TRIGGER postings_notify AFTER INSERT OR UPDATE OR DELETE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION notify_listing_change();
CREATE TRIGGER posting_locations_notify AFTER INSERT OR UPDATE OR DELETE ON posting_locations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_listing_change();
CREATE TRIGGER posting_pay_notify AFTER INSERT OR UPDATE OR DELETE ON posting_pay
    FOR EACH STATEMENT EXECUTE FUNCTION notify_listing_change();
CREATE TRIGGER companies_notify AFTER INSERT OR UPDATE OR DELETE ON companies
    FOR EACH STATEMENT EXECUTE FUNCTION notify_listing_change();
CREATE TRIGGER career_steps_notify AFTER INSERT OR UPDATE OR DELETE ON career_steps
    FOR EACH STATEMENT EXECUTE FUNCTION notify_listing_change();
