//! Career paths: a job family's ladder of titles with reference income estimates.

use serde::{Deserialize, Serialize};

use super::job::ExperienceLevel;

/// One step of a career path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareerStep {
    pub slug: String,
    pub title: String,
    pub level: ExperienceLevel,
    /// Rank on the main ladder (1 = first rung); `None` for an adjacent role.
    pub ladder_rank: Option<u8>,
    /// Reference income estimate, whole currency units a year.
    pub estimate_min: Option<i64>,
    pub estimate_max: Option<i64>,
    pub estimate_currency: String,
    /// The metro the estimate is for, as a location slug.
    pub estimate_location_slug: Option<String>,
    /// Slugs of the steps people commonly move to next.
    pub next_steps: Vec<String>,
}

/// A job family's career path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareerPath {
    pub slug: String,
    pub job_family: String,
    pub name: String,
    pub description: String,
    /// Steps in the order the source listed them.
    pub steps: Vec<CareerStep>,
}
