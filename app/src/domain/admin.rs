//! What the admin pages show and do: the posting list's rows, status changes, the audit trail, and the
//! choices the posting form offers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::job::JobStatus;
use super::pay_transparency::Finding;
use super::posting_form::{FormErrors, PostingForm};

/// A posting's status as the admin list shows it: the stored status, with "expired" for a published
/// posting whose apply-before date has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListedStatus {
    Draft,
    Published,
    Closed,
    Expired,
}

impl ListedStatus {
    /// The shown status of a stored posting on `today`.
    pub fn of(status: JobStatus, valid_through: NaiveDate, today: NaiveDate) -> Self {
        match status {
            JobStatus::Draft => Self::Draft,
            JobStatus::Closed => Self::Closed,
            JobStatus::Published if valid_through < today => Self::Expired,
            JobStatus::Published => Self::Published,
        }
    }

    /// Label shown in the list.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Published => "Published",
            Self::Closed => "Closed",
            Self::Expired => "Expired",
        }
    }
}

/// One row of `/admin/jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPostingRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub company_name: String,
    pub status: JobStatus,
    pub listed_status: ListedStatus,
    pub posted_at: NaiveDate,
    pub valid_through: NaiveDate,
}

impl AdminPostingRow {
    /// The status changes offered for this row.
    pub fn actions(&self) -> &'static [PostingAction] {
        match self.status {
            JobStatus::Draft => &[PostingAction::Publish],
            JobStatus::Published => &[PostingAction::Close],
            JobStatus::Closed => &[PostingAction::Reopen],
        }
    }
}

/// A status change from the admin list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostingAction {
    /// Draft -> published (after the pay-transparency check).
    Publish,
    /// Published -> closed ("filled").
    Close,
    /// Closed -> published.
    Reopen,
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum ActionError {
    #[error("unknown action {0:?}")]
    Unknown(String),
    #[error("a {from} posting cannot be changed that way")]
    NotAllowed { from: &'static str },
}

impl PostingAction {
    /// Every action.
    pub const ALL: [PostingAction; 3] = [Self::Publish, Self::Close, Self::Reopen];

    /// Form value and audit code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Close => "close",
            Self::Reopen => "reopen",
        }
    }

    /// Button label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Publish => "Publish",
            Self::Close => "Close as filled",
            Self::Reopen => "Reopen",
        }
    }

    /// Parses a form value.
    pub fn parse(code: &str) -> Result<Self, ActionError> {
        Self::ALL.into_iter().find(|a| a.code() == code.trim()).ok_or_else(|| ActionError::Unknown(code.to_owned()))
    }

    /// The status after the action, when the action is allowed from `from`.
    pub fn apply(self, from: JobStatus) -> Result<JobStatus, ActionError> {
        match (self, from) {
            (Self::Publish, JobStatus::Draft) | (Self::Reopen, JobStatus::Closed) => Ok(JobStatus::Published),
            (Self::Close, JobStatus::Published) => Ok(JobStatus::Closed),
            _ => Err(ActionError::NotAllowed { from: from.code() }),
        }
    }
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// ISO-8601 UTC time.
    pub at: String,
    pub admin_email: String,
    pub posting_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

/// A company the form can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyOption {
    pub slug: String,
    pub name: String,
}

/// A career step the form can pick: `value` is `path-slug/step-slug`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareerStepOption {
    pub value: String,
    pub label: String,
}

/// Everything the posting editor shows: the form as typed (or loaded), its errors and findings, and the
/// choices it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingEditor {
    /// The posting being edited; `None` for a new one.
    pub id: Option<i64>,
    /// Its stored status, for an edit.
    pub status: Option<JobStatus>,
    pub form: PostingForm,
    pub errors: FormErrors,
    pub findings: Vec<Finding>,
    pub companies: Vec<CompanyOption>,
    pub career_steps: Vec<CareerStepOption>,
    pub history: Vec<AuditEntry>,
    /// The signed-in admin's form token, sent back with the form.
    pub csrf_token: String,
    /// The signed-in admin's e-mail address.
    pub admin_email: String,
    /// The server's day: the default posted date.
    pub today: NaiveDate,
}

/// A refused form submission, handed to the editor page when the server renders it again: what was
/// typed, what is wrong, and the pay-transparency findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedSubmission {
    pub form: PostingForm,
    pub errors: FormErrors,
    pub findings: Vec<Finding>,
}

/// The admin list page: rows, the latest changes, and the form token for the row actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminList {
    pub rows: Vec<AdminPostingRow>,
    /// Applications per shown posting and status: `(posting id, status code, count)`.
    pub applications: Vec<(i64, String, i64)>,
    /// Page views per shown posting: `(posting id, views)`.
    pub views: Vec<(i64, i64)>,
    pub recent: Vec<AuditEntry>,
    pub csrf_token: String,
    pub admin_email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
    }

    #[test]
    fn a_published_posting_past_its_date_is_listed_as_expired() {
        assert_eq!(ListedStatus::of(JobStatus::Published, day(1), day(2)), ListedStatus::Expired);
        assert_eq!(ListedStatus::of(JobStatus::Published, day(2), day(2)), ListedStatus::Published);
        assert_eq!(ListedStatus::of(JobStatus::Closed, day(1), day(2)), ListedStatus::Closed);
    }

    #[test]
    fn actions_move_between_the_allowed_statuses_only() {
        assert_eq!(PostingAction::Publish.apply(JobStatus::Draft), Ok(JobStatus::Published));
        assert_eq!(PostingAction::Close.apply(JobStatus::Published), Ok(JobStatus::Closed));
        assert_eq!(PostingAction::Reopen.apply(JobStatus::Closed), Ok(JobStatus::Published));
        assert!(PostingAction::Publish.apply(JobStatus::Closed).is_err());
        assert!(PostingAction::Close.apply(JobStatus::Draft).is_err());
        assert!(PostingAction::parse("delete").is_err());
    }
}
