//! The only code that names sqlx: plain async functions over a pool or a connection, taking and returning
//! domain types and failing with [`Error`]. One module per aggregate (cards, listing, postings, related
//! postings, companies, careers, admin, writes); row structs stay private to `db`.

mod admin;
mod cards;
mod career;
mod companies;
mod error;
mod listing;
mod listing_cache;
mod open_postings;
mod pool;
mod postings;
mod related;
mod write;

pub use admin::{
    Actor, AdminAccount, admin_postings, career_step_exists, career_step_options, company_exists, company_options,
    company_slug, count_admins, create_posting, create_session, delete_expired_sessions, delete_session, find_admin,
    insert_admin, load_session, posting_for_edit, posting_history, posting_status, recent_audit, save_session,
    set_posting_status, update_posting,
};
pub use cards::load_cards;
pub use career::{career_path_exists, get_career_path, observed_pay, observed_pay_from, save_alert};
pub use companies::{COMPANY_BENEFIT_POSTINGS, get_company_profile};
pub use error::Error;
pub use listing::{
    ListPage, RankedMatch, count_open_jobs, facets, fts_query, list_open_jobs, open_jobs_page, open_posting_paths,
    pay_histogram,
};
pub use listing_cache::{Listing, ListingCache, listing_version};
pub use open_postings::{OpenPostings, SimilarTo};
pub use pool::{DbError, Transaction, connect, migrate, ping};
pub use postings::{count_postings, get_job_detail};
pub use related::{RELATED_JOBS, add_related_jobs, similar_jobs_in_sql};
pub use write::{insert_career_path, insert_jobs, render_missing_html, upsert_company, upsert_legal_notice};

/// A SQLite connection pool: the handle every function here takes.
pub type Pool = sqlx::SqlitePool;

/// One connection, usually a transaction (`&mut *tx`).
pub type Connection = sqlx::SqliteConnection;
