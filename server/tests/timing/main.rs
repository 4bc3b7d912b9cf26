//! The answers of sign-up, forgot-password and resend-confirmation take the same time whether or not the
//! address has an account (issue 28): 50 tries each over real HTTP, medians within 20%. A test binary of
//! its own, so that cargo runs it alone (after the other suites) and no other test's load skews the
//! times. Runs on SQLite, or on PostgreSQL when `JOBBOARD_TEST_POSTGRES` is set, like the integration
//! suite, whose test application it shares.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[allow(dead_code)]
#[path = "../integration/helpers.rs"]
mod helpers;

use helpers::{PUBLIC_URL, TestApp};

const PASSWORD: &str = "copper lantern drift 4417";

fn form(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

async fn count(app: &TestApp, sql: &'static str, bind: &str) -> i64 {
    on_db!(app.pool, |p| sqlx::query_scalar(sql).bind(bind).fetch_one(p).await).expect("count")
}

/// Waits (at most 10 s) until the queued account requests are done.
async fn settle(app: &TestApp) {
    for _ in 0..200 {
        if count(app, "SELECT COUNT(*) FROM account_requests WHERE email <> $1", "").await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the queued account requests were not done within 10 s");
}

/// A POST over real HTTP/1.1 to `addr`: the status, the `Location`, the body, and how long the answer
/// took.
async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> (u16, String, String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {PUBLIC_URL}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let location = head
        .lines()
        .find_map(|line| line.strip_prefix("location: ").or_else(|| line.strip_prefix("Location: ")))
        .unwrap_or_default()
        .to_owned();
    (status, location, body.to_owned(), elapsed)
}

/// The form a page sends for an address.
type FormOf = fn(&str) -> String;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_forgot_and_resend_answer_alike_for_known_and_unknown_addresses() {
    let app = TestApp::with_brief().await;
    let limits = server::rate_limits::RateLimitSettings {
        account_mails_per_address_per_hour: 1_000_000,
        account_mails_per_email_per_day: 1_000_000,
        ..server::rate_limits::RateLimitSettings::default()
    };
    let state = server::AppState::new(app.pool.clone(), server::startup::leptos_options(), PUBLIC_URL.into())
        .with_rate_limits(limits);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let limits = server::serve::ConnectionLimits::default();
    tokio::spawn(server::serve::serve(listener, server::build_app(state), limits, std::future::pending()));
    // One account confirmed (sign-up, forgot), one waiting for its confirmation (resend).
    for email in ["known@mail.example", "waiting@mail.example"] {
        let (status, ..) = post(addr, "/account/sign-up", &form(&[("email", email), ("password", PASSWORD)])).await;
        assert_eq!(status, 303);
    }
    settle(&app).await;
    on_db!(app.pool, |p| sqlx::query(
        "UPDATE candidates SET confirmed_at = created_at WHERE email = 'known@mail.example'"
    )
    .execute(p)
    .await
    .map(|_| ()))
    .expect("confirmed");

    const TRIES: usize = 50;
    let forms: [(&str, &str, FormOf); 3] = [
        ("/account/sign-up", "known@mail.example", |email| {
            form(&[("email", email), ("password", PASSWORD), ("name", "Ana Lima")])
        }),
        ("/account/forgot", "known@mail.example", |email| form(&[("email", email)])),
        ("/account/confirm/resend", "waiting@mail.example", |email| form(&[("email", email)])),
    ];
    for (kind, (path, known, body)) in forms.into_iter().enumerate() {
        let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
        // One warm-up each, then the two kinds interleaved, so that both meet the same load.
        post(addr, path, &body(known)).await;
        post(addr, path, &body(&format!("warm-up-{kind}@mail.example"))).await;
        for n in 0..TRIES {
            let unknown = format!("nobody-{kind}-{n}@mail.example");
            // Each answer is timed alone: the work queued by the one before is done first.
            settle(&app).await;
            let (known_status, known_location, known_body, known_time) = post(addr, path, &body(known)).await;
            settle(&app).await;
            let (status, location, answer_body, time) = post(addr, path, &body(&unknown)).await;
            assert_eq!((known_status, &known_location, &known_body), (status, &location, &answer_body), "{path}");
            assert_eq!(status, 303, "{path}: {answer_body}");
            known_times.push(known_time);
            unknown_times.push(time);
        }
        let (known, unknown) = (median(known_times), median(unknown_times));
        let ratio = known.as_secs_f64().max(unknown.as_secs_f64()) / known.as_secs_f64().min(unknown.as_secs_f64());
        eprintln!("{path}: median {known:?} with an account, {unknown:?} without (x{ratio:.2})");
        assert!(ratio < 1.2, "{path}: median {known:?} with an account, {unknown:?} without");
    }
    settle(&app).await;
    let reset_mails = count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND subject = 'Reset your password'",
        "known@mail.example",
    )
    .await;
    assert!(reset_mails >= TRIES as i64, "the known address got its reset links ({reset_mails})");
    for unknown in ["nobody-1-%", "nobody-2-%"] {
        let mails = count(&app, "SELECT COUNT(*) FROM outbox WHERE to_address LIKE $1", unknown).await;
        assert_eq!(mails, 0, "no reset or confirmation link to an address without an account");
    }
}
