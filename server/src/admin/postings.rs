//! The posting form's posts and the admin list's status changes. Each runs after the admin gate, checks
//! the session's form token, validates with the domain's rules, and writes one transaction with its audit
//! row. A refused form is rendered again by the app with everything typed, the errors beside their fields
//! and status 422.

use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

use app::auth::SignedInAdmin;
use app::db::{self, Actor};
use app::domain::admin::{PostingAction, RefusedSubmission};
use app::domain::posting_form::{CompanyChoice, FieldError, field as form_field};
use app::domain::{JobStatus, PostingForm};
use app::error::AppError;

use super::{CSRF_FIELD, HOME_PATH, admin_of, field, form_pairs, plain_page, token_matches};
use crate::router::{AppState, BODY_LIMIT_BYTES, page_context};

/// How long an admin's save waits for the listing to show it.
const LISTING_CHANGE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The form field naming what the submit button asked for.
pub const INTENT_FIELD: &str = "intent";

/// The form key of the error shown when publishing is blocked by the pay-transparency table.
pub const TRANSPARENCY_ERROR: &str = "pay_transparency";

/// A checked admin form post: who sent it, its fields, and the request without its body.
struct AdminPost {
    admin: SignedInAdmin,
    pairs: Vec<(String, String)>,
    parts: Parts,
}

/// Reads the body and checks the session and the form token; the error is the response to send.
async fn read_admin_post(request: Request) -> Result<AdminPost, Response> {
    let (parts, body) = request.into_parts();
    let Some(admin) = admin_of(&parts.extensions).await else {
        return Err(plain_page(StatusCode::UNAUTHORIZED, "Sign in to continue", "You are not signed in."));
    };
    let body = to_bytes(body, BODY_LIMIT_BYTES).await.map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let pairs = form_pairs(&body);
    if !token_matches(&pairs, &admin) {
        tracing::warn!(admin = %admin.email, path = %parts.uri.path(), "refused a form post with a bad token");
        return Err(plain_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from this site or your session changed. Open the page again and resend.",
        ));
    }
    Ok(AdminPost { admin, pairs, parts })
}

fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

/// `POST /admin/jobs/new`.
pub async fn create(State(state): State<AppState>, request: Request) -> Response {
    match read_admin_post(request).await {
        Ok(post) => save(state, None, post).await,
        Err(response) => response,
    }
}

/// `POST /admin/jobs/{id}/edit`.
pub async fn edit(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    match read_admin_post(request).await {
        Ok(post) => save(state, Some(id), post).await,
        Err(response) => response,
    }
}

async fn save(state: AppState, id: Option<i64>, post: AdminPost) -> Response {
    let today = chrono::Utc::now().date_naive();
    let current = match id {
        Some(id) => match db::posting_status(&state.pool, id).await {
            Ok(status) => Some(status),
            Err(error) => return error_response(error.into()),
        },
        None => None,
    };
    let publish = field(&post.pairs, INTENT_FIELD) == Some("publish");
    let status = if publish { JobStatus::Published } else { current.unwrap_or(JobStatus::Draft) };
    let form =
        PostingForm::from_pairs(post.pairs.iter().filter(|(k, _)| k != CSRF_FIELD && k != INTENT_FIELD).cloned());
    let findings = form.transparency_findings(today);

    let validated = form.validate(today);
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    // Rules that need the database.
    match company_choice(&form) {
        CompanyChoice::Existing(slug) => match db::company_exists(&state.pool, &slug).await {
            Ok(true) => {}
            Ok(false) => {
                errors.insert(form_field::COMPANY.into(), FieldError::UnknownCompany);
            }
            Err(error) => return error_response(error.into()),
        },
        // A new company must not take an existing one's address (it would be merged into it).
        CompanyChoice::New(name) if !name.is_empty() => {
            match db::company_exists(&state.pool, &db::company_slug(&name)).await {
                Ok(false) => {}
                Ok(true) => {
                    errors.insert(form_field::NEW_COMPANY.into(), FieldError::CompanyExists);
                }
                Err(error) => return error_response(error.into()),
            }
        }
        CompanyChoice::New(_) => {}
    }
    if let Some((path, step)) = form.career_step.trim().split_once('/') {
        match db::career_step_exists(&state.pool, path, step).await {
            Ok(true) => {}
            Ok(false) => {
                errors.insert(form_field::CAREER_STEP.into(), FieldError::BadChoice);
            }
            Err(error) => return error_response(error.into()),
        }
    }
    if status == JobStatus::Published && findings.iter().any(|finding| finding.blocks()) {
        errors.insert(TRANSPARENCY_ERROR.into(), FieldError::Required);
    }
    let valid = match validated {
        Ok(valid) if errors.is_empty() => valid,
        _ => return render_refused(state, post.parts, RefusedSubmission { form, errors, findings }).await,
    };

    let actor = Actor { admin_id: post.admin.id, email: &post.admin.email };
    let (company_slug, new_company) = match &valid.company {
        CompanyChoice::Existing(slug) => (slug.clone(), None),
        CompanyChoice::New(name) => (String::new(), Some(name.clone())),
    };
    let saved = match id {
        Some(id) => {
            let notices = match db::posting_for_edit(&state.pool, id).await {
                Ok(job) => job.legal_notices,
                Err(error) => return error_response(error.into()),
            };
            let job = valid.into_new_job(company_slug, status, notices);
            db::update_posting(&state.pool, id, job, new_company.as_deref(), actor).await.map(|()| id)
        }
        None => {
            let job = valid.into_new_job(company_slug, status, Vec::new());
            db::create_posting(&state.pool, job, new_company.as_deref(), actor).await
        }
    };
    match saved {
        Ok(saved_id) => {
            // The next page the admin sees shows the change (the refresher loads it; this waits for it).
            state.listing_cache.changed(&state.pool, LISTING_CHANGE_WAIT).await;
            tracing::info!(admin = %post.admin.email, posting = saved_id, status = status.code(), "posting saved");
            Redirect::to(&format!("{HOME_PATH}?saved={saved_id}")).into_response()
        }
        Err(error) => error_response(error.into()),
    }
}

fn company_choice(form: &PostingForm) -> CompanyChoice {
    match (form.company.trim(), form.new_company.trim()) {
        (slug, "") if !slug.is_empty() => CompanyChoice::Existing(slug.to_owned()),
        (_, name) => CompanyChoice::New(name.to_owned()),
    }
}

/// Renders the editor page again (as for a GET of the same address) with the refused submission.
async fn render_refused(state: AppState, mut parts: Parts, refused: RefusedSubmission) -> Response {
    parts.method = Method::GET;
    let context = page_context(&state);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            context();
            provide_context(refused.clone());
        },
        move || app::shell(options.clone()),
    );
    let mut response = render(Request::from_parts(parts, Body::empty())).await;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// `POST /admin/jobs/{id}/status`: publish (after the pay-transparency check), close as filled, reopen.
pub async fn change_status(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    let post = match read_admin_post(request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let back = |outcome: &str| Redirect::to(&format!("{HOME_PATH}?{outcome}")).into_response();
    let Ok(action) = PostingAction::parse(field(&post.pairs, "action").unwrap_or_default()) else {
        return error_response(AppError::BadRequest("unknown action".into()));
    };
    let job = match db::posting_for_edit(&state.pool, id).await {
        Ok(job) => job,
        Err(error) => return error_response(error.into()),
    };
    let Ok(status) = action.apply(job.status) else {
        return back(&format!("refused={id}"));
    };
    if status == JobStatus::Published {
        let form = PostingForm::from_job(&job);
        let today = chrono::Utc::now().date_naive();
        if form.transparency_findings(today).iter().any(|finding| finding.blocks()) {
            return back(&format!("blocked={id}"));
        }
    }
    let actor = Actor { admin_id: post.admin.id, email: &post.admin.email };
    match db::set_posting_status(&state.pool, id, status, action.code(), actor).await {
        Ok(()) => {
            // The next page the admin sees shows the change (the refresher loads it; this waits for it).
            state.listing_cache.changed(&state.pool, LISTING_CHANGE_WAIT).await;
            tracing::info!(admin = %post.admin.email, posting = id, action = action.code(), "posting status changed");
            back(&format!("changed={id}"))
        }
        Err(error) => error_response(error.into()),
    }
}
