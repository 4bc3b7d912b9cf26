//! The listing's summaries (total, facets, pay histogram), cached per filter. At 100,000 postings they
//! scan every match (about 2 s for no filter on 2 cores) while the page of cards itself takes a millisecond,
//! and the same few filters are asked for again and again.
//!
//! A summary is kept for [`MAX_AGE`] at most (writes by another process, such as `jobboard seed`, show
//! after that), is keyed by the day (postings expire at midnight), and the whole cache is cleared by every
//! write made through the server (the admin's saves and status changes). Concurrent misses of one key run
//! the queries once.

use chrono::NaiveDate;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Pool;
use super::read::{count_open_jobs, facets, pay_histogram};
use crate::domain::JobFilter;
use crate::domain::filter::ListingSummary;

/// How long a summary may be served.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// How many summaries are kept.
pub const CAPACITY: usize = 2_000;

type Entry = (Instant, Arc<ListingSummary>);

/// The cache; cheap to clone (shared).
#[derive(Clone)]
pub struct ListingCache {
    entries: Arc<quick_cache::sync::Cache<(String, NaiveDate), Entry>>,
}

impl Default for ListingCache {
    fn default() -> Self {
        Self { entries: Arc::new(quick_cache::sync::Cache::new(CAPACITY)) }
    }
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingCache").field("entries", &self.entries.len()).finish()
    }
}

impl ListingCache {
    /// Forgets every summary (after a write).
    pub fn clear(&self) {
        self.entries.clear();
    }

    /// The summary of the postings matching `filter` on `today`, from the cache when fresh.
    pub async fn summary(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        today: NaiveDate,
    ) -> Result<Arc<ListingSummary>, sqlx::Error> {
        let base = JobFilter { sort: None, after: None, ..filter.clone() };
        let key = (base.to_query_string(), today);
        if let Some((made, summary)) = self.entries.get(&key) {
            if made.elapsed() <= MAX_AGE {
                return Ok(summary);
            }
            self.entries.remove(&key);
        }
        let (_, summary) = self
            .entries
            .get_or_insert_async(&key, async {
                let summary = ListingSummary {
                    total: count_open_jobs(pool, &base, today).await?,
                    facets: facets(pool, &base, today).await?,
                    pay: pay_histogram(pool, &base, today).await?,
                };
                Ok::<_, sqlx::Error>((Instant::now(), Arc::new(summary)))
            })
            .await?;
        Ok(summary)
    }
}
