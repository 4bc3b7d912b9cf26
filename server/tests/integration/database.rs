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
    let estimates: Vec<(i64, i64)> = crate::on_db!(app.pool, |p| sqlx::query_as(
        "SELECT estimate_min, estimate_max FROM career_steps ORDER BY position"
    )
    .fetch_all(p)
    .await)
    .expect("steps");
    assert_eq!(estimates.len(), 14);
    assert_eq!(estimates[0], (88_984, 115_784));
    assert_eq!(estimates[13], (153_752, 200_235));
    let moves: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM career_step_moves").fetch_one(p).await)
            .expect("moves");
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
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET valid_through = $1 WHERE title LIKE 'Atlas Graduate%'"
    )
    .bind(today - Days::new(1))
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("expire one");
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET status = 'closed' WHERE title LIKE 'Backend Software Engineer - Spacetime'"
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("close one");
    let page = db::list_open_jobs(&app.pool, &JobFilter::default(), today, 10_000).await.expect("list");
    let (jobs, total) = (page.jobs, page.total);
    assert_eq!(jobs.len() as i64, total);
    assert!(jobs.iter().all(|j| j.valid_through >= today));
    assert!(!jobs.iter().any(|j| j.title.starts_with("Atlas Graduate") || j.title.ends_with("Spacetime")));
    let open: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM postings WHERE status = 'published' AND valid_through >= $1"
    )
    .bind(today)
    .fetch_one(p)
    .await)
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
        crate::on_db!(pool, |p| sqlx::query_scalar::<_, String>("SELECT title || '|' || COALESCE(pay.annual_min, 0) FROM postings p LEFT JOIN posting_pay pay ON pay.posting_id = p.id ORDER BY p.id")
            .fetch_all(p)
            .await)
            .expect("titles")
    };
    let a = titles(first.pool.clone()).await;
    assert_eq!(a.len(), 300);
    assert_eq!(a, titles(second.pool.clone()).await);
    let fts: i64 =
        crate::on_db!(first.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM postings_fts").fetch_one(p).await)
            .expect("fts");
    assert_eq!(fts, 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_jobs_are_nearby_or_remote_and_from_other_companies() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let snapshot = db::OpenPostings::load(&app.pool, today).await.expect("snapshot");
    let mut job = db::get_job_detail(&app.pool, app.brief_id().await, today).await.expect("brief posting");
    db::add_related_jobs(&app.pool, &snapshot, &mut job).await.expect("related jobs");
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
    let newest: Vec<i64> =
        db::list_open_jobs(&app.pool, &app::domain::filter::parse_query_string("company=tiktok").filter, today, 5)
            .await
            .expect("company's postings")
            .jobs
            .iter()
            .map(|card| card.id)
            .filter(|id| *id != job.card.id)
            .take(4)
            .collect();
    assert_eq!(job.more_from_company.iter().map(|c| c.id).collect::<Vec<_>>(), newest, "the company's newest");
}

/// What orders a similar job: whether it is in the posting's metro, and on its career path.
fn similar_tier(
    card: &app::domain::JobCard,
    detail: &app::domain::JobDetail,
    path_of: &std::collections::HashMap<i64, Option<i64>>,
) -> (bool, bool) {
    let metros: Vec<String> = detail.card.locations.iter().map(|l| l.slug()).collect();
    let same_metro = card.locations.iter().any(|l| metros.contains(&l.slug()));
    let same_path =
        detail.career_path_id.is_some() && path_of.get(&card.id).copied().flatten() == detail.career_path_id;
    (same_metro, same_path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_jobs_from_memory_rank_like_the_sql_definition_for_every_posting() {
    let app = TestApp::seeded().await;
    let today = Utc::now().date_naive();
    let snapshot = db::OpenPostings::load(&app.pool, today).await.expect("snapshot");
    let paths: Vec<(i64, Option<i64>)> = crate::on_db!(app.pool, |p| sqlx::query_as(
        "SELECT p.id, s.career_path_id FROM postings p LEFT JOIN career_steps s ON s.id = p.career_step_id",
    )
    .fetch_all(p)
    .await)
    .expect("paths");
    let path_of: std::collections::HashMap<i64, Option<i64>> = paths.into_iter().collect();
    let (mut compared, mut with_similar) = (0, 0);
    for &id in path_of.keys() {
        let Ok(mut detail) = db::get_job_detail(&app.pool, id, today).await else { continue };
        let mut regions: Vec<String> = detail.card.locations.iter().map(|l| l.region.clone()).collect();
        regions.sort();
        regions.dedup();
        let to = db::SimilarTo {
            id,
            company_slug: &detail.card.company.slug.clone(),
            title: &detail.card.title.clone(),
            career_path: detail.career_path_id,
            location_slugs: detail.card.locations.iter().map(|l| l.slug()).collect(),
            regions,
        };
        let defined = db::similar_jobs_in_sql(&app.pool, &to, today, 4).await.expect("similar in SQL");
        db::add_related_jobs(&app.pool, &snapshot, &mut detail).await.expect("similar in memory");
        // The same number of results, and the same tiers (same metro, same career path) in the same order:
        // only the order within a tier (title closeness) is computed differently.
        let tiers = |cards: &[app::domain::JobCard]| {
            cards.iter().map(|card| similar_tier(card, &detail, &path_of)).collect::<Vec<_>>()
        };
        assert_eq!(tiers(&detail.similar), tiers(&defined), "posting {id}: {:?}", detail.card.title);
        compared += 1;
        with_similar += usize::from(!defined.is_empty());
    }
    assert!(compared > 200 && with_similar > 150, "{compared} postings compared, {with_similar} with similar jobs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_index_is_loaded_once_and_then_patched_from_the_change_feed() {
    let app = TestApp::seeded().await;
    let cache = db::ListingCache::default();
    let filter = JobFilter::default();
    let before = cache.summary(&app.pool, &filter).await.expect("summary").total;
    assert_eq!(cache.snapshot_loads(), 1);

    // Writes that the listing does not show (an alert sign-up, a session) leave the snapshot alone, and a
    // new filter's summary after them is counted from the snapshot in place: no request reloads it.
    crate::on_db!(app.pool, |p| sqlx::query(
        "INSERT INTO alerts (email, career_path_id, created_at) SELECT 'someone@example.com', MIN(id), 0 \
         FROM career_paths",
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("alert saved");
    assert!(!cache.refresh(&app.pool).await.expect("refresh"), "an alert sign-up is not a listing change");
    let narrow = app::domain::filter::parse_query_string("region=CA&level=mid").filter;
    cache.summary(&app.pool, &narrow).await.expect("summary");
    assert_eq!(cache.snapshot_loads(), 1, "neither the sign-up nor the new filter reloaded the snapshot");

    // A posting closed behind the cache's back (another process, say) appends to the change feed, and the
    // refresher's next read patches it in.
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET status = 'closed' WHERE id = \
         (SELECT MIN(id) FROM postings WHERE status = 'published' AND valid_through >= date('now'))",
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("close one");
    assert_eq!(cache.summary(&app.pool, &filter).await.expect("summary").total, before, "requests never reload");
    cache.spawn_refresher(app.pool.clone());
    let mut seen = before;
    for _ in 0..100 {
        seen = cache.summary(&app.pool, &filter).await.expect("summary").total;
        if seen != before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, before - 1, "the refresher noticed the change within 5 s");
    assert_eq!(cache.snapshot_loads(), 1, "the change was patched in: the board was not loaded again");
    assert!(cache.patches_applied() >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_goes_to_one_writer_that_syncs_each_commit() {
    let app = TestApp::empty().await;
    match &app.pool {
        db::Pool::Sqlite(pools) => {
            let synchronous: i64 =
                sqlx::query_scalar("PRAGMA synchronous").fetch_one(pools.writer()).await.expect("pragma");
            assert_eq!(synchronous, 2, "the writer is synchronous = FULL");
            assert_eq!(pools.writer().options().get_max_connections(), 1, "one writer connection");
            let query_only: i64 =
                sqlx::query_scalar("PRAGMA query_only").fetch_one(pools.readers()).await.expect("pragma");
            assert_eq!(query_only, 1, "the readers are read-only");
            let refused = sqlx::query("INSERT INTO admins (email, password_hash) VALUES ('a@example.com', 'x')")
                .execute(pools.readers())
                .await;
            assert!(refused.is_err(), "a reader refuses a write: {refused:?}");
            let journal: String =
                sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pools.readers()).await.expect("pragma");
            assert_eq!(journal, "wal");
        }
        db::Pool::Postgres(pool) => {
            let commit: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(pool).await.expect("show");
            assert_eq!(commit, "on", "a commit returns once it is flushed");
        }
    }
    // Writes that arrive together queue for the writer rather than failing as busy.
    let writes = (0..24).map(|n| {
        let pool = app.pool.clone();
        tokio::spawn(async move { db::insert_admin(&pool, &format!("admin{n}@example.com"), "hash").await })
    });
    for write in futures_util::future::join_all(writes).await {
        write.expect("task").expect("every concurrent write succeeds");
    }
    assert_eq!(db::count_admins(&app.pool).await.expect("count"), 24);
}

#[tokio::test]
async fn a_database_url_of_an_unknown_engine_is_refused_with_a_clear_message_and_creates_nothing() {
    for url in ["mysql://board@localhost/jobs", "data/jobboard.db"] {
        let refused = app::db::connect(url, 1).await.err().unwrap_or_else(|| panic!("{url} is refused"));
        let message = refused.to_string();
        assert!(
            message.contains("sqlite:") && message.contains("postgres:"),
            "{url}: says what is accepted: {message}"
        );
    }
    // A PostgreSQL URL is taken as one: where no server answers, the error says so.
    for url in ["postgres://board@127.0.0.1:1/jobs", "postgresql://board@127.0.0.1:1/jobs"] {
        let refused = app::db::connect(url, 1).await.err().unwrap_or_else(|| panic!("{url} cannot open"));
        assert!(matches!(refused, app::db::DbError::Open { .. }), "{url}: {refused}");
    }
    assert!(!std::path::Path::new("postgres:").exists(), "no folder named after the URL's scheme");
    assert!(!std::path::Path::new("postgresql:").exists() && !std::path::Path::new("mysql:").exists());
    assert!(!std::path::Path::new("data/jobboard.db").exists(), "a bare path is not taken as a file either");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_only_a_change_to_the_listing_is_notified_to_every_listener_at_once() {
    assert!(
        crate::helpers::postgres_server().is_some(),
        "this test runs on PostgreSQL: the test command starts one and sets JOBBOARD_TEST_POSTGRES"
    );
    let app = TestApp::with_brief().await;
    let mut changes = app::db::ListingChanges::listen(&app.pool).await.expect("listen").expect("PostgreSQL notifies");
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(300), changes.next()).await;
    assert!(quiet.is_err(), "no notification before a change");
    let brief = app.brief_id().await;
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE postings SET status = 'closed' WHERE id = $1")
        .bind(brief)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("close");
    tokio::time::timeout(std::time::Duration::from_secs(2), changes.next())
        .await
        .expect("notified within 2 s")
        .expect("a notification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_only_migrate_to_postgres_copies_a_board_with_its_ids_and_the_target_keeps_working() {
    use crate::helpers::{TestDatabase, postgres_server};
    assert!(postgres_server().is_some(), "this test runs on PostgreSQL: the test command starts one");
    let folder = tempfile::tempdir().expect("folder");
    let source_url = format!("sqlite://{}", folder.path().join("board.db").display());
    let source = server::startup::open_database(&source_url).await.expect("source");
    seed::load_demo(&source, 120).await.expect("demo");
    db::insert_admin(&source, "copy@jobs.example", "$argon2id$copied").await.expect("admin");
    db::create_session(&source, "session-id", "{}", i64::MAX).await.expect("session");
    let (_place, target_url) = TestDatabase::new().await;

    let copied = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
        .args(["migrate-to-postgres", "--from", &source_url, "--to", &target_url])
        .output()
        .expect("the command runs");
    let printed = String::from_utf8_lossy(&copied.stdout);
    assert!(copied.status.success(), "{printed}{}", String::from_utf8_lossy(&copied.stderr));
    assert!(printed.contains("every row count matches the source"), "{printed}");

    let target = server::startup::open_database(&target_url).await.expect("target");
    assert_eq!(target.engine(), db::Engine::Postgres);
    assert_eq!(db::count_postings(&target).await.expect("count"), db::count_postings(&source).await.expect("count"));
    let today = Utc::now().date_naive();
    let brief = crate::on_db!(source, |p| sqlx::query_scalar::<_, i64>(
        "SELECT id FROM postings WHERE title LIKE 'Backend Software Engineer Graduate (TikTok%'"
    )
    .fetch_one(p)
    .await)
    .expect("brief");
    let (before, after) = (
        db::get_job_detail(&source, brief, today).await.expect("source detail"),
        db::get_job_detail(&target, brief, today).await.expect("target detail"),
    );
    assert_eq!(format!("{before:?}"), format!("{after:?}"), "the brief's page reads the same from the copy");
    let engineer = db::fts_query("engineer").expect("a word");
    assert_eq!(
        db::OpenPostings::keyword_matches(&source, &engineer).await.expect("source search"),
        db::OpenPostings::keyword_matches(&target, &engineer).await.expect("target search"),
        "the full-text index of the copy finds the same postings"
    );
    assert!(db::find_admin(&target, "COPY@jobs.example").await.expect("admin").is_some());
    assert!(db::load_session(&target, "session-id", 0).await.expect("session").is_some());
    // The sequences moved past the copied ids: a new company gets the next one.
    let mut tx = db::Transaction::begin(&target).await.expect("tx");
    let company = app::domain::NewCompany {
        name: "After Copy".into(),
        slug: "after-copy".into(),
        about: String::new(),
        website: None,
        application_limit: None,
    };
    let id = db::upsert_company(&mut tx, &company).await.expect("a new company");
    tx.commit().await.expect("commit");
    let max_before: i64 =
        crate::on_db!(source, |p| sqlx::query_scalar("SELECT MAX(id) FROM companies").fetch_one(p).await).expect("max");
    assert_eq!(id, max_before + 1);

    // A second copy into the same (now used) database is refused and changes nothing.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
        .args(["migrate-to-postgres", "--from", &source_url, "--to", &target_url])
        .output()
        .expect("the command runs");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds postings"));
}

/// Found by the hostile-input test: PostgreSQL refuses a NUL character in text (SQLSTATE 22021), and that
/// all-digit code was read as a SQLite code whose low byte is 5, SQLITE_BUSY: a 503 telling the client
/// to retry what can never succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_with_a_nul_character_is_invalid_input_not_a_busy_database() {
    let app = TestApp::empty().await;
    let found = db::company_exists(&app.pool, "a\0b").await;
    match app.pool.engine() {
        db::Engine::Sqlite => assert!(matches!(found, Ok(false)), "{found:?}"),
        db::Engine::Postgres => assert!(matches!(found, Err(db::Error::Invalid(_))), "{found:?}"),
    }
    let answer =
        app.post_form("/account/sign-up", "email=ana%00%40example.com&password=copper+lantern+drift+4417&name=A").await;
    assert!(answer.status.is_client_error(), "{}: {}", answer.status, answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_only_a_url_with_sslmode_require_connects_over_tls() {
    let server = crate::helpers::postgres_server()
        .expect("this test runs on PostgreSQL: the test command starts one and sets JOBBOARD_TEST_POSTGRES");
    let separator = if server.contains('?') { '&' } else { '?' };
    let pool = app::db::connect(&format!("{server}{separator}sslmode=require"), 2).await.expect("connects with TLS");
    let app::db::Pool::Postgres(pg) = &pool else { panic!("a PostgreSQL pool") };
    let encrypted: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pg)
        .await
        .expect("pg_stat_ssl");
    assert!(encrypted, "the connection is encrypted");
    pool.close().await;
}
