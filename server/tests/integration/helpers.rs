//! A test application: a temporary database, migrated and seeded, and the real router over it. The
//! engine is SQLite (a file in a temporary folder) unless `JOBBOARD_TEST_POSTGRES` names a PostgreSQL
//! server (`postgres://user@host:port/db`): then each test gets a schema of its own there, dropped when
//! the test ends. The test command runs the suite once on each.

use app::db::Pool;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::startup::{leptos_options, open_database};
use server::{AppState, build_app, seed};
use tempfile::TempDir;
use tower::ServiceExt;

/// The test site's public origin: what a browser on the site sends as `Origin`.
pub const PUBLIC_URL: &str = "https://jobs.example";

/// How many generated postings a test database holds beside the brief's.
pub const GENERATED: usize = 200;

/// A response's parts, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// A seeded database in a temporary folder and the router over it.
pub struct TestApp {
    pub pool: Pool,
    pub router: Router,
    /// The router's listing cache (its refresher runs too).
    pub cache: app::db::ListingCache,
    /// The router's count of posting page views not yet written.
    pub views: server::views::ViewCounter,
    /// The URL the test's database opened with (another process can open it too).
    pub database_url: String,
    _place: TestDatabase,
}

/// Where a test's database lives; dropping it removes it.
pub enum TestDatabase {
    /// A SQLite file in this folder.
    Sqlite { _folder: TempDir },
    /// A schema of the PostgreSQL server at the URL.
    Postgres { server: String, schema: String },
}

/// The PostgreSQL server the tests run on, when they do.
pub fn postgres_server() -> Option<String> {
    std::env::var("JOBBOARD_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

impl TestDatabase {
    /// A new, empty place for a database, and the URL to open it with.
    pub async fn new() -> (Self, String) {
        match postgres_server() {
            None => {
                let folder = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", folder.path().join("nested/test.db").display());
                (Self::Sqlite { _folder: folder }, url)
            }
            Some(server) => {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                let schema = format!(
                    "test_{}_{}_{}",
                    std::process::id(),
                    started.as_micros(),
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server).await.expect("PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut admin)
                    .await
                    .expect("schema");
                let separator = if server.contains('?') { '&' } else { '?' };
                let url = format!("{server}{separator}options[search_path]={schema}");
                (Self::Postgres { server, schema }, url)
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres { server, schema } = self else {
            return;
        };
        let (server, schema, name) = (server.clone(), schema.clone(), schema.clone());
        // Drop runs inside the test's runtime, which cannot block on a future: a thread of its own does.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&server).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut admin).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            eprintln!("could not drop the test schema {name}");
        }
    }
}

/// Runs `$body` with `$p` bound to the sqlx pool of `$pool` (an `app::db::Pool`), whichever its
/// engine: the tests' own SQL, written to run on both.
#[macro_export]
macro_rules! on_db {
    ($pool:expr, |$p:ident| $body:expr) => {
        match &$pool {
            app::db::Pool::Sqlite(pools) => {
                let $p = pools.writer();
                $body
            }
            app::db::Pool::Postgres($p) => $body,
        }
    };
}

impl TestApp {
    /// An empty, migrated database (no seed).
    pub async fn empty() -> Self {
        let (place, url) = TestDatabase::new().await;
        let pool = open_database(&url).await.expect("database opens and migrates");
        let state = AppState::new(pool.clone(), leptos_options(), PUBLIC_URL.to_owned());
        let cache = state.listing_cache.clone();
        let views = state.views.clone();
        let router = build_app(state);
        Self { pool, router, cache, views, database_url: url, _place: place }
    }

    /// A database with the brief's postings only.
    pub async fn with_brief() -> Self {
        let app = Self::empty().await;
        seed::load_brief(&app.pool, chrono::Utc::now().date_naive()).await.expect("the brief loads");
        app
    }

    /// A database with the brief's postings and [`GENERATED`] generated ones.
    pub async fn seeded() -> Self {
        let app = Self::empty().await;
        seed::load_demo(&app.pool, GENERATED).await.expect("demo data loads");
        app
    }

    /// Sends a GET request through the router.
    pub async fn get(&self, uri: &str) -> Answer {
        self.send("GET", uri, None, &[]).await
    }

    /// Sends a GET request with one extra header.
    pub async fn get_with_header(&self, uri: &str, header: (&str, &str)) -> Answer {
        self.send("GET", uri, None, &[header]).await
    }

    /// Sends a GET request with extra headers (a session cookie, say).
    pub async fn get_with_headers(&self, uri: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", uri, None, headers).await
    }

    /// Sends a form-encoded POST from a page of the site (with its `Origin`), as a browser does.
    pub async fn post_form(&self, uri: &str, form: &str) -> Answer {
        self.send("POST", uri, Some(form), &[("origin", PUBLIC_URL)]).await
    }

    /// Sends a form-encoded POST with exactly these extra headers (no `Origin` unless given).
    pub async fn post_form_with(&self, uri: &str, form: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("POST", uri, Some(form), headers).await
    }

    /// Creates an admin account directly in the database.
    pub async fn create_admin(&self, email: &str, password: &str) {
        let hash = server::admin::password::hash_password(password).expect("hash");
        app::db::insert_admin(&self.pool, email, &hash).await.expect("admin stored");
    }

    /// Signs in through the form and returns the `Cookie` header value of the new session.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .append_pair("password", password)
            .finish();
        let answer = self.post_form("/admin/sign-in", &form).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "sign-in answers with a redirect");
        assert_eq!(answer.headers.get("location").and_then(|v| v.to_str().ok()), Some("/admin/jobs"));
        session_cookie(&answer).expect("sign-in sets the session cookie")
    }

    /// A sign-in form (`path`: the admin's or the candidate's) from client address `peer`, through the
    /// router as the server would see it.
    pub async fn sign_in_from(&self, path: &str, email: &str, password: &str, peer: [u8; 4]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .append_pair("password", password)
            .finish();
        let mut request = Request::post(path)
            .header("origin", PUBLIC_URL)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let peer: std::net::SocketAddr = (peer, 40_000).into();
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        let response = self.router.clone().oneshot(request).await.expect("answer");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Sends a request through the router. The listing snapshot is brought up to date first, as the
    /// refresher would have done within half a second of the test's last write.
    pub async fn send(&self, method: &str, uri: &str, form: Option<&str>, headers: &[(&str, &str)]) -> Answer {
        // (A test that closed the pool on purpose gets the server's own answer to that.)
        let _ = self.cache.refresh(&self.pool).await;
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if form.is_some() {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        let request = request.body(Body::from(form.unwrap_or_default().to_owned())).expect("request");
        let started = std::time::Instant::now();
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let elapsed = started.elapsed();
        if elapsed > std::time::Duration::from_secs(2) || response.status().is_server_error() {
            // A clue for a slow or failing request when a test fails.
            eprintln!("{method} {uri}: {} after {elapsed:?}", response.status());
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// The id of the brief's posting.
    pub async fn brief_id(&self) -> i64 {
        on_db!(self.pool, |p| sqlx::query_scalar(
            "SELECT id FROM postings WHERE title LIKE 'Backend Software Engineer Graduate (TikTok%'"
        )
        .fetch_one(p)
        .await)
        .expect("the brief's posting exists")
    }
}

/// The `name=value` of the session cookie an answer sets, for a later request's `Cookie` header.
pub fn session_cookie(answer: &Answer) -> Option<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|cookie| cookie.starts_with("jobboard_session="))
        .and_then(|cookie| cookie.split(';').next())
        .map(str::to_owned)
}

/// The JSON-LD of a page, parsed.
pub fn json_ld(body: &str) -> serde_json::Value {
    let start = body.find("<script type=\"application/ld+json\">").expect("JSON-LD present")
        + "<script type=\"application/ld+json\">".len();
    let end = start + body[start..].find("</script>").expect("script closes");
    serde_json::from_str(&body[start..end]).expect("JSON-LD parses")
}
