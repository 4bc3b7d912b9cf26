//! Every filter of the listing, alone and combined, against hand-made fixture postings with exact
//! expected ids; pay-overlap boundaries; keyset paging.

use app::db::{self, Pool};
use app::domain::filter::{ListingSummary, parse_query_string};
use app::domain::{
    Currency, EmploymentType, ExperienceLevel, JobFilter, JobStatus, Location, NewCompany, NewJob, Pay, PayUnit,
    PostingParts, WorkMode,
};
use chrono::{Days, NaiveDate, Utc};

use axum::http::StatusCode;

use crate::helpers::TestApp;

struct Fixture {
    app: TestApp,
    today: NaiveDate,
    /// Ids of: rust (San Jose, onsite, senior, $150k-$200k), go (Seattle, remote, contract, $60-$80/h),
    /// nurse (Austin, part time, entry, no pay), analyst (Fremont, hybrid, entry, $80k-$100k).
    rust: i64,
    go: i64,
    nurse: i64,
    analyst: i64,
}

#[allow(clippy::too_many_arguments)]
fn job(
    title: &str,
    company: &str,
    place: (&str, &str, WorkMode),
    kind: EmploymentType,
    level: ExperienceLevel,
    pay: Option<Pay>,
    age_days: u64,
    today: NaiveDate,
) -> PostingParts {
    let posted_at = today - Days::new(age_days);
    PostingParts {
        title: title.to_owned(),
        company_slug: company.to_owned(),
        employment_type: kind,
        level,
        status: JobStatus::Published,
        posted_at,
        valid_through: posted_at + Days::new(40),
        apply_url: None,
        apply_email: None,
        applies_on_site: false,
        locations: vec![Location::new(place.0, place.1, "US", place.2).expect("location")],
        pay_location: pay.as_ref().map(|_| 0),
        pay,
        sections: vec![],
        benefits: vec![],
        skills: vec![],
        career_step: None,
        legal_notices: vec![],
    }
}

async fn fixture() -> Fixture {
    let app = TestApp::empty().await;
    let today = Utc::now().date_naive();
    let usd = Currency::usd;
    let mut tx = db::Transaction::begin(&app.pool).await.expect("tx");
    for slug in ["acme", "globex"] {
        let company = NewCompany {
            name: slug.to_uppercase(),
            slug: slug.into(),
            about: String::new(),
            website: None,
            application_limit: None,
        };
        db::upsert_company(&mut tx, &company).await.expect("company");
    }
    let mut closed = job(
        "Closed Rust Role",
        "acme",
        ("San Jose", "CA", WorkMode::Onsite),
        EmploymentType::FullTime,
        ExperienceLevel::Senior,
        None,
        2,
        today,
    );
    closed.status = JobStatus::Closed;
    let mut expired = job(
        "Expired Rust Role",
        "acme",
        ("San Jose", "CA", WorkMode::Onsite),
        EmploymentType::FullTime,
        ExperienceLevel::Senior,
        None,
        60,
        today,
    );
    expired.valid_through = today - Days::new(1);
    let mut rust = job(
        "Rust Backend Engineer",
        "acme",
        ("San Jose", "CA", WorkMode::Onsite),
        EmploymentType::FullTime,
        ExperienceLevel::Senior,
        Some(Pay::from_whole(150_000, 200_000, usd(), PayUnit::Year).expect("pay")),
        1,
        today,
    );
    rust.skills = vec!["Rust".into()];
    let jobs = vec![
        rust,
        job(
            "Go Developer",
            "globex",
            ("Seattle", "WA", WorkMode::Remote),
            EmploymentType::Contract,
            ExperienceLevel::Mid,
            Some(Pay::from_whole(60, 80, usd(), PayUnit::Hour).expect("pay")),
            5,
            today,
        ),
        job(
            "Registered Nurse",
            "acme",
            ("Austin", "TX", WorkMode::Onsite),
            EmploymentType::PartTime,
            ExperienceLevel::Entry,
            None,
            10,
            today,
        ),
        job(
            "Data Analyst",
            "globex",
            ("Fremont", "CA", WorkMode::Hybrid),
            EmploymentType::FullTime,
            ExperienceLevel::Entry,
            Some(Pay::from_whole(80_000, 100_000, usd(), PayUnit::Year).expect("pay")),
            20,
            today,
        ),
        closed,
        expired,
    ];
    let jobs: Vec<NewJob> = jobs.into_iter().map(|parts| NewJob::new(parts).expect("a valid posting")).collect();
    let ids = db::insert_jobs(&mut tx, &jobs).await.expect("insert");
    tx.commit().await.expect("commit");
    Fixture { app, today, rust: ids[0], go: ids[1], nurse: ids[2], analyst: ids[3] }
}

async fn ids(pool: &Pool, today: NaiveDate, query: &str) -> Vec<i64> {
    let parsed = parse_query_string(query);
    let page = db::list_open_jobs(pool, &parsed.filter, today, 100).await.expect("list");
    let ids: Vec<i64> = page.jobs.iter().map(|j| j.id).collect();
    assert_eq!(page.total, ids.len() as i64, "{query}: total");
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_filter_alone_and_combined_selects_exactly_the_matching_postings() {
    let f = fixture().await;
    let (rust, go, nurse, analyst) = (f.rust, f.go, f.nurse, f.analyst);
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("", vec![rust, go, nurse, analyst]),
        ("location=san-jose-ca", vec![rust]),
        ("region=CA", vec![rust, analyst]),
        ("region=ca", vec![rust, analyst]),
        ("remote=remote", vec![go]),
        ("remote=remote&remote=hybrid", vec![go, analyst]),
        ("remote=onsite", vec![rust, nurse]),
        ("type=contract", vec![go]),
        ("type=full_time&type=part_time", vec![rust, nurse, analyst]),
        ("level=entry", vec![nurse, analyst]),
        ("posted_within=1", vec![rust]),
        ("posted_within=7", vec![rust, go]),
        ("posted_within=30", vec![rust, go, nurse, analyst]),
        ("company=globex", vec![go, analyst]),
        ("q=rust", vec![rust]),
        ("q=NURSE", vec![nurse]),
        ("q=globex", vec![go, analyst]),
        ("q=%22", vec![rust, go, nurse, analyst]),
        ("q=NEAR(", vec![]),
        ("q=%22rust%22+OR+*", vec![]),
        ("q=data+analyst", vec![analyst]),
        ("region=CA&level=entry", vec![analyst]),
        ("type=full_time&min_pay=90000", vec![rust, analyst]),
        ("company=acme&remote=onsite&posted_within=7", vec![rust]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(&f.app.pool, f.today, query).await, expected, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_filters_match_overlapping_annual_ranges_at_their_boundaries() {
    let f = fixture().await;
    let (rust, go, analyst) = (f.rust, f.go, f.analyst);
    // $60-$80 an hour is $124,800-$166,400 a year.
    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("min_pay=166400", vec![rust, go]),
        ("min_pay=166401", vec![rust]),
        ("max_pay=80000", vec![analyst]),
        ("max_pay=79999", vec![]),
        ("min_pay=100000&max_pay=124800", vec![go, analyst]),
        ("min_pay=100001&max_pay=124799", vec![]),
        ("min_pay=200000&max_pay=200000", vec![rust]),
        ("min_pay=0", vec![rust, go, analyst]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(&f.app.pool, f.today, query).await, expected, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_by_pay_puts_postings_without_pay_last() {
    let f = fixture().await;
    assert_eq!(ids(&f.app.pool, f.today, "sort=pay").await, vec![f.rust, f.go, f.analyst, f.nurse]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_paging_visits_every_match_once_in_every_order() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    for query in ["", "sort=pay", "q=engineer", "q=engineer&sort=newest", "region=CA&sort=pay"] {
        let filter = parse_query_string(query).filter;
        let everything = db::list_open_jobs(&app.pool, &filter, today, 10_000).await.expect("all");
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page =
                db::list_open_jobs(&app.pool, &filter.with_cursor(cursor.clone()), today, 7).await.expect("page");
            assert_eq!(page.total, everything.total, "{query}: the total does not change with the page");
            seen.extend(page.jobs.iter().map(|j| j.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<i64> = everything.jobs.iter().map(|j| j.id).collect();
        assert!(expected.len() > 7, "{query}: more than one page");
        assert_eq!(seen, expected, "{query}: pages in order, each posting once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_foreign_cursor_starts_from_the_first_page() {
    let f = fixture().await;
    for after in ["garbage", "p.1.1", "n.not-a-date.3", "r.zz.1"] {
        assert_eq!(ids(&f.app.pool, f.today, &format!("after={after}")).await.len(), 4, "{after}");
    }
}

/// The summary of the postings matching `query`, counted in memory as the listing serves it, after checking
/// that it is what the SQL definition counts.
async fn summary(pool: &Pool, query: &str, today: NaiveDate) -> ListingSummary {
    let filter = parse_query_string(query).filter;
    let snapshot = db::OpenPostings::load(pool, today).await.expect("snapshot");
    let matches = match filter.q.as_deref().and_then(db::fts_query) {
        Some(keywords) => Some(db::OpenPostings::keyword_matches(pool, &keywords).await.expect("matches")),
        None => None,
    };
    let counted = snapshot.summarize(&filter, matches.as_deref());
    let defined = ListingSummary {
        total: db::count_open_jobs(pool, &filter, today).await.expect("count"),
        facets: db::facets(pool, &filter, today).await.expect("facets"),
        pay: db::pay_histogram(pool, &filter, today).await.expect("histogram"),
    };
    assert_eq!(counted, defined, "{query}: counted in memory as in SQL");
    counted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_counted_in_memory_equal_the_sql_definition_for_every_kind_of_filter() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let queries = [
        "",
        "q=engineer",
        "q=engineer&remote=remote",
        "q=nurse&region=CA",
        "q=no-such-word-anywhere",
        "location=san-jose-ca",
        "location=nowhere-zz",
        "region=CA&remote=hybrid&remote=onsite",
        "region=ZZ",
        "min_pay=120000",
        "max_pay=90000",
        "min_pay=100000&max_pay=150000&type=full_time",
        "type=contract&type=part_time&level=senior",
        "level=entry&posted_within=7",
        "posted_within=1",
        "company=tiktok",
        "company=no-such-company",
        "q=engineer&location=san-jose-ca&min_pay=100000&type=full_time&level=mid&posted_within=30&remote=onsite",
    ];
    let mut nonempty = 0;
    for query in queries {
        let counted = summary(&app.pool, query, today).await;
        if counted.total > 0 {
            nonempty += 1;
        }
    }
    assert!(nonempty >= 10, "the demo data matches most of these filters ({nonempty})");

    // The cache serves the same summary, and a refresh after a write counts from a new snapshot.
    let cache = db::ListingCache::default();
    let before = cache.summary(&app.pool, &JobFilter::default()).await.expect("summary").total;
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET status = 'closed' WHERE id = (SELECT MIN(id) FROM postings WHERE status = 'published')",
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("close");
    assert!(cache.refresh(&app.pool).await.expect("refresh"), "the write is in the change feed");
    let after = cache.summary(&app.pool, &JobFilter::default()).await.expect("summary").total;
    assert_eq!(after, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_count_each_choice_with_the_other_filters_kept() {
    let f = fixture().await;
    let facets = summary(&f.app.pool, "region=CA&remote=hybrid&type=full_time", f.today).await.facets;
    let count = |list: &[app::domain::filter::FacetCount], value: &str| app::domain::filter::Facets::count(list, value);
    // Work mode: its own choice is ignored, region and type kept: rust (on-site) and analyst (hybrid).
    assert_eq!(
        (count(&facets.remote, "onsite"), count(&facets.remote, "hybrid"), count(&facets.remote, "remote")),
        (1, 1, 0)
    );
    // Type: region and work mode kept: only the analyst (hybrid, CA, full time).
    assert_eq!(count(&facets.employment_type, "full_time"), 1);
    assert_eq!(count(&facets.employment_type, "contract"), 0);
    // Location: everything but the location kept.
    assert_eq!(count(&facets.location, "fremont-ca"), 1);
    assert_eq!(count(&facets.location, "san-jose-ca"), 0);
    assert_eq!(facets.location.iter().find(|l| l.value == "fremont-ca").map(|l| l.label.as_str()), Some("Fremont, CA"));
    // Region: work mode and type kept: only the analyst (hybrid, full time) in CA.
    assert_eq!((count(&facets.region, "CA"), count(&facets.region, "WA"), count(&facets.region, "TX")), (1, 0, 0));
    // Level: the analyst is entry level.
    assert_eq!(count(&facets.level, "entry"), 1);
    assert_eq!(count(&facets.level, "senior"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pay_histogram_counts_annual_midpoints_of_the_matches() {
    let f = fixture().await;
    let histogram = summary(&f.app.pool, "", f.today).await.pay;
    // Midpoints: analyst $90,000; go $145,600 ($60-$80 an hour); rust $175,000. The nurse posts no pay.
    assert_eq!(histogram.paid, 3);
    assert_eq!(histogram.median, Some(145_600));
    assert_eq!(histogram.buckets, vec![(80_000, 1), (100_000, 0), (120_000, 0), (140_000, 1), (160_000, 1)]);
    let filtered = summary(&f.app.pool, "region=CA", f.today).await.pay;
    assert_eq!((filtered.paid, filtered.median), (2, Some(175_000)));
    let none = summary(&f.app.pool, "q=nurse", f.today).await.pay;
    assert_eq!((none.paid, none.median, none.buckets.len()), (0, None, 0));

    let page = f.app.get("/jobs").await;
    assert!(page.body.contains("Median pay $145,600 a year across 3 matching jobs that post pay."));
    assert_eq!(page.body.matches("<rect").count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_pages_from_its_snapshot_and_cached_orders_exactly_as_from_sql() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let cache = db::ListingCache::default();
    let card_ids = |cards: &[app::domain::JobCard]| cards.iter().map(|c| c.id).collect::<Vec<_>>();
    let queries = [
        // Keyword searches: the cached relevance order, and the snapshot's orders with the cached matches.
        "q=engineer",
        "q=engineer&remote=remote",
        "q=engineer&region=CA",
        "q=engineer&sort=pay",
        "q=engineer&sort=newest&region=CA",
        "q=engineer&sort=pay&min_pay=100000",
        // Without keywords: the snapshot's orders.
        "",
        "sort=pay",
        "region=CA&sort=pay",
        "min_pay=90000&type=full_time",
        "remote=remote&remote=hybrid&level=mid&level=senior&sort=newest",
        "posted_within=30&max_pay=150000&sort=pay",
        "q=!!!&region=CA",
    ];
    for query in queries {
        let filter = parse_query_string(query).filter;
        let (mut cursor, mut pages) = (None, 0);
        loop {
            let at = filter.with_cursor(cursor.clone());
            let (sql_cards, sql_next) = db::open_jobs_page(&app.pool, &at, today, 5).await.expect("sql page");
            let (cached_cards, cached_next) = cache.page(&app.pool, &at, 5).await.expect("cached page");
            assert_eq!(card_ids(&cached_cards), card_ids(&sql_cards), "{query}, page {pages}: the same cards");
            assert_eq!(cached_next, sql_next, "{query}, page {pages}: the same next cursor");
            pages += 1;
            match sql_next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert!(pages > 1, "{query}: more than one page");
    }

    // A write moves the listing version: after the refresh, a closed posting leaves the cached order.
    let filter = parse_query_string("q=engineer").filter;
    let first = cache.page(&app.pool, &filter, 5).await.expect("page").0[0].id;
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE postings SET status = 'closed' WHERE id = $1")
        .bind(first)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("close");
    assert!(cache.refresh(&app.pool).await.expect("refresh"));
    let after = card_ids(&cache.page(&app.pool, &filter, 5).await.expect("page").0);
    assert!(!after.contains(&first), "the closed posting is gone from the search");
    assert_eq!(after, card_ids(&db::open_jobs_page(&app.pool, &filter, today, 5).await.expect("sql").0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_posting_with_outlandish_pay_cannot_stretch_the_histogram() {
    let app = TestApp::seeded().await;
    // The highest pay the database accepts, on one posting: before, its 20,000-dollar buckets ran up
    // to it (450 bars; a typed-in "$150,000 an hour" gave 16,120).
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE posting_pay SET min_amount = 900000000, max_amount = 1000000000, unit = 'YEAR', currency = 'USD', \
         annual_min = 9000000, annual_max = 10000000 WHERE posting_id = (SELECT MIN(posting_id) FROM posting_pay)",
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("outlier");
    let page = app.get("/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    let bars = page.body.matches("<rect").count();
    assert!((2..=app::domain::filter::MAX_PAY_BARS).contains(&bars), "{bars} bars");
    assert!(page.body.contains(" and up: "), "the outlier sits in the open-ended top bar");
    assert!(page.body.len() < 200_000, "{} bytes", page.body.len());

    // The database refuses what the domain refuses.
    let refused =
        crate::on_db!(app.pool, |p| sqlx::query("UPDATE posting_pay SET annual_max = 10000001 WHERE currency = 'USD'")
            .execute(p)
            .await
            .map(|done| done.rows_affected()));
    assert!(refused.is_err(), "the CHECK on annual pay holds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spellings_of_one_search_share_one_cache_entry_and_junk_keywords_stay_within_the_byte_bound() {
    let app = TestApp::seeded().await;
    let cache = db::ListingCache::default();
    let summary = |query: &str| {
        let (cache, pool, filter) = (cache.clone(), app.pool.clone(), parse_query_string(query).filter);
        async move { cache.listing(&pool, &filter, 30).await.expect("listing").summary.total }
    };
    let first = summary("q=engineer&type=full_time&type=contract").await;
    let bytes = cache.cached_bytes();
    for spelling in
        ["q=Engineer!&type=contract&type=full_time", "q=ENGINEER.&type=full_time&type=contract", "q=engineer"]
    {
        let total = summary(spelling).await;
        if spelling != "q=engineer" {
            assert_eq!(total, first, "{spelling}");
            assert_eq!(cache.cached_bytes(), bytes, "{spelling}: answered from the same entries");
        }
    }

    // A thousand distinct junk searches: each result, empty ones included, weighs something, and the
    // caches never hold more than their stated bound.
    for i in 0..1_000 {
        summary(&format!("q=zq{i}x{}", "y".repeat(150))).await;
    }
    let after = cache.cached_bytes();
    assert!(after > bytes + 1_000 * 150, "empty results weigh their keys: {after} bytes");
    assert!(after <= db::ListingCache::cached_bytes_bound(), "{after} bytes");
}
