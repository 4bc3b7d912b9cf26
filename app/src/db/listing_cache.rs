//! The listing's summaries (total, facets, pay histogram), cached per filter. At 100,000 postings they
//! scan every match (about 2 s for no filter on 2 cores) while the page of cards itself takes a millisecond,
//! and the same few filters are asked for again and again.
//!
//! A summary is fresh for [`MAX_AGE`] (writes by another process, such as `jobboard seed`, show after
//! that); an older one is still answered while one background task computes its replacement, so no visitor
//! waits for a recount. Keys carry the day (postings expire at midnight), and every write made through the
//! server (the admin's saves and status changes) clears the whole cache, so the next request recounts.
//! Concurrent misses of one key run the queries once.

use chrono::NaiveDate;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Pool;
use super::read::{count_open_jobs, facets, pay_histogram};
use crate::domain::JobFilter;
use crate::domain::filter::ListingSummary;

/// How long a summary is fresh.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// How many summaries are kept.
pub const CAPACITY: usize = 2_000;

type Key = (String, NaiveDate);
type Entry = (Instant, Arc<ListingSummary>);

/// The cache; cheap to clone (shared).
#[derive(Clone)]
pub struct ListingCache {
    entries: Arc<quick_cache::sync::Cache<Key, Entry>>,
    /// Keys whose replacement is being computed in the background.
    refreshing: Arc<Mutex<HashSet<Key>>>,
    /// Bumped by [`ListingCache::clear`]: a refresh started before a write does not store its result.
    generation: Arc<AtomicU64>,
    max_age: Duration,
}

impl Default for ListingCache {
    fn default() -> Self {
        Self::with_max_age(MAX_AGE)
    }
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingCache").field("entries", &self.entries.len()).field("max_age", &self.max_age).finish()
    }
}

impl ListingCache {
    /// A cache whose summaries are fresh for `max_age` (tests use a short one).
    pub fn with_max_age(max_age: Duration) -> Self {
        Self {
            entries: Arc::new(quick_cache::sync::Cache::new(CAPACITY)),
            refreshing: Arc::default(),
            generation: Arc::default(),
            max_age,
        }
    }

    /// Forgets every summary (after a write).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.clear();
    }

    /// The summary of the postings matching `filter` on `today`: from the cache when present (a stale one
    /// is answered while it is recomputed in the background), else computed now.
    pub async fn summary(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        today: NaiveDate,
    ) -> Result<Arc<ListingSummary>, sqlx::Error> {
        let base = JobFilter { sort: None, after: None, ..filter.clone() };
        let key = (base.to_query_string(), today);
        if let Some((made, summary)) = self.entries.get(&key) {
            if made.elapsed() > self.max_age {
                self.refresh_in_background(pool.clone(), base, key);
            }
            return Ok(summary);
        }
        let (_, summary) = self
            .entries
            .get_or_insert_async(&key, async {
                let summary = compute(pool, &base, today).await?;
                Ok::<_, sqlx::Error>((Instant::now(), Arc::new(summary)))
            })
            .await?;
        Ok(summary)
    }

    /// Starts computing `key`'s replacement unless that is already under way.
    fn refresh_in_background(&self, pool: Pool, base: JobFilter, key: Key) {
        let started = self.refreshing.lock().map(|mut keys| keys.insert(key.clone())).unwrap_or(false);
        if !started {
            return;
        }
        let cache = self.clone();
        let generation = self.generation.load(Ordering::SeqCst);
        tokio::spawn(async move {
            match compute(&pool, &base, key.1).await {
                Ok(summary) if cache.generation.load(Ordering::SeqCst) == generation => {
                    cache.entries.insert(key.clone(), (Instant::now(), Arc::new(summary)));
                }
                // A write cleared the cache meanwhile, or the server is shutting down.
                Ok(_) => {}
                Err(_) if pool.is_closed() => {}
                // The stale summary stays; the next request tries again.
                Err(error) => tracing::warn!(%error, "recomputing a listing summary failed"),
            }
            if let Ok(mut keys) = cache.refreshing.lock() {
                keys.remove(&key);
            }
        });
    }
}

async fn compute(pool: &Pool, base: &JobFilter, today: NaiveDate) -> Result<ListingSummary, sqlx::Error> {
    Ok(ListingSummary {
        total: count_open_jobs(pool, base, today).await?,
        facets: facets(pool, base, today).await?,
        pay: pay_histogram(pool, base, today).await?,
    })
}
