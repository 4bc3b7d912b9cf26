//! Records the storage layer hands out that are not domain types: what both engines return alike.

use sqlx::FromRow;

use crate::domain::alert::{AlertTarget, Frequency, Unsubscribe};

/// An admin account as stored: the password only as its argon2id PHC string.
#[derive(Debug, Clone, FromRow)]
pub struct AdminAccount {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    /// The account's session epoch: kept in each of its sessions, which end when it changes.
    pub session_epoch: String,
}

/// A stored time as the pages show it: ISO-8601 UTC to the second (`2026-12-01T17:50:02Z`).
pub fn iso_utc(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Who made a change, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub admin_id: i64,
    pub email: &'a str,
}

/// How many of a company's newest open postings its page reads the benefits of.
pub const COMPANY_BENEFIT_POSTINGS: usize = 200;

/// How many cards "More from this company" and "Similar jobs near here" show.
pub const RELATED_JOBS: usize = 4;

/// What one snapshot is loaded from, read in one transaction that sees one state of the database.
pub struct SnapshotSource {
    /// The change feed's position the rest was read at.
    pub position: i64,
    /// Every posting open on the day, as a JSON array of arrays (see `open_postings::PostingJson`).
    pub postings: Option<String>,
    /// Every company's id by slug.
    pub companies: Vec<(String, i64)>,
}

/// What a change names, read again: the named postings that are open (as [`SnapshotSource`]'s
/// document, one per read of at most 4,000 ids), and the named companies that still exist, as (id, slug).
#[derive(Debug, Clone)]
pub struct ChangedSource {
    pub postings: Vec<String>,
    pub companies: Vec<(i64, String)>,
}

/// One row of the listing's change feed: what one write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct FeedChange {
    pub seq: i64,
    /// The position it stands for (SQLite: its `seq`; PostgreSQL: its transaction's id).
    pub tx: i64,
    pub posting_id: Option<i64>,
    pub company_id: Option<i64>,
    pub career_step_id: Option<i64>,
}

/// One read of the change feed after a position.
#[derive(Debug, Clone)]
pub struct FeedRead {
    /// The rows, oldest first.
    pub changes: Vec<FeedChange>,
    /// Where the next read starts.
    pub next: i64,
    /// True when rows after the position were pruned: the reader missed them and must reload whole.
    pub behind: bool,
    /// True when more rows were there than asked for.
    pub truncated: bool,
}

/// A candidate account as stored: the password only as its argon2id PHC string.
#[derive(Debug, Clone, FromRow)]
pub struct CandidateAccount {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    /// True once the link of the confirmation e-mail was followed.
    pub confirmed: bool,
    /// The account's session epoch: kept in each of its sessions, which end when it changes.
    pub session_epoch: String,
}

/// An application just taken.
#[derive(Debug, Clone)]
pub struct Applied {
    pub id: i64,
    pub posting_id: i64,
    /// Its place among the candidate's applications to the company (or its group).
    pub position: i64,
    pub title: String,
    pub company_name: String,
    /// The address the candidate gave.
    pub email: String,
}

/// An application whose status the employer changed.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub application_id: i64,
    pub posting_id: i64,
    pub status: crate::domain::candidate::ApplicationStatus,
    pub title: String,
    pub company_name: String,
    /// The address the candidate gave (blank when the account was deleted).
    pub email: String,
}

/// The most alerts one address keeps.
pub const MAX_ALERTS_PER_ADDRESS: i64 = 50;

/// An alert to store.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    /// Lower case.
    pub email: &'a str,
    pub candidate_id: Option<i64>,
    /// The listing query, or the career path's slug and its step slugs.
    pub search: Option<&'a str>,
    pub career: Option<(&'a str, &'a [String])>,
    pub frequency: Frequency,
    /// True when the address is a confirmed account's own: no confirmation is needed.
    pub confirmed: bool,
    pub now: i64,
}

/// What storing an alert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedAlert {
    pub id: i64,
    /// The address has confirmed it (or needs not).
    pub confirmed: bool,
    /// The address already has its limit of alerts: nothing was stored.
    pub over_limit: bool,
}

/// A change "My alerts" makes to one of the candidate's alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    Frequency(Frequency),
    Pause,
    Resume,
    Delete,
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    pub id: i64,
    pub email: String,
    pub target: AlertTarget,
    pub frequency: Frequency,
    pub paused: bool,
    pub confirmed: bool,
    pub candidate_id: Option<i64>,
    pub created_at: i64,
    /// The random secret signed into the alert's links: they die with the alert.
    pub link_secret: String,
}

/// Someone to tell about a posting's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follower {
    pub email: String,
    /// Why they follow it, for the e-mail ("you saved", "you applied to", "an alert of yours sent").
    pub why: &'static str,
    /// What the e-mail's unsubscribe link stops.
    pub unsubscribe: Unsubscribe,
    /// The secret of the row it stops (an alert's or the candidate's), signed into the link.
    pub link_secret: String,
}

/// A request for an account e-mail, queued to be done off the request path.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AccountRequest {
    pub id: i64,
    /// `sign-up`, `reset` or `confirm`.
    pub purpose: String,
    pub email: String,
    /// A sign-up's password hash, name, and the page to come back to after sign-in.
    pub password_hash: Option<String>,
    pub name: String,
    pub next: String,
}

/// A sign-up as stored: the address, the password's hash, the name, and the confirmation token's hash
/// with its expiry (unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct NewCandidate<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub expires_at: i64,
}

/// What a sign-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedUp {
    /// A new, unconfirmed account of this id, with its confirmation e-mail.
    Created(i64),
    /// The address has an account: its owner was told by e-mail instead.
    AddressTaken,
}
