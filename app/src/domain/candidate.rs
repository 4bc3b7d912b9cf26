//! Candidates and their applications: the profile, the apply form, an application's status, the
//! company's application limit as a candidate sees it (slots used and left), and the slot planner.

use serde::{Deserialize, Serialize};

use super::email::EmailAddress;

/// Longest name.
pub const MAX_NAME: usize = 200;
/// Longest CV link.
pub const MAX_CV_URL: usize = 2000;
/// Longest CV given as text.
pub const MAX_CV_TEXT: usize = 20_000;
/// Longest note (and note template).
pub const MAX_NOTE: usize = 2000;

/// Where an application stands. The employer moves it from received to reviewed, shortlisted or
/// rejected; the candidate may withdraw it until the employer has reviewed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplicationStatus {
    Received,
    Reviewed,
    Shortlisted,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    /// Every status, in the order an application moves through them.
    pub const ALL: [Self; 5] = [Self::Received, Self::Reviewed, Self::Shortlisted, Self::Rejected, Self::Withdrawn];
    /// The statuses the employer may set.
    pub const SET_BY_EMPLOYER: [Self; 3] = [Self::Reviewed, Self::Shortlisted, Self::Rejected];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Reviewed => "reviewed",
            Self::Shortlisted => "shortlisted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The status in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Reviewed => "Reviewed",
            Self::Shortlisted => "Shortlisted",
            Self::Rejected => "Rejected",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// True while the candidate may still withdraw it (the employer has not looked at it yet).
    pub fn can_withdraw(self) -> bool {
        self == Self::Received
    }

    /// True when it counts against the company's limit.
    pub fn is_active(self) -> bool {
        self != Self::Withdrawn
    }
}

/// "1st", "2nd", "3rd", "4th", … (11th, 12th, 13th included).
pub fn ordinal(position: i64) -> String {
    let suffix = match (position % 10, position % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{position}{suffix}")
}

/// A candidate's profile: what the apply form starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateProfile {
    pub name: String,
    pub contact_email: String,
    pub cv_url: String,
    pub cv_text: String,
    pub note_template: String,
}

/// A form field of the profile or the apply form, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    /// The problem `message` beside `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

/// The message for `field` among `problems`, if any.
pub fn problem_of<'a>(problems: &'a [FieldProblem], field: &str) -> Option<&'a str> {
    problems.iter().find(|p| p.field == field).map(|p| p.message.as_str())
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

fn check_cv_url(url: &str, problems: &mut Vec<FieldProblem>) {
    if url.is_empty() {
        return;
    }
    if too_long(url, MAX_CV_URL) {
        problems.push(FieldProblem::new("cv_url", format!("The link may have at most {MAX_CV_URL} characters.")));
    } else if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
        problems.push(FieldProblem::new("cv_url", "The CV link must be a web address starting with https://."));
    }
}

impl CandidateProfile {
    /// Trims the fields and checks them; every problem is named beside its field.
    pub fn validate(mut self) -> Result<Self, Vec<FieldProblem>> {
        for text in [&mut self.name, &mut self.contact_email, &mut self.cv_url] {
            *text = text.trim().to_owned();
        }
        let mut problems = Vec::new();
        if too_long(&self.name, MAX_NAME) {
            problems.push(FieldProblem::new("name", format!("The name may have at most {MAX_NAME} characters.")));
        }
        if !self.contact_email.is_empty() {
            match EmailAddress::parse(&self.contact_email) {
                Ok(email) => self.contact_email = email.as_str().to_owned(),
                Err(error) => problems.push(FieldProblem::new("contact_email", format!("The address is {error}."))),
            }
        }
        check_cv_url(&self.cv_url, &mut problems);
        if too_long(&self.cv_text, MAX_CV_TEXT) {
            problems.push(FieldProblem::new("cv_text", format!("The CV may have at most {MAX_CV_TEXT} characters.")));
        }
        if too_long(&self.note_template, MAX_NOTE) {
            problems
                .push(FieldProblem::new("note_template", format!("The note may have at most {MAX_NOTE} characters.")));
        }
        if problems.is_empty() { Ok(self) } else { Err(problems) }
    }
}

/// The apply form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub name: String,
    pub email: String,
    pub cv_url: String,
    pub cv_text: String,
    pub note: String,
}

/// An application that passed the form's rules: a name, an address, and a CV as a link or as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub name: String,
    pub email: EmailAddress,
    pub cv_url: String,
    pub cv_text: String,
    pub note: String,
}

impl ApplicationForm {
    /// The form a profile fills in.
    pub fn from_profile(profile: &CandidateProfile, account_email: &str) -> Self {
        let email = if profile.contact_email.is_empty() { account_email } else { &profile.contact_email };
        Self {
            name: profile.name.clone(),
            email: email.to_owned(),
            cv_url: profile.cv_url.clone(),
            cv_text: profile.cv_text.clone(),
            note: profile.note_template.clone(),
        }
    }

    /// Checks the form; every problem is named beside its field.
    pub fn validate(&self) -> Result<ValidApplication, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(FieldProblem::new("name", "Your name is required."));
        } else if too_long(name, MAX_NAME) {
            problems.push(FieldProblem::new("name", format!("The name may have at most {MAX_NAME} characters.")));
        }
        let email = EmailAddress::parse(&self.email)
            .map_err(|error| problems.push(FieldProblem::new("email", format!("The address is {error}."))))
            .ok();
        let cv_url = self.cv_url.trim();
        check_cv_url(cv_url, &mut problems);
        if too_long(&self.cv_text, MAX_CV_TEXT) {
            problems.push(FieldProblem::new("cv_text", format!("The CV may have at most {MAX_CV_TEXT} characters.")));
        }
        if cv_url.is_empty() && self.cv_text.trim().is_empty() {
            problems.push(FieldProblem::new("cv_url", "Give a link to your CV, or paste it as text below."));
        }
        if too_long(&self.note, MAX_NOTE) {
            problems.push(FieldProblem::new("note", format!("The note may have at most {MAX_NOTE} characters.")));
        }
        match email {
            Some(email) if problems.is_empty() => Ok(ValidApplication {
                name: name.to_owned(),
                email,
                cv_url: cv_url.to_owned(),
                cv_text: self.cv_text.trim().to_owned(),
                note: self.note.trim().to_owned(),
            }),
            _ => Err(problems),
        }
    }
}

/// One of the candidate's active applications that counts against a limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedSlot {
    pub application_id: i64,
    pub posting_id: i64,
    pub title: String,
    pub slug: String,
    pub position: i64,
}

/// A company's (or its group's) limit as one candidate stands with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotUsage {
    /// Whose limit: the company's name, or the group's.
    pub scope: String,
    /// At most this many active applications; `None`: no limit.
    pub limit: Option<i64>,
    /// The active applications it counts, oldest first.
    pub used: Vec<UsedSlot>,
}

impl SlotUsage {
    /// Slots left (`None` without a limit).
    pub fn remaining(&self) -> Option<i64> {
        self.limit.map(|limit| (limit - self.used.len() as i64).max(0))
    }

    /// True when the next application would take the last slot.
    pub fn next_is_last(&self) -> bool {
        self.remaining() == Some(1)
    }

    /// True when no slot is left.
    pub fn is_full(&self) -> bool {
        self.remaining() == Some(0)
    }

    /// "1 of 2 applications to TikTok used".
    pub fn summary(&self) -> Option<String> {
        let limit = self.limit?;
        let noun = if limit == 1 { "application" } else { "applications" };
        Some(format!("{} of {limit} {noun} to {} used", self.used.len(), self.scope))
    }
}

/// Why an application was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyRefusal {
    /// The company's (or group's) limit is reached: the applications it counts.
    LimitReached(SlotUsage),
    /// The candidate has an active application to this posting.
    AlreadyApplied,
    /// The posting is not open, or does not take applications on this site.
    NotOpen,
    /// The account's address is not confirmed yet.
    NotConfirmed,
}

impl ApplyRefusal {
    /// The refusal in words for the candidate.
    pub fn message(&self) -> String {
        match self {
            Self::LimitReached(usage) => {
                let named: Vec<String> =
                    usage.used.iter().map(|slot| format!("\"{}\" ({})", slot.title, ordinal(slot.position))).collect();
                format!(
                    "{} takes at most {} applications from one candidate, and you have {} active: {}. Withdraw one \
                     that has not been reviewed to apply here.",
                    usage.scope,
                    usage.limit.unwrap_or_default(),
                    usage.used.len(),
                    named.join(" and ")
                )
            }
            Self::AlreadyApplied => "You have already applied to this posting.".to_owned(),
            Self::NotOpen => "This posting does not take applications on this site now.".to_owned(),
            Self::NotConfirmed => {
                "Confirm your e-mail address first: follow the link in the e-mail we sent you.".to_owned()
            }
        }
    }
}

/// An application as its candidate sees it ("My applications").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyApplication {
    pub id: i64,
    pub posting_id: i64,
    pub title: String,
    pub slug: String,
    pub company_name: String,
    pub position: i64,
    /// When it was made (ISO-8601 UTC).
    pub created_at: String,
    pub status: ApplicationStatus,
}

/// An application as the employer sees it, in the order received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedApplication {
    pub id: i64,
    /// Its place among the candidate's applications to the company.
    pub position: i64,
    pub name: String,
    pub email: String,
    pub cv_url: String,
    pub cv_text: String,
    pub note: String,
    pub status: ApplicationStatus,
    pub created_at: String,
}

/// A saved job, and whether it has closed since it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedJob {
    pub posting_id: i64,
    pub title: String,
    pub slug: String,
    pub company_name: String,
    pub open: bool,
}

/// A posting on the slot planner's shortlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPosting {
    pub posting_id: i64,
    pub title: String,
    pub slug: String,
    pub rank: i64,
    pub open: bool,
}

/// One limited company (or group) on the planner: the slots left and the ranked shortlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannerGroup {
    pub usage: SlotUsage,
    pub shortlist: Vec<PlannedPosting>,
}

impl PlannerGroup {
    /// For each shortlisted posting, in rank order: whether the slots left would cover it, applying to
    /// the open ones from the top (a closed one takes no slot).
    pub fn coverage(&self) -> Vec<(PlannedPosting, bool)> {
        let mut left = self.usage.remaining().unwrap_or(i64::MAX);
        let mut ranked = self.shortlist.clone();
        ranked.sort_by_key(|posting| (posting.rank, posting.posting_id));
        ranked
            .into_iter()
            .map(|posting| {
                let covered = posting.open && left > 0;
                if covered {
                    left -= 1;
                }
                (posting, covered)
            })
            .collect()
    }
}

/// A company's application limit and group, as the admin sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyLimit {
    pub company_id: i64,
    pub slug: String,
    pub name: String,
    /// At most this many active applications per candidate; `None`: no limit.
    pub limit: Option<i64>,
    /// The group it belongs to, whose limit counts across every company in it.
    pub group: Option<String>,
    pub group_limit: Option<i64>,
}

/// What the account page shows: the address, whether it is confirmed, the profile form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub email: String,
    pub confirmed: bool,
    pub profile: CandidateProfile,
    pub csrf_token: String,
}

/// A refused form post, shown again on its page (422): what was typed (never a password), each problem
/// beside its field, and a refusal that is not about one field (the company's limit, say).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub values: Vec<(String, String)>,
    pub problems: Vec<FieldProblem>,
    pub refusal: Option<String>,
}

impl FormEcho {
    /// What was typed in `field` (empty when nothing).
    pub fn value(&self, field: &str) -> String {
        self.values.iter().find(|(name, _)| name == field).map(|(_, value)| value.clone()).unwrap_or_default()
    }

    /// The problem beside `field`, if any.
    pub fn problem(&self, field: &str) -> Option<String> {
        problem_of(&self.problems, field).map(str::to_owned)
    }
}

/// What the apply page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyPage {
    pub posting_id: i64,
    pub title: String,
    pub slug: String,
    pub company_name: String,
    /// The posting is open and takes applications on the site.
    pub open: bool,
    pub confirmed: bool,
    pub already_applied: bool,
    pub usage: SlotUsage,
    pub form: ApplicationForm,
    pub csrf_token: String,
}

/// The candidate's applications, and the form token to withdraw them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyApplicationsPage {
    pub applications: Vec<MyApplication>,
    pub csrf_token: String,
}

/// The candidate's saved jobs, and the form token to unsave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedJobsPage {
    pub saved: Vec<SavedJob>,
    pub csrf_token: String,
}

/// The slot planner: one group per limited company on the shortlist, then the postings without a limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannerPage {
    pub groups: Vec<PlannerGroup>,
    pub unlimited: Vec<PlannedPosting>,
    pub csrf_token: String,
}

/// A posting's applications as the employer sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingApplicationsPage {
    pub posting_id: i64,
    pub title: String,
    pub company_name: String,
    pub applications: Vec<ReceivedApplication>,
    pub csrf_token: String,
    pub admin_email: String,
}

/// The admin's page of company limits and groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyLimitsPage {
    pub companies: Vec<CompanyLimit>,
    pub csrf_token: String,
    pub admin_email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(limit: Option<i64>, used: usize) -> SlotUsage {
        SlotUsage {
            scope: "TikTok".into(),
            limit,
            used: (0..used)
                .map(|i| UsedSlot {
                    application_id: i as i64,
                    posting_id: 10 + i as i64,
                    title: format!("Job {i}"),
                    slug: "job".into(),
                    position: i as i64 + 1,
                })
                .collect(),
        }
    }

    #[test]
    fn the_usage_says_how_many_slots_are_used_and_when_the_next_is_the_last() {
        let one = usage(Some(2), 1);
        assert_eq!(one.summary().as_deref(), Some("1 of 2 applications to TikTok used"));
        assert!(one.next_is_last() && !one.is_full());
        assert!(usage(Some(2), 2).is_full());
        assert_eq!(usage(None, 5).summary(), None);
        assert!(!usage(None, 5).is_full());
    }

    #[test]
    fn a_refusal_at_the_limit_names_the_applications_it_counts() {
        let message = ApplyRefusal::LimitReached(usage(Some(2), 2)).message();
        assert!(message.contains("\"Job 0\" (1st)") && message.contains("\"Job 1\" (2nd)"), "{message}");
    }

    #[test]
    fn ordinals_read_as_english() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].into_iter().map(ordinal).collect();
        assert_eq!(words, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }

    #[test]
    fn the_apply_form_needs_a_name_an_address_and_a_cv() {
        let problems = ApplicationForm::default().validate().expect_err("empty form refused");
        for field in ["name", "email", "cv_url"] {
            assert!(problem_of(&problems, field).is_some(), "{field}: {problems:?}");
        }
        let form = ApplicationForm {
            name: " Ana ".into(),
            email: "ana@example.com".into(),
            cv_text: "Rust, 3 years".into(),
            ..Default::default()
        };
        let valid = form.validate().expect("valid");
        assert_eq!(valid.name, "Ana");
        let bad_link = ApplicationForm { cv_url: "javascript:alert(1)".into(), ..form };
        assert!(problem_of(&bad_link.validate().expect_err("refused"), "cv_url").is_some());
    }

    #[test]
    fn the_planner_covers_the_open_postings_from_the_top_with_the_slots_left() {
        let posting = |id: i64, rank: i64, open: bool| PlannedPosting {
            posting_id: id,
            title: format!("P{id}"),
            slug: "p".into(),
            rank,
            open,
        };
        let group = PlannerGroup {
            usage: usage(Some(2), 1),
            shortlist: vec![posting(3, 3, true), posting(1, 1, false), posting(2, 2, true)],
        };
        let covered: Vec<(i64, bool)> = group.coverage().into_iter().map(|(p, c)| (p.posting_id, c)).collect();
        assert_eq!(covered, [(1, false), (2, true), (3, false)]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever is typed, an accepted application has a name, an address, a CV, and fields
            /// within their limits.
            #[test]
            fn an_accepted_application_obeys_the_rules(
                name in "\\PC{0,30}", email in "\\PC{0,20}(@[a-z]{1,8}\\.[a-z]{2,3})?",
                cv_url in "(https?://)?\\PC{0,30}", cv_text in "\\PC{0,30}", note in "\\PC{0,30}",
            ) {
                let form = ApplicationForm { name, email, cv_url, cv_text, note };
                if let Ok(valid) = form.validate() {
                    prop_assert!(!valid.name.is_empty() && valid.name.chars().count() <= MAX_NAME);
                    prop_assert!(!valid.cv_url.is_empty() || !valid.cv_text.is_empty());
                    prop_assert!(valid.cv_url.is_empty() || valid.cv_url.starts_with("http"));
                    prop_assert!(valid.note.chars().count() <= MAX_NOTE);
                }
            }

            /// However many slots are used, the planner never covers more postings than the slots left.
            #[test]
            fn the_planner_never_covers_more_than_the_slots_left(
                limit in 1_i64..5, used in 0_usize..5, opens in proptest::collection::vec(any::<bool>(), 0..8),
            ) {
                let group = PlannerGroup {
                    usage: usage(Some(limit), used),
                    shortlist: opens.iter().enumerate().map(|(i, open)| PlannedPosting {
                        posting_id: i as i64, title: String::new(), slug: String::new(), rank: i as i64 + 1, open: *open,
                    }).collect(),
                };
                let covered = group.coverage().iter().filter(|(_, covered)| *covered).count() as i64;
                prop_assert!(covered <= (limit - used as i64).max(0));
            }
        }
    }
}
