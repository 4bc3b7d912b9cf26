//! Server functions, grouped by resource. Each is a thin shell: take the pool from context, parse input
//! into domain types, call `db`, return domain types. They are served under `/fn/`; an error answers
//! with the status of its `AppError` (see `server::router`).

pub mod account;
pub mod admin;
pub mod careers;
pub mod companies;
pub mod jobs;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// The database pool the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn pool() -> Result<crate::db::Pool, AppError> {
    leptos::prelude::use_context::<crate::db::Pool>().ok_or_else(|| {
        tracing::error!("no database pool in the request context");
        AppError::Internal
    })
}

/// The listing summaries' cache the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn listing_cache() -> Result<crate::db::ListingCache, AppError> {
    leptos::prelude::use_context::<crate::db::ListingCache>().ok_or_else(|| {
        tracing::error!("no listing cache in the request context");
        AppError::Internal
    })
}

/// Today's date on the server (UTC), the reference for "open" and "posted N days ago".
#[cfg(feature = "ssr")]
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
