//! Reading postings for the listing and the detail page.

use chrono::NaiveDate;
use sqlx::{FromRow, QueryBuilder, Sqlite};
use std::collections::HashMap;

use super::Pool;
use crate::domain::job::CompanyRef;
use crate::domain::{
    Benefit, BenefitGroup, Currency, EmploymentType, ExperienceLevel, JobCard, JobDetail, JobFilter, JobStatus,
    LegalNotice, Location, LocationOption, Pay, PayUnit, Section, WorkMode,
};
use crate::markdown::to_safe_html;

/// Columns of a posting as a card: the posting, its company and its pay.
const CARD_COLUMNS: &str = "p.id, p.slug, p.title, p.employment_type, p.experience_level, p.status, \
     p.posted_at, p.valid_through, p.apply_url, c.name AS company_name, c.slug AS company_slug, \
     pay.min_amount, pay.max_amount, pay.currency, pay.unit, pay.location_id";

#[derive(FromRow)]
struct CardRow {
    id: i64,
    slug: String,
    title: String,
    employment_type: String,
    experience_level: String,
    status: String,
    posted_at: NaiveDate,
    valid_through: NaiveDate,
    apply_url: Option<String>,
    company_name: String,
    company_slug: String,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currency: Option<String>,
    unit: Option<String>,
    location_id: Option<i64>,
}

#[derive(FromRow)]
struct LocationRow {
    id: i64,
    posting_id: i64,
    city: String,
    region: String,
    country: String,
    work_mode: String,
    applicant_location_requirement: Option<String>,
}

/// Maps a stored code that the schema's CHECK constraints guarantee; a mismatch is a corrupt row.
fn decode<T, E: std::fmt::Display>(column: &str, parsed: Result<T, E>) -> Result<T, sqlx::Error> {
    parsed.map_err(|error| sqlx::Error::Decode(format!("column {column}: {error}").into()))
}

impl LocationRow {
    fn into_location(self) -> Result<Location, sqlx::Error> {
        Ok(Location {
            city: self.city,
            region: self.region,
            country: self.country,
            work_mode: decode("work_mode", WorkMode::parse(&self.work_mode))?,
            applicant_location_requirement: self.applicant_location_requirement,
        })
    }
}

impl CardRow {
    fn pay(&self) -> Result<Option<Pay>, sqlx::Error> {
        match (self.min_amount, self.max_amount, &self.currency, &self.unit) {
            (Some(min), Some(max), Some(currency), Some(unit)) => {
                let currency = decode("currency", Currency::parse(currency))?;
                let unit = decode("unit", PayUnit::parse(unit))?;
                Ok(Some(decode("pay", Pay::new(min, max, currency, unit))?))
            }
            _ => Ok(None),
        }
    }

    fn into_card(self, locations: Vec<Location>) -> Result<JobCard, sqlx::Error> {
        Ok(JobCard {
            pay: self.pay()?,
            id: self.id,
            slug: self.slug,
            title: self.title,
            company: CompanyRef { name: self.company_name, slug: self.company_slug },
            employment_type: decode("employment_type", EmploymentType::parse(&self.employment_type))?,
            level: decode("experience_level", ExperienceLevel::parse(&self.experience_level))?,
            locations,
            posted_at: self.posted_at,
            valid_through: self.valid_through,
        })
    }
}

/// Appends the WHERE clause that selects open postings matching `filter`.
fn push_open_and_matching(query: &mut QueryBuilder<Sqlite>, filter: &JobFilter, today: NaiveDate) {
    query.push(" WHERE p.status = 'published' AND p.valid_through >= ").push_bind(today);
    if let Some(location) = &filter.location {
        query
            .push(" AND EXISTS (SELECT 1 FROM posting_locations l WHERE l.posting_id = p.id AND l.location_slug = ")
            .push_bind(location.clone())
            .push(")");
    }
    if let Some(min_pay) = filter.min_pay {
        query.push(" AND pay.annual_max >= ").push_bind(min_pay);
    }
}

/// Open postings matching `filter`, newest first, at most `limit`, with the total number of matches.
pub async fn list_open_jobs(
    pool: &Pool,
    filter: &JobFilter,
    today: NaiveDate,
    limit: i64,
) -> Result<(Vec<JobCard>, i64), sqlx::Error> {
    let mut count = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*) FROM postings p LEFT JOIN posting_pay pay ON pay.posting_id = p.id",
    );
    push_open_and_matching(&mut count, filter, today);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;

    let mut page = QueryBuilder::<Sqlite>::new("SELECT ");
    page.push(CARD_COLUMNS).push(
        " FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id",
    );
    push_open_and_matching(&mut page, filter, today);
    page.push(" ORDER BY p.posted_at DESC, p.id DESC LIMIT ").push_bind(limit);
    let rows: Vec<CardRow> = page.build_query_as().fetch_all(pool).await?;

    let mut locations = locations_of(pool, rows.iter().map(|r| r.id)).await?;
    let cards = rows
        .into_iter()
        .map(|row| {
            let places = locations.remove(&row.id).unwrap_or_default();
            row.into_card(places.into_iter().map(|(_, l)| l).collect())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((cards, total))
}

/// The locations of the given postings, in each posting's order, with their row ids.
async fn locations_of(
    pool: &Pool,
    posting_ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Vec<(i64, Location)>>, sqlx::Error> {
    let ids: Vec<i64> = posting_ids.collect();
    let mut by_posting: HashMap<i64, Vec<(i64, Location)>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_posting);
    }
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT id, posting_id, city, region, country, work_mode, applicant_location_requirement \
         FROM posting_locations WHERE posting_id IN (",
    );
    let mut separated = query.separated(", ");
    for id in ids {
        separated.push_bind(id);
    }
    query.push(") ORDER BY posting_id, position");
    let rows: Vec<LocationRow> = query.build_query_as().fetch_all(pool).await?;
    for row in rows {
        let (id, posting_id) = (row.id, row.posting_id);
        by_posting.entry(posting_id).or_default().push((id, row.into_location()?));
    }
    Ok(by_posting)
}

#[derive(FromRow)]
struct LocationCountRow {
    location_slug: String,
    city: String,
    region: String,
    open_postings: i64,
}

/// Every city with open postings, most postings first, for the location filter.
pub async fn location_options(pool: &Pool, today: NaiveDate) -> Result<Vec<LocationOption>, sqlx::Error> {
    let rows: Vec<LocationCountRow> = sqlx::query_as(
        "SELECT l.location_slug, MIN(l.city) AS city, MIN(l.region) AS region, COUNT(DISTINCT l.posting_id) AS open_postings \
         FROM posting_locations l JOIN postings p ON p.id = l.posting_id \
         WHERE p.status = 'published' AND p.valid_through >= ? \
         GROUP BY l.location_slug ORDER BY open_postings DESC, l.location_slug",
    )
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| LocationOption {
            slug: row.location_slug,
            label: format!("{}, {}", row.city, row.region),
            open_postings: row.open_postings,
        })
        .collect())
}

/// How many postings exist, in any status.
pub async fn count_postings(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM postings").fetch_one(pool).await
}

#[derive(FromRow)]
struct DetailExtraRow {
    company_about: String,
    company_website: Option<String>,
    application_limit: Option<i64>,
    career_path_slug: Option<String>,
    career_step_title: Option<String>,
}

#[derive(FromRow)]
struct SectionRow {
    heading: String,
    body_markdown: String,
}

#[derive(FromRow)]
struct BenefitRow {
    benefit_group: String,
    kind: String,
    days: Option<i64>,
    note: Option<String>,
}

#[derive(FromRow)]
struct NoticeRow {
    jurisdiction: String,
    title: String,
    body_markdown: String,
}

/// One posting with everything its page shows; `RowNotFound` when the id does not exist or is a draft.
pub async fn get_job_detail(pool: &Pool, id: i64, today: NaiveDate) -> Result<JobDetail, sqlx::Error> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT ");
    query.push(CARD_COLUMNS).push(
        " FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id WHERE p.id = ",
    );
    query.push_bind(id).push(" AND p.status <> 'draft'");
    let row: CardRow = query.build_query_as().fetch_one(pool).await?;

    let extra: DetailExtraRow = sqlx::query_as(
        "SELECT c.about AS company_about, c.website AS company_website, c.application_limit, \
                cp.slug AS career_path_slug, cs.title AS career_step_title \
         FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN career_steps cs ON cs.id = p.career_step_id \
         LEFT JOIN career_paths cp ON cp.id = cs.career_path_id \
         WHERE p.id = ?",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;

    let sections: Vec<SectionRow> =
        sqlx::query_as("SELECT heading, body_markdown FROM posting_sections WHERE posting_id = ? ORDER BY position")
            .bind(id)
            .fetch_all(pool)
            .await?;

    let benefits: Vec<BenefitRow> = sqlx::query_as(
        "SELECT benefit_group, kind, days, note FROM posting_benefits WHERE posting_id = ? ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;

    let skills: Vec<String> = sqlx::query_scalar(
        "SELECT s.name FROM posting_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.posting_id = ? ORDER BY s.name",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;

    let notices: Vec<NoticeRow> = sqlx::query_as(
        "SELECT n.jurisdiction, n.title, n.body_markdown FROM posting_legal_notices pn \
         JOIN legal_notices n ON n.id = pn.notice_id WHERE pn.posting_id = ? ORDER BY n.jurisdiction",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;

    let located = locations_of(pool, std::iter::once(id)).await?.remove(&id).unwrap_or_default();
    let pay_location = row
        .location_id
        .and_then(|pay_location_id| located.iter().find(|(loc_id, _)| *loc_id == pay_location_id))
        .map(|(_, location)| location.clone());
    let status = decode("status", JobStatus::parse(&row.status))?;
    let apply_url = row.apply_url.clone();
    let card = row.into_card(located.into_iter().map(|(_, l)| l).collect())?;

    Ok(JobDetail {
        card,
        status,
        apply_url,
        company_about: extra.company_about,
        company_website: extra.company_website,
        application_limit: extra.application_limit,
        pay_location,
        sections: sections
            .into_iter()
            .map(|s| Section { heading: s.heading, html: to_safe_html(&s.body_markdown) })
            .collect(),
        benefits: benefits
            .into_iter()
            .map(|b| {
                Ok(Benefit {
                    group: decode("benefit_group", BenefitGroup::parse(&b.benefit_group))?,
                    kind: b.kind,
                    days: b.days.and_then(|d| u16::try_from(d).ok()),
                    note: b.note,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?,
        skills,
        legal_notices: notices
            .into_iter()
            .map(|n| LegalNotice { jurisdiction: n.jurisdiction, title: n.title, html: to_safe_html(&n.body_markdown) })
            .collect(),
        career_step: extra.career_path_slug.zip(extra.career_step_title),
        today,
    })
}
