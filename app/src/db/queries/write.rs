//! Writing companies, career paths, legal notices and postings. Postings are inserted in batches of
//! multi-row statements so that 100,000 load in seconds.

use sqlx::QueryBuilder;

use super::Db;
use std::collections::HashMap;

use super::dialect;
use super::{Connection, Error, Pool};
use crate::db::slugs::url_slug;
use crate::domain::legal_notices::{self, NOTICE_JURISDICTIONS};
use crate::domain::text::slugify;
use crate::domain::{Benefit, CareerPath, Location, NewCompany, NewJob, NewSection, Pay, PostingParts};
use crate::markdown::to_safe_html;

/// Postings per multi-row statement; keeps every statement well under SQLite's 32,766 bound parameters.
const POSTINGS_PER_STATEMENT: usize = 200;

/// Child rows (locations, sections, benefits, links) per multi-row statement.
const ROWS_PER_STATEMENT: usize = 1000;

pub async fn upsert_company(conn: &mut Connection, company: &NewCompany) -> Result<i64, Error> {
    sqlx::query_scalar(
        "INSERT INTO companies (name, slug, about, website, application_limit) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name, about = excluded.about, \
         website = excluded.website, application_limit = excluded.application_limit RETURNING id",
    )
    .bind(&company.name)
    .bind(&company.slug)
    .bind(&company.about)
    .bind(&company.website)
    .bind(company.application_limit.map(i64::from))
    .fetch_one(conn)
    .await
    .map_err(Error::from)
}

pub async fn join_company_group(
    conn: &mut Connection,
    slug: &str,
    group: &str,
    limit: Option<i64>,
) -> Result<(), Error> {
    let group_id: i64 = sqlx::query_scalar(
        "INSERT INTO company_groups (name, application_limit) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET application_limit = excluded.application_limit RETURNING id",
    )
    .bind(group)
    .bind(limit)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE companies SET group_id = $1 WHERE slug = $2").bind(group_id).bind(slug).execute(conn).await?;
    Ok(())
}

pub async fn upsert_legal_notice(
    conn: &mut Connection,
    jurisdiction: &str,
    region: Option<&str>,
    title: &str,
    body_markdown: &str,
) -> Result<i64, Error> {
    sqlx::query_scalar(
        "INSERT INTO legal_notices (jurisdiction, region, title, body_markdown, body_html) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (jurisdiction) DO UPDATE SET region = excluded.region, title = excluded.title, \
         body_markdown = excluded.body_markdown, body_html = excluded.body_html RETURNING id",
    )
    .bind(jurisdiction)
    .bind(region)
    .bind(title)
    .bind(body_markdown)
    .bind(to_safe_html(body_markdown))
    .fetch_one(conn)
    .await
    .map_err(Error::from)
}

pub async fn insert_missing_legal_notices(pool: &Pool) -> Result<(), Error> {
    for notice in NOTICE_JURISDICTIONS {
        sqlx::query(
            "INSERT INTO legal_notices (jurisdiction, region, title, body_markdown, body_html) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (jurisdiction) DO NOTHING",
        )
        .bind(notice.key)
        .bind(notice.region)
        .bind(notice.title)
        .bind(notice.body)
        .bind(to_safe_html(notice.body))
        .execute(pool)
        .await?;
    }
    Ok(())
}

pub async fn insert_career_path(conn: &mut Connection, path: &CareerPath) -> Result<i64, Error> {
    let path_id: i64 = sqlx::query_scalar(
        "INSERT INTO career_paths (slug, job_family, name, description) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&path.slug)
    .bind(&path.job_family)
    .bind(&path.name)
    .bind(&path.description)
    .fetch_one(&mut *conn)
    .await?;
    let mut step_ids = HashMap::new();
    for (position, step) in path.steps.iter().enumerate() {
        let step_id: i64 = sqlx::query_scalar(
            "INSERT INTO career_steps (career_path_id, position, slug, title, experience_level, ladder_rank, \
             estimate_min, estimate_max, estimate_currency, estimate_location_slug) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(path_id)
        .bind(i64::try_from(position + 1).unwrap_or(i64::MAX))
        .bind(&step.slug)
        .bind(&step.title)
        .bind(step.level.code())
        .bind(step.ladder_rank.map(i64::from))
        .bind(step.estimate_min)
        .bind(step.estimate_max)
        .bind(&step.estimate_currency)
        .bind(&step.estimate_location_slug)
        .fetch_one(&mut *conn)
        .await?;
        step_ids.insert(step.slug.as_str(), step_id);
    }
    for step in &path.steps {
        for next in &step.next_steps {
            let (Some(from), Some(to)) = (step_ids.get(step.slug.as_str()), step_ids.get(next.as_str())) else {
                return Err(Error::Invalid(format!(
                    "career path {}: step {} moves to unknown step {next}",
                    path.slug, step.slug
                )));
            };
            sqlx::query("INSERT INTO career_step_moves (from_step_id, to_step_id) VALUES ($1, $2)")
                .bind(from)
                .bind(to)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(path_id)
}

/// Ids the postings refer to by name, looked up once per call.
struct References {
    /// slug -> (id, name)
    companies: HashMap<String, (i64, String)>,
    skills: HashMap<String, i64>,
    career_steps: HashMap<(String, String), i64>,
    notices: HashMap<String, i64>,
}

async fn load_references(conn: &mut Connection, jobs: &[NewJob]) -> Result<References, Error> {
    let companies: HashMap<String, (i64, String)> =
        sqlx::query_as::<_, (String, i64, String)>("SELECT slug, id, name FROM companies")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(slug, id, name)| (slug, (id, name)))
            .collect();

    let mut new_skills: HashMap<String, &str> = HashMap::new();
    for skill in jobs.iter().flat_map(|job| job.parts().skills.iter()) {
        new_skills.entry(slugify(skill)).or_insert(skill.as_str());
    }
    let new_skills: Vec<(String, &str)> = new_skills.into_iter().filter(|(slug, _)| !slug.is_empty()).collect();
    for chunk in new_skills.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Db>::new("INSERT INTO skills (slug, name) ");
        insert.push_values(chunk, |mut row, (slug, name)| {
            row.push_bind(slug.clone()).push_bind(name.trim().to_owned());
        });
        insert.push(" ON CONFLICT DO NOTHING");
        insert.build().execute(&mut *conn).await?;
    }
    let skills = sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM skills")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();

    let career_steps = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT cp.slug, cs.slug, cs.id FROM career_steps cs JOIN career_paths cp ON cp.id = cs.career_path_id",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(path, step, id)| ((path, step), id))
    .collect();

    let notices = sqlx::query_as::<_, (String, i64)>("SELECT jurisdiction, id FROM legal_notices")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();

    Ok(References { companies, skills, career_steps, notices })
}

fn missing(what: &str, name: &str) -> Error {
    Error::Invalid(format!("unknown {what} {name:?}"))
}

/// A posting with its references resolved, ready to write; `id` and `location_ids` are filled in as the
/// database assigns them.
struct Resolved<'a> {
    id: i64,
    job: &'a PostingParts,
    company_id: i64,
    company_name: &'a str,
    career_step_id: Option<i64>,
    /// Ids of `job.locations`, in order, once stored.
    location_ids: Vec<i64>,
    skill_ids: Vec<i64>,
    /// The notices to link, each with who attached it (`employer` or `location`).
    notice_ids: Vec<(i64, &'static str)>,
}

impl Resolved<'_> {
    fn pay_location_id(&self) -> Option<i64> {
        self.job.pay_location.and_then(|index| self.location_ids.get(index).copied())
    }
}

fn resolve<'a>(refs: &'a References, job: &'a NewJob) -> Result<Resolved<'a>, Error> {
    let job = job.parts();
    let (company_id, company_name) =
        refs.companies.get(&job.company_slug).ok_or_else(|| missing("company", &job.company_slug))?;
    let career_step_id = match &job.career_step {
        Some((path, step)) => Some(
            *refs
                .career_steps
                .get(&(path.clone(), step.clone()))
                .ok_or_else(|| missing("career step", &format!("{path}/{step}")))?,
        ),
        None => None,
    };
    let mut skill_ids: Vec<i64> =
        job.skills.iter().filter_map(|skill| refs.skills.get(&slugify(skill)).copied()).collect();
    skill_ids.sort_unstable();
    skill_ids.dedup();
    let mut notice_ids: Vec<(i64, &'static str)> = job
        .legal_notices
        .iter()
        .map(|key| refs.notices.get(key).map(|id| (*id, "employer")).ok_or_else(|| missing("legal notice", key)))
        .collect::<Result<_, _>>()?;
    for key in legal_notices::for_locations(&job.locations) {
        let id = *refs.notices.get(key).ok_or_else(|| missing("legal notice", key))?;
        if !notice_ids.iter().any(|(linked, _)| *linked == id) {
            notice_ids.push((id, "location"));
        }
    }
    Ok(Resolved {
        id: 0,
        job,
        company_id: *company_id,
        company_name,
        career_step_id,
        location_ids: Vec::new(),
        skill_ids,
        notice_ids,
    })
}

pub async fn insert_jobs(conn: &mut Connection, jobs: &[NewJob]) -> Result<Vec<i64>, Error> {
    let refs = load_references(conn, jobs).await?;
    let mut ids = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(POSTINGS_PER_STATEMENT) {
        // Resolve every reference first, so a bad name fails before anything of the chunk is written.
        let mut resolved = chunk.iter().map(|job| resolve(&refs, job)).collect::<Result<Vec<_>, _>>()?;
        insert_postings(conn, &mut resolved).await?;
        insert_parts(conn, &mut resolved).await?;
        ids.extend(resolved.iter().map(|r| r.id));
    }
    Ok(ids)
}

/// What an edit deletes before writing a posting's parts again: its parts, never what refers to it.
const REPLACED_PARTS: [&str; 7] = [
    "DELETE FROM posting_pay WHERE posting_id = $1",
    "DELETE FROM posting_locations WHERE posting_id = $1",
    "DELETE FROM posting_sections WHERE posting_id = $1",
    "DELETE FROM posting_benefits WHERE posting_id = $1",
    "DELETE FROM posting_skills WHERE posting_id = $1",
    "DELETE FROM posting_legal_notices WHERE posting_id = $1",
    dialect::DELETE_FULL_TEXT,
];

/// Replaces the content of posting `id` in place: the posting row is updated (its id and `created_at`
/// stay, `updated_at` moves) and its parts (locations, pay, sections, benefits, skills, notices, the
/// full-text row) are replaced. Rows elsewhere that reference the posting are not touched.
/// `Error::NotFound` when there is no such posting. Run it inside a transaction.
pub async fn replace_job(conn: &mut Connection, id: i64, job: &NewJob) -> Result<(), Error> {
    let refs = load_references(conn, std::slice::from_ref(job)).await?;
    let mut resolved = [resolve(&refs, job)?];
    resolved[0].id = id;
    let job = job.parts();
    let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE postings SET company_id = $1, title = $2, slug = $3, employment_type = $4, experience_level = $5, \
         status = $6, posted_at = $7, valid_through = $8, apply_url = $9, apply_email = $10, career_step_id = $11, \
         applies_on_site = $12, updated_at = {} WHERE id = $13",
        dialect::NOW
    )))
    .bind(resolved[0].company_id)
    .bind(job.title.trim())
    .bind(url_slug(&job.title, "job"))
    .bind(job.employment_type.code())
    .bind(job.level.code())
    .bind(job.status.code())
    .bind(job.posted_at)
    .bind(job.valid_through)
    .bind(&job.apply_url)
    .bind(&job.apply_email)
    .bind(resolved[0].career_step_id)
    .bind(job.applies_on_site)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    for statement in REPLACED_PARTS {
        sqlx::query(statement).bind(id).execute(&mut *conn).await?;
    }
    insert_parts(conn, &mut resolved).await
}

/// Everything of a posting but its row: locations first (the pay refers to one), then the rest.
async fn insert_parts(conn: &mut Connection, resolved: &mut [Resolved<'_>]) -> Result<(), Error> {
    insert_locations(conn, resolved).await?;
    insert_pay(conn, resolved).await?;
    insert_sections(conn, resolved).await?;
    insert_benefits(conn, resolved).await?;
    insert_links(conn, resolved).await?;
    insert_full_text(conn, resolved).await
}

/// Inserts the posting rows of a chunk in one statement and records the id the database gave each.
async fn insert_postings(conn: &mut Connection, postings: &mut [Resolved<'_>]) -> Result<(), Error> {
    let mut insert = QueryBuilder::<Db>::new(
        "INSERT INTO postings (company_id, title, slug, employment_type, experience_level, status, \
         posted_at, valid_through, apply_url, apply_email, career_step_id, applies_on_site) ",
    );
    insert.push_values(postings.iter(), |mut row, posting| {
        let job = posting.job;
        row.push_bind(posting.company_id)
            .push_bind(job.title.trim().to_owned())
            .push_bind(url_slug(&job.title, "job"))
            .push_bind(job.employment_type.code())
            .push_bind(job.level.code())
            .push_bind(job.status.code())
            .push_bind(job.posted_at)
            .push_bind(job.valid_through)
            .push_bind(job.apply_url.clone())
            .push_bind(job.apply_email.clone())
            .push_bind(posting.career_step_id)
            .push_bind(job.applies_on_site);
    });
    insert.push(" RETURNING id, title");
    let mut returned: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *conn).await?;
    // RETURNING's row order is not specified; the ids of one multi-row statement are assigned in the
    // order of its rows, so sorted ids line up with the input. The titles check that they do.
    returned.sort_unstable_by_key(|(id, _)| *id);
    let lined_up = returned.len() == postings.len()
        && returned.iter().zip(postings.iter()).all(|((_, title), posting)| *title == posting.job.title.trim());
    if !lined_up {
        return Err(Error::Other("the ids returned for a batch of postings do not line up with its rows".into()));
    }
    for ((id, _), posting) in returned.into_iter().zip(postings.iter_mut()) {
        posting.id = id;
    }
    Ok(())
}

/// Inserts the locations and records their ids (the pay's location refers to one).
async fn insert_locations(conn: &mut Connection, postings: &mut [Resolved<'_>]) -> Result<(), Error> {
    let rows: Vec<(i64, i64, &Location)> = postings
        .iter()
        .flat_map(|p| {
            p.job.locations.iter().enumerate().map(move |(position, location)| (p.id, position as i64, location))
        })
        .collect();
    let mut ids: HashMap<(i64, i64), i64> = HashMap::with_capacity(rows.len());
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Db>::new(
            "INSERT INTO posting_locations (posting_id, position, city, region, country, location_slug, \
             work_mode, applicant_location_requirement) ",
        );
        insert.push_values(part, |mut row, (posting, position, location)| {
            row.push_bind(*posting)
                .push_bind(*position)
                .push_bind(location.city.clone())
                .push_bind(location.region.clone())
                .push_bind(location.country.clone())
                .push_bind(location.slug())
                .push_bind(location.work_mode.code())
                .push_bind(location.applicant_location_requirement.clone());
        });
        insert.push(" RETURNING id, posting_id, position");
        let returned: Vec<(i64, i64, i64)> = insert.build_query_as().fetch_all(&mut *conn).await?;
        ids.extend(returned.into_iter().map(|(id, posting, position)| ((posting, position), id)));
    }
    for posting in postings.iter_mut() {
        posting.location_ids = (0..posting.job.locations.len() as i64)
            .map(|position| {
                ids.get(&(posting.id, position)).copied().ok_or_else(|| {
                    Error::Other(format!("no id returned for location {position} of posting {}", posting.id))
                })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

async fn insert_pay(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), Error> {
    let paid: Vec<(&Resolved<'_>, &Pay)> =
        postings.iter().filter_map(|p| p.job.pay.as_ref().map(|pay| (p, pay))).collect();
    if paid.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Db>::new(
        "INSERT INTO posting_pay (posting_id, min_amount, max_amount, currency, unit, location_id, \
         annual_min, annual_max) ",
    );
    insert.push_values(&paid, |mut row, (posting, pay)| {
        row.push_bind(posting.id)
            .push_bind(pay.min_minor())
            .push_bind(pay.max_minor())
            .push_bind(pay.currency().as_str().to_owned())
            .push_bind(pay.unit().code())
            .push_bind(posting.pay_location_id())
            .push_bind(pay.annual_min())
            .push_bind(pay.annual_max());
    });
    insert.build().execute(conn).await?;
    Ok(())
}

async fn insert_sections(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), Error> {
    let rows: Vec<(i64, i64, &NewSection)> = postings
        .iter()
        .flat_map(|p| p.job.sections.iter().enumerate().map(move |(position, s)| (p.id, position as i64, s)))
        .collect();
    // Rendered once per distinct text: generated and templated postings repeat their sections.
    let mut rendered: HashMap<&str, String> = HashMap::new();
    for (_, _, section) in &rows {
        rendered.entry(section.body_markdown.as_str()).or_insert_with(|| to_safe_html(&section.body_markdown));
    }
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Db>::new(
            "INSERT INTO posting_sections (posting_id, position, heading, body_markdown, body_html) ",
        );
        insert.push_values(part, |mut row, (posting, position, section)| {
            row.push_bind(*posting)
                .push_bind(*position)
                .push_bind(section.heading.trim().to_owned())
                .push_bind(section.body_markdown.clone())
                .push_bind(rendered.get(section.body_markdown.as_str()).cloned().unwrap_or_default());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_benefits(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), Error> {
    let rows: Vec<(i64, i64, &Benefit)> = postings
        .iter()
        .flat_map(|p| p.job.benefits.iter().enumerate().map(move |(position, b)| (p.id, position as i64, b)))
        .collect();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Db>::new(
            "INSERT INTO posting_benefits (posting_id, position, benefit_group, kind, days, note) ",
        );
        insert.push_values(part, |mut row, (posting, position, benefit)| {
            row.push_bind(*posting)
                .push_bind(*position)
                .push_bind(benefit.group.code())
                .push_bind(benefit.kind.clone())
                .push_bind(benefit.days.map(i64::from))
                .push_bind(benefit.note.clone());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Skill and legal-notice links.
async fn insert_links(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), Error> {
    let skills: Vec<(i64, i64)> = postings.iter().flat_map(|p| p.skill_ids.iter().map(move |s| (p.id, *s))).collect();
    for part in skills.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Db>::new("INSERT INTO posting_skills (posting_id, skill_id) ");
        insert.push_values(part, |mut row, (posting, skill)| {
            row.push_bind(*posting).push_bind(*skill);
        });
        insert.build().execute(&mut *conn).await?;
    }
    let notices: Vec<(i64, i64, &str)> =
        postings.iter().flat_map(|p| p.notice_ids.iter().map(move |(n, by)| (p.id, *n, *by))).collect();
    for part in notices.chunks(ROWS_PER_STATEMENT) {
        let mut insert =
            QueryBuilder::<Db>::new("INSERT INTO posting_legal_notices (posting_id, notice_id, attached_by) ");
        insert.push_values(part, |mut row, (posting, notice, by)| {
            row.push_bind(*posting).push_bind(*notice).push_bind(*by);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The full-text row: title, company, skills and the sections' text.
async fn insert_full_text(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), Error> {
    let mut insert = QueryBuilder::<Db>::new(dialect::INSERT_FULL_TEXT);
    insert.push_values(postings, |mut row, posting| {
        let job = posting.job;
        let body: String =
            job.sections.iter().flat_map(|s| [s.heading.as_str(), "\n", s.body_markdown.as_str(), "\n"]).collect();
        row.push_bind(posting.id)
            .push_bind(job.title.clone())
            .push_bind(posting.company_name.to_owned())
            .push_bind(job.skills.join(", "))
            .push_bind(body);
    });
    insert.build().execute(conn).await?;
    Ok(())
}

pub async fn render_missing_html(pool: &Pool) -> Result<u64, Error> {
    const BATCH: i64 = 2_000;
    let mut rendered = 0;
    loop {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, body_markdown FROM posting_sections WHERE body_html IS NULL LIMIT $1")
                .bind(BATCH)
                .fetch_all(pool)
                .await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = pool.begin().await?;
        for (id, markdown) in &rows {
            sqlx::query("UPDATE posting_sections SET body_html = $1 WHERE id = $2")
                .bind(to_safe_html(markdown))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        rendered += rows.len() as u64;
    }
    let notices: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, body_markdown FROM legal_notices WHERE body_html IS NULL").fetch_all(pool).await?;
    for (id, markdown) in &notices {
        sqlx::query("UPDATE legal_notices SET body_html = $1 WHERE id = $2")
            .bind(to_safe_html(markdown))
            .bind(id)
            .execute(pool)
            .await?;
    }
    Ok(rendered + notices.len() as u64)
}
