//! One posting with everything its page shows, and the parts the editor reads back.

use chrono::NaiveDate;
use sqlx::{FromRow, QueryBuilder};

use super::Db;

use super::Error;
use super::Pool;
use super::cards::{CARD_COLUMNS, CardRow, decode, locations_of};
use crate::domain::{Benefit, BenefitGroup, JobDetail, JobStatus, LegalNotice, MarketEstimate, Section};
use crate::markdown::to_safe_html;

pub async fn count_postings(pool: &Pool) -> Result<i64, Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM postings").fetch_one(pool).await.map_err(Error::from)
}

#[derive(FromRow)]
pub(super) struct DetailRow {
    #[sqlx(flatten)]
    card: CardRow,
    apply_email: Option<String>,
    applies_on_site: bool,
    company_id: i64,
    company_about: String,
    company_website: Option<String>,
    application_limit: Option<i64>,
    career_path_id: Option<i64>,
    career_path_slug: Option<String>,
    career_step_title: Option<String>,
    estimate_min: Option<i64>,
    estimate_max: Option<i64>,
    estimate_currency: Option<String>,
    estimate_location_slug: Option<String>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(FromRow)]
pub(super) struct SectionRow {
    heading: String,
    body_markdown: String,
}

#[derive(FromRow)]
pub(super) struct RenderedRow {
    heading: String,
    body_markdown: String,
    body_html: Option<String>,
}

impl RenderedRow {
    /// The HTML stored when the row was written; rendered now only for a row written without it.
    pub(super) fn html(&self) -> String {
        self.body_html.clone().unwrap_or_else(|| to_safe_html(&self.body_markdown))
    }
}

#[derive(FromRow)]
pub(super) struct BenefitRow {
    pub(super) benefit_group: String,
    pub(super) kind: String,
    pub(super) days: Option<i64>,
    pub(super) note: Option<String>,
}

impl BenefitRow {
    pub(super) fn into_benefit(self) -> Result<Benefit, Error> {
        Ok(Benefit {
            group: decode("benefit_group", BenefitGroup::parse(&self.benefit_group))?,
            kind: self.kind,
            days: self.days.and_then(|d| u16::try_from(d).ok()),
            note: self.note,
        })
    }
}

/// A posting's sections as written (Markdown), in order.
pub(super) async fn posting_sections(pool: &Pool, id: i64) -> Result<Vec<crate::domain::NewSection>, Error> {
    let rows: Vec<SectionRow> =
        sqlx::query_as("SELECT heading, body_markdown FROM posting_sections WHERE posting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::domain::NewSection { heading: row.heading, body_markdown: row.body_markdown })
        .collect())
}

/// A posting's benefits, in order.
pub(super) async fn posting_benefits(pool: &Pool, id: i64) -> Result<Vec<Benefit>, Error> {
    let rows: Vec<BenefitRow> = sqlx::query_as(
        "SELECT benefit_group, kind, days, note FROM posting_benefits WHERE posting_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(BenefitRow::into_benefit).collect()
}

/// A posting's skills, by name.
pub(super) async fn posting_skills(pool: &Pool, id: i64) -> Result<Vec<String>, Error> {
    sqlx::query_scalar(
        "SELECT s.name FROM posting_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.posting_id = $1 ORDER BY s.name",
    )
    .bind(id)
    .fetch_all(pool)
    .await.map_err(Error::from)
}

/// The day a posting stopped taking applications, if it has: the day after its apply-before date, or
/// for one closed by hand the day of its last change (its status change, or a later edit), whichever
/// is earlier.
fn closed_on(
    status: JobStatus,
    valid_through: NaiveDate,
    updated_on: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let expired_on = valid_through.succ_opt().filter(|day| *day <= today);
    match status {
        JobStatus::Closed => Some(expired_on.map_or(updated_on, |expired| expired.min(updated_on))),
        _ => expired_on,
    }
}

pub async fn get_job_detail(pool: &Pool, id: i64, today: NaiveDate) -> Result<JobDetail, Error> {
    let mut query = QueryBuilder::<Db>::new("SELECT ");
    query.push(CARD_COLUMNS).push(
        ", p.apply_email, p.applies_on_site, c.id AS company_id, c.about AS company_about, \
         c.website AS company_website, \
         CASE WHEN g.id IS NULL THEN c.application_limit ELSE g.application_limit END AS application_limit, \
         cp.id AS career_path_id, cp.slug AS career_path_slug, cs.title AS career_step_title, \
         cs.estimate_min, cs.estimate_max, cs.estimate_currency, cs.estimate_location_slug, p.updated_at \
         FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN company_groups g ON g.id = c.group_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id \
         LEFT JOIN career_steps cs ON cs.id = p.career_step_id \
         LEFT JOIN career_paths cp ON cp.id = cs.career_path_id \
         WHERE p.status <> 'draft' AND p.id = ",
    );
    query.push_bind(id);
    let detail: DetailRow = query.build_query_as().fetch_one(pool).await?;
    let row = detail.card;

    let sections: Vec<RenderedRow> = sqlx::query_as(
        "SELECT heading, body_markdown, body_html FROM posting_sections WHERE posting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let benefits = posting_benefits(pool, id).await?;
    let skills = posting_skills(pool, id).await?;
    let notices: Vec<(String, RenderedRow)> = sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT n.jurisdiction, n.title, n.body_markdown, n.body_html FROM posting_legal_notices pn \
         JOIN legal_notices n ON n.id = pn.notice_id WHERE pn.posting_id = $1 ORDER BY n.jurisdiction",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(jurisdiction, heading, body_markdown, body_html)| {
        (jurisdiction, RenderedRow { heading, body_markdown, body_html })
    })
    .collect();

    let located = locations_of(pool, std::iter::once(id)).await?.remove(&id).unwrap_or_default();
    let pay_location = row
        .location_id
        .and_then(|pay_location_id| located.iter().find(|(loc_id, _)| *loc_id == pay_location_id))
        .map(|(_, location)| location.clone());
    let status = decode("status", JobStatus::parse(&row.status))?;
    let apply_url = row.apply_url.clone();
    let card = row.into_card(located.into_iter().map(|(_, l)| l).collect())?;

    // The estimate counts only where it is for a metro the posting is in.
    let market_estimate =
        match (&detail.career_step_title, detail.estimate_min, detail.estimate_max, &detail.estimate_location_slug) {
            (Some(title), Some(min), Some(max), Some(slug)) => {
                card.locations.iter().find(|l| &l.slug() == slug).map(|l| MarketEstimate {
                    step_title: title.clone(),
                    location_label: l.city_region(),
                    min,
                    max,
                    currency: detail.estimate_currency.clone().unwrap_or_else(|| "USD".to_owned()),
                })
            }
            _ => None,
        };

    let career_path_id = detail.career_path_id;
    let closed_on = closed_on(status, card.valid_through, detail.updated_at.date_naive(), today);
    Ok(JobDetail {
        closed_on,
        card,
        status,
        apply_url,
        apply_email: detail.apply_email,
        applies_on_site: detail.applies_on_site,
        company_id: detail.company_id,
        company_about: detail.company_about,
        company_website: detail.company_website,
        application_limit: detail.application_limit,
        pay_location,
        sections: sections.iter().map(|s| Section { heading: s.heading.clone(), html: s.html() }).collect(),
        benefits,
        skills,
        legal_notices: notices
            .iter()
            .map(|(jurisdiction, n)| LegalNotice {
                jurisdiction: jurisdiction.clone(),
                title: n.heading.clone(),
                html: n.html(),
            })
            .collect(),
        career_step: detail.career_path_slug.zip(detail.career_step_title),
        market_estimate,
        career_path_id,
        more_from_company: Vec::new(),
        similar: Vec::new(),
        today,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
    }

    #[test]
    fn a_posting_closes_the_day_after_its_date_or_when_closed_by_hand() {
        // Open: published, apply-before today or later.
        assert_eq!(closed_on(JobStatus::Published, day(10), day(1), day(10)), None);
        // Expired: the day after its apply-before date.
        assert_eq!(closed_on(JobStatus::Published, day(10), day(1), day(20)), Some(day(11)));
        // Closed by hand before its date: its last change.
        assert_eq!(closed_on(JobStatus::Closed, day(30), day(5), day(20)), Some(day(5)));
        // Closed by hand, then edited after it expired: still the day it expired.
        assert_eq!(closed_on(JobStatus::Closed, day(10), day(25), day(28)), Some(day(11)));
    }
}
