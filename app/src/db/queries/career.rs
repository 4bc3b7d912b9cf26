//! Career paths: their steps, what open postings pay at each step, and alert subscriptions.

use chrono::NaiveDate;
use sqlx::FromRow;
use std::collections::HashMap;

use sqlx::QueryBuilder;

use super::{Connection, Db, Error, Pool};
use crate::db::open_postings::{OpenPostings, StepObservation};
use crate::domain::job::job_path;
use crate::domain::{CareerPath, CareerStep, ExperienceLevel, ObservedPay, StepExample};

#[derive(FromRow)]
struct PathRow {
    id: i64,
    slug: String,
    job_family: String,
    name: String,
    description: String,
}

#[derive(FromRow)]
struct StepRow {
    id: i64,
    slug: String,
    title: String,
    experience_level: String,
    ladder_rank: Option<i64>,
    estimate_min: Option<i64>,
    estimate_max: Option<i64>,
    estimate_currency: String,
    estimate_location_slug: Option<String>,
}

pub async fn get_career_path(pool: &Pool, slug: &str) -> Result<CareerPath, Error> {
    let path: PathRow =
        sqlx::query_as("SELECT id, slug, job_family, name, description FROM career_paths WHERE slug = $1")
            .bind(slug)
            .fetch_one(pool)
            .await?;
    let steps: Vec<StepRow> = sqlx::query_as(
        "SELECT id, slug, title, experience_level, ladder_rank, estimate_min, estimate_max, estimate_currency, \
         estimate_location_slug FROM career_steps WHERE career_path_id = $1 ORDER BY position",
    )
    .bind(path.id)
    .fetch_all(pool)
    .await?;
    let moves: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT m.from_step_id, m.to_step_id FROM career_step_moves m \
         JOIN career_steps s ON s.id = m.from_step_id WHERE s.career_path_id = $1",
    )
    .bind(path.id)
    .fetch_all(pool)
    .await?;
    let slugs: HashMap<i64, String> = steps.iter().map(|s| (s.id, s.slug.clone())).collect();
    let steps = steps
        .into_iter()
        .map(|step| {
            let next_steps = moves
                .iter()
                .filter(|(from, _)| *from == step.id)
                .filter_map(|(_, to)| slugs.get(to).cloned())
                .collect();
            Ok(CareerStep {
                level: ExperienceLevel::parse(&step.experience_level)
                    .map_err(|e| Error::corrupt("experience_level", e))?,
                slug: step.slug,
                title: step.title,
                ladder_rank: step.ladder_rank.and_then(|r| u8::try_from(r).ok()),
                estimate_min: step.estimate_min,
                estimate_max: step.estimate_max,
                estimate_currency: step.estimate_currency,
                estimate_location_slug: step.estimate_location_slug,
                next_steps,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(CareerPath {
        slug: path.slug,
        job_family: path.job_family,
        name: path.name,
        description: path.description,
        steps,
    })
}

#[derive(FromRow)]
struct ObservedRow {
    step_slug: String,
    min: Option<i64>,
    max: Option<i64>,
    paid_postings: i64,
    open_postings: i64,
}

/// An example posting as the queries read it.
#[derive(FromRow)]
struct ExampleRow {
    step_slug: String,
    id: i64,
    slug: String,
    title: String,
    company: String,
    place: Option<String>,
}

impl ExampleRow {
    fn into_example(self) -> StepExample {
        StepExample {
            href: job_path(self.id, &self.slug),
            title: self.title,
            company: self.company,
            place: self.place.unwrap_or_default(),
        }
    }
}

/// How many examples each step lists.
const EXAMPLES_PER_STEP: usize = 3;

pub async fn observed_pay(pool: &Pool, path_slug: &str, today: NaiveDate) -> Result<Vec<ObservedPay>, Error> {
    let rows: Vec<ObservedRow> = sqlx::query_as(
        "SELECT s.slug AS step_slug, MIN(pay.annual_min) AS min, MAX(pay.annual_max) AS max, \
                COUNT(pay.posting_id) AS paid_postings, COUNT(*) AS open_postings \
         FROM postings p JOIN career_steps s ON s.id = p.career_step_id \
         JOIN career_paths cp ON cp.id = s.career_path_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id \
         WHERE cp.slug = $1 AND p.status = 'published' AND p.valid_through >= $2 GROUP BY s.id",
    )
    .bind(path_slug)
    .bind(today)
    .fetch_all(pool)
    .await?;
    // The newest few at each step, numbered per step in the database, so that a step with thousands of
    // postings still sends only its few.
    let examples: Vec<ExampleRow> = sqlx::query_as(
        "SELECT step_slug, id, slug, title, company, place FROM ( \
           SELECT s.slug AS step_slug, p.id, p.slug, p.title, c.name AS company, \
                  (SELECT l.city || ', ' || l.region FROM posting_locations l WHERE l.posting_id = p.id \
                   ORDER BY l.position, l.id LIMIT 1) AS place, \
                  ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY p.posted_at DESC, p.id DESC) AS rank \
           FROM postings p JOIN career_steps s ON s.id = p.career_step_id \
           JOIN career_paths cp ON cp.id = s.career_path_id JOIN companies c ON c.id = p.company_id \
           WHERE cp.slug = $1 AND p.status = 'published' AND p.valid_through >= $2) ranked \
         WHERE rank <= $3 ORDER BY step_slug, rank",
    )
    .bind(path_slug)
    .bind(today)
    .bind(EXAMPLES_PER_STEP as i64)
    .fetch_all(pool)
    .await?;
    let mut by_step: HashMap<String, Vec<StepExample>> = HashMap::new();
    for row in examples {
        by_step.entry(row.step_slug.clone()).or_default().push(row.into_example());
    }
    Ok(rows
        .into_iter()
        .map(|row| ObservedPay {
            examples: by_step.remove(&row.step_slug).unwrap_or_default(),
            step_slug: row.step_slug,
            min: row.min,
            max: row.max,
            paid_postings: row.paid_postings,
            open_postings: row.open_postings,
        })
        .collect())
}

pub async fn observed_pay_from(
    pool: &Pool,
    snapshot: &OpenPostings,
    path_slug: &str,
) -> Result<Vec<ObservedPay>, Error> {
    let steps: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, s.slug FROM career_steps s JOIN career_paths cp ON cp.id = s.career_path_id \
         WHERE cp.slug = $1 ORDER BY s.position",
    )
    .bind(path_slug)
    .fetch_all(pool)
    .await?;
    let observed: Vec<(String, StepObservation)> = steps
        .into_iter()
        .filter_map(|(id, slug)| snapshot.step_observation(id, EXAMPLES_PER_STEP).map(|seen| (slug, seen)))
        .collect();
    let example_ids: Vec<i64> = observed.iter().flat_map(|(_, seen)| seen.newest.iter().copied()).collect();
    let titles: HashMap<i64, StepExample> = if example_ids.is_empty() {
        HashMap::new()
    } else {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT '' AS step_slug, p.id, p.slug, p.title, c.name AS company, \
                    (SELECT l.city || ', ' || l.region FROM posting_locations l WHERE l.posting_id = p.id \
                     ORDER BY l.position, l.id LIMIT 1) AS place \
             FROM postings p JOIN companies c ON c.id = p.company_id WHERE p.id IN (",
        );
        let mut ids = query.separated(", ");
        for id in &example_ids {
            ids.push_bind(*id);
        }
        query.push(")");
        let rows: Vec<ExampleRow> = query.build_query_as().fetch_all(pool).await?;
        rows.into_iter().map(|row| (row.id, row.into_example())).collect()
    };
    Ok(observed
        .into_iter()
        .map(|(step_slug, seen)| ObservedPay {
            examples: seen.newest.iter().filter_map(|id| titles.get(id).cloned()).collect(),
            step_slug,
            min: seen.annual_min,
            max: seen.annual_max,
            paid_postings: seen.paid_postings,
            open_postings: seen.open_postings,
        })
        .collect())
}

pub async fn career_path_postings(pool: &Pool, slug: &str, today: NaiveDate, limit: i64) -> Result<Vec<i64>, Error> {
    sqlx::query_scalar(
        "SELECT p.id FROM postings p JOIN career_steps s ON s.id = p.career_step_id \
         JOIN career_paths cp ON cp.id = s.career_path_id \
         WHERE cp.slug = $1 AND p.status = 'published' AND p.valid_through >= $2 \
         ORDER BY p.posted_at DESC, p.id DESC LIMIT $3",
    )
    .bind(slug)
    .bind(today)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(Error::from)
}

pub async fn career_path_exists(conn: &mut Connection, slug: &str) -> Result<bool, Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM career_paths WHERE slug = $1)")
        .bind(slug)
        .fetch_one(conn)
        .await
        .map_err(Error::from)
}
