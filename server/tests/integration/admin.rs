//! The admin side over HTTP: sign-in, sessions, the gate, CSRF, rate limiting, security headers, and the
//! posting form from a mistake to a published posting.

use axum::http::StatusCode;

use crate::helpers::{Answer, PUBLIC_URL, TestApp, session_cookie};

const EMAIL: &str = "editor@jobs.example";
const PASSWORD: &str = "violet kettle orbit 1931";

/// A signed-in test app: the brief's postings, one admin, and that admin's session cookie.
async fn signed_in_app() -> (TestApp, String) {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let cookie = app.sign_in(EMAIL, PASSWORD).await;
    (app, cookie)
}

/// The form token on a rendered admin page.
pub(crate) fn csrf_token(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("the page has a form token") + marker.len();
    page[start..start + page[start..].find('"').expect("attribute ends")].to_owned()
}

fn location(answer: &Answer) -> &str {
    answer.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    crate::on_db!(app.pool, |p| sqlx::query_scalar(sql).fetch_one(p).await).expect("count")
}

/// A complete posting form for San Jose with a pay range, as a browser sends it.
pub(crate) fn posting_form(token: &str, title: &str, intent: &str, pay: (&str, &str)) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", token)
        .append_pair("intent", intent)
        .append_pair("title", title)
        .append_pair("company", "tiktok")
        .append_pair("new_company", "")
        .append_pair("city_1", "San Jose")
        .append_pair("region_1", "CA")
        .append_pair("country_1", "US")
        .append_pair("work_mode_1", "hybrid")
        .append_pair("employment_type", "full_time")
        .append_pair("level", "mid")
        .append_pair("career_step", "")
        .append_pair("pay_min", pay.0)
        .append_pair("pay_max", pay.1)
        .append_pair("currency", "USD")
        .append_pair("pay_unit", "YEAR")
        .append_pair("benefits_health", "Medical insurance")
        .append_pair("heading_1", "What you will do")
        .append_pair("body_1", "Run **queues** at scale.")
        .append_pair("apply", "https://careers.example.com/queues")
        .append_pair("posted_at", "")
        .append_pair("valid_through", &(chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string())
        .append_pair("skills", "Rust, Kafka")
        .finish()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_visitors_of_admin_pages_are_sent_to_sign_in() {
    let app = TestApp::with_brief().await;
    let id = app.brief_id().await;
    for path in ["/admin/jobs", "/admin/jobs?q=tiktok", "/admin/jobs/new", &format!("/admin/jobs/{id}/edit")] {
        let answer = app.get(path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        let expected = format!(
            "/admin/sign-in?{}",
            form_urlencoded::Serializer::new(String::new()).append_pair("next", path).finish()
        );
        assert_eq!(location(&answer), expected, "{path}");
    }
    assert_eq!(location(&app.get("/admin").await), "/admin/sign-in?next=%2Fadmin");
    let sign_in = app.get("/admin/sign-in").await;
    assert_eq!(sign_in.status, StatusCode::OK);
    assert!(sign_in.body.contains("name=\"password\""));
    assert!(session_cookie(&sign_in).is_none(), "no session is started by looking at the sign-in page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_posts_and_admin_functions_are_refused_and_change_nothing() {
    let app = TestApp::with_brief().await;
    let id = app.brief_id().await;
    let before = count(&app, "SELECT COUNT(*) FROM postings WHERE status = 'published'").await;
    let form = posting_form("anything", "Sneaky", "publish", ("100000", "120000"));
    for path in ["/admin/jobs/new".to_owned(), format!("/admin/jobs/{id}/edit")] {
        assert_eq!(app.post_form(&path, &form).await.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let close = app.post_form(&format!("/admin/jobs/{id}/status"), "csrf=x&action=close").await;
    assert_eq!(close.status, StatusCode::UNAUTHORIZED);
    for (function, args) in [
        ("/fn/admin_postings", "q="),
        ("/fn/posting_editor", &format!("id={id}")),
        ("/fn/preview_markdown", "markdown=hi"),
    ] {
        let answer = app.post_form(function, args).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{function}: {}", answer.body);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM postings WHERE status = 'published'").await, before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_for_forms_and_server_functions() {
    let (app, cookie) = signed_in_app().await;
    let page = app.get_with_headers("/admin/jobs/new", &[("cookie", &cookie)]).await;
    let token = csrf_token(&page.body);
    let form = posting_form(&token, "Cross-site posting", "publish", ("100000", "120000"));
    let evil = ("origin", "https://evil.example");
    let refused = app.post_form_with("/admin/jobs/new", &form, &[("cookie", &cookie), evil]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let fetch_metadata = [("cookie", cookie.as_str()), ("sec-fetch-site", "cross-site"), ("origin", PUBLIC_URL)];
    assert_eq!(app.post_form_with("/admin/jobs/new", &form, &fetch_metadata).await.status, StatusCode::FORBIDDEN);
    let referer = [("cookie", cookie.as_str()), ("referer", "https://evil.example/page")];
    assert_eq!(app.post_form_with("/admin/jobs/new", &form, &referer).await.status, StatusCode::FORBIDDEN);
    // Without any origin header, the session's form token is what counts.
    let wrong_token = posting_form("not-the-token", "Cross-site posting", "publish", ("100000", "120000"));
    let no_token = app.post_form_with("/admin/jobs/new", &wrong_token, &[("cookie", &cookie)]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    // Server functions need a same-origin request.
    let get_job = format!("id={}", app.brief_id().await);
    assert_eq!(app.post_form_with("/fn/get_job", &get_job, &[evil]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form_with("/fn/get_job", &get_job, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form("/fn/get_job", &get_job).await.status, StatusCode::OK);
    // The sign-in form and the public alert form too.
    assert_eq!(app.post_form_with("/admin/sign-in", "email=a&password=b", &[evil]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM postings WHERE title = 'Cross-site posting'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_rate_limited_per_address_with_retry_after() {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let wrong = format!(
        "email={}&password=wrong-password-123",
        form_urlencoded::byte_serialize(EMAIL.as_bytes()).collect::<String>()
    );
    for attempt in 1..=5 {
        let answer = app.post_form("/admin/sign-in", &wrong).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "attempt {attempt}");
    }
    let limited = app.post_form("/admin/sign-in", &wrong).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let right = format!(
        "email={}&password={}",
        form_urlencoded::byte_serialize(EMAIL.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>()
    );
    assert_eq!(
        app.post_form("/admin/sign-in", &right).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let wrong_password = app.post_form("/admin/sign-in", "email=x%40jobs.example&password=not-the-password-1").await;
    let unknown = app.post_form("/admin/sign-in", "email=x%40jobs.example&password=not-the-password-1").await;
    app.create_admin("x@jobs.example", "another long passphrase 77").await;
    let known_wrong = app.post_form("/admin/sign-in", "email=x%40jobs.example&password=not-the-password-1").await;
    for answer in [&wrong_password, &unknown, &known_wrong] {
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert_eq!(location(answer), "/admin/sign-in?error=invalid&email=x%40jobs.example");
        assert!(session_cookie(answer).is_none(), "no session for a failed sign-in");
    }
    let page = app.get(location(&known_wrong)).await;
    assert!(page.body.contains("The e-mail address or the password is wrong."));
    assert!(page.body.contains("value=\"x@jobs.example\""), "the typed e-mail is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_sign_in_and_is_dead_after_sign_out() {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let first = app.sign_in(EMAIL, PASSWORD).await;
    let id_length = first.split('=').nth(1).map(str::len).unwrap_or_default();
    assert!(id_length >= 22, "a 128-bit id: {first}");

    // Signing in again from a session (or with a planted id) gives a new id; the old one is dead.
    let form = format!(
        "email={}&password={}",
        form_urlencoded::byte_serialize(EMAIL.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>()
    );
    let again = app.post_form_with("/admin/sign-in", &form, &[("origin", PUBLIC_URL), ("cookie", &first)]).await;
    let second = session_cookie(&again).expect("a new session cookie");
    assert_ne!(first, second);
    assert_eq!(app.get_with_headers("/admin/jobs", &[("cookie", &first)]).await.status, StatusCode::SEE_OTHER);
    let planted = app
        .post_form_with(
            "/admin/sign-in",
            &form,
            &[("origin", PUBLIC_URL), ("cookie", "jobboard_session=AAAAAAAAAAAAAAAAAAAAAA")],
        )
        .await;
    assert_ne!(session_cookie(&planted).as_deref(), Some("jobboard_session=AAAAAAAAAAAAAAAAAAAAAA"));

    let set_cookie = again.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute} in {set_cookie}");
    }
    assert_eq!(app.get_with_headers("/admin/jobs", &[("cookie", &second)]).await.status, StatusCode::OK);
    // Nothing that changes data answers GET.
    for path in ["/admin/sign-out", "/admin/jobs/1/status"] {
        let answer = app.get_with_headers(path, &[("cookie", &second)]).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }

    let stored_before = count(&app, "SELECT COUNT(*) FROM sessions").await;
    let out = app.post_form_with("/admin/sign-out", "", &[("origin", PUBLIC_URL), ("cookie", &second)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/admin/sign-in?signed_out=1");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sessions").await,
        stored_before - 1,
        "the session is gone from the server"
    );
    let after = app.get_with_headers("/admin/jobs", &[("cookie", &second)]).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the old cookie opens nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_expires() {
    let (app, cookie) = signed_in_app().await;
    assert_eq!(app.get_with_headers("/admin/jobs", &[("cookie", &cookie)]).await.status, StatusCode::OK);
    let expires: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT expires_at FROM sessions").fetch_one(p).await)
            .expect("one session");
    let now = chrono::Utc::now().timestamp();
    assert!((now + 7_000..=now + 7_300).contains(&expires), "two hours from the last request: {expires}");
    // Two hours pass without a request.
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(now - 1)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("age the session");
    assert_eq!(app.get_with_headers("/admin/jobs", &[("cookie", &cookie)]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_are_on_pages_errors_and_refusals() {
    let app = TestApp::with_brief().await;
    let id = app.brief_id().await;
    let ok = app.get(&format!("/jobs/{id}")).await;
    let missing = app.get("/jobs/987654321").await;
    let big = "x".repeat(server::state::BODY_LIMIT_BYTES + 1);
    let too_large = app.post_form("/careers/backend-software-engineering/alerts", &big).await;
    let api = app.get("/api/v1/jobs?q=rust").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    for (what, answer) in [("200", &ok), ("404", &missing), ("413", &too_large), ("API", &api)] {
        let header = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let csp = header("content-security-policy");
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{what}: {directive} in {csp:?}");
        }
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
        assert!(header("strict-transport-security").starts_with("max-age="), "{what}: HSTS over https");
    }
    // A public page's policy allows its inline scripts by their hashes (see the page-cache test); a
    // private page's, by this response's nonce.
    let csp = ok.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("'sha256-") && !csp.contains("'nonce-"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{csp}");
    let sign_in = app.get("/admin/sign-in").await;
    let csp = sign_in.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let nonce =
        csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the page policy");
    assert!(nonce.len() >= 16);
    assert!(sign_in.body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{csp}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_posting_keeps_what_was_typed_and_a_fixed_one_is_published() {
    let (app, cookie) = signed_in_app().await;
    let headers = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let page = app.get_with_headers("/admin/jobs/new", &headers[..1]).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = csrf_token(&page.body);

    // The maximum is below the minimum: refused with 422, the form comes back as typed.
    let mistake = posting_form(&token, "Queue Engineer", "publish", ("150000", "120000"));
    let refused = app.post_form_with("/admin/jobs/new", &mistake, &headers).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("The minimum must not be more than the maximum."), "the error is shown");
    assert!(refused.body.contains("value=\"Queue Engineer\""), "the title is kept");
    assert!(refused.body.contains("Run **queues** at scale."), "the section text is kept");
    assert!(refused.body.contains("value=\"Rust, Kafka\""), "the skills are kept");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM postings WHERE title = 'Queue Engineer'").await, 0, "nothing saved");

    let total = |body: &str| serde_json::from_str::<serde_json::Value>(body).expect("json")["total"].as_i64();
    assert_eq!(total(&app.get("/api/v1/jobs?q=queue").await.body), Some(0), "nothing matches yet (and is cached)");

    let fixed = posting_form(&token, "Queue Engineer", "publish", ("120000", "150000"));
    let saved = app.post_form_with("/admin/jobs/new", &fixed, &headers).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id: i64 = location(&saved).strip_prefix("/admin/jobs?saved=").and_then(|id| id.parse().ok()).expect("saved id");
    let detail = app.get(&format!("/jobs/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("Queue Engineer"));
    assert!(detail.body.contains("$120,000 - $150,000 a year"));
    assert_eq!(total(&app.get("/api/v1/jobs?q=queue").await.body), Some(1), "the save cleared the cached count");
    let listing = app.get("/jobs?q=queue").await;
    assert!(listing.body.contains("Queue Engineer"), "the new posting is in the public list");
    let audit: (String, String) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT action, admin_email FROM audit_log WHERE posting_id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("an audit row");
    assert_eq!(audit, ("create".to_owned(), EMAIL.to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_without_pay_where_the_law_requires_it_is_blocked_but_a_draft_saves() {
    let (app, cookie) = signed_in_app().await;
    let headers = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let token = csrf_token(&app.get_with_headers("/admin/jobs/new", &headers[..1]).await.body);
    let no_pay = posting_form(&token, "Unpaid Range Engineer", "publish", ("", ""));
    let blocked = app.post_form_with("/admin/jobs/new", &no_pay, &headers).await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blocked.body.contains("California requires a pay range"), "the finding names the law");
    assert!(blocked.body.contains("Publishing is blocked by the pay-transparency rules"));

    let draft = posting_form(&token, "Unpaid Range Engineer", "save", ("", ""));
    let saved = app.post_form_with("/admin/jobs/new", &draft, &headers).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let id: i64 = location(&saved).strip_prefix("/admin/jobs?saved=").and_then(|id| id.parse().ok()).expect("id");
    assert_eq!(app.get(&format!("/jobs/{id}")).await.status, StatusCode::NOT_FOUND, "a draft is not public");

    // Publishing it from the list is blocked the same way.
    let publish = app
        .post_form_with(&format!("/admin/jobs/{id}/status"), &format!("csrf={token}&action=publish"), &headers)
        .await;
    assert_eq!(location(&publish), format!("/admin/jobs?blocked={id}"));
    assert_eq!(app.get(&format!("/jobs/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_reopen_and_edit_are_recorded_and_keep_the_address() {
    let (app, cookie) = signed_in_app().await;
    let headers = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let id = app.brief_id().await;
    let list = app.get_with_headers("/admin/jobs?q=tiktok", &headers[..1]).await;
    assert!(list.body.contains("Backend Software Engineer Graduate"));
    let token = csrf_token(&list.body);

    let close =
        app.post_form_with(&format!("/admin/jobs/{id}/status"), &format!("csrf={token}&action=close"), &headers).await;
    assert_eq!(location(&close), format!("/admin/jobs?changed={id}"));
    assert!(app.get(&format!("/jobs/{id}")).await.body.contains("No longer accepting applications"));
    let reopen =
        app.post_form_with(&format!("/admin/jobs/{id}/status"), &format!("csrf={token}&action=reopen"), &headers).await;
    assert_eq!(location(&reopen), format!("/admin/jobs?changed={id}"));

    let editor = app.get_with_headers(&format!("/admin/jobs/{id}/edit"), &headers[..1]).await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(editor.body.contains("value=\"116000\""), "the stored pay is in the form");
    let sections: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM posting_sections WHERE posting_id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("sections");
    assert!(sections > 4, "the brief has long sections");
    assert!(editor.body.contains(&format!("name=\"body_{sections}\"")), "every stored section is in the form");
    assert!(editor.body.contains(&format!("name=\"body_{}\"", sections + 1)), "and a blank one to add");
    let edited = posting_form(&token, "Backend Engineer Graduate (edited)", "save", ("116000", "177000"));
    let saved = app.post_form_with(&format!("/admin/jobs/{id}/edit"), &edited, &headers).await;
    assert_eq!(location(&saved), format!("/admin/jobs?saved={id}"), "{}", saved.body);
    let detail = app.get(&format!("/jobs/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK, "still published under the same id");
    assert!(detail.body.contains("Backend Engineer Graduate (edited)"));
    assert!(detail.body.contains("Los Angeles County"), "the legal notice stays attached");

    let actions: Vec<String> = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE posting_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(p)
    .await)
    .expect("audit");
    assert_eq!(actions, vec!["close", "reopen", "edit"]);
    assert_eq!(app.get_with_headers("/admin/jobs/987654321/edit", &headers[..1]).await.status, StatusCode::NOT_FOUND);
    // A form post about an unknown posting answers with a page (HTML), not text, and stores nothing.
    let before = count(&app, "SELECT COUNT(*) FROM postings").await;
    for path in ["/admin/jobs/987654321/edit", "/admin/jobs/987654321/status"] {
        let body = if path.ends_with("status") { format!("csrf={token}&action=close") } else { edited.clone() };
        let missing = app.post_form_with(path, &body, &headers).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        let content_type = missing.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        assert!(missing.body.contains("<h1"), "{path}: {}", missing.body);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM postings").await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posting_that_takes_applications_by_email_links_to_the_address() {
    let (app, cookie) = signed_in_app().await;
    let headers = [("cookie", cookie.as_str()), ("origin", PUBLIC_URL)];
    let token = csrf_token(&app.get_with_headers("/admin/jobs/new", &headers[..1]).await.body);
    let form = posting_form(&token, "Mail Room Engineer", "publish", ("90000", "110000"))
        .replace("apply=https%3A%2F%2Fcareers.example.com%2Fqueues", "apply=jobs%40Mail.Example");
    let saved = app.post_form_with("/admin/jobs/new", &form, &headers).await;
    let id: i64 = location(&saved).strip_prefix("/admin/jobs?saved=").and_then(|id| id.parse().ok()).expect("id");
    let detail = app.get(&format!("/jobs/{id}")).await;
    assert!(detail.body.contains("href=\"mailto:jobs@mail.example\""), "an e-mail apply link");
    assert!(detail.body.contains("Apply by e-mail"));
    let api: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/v1/jobs/{id}")).await.body).expect("json");
    assert_eq!(api["apply_email"], "jobs@mail.example");
}

#[test]
fn the_admin_command_creates_an_account_and_refuses_weak_passwords() {
    let folder = tempfile::tempdir().expect("folder");
    let database = format!("sqlite://{}", folder.path().join("admin.db").display());
    let run = |password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
            .args(["admin", "create", "--email", "Owner@Jobs.Example"])
            .env("DATABASE_URL", &database)
            .env("JOBBOARD_ADMIN_PASSWORD", password)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let weak = run("password1234");
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr).contains("common password"),
        "{}",
        String::from_utf8_lossy(&weak.stderr)
    );
    let short = run("short");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let good = run(PASSWORD);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("created the admin owner@jobs.example"));
    let again = run(PASSWORD);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// The stored session row: its data and expiry.
async fn session_row(app: &TestApp) -> Option<(String, i64)> {
    crate::on_db!(app.pool, |p| sqlx::query_as("SELECT data, expires_at FROM sessions").fetch_optional(p).await)
        .expect("session row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_do_not_read_the_session_write_nothing_and_an_active_one_writes_at_most_once_a_minute() {
    let (app, cookie) = signed_in_app().await;
    assert_eq!(app.get_with_header("/admin/jobs", ("cookie", &cookie)).await.status, StatusCode::OK);
    let first = session_row(&app).await.expect("the session is stored");
    for uri in ["/jobs", "/jobs?region=CA", "/pkg/jobboard.css", "/sitemap.xml", "/no-such-page"] {
        app.get_with_header(uri, ("cookie", &cookie)).await;
        assert_eq!(session_row(&app).await.as_ref(), Some(&first), "{uri} wrote the session");
    }
    // Admin pages read it: the active minute changes once a minute, so of four quick requests at most
    // one (at a minute's turn) saves.
    let mut saves = 0;
    let mut last = first;
    for _ in 0..4 {
        assert_eq!(app.get_with_header("/admin/jobs", ("cookie", &cookie)).await.status, StatusCode::OK);
        let now = session_row(&app).await.expect("still stored");
        saves += usize::from(now != last);
        last = now;
    }
    assert!(saves <= 1, "{saves} saves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_after_sign_out_does_not_bring_the_session_back() {
    use tower_sessions::SessionStore;
    let (app, cookie) = signed_in_app().await;
    let store = server::admin::session_store::DatabaseSessionStore::new(app.pool.clone());
    let stored: String =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM sessions").fetch_one(p).await).expect("id");
    let id = cookie.strip_prefix("jobboard_session=").expect("the session cookie");
    assert_ne!(stored, id, "the table holds the hash of the session id, not the id");
    assert_eq!(stored, server::candidates::token_hash(id));
    let id: tower_sessions::session::Id = id.parse().expect("session id");
    // A request loaded the session, then the admin signed out on another tab, then the request saves.
    let in_flight = store.load(&id).await.expect("load").expect("the session");
    let signed_out = app.post_form_with("/admin/sign-out", "", &[("cookie", &cookie), ("origin", PUBLIC_URL)]).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    store.save(&in_flight).await.expect("save");
    assert_eq!(store.load(&id).await.expect("load"), None, "the session stays deleted");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);
    let after = app.get_with_header("/admin/jobs", ("cookie", &cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the stolen cookie is worthless after sign-out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_twelve_hours_after_sign_in_however_active() {
    let (app, cookie) = signed_in_app().await;
    assert_eq!(app.get_with_header("/admin/jobs", ("cookie", &cookie)).await.status, StatusCode::OK);
    let thirteen_hours_ago = chrono::Utc::now().timestamp() - 13 * 3600;
    let (id, data): (String, String) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT id, data FROM sessions").fetch_one(p).await)
            .expect("one session");
    let mut data: serde_json::Value = serde_json::from_str(&data).expect("session data is JSON");
    data["admin"]["signed_in_at"] = thirteen_hours_ago.into();
    let data = data.to_string();
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2")
        .bind(&data)
        .bind(&id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("age the session");
    let answer = app.get_with_header("/admin/jobs", ("cookie", &cookie)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(location(&answer).starts_with("/admin/sign-in"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0, "the old session is deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_from_many_addresses_reach_the_accounts_ceiling_but_never_its_owners_known_address() {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let attempt = |peer: [u8; 4], password: &'static str| app.sign_in_from("/admin/sign-in", EMAIL, password, peer);
    // The owner signed in before from their usual address.
    let owner = [192, 0, 2, 10];
    assert_eq!(attempt(owner, PASSWORD).await.status, StatusCode::SEE_OTHER);
    let sessions = count(&app, "SELECT COUNT(*) FROM sessions").await;
    // One guess from each of many addresses: the account's ceiling holds them back.
    let ceiling = server::rate_limits::ACCOUNT_CEILING;
    let mut refused = 0;
    for n in 0..ceiling + 5 {
        let status = attempt([10, 0, (n / 250) as u8, (n % 250) as u8 + 1], "wrong-guess-123").await.status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(status, StatusCode::SEE_OTHER, "guess {n}");
        }
    }
    assert!(refused >= 4, "{refused} of the guesses past the ceiling were refused");
    let limited = attempt([203, 0, 113, 5], PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "a new address waits, even with the password");
    let wait: u64 =
        limited.headers.get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).expect("Retry-After");
    assert!((1..=90).contains(&wait), "{wait}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, sessions, "no session for the guesses");
    // The owner's usual address is not held back by the strangers' guesses.
    assert_eq!(attempt(owner, PASSWORD).await.status, StatusCode::SEE_OTHER, "the owner still signs in");
    // And the owner was told, once.
    let told: i64 = crate::on_db!(app.pool, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND subject = 'Wrong passwords were tried for your account'"
    )
    .bind(EMAIL)
    .fetch_one(p)
    .await
    })
    .expect("count");
    assert_eq!(told, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_that_a_router_would_normalise_into_an_admin_page_are_refused() {
    let app = TestApp::with_brief().await;
    for sneaky in ["/x/../admin/jobs", "/admin\\jobs", "/%61dmin/jobs", "//admin/jobs", "/admin/./jobs"] {
        let answer = app.get(sneaky).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{sneaky}");
        assert!(!answer.body.contains("csrf") && !answer.body.contains("Postings"), "{sneaky}: no admin shell");
    }
    assert_eq!(app.get("/admin/jobs").await.status, StatusCode::SEE_OTHER, "the plain path meets the gate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_with_an_odd_next_lands_on_the_admin_home() {
    let app = TestApp::with_brief().await;
    app.create_admin(EMAIL, PASSWORD).await;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("email", EMAIL)
        .append_pair("password", PASSWORD)
        .append_pair("next", "/admin/jobs\u{7f}")
        .finish();
    let answer = app.post_form("/admin/sign-in", &form).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/admin/jobs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_and_server_function_answers_are_never_stored_by_caches() {
    let (app, cookie) = signed_in_app().await;
    for uri in ["/admin/jobs", "/admin/jobs/new", "/admin/sign-in"] {
        let answer = app.get_with_header(uri, ("cookie", &cookie)).await;
        assert_eq!(answer.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{uri}");
    }
    let function = app.post_form("/fn/get_job", &format!("id={}", app.brief_id().await)).await;
    assert_eq!(function.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let public = app.get("/jobs").await;
    assert_ne!(public.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_without_ascii_letters_save_and_a_new_company_cannot_take_an_existing_ones_address() {
    let (app, cookie) = signed_in_app().await;
    let token = csrf_token(&app.get_with_header("/admin/jobs/new", ("cookie", &cookie)).await.body);
    for title in ["株式会社", "株式会社エンジニア", "Инженер", "!!!"] {
        let form = posting_form(&token, title, "draft", ("100000", "120000"));
        let answer = app.post_form_with("/admin/jobs/new", &form, &[("cookie", &cookie), ("origin", PUBLIC_URL)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{title}: {}", answer.body);
    }
    let slugs: Vec<String> =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT slug FROM postings WHERE status = 'draft' ORDER BY id")
            .fetch_all(p)
            .await)
        .expect("slugs");
    assert_eq!(slugs.len(), 4);
    assert!(slugs.iter().all(|slug| !slug.is_empty() && slug.is_ascii()), "{slugs:?}");

    // "TikTok!" would get TikTok's slug: refused beside the field, nothing saved, TikTok unchanged.
    let form = posting_form(&token, "Merged posting", "draft", ("100000", "120000"))
        .replace("company=tiktok&new_company=", "company=&new_company=TikTok%21");
    let answer = app.post_form_with("/admin/jobs/new", &form, &[("cookie", &cookie), ("origin", PUBLIC_URL)]).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("A company with this name already exists"), "the message beside the field");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM postings WHERE title = 'Merged posting'").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM companies WHERE slug = 'tiktok' AND name = 'TikTok'").await, 1);
}
