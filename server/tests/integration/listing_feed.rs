//! The listing index follows the database through the change feed: after any sequence of changes it
//! equals an index loaded whole, its cached summaries equal summaries counted again, a change made by
//! another process (SQLite) or another instance (PostgreSQL) shows within a second, an index behind the
//! pruned horizon loads whole, and readers never see a change half made. Both engines.

use app::db::{self, ListingCache, OpenPostings, Pool};
use app::domain::JobFilter;
use app::domain::filter::{Sort, parse_query_string};
use chrono::Utc;
use proptest::prelude::*;
use std::time::{Duration, Instant};

use crate::helpers::TestApp;

/// One change made behind the cache's back, as any write path (or hand-written SQL) makes it; the
/// number picks the posting (any status) or company.
#[derive(Debug, Clone)]
enum Change {
    Close(usize),
    Reopen(usize),
    Expire(usize),
    RaisePay(usize, i64),
    Move(usize, usize),
    Retitle(usize),
    Delete(usize),
    Create(u64),
    RenameCompany(usize),
    MoveCareerStep(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<usize>().prop_map(Change::Close),
        any::<usize>().prop_map(Change::Reopen),
        any::<usize>().prop_map(Change::Expire),
        (any::<usize>(), 1_i64..40).prop_map(|(at, thousands)| Change::RaisePay(at, thousands * 1000)),
        (any::<usize>(), 0_usize..3).prop_map(|(at, place)| Change::Move(at, place)),
        any::<usize>().prop_map(Change::Retitle),
        any::<usize>().prop_map(Change::Delete),
        any::<u64>().prop_map(Change::Create),
        any::<usize>().prop_map(Change::RenameCompany),
        any::<usize>().prop_map(Change::MoveCareerStep),
    ]
}

/// The places a posting may move to: a city the board knows, and two it does not.
const PLACES: [(&str, &str, &str, &str); 3] = [
    ("San Jose", "CA", "san-jose-ca", "onsite"),
    ("Zed City", "ZZ", "zed-city-zz", "remote"),
    ("Yonder", "ZY", "yonder-zy", "hybrid"),
];

async fn all_ids(pool: &Pool, table: &str) -> Vec<i64> {
    let sql = format!("SELECT id FROM {table} ORDER BY id");
    crate::on_db!(pool, |p| sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone())).fetch_all(p).await)
        .expect("ids")
}

async fn execute(pool: &Pool, sql: String) {
    crate::on_db!(pool, |p| sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(p).await.map(|_| ()))
        .expect("change");
}

/// Makes `change` in the database.
async fn make(pool: &Pool, change: &Change) {
    let postings = all_ids(pool, "postings").await;
    let pick = |at: usize| postings.get(at % postings.len().max(1)).copied().unwrap_or(0);
    let sql = match change {
        Change::Close(at) => format!("UPDATE postings SET status = 'closed' WHERE id = {}", pick(*at)),
        Change::Reopen(at) => {
            format!("UPDATE postings SET status = 'published', valid_through = '2099-01-01' WHERE id = {}", pick(*at))
        }
        Change::Expire(at) => {
            let yesterday = Utc::now().date_naive() - chrono::Days::new(1);
            format!(
                "UPDATE postings SET valid_through = '{yesterday}' WHERE id = {} AND posted_at <= '{yesterday}'",
                pick(*at)
            )
        }
        Change::RaisePay(at, by) => format!(
            "UPDATE posting_pay SET annual_min = annual_min + {by}, annual_max = annual_max + {by} \
             WHERE posting_id = {}",
            pick(*at)
        ),
        Change::Move(at, place) => {
            let (city, region, slug, mode) = PLACES[*place];
            format!(
                "UPDATE posting_locations SET city = '{city}', region = '{region}', location_slug = '{slug}', \
                 work_mode = '{mode}' WHERE posting_id = {}",
                pick(*at)
            )
        }
        Change::Retitle(at) => format!("UPDATE postings SET title = title || ' Engineer' WHERE id = {}", pick(*at)),
        Change::Delete(at) => format!("DELETE FROM postings WHERE id = {}", pick(*at)),
        Change::Create(seed) => {
            server::seed::generate_postings(pool, 2, *seed, false).await.expect("generated");
            return;
        }
        Change::RenameCompany(at) => {
            let companies = all_ids(pool, "companies").await;
            let id = companies.get(at % companies.len().max(1)).copied().unwrap_or(0);
            format!("UPDATE companies SET name = name || ' Co' WHERE id = {id}")
        }
        Change::MoveCareerStep(at) => {
            let steps = all_ids(pool, "career_steps").await;
            let id = steps.get(at % steps.len().max(1)).copied().unwrap_or(0);
            // The step moves to another path (any path exists: the seed's); its postings' path changes.
            format!("UPDATE career_steps SET career_path_id = (SELECT MAX(id) FROM career_paths) WHERE id = {id}")
        }
    };
    execute(pool, sql).await;
}

/// The filters every round asks the cache for (so that their summaries are cached, then patched).
const FILTERS: [&str; 8] = [
    "",
    "region=CA",
    "region=ZZ",
    "q=engineer",
    "q=engineer&region=CA&remote=onsite",
    "min_pay=120000&type=full_time",
    "remote=remote&level=senior",
    "location=san-jose-ca&sort=pay",
];

/// Holds the cache's current index to one loaded whole now, posting by posting, and every filter's
/// summary and first pages (newest and highest pay) to those counted again from the loaded one.
async fn assert_equals_the_database(pool: &Pool, cache: &ListingCache, context: &str) {
    let today = Utc::now().date_naive();
    let patched = cache.snapshot(pool).await.expect("index");
    let loaded = OpenPostings::load(pool, today).await.expect("loaded whole");
    let patched_ids: Vec<i64> = patched.ids().collect();
    let loaded_ids: Vec<i64> = loaded.ids().collect();
    assert_eq!(patched_ids, loaded_ids, "{context}: the same open postings");
    for id in &loaded_ids {
        assert!(patched.same_posting(&loaded, *id), "{context}: posting {id} as the database has it");
    }
    for query in FILTERS {
        let filter = parse_query_string(query).filter;
        let matches = match filter.q.as_deref().and_then(db::fts_query) {
            Some(keywords) => Some(OpenPostings::keyword_matches(pool, &keywords).await.expect("matches")),
            None => None,
        };
        let summary = cache.summary(pool, &filter).await.expect("summary");
        assert_eq!(*summary, loaded.summarize(&filter, matches.as_deref()), "{context}: summary of {query:?}");
        for sort in [Sort::Newest, Sort::Pay] {
            let sorted = JobFilter { sort: Some(sort), ..filter.clone() };
            let (cards, _) = cache.page(pool, &sorted, 30).await.expect("page");
            let served: Vec<i64> = cards.iter().map(|card| card.id).collect();
            let (expected, _) = loaded.page(&sorted, matches.as_deref(), sort, 30);
            assert_eq!(served, expected, "{context}: first page of {query:?} by {sort:?}");
        }
    }
}

#[test]
fn the_patched_index_equals_the_database_after_any_changes() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let app = runtime.block_on(TestApp::seeded());
    let cache = ListingCache::default();
    runtime.block_on(assert_equals_the_database(&app.pool, &cache, "at start"));
    let config = ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let outcome = runner.run(&proptest::collection::vec(change(), 1..8), |changes| {
        runtime.block_on(async {
            for change in &changes {
                make(&app.pool, change).await;
            }
            cache.refresh(&app.pool).await.expect("feed applied");
            assert_equals_the_database(&app.pool, &cache, &format!("after {changes:?}")).await;
        });
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    // A company's new slug: its filter finds its postings under the new one only.
    runtime.block_on(async {
        let company = parse_query_string("company=tiktok").filter;
        let before = cache.summary(&app.pool, &company).await.expect("summary").total;
        assert!(before > 0, "the brief's company has open postings");
        execute(&app.pool, "UPDATE companies SET slug = 'tiktok-us' WHERE slug = 'tiktok'".to_owned()).await;
        cache.refresh(&app.pool).await.expect("feed applied");
        assert_eq!(cache.summary(&app.pool, &company).await.expect("summary").total, 0, "the old slug names nobody");
        let renamed = parse_query_string("company=tiktok-us").filter;
        assert_eq!(cache.summary(&app.pool, &renamed).await.expect("summary").total, before);
        assert_equals_the_database(&app.pool, &cache, "after a company's new slug").await;
    });
    assert_eq!(cache.snapshot_loads(), 1, "every change was patched in; the board was never loaded again");
    assert!(cache.patches_applied() >= 20, "the rounds were patches ({})", cache.patches_applied());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_days_roll_over_takes_out_what_closed_as_a_patch() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let index = OpenPostings::load(&app.pool, today).await.expect("loaded");
    let later = today + chrono::Days::new(40);
    let (rolled, patches) = index.rolled_over(later);
    let loaded = OpenPostings::load(&app.pool, later).await.expect("loaded on the later day");
    assert!(!patches.is_empty() && rolled.len() < index.len(), "some postings close within 40 days");
    assert_eq!(rolled.ids().collect::<Vec<_>>(), loaded.ids().collect::<Vec<_>>());
    assert_eq!(rolled.day(), later);
    for query in FILTERS.iter().filter(|query| !query.contains("q=")) {
        let filter = parse_query_string(query).filter;
        assert_eq!(rolled.summarize(&filter, None), loaded.summarize(&filter, None), "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_behind_the_pruned_horizon_loads_whole_and_then_equals_the_database() {
    let app = TestApp::seeded().await;
    let cache = ListingCache::default();
    assert_equals_the_database(&app.pool, &cache, "at start").await;
    make(&app.pool, &Change::Close(3)).await;
    make(&app.pool, &Change::Move(5, 1)).await;
    // On PostgreSQL the pruner leaves the rows of transactions some snapshot may still not see: other tests'
    // transactions on the same database can hold that back for a moment.
    let mut pruned = 0;
    for _ in 0..100 {
        pruned += db::prune_listing_changes(&app.pool, 0, 1).await.expect("pruned");
        if pruned >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(pruned >= 2, "every row pruned ({pruned})");
    assert!(cache.refresh(&app.pool).await.expect("refresh"));
    assert_eq!(cache.snapshot_loads(), 2, "the index loaded whole once more");
    assert_equals_the_database(&app.pool, &cache, "after the reload").await;
    // And follows the feed again from there.
    make(&app.pool, &Change::Close(7)).await;
    cache.refresh(&app.pool).await.expect("refresh");
    assert_eq!(cache.snapshot_loads(), 2);
    assert_equals_the_database(&app.pool, &cache, "after a patch").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_another_process_or_instance_shows_within_a_second() {
    let app = TestApp::seeded().await;
    // The router's cache, with its refresher running, is one instance; a second pool of its own (another
    // process on SQLite, another instance on PostgreSQL) makes the change.
    let cache = &app.cache;
    cache.refresh(&app.pool).await.expect("caught up with the seed");
    let before = cache.summary(&app.pool, &JobFilter::default()).await.expect("summary").total;
    let other = db::connect(&app.database_url, 2).await.expect("another pool");
    let id: i64 = crate::on_db!(other, |p| sqlx::query_scalar(
        "SELECT MIN(id) FROM postings WHERE status = 'published' AND valid_through >= '2026-12-31'"
    )
    .fetch_one(p)
    .await)
    .expect("an open posting");
    let started = Instant::now();
    execute(&other, format!("UPDATE postings SET status = 'closed' WHERE id = {id}")).await;
    let mut seen = before;
    while started.elapsed() < Duration::from_secs(5) {
        seen = cache.summary(&app.pool, &JobFilter::default()).await.expect("summary").total;
        if seen != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let waited = started.elapsed();
    assert_eq!(seen, before - 1, "the change showed");
    assert!(waited < Duration::from_secs(1), "within a second ({waited:?})");
    assert_eq!(app.cache.snapshot_loads(), 1, "as a patch");
    let detail = app.get("/api/v1/jobs").await;
    assert!(!detail.body.contains(&format!("\"id\":{id},")), "the API no longer lists it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_a_change_half_made() {
    let app = TestApp::seeded().await;
    let cache = ListingCache::default();
    let region = |code: &str| parse_query_string(&format!("region={code}")).filter;
    // Eight postings move together, in one transaction each time, between two regions nobody else uses.
    let moving: Vec<i64> = all_ids(&app.pool, "postings").await.into_iter().take(8).collect();
    let list = moving.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    execute(
        &app.pool,
        format!(
            "UPDATE postings SET status = 'published', valid_through = '2099-01-01' WHERE id IN ({list}); \
             UPDATE posting_locations SET region = 'ZY', city = 'Yonder', location_slug = 'yonder-zy' \
             WHERE posting_id IN ({list})"
        ),
    )
    .await;
    cache.refresh(&app.pool).await.expect("refresh");
    let writer = {
        let pool = app.pool.clone();
        let list = list.clone();
        tokio::spawn(async move {
            for round in 0..40 {
                let (from, to, city, slug) =
                    if round % 2 == 0 { ("ZY", "ZZ", "Zed", "zed-zz") } else { ("ZZ", "ZY", "Yonder", "yonder-zy") };
                let sql = format!(
                    "UPDATE posting_locations SET region = '{to}', city = '{city}', location_slug = '{slug}' \
                     WHERE posting_id IN ({list}) AND region = '{from}'"
                );
                crate::on_db!(pool, |p| {
                    let mut tx = p.begin().await.expect("begin");
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone())).execute(&mut *tx).await.map(|_| ()).expect("move");
                    tx.commit().await
                })
                .expect("commit");
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() || reads < 40 {
        cache.refresh(&app.pool).await.expect("refresh");
        let listing = |code: &'static str| {
            let cache = cache.clone();
            let pool = app.pool.clone();
            let filter = region(code);
            async move { cache.listing(&pool, &filter, 30).await.expect("listing") }
        };
        let (zy, zz) = (listing("ZY").await, listing("ZZ").await);
        for part in [&zy, &zz] {
            assert!(part.summary.total == 0 || part.summary.total == 8, "all eight or none: {}", part.summary.total);
            assert_eq!(part.jobs.len() as i64, part.summary.total, "the page agrees with its summary");
        }
        assert_eq!(zy.summary.total + zz.summary.total, 8, "the eight are in one region or the other");
        reads += 1;
    }
    writer.await.expect("writer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_to_start_when_the_listing_index_would_not_fit_its_memory_cap() {
    let app = TestApp::seeded().await;
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
        .args(["serve", "--addr", "127.0.0.1:0", "--listing-memory-mb", "0"])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .env("JOBBOARD_ALERT_SWEEP_SECONDS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("status") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = server.kill();
            panic!("the server started although its listing index does not fit");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut said = String::new();
    if let Some(mut stderr) = server.stderr.take() {
        std::io::Read::read_to_string(&mut stderr, &mut said).expect("stderr");
    }
    assert!(!status.success(), "it did not start");
    assert!(
        said.contains("open postings would take about") && said.contains("--listing-memory-mb"),
        "it says why: {said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writers_next_page_shows_their_change_while_nobody_else_waits() {
    use axum::body::Body;
    use tower::ServiceExt;
    let app = TestApp::seeded().await;
    // An index with no refresher: only a request that carries the writer's position moves it.
    let cache = ListingCache::default();
    cache.snapshot(&app.pool).await.expect("loaded");
    let counted = {
        let cache = cache.clone();
        let pool = app.pool.clone();
        move || {
            let cache = cache.clone();
            let pool = pool.clone();
            async move { cache.snapshot(&pool).await.map(|index| index.len().to_string()).unwrap_or_default() }
        }
    };
    let router =
        axum::Router::new().route("/count", axum::routing::get(counted)).layer(axum::middleware::from_fn_with_state(
            server::own_writes::OwnWrites { cache: cache.clone(), pool: app.pool.clone() },
            server::own_writes::wait_for_own_writes,
        ));
    let count = |cookie: Option<String>| {
        let router = router.clone();
        async move {
            let mut request = axum::http::Request::get("/count");
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let answer = router.oneshot(request.body(Body::empty()).expect("request")).await.expect("answer");
            let body = http_body_util::BodyExt::collect(answer.into_body()).await.expect("body").to_bytes();
            String::from_utf8_lossy(&body).parse::<usize>().expect("a count")
        }
    };
    let before = count(None).await;
    let open: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT MIN(id) FROM postings WHERE status = 'published' AND valid_through >= '2026-12-31'"
    )
    .fetch_one(p)
    .await)
    .expect("an open posting");
    execute(&app.pool, format!("UPDATE postings SET status = 'closed' WHERE id = {open}")).await;
    let mut written = axum::response::Response::new(Body::empty());
    server::own_writes::remember(&app.pool, &cache, false, &mut written).await;
    let cookie = written.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("a cookie").to_owned();
    assert!(cookie.starts_with("listing_seen=") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(count(None).await, before, "anybody else is answered at once, from the index as it is");
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    assert_eq!(count(Some(pair)).await, before - 1, "the writer's next page shows the change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_load_of_more_postings_than_one_query_names_is_patched_in() {
    let app = TestApp::seeded().await;
    let cache = ListingCache::default();
    assert_equals_the_database(&app.pool, &cache, "at start").await;
    // More changed postings than one read names (4,000 ids a query): they come back in several documents.
    server::seed::generate_postings(&app.pool, 4_500, 99, false).await.expect("generated");
    assert!(cache.refresh(&app.pool).await.expect("feed applied"));
    assert_eq!(cache.snapshot_loads(), 1, "patched, not loaded whole");
    assert_equals_the_database(&app.pool, &cache, "after 4,500 new postings").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_that_failed_is_applied_whole_at_the_next_read() {
    let app = TestApp::seeded().await;
    let cache = ListingCache::default();
    assert_equals_the_database(&app.pool, &cache, "at start").await;
    make(&app.pool, &Change::Close(3)).await;
    make(&app.pool, &Change::Close(9)).await;
    // The feed reads, but reading the changed postings again fails (their pay table is away).
    execute(&app.pool, "ALTER TABLE posting_pay RENAME TO posting_pay_away".to_owned()).await;
    assert!(cache.refresh(&app.pool).await.is_err(), "the patch failed");
    execute(&app.pool, "ALTER TABLE posting_pay_away RENAME TO posting_pay".to_owned()).await;
    cache.refresh(&app.pool).await.expect("applied at the next read");
    assert_equals_the_database(&app.pool, &cache, "after the failed patch and the next read").await;
}
