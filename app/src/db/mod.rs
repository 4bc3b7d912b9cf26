//! The only code that names sqlx: plain async functions over a pool or a connection, taking and returning
//! domain types. Row structs stay private to this module.

mod career;
mod pool;
mod read;
mod write;

pub use career::{get_career_path, observed_pay, save_alert};
pub use pool::{DbError, connect, migrate};
pub use read::{
    ListPage, career_path_exists, count_postings, facets, get_company_profile, get_job_detail, list_open_jobs,
    open_posting_paths, pay_histogram, ping,
};
pub use write::{insert_career_path, insert_jobs, upsert_company, upsert_legal_notice};

/// A SQLite connection pool: the handle every function here takes.
pub type Pool = sqlx::SqlitePool;

/// One connection, usually a transaction (`&mut *tx`).
pub type Connection = sqlx::SqliteConnection;
