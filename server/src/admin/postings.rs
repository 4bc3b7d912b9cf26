//! The posting form's posts and the admin list's status changes. Each runs after the admin gate, checks
//! the session's form token, and hands the form to the posting service (`app::service::postings`), which
//! checks every rule and writes one transaction with its audit row. A refused form is rendered again by the app with everything typed, the errors beside their fields
//! and status 422.

use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use app::auth::SignedInAdmin;
use app::domain::PostingForm;
use app::domain::admin::{PostingAction, RefusedSubmission};
use app::error::AppError;
use app::service::postings::{self, Intent, Refused, StatusRefused};

use super::{CSRF_FIELD, HOME_PATH, admin_of, field, form_pairs, plain_page, token_matches};
use crate::state::{AppState, BODY_LIMIT_BYTES, render_page_with};

/// Wakes the listing's refresher and makes the admin's next pages wait for this write (`own_writes`).
async fn own_writes(state: &AppState, response: &mut Response) {
    let secure = crate::security::is_https_url(&state.public_url);
    crate::own_writes::remember(&state.pool, &state.listing_cache, secure, response).await;
}

/// The form field naming what the submit button asked for.
pub const INTENT_FIELD: &str = "intent";

/// A checked admin form post: who sent it, its fields, and the request without its body.
pub(super) struct AdminPost {
    pub(super) admin: SignedInAdmin,
    pub(super) pairs: Vec<(String, String)>,
    pub(super) parts: Parts,
}

/// Reads the body and checks the session and the form token; the error is the response to send.
pub(super) async fn read_admin_post(request: Request) -> Result<AdminPost, Response> {
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

async fn save(state: AppState, target: Option<i64>, post: AdminPost) -> Response {
    let today = chrono::Utc::now().date_naive();
    let intent = Intent::from_field(field(&post.pairs, INTENT_FIELD));
    let form =
        PostingForm::from_pairs(post.pairs.iter().filter(|(k, _)| k != CSRF_FIELD && k != INTENT_FIELD).cloned());
    match postings::save_posting(&state.pool, &post.admin, target, form, intent, today).await {
        Ok(saved) => {
            tracing::info!(admin = %post.admin.email, posting = saved.id, status = saved.status.code(), created = saved.created, "posting saved");
            let mut response = Redirect::to(&format!("{HOME_PATH}?saved={}", saved.id)).into_response();
            // The admin's next pages show the change; nobody else waits for it.
            own_writes(&state, &mut response).await;
            response
        }
        Err(Refused::Invalid(refused)) => render_refused(state, post.parts, *refused).await,
        Err(Refused::NotFound) => AppError::NotFound.into_response(),
        Err(Refused::Storage(error)) => AppError::from(error).into_response(),
    }
}

/// Renders the editor page again (as for a GET of the same address) with the refused submission.
async fn render_refused(state: AppState, parts: Parts, refused: RefusedSubmission) -> Response {
    render_page_with(&state, parts, refused, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /admin/jobs/{id}/status`: publish (after the pay-transparency check), close as filled, reopen.
pub async fn change_status(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    let post = match read_admin_post(request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let back = |outcome: &str| Redirect::to(&format!("{HOME_PATH}?{outcome}")).into_response();
    let Ok(action) = PostingAction::parse(field(&post.pairs, "action").unwrap_or_default()) else {
        return AppError::BadRequest("unknown action".into()).into_response();
    };
    let today = chrono::Utc::now().date_naive();
    match postings::change_status(&state.pool, &post.admin, id, action, today).await {
        Ok(_) => {
            tracing::info!(admin = %post.admin.email, posting = id, action = action.code(), "posting status changed");
            let mut response = back(&format!("changed={id}"));
            own_writes(&state, &mut response).await;
            response
        }
        Err(StatusRefused::NotAllowed) => back(&format!("refused={id}")),
        Err(StatusRefused::Blocked) => back(&format!("blocked={id}")),
        Err(StatusRefused::NotFound) => AppError::NotFound.into_response(),
        Err(StatusRefused::Storage(error)) => AppError::from(error).into_response(),
    }
}
