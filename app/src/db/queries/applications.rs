//! Applications under the company's limit: applying (the limit checked and the slot taken in one
//! transaction), withdrawing, the candidate's and the employer's lists, the employer's status changes,
//! and the admin's limits and groups.

use chrono::NaiveDate;
use sqlx::FromRow;

use super::admin::audit;
use super::candidates::enqueue;
use super::dialect;
use super::{Connection, Error, Pool};
use crate::db::records::{Actor, Applied, StatusChange, iso_utc};
use crate::domain::candidate::{
    ApplicationStatus, ApplyRefusal, CompanyLimit, MyApplication, ReceivedApplication, SlotUsage, UsedSlot,
    ValidApplication,
};
use crate::domain::mail::OutgoingMail;

/// The companies whose applications count together with `$N`'s: the company, and every company of its
/// group.
fn scope_companies(company: &str) -> String {
    format!(
        "(SELECT sc.id FROM companies sc WHERE sc.id = {company} OR (sc.group_id IS NOT NULL AND \
         sc.group_id = (SELECT group_id FROM companies WHERE id = {company})))"
    )
}

async fn usage_of(conn: &mut Connection, candidate_id: i64, company_id: i64) -> Result<SlotUsage, Error> {
    let (scope, limit): (String, Option<i64>) = sqlx::query_as(
        "SELECT COALESCE(g.name, c.name), CASE WHEN g.id IS NULL THEN c.application_limit ELSE g.application_limit END \
         FROM companies c LEFT JOIN company_groups g ON g.id = c.group_id WHERE c.id = $1",
    )
    .bind(company_id)
    .fetch_one(&mut *conn)
    .await?;
    let used: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.posting_id, p.title, p.slug, a.position FROM applications a \
         JOIN postings p ON p.id = a.posting_id \
         WHERE a.candidate_id = $1 AND a.status <> 'withdrawn' AND a.company_id IN {} ORDER BY a.id",
        scope_companies("$2")
    )))
    .bind(candidate_id)
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    let used = used
        .into_iter()
        .map(|(application_id, posting_id, title, slug, position)| UsedSlot {
            application_id,
            posting_id,
            title,
            slug,
            position,
        })
        .collect();
    Ok(SlotUsage { scope, limit, used })
}

pub async fn slot_usage(pool: &Pool, candidate_id: i64, company_id: i64) -> Result<SlotUsage, Error> {
    let mut conn = pool.acquire().await?;
    usage_of(&mut conn, candidate_id, company_id).await
}

#[derive(FromRow)]
struct TargetRow {
    company_id: i64,
    company_name: String,
    title: String,
    open: bool,
}

pub async fn apply(
    pool: &Pool,
    candidate_id: i64,
    posting_id: i64,
    application: &ValidApplication,
    today: NaiveDate,
    receipt: &(dyn Fn(&Applied) -> OutgoingMail + Sync),
) -> Result<Result<Applied, ApplyRefusal>, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    // One candidate's applications are made one at a time: on PostgreSQL the candidate's row is locked
    // until this commits (SQLite's write lock is already held), so two cannot both take the last slot.
    let confirmed: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT confirmed_at IS NOT NULL FROM candidates WHERE id = $1{}",
        dialect::FOR_UPDATE
    )))
    .bind(candidate_id)
    .fetch_optional(&mut *tx)
    .await?;
    match confirmed {
        None => return Err(Error::NotFound),
        Some(false) => return Ok(Err(ApplyRefusal::NotConfirmed)),
        Some(true) => {}
    }
    let target: TargetRow = sqlx::query_as(
        "SELECT p.company_id, c.name AS company_name, p.title, \
         (p.status = 'published' AND p.valid_through >= $2 AND p.applies_on_site) AS open \
         FROM postings p JOIN companies c ON c.id = p.company_id WHERE p.id = $1 AND p.status <> 'draft'",
    )
    .bind(posting_id)
    .bind(today)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    if !target.open {
        return Ok(Err(ApplyRefusal::NotOpen));
    }
    let usage = usage_of(&mut tx, candidate_id, target.company_id).await?;
    if usage.used.iter().any(|slot| slot.posting_id == posting_id) {
        return Ok(Err(ApplyRefusal::AlreadyApplied));
    }
    if usage.is_full() {
        return Ok(Err(ApplyRefusal::LimitReached(usage)));
    }
    // Its place in the order made: after every earlier application to the company or its group,
    // withdrawn ones included, so that a withdrawal renumbers nothing.
    let earlier: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM applications WHERE candidate_id = $1 AND company_id IN {}",
        scope_companies("$2")
    )))
    .bind(candidate_id)
    .bind(target.company_id)
    .fetch_one(&mut *tx)
    .await?;
    let position = earlier + 1;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO applications (posting_id, candidate_id, company_id, position, name, email, cv_url, cv_text, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(posting_id)
    .bind(candidate_id)
    .bind(target.company_id)
    .bind(position)
    .bind(&application.name)
    .bind(application.email.as_str())
    .bind(&application.cv_url)
    .bind(&application.cv_text)
    .bind(&application.note)
    .fetch_one(&mut *tx)
    .await?;
    // The receipt goes to the account's confirmed address, never to an address typed in the form (the
    // employer's copy of the contact address may be anyone's).
    let account_email: Option<String> =
        sqlx::query_scalar("SELECT email FROM candidates WHERE id = $1 AND confirmed_at IS NOT NULL")
            .bind(candidate_id)
            .fetch_optional(&mut *tx)
            .await?;
    let applied = Applied {
        id,
        posting_id,
        position,
        title: target.title,
        company_name: target.company_name,
        email: account_email.unwrap_or_default(),
    };
    if !applied.email.is_empty() {
        enqueue(&mut tx, &receipt(&applied)).await?;
    }
    tx.commit().await?;
    Ok(Ok(applied))
}

pub async fn withdraw_application(pool: &Pool, candidate_id: i64, application_id: i64) -> Result<bool, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let status: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT status FROM applications WHERE id = $1 AND candidate_id = $2{}",
        dialect::FOR_UPDATE
    )))
    .bind(application_id)
    .bind(candidate_id)
    .fetch_optional(&mut *tx)
    .await?;
    let status = status.and_then(|code| ApplicationStatus::parse(&code)).ok_or(Error::NotFound)?;
    if !status.can_withdraw() {
        return Ok(false);
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE applications SET status = 'withdrawn', updated_at = {} WHERE id = $1",
        dialect::NOW
    )))
    .bind(application_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(FromRow)]
struct MyRow {
    id: i64,
    posting_id: i64,
    title: String,
    slug: String,
    company_name: String,
    position: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    status: String,
}

pub async fn my_applications(pool: &Pool, candidate_id: i64) -> Result<Vec<MyApplication>, Error> {
    let rows: Vec<MyRow> = sqlx::query_as(
        "SELECT a.id, a.posting_id, p.title, p.slug, c.name AS company_name, a.position, a.created_at, a.status \
         FROM applications a JOIN postings p ON p.id = a.posting_id JOIN companies c ON c.id = a.company_id \
         WHERE a.candidate_id = $1 ORDER BY a.id DESC LIMIT 500",
    )
    .bind(candidate_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| MyApplication {
            id: row.id,
            posting_id: row.posting_id,
            title: row.title,
            slug: row.slug,
            company_name: row.company_name,
            position: row.position,
            created_at: iso_utc(row.created_at),
            status: ApplicationStatus::parse(&row.status).unwrap_or(ApplicationStatus::Received),
        })
        .collect())
}

#[derive(FromRow)]
struct ReceivedRow {
    id: i64,
    position: i64,
    name: String,
    email: String,
    cv_url: String,
    cv_text: String,
    note: String,
    status: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn posting_applications(pool: &Pool, posting_id: i64) -> Result<Vec<ReceivedApplication>, Error> {
    let rows: Vec<ReceivedRow> = sqlx::query_as(
        "SELECT id, position, name, email, cv_url, cv_text, note, status, created_at FROM applications \
         WHERE posting_id = $1 ORDER BY id LIMIT 1000",
    )
    .bind(posting_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ReceivedApplication {
            id: row.id,
            position: row.position,
            name: row.name,
            email: row.email,
            cv_url: row.cv_url,
            cv_text: row.cv_text,
            note: row.note,
            status: ApplicationStatus::parse(&row.status).unwrap_or(ApplicationStatus::Received),
            created_at: iso_utc(row.created_at),
        })
        .collect())
}

pub async fn application_counts(pool: &Pool, posting_ids: &[i64]) -> Result<Vec<(i64, String, i64)>, Error> {
    if posting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = sqlx::QueryBuilder::<super::Db>::new(
        "SELECT posting_id, status, COUNT(*) FROM applications WHERE posting_id IN (",
    );
    let mut ids = query.separated(", ");
    for id in posting_ids {
        ids.push_bind(*id);
    }
    query.push(") GROUP BY posting_id, status");
    query.build_query_as().fetch_all(pool).await.map_err(Error::from)
}

pub async fn set_application_status(
    pool: &Pool,
    application_id: i64,
    status: ApplicationStatus,
    actor: Actor<'_>,
    notice: &(dyn Fn(&StatusChange) -> OutgoingMail + Sync),
) -> Result<Option<StatusChange>, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    // The application's row is locked until this commits: a withdrawal cannot cross the change.
    let row: Option<(i64, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.posting_id, a.status, COALESCE((SELECT c.email FROM candidates c WHERE c.id = a.candidate_id \
         AND c.confirmed_at IS NOT NULL), '') FROM applications a WHERE a.id = $1{}",
        dialect::FOR_UPDATE
    )))
    .bind(application_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (posting_id, before, email) = row.ok_or(Error::NotFound)?;
    if before == ApplicationStatus::Withdrawn.code() || before == status.code() {
        return Ok(None);
    }
    let (title, company_name): (String, String) = sqlx::query_as(
        "SELECT p.title, c.name FROM postings p JOIN companies c ON c.id = p.company_id WHERE p.id = $1",
    )
    .bind(posting_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE applications SET status = $1, updated_at = {} WHERE id = $2",
        dialect::NOW
    )))
    .bind(status.code())
    .bind(application_id)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        actor,
        posting_id,
        "application",
        &format!("application {application_id}: {before} -> {}", status.code()),
    )
    .await?;
    let change = StatusChange { application_id, posting_id, status, title, company_name, email };
    if !change.email.is_empty() {
        enqueue(&mut tx, &notice(&change)).await?;
    }
    tx.commit().await?;
    Ok(Some(change))
}

#[derive(FromRow)]
struct LimitRow {
    company_id: i64,
    slug: String,
    name: String,
    application_limit: Option<i64>,
    group_name: Option<String>,
    group_limit: Option<i64>,
}

pub async fn company_limits(pool: &Pool) -> Result<Vec<CompanyLimit>, Error> {
    let rows: Vec<LimitRow> = sqlx::query_as(
        "SELECT c.id AS company_id, c.slug, c.name, c.application_limit, g.name AS group_name, \
         g.application_limit AS group_limit FROM companies c LEFT JOIN company_groups g ON g.id = c.group_id \
         ORDER BY lower(c.name), c.id LIMIT 1000",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| CompanyLimit {
            company_id: row.company_id,
            slug: row.slug,
            name: row.name,
            limit: row.application_limit,
            group: row.group_name,
            group_limit: row.group_limit,
        })
        .collect())
}

pub async fn set_company_limit(
    pool: &Pool,
    slug: &str,
    limit: Option<i64>,
    group: Option<&str>,
    group_limit: Option<i64>,
    actor: Actor<'_>,
) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let group_id: Option<i64> = match group {
        None => None,
        Some(name) => Some(
            sqlx::query_scalar(
                "INSERT INTO company_groups (name, application_limit) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET application_limit = excluded.application_limit RETURNING id",
            )
            .bind(name)
            .bind(group_limit)
            .fetch_one(&mut *tx)
            .await?,
        ),
    };
    let changed = sqlx::query("UPDATE companies SET application_limit = $1, group_id = $2 WHERE slug = $3")
        .bind(limit)
        .bind(group_id)
        .bind(slug)
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    let said = |value: Option<i64>| value.map_or_else(|| "none".to_owned(), |v| v.to_string());
    let detail = match group {
        Some(name) => format!("{slug}: limit {}, group {name} (limit {})", said(limit), said(group_limit)),
        None => format!("{slug}: limit {}, no group", said(limit)),
    };
    sqlx::query(
        "INSERT INTO audit_log (admin_id, admin_email, posting_id, action, detail) VALUES ($1, $2, NULL, 'company', $3)",
    )
    .bind(actor.admin_id)
    .bind(actor.email)
    .bind(detail)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct PostingSummaryRow {
    title: String,
    slug: String,
    company_id: i64,
    company_name: String,
    open: bool,
}

pub async fn posting_summary(
    pool: &Pool,
    posting_id: i64,
    today: NaiveDate,
) -> Result<(String, String, i64, String, bool), Error> {
    let row: PostingSummaryRow = sqlx::query_as(
        "SELECT p.title, p.slug, p.company_id, c.name AS company_name, \
         (p.status = 'published' AND p.valid_through >= $2 AND p.applies_on_site) AS open \
         FROM postings p JOIN companies c ON c.id = p.company_id WHERE p.id = $1 AND p.status <> 'draft'",
    )
    .bind(posting_id)
    .bind(today)
    .fetch_one(pool)
    .await?;
    Ok((row.title, row.slug, row.company_id, row.company_name, row.open))
}

pub async fn add_posting_views(pool: &Pool, views: &[(i64, i64)]) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    for (posting_id, count) in views {
        sqlx::query(
            "INSERT INTO posting_views (posting_id, views) SELECT id, $2 FROM postings WHERE id = $1 \
             ON CONFLICT (posting_id) DO UPDATE SET views = posting_views.views + excluded.views",
        )
        .bind(posting_id)
        .bind(count)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn posting_views(pool: &Pool, posting_ids: &[i64]) -> Result<Vec<(i64, i64)>, Error> {
    if posting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query =
        sqlx::QueryBuilder::<super::Db>::new("SELECT posting_id, views FROM posting_views WHERE posting_id IN (");
    let mut ids = query.separated(", ");
    for id in posting_ids {
        ids.push_bind(*id);
    }
    query.push(")");
    query.build_query_as().fetch_all(pool).await.map_err(Error::from)
}
