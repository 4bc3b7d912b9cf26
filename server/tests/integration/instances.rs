//! Several server processes on one database, as a board behind a proxy runs: what one instance writes
//! (postings, sessions) the others see, and instances starting together migrate once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::admin::{csrf_token, posting_form};
use crate::helpers::{TestApp, TestDatabase, postgres_server};

/// A `jobboard serve` process on a loopback port; killed (SIGKILL) when dropped.
pub(crate) struct Instance {
    pub(crate) process: Child,
    pub(crate) addr: std::net::SocketAddr,
}

/// An answer read whole: status, headers (lower-case names) and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl Instance {
    /// Starts the server binary on `database_url` and waits until it answers.
    async fn start(database_url: &str) -> Self {
        Self::start_logging(database_url, "warn", Stdio::null()).await
    }

    /// Starts the server with the log filter `log`, its JSON log lines going to `logs`.
    async fn start_logging(database_url: &str, log: &str, logs: Stdio) -> Self {
        Self::start_with(database_url, log, logs, &[]).await
    }

    /// Starts the server with the log filter `log`, its JSON log lines going to `logs`, and these
    /// environment settings besides.
    pub(crate) async fn start_with(database_url: &str, log: &str, logs: Stdio, settings: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
        // The crash test may run another build of the server (`make crash-test`: the release one).
        let binary =
            std::env::var("JOBBOARD_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_jobboard").to_owned());
        let process = Command::new(binary)
            .args(["serve", "--addr", &addr.to_string(), "--public-url", &format!("http://{addr}")])
            .args(["--log-format", "json"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", log)
            // No alert sweeps: an instance writes only what a test asks of it.
            .env("JOBBOARD_ALERT_SWEEP_SECONDS", "0")
            .envs(settings.iter().copied())
            .stdout(logs)
            .spawn()
            .expect("the server starts");
        let instance = Self { process, addr };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if TcpStream::connect(addr).await.is_ok() && instance.get("/readyz", &[]).await.status == 200 {
                return instance;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the instance on {addr} did not answer within 60 s");
    }

    /// Stops the server as an operator does (SIGTERM) and waits, at most 150 s, for it to exit.
    pub(crate) async fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.process.id().to_string();
        let sent = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        let deadline = Instant::now() + Duration::from_secs(150);
        while Instant::now() < deadline {
            if let Some(status) = self.process.try_wait().expect("the server's status") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not stop within 150 s of SIGTERM");
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send("GET", path, None, headers).await
    }

    pub(crate) async fn post(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> Reply {
        self.try_post(path, form, headers).await.expect("an answer")
    }

    /// A form POST from the site's own origin; an error when the connection fails (the server died).
    pub(crate) async fn try_post(&self, path: &str, form: &str, headers: &[(&str, &str)]) -> std::io::Result<Reply> {
        let origin = self.origin();
        let mut all = vec![("origin", origin.as_str())];
        all.extend_from_slice(headers);
        self.try_send("POST", path, Some(form), &all).await
    }

    /// One HTTP/1.1 request on its own connection.
    async fn send(&self, method: &str, path: &str, form: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        self.try_send(method, path, form, headers).await.expect("an answer")
    }

    /// One HTTP/1.1 request on its own connection; an error when connecting, writing or reading fails.
    async fn try_send(
        &self,
        method: &str,
        path: &str,
        form: Option<&str>,
        headers: &[(&str, &str)],
    ) -> std::io::Result<Reply> {
        let mut stream = TcpStream::connect(self.addr).await?;
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(form) = form {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                form.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(form.unwrap_or_default());
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Ok(Reply { status, headers, body: body.to_owned() })
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The `name=value` of the session cookie a reply sets.
pub(crate) fn session_cookie(reply: &Reply) -> String {
    reply
        .headers
        .iter()
        .filter(|(name, _)| name == "set-cookie")
        .find_map(|(_, value)| value.strip_prefix("jobboard_session=").map(|rest| rest.split(';').next().unwrap_or("")))
        .map(|value| format!("jobboard_session={value}"))
        .expect("a session cookie")
}

/// With `--log-format json`, each request ends in one JSON line with its id, method, route, status and
/// time taken; the answer carries the id back, a made-up long one is replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_logged_as_json_with_its_id_route_status_and_duration() {
    let app = TestApp::with_brief().await;
    let log_file = tempfile::NamedTempFile::new().expect("a log file");
    let logs = Stdio::from(log_file.reopen().expect("the log file for writing"));
    let instance = Instance::start_logging(&app.database_url, "info", logs).await;
    let given = instance.get("/jobs?region=CA", &[("x-request-id", "test-request-41")]).await;
    assert_eq!(given.status, 200);
    assert_eq!(given.header("x-request-id"), Some("test-request-41"));
    let made = instance.get("/no-such-page", &[]).await;
    let made_id = made.header("x-request-id").expect("a new id").to_owned();
    assert_eq!(made_id.len(), 36, "a UUID: {made_id}");
    let long = "x".repeat(200);
    let replaced = instance.get("/", &[("x-request-id", &long)]).await;
    assert_eq!(replaced.header("x-request-id").map(str::len), Some(36), "a made-up long id is replaced");
    drop(instance);

    let text = std::fs::read_to_string(log_file.path()).expect("the log");
    let lines: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"))).collect();
    let finished = |id: &str| {
        lines
            .iter()
            .find(|line| line["span"]["id"] == id && line["fields"]["message"] == "finished processing request")
            .cloned()
            .unwrap_or_else(|| panic!("no finished line for {id} in:\n{text}"))
    };
    let listing = finished("test-request-41");
    assert_eq!(listing["span"]["method"], "GET");
    assert_eq!(listing["span"]["route"], "/jobs");
    assert_eq!(listing["fields"]["status"], 200);
    assert!(listing["fields"]["latency"].as_str().is_some_and(|l| l.ends_with(" ms")), "{listing}");
    let missing = finished(&made_id);
    assert_eq!(missing["fields"]["status"], 404);
    assert!(!text.contains(&long), "the made-up id is not logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_share_postings_and_sessions() {
    let app = TestApp::with_brief().await;
    let (email, password) = ("two@jobs.example", "violet kettle orbit 1931");
    app.create_admin(email, password).await;
    let (a, b) = (Instance::start(&app.database_url).await, Instance::start(&app.database_url).await);

    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .append_pair("password", password)
        .finish();
    let signed_in = a.post("/admin/sign-in", &form, &[]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = session_cookie(&signed_in);
    assert_eq!(b.get("/admin/jobs", &[("cookie", &cookie)]).await.status, 200, "B honours A's session");

    // A posting published on A is listed by B within 2 s.
    let token = csrf_token(&a.get("/admin/jobs/new", &[("cookie", &cookie)]).await.body);
    let title = "Cross Instance Queue Engineer";
    let saved = a
        .post("/admin/jobs/new", &posting_form(&token, title, "publish", ("150000", "190000")), &[("cookie", &cookie)])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let published = Instant::now();
    let listed = loop {
        let page = b.get("/jobs?q=cross+instance", &[]).await;
        if page.body.contains(title) {
            break published.elapsed();
        }
        assert!(published.elapsed() < Duration::from_secs(2), "B did not list A's posting within 2 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("B listed A's posting after {listed:?}");

    // Signing out on B ends the session on A too.
    let token = csrf_token(&b.get("/admin/jobs", &[("cookie", &cookie)]).await.body);
    let out = b.post("/admin/sign-out", &format!("csrf={token}"), &[("cookie", &cookie)]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    let after = a.get("/admin/jobs", &[("cookie", &cookie)]).await;
    assert_eq!(after.status, 303, "A no longer honours the session");
    assert!(after.header("location").unwrap_or_default().starts_with("/admin/sign-in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_only_instances_starting_together_on_an_empty_database_migrate_once() {
    assert!(
        postgres_server().is_some(),
        "this test runs on PostgreSQL: the test command starts one and sets JOBBOARD_TEST_POSTGRES"
    );
    let (_place, url) = TestDatabase::new().await;
    let (a, b) = tokio::join!(Instance::start(&url), Instance::start(&url));
    assert_eq!(a.get("/readyz", &[]).await.status, 200);
    assert_eq!(b.get("/readyz", &[]).await.status, 200);
    let pool = app::db::connect(&url, 1).await.expect("connect");
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres"))
        .expect("migrations folder")
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql")))
        .count();
    let applied: i64 =
        crate::on_db!(pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(p)
            .await)
        .expect("applied migrations");
    assert_eq!(applied, migrations as i64, "each migration applied once");
    let postings = app::db::count_postings(&pool).await.expect("count");
    assert_eq!(postings, 0, "an empty PostgreSQL database is not seeded by the instances");
}

/// `jobboard backup FILE` while a server runs on the database; the restore is the README's: the file put
/// where the database was, with the server started on it. The restored board passes SQLite's integrity
/// check and holds the same rows. On PostgreSQL the command refuses and names `pg_dump`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_to_the_same_rows_and_passes_its_integrity_check() {
    let app = TestApp::seeded().await;
    let folder = tempfile::tempdir().expect("a folder");
    let file = folder.path().join("backup.db");
    let run = |database_url: &str| {
        Command::new(env!("CARGO_BIN_EXE_jobboard"))
            .arg("backup")
            .arg(&file)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the command runs")
    };
    if app.pool.engine() == app::db::Engine::Postgres {
        let refused = run(&app.database_url);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"), "{refused:?}");
        assert!(!file.exists());
        return;
    }
    let serving = Instance::start(&app.database_url).await;
    let backed_up = run(&app.database_url);
    assert!(backed_up.status.success(), "{backed_up:?}");
    let printed = String::from_utf8_lossy(&backed_up.stdout);
    assert!(printed.contains("integrity_check: ok"), "{printed}");
    drop(serving);
    // A second backup into the same file is refused: nothing is overwritten.
    let again = run(&app.database_url);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let restored_path = folder.path().join("restored.db");
    std::fs::copy(&file, &restored_path).expect("restore the file");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let restored = app::db::connect(&restored_url, 1).await.expect("open the restored board");
    assert_eq!(app::db::integrity_check(&restored).await.expect("check"), "ok");
    let (source, copy) = (
        app::db::row_counts(&app.pool).await.expect("source counts"),
        app::db::row_counts(&restored).await.expect("restored counts"),
    );
    assert_eq!(copy, source);
    assert!(copy.iter().any(|(table, count)| *table == "postings" && *count > 0));
    restored.close().await;
    let restored_server = Instance::start(&restored_url).await;
    assert_eq!(restored_server.get("/readyz", &[]).await.status, 200);
    assert!(
        restored_server.get("/jobs?q=backend+graduate", &[]).await.body.contains("Backend Software Engineer Graduate")
    );
}

/// `--backup-dir`: the server writes a checked backup every interval and keeps only the newest ones. Each
/// kept file opens, passes its integrity check and holds the board's rows, and a shutdown leaves no
/// half-written copy. PostgreSQL takes none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_backs_up_every_interval_and_keeps_the_newest() {
    let app = TestApp::seeded().await;
    let folder = tempfile::tempdir().expect("a folder");
    let backups = folder.path().join("backups");
    let backup_dir = backups.display().to_string();
    let settings = [
        ("JOBBOARD_BACKUP_DIR", backup_dir.as_str()),
        ("JOBBOARD_BACKUP_INTERVAL_SECONDS", "1"),
        ("JOBBOARD_BACKUP_KEEP", "2"),
    ];
    let mut serving = Instance::start_with(&app.database_url, "warn", Stdio::null(), &settings).await;
    let names_in_folder = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&backups)
            .map(|dir| dir.flatten().filter_map(|entry| entry.file_name().into_string().ok()).collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    let postgres = app.pool.engine() == app::db::Engine::Postgres;
    // Every finished backup seen while the server runs; at least three taken proves the pruning.
    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(if postgres { 4 } else { 60 });
    while Instant::now() < deadline && seen.len() < 3 {
        seen.extend(names_in_folder().into_iter().filter(|name| name.ends_with("Z.db")));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A backup under way when the server is told to stop is finished first: none is left half-written.
    assert!(serving.stop().await.success(), "the server stops cleanly");
    let names = names_in_folder();
    if postgres {
        assert!(names.is_empty(), "PostgreSQL is backed up with pg_dump: {names:?}");
        return;
    }
    assert!(seen.len() >= 3, "three backups within a minute at one a second: {seen:?}");
    seen.extend(names.iter().cloned());
    let newest_two: Vec<String> = seen.iter().rev().take(2).rev().cloned().collect();
    assert_eq!(names, newest_two, "only the newest two backups are kept, and nothing else is left");
    let files: Vec<_> = names.iter().map(|name| backups.join(name)).collect();
    let source = app::db::row_counts(&app.pool).await.expect("source counts");
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("jobboard-") && name.ends_with("Z.db"), "{name}");
        let copy = app::db::connect(&format!("sqlite://{}", file.display()), 1).await.expect("open the backup");
        assert_eq!(app::db::integrity_check(&copy).await.expect("check"), "ok");
        assert_eq!(app::db::row_counts(&copy).await.expect("counts"), source);
        copy.close().await;
    }
}
