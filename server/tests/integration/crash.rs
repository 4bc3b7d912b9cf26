//! The crash test: a server process taking the writes people make (an admin's postings and edits,
//! candidates' sign-ups and applications, alert subscriptions) is killed with SIGKILL at random moments.
//! After each restart every acknowledged write is there, no candidate holds more applications to the
//! company than its limit, and the database passes its own checks. The test command runs a few kills;
//! `make crash-test` runs 50 against the release build on both engines (`JOBBOARD_CRASH_KILLS`,
//! `JOBBOARD_TEST_BINARY`). On PostgreSQL the board's server is killed, not the database.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::admin::{csrf_token, posting_form};
use crate::candidates::{application_form, confirmation_token, form};
use crate::helpers::TestApp;
use crate::instances::{Instance, Reply, session_cookie};

const ADMIN_EMAIL: &str = "crash@jobs.example";
const ADMIN_PASSWORD: &str = "violet kettle orbit 1931";
const PASSWORD: &str = "copper lantern drift 4417";
/// The brief's company and its limit of applications a candidate holds at once.
const COMPANY_LIMIT: i64 = 2;
/// How many processes write at once.
const WRITERS: usize = 3;

/// The rate limits raised so that one loopback address may write this much; everything else as served.
const SETTINGS: [(&str, &str); 7] = [
    ("JOBBOARD_SIGN_INS_PER_ADDRESS_PER_MINUTE", "1000000"),
    ("JOBBOARD_ALERTS_PER_ADDRESS_PER_HOUR", "1000000"),
    ("JOBBOARD_ALERTS_PER_EMAIL_PER_DAY", "1000000"),
    ("JOBBOARD_ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR", "1000000"),
    ("JOBBOARD_ACCOUNT_MAILS_PER_EMAIL_PER_DAY", "1000000"),
    ("JOBBOARD_CANDIDATE_WRITES_PER_MINUTE", "1000000"),
    ("JOBBOARD_TOKEN_FORMS_PER_MINUTE", "1000000"),
];

fn kills() -> usize {
    std::env::var("JOBBOARD_CRASH_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(4)
}

/// A confirmed, signed-in candidate.
#[derive(Clone)]
struct Candidate {
    email: String,
    cookie: String,
    token: String,
}

/// What the server acknowledged (answered 303 to), and what it was sent without an answer.
#[derive(Default)]
struct Ledger {
    /// Each acknowledged posting's id and its last acknowledged title.
    postings: HashMap<i64, String>,
    /// Titles sent for a posting after its last acknowledged one, unanswered: one of them may be stored.
    unanswered_titles: HashMap<i64, Vec<String>>,
    edits: usize,
    sign_ups: Vec<String>,
    applications: Vec<(String, i64)>,
    refused_at_limit: usize,
    alerts: Vec<String>,
    server_errors: Vec<String>,
}

impl Ledger {
    fn acknowledged(&self) -> usize {
        self.postings.len() + self.edits + self.sign_ups.len() + self.applications.len() + self.alerts.len()
    }
}

/// What the writers share: the ledger, the applications still to make, a counter for unique names.
struct Shared {
    ledger: Mutex<Ledger>,
    to_apply: Mutex<Vec<(Candidate, i64)>>,
    next: AtomicUsize,
    admin_cookie: String,
    admin_token: String,
}

impl Shared {
    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sends writes until the server stops answering or `stop` is set.
async fn write_until_killed(instance: Arc<Instance>, shared: Arc<Shared>, seed: u64, stop: Arc<AtomicBool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut mine: Vec<i64> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        let admin = [("cookie", shared.admin_cookie.as_str())];
        let answer: std::io::Result<Reply> = match rng.random_range(0..5) {
            0 => {
                let title = format!("Crash Queue Engineer {n}");
                let sent = posting_form(&shared.admin_token, &title, "publish", ("150000", "190000"));
                let answer = instance.try_post("/admin/jobs/new", &sent, &admin).await;
                if let Ok(reply) = &answer
                    && reply.status == 303
                {
                    let id =
                        reply.header("location").and_then(|l| l.split("saved=").nth(1)).and_then(|id| id.parse().ok());
                    let id: i64 = id.unwrap_or_else(|| panic!("a saved posting's id: {:?}", reply.header("location")));
                    shared.ledger().postings.insert(id, title);
                    mine.push(id);
                }
                answer
            }
            1 if !mine.is_empty() => {
                let id = mine[rng.random_range(0..mine.len())];
                let title = format!("Crash Queue Engineer {n} (edited)");
                shared.ledger().unanswered_titles.entry(id).or_default().push(title.clone());
                let sent = posting_form(&shared.admin_token, &title, "publish", ("150000", "195000"));
                let answer = instance.try_post(&format!("/admin/jobs/{id}/edit"), &sent, &admin).await;
                if let Ok(reply) = &answer
                    && reply.status == 303
                {
                    let mut ledger = shared.ledger();
                    ledger.postings.insert(id, title);
                    ledger.unanswered_titles.remove(&id);
                    ledger.edits += 1;
                }
                answer
            }
            2 => {
                let email = format!("signup{n}@crash.example");
                let sent = form(&[("email", &email), ("password", PASSWORD), ("name", "Ana Lima")]);
                let answer = instance.try_post("/account/sign-up", &sent, &[]).await;
                if let Ok(reply) = &answer
                    && reply.status == 303
                {
                    shared.ledger().sign_ups.push(email);
                }
                answer
            }
            3 => {
                let next = shared.to_apply.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
                let Some((candidate, posting)) = next else { continue };
                let sent = application_form(&candidate.token, &candidate.email);
                let path = format!("/jobs/{posting}/apply");
                let answer = instance.try_post(&path, &sent, &[("cookie", &candidate.cookie)]).await;
                if let Ok(reply) = &answer {
                    match reply.status {
                        303 => shared.ledger().applications.push((candidate.email.clone(), posting)),
                        409 => shared.ledger().refused_at_limit += 1,
                        _ => {}
                    }
                }
                answer
            }
            _ => {
                let email = format!("alert{n}@crash.example");
                let sent = form(&[("email", &email), ("step", "devops-engineer")]);
                let answer = instance.try_post("/careers/backend-software-engineering/alerts", &sent, &[]).await;
                if let Ok(reply) = &answer
                    && reply.status == 303
                {
                    shared.ledger().alerts.push(email);
                }
                answer
            }
        };
        match answer {
            Ok(reply) if reply.status >= 500 => shared.ledger().server_errors.push(format!(
                "{}: {}",
                reply.status,
                reply.body.chars().take(200).collect::<String>()
            )),
            Ok(reply) if reply.status == 0 => break,
            Ok(_) => {}
            // The server is gone.
            Err(_) => break,
        }
    }
}

async fn count(app: &TestApp, sql: &'static str, text: &str, number: Option<i64>) -> i64 {
    crate::on_db!(app.pool, |p| {
        let query = sqlx::query_scalar(sql).bind(text);
        match number {
            Some(number) => query.bind(number).fetch_one(p).await,
            None => query.fetch_one(p).await,
        }
    })
    .expect("count")
}

/// Every acknowledged write that is not in the database, in words.
async fn losses(app: &TestApp, ledger: &Ledger) -> Vec<String> {
    let mut lost = Vec::new();
    for (id, title) in &ledger.postings {
        let stored: Option<String> =
            crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT title FROM postings WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await)
            .expect("read");
        let allowed = |stored: &String| {
            stored == title || ledger.unanswered_titles.get(id).is_some_and(|sent| sent.contains(stored))
        };
        if !stored.as_ref().is_some_and(allowed) {
            lost.push(format!("posting {id} {title:?}: stored {stored:?}"));
        }
    }
    // An acknowledged sign-up is an account, or a request queued to make one (a restart does it).
    for email in &ledger.sign_ups {
        let stored = count(app, "SELECT COUNT(*) FROM candidates WHERE email = $1", email, None).await
            + count(app, "SELECT COUNT(*) FROM account_requests WHERE email = $1", email, None).await;
        if stored != 1 {
            lost.push(format!("sign-up {email}"));
        }
    }
    for (email, posting) in &ledger.applications {
        let sql = "SELECT COUNT(*) FROM applications a JOIN candidates c ON c.id = a.candidate_id \
                   WHERE c.email = $1 AND a.posting_id = $2";
        if count(app, sql, email, Some(*posting)).await != 1 {
            lost.push(format!("application of {email} to {posting}"));
        }
    }
    for email in &ledger.alerts {
        if count(app, "SELECT COUNT(*) FROM alerts WHERE email = $1", email, None).await != 1 {
            lost.push(format!("alert of {email}"));
        }
    }
    lost
}

/// The database's own checks: no candidate over the company's limit, SQLite's integrity and foreign keys.
async fn check_database(app: &TestApp) {
    let over_limit: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT candidate_id FROM applications WHERE status <> 'withdrawn' \
         GROUP BY candidate_id, company_id HAVING COUNT(*) > $1) AS over"
    )
    .bind(COMPANY_LIMIT)
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(over_limit, 0, "no candidate holds more applications than the company's limit");
    // On a connection opened now, as the restarted server's are: a connection of this process kept open
    // across the kill can report FTS5 "corruption" in integrity_check that the file does not have (a fresh
    // connection and the sqlite3 shell find none, and its queries answer right).
    let fresh = app::db::connect(&app.database_url, 1).await.expect("open the database again");
    assert_eq!(app::db::integrity_check(&fresh).await.expect("check"), "ok", "integrity_check after the kill");
    fresh.close().await;
    if let app::db::Pool::Sqlite(pools) = &app.pool {
        let broken: Vec<(String, i64)> = sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
            .fetch_all(pools.writer())
            .await
            .expect("foreign_key_check");
        assert!(broken.is_empty(), "foreign keys hold: {broken:?}");
    }
}

/// Signs up and confirms `email` (the confirmation token read from the outbox).
async fn confirmed_candidate(app: &TestApp, instance: &Instance, email: &str) -> Candidate {
    let signed_up = instance
        .post("/account/sign-up", &form(&[("email", email), ("password", PASSWORD), ("name", "Ana Lima")]), &[])
        .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.body);
    let token = confirmation_token(&app.last_mail_to(email).await.1);
    let confirmed = instance.post("/account/confirm", &form(&[("token", &token)]), &[]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let signed_in = instance.post("/account/sign-in", &form(&[("email", email), ("password", PASSWORD)]), &[]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = session_cookie(&signed_in);
    let page = instance.get("/account", &[("cookie", &cookie)]).await;
    Candidate { email: email.to_owned(), token: csrf_token(&page.body), cookie }
}

async fn start(app: &TestApp) -> Instance {
    Instance::start_with(&app.database_url, "warn", Stdio::null(), &SETTINGS).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_when_the_server_is_killed() {
    let app = TestApp::with_brief().await;
    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let kills = kills();
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let mut instance = start(&app).await;

    let signed_in =
        instance.post("/admin/sign-in", &form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]), &[]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let admin_cookie = session_cookie(&signed_in);
    let admin_token = csrf_token(&instance.get("/admin/jobs/new", &[("cookie", &admin_cookie)]).await.body);
    let tiktok: Vec<i64> = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT p.id FROM postings p JOIN companies c ON c.id = p.company_id WHERE c.slug = 'tiktok' ORDER BY p.id"
    )
    .fetch_all(p)
    .await)
    .expect("postings");
    assert!(tiktok.len() as i64 > COMPANY_LIMIT, "the brief's company has more postings than its limit");
    // Each candidate tries every TikTok posting, in a shuffled order: the last tries are refused.
    let mut to_apply = Vec::new();
    for n in 0..(2 + kills) {
        let candidate = confirmed_candidate(&app, &instance, &format!("applicant{n}@crash.example")).await;
        for posting in &tiktok {
            to_apply.push((candidate.clone(), *posting));
        }
    }
    for i in (1..to_apply.len()).rev() {
        to_apply.swap(i, rng.random_range(0..=i));
    }
    let shared = Arc::new(Shared {
        ledger: Mutex::default(),
        to_apply: Mutex::new(to_apply),
        next: AtomicUsize::new(0),
        admin_cookie,
        admin_token,
    });

    let started = Instant::now();
    for kill in 0..kills {
        let pid = instance.process.id().to_string();
        let serving = Arc::new(instance);
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let seed = (kill * WRITERS + w) as u64;
                tokio::spawn(write_until_killed(Arc::clone(&serving), Arc::clone(&shared), seed, Arc::clone(&stop)))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(300..1_500))).await;
        let killed = std::process::Command::new("kill").args(["-KILL", &pid]).status().expect("kill runs");
        assert!(killed.success(), "SIGKILL sent to {pid}");
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.await.expect("writer");
        }
        // The last holder reaps the killed process.
        drop(serving);
        instance = start(&app).await;
        // The writers are done: the ledger is taken out to be checked, then put back.
        let ledger = std::mem::take(&mut *shared.ledger());
        let lost = losses(&app, &ledger).await;
        assert!(lost.is_empty(), "after kill {}: {} acknowledged writes lost: {lost:?}", kill + 1, lost.len());
        assert!(ledger.server_errors.is_empty(), "no 5xx: {:?}", ledger.server_errors);
        *shared.ledger() = ledger;
        check_database(&app).await;
    }
    drop(instance);
    let ledger = shared.ledger();
    let engine = app.pool.engine().name();
    eprintln!(
        "crash test ({engine}): {kills} kills in {:.0} s; {} writes acknowledged (postings {}, edits {}, sign-ups {}, \
         applications {}, alerts {}), 0 lost; {} applications refused at the limit; integrity_check ok",
        started.elapsed().as_secs_f64(),
        ledger.acknowledged(),
        ledger.postings.len(),
        ledger.edits,
        ledger.sign_ups.len(),
        ledger.applications.len(),
        ledger.alerts.len(),
        ledger.refused_at_limit,
    );
    assert!(ledger.postings.len() >= kills && !ledger.applications.is_empty(), "the writers wrote");
}
