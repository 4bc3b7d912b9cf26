//! Seed data: the brief's postings (from `server/seed/brief.toml`) and a deterministic generator of
//! realistic postings.

mod brief;
mod generate;

pub use brief::{BRIEF_ANCHOR_OFFSET_DAYS, BriefFile, load_brief};
pub use generate::{Generator, generate_postings};

use app::db::Pool;
use thiserror::Error;

/// Why seed data could not be loaded.
#[derive(Debug, Error)]
pub enum SeedError {
    #[error("the seed file is not valid: {0}")]
    File(#[from] toml::de::Error),
    #[error("the seed file has a bad value: {0}")]
    Value(String),
    #[error("database error: {0}")]
    Database(#[from] app::db::Error),
}

/// The generator's default random seed.
pub const DEFAULT_RANDOM_SEED: u64 = 42;

/// The first-start demo: the brief's postings plus `generated` generated ones.
pub async fn load_demo(pool: &Pool, generated: usize) -> Result<(), SeedError> {
    let today = chrono::Utc::now().date_naive();
    load_brief(pool, today).await?;
    if generated > 0 {
        generate_postings(pool, generated, DEFAULT_RANDOM_SEED, false).await?;
    }
    Ok(())
}
