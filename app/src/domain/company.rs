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
