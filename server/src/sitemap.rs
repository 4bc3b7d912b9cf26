//! `/sitemap.xml` and its files. A sitemap file may hold at most 50,000 URLs, so `/sitemap.xml` is a
//! sitemap index naming `/sitemap-1.xml`, `/sitemap-2.xml`, ...: the first lists the listing and the
//! first [`POSTINGS_PER_FILE`] open postings (by id), each next one the next as many. Which postings a
//! file holds comes from the listing index; each file is built (one query for its postings' slugs) at most
//! once per [`REBUILD_SECONDS`] and day, and kept in a cache bounded in bytes: under a stream of changes
//! the files are not rebuilt for each one (crawlers are told to keep them an hour anyway).

use app::db::{self, ListingCache, OpenPostings, Pool};
use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// Open postings per sitemap file: under the protocol's 50,000 URLs with the listing's URL added.
pub const POSTINGS_PER_FILE: usize = 45_000;

/// The most bytes the cached sitemap files take (a full file is about 5 MB).
pub const SITEMAP_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// How long a built sitemap file serves, however the listing changes meanwhile.
pub const REBUILD_SECONDS: i64 = 60;

/// A sitemap file's number, with the day of the index it was cut from and the period it was built in.
type FileKey = (usize, chrono::NaiveDate, i64);

/// What the sitemap handlers read: the listing's snapshot, the built files and the public origin (taken
/// from the app's state by `FromRef`, so this module does not depend on it).
#[derive(Clone)]
pub struct SitemapSources {
    pub pool: Pool,
    pub listing_cache: ListingCache,
    pub files: SitemapCache,
    /// The public origin without a trailing slash, e.g. `https://jobs.example.com`.
    pub origin: Arc<str>,
}

/// The built sitemap files.
#[derive(Clone)]
pub struct SitemapCache {
    files: Arc<quick_cache::sync::Cache<FileKey, Arc<str>, ByLength>>,
}

#[derive(Clone)]
struct ByLength;

impl quick_cache::Weighter<FileKey, Arc<str>> for ByLength {
    fn weight(&self, _key: &FileKey, file: &Arc<str>) -> u64 {
        file.len() as u64 + 64
    }
}

impl Default for SitemapCache {
    fn default() -> Self {
        Self { files: Arc::new(quick_cache::sync::Cache::with_weighter(64, SITEMAP_CACHE_BYTES, ByLength)) }
    }
}

fn xml(body: impl Into<axum::body::Body>) -> Response {
    ([(CONTENT_TYPE, "application/xml; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], body.into())
        .into_response()
}

fn unavailable(error: &db::Error) -> Response {
    tracing::error!(%error, "sitemap query failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// How many sitemap files `snapshot` needs (at least one, for the listing).
fn file_count(snapshot: &OpenPostings) -> usize {
    snapshot.len().div_ceil(POSTINGS_PER_FILE).clamp(1, MAX_FILES)
}

/// `GET /sitemap.xml`: the sitemap index.
pub async fn index(State(state): State<SitemapSources>) -> Response {
    let snapshot = match state.listing_cache.snapshot(&state.pool).await {
        Ok(snapshot) => snapshot,
        Err(error) => return unavailable(&error),
    };
    let base = &state.origin;
    let today = snapshot.day();
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for number in 1..=file_count(&snapshot) {
        body.push_str(&format!(
            "<sitemap><loc>{base}/sitemap-{number}.xml</loc><lastmod>{today}</lastmod></sitemap>\n"
        ));
    }
    body.push_str("</sitemapindex>\n");
    xml(body)
}

/// The most sitemap files served ([`MAX_FILES`] x [`POSTINGS_PER_FILE`] open postings: 4.5 million).
pub const MAX_FILES: usize = 100;

/// Adds the routes `/sitemap-1.xml` to `/sitemap-{MAX_FILES}.xml` to `router`.
pub fn file_routes<S>(mut router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    SitemapSources: FromRef<S>,
{
    for number in 1..=MAX_FILES {
        router = router
            .route(&format!("/sitemap-{number}.xml"), get(move |state: State<SitemapSources>| file(state, number)));
    }
    router
}

/// `GET /sitemap-{number}.xml`: one sitemap file; 404 past the last.
async fn file(State(state): State<SitemapSources>, number: usize) -> Response {
    let snapshot = match state.listing_cache.snapshot(&state.pool).await {
        Ok(snapshot) => snapshot,
        Err(error) => return unavailable(&error),
    };
    if number > file_count(&snapshot) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let period = chrono::Utc::now().timestamp().div_euclid(REBUILD_SECONDS);
    let key = (number, snapshot.day(), period);
    let built =
        state.files.files.get_or_insert_async(&key, build_file(&state.pool, &snapshot, number, &state.origin)).await;
    match built {
        Ok(file) => xml(file.to_string()),
        Err(error) => unavailable(&error),
    }
}

/// Sitemap file `number` (from 1) of `snapshot`'s open postings.
async fn build_file(pool: &Pool, snapshot: &OpenPostings, number: usize, base: &str) -> Result<Arc<str>, db::Error> {
    let postings = match snapshot.id_range((number - 1) * POSTINGS_PER_FILE, POSTINGS_PER_FILE) {
        Some((first, last)) => db::open_posting_paths(pool, first, last, snapshot.day()).await?,
        None => Vec::new(),
    };
    let mut body = String::with_capacity(128 + postings.len() * 110);
    body.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    body.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    if number == 1 {
        body.push_str(&format!("<url><loc>{base}/jobs</loc><lastmod>{}</lastmod></url>\n", snapshot.day()));
    }
    for (path, posted) in postings {
        // Paths are built from ids and slugs (ASCII letters, digits, hyphens): nothing to escape.
        body.push_str(&format!("<url><loc>{base}{path}</loc><lastmod>{posted}</lastmod></url>\n"));
    }
    body.push_str("</urlset>\n");
    Ok(Arc::from(body))
}
