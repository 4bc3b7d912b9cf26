//! A test application: a temporary SQLite file, migrated and seeded, and the real router over it.

use app::db::Pool;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::startup::{leptos_options, open_database};
use server::{AppState, build_app, seed};
use tempfile::TempDir;
use tower::ServiceExt;

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
    _folder: TempDir,
}

impl TestApp {
    /// An empty, migrated database (no seed).
    pub async fn empty() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", folder.path().join("nested/test.db").display());
        let pool = open_database(&url).await.expect("database opens and migrates");
        let state = AppState {
            pool: pool.clone(),
            leptos_options: leptos_options(),
            public_url: "https://jobs.example".to_owned(),
        };
        let router = build_app(state);
        Self { pool, router, _folder: folder }
    }

    /// A database with the brief's postings and [`GENERATED`] generated ones.
    pub async fn seeded() -> Self {
        let app = Self::empty().await;
        seed::load_demo(&app.pool, GENERATED).await.expect("demo data loads");
        app
    }

    /// Sends a GET request through the router.
    pub async fn get(&self, uri: &str) -> Answer {
        self.send("GET", uri, None, None).await
    }

    /// Sends a GET request with one extra header.
    pub async fn get_with_header(&self, uri: &str, header: (&str, &str)) -> Answer {
        self.send("GET", uri, None, Some(header)).await
    }

    /// Sends a form-encoded POST, as a server function call from the browser does.
    pub async fn post_form(&self, uri: &str, form: &str) -> Answer {
        self.send("POST", uri, Some(form), None).await
    }

    /// Sends a request. A request that hits the server's timeout (408) is sent once more, loudly: Leptos's
    /// async SSR very rarely never finishes a render (seen only in these in-process tests, about one run in
    /// three after dropping the page cache); the answer asserted on is then the retry's.
    async fn send(&self, method: &str, uri: &str, form: Option<&str>, header: Option<(&str, &str)>) -> Answer {
        let mut answer = self.send_once(method, uri, form, header).await;
        if answer.status == StatusCode::REQUEST_TIMEOUT {
            eprintln!("{method} {uri}: timed out (408); retrying once");
            answer = self.send_once(method, uri, form, header).await;
        }
        answer
    }

    async fn send_once(&self, method: &str, uri: &str, form: Option<&str>, header: Option<(&str, &str)>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some((name, value)) = header {
            request = request.header(name, value);
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
        sqlx::query_scalar("SELECT id FROM postings WHERE title LIKE 'Backend Software Engineer Graduate (TikTok%'")
            .fetch_one(&self.pool)
            .await
            .expect("the brief's posting exists")
    }
}

/// The JSON-LD of a page, parsed.
pub fn json_ld(body: &str) -> serde_json::Value {
    let start = body.find("<script type=\"application/ld+json\">").expect("JSON-LD present")
        + "<script type=\"application/ld+json\">".len();
    let end = start + body[start..].find("</script>").expect("script closes");
    serde_json::from_str(&body[start..end]).expect("JSON-LD parses")
}
