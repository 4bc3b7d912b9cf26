//! Career paths: a job family's ladder of titles with reference income estimates.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::email::{EmailAddress, EmailError};
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

/// What the open postings at one step pay, computed from the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedPay {
    pub step_slug: String,
    /// Annualised, whole currency units, over the open postings at the step that post pay.
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// How many open postings with pay the range is based on.
    pub paid_postings: i64,
    /// Open postings at the step (with or without pay).
    pub open_postings: i64,
    /// A few of them, newest first.
    pub examples: Vec<StepExample>,
}

/// One open posting at a career step, as the step lists it: enough to tell postings of one title apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepExample {
    /// The posting page's path.
    pub href: String,
    pub title: String,
    pub company: String,
    /// The posting's first location, "San Jose, CA".
    pub place: String,
}

/// A career path with what the board observes at each step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareerPathPage {
    pub path: CareerPath,
    pub observed: Vec<ObservedPay>,
}

impl CareerPathPage {
    /// Steps in display order: the ladder by rank, then adjacent roles by their estimate.
    pub fn ordered_steps(&self) -> Vec<&CareerStep> {
        let mut steps: Vec<&CareerStep> = self.path.steps.iter().collect();
        steps.sort_by_key(|s| (s.ladder_rank.is_none(), s.ladder_rank, s.estimate_min.unwrap_or(i64::MAX)));
        steps
    }

    /// The shared pay axis: the lowest and highest figure of any estimate or observed range.
    pub fn axis(&self) -> (i64, i64) {
        let figures = self
            .path
            .steps
            .iter()
            .flat_map(|s| [s.estimate_min, s.estimate_max])
            .chain(self.observed.iter().flat_map(|o| [o.min, o.max]))
            .flatten();
        let (low, high) = figures.fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if low > high { (0, 1) } else { (low, high.max(low + 1)) }
    }

    /// What is observed at a step.
    pub fn observed_at(&self, step_slug: &str) -> Option<&ObservedPay> {
        self.observed.iter().find(|o| o.step_slug == step_slug)
    }
}

/// The career path page's path, `/careers/backend-software-engineering`.
pub fn career_path_url(slug: &str) -> String {
    format!("/careers/{slug}")
}

/// Why an alert request was refused; each message is fit to show beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AlertError {
    #[error("Enter an e-mail address.")]
    MissingEmail,
    #[error("Enter an e-mail address like name@example.com.")]
    BadEmail,
    #[error("Tick at least one position to be alerted about.")]
    NoSteps,
    #[error("One of the positions ticked is not on this career path.")]
    UnknownStep,
}

impl AlertError {
    /// A short code for the query string of the page the form returns to.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::MissingEmail => "missing_email",
            Self::BadEmail => "bad_email",
            Self::NoSteps => "no_steps",
            Self::UnknownStep => "unknown_step",
        }
    }

    /// The error for a code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::MissingEmail, Self::BadEmail, Self::NoSteps, Self::UnknownStep].into_iter().find(|e| e.code() == code)
    }

    /// True when the message belongs beside the e-mail field (else beside the positions).
    pub const fn is_about_email(&self) -> bool {
        matches!(self, Self::MissingEmail | Self::BadEmail)
    }
}

/// A checked request for alerts: an address and at least one step of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRequest {
    pub email: EmailAddress,
    pub step_slugs: Vec<String>,
}

impl AlertRequest {
    /// Checks a request against the path's steps.
    pub fn parse(email: &str, step_slugs: &[String], path: &CareerPath) -> Result<Self, AlertError> {
        let email = EmailAddress::parse(email).map_err(|error| match error {
            EmailError::Missing => AlertError::MissingEmail,
            EmailError::Malformed => AlertError::BadEmail,
        })?;
        let mut steps: Vec<String> = step_slugs.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        steps.sort();
        steps.dedup();
        if steps.is_empty() {
            return Err(AlertError::NoSteps);
        }
        if steps.iter().any(|slug| !path.steps.iter().any(|step| &step.slug == slug)) {
            return Err(AlertError::UnknownStep);
        }
        Ok(Self { email, step_slugs: steps })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> CareerPath {
        let step = |slug: &str, rank: Option<u8>, min: i64| CareerStep {
            slug: slug.into(),
            title: slug.into(),
            level: ExperienceLevel::Mid,
            ladder_rank: rank,
            estimate_min: Some(min),
            estimate_max: Some(min + 30_000),
            estimate_currency: "USD".into(),
            estimate_location_slug: None,
            next_steps: vec![],
        };
        CareerPath {
            slug: "p".into(),
            job_family: "f".into(),
            name: "n".into(),
            description: String::new(),
            steps: vec![step("adjacent", None, 120_000), step("two", Some(2), 110_000), step("one", Some(1), 90_000)],
        }
    }

    #[test]
    fn steps_show_the_ladder_first_then_adjacent_roles() {
        let page = CareerPathPage { path: path(), observed: vec![] };
        let order: Vec<&str> = page.ordered_steps().iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(order, ["one", "two", "adjacent"]);
        assert_eq!(page.axis(), (90_000, 150_000));
    }

    #[test]
    fn the_axis_includes_observed_ranges() {
        let observed = ObservedPay {
            step_slug: "one".into(),
            min: Some(70_000),
            max: Some(200_000),
            paid_postings: 2,
            open_postings: 3,
            examples: vec![],
        };
        assert_eq!(CareerPathPage { path: path(), observed: vec![observed] }.axis(), (70_000, 200_000));
    }

    #[test]
    fn an_alert_needs_a_known_step() {
        let path = path();
        assert_eq!(AlertRequest::parse("a@b.co", &[], &path), Err(AlertError::NoSteps));
        assert_eq!(AlertRequest::parse("a@b.co", &["nope".into()], &path), Err(AlertError::UnknownStep));
        let ok = AlertRequest::parse("a@b.co", &["two".into(), "one".into(), "two".into()], &path).expect("valid");
        assert_eq!(ok.step_slugs, ["one", "two"]);
    }
}
