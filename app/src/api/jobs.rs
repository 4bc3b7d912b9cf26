//! Server functions for postings: the listing and one posting.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::domain::JobFilter;
use crate::domain::filter::{Facets, PayHistogram};
use crate::domain::{JobCard, JobDetail};
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

/// The listing's page for `filter`: its cards, total, facets, pay spread and next cursor, all from the
/// cache's current snapshot. The server's listing page and `/api/v1/jobs` use it. (There is no server
/// function for it: a filter reaches the listing only through the query-string parser.)
#[cfg(feature = "ssr")]
pub async fn load_listing(
    pool: &crate::db::Pool,
    cache: &crate::db::ListingCache,
    filter: &JobFilter,
) -> Result<JobListPage, AppError> {
    let crate::db::Listing { day: today, summary, mut jobs, next_cursor } =
        cache.listing(pool, filter, PAGE_SIZE).await?;
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
    let (pool, cache) = (super::pool()?, super::listing_cache()?);
    let snapshot = cache.snapshot(&pool).await?;
    let mut detail = crate::db::get_job_detail(&pool, id, snapshot.day()).await?;
    crate::db::add_related_jobs(&pool, &snapshot, &mut detail).await?;
    Ok(detail)
}
