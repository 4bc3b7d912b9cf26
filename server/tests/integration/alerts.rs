//! Alerts and feeds over HTTP and through a real SMTP server (aiosmtpd) on loopback: confirmed opt-in,
//! one digest per alert and period, the notices of changed followed postings, one-click unsubscribe,
//! "My alerts", and the Atom feeds of the listing, the companies and the career paths.

use axum::http::StatusCode;

use crate::candidates::{Candidate, SmtpSink, form, location};
use crate::helpers::{PUBLIC_URL, TestApp};

const ADMIN_EMAIL: &str = "alerts-admin@jobs.example";
const ADMIN_PASSWORD: &str = "saffron meadow kettle 7314";
/// A word no seeded posting has, so that only the test's postings match.
const KEYWORD: &str = "zephyrine";

/// The links of the test board's alert e-mails (the same key as the router's: it is in the database).
async fn links(app: &TestApp) -> app::service::alerts::Links {
    server::alerts::links(&app.pool, PUBLIC_URL).await.expect("links")
}

async fn sweep(app: &TestApp) -> app::service::alerts::SweepReport {
    app::service::alerts::sweep(&app.pool, &links(app).await, chrono::Utc::now()).await.expect("sweep")
}

fn mailer(sink: &SmtpSink) -> server::mail::Mailer {
    server::mail::Mailer::new(&server::mail::MailSettings {
        smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
        mail_from: "Jobboard <alerts@jobs.example>".into(),
    })
    .expect("settings")
    .expect("a mailer")
}

/// Delivers the outbox; returns how many went.
async fn deliver(app: &TestApp, sink: &SmtpSink) -> usize {
    server::mail::send_due(&app.pool, &mailer(sink)).await.expect("sent")
}

/// The token of the first link in `text` that starts with `marker` (percent-decoded).
fn link_token(text: &str, marker: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("no {marker} in {text}")) + marker.len();
    let raw: String = text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    form_urlencoded::parse(format!("token={raw}").as_bytes()).next().expect("token").1.into_owned()
}

/// The path and query of the first absolute link in `text` that contains `marker`.
fn link_path(text: &str, marker: &str) -> String {
    let start = text.find(marker).unwrap_or_else(|| panic!("no {marker} in {text}"));
    let from_origin = text[..start].rfind(PUBLIC_URL).expect("an absolute link") + PUBLIC_URL.len();
    text[from_origin..].chars().take_while(|c| !c.is_whitespace()).collect()
}

impl TestApp {
    /// An admin's session cookie.
    async fn alerts_admin(&self) -> String {
        self.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Publishes a posting titled `title` in `city`, `region` with this pay; returns its id.
    async fn publish(&self, admin: &str, title: &str, city: &str, region: &str, pay: (&str, &str)) -> i64 {
        let page = self.get_with_header("/admin/jobs/new", ("cookie", admin)).await;
        let token = crate::admin::csrf_token(&page.body);
        let body = crate::admin::posting_form(&token, title, "publish", pay)
            .replace("city_1=San+Jose", &format!("city_1={}", city.replace(' ', "+")))
            .replace("region_1=CA", &format!("region_1={region}"));
        let saved = self.post_as(admin, "/admin/jobs/new", &body).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        crate::on_db!(self.pool, |p| sqlx::query_scalar("SELECT id FROM postings WHERE title = $1")
            .bind(title)
            .fetch_one(p)
            .await)
        .expect("stored")
    }

    /// Saves the listing search `query` as an alert for `email` (signed out unless `cookie`).
    async fn save_search(
        &self,
        email: &str,
        query: &str,
        frequency: &str,
        cookie: Option<&str>,
    ) -> crate::helpers::Answer {
        let body = form(&[("email", email), ("query", query), ("frequency", frequency)]);
        match cookie {
            Some(cookie) => self.post_as(cookie, "/alerts", &body).await,
            None => self.post_form("/alerts", &body).await,
        }
    }

    /// A confirmed candidate's daily alert of every open job, made long before the seed's postings (all
    /// of them are new to it).
    async fn old_alert_of_all_jobs(&self, email: &str) {
        let candidate = self.confirmed_candidate(email).await;
        self.save_search(email, "", "daily", Some(&candidate.cookie)).await;
        crate::on_db!(self.pool, |p| sqlx::query("UPDATE alerts SET created_at = created_at - 400 * 24 * 3600")
            .execute(p)
            .await
            .map(|done| done.rows_affected()))
        .expect("aged");
    }

    async fn alert_count(&self) -> i64 {
        crate::on_db!(self.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(p).await)
            .expect("count")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_search_sends_one_digest_of_new_matches_and_its_unsubscribe_stops_it() {
    let app = TestApp::with_brief().await;
    let admin = app.alerts_admin().await;
    let sink = SmtpSink::start();
    let query = format!("q={KEYWORD}&region=CA");
    let saved = app.save_search("Lee@Mail.example", &query, "immediate", None).await;
    assert_eq!(location(&saved), "/alerts/done?what=confirm-sent");
    assert!(app.get("/alerts/done?what=confirm-sent").await.body.contains("we e-mailed you a link"));

    // Unconfirmed: a matching posting is not sent, only the confirmation.
    app.publish(&admin, "Zephyrine Platform Engineer", "San Jose", "CA", ("150000", "190000")).await;
    let report = sweep(&app).await;
    assert_eq!((report.digests, report.confirmations), (0, 0), "{report:?}");
    assert_eq!(deliver(&app, &sink).await, 1);
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["lee@mail.example".to_owned()]);
    assert!(mails[0].data.contains("Subject: Confirm your job alert"), "{}", mails[0].data);
    assert!(mails[0].data.contains("List-Unsubscribe: <https://jobs.example/alerts/unsubscribe?token="));
    assert!(mails[0].data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // The link's page changes nothing; its button confirms. A forged token is refused.
    let confirm_path = link_path(&mails[0].text, "/alerts/confirm?token=");
    let page = app.get(&confirm_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Confirm the alert"));
    assert_eq!(page.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let token = link_token(&mails[0].text, "/alerts/confirm?token=");
    let forged = app.post_form("/alerts/confirm", &form(&[("token", &token.replace('.', ".0"))])).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    let confirmed = app.post_form("/alerts/confirm", &form(&[("token", &token)])).await;
    assert_eq!(location(&confirmed), "/alerts/done?what=confirmed");

    // Confirmed: the match posted today goes in one digest, the posting outside CA does not.
    app.publish(&admin, "Zephyrine Data Engineer", "Austin", "TX", ("150000", "190000")).await;
    let report = sweep(&app).await;
    assert_eq!(report.digests, 1, "{report:?}");
    assert_eq!(deliver(&app, &sink).await, 1);
    let digest = &sink.mails()[1];
    assert!(digest.data.contains("Subject: 1 new job: Jobs \"zephyrine\", in CA"), "{}", digest.data);
    assert!(digest.text.contains("Zephyrine Platform Engineer at TikTok"), "{}", digest.text);
    assert!(digest.text.contains("$150,000 - $190,000 a year"));
    assert!(digest.text.contains("Apply before "));
    assert!(digest.text.contains("https://jobs.example/jobs/"));
    assert!(!digest.text.contains("Zephyrine Data Engineer"), "the Texas posting does not match");
    assert!(digest.data.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // A second sweep in the same period sends nothing, even with a new match.
    app.publish(&admin, "Zephyrine Site Reliability Engineer", "Fremont", "CA", ("140000", "180000")).await;
    let again = sweep(&app).await;
    assert_eq!((again.digests, again.quiet), (0, 0), "{again:?}");
    assert_eq!(deliver(&app, &sink).await, 0);

    // One click (RFC 8058) from the mail client, with no origin and no session: the alert is gone.
    let unsubscribe = link_path(&digest.text, "/alerts/unsubscribe?token=");
    let page = app.get(&unsubscribe).await;
    assert!(page.body.contains("Unsubscribe"));
    let clicked = app.send("POST", &unsubscribe, Some("List-Unsubscribe=One-Click"), &[]).await;
    assert_eq!(clicked.status, StatusCode::OK, "{}", clicked.body);
    assert_eq!(app.alert_count().await, 0);
    // The link named the alert and its secret: with the alert gone, it names nothing (it never acts on
    // a later alert).
    let twice = app.send("POST", &unsubscribe, Some(""), &[("origin", PUBLIC_URL)]).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    let forged = app.send("POST", "/alerts/unsubscribe?token=alert:1.00", Some(""), &[]).await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_address_gets_only_its_confirmation_and_the_alert_expires_after_a_week() {
    let app = TestApp::with_brief().await;
    let admin = app.alerts_admin().await;
    let sink = SmtpSink::start();
    app.save_search("sam@mail.example", &format!("q={KEYWORD}"), "daily", None).await;
    app.publish(&admin, "Zephyrine Backend Engineer", "San Jose", "CA", ("150000", "190000")).await;
    sweep(&app).await;
    deliver(&app, &sink).await;
    let subjects: Vec<bool> =
        sink.mails().iter().map(|mail| mail.data.contains("Subject: Confirm your job alert")).collect();
    assert_eq!(subjects, vec![true], "the confirmation and nothing else");
    // Asking again sends a new confirmation, but still no digest; a week later the alert is gone.
    app.save_search("sam@mail.example", &format!("q={KEYWORD}"), "weekly", None).await;
    assert_eq!(app.alert_count().await, 1, "the same search is one alert");
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE alerts SET created_at = created_at - 8 * 24 * 3600")
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("aged");
    assert_eq!(sweep(&app).await.expired, 1);
    assert_eq!(app.alert_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pay_change_on_a_saved_job_sends_one_notice_with_before_and_after_until_unsubscribed() {
    let app = TestApp::with_brief().await;
    let admin = app.alerts_admin().await;
    let sink = SmtpSink::start();
    let ana: Candidate = app.confirmed_candidate("ana@mail.example").await;
    let posting = app.publish(&admin, "Zephyrine Queue Engineer", "San Jose", "CA", ("120000", "160000")).await;
    let saved = app
        .post_as(&ana.cookie, "/account/saved", &form(&[("posting", &posting.to_string()), ("action", "save")]))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    deliver(&app, &sink).await;
    let before = sink.mails().len();

    let edit = |pay: (&'static str, &'static str)| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let page = app.get_with_header(&format!("/admin/jobs/{posting}/edit"), ("cookie", &admin)).await;
            let token = crate::admin::csrf_token(&page.body);
            let body = crate::admin::posting_form(&token, "Zephyrine Queue Engineer", "save", pay);
            let saved = app.post_as(&admin, &format!("/admin/jobs/{posting}/edit"), &body).await;
            assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        }
    };
    // An edit that changes nothing a follower is told about sends nothing.
    edit(("120000", "160000")).await;
    assert_eq!(sweep(&app).await.notices, 0);
    edit(("130000", "170000")).await;
    assert_eq!(sweep(&app).await.notices, 1);
    assert_eq!(sweep(&app).await.notices, 0, "a change is told once");
    assert_eq!(deliver(&app, &sink).await, 1);
    let notice = &sink.mails()[before];
    assert_eq!(notice.to, vec!["ana@mail.example".to_owned()]);
    assert!(notice.data.contains("Subject: Changed: Zephyrine Queue Engineer at TikTok"), "{}", notice.data);
    assert!(
        notice.text.contains("Pay: was $120,000 - $160,000 a year, now $130,000 - $170,000 a year"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("which you saved"));

    // Closing it is a change too; after the notice's unsubscribe, nothing more comes.
    let list = app.get_with_header("/admin/jobs", ("cookie", &admin)).await;
    let token = crate::admin::csrf_token(&list.body);
    app.post_as(&admin, &format!("/admin/jobs/{posting}/status"), &format!("csrf={token}&action=close")).await;
    assert_eq!(sweep(&app).await.notices, 1);
    deliver(&app, &sink).await;
    let closed = &sink.mails()[before + 1];
    assert!(closed.text.contains("Status: was Published, now Closed (closed)"), "{}", closed.text);
    let unsubscribe = link_path(&closed.text, "/alerts/unsubscribe?token=");
    let done = app.send("POST", &unsubscribe, Some(""), &[("origin", PUBLIC_URL)]).await;
    assert_eq!(location(&done), "/alerts/done?what=unsubscribed");
    app.post_as(&admin, &format!("/admin/jobs/{posting}/status"), &format!("csrf={token}&action=reopen")).await;
    assert_eq!(sweep(&app).await.notices, 0, "unsubscribed from the notices");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_candidates_alert_runs_at_once_and_my_alerts_changes_only_their_own() {
    let app = TestApp::with_brief().await;
    let ana = app.confirmed_candidate("ana@mail.example").await;
    let bo = app.confirmed_candidate("bo@mail.example").await;
    let saved = app.save_search("ana@mail.example", "region=CA&q=backend", "weekly", Some(&ana.cookie)).await;
    assert_eq!(location(&saved), "/alerts/done?what=saved", "a confirmed account's own address needs no confirmation");
    let career = app
        .post_as(
            &ana.cookie,
            "/careers/backend-software-engineering/alerts",
            "email=ana%40mail.example&step=devops-engineer",
        )
        .await;
    assert_eq!(location(&career), "/careers/backend-software-engineering?subscribed=1");

    // One made signed out with her address is hers too, once her account's address is confirmed; an
    // unconfirmed sign-up with someone's address sees none of theirs.
    app.save_search("ana@mail.example", "region=NY", "daily", None).await;
    app.save_search("carl@mail.example", "region=NY", "daily", None).await;
    // Carl's address signs up, unconfirmed: the account cannot be entered, and when it is removed
    // unconfirmed, the address's alert stays.
    app.sign_up("carl@mail.example").await;
    let carl_id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM candidates WHERE email = 'carl@mail.example'")
            .fetch_one(p)
            .await)
        .expect("carl's account");
    app::db::delete_candidate(&app.pool, carl_id).await.expect("the unconfirmed account is deleted");
    let carls: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts WHERE email = 'carl@mail.example'"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(carls, 1, "an unconfirmed account deletes none of the address's alerts");
    let page = app.get_with_header("/account/alerts", ("cookie", &ana.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("class=\"alert-row").count(), 3);
    assert!(page.body.contains("Waiting for the address to confirm"), "the one made signed out");
    assert!(page.body.contains("Jobs \"backend\", in CA"), "{}", page.body);
    assert!(page.body.contains("open jobs match now"));
    assert!(page.body.contains("Running"));
    let id: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM alerts WHERE listing_query IS NOT NULL")
            .fetch_one(p)
            .await)
        .expect("alert");
    let change = |who: &Candidate, action: &str| {
        form(&[("csrf", &who.token), ("alert", &id.to_string()), ("action", action), ("frequency", "daily")])
    };
    let paused = app.post_as(&ana.cookie, "/account/alerts", &change(&ana, "pause")).await;
    assert_eq!(location(&paused), "/account/alerts?notice=changed");
    assert!(app.get_with_header("/account/alerts", ("cookie", &ana.cookie)).await.body.contains("Paused"));
    let theirs = app.post_as(&bo.cookie, "/account/alerts", &change(&bo, "delete")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another candidate's alert");
    let no_token =
        app.post_as(&ana.cookie, "/account/alerts", &form(&[("alert", &id.to_string()), ("action", "delete")])).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let frequency = app.post_as(&ana.cookie, "/account/alerts", &change(&ana, "frequency")).await;
    assert_eq!(location(&frequency), "/account/alerts?notice=changed");
    let stored: (String, bool) =
        crate::on_db!(app.pool, |p| sqlx::query_as("SELECT frequency, paused FROM alerts WHERE id = $1")
            .bind(id)
            .fetch_one(p)
            .await)
        .expect("alert");
    assert_eq!(stored, ("daily".to_owned(), true));
    let deleted = app.post_as(&ana.cookie, "/account/alerts", &change(&ana, "delete")).await;
    assert_eq!(location(&deleted), "/account/alerts?notice=deleted");
    assert_eq!(app.alert_count().await, 3);
    let signed_out_one: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT id FROM alerts WHERE email = 'ana@mail.example' AND candidate_id IS NULL"
    )
    .fetch_one(p)
    .await)
    .expect("alert");
    let carls: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT id FROM alerts WHERE email = 'carl@mail.example'")
            .fetch_one(p)
            .await)
        .expect("alert");
    let remove = |who: &Candidate, alert: i64| {
        form(&[("csrf", &who.token), ("alert", &alert.to_string()), ("action", "delete")])
    };
    let mine = app.post_as(&ana.cookie, "/account/alerts", &remove(&ana, signed_out_one)).await;
    assert_eq!(location(&mine), "/account/alerts?notice=deleted");
    let not_hers = app.post_as(&ana.cookie, "/account/alerts", &remove(&ana, carls)).await;
    assert_eq!(not_hers.status, StatusCode::NOT_FOUND, "another address's alert");
    assert_eq!(app.alert_count().await, 2);
    let signed_out = app.get("/account/alerts").await;
    assert!(location(&signed_out).starts_with("/account/sign-in?next="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_alert_forms_keep_what_was_typed_and_sign_ups_are_limited_per_address() {
    let app = TestApp::with_brief().await;
    let refused = app.save_search("not-an-address", "region=CA&min_pay=120000&after=zzz", "daily", None).await;
    let target = location(&refused).to_owned();
    assert!(target.starts_with("/alerts/new?alert_error=bad_email"), "{target}");
    let page = app.get(&target).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("That is not an e-mail address like name@example.com."));
    assert!(page.body.contains("value=\"not-an-address\""));
    assert!(
        page.body.contains("name=\"query\" value=\"region=CA&amp;min_pay=120000\""),
        "the search, without its page"
    );
    let bad_frequency = app.save_search("kim@mail.example", "", "hourly", None).await;
    assert!(location(&bad_frequency).contains("alert_error=bad_frequency"));
    assert_eq!(app.alert_count().await, 0);
    // Five sign-ups a day reach one address; the sixth is refused.
    for n in 0..5 {
        let saved = app.save_search("kim@mail.example", &format!("min_pay={}", 100_000 + n), "daily", None).await;
        assert_eq!(location(&saved), "/alerts/done?what=confirm-sent");
    }
    let flood = app.save_search("kim@mail.example", "min_pay=200000", "daily", None).await;
    assert_eq!(flood.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(flood.headers.contains_key("retry-after"));
    assert_eq!(app.alert_count().await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sweeps_write_each_digest_once() {
    let app = TestApp::seeded().await;
    app.old_alert_of_all_jobs("ana@mail.example").await;
    let links = links(&app).await;
    let now = chrono::Utc::now();
    let sweeps: Vec<_> = (0..4)
        .map(|_| {
            let (pool, links) = (app.pool.clone(), links.clone());
            tokio::spawn(async move { app::service::alerts::sweep(&pool, &links, now).await })
        })
        .collect();
    let mut digests = 0;
    for sweep in sweeps {
        digests += sweep.await.expect("joined").expect("swept").digests;
    }
    assert_eq!(digests, 1, "four sweeps at once, one digest");
    let digests_in_outbox: i64 =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%new job%'")
            .fetch_one(p)
            .await)
        .expect("count");
    assert_eq!(digests_in_outbox, 1);
    let body: String =
        crate::on_db!(app.pool, |p| sqlx::query_scalar("SELECT body FROM outbox WHERE subject LIKE '%new job%'")
            .fetch_one(p)
            .await)
        .expect("digest");
    let listed = body.matches("\n  Apply before ").count();
    assert!(listed <= app::domain::alert::DIGEST_POSTINGS, "at most 20 postings: {listed}");
    assert!(body.contains(" more: https://jobs.example/jobs"), "a link to the rest");

    // The run log keeps a run past its period (a week), no longer.
    crate::on_db!(app.pool, |p| sqlx::query("UPDATE alert_runs SET ran_at = ran_at - 9 * 24 * 3600")
        .execute(p)
        .await
        .map(|done| done.rows_affected()))
    .expect("aged");
    let later = sweep(&app).await;
    assert!(later.pruned >= 1, "{later:?}");
    assert_eq!(later.digests, 0, "the postings told stay told");
}

/// The alternate links of an Atom feed's entries, in order.
fn feed_links(body: &str) -> (atom_syndication::Feed, Vec<String>) {
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).expect("valid Atom");
    let links = feed.entries().iter().map(|entry| entry.links()[0].href().to_owned()).collect();
    (feed, links)
}

/// The posting links of the cards on a listing page, in order.
fn card_links(page: &str) -> Vec<String> {
    page.split("class=\"job-card")
        .skip(1)
        .filter_map(|card| {
            let start = card.find("href=\"/jobs/")? + "href=\"".len();
            let path = &card[start..start + card[start..].find('"')?];
            path["/jobs/".len()..].starts_with(|c: char| c.is_ascii_digit()).then(|| format!("{PUBLIC_URL}{path}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_of_a_filtered_listing_lists_exactly_its_page_and_answers_304() {
    let app = TestApp::seeded().await;
    let query = "region=CA&min_pay=120000";
    let page = app.get(&format!("/jobs?{query}")).await;
    assert!(
        page.body.contains(&format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"New jobs of this search\" href=\"/jobs/feed.atom?{}\"",
            "region=CA&amp;min_pay=120000"
        )),
        "the page links its feed"
    );
    let answer = app.get(&format!("/jobs/feed.atom?{query}")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/atom+xml; charset=utf-8")
    );
    let (feed, links) = feed_links(&answer.body);
    let cards = card_links(&page.body);
    assert!(!cards.is_empty());
    assert_eq!(links, cards, "the feed lists the page's postings in its order");
    assert!(feed.id().starts_with("https://jobs.example/jobs/feed.atom?"));
    assert!(feed.links().iter().any(|link| link.rel() == "self" && link.href() == feed.id()));
    assert!(!feed.authors().is_empty());
    assert!(feed.entries().iter().all(|entry| !entry.id().is_empty() && !entry.title().is_empty()));
    assert_eq!(feed.namespaces().get("job").map(String::as_str), Some(server::feeds::JOB_NAMESPACE));
    let pays = feed.entries()[0].extensions().get("job").and_then(|map| map.get("payAnnualMin")).expect("pay");
    assert!(pays[0].value().and_then(|v| v.parse::<i64>().ok()).is_some_and(|min| min > 0));

    let tag = answer.headers.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_owned();
    let again = app.get_with_header(&format!("/jobs/feed.atom?{query}"), ("if-none-match", &tag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let modified = answer.headers.get("last-modified").and_then(|v| v.to_str().ok()).expect("last-modified").to_owned();
    let since = app.get_with_header(&format!("/jobs/feed.atom?{query}"), ("if-modified-since", &modified)).await;
    assert_eq!(since.status, StatusCode::NOT_MODIFIED);
    let old = app
        .get_with_header(&format!("/jobs/feed.atom?{query}"), ("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT"))
        .await;
    assert_eq!(old.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn companies_and_career_paths_have_feeds_and_unknown_ones_are_404() {
    let app = TestApp::with_brief().await;
    let company = app.get("/companies/tiktok").await;
    assert!(company.body.contains("href=\"/companies/tiktok/feed.atom\""));
    let (feed, links) = feed_links(&app.get("/companies/tiktok/feed.atom").await.body);
    assert!(feed.title().as_str().contains("TikTok"));
    assert_eq!(links.len(), app.tiktok_postings().await.len());
    let career = app.get("/careers/backend-software-engineering").await;
    assert!(career.body.contains("href=\"/careers/backend-software-engineering/feed.atom\""));
    let (feed, _) = feed_links(&app.get("/careers/backend-software-engineering/feed.atom").await.body);
    assert!(feed.title().as_str().contains("career path"));
    assert_eq!(app.get("/companies/nobody-here/feed.atom").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/careers/astronaut/feed.atom").await.status, StatusCode::NOT_FOUND);
    // Hostile queries get a feed of what parses, never an error.
    let odd = app.get("/jobs/feed.atom?min_pay=lots&type=%FF&after=%00").await;
    assert_eq!(odd.status, StatusCode::OK);
    feed_links(&odd.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_sweeper_sends_due_digests_on_its_own() {
    let app = TestApp::with_brief().await;
    app.old_alert_of_all_jobs("ana@mail.example").await;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let sweeper = tokio::spawn(server::alerts::run_sweeper(
        app.pool.clone(),
        links(&app).await,
        wake.clone(),
        std::time::Duration::from_millis(50),
    ));
    // The sender is woken when the sweep put something in the outbox.
    tokio::time::timeout(std::time::Duration::from_secs(10), wake.notified())
        .await
        .expect("the sweeper woke the sender");
    sweeper.abort();
    let digests: i64 = crate::on_db!(app.pool, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%new job%' AND to_address = 'ana@mail.example'"
    )
    .fetch_one(p)
    .await)
    .expect("count");
    assert_eq!(digests, 1, "one digest, however many ticks ran");
}
