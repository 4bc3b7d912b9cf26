//! Accounts that no one else can enter (issue 28), on both engines: sessions bound to their account's
//! epoch, ids and links that never act on another row, no live token kept or shown after delivery, the
//! same answer (in status, body and time) whether or not an address has an account, and guesses that
//! never lock the owner out. (The timing of those answers is measured by `tests/timing`, which cargo runs
//! on its own, after this suite.)

use axum::http::StatusCode;

use crate::candidates::{Candidate, SmtpSink, confirmation_token, form, location};
use crate::helpers::{PUBLIC_URL, TestApp, session_cookie};

const PASSWORD: &str = "copper lantern drift 4417";

async fn count(app: &TestApp, sql: &'static str, bind: &str) -> i64 {
    crate::on_db!(app.pool, |p| sqlx::query_scalar(sql).bind(bind).fetch_one(p).await).expect("count")
}

async fn candidate_id(app: &TestApp, email: &str) -> i64 {
    crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM candidates WHERE email = $1")
        .bind(email)
        .fetch_one(p)
        .await)
    .expect("the account")
}

/// True when `cookie`'s session is signed in to the candidate's pages.
async fn enters(app: &TestApp, cookie: &str) -> bool {
    let page = app.get_with_header("/account", ("cookie", cookie)).await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(location(&page).starts_with("/account/sign-in"), "{}", location(&page));
            false
        }
        other => panic!("unexpected answer {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_accounts_other_session_never_shows_the_next_account() {
    let app = TestApp::with_brief().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    let other_browser = app.candidate_sign_in("ana@mail.example").await;
    let ana_id = candidate_id(&app, "ana@mail.example").await;
    assert!(enters(&app, &other_browser.cookie).await);

    let deleted = app
        .post_as(&ana.cookie, "/account/delete", &form(&[("csrf", &ana.token), ("delete_password", PASSWORD)]))
        .await;
    assert_eq!(location(&deleted), "/account/sign-in?notice=deleted");
    let bo = app.confirmed_candidate("bo@mail.example").await;
    let bo_id = candidate_id(&app, "bo@mail.example").await;
    assert_ne!(bo_id, ana_id, "an account's id is never handed out again");

    let unsent: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_address = 'ana@mail.example' AND sent_at IS NULL"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(unsent, 0, "mail not yet sent to a deleted account is not sent");
    assert!(!enters(&app, &other_browser.cookie).await, "the deleted account's other session is signed out");
    let profile = app.get_with_header("/account/applications", ("cookie", &other_browser.cookie)).await;
    assert!(!profile.body.contains("bo@mail.example"), "the new account's data is never shown to it");
    assert!(enters(&app, &bo.cookie).await);

    // Even were the id handed out again (a restored backup, say), the old session's epoch does not match.
    crate::on_db!(app.pool, |p| sqlx::query("DELETE FROM candidate_tokens WHERE candidate_id = $1")
        .bind(bo_id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("the used tokens gone");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE candidates SET id = $1 WHERE id = $2")
        .bind(ana_id)
        .bind(bo_id)
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("the id moved");
    assert!(!enters(&app, &other_browser.cookie).await, "a session is bound to its account, not to an id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_or_reset_ends_every_other_session() {
    let app = TestApp::with_brief().await;
    let first = app.confirmed_candidate("ana@mail.example").await;
    let second = app.candidate_sign_in("ana@mail.example").await;
    let new_password = "amber falcon river 2290";
    let changed = app
        .post_as(
            &first.cookie,
            "/account/password",
            &form(&[("csrf", &first.token), ("current_password", PASSWORD), ("new_password", new_password)]),
        )
        .await;
    assert_eq!(location(&changed), "/account?notice=password-changed");
    let renewed = session_cookie(&changed).expect("the session goes on under a new id");
    assert!(enters(&app, &renewed).await, "the session that changed the password goes on");
    assert!(!enters(&app, &second.cookie).await, "every other session ends");

    // A reset by the e-mailed link ends every session, the one of whoever signed up first included.
    assert_eq!(app.post_form("/account/forgot", "email=ana%40mail.example").await.status, StatusCode::SEE_OTHER);
    let (_, body) = app.last_mail_to("ana@mail.example").await;
    let token = crate::candidates::link_token(&body, "/account/reset?token=");
    let reset = app.post_form("/account/reset", &form(&[("token", &token), ("password", PASSWORD)])).await;
    assert_eq!(location(&reset), "/account/sign-in?notice=password-reset");
    assert!(!enters(&app, &renewed).await, "a reset ends every session");
    assert!(enters(&app, &app.candidate_sign_in("ana@mail.example").await.cookie).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_alert_link_does_nothing_to_a_new_alert() {
    let app = TestApp::with_brief().await;
    let query = "email=zed%40mail.example&frequency=daily&query=q%3Dcheap%2Bpills%26region%3DCA";
    let saved = app.post_form("/alerts", query).await;
    assert_eq!(location(&saved), "/alerts/done?what=confirm-sent");
    let (_, body) = app.last_mail_to("zed@mail.example").await;
    assert!(!body.contains("cheap pills"), "the confirmation names the search by a link, not its words: {body}");
    assert!(body.contains("https://jobs.example/jobs?"), "{body}");
    let confirm = crate::candidates::link_token(&body, "/alerts/confirm?token=");
    let old_id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM alerts").fetch_one(p).await).expect("alert");
    let unsubscribe_path = body
        .split_whitespace()
        .find_map(|word| word.find("/alerts/unsubscribe?token=").map(|at| word[at..].to_owned()))
        .expect("an unsubscribe link");
    let stopped = app.send("POST", &unsubscribe_path, Some(""), &[("origin", PUBLIC_URL)]).await;
    assert_eq!(location(&stopped), "/alerts/done?what=unsubscribed");

    // A new alert under the same id (as a reused id would be): the old links do not act on it.
    app.post_form("/alerts", "email=yan%40mail.example&frequency=daily&query=region%3DNY").await;
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE alerts SET id = $1").bind(old_id).execute(p).await.map(|_| ()))
        .expect("same id");
    let confirmed = app.post_form("/alerts/confirm", &form(&[("token", &confirm)])).await;
    assert_eq!(confirmed.status, StatusCode::NOT_FOUND, "an old confirmation link");
    let again = app.send("POST", &unsubscribe_path, Some(""), &[("origin", PUBLIC_URL)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "an old unsubscribe link");
    let left: (String, bool) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT email, confirmed_at IS NULL FROM alerts")
            .fetch_one(p)
            .await)
        .expect("the new alert");
    assert_eq!(left, ("yan@mail.example".to_owned(), true), "unchanged and unconfirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_form_neither_reveals_nor_changes_an_addresss_alert() {
    let app = TestApp::with_brief().await;
    let ana: Candidate = app.confirmed_candidate("ana@mail.example").await;
    let body = "email=ana%40mail.example&frequency=weekly&query=region%3DCA";
    assert_eq!(location(&app.post_as(&ana.cookie, "/alerts", body).await), "/alerts/done?what=saved");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE alerts SET paused = true").execute(p).await.map(|_| ()))
        .expect("paused");
    // Someone else, signed out, sends the same search for her address with another frequency.
    let stranger = app.post_form("/alerts", "email=ana%40mail.example&frequency=immediate&query=region%3DCA").await;
    let fresh = app.post_form("/alerts", "email=new%40mail.example&frequency=immediate&query=region%3DCA").await;
    assert_eq!(location(&stranger), location(&fresh), "the same answer as for an address without alerts");
    let stored: (String, bool) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT frequency, paused FROM alerts WHERE email = $1")
            .bind("ana@mail.example")
            .fetch_one(p)
            .await)
        .expect("her alert");
    assert_eq!(stored, ("weekly".to_owned(), true), "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_live_token_is_shown_or_kept_after_delivery_and_sessions_are_stored_hashed() {
    let app = TestApp::with_brief().await;
    app.sign_up("ana@mail.example").await;
    let (_, stored) = app.last_mail_to("ana@mail.example").await;
    let token = confirmation_token(&stored);
    app.create_admin("hiring@jobs.example", "violet kettle orbit 1931").await;
    let admin = app.sign_in("hiring@jobs.example", "violet kettle orbit 1931").await;
    let outbox = app.get_with_header("/admin/outbox", ("cookie", &admin)).await;
    assert!(outbox.body.contains("Confirm your e-mail address"));
    assert!(!outbox.body.contains(&token), "the outbox page never shows a live token");
    assert!(outbox.body.contains(app::domain::mail::REMOVED_LINK));

    let sink = SmtpSink::start();
    let settings = server::mail::MailSettings {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        mail_from: "Jobboard <no-reply@jobs.example>".into(),
    };
    let mailer = server::mail::Mailer::new(&settings).expect("settings").expect("a mailer");
    assert_eq!(server::mail::send_due(&app.pool, &mailer).await.expect("sent"), 1);
    assert!(sink.mails()[0].text.contains(&token), "the mail itself carries the link");
    let (_, kept) = app.last_mail_to("ana@mail.example").await;
    assert!(!kept.contains(&token), "the stored copy keeps no live token: {kept}");
    assert!(kept.contains(app::domain::mail::REMOVED_LINK));
    // The link still works for whoever has the e-mail.
    let confirmed = app.post_form("/account/confirm", &form(&[("token", &token)])).await;
    assert_eq!(location(&confirmed), "/account/sign-in?notice=confirmed");

    let ana = app.candidate_sign_in("ana@mail.example").await;
    let id = ana.cookie.strip_prefix("jobboard_session=").expect("the cookie");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions WHERE id = $1", id).await, 0, "no plain session id");
    let hashed = server::candidates::token_hash(id);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions WHERE id = $1", &hashed).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_with_a_taken_address_tells_its_owner_and_makes_nothing() {
    let app = TestApp::with_brief().await;
    app.confirmed_candidate("ana@mail.example").await;
    let again = app.sign_up("ANA@mail.example").await;
    assert!(session_cookie(&again).is_none(), "nobody is signed in");
    let (subject, body) = app.last_mail_to("ana@mail.example").await;
    assert_eq!(subject, "Someone tried to sign up with your address");
    assert!(body.contains("/account/forgot"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM candidates WHERE email <> $1", "").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_wrong_passwords_from_one_source_leave_the_owner_signing_in_from_another() {
    let app = TestApp::with_brief().await;
    app.confirmed_candidate("ana@mail.example").await;
    let mut limited = 0;
    for _ in 0..30 {
        let answer =
            app.sign_in_from("/account/sign-in", "ana@mail.example", "wrong guess 1234", [198, 51, 100, 7]).await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited >= 15, "the guessing source is held back ({limited} refused)");
    let owner = app.sign_in_from("/account/sign-in", "ana@mail.example", PASSWORD, [192, 0, 2, 44]).await;
    assert_eq!(location(&owner), "/account", "the owner signs in from another source");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_never_confirmed_is_deleted_after_a_week_and_a_guessed_reset_token_costs_no_hash() {
    let app = TestApp::with_brief().await;
    app.sign_up("late@mail.example").await;
    app.confirmed_candidate("kept@mail.example").await;
    let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    assert_eq!(app::db::delete_unconfirmed_candidates(&app.pool, week_ago).await.expect("sweep"), 0, "too young");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE candidates SET created_at = $1")
        .bind(chrono::Utc::now() - chrono::Duration::days(8))
        .execute(p)
        .await
        .map(|_| ()))
    .expect("aged");
    assert_eq!(app::db::delete_unconfirmed_candidates(&app.pool, week_ago).await.expect("sweep"), 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM candidates WHERE email = $1", "kept@mail.example").await, 1);

    // A made-up token is refused before the password is even looked at (a weak one would be refused too,
    // but the answer names the link).
    let guessed = app.post_form("/account/reset", &form(&[("token", "made-up"), ("password", "password")])).await;
    assert_eq!(guessed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(guessed.body.contains("This link has been used or has expired"), "{}", guessed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_is_one_account_in_any_ascii_case_on_both_engines_and_receipts_go_to_it() {
    let app = TestApp::with_brief().await;
    app.confirmed_candidate("Ana.Lima@mail.example").await;
    let ana = app.candidate_sign_in("ana.lima@mail.example").await;
    app.sign_up("ANA.LIMA@MAIL.EXAMPLE").await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM candidates WHERE email <> $1", "").await, 1, "one account");
    // Letters outside ASCII are not folded, on either engine: these are two addresses.
    app.confirmed_candidate("émile@mail.example").await;
    app.sign_up("Émile@mail.example").await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM candidates WHERE email <> $1", "").await, 3);

    // A receipt goes to the account's address, whatever address the apply form names.
    let posting = app.tiktok_postings().await[0];
    let form = crate::candidates::application_form(&ana.token, "someone-else@mail.example");
    let applied = app.post_as(&ana.cookie, &format!("/jobs/{posting}/apply"), &form).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let receipts = count(&app, "SELECT COUNT(*) FROM outbox WHERE to_address = $1", "someone-else@mail.example").await;
    assert_eq!(receipts, 0, "no mail to an address typed in the form");
    let (subject, _) = app.last_mail_to("Ana.Lima@mail.example").await;
    assert!(subject.starts_with("Application received"), "{subject}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_new_password_from_the_command_ends_every_session_of_that_admin() {
    let app = TestApp::with_brief().await;
    app.create_admin("editor@jobs.example", "violet kettle orbit 1931").await;
    let cookie = app.sign_in("editor@jobs.example", "violet kettle orbit 1931").await;
    assert_eq!(app.get_with_header("/admin/jobs", ("cookie", &cookie)).await.status, StatusCode::OK);
    let run = |email: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
            .args(["admin", "set-password", "--email", email])
            .env("DATABASE_URL", &app.database_url)
            .env("JOBBOARD_ADMIN_PASSWORD", "amber falcon river 2290")
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs")
    };
    let unknown = run("nobody@jobs.example");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no admin has"));
    let done = run("Editor@jobs.example");
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let after = app.get_with_header("/admin/jobs", ("cookie", &cookie)).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "the session ended");
    assert!(location(&after).starts_with("/admin/sign-in"));
    app.sign_in("editor@jobs.example", "amber falcon river 2290").await;
}
