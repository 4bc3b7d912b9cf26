//! Server functions for career paths.

use leptos::prelude::*;

use crate::domain::CareerPathPage;
use crate::error::AppError;

/// A career path with what open postings pay at each step. `NotFound` for an unknown slug.
#[server(prefix = "/fn", endpoint = "get_career_path")]
pub async fn get_career_path(slug: String) -> Result<CareerPathPage, AppError> {
    let (pool, cache) = (super::pool()?, super::listing_cache()?);
    let path = crate::db::get_career_path(&pool, &slug).await?;
    let snapshot = cache.snapshot(&pool).await?;
    let observed = crate::db::observed_pay_from(&pool, &snapshot, &path.slug).await?;
    Ok(CareerPathPage { path, observed })
}
