//! What the in-memory listing index (`open_postings`) and its caches read: every open posting as one
//! JSON document (the whole board), the postings and companies a change names, the change feed, and the
//! postings a keyword search matches.

use chrono::NaiveDate;
use sqlx::QueryBuilder;

use super::dialect;
use super::{Db, Error, Pool};
use crate::db::paging::RankedMatch;
use crate::db::records::{ChangedSource, FeedChange, FeedRead, SnapshotSource};

/// The JSON document of the open postings the query that follows it selects (see
/// `open_postings::PostingJson`); the query goes on with `WHERE …` conditions on `p`.
fn open_postings_document() -> QueryBuilder<Db> {
    let places = dialect::json_list("l.location_slug, l.city, l.region, l.work_mode");
    let postings = dialect::json_list(&format!(
        "p.id, p.company_id, p.posted_at, p.employment_type, p.experience_level, pay.annual_min, \
         pay.annual_max, CASE WHEN pay.currency = 'USD' THEN 1 WHEN pay.currency IS NOT NULL THEN 0 END, \
         p.career_step_id, cs.career_path_id, p.title, p.valid_through, \
         (SELECT {places} FROM posting_locations l WHERE l.posting_id = p.id)"
    ));
    QueryBuilder::<Db>::new(format!(
        "SELECT {} FROM postings p LEFT JOIN posting_pay pay ON pay.posting_id = p.id \
         LEFT JOIN career_steps cs ON cs.id = p.career_step_id \
         WHERE p.status = 'published' AND p.valid_through >= ",
        dialect::json_text(&postings)
    ))
}

pub async fn snapshot_source(pool: &Pool, day: NaiveDate) -> Result<SnapshotSource, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_SNAPSHOT).await?;
    let position: i64 = sqlx::query_scalar(dialect::FEED_POSITION).fetch_one(&mut *tx).await?;
    // One JSON document rather than a row per posting and place: sqlx hands SQLite's rows over one by
    // one, which cost 1.1 s for 170,000 rows against 0.5 s for the same data as one document.
    let mut query = open_postings_document();
    query.push_bind(day);
    let postings: Option<String> = query.build_query_scalar().fetch_one(&mut *tx).await?;
    let companies: Vec<(String, i64)> = sqlx::query_as("SELECT slug, id FROM companies").fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(SnapshotSource { position, postings, companies })
}

pub async fn listing_feed_written(pool: &Pool) -> Result<i64, Error> {
    sqlx::query_scalar(dialect::FEED_WRITTEN).fetch_one(pool).await.map_err(Error::from)
}

pub async fn count_open_postings(pool: &Pool, day: NaiveDate) -> Result<i64, Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM postings WHERE status = 'published' AND valid_through >= $1")
        .bind(day)
        .fetch_one(pool)
        .await
        .map_err(Error::from)
}

/// How many ids one `IN (…)` list carries: few reads for a bulk change (each read waits its turn on a
/// busy server), under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const IDS_PER_QUERY: usize = 4_000;

pub async fn changed_postings(
    pool: &Pool,
    day: NaiveDate,
    ids: &[i64],
    companies: &[i64],
) -> Result<ChangedSource, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_SNAPSHOT).await?;
    let mut documents: Vec<String> = Vec::new();
    for part in ids.chunks(IDS_PER_QUERY) {
        let mut query = open_postings_document();
        query.push_bind(day).push(" AND p.id IN (");
        let mut list = query.separated(", ");
        for id in part {
            list.push_bind(*id);
        }
        query.push(")");
        let document: Option<String> = query.build_query_scalar().fetch_one(&mut *tx).await?;
        documents.extend(document);
    }
    let mut company_rows = Vec::new();
    for part in companies.chunks(IDS_PER_QUERY) {
        let mut query = QueryBuilder::<Db>::new("SELECT id, slug FROM companies WHERE id IN (");
        let mut list = query.separated(", ");
        for id in part {
            list.push_bind(*id);
        }
        query.push(")");
        company_rows.extend(query.build_query_as::<(i64, String)>().fetch_all(&mut *tx).await?);
    }
    tx.commit().await?;
    Ok(ChangedSource { postings: documents, companies: company_rows })
}

pub async fn read_listing_changes(pool: &Pool, after: i64, limit: i64) -> Result<FeedRead, Error> {
    let mut tx = pool.begin_with(dialect::BEGIN_SNAPSHOT).await?;
    // PostgreSQL's position is the oldest transaction still running as this snapshot was taken: read
    // before the rows, in the same snapshot, so that the next read starts no later than anything unseen.
    let position: i64 = sqlx::query_scalar(dialect::FEED_POSITION).fetch_one(&mut *tx).await?;
    let mut changes: Vec<FeedChange> =
        sqlx::query_as(dialect::FEED_ROWS).bind(after).bind(limit + 1).fetch_all(&mut *tx).await?;
    let pruned_through: i64 = sqlx::query_scalar(dialect::FEED_PRUNED).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    let truncated = changes.len() as i64 > limit;
    changes.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if dialect::FEED_POSITION_IS_LAST_SEQ {
        changes.last().map_or(after, |change| change.seq)
    } else {
        position.max(after)
    };
    Ok(FeedRead { changes, next, behind: after < pruned_through, truncated })
}

pub async fn prune_listing_changes(writer: &Pool, keep: i64, batch: i64) -> Result<u64, Error> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM listing_changes").fetch_one(writer).await?;
    let Some(cutoff) = newest.map(|newest| newest - keep).filter(|cutoff| *cutoff > 0) else {
        return Ok(0);
    };
    let mut deleted = 0;
    loop {
        let mut tx = writer.begin().await?;
        let through: Vec<i64> =
            sqlx::query_scalar(dialect::FEED_PRUNE).bind(cutoff).bind(batch).fetch_all(&mut *tx).await?;
        if let Some(through) = through.iter().max() {
            sqlx::query(dialect::FEED_PRUNED_THROUGH).bind(*through).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        deleted += through.len() as u64;
        if (through.len() as i64) < batch {
            return Ok(deleted);
        }
    }
}

pub async fn keyword_hits(
    pool: &Pool,
    keywords: &str,
    day: NaiveDate,
    among: Option<&[i64]>,
) -> Result<Vec<RankedMatch>, Error> {
    let mut hits = Vec::new();
    let parts: Vec<Option<&[i64]>> = match among {
        Some(ids) => ids.chunks(IDS_PER_QUERY).map(Some).collect(),
        None => vec![None],
    };
    for part in parts {
        let mut query;
        match part {
            // The whole search: the open postings it matches.
            None => {
                query = QueryBuilder::<Db>::new(format!("SELECT {} AS rank, p.id", dialect::RANK));
                dialect::push_keyword_source(&mut query, keywords);
                query.push(" WHERE p.status = 'published' AND p.valid_through >= ").push_bind(day);
            }
            // A few changed postings: their full-text rows alone (whether they are open, the index says).
            Some(ids) => {
                query = QueryBuilder::<Db>::new(format!("SELECT {} AS rank, {}", dialect::RANK, dialect::FULL_TEXT_ID));
                dialect::push_full_text_source(&mut query, keywords);
                query.push(format!(" WHERE {} IN (", dialect::FULL_TEXT_ID));
                let mut list = query.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                query.push(")");
            }
        }
        dialect::push_keyword_condition(&mut query, keywords);
        let rows: Vec<(f64, i64)> = query.build_query_as().fetch_all(pool).await?;
        hits.extend(rows.into_iter().map(|(rank, id)| RankedMatch { rank, id }));
    }
    hits.sort_by(|a, b| a.rank.total_cmp(&b.rank).then(a.id.cmp(&b.id)));
    Ok(hits)
}

pub async fn keyword_match_ids(pool: &Pool, keywords: &str) -> Result<Option<String>, Error> {
    let mut query = QueryBuilder::<Db>::new("");
    dialect::push_keyword_ids(&mut query, keywords);
    query.build_query_scalar().fetch_one(pool).await.map_err(Error::from)
}
