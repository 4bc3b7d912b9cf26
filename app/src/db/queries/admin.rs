//! Admin accounts, server-side sessions, the audit trail, and the admin's reads and writes of postings.
//! Every posting change is written in one transaction with its audit row.

use chrono::NaiveDate;
use sqlx::FromRow;

use super::alerts::{record_posting_change, watched_facts};
use super::cards::{decode, locations_of};
use super::dialect;
use super::postings::{posting_benefits, posting_sections, posting_skills};
use super::write::{insert_jobs, replace_job};
use super::{Connection, Error, Pool};
use crate::db::records::{Actor, AdminAccount, iso_utc};
use crate::domain::admin::{AdminPostingRow, AuditEntry, CareerStepOption, CompanyOption, ListedStatus};
use crate::domain::{Currency, EmploymentType, ExperienceLevel, JobStatus, NewJob, Pay, PayUnit, PostingParts};

pub async fn count_admins(pool: &Pool) -> Result<i64, Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(pool).await.map_err(Error::from)
}

pub async fn insert_admin(pool: &Pool, email: &str, password_hash: &str) -> Result<i64, Error> {
    sqlx::query_scalar("INSERT INTO admins (email, password_hash) VALUES ($1, $2) RETURNING id")
        .bind(email)
        .bind(password_hash)
        .fetch_one(pool)
        .await
        .map_err(Error::from)
}

pub async fn find_admin(pool: &Pool, email: &str) -> Result<Option<AdminAccount>, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, email, password_hash, session_epoch FROM admins WHERE {}",
        dialect::email_is("$1")
    )))
    .bind(email)
    .fetch_optional(pool)
    .await
    .map_err(Error::from)
}

pub async fn set_admin_password(pool: &Pool, email: &str, password_hash: &str, epoch: &str) -> Result<bool, Error> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE admins SET password_hash = $2, session_epoch = $3 WHERE {}",
        dialect::email_is("$1")
    )))
    .bind(email)
    .bind(password_hash)
    .bind(epoch)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn admin_session_epoch(pool: &Pool, id: i64) -> Result<Option<String>, Error> {
    sqlx::query_scalar("SELECT session_epoch FROM admins WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(Error::from)
}

pub async fn save_session(pool: &Pool, id: &str, data: &str, expires_at: i64) -> Result<bool, Error> {
    let done = sqlx::query("UPDATE sessions SET data = $1, expires_at = $2 WHERE id = $3")
        .bind(data)
        .bind(expires_at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn create_session(pool: &Pool, id: &str, data: &str, expires_at: i64) -> Result<bool, Error> {
    let done = sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn load_session(pool: &Pool, id: &str, now: i64) -> Result<Option<(String, i64)>, Error> {
    sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await
        .map_err(Error::from)
}

pub async fn delete_session(pool: &Pool, id: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(pool).await?;
    Ok(())
}

pub async fn delete_expired_sessions(pool: &Pool, now: i64) -> Result<u64, Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected())
}

#[derive(FromRow)]
struct AdminPostingDbRow {
    id: i64,
    slug: String,
    title: String,
    company_name: String,
    status: String,
    posted_at: NaiveDate,
    valid_through: NaiveDate,
}

pub async fn admin_postings(
    pool: &Pool,
    search: &str,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<AdminPostingRow>, Error> {
    let pattern = format!("%{}%", search.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let like = dialect::LIKE_ANY_CASE;
    let rows: Vec<AdminPostingDbRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.id, p.slug, p.title, c.name AS company_name, p.status, p.posted_at, p.valid_through \
         FROM postings p JOIN companies c ON c.id = p.company_id \
         WHERE p.title {like} $1 ESCAPE '\\' OR c.name {like} $2 ESCAPE '\\' \
         ORDER BY p.updated_at DESC, p.id DESC LIMIT $3",
    )))
    .bind(&pattern)
    .bind(&pattern)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let status = decode("status", JobStatus::parse(&row.status))?;
            Ok(AdminPostingRow {
                id: row.id,
                slug: row.slug,
                title: row.title,
                company_name: row.company_name,
                status,
                listed_status: ListedStatus::of(status, row.valid_through, today),
                posted_at: row.posted_at,
                valid_through: row.valid_through,
            })
        })
        .collect()
}

pub async fn posting_status(pool: &Pool, id: i64) -> Result<JobStatus, Error> {
    let code: String = sqlx::query_scalar("SELECT status FROM postings WHERE id = $1").bind(id).fetch_one(pool).await?;
    decode("status", JobStatus::parse(&code))
}

#[derive(FromRow)]
struct EditRow {
    title: String,
    company_slug: String,
    employment_type: String,
    experience_level: String,
    status: String,
    posted_at: NaiveDate,
    valid_through: NaiveDate,
    apply_url: Option<String>,
    apply_email: Option<String>,
    applies_on_site: bool,
    path_slug: Option<String>,
    step_slug: Option<String>,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currency: Option<String>,
    unit: Option<String>,
    pay_location_id: Option<i64>,
}

pub async fn posting_for_edit(pool: &Pool, id: i64) -> Result<PostingParts, Error> {
    let row: EditRow = sqlx::query_as(
        "SELECT p.title, c.slug AS company_slug, p.employment_type, p.experience_level, p.status, p.posted_at, \
         p.valid_through, p.apply_url, p.apply_email, p.applies_on_site, cp.slug AS path_slug, cs.slug AS step_slug, \
         pay.min_amount, pay.max_amount, pay.currency, pay.unit, pay.location_id AS pay_location_id \
         FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN career_steps cs ON cs.id = p.career_step_id \
         LEFT JOIN career_paths cp ON cp.id = cs.career_path_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    let located = locations_of(pool, std::iter::once(id)).await?.remove(&id).unwrap_or_default();
    let pay_location = row.pay_location_id.and_then(|pay_id| located.iter().position(|(loc_id, _)| *loc_id == pay_id));
    let pay = match (row.min_amount, row.max_amount, row.currency, row.unit) {
        (Some(min), Some(max), Some(currency), Some(unit)) => Some(
            Pay::from_storage(
                min,
                max,
                decode("currency", Currency::parse(&currency))?,
                decode("unit", PayUnit::parse(&unit))?,
            )
            .map_err(|error| Error::corrupt("posting_pay", error))?,
        ),
        _ => None,
    };
    let sections = posting_sections(pool, id).await?;
    let benefits = posting_benefits(pool, id).await?;
    let skills = posting_skills(pool, id).await?;
    let legal_notices: Vec<String> = sqlx::query_scalar(
        "SELECT n.jurisdiction FROM posting_legal_notices pn JOIN legal_notices n ON n.id = pn.notice_id \
         WHERE pn.posting_id = $1 AND pn.attached_by = 'employer' ORDER BY n.jurisdiction",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(PostingParts {
        title: row.title,
        company_slug: row.company_slug,
        employment_type: decode("employment_type", EmploymentType::parse(&row.employment_type))?,
        level: decode("experience_level", ExperienceLevel::parse(&row.experience_level))?,
        status: decode("status", JobStatus::parse(&row.status))?,
        posted_at: row.posted_at,
        valid_through: row.valid_through,
        apply_url: row.apply_url,
        apply_email: row.apply_email,
        applies_on_site: row.applies_on_site,
        locations: located.into_iter().map(|(_, location)| location).collect(),
        pay,
        pay_location,
        sections,
        benefits,
        skills,
        career_step: row.path_slug.zip(row.step_slug),
        legal_notices,
    })
}

pub async fn company_options(pool: &Pool) -> Result<Vec<CompanyOption>, Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, name FROM companies ORDER BY lower(name), name").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(slug, name)| CompanyOption { slug, name }).collect())
}

pub async fn career_step_options(pool: &Pool) -> Result<Vec<CareerStepOption>, Error> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT cp.slug, cs.slug, cp.name, cs.title FROM career_steps cs \
         JOIN career_paths cp ON cp.id = cs.career_path_id ORDER BY cp.name, cs.position",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(path, step, path_name, title)| CareerStepOption {
            value: format!("{path}/{step}"),
            label: format!("{path_name}: {title}"),
        })
        .collect())
}

pub async fn company_exists(pool: &Pool, slug: &str) -> Result<bool, Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM companies WHERE slug = $1)")
        .bind(slug)
        .fetch_one(pool)
        .await
        .map_err(Error::from)
}

pub async fn career_step_exists(pool: &Pool, path: &str, step: &str) -> Result<bool, Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM career_steps cs JOIN career_paths cp ON cp.id = cs.career_path_id \
         WHERE cp.slug = $1 AND cs.slug = $2)",
    )
    .bind(path)
    .bind(step)
    .fetch_one(pool)
    .await
    .map_err(Error::from)
}

#[derive(FromRow)]
struct AuditRow {
    at: chrono::DateTime<chrono::Utc>,
    admin_email: String,
    posting_id: Option<i64>,
    action: String,
    detail: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            at: iso_utc(row.at),
            admin_email: row.admin_email,
            posting_id: row.posting_id,
            action: row.action,
            detail: row.detail,
        }
    }
}

pub async fn posting_history(pool: &Pool, posting_id: i64) -> Result<Vec<AuditEntry>, Error> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT at, admin_email, posting_id, action, detail FROM audit_log WHERE posting_id = $1 ORDER BY id DESC",
    )
    .bind(posting_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

pub async fn recent_audit(pool: &Pool, limit: i64) -> Result<Vec<AuditEntry>, Error> {
    let rows: Vec<AuditRow> =
        sqlx::query_as("SELECT at, admin_email, posting_id, action, detail FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

pub(super) async fn audit(
    conn: &mut Connection,
    actor: Actor<'_>,
    posting_id: i64,
    action: &str,
    detail: &str,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO audit_log (admin_id, admin_email, posting_id, action, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(actor.admin_id)
    .bind(actor.email)
    .bind(posting_id)
    .bind(action)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// The slug of the company named `name`, created (with no profile text) when no company has that slug.
async fn ensure_company(conn: &mut Connection, name: &str) -> Result<String, Error> {
    let slug = crate::db::slugs::company_slug(name);
    sqlx::query("INSERT INTO companies (name, slug) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING")
        .bind(name.trim())
        .bind(&slug)
        .execute(conn)
        .await?;
    Ok(slug)
}

pub async fn create_posting(
    pool: &Pool,
    mut job: NewJob,
    new_company: Option<&str>,
    actor: Actor<'_>,
) -> Result<i64, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    if let Some(name) = new_company {
        job = job.for_company(ensure_company(&mut tx, name).await?);
    }
    let id = insert_jobs(&mut tx, std::slice::from_ref(&job)).await?.into_iter().next().ok_or(Error::NotFound)?;
    let parts = job.parts();
    audit(&mut tx, actor, id, "create", &format!("{} ({})", parts.title, parts.status.code())).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_posting(
    pool: &Pool,
    id: i64,
    mut job: NewJob,
    new_company: Option<&str>,
    actor: Actor<'_>,
) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let before: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT status FROM postings WHERE id = $1{}",
        dialect::FOR_UPDATE
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = before else {
        return Err(Error::NotFound);
    };
    let watched_before = watched_facts(&mut tx, id).await?;
    if let Some(name) = new_company {
        job = job.for_company(ensure_company(&mut tx, name).await?);
    }
    replace_job(&mut tx, id, &job).await?;
    if let (Some(before), Some(after)) = (watched_before, watched_facts(&mut tx, id).await?) {
        record_posting_change(&mut tx, id, &before, &after).await?;
    }
    let parts = job.parts();
    let detail = if before == parts.status.code() {
        parts.title.clone()
    } else {
        format!("{} ({before} -> {})", parts.title, parts.status.code())
    };
    audit(&mut tx, actor, id, "edit", &detail).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_posting_status(
    pool: &Pool,
    id: i64,
    status: JobStatus,
    action: &str,
    actor: Actor<'_>,
) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let watched_before = watched_facts(&mut tx, id).await?;
    let changed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE postings SET status = $1, updated_at = {} WHERE id = $2",
        dialect::NOW
    )))
    .bind(status.code())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    if let (Some(before), Some(after)) = (watched_before, watched_facts(&mut tx, id).await?) {
        record_posting_change(&mut tx, id, &before, &after).await?;
    }
    audit(&mut tx, actor, id, action, status.code()).await?;
    tx.commit().await?;
    Ok(())
}
