//! The storage layer, the only code that names sqlx, on two engines: SQLite (the embedded default) and
//! PostgreSQL (several instances on one shared database). The engine is picked at start from the
//! database URL ([`connect`]); [`Pool`] holds either.
//!
//! Each query is written once, in `queries/` (one module per aggregate: cards, listing, postings,
//! related postings, companies, careers, admin, writes, the snapshot's reads), against the engine-neutral
//! names `Db`, `Pool`, `Connection` and `dialect`. `sqlite.rs` and `postgres.rs` each compile those
//! files against their own sqlx types and say, in their `dialect`, what their engine says differently
//! (full-text search, JSON aggregation, timestamps, locking). The functions below hand each call to the
//! engine of the pool or transaction it is given. Records and helpers both engines share (cursors,
//! pages, slugs, the snapshot, the caches) are compiled once.

mod copy;
mod error;
mod listing_cache;
mod open_postings;
mod paging;
mod pool;
mod postgres;
mod records;
mod slugs;
mod sqlite;

use chrono::NaiveDate;

pub use copy::{CopyProgress, CopyReport, copy_board, row_counts};
pub use error::Error;
pub use listing_cache::{FEED_KEPT, Listing, ListingCache};
pub use open_postings::{BYTES_PER_POSTING, FeedBatch, OpenPostings, Patch, SimilarTo, Tally};
pub use paging::{ListPage, RankedMatch, fts_query};
pub use pool::{
    DbError, Engine, ListingChanges, Pool, Transaction, backup_sqlite, connect, integrity_check, migrate,
    pending_migrations, ping, without_password,
};
pub use records::{
    AccountRequest, Actor, AdminAccount, AlertChange, Applied, COMPANY_BENEFIT_POSTINGS, CandidateAccount,
    ChangedSource, FeedChange, FeedRead, Follower, MAX_ALERTS_PER_ADDRESS, NewAlert, NewCandidate, RELATED_JOBS,
    SavedAlert, SignedUp, SnapshotSource, StatusChange, StoredAlert,
};
pub use slugs::{company_slug, url_slug};

use crate::domain::admin::{AdminPostingRow, AuditEntry, CareerStepOption, CompanyOption};
use crate::domain::alert::{PostingChange, Unsubscribe};
use crate::domain::candidate::{
    ApplicationStatus, ApplyRefusal, CandidateProfile, CompanyLimit, MyApplication, PlannedPosting,
    ReceivedApplication, SavedJob, SlotUsage, ValidApplication,
};
use crate::domain::filter::{Facets, PayHistogram};
use crate::domain::mail::{OutboxEntry, OutgoingMail};
use crate::domain::{
    CareerPath, CompanyProfile, JobCard, JobDetail, JobFilter, JobStatus, NewCompany, NewJob, ObservedPay, PostingParts,
};

/// Writes, for each function listed, one that hands the call to the same function of the pool's (or the
/// transaction's) engine module. A function listed with `pool: &Pool` only reads, and runs on SQLite's
/// read-only connections; one listed with `writer: &Pool` writes, and runs on SQLite's one writer.
macro_rules! on_its_engine {
    () => {};
    (
        $(#[$attr:meta])* $vis:vis async fn $name:ident in $module:ident(pool: &Pool $(, $arg:ident: $ty:ty)* $(,)?)
            -> $ret:ty; $($rest:tt)*
    ) => {
        $(#[$attr])*
        $vis async fn $name(pool: &Pool $(, $arg: $ty)*) -> $ret {
            match pool {
                Pool::Sqlite(pools) => sqlite::$module::$name(&pools.readers $(, $arg)*).await,
                Pool::Postgres(pool) => postgres::$module::$name(pool $(, $arg)*).await,
            }
        }
        on_its_engine!($($rest)*);
    };
    (
        $(#[$attr:meta])* $vis:vis async fn $name:ident in $module:ident(writer: &Pool $(, $arg:ident: $ty:ty)* $(,)?)
            -> $ret:ty; $($rest:tt)*
    ) => {
        $(#[$attr])*
        $vis async fn $name(writer: &Pool $(, $arg: $ty)*) -> $ret {
            match writer {
                Pool::Sqlite(pools) => sqlite::$module::$name(&pools.writer $(, $arg)*).await,
                Pool::Postgres(pool) => postgres::$module::$name(pool $(, $arg)*).await,
            }
        }
        on_its_engine!($($rest)*);
    };
    (
        $(#[$attr:meta])* $vis:vis async fn $name:ident in $module:ident(
            tx: &mut Transaction $(, $arg:ident: $ty:ty)* $(,)?
        ) -> $ret:ty; $($rest:tt)*
    ) => {
        $(#[$attr])*
        $vis async fn $name(tx: &mut Transaction $(, $arg: $ty)*) -> $ret {
            match tx {
                Transaction::Sqlite(tx) => sqlite::$module::$name(tx $(, $arg)*).await,
                Transaction::Postgres(tx) => postgres::$module::$name(tx $(, $arg)*).await,
            }
        }
        on_its_engine!($($rest)*);
    };
}

on_its_engine! {
    /// A candidate's active applications to a company (or its group), with the limit that counts them.
    pub async fn slot_usage in applications(pool: &Pool, candidate_id: i64, company_id: i64) -> Result<SlotUsage, Error>;
    /// Applies to an open posting that takes applications on the site, under the company's (or its
    /// group's) limit, in one transaction: the limit is checked and the slot taken together, and the
    /// receipt `receipt` writes is put in the outbox. A refusal changes nothing.
    pub async fn apply in applications(
        writer: &Pool,
        candidate_id: i64,
        posting_id: i64,
        application: &ValidApplication,
        today: NaiveDate,
        receipt: &(dyn Fn(&Applied) -> OutgoingMail + Sync),
    ) -> Result<Result<Applied, ApplyRefusal>, Error>;
    /// Withdraws the candidate's application while it is only received; false when the employer has
    /// reviewed it. Another candidate's application is [`Error::NotFound`].
    pub async fn withdraw_application in applications(
        writer: &Pool,
        candidate_id: i64,
        application_id: i64,
    ) -> Result<bool, Error>;
    /// The candidate's applications, newest first.
    pub async fn my_applications in applications(pool: &Pool, candidate_id: i64) -> Result<Vec<MyApplication>, Error>;
    /// A posting's applications in the order received.
    pub async fn posting_applications in applications(
        pool: &Pool,
        posting_id: i64,
    ) -> Result<Vec<ReceivedApplication>, Error>;
    /// How many applications each of these postings has, per status: `(posting, status, count)`.
    pub async fn application_counts in applications(
        pool: &Pool,
        posting_ids: &[i64],
    ) -> Result<Vec<(i64, String, i64)>, Error>;
    /// Sets an application's status (audited), and puts the candidate's notice in the outbox; `None`
    /// when nothing changed (the same status, or a withdrawn application).
    pub async fn set_application_status in applications(
        writer: &Pool,
        application_id: i64,
        status: ApplicationStatus,
        actor: Actor<'_>,
        notice: &(dyn Fn(&StatusChange) -> OutgoingMail + Sync),
    ) -> Result<Option<StatusChange>, Error>;
    /// A public posting's title, slug, company id and name, and whether it takes applications on the site
    /// on `today`; an unknown or draft one is [`Error::NotFound`].
    pub async fn posting_summary in applications(
        pool: &Pool,
        posting_id: i64,
        today: NaiveDate,
    ) -> Result<(String, String, i64, String, bool), Error>;
    /// Adds views to postings' counts (`(posting, views)`; unknown postings are skipped), in one
    /// transaction.
    pub async fn add_posting_views in applications(writer: &Pool, views: &[(i64, i64)]) -> Result<(), Error>;
    /// The view counts of these postings: `(posting, views)`, for those viewed at all.
    pub async fn posting_views in applications(pool: &Pool, posting_ids: &[i64]) -> Result<Vec<(i64, i64)>, Error>;
    /// Every company's application limit and group.
    pub async fn company_limits in applications(pool: &Pool) -> Result<Vec<CompanyLimit>, Error>;
    /// Sets a company's limit and group (created, or its limit updated, by name), audited.
    pub async fn set_company_limit in applications(
        writer: &Pool,
        slug: &str,
        limit: Option<i64>,
        group: Option<&str>,
        group_limit: Option<i64>,
        actor: Actor<'_>,
    ) -> Result<(), Error>;
    /// Does queued sign-up `request_id`, in one transaction that also takes it off the queue: a new,
    /// unconfirmed account with its confirmation token and `confirm` e-mail, or, when the address has an
    /// account, the e-mail `attempted` writes to its owner. `None` when another instance did it.
    pub async fn sign_up_candidate in candidates(
        writer: &Pool,
        request_id: i64,
        new: &NewCandidate<'_>,
        confirm: &OutgoingMail,
        attempted: &(dyn Fn(&str) -> OutgoingMail + Sync),
    ) -> Result<Option<SignedUp>, Error>;
    /// The candidate with this e-mail address (case-insensitive), if any.
    pub async fn find_candidate in candidates(pool: &Pool, email: &str) -> Result<Option<CandidateAccount>, Error>;
    /// The candidate with this id, if any.
    pub async fn candidate_by_id in candidates(pool: &Pool, id: i64) -> Result<Option<CandidateAccount>, Error>;
    /// Candidate `id`'s session epoch; `None` when the account is gone.
    pub async fn candidate_session_epoch in candidates(pool: &Pool, id: i64) -> Result<Option<String>, Error>;
    /// Candidate `id`'s link secret (signed into the links of its notices); `None` when it is gone.
    pub async fn candidate_link_secret in candidates(pool: &Pool, id: i64) -> Result<Option<String>, Error>;
    /// Puts one e-mail in the outbox.
    pub async fn send_mail in candidates(writer: &Pool, mail: &OutgoingMail) -> Result<(), Error>;
    /// Queues an account request (`sign-up` with its password hash, name and page to come back to;
    /// `reset`; `confirm`) for `email`, done off the request path.
    pub async fn queue_account_request in candidates(
        writer: &Pool,
        purpose: &str,
        email: &str,
        sign_up: Option<(&str, &str, &str)>,
        now: i64,
    ) -> Result<(), Error>;
    /// The oldest queued account requests after id `after`.
    pub async fn pending_account_requests in candidates(
        pool: &Pool,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AccountRequest>, Error>;
    /// Drops the queued account requests made before `created_before` (unix seconds): one that failed for
    /// a day is given up.
    pub async fn drop_stale_account_requests in candidates(writer: &Pool, created_before: i64) -> Result<u64, Error>;
    /// Takes queued request `request_id` off the queue and, with `token` (candidate, purpose, token hash,
    /// expiry, the e-mail), stores the token and its e-mail, in one transaction; false when another
    /// instance took it first.
    pub async fn finish_account_request in candidates(
        writer: &Pool,
        request_id: i64,
        token: Option<(i64, &str, &str, i64, &OutgoingMail)>,
    ) -> Result<bool, Error>;
    /// Deletes the accounts never confirmed that were made before `created_before`.
    pub async fn delete_unconfirmed_candidates in candidates(
        writer: &Pool,
        created_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, Error>;
    /// The candidate whose unused, unexpired reset token this is; nothing is spent.
    pub async fn reset_token_owner in candidates(pool: &Pool, token_hash: &str, now: i64) -> Result<Option<i64>, Error>;
    /// Spends a confirmation token and confirms its account; `None` for an unknown, used or expired one.
    pub async fn confirm_candidate in candidates(writer: &Pool, token_hash: &str, now: i64) -> Result<Option<i64>, Error>;
    /// Spends a reset token (and every other of the account), sets the password and the new session
    /// epoch (ending every session), and marks the address confirmed; `None` for an unknown, used or
    /// expired one.
    pub async fn reset_candidate_password in candidates(
        writer: &Pool,
        token_hash: &str,
        password_hash: &str,
        new_epoch: &str,
        now: i64,
    ) -> Result<Option<i64>, Error>;
    /// Sets a candidate's password and a new session epoch (ending every other session).
    pub async fn set_candidate_password in candidates(
        writer: &Pool,
        id: i64,
        password_hash: &str,
        new_epoch: &str,
    ) -> Result<(), Error>;
    /// A candidate's profile.
    pub async fn candidate_profile in candidates(pool: &Pool, id: i64) -> Result<CandidateProfile, Error>;
    /// Saves a candidate's (checked) profile.
    pub async fn save_candidate_profile in candidates(
        writer: &Pool,
        id: i64,
        profile: &CandidateProfile,
    ) -> Result<(), Error>;
    /// Deletes an account: its applications are withdrawn and emptied of the person's data first (the
    /// employer keeps that they existed); its alerts (when it confirmed the address), tokens, sessions
    /// (by its epoch) and unsent mail go with it. Returns how many applications it had.
    pub async fn delete_candidate in candidates(writer: &Pool, id: i64) -> Result<u64, Error>;
    /// Saves a public posting for the candidate (again is a no-op); an unknown or draft one is
    /// [`Error::NotFound`].
    pub async fn save_job in candidates(writer: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error>;
    /// Unsaves a posting.
    pub async fn unsave_job in candidates(writer: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error>;
    /// The candidate's saved jobs, newest first, each marked open or closed on `today`.
    pub async fn saved_jobs in candidates(
        pool: &Pool,
        candidate_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<SavedJob>, Error>;
    /// Puts a public posting last on the candidate's planner shortlist (again is a no-op).
    pub async fn plan_posting in candidates(writer: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error>;
    /// Takes a posting off the planner shortlist.
    pub async fn unplan_posting in candidates(writer: &Pool, candidate_id: i64, posting_id: i64) -> Result<(), Error>;
    /// Moves a shortlisted posting one place up or down.
    pub async fn move_planned_posting in candidates(
        writer: &Pool,
        candidate_id: i64,
        posting_id: i64,
        up: bool,
    ) -> Result<(), Error>;
    /// The planner shortlist in rank order, each with its company's id.
    pub async fn planned_postings in candidates(
        pool: &Pool,
        candidate_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<(i64, PlannedPosting)>, Error>;
    /// The outbox's newest messages.
    pub async fn outbox in candidates(pool: &Pool, limit: i64) -> Result<Vec<OutboxEntry>, Error>;
    /// Claims up to `limit` messages due at `now` (unix seconds) for sending, moving their next attempt
    /// to `retry_at`, oldest first; a message tried 10 times is not claimed again.
    pub async fn claim_outbox in candidates(
        writer: &Pool,
        now: i64,
        retry_at: i64,
        limit: i64,
    ) -> Result<Vec<(i64, OutgoingMail)>, Error>;
    /// Records that a message was handed to the SMTP server, keeping `kept_body` (its links blanked) as
    /// its stored copy.
    pub async fn mark_sent in candidates(writer: &Pool, id: i64, kept_body: &str) -> Result<(), Error>;
    /// Records why a message could not be sent (it is tried again at its next attempt).
    pub async fn mark_failed in candidates(writer: &Pool, id: i64, error: &str) -> Result<(), Error>;
    /// How many admin accounts exist.
    pub async fn count_admins in admin(pool: &Pool) -> Result<i64, Error>;
    /// Stores a new admin; a taken e-mail address is [`Error::Conflict`] on `email`.
    pub async fn insert_admin in admin(writer: &Pool, email: &str, password_hash: &str) -> Result<i64, Error>;
    /// The admin with this e-mail address (case-insensitive), if any.
    pub async fn find_admin in admin(pool: &Pool, email: &str) -> Result<Option<AdminAccount>, Error>;
    /// Sets the password of the admin with this e-mail address and a new session epoch (ending every session
    /// of the admin); false when there is no such admin.
    pub async fn set_admin_password in admin(
        writer: &Pool,
        email: &str,
        password_hash: &str,
        epoch: &str,
    ) -> Result<bool, Error>;
    /// Admin `id`'s session epoch; `None` when the account is gone.
    pub async fn admin_session_epoch in admin(pool: &Pool, id: i64) -> Result<Option<String>, Error>;
    /// Stores or replaces a session record (`data` is JSON; `expires_at` unix seconds).
    /// An UPDATE, never an insert: a request still in flight when its session was deleted (signed out,
    /// expired) cannot bring the session back. False when there was no such session.
    pub async fn save_session in admin(writer: &Pool, id: &str, data: &str, expires_at: i64) -> Result<bool, Error>;
    /// Stores a session record only when its id is new; false when the id is taken.
    pub async fn create_session in admin(writer: &Pool, id: &str, data: &str, expires_at: i64) -> Result<bool, Error>;
    /// The data and expiry of a session that has not expired by `now` (unix seconds).
    pub async fn load_session in admin(pool: &Pool, id: &str, now: i64) -> Result<Option<(String, i64)>, Error>;
    /// Ends a session.
    pub async fn delete_session in admin(writer: &Pool, id: &str) -> Result<(), Error>;
    /// Removes sessions that expired before `now`; returns how many.
    pub async fn delete_expired_sessions in admin(writer: &Pool, now: i64) -> Result<u64, Error>;
    /// Postings in every status, newest first; `search` matches title or company (case-insensitive).
    pub async fn admin_postings in admin(
        pool: &Pool, search: &str, today: NaiveDate, limit: i64,
    ) -> Result<Vec<AdminPostingRow>, Error>;
    /// The stored status of a posting; `Error::NotFound` when there is none.
    pub async fn posting_status in admin(pool: &Pool, id: i64) -> Result<JobStatus, Error>;
    /// A posting in any status, as the editor needs it (Markdown, not HTML); `Error::NotFound` when unknown.
    pub async fn posting_for_edit in admin(pool: &Pool, id: i64) -> Result<PostingParts, Error>;
    /// Companies the form can pick, by name.
    pub async fn company_options in admin(pool: &Pool) -> Result<Vec<CompanyOption>, Error>;
    /// Career steps the form can pick, by path then position.
    pub async fn career_step_options in admin(pool: &Pool) -> Result<Vec<CareerStepOption>, Error>;
    /// True when a company with this slug exists.
    pub async fn company_exists in admin(pool: &Pool, slug: &str) -> Result<bool, Error>;
    /// True when the career step `path/step` exists.
    pub async fn career_step_exists in admin(pool: &Pool, path: &str, step: &str) -> Result<bool, Error>;
    /// A posting's audit trail, newest first.
    pub async fn posting_history in admin(pool: &Pool, posting_id: i64) -> Result<Vec<AuditEntry>, Error>;
    /// The latest audit entries across all postings, newest first.
    pub async fn recent_audit in admin(pool: &Pool, limit: i64) -> Result<Vec<AuditEntry>, Error>;
    /// Stores a new posting (creating the company `new_company` first when given) with its audit row;
    /// returns its id.
    pub async fn create_posting in admin(
        writer: &Pool, job: NewJob, new_company: Option<&str>, actor: Actor<'_>,
    ) -> Result<i64, Error>;
    /// Replaces a posting's content in place (see [`replace_job`]), with its audit row; `NotFound` when unknown.
    pub async fn update_posting in admin(
        writer: &Pool, id: i64, job: NewJob, new_company: Option<&str>, actor: Actor<'_>,
    ) -> Result<(), Error>;
    /// Sets a posting's status, with its audit row (`action` is the audit code: publish, close, reopen).
    pub async fn set_posting_status in admin(
        writer: &Pool, id: i64, status: JobStatus, action: &str, actor: Actor<'_>,
    ) -> Result<(), Error>;
    /// Cards for the given posting ids, in the order given (ids that do not exist are skipped).
    pub async fn load_cards in cards(pool: &Pool, ids: &[i64]) -> Result<Vec<JobCard>, Error>;
    /// A career path with its steps (in the source's order) and their next-step moves; `Error::NotFound` for
    /// an unknown slug.
    pub async fn get_career_path in career(pool: &Pool, slug: &str) -> Result<CareerPath, Error>;
    /// For each step of the path with open postings: their annualised pay range and counts, and a few of them.
    /// The definition in SQL that [`observed_pay_from`] (what the page uses) is held to by the tests.
    pub async fn observed_pay in career(
        pool: &Pool, path_slug: &str, today: NaiveDate,
    ) -> Result<Vec<ObservedPay>, Error>;
    /// [`observed_pay`] from the snapshot of the open postings: the steps' aggregates are kept there, so the
    /// cost is the path's steps and their examples' titles, whatever the number of postings.
    pub async fn observed_pay_from in career(
        pool: &Pool, snapshot: &OpenPostings, path_slug: &str,
    ) -> Result<Vec<ObservedPay>, Error>;
    /// The newest open postings at any step of career path `slug`, at most `limit`.
    pub async fn career_path_postings in career(
        pool: &Pool, slug: &str, today: NaiveDate, limit: i64,
    ) -> Result<Vec<i64>, Error>;
    /// True when a career path with this slug exists.
    pub async fn career_path_exists in career(tx: &mut Transaction, slug: &str) -> Result<bool, Error>;
    /// A company with the benefits named by `posting_ids` (its newest open postings, at most
    /// [`COMPANY_BENEFIT_POSTINGS`] of them are read); `Error::NotFound` for an unknown slug.
    pub async fn get_company_profile in companies(
        pool: &Pool, slug: &str, posting_ids: &[i64],
    ) -> Result<CompanyProfile, Error>;
    /// Counts for each choice of each filter, each computed with the other filters kept.
    pub async fn facets in listing(pool: &Pool, filter: &JobFilter, today: NaiveDate) -> Result<Facets, Error>;
    /// The pay spread of the postings matching `filter` (those that post pay, in USD): the definition the
    /// in-memory summary is held to.
    pub async fn pay_histogram in listing(
        pool: &Pool, filter: &JobFilter, today: NaiveDate,
    ) -> Result<PayHistogram, Error>;
    /// The e-mail signing key named `name`, stored as `fresh` when there is none yet.
    pub async fn signing_key in alerts(writer: &Pool, name: &str, fresh: &str) -> Result<String, Error>;
    /// Stores an alert (or updates the address's alert of the same search or path: its frequency, resumed).
    pub async fn save_alert in alerts(writer: &Pool, alert: &NewAlert<'_>) -> Result<SavedAlert, Error>;
    /// Puts an unconfirmed alert's confirmation e-mail in the outbox and notes that it went.
    pub async fn send_alert_confirmation in alerts(
        writer: &Pool, alert_id: i64, mail: &OutgoingMail, now: i64,
    ) -> Result<(), Error>;
    /// Confirms an alert; false when there is no such alert.
    pub async fn confirm_alert in alerts(writer: &Pool, id: i64, secret: &str, now: i64) -> Result<bool, Error>;
    /// Does what an unsubscribe link says; false when there was nothing left to stop.
    pub async fn unsubscribe in alerts(writer: &Pool, what: Unsubscribe, secret: &str) -> Result<Option<bool>, Error>;
    /// Changes one of the candidate's alerts; false when it is not theirs.
    pub async fn change_alert in alerts(
        writer: &Pool, candidate_id: i64, id: i64, change: AlertChange,
    ) -> Result<bool, Error>;
    /// The candidate's alerts (made signed in, or with their address).
    pub async fn candidate_alerts in alerts(pool: &Pool, candidate_id: i64) -> Result<Vec<StoredAlert>, Error>;
    /// One alert.
    pub async fn alert_by_id in alerts(pool: &Pool, id: i64) -> Result<Option<StoredAlert>, Error>;
    /// Deletes unconfirmed alerts made before `cutoff`.
    pub async fn expire_unconfirmed_alerts in alerts(writer: &Pool, cutoff: i64) -> Result<u64, Error>;
    /// Forgets old runs, told changes, and the told postings that closed long ago; returns the rows gone.
    pub async fn prune_alert_history in alerts(
        writer: &Pool, runs_before: i64, changes_before: i64, postings_closed_before: NaiveDate,
    ) -> Result<u64, Error>;
    /// Unconfirmed alerts whose confirmation is not in the outbox yet.
    pub async fn alerts_awaiting_confirmation in alerts(
        pool: &Pool, after: i64, limit: i64,
    ) -> Result<Vec<StoredAlert>, Error>;
    /// Confirmed, running alerts without a run in their current period (`periods`: hour, day, week).
    pub async fn due_alerts in alerts(
        pool: &Pool, periods: [&str; 3], after: i64, limit: i64,
    ) -> Result<Vec<StoredAlert>, Error>;
    /// Of `posting_ids`, those the alert has not told about.
    pub async fn untold_postings in alerts(pool: &Pool, alert_id: i64, posting_ids: &[i64]) -> Result<Vec<i64>, Error>;
    /// New open postings at a career alert's steps, not told about yet.
    pub async fn career_alert_postings in alerts(
        pool: &Pool, alert_id: i64, since: NaiveDate, today: NaiveDate, limit: i64,
    ) -> Result<Vec<i64>, Error>;
    /// How many open postings are at a career alert's steps.
    pub async fn career_alert_matches in alerts(pool: &Pool, alert_id: i64, today: NaiveDate) -> Result<i64, Error>;
    /// An alert's run of a period, the postings it told about and its digest, in one transaction; false
    /// when the period already had a run.
    pub async fn record_alert_run in alerts(
        writer: &Pool, alert_id: i64, period: &str, now: i64, told: &[i64], digest: Option<&OutgoingMail>,
    ) -> Result<bool, Error>;
    /// Changes of followed postings not told yet.
    pub async fn pending_posting_changes in alerts(pool: &Pool, limit: i64) -> Result<Vec<PostingChange>, Error>;
    /// Who follows a posting.
    pub async fn posting_followers in alerts(pool: &Pool, posting_id: i64, limit: i64) -> Result<Vec<Follower>, Error>;
    /// A change told, with its notices, in one transaction; false when it was told already.
    pub async fn record_change_notices in alerts(
        writer: &Pool, change_id: i64, now: i64, notices: &[OutgoingMail],
    ) -> Result<bool, Error>;
    /// Open postings matching `filter` in its order, `limit` a page from its cursor (keyset paging: a deep
    /// page costs about what the first does), with the total number of matches.
    pub async fn list_open_jobs in listing(
        pool: &Pool, filter: &JobFilter, today: NaiveDate, limit: i64,
    ) -> Result<ListPage, Error>;
    /// How many open postings match `filter`.
    pub async fn count_open_jobs in listing(pool: &Pool, filter: &JobFilter, today: NaiveDate) -> Result<i64, Error>;
    /// One page of the open postings matching `filter`, in its order from its cursor, and the next cursor.
    pub async fn open_jobs_page in listing(
        pool: &Pool, filter: &JobFilter, today: NaiveDate, limit: i64,
    ) -> Result<(Vec<JobCard>, Option<String>), Error>;
    /// Paths and posted dates of the postings open on `today` with ids from `first` to `last`, by id, for
    /// the sitemap.
    pub async fn open_posting_paths in listing(
        pool: &Pool, first: i64, last: i64, today: NaiveDate,
    ) -> Result<Vec<(String, NaiveDate)>, Error>;
    /// How many postings exist, in any status.
    pub async fn count_postings in postings(pool: &Pool) -> Result<i64, Error>;
    /// One posting with everything its page shows; `Error::NotFound` when the id does not exist or is a draft.
    pub async fn get_job_detail in postings(pool: &Pool, id: i64, today: NaiveDate) -> Result<JobDetail, Error>;
    /// Open postings of other companies with a similar title, in the same region or remote; the same metro
    /// ranks first, then the same career path, then full-text relevance of the title. The definition (in SQL,
    /// over the 500 closest titles) that [`OpenPostings::similar`] is held to by the tests; pages use that.
    pub async fn similar_jobs_in_sql in related(
        pool: &Pool, to: &SimilarTo<'_>, today: NaiveDate, limit: i64,
    ) -> Result<Vec<JobCard>, Error>;
    /// Fills in `detail`'s related postings from `snapshot`: the company's newest other open postings, and
    /// similar postings nearby (see [`OpenPostings::similar`]). Only their cards are read from the database.
    pub async fn add_related_jobs in related(
        pool: &Pool, snapshot: &OpenPostings, detail: &mut JobDetail,
    ) -> Result<(), Error>;
    /// Reads every posting open on `day` (published, not past its apply-before date), with the change
    /// feed's position and the companies.
    pub(crate) async fn snapshot_source in snapshot(pool: &Pool, day: NaiveDate) -> Result<SnapshotSource, Error>;
    /// A feed position at or after every change committed so far: an index at it (or later) shows them
    /// (see `ListingCache::wait_for_position`).
    pub async fn listing_feed_written in snapshot(pool: &Pool) -> Result<i64, Error>;
    /// How many postings are open on `day` (what the listing index will hold).
    pub async fn count_open_postings in snapshot(pool: &Pool, day: NaiveDate) -> Result<i64, Error>;
    /// Those of the postings `ids` open on `day`, and those of the companies `companies` that exist, in
    /// one read transaction.
    pub(crate) async fn changed_postings in snapshot(
        pool: &Pool, day: NaiveDate, ids: &[i64], companies: &[i64],
    ) -> Result<ChangedSource, Error>;
    /// Up to `limit` rows of the listing's change feed after the position `after` (0: from the start).
    pub async fn read_listing_changes in snapshot(pool: &Pool, after: i64, limit: i64) -> Result<FeedRead, Error>;
    /// Deletes the change feed's rows but the newest `keep`, `batch` rows a transaction; returns how many.
    pub async fn prune_listing_changes in snapshot(writer: &Pool, keep: i64, batch: i64) -> Result<u64, Error>;
    /// The postings open on `day` whose text matches `keywords` (from `fts_query`), best first (rank, then
    /// id); with `among`, those of these postings whose text matches, open or not.
    pub(crate) async fn keyword_hits in snapshot(
        pool: &Pool, keywords: &str, day: NaiveDate, among: Option<&[i64]>,
    ) -> Result<Vec<RankedMatch>, Error>;
    /// The ids of every posting (open or not) whose text matches `keywords` (from `fts_query`), as one JSON
    /// array: one value, not a row per match (35,000 matches: 5 ms against 30 ms in SQLite).
    pub(crate) async fn keyword_match_ids in snapshot(pool: &Pool, keywords: &str) -> Result<Option<String>, Error>;
    /// Inserts a company or updates the one with the same slug; returns its id.
    pub async fn upsert_company in write(tx: &mut Transaction, company: &NewCompany) -> Result<i64, Error>;
    /// Puts a company into the group of that name (created when missing), which has `limit`.
    pub async fn join_company_group in write(
        tx: &mut Transaction,
        slug: &str,
        group: &str,
        limit: Option<i64>,
    ) -> Result<(), Error>;
    /// Inserts or replaces a legal notice keyed by its jurisdiction; returns its id.
    pub async fn upsert_legal_notice in write(
        tx: &mut Transaction, jurisdiction: &str, region: Option<&str>, title: &str, body_markdown: &str,
    ) -> Result<i64, Error>;
    /// Stores the text of every notice in the legal-notice table that the database does not hold yet (a text
    /// already there, such as the brief's, is kept). Run by [`migrate`](super::migrate): the table is
    /// reference data the writes rely on.
    pub(crate) async fn insert_missing_legal_notices in write(writer: &Pool) -> Result<(), Error>;
    /// Inserts a career path with its steps and their next-step moves; returns the path's id.
    pub async fn insert_career_path in write(tx: &mut Transaction, path: &CareerPath) -> Result<i64, Error>;
    /// Inserts validated postings with all their parts and full-text rows; returns the ids the database
    /// gave them, in order. Run it inside a transaction (`&mut *tx`) so that a failure stores none of them.
    pub async fn insert_jobs in write(tx: &mut Transaction, jobs: &[NewJob]) -> Result<Vec<i64>, Error>;
    /// Renders the sanitised HTML of every section and legal notice stored without it (rows written before
    /// HTML was stored), in batches; returns how many rows it rendered. Run at start-up, after migrating.
    pub async fn render_missing_html in write(writer: &Pool) -> Result<u64, Error>;
}
