//! The pages over HTTP: status codes and what a person sees in the first response.

use axum::http::StatusCode;

use crate::helpers::{PUBLIC_URL, TestApp, json_ld};

const BRIEF_TITLE: &str =
    "Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
        assert!(answer.body.matches("class=\"job-card\"").count() >= 20, "{path} shows many cards");
        assert!(answer.body.contains("name=\"location\""), "{path} has the filter form");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_is_a_whole_page_with_its_islands_and_its_scripts_hashes() {
    // The listing is rendered outside the Leptos router; it must still be the same kind of page as the
    // routed ones: head, frame, islands, the hydration globals, and a policy naming its scripts' hashes.
    let app = TestApp::seeded().await;
    let answer = app.get("/jobs?region=CA").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = &answer.body;
    assert!(body.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"), "{}", &body[..80]);
    assert!(body.contains("<link id=\"leptos\" rel=\"stylesheet\" href=\"/pkg/jobboard.css\">"));
    assert!(body.contains("<meta name=\"description\" content=\"Browse open jobs"));
    assert!(body.contains("<header class=") && body.contains("<footer class="), "the site's frame");
    assert!(body.contains("<leptos-island data-component=\"LiveSearch_"), "the live search island");
    assert!(body.contains("<leptos-island data-component=\"HydrationMark_"), "the hydration mark");
    assert!(body.contains("__RESOLVED_RESOURCES=[]"), "the globals the browser's runtime reads");
    let csp = answer.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let scripts = body.matches("<script").count();
    assert!(scripts >= 3 && csp.matches("'sha256-").count() >= scripts, "every inline script is allowed: {csp}");
    assert!(!body.contains(" nonce="), "a public page carries no per-response nonce");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_answers_a_database_failure_with_an_error_page() {
    let app = TestApp::seeded().await;
    assert_eq!(app.get("/jobs").await.status, StatusCode::OK);
    app.pool.close().await;
    let answer = app.get("/jobs?location=fremont-ca").await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(answer.body.contains("<title>Something went wrong · Jobboard</title>"), "{}", answer.body);
    assert!(answer.body.contains("please try again"), "the error page says what to do");
    assert!(!answer.body.contains("class=\"job-card\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_location_filter_narrows_the_list() {
    let app = TestApp::seeded().await;
    let answer = app.get("/jobs?location=fremont-ca").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Atlas Graduate Program: Software Engineer (2025)"));
    assert!(!answer.body.contains(BRIEF_TITLE), "the San Jose posting is filtered out");
    assert!(answer.body.contains("value=\"fremont-ca\" selected"), "the chosen location stays selected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_posting_is_a_404_page() {
    let app = TestApp::seeded().await;
    for path in ["/jobs/999999-nothing-here", "/jobs/not-a-number", "/jobs/0", "/no/such/page"] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.body.contains("Page not found"), "{path} renders the 404 page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_up_and_readyz_once_the_snapshot_is_loaded() {
    let app = TestApp::seeded().await;
    let health = app.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok"));
    // The state's refresher loads the snapshot in the background; until then the answer says so.
    let mut ready = app.get("/readyz").await;
    for _ in 0..200 {
        if ready.status == StatusCode::OK {
            break;
        }
        assert_eq!(ready.body, "listing snapshot not loaded yet");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        ready = app.get("/readyz").await;
    }
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready"));

    // A migration of this build missing from the database: not ready, and says why.
    crate::on_db!(app.pool, |p| sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)"
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("forget a migration");
    let unmigrated = app.get("/readyz").await;
    assert_eq!(unmigrated.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(unmigrated.body, "1 migrations not applied");
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK, "the process is still up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::seeded().await;
    let answer = app.get_with_header("/jobs", ("accept-encoding", "gzip")).await;
    assert_eq!(answer.headers.get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detail_page_carries_job_posting_structured_data_matching_the_page() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    let answer = app.get(&format!("/jobs/{id}-x")).await;
    let data = json_ld(&answer.body);
    assert_eq!(data["@type"], "JobPosting");
    assert_eq!(data["title"], BRIEF_TITLE);
    assert_eq!(data["employmentType"], "INTERN");
    assert_eq!(data["hiringOrganization"]["name"], "TikTok");
    assert_eq!(data["jobLocation"][0]["address"]["addressLocality"], "San Jose");
    assert_eq!(data["jobLocation"][0]["address"]["addressRegion"], "CA");
    assert_eq!(data["jobLocation"][0]["address"]["addressCountry"], "US");
    assert_eq!(data["jobLocationType"], "TELECOMMUTE");
    assert_eq!(data["baseSalary"]["value"]["minValue"], 116_000);
    assert_eq!(data["baseSalary"]["value"]["maxValue"], 177_000);
    assert_eq!(data["baseSalary"]["value"]["unitText"], "YEAR");
    assert_eq!(data["identifier"]["value"], id.to_string());
    let posted = data["datePosted"].as_str().expect("datePosted");
    assert!(
        answer.body.contains(&app::domain::text::long_date(posted.parse().expect("a date"))),
        "the page shows the posted date"
    );
    assert!(answer.body.contains(&format!("<link href=\"{PUBLIC_URL}/jobs/{id}-backend-software-engineer-graduate-tiktok-eng-backend-online-infra-team-2025-start-bs-ms\" rel=\"canonical\">")));
    assert!(answer.body.contains("property=\"og:title\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posting_without_pay_has_no_base_salary_and_says_so() {
    let app = TestApp::seeded().await;
    let id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM postings WHERE title LIKE 'Atlas Graduate%'")
            .fetch_one(p)
            .await)
        .expect("posting");
    let answer = app.get(&format!("/jobs/{id}-atlas")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("The employer did not post pay for this job."));
    let data = json_ld(&answer.body);
    assert!(data.get("baseSalary").is_none());
    assert!(data.get("jobLocationType").is_none(), "an on-site job is not TELECOMMUTE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_or_expired_posting_still_opens_without_an_apply_link() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE postings SET status = 'closed' WHERE id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("close");
    let answer = app.get(&format!("/jobs/{id}-x")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("No longer accepting applications"));
    assert!(!answer.body.contains("href=\"https://careers.tiktok.com/\""));
    // Closed today: search engines may still list it.
    assert!(!answer.body.contains("name=\"robots\""), "indexable for 30 days after closing");

    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE postings SET status = 'published', posted_at = '2025-02-24', valid_through = '2025-04-06' WHERE id = $1",
    )
    .bind(id)
    .execute(p)
    .await.map(|done| done.rows_affected()))
    .expect("expire");
    let answer = app.get(&format!("/jobs/{id}-x")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("No longer accepting applications"));
    assert_eq!(json_ld(&answer.body)["validThrough"], "2025-04-06T23:59:59Z");
    // Expired long ago: the page stays, out of search results.
    assert!(answer.body.contains("<meta name=\"robots\" content=\"noindex\">"), "noindex after 30 days");

    // Expired 30 days ago is still indexed; 31 days ago is not.
    let today = chrono::Utc::now().date_naive();
    for (days_ago, indexed) in [(30, true), (31, false)] {
        let valid_through = today - chrono::Duration::days(days_ago + 1);
        crate::on_db!(app.pool, |p| sqlx::query(
            "UPDATE postings SET posted_at = $1, valid_through = $1 WHERE id = $2",
        )
        .bind(valid_through)
        .bind(id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
        .expect("expire");
        let body = app.get(&format!("/jobs/{id}-x")).await.body;
        assert_eq!(!body.contains("name=\"robots\""), indexed, "closed {days_ago} days ago");
    }
}

/// Every kind of page is written as the Nu HTML Checker wants it (the checker itself runs over the built
/// site in the end-to-end suite): Leptos's markers as valid comments, the closing scripts inside the
/// body, the preload links' `crossorigin` a keyword, and the canonical link absolute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_valid_markup_with_their_scripts_inside_the_body() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    for uri in [
        "/".to_owned(),
        "/jobs?region=CA&min_pay=120000".to_owned(),
        format!("/jobs/{id}-x"),
        "/companies/tiktok".to_owned(),
        "/careers/backend-software-engineering".to_owned(),
        "/account/sign-in".to_owned(),
        "/admin/sign-in".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        let body = app.get(&uri).await.body;
        assert!(!body.contains("<!>"), "{uri}: a bogus comment");
        let end = body.rfind("</html>").unwrap_or_else(|| panic!("{uri}: no </html>"));
        assert!(body[end + "</html>".len()..].trim().is_empty(), "{uri}: something after </html>");
        let body_end = body.rfind("</body>").unwrap_or_else(|| panic!("{uri}: no </body>"));
        assert!(body.find("__RESOLVED_RESOURCES").is_some_and(|at| at < body_end), "{uri}: the closing scripts");
        for link in body.split("<link ").skip(1) {
            let link = &link[..link.find('>').unwrap_or(link.len())];
            if let Some(at) = link.find("crossorigin=\"") {
                let value = &link[at + "crossorigin=\"".len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                assert!(matches!(value, "anonymous" | "use-credentials"), "{uri}: crossorigin=\"{value}\"");
            }
            if link.contains("rel=\"canonical\"") {
                assert!(link.contains(&format!("href=\"{PUBLIC_URL}/")), "{uri}: relative canonical {link}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_detail_page_links_the_company_and_shows_related_jobs() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    let body = app.get(&format!("/jobs/{id}-x")).await.body;
    assert!(body.contains("href=\"/companies/tiktok\""));
    let more = &body[body.find("class=\"more-from-company").expect("more from the company")..];
    for title in [
        "Software Engineer Intern (TikTok Eng - Infrastructure)",
        "Backend Software Engineer - Trust and Safety",
        "Software Engineer - Ads Measurement",
        "Data Engineer - Monetization",
    ] {
        assert!(more.contains(title), "{title}");
    }
    let similar = &body[body.find("class=\"similar-jobs").expect("similar jobs")..];
    assert!(similar.matches("class=\"job-card\"").count() >= 1);
    assert!(!similar.contains(">TikTok<"), "similar jobs are from other companies");
    // The brief's step has an estimate for San Jose, shown beside the employer's range.
    assert!(body.contains("Against the market"));
    assert!(body.contains("Estimate: Backend Software Engineer, Graduate, San Jose, CA"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_page_lists_its_open_postings_and_benefits() {
    let app = TestApp::seeded().await;
    let answer = app.get("/companies/tiktok").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("<title>Jobs at TikTok · Jobboard</title>"));
    assert!(answer.body.contains(BRIEF_TITLE));
    assert!(answer.body.contains("5 open jobs"));
    assert!(answer.body.contains("Paid Personal Time"));
    assert!(answer.body.contains("at most 2 of its positions"));
    let missing = app.get("/companies/no-such-company").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sitemap_lists_only_open_postings() {
    let app = TestApp::seeded().await;
    let id = app.brief_id().await;
    let closed: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM postings WHERE title LIKE 'Atlas Graduate%'")
            .fetch_one(p)
            .await)
        .expect("posting");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE postings SET status = 'closed' WHERE id = $1")
        .bind(closed)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("close");
    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("<sitemapindex"), "{}", index.body);
    assert_eq!(index.body.matches("<sitemap>").count(), 1, "one file holds a small board");
    assert!(index.body.contains("<loc>https://jobs.example/sitemap-1.xml</loc>"));
    let answer = app.get("/sitemap-1.xml").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("application/xml")
    );
    assert!(answer.body.contains(&format!("<loc>https://jobs.example/jobs/{id}-backend-software-engineer-graduate")));
    assert!(!answer.body.contains(&format!("/jobs/{closed}-")));
    let open: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM postings WHERE status = 'published' AND valid_through >= date('now')"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(answer.body.matches("<loc>https://jobs.example/jobs/").count() as i64, open);
    assert_eq!(app.get("/sitemap-2.xml").await.status, StatusCode::NOT_FOUND, "past the last file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_filter_narrows_the_list_and_survives_the_filter_form() {
    let app = TestApp::seeded().await;
    let answer = app.get("/jobs?company=tiktok").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("5 open jobs"));
    assert!(answer.body.contains("name=\"company\" value=\"tiktok\""), "the form keeps the company filter");
    assert!(!answer.body.contains("Siemens Digital Industries Software"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_reaches_the_listing_only_through_the_query_string_parser() {
    let app = TestApp::seeded().await;
    // The listing's server function decoded a filter with serde, skipping the parser: thousands of
    // repeated choices in a 57 KB body cost 0.39 s each. It is gone; the page and the API remain.
    let repeated: String = (0..2_100).map(|i| format!("filter[remote][{i}]=remote&")).collect();
    assert!(repeated.len() > 50_000);
    let answer = app.post_form("/fn/list_jobs", &repeated).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(!answer.body.contains("\"total\""));
    // The same repetition in a query string is parsed into one choice.
    let query: String = (0..2_000).map(|_| "remote=remote&").collect();
    let api = app.get(&format!("/api/v1/jobs?{query}")).await;
    assert_eq!(api.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_the_page_agree_on_the_matches() {
    let app = TestApp::seeded().await;
    for query in [
        "",
        "location=san-jose-ca",
        "min_pay=150000",
        "q=engineer&remote=remote",
        "type=internship&level=entry",
        "min_pay=abc",
    ] {
        let api = app.get(&format!("/api/v1/jobs?{query}")).await;
        assert_eq!(api.status, StatusCode::OK, "{query}");
        let data: serde_json::Value = serde_json::from_str(&api.body).expect("JSON");
        let page = app.get(&format!("/jobs?{query}")).await;
        let titles: Vec<&str> =
            data["jobs"].as_array().expect("jobs").iter().map(|j| j["title"].as_str().unwrap_or_default()).collect();
        assert!(!titles.is_empty(), "{query}");
        for title in &titles {
            let escaped = title.replace('&', "&amp;");
            assert!(page.body.contains(&escaped), "{query}: the page shows {title}");
        }
        assert_eq!(page.body.matches("class=\"job-card\"").count(), titles.len(), "{query}");
        let total = data["total"].as_i64().expect("total");
        assert!(
            page.body.contains(&format!("{} open job", app::domain::pay::group_thousands(total))),
            "{query}: total {total}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_returns_postings_in_the_documented_shape() {
    let app = TestApp::seeded().await;
    let data: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/jobs?location=san-jose-ca&type=internship").await.body).expect("JSON");
    let brief =
        data["jobs"].as_array().expect("jobs").iter().find(|j| j["company"]["slug"] == "tiktok").expect("brief");
    let id = brief["id"].as_i64().expect("id");
    assert_eq!(brief["pay"]["min"], 116_000);
    assert_eq!(brief["pay"]["max"], 177_000);
    assert_eq!(brief["pay"]["unit"], "YEAR");
    assert_eq!(brief["pay"]["annual_max"], 177_000);
    assert_eq!(brief["locations"][0]["work_mode"], "remote");
    assert_eq!(brief["employment_type"], "internship");
    assert_eq!(brief["level"], "entry");
    assert!(brief["url"].as_str().unwrap_or_default().starts_with(&format!("https://jobs.example/jobs/{id}-")));
    assert!(data["facets"]["location"].is_array() && data["facets"]["type"].is_array());
    assert!(data.get("next_cursor").is_some());

    let one = app.get(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one: serde_json::Value = serde_json::from_str(&one.body).expect("JSON");
    assert_eq!(one["title"], brief["title"]);
    assert_eq!(one["benefits"].as_array().map(Vec::len), Some(14));
    let missing = app.get("/api/v1/jobs/987654321").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/jobs/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_describes_itself_in_openapi_3_1_and_its_answers_have_the_described_fields() {
    let app = TestApp::with_brief().await;
    let answer = app.get("/api/v1/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"))
    );
    let document: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let list = &document["paths"]["/api/v1/jobs"]["get"];
    let parameters: Vec<&str> =
        list["parameters"].as_array().expect("parameters").iter().filter_map(|p| p["name"].as_str()).collect();
    for name in ["q", "location", "region", "min_pay", "max_pay", "sort", "after", "type", "level", "remote"] {
        assert!(parameters.contains(&name), "the listing's parameter {name} is described: {parameters:?}");
    }
    for status in ["200", "400", "429", "503"] {
        assert!(list["responses"][status].is_object(), "the listing's {status} is described");
    }
    let one = &document["paths"]["/api/v1/jobs/{id}"]["get"];
    assert!(one["responses"]["404"].is_object());
    // Each field an answer has is one the document names, and each field it requires is there.
    let schemas = &document["components"]["schemas"];
    let page: serde_json::Value = serde_json::from_str(&app.get("/api/v1/jobs").await.body).expect("JSON");
    let check = |value: &serde_json::Value, schema: &str| {
        let properties = schemas[schema]["properties"].as_object().unwrap_or_else(|| panic!("{schema} has properties"));
        for field in value.as_object().expect("an object").keys() {
            assert!(properties.contains_key(field), "{schema} describes {field}");
        }
        for required in schemas[schema]["required"].as_array().into_iter().flatten() {
            assert!(value.get(required.as_str().unwrap_or_default()).is_some(), "{schema} has {required}");
        }
    };
    check(&page, "JobList");
    check(&page["jobs"][0], "JobSummary");
    check(&page["facets"], "FacetsJson");
    let missing: serde_json::Value = serde_json::from_str(&app.get("/api/v1/jobs/987654321").await.body).expect("JSON");
    check(&missing, "ApiError");
}

/// The real router over an empty database, serving built assets from `site_root`/pkg. The database's
/// [`TestApp`] is returned too: it must outlive the router.
async fn router_serving_site(site_root: &std::path::Path) -> (TestApp, axum::Router) {
    let app = TestApp::empty().await;
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("jobboard")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let router = server::build_app(server::AppState::new(app.pool.clone(), options, "https://jobs.example".into()));
    (app, router)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_assets_are_kept_a_year_and_plain_ones_revalidated() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    const HASHED: &str = "/pkg/jobboard.Q2h3dKz0aZ6PrnZ5yq1T8w.css";
    let site = tempfile::tempdir().expect("site folder");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg folder");
    std::fs::write(site.path().join("pkg/jobboard.css"), "body { color: black }".repeat(100)).expect("css");
    std::fs::write(site.path().join(HASHED.trim_start_matches('/')), "body { color: black }".repeat(100)).expect("css");
    let (_app, router) = router_serving_site(site.path()).await;
    let get = |uri: &'static str, headers: Vec<(&'static str, String)>| {
        let mut request = Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        router.clone().oneshot(request.body(Body::empty()).expect("request"))
    };
    let caching = |response: &axum::response::Response| {
        response.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };

    let hashed = get(HASHED, vec![("accept-encoding", "br".to_owned())]).await.expect("answer");
    assert_eq!(hashed.status(), StatusCode::OK);
    assert_eq!(caching(&hashed).as_deref(), Some("public, max-age=31536000, immutable"));

    let plain = get("/pkg/jobboard.css", vec![]).await.expect("answer");
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(caching(&plain).as_deref(), Some("no-cache"));
    let modified =
        plain.headers().get("last-modified").and_then(|v| v.to_str().ok()).expect("Last-Modified").to_owned();
    let again = get("/pkg/jobboard.css", vec![("if-modified-since", modified)]).await.expect("answer");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "an unchanged file is not sent again");

    // A hashed name that does not exist is not cacheable: a later build may bring it.
    let missing = get("/pkg/jobboard.AAAAAAAAAAAAAAAAAAAAAA.css", vec![]).await.expect("answer");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(caching(&missing).as_deref(), Some("no-cache"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precompressed_assets_are_served_to_browsers_that_accept_them() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let site = tempfile::tempdir().expect("site folder");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg folder");
    let script = "export function hydrate() { return 1; }\n".repeat(300);
    std::fs::write(pkg.join("jobboard.js"), &script).expect("js");
    let report = server::assets::precompress_folder(&pkg).expect("precompress");
    assert_eq!(report.compressed, 1);
    let best_brotli = std::fs::read(pkg.join("jobboard.js.br")).expect("br copy");

    let (_app, router) = router_serving_site(site.path()).await;
    let get = |encoding: &'static str| {
        let request = Request::get("/pkg/jobboard.js").header("accept-encoding", encoding);
        router.clone().oneshot(request.body(Body::empty()).expect("request"))
    };
    let header = |response: &axum::response::Response, name: &str| {
        response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    };

    let brotli = get("gzip, br").await.expect("answer");
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(header(&brotli, "content-encoding").as_deref(), Some("br"));
    assert_eq!(header(&brotli, "cache-control").as_deref(), Some("no-cache"));
    assert!(
        header(&brotli, "content-type").is_some_and(|t| t.contains("javascript")),
        "{:?}",
        header(&brotli, "content-type")
    );
    let body = brotli.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body.as_ref(), best_brotli.as_slice(), "the stored quality-11 copy is sent as it is");

    let gzip = get("gzip").await.expect("answer");
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    let plain = get("identity").await.expect("answer");
    assert_eq!(header(&plain, "content-encoding"), None);
    let body = plain.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body.len(), script.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_router_never_stalls_a_page_being_rendered() {
    // Leptos's route-list generation stops every resource in the process from loading while it runs; a
    // router built while a page renders must not leave that page waiting forever (it did before the route
    // list was generated once per process).
    let app = TestApp::with_brief().await;
    let posting = format!("/jobs/{}", app.brief_id().await);
    let rendering = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let builders = {
        let (app_pool, rendering) = (app.pool.clone(), rendering.clone());
        tokio::spawn(async move {
            let mut built = 0;
            while rendering.load(std::sync::atomic::Ordering::SeqCst) {
                built += 1;
                let pool = app_pool.clone();
                let router = tokio::task::spawn_blocking(move || {
                    server::build_app(server::AppState::new(
                        pool,
                        server::startup::leptos_options(),
                        crate::helpers::PUBLIC_URL.to_owned(),
                    ))
                });
                drop(router.await.expect("router built"));
            }
            built
        })
    };
    for round in 0..60 {
        for path in ["/careers/backend-software-engineering", posting.as_str()] {
            let answer = tokio::time::timeout(std::time::Duration::from_secs(5), app.get(path))
                .await
                .unwrap_or_else(|_| panic!("round {round}: {path} never finished rendering"));
            assert_eq!(answer.status, StatusCode::OK, "round {round}: {path}");
        }
    }
    rendering.store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(builders.await.expect("routers built") > 1, "routers were built while the pages rendered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_searches_beyond_the_per_address_limit_get_429_while_cached_ones_are_served() {
    use tower::ServiceExt;
    let app = TestApp::seeded().await;
    let limits = server::rate_limits::RateLimitSettings {
        listing_misses_per_minute: 3,
        ..server::rate_limits::RateLimitSettings::default()
    };
    let state =
        server::AppState::new(app.pool.clone(), server::startup::leptos_options(), "https://jobs.example".into())
            .with_rate_limits(limits);
    let cache = state.listing_cache.clone();
    // The snapshot is loaded before the first request, as it is long before a server's first visitor.
    cache.refresh(&app.pool).await.expect("snapshot");
    let router = server::build_app(state);
    let get = |uri: String| {
        let router = router.clone();
        async move {
            let request = axum::http::Request::get(uri).body(axum::body::Body::empty()).expect("request");
            router.oneshot(request).await.expect("answer")
        }
    };
    for word in ["engineer", "nurse", "analyst"] {
        assert_eq!(get(format!("/jobs?q={word}")).await.status(), StatusCode::OK, "{word}");
    }
    let limited = get("/jobs?q=designer".to_owned()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let api = get("/api/v1/jobs?q=welder".to_owned()).await;
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    // What the caches hold costs nothing and is not limited.
    let loads = cache.snapshot_loads();
    assert_eq!(get("/jobs?q=Engineer".to_owned()).await.status(), StatusCode::OK, "snapshots loaded: {loads}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_are_the_same_for_everyone_and_a_proxy_may_keep_them_briefly() {
    use base64::Engine;
    use sha2::Digest;
    let app = TestApp::with_brief().await;
    let brief = format!("/jobs/{}", app.brief_id().await);
    for path in
        ["/jobs", "/jobs?region=CA", brief.as_str(), "/companies/tiktok", "/careers/backend-software-engineering"]
    {
        let (first, second) = (app.get(path).await, app.get(path).await);
        assert_eq!((first.status, second.status), (StatusCode::OK, StatusCode::OK), "{path}");
        assert_eq!(first.body, second.body, "{path}: the same page for everyone");
        let header = |answer: &crate::helpers::Answer, name: &str| {
            answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
        };
        assert_eq!(header(&first, "cache-control"), "public, max-age=30", "{path}");
        let tag = header(&first, "etag");
        assert!(tag.starts_with("W/\"") && tag == header(&second, "etag"), "{path}: {tag}");
        let policy = header(&first, "content-security-policy");
        assert!(!policy.contains("'nonce-") && !first.body.contains(" nonce="), "{path}: no per-response nonce");
        let mut rest = first.body.as_str();
        let mut inline = 0;
        while let Some(start) = rest.find("<script") {
            let open_end = start + rest[start..].find('>').expect("tag ends") + 1;
            let close = open_end + rest[open_end..].find("</script>").expect("script ends");
            if !rest[start..open_end].contains(" src=") {
                let hash =
                    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&rest[open_end..close]));
                assert!(policy.contains(&format!("'sha256-{hash}'")), "{path}: an inline script the policy allows");
                inline += 1;
            }
            rest = &rest[close..];
        }
        assert!(inline > 0, "{path}: the page has its hydration script inline");
        let again = app.get_with_header(path, ("if-none-match", &tag)).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
    }
    let sign_in = app.get("/admin/sign-in").await;
    let cache = sign_in.headers.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(!cache.contains("public"), "the sign-in page is not for proxies: {cache}");
    assert!(sign_in.headers.get("etag").is_none());
}
