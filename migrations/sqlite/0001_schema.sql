-- The job board's whole data model. Later work adds tables; it does not reshape these.
-- Dates are ISO-8601 text ('YYYY-MM-DD'), times are ISO-8601 UTC text. Money is integer minor units
-- (cents); the annualised figures used for filtering are whole currency units.

CREATE TABLE companies (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug              TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 200),
    about             TEXT    NOT NULL DEFAULT '',
    website           TEXT,
    -- How many postings one candidate may apply to (the brief's "maximum of two positions"); NULL = no limit.
    application_limit INTEGER CHECK (application_limit IS NULL OR application_limit > 0),
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Career paths: a job family's ladder of related titles with reference income estimates.
CREATE TABLE career_paths (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    job_family  TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE career_steps (
    id                      INTEGER PRIMARY KEY,
    career_path_id          INTEGER NOT NULL REFERENCES career_paths(id) ON DELETE CASCADE,
    -- Order in which the source listed the step.
    position                INTEGER NOT NULL,
    slug                    TEXT    NOT NULL,
    title                   TEXT    NOT NULL,
    experience_level        TEXT    NOT NULL CHECK (experience_level IN ('entry', 'mid', 'senior', 'staff')),
    -- Rank on the main ladder (1 = first rung); NULL for an adjacent role.
    ladder_rank             INTEGER,
    estimate_min            INTEGER CHECK (estimate_min IS NULL OR estimate_min > 0),
    estimate_max            INTEGER CHECK (estimate_max IS NULL OR estimate_max >= estimate_min),
    estimate_currency       TEXT    NOT NULL DEFAULT 'USD',
    -- The metro the reference estimate is for (a location slug such as 'san-jose-ca').
    estimate_location_slug  TEXT,
    UNIQUE (career_path_id, position),
    UNIQUE (career_path_id, slug)
);

-- Which steps a person commonly moves to next.
CREATE TABLE career_step_moves (
    from_step_id INTEGER NOT NULL REFERENCES career_steps(id) ON DELETE CASCADE,
    to_step_id   INTEGER NOT NULL REFERENCES career_steps(id) ON DELETE CASCADE,
    PRIMARY KEY (from_step_id, to_step_id),
    CHECK (from_step_id <> to_step_id)
) WITHOUT ROWID;

CREATE TABLE postings (
    id               INTEGER PRIMARY KEY,
    company_id       INTEGER NOT NULL REFERENCES companies(id),
    title            TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    slug             TEXT    NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
    employment_type  TEXT    NOT NULL CHECK (employment_type IN ('full_time', 'part_time', 'contract', 'internship', 'temporary')),
    experience_level TEXT    NOT NULL CHECK (experience_level IN ('entry', 'mid', 'senior', 'staff')),
    status           TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    posted_at        TEXT    NOT NULL,
    valid_through    TEXT    NOT NULL CHECK (valid_through >= posted_at),
    apply_url        TEXT    CHECK (apply_url IS NULL OR apply_url LIKE 'http://%' OR apply_url LIKE 'https://%'),
    career_step_id   INTEGER REFERENCES career_steps(id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- The listing: open postings, newest first (keyset on posted_at, id).
CREATE INDEX postings_open_newest ON postings (status, posted_at DESC, id DESC, valid_through);
CREATE INDEX postings_company ON postings (company_id, status);
CREATE INDEX postings_career_step ON postings (career_step_id);

CREATE TABLE posting_locations (
    id                     INTEGER PRIMARY KEY,
    posting_id             INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    position               INTEGER NOT NULL DEFAULT 0,
    city                   TEXT    NOT NULL,
    region                 TEXT    NOT NULL,
    country                TEXT    NOT NULL DEFAULT 'US' CHECK (length(country) = 2),
    -- 'san-jose-ca': what the location filter and facets use.
    location_slug          TEXT    NOT NULL,
    work_mode              TEXT    NOT NULL CHECK (work_mode IN ('onsite', 'hybrid', 'remote')),
    -- For remote work: where applicants must live (a country code or region), if anywhere.
    applicant_location_requirement TEXT
);
CREATE INDEX posting_locations_slug ON posting_locations (location_slug, posting_id);
CREATE INDEX posting_locations_region ON posting_locations (region, posting_id);
CREATE INDEX posting_locations_mode ON posting_locations (work_mode, posting_id);
CREATE INDEX posting_locations_posting ON posting_locations (posting_id, position);

CREATE TABLE posting_pay (
    posting_id   INTEGER PRIMARY KEY REFERENCES postings(id) ON DELETE CASCADE,
    min_amount   INTEGER NOT NULL CHECK (min_amount > 0),
    max_amount   INTEGER NOT NULL CHECK (max_amount >= min_amount),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    unit         TEXT    NOT NULL CHECK (unit IN ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR')),
    -- The location the range applies to ("base salary range for San Jose, CA").
    location_id  INTEGER REFERENCES posting_locations(id) ON DELETE SET NULL,
    -- Annualised with the one rule in app::domain::pay, in whole currency units.
    annual_min   INTEGER NOT NULL,
    annual_max   INTEGER NOT NULL
);
CREATE INDEX posting_pay_annual_min ON posting_pay (annual_min);
CREATE INDEX posting_pay_annual_max ON posting_pay (annual_max);

CREATE TABLE posting_sections (
    id            INTEGER PRIMARY KEY,
    posting_id    INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    heading       TEXT    NOT NULL,
    body_markdown TEXT    NOT NULL,
    UNIQUE (posting_id, position)
);

CREATE TABLE posting_benefits (
    id            INTEGER PRIMARY KEY,
    posting_id    INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL DEFAULT 0,
    benefit_group TEXT    NOT NULL CHECK (benefit_group IN ('health', 'money', 'leave', 'insurance', 'time_off', 'wellbeing', 'other')),
    kind          TEXT    NOT NULL,
    days          INTEGER CHECK (days IS NULL OR days > 0),
    note          TEXT
);
CREATE INDEX posting_benefits_posting ON posting_benefits (posting_id, position);

CREATE TABLE skills (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE posting_skills (
    posting_id INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    skill_id   INTEGER NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
    PRIMARY KEY (posting_id, skill_id)
) WITHOUT ROWID;
CREATE INDEX posting_skills_skill ON posting_skills (skill_id, posting_id);

-- Legal notices keyed by jurisdiction (e.g. 'US-CA-LOS-ANGELES-COUNTY'), written once, attached to many postings.
CREATE TABLE legal_notices (
    id            INTEGER PRIMARY KEY,
    jurisdiction  TEXT NOT NULL UNIQUE,
    country       TEXT NOT NULL DEFAULT 'US',
    region        TEXT,
    title         TEXT NOT NULL,
    body_markdown TEXT NOT NULL
);

CREATE TABLE posting_legal_notices (
    posting_id INTEGER NOT NULL REFERENCES postings(id) ON DELETE CASCADE,
    notice_id  INTEGER NOT NULL REFERENCES legal_notices(id) ON DELETE CASCADE,
    PRIMARY KEY (posting_id, notice_id)
) WITHOUT ROWID;

-- Full-text search over text only (numbers are filtered on the base tables). rowid = postings.id.
CREATE VIRTUAL TABLE postings_fts USING fts5(
    title, company, skills, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
