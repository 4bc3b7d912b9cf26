//! Copying a board from one database to another (`jobboard migrate-to-postgres`): every table, ids kept,
//! in one transaction on the target, then the target's id sequences set past the copied ids and every
//! table's row count checked against the source's.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::{QueryBuilder, Row};

use super::{Error, Pool, sqlite};

/// How a column is read from the source and bound on the target.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
    Date,
    Time,
    Bool,
}

/// One table to copy: its name, the columns (name on the target, the source's expression for it, kind),
/// and whether its `id` is an identity whose sequence must move past the copied ids.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, &'static str, Kind)],
    identity: bool,
}

use Kind::{Bool, Date, Int, Text, Time};

/// Every table of the board, parents before the tables that refer to them. The listing version and
/// the migrations' own table are the target's.
const TABLES: &[Table] = &[
    Table {
        name: "company_groups",
        columns: &[("id", "id", Int), ("name", "name", Text), ("application_limit", "application_limit", Int)],
        identity: true,
    },
    Table {
        name: "companies",
        columns: &[
            ("id", "id", Int),
            ("name", "name", Text),
            ("slug", "slug", Text),
            ("about", "about", Text),
            ("website", "website", Text),
            ("application_limit", "application_limit", Int),
            ("group_id", "group_id", Int),
            ("created_at", "created_at", Time),
        ],
        identity: true,
    },
    Table {
        name: "career_paths",
        columns: &[
            ("id", "id", Int),
            ("slug", "slug", Text),
            ("job_family", "job_family", Text),
            ("name", "name", Text),
            ("description", "description", Text),
        ],
        identity: true,
    },
    Table {
        name: "career_steps",
        columns: &[
            ("id", "id", Int),
            ("career_path_id", "career_path_id", Int),
            ("position", "position", Int),
            ("slug", "slug", Text),
            ("title", "title", Text),
            ("experience_level", "experience_level", Text),
            ("ladder_rank", "ladder_rank", Int),
            ("estimate_min", "estimate_min", Int),
            ("estimate_max", "estimate_max", Int),
            ("estimate_currency", "estimate_currency", Text),
            ("estimate_location_slug", "estimate_location_slug", Text),
        ],
        identity: true,
    },
    Table {
        name: "career_step_moves",
        columns: &[("from_step_id", "from_step_id", Int), ("to_step_id", "to_step_id", Int)],
        identity: false,
    },
    Table {
        name: "postings",
        columns: &[
            ("id", "id", Int),
            ("company_id", "company_id", Int),
            ("title", "title", Text),
            ("slug", "slug", Text),
            ("employment_type", "employment_type", Text),
            ("experience_level", "experience_level", Text),
            ("status", "status", Text),
            ("posted_at", "posted_at", Date),
            ("valid_through", "valid_through", Date),
            ("apply_url", "apply_url", Text),
            ("apply_email", "apply_email", Text),
            ("career_step_id", "career_step_id", Int),
            ("applies_on_site", "applies_on_site", Bool),
            ("created_at", "created_at", Time),
            ("updated_at", "updated_at", Time),
        ],
        identity: true,
    },
    Table {
        name: "posting_locations",
        columns: &[
            ("id", "id", Int),
            ("posting_id", "posting_id", Int),
            ("position", "position", Int),
            ("city", "city", Text),
            ("region", "region", Text),
            ("country", "country", Text),
            ("location_slug", "location_slug", Text),
            ("work_mode", "work_mode", Text),
            ("applicant_location_requirement", "applicant_location_requirement", Text),
        ],
        identity: true,
    },
    Table {
        name: "posting_pay",
        columns: &[
            ("posting_id", "posting_id", Int),
            ("min_amount", "min_amount", Int),
            ("max_amount", "max_amount", Int),
            ("currency", "currency", Text),
            ("unit", "unit", Text),
            ("location_id", "location_id", Int),
            ("annual_min", "annual_min", Int),
            ("annual_max", "annual_max", Int),
        ],
        identity: false,
    },
    Table {
        name: "posting_sections",
        columns: &[
            ("id", "id", Int),
            ("posting_id", "posting_id", Int),
            ("position", "position", Int),
            ("heading", "heading", Text),
            ("body_markdown", "body_markdown", Text),
            ("body_html", "body_html", Text),
        ],
        identity: true,
    },
    Table {
        name: "posting_benefits",
        columns: &[
            ("id", "id", Int),
            ("posting_id", "posting_id", Int),
            ("position", "position", Int),
            ("benefit_group", "benefit_group", Text),
            ("kind", "kind", Text),
            ("days", "days", Int),
            ("note", "note", Text),
        ],
        identity: true,
    },
    Table {
        name: "skills",
        columns: &[("id", "id", Int), ("slug", "slug", Text), ("name", "name", Text)],
        identity: true,
    },
    Table {
        name: "posting_skills",
        columns: &[("posting_id", "posting_id", Int), ("skill_id", "skill_id", Int)],
        identity: false,
    },
    Table {
        name: "legal_notices",
        columns: &[
            ("id", "id", Int),
            ("jurisdiction", "jurisdiction", Text),
            ("country", "country", Text),
            ("region", "region", Text),
            ("title", "title", Text),
            ("body_markdown", "body_markdown", Text),
            ("body_html", "body_html", Text),
        ],
        identity: true,
    },
    Table {
        name: "posting_legal_notices",
        columns: &[
            ("posting_id", "posting_id", Int),
            ("notice_id", "notice_id", Int),
            ("attached_by", "attached_by", Text),
        ],
        identity: false,
    },
    Table {
        name: "postings_fts",
        columns: &[
            ("posting_id", "rowid", Int),
            ("title", "title", Text),
            ("company", "company", Text),
            ("skills", "skills", Text),
            ("body", "body", Text),
        ],
        identity: false,
    },
    Table {
        name: "admins",
        columns: &[
            ("id", "id", Int),
            ("email", "email", Text),
            ("password_hash", "password_hash", Text),
            ("created_at", "created_at", Time),
            ("session_epoch", "session_epoch", Text),
        ],
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[("id", "id", Text), ("data", "data", Text), ("expires_at", "expires_at", Int)],
        identity: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", "id", Int),
            ("admin_id", "admin_id", Int),
            ("admin_email", "admin_email", Text),
            ("posting_id", "posting_id", Int),
            ("action", "action", Text),
            ("detail", "detail", Text),
            ("at", "at", Time),
        ],
        identity: true,
    },
    Table {
        name: "candidates",
        columns: &[
            ("id", "id", Int),
            ("email", "email", Text),
            ("password_hash", "password_hash", Text),
            ("name", "name", Text),
            ("contact_email", "contact_email", Text),
            ("cv_url", "cv_url", Text),
            ("cv_text", "cv_text", Text),
            ("note_template", "note_template", Text),
            ("confirmed_at", "confirmed_at", Time),
            ("created_at", "created_at", Time),
            ("notices_off", "notices_off", Bool),
            ("session_epoch", "session_epoch", Text),
            ("link_secret", "link_secret", Text),
        ],
        identity: true,
    },
    Table {
        name: "candidate_tokens",
        columns: &[
            ("token_hash", "token_hash", Text),
            ("candidate_id", "candidate_id", Int),
            ("purpose", "purpose", Text),
            ("expires_at", "expires_at", Int),
            ("used_at", "used_at", Int),
        ],
        identity: false,
    },
    Table {
        name: "applications",
        columns: &[
            ("id", "id", Int),
            ("posting_id", "posting_id", Int),
            ("candidate_id", "candidate_id", Int),
            ("company_id", "company_id", Int),
            ("position", "position", Int),
            ("name", "name", Text),
            ("email", "email", Text),
            ("cv_url", "cv_url", Text),
            ("cv_text", "cv_text", Text),
            ("note", "note", Text),
            ("status", "status", Text),
            ("created_at", "created_at", Time),
            ("updated_at", "updated_at", Time),
        ],
        identity: true,
    },
    Table {
        name: "saved_jobs",
        columns: &[
            ("candidate_id", "candidate_id", Int),
            ("posting_id", "posting_id", Int),
            ("saved_at", "saved_at", Time),
        ],
        identity: false,
    },
    Table {
        name: "planned_applications",
        columns: &[("candidate_id", "candidate_id", Int), ("posting_id", "posting_id", Int), ("rank", "rank", Int)],
        identity: false,
    },
    Table {
        name: "posting_views",
        columns: &[("posting_id", "posting_id", Int), ("views", "views", Int)],
        identity: false,
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", "id", Int),
            ("to_address", "to_address", Text),
            ("subject", "subject", Text),
            ("body", "body", Text),
            ("created_at", "created_at", Time),
            ("next_attempt_at", "next_attempt_at", Int),
            ("attempts", "attempts", Int),
            ("last_error", "last_error", Text),
            ("sent_at", "sent_at", Time),
            ("list_unsubscribe", "list_unsubscribe", Text),
        ],
        identity: true,
    },
    Table {
        name: "alerts",
        columns: &[
            ("id", "id", Int),
            ("email", "email", Text),
            ("candidate_id", "candidate_id", Int),
            ("listing_query", "listing_query", Text),
            ("career_path_id", "career_path_id", Int),
            ("frequency", "frequency", Text),
            ("paused", "paused", Bool),
            ("confirmed_at", "confirmed_at", Int),
            ("confirmation_sent_at", "confirmation_sent_at", Int),
            ("created_at", "created_at", Int),
            ("link_secret", "link_secret", Text),
        ],
        identity: true,
    },
    Table {
        name: "account_requests",
        columns: &[
            ("id", "id", Int),
            ("purpose", "purpose", Text),
            ("email", "email", Text),
            ("password_hash", "password_hash", Text),
            ("name", "name", Text),
            ("next", "next", Text),
            ("created_at", "created_at", Int),
        ],
        identity: true,
    },
    Table {
        name: "alert_steps",
        columns: &[("alert_id", "alert_id", Int), ("step_id", "step_id", Int)],
        identity: false,
    },
    Table {
        name: "alert_runs",
        columns: &[
            ("alert_id", "alert_id", Int),
            ("period", "period", Text),
            ("ran_at", "ran_at", Int),
            ("postings", "postings", Int),
        ],
        identity: false,
    },
    Table {
        name: "alert_sent_postings",
        columns: &[("alert_id", "alert_id", Int), ("posting_id", "posting_id", Int)],
        identity: false,
    },
    Table {
        name: "posting_changes",
        columns: &[
            ("id", "id", Int),
            ("posting_id", "posting_id", Int),
            ("before_facts", "before_facts", Text),
            ("after_facts", "after_facts", Text),
            ("created_at", "created_at", Int),
            ("notified_at", "notified_at", Int),
        ],
        identity: true,
    },
    Table { name: "signing_keys", columns: &[("name", "name", Text), ("secret", "secret", Text)], identity: false },
];

/// Rows per multi-row insert on the target (well under PostgreSQL's 65,535 bound parameters).
const ROWS_PER_INSERT: usize = 500;

/// One value on its way from the source to the target.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Date(Option<NaiveDate>),
    Time(Option<DateTime<Utc>>),
    Bool(Option<bool>),
}

/// Where a copy stands, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct CopyProgress<'a> {
    /// The table being copied.
    pub table: &'a str,
    /// Rows copied so far, over every table.
    pub copied: u64,
    /// Rows to copy, over every table.
    pub total: u64,
}

/// What a copy did: each table's row count, as the source and the target both have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

/// Copies every table of the board in `from` (SQLite) into `to` (PostgreSQL, migrated, holding no
/// The row count of every table of the board, in the copy's order: what a backup and its restore are
/// compared by.
pub async fn row_counts(pool: &Pool) -> Result<Vec<(&'static str, i64)>, Error> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", table.name));
        let count: i64 = match pool {
            Pool::Sqlite(pools) => sqlx::query_scalar(sql).fetch_one(&pools.readers).await?,
            Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        };
        counts.push((table.name, count));
    }
    Ok(counts)
}

/// postings or admins), ids kept, in one transaction: a failure leaves the target as it was. Then sets
/// the target's id sequences past the copied ids and checks each table's row count against the source.
pub async fn copy_board(
    from: &Pool,
    to: &Pool,
    mut progress: impl FnMut(CopyProgress<'_>),
) -> Result<CopyReport, Error> {
    let (Pool::Sqlite(sqlite::Pools { readers: source, .. }), Pool::Postgres(target)) = (from, to) else {
        return Err(Error::Invalid("the copy goes from a SQLite database to a PostgreSQL one".into()));
    };
    let used: i64 = sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM postings) + (SELECT COUNT(*) FROM admins)")
        .fetch_one(target)
        .await?;
    if used > 0 {
        return Err(Error::Invalid(
            "the target database already holds postings or admins: copy into an empty one".into(),
        ));
    }
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", table.name)))
            .fetch_one(source)
            .await?;
        counts.push(u64::try_from(count).unwrap_or(0));
    }
    let total = counts.iter().sum();
    let mut copied = 0;
    let mut tx = target.begin().await?;
    // What the target's migration stored (the legal notices' reference texts) gives way to the board's.
    let names: Vec<&str> = TABLES.iter().map(|table| table.name).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {} RESTART IDENTITY CASCADE", names.join(", "))))
        .execute(&mut *tx)
        .await?;
    for table in TABLES {
        progress(CopyProgress { table: table.name, copied, total });
        let select: Vec<&str> = table.columns.iter().map(|(_, source, _)| *source).collect();
        let key = if table.name == "postings_fts" { "rowid" } else { select[0] };
        let sql = format!("SELECT {} FROM {} ORDER BY {key}", select.join(", "), table.name);
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(source);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_INSERT);
        while let Some(row) = rows.try_next().await? {
            let values = table
                .columns
                .iter()
                .enumerate()
                .map(|(index, (_, _, kind))| {
                    Ok(match kind {
                        Int => Value::Int(row.try_get(index)?),
                        Text => Value::Text(row.try_get(index)?),
                        Date => Value::Date(row.try_get(index)?),
                        Time => Value::Time(row.try_get(index)?),
                        Bool => Value::Bool(row.try_get(index)?),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            batch.push(values);
            if batch.len() == ROWS_PER_INSERT {
                copied += insert(&mut tx, table, std::mem::take(&mut batch)).await?;
                progress(CopyProgress { table: table.name, copied, total });
            }
        }
        copied += insert(&mut tx, table, batch).await?;
        progress(CopyProgress { table: table.name, copied, total });
    }
    for table in TABLES.iter().filter(|table| table.identity) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {0}",
            table.name
        )))
        .execute(&mut *tx)
        .await?;
    }
    let mut report = CopyReport { tables: Vec::with_capacity(TABLES.len()) };
    for (table, expected) in TABLES.iter().zip(counts) {
        let found: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", table.name)))
            .fetch_one(&mut *tx)
            .await?;
        if u64::try_from(found).unwrap_or(0) != expected {
            return Err(Error::Other(format!("{}: {expected} rows in the source, {found} copied", table.name)));
        }
        report.tables.push((table.name.to_owned(), expected));
    }
    tx.commit().await?;
    Ok(report)
}

/// Inserts `rows` of `table` in one statement; returns how many.
async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &Table,
    rows: Vec<Vec<Value>>,
) -> Result<u64, Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let columns: Vec<&str> = table.columns.iter().map(|(name, _, _)| *name).collect();
    let mut insert =
        QueryBuilder::<sqlx::Postgres>::new(format!("INSERT INTO {} ({}) ", table.name, columns.join(", ")));
    let count = rows.len() as u64;
    insert.push_values(rows, |mut row, values| {
        for value in values {
            match value {
                Value::Int(value) => row.push_bind(value),
                Value::Text(value) => row.push_bind(value),
                Value::Date(value) => row.push_bind(value),
                Value::Time(value) => row.push_bind(value),
                Value::Bool(value) => row.push_bind(value),
            };
        }
    });
    insert.build().execute(&mut **tx).await?;
    Ok(count)
}
