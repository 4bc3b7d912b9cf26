//! Applying under the company's limit, and the employer's status changes: the checks, the one
//! transaction of each, and the e-mail it puts in the outbox.

use chrono::NaiveDate;

use crate::auth::{SignedInAdmin, SignedInCandidate};
use crate::db::{self, Actor, Applied, Pool, StatusChange};
use crate::domain::candidate::{ApplicationForm, ApplicationStatus, ApplyRefusal, FieldProblem};
use crate::domain::mail::OutgoingMail;

/// Where a candidate follows their applications.
pub const MY_APPLICATIONS_PATH: &str = "/account/applications";

/// Why an application was not taken; nothing was stored.
#[derive(Debug)]
pub enum NotApplied {
    /// The form breaks a rule: each problem beside its field.
    Invalid(Vec<FieldProblem>),
    /// The limit, a second application to the posting, a closed posting, an unconfirmed account.
    Refused(ApplyRefusal),
    /// No such public posting (or account).
    NotFound,
    /// The database failed (busy, or worse).
    Storage(db::Error),
}

impl From<db::Error> for NotApplied {
    fn from(error: db::Error) -> Self {
        match error {
            db::Error::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

/// Applies `candidate` to posting `posting_id` with `form`; the receipt links to `origin`'s
/// "My applications".
pub async fn apply(
    pool: &Pool,
    candidate: &SignedInCandidate,
    posting_id: i64,
    form: &ApplicationForm,
    today: NaiveDate,
    origin: &str,
) -> Result<Applied, NotApplied> {
    let application = form.validate().map_err(NotApplied::Invalid)?;
    let link = format!("{origin}{MY_APPLICATIONS_PATH}");
    let receipt = |applied: &Applied| {
        OutgoingMail::application_received(
            &applied.email,
            &applied.title,
            &applied.company_name,
            applied.position,
            &link,
        )
    };
    db::apply(pool, candidate.id, posting_id, &application, today, &receipt).await?.map_err(NotApplied::Refused)
}

/// Why a status change was not made.
#[derive(Debug)]
pub enum StatusNotChanged {
    /// The status is not one the employer sets.
    NotAllowed,
    NotFound,
    Storage(db::Error),
}

/// Sets the status of an application (reviewed, shortlisted, rejected) for `admin`, audited, and tells
/// the candidate by e-mail. `Ok(None)` when nothing changed.
pub async fn set_status(
    pool: &Pool,
    admin: &SignedInAdmin,
    application_id: i64,
    code: &str,
    origin: &str,
) -> Result<Option<StatusChange>, StatusNotChanged> {
    let status = ApplicationStatus::parse(code)
        .filter(|status| ApplicationStatus::SET_BY_EMPLOYER.contains(status))
        .ok_or(StatusNotChanged::NotAllowed)?;
    let link = format!("{origin}{MY_APPLICATIONS_PATH}");
    let notice = |change: &StatusChange| {
        OutgoingMail::status_changed(&change.email, &change.title, &change.company_name, change.status, &link)
    };
    let actor = Actor { admin_id: admin.id, email: &admin.email };
    db::set_application_status(pool, application_id, status, actor, &notice).await.map_err(|error| match error {
        db::Error::NotFound => StatusNotChanged::NotFound,
        other => StatusNotChanged::Storage(other),
    })
}
