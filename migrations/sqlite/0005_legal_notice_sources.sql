-- Who attached a legal notice to a posting: the employer (kept through edits) or the posting's locations
-- (`app::domain::legal_notices`, recomputed at every save). Rows before this migration were attached by
-- the seed on the employer's behalf.
ALTER TABLE posting_legal_notices ADD COLUMN attached_by TEXT NOT NULL DEFAULT 'employer'
    CHECK (attached_by IN ('employer', 'location'));
