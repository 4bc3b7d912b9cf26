//! Server functions for postings: the listing and one posting.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::filter::{Facets, PayHistogram};
use crate::domain::{JobCard, JobDetail, JobFilter};
use crate::error::AppError;

/// How many cards one listing page shows.
pub const PAGE_SIZE: i64 = 30;

/// One page of the listing with what the filter bar needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobListPage {
    pub jobs: Vec<JobCard>,
    /// How many open postings match, in all.
    pub total: i64,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
    /// Counts beside each filter choice.
    pub facets: Facets,
    /// The annual pay spread of the matches.
    pub pay: PayHistogram,
    /// The server's day, so ages read the same on the server and in the browser.
    pub today: NaiveDate,
}

/// Open postings matching `filter`, newest first.
#[server(prefix = "/fn", endpoint = "list_jobs")]
pub async fn list_jobs(
    // An empty filter serialises to nothing at all, so the argument must be allowed to be missing.
    #[server(default)] filter: JobFilter,
) -> Result<JobListPage, AppError> {
    load_listing(&super::pool()?, &super::listing_cache()?, &filter).await
}

/// The listing's page for `filter`: its cards, total, facets, pay spread and next cursor, the summary from
/// `cache`. Shared by [`list_jobs`] and the server's listing page.
#[cfg(feature = "ssr")]
pub async fn load_listing(
    pool: &crate::db::Pool,
    cache: &crate::db::ListingCache,
    filter: &JobFilter,
) -> Result<JobListPage, AppError> {
    let today = super::today();
    let summary = cache.summary(pool, filter, today).await?;
    let (mut jobs, next_cursor) = cache.page(pool, filter, today, PAGE_SIZE).await?;
    // Each card names first the place the person asked for.
    if let Some(region) = &filter.region {
        jobs.iter_mut().for_each(|job| job.put_location_first_where(|place| &place.region == region));
    }
    if let Some(location) = &filter.location {
        jobs.iter_mut().for_each(|job| job.put_location_first(location));
    }
    let crate::domain::filter::ListingSummary { total, facets, pay } = (*summary).clone();
    Ok(JobListPage { jobs, total, next_cursor, facets, pay, today })
}

/// One posting with everything its page shows. `NotFound` for an unknown id or a draft.
#[server(prefix = "/fn", endpoint = "get_job")]
pub async fn get_job(id: i64) -> Result<JobDetail, AppError> {
    if id <= 0 {
        return Err(AppError::NotFound);
    }
    let pool = super::pool()?;
    Ok(crate::db::get_job_detail(&pool, id, super::today()).await?)
}
