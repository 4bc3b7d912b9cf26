//! Alerts: a saved search or steps of a career path, sent to an address as digests of new postings, and
//! the notices about changes to followed postings. The rules here are pure: the form's checks, the
//! period a sweep belongs to, what counts as a change and how it reads.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::email::{EmailAddress, EmailError};
use super::filter::{JobFilter, parse_query_string};
use super::job::JobStatus;

/// The most postings one digest lists; the rest are a link to the listing.
pub const DIGEST_POSTINGS: usize = 20;

/// How long an unconfirmed alert waits for its confirmation before it is deleted, in seconds.
pub const UNCONFIRMED_LIFETIME_SECONDS: i64 = 7 * 24 * 3600;

/// The longest listing query an alert keeps (its canonical form).
pub const MAX_ALERT_QUERY: usize = 2000;

/// How often an alert sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// As soon as there is something new, at most once an hour.
    Immediate,
    /// At most once a day.
    #[default]
    Daily,
    /// At most once a week.
    Weekly,
}

impl Frequency {
    /// Every frequency, in the order a form offers them.
    pub const ALL: [Frequency; 3] = [Self::Immediate, Self::Daily, Self::Weekly];

    /// Storage and form code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    /// What a form shows.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Immediate => "As they come (at most hourly)",
            Self::Daily => "Daily",
            Self::Weekly => "Weekly",
        }
    }

    /// Parses a code; `None` for anything else.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|frequency| frequency.code() == code.trim())
    }

    /// The run-log period `now` falls in: an alert sends at most once per period.
    pub fn period(self, now: DateTime<Utc>) -> String {
        match self {
            Self::Immediate => now.format("H%Y-%m-%dT%H").to_string(),
            Self::Daily => now.format("D%Y-%m-%d").to_string(),
            Self::Weekly => {
                let week = now.iso_week();
                format!("W{}-{:02}", week.year(), week.week())
            }
        }
    }
}

/// Why an alert form was refused; each message is fit to show beside its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AlertFormError {
    #[error("Enter the e-mail address to send the alerts to.")]
    MissingEmail,
    #[error("That is not an e-mail address like name@example.com.")]
    BadEmail,
    #[error("Choose how often to get the alerts.")]
    BadFrequency,
    #[error("That search is too long to save as an alert.")]
    QueryTooLong,
    #[error("This address already has 50 alerts. Delete one under My alerts first.")]
    TooMany,
}

impl AlertFormError {
    /// The code a redirect carries in its query string.
    pub const fn code(self) -> &'static str {
        match self {
            Self::MissingEmail => "missing_email",
            Self::BadEmail => "bad_email",
            Self::BadFrequency => "bad_frequency",
            Self::QueryTooLong => "query_too_long",
            Self::TooMany => "too_many",
        }
    }

    /// The error a code names.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::MissingEmail, Self::BadEmail, Self::BadFrequency, Self::QueryTooLong, Self::TooMany]
            .into_iter()
            .find(|error| error.code() == code)
    }
}

impl From<EmailError> for AlertFormError {
    fn from(error: EmailError) -> Self {
        match error {
            EmailError::Missing => Self::MissingEmail,
            EmailError::Malformed => Self::BadEmail,
        }
    }
}

/// A checked request to save a listing search as an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchAlertRequest {
    pub email: EmailAddress,
    pub frequency: Frequency,
    /// The search's canonical query string (its matching part: no order, no page).
    pub query: String,
}

impl SearchAlertRequest {
    /// Checks the listing's alert form: the address, the frequency (daily when left out) and the search
    /// (any listing query; what does not parse is dropped, as the listing drops it).
    pub fn parse(email: &str, frequency: &str, query: &str) -> Result<Self, AlertFormError> {
        let email = EmailAddress::parse(email)?;
        let frequency = parse_frequency(frequency)?;
        let query = canonical_query(query);
        if query.len() > MAX_ALERT_QUERY {
            return Err(AlertFormError::QueryTooLong);
        }
        Ok(Self { email, frequency, query })
    }
}

/// A frequency field: daily when empty.
pub fn parse_frequency(code: &str) -> Result<Frequency, AlertFormError> {
    if code.trim().is_empty() {
        return Ok(Frequency::default());
    }
    Frequency::parse(code).ok_or(AlertFormError::BadFrequency)
}

/// The canonical form of a listing query: what decides the matches, in one spelling.
pub fn canonical_query(query: &str) -> String {
    parse_query_string(query.trim_start_matches('?')).filter.cache_key()
}

/// The filter an alert's stored query means, newest first.
pub fn alert_filter(query: &str) -> JobFilter {
    let mut filter = parse_query_string(query).filter.matching_part();
    filter.sort = Some(super::filter::Sort::Newest);
    filter
}

/// What an alert follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertTarget {
    /// A listing search (its canonical query string).
    Search { query: String },
    /// Steps of a career path.
    Career { path_slug: String, path_name: String, steps: Vec<String> },
}

impl AlertTarget {
    /// The page that shows what the alert matches now.
    pub fn page(&self) -> String {
        match self {
            Self::Search { query } if query.is_empty() => "/jobs".to_owned(),
            Self::Search { query } => format!("/jobs?{query}"),
            Self::Career { path_slug, .. } => super::career::career_path_url(path_slug),
        }
    }

    /// A short name for the alert, for a list or a subject line.
    pub fn describe(&self) -> String {
        match self {
            Self::Search { query } => describe_search(query),
            Self::Career { path_name, steps, .. } => format!("{path_name}: {}", steps.join(", ")),
        }
    }
}

/// A search in words: "backend in CA, from $120,000" or "all open jobs".
pub fn describe_search(query: &str) -> String {
    let filter = parse_query_string(query).filter;
    let mut parts = Vec::new();
    if let Some(q) = &filter.q {
        parts.push(format!("\"{q}\""));
    }
    if let Some(location) = &filter.location {
        parts.push(format!("in {location}"));
    }
    if let Some(region) = &filter.region {
        parts.push(format!("in {region}"));
    }
    if !filter.remote.is_empty() {
        parts.push(filter.remote.iter().map(|mode| mode.code()).collect::<Vec<_>>().join(" or "));
    }
    if let Some(min) = filter.min_pay {
        parts.push(format!("from ${}", super::pay::group_thousands(min)));
    }
    if let Some(max) = filter.max_pay {
        parts.push(format!("up to ${}", super::pay::group_thousands(max)));
    }
    if !filter.types.is_empty() {
        parts.push(filter.types.iter().map(|kind| kind.label()).collect::<Vec<_>>().join(" or "));
    }
    if !filter.levels.is_empty() {
        parts.push(filter.levels.iter().map(|level| level.label()).collect::<Vec<_>>().join(" or "));
    }
    if let Some(company) = &filter.company {
        parts.push(format!("at {company}"));
    }
    if let Some(days) = filter.posted_within {
        parts.push(format!("posted within {days} days"));
    }
    if parts.is_empty() { "All open jobs".to_owned() } else { format!("Jobs {}", parts.join(", ")) }
}

/// One alert as "My alerts" lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAlert {
    pub id: i64,
    pub target: AlertTarget,
    pub frequency: Frequency,
    pub paused: bool,
    pub confirmed: bool,
    /// How many open postings it matches now.
    pub matches_now: i64,
}

/// What "My alerts" shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAlertsPage {
    pub email: String,
    pub alerts: Vec<MyAlert>,
    pub csrf_token: String,
}

/// A posting in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestPosting {
    pub title: String,
    pub company: String,
    pub place: String,
    pub pay: Option<String>,
    pub closes: NaiveDate,
    /// The posting's absolute address.
    pub link: String,
}

/// What a follower is told about: a posting's pay, apply-before date and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedFacts {
    pub status: JobStatus,
    pub valid_through: NaiveDate,
    /// The pay range as a page shows it ("$116,000 - $177,000 a year"), when posted.
    pub pay: Option<String>,
}

impl WatchedFacts {
    /// The lines that tell what changed from `self` to `after`, "was …, now …"; empty when nothing a
    /// follower is told about changed (a draft's changes included: nobody follows a draft).
    pub fn changes_to(&self, after: &WatchedFacts) -> Vec<String> {
        let mut lines = Vec::new();
        if self.pay != after.pay {
            let show = |pay: &Option<String>| pay.clone().unwrap_or_else(|| "not posted".to_owned());
            lines.push(format!("Pay: was {}, now {}", show(&self.pay), show(&after.pay)));
        }
        if self.valid_through != after.valid_through {
            let word = if after.valid_through > self.valid_through { "extended" } else { "brought forward" };
            lines.push(format!("Apply before: was {}, now {} ({word})", self.valid_through, after.valid_through));
        }
        if self.status != after.status {
            let word = match (self.status, after.status) {
                (_, JobStatus::Closed) => "closed",
                (JobStatus::Closed, JobStatus::Published) => "reopened",
                (_, JobStatus::Published) => "published",
                (_, JobStatus::Draft) => "withdrawn to a draft",
            };
            lines.push(format!("Status: was {}, now {} ({word})", self.status.label(), after.status.label()));
        }
        lines
    }
}

/// A change to tell followers about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingChange {
    pub change_id: i64,
    pub posting_id: i64,
    pub slug: String,
    pub title: String,
    pub company: String,
    pub before: WatchedFacts,
    pub after: WatchedFacts,
}

/// Who an e-mail about alerts goes to, and what its unsubscribe link stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unsubscribe {
    /// The alert of this id.
    Alert(i64),
    /// The notices about the saved and applied jobs of this candidate.
    Notices(i64),
}

impl Unsubscribe {
    /// The text a signature covers: the purpose and the id.
    pub fn subject(self) -> String {
        match self {
            Self::Alert(id) => format!("alert:{id}"),
            Self::Notices(id) => format!("notices:{id}"),
        }
    }

    /// Reads what [`Unsubscribe::subject`] wrote.
    pub fn from_subject(text: &str) -> Option<Self> {
        let (kind, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
        match kind {
            "alert" => Some(Self::Alert(id)),
            "notices" => Some(Self::Notices(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn periods_are_an_hour_a_day_and_an_iso_week() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 21, 5, 0).single().expect("time");
        assert_eq!(Frequency::Immediate.period(now), "H2026-12-01T21");
        assert_eq!(Frequency::Daily.period(now), "D2026-12-01");
        assert_eq!(Frequency::Weekly.period(now), "W2026-49");
        let new_year = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().expect("time");
        assert_eq!(Frequency::Weekly.period(new_year), "W2026-53");
    }

    #[test]
    fn the_form_keeps_the_canonical_search() {
        let request = SearchAlertRequest::parse(" A@Example.COM ", "", "?region=CA&q=Backend!&sort=pay&after=xyz")
            .expect("valid");
        assert_eq!(request.email.as_str(), "A@example.com");
        assert_eq!(request.frequency, Frequency::Daily);
        assert_eq!(request.query, "q=backend&region=CA");
        assert_eq!(SearchAlertRequest::parse("", "daily", ""), Err(AlertFormError::MissingEmail));
        assert_eq!(SearchAlertRequest::parse("nope", "daily", ""), Err(AlertFormError::BadEmail));
        assert_eq!(SearchAlertRequest::parse("a@b.co", "hourly", ""), Err(AlertFormError::BadFrequency));
    }

    #[test]
    fn a_change_reads_before_and_after() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        let before = WatchedFacts { status: JobStatus::Published, valid_through: day(10), pay: Some("$1".into()) };
        let same = before.clone();
        assert!(before.changes_to(&same).is_empty());
        let after = WatchedFacts { status: JobStatus::Closed, valid_through: day(20), pay: Some("$2".into()) };
        assert_eq!(
            before.changes_to(&after),
            vec![
                "Pay: was $1, now $2".to_owned(),
                "Apply before: was 2026-12-10, now 2026-12-20 (extended)".to_owned(),
                "Status: was Published, now Closed (closed)".to_owned(),
            ]
        );
        assert_eq!(after.changes_to(&before)[2], "Status: was Closed, now Published (reopened)");
    }

    proptest! {
        /// Any typed search is saved in a form that parses back to itself, and the form never panics.
        #[test]
        fn canonical_queries_are_fixed_points(query in ".{0,300}", email in ".{0,40}", frequency in ".{0,10}") {
            let canonical = canonical_query(&query);
            prop_assert_eq!(canonical_query(&canonical), canonical.clone());
            if let Ok(request) = SearchAlertRequest::parse(&email, &frequency, &query) {
                prop_assert_eq!(request.query, canonical);
            }
        }

        #[test]
        fn unsubscribe_subjects_round_trip(id in 1i64..i64::MAX, notices in any::<bool>()) {
            let target = if notices { Unsubscribe::Notices(id) } else { Unsubscribe::Alert(id) };
            prop_assert_eq!(Unsubscribe::from_subject(&target.subject()), Some(target));
        }
    }
}
