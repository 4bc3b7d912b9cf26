//! The career path page and its alert form, over HTTP.

use axum::http::StatusCode;

use crate::candidates::location;
use crate::helpers::TestApp;

const PATH: &str = "/careers/backend-software-engineering";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_career_path_shows_every_step_with_estimate_and_observed_pay() {
    let app = TestApp::seeded().await;
    let answer = app.get(PATH).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = &answer.body;
    assert_eq!(body.matches("class=\"career-step ").count(), 14);
    assert!(body.contains("<title>Backend software engineering career path · Jobboard</title>"));
    // The brief's first range, and the brief's own posting observed at the graduate step.
    assert!(body.contains("Estimate $89k - $116k"));
    assert!(body.contains("Open jobs $116k - $177k"));
    assert!(body.contains("Backend Software Engineer Graduate (TikTok Eng"));
    // The ladder comes first: graduate, I, II, senior, staff, principal.
    let steps = &body[body.find("class=\"career-steps").expect("the steps")..];
    let order: Vec<usize> = [
        "software-engineer-graduate",
        "backend-software-engineer-i",
        "backend-software-engineer-ii",
        "senior-backend-software-engineer",
        "staff-backend-software-engineer",
        "principal-backend-software-engineer",
        "site-reliability-engineer",
    ]
    .iter()
    .map(|slug| steps.find(&format!("id=\"{slug}\"")).unwrap_or_else(|| panic!("{slug} on the page")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "ladder order {order:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ladder_page_has_no_occupation_markup_and_its_postings_name_company_and_place() {
    let app = TestApp::seeded().await;
    let body = app.get(PATH).await.body;
    // Google's Occupation rules allow one Occupation a page; a ladder of 14 steps marks up none.
    assert!(!body.contains("application/ld+json"), "structured data on the ladder page");
    let step_postings: Vec<&str> = body.split("<li class=\"step-posting\">").skip(1).collect();
    assert!(!step_postings.is_empty(), "the seeded path lists postings at its steps");
    for posting in &step_postings {
        let item = &posting[..posting.find("</li>").expect("closed item")];
        assert!(item.matches(" · ").count() >= 2, "company and place after the title: {item}");
    }
    assert!(
        body.contains(" · TikTok</span><span class=\"text-slate-600\"> · San Jose, CA</span>"),
        "the brief's posting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_career_path_is_a_404_page() {
    let app = TestApp::seeded().await;
    let answer = app.get("/careers/astronaut").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("Page not found"));
}

async fn subscriptions(app: &TestApp) -> Vec<(String, i64)> {
    crate::on_db!(app.pool, |p| sqlx::query_as(
        "SELECT s.email, COUNT(st.step_id) FROM alerts s \
         LEFT JOIN alert_steps st ON st.alert_id = s.id GROUP BY s.id, s.email ORDER BY s.id",
    )
    .fetch_all(p)
    .await)
    .expect("subscriptions")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_alert_request_is_stored_and_confirmed() {
    let app = TestApp::seeded().await;
    let answer = app
        .post_form(
            &format!("{PATH}/alerts"),
            "email=ana%40example.com&step=senior-backend-software-engineer&step=devops-engineer",
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/careers/backend-software-engineering?subscribed=confirm"),
        "an address that is not a confirmed account's is asked to confirm first"
    );
    assert_eq!(subscriptions(&app).await, vec![("ana@example.com".to_owned(), 2)]);
    // Asking again, signed out, neither adds a second subscription nor changes the first: only the
    // address's confirmed account (or its e-mailed links) changes an alert.
    let again = app.post_form(&format!("{PATH}/alerts"), "email=ana%40example.com&step=devops-engineer").await;
    assert_eq!(location(&again), location(&answer), "the same answer as the first time");
    assert_eq!(subscriptions(&app).await, vec![("ana@example.com".to_owned(), 2)]);
    let page = app.get(&format!("{PATH}?subscribed=confirm")).await;
    assert!(page.body.contains("we e-mailed you a link"));
    let page = app.get(&format!("{PATH}?subscribed=1")).await;
    assert!(page.body.contains("You will get alerts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_alert_request_changes_nothing_and_keeps_what_was_typed() {
    let app = TestApp::seeded().await;
    let answer = app.post_form(&format!("{PATH}/alerts"), "email=ana%40example&step=devops-engineer").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let location = answer.headers.get("location").and_then(|v| v.to_str().ok()).expect("redirect").to_owned();
    assert!(location.contains("alert_error=bad_email"), "{location}");
    assert!(subscriptions(&app).await.is_empty());

    let page = app.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Enter an e-mail address like name@example.com."));
    assert!(page.body.contains("value=\"ana@example\""), "the typed address is kept");
    assert!(page.body.contains("value=\"devops-engineer\" checked"), "the ticked step stays ticked");

    let no_steps = app.post_form(&format!("{PATH}/alerts"), "email=ana%40example.com").await;
    let location = no_steps.headers.get("location").and_then(|v| v.to_str().ok()).expect("redirect").to_owned();
    assert!(location.contains("alert_error=no_steps"));
    assert!(app.get(&location).await.body.contains("Tick at least one position"));

    let unknown = app.post_form(&format!("{PATH}/alerts"), "email=ana%40example.com&step=astronaut").await;
    assert!(unknown.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("unknown_step"));
    assert!(subscriptions(&app).await.is_empty());

    let missing_path = app.post_form("/careers/astronaut/alerts", "email=ana%40example.com&step=x").await;
    assert_eq!(missing_path.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observed_pay_from_the_snapshot_is_what_the_sql_definition_gives() {
    let app = TestApp::seeded().await;
    let today = chrono::Utc::now().date_naive();
    let snapshot = app::db::OpenPostings::load(&app.pool, today).await.expect("snapshot");
    let paths: Vec<String> =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT slug FROM career_paths").fetch_all(p).await)
            .expect("paths");
    let mut observed_steps = 0;
    for path in &paths {
        let mut defined = app::db::observed_pay(&app.pool, path, today).await.expect("in SQL");
        let mut from_memory = app::db::observed_pay_from(&app.pool, &snapshot, path).await.expect("in memory");
        defined.sort_by(|a, b| a.step_slug.cmp(&b.step_slug));
        from_memory.sort_by(|a, b| a.step_slug.cmp(&b.step_slug));
        assert_eq!(from_memory, defined, "{path}");
        observed_steps += defined.len();
    }
    assert!(!paths.is_empty() && observed_steps >= 5, "{} paths, {observed_steps} steps with postings", paths.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_sign_ups_are_limited_per_e_mail_address_and_a_refused_form_echoes_a_bounded_location() {
    let app = TestApp::seeded().await;
    let form = "email=ana%40example.com&step=devops-engineer";
    let per_day = server::rate_limits::RateLimitSettings::default().alerts_per_email_per_day;
    for attempt in 0..per_day {
        let answer = app.post_form(&format!("{PATH}/alerts"), form).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "sign-up {attempt}");
    }
    let limited = app.post_form(&format!("{PATH}/alerts"), "email=ANA%40example.com&step=devops-engineer").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "the same mailbox, whatever its case");
    assert!(limited.headers.contains_key("retry-after"));

    // A refused form with 3,000 junk steps and a 10,000-character address echoes neither.
    let junk: String = (0..3_000).map(|i| format!("&step=junk-{i}")).collect();
    let answer = app
        .post_form(&format!("{PATH}/alerts"), &format!("email={}{junk}&step=devops-engineer", "a".repeat(10_000)))
        .await;
    let location = answer.headers.get("location").and_then(|v| v.to_str().ok()).expect("redirect").to_owned();
    assert!(location.len() < 300, "{} bytes: {location}", location.len());
    assert!(location.contains("step=devops-engineer") && !location.contains("junk"));
}
