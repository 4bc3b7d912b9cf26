//! The only code that names sqlx: plain async functions over a pool or a connection, taking and returning
//! domain types and failing with [`Error`]. Row structs stay private to this module.

mod admin;
mod career;
mod error;
mod listing_cache;
mod open_postings;
mod pool;
mod read;
mod write;

pub use admin::{
    Actor, AdminAccount, admin_postings, career_step_exists, career_step_options, company_exists, company_options,
    company_slug, count_admins, create_posting, create_session, delete_expired_sessions, delete_session, find_admin,
    insert_admin, load_session, posting_for_edit, posting_history, posting_status, recent_audit, save_session,
    set_posting_status, update_posting,
};
pub use career::{get_career_path, observed_pay, observed_pay_from, save_alert};
pub use error::Error;
pub use listing_cache::{Listing, ListingCache, listing_version};
pub use open_postings::{OpenPostings, SimilarTo};
pub use pool::{DbError, Transaction, connect, migrate};
pub use read::fts_query;
pub use read::{
    COMPANY_BENEFIT_POSTINGS, ListPage, RELATED_JOBS, RankedMatch, add_related_jobs, career_path_exists,
    count_open_jobs, count_postings, facets, get_company_profile, get_job_detail, list_open_jobs, load_cards,
    open_jobs_page, open_posting_paths, pay_histogram, ping, similar_jobs_in_sql,
};
pub use write::{insert_career_path, insert_jobs, render_missing_html, upsert_company, upsert_legal_notice};

/// A SQLite connection pool: the handle every function here takes.
pub type Pool = sqlx::SqlitePool;

/// One connection, usually a transaction (`&mut *tx`).
pub type Connection = sqlx::SqliteConnection;
