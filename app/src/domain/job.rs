//! Postings: their kinds, the shape a poster submits (`NewJob`) and the shapes pages read
//! (`JobCard`, `JobDetail`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::benefits::{Benefit, BenefitError};
use super::email::EmailAddress;
use super::location::{Location, LocationError};
use super::pay::{Pay, PayError};

/// Longest title.
pub const MAX_TITLE: usize = 150;
/// Longest section heading.
pub const MAX_HEADING: usize = 120;
/// Longest section body (Markdown).
pub const MAX_SECTION_BODY: usize = 10_000;
/// How far after the posted date the apply-before date may be.
pub const MAX_OPEN_DAYS: i64 = 365;

/// The reference estimate for a posting's career step in the posting's own metro, shown beside the
/// employer's range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketEstimate {
    pub step_title: String,
    /// "San Jose, CA".
    pub location_label: String,
    /// Whole currency units a year.
    pub min: i64,
    pub max: i64,
    pub currency: String,
}

/// Declares a closed set of codes with a storage code, a label and a parser.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $error:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Storage and query-string code.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Human label.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a code.
            pub fn parse(code: &str) -> Result<Self, JobError> {
                let code = code.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.code() == code)
                    .ok_or_else(|| JobError::UnknownCode { what: $error, code: code.to_owned() })
            }
        }
    };
}

code_enum!(
    /// Full time, part time, contract, internship or temporary.
    EmploymentType, "employment type" {
        FullTime => "full_time", "Full time";
        PartTime => "part_time", "Part time";
        Contract => "contract", "Contract";
        Internship => "internship", "Internship";
        Temporary => "temporary", "Temporary";
    }
);

impl EmploymentType {
    /// schema.org `employmentType`.
    pub const fn schema_org(self) -> &'static str {
        match self {
            Self::FullTime => "FULL_TIME",
            Self::PartTime => "PART_TIME",
            Self::Contract => "CONTRACTOR",
            Self::Internship => "INTERN",
            Self::Temporary => "TEMPORARY",
        }
    }
}

code_enum!(
    /// How senior the role is.
    ExperienceLevel, "experience level" {
        Entry => "entry", "New grad / entry";
        Mid => "mid", "Mid level";
        Senior => "senior", "Senior";
        Staff => "staff", "Staff and above";
    }
);

code_enum!(
    /// Where a posting is in its life.
    JobStatus, "status" {
        Draft => "draft", "Draft";
        Published => "published", "Published";
        Closed => "closed", "Closed";
    }
);

/// Why a posting was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum JobError {
    #[error("unknown {what} {code:?}")]
    UnknownCode { what: &'static str, code: String },
    #[error("the title is required")]
    MissingTitle,
    #[error("the title must be at most {MAX_TITLE} characters")]
    TitleTooLong,
    #[error("a posting needs at least one location")]
    NoLocation,
    #[error("the apply-before date must be after the posted date")]
    ClosesBeforePosted,
    #[error("the apply-before date must be within {MAX_OPEN_DAYS} days of the posted date")]
    OpenTooLong,
    #[error("the apply URL must start with http:// or https://")]
    BadApplyUrl,
    #[error("the apply address must be an e-mail address like jobs@example.com, as parsed")]
    BadApplyEmail,
    #[error("a section needs a heading and some text")]
    EmptySection,
    #[error("a section heading is at most {MAX_HEADING} characters and its text at most {MAX_SECTION_BODY}")]
    SectionTooLong,
    #[error(transparent)]
    Pay(#[from] PayError),
    #[error(transparent)]
    Location(#[from] LocationError),
    #[error(transparent)]
    Benefit(#[from] BenefitError),
}

/// A body section as written by the poster: a heading and Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSection {
    pub heading: String,
    pub body_markdown: String,
}

/// The parts of a posting as read (from the form, the seed, or storage for the editor), not yet checked.
/// Only [`NewJob::new`] turns them into something the storage layer will write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingParts {
    pub title: String,
    /// The company's slug; the company must exist.
    pub company_slug: String,
    pub employment_type: EmploymentType,
    pub level: ExperienceLevel,
    pub status: JobStatus,
    pub posted_at: NaiveDate,
    pub valid_through: NaiveDate,
    pub apply_url: Option<String>,
    /// Where applications go by e-mail, when the poster gave an address instead of a link.
    pub apply_email: Option<String>,
    /// The poster's choice: candidates apply on this site (under the company's limit).
    #[serde(default)]
    pub applies_on_site: bool,
    pub locations: Vec<Location>,
    pub pay: Option<Pay>,
    /// Index into `locations` of the place the pay range applies to.
    pub pay_location: Option<usize>,
    pub sections: Vec<NewSection>,
    pub benefits: Vec<Benefit>,
    pub skills: Vec<String>,
    /// `(career path slug, step slug)`.
    pub career_step: Option<(String, String)>,
    /// Jurisdiction keys of the legal notices the employer attached (kept through edits). The notices its
    /// locations call for ([`legal_notices::for_locations`](super::legal_notices::for_locations)) are
    /// added when it is stored.
    pub legal_notices: Vec<String>,
}

/// A posting that obeys every rule of a stored posting: it can only be built by [`NewJob::new`], which
/// checks them, so the form, the seed and the storage layer share one rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    parts: PostingParts,
}

impl NewJob {
    /// Checks `parts` against the rules (see [`PostingParts::validate`]).
    pub fn new(parts: PostingParts) -> Result<Self, JobError> {
        parts.validate()?;
        Ok(Self { parts })
    }

    /// The checked parts.
    pub fn parts(&self) -> &PostingParts {
        &self.parts
    }

    /// The same posting for another company (one created as it was saved); the slug is checked by the
    /// storage layer, which must find the company.
    pub fn for_company(mut self, company_slug: String) -> Self {
        self.parts.company_slug = company_slug;
        self
    }
}

impl PostingParts {
    /// Checks the rules every stored posting obeys.
    pub fn validate(&self) -> Result<(), JobError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(JobError::MissingTitle);
        }
        if title.chars().count() > MAX_TITLE {
            return Err(JobError::TitleTooLong);
        }
        if self.locations.is_empty() {
            return Err(JobError::NoLocation);
        }
        for location in &self.locations {
            location.check()?;
        }
        if self.valid_through <= self.posted_at {
            return Err(JobError::ClosesBeforePosted);
        }
        if (self.valid_through - self.posted_at).num_days() > MAX_OPEN_DAYS {
            return Err(JobError::OpenTooLong);
        }
        if let Some(url) = &self.apply_url
            && !is_http_url(url)
        {
            return Err(JobError::BadApplyUrl);
        }
        if let Some(email) = &self.apply_email
            && EmailAddress::parse(email).map(|parsed| parsed.as_str() != email.as_str()).unwrap_or(true)
        {
            return Err(JobError::BadApplyEmail);
        }
        if self.sections.iter().any(|s| s.heading.trim().is_empty() || s.body_markdown.trim().is_empty()) {
            return Err(JobError::EmptySection);
        }
        if self.sections.iter().any(|s| {
            s.heading.trim().chars().count() > MAX_HEADING || s.body_markdown.trim().chars().count() > MAX_SECTION_BODY
        }) {
            return Err(JobError::SectionTooLong);
        }
        Ok(())
    }
}

/// True for an absolute http(s) URL with a host.
pub fn is_http_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    matches!(rest, Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace))
}

/// A company as shown beside its postings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRef {
    pub name: String,
    pub slug: String,
}

/// A posting in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub company: CompanyRef,
    pub employment_type: EmploymentType,
    pub level: ExperienceLevel,
    pub locations: Vec<Location>,
    pub pay: Option<Pay>,
    pub posted_at: NaiveDate,
    pub valid_through: NaiveDate,
}

impl JobCard {
    /// The detail page's path, `/jobs/42-backend-engineer`.
    pub fn path(&self) -> String {
        job_path(self.id, &self.slug)
    }

    /// Moves the location with this slug to the front, so a card found by location shows that place.
    pub fn put_location_first(&mut self, slug: &str) {
        self.put_location_first_where(|location| location.slug() == slug);
    }

    /// Moves the first location that matches to the front; the others keep their order.
    pub fn put_location_first_where(&mut self, matches: impl Fn(&Location) -> bool) {
        if let Some(index) = self.locations.iter().position(matches) {
            self.locations[..=index].rotate_right(1);
        }
    }
}

/// The detail page's path for an id and slug.
pub fn job_path(id: i64, slug: &str) -> String {
    format!("/jobs/{id}-{slug}")
}

/// Reads the id from a `/jobs/{id}-{slug}` path segment; `None` when it does not start with one.
pub fn parse_job_path_segment(segment: &str) -> Option<i64> {
    let digits: &str = segment.split('-').next()?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// A body section ready to show: the heading and sanitised HTML made from the poster's Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    /// Sanitised on the server; safe to insert as HTML.
    pub html: String,
}

/// A legal notice that applies to a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalNotice {
    pub jurisdiction: String,
    pub title: String,
    /// Sanitised on the server; safe to insert as HTML.
    pub html: String,
}

/// Everything the detail page shows about one posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDetail {
    pub card: JobCard,
    pub status: JobStatus,
    pub apply_url: Option<String>,
    pub apply_email: Option<String>,
    /// Candidates apply on this site (under the company's limit).
    pub applies_on_site: bool,
    /// The company's id, for the candidate's slots.
    pub company_id: i64,
    pub company_about: String,
    pub company_website: Option<String>,
    pub application_limit: Option<i64>,
    /// The location the pay range applies to.
    pub pay_location: Option<Location>,
    pub sections: Vec<Section>,
    pub benefits: Vec<Benefit>,
    pub skills: Vec<String>,
    pub legal_notices: Vec<LegalNotice>,
    /// `(career path slug, step title)`.
    pub career_step: Option<(String, String)>,
    /// The id of its career path, which "similar jobs" ranks by.
    #[serde(skip)]
    pub career_path_id: Option<i64>,
    /// The day the server answered, so "posted N days ago" reads the same on server and browser.
    pub today: NaiveDate,
    /// The reference estimate for the same career step in the same metro, when there is one.
    pub market_estimate: Option<MarketEstimate>,
    /// Other open postings of the same company.
    pub more_from_company: Vec<JobCard>,
    /// Open postings elsewhere with a similar title or career step, nearby or remote.
    pub similar: Vec<JobCard>,
    /// The day it stopped taking applications (closed, or past its apply-before date), if it has.
    pub closed_on: Option<NaiveDate>,
}

/// How long a closed posting's page stays open to search engines: after this, it asks not to be indexed.
pub const INDEXED_DAYS_AFTER_CLOSING: i64 = 30;

impl JobDetail {
    /// Open for applications: published and not past its apply-before date.
    pub fn is_open(&self) -> bool {
        self.status == JobStatus::Published && self.card.valid_through >= self.today
    }

    /// Search engines may index the page: it is open, or closed for at most
    /// [`INDEXED_DAYS_AFTER_CLOSING`] days.
    pub fn is_indexable(&self) -> bool {
        self.closed_on.is_none_or(|closed| (self.today - closed).num_days() <= INDEXED_DAYS_AFTER_CLOSING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::location::WorkMode;

    fn sample() -> PostingParts {
        PostingParts {
            title: "Backend Engineer".into(),
            company_slug: "acme".into(),
            employment_type: EmploymentType::FullTime,
            level: ExperienceLevel::Mid,
            status: JobStatus::Published,
            posted_at: NaiveDate::from_ymd_opt(2025, 2, 24).expect("date"),
            valid_through: NaiveDate::from_ymd_opt(2025, 4, 6).expect("date"),
            apply_url: Some("https://example.com/apply".into()),
            apply_email: None,
            applies_on_site: false,
            locations: vec![Location::new("Fremont", "CA", "US", WorkMode::Onsite).expect("location")],
            pay: None,
            pay_location: None,
            sections: vec![],
            benefits: vec![],
            skills: vec![],
            career_step: None,
            legal_notices: vec![],
        }
    }

    #[test]
    fn a_complete_posting_validates() {
        assert_eq!(sample().validate(), Ok(()));
    }

    #[test]
    fn apply_before_must_not_precede_posting() {
        let mut job = sample();
        job.valid_through = NaiveDate::from_ymd_opt(2025, 2, 1).expect("date");
        assert_eq!(job.validate(), Err(JobError::ClosesBeforePosted));
    }

    #[test]
    fn a_new_job_is_only_built_from_parts_that_obey_the_rules() {
        assert!(NewJob::new(sample()).is_ok());
        let mut same_day = sample();
        same_day.valid_through = same_day.posted_at;
        assert_eq!(NewJob::new(same_day), Err(JobError::ClosesBeforePosted), "the form's rule: after the posted date");
        let mut too_long = sample();
        too_long.title = "x".repeat(MAX_TITLE + 1);
        assert_eq!(NewJob::new(too_long), Err(JobError::TitleTooLong), "the form's limit, not another");
        let mut open_for_years = sample();
        open_for_years.valid_through = open_for_years.posted_at + chrono::Days::new(MAX_OPEN_DAYS as u64 + 1);
        assert_eq!(NewJob::new(open_for_years), Err(JobError::OpenTooLong));
        let mut bad_region = sample();
        bad_region.locations[0].region = "California".into();
        assert!(matches!(NewJob::new(bad_region), Err(JobError::Location(LocationError::BadRegion(_)))));
    }

    #[test]
    fn an_apply_address_is_an_email_address_in_its_parsed_form() {
        let mut job = sample();
        job.apply_email = Some("jobs@example.com".into());
        assert_eq!(job.validate(), Ok(()));
        for bad in ["jobs", "jobs@Example.COM", " jobs@example.com", "<a>@x.com"] {
            job.apply_email = Some(bad.into());
            assert_eq!(job.validate(), Err(JobError::BadApplyEmail), "{bad}");
        }
    }

    #[test]
    fn only_http_urls_are_accepted_for_applying() {
        for bad in ["javascript:alert(1)", "ftp://x.org", "https://", "http:///x", "https://a b"] {
            let mut job = sample();
            job.apply_url = Some(bad.into());
            assert_eq!(job.validate(), Err(JobError::BadApplyUrl), "{bad}");
        }
    }

    #[test]
    fn a_title_and_a_location_are_required() {
        let mut job = sample();
        job.title = "  ".into();
        assert_eq!(job.validate(), Err(JobError::MissingTitle));
        let mut job = sample();
        job.locations.clear();
        assert_eq!(job.validate(), Err(JobError::NoLocation));
    }

    #[test]
    fn job_path_segments_yield_their_id() {
        assert_eq!(parse_job_path_segment("42-backend-engineer"), Some(42));
        assert_eq!(parse_job_path_segment("42"), Some(42));
        assert_eq!(parse_job_path_segment("abc-42"), None);
        assert_eq!(parse_job_path_segment("0-x"), None);
        assert_eq!(parse_job_path_segment("99999999999999999999999-x"), None);
    }

    #[test]
    fn a_card_can_show_the_location_it_was_found_by_first() {
        let place = |city: &str| Location::new(city, "CA", "US", WorkMode::Onsite).expect("location");
        let mut card = JobCard {
            id: 1,
            slug: "x".into(),
            title: "X".into(),
            company: CompanyRef { name: "Acme".into(), slug: "acme".into() },
            employment_type: EmploymentType::FullTime,
            level: ExperienceLevel::Mid,
            locations: vec![place("Oakland"), place("Fresno"), place("Fremont")],
            pay: None,
            posted_at: NaiveDate::from_ymd_opt(2025, 2, 24).expect("date"),
            valid_through: NaiveDate::from_ymd_opt(2025, 4, 6).expect("date"),
        };
        card.put_location_first("fremont-ca");
        let cities: Vec<&str> = card.locations.iter().map(|l| l.city.as_str()).collect();
        assert_eq!(cities, ["Fremont", "Oakland", "Fresno"]);
        card.put_location_first("nowhere-zz");
        assert_eq!(card.locations[0].city, "Fremont");
    }

    #[test]
    fn codes_round_trip() {
        for kind in EmploymentType::ALL {
            assert_eq!(EmploymentType::parse(kind.code()), Ok(*kind));
        }
        assert!(ExperienceLevel::parse("wizard").is_err());
        assert_eq!(EmploymentType::Internship.schema_org(), "INTERN");
    }
}
