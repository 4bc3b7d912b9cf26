//! What the listing computes over every match, cached:
//! - the open postings ([`OpenPostings`], one snapshot per day, about 0.5 s to load at 100,000 postings):
//!   the summary of any filter is then one pass in memory (1-10 ms), and a page without keywords is cut
//!   from its newest-first or highest-pay-first order, so that only the page's cards are read;
//! - the summaries (total, facets, pay histogram) per filter: the same few filters are asked for again and
//!   again, and a cached summary takes microseconds;
//! - the relevance order of a keyword search: FTS5 ranks every match before it can give the best 31
//!   (about 40 ms for a word in a third of the postings), and every page of that search needs the same
//!   order. The cached order cuts each page, first or deep, in microseconds; only its cards are read.
//!   A keyword search in another order is paged in SQL.
//!
//! An entry is fresh for [`MAX_AGE`] (writes by another process, such as `jobboard seed`, show after that,
//! or after twice that for a summary made from a snapshot near the end of its time); an older one is still
//! answered while one background task computes its replacement, so no visitor waits for a recount. Keys
//! carry the day (postings expire at midnight), and every write made through the server (the admin's saves
//! and status changes) clears the whole cache, so the next request computes again. Concurrent misses of one
//! key run the queries once.

use chrono::NaiveDate;
use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Pool;
use super::open_postings::OpenPostings;
use super::read::{RankedMatch, fts_query, listing_sort, load_cards, open_jobs_page, ranked_matches, ranked_page};
use crate::domain::filter::{ListingSummary, Sort};
use crate::domain::{JobCard, JobFilter};

/// How long an entry is fresh.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// How many summaries are kept.
pub const SUMMARY_CAPACITY: u64 = 2_000;

/// How many matches the cached relevance orders hold in all (16 bytes each: 16 MB).
pub const RANKED_CAPACITY: u64 = 1_000_000;

/// The caches' shards (independent locks, each with an equal part of the capacity). The relevance orders
/// use few, so that one order can be long (about 240,000 matches) whatever the number of cores; the cache is
/// read far more than written, so the locks are hardly contended.
const SUMMARY_SHARDS: usize = 8;
const RANKED_SHARDS: usize = 4;

type Key = (String, NaiveDate);

/// What an entry counts against its cache's capacity.
trait Weight {
    fn weight(&self) -> u64;
}

impl Weight for Arc<ListingSummary> {
    fn weight(&self) -> u64 {
        1
    }
}

impl Weight for Arc<OpenPostings> {
    fn weight(&self) -> u64 {
        1
    }
}

impl Weight for Arc<[RankedMatch]> {
    fn weight(&self) -> u64 {
        self.len() as u64 + 1
    }
}

#[derive(Clone)]
struct ByWeight;

impl<V: Weight> quick_cache::Weighter<Key, (Instant, V)> for ByWeight {
    fn weight(&self, _key: &Key, (_, value): &(Instant, V)) -> u64 {
        value.weight()
    }
}

/// One kind of cached value, with the keys whose replacement is being computed in the background.
struct Memo<V: Weight + Clone> {
    entries: quick_cache::sync::Cache<Key, (Instant, V), ByWeight>,
    refreshing: Mutex<HashSet<Key>>,
}

impl<V: Weight + Clone + Send + Sync + 'static> Memo<V> {
    /// A cache of `weight_capacity` in all, split into `shards` that each hold an equal part: an entry
    /// heavier than one part is computed but not kept.
    fn new(weight_capacity: u64, estimated_items: usize, shards: usize) -> Self {
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity(estimated_items)
            .weight_capacity(weight_capacity)
            .shards(shards)
            .build();
        let entries = match options {
            Ok(options) => quick_cache::sync::Cache::with_options(
                options,
                ByWeight,
                quick_cache::DefaultHashBuilder::default(),
                quick_cache::sync::DefaultLifecycle::default(),
            ),
            // The builder refuses only a missing capacity, which is always given above.
            Err(_) => quick_cache::sync::Cache::with_weighter(estimated_items, weight_capacity, ByWeight),
        };
        Self { entries, refreshing: Mutex::default() }
    }
}

/// The cache; cheap to clone (shared).
#[derive(Clone)]
pub struct ListingCache {
    snapshots: Arc<Memo<Arc<OpenPostings>>>,
    summaries: Arc<Memo<Arc<ListingSummary>>>,
    rankings: Arc<Memo<Arc<[RankedMatch]>>>,
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
        f.debug_struct("ListingCache")
            .field("snapshots", &self.snapshots.entries.len())
            .field("summaries", &self.summaries.entries.len())
            .field("rankings", &self.rankings.entries.len())
            .field("max_age", &self.max_age)
            .finish()
    }
}

impl ListingCache {
    /// A cache whose entries are fresh for `max_age` (tests use a short one).
    pub fn with_max_age(max_age: Duration) -> Self {
        Self {
            // Today's, and yesterday's for the requests still in flight at midnight.
            snapshots: Arc::new(Memo::new(2, 2, 1)),
            summaries: Arc::new(Memo::new(SUMMARY_CAPACITY, SUMMARY_CAPACITY as usize, SUMMARY_SHARDS)),
            rankings: Arc::new(Memo::new(RANKED_CAPACITY, 1_000, RANKED_SHARDS)),
            generation: Arc::default(),
            max_age,
        }
    }

    /// Forgets everything (after a write).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.snapshots.entries.clear();
        self.summaries.entries.clear();
        self.rankings.entries.clear();
    }

    /// The open postings on `today`, as the summaries read them.
    pub async fn open_postings(&self, pool: &Pool, today: NaiveDate) -> Result<Arc<OpenPostings>, sqlx::Error> {
        let pool_for_compute = pool.clone();
        self.get(&self.snapshots, pool, (String::new(), today), move || {
            let pool = pool_for_compute.clone();
            async move { Ok(Arc::new(OpenPostings::load(&pool, today).await?)) }
        })
        .await
    }

    /// The summary of the postings matching `filter` on `today`.
    pub async fn summary(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        today: NaiveDate,
    ) -> Result<Arc<ListingSummary>, sqlx::Error> {
        let base = filter.matching_part();
        let key = (base.to_query_string(), today);
        let (cache, pool_for_compute) = (self.clone(), pool.clone());
        self.get(&self.summaries, pool, key, move || {
            let (cache, pool, base) = (cache.clone(), pool_for_compute.clone(), base.clone());
            async move {
                let snapshot = cache.open_postings(&pool, today).await?;
                Ok(Arc::new(snapshot.summarize(&pool, &base).await?))
            }
        })
        .await
    }

    /// The page of the open postings matching `filter` (its sort and cursor included), as
    /// [`open_jobs_page`] gives it: cut from the snapshot without keywords, from the cached order for a
    /// keyword search by relevance, and from SQL for a keyword search in another order.
    pub async fn page(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        today: NaiveDate,
        limit: i64,
    ) -> Result<(Vec<JobCard>, Option<String>), sqlx::Error> {
        let sort = listing_sort(filter);
        if filter.q.as_deref().and_then(fts_query).is_none() {
            // No keywords: cut from the snapshot's orders; only the page's cards are read.
            let snapshot = self.open_postings(pool, today).await?;
            let (ids, next_cursor) = snapshot.page(filter, sort, usize::try_from(limit).unwrap_or(0));
            return Ok((load_cards(pool, &ids).await?, next_cursor));
        }
        if sort != Sort::Relevance {
            return open_jobs_page(pool, filter, today, limit).await;
        }
        let base = filter.matching_part();
        let key = (base.to_query_string(), today);
        let pool_for_compute = pool.clone();
        let ranked = self
            .get(&self.rankings, pool, key, move || {
                let (pool, base) = (pool_for_compute.clone(), base.clone());
                async move { Ok(Arc::from(ranked_matches(&pool, &base, today).await?)) }
            })
            .await?;
        ranked_page(pool, &ranked, filter, limit).await
    }

    /// `key`'s value in `memo`: the cached one when present (a stale one is answered while `compute`
    /// replaces it in the background), else computed now.
    async fn get<V, F, Fut>(&self, memo: &Arc<Memo<V>>, pool: &Pool, key: Key, compute: F) -> Result<V, sqlx::Error>
    where
        V: Weight + Clone + Send + Sync + 'static,
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, sqlx::Error>> + Send + 'static,
    {
        if let Some((made, value)) = memo.entries.get(&key) {
            if made.elapsed() > self.max_age {
                self.refresh_in_background(Arc::clone(memo), pool.clone(), key, compute);
            }
            return Ok(value);
        }
        let made = async { Ok::<_, sqlx::Error>((Instant::now(), compute().await?)) };
        let (_, value) = memo.entries.get_or_insert_async(&key, made).await?;
        Ok(value)
    }

    /// Starts computing `key`'s replacement unless that is already under way.
    fn refresh_in_background<V, F, Fut>(&self, memo: Arc<Memo<V>>, pool: Pool, key: Key, compute: F)
    where
        V: Weight + Clone + Send + Sync + 'static,
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, sqlx::Error>> + Send + 'static,
    {
        let started = memo.refreshing.lock().map(|mut keys| keys.insert(key.clone())).unwrap_or(false);
        if !started {
            return;
        }
        let generation = Arc::clone(&self.generation);
        let started_at = generation.load(Ordering::SeqCst);
        tokio::spawn(async move {
            match compute().await {
                Ok(value) if generation.load(Ordering::SeqCst) == started_at => {
                    memo.entries.insert(key.clone(), (Instant::now(), value));
                }
                // A write cleared the cache meanwhile, or the server is shutting down.
                Ok(_) => {}
                Err(_) if pool.is_closed() => {}
                // The stale value stays; the next request tries again.
                Err(error) => tracing::warn!(%error, "recomputing a cached listing entry failed"),
            }
            if let Ok(mut keys) = memo.refreshing.lock() {
                keys.remove(&key);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_relevance_order_is_kept_whatever_the_number_of_cores() {
        let cache = ListingCache::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let long: Arc<[RankedMatch]> = (0..200_000).map(|id| RankedMatch { rank: -1.0, id }).collect();
        let key = ("q=engineer".to_owned(), day);
        cache.rankings.entries.insert(key.clone(), (Instant::now(), long));
        assert_eq!(cache.rankings.entries.get(&key).map(|(_, order)| order.len()), Some(200_000));
        assert_eq!(cache.rankings.entries.weight(), 200_001);
    }
}
