//! Candidates over HTTP: accounts (confirmation, reset, sign-out, roles), applying under the company's
//! limit (sequential, concurrent, withdrawals, edits), the employer's status changes, saved jobs, the
//! slot planner, deletion, and the mail through a real SMTP server (aiosmtpd) on loopback.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;

use crate::helpers::{Answer, TestApp, json_ld, session_cookie};

const PASSWORD: &str = "copper lantern drift 4417";
const ADMIN_EMAIL: &str = "hiring@jobs.example";
const ADMIN_PASSWORD: &str = "violet kettle orbit 1931";

pub(crate) fn location(answer: &Answer) -> &str {
    answer.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The form token on a rendered page.
fn csrf(page: &str) -> String {
    crate::admin::csrf_token(page)
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// A signed-in candidate: the session cookie and the form token of its pages.
pub(crate) struct Candidate {
    pub(crate) email: String,
    pub(crate) cookie: String,
    pub(crate) token: String,
}

impl TestApp {
    pub(crate) async fn post_as(&self, cookie: &str, uri: &str, body: &str) -> Answer {
        self.post_form_with(uri, body, &[("origin", crate::helpers::PUBLIC_URL), ("cookie", cookie)]).await
    }

    /// Waits (at most 10 s) until the queued account requests (reset and confirmation links, done off the
    /// request path) are done.
    pub(crate) async fn settle_account_requests(&self) {
        for _ in 0..200 {
            let queued: i64 = crate::on_db!(self.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM account_requests")
                .fetch_one(p)
                .await)
            .expect("queued requests");
            if queued == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the queued account requests were not done within 10 s");
    }

    /// The newest outbox message to `to`: its subject and body.
    pub(crate) async fn last_mail_to(&self, to: &str) -> (String, String) {
        self.settle_account_requests().await;
        crate::on_db!(self.pool, |p| sqlx::query_as(
            "SELECT subject, body FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1"
        )
        .bind(to)
        .fetch_one(p)
        .await)
        .expect("a message to the address is in the outbox")
    }

    /// Signs up through the form: nobody is signed in (the address is confirmed first), and the answer
    /// is the page that says to look for the e-mail.
    pub(crate) async fn sign_up(&self, email: &str) -> Answer {
        let answer = self
            .post_form("/account/sign-up", &form(&[("email", email), ("password", PASSWORD), ("name", "Ana Lima")]))
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "sign-up redirects: {}", answer.body);
        assert_eq!(location(&answer), "/account/sign-in?notice=check-mail");
        // The sign-up itself is done off the request path.
        self.settle_account_requests().await;
        answer
    }

    /// Signs in through the candidate form with [`PASSWORD`].
    pub(crate) async fn candidate_sign_in(&self, email: &str) -> Candidate {
        let answer = self.post_form("/account/sign-in", &form(&[("email", email), ("password", PASSWORD)])).await;
        assert_eq!(location(&answer), "/account", "the candidate signs in");
        let cookie = session_cookie(&answer).expect("sign-in starts a session");
        let page = self.get_with_header("/account", ("cookie", &cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        Candidate { email: email.to_owned(), token: csrf(&page.body), cookie }
    }

    /// Signs up, follows the confirmation e-mail's link, and signs in.
    pub(crate) async fn confirmed_candidate(&self, email: &str) -> Candidate {
        self.sign_up(email).await;
        let token = confirmation_token(&self.last_mail_to(email).await.1);
        let confirmed = self.post_form("/account/confirm", &form(&[("token", &token)])).await;
        assert_eq!(location(&confirmed), "/account/sign-in?notice=confirmed");
        self.candidate_sign_in(email).await
    }

    pub(crate) async fn apply(&self, candidate: &Candidate, posting: i64) -> Answer {
        let body = application_form(&candidate.token, &candidate.email);
        self.post_as(&candidate.cookie, &format!("/jobs/{posting}/apply"), &body).await
    }

    /// The ids of the brief's TikTok postings, oldest first.
    pub(crate) async fn tiktok_postings(&self) -> Vec<i64> {
        crate::on_db!(self.pool, |p| sqlx::query_scalar(
            "SELECT p.id FROM postings p JOIN companies c ON c.id = p.company_id WHERE c.slug = 'tiktok' ORDER BY p.id"
        )
        .fetch_all(p)
        .await)
        .expect("postings")
    }

    async fn applications_of(&self, posting: i64) -> Vec<(i64, String, String)> {
        crate::on_db!(self.pool, |p| sqlx::query_as(
            "SELECT position, status, name FROM applications WHERE posting_id = $1 ORDER BY id"
        )
        .bind(posting)
        .fetch_all(p)
        .await)
        .expect("applications")
    }
}

/// An application as the apply form sends it, with the form token `csrf`.
pub(crate) fn application_form(csrf: &str, email: &str) -> String {
    form(&[
        ("csrf", csrf),
        ("name", "Ana Lima"),
        ("email", email),
        ("cv_url", "https://cv.example/ana"),
        ("cv_text", ""),
        ("note", "Hello"),
    ])
}

/// The token of the confirmation link in a message's body.
pub(crate) fn confirmation_token(body: &str) -> String {
    link_token(body, "/account/confirm?token=")
}

pub(crate) fn link_token(body: &str, marker: &str) -> String {
    let start = body.find(marker).expect("the message has the link") + marker.len();
    body[start..].chars().take_while(char::is_ascii_alphanumeric).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applications_to_the_company_succeed_in_order_and_the_third_is_refused_naming_them() {
    let app = TestApp::with_brief().await;
    let postings = app.tiktok_postings().await;
    assert!(postings.len() >= 3, "the brief has three TikTok postings or more");
    app.sign_up("ana@mail.example").await;

    // Before the address is confirmed, the account is not entered (and answers as a wrong password).
    let early =
        app.post_form("/account/sign-in", &form(&[("email", "ana@mail.example"), ("password", PASSWORD)])).await;
    assert!(location(&early).starts_with("/account/sign-in?error=invalid"), "{}", location(&early));
    assert!(session_cookie(&early).is_none());

    let (subject, body) = app.last_mail_to("ana@mail.example").await;
    assert_eq!(subject, "Confirm your e-mail address");
    let token = confirmation_token(&body);
    assert!(body.contains(&format!("{}/account/confirm?token={token}", crate::helpers::PUBLIC_URL)));
    let confirm_page = app.get(&format!("/account/confirm?token={token}")).await;
    assert_eq!(confirm_page.status, StatusCode::OK, "the link opens a page; a GET changes nothing");
    assert!(app.post_form("/account/confirm", &form(&[("token", &token)])).await.status.is_redirection());
    let again = app.post_form("/account/confirm", &form(&[("token", &token)])).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a confirmation link works once");
    let ana = app.candidate_sign_in("ana@mail.example").await;

    // The apply page says what is used, and warns before the last slot.
    let page = app.get_with_header(&format!("/jobs/{}/apply", postings[0]), ("cookie", &ana.cookie)).await;
    assert!(page.body.contains("0 of 2 applications to TikTok and affiliates used"), "{}", page.body);
    let first = app.apply(&ana, postings[0]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(location(&first).starts_with("/account/applications?applied="));
    let page = app.get_with_header(&format!("/jobs/{}/apply", postings[1]), ("cookie", &ana.cookie)).await;
    assert!(page.body.contains("1 of 2 applications to TikTok and affiliates used"));
    assert!(page.body.contains("last-slot-warning"), "the next application would be the last");
    assert_eq!(app.apply(&ana, postings[1]).await.status, StatusCode::SEE_OTHER);

    let third = app.apply(&ana, postings[2]).await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert!(third.body.contains("takes at most 2 applications"), "{}", third.body);
    assert!(third.body.contains("(1st)") && third.body.contains("(2nd)"), "the refusal names the two it counts");
    assert!(third.body.contains(">Hello</textarea>"), "the form keeps what was typed");
    assert!(app.applications_of(postings[2]).await.is_empty(), "a refusal stores nothing");

    // Applying twice to one posting is refused too.
    let twice = app.apply(&ana, postings[0]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Withdrawing frees a slot and renumbers nothing.
    let mine = app.get_with_header("/account/applications", ("cookie", &ana.cookie)).await;
    assert!(mine.body.contains(">1st<") && mine.body.contains(">2nd<"), "{}", mine.body);
    let first_id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM applications WHERE posting_id = $1")
            .bind(postings[0])
            .fetch_one(p)
            .await)
        .expect("id");
    let withdrawn = app
        .post_as(&ana.cookie, &format!("/account/applications/{first_id}/withdraw"), &form(&[("csrf", &ana.token)]))
        .await;
    assert_eq!(location(&withdrawn), format!("/account/applications?withdrawn={first_id}"));
    assert_eq!(app.apply(&ana, postings[2]).await.status, StatusCode::SEE_OTHER, "the freed slot is taken");
    assert_eq!(app.applications_of(postings[0]).await[0].0, 1);
    assert_eq!(app.applications_of(postings[1]).await[0].0, 2);
    assert_eq!(app.applications_of(postings[2]).await[0].0, 3, "the third application made is the 3rd");

    // The receipt of each is in the outbox.
    let (subject, body) = app.last_mail_to("ana@mail.example").await;
    assert!(subject.starts_with("Application received"), "{subject}");
    assert!(body.contains("3rd application to TikTok"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_applications_at_one_free_slot_give_exactly_one_success() {
    use app::domain::candidate::ApplicationForm;
    use app::service::applications::{NotApplied, apply};
    let app = TestApp::with_brief().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    let tiktok = app.tiktok_postings().await;
    assert_eq!(app.apply(&ana, tiktok[0]).await.status, StatusCode::SEE_OTHER, "one slot of two is used");
    // Twenty more open TikTok postings taking applications on the site.
    let brief = app::db::posting_for_edit(&app.pool, tiktok[0]).await.expect("the brief's posting");
    let jobs: Vec<app::domain::NewJob> = (0..20)
        .map(|n| {
            let mut parts = brief.clone();
            parts.title = format!("Backend Engineer {n}");
            parts.legal_notices = Vec::new();
            app::domain::NewJob::new(parts).expect("a valid posting")
        })
        .collect();
    let mut tx = app::db::Transaction::begin(&app.pool).await.expect("tx");
    let ids = app::db::insert_jobs(&mut tx, &jobs).await.expect("stored");
    tx.commit().await.expect("commit");
    let candidate_id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM candidates").fetch_one(p).await).expect("id");
    let signed_in = app::auth::SignedInCandidate {
        id: candidate_id,
        email: "ana@mail.example".into(),
        csrf_token: String::new(),
        signed_in_at: 0,
        epoch: String::new(),
    };
    let form = ApplicationForm {
        name: "Ana".into(),
        email: "ana@mail.example".into(),
        cv_url: "https://cv.example/ana".into(),
        ..Default::default()
    };
    let today = chrono::Utc::now().date_naive();
    let attempts = ids.into_iter().map(|id| {
        let (pool, signed_in, form) = (app.pool.clone(), signed_in.clone(), form.clone());
        tokio::spawn(async move { apply(&pool, &signed_in, id, &form, today, "https://jobs.example").await })
    });
    let mut taken = 0;
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.expect("the task ran") {
            Ok(_) => taken += 1,
            Err(NotApplied::Refused(app::domain::candidate::ApplyRefusal::LimitReached(usage))) => {
                assert_eq!(usage.used.len(), 2);
                refused += 1;
            }
            Err(other) => panic!("an attempt failed otherwise: {other:?}"),
        }
    }
    assert_eq!((taken, refused), (1, 19), "exactly one attempt takes the last slot");
    let active: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE status <> 'withdrawn'"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(active, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employer_sees_applications_in_order_sets_their_status_and_an_edit_keeps_them() {
    let app = TestApp::with_brief().await;
    let tiktok = app.tiktok_postings().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    let bo = app.confirmed_candidate("bo@mail.example").await;
    assert_eq!(app.apply(&ana, tiktok[0]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.apply(&bo, tiktok[1]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.apply(&bo, tiktok[0]).await.status, StatusCode::SEE_OTHER);

    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let list = app.get_with_header("/admin/jobs", ("cookie", &admin)).await;
    assert!(list.body.contains("2 applications (2 received)"), "the admin list counts them");
    let page = app.get_with_header(&format!("/admin/jobs/{}/applications", tiktok[0]), ("cookie", &admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let ana_at = page.body.find("ana@mail.example").expect("Ana's application");
    let bo_at = page.body.find("bo@mail.example").expect("Bo's application");
    assert!(ana_at < bo_at, "in the order received");
    assert!(page.body.contains("2nd at TikTok"), "Bo's position at the company is shown");

    let ana_id: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT id FROM applications WHERE email = 'ana@mail.example' AND posting_id = $1"
    )
    .bind(tiktok[0])
    .fetch_one(p)
    .await)
    .expect("id");
    let token = csrf(&page.body);
    let body = form(&[("csrf", &token), ("posting", &tiktok[0].to_string()), ("status", "rejected")]);
    let changed = app.post_as(&admin, &format!("/admin/applications/{ana_id}/status"), &body).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let (subject, mail) = app.last_mail_to("ana@mail.example").await;
    assert!(subject.ends_with(": rejected"), "{subject}");
    assert!(mail.contains("is now: rejected"));
    let audit: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'application'")
            .fetch_one(p)
            .await)
        .expect("count");
    assert_eq!(audit, 1, "the change is in the audit log");
    let mine = app.get_with_header("/account/applications", ("cookie", &ana.cookie)).await;
    assert!(mine.body.contains(">Rejected<"), "the candidate sees the status");
    let withdraw = app
        .post_as(&ana.cookie, &format!("/account/applications/{ana_id}/withdraw"), &form(&[("csrf", &ana.token)]))
        .await;
    assert_eq!(location(&withdraw), format!("/account/applications?reviewed={ana_id}"), "too late to withdraw");

    // An edit of the posting keeps every application.
    let edit = app.get_with_header(&format!("/admin/jobs/{}/edit", tiktok[0]), ("cookie", &admin)).await;
    let token = csrf(&edit.body);
    let body =
        crate::admin::posting_form(&token, "Backend Software Engineer Graduate (edited)", "save", ("116000", "177000"));
    let saved = app.post_as(&admin, &format!("/admin/jobs/{}/edit", tiktok[0]), &body).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.applications_of(tiktok[0]).await.len(), 2, "the edit kept both applications");

    // A status the employer does not set is refused.
    let bad = form(&[("csrf", &token), ("posting", "1"), ("status", "withdrawn")]);
    assert_eq!(
        app.post_as(&admin, &format!("/admin/applications/{ana_id}/status"), &bad).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_apart_and_a_candidate_reaches_only_its_own_applications() {
    let app = TestApp::with_brief().await;
    let tiktok = app.tiktok_postings().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    let bo = app.confirmed_candidate("bo@mail.example").await;
    assert_eq!(app.apply(&ana, tiktok[0]).await.status, StatusCode::SEE_OTHER);
    let ana_application: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM applications").fetch_one(p).await).expect("id");

    // Another candidate cannot withdraw it.
    let theirs = app
        .post_as(
            &bo.cookie,
            &format!("/account/applications/{ana_application}/withdraw"),
            &form(&[("csrf", &bo.token)]),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(app.applications_of(tiktok[0]).await[0].1, "received");
    let bo_list = app.get_with_header("/account/applications", ("cookie", &bo.cookie)).await;
    assert!(!bo_list.body.contains("my-application "), "Bo sees none of Ana's");
    // A stale form token is refused.
    let stale = app
        .post_as(
            &ana.cookie,
            &format!("/account/applications/{ana_application}/withdraw"),
            &form(&[("csrf", &bo.token)]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);

    // A candidate is not an admin.
    let admin_page = app.get_with_header("/admin/jobs", ("cookie", &ana.cookie)).await;
    assert!(location(&admin_page).starts_with("/admin/sign-in"), "a candidate is sent to the admin sign-in");
    let admin_post =
        app.post_as(&ana.cookie, &format!("/admin/applications/{ana_application}/status"), "status=rejected").await;
    assert_eq!(admin_post.status, StatusCode::UNAUTHORIZED);
    // An admin is not a candidate.
    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let account = app.get_with_header("/account", ("cookie", &admin)).await;
    assert!(location(&account).starts_with("/account/sign-in?next="), "an admin session is not a candidate's");

    // Sign-out ends the session on the server.
    let out = app.post_as(&ana.cookie, "/account/sign-out", "").await;
    assert_eq!(location(&out), "/account/sign-in?notice=signed-out");
    let after = app.get_with_header("/account/applications", ("cookie", &ana.cookie)).await;
    assert!(location(&after).starts_with("/account/sign-in"), "the old cookie no longer signs in");
    // Private pages are not kept by caches.
    let page = app.get_with_header("/account", ("cookie", &bo.cookie)).await;
    assert_eq!(page.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // Signed out, the apply page sends to sign-in and back.
    let apply = app.get(&format!("/jobs/{}/apply", tiktok[0])).await;
    assert_eq!(location(&apply), format!("/account/sign-in?next=%2Fjobs%2F{}%2Fapply", tiktok[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_works_once_and_expires() {
    let app = TestApp::with_brief().await;
    app.sign_up("ana@mail.example").await;
    let asked = app.post_form("/account/forgot", "email=ana%40mail.example").await;
    assert_eq!(location(&asked), "/account/forgot?sent=1");
    let unknown = app.post_form("/account/forgot", "email=nobody%40mail.example").await;
    assert_eq!(location(&unknown), location(&asked), "the same answer for an address without an account");
    let (subject, body) = app.last_mail_to("ana@mail.example").await;
    assert_eq!(subject, "Reset your password");
    let token = link_token(&body, "/account/reset?token=");
    let new_password = "amber falcon river 2290";

    let weak = app.post_form("/account/reset", &form(&[("token", &token), ("password", "password")])).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "the password policy applies");
    let reset = app.post_form("/account/reset", &form(&[("token", &token), ("password", new_password)])).await;
    assert_eq!(location(&reset), "/account/sign-in?notice=password-reset");
    let again =
        app.post_form("/account/reset", &form(&[("token", &token), ("password", "another calm walrus 88")])).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a reset link works once");
    let signed_in =
        app.post_form("/account/sign-in", &form(&[("email", "ana@mail.example"), ("password", new_password)])).await;
    assert_eq!(location(&signed_in), "/account", "the new password signs in");
    let old = app.post_form("/account/sign-in", &form(&[("email", "ana@mail.example"), ("password", PASSWORD)])).await;
    assert!(location(&old).contains("error=invalid"), "the old one does not");

    // An expired link does nothing.
    app.post_form("/account/forgot", "email=ana%40mail.example").await;
    let token = link_token(&app.last_mail_to("ana@mail.example").await.1, "/account/reset?token=");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE candidate_tokens SET expires_at = 0 WHERE used_at IS NULL")
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("expired");
    let late =
        app.post_form("/account/reset", &form(&[("token", &token), ("password", "late gentle harbor 5531")])).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "an expired link is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_jobs_the_slot_planner_and_deleting_the_account() {
    let app = TestApp::with_brief().await;
    let tiktok = app.tiktok_postings().await;
    // Signed out, "Save job" sends to sign in first.
    let signed_out = app.post_form("/account/saved", &form(&[("posting", &tiktok[1].to_string())])).await;
    assert!(location(&signed_out).starts_with("/account/sign-in?next="));
    let ana = app.confirmed_candidate("ana@mail.example").await;
    // Every card's "Save" submits the footer's one form; the posting page's buttons carry no form token
    // (every visitor gets the same page).
    let listing = app.get("/jobs").await;
    assert!(listing.body.contains("<form id=\"save-job\" method=\"post\" action=\"/account/saved\">"));
    assert!(listing.body.matches("form=\"save-job\" name=\"posting\"").count() >= 5, "a Save button per card");
    let detail = app.get(&format!("/jobs/{}-x", tiktok[1])).await;
    assert!(detail.body.contains("action=\"/account/saved\"") && !detail.body.contains("name=\"csrf\""));
    let saved = app
        .post_as(&ana.cookie, "/account/saved", &form(&[("posting", &tiktok[1].to_string()), ("action", "save")]))
        .await;
    assert_eq!(location(&saved), format!("/account/saved?saved={}", tiktok[1]));
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE postings SET status = 'closed' WHERE id = $1")
        .bind(tiktok[1])
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("closed");
    let list = app.get_with_header("/account/saved", ("cookie", &ana.cookie)).await;
    assert!(list.body.contains("Closed since you saved it"), "a posting closed since is marked");
    let unknown = app.post_as(&ana.cookie, "/account/saved", "posting=999999&action=save").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The planner: one slot used, three shortlisted, the top open one covered.
    assert_eq!(app.apply(&ana, tiktok[0]).await.status, StatusCode::SEE_OTHER);
    for posting in [tiktok[2], tiktok[3], tiktok[1]] {
        let planned = app
            .post_as(&ana.cookie, "/account/planner", &form(&[("posting", &posting.to_string()), ("action", "add")]))
            .await;
        assert_eq!(location(&planned), "/account/planner");
    }
    let planner = app.get_with_header("/account/planner", ("cookie", &ana.cookie)).await;
    assert!(planner.body.contains("1 of 2 applications to TikTok and affiliates used"), "{}", planner.body);
    assert_eq!(planner.body.matches("data-covered=\"true\"").count(), 1, "one slot left covers one posting");
    let covered_at = planner.body.find("data-covered=\"true\"").expect("covered");
    assert!(planner.body[covered_at..].contains(&format!("/jobs/{}-", tiktok[2])), "the top-ranked open one");
    // Moving the second up makes it the one covered.
    let token = csrf(&planner.body);
    app.post_as(
        &ana.cookie,
        "/account/planner",
        &form(&[("csrf", &token), ("posting", &tiktok[3].to_string()), ("action", "up")]),
    )
    .await;
    let planner = app.get_with_header("/account/planner", ("cookie", &ana.cookie)).await;
    let covered_at = planner.body.find("data-covered=\"true\"").expect("covered");
    assert!(
        planner.body[covered_at..].split("</li>").next().unwrap_or_default().contains(&format!("/jobs/{}-", tiktok[3]))
    );

    // Alerts made signed in and made with the address while signed out go with the account.
    let alert = form(&[("email", "ana@mail.example"), ("query", "region=CA"), ("frequency", "daily")]);
    app.post_as(&ana.cookie, "/alerts", &alert).await;
    let signed_out = form(&[("email", "Ana@Mail.example"), ("query", "region=NY"), ("frequency", "daily")]);
    app.post_form("/alerts", &signed_out).await;

    // Deleting the account withdraws its applications and keeps only that they existed.
    let wrong = app
        .post_as(&ana.cookie, "/account/delete", &form(&[("csrf", &ana.token), ("delete_password", "not it")]))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = app
        .post_as(&ana.cookie, "/account/delete", &form(&[("csrf", &ana.token), ("delete_password", PASSWORD)]))
        .await;
    assert_eq!(location(&deleted), "/account/sign-in?notice=deleted");
    assert_eq!(app.applications_of(tiktok[0]).await, vec![(1, "withdrawn".to_owned(), String::new())]);
    let left: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM candidates) + (SELECT COUNT(*) FROM saved_jobs) + (SELECT COUNT(*) FROM planned_applications) \
         + (SELECT COUNT(*) FROM applications WHERE email <> '' OR cv_url <> '' OR note <> '') \
         + (SELECT COUNT(*) FROM alerts)"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(left, 0, "nothing of the person is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_apply_is_in_the_json_ld_exactly_when_the_site_takes_applications() {
    let app = TestApp::with_brief().await;
    let brief = app.brief_id().await;
    let page = app.get(&format!("/jobs/{brief}-x")).await;
    assert_eq!(json_ld(&page.body)["directApply"], serde_json::json!(true));
    assert!(page.body.contains("Sign in to apply"), "the posting says how to apply here");
    let siemens: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT p.id FROM postings p JOIN companies c ON c.id = p.company_id WHERE c.slug LIKE 'siemens%'"
    )
    .fetch_one(p)
    .await)
    .expect("a Siemens posting");
    let other = app.get(&format!("/jobs/{siemens}-x")).await;
    assert_eq!(json_ld(&other.body)["directApply"], serde_json::json!(false));
    assert!(!other.body.contains("apply-here"));
}

/// A real SMTP server (aiosmtpd) on a free loopback port, for one test; stopped when dropped.
pub(crate) struct SmtpSink {
    child: Child,
    folder: tempfile::TempDir,
    pub(crate) port: u16,
}

impl SmtpSink {
    /// Starts `.ci/smtp_sink.py` with the Python of `.ci/.venv` (made by the test command), or of
    /// `JOBBOARD_TEST_PYTHON`. Fails the test when neither runs.
    pub(crate) fn start() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = std::env::var("JOBBOARD_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join(".ci/.venv/bin/python3"));
        let folder = tempfile::tempdir().expect("folder");
        let mut child = Command::new(&python)
            .arg(root.join(".ci/smtp_sink.py"))
            .arg(folder.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "the SMTP test server needs {} with aiosmtpd (run .ci/setup.sh --browser): {error}",
                    python.display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the server prints its port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("the SMTP test server did not start: {line:?}"));
        Self { child, folder, port }
    }

    /// The messages received so far: (recipients, the message as sent).
    pub(crate) fn messages(&self) -> Vec<(Vec<String>, String)> {
        self.mails().into_iter().map(|mail| (mail.to, mail.data)).collect()
    }

    /// The messages received so far, with their plain-text bodies decoded.
    pub(crate) fn mails(&self) -> Vec<SinkMail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .expect("folder")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let message: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
                let to = message["to"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                SinkMail {
                    to,
                    data: message["data"].as_str().unwrap_or_default().to_owned(),
                    text: message["text"].as_str().unwrap_or_default().to_owned(),
                }
            })
            .collect()
    }
}

/// A message the SMTP test server received.
pub(crate) struct SinkMail {
    pub(crate) to: Vec<String>,
    /// The message as sent: headers and the encoded body.
    pub(crate) data: String,
    /// The plain-text body, decoded.
    pub(crate) text: String,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_through_a_real_smtp_server_once_each_and_waits_in_the_outbox_without_one() {
    let app = TestApp::with_brief().await;
    let tiktok = app.tiktok_postings().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    assert_eq!(app.apply(&ana, tiktok[0]).await.status, StatusCode::SEE_OTHER);
    // Without SMTP the messages wait in the outbox, which the admin sees.
    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let outbox = app.get_with_header("/admin/outbox", ("cookie", &admin)).await;
    assert_eq!(outbox.body.matches("class=\"outbox-entry").count(), 2, "confirmation and receipt");
    assert!(outbox.body.contains("waiting"));
    let candidate_outbox = app.get_with_header("/admin/outbox", ("cookie", &ana.cookie)).await;
    assert!(location(&candidate_outbox).starts_with("/admin/sign-in"), "only admins see the outbox");

    let sink = SmtpSink::start();
    let settings = server::mail::MailSettings {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        mail_from: "Jobboard <no-reply@jobs.example>".into(),
    };
    let mailer = server::mail::Mailer::new(&settings).expect("settings").expect("a mailer");
    assert_eq!(server::mail::send_due(&app.pool, &mailer).await.expect("sent"), 2);
    assert_eq!(server::mail::send_due(&app.pool, &mailer).await.expect("nothing left"), 0, "each is sent once");
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|(to, _)| to == &["ana@mail.example".to_owned()]));
    assert!(messages[0].1.contains("Subject: Confirm your e-mail address"), "{}", messages[0].1);
    assert!(messages[1].1.contains("Subject: Application received"));
    assert!(messages[1].1.contains("From: Jobboard <no-reply@jobs.example>"));
    let unsent: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(p)
            .await)
        .expect("count");
    assert_eq!(unsent, 0);

    // A server that is gone: the message stays, with the reason, for the next attempt.
    let port = sink.port;
    drop(sink);
    app.post_form("/account/forgot", "email=ana%40mail.example").await;
    app.settle_account_requests().await;
    let gone = server::mail::Mailer::new(&server::mail::MailSettings {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..settings
    })
    .expect("settings")
    .expect("a mailer");
    assert_eq!(server::mail::send_due(&app.pool, &gone).await.expect("tried"), 0);
    let (attempts, error): (i64, Option<String>) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE sent_at IS NULL")
            .fetch_one(p)
            .await)
        .expect("the message waits");
    assert_eq!(attempts, 1);
    assert!(error.is_some_and(|error| !error.is_empty()));
    // After ten attempts a message is no longer tried; it stays in the outbox with its error.
    crate::on_db!(app.pool, |p| sqlx::query(
        "UPDATE outbox SET attempts = 10, next_attempt_at = 0 WHERE sent_at IS NULL"
    )
    .execute(p)
    .await
    .map(|done| done.rows_affected()))
    .expect("updated");
    let claimed = app::db::claim_outbox(&app.pool, i64::MAX / 2, i64::MAX / 2, 20).await.expect("claim");
    assert!(claimed.is_empty(), "a message tried ten times is not claimed again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_at_e_mailed_tokens_is_rate_limited_per_address() {
    let app = TestApp::with_brief().await;
    let statuses: Vec<StatusCode> = token_form_statuses(&app).await;
    assert!(statuses[..10].iter().all(|status| *status == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS, "the eleventh in a minute is refused");
}

/// Eleven confirmation and reset forms with made-up tokens, one after the other.
async fn token_form_statuses(app: &TestApp) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for n in 0..11 {
        let answer = if n % 2 == 0 {
            app.post_form("/account/confirm", &form(&[("token", &format!("guess{n}"))])).await
        } else {
            app.post_form("/account/reset", &form(&[("token", &format!("guess{n}")), ("password", PASSWORD)])).await
        };
        statuses.push(answer.status);
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_sets_a_limit_and_a_group_and_the_list_counts_views() {
    let app = TestApp::with_brief().await;
    app.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = app.get_with_header("/admin/companies", ("cookie", &admin)).await;
    assert!(page.body.contains("TikTok and affiliates"), "the seed's group is shown");
    let token = csrf(&page.body);
    let siemens = "siemens-digital-industries-software";
    let body = form(&[("csrf", &token), ("limit", "1"), ("group", "Industrial group"), ("group_limit", "3")]);
    let saved = app.post_as(&admin, &format!("/admin/companies/{siemens}/limit"), &body).await;
    assert_eq!(location(&saved), format!("/admin/companies?changed={siemens}"));
    let limits = app::db::company_limits(&app.pool).await.expect("limits");
    let row = limits.iter().find(|c| c.slug == siemens).expect("Siemens");
    assert_eq!((row.limit, row.group.as_deref(), row.group_limit), (Some(1), Some("Industrial group"), Some(3)));
    let bad = form(&[("csrf", &token), ("limit", "0"), ("group", ""), ("group_limit", "")]);
    assert_eq!(
        app.post_as(&admin, &format!("/admin/companies/{siemens}/limit"), &bad).await.status,
        StatusCode::BAD_REQUEST
    );
    let unknown =
        app.post_as(&admin, "/admin/companies/nobody/limit", &form(&[("csrf", &token), ("limit", "2")])).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let audit: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'company'")
            .fetch_one(p)
            .await)
        .expect("count");
    assert_eq!(audit, 1, "a limit change is audited; a refused one is not");

    // Views of a posting's page are counted and shown on the admin list.
    let brief = app.brief_id().await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/jobs/{brief}-x")).await.status, StatusCode::OK);
    }
    app.get("/jobs/99999999-missing").await;
    assert_eq!(
        app.views.flush(&app.pool).await.expect("written"),
        1,
        "the brief's; an unknown id's 404 is not counted"
    );
    assert_eq!(app::db::posting_views(&app.pool, &[brief]).await.expect("views"), vec![(brief, 3)]);
    let list = app.get_with_header("/admin/jobs", ("cookie", &admin)).await;
    let row = list.body.find(&format!("data-posting-id=\"{brief}\"")).expect("the brief's row");
    assert!(list.body[row..].split("</tr>").next().unwrap_or_default().contains("posting-views px-3 py-2\">3<"));
}
