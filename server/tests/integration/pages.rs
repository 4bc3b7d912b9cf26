//! The pages over HTTP: status codes and what a person sees in the first response.

use axum::http::StatusCode;

use crate::helpers::TestApp;

const BRIEF_TITLE: &str =
    "Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)";

#[tokio::test]
async fn home_and_jobs_list_open_postings_as_cards() {
    let app = TestApp::seeded().await;
    for path in ["/", "/jobs"] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        let content_type = answer.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with("text/html"), "{path} is HTML: {content_type}");
        assert!(answer.body.contains(BRIEF_TITLE), "{path} lists the brief's posting");
        assert!(answer.body.contains("$116,000 - $177,000 a year"), "{path} shows its pay");
        assert!(answer.body.contains("<title>Open jobs · Jobboard</title>"), "{path} has a title");
        assert!(answer.body.matches("class=\"job-card").count() >= 20, "{path} shows many cards");
        assert!(answer.body.contains("name=\"location\""), "{path} has the filter form");
    }
}

#[tokio::test]
async fn the_location_filter_narrows_the_list() {
    let app = TestApp::seeded().await;
    let answer = app.get("/jobs?location=fremont-ca").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Atlas Graduate Program: Software Engineer (2025)"));
    assert!(!answer.body.contains(BRIEF_TITLE), "the San Jose posting is filtered out");
    assert!(answer.body.contains("value=\"fremont-ca\" selected"), "the chosen location stays selected");
}

#[tokio::test]
async fn a_malformed_filter_is_ignored_with_a_message_not_an_error() {
    let app = TestApp::seeded().await;
    let long = "x".repeat(10_000);
    for query in ["min_pay=abc", "min_pay=-1", "location=%3Cscript%3E", &format!("location={long}"), "min_pay=1e9&&&=="]
    {
        let answer = app.get(&format!("/jobs?{query}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}");
        assert!(answer.body.contains(BRIEF_TITLE), "{query}: the page still lists jobs");
    }
    let answer = app.get("/jobs?min_pay=abc").await;
    assert!(answer.body.contains("Minimum pay must be a whole number"));
}

#[tokio::test]
async fn the_briefs_posting_shows_its_sections_pay_and_benefits() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    let answer = app.get(&format!("/jobs/{id}-backend-software-engineer-graduate")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = &answer.body;
    assert!(body.contains(BRIEF_TITLE));
    assert!(body.contains("Base salary range for San Jose, CA"));
    assert!(body.contains("$116,000 - $177,000 a year"));
    assert!(body.contains("Paid Personal Time"));
    assert!(body.contains("17 days a year"));
    assert!(body.contains("Life insurance"));
    assert!(body.contains("For Los Angeles County (unincorporated) Candidates"));
    assert!(body.contains("at most two positions per candidate"));
    assert!(body.contains("San Jose, CA · Remote"));
    assert!(body.contains("closes in 38 days"));
    // Title and description are in the first response.
    assert!(body.contains(&format!("<title>{BRIEF_TITLE} at TikTok · Jobboard</title>")));
    assert!(body.contains("<meta name=\"description\""));
}

#[tokio::test]
async fn an_unknown_posting_is_a_404_page() {
    let app = TestApp::seeded().await;
    for path in ["/jobs/999999-nothing-here", "/jobs/not-a-number", "/jobs/0", "/no/such/page"] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("Page not found"), "{path} renders the 404 page");
    }
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::empty().await;
    let answer = app.get("/health").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "ok");
}

#[tokio::test]
async fn pages_are_compressed_when_the_client_accepts_it() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = TestApp::seeded().await;
    let request =
        Request::builder().uri("/jobs").header("accept-encoding", "gzip").body(Body::empty()).expect("request");
    let response = app.router.clone().oneshot(request).await.expect("answer");
    assert_eq!(response.headers().get("content-encoding").map(|v| v.to_str().unwrap_or("")), Some("gzip"));
}

#[tokio::test]
async fn server_functions_answer_errors_with_their_status() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    let found = app.post_form("/fn/get_job", &format!("id={id}")).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("116000"), "the posting comes back as JSON");

    let missing = app.post_form("/fn/get_job", "id=987654321").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body, "\"NotFound\"");

    let malformed = app.post_form("/fn/get_job", "id=abc").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(!malformed.body.contains("sqlx") && !malformed.body.contains("SELECT"));

    let list = app.post_form("/fn/list_jobs", "filter[location]=fremont-ca").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Atlas Graduate Program"));
}
