-- People asking for alerts about new postings at chosen steps of a career path. Sending is done elsewhere.
CREATE TABLE career_alert_subscriptions (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    career_path_id INTEGER NOT NULL REFERENCES career_paths(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (email, career_path_id)
);

CREATE TABLE career_alert_steps (
    subscription_id INTEGER NOT NULL REFERENCES career_alert_subscriptions(id) ON DELETE CASCADE,
    step_id         INTEGER NOT NULL REFERENCES career_steps(id) ON DELETE CASCADE,
    PRIMARY KEY (subscription_id, step_id)
) WITHOUT ROWID;
