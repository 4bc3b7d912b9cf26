//! The listing's index in memory, kept current by the change feed, and what is cached over it.
//!
//! - **The index** of the open postings ([`OpenPostings`]): the summary of any filter is one pass over it,
//!   a page in date or pay order is cut from its orders, and the detail, company and career pages read
//!   their related postings from it. Exactly one version is current. It is loaded whole once, at start;
//!   after that one task ([`ListingCache::spawn_refresher`]) reads the change feed (`listing_changes`,
//!   appended by triggers in the same transaction as every change to postings, their places and pay,
//!   companies and career steps) after the position the current version is at, reads again only the
//!   postings the new rows name, and swaps in a patched version. A roll-over of the day is a patch too
//!   (the postings it closes). An index that fell behind the feed's pruned horizon, or that would read
//!   more than [`FEED_BATCH_LIMIT`] rows, loads whole again (and says so in the log).
//! - **Summaries** (total, facets, pay histogram) per filter, and **keyword hits** (the postings a
//!   search's words match, in id order and in relevance order) per search. Each is keyed on its
//!   canonical form and the serial number of the version it belongs to, weighted in bytes (key included,
//!   an empty result too) and bounded in bytes ([`SUMMARY_BYTES`], [`HITS_BYTES`]). A patch carries each
//!   entry over to the new version: unchanged when no changed posting counts in it, otherwise updated
//!   with what changed (a summary's counts are patched, a search's hits asked again for the changed
//!   postings only). Nothing is emptied by a change.
//!
//! A request takes the current version once, so its page and its summary come from the same one. A
//! writer that wants its change seen on its next page calls [`ListingCache::changed`], which applies the
//! feed up to (at least) its own commit before it returns.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::open_postings::{FeedBatch, OpenPostings, Patch, Tally};
use super::paging::{RankedMatch, fts_query, listing_sort};
use super::{Error, ListingChanges, Pool, load_cards};
use crate::domain::filter::{ListingSummary, Sort};
use crate::domain::{JobCard, JobFilter};

/// How often the refresher reads the change feed when nothing woke it (SQLite has no notifications:
/// another process's writes, `jobboard seed` for one, are seen at the next read).
pub const REFRESH_INTERVAL: Duration = Duration::from_millis(250);

/// The most feed rows one patch takes; more and the whole board is loaded again.
pub const FEED_BATCH_LIMIT: i64 = 200_000;

/// The connections the feed is applied through (its own: see `Inner::feed_pool`).
const FEED_CONNECTIONS: u32 = 2;

/// How many of the newest feed rows the pruner keeps.
pub const FEED_KEPT: i64 = 200_000;

/// How often the feed is pruned, and how many rows one pruning transaction deletes.
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(60);
const PRUNE_BATCH: i64 = 10_000;

/// The most bytes the cached summaries take, keys included.
pub const SUMMARY_BYTES: u64 = 24 * 1024 * 1024;

/// The most bytes the cached keyword hits take (24 bytes a hit), keys included.
pub const HITS_BYTES: u64 = 48 * 1024 * 1024;

/// The most changed postings a patch carries the caches over with; past it (a bulk load) they are emptied
/// and counted again on demand.
pub const PATCHES_CARRIED: usize = 1_000;

/// The most searches a patch asks again for the changed postings; the others are dropped.
pub const HITS_PATCHED: usize = 64;

/// What every entry costs beside its key and its contents (the entry, the `Arc`, the cache's slot).
const ENTRY_OVERHEAD: u64 = 96;

/// The caches' shards (independent locks, each with an equal part of the capacity). The hits use few,
/// so that one search's can be long (about 500,000 matches).
const SUMMARY_SHARDS: usize = 8;
const HITS_SHARDS: usize = 4;

/// A filter's canonical form and the serial number of the version the entry belongs to.
type Key = (String, u64);

/// What an entry weighs, in bytes, beside its key.
trait Weight {
    fn bytes(&self) -> u64;
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

/// The current version with the serial number that keys the entries made from it.
struct Current {
    serial: u64,
    snapshot: Arc<OpenPostings>,
}

/// What the task applying the feed keeps between reads.
#[derive(Default)]
struct Applier {
    /// The rows applied whose position the next read may still return (PostgreSQL: a transaction not
    /// yet below the position), by `seq`, with that position.
    applied: HashMap<i64, i64>,
}

/// A cached summary: the filter it counts, its counts (what a change patches) and the counts as shown.
struct SummaryEntry {
    filter: JobFilter,
    tally: Tally,
    summary: Arc<ListingSummary>,
}

/// What a keyword search matches among the open postings: their ids ascending, and in relevance order.
#[derive(Debug, Default)]
struct KeywordHits {
    ids: Vec<i64>,
    ranked: Vec<RankedMatch>,
}

impl KeywordHits {
    fn new(ranked: Vec<RankedMatch>) -> Self {
        let mut ids: Vec<i64> = ranked.iter().map(|hit| hit.id).collect();
        ids.sort_unstable();
        Self { ids, ranked }
    }

    fn contains(&self, id: i64) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// These hits with the postings `changed` asked again: `found` are those of them that match now.
    fn patched(&self, changed: &[i64], found: Vec<RankedMatch>) -> Self {
        let mut ranked: Vec<RankedMatch> =
            self.ranked.iter().filter(|hit| changed.binary_search(&hit.id).is_err()).copied().collect();
        for hit in found {
            let at = ranked.partition_point(|kept| kept.rank.total_cmp(&hit.rank).then(kept.id.cmp(&hit.id)).is_lt());
            ranked.insert(at, hit);
        }
        Self::new(ranked)
    }
}

impl Weight for Arc<SummaryEntry> {
    fn bytes(&self) -> u64 {
        summary_bytes(&self.summary) + self.tally.bytes() + self.filter.cache_key().len() as u64
    }
}

/// What a summary as shown weighs.
fn summary_bytes(summary: &ListingSummary) -> u64 {
    let facets = &summary.facets;
    let counts = [&facets.location, &facets.region, &facets.remote, &facets.employment_type, &facets.level];
    let facet_bytes: usize = counts
        .iter()
        .flat_map(|list| list.iter())
        .map(|count| count.value.len() + count.label.len() + std::mem::size_of_val(count))
        .sum();
    (std::mem::size_of::<ListingSummary>() + facet_bytes + summary.pay.buckets.len() * 16) as u64
}

impl Weight for Arc<KeywordHits> {
    fn bytes(&self) -> u64 {
        (self.ids.len() * 8 + self.ranked.len() * std::mem::size_of::<RankedMatch>()) as u64
    }
}

struct Inner {
    current: RwLock<Option<Current>>,
    /// Held while the feed is applied (or the index loaded), so that one task applies at a time.
    applier: tokio::sync::Mutex<Applier>,
    /// The connections the feed is applied through, of their own so that a patch never waits behind the
    /// requests for one (set by the refresher; until then, the caller's pool).
    feed_pool: std::sync::OnceLock<Pool>,
    /// Wakes the refresher early (a write through this server, or on PostgreSQL a notified change).
    wake: Arc<tokio::sync::Notify>,
    /// The feed position of the current version, for those waiting to see their own write.
    position: std::sync::atomic::AtomicI64,
    serials: AtomicU64,
    loads: AtomicU64,
    patches: AtomicU64,
    /// The most bytes the index should take (0: no cap), and whether the warning that it does not was given.
    memory_cap: AtomicU64,
    over_cap: std::sync::atomic::AtomicBool,
    summaries: Memo<Arc<SummaryEntry>>,
    hits: Memo<Arc<KeywordHits>>,
}

/// The listing's index and caches; cheap to clone (shared).
#[derive(Clone)]
pub struct ListingCache {
    inner: Arc<Inner>,
}

impl Default for ListingCache {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                current: RwLock::new(None),
                applier: tokio::sync::Mutex::new(Applier::default()),
                feed_pool: std::sync::OnceLock::new(),
                wake: Arc::new(tokio::sync::Notify::new()),
                position: std::sync::atomic::AtomicI64::new(i64::MIN),
                serials: AtomicU64::new(0),
                loads: AtomicU64::new(0),
                patches: AtomicU64::new(0),
                memory_cap: AtomicU64::new(0),
                over_cap: std::sync::atomic::AtomicBool::new(false),
                summaries: Memo::new(SUMMARY_BYTES, 4_000, SUMMARY_SHARDS),
                hits: Memo::new(HITS_BYTES, 1_000, HITS_SHARDS),
            }),
        }
    }
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListingCache")
            .field("summaries", &self.inner.summaries.entries.len())
            .field("hits", &self.inner.hits.entries.len())
            .field("bytes", &self.cached_bytes())
            .finish()
    }
}

/// Today's date on the server (UTC): postings are open through their apply-before day.
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

impl ListingCache {
    /// The current version and its serial number; the first call loads it (once, for all callers).
    async fn current(&self, pool: &Pool) -> Result<(Arc<OpenPostings>, u64), Error> {
        if let Some(current) = self.peek() {
            return Ok(current);
        }
        let mut applier = self.inner.applier.lock().await;
        if let Some(current) = self.peek() {
            return Ok(current);
        }
        self.load_whole(pool, &mut applier).await
    }

    fn peek(&self) -> Option<(Arc<OpenPostings>, u64)> {
        let current = self.inner.current.read().ok()?;
        current.as_ref().map(|current| (Arc::clone(&current.snapshot), current.serial))
    }

    fn swap_in(&self, snapshot: Arc<OpenPostings>, serial: u64) {
        self.inner.position.store(snapshot.position(), Ordering::SeqCst);
        let cap = self.inner.memory_cap.load(Ordering::Relaxed);
        let over = cap > 0 && snapshot.estimated_bytes() > cap;
        if over && !self.inner.over_cap.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                postings = snapshot.len(),
                bytes = snapshot.estimated_bytes(),
                cap,
                "the listing index has grown past its memory cap (--listing-memory-mb): raise it before the next start"
            );
        } else if !over {
            self.inner.over_cap.store(false, Ordering::Relaxed);
        }
        if let Ok(mut current) = self.inner.current.write() {
            *current = Some(Current { serial, snapshot });
        }
    }

    /// Loads the whole board and makes it current (the caller holds the applier).
    async fn load_whole(&self, pool: &Pool, applier: &mut Applier) -> Result<(Arc<OpenPostings>, u64), Error> {
        let snapshot = Arc::new(OpenPostings::load(pool, today()).await?);
        applier.applied.clear();
        self.inner.loads.fetch_add(1, Ordering::SeqCst);
        let serial = self.inner.serials.fetch_add(1, Ordering::SeqCst) + 1;
        self.swap_in(Arc::clone(&snapshot), serial);
        // Entries of older versions can no longer be asked for; free their memory now.
        self.inner.summaries.entries.clear();
        self.inner.hits.entries.clear();
        Ok((snapshot, serial))
    }

    /// The current version of the index (loaded on the first call only).
    pub async fn snapshot(&self, pool: &Pool) -> Result<Arc<OpenPostings>, Error> {
        Ok(self.current(pool).await?.0)
    }

    /// Applies the change feed from the current version's position (or the day's roll-over); true when
    /// the listing changed. The refresher calls this; so does [`changed`](Self::changed), and so may a
    /// command or a test that wrote to the database.
    pub async fn refresh(&self, pool: &Pool) -> Result<bool, Error> {
        let pool = self.inner.feed_pool.get().unwrap_or(pool);
        let mut applier = self.inner.applier.lock().await;
        let Some((snapshot, serial)) = self.peek() else {
            self.load_whole(pool, &mut applier).await?;
            return Ok(true);
        };
        let read = super::read_listing_changes(pool, snapshot.position(), FEED_BATCH_LIMIT).await?;
        if read.behind || read.truncated {
            if read.behind {
                tracing::warn!(
                    position = snapshot.position(),
                    "the listing index fell behind the change feed's pruned horizon: loading the whole board"
                );
            } else {
                tracing::info!(
                    rows = FEED_BATCH_LIMIT,
                    "more listing changes than a patch takes: loading the whole board"
                );
            }
            self.load_whole(pool, &mut applier).await?;
            return Ok(true);
        }
        let mut batch = FeedBatch { position: read.next, ..FeedBatch::default() };
        let fresh: Vec<_> = read.changes.iter().filter(|change| !applier.applied.contains_key(&change.seq)).collect();
        for change in &fresh {
            batch.postings.extend(change.posting_id);
            batch.companies.extend(change.company_id);
            batch.career_steps.extend(change.career_step_id);
        }
        // Recorded as applied only once they are (below): a failed patch leaves them to the next read.
        let applied: Vec<(i64, i64)> = fresh.iter().map(|change| (change.seq, change.tx)).collect();
        let remember = |applier: &mut Applier| {
            applier.applied.extend(applied.iter().copied());
            applier.applied.retain(|_, position| *position >= read.next);
        };
        let day = today();
        let nothing_new = batch.postings.is_empty() && batch.companies.is_empty() && batch.career_steps.is_empty();
        if nothing_new && day <= snapshot.day() {
            remember(&mut applier);
            if read.next != snapshot.position() {
                // Only the position moved (PostgreSQL): the same listing, so the same serial and entries.
                let mut moved = (*snapshot).clone();
                moved.set_position(read.next);
                self.swap_in(Arc::new(moved), serial);
            }
            return Ok(false);
        }
        let started = std::time::Instant::now();
        let (next, patches) = snapshot.patched(pool, day.max(snapshot.day()), &batch).await?;
        remember(&mut applier);
        let patched = started.elapsed();
        self.inner.patches.fetch_add(1, Ordering::SeqCst);
        let day_moved = next.day() != snapshot.day();
        self.carry_over(pool, serial, next, &patches, day_moved, !batch.companies.is_empty()).await;
        tracing::debug!(
            rows = read.changes.len(),
            postings = patches.len(),
            patch_ms = patched.as_secs_f64() * 1000.0,
            total_ms = started.elapsed().as_secs_f64() * 1000.0,
            summaries = self.inner.summaries.entries.len(),
            searches = self.inner.hits.entries.len(),
            "listing patched"
        );
        Ok(!patches.is_empty() || day_moved)
    }

    /// Makes `next` current under a new serial, with every cached entry of `serial` carried over to it:
    /// unchanged when no patch counts in it, patched otherwise, dropped when it cannot be patched (a
    /// search beyond [`HITS_PATCHED`], a date filter when the day moved, a company filter when a company
    /// changed). Past [`PATCHES_CARRIED`] changed postings every entry is dropped.
    async fn carry_over(
        &self,
        pool: &Pool,
        serial: u64,
        next: OpenPostings,
        patches: &[Patch],
        day_moved: bool,
        companies_changed: bool,
    ) {
        let next_serial = self.inner.serials.fetch_add(1, Ordering::SeqCst) + 1;
        if patches.len() > PATCHES_CARRIED {
            // A bulk change: counting the caches again on demand costs less than patching each of them.
            self.swap_in(Arc::new(next), next_serial);
            self.inner.summaries.entries.clear();
            self.inner.hits.entries.clear();
            return;
        }
        let mut changed: Vec<i64> = patches.iter().map(Patch::id).collect();
        changed.sort_unstable();
        changed.dedup();
        let mut hits: HashMap<String, (Arc<KeywordHits>, Arc<KeywordHits>)> = HashMap::new();
        for ((keywords, entry_serial), old) in self.inner.hits.entries.iter() {
            if entry_serial != serial || hits.len() >= HITS_PATCHED {
                continue;
            }
            let new = if changed.is_empty() {
                Arc::clone(&old)
            } else {
                match super::keyword_hits(pool, &keywords, next.day(), Some(&changed)).await {
                    Ok(found) => Arc::new(old.patched(&changed, found)),
                    Err(error) => {
                        tracing::warn!(%error, "asking a search again for the changed postings failed; dropped");
                        continue;
                    }
                }
            };
            self.inner.hits.entries.insert((keywords.clone(), next_serial), Arc::clone(&new));
            hits.insert(keywords, (old, new));
        }
        for ((key, entry_serial), entry) in self.inner.summaries.entries.iter() {
            if entry_serial != serial
                || (day_moved && entry.filter.posted_within.is_some())
                || (companies_changed && entry.filter.company.is_some())
            {
                continue;
            }
            let keywords = entry.filter.q.as_deref().and_then(fts_query);
            let (was, is) = match &keywords {
                Some(keywords) => match hits.get(keywords) {
                    Some((old, new)) => (Some(Arc::clone(old)), Some(Arc::clone(new))),
                    None => continue,
                },
                None => (None, None),
            };
            let was_match = |id: i64| was.as_ref().is_none_or(|hits| hits.contains(id));
            let is_match = |id: i64| is.as_ref().is_none_or(|hits| hits.contains(id));
            let carried = match next.patch_tally(&entry.tally, &entry.filter, patches, was_match, is_match) {
                None => entry,
                Some(tally) => Arc::new(SummaryEntry {
                    filter: entry.filter.clone(),
                    summary: Arc::new(next.render(&tally)),
                    tally,
                }),
            };
            self.inner.summaries.entries.insert((key, next_serial), carried);
        }
        self.swap_in(Arc::new(next), next_serial);
        self.inner.summaries.entries.retain(|(_, entry_serial), _| *entry_serial == next_serial);
        self.inner.hits.entries.retain(|(_, entry_serial), _| *entry_serial == next_serial);
    }

    /// Starts the tasks that keep the index current: one applies the change feed every
    /// [`REFRESH_INTERVAL`], or at once when (on PostgreSQL) a change is notified; one prunes the feed
    /// every [`PRUNE_INTERVAL`] to its newest [`FEED_KEPT`] rows. They stop when the pool is closed. Does
    /// nothing outside a tokio runtime.
    pub fn spawn_refresher(&self, pool: Pool) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let _ = self.inner.feed_pool.set(pool.with_own_connections(FEED_CONNECTIONS));
        // The tasks hold the cache weakly: once every other handle is dropped, they end (and the
        // listener's connection goes back to the pool).
        let cache = Arc::downgrade(&self.inner);
        let listening = pool.clone();
        runtime.spawn(async move {
            let mut changes = match ListingChanges::listen(&listening).await {
                Ok(Some(changes)) => changes,
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(%error, "listening for listing changes failed: the feed is polled only");
                    return;
                }
            };
            while !listening.is_closed() {
                let heard = tokio::select! {
                    heard = changes.next() => heard,
                    () = tokio::time::sleep(REFRESH_INTERVAL) => {
                        if cache.strong_count() == 0 { break; }
                        continue;
                    }
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
        let applying = pool.clone();
        runtime.spawn(async move {
            while !applying.is_closed() {
                let Some(inner) = cache.upgrade() else {
                    break;
                };
                match (Self { inner }).refresh(&applying).await {
                    Ok(_) => {}
                    Err(_) if applying.is_closed() => break,
                    Err(error) => tracing::warn!(%error, "applying the listing's change feed failed"),
                }
                // Waiting holds no handle on the cache, so that dropping it ends this task.
                let _ = tokio::time::timeout(REFRESH_INTERVAL, wake.notified()).await;
            }
        });
        let cache = Arc::downgrade(&self.inner);
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(PRUNE_INTERVAL).await;
                if pool.is_closed() || cache.strong_count() == 0 {
                    break;
                }
                match super::prune_listing_changes(&pool, FEED_KEPT, PRUNE_BATCH).await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::debug!(pruned, "pruned the listing's change feed"),
                    Err(_) if pool.is_closed() => break,
                    Err(error) => tracing::warn!(%error, "pruning the listing's change feed failed"),
                }
            }
        });
    }

    /// Applies the change feed now (or waits for the refresher doing it), at most `timeout`: for whoever
    /// must see a write next (the writer's next request, a command, a test). Costs what the changes since
    /// the last read cost, not a reload.
    pub async fn changed(&self, pool: &Pool, timeout: Duration) {
        match tokio::time::timeout(timeout, self.refresh(pool)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "applying the listing's change feed failed"),
            Err(_) => tracing::warn!("applying the listing's change feed took longer than {timeout:?}"),
        }
    }

    /// Tells the refresher to read the change feed now (a write through this server just committed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// The feed position the current version is at (before the first load, `i64::MIN`).
    pub fn position(&self) -> i64 {
        self.inner.position.load(Ordering::SeqCst)
    }

    /// Sets the most bytes the index should take: past it, a warning in the log (the server checks the
    /// board against it before it starts).
    pub fn set_memory_cap(&self, bytes: u64) {
        self.inner.memory_cap.store(bytes, Ordering::Relaxed);
    }

    /// How many times the whole board has been loaded since the cache was made.
    pub fn snapshot_loads(&self) -> u64 {
        self.inner.loads.load(Ordering::SeqCst)
    }

    /// How many patches (batches of changes, or roll-overs) have been applied since the cache was made.
    pub fn patches_applied(&self) -> u64 {
        self.inner.patches.load(Ordering::SeqCst)
    }

    /// The bytes the cached summaries and keyword hits take now.
    pub fn cached_bytes(&self) -> u64 {
        self.inner.summaries.entries.weight() + self.inner.hits.entries.weight()
    }

    /// The most bytes they can take.
    pub const fn cached_bytes_bound() -> u64 {
        SUMMARY_BYTES + HITS_BYTES
    }

    /// True when the caches can answer `filter`'s listing without computing anything over its matches (its
    /// summary, and with keywords their hits, are kept for the current version). Reads nothing from the
    /// database. Before the first load, false.
    pub fn is_cached(&self, filter: &JobFilter) -> bool {
        let Some((_, serial)) = self.peek() else {
            return false;
        };
        let inner = &self.inner;
        inner.summaries.entries.contains_key(&(filter.cache_key(), serial))
            && filter
                .q
                .as_deref()
                .and_then(fts_query)
                .is_none_or(|keywords| inner.hits.entries.contains_key(&(keywords, serial)))
    }

    /// One listing request's data: the version it is cut from, the summary of `filter`, and its page
    /// (`limit` cards and the next cursor), all from the same version.
    pub async fn listing(&self, pool: &Pool, filter: &JobFilter, limit: i64) -> Result<Listing, Error> {
        let (snapshot, serial) = self.current(pool).await?;
        let summary = self.summary_of(pool, &snapshot, serial, filter).await?;
        let (jobs, next_cursor) = self.page_of(pool, &snapshot, serial, filter, limit).await?;
        Ok(Listing { day: snapshot.day(), summary, jobs, next_cursor })
    }

    /// The summary of the open postings matching `filter`, from the current version.
    pub async fn summary(&self, pool: &Pool, filter: &JobFilter) -> Result<Arc<ListingSummary>, Error> {
        let (snapshot, serial) = self.current(pool).await?;
        self.summary_of(pool, &snapshot, serial, filter).await
    }

    /// The page of the open postings matching `filter` (its sort and cursor included), from the current
    /// version: `limit` cards and the next cursor.
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
            let hits = match filter.q.as_deref().and_then(fts_query) {
                Some(keywords) => Some(self.keyword_hits(pool, snapshot, keywords, serial).await?),
                None => None,
            };
            let filter = filter.matching_part();
            let tally = snapshot.tally(&filter, hits.as_ref().map(|hits| hits.ids.as_slice()));
            let summary = Arc::new(snapshot.render(&tally));
            Ok(Arc::new(SummaryEntry { filter, tally, summary }))
        };
        Ok(Arc::clone(&self.inner.summaries.get(key, compute).await?.summary))
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
        let limit = usize::try_from(limit).unwrap_or(0);
        let hits = match filter.q.as_deref().and_then(fts_query) {
            Some(keywords) => Some(self.keyword_hits(pool, snapshot, keywords, serial).await?),
            None => None,
        };
        let (ids, next_cursor) = match (&hits, sort) {
            (Some(hits), Sort::Relevance) => snapshot.ranked_page(filter, &hits.ranked, limit),
            _ => snapshot.page(filter, hits.as_ref().map(|hits| hits.ids.as_slice()), sort, limit),
        };
        Ok((load_cards(pool, &ids).await?, next_cursor))
    }

    /// The open postings whose text matches `keywords` (an FTS5 query), in id and relevance order.
    async fn keyword_hits(
        &self,
        pool: &Pool,
        snapshot: &OpenPostings,
        keywords: String,
        serial: u64,
    ) -> Result<Arc<KeywordHits>, Error> {
        let key = (keywords.clone(), serial);
        let day = snapshot.day();
        self.inner
            .hits
            .get(
                key,
                async move { Ok(Arc::new(KeywordHits::new(super::keyword_hits(pool, &keywords, day, None).await?))) },
            )
            .await
    }
}

/// One listing request's data, all from one version.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The day the version holds the open postings of.
    pub day: NaiveDate,
    pub summary: Arc<ListingSummary>,
    pub jobs: Vec<JobCard>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keyword_hits_are_kept() {
        let cache = ListingCache::default();
        let long = KeywordHits::new((0..400_000).map(|id| RankedMatch { rank: -1.0, id }).collect());
        let key = ("\"engineer\"".to_owned(), 1);
        cache.inner.hits.entries.insert(key.clone(), Arc::new(long));
        assert_eq!(cache.inner.hits.entries.get(&key).map(|hits| hits.ranked.len()), Some(400_000));
        assert!(cache.cached_bytes() >= 400_000 * 24);
    }

    #[test]
    fn empty_hits_still_weigh_their_key_and_their_entry() {
        let cache = ListingCache::default();
        cache.inner.hits.entries.insert(("\"zzz\"".to_owned(), 1), Arc::new(KeywordHits::default()));
        assert!(cache.cached_bytes() >= ENTRY_OVERHEAD + 5);
    }

    #[test]
    fn patched_hits_drop_the_changed_postings_and_take_their_new_ranks() {
        let hit = |rank: f64, id: i64| RankedMatch { rank, id };
        let hits = KeywordHits::new(vec![hit(-3.0, 7), hit(-2.0, 2), hit(-1.0, 9)]);
        let patched = hits.patched(&[2, 5, 9], vec![hit(-2.5, 5), hit(-4.0, 9)]);
        assert_eq!(patched.ranked, vec![hit(-4.0, 9), hit(-3.0, 7), hit(-2.5, 5)]);
        assert_eq!(patched.ids, vec![5, 7, 9]);
        assert!(patched.contains(5) && !patched.contains(2));
    }
}
