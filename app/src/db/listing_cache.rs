//! The listing's state in memory, and what is cached over it.
//!
//! - **The snapshot** of the open postings ([`OpenPostings`], about 0.5 s to load at 100,000 postings): the
//!   summary of any filter is one pass over it in memory, a page in date or pay order is cut from its
//!   orders, and the detail, company and career pages read their related postings from it. Exactly one
//!   snapshot is current. Requests only read it: one background task ([`ListingCache::spawn_refresher`])
//!   loads a new one when the listing version (`listing_version`, bumped by triggers in the same
//!   transaction as every change to postings, their places and pay, companies and career steps) or the
//!   day differs from the current one's, and then swaps it in. A session save, an alert sign-up or any
//!   other write leaves the version alone, so it costs the listing nothing.
//! - **Summaries** (total, facets, pay histogram), **relevance orders** of keyword searches (FTS5 has no
//!   top-k: it ranks every match before it can give the best 31) and **keyword matches** (the ids FTS5
//!   lists for a search's words), each per filter. Each is keyed on the filter's canonical form
//!   ([`JobFilter::cache_key`]: search words lower case, choices sorted) and the snapshot it belongs to,
//!   weighted in bytes (key included, an empty result too), and bounded in bytes ([`SUMMARY_BYTES`],
//!   [`RANKED_BYTES`], [`MATCHES_BYTES`]). A new snapshot empties them.
//!
//! A request takes the current snapshot once, so its page and its summary come from the same one.

use chrono::NaiveDate;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::open_postings::OpenPostings;
use super::paging::{RankedMatch, fts_query, listing_sort};
use super::{Error, ListingChanges, Pool, listing_version, load_cards, ranked_matches, ranked_page};
use crate::domain::filter::{ListingSummary, Sort};
use crate::domain::{JobCard, JobFilter};

/// How often the refresher reads the listing version when nothing woke it.
pub const REFRESH_INTERVAL: Duration = Duration::from_millis(500);

/// The most bytes the cached summaries take, keys included.
pub const SUMMARY_BYTES: u64 = 16 * 1024 * 1024;

/// The most bytes the cached relevance orders take (16 bytes a match), keys included.
pub const RANKED_BYTES: u64 = 32 * 1024 * 1024;

/// The most bytes the cached keyword matches take (8 bytes an id), keys included.
pub const MATCHES_BYTES: u64 = 16 * 1024 * 1024;

/// What every entry costs beside its key and its contents (the entry, the `Arc`, the cache's slot).
const ENTRY_OVERHEAD: u64 = 96;

/// The caches' shards (independent locks, each with an equal part of the capacity). The relevance orders
/// use few, so that one order can be long (about 500,000 matches).
const SUMMARY_SHARDS: usize = 8;
const RANKED_SHARDS: usize = 4;

/// A filter's canonical form and the serial number of the snapshot the entry belongs to.
type Key = (String, u64);

/// What an entry weighs, in bytes, beside its key.
trait Weight {
    fn bytes(&self) -> u64;
}

impl Weight for Arc<ListingSummary> {
    fn bytes(&self) -> u64 {
        let facets = &self.facets;
        let counts = [&facets.location, &facets.region, &facets.remote, &facets.employment_type, &facets.level];
        let facet_bytes: usize = counts
            .iter()
            .flat_map(|list| list.iter())
            .map(|count| count.value.len() + count.label.len() + std::mem::size_of_val(count))
            .sum();
        (std::mem::size_of::<ListingSummary>() + facet_bytes + self.pay.buckets.len() * 16) as u64
    }
}

impl Weight for Arc<[i64]> {
    fn bytes(&self) -> u64 {
        self.len() as u64 * 8
    }
}

impl Weight for Arc<[RankedMatch]> {
    fn bytes(&self) -> u64 {
        self.len() as u64 * std::mem::size_of::<RankedMatch>() as u64
    }
}

#[derive(Clone)]
struct ByBytes;

impl<V: Weight> quick_cache::Weighter<Key, V> for ByBytes {
    fn weight(&self, key: &Key, value: &V) -> u64 {
        key.0.len() as u64 + value.bytes() + ENTRY_OVERHEAD
    }
}

/// One kind of cached value, bounded in bytes.
struct Memo<V: Weight + Clone> {
    entries: quick_cache::sync::Cache<Key, V, ByBytes>,
}

impl<V: Weight + Clone + Send + Sync + 'static> Memo<V> {
    /// A cache of `bytes` in all, split into `shards` that each hold an equal part: an entry heavier than
    /// one part is computed but not kept.
    fn new(bytes: u64, estimated_items: usize, shards: usize) -> Self {
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity(estimated_items)
            .weight_capacity(bytes)
            .shards(shards)
            .build();
        let entries = match options {
            Ok(options) => quick_cache::sync::Cache::with_options(
                options,
                ByBytes,
                quick_cache::DefaultHashBuilder::default(),
                quick_cache::sync::DefaultLifecycle::default(),
            ),
            // The builder refuses only a missing capacity, which is always given above.
            Err(_) => quick_cache::sync::Cache::with_weighter(estimated_items, bytes, ByBytes),
        };
        Self { entries }
    }

    /// The value of `key`: cached, or computed now (concurrent misses of one key compute it once).
    async fn get<Fut>(&self, key: Key, compute: Fut) -> Result<V, Error>
    where
        Fut: Future<Output = Result<V, Error>>,
    {
        self.entries.get_or_insert_async(&key, compute).await
    }
}

/// The current snapshot with the serial number that keys the entries made from it.
struct Current {
    serial: u64,
    snapshot: Arc<OpenPostings>,
}

struct Inner {
    current: RwLock<Option<Current>>,
    /// Held while a snapshot loads, so that one load serves everybody.
    loading: tokio::sync::Mutex<()>,
    /// Wakes the refresher early (after a write made through this server).
    wake: Arc<tokio::sync::Notify>,
    /// The listing version of the current snapshot, for those waiting to see their write.
    published: tokio::sync::watch::Sender<i64>,
    serials: AtomicU64,
    loads: AtomicU64,
    summaries: Memo<Arc<ListingSummary>>,
    rankings: Memo<Arc<[RankedMatch]>>,
    matches: Memo<Arc<[i64]>>,
}

/// The listing's snapshot and caches; cheap to clone (shared).
#[derive(Clone)]
pub struct ListingCache {
    inner: Arc<Inner>,
}

impl Default for ListingCache {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                current: RwLock::new(None),
                loading: tokio::sync::Mutex::new(()),
                wake: Arc::new(tokio::sync::Notify::new()),
                published: tokio::sync::watch::Sender::new(0),
                serials: AtomicU64::new(0),
                loads: AtomicU64::new(0),
                summaries: Memo::new(SUMMARY_BYTES, 4_000, SUMMARY_SHARDS),
                rankings: Memo::new(RANKED_BYTES, 1_000, RANKED_SHARDS),
                matches: Memo::new(MATCHES_BYTES, 1_000, RANKED_SHARDS),
            }),
        }
    }
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingCache")
            .field("summaries", &self.inner.summaries.entries.len())
            .field("rankings", &self.inner.rankings.entries.len())
            .field("matches", &self.inner.matches.entries.len())
            .field("bytes", &self.cached_bytes())
            .finish()
    }
}

/// Today's date on the server (UTC): postings are open through their apply-before day.
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

impl ListingCache {
    /// The current snapshot and its serial number; the first call loads it (once, for all callers).
    async fn current(&self, pool: &Pool) -> Result<(Arc<OpenPostings>, u64), Error> {
        if let Some(current) = self.peek() {
            return Ok(current);
        }
        let _loading = self.inner.loading.lock().await;
        if let Some(current) = self.peek() {
            return Ok(current);
        }
        self.load(pool, today()).await
    }

    fn peek(&self) -> Option<(Arc<OpenPostings>, u64)> {
        let current = self.inner.current.read().ok()?;
        current.as_ref().map(|current| (Arc::clone(&current.snapshot), current.serial))
    }

    /// Loads a snapshot and makes it current (the caller holds `loading`).
    async fn load(&self, pool: &Pool, day: NaiveDate) -> Result<(Arc<OpenPostings>, u64), Error> {
        let snapshot = Arc::new(OpenPostings::load(pool, day).await?);
        self.inner.loads.fetch_add(1, Ordering::SeqCst);
        let serial = self.inner.serials.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut current) = self.inner.current.write() {
            *current = Some(Current { serial, snapshot: Arc::clone(&snapshot) });
        }
        // Entries of older snapshots can no longer be asked for; free their memory now.
        self.inner.summaries.entries.clear();
        self.inner.rankings.entries.clear();
        self.inner.matches.entries.clear();
        self.inner.published.send_replace(snapshot.version());
        Ok((snapshot, serial))
    }

    /// The current snapshot of the open postings (loaded on the first call only).
    pub async fn snapshot(&self, pool: &Pool) -> Result<Arc<OpenPostings>, Error> {
        Ok(self.current(pool).await?.0)
    }

    /// Loads a new snapshot when the listing version or the day differs from the current one's; true
    /// when it did. The refresher calls this; so may a command or a test that wrote to the database.
    pub async fn refresh(&self, pool: &Pool) -> Result<bool, Error> {
        let _loading = self.inner.loading.lock().await;
        let version = listing_version(pool).await?;
        let day = today();
        if let Some((snapshot, _)) = self.peek()
            && snapshot.version() == version
            && snapshot.day() == day
        {
            return Ok(false);
        }
        self.load(pool, day).await?;
        Ok(true)
    }

    /// Starts the one task that keeps the snapshot current: it reads the listing version every
    /// [`REFRESH_INTERVAL`], or at once when woken by [`ListingCache::changed`] or (on PostgreSQL) by a
    /// change another instance made, and loads a new snapshot when it moved. It stops when the pool is
    /// closed. Does nothing outside a tokio runtime.
    pub fn spawn_refresher(&self, pool: Pool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        // The tasks hold the cache weakly: once every other handle is dropped, they end (and the
        // listener's connection goes back to the pool).
        let cache = Arc::downgrade(&self.inner);
        // Ends (with an error) when the cache is dropped, and moves on every new snapshot.
        let mut published = self.inner.published.subscribe();
        let listening = pool.clone();
        runtime.spawn(async move {
            let mut changes = match ListingChanges::listen(&listening).await {
                Ok(Some(changes)) => changes,
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, "listening for listing changes failed: the version is polled only");
                    return;
                }
            };
            while !listening.is_closed() {
                let heard = tokio::select! {
                    heard = changes.next() => heard,
                    dropped = published.changed() => match dropped {
                        Ok(()) => continue,
                        Err(_) => break,
                    },
                };
                let Some(inner) = cache.upgrade() else {
                    break;
                };
                match heard {
                    Ok(()) => inner.wake.notify_one(),
                    Err(_) if listening.is_closed() => break,
                    Err(error) => {
                        tracing::warn!(%error, "listening for listing changes failed; retrying");
                        tokio::time::sleep(REFRESH_INTERVAL).await;
                    }
                }
            }
        });
        let cache = Arc::downgrade(&self.inner);
        let wake = Arc::clone(&self.inner.wake);
        runtime.spawn(async move {
            while !pool.is_closed() {
                let Some(inner) = cache.upgrade() else {
                    break;
                };
                match (Self { inner }).refresh(&pool).await {
                    Ok(_) => {}
                    Err(_) if pool.is_closed() => break,
                    Err(error) => tracing::warn!(%error, "refreshing the listing snapshot failed"),
                }
                // Waiting holds no handle on the cache, so that dropping it ends this task.
                let _ = tokio::time::timeout(REFRESH_INTERVAL, wake.notified()).await;
            }
        });
    }

    /// Tells the refresher that this server changed the listing, and waits (up to `timeout`) until the
    /// snapshot shows the change, so that the person who made it sees it on the next page.
    pub async fn changed(&self, pool: &Pool, timeout: Duration) {
        let Ok(version) = listing_version(pool).await else {
            return;
        };
        let mut published = self.inner.published.subscribe();
        self.inner.wake.notify_one();
        let _ = tokio::time::timeout(timeout, published.wait_for(|current| *current >= version)).await;
    }

    /// How many snapshots have been loaded since the cache was made.
    pub fn snapshot_loads(&self) -> u64 {
        self.inner.loads.load(Ordering::SeqCst)
    }

    /// The bytes the cached summaries, relevance orders and keyword matches take now.
    pub fn cached_bytes(&self) -> u64 {
        self.inner.summaries.entries.weight()
            + self.inner.rankings.entries.weight()
            + self.inner.matches.entries.weight()
    }

    /// The most bytes they can take.
    pub const fn cached_bytes_bound() -> u64 {
        SUMMARY_BYTES + RANKED_BYTES + MATCHES_BYTES
    }

    /// True when the caches can answer `filter`'s listing without computing anything over its matches (its
    /// summary, and with keywords its matches and relevance order, are kept for the current snapshot).
    /// Reads nothing from the database. Before the first snapshot, false.
    pub fn is_cached(&self, filter: &JobFilter) -> bool {
        let Some((_, serial)) = self.peek() else {
            return false;
        };
        let key = (filter.cache_key(), serial);
        let inner = &self.inner;
        let keywords = filter.q.as_deref().and_then(fts_query);
        inner.summaries.entries.contains_key(&key)
            && keywords.is_none_or(|keywords| {
                inner.matches.entries.contains_key(&(keywords, serial))
                    && (listing_sort(filter) != Sort::Relevance || inner.rankings.entries.contains_key(&key))
            })
    }

    /// One listing request's data: the snapshot it is cut from, the summary of `filter`, and its page
    /// (`limit` cards and the next cursor), all from the same snapshot.
    pub async fn listing(&self, pool: &Pool, filter: &JobFilter, limit: i64) -> Result<Listing, Error> {
        let (snapshot, serial) = self.current(pool).await?;
        let summary = self.summary_of(pool, &snapshot, serial, filter).await?;
        let (jobs, next_cursor) = self.page_of(pool, &snapshot, serial, filter, limit).await?;
        Ok(Listing { day: snapshot.day(), summary, jobs, next_cursor })
    }

    /// The summary of the open postings matching `filter`, from the current snapshot.
    pub async fn summary(&self, pool: &Pool, filter: &JobFilter) -> Result<Arc<ListingSummary>, Error> {
        let (snapshot, serial) = self.current(pool).await?;
        self.summary_of(pool, &snapshot, serial, filter).await
    }

    /// The page of the open postings matching `filter` (its sort and cursor included), from the current
    /// snapshot, as [`open_jobs_page`](super::read::open_jobs_page) gives it.
    pub async fn page(
        &self,
        pool: &Pool,
        filter: &JobFilter,
        limit: i64,
    ) -> Result<(Vec<JobCard>, Option<String>), Error> {
        let (snapshot, serial) = self.current(pool).await?;
        self.page_of(pool, &snapshot, serial, filter, limit).await
    }

    async fn summary_of(
        &self,
        pool: &Pool,
        snapshot: &OpenPostings,
        serial: u64,
        filter: &JobFilter,
    ) -> Result<Arc<ListingSummary>, Error> {
        let key = (filter.cache_key(), serial);
        let compute = async {
            let matches = match filter.q.as_deref().and_then(fts_query) {
                Some(keywords) => Some(self.keyword_matches(pool, keywords, serial).await?),
                None => None,
            };
            Ok(Arc::new(snapshot.summarize(&filter.matching_part(), matches.as_deref())))
        };
        self.inner.summaries.get(key, compute).await
    }

    async fn page_of(
        &self,
        pool: &Pool,
        snapshot: &OpenPostings,
        serial: u64,
        filter: &JobFilter,
        limit: i64,
    ) -> Result<(Vec<JobCard>, Option<String>), Error> {
        let sort = listing_sort(filter);
        let keywords = filter.q.as_deref().and_then(fts_query);
        if sort != Sort::Relevance {
            // Newest or highest pay: cut from the snapshot's order; only the page's cards are read.
            let matches = match keywords {
                Some(keywords) => Some(self.keyword_matches(pool, keywords, serial).await?),
                None => None,
            };
            let (ids, next_cursor) =
                snapshot.page(filter, matches.as_deref(), sort, usize::try_from(limit).unwrap_or(0));
            return Ok((load_cards(pool, &ids).await?, next_cursor));
        }
        let base = filter.matching_part();
        let day = snapshot.day();
        let ranked = self
            .inner
            .rankings
            .get((filter.cache_key(), serial), async move { Ok(Arc::from(ranked_matches(pool, &base, day).await?)) })
            .await?;
        ranked_page(pool, &ranked, filter, limit).await
    }

    /// The ids of the postings whose text matches `keywords` (an FTS5 query), ascending.
    async fn keyword_matches(&self, pool: &Pool, keywords: String, serial: u64) -> Result<Arc<[i64]>, Error> {
        let key = (keywords.clone(), serial);
        self.inner
            .matches
            .get(key, async move { Ok(Arc::from(OpenPostings::keyword_matches(pool, &keywords).await?)) })
            .await
    }
}

/// One listing request's data, all from one snapshot.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The day the snapshot holds the open postings of.
    pub day: NaiveDate,
    pub summary: Arc<ListingSummary>,
    pub jobs: Vec<JobCard>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_relevance_order_is_kept() {
        let cache = ListingCache::default();
        let long: Arc<[RankedMatch]> = (0..400_000).map(|id| RankedMatch { rank: -1.0, id }).collect();
        let key = ("q=engineer".to_owned(), 1);
        cache.inner.rankings.entries.insert(key.clone(), long);
        assert_eq!(cache.inner.rankings.entries.get(&key).map(|order| order.len()), Some(400_000));
        assert!(cache.cached_bytes() >= 400_000 * 16);
    }

    #[test]
    fn an_empty_result_still_weighs_its_key_and_its_entry() {
        let cache = ListingCache::default();
        let empty: Arc<[i64]> = Arc::from(Vec::new());
        cache.inner.matches.entries.insert(("\"zzz\"".to_owned(), 1), empty);
        assert!(cache.cached_bytes() >= ENTRY_OVERHEAD + 5);
    }
}
