//! Server functions for companies.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{CompanyProfile, JobCard};
use crate::error::AppError;

/// The most postings a company page lists.
pub const COMPANY_PAGE_JOBS: usize = 50;

/// A company with its open postings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPage {
    pub profile: CompanyProfile,
    pub jobs: Vec<JobCard>,
    /// How many open postings it has in all.
    pub open_postings: i64,
    pub today: NaiveDate,
}

/// A company by slug, with its open postings and their benefits. `NotFound` for an unknown slug.
#[server(prefix = "/fn", endpoint = "get_company")]
pub async fn get_company(slug: String) -> Result<CompanyPage, AppError> {
    let parsed = crate::domain::JobFilter::parse([("company", slug.as_str())]);
    let Some(company) = parsed.filter.company.clone() else {
        return Err(AppError::NotFound);
    };
    let (pool, cache) = (super::pool()?, super::listing_cache()?);
    let snapshot = cache.snapshot(&pool).await?;
    let today = snapshot.day();
    let (ids, open_postings) =
        snapshot.company_postings(&company, None, COMPANY_PAGE_JOBS.max(crate::db::COMPANY_BENEFIT_POSTINGS));
    let profile = crate::db::get_company_profile(&pool, &company, &ids).await?;
    let jobs = crate::db::load_cards(&pool, &ids[..ids.len().min(COMPANY_PAGE_JOBS)]).await?;
    Ok(CompanyPage { profile, jobs, open_postings, today })
}
