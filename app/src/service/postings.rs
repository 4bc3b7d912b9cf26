//! Saving a posting from the admin form, and changing its status from the admin list.

use chrono::NaiveDate;

use crate::auth::SignedInAdmin;
use crate::db::{self, Actor, Pool};
use crate::domain::admin::{PostingAction, RefusedSubmission};
use crate::domain::job::JobError;
use crate::domain::posting_form::{CompanyChoice, FieldError, FormErrors, field};
use crate::domain::{JobStatus, PostingForm};

/// What the submit button asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Save; a new posting is a draft, an existing one keeps its status.
    Save,
    /// Save and publish (refused while the pay-transparency check blocks it).
    Publish,
}

impl Intent {
    /// The intent a form's `intent` field names: `publish`, else a plain save.
    pub fn from_field(value: Option<&str>) -> Self {
        if value == Some("publish") { Self::Publish } else { Self::Save }
    }
}

/// A stored posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    pub status: JobStatus,
    /// True when the save created the posting.
    pub created: bool,
}

/// Why a save stored nothing.
#[derive(Debug)]
pub enum Refused {
    /// The form breaks a rule: shown again with what was typed and the errors beside their fields.
    Invalid(Box<RefusedSubmission>),
    /// The posting to edit does not exist.
    NotFound,
    /// The database failed (busy, or worse).
    Storage(db::Error),
}

impl From<db::Error> for Refused {
    fn from(error: db::Error) -> Self {
        match error {
            db::Error::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

/// Saves `form` as a new posting (`target` None) or over posting `target`, for `admin`, with its audit
/// row. Every rule is checked first: the form's own, those that need the database (the company and
/// career step exist; a new company's name is free), and the pay-transparency gate when publishing.
pub async fn save_posting(
    pool: &Pool,
    admin: &SignedInAdmin,
    target: Option<i64>,
    form: PostingForm,
    intent: Intent,
    today: NaiveDate,
) -> Result<Saved, Refused> {
    let current = match target {
        Some(id) => Some(db::posting_status(pool, id).await?),
        None => None,
    };
    let status = match intent {
        Intent::Publish => JobStatus::Published,
        Intent::Save => current.unwrap_or(JobStatus::Draft),
    };
    let findings = form.transparency_findings(today);
    let validated = form.validate(today);
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    check_references(pool, &form, &mut errors).await?;
    if status == JobStatus::Published && form.blocks_publishing(today) {
        errors.insert(field::PAY_TRANSPARENCY.into(), FieldError::Required);
    }
    let valid = match validated {
        Ok(valid) if errors.is_empty() => valid,
        _ => return Err(Refused::Invalid(Box::new(RefusedSubmission { form, errors, findings }))),
    };

    let actor = Actor { admin_id: admin.id, email: &admin.email };
    let (company_slug, new_company) = match &valid.company {
        CompanyChoice::Existing(slug) => (slug.clone(), None),
        CompanyChoice::New(name) => (String::new(), Some(name.clone())),
    };
    let saved = match target {
        Some(id) => {
            let notices = db::posting_for_edit(pool, id).await?.legal_notices;
            let job = valid.into_new_job(company_slug, status, notices).map_err(rule_missing_from_the_form)?;
            db::update_posting(pool, id, job, new_company.as_deref(), actor).await.map(|()| id)
        }
        None => {
            let job = valid.into_new_job(company_slug, status, Vec::new()).map_err(rule_missing_from_the_form)?;
            db::create_posting(pool, job, new_company.as_deref(), actor).await
        }
    };
    match saved {
        Ok(id) => Ok(Saved { id, status, created: target.is_none() }),
        // A constraint the checks above did not foresee (a CHECK or unique index of the schema): the
        // form again, with the error beside the field it concerns.
        Err(db::Error::Conflict { field: column }) => {
            let (name, error) = conflict_field(&column);
            errors.insert(name.to_owned(), error);
            Err(Refused::Invalid(Box::new(RefusedSubmission { form, errors, findings })))
        }
        Err(error) => Err(error.into()),
    }
}

/// A form that passed its own checks but not the rules of a stored posting: a rule the form should check
/// beside its field. Refused as a bad request with the rule's words, nothing stored.
fn rule_missing_from_the_form(error: JobError) -> Refused {
    tracing::warn!(%error, "a posting passed the form's checks but not the posting's rules");
    Refused::Storage(db::Error::Invalid(format!("the posting cannot be stored: {error}")))
}

/// The rules that need the database: the chosen company and career step exist, and a new company does
/// not take an existing one's address (it would be merged into it).
async fn check_references(pool: &Pool, form: &PostingForm, errors: &mut FormErrors) -> Result<(), db::Error> {
    match form.company_choice() {
        CompanyChoice::Existing(slug) => {
            if !db::company_exists(pool, &slug).await? {
                errors.insert(field::COMPANY.into(), FieldError::UnknownCompany);
            }
        }
        CompanyChoice::New(name) if !name.is_empty() => {
            if db::company_exists(pool, &db::company_slug(&name)).await? {
                errors.insert(field::NEW_COMPANY.into(), FieldError::CompanyExists);
            }
        }
        CompanyChoice::New(_) => {}
    }
    if let Some((path, step)) = form.career_step.trim().split_once('/')
        && !db::career_step_exists(pool, path, step).await?
    {
        errors.insert(field::CAREER_STEP.into(), FieldError::BadChoice);
    }
    Ok(())
}

/// The form field a schema column's constraint concerns, with the error to show there.
fn conflict_field(column: &str) -> (&'static str, FieldError) {
    match column {
        "slug" | "name" => (field::NEW_COMPANY, FieldError::CompanyExists),
        "title" => (field::TITLE, FieldError::Taken),
        "min_amount" | "max_amount" | "annual_min" | "annual_max" | "currency" => {
            (field::PAY_MAX, FieldError::ImplausiblePay)
        }
        "valid_through" => (field::VALID_THROUGH, FieldError::ClosesBeforePosted),
        "apply_url" => (field::APPLY, FieldError::BadApply),
        "career_step_id" => (field::CAREER_STEP, FieldError::BadChoice),
        // A constraint the form has no field for: shown at the top of the form's first field.
        _ => (field::TITLE, FieldError::Taken),
    }
}

/// Why a status change was not made.
#[derive(Debug)]
pub enum StatusRefused {
    /// No such posting.
    NotFound,
    /// The action does not apply to the posting's status (publishing a closed posting).
    NotAllowed,
    /// Publishing is blocked by the pay-transparency check.
    Blocked,
    /// The database failed.
    Storage(db::Error),
}

impl From<db::Error> for StatusRefused {
    fn from(error: db::Error) -> Self {
        match error {
            db::Error::NotFound => Self::NotFound,
            other => Self::Storage(other),
        }
    }
}

/// Applies `action` (publish, close, reopen) to posting `id`, with its audit row; returns the new status.
/// Publishing passes the same pay-transparency gate as the form.
pub async fn change_status(
    pool: &Pool,
    admin: &SignedInAdmin,
    id: i64,
    action: PostingAction,
    today: NaiveDate,
) -> Result<JobStatus, StatusRefused> {
    let job = db::posting_for_edit(pool, id).await?;
    let status = action.apply(job.status).map_err(|_| StatusRefused::NotAllowed)?;
    if status == JobStatus::Published && PostingForm::from_job(&job).blocks_publishing(today) {
        return Err(StatusRefused::Blocked);
    }
    let actor = Actor { admin_id: admin.id, email: &admin.email };
    db::set_posting_status(pool, id, status, action.code(), actor).await?;
    Ok(status)
}
