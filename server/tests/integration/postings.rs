//! The posting service without HTTP (`app::service::postings`), and what the storage under it keeps:
//! edits in place, ids from the database, a busy database answered 503.

use app::auth::SignedInAdmin;
use app::db;
use app::domain::posting_form::{FieldError, field};
use app::domain::{JobStatus, PostingForm};
use app::service::postings::{Intent, Refused, save_posting};
use axum::http::StatusCode;

use crate::helpers::TestApp;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// An admin stored in the database (the audit rows refer to it), as a session would carry it.
async fn admin(app: &TestApp) -> SignedInAdmin {
    let email = "service@jobs.example";
    let id = db::insert_admin(&app.pool, email, "$argon2id$not-used-here").await.expect("admin stored");
    SignedInAdmin { id, email: email.to_owned(), csrf_token: String::new(), signed_in_at: 0, epoch: String::new() }
}

/// A complete form for a TikTok posting in San Jose with a pay range.
fn form(title: &str) -> PostingForm {
    let closes = (today() + chrono::Days::new(30)).to_string();
    PostingForm::from_pairs([
        ("title", title),
        ("company", "tiktok"),
        ("city_1", "San Jose"),
        ("region_1", "CA"),
        ("country_1", "US"),
        ("work_mode_1", "onsite"),
        ("employment_type", "full_time"),
        ("level", "mid"),
        ("pay_min", "120000"),
        ("pay_max", "150000"),
        ("currency", "USD"),
        ("pay_unit", "YEAR"),
        ("heading_1", "What you will do"),
        ("body_1", "Build the queues."),
        ("apply", "https://careers.example.com/queues"),
        ("valid_through", closes.as_str()),
        ("skills", "Rust"),
    ])
}

async fn timestamps(app: &TestApp, id: i64) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    crate::on_db!(app.pool, |p| sqlx::query_as("SELECT created_at, updated_at FROM postings WHERE id = $1")
        .bind(id)
        .fetch_one(p)
        .await)
    .expect("the posting is there")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_updates_the_posting_in_place_and_keeps_every_row_that_refers_to_it() {
    let app = TestApp::with_brief().await;
    let admin = admin(&app).await;
    let id = app.brief_id().await;
    // A row of the kind applications will be: it refers to the posting and goes with it on delete.
    crate::on_db!(app.pool, |p| sqlx::query(
        "CREATE TABLE test_followers (posting_id BIGINT NOT NULL REFERENCES postings(id) ON DELETE CASCADE, who TEXT)",
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("table");
    crate::on_db!(app.pool, |p| sqlx::query("INSERT INTO test_followers (posting_id, who) VALUES ($1, 'ana')")
        .bind(id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("row");
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET created_at = '2020-01-02T03:04:05Z', updated_at = '2020-01-02T03:04:05Z' WHERE id = $1",
    )
    .bind(id)
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("age the posting");

    let mut edited = PostingForm::from_job(&db::posting_for_edit(&app.pool, id).await.expect("stored posting"));
    edited.title = "Backend Software Engineer Graduate (Queues)".into();
    let saved = save_posting(&app.pool, &admin, Some(id), edited, Intent::Save, today()).await.expect("the edit saves");
    assert_eq!((saved.id, saved.status, saved.created), (id, JobStatus::Published, false));

    let followers: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM test_followers WHERE posting_id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("count");
    assert_eq!(followers, 1, "the row that refers to the posting survives the edit");
    let (created_at, updated_at) = timestamps(&app, id).await;
    let aged: chrono::DateTime<chrono::Utc> = "2020-01-02T03:04:05Z".parse().expect("time");
    assert_eq!(created_at, aged, "created_at stays");
    assert_ne!(updated_at, aged, "updated_at moves");
    let stored = db::posting_for_edit(&app.pool, id).await.expect("stored posting");
    assert_eq!(stored.title, "Backend Software Engineer Graduate (Queues)");
    assert_eq!(stored.legal_notices, vec!["US-CA-LOS-ANGELES-COUNTY".to_owned()], "the notice stays attached");
    let queues = db::fts_query("queues").expect("a word");
    let found = db::OpenPostings::keyword_matches(&app.pool, &queues).await.expect("search");
    assert!(found.contains(&id), "the full-text row follows the edit");
    let fts_rows: i64 = match &app.pool {
        db::Pool::Sqlite(pools) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM postings_fts WHERE rowid = $1")
                .bind(id)
                .fetch_one(pools.writer())
                .await
        }
        db::Pool::Postgres(p) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM postings_fts WHERE posting_id = $1").bind(id).fetch_one(p).await
        }
    }
    .expect("count");
    assert_eq!(fts_rows, 1, "one full-text row, not two");
    let pay_location: Option<i64> =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT location_id FROM posting_pay WHERE posting_id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("pay");
    let location_posting: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT posting_id FROM posting_locations WHERE id = $1")
            .bind(pay_location.expect("the pay names its city"))
            .fetch_one(p)
            .await)
        .expect("the pay's location exists");
    assert_eq!(location_posting, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_of_new_postings_all_succeed_with_distinct_ids_from_the_database() {
    let app = TestApp::with_brief().await;
    let admin = admin(&app).await;
    let saves = (0..8).map(|n| {
        let (pool, admin) = (app.pool.clone(), admin.clone());
        tokio::spawn(async move {
            save_posting(&pool, &admin, None, form(&format!("Queue Engineer {n}")), Intent::Publish, today()).await
        })
    });
    let mut ids = Vec::new();
    for save in saves.collect::<Vec<_>>() {
        let saved = save.await.expect("task").expect("every save succeeds");
        assert!(saved.created);
        ids.push(saved.id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "distinct ids: {ids:?}");
    for id in ids {
        let title: String = crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT title FROM postings WHERE id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("title");
        assert!(title.starts_with("Queue Engineer "), "{id}: {title}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_refuses_with_the_error_beside_its_field_and_stores_nothing() {
    let app = TestApp::with_brief().await;
    let admin = admin(&app).await;
    let before = db::count_postings(&app.pool).await.expect("count");

    let mut unknown = form("Queue Engineer");
    unknown.company = "no-such-company".into();
    let Err(Refused::Invalid(refused)) = save_posting(&app.pool, &admin, None, unknown, Intent::Save, today()).await
    else {
        panic!("an unknown company is refused");
    };
    assert_eq!(refused.errors.get(field::COMPANY), Some(&FieldError::UnknownCompany));
    assert_eq!(refused.form.title, "Queue Engineer", "what was typed comes back");

    let mut unpaid = form("Queue Engineer");
    unpaid.pay_min.clear();
    unpaid.pay_max.clear();
    let Err(Refused::Invalid(refused)) =
        save_posting(&app.pool, &admin, None, unpaid.clone(), Intent::Publish, today()).await
    else {
        panic!("publishing without pay in California is refused");
    };
    assert!(refused.errors.contains_key(field::PAY_TRANSPARENCY), "{:?}", refused.errors);
    assert_eq!(db::count_postings(&app.pool).await.expect("count"), before, "nothing was stored");

    let draft = save_posting(&app.pool, &admin, None, unpaid, Intent::Save, today()).await.expect("a draft saves");
    assert_eq!(draft.status, JobStatus::Draft);
    let missing =
        save_posting(&app.pool, &admin, Some(987_654_321), form("Queue Engineer"), Intent::Save, today()).await;
    assert!(matches!(missing, Err(Refused::NotFound)), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_to_a_busy_database_answers_503_with_retry_after() {
    let app = TestApp::with_brief().await;
    // Another process's writer holds the lock the write needs past the engine's wait (SQLite's busy
    // timeout: the database's write lock, taken on a connection outside the server's pools; PostgreSQL's
    // lock timeout: the table's).
    let holder: Box<dyn std::any::Any + Send> = match &app.pool {
        db::Pool::Sqlite(_) => {
            use sqlx::Connection;
            let mut outside = sqlx::SqliteConnection::connect(&app.database_url).await.expect("connect");
            sqlx::query("BEGIN IMMEDIATE").execute(&mut outside).await.expect("lock");
            Box::new(outside)
        }
        db::Pool::Postgres(pool) => {
            let mut tx = pool.begin().await.expect("transaction");
            sqlx::query("LOCK TABLE alerts IN EXCLUSIVE MODE").execute(&mut *tx).await.expect("lock");
            Box::new(tx)
        }
    };
    let answer = app
        .post_form("/careers/backend-software-engineering/alerts", "email=ana%40example.com&step=devops-engineer")
        .await;
    drop(holder);
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{}", answer.body);
    assert_eq!(answer.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
    assert!(
        answer.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/html")
    );
    assert!(answer.body.contains("busy"), "{}", answer.body);
    let stored: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(p).await)
        .expect("count");
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legal_notices_follow_the_locations_and_the_employers_own_stay() {
    let app = TestApp::with_brief().await;
    let admin = admin(&app).await;
    let mut in_san_francisco = form("Queue Engineer");
    in_san_francisco.locations[0].city = "San Francisco".into();
    let saved = save_posting(&app.pool, &admin, None, in_san_francisco, Intent::Publish, today()).await.expect("saved");
    let page = app.get(&format!("/jobs/{}", saved.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("For San Francisco Candidates"), "the city's notice is on the page");
    assert!(page.body.contains("San Francisco Fair Chance Ordinance"));
    assert!(
        db::posting_for_edit(&app.pool, saved.id).await.expect("stored").legal_notices.is_empty(),
        "a notice the locations call for is not read back as the employer's own"
    );

    let mut moved = form("Queue Engineer");
    moved.locations[0].city = "Seattle".into();
    moved.locations[0].region = "WA".into();
    save_posting(&app.pool, &admin, Some(saved.id), moved, Intent::Save, today()).await.expect("edited");
    let page = app.get(&format!("/jobs/{}", saved.id)).await;
    assert!(!page.body.contains("For San Francisco Candidates"), "the notice left with the location");

    // The brief's San Jose posting carries the notice its employer attached, through an edit too.
    let brief = app.brief_id().await;
    let edit = PostingForm::from_job(&db::posting_for_edit(&app.pool, brief).await.expect("brief"));
    save_posting(&app.pool, &admin, Some(brief), edit, Intent::Save, today()).await.expect("edited");
    assert!(app.get(&format!("/jobs/{brief}")).await.body.contains("Los Angeles County"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_constraint_the_checks_did_not_foresee_comes_back_beside_its_field() {
    let app = TestApp::with_brief().await;
    let admin = admin(&app).await;
    // A rule of the schema that the form does not know (an operator's unique index on titles).
    crate::on_db!(app.pool, |p| sqlx::query("CREATE UNIQUE INDEX test_one_posting_a_title ON postings (title)")
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("index");
    let before = db::count_postings(&app.pool).await.expect("count");
    let brief = app.brief_id().await;
    let taken_title: String =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT title FROM postings WHERE id = $1")
            .bind(brief)
            .fetch_one(p)
            .await)
        .expect("title");
    let mut taken = form("placeholder");
    taken.title = taken_title.clone();
    let Err(Refused::Invalid(refused)) = save_posting(&app.pool, &admin, None, taken, Intent::Save, today()).await
    else {
        panic!("the unique title is refused");
    };
    assert_eq!(refused.errors.get(field::TITLE), Some(&FieldError::Taken), "{:?}", refused.errors);
    assert_eq!(refused.form.title, taken_title, "what was typed comes back");
    assert_eq!(db::count_postings(&app.pool).await.expect("count"), before, "nothing was stored");
}
