//! What the listing computes over every match, cached:
//! - the open postings ([`OpenPostings`], one snapshot per day, about 0.5 s to load at 100,000 postings):
//!   the summary of any filter is then one pass in memory (1-10 ms), and a page in date or pay order is
//!   cut from its newest-first or highest-pay-first order, so that only the page's cards are read;
//! - the summaries (total, facets, pay histogram) per filter: the same few filters are asked for again and
//!   again, and a cached summary takes microseconds;
//! - the relevance order of a keyword search: FTS5 ranks every match before it can give the best 31
//!   (about 40 ms for a word in a third of the postings), and every page of that search needs the same
//!   order. The cached order cuts each page, first or deep, in microseconds; only its cards are read.
//! - the matches of a keyword search (the ids FTS5 lists for it), for the search sorted by date or pay.
//!
//! Each entry records the database's version it was made from (SQLite's `PRAGMA data_version`, read on a
//! connection of the cache's own, changes when any connection in any process commits). An entry older than
//! [`MAX_AGE`] is still answered while one background task checks it: when the database has not changed it
//! is kept as it is, otherwise computed again (a summary from a snapshot brought up to date first). So
//! writes by another process, such as `jobboard seed`, show within about [`MAX_AGE`], and a server whose
//! data does not change computes nothing again. Keys carry the day (postings expire at midnight), and every
//! write made through the server (the admin's saves and status changes) clears the whole cache, so the next
//! request computes again. Concurrent misses of one key run the queries once.

use chrono::NaiveDate;
use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Pool;
use super::open_postings::OpenPostings;
use super::read::{RankedMatch, fts_query, listing_sort, load_cards, ranked_matches, ranked_page};
use crate::domain::filter::{ListingSummary, Sort};
use crate::domain::{JobCard, JobFilter};

/// How long an entry is fresh.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// How many summaries are kept.
pub const SUMMARY_CAPACITY: u64 = 2_000;

/// How many matches the cached relevance orders hold in all (16 bytes each: 16 MB).
pub const RANKED_CAPACITY: u64 = 1_000_000;

/// How many ids the cached keyword match sets hold in all (8 bytes each: 8 MB).
pub const MATCHES_CAPACITY: u64 = 1_000_000;

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

impl Weight for Arc<[i64]> {
    fn weight(&self) -> u64 {
        self.len() as u64 + 1
    }
}

impl Weight for Arc<[RankedMatch]> {
    fn weight(&self) -> u64 {
        self.len() as u64 + 1
    }
}

#[derive(Clone)]
struct ByWeight;

impl<V: Weight> quick_cache::Weighter<Key, Entry<V>> for ByWeight {
    fn weight(&self, _key: &Key, entry: &Entry<V>) -> u64 {
        entry.value.weight()
    }
}

/// A cached value, when it was made, and the database's version it was made from.
#[derive(Clone)]
struct Entry<V> {
    made: Instant,
    version: Option<i64>,
    value: V,
}

/// Tells whether the database changed, from SQLite's `PRAGMA data_version` on a connection of its own: the
/// number changes whenever another connection, in this process or another, commits a change.
#[derive(Default)]
struct ChangeWatch {
    connection: tokio::sync::Mutex<Option<sqlx::SqliteConnection>>,
}

impl ChangeWatch {
    /// The database's version now; `None` when it cannot be read (then every entry counts as changed).
    async fn version(&self, pool: &Pool) -> Option<i64> {
        let mut connection = self.connection.lock().await;
        if connection.is_none() {
            *connection = sqlx::ConnectOptions::connect(&*pool.connect_options()).await.ok();
        }
        let version = sqlx::query_scalar("PRAGMA data_version").fetch_one(connection.as_mut()?).await;
        if version.is_err() {
            // Reconnect next time.
            *connection = None;
        }
        version.ok()
    }
}

/// One kind of cached value, with the keys whose replacement is being computed in the background.
struct Memo<V: Weight + Clone> {
    entries: quick_cache::sync::Cache<Key, Entry<V>, ByWeight>,
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
    /// Keyword searches' matches, by FTS5 query.
    matches: Arc<Memo<Arc<[i64]>>>,
    /// Bumped by [`ListingCache::clear`]: a refresh started before a write does not store its result.
    generation: Arc<AtomicU64>,
    watch: Arc<ChangeWatch>,
    /// Held while the snapshot is brought up to date for a summary, so that one load serves them all.
    snapshot_update: Arc<tokio::sync::Mutex<()>>,
    /// How many stale entries were computed again (rather than found unchanged).
    recomputed: Arc<AtomicU64>,
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
            .field("matches", &self.matches.entries.len())
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
            matches: Arc::new(Memo::new(MATCHES_CAPACITY, 1_000, RANKED_SHARDS)),
            generation: Arc::default(),
            watch: Arc::default(),
            snapshot_update: Arc::default(),
            recomputed: Arc::default(),
            max_age,
        }
    }

    /// Forgets everything (after a write).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.snapshots.entries.clear();
        self.summaries.entries.clear();
        self.rankings.entries.clear();
        self.matches.entries.clear();
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

    /// The open postings on `today` as the database holds them now: the cached snapshot when the database
    /// has not changed since it was made, else a new one. A summary is made from this, so that it is never
    /// older than the database's version it is stored with.
    async fn current_open_postings(&self, pool: &Pool, today: NaiveDate) -> Result<Arc<OpenPostings>, sqlx::Error> {
        let key = (String::new(), today);
        let _updating = self.snapshot_update.lock().await;
        let generation = self.generation.load(Ordering::SeqCst);
        let version = self.watch.version(pool).await;
        if let Some(entry) =
            self.snapshots.entries.get(&key).filter(|entry| version.is_some() && entry.version == version)
        {
            return Ok(entry.value);
        }
        let value = Arc::new(OpenPostings::load(pool, today).await?);
        // Not kept when a write cleared the cache meanwhile: the next request loads again.
        if self.generation.load(Ordering::SeqCst) == generation {
            self.snapshots.entries.insert(key, Entry { made: Instant::now(), version, value: Arc::clone(&value) });
        }
        Ok(value)
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
                let snapshot = cache.current_open_postings(&pool, today).await?;
                Ok(Arc::new(snapshot.summarize(&pool, &base).await?))
            }
        })
        .await
    }

    /// The page of the open postings matching `filter` (its sort and cursor included), as
    /// [`open_jobs_page`](super::read::open_jobs_page) gives it: by relevance, cut from the search's cached
    /// order; newest or highest pay first, from the snapshot's order (with keywords, keeping the search's
    /// cached matches).
    pub async fn page(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        today: NaiveDate,
        limit: i64,
    ) -> Result<(Vec<JobCard>, Option<String>), sqlx::Error> {
        let sort = listing_sort(filter);
        let keywords = filter.q.as_deref().and_then(fts_query);
        if sort != Sort::Relevance {
            // Newest or highest pay: cut from the snapshot's order; only the page's cards are read.
            let matches = match keywords {
                Some(keywords) => Some(self.keyword_matches(pool, keywords, today).await?),
                None => None,
            };
            let snapshot = self.open_postings(pool, today).await?;
            let (ids, next_cursor) =
                snapshot.page(filter, matches.as_deref(), sort, usize::try_from(limit).unwrap_or(0));
            return Ok((load_cards(pool, &ids).await?, next_cursor));
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

    /// How many stale entries have been computed again because the database had changed.
    pub fn recomputed(&self) -> u64 {
        self.recomputed.load(Ordering::SeqCst)
    }

    /// The ids of the postings whose text matches `keywords` (an FTS5 query), ascending.
    async fn keyword_matches(
        &self,
        pool: &Pool,
        keywords: String,
        today: NaiveDate,
    ) -> Result<Arc<[i64]>, sqlx::Error> {
        let pool_for_compute = pool.clone();
        let key = (keywords.clone(), today);
        self.get(&self.matches, pool, key, move || {
            let (pool, keywords) = (pool_for_compute.clone(), keywords.clone());
            async move { Ok(Arc::from(OpenPostings::keyword_matches(&pool, &keywords).await?)) }
        })
        .await
    }

    /// `key`'s value in `memo`: the cached one when present (a stale one is answered while a background
    /// task checks it), else computed now.
    async fn get<V, F, Fut>(&self, memo: &Arc<Memo<V>>, pool: &Pool, key: Key, compute: F) -> Result<V, sqlx::Error>
    where
        V: Weight + Clone + Send + Sync + 'static,
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, sqlx::Error>> + Send + 'static,
    {
        if let Some(entry) = memo.entries.get(&key) {
            if entry.made.elapsed() > self.max_age {
                self.refresh_in_background(Arc::clone(memo), pool.clone(), key, entry.clone(), compute);
            }
            return Ok(entry.value);
        }
        let made = async {
            // The version is read first, so that a change made while computing shows as a change later.
            let version = self.watch.version(pool).await;
            Ok::<_, sqlx::Error>(Entry { made: Instant::now(), version, value: compute().await? })
        };
        Ok(memo.entries.get_or_insert_async(&key, made).await?.value)
    }

    /// Starts checking the stale `entry` of `key` unless that is already under way: when the database has
    /// not changed since it was made it is fresh again, otherwise `compute` replaces it.
    fn refresh_in_background<V, F, Fut>(&self, memo: Arc<Memo<V>>, pool: Pool, key: Key, entry: Entry<V>, compute: F)
    where
        V: Weight + Clone + Send + Sync + 'static,
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<V, sqlx::Error>> + Send + 'static,
    {
        let started = memo.refreshing.lock().map(|mut keys| keys.insert(key.clone())).unwrap_or(false);
        if !started {
            return;
        }
        let (generation, watch, recomputed) =
            (Arc::clone(&self.generation), Arc::clone(&self.watch), Arc::clone(&self.recomputed));
        let started_at = generation.load(Ordering::SeqCst);
        tokio::spawn(async move {
            let version = watch.version(&pool).await;
            let outcome = if version.is_some() && version == entry.version {
                Ok(entry.value)
            } else {
                recomputed.fetch_add(1, Ordering::SeqCst);
                compute().await
            };
            match outcome {
                Ok(value) if generation.load(Ordering::SeqCst) == started_at => {
                    memo.entries.insert(key.clone(), Entry { made: Instant::now(), version, value });
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
        cache.rankings.entries.insert(key.clone(), Entry { made: Instant::now(), version: None, value: long });
        assert_eq!(cache.rankings.entries.get(&key).map(|entry| entry.value.len()), Some(200_000));
        assert_eq!(cache.rankings.entries.weight(), 200_001);
    }
}
