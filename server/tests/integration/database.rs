//! The database layer on a real SQLite file with the seed loaded.

use app::db;
use app::domain::benefits::BenefitGroup;
use app::domain::{EmploymentType, ExperienceLevel, JobFilter, JobStatus, PayUnit, WorkMode};
use chrono::{Days, Utc};
use server::seed::{self, BRIEF_ANCHOR_OFFSET_DAYS};

use crate::helpers::{GENERATED, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_briefs_posting_reads_back_with_every_field() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let job = db::get_job_detail(&app.pool, app.brief_id().await, today).await.expect("brief posting");

    assert_eq!(
        job.card.title,
        "Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)"
    );
    assert_eq!(job.card.company.name, "TikTok");
    assert_eq!(job.card.employment_type, EmploymentType::Internship);
    assert_eq!(job.card.level, ExperienceLevel::Entry);
    assert_eq!(job.status, JobStatus::Published);
    assert!(job.is_open());
    assert_eq!(job.card.posted_at, today - Days::new(BRIEF_ANCHOR_OFFSET_DAYS));
    assert_eq!((job.card.valid_through - job.card.posted_at).num_days(), 41);
    assert_eq!(job.apply_url.as_deref(), Some("https://careers.tiktok.com/"));
    assert_eq!(job.application_limit, Some(2));

    let location = &job.card.locations[0];
    assert_eq!((location.city.as_str(), location.region.as_str(), location.country.as_str()), ("San Jose", "CA", "US"));
    assert_eq!(location.work_mode, WorkMode::Remote);
    assert_eq!(job.pay_location.as_ref().map(|l| l.city_region()).as_deref(), Some("San Jose, CA"));

    let pay = job.card.pay.as_ref().expect("pay");
    assert_eq!(pay.display(), "$116,000 - $177,000 a year");
    assert_eq!((pay.annual_min(), pay.annual_max(), pay.unit()), (116_000, 177_000, PayUnit::Year));

    let headings: Vec<&str> = job.sections.iter().map(|s| s.heading.as_str()).collect();
    for heading in [
        "About TikTok",
        "Why Join Us",
        "Team Introduction",
        "Online Assessment",
        "Responsibilities",
        "Minimum Qualifications",
        "Preferred Qualifications",
        "Inclusion and Accommodations",
        "Compensation (For Pay Transparency)",
        "Benefits",
    ] {
        assert!(headings.contains(&heading), "missing section {heading}: {headings:?}");
    }
    let responsibilities = job.sections.iter().find(|s| s.heading == "Responsibilities").expect("section");
    assert_eq!(responsibilities.html.matches("<li>").count(), 9);
    assert!(responsibilities.html.contains("<strong>Design and Development:</strong>"));

    let days = |kind: &str| job.benefits.iter().find(|b| b.kind == kind).and_then(|b| b.days);
    assert_eq!(days("Paid holidays"), Some(10));
    assert_eq!(days("Paid sick days"), Some(10));
    assert_eq!(days("Paid Personal Time"), Some(17));
    assert_eq!(job.benefits.len(), 14);
    for group in [
        BenefitGroup::Health,
        BenefitGroup::Money,
        BenefitGroup::Leave,
        BenefitGroup::Insurance,
        BenefitGroup::TimeOff,
        BenefitGroup::Wellbeing,
    ] {
        assert!(job.benefits.iter().any(|b| b.group == group), "no benefit in {group:?}");
    }

    assert_eq!(job.legal_notices.len(), 1);
    assert_eq!(job.legal_notices[0].jurisdiction, "US-CA-LOS-ANGELES-COUNTY");
    assert!(job.legal_notices[0].html.contains("Fair Chance Ordinance"));
    assert_eq!(
        job.career_step,
        Some(("backend-software-engineering".to_owned(), "Backend Software Engineer, Graduate".to_owned()))
    );
    assert!(job.skills.contains(&"C++".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_career_path_keeps_the_pages_fourteen_estimates_in_order() {
    let app = TestApp::seeded().await;
    let estimates: Vec<(i64, i64)> =
        sqlx::query_as("SELECT estimate_min, estimate_max FROM career_steps ORDER BY position")
            .fetch_all(&app.pool)
            .await
            .expect("steps");
    assert_eq!(estimates.len(), 14);
    assert_eq!(estimates[0], (88_984, 115_784));
    assert_eq!(estimates[13], (153_752, 200_235));
    let moves: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM career_step_moves").fetch_one(&app.pool).await.expect("moves");
    assert!(moves >= 13);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_the_brief_twice_adds_nothing() {
    let app = TestApp::seeded().await;
    let before = db::count_postings(&app.pool).await.expect("count");
    let added = seed::load_brief(&app.pool, Utc::now().date_naive()).await.expect("second load");
    assert_eq!(added, 0);
    assert_eq!(db::count_postings(&app.pool).await.expect("count"), before);
    assert_eq!(before, 7 + GENERATED as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_leaves_out_closed_and_expired_postings() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    sqlx::query("UPDATE postings SET valid_through = ? WHERE title LIKE 'Atlas Graduate%'")
        .bind(today - Days::new(1))
        .execute(&app.pool)
        .await
        .expect("expire one");
    sqlx::query("UPDATE postings SET status = 'closed' WHERE title LIKE 'Backend Software Engineer - Spacetime'")
        .execute(&app.pool)
        .await
        .expect("close one");
    let page = db::list_open_jobs(&app.pool, &JobFilter::default(), today, 10_000).await.expect("list");
    let (jobs, total) = (page.jobs, page.total);
    assert_eq!(jobs.len() as i64, total);
    assert!(jobs.iter().all(|j| j.valid_through >= today));
    assert!(!jobs.iter().any(|j| j.title.starts_with("Atlas Graduate") || j.title.ends_with("Spacetime")));
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM postings WHERE status = 'published' AND valid_through >= ?")
            .bind(today)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(total, open);
    // Newest first.
    assert!(jobs.windows(2).all(|w| w[0].posted_at >= w[1].posted_at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_filter_returns_only_postings_there() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let filter = JobFilter { location: Some("san-jose-ca".into()), ..JobFilter::default() };
    let page = db::list_open_jobs(&app.pool, &filter, today, 10_000).await.expect("list");
    let (jobs, total) = (page.jobs, page.total);
    assert!(total >= 1);
    assert!(jobs.iter().all(|j| j.locations.iter().any(|l| l.slug() == "san-jose-ca")));
    assert!(jobs.iter().any(|j| j.company.name == "TikTok"));
    let facets = db::facets(&app.pool, &JobFilter::default(), today).await.expect("facets");
    let san_jose = facets.location.iter().find(|o| o.value == "san-jose-ca").expect("San Jose is an option");
    assert_eq!(san_jose.count, total);
    assert_eq!(san_jose.label, "San Jose, CA");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_pay_filter_compares_annualised_pay_and_drops_postings_without_pay() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let filter = JobFilter { min_pay: Some(150_000), ..JobFilter::default() };
    let page = db::list_open_jobs(&app.pool, &filter, today, 10_000).await.expect("list");
    let (jobs, total) = (page.jobs, page.total);
    assert!(total > 0);
    for job in &jobs {
        let pay = job.pay.as_ref().expect("a pay filter leaves out postings without pay");
        assert!(pay.annual_max() >= 150_000, "{} pays {}", job.title, pay.display());
    }
    let page = db::list_open_jobs(&app.pool, &JobFilter::default(), today, 10_000).await.expect("list");
    let (all, _) = (page.jobs, page.total);
    let expected = all.iter().filter(|j| j.pay.as_ref().is_some_and(|p| p.annual_max() >= 150_000)).count();
    assert_eq!(jobs.len(), expected);
    assert!(all.iter().any(|j| j.pay.is_none()), "the seed has postings without pay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generating_postings_is_deterministic_in_content() {
    let first = TestApp::empty().await;
    let second = TestApp::empty().await;
    seed::generate_postings(&first.pool, 300, 9, false).await.expect("generate");
    seed::generate_postings(&second.pool, 300, 9, false).await.expect("generate");
    let titles = |pool: app::db::Pool| async move {
        sqlx::query_scalar::<_, String>("SELECT title || '|' || COALESCE(pay.annual_min, 0) FROM postings p LEFT JOIN posting_pay pay ON pay.posting_id = p.id ORDER BY p.id")
            .fetch_all(&pool)
            .await
            .expect("titles")
    };
    let a = titles(first.pool.clone()).await;
    assert_eq!(a.len(), 300);
    assert_eq!(a, titles(second.pool.clone()).await);
    let fts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM postings_fts").fetch_one(&first.pool).await.expect("fts");
    assert_eq!(fts, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_jobs_are_nearby_or_remote_and_from_other_companies() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let job = db::get_job_detail(&app.pool, app.brief_id().await, today).await.expect("brief posting");
    assert!(!job.similar.is_empty() && job.similar.len() <= 4);
    for card in &job.similar {
        assert_ne!(card.company.slug, "tiktok");
        let first = &card.locations[0];
        assert!(first.region == "CA" || first.work_mode == WorkMode::Remote, "{} in {}", card.title, first.label());
        assert!(card.valid_through >= today);
    }
    // Same metro ranks first when there is one.
    let in_san_jose = |c: &app::domain::JobCard| c.locations.iter().any(|l| l.slug() == "san-jose-ca");
    let first_elsewhere = job.similar.iter().position(|c| !in_san_jose(c)).unwrap_or(job.similar.len());
    assert!(job.similar[first_elsewhere..].iter().all(|c| !in_san_jose(c)));
    assert_eq!(job.more_from_company.len(), 4);
    assert!(job.more_from_company.iter().all(|c| c.company.slug == "tiktok" && c.id != job.card.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_listing_summary_is_answered_at_once_and_recounted_in_the_background_when_the_data_changed() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let cache = db::ListingCache::with_max_age(std::time::Duration::ZERO);
    let filter = JobFilter::default();
    let total = |cache: db::ListingCache| {
        let pool = app.pool.clone();
        let filter = filter.clone();
        async move { cache.summary(&pool, &filter, today).await.expect("summary").total }
    };
    let close_one = || async {
        sqlx::query(
            "UPDATE postings SET status = 'closed' WHERE id = \
             (SELECT id FROM postings WHERE status = 'published' AND valid_through >= ? ORDER BY id LIMIT 1)",
        )
        .bind(today)
        .execute(&app.pool)
        .await
        .expect("close one");
    };
    let before = total(cache.clone()).await;

    // Stale but unchanged: checked against the database's version in the background, and kept.
    for _ in 0..5 {
        assert_eq!(total(cache.clone()).await, before);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(cache.recomputed(), 0, "nothing was computed again while the database did not change");
    close_one().await;

    // Behind the cache's back: the old count is answered at once, and the recount lands soon after.
    assert_eq!(total(cache.clone()).await, before, "a stale summary is answered without waiting");
    let mut seen = before;
    for _ in 0..200 {
        seen = total(cache.clone()).await;
        if seen != before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(seen, before - 1, "the background recount replaced the stale summary");
    assert!(cache.recomputed() >= 1, "the change was noticed and counted again");

    // A write through the server clears the cache: the next request counts again before answering.
    close_one().await;
    cache.clear();
    assert_eq!(total(cache.clone()).await, before - 2);
}
