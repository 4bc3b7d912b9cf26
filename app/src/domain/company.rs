//! Companies that post jobs.

use serde::{Deserialize, Serialize};

/// A company as loaded by the seed or created by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCompany {
    pub name: String,
    pub slug: String,
    pub about: String,
    pub website: Option<String>,
    /// How many of its postings one candidate may apply to; `None` = no limit.
    pub application_limit: Option<u16>,
}

/// A company as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyProfile {
    pub name: String,
    pub slug: String,
    pub about: String,
    pub website: Option<String>,
    pub application_limit: Option<i64>,
    /// Benefits offered across its open postings (the largest day count where they differ).
    pub benefits: Vec<super::Benefit>,
}

/// The company page's path, `/companies/tiktok`.
pub fn company_path(slug: &str) -> String {
    format!("/companies/{slug}")
}
