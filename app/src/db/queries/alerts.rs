//! Alerts: subscriptions (a listing search or career steps), their confirmation, the run log that makes
//! each digest go out once, the postings each alert told about, the changes of followed postings and
//! who follows them, and the keys that sign the links of these e-mails.

use chrono::NaiveDate;

use super::candidates::enqueue;
use super::dialect;
use super::{Connection, Error, Pool};
use crate::db::records::{AlertChange, Follower, MAX_ALERTS_PER_ADDRESS, NewAlert, SavedAlert, StoredAlert};
use crate::domain::alert::{AlertTarget, Frequency, PostingChange, Unsubscribe, WatchedFacts};
use crate::domain::job::JobStatus;
use crate::domain::mail::OutgoingMail;
use crate::domain::pay::{Currency, Pay, PayUnit};

/// The key named `name`, stored as `fresh` when there is none yet (two instances starting at once keep
/// the first one written).
pub async fn signing_key(pool: &Pool, name: &str, fresh: &str) -> Result<String, Error> {
    sqlx::query("INSERT INTO signing_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .execute(pool)
        .await?;
    sqlx::query_scalar("SELECT secret FROM signing_keys WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .map_err(Error::from)
}

pub async fn save_alert(pool: &Pool, alert: &NewAlert<'_>) -> Result<SavedAlert, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let career_path_id: Option<i64> = match alert.career {
        Some((slug, _)) => Some(
            sqlx::query_scalar("SELECT id FROM career_paths WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    let existing: Option<(i64, bool)> = sqlx::query_as(
        "SELECT id, confirmed_at IS NOT NULL FROM alerts WHERE email = $1 AND \
         (listing_query = $2 OR career_path_id = $3)",
    )
    .bind(alert.email)
    .bind(alert.search)
    .bind(career_path_id)
    .fetch_optional(&mut *tx)
    .await?;
    let confirmed_at = alert.confirmed.then_some(alert.now);
    let (id, confirmed) = match existing {
        // Only the confirmed account of the address changes an alert the address has: a form sent by
        // anyone else neither changes it nor learns that it exists.
        Some((id, _)) if !alert.confirmed => {
            tx.commit().await?;
            return Ok(SavedAlert { id, confirmed: false, over_limit: false });
        }
        Some((id, was_confirmed)) => {
            sqlx::query(
                "UPDATE alerts SET frequency = $1, paused = false, confirmed_at = COALESCE(confirmed_at, $2), \
                 candidate_id = COALESCE(candidate_id, $3) WHERE id = $4",
            )
            .bind(alert.frequency.code())
            .bind(confirmed_at)
            .bind(alert.candidate_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            (id, was_confirmed || alert.confirmed)
        }
        None => {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE email = $1")
                .bind(alert.email)
                .fetch_one(&mut *tx)
                .await?;
            if count >= MAX_ALERTS_PER_ADDRESS {
                return Ok(SavedAlert { id: 0, confirmed: false, over_limit: true });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO alerts (email, candidate_id, listing_query, career_path_id, frequency, confirmed_at, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(alert.email)
            .bind(alert.candidate_id)
            .bind(alert.search)
            .bind(career_path_id)
            .bind(alert.frequency.code())
            .bind(confirmed_at)
            .bind(alert.now)
            .fetch_one(&mut *tx)
            .await?;
            (id, alert.confirmed)
        }
    };
    if let Some((_, steps)) = alert.career {
        sqlx::query("DELETE FROM alert_steps WHERE alert_id = $1").bind(id).execute(&mut *tx).await?;
        for step in steps {
            sqlx::query(
                "INSERT INTO alert_steps (alert_id, step_id) SELECT $1, id FROM career_steps \
                 WHERE career_path_id = $2 AND slug = $3",
            )
            .bind(id)
            .bind(career_path_id)
            .bind(step)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(SavedAlert { id, confirmed, over_limit: false })
}

/// Puts an alert's confirmation e-mail in the outbox and notes that it went.
pub async fn send_alert_confirmation(pool: &Pool, alert_id: i64, mail: &OutgoingMail, now: i64) -> Result<(), Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let pending = sqlx::query("UPDATE alerts SET confirmation_sent_at = $1 WHERE id = $2 AND confirmed_at IS NULL")
        .bind(now)
        .bind(alert_id)
        .execute(&mut *tx)
        .await?;
    if pending.rows_affected() == 1 {
        enqueue(&mut tx, mail).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Confirms alert `id` when its link secret is `secret`; false when there is no such alert.
pub async fn confirm_alert(pool: &Pool, id: i64, secret: &str, now: i64) -> Result<bool, Error> {
    let done =
        sqlx::query("UPDATE alerts SET confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2 AND link_secret = $3")
            .bind(now)
            .bind(id)
            .bind(secret)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Does what an unsubscribe link says, when the row it names still has the link's secret: deletes the
/// alert, or turns a candidate's notices off. `None` when the row is gone (or is another one);
/// `Some(false)` when there was nothing left to stop.
pub async fn unsubscribe(pool: &Pool, what: Unsubscribe, secret: &str) -> Result<Option<bool>, Error> {
    let (exists, done) = match what {
        Unsubscribe::Alert(id) => {
            let done = sqlx::query("DELETE FROM alerts WHERE id = $1 AND link_secret = $2")
                .bind(id)
                .bind(secret)
                .execute(pool)
                .await?;
            (done.rows_affected() > 0, done.rows_affected() > 0)
        }
        Unsubscribe::Notices(id) => {
            let off: Option<bool> =
                sqlx::query_scalar("SELECT notices_off FROM candidates WHERE id = $1 AND link_secret = $2")
                    .bind(id)
                    .bind(secret)
                    .fetch_optional(pool)
                    .await?;
            let done = sqlx::query(
                "UPDATE candidates SET notices_off = true WHERE id = $1 AND link_secret = $2 AND notices_off = false",
            )
            .bind(id)
            .bind(secret)
            .execute(pool)
            .await?;
            (off.is_some(), done.rows_affected() > 0)
        }
    };
    Ok(exists.then_some(done))
}

/// The condition that an alert is the candidate's (parameter `candidate`): made signed in, or made with the
/// address of their account once it is confirmed (an unconfirmed sign-up with someone's address sees
/// none of theirs).
fn candidate_owns(candidate: &str) -> String {
    format!(
        "(candidate_id = {candidate} OR email = (SELECT lower(c.email) FROM candidates c WHERE c.id = {candidate} \
         AND c.confirmed_at IS NOT NULL))"
    )
}

/// Applies `change` to alert `id` when it is candidate `candidate_id`'s; false when it is not.
pub async fn change_alert(pool: &Pool, candidate_id: i64, id: i64, change: AlertChange) -> Result<bool, Error> {
    let owned = format!("WHERE id = $1 AND {}", candidate_owns("$2"));
    let done = match change {
        AlertChange::Frequency(frequency) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE alerts SET frequency = $3 {owned}")))
                .bind(id)
                .bind(candidate_id)
                .bind(frequency.code())
                .execute(pool)
                .await?
        }
        AlertChange::Pause | AlertChange::Resume => {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE alerts SET paused = $3 {owned}")))
                .bind(id)
                .bind(candidate_id)
                .bind(change == AlertChange::Pause)
                .execute(pool)
                .await?
        }
        AlertChange::Delete => {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM alerts {owned}")))
                .bind(id)
                .bind(candidate_id)
                .execute(pool)
                .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

type AlertRow =
    (i64, String, Option<String>, Option<String>, Option<String>, String, bool, bool, Option<i64>, i64, String);

/// The step titles of a career alert, in the path's order.
async fn alert_steps(conn: &mut Connection, alert_id: i64) -> Result<Vec<String>, Error> {
    sqlx::query_scalar(
        "SELECT s.title FROM alert_steps a JOIN career_steps s ON s.id = a.step_id WHERE a.alert_id = $1 \
         ORDER BY s.position",
    )
    .bind(alert_id)
    .fetch_all(conn)
    .await
    .map_err(Error::from)
}

async fn alerts_where(pool: &Pool, condition: &str, bind: i64, limit: i64) -> Result<Vec<StoredAlert>, Error> {
    let rows: Vec<AlertRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.email, a.listing_query, cp.slug, cp.name, a.frequency, a.paused, \
         a.confirmed_at IS NOT NULL, a.candidate_id, a.created_at, a.link_secret \
         FROM alerts a LEFT JOIN career_paths cp ON cp.id = a.career_path_id WHERE {condition} ORDER BY a.id LIMIT $2"
    )))
    .bind(bind)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let mut alerts = Vec::with_capacity(rows.len());
    for (id, email, query, path_slug, path_name, frequency, paused, confirmed, candidate_id, created_at, link_secret) in
        rows
    {
        let target = match (query, path_slug) {
            (Some(query), _) => AlertTarget::Search { query },
            (None, Some(path_slug)) => AlertTarget::Career {
                path_slug,
                path_name: path_name.unwrap_or_default(),
                steps: alert_steps(&mut conn, id).await?,
            },
            (None, None) => continue,
        };
        alerts.push(StoredAlert {
            id,
            email,
            target,
            frequency: Frequency::parse(&frequency).unwrap_or_default(),
            paused,
            confirmed,
            candidate_id,
            created_at,
            link_secret,
        });
    }
    Ok(alerts)
}

/// The alerts of candidate `candidate_id` (theirs, or made with their address), oldest first.
pub async fn candidate_alerts(pool: &Pool, candidate_id: i64) -> Result<Vec<StoredAlert>, Error> {
    alerts_where(pool, &candidate_owns("$1"), candidate_id, MAX_ALERTS_PER_ADDRESS).await
}

/// One alert.
pub async fn alert_by_id(pool: &Pool, id: i64) -> Result<Option<StoredAlert>, Error> {
    Ok(alerts_where(pool, "a.id = $1", id, 1).await?.into_iter().next())
}

/// Deletes the alerts still unconfirmed that were made before `cutoff`; returns how many.
pub async fn expire_unconfirmed_alerts(pool: &Pool, cutoff: i64) -> Result<u64, Error> {
    let done = sqlx::query("DELETE FROM alerts WHERE confirmed_at IS NULL AND created_at < $1")
        .bind(cutoff)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Forgets what the sweep no longer needs: runs of periods long past (`runs_before`), changes told before
/// `changes_before`, and which postings closed before `postings_closed_before` each alert told about.
/// Returns how many rows went.
pub async fn prune_alert_history(
    pool: &Pool,
    runs_before: i64,
    changes_before: i64,
    postings_closed_before: NaiveDate,
) -> Result<u64, Error> {
    let mut pruned = 0;
    pruned +=
        sqlx::query("DELETE FROM alert_runs WHERE ran_at < $1").bind(runs_before).execute(pool).await?.rows_affected();
    pruned += sqlx::query("DELETE FROM posting_changes WHERE notified_at < $1")
        .bind(changes_before)
        .execute(pool)
        .await?
        .rows_affected();
    pruned += sqlx::query(
        "DELETE FROM alert_sent_postings WHERE posting_id IN (SELECT id FROM postings WHERE valid_through < $1)",
    )
    .bind(postings_closed_before)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(pruned)
}

/// Unconfirmed alerts whose confirmation was never put in the outbox (a crash between the two, or an
/// alert carried over from before confirmations), from id `after`.
pub async fn alerts_awaiting_confirmation(pool: &Pool, after: i64, limit: i64) -> Result<Vec<StoredAlert>, Error> {
    alerts_where(pool, "a.confirmed_at IS NULL AND a.confirmation_sent_at IS NULL AND a.id > $1", after, limit).await
}

/// Confirmed, running alerts that have not run in their current period, from id `after`. `periods` are the
/// current periods of the immediate, daily and weekly frequencies.
pub async fn due_alerts(pool: &Pool, periods: [&str; 3], after: i64, limit: i64) -> Result<Vec<StoredAlert>, Error> {
    let [hour, day, week] = periods;
    let quote = |period: &str| period.replace('\'', "");
    let condition = format!(
        "a.confirmed_at IS NOT NULL AND a.paused = false AND a.id > $1 AND NOT EXISTS (SELECT 1 FROM alert_runs r \
         WHERE r.alert_id = a.id AND r.period = CASE a.frequency WHEN 'immediate' THEN '{}' WHEN 'daily' THEN '{}' \
         ELSE '{}' END)",
        quote(hour),
        quote(day),
        quote(week)
    );
    alerts_where(pool, &condition, after, limit).await
}

/// Of `posting_ids`, those alert `alert_id` has not told about yet, in the order given.
pub async fn untold_postings(pool: &Pool, alert_id: i64, posting_ids: &[i64]) -> Result<Vec<i64>, Error> {
    if posting_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query =
        sqlx::QueryBuilder::<super::Db>::new("SELECT posting_id FROM alert_sent_postings WHERE alert_id = ");
    query.push_bind(alert_id).push(" AND posting_id IN (");
    let mut ids = query.separated(", ");
    for id in posting_ids {
        ids.push_bind(*id);
    }
    query.push(")");
    let told: Vec<i64> = query.build_query_scalar().fetch_all(pool).await?;
    Ok(posting_ids.iter().copied().filter(|id| !told.contains(id)).collect())
}

/// The newest open postings at alert `alert_id`'s career steps posted on or after `since`, that it has not
/// told about, at most `limit`.
pub async fn career_alert_postings(
    pool: &Pool,
    alert_id: i64,
    since: NaiveDate,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<i64>, Error> {
    sqlx::query_scalar(
        "SELECT p.id FROM postings p JOIN alert_steps s ON s.step_id = p.career_step_id \
         WHERE s.alert_id = $1 AND p.status = 'published' AND p.posted_at >= $2 AND p.valid_through >= $3 \
         AND NOT EXISTS (SELECT 1 FROM alert_sent_postings x WHERE x.alert_id = $1 AND x.posting_id = p.id) \
         ORDER BY p.posted_at DESC, p.id DESC LIMIT $4",
    )
    .bind(alert_id)
    .bind(since)
    .bind(today)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(Error::from)
}

/// How many open postings are at alert `alert_id`'s career steps.
pub async fn career_alert_matches(pool: &Pool, alert_id: i64, today: NaiveDate) -> Result<i64, Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM postings p JOIN alert_steps s ON s.step_id = p.career_step_id \
         WHERE s.alert_id = $1 AND p.status = 'published' AND p.valid_through >= $2",
    )
    .bind(alert_id)
    .bind(today)
    .fetch_one(pool)
    .await
    .map_err(Error::from)
}

/// Writes alert `alert_id`'s run of `period` with the postings it told about and its digest (if any), in
/// one transaction. False when the period already has a run (another sweep did it): nothing is written.
pub async fn record_alert_run(
    pool: &Pool,
    alert_id: i64,
    period: &str,
    now: i64,
    told: &[i64],
    digest: Option<&OutgoingMail>,
) -> Result<bool, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let run = sqlx::query(
        "INSERT INTO alert_runs (alert_id, period, ran_at, postings) SELECT id, $2, $3, $4 FROM alerts WHERE id = $1 \
         ON CONFLICT (alert_id, period) DO NOTHING",
    )
    .bind(alert_id)
    .bind(period)
    .bind(now)
    .bind(told.len() as i64)
    .execute(&mut *tx)
    .await?;
    if run.rows_affected() == 0 {
        return Ok(false);
    }
    for posting in told {
        sqlx::query(
            "INSERT INTO alert_sent_postings (alert_id, posting_id) VALUES ($1, $2) \
             ON CONFLICT (alert_id, posting_id) DO NOTHING",
        )
        .bind(alert_id)
        .bind(posting)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(mail) = digest {
        enqueue(&mut tx, mail).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A posting's status, apply-before date and pay range (amounts, currency, unit) as stored.
type FactsRow = (String, NaiveDate, Option<i64>, Option<i64>, Option<String>, Option<String>);

/// What a follower of a posting is told about, read in the transaction of an edit.
pub(super) async fn watched_facts(conn: &mut Connection, posting_id: i64) -> Result<Option<WatchedFacts>, Error> {
    let row: Option<FactsRow> = sqlx::query_as(
        "SELECT p.status, p.valid_through, pp.min_amount, pp.max_amount, pp.currency, pp.unit FROM postings p \
         LEFT JOIN posting_pay pp ON pp.posting_id = p.id WHERE p.id = $1",
    )
    .bind(posting_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(status, valid_through, min, max, currency, unit)| {
        let pay = match (min, max, currency, unit) {
            (Some(min), Some(max), Some(currency), Some(unit)) => {
                match (Currency::parse(&currency), PayUnit::parse(&unit)) {
                    (Ok(currency), Ok(unit)) => {
                        Pay::from_storage(min, max, currency, unit).ok().map(|pay| pay.display())
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        WatchedFacts { status: JobStatus::parse(&status).unwrap_or(JobStatus::Draft), valid_through, pay }
    }))
}

/// Records a change of what followers are told about, when there is one, in the edit's transaction.
pub(super) async fn record_posting_change(
    conn: &mut Connection,
    posting_id: i64,
    before: &WatchedFacts,
    after: &WatchedFacts,
) -> Result<(), Error> {
    if before.changes_to(after).is_empty() {
        return Ok(());
    }
    let encode = |facts: &WatchedFacts| serde_json::to_string(facts).map_err(|error| Error::Invalid(error.to_string()));
    sqlx::query(
        "INSERT INTO posting_changes (posting_id, before_facts, after_facts, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(posting_id)
    .bind(encode(before)?)
    .bind(encode(after)?)
    .bind(chrono::Utc::now().timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// The changes no follower has been told about yet, oldest first.
pub async fn pending_posting_changes(pool: &Pool, limit: i64) -> Result<Vec<PostingChange>, Error> {
    let rows: Vec<(i64, i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT pc.id, pc.posting_id, p.slug, p.title, c.name, pc.before_facts, pc.after_facts FROM posting_changes pc \
         JOIN postings p ON p.id = pc.posting_id JOIN companies c ON c.id = p.company_id \
         WHERE pc.notified_at IS NULL ORDER BY pc.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let decode =
        |text: &str| serde_json::from_str::<WatchedFacts>(text).map_err(|error| Error::Invalid(error.to_string()));
    rows.into_iter()
        .map(|(change_id, posting_id, slug, title, company, before, after)| {
            Ok(PostingChange {
                change_id,
                posting_id,
                slug,
                title,
                company,
                before: decode(&before)?,
                after: decode(&after)?,
            })
        })
        .collect()
}

/// Who follows posting `posting_id`: confirmed candidates who saved it or applied to it (notices on), and
/// running alerts that told about it; each address once (a candidate's reason first), at most `limit`.
pub async fn posting_followers(pool: &Pool, posting_id: i64, limit: i64) -> Result<Vec<Follower>, Error> {
    let candidates: Vec<(i64, String, bool, String)> = sqlx::query_as(
        "SELECT c.id, lower(c.email), EXISTS (SELECT 1 FROM applications a WHERE a.candidate_id = c.id \
         AND a.posting_id = $1 AND a.status <> 'withdrawn'), c.link_secret FROM candidates c \
         WHERE c.confirmed_at IS NOT NULL AND c.notices_off = false AND (\
         EXISTS (SELECT 1 FROM saved_jobs s WHERE s.candidate_id = c.id AND s.posting_id = $1) OR \
         EXISTS (SELECT 1 FROM applications a WHERE a.candidate_id = c.id AND a.posting_id = $1 \
         AND a.status <> 'withdrawn')) ORDER BY c.id LIMIT $2",
    )
    .bind(posting_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let alerts: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT a.id, a.email, a.link_secret FROM alert_sent_postings x JOIN alerts a ON a.id = x.alert_id \
         WHERE x.posting_id = $1 AND a.confirmed_at IS NOT NULL AND a.paused = false ORDER BY a.id LIMIT $2",
    )
    .bind(posting_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let mut followers: Vec<Follower> = candidates
        .into_iter()
        .map(|(id, email, applied, link_secret)| Follower {
            email,
            why: if applied { "you applied to" } else { "you saved" },
            unsubscribe: Unsubscribe::Notices(id),
            link_secret,
        })
        .collect();
    for (id, email, link_secret) in alerts {
        if !followers.iter().any(|follower| follower.email == email) {
            followers.push(Follower {
                email,
                why: "an alert of yours sent you",
                unsubscribe: Unsubscribe::Alert(id),
                link_secret,
            });
        }
    }
    followers.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(followers)
}

/// Marks change `change_id` told and puts its notices in the outbox, in one transaction. False when it was
/// already told (another sweep did it): nothing is written.
pub async fn record_change_notices(
    pool: &Pool,
    change_id: i64,
    now: i64,
    notices: &[OutgoingMail],
) -> Result<bool, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_WRITE).await?;
    let done = sqlx::query("UPDATE posting_changes SET notified_at = $1 WHERE id = $2 AND notified_at IS NULL")
        .bind(now)
        .bind(change_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for notice in notices {
        enqueue(&mut tx, notice).await?;
    }
    tx.commit().await?;
    Ok(true)
}
