//! Hostile input to every public parser and form, through the whole router: the listing's query (page,
//! API, feed), cursors, an API posting id, the admin's posting form, admin sign-in, candidate sign-up,
//! applying, and both alert forms. Each target gets `JOBBOARD_FUZZ_CASES` cases (64 in the test command,
//! 10,000 in `make fuzz`) from proptest's strategies: random text, text that means something to SQL,
//! FTS5, HTML or URL parsers, huge values, broken percent-escapes, unknown and repeated fields. Every
//! answer is under 500 and comes within 10 s, and a form that is refused (an error status, or a redirect
//! back to the form naming the error) stores nothing.
//! A failing case is printed whole, to be replayed.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use tower::ServiceExt;

use crate::admin::csrf_token;
use crate::helpers::{PUBLIC_URL, TestApp};

fn cases() -> usize {
    std::env::var("JOBBOARD_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
}

/// Values that mean something to one parser or another.
const MEANINGFUL: &[&str] = &[
    "' OR 1=1 --",
    "'; DROP TABLE postings; --",
    "\"",
    "\"unterminated",
    "NEAR(a b",
    "title:rust*",
    "* ^ - +",
    "AND OR NOT",
    "\0",
    "\u{202e}gnp.exe",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "../../etc/passwd",
    "-1",
    "0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "0x1F",
    "1,000,000",
    "$120k",
    "2026-02-30",
    "9999-12-31",
    "😀👩‍💻",
    "\r\nSet-Cookie: x=1",
    "%",
    "&&&",
    "===",
    "a@b",
    "@",
    "ana@example.com",
    "CA",
    "San Jose, CA",
    "tiktok",
    "relevance",
    "publish",
    "YEAR",
];

/// One hostile value.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,40}",
        2 => ".{0,60}",
        3 => prop::sample::select(MEANINGFUL).prop_map(str::to_owned),
        1 => "[0-9-]{1,25}",
        1 => (prop::sample::select(MEANINGFUL), 1..3_000usize).prop_map(|(text, times)| text.repeat(times)),
        1 => Just(String::new()),
    ]
}

/// A form or query of `fields` (and now and then another name), urlencoded, or a raw string of the
/// characters a query may hold, broken escapes and all.
fn encoded(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
    let name = prop_oneof![5 => prop::sample::select(fields).prop_map(str::to_owned), 1 => hostile()];
    let pairs = prop::collection::vec((name, hostile()), 0..14).prop_map(|pairs| {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &pairs {
            serializer.append_pair(name, value);
        }
        serializer.finish()
    });
    prop_oneof![6 => pairs, 1 => "[a-z_=&%0-9A-F+.;-]{0,120}"]
}

const LISTING_FIELDS: &[&str] = &[
    "q",
    "location",
    "company",
    "region",
    "min_pay",
    "max_pay",
    "posted_within",
    "sort",
    "after",
    "type",
    "level",
    "remote",
];
const POSTING_FIELDS: &[&str] = &[
    "intent",
    "title",
    "company",
    "new_company",
    "city_1",
    "region_1",
    "country_1",
    "work_mode_1",
    "city_2",
    "employment_type",
    "level",
    "career_step",
    "pay_min",
    "pay_max",
    "currency",
    "pay_unit",
    "benefits_health",
    "heading_1",
    "body_1",
    "heading_2",
    "body_2",
    "apply",
    "posted_at",
    "valid_through",
    "skills",
    "legal_notice",
];
const SIGN_IN_FIELDS: &[&str] = &["email", "password", "next"];
const SIGN_UP_FIELDS: &[&str] = &["email", "password", "name"];
const APPLY_FIELDS: &[&str] = &["name", "email", "cv_url", "cv_text", "note"];
const ALERT_FIELDS: &[&str] = &["email", "frequency", "query", "step"];

/// The router with rate limits out of the way (each case also comes from an address of its own), and the
/// sessions the forms need.
struct Fuzzed {
    app: TestApp,
    router: Router,
    admin_cookie: String,
    admin_token: String,
    candidate_cookie: String,
    candidate_token: String,
    brief: i64,
}

impl Fuzzed {
    async fn new() -> Self {
        let app = TestApp::with_brief().await;
        let limits = server::rate_limits::RateLimitSettings {
            alerts_per_address_per_hour: 1_000_000,
            alerts_per_email_per_day: 1_000_000,
            listing_misses_per_minute: 1_000_000,
            account_mails_per_address_per_hour: 1_000_000,
            account_mails_per_email_per_day: 1_000_000,
            token_forms_per_minute: 1_000_000,
            candidate_writes_per_minute: 1_000_000,
            ..server::rate_limits::RateLimitSettings::default()
        };
        let state = server::AppState::new(app.pool.clone(), server::startup::leptos_options(), PUBLIC_URL.into())
            .with_rate_limits(limits);
        state.listing_cache.refresh(&app.pool).await.expect("snapshot");
        let router = server::build_app(state);
        app.create_admin("fuzz@jobs.example", "violet kettle orbit 1931").await;
        let admin_cookie = app.sign_in("fuzz@jobs.example", "violet kettle orbit 1931").await;
        let admin_token = csrf_token(&app.get_with_header("/admin/jobs/new", ("cookie", &admin_cookie)).await.body);
        let candidate = app.confirmed_candidate("fuzz@mail.example").await;
        let brief = app.brief_id().await;
        Self {
            app,
            router,
            admin_cookie,
            admin_token,
            candidate_cookie: candidate.cookie,
            candidate_token: candidate.token,
            brief,
        }
    }

    /// Sends one request from the address `peer`; the status, the `Location` and the body.
    async fn send(
        &self,
        method: &str,
        uri: &str,
        body: Option<&str>,
        cookie: Option<&str>,
        peer: u32,
    ) -> (u16, String, String) {
        let mut request = Request::builder().method(method).uri(uri).header("origin", PUBLIC_URL);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if body.is_some() {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        let mut request = request.body(Body::from(body.unwrap_or_default().to_owned())).expect("a request");
        let addr = SocketAddr::from((std::net::Ipv4Addr::from(0x0a00_0000 | (peer & 0x00ff_ffff)), 40_000));
        request.extensions_mut().insert(ConnectInfo(addr));
        let answer = tokio::time::timeout(Duration::from_secs(10), self.router.clone().oneshot(request))
            .await
            .unwrap_or_else(|_| panic!("{method} {uri} answered within 10 s (body {body:?})"))
            .expect("the router answers");
        let status = answer.status().as_u16();
        let location = answer.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = answer.into_body().collect().await.expect("body").to_bytes();
        (status, location, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn rows(&self, table: &'static str) -> i64 {
        // Sign-ups, resets and new confirmation links are done off the request path: counted once done.
        self.app.settle_account_requests().await;
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        crate::on_db!(self.app.pool, |p| sqlx::query_scalar(sql).fetch_one(p).await).expect("count")
    }
}

/// `cases()` values of `strategy`, drawn with a random seed.
fn draw<S: Strategy>(strategy: S) -> Vec<S::Value> {
    let mut runner = TestRunner::new(Config { cases: 1, ..Config::default() });
    (0..cases()).map(|_| strategy.new_tree(&mut runner).expect("a case").current()).collect()
}

/// A GET target: every case answers under 500.
async fn fuzz_get(fuzzed: &Fuzzed, path: &str, fields: &'static [&'static str]) {
    for (n, query) in draw(encoded(fields)).into_iter().enumerate() {
        // URLs beyond 8 KB are cut, as proxies and browsers do (the http crate refuses 64 KB); the query is
        // ASCII, so any byte is a boundary.
        let uri = format!("{path}?{}", &query[..query.len().min(8_000)]);
        let (status, _, body) = fuzzed.send("GET", &uri, None, None, n as u32).await;
        assert!(status < 500, "GET {uri:?}: {status} {}", body.chars().take(300).collect::<String>());
    }
}

/// A form target: every case answers under 500, and `table` grows only when the form was accepted.
async fn fuzz_form(
    fuzzed: &Fuzzed,
    path: &str,
    fields: &'static [&'static str],
    session: Option<(&str, &str)>,
    table: &'static str,
) {
    let mut accepted = 0;
    for (n, body) in draw(encoded(fields)).into_iter().enumerate() {
        let body = match session {
            Some((_, token)) => format!("csrf={token}&{body}"),
            None => body,
        };
        let before = fuzzed.rows(table).await;
        let (status, location, page) =
            fuzzed.send("POST", path, Some(&body), session.map(|(cookie, _)| cookie), n as u32).await;
        assert!(status < 500, "POST {path} {body:?}: {status} {}", page.chars().take(300).collect::<String>());
        let after = fuzzed.rows(table).await;
        // A refusal is an error status, or a redirect back to the form with the error named.
        let back_to_the_form = location.split('?').next() == Some(path);
        let refused = status != 303 || location.contains("error") || back_to_the_form;
        if refused {
            assert_eq!(
                after, before,
                "POST {path} {body:?} was refused ({status} {location}) and stored nothing in {table}"
            );
        } else {
            accepted += 1;
        }
    }
    eprintln!("fuzz {path}: {} cases, {accepted} accepted", cases());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_queries_and_forms_get_no_server_error_and_refused_forms_store_nothing() {
    let fuzzed = Fuzzed::new().await;
    fuzz_get(&fuzzed, "/jobs", LISTING_FIELDS).await;
    fuzz_get(&fuzzed, "/api/v1/jobs", LISTING_FIELDS).await;
    fuzz_get(&fuzzed, "/jobs/feed.atom", LISTING_FIELDS).await;
    for (n, id) in draw(hostile()).into_iter().enumerate() {
        let segment: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let uri = format!("/api/v1/jobs/{}", &segment[..segment.len().min(8_000)]);
        let (status, _, _) = fuzzed.send("GET", &uri, None, None, n as u32).await;
        assert!(status < 500, "GET {uri}: {status}");
    }
    let admin = (fuzzed.admin_cookie.as_str(), fuzzed.admin_token.as_str());
    fuzz_form(&fuzzed, "/admin/jobs/new", POSTING_FIELDS, Some(admin), "postings").await;
    fuzz_form(&fuzzed, "/admin/sign-in", SIGN_IN_FIELDS, None, "sessions").await;
    fuzz_form(&fuzzed, "/account/sign-up", SIGN_UP_FIELDS, None, "candidates").await;
    let candidate = (fuzzed.candidate_cookie.as_str(), fuzzed.candidate_token.as_str());
    let apply = format!("/jobs/{}/apply", fuzzed.brief);
    fuzz_form(&fuzzed, &apply, APPLY_FIELDS, Some(candidate), "applications").await;
    fuzz_form(&fuzzed, "/alerts", ALERT_FIELDS, None, "alerts").await;
    fuzz_form(&fuzzed, "/careers/backend-software-engineering/alerts", ALERT_FIELDS, None, "alerts").await;
}
