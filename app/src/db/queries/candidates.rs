//! Candidate accounts, their single-use links, profiles, saved jobs and the slot planner's shortlist,
//! and the outbox every e-mail goes through.

use sqlx::FromRow;

use super::dialect;
use super::{Connection, Error, Pool};
use crate::db::records::{AccountRequest, CandidateAccount, NewCandidate, SignedUp, iso_utc};
use crate::domain::candidate::{CandidateProfile, PlannedPosting, SavedJob};
use crate::domain::mail::{OutboxEntry, OutgoingMail, without_token_links};

/// A message is tried this many times; then it stays in the outbox, marked with its last error.
const MAX_SEND_ATTEMPTS: i64 = 10;

const ACCOUNT_COLUMNS: &str = "id, email, password_hash, confirmed_at IS NOT NULL AS confirmed, session_epoch";

pub(super) async fn enqueue(conn: &mut Connection, mail: &OutgoingMail) -> Result<(), Error> {
    sqlx::query("INSERT INTO outbox (to_address, subject, body, list_unsubscribe) VALUES ($1, $2, $3, $4)")
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(mail.list_unsubscribe.as_deref())
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_token(
    conn: &mut Connection,
    candidate_id: i64,
    purpose: &str,
    token_hash: &str,
    expires_at: i64,
) -> Result<(), Error> {
    sqlx::query("INSERT INTO candidate_tokens (token_hash, candidate_id, purpose, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(candidate_id)
        .bind(purpose)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn sign_up_candidate(
    pool: &Pool,
    request_id: i64,
    new: &NewCandidate<'_>,
    confirm: &OutgoingMail,
    attempted: &(dyn Fn(&str) -> OutgoingMail + Sync),
) -> Result<Option<SignedUp>, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let taken = sqlx::query("DELETE FROM account_requests WHERE id = $1").bind(request_id).execute(&mut *tx).await?;
    if taken.rows_affected() == 0 {
        // Another instance did it.
        return Ok(None);
    }
    let existing: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT email FROM candidates WHERE {}",
        dialect::email_is("$1")
    )))
    .bind(new.email)
    .fetch_optional(&mut *tx)
    .await?;
    let signed_up = match existing {
        Some(owner) => {
            enqueue(&mut tx, &attempted(&owner)).await?;
            SignedUp::AddressTaken
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO candidates (email, password_hash, name, contact_email) VALUES ($1, $2, $3, $1) RETURNING id",
            )
            .bind(new.email)
            .bind(new.password_hash)
            .bind(new.name)
            .fetch_one(&mut *tx)
            .await?;
            insert_token(&mut tx, id, "confirm", new.token_hash, new.expires_at).await?;
            enqueue(&mut tx, confirm).await?;
            SignedUp::Created(id)
        }
    };
    tx.commit().await?;
    Ok(Some(signed_up))
}

pub async fn find_candidate(pool: &Pool, email: &str) -> Result<Option<CandidateAccount>, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM candidates WHERE {}",
        dialect::email_is("$1")
    )))
    .bind(email)
    .fetch_optional(pool)
    .await
    .map_err(Error::from)
}

pub async fn candidate_by_id(pool: &Pool, id: i64) -> Result<Option<CandidateAccount>, Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM candidates WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(Error::from)
}

pub async fn candidate_session_epoch(pool: &Pool, id: i64) -> Result<Option<String>, Error> {
    sqlx::query_scalar("SELECT session_epoch FROM candidates WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(Error::from)
}

pub async fn candidate_link_secret(pool: &Pool, id: i64) -> Result<Option<String>, Error> {
    sqlx::query_scalar("SELECT link_secret FROM candidates WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(Error::from)
}

/// Puts `mail` in the outbox by itself (a notice that needs no other write).
pub async fn send_mail(pool: &Pool, mail: &OutgoingMail) -> Result<(), Error> {
    let mut conn = pool.acquire().await?;
    enqueue(&mut conn, mail).await
}

pub async fn queue_account_request(
    pool: &Pool,
    purpose: &str,
    email: &str,
    sign_up: Option<(&str, &str, &str)>,
    now: i64,
) -> Result<(), Error> {
    let (password_hash, name, next) = match sign_up {
        Some((password_hash, name, next)) => (Some(password_hash), name, next),
        None => (None, "", ""),
    };
    sqlx::query(
        "INSERT INTO account_requests (purpose, email, password_hash, name, next, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(purpose)
    .bind(email)
    .bind(password_hash)
    .bind(name)
    .bind(next)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn pending_account_requests(pool: &Pool, after: i64, limit: i64) -> Result<Vec<AccountRequest>, Error> {
    sqlx::query_as(
        "SELECT id, purpose, email, password_hash, name, next FROM account_requests WHERE id > $1 \
         ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(Error::from)
}

pub async fn finish_account_request(
    pool: &Pool,
    request_id: i64,
    token: Option<(i64, &str, &str, i64, &OutgoingMail)>,
) -> Result<bool, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let taken = sqlx::query("DELETE FROM account_requests WHERE id = $1").bind(request_id).execute(&mut *tx).await?;
    if taken.rows_affected() == 0 {
        // Another instance did it.
        return Ok(false);
    }
    if let Some((candidate_id, purpose, token_hash, expires_at, mail)) = token {
        insert_token(&mut tx, candidate_id, purpose, token_hash, expires_at).await?;
        enqueue(&mut tx, mail).await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub async fn drop_stale_account_requests(pool: &Pool, created_before: i64) -> Result<u64, Error> {
    let dropped =
        sqlx::query("DELETE FROM account_requests WHERE created_at < $1").bind(created_before).execute(pool).await?;
    Ok(dropped.rows_affected())
}

pub async fn delete_unconfirmed_candidates(
    pool: &Pool,
    created_before: chrono::DateTime<chrono::Utc>,
) -> Result<u64, Error> {
    let deleted = sqlx::query("DELETE FROM candidates WHERE confirmed_at IS NULL AND created_at < $1")
        .bind(created_before)
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected())
}

/// Marks the token used when it is unused, unexpired and of this purpose; the candidate it belongs to.
async fn take_token(conn: &mut Connection, token_hash: &str, purpose: &str, now: i64) -> Result<Option<i64>, Error> {
    sqlx::query_scalar(
        "UPDATE candidate_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING candidate_id",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(conn)
    .await
    .map_err(Error::from)
}

pub async fn confirm_candidate(pool: &Pool, token_hash: &str, now: i64) -> Result<Option<i64>, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let Some(id) = take_token(&mut tx, token_hash, "confirm", now).await? else {
        return Ok(None);
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE candidates SET confirmed_at = COALESCE(confirmed_at, {}) WHERE id = $1",
        dialect::NOW
    )))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The candidate whose unused, unexpired reset token this is (nothing is spent).
pub async fn reset_token_owner(pool: &Pool, token_hash: &str, now: i64) -> Result<Option<i64>, Error> {
    sqlx::query_scalar(
        "SELECT candidate_id FROM candidate_tokens \
         WHERE token_hash = $1 AND purpose = 'reset' AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await
    .map_err(Error::from)
}

pub async fn reset_candidate_password(
    pool: &Pool,
    token_hash: &str,
    password_hash: &str,
    new_epoch: &str,
    now: i64,
) -> Result<Option<i64>, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let Some(id) = take_token(&mut tx, token_hash, "reset", now).await? else {
        return Ok(None);
    };
    // The link proved the mailbox: the address counts as confirmed, and every session ends.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE candidates SET password_hash = $1, session_epoch = $2, \
         confirmed_at = COALESCE(confirmed_at, {}) WHERE id = $3",
        dialect::NOW
    )))
    .bind(password_hash)
    .bind(new_epoch)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Every other reset link of the account is spent too.
    sqlx::query(
        "UPDATE candidate_tokens SET used_at = $1 WHERE candidate_id = $2 AND purpose = 'reset' AND used_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn set_candidate_password(pool: &Pool, id: i64, password_hash: &str, new_epoch: &str) -> Result<(), Error> {
    sqlx::query("UPDATE candidates SET password_hash = $1, session_epoch = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(new_epoch)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn candidate_profile(pool: &Pool, id: i64) -> Result<CandidateProfile, Error> {
    let (name, contact_email, cv_url, cv_text, note_template): (String, String, String, String, String) =
        sqlx::query_as("SELECT name, contact_email, cv_url, cv_text, note_template FROM candidates WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await?;
    Ok(CandidateProfile { name, contact_email, cv_url, cv_text, note_template })
}

pub async fn save_candidate_profile(pool: &Pool, id: i64, profile: &CandidateProfile) -> Result<(), Error> {
    sqlx::query(
        "UPDATE candidates SET name = $1, contact_email = $2, cv_url = $3, cv_text = $4, note_template = $5 \
         WHERE id = $6",
    )
    .bind(&profile.name)
    .bind(&profile.contact_email)
    .bind(&profile.cv_url)
    .bind(&profile.cv_text)
    .bind(&profile.note_template)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_candidate(pool: &Pool, id: i64) -> Result<u64, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    // The employer keeps a record that each application existed, without the person's data.
    let withdrawn = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE applications SET status = 'withdrawn', candidate_id = NULL, name = '', email = '', cv_url = '', \
         cv_text = '', note = '', updated_at = {} WHERE candidate_id = $1",
        dialect::NOW
    )))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Alerts made with the address while signed out go too when the account proved the address (those
    // made signed in cascade); an unconfirmed account never touches the address's alerts.
    sqlx::query(
        "DELETE FROM alerts WHERE email = \
         (SELECT lower(email) FROM candidates WHERE id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Mail to the account not sent yet is not sent.
    sqlx::query(
        "DELETE FROM outbox WHERE sent_at IS NULL AND to_address = (SELECT email FROM candidates WHERE id = $1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let deleted = sqlx::query("DELETE FROM candidates WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if deleted.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(withdrawn.rows_affected())
}

pub async fn save_job(pool: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error> {
    let saved = sqlx::query(
        "INSERT INTO saved_jobs (candidate_id, posting_id) SELECT $1, id FROM postings \
         WHERE id = $2 AND status <> 'draft' ON CONFLICT DO NOTHING",
    )
    .bind(candidate_id)
    .bind(posting_id)
    .execute(pool)
    .await?;
    if saved.rows_affected() == 0 {
        let mut conn = pool.acquire().await?;
        is_public(&mut conn, posting_id).await?;
    }
    Ok(())
}

/// `Error::NotFound` unless posting `posting_id` exists and is not a draft.
async fn is_public(conn: &mut Connection, posting_id: i64) -> Result<(), Error> {
    let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM postings WHERE id = $1 AND status <> 'draft')")
        .bind(posting_id)
        .fetch_one(conn)
        .await?;
    if known { Ok(()) } else { Err(Error::NotFound) }
}

pub async fn unsave_job(pool: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error> {
    sqlx::query("DELETE FROM saved_jobs WHERE candidate_id = $1 AND posting_id = $2")
        .bind(candidate_id)
        .bind(posting_id)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct SavedRow {
    posting_id: i64,
    title: String,
    slug: String,
    company_name: String,
    open: bool,
}

pub async fn saved_jobs(pool: &Pool, candidate_id: i64, today: chrono::NaiveDate) -> Result<Vec<SavedJob>, Error> {
    let rows: Vec<SavedRow> = sqlx::query_as(
        "SELECT p.id AS posting_id, p.title, p.slug, c.name AS company_name, \
         (p.status = 'published' AND p.valid_through >= $2) AS open \
         FROM saved_jobs s JOIN postings p ON p.id = s.posting_id JOIN companies c ON c.id = p.company_id \
         WHERE s.candidate_id = $1 ORDER BY s.saved_at DESC, p.id DESC LIMIT 500",
    )
    .bind(candidate_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SavedJob {
            posting_id: row.posting_id,
            title: row.title,
            slug: row.slug,
            company_name: row.company_name,
            open: row.open,
        })
        .collect())
}

pub async fn plan_posting(pool: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let planned = sqlx::query(
        "INSERT INTO planned_applications (candidate_id, posting_id, rank) \
         SELECT $1, p.id, COALESCE((SELECT MAX(rank) FROM planned_applications WHERE candidate_id = $1), 0) + 1 \
         FROM postings p WHERE p.id = $2 AND p.status <> 'draft' ON CONFLICT DO NOTHING",
    )
    .bind(candidate_id)
    .bind(posting_id)
    .execute(&mut *tx)
    .await?;
    if planned.rows_affected() == 0 {
        is_public(&mut tx, posting_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn unplan_posting(pool: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error> {
    sqlx::query("DELETE FROM planned_applications WHERE candidate_id = $1 AND posting_id = $2")
        .bind(candidate_id)
        .bind(posting_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn move_planned_posting(pool: &Pool, candidate_id: i64, posting_id: i64, up: bool) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let ranked: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT posting_id, rank FROM planned_applications WHERE candidate_id = $1 ORDER BY rank, posting_id{}",
        dialect::FOR_UPDATE
    )))
    .bind(candidate_id)
    .fetch_all(&mut *tx)
    .await?;
    let Some(index) = ranked.iter().position(|(id, _)| *id == posting_id) else {
        return Err(Error::NotFound);
    };
    let other = if up { index.checked_sub(1) } else { Some(index + 1).filter(|i| *i < ranked.len()) };
    if let Some(other) = other {
        let mut order: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
        order.swap(index, other);
        for (rank, id) in order.iter().enumerate() {
            sqlx::query("UPDATE planned_applications SET rank = $1 WHERE candidate_id = $2 AND posting_id = $3")
                .bind(rank as i64 + 1)
                .bind(candidate_id)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct PlannedRow {
    company_id: i64,
    posting_id: i64,
    title: String,
    slug: String,
    rank: i64,
    open: bool,
}

pub async fn planned_postings(
    pool: &Pool,
    candidate_id: i64,
    today: chrono::NaiveDate,
) -> Result<Vec<(i64, PlannedPosting)>, Error> {
    let rows: Vec<PlannedRow> = sqlx::query_as(
        "SELECT p.company_id, p.id AS posting_id, p.title, p.slug, pa.rank, \
         (p.status = 'published' AND p.valid_through >= $2 AND p.applies_on_site) AS open \
         FROM planned_applications pa JOIN postings p ON p.id = pa.posting_id \
         WHERE pa.candidate_id = $1 ORDER BY pa.rank, p.id LIMIT 200",
    )
    .bind(candidate_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let posting = PlannedPosting {
                posting_id: row.posting_id,
                title: row.title,
                slug: row.slug,
                rank: row.rank,
                open: row.open,
            };
            (row.company_id, posting)
        })
        .collect())
}

#[derive(FromRow)]
struct OutboxRow {
    id: i64,
    to_address: String,
    subject: String,
    body: String,
    created_at: chrono::DateTime<chrono::Utc>,
    sent_at: Option<chrono::DateTime<chrono::Utc>>,
    attempts: i64,
    last_error: Option<String>,
}

pub async fn outbox(pool: &Pool, limit: i64) -> Result<Vec<OutboxEntry>, Error> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, to_address, subject, body, created_at, sent_at, attempts, last_error FROM outbox \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OutboxEntry {
            id: row.id,
            to: row.to_address,
            subject: row.subject,
            // Never a live token on the admin's page, sent or not.
            body: without_token_links(&row.body),
            created_at: iso_utc(row.created_at),
            sent_at: row.sent_at.map(iso_utc),
            attempts: row.attempts,
            last_error: row.last_error,
        })
        .collect())
}

pub async fn claim_outbox(pool: &Pool, now: i64, retry_at: i64, limit: i64) -> Result<Vec<(i64, OutgoingMail)>, Error> {
    // The claim moves each message's next attempt forward, so that another instance's sender skips it
    // (the outer condition is checked again on a row another claim changed meanwhile).
    let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1 \
         WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $4 AND id IN \
         (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $4 ORDER BY id LIMIT $3) \
         RETURNING id, to_address, subject, body, list_unsubscribe",
    )
    .bind(now)
    .bind(retry_at)
    .bind(limit)
    .bind(MAX_SEND_ATTEMPTS)
    .fetch_all(pool)
    .await?;
    let mut claimed: Vec<(i64, OutgoingMail)> = rows
        .into_iter()
        .map(|(id, to, subject, body, list_unsubscribe)| (id, OutgoingMail { to, subject, body, list_unsubscribe }))
        .collect();
    claimed.sort_by_key(|(id, _)| *id);
    Ok(claimed)
}

pub async fn mark_sent(pool: &Pool, id: i64, kept_body: &str) -> Result<(), Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET sent_at = {}, last_error = NULL, body = $2, list_unsubscribe = NULL WHERE id = $1",
        dialect::NOW
    )))
    .bind(id)
    .bind(kept_body)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn mark_failed(pool: &Pool, id: i64, error: &str) -> Result<(), Error> {
    let error: String = error.chars().take(500).collect();
    sqlx::query("UPDATE outbox SET last_error = $1 WHERE id = $2").bind(error).bind(id).execute(pool).await?;
    Ok(())
}
