//! Writing companies, career paths, legal notices and postings. Postings are inserted in batches of
//! multi-row statements so that 100,000 load in seconds.

use sqlx::{QueryBuilder, Sqlite};
use std::collections::HashMap;

use super::Connection;
use crate::domain::text::slugify;
use crate::domain::{Benefit, CareerPath, Location, NewCompany, NewJob, NewSection, Pay};
use crate::markdown::to_safe_html;

/// Postings per multi-row statement; keeps every statement well under SQLite's 32,766 bound parameters.
const POSTINGS_PER_STATEMENT: usize = 200;

/// Child rows (locations, sections, benefits, links) per multi-row statement.
const ROWS_PER_STATEMENT: usize = 1000;

/// The URL slug of a title or name: [`slugify`]'s, else that of its transliteration into ASCII
/// ("株式会社エンジニア" -> "zhu-shi-hui-she-enzinia", "Инженер" -> "inzhener"), else `fallback` (a
/// title of punctuation alone). Never empty, so the schema's CHECK on slugs always holds.
pub fn url_slug(text: &str, fallback: &str) -> String {
    let slug = slugify(text);
    if !slug.is_empty() {
        return slug;
    }
    let transliterated = slugify(&deunicode::deunicode(text));
    if transliterated.is_empty() { fallback.to_owned() } else { transliterated }
}

/// Inserts a company or updates the one with the same slug; returns its id.
pub async fn upsert_company(conn: &mut Connection, company: &NewCompany) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO companies (name, slug, about, website, application_limit) VALUES (?, ?, ?, ?, ?) \
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
}

/// Inserts or replaces a legal notice keyed by its jurisdiction; returns its id.
pub async fn upsert_legal_notice(
    conn: &mut Connection,
    jurisdiction: &str,
    region: Option<&str>,
    title: &str,
    body_markdown: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO legal_notices (jurisdiction, region, title, body_markdown, body_html) VALUES (?, ?, ?, ?, ?) \
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
}

/// Inserts a career path with its steps and their next-step moves; returns the path's id.
pub async fn insert_career_path(conn: &mut Connection, path: &CareerPath) -> Result<i64, sqlx::Error> {
    let path_id: i64 = sqlx::query_scalar(
        "INSERT INTO career_paths (slug, job_family, name, description) VALUES (?, ?, ?, ?) RETURNING id",
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                return Err(sqlx::Error::Protocol(format!(
                    "career path {}: step {} moves to unknown step {next}",
                    path.slug, step.slug
                )));
            };
            sqlx::query("INSERT INTO career_step_moves (from_step_id, to_step_id) VALUES (?, ?)")
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

async fn load_references(conn: &mut Connection, jobs: &[NewJob]) -> Result<References, sqlx::Error> {
    let companies: HashMap<String, (i64, String)> =
        sqlx::query_as::<_, (String, i64, String)>("SELECT slug, id, name FROM companies")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(slug, id, name)| (slug, (id, name)))
            .collect();

    let mut new_skills: HashMap<String, &str> = HashMap::new();
    for skill in jobs.iter().flat_map(|job| job.skills.iter()) {
        new_skills.entry(slugify(skill)).or_insert(skill.as_str());
    }
    let new_skills: Vec<(String, &str)> = new_skills.into_iter().filter(|(slug, _)| !slug.is_empty()).collect();
    for chunk in new_skills.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO skills (slug, name) ");
        insert.push_values(chunk, |mut row, (slug, name)| {
            row.push_bind(slug.clone()).push_bind(name.trim().to_owned());
        });
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

/// The next free id of `postings` and `posting_locations`, read once per call.
async fn next_ids(conn: &mut Connection) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM postings), \
                (SELECT COALESCE(MAX(id), 0) + 1 FROM posting_locations)",
    )
    .fetch_one(conn)
    .await
}

fn missing(what: &str, name: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("unknown {what} {name:?}"))
}

/// A posting with its ids assigned and its references resolved, ready to insert.
struct Resolved<'a> {
    id: i64,
    job: &'a NewJob,
    company_id: i64,
    company_name: &'a str,
    career_step_id: Option<i64>,
    /// Ids of `job.locations`, in order.
    location_ids: Vec<i64>,
    skill_ids: Vec<i64>,
    notice_ids: Vec<i64>,
}

impl Resolved<'_> {
    fn pay_location_id(&self) -> Option<i64> {
        self.job.pay_location.and_then(|index| self.location_ids.get(index).copied())
    }
}

fn resolve<'a>(
    refs: &'a References,
    job: &'a NewJob,
    id: i64,
    next_location_id: &mut i64,
) -> Result<Resolved<'a>, sqlx::Error> {
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
    let location_ids = (0..job.locations.len() as i64).map(|offset| *next_location_id + offset).collect();
    *next_location_id += job.locations.len() as i64;
    let mut skill_ids: Vec<i64> =
        job.skills.iter().filter_map(|skill| refs.skills.get(&slugify(skill)).copied()).collect();
    skill_ids.sort_unstable();
    skill_ids.dedup();
    let notice_ids = job
        .legal_notices
        .iter()
        .map(|key| refs.notices.get(key).copied().ok_or_else(|| missing("legal notice", key)))
        .collect::<Result<_, _>>()?;
    Ok(Resolved { id, job, company_id: *company_id, company_name, career_step_id, location_ids, skill_ids, notice_ids })
}

/// Inserts validated postings with all their parts and full-text rows; returns their ids in order.
/// Run it inside a transaction (`&mut *tx`): ids are assigned from the current maximum.
pub async fn insert_jobs(conn: &mut Connection, jobs: &[NewJob]) -> Result<Vec<i64>, sqlx::Error> {
    for job in jobs {
        job.validate().map_err(|error| sqlx::Error::Protocol(format!("invalid posting {:?}: {error}", job.title)))?;
    }
    let refs = load_references(conn, jobs).await?;
    let (mut next_posting_id, mut next_location_id) = next_ids(conn).await?;
    let mut ids = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(POSTINGS_PER_STATEMENT) {
        // Resolve every reference first, so a bad name fails before anything of the chunk is written.
        let mut resolved = Vec::with_capacity(chunk.len());
        for job in chunk {
            resolved.push(resolve(&refs, job, next_posting_id, &mut next_location_id)?);
            next_posting_id += 1;
        }
        insert_resolved(conn, &resolved).await?;
        ids.extend(resolved.iter().map(|r| r.id));
    }
    Ok(ids)
}

/// Inserts one validated posting under a chosen id: an edit deletes a posting and inserts it again under
/// its own id, so its address does not change. Run it inside a transaction.
pub async fn insert_job_at(conn: &mut Connection, id: i64, job: &NewJob) -> Result<(), sqlx::Error> {
    job.validate().map_err(|error| sqlx::Error::Protocol(format!("invalid posting {:?}: {error}", job.title)))?;
    let refs = load_references(conn, std::slice::from_ref(job)).await?;
    let (_, mut next_location_id) = next_ids(conn).await?;
    let resolved = [resolve(&refs, job, id, &mut next_location_id)?];
    insert_resolved(conn, &resolved).await
}

/// Deletes a posting with all its parts and its full-text row (for an edit, which inserts it again).
pub async fn delete_job(conn: &mut Connection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM postings_fts WHERE rowid = ?").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM postings WHERE id = ?").bind(id).execute(&mut *conn).await?;
    Ok(())
}

async fn insert_resolved(conn: &mut Connection, resolved: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    insert_postings(conn, resolved).await?;
    insert_locations(conn, resolved).await?;
    insert_pay(conn, resolved).await?;
    insert_sections(conn, resolved).await?;
    insert_benefits(conn, resolved).await?;
    insert_links(conn, resolved).await?;
    insert_full_text(conn, resolved).await
}

async fn insert_postings(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO postings (id, company_id, title, slug, employment_type, experience_level, status, \
         posted_at, valid_through, apply_url, apply_email, career_step_id) ",
    );
    insert.push_values(postings, |mut row, posting| {
        let job = posting.job;
        row.push_bind(posting.id)
            .push_bind(posting.company_id)
            .push_bind(job.title.trim().to_owned())
            .push_bind(url_slug(&job.title, "job"))
            .push_bind(job.employment_type.code())
            .push_bind(job.level.code())
            .push_bind(job.status.code())
            .push_bind(job.posted_at)
            .push_bind(job.valid_through)
            .push_bind(job.apply_url.clone())
            .push_bind(job.apply_email.clone())
            .push_bind(posting.career_step_id);
    });
    insert.build().execute(conn).await?;
    Ok(())
}

async fn insert_locations(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, i64, i64, &Location)> = postings
        .iter()
        .flat_map(|p| {
            p.job
                .locations
                .iter()
                .enumerate()
                .map(move |(position, location)| (p.location_ids[position], p.id, position as i64, location))
        })
        .collect();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO posting_locations (id, posting_id, position, city, region, country, location_slug, \
             work_mode, applicant_location_requirement) ",
        );
        insert.push_values(part, |mut row, (id, posting, position, location)| {
            row.push_bind(*id)
                .push_bind(*posting)
                .push_bind(*position)
                .push_bind(location.city.clone())
                .push_bind(location.region.clone())
                .push_bind(location.country.clone())
                .push_bind(location.slug())
                .push_bind(location.work_mode.code())
                .push_bind(location.applicant_location_requirement.clone());
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_pay(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let paid: Vec<(&Resolved<'_>, &Pay)> =
        postings.iter().filter_map(|p| p.job.pay.as_ref().map(|pay| (p, pay))).collect();
    if paid.is_empty() {
        return Ok(());
    }
    let mut insert = QueryBuilder::<Sqlite>::new(
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

async fn insert_sections(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
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
        let mut insert = QueryBuilder::<Sqlite>::new(
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

async fn insert_benefits(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, i64, &Benefit)> = postings
        .iter()
        .flat_map(|p| p.job.benefits.iter().enumerate().map(move |(position, b)| (p.id, position as i64, b)))
        .collect();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
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
async fn insert_links(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let skills: Vec<(i64, i64)> = postings.iter().flat_map(|p| p.skill_ids.iter().map(move |s| (p.id, *s))).collect();
    for part in skills.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO posting_skills (posting_id, skill_id) ");
        insert.push_values(part, |mut row, (posting, skill)| {
            row.push_bind(*posting).push_bind(*skill);
        });
        insert.build().execute(&mut *conn).await?;
    }
    let notices: Vec<(i64, i64)> = postings.iter().flat_map(|p| p.notice_ids.iter().map(move |n| (p.id, *n))).collect();
    for part in notices.chunks(ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO posting_legal_notices (posting_id, notice_id) ");
        insert.push_values(part, |mut row, (posting, notice)| {
            row.push_bind(*posting).push_bind(*notice);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The full-text row: title, company, skills and the sections' text.
async fn insert_full_text(conn: &mut Connection, postings: &[Resolved<'_>]) -> Result<(), sqlx::Error> {
    let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO postings_fts (rowid, title, company, skills, body) ");
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

/// Renders the sanitised HTML of every section and legal notice stored without it (rows written before
/// HTML was stored), in batches; returns how many rows it rendered. Run at start-up, after migrating.
pub async fn render_missing_html(pool: &super::Pool) -> Result<u64, sqlx::Error> {
    const BATCH: i64 = 2_000;
    let mut rendered = 0;
    loop {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, body_markdown FROM posting_sections WHERE body_html IS NULL LIMIT ?")
                .bind(BATCH)
                .fetch_all(pool)
                .await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = pool.begin().await?;
        for (id, markdown) in &rows {
            sqlx::query("UPDATE posting_sections SET body_html = ? WHERE id = ?")
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
        sqlx::query("UPDATE legal_notices SET body_html = ? WHERE id = ?")
            .bind(to_safe_html(markdown))
            .bind(id)
            .execute(pool)
            .await?;
    }
    Ok(rendered + notices.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::url_slug;

    #[test]
    fn a_title_without_ascii_letters_still_gets_a_slug() {
        assert_eq!(url_slug("Backend Engineer", "job"), "backend-engineer");
        assert_eq!(url_slug("Инженер", "job"), "inzhener");
        assert!(!url_slug("株式会社エンジニア", "job").is_empty());
        assert_eq!(url_slug("!!!", "job"), "job");
        assert_eq!(url_slug("", "company"), "company");
    }
}
