//! The brief's postings: read from `server/seed/brief.toml` (which keeps the original dates), with every
//! date shifted by the same number of days so that the brief's posting was posted
//! [`BRIEF_ANCHOR_OFFSET_DAYS`] days before the day of loading. Intervals between dates are kept.

use app::db::{self, Pool};
use app::domain::benefits::BenefitGroup;
use app::domain::{
    Benefit, CareerPath, CareerStep, Currency, EmploymentType, ExperienceLevel, JobStatus, Location, NewCompany,
    NewJob, NewSection, Pay, PayUnit, PostingParts, WorkMode,
};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::SeedError;

/// The seed file, compiled into the binary.
const BRIEF_TOML: &str = include_str!("../../seed/brief.toml");

/// The brief's posting is shown as posted this many days before the day of loading.
pub const BRIEF_ANCHOR_OFFSET_DAYS: u64 = 3;

/// The whole seed file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefFile {
    /// The original posted date of the brief's posting; it maps to "today minus the offset".
    pub anchor_date: NaiveDate,
    pub companies: Vec<CompanyEntry>,
    pub legal_notices: Vec<NoticeEntry>,
    pub career_paths: Vec<CareerPathEntry>,
    pub postings: Vec<PostingEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyEntry {
    pub slug: String,
    pub name: String,
    pub about: String,
    pub website: Option<String>,
    pub application_limit: Option<u16>,
    /// The group of companies whose applications count together, and its limit.
    pub group: Option<String>,
    pub group_limit: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeEntry {
    pub jurisdiction: String,
    pub region: Option<String>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareerPathEntry {
    pub slug: String,
    pub job_family: String,
    pub name: String,
    pub description: String,
    pub steps: Vec<CareerStepEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareerStepEntry {
    pub slug: String,
    pub title: String,
    pub level: String,
    pub ladder_rank: Option<u8>,
    pub estimate_min: i64,
    pub estimate_max: i64,
    pub estimate_location: String,
    #[serde(default)]
    pub next: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostingEntry {
    pub title: String,
    pub company: String,
    pub employment_type: String,
    pub level: String,
    pub posted_at: NaiveDate,
    pub valid_through: NaiveDate,
    pub apply_url: Option<String>,
    /// Candidates also apply on this site.
    #[serde(default)]
    pub applies_on_site: bool,
    pub career_step: Option<String>,
    #[serde(default)]
    pub legal_notices: Vec<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    pub locations: Vec<LocationEntry>,
    pub pay: Option<PayEntry>,
    #[serde(default)]
    pub sections: Vec<SectionEntry>,
    #[serde(default)]
    pub benefits: Vec<BenefitEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationEntry {
    pub city: String,
    pub region: String,
    pub country: String,
    pub work_mode: String,
    pub applicant_location_requirement: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayEntry {
    pub min: i64,
    pub max: i64,
    pub currency: String,
    pub unit: String,
    /// Index into the posting's locations of the place the range applies to.
    pub location: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionEntry {
    pub heading: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitEntry {
    pub group: String,
    pub kind: String,
    pub days: Option<u16>,
    pub note: Option<String>,
}

fn bad(error: impl std::fmt::Display) -> SeedError {
    SeedError::Value(error.to_string())
}

impl BriefFile {
    /// Parses the seed file compiled into the binary.
    pub fn embedded() -> Result<Self, SeedError> {
        Ok(toml::from_str(BRIEF_TOML)?)
    }

    /// The postings as domain values, with dates shifted so the anchor falls on `today - offset`.
    pub fn postings(&self, today: NaiveDate) -> Result<Vec<NewJob>, SeedError> {
        let target = today - Days::new(BRIEF_ANCHOR_OFFSET_DAYS);
        let shift = target - self.anchor_date;
        self.postings.iter().map(|entry| entry.to_new_job(shift)).collect()
    }

    /// The career paths as domain values.
    pub fn career_paths(&self) -> Result<Vec<CareerPath>, SeedError> {
        self.career_paths
            .iter()
            .map(|path| {
                Ok(CareerPath {
                    slug: path.slug.clone(),
                    job_family: path.job_family.clone(),
                    name: path.name.clone(),
                    description: path.description.clone(),
                    steps: path
                        .steps
                        .iter()
                        .map(|step| {
                            Ok(CareerStep {
                                slug: step.slug.clone(),
                                title: step.title.clone(),
                                level: ExperienceLevel::parse(&step.level).map_err(bad)?,
                                ladder_rank: step.ladder_rank,
                                estimate_min: Some(step.estimate_min),
                                estimate_max: Some(step.estimate_max),
                                estimate_currency: "USD".to_owned(),
                                estimate_location_slug: Some(step.estimate_location.clone()),
                                next_steps: step.next.clone(),
                            })
                        })
                        .collect::<Result<Vec<_>, SeedError>>()?,
                })
            })
            .collect()
    }
}

impl PostingEntry {
    fn to_new_job(&self, shift: chrono::TimeDelta) -> Result<NewJob, SeedError> {
        let locations = self
            .locations
            .iter()
            .map(|l| {
                let mode = WorkMode::parse(&l.work_mode).map_err(bad)?;
                let mut location = Location::new(&l.city, &l.region, &l.country, mode).map_err(bad)?;
                location.applicant_location_requirement = l.applicant_location_requirement.clone();
                Ok(location)
            })
            .collect::<Result<Vec<_>, SeedError>>()?;
        let pay = self
            .pay
            .as_ref()
            .map(|p| {
                Pay::from_whole(
                    p.min,
                    p.max,
                    Currency::parse(&p.currency).map_err(bad)?,
                    PayUnit::parse(&p.unit).map_err(bad)?,
                )
                .map_err(bad)
            })
            .transpose()?;
        let career_step = self
            .career_step
            .as_ref()
            .map(|step| {
                step.split_once('/')
                    .map(|(path, step)| (path.to_owned(), step.to_owned()))
                    .ok_or_else(|| bad(format!("career_step {step:?} is not path/step")))
            })
            .transpose()?;
        NewJob::new(PostingParts {
            title: self.title.clone(),
            company_slug: self.company.clone(),
            employment_type: EmploymentType::parse(&self.employment_type).map_err(bad)?,
            level: ExperienceLevel::parse(&self.level).map_err(bad)?,
            status: JobStatus::Published,
            posted_at: self.posted_at + shift,
            valid_through: self.valid_through + shift,
            apply_url: self.apply_url.clone(),
            apply_email: None,
            applies_on_site: self.applies_on_site,
            locations,
            pay,
            pay_location: self.pay.as_ref().and_then(|p| p.location),
            sections: self
                .sections
                .iter()
                .map(|s| NewSection { heading: s.heading.clone(), body_markdown: s.body.trim().to_owned() })
                .collect(),
            benefits: self
                .benefits
                .iter()
                .map(|b| {
                    Benefit::new(BenefitGroup::parse(&b.group).map_err(bad)?, &b.kind, b.days, b.note.as_deref())
                        .map_err(bad)
                })
                .collect::<Result<Vec<_>, SeedError>>()?,
            skills: self.skills.clone(),
            career_step,
            legal_notices: self.legal_notices.clone(),
        })
        .map_err(bad)
    }
}

/// Loads the brief's companies, notices, career paths and postings, unless they are already there.
/// Returns how many postings were added (0 when the brief was loaded before).
pub async fn load_brief(pool: &Pool, today: NaiveDate) -> Result<usize, SeedError> {
    let file = BriefFile::embedded()?;
    let postings = file.postings(today)?;
    let paths = file.career_paths()?;
    let mut tx = db::Transaction::begin(pool).await?;
    // The brief's career path marks the brief as loaded.
    let marker = paths.first().map(|p| p.slug.as_str()).unwrap_or_default();
    if db::career_path_exists(&mut tx, marker).await? {
        return Ok(0);
    }
    for entry in &file.companies {
        let company = entry;
        let company = NewCompany {
            name: company.name.clone(),
            slug: company.slug.clone(),
            about: company.about.trim().to_owned(),
            website: company.website.clone(),
            application_limit: company.application_limit,
        };
        db::upsert_company(&mut tx, &company).await?;
        if let Some(group) = &entry.group {
            db::join_company_group(&mut tx, &company.slug, group, entry.group_limit.map(i64::from)).await?;
        }
    }
    for notice in &file.legal_notices {
        db::upsert_legal_notice(
            &mut tx,
            &notice.jurisdiction,
            notice.region.as_deref(),
            &notice.title,
            notice.body.trim(),
        )
        .await?;
    }
    for path in &paths {
        db::insert_career_path(&mut tx, path).await?;
    }
    db::insert_jobs(&mut tx, &postings).await?;
    tx.commit().await?;
    Ok(postings.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_file_parses_and_every_posting_validates() {
        let file = BriefFile::embedded().expect("seed file parses");
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        let postings = file.postings(today).expect("postings are valid");
        assert!(postings.len() >= 7);
        let paths = file.career_paths().expect("career paths are valid");
        assert_eq!(paths[0].steps.len(), 14);
    }

    #[test]
    fn dates_shift_to_the_day_of_loading_and_keep_their_interval() {
        let file = BriefFile::embedded().expect("seed file parses");
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        let brief = file.postings(today).expect("valid")[0].parts().clone();
        assert_eq!(brief.posted_at, NaiveDate::from_ymd_opt(2026, 11, 25).expect("date"));
        assert_eq!((brief.valid_through - brief.posted_at).num_days(), 41);
        // The file itself keeps the original dates.
        assert_eq!(file.postings[0].posted_at, NaiveDate::from_ymd_opt(2025, 2, 24).expect("date"));
        assert_eq!(file.postings[0].valid_through, NaiveDate::from_ymd_opt(2025, 4, 6).expect("date"));
    }
}
