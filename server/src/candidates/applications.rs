//! The candidate's writes about postings: applying under the company's limit, withdrawing, saving jobs
//! and the slot planner's shortlist. Each is rate limited per account.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use app::db;
use app::domain::candidate::{ApplicationForm, FormEcho};
use app::error::AppError;
use app::service::applications::{self, MY_APPLICATIONS_PATH, NotApplied};

use super::read_candidate_post;
use crate::admin::field;
use crate::state::{AppState, render_page_with};

/// The rate limit's answer, or nothing.
fn limited(state: &AppState, candidate_id: i64) -> Option<Response> {
    state
        .rate_limits
        .candidate_write(candidate_id)
        .err()
        .map(|limited| limited.response("Too many changes in a minute; try again shortly."))
}

/// `POST /jobs/{id}/apply`: the apply form.
pub async fn apply(State(state): State<AppState>, Path(posting_id): Path<i64>, request: Request) -> Response {
    let back = format!("/jobs/{posting_id}/apply");
    let post = match read_candidate_post(request, true, &back).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Some(response) = limited(&state, post.candidate.id) {
        return response;
    }
    let read = |name: &str| field(&post.pairs, name).unwrap_or_default().to_owned();
    let form = ApplicationForm {
        name: read("name"),
        email: read("email"),
        cv_url: read("cv_url"),
        cv_text: read("cv_text"),
        note: read("note"),
    };
    let today = chrono::Utc::now().date_naive();
    let outcome =
        applications::apply(&state.pool, &post.candidate, posting_id, &form, today, state.public_origin()).await;
    let refused = |problems, refusal| {
        let values = post
            .pairs
            .iter()
            .filter(|(name, _)| name != "csrf")
            .take(10)
            .map(|(name, value)| (name.clone(), value.chars().take(20_000).collect()))
            .collect();
        FormEcho { values, problems, refusal }
    };
    match outcome {
        Ok(applied) => {
            state.mail_wake.notify_one();
            tracing::info!(candidate = post.candidate.id, posting = posting_id, position = applied.position, "applied");
            Redirect::to(&format!("{MY_APPLICATIONS_PATH}?applied={}", applied.id)).into_response()
        }
        Err(NotApplied::Invalid(problems)) => {
            render_page_with(&state, post.parts, refused(problems, None), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(NotApplied::Refused(refusal)) => {
            let echo = refused(Vec::new(), Some(refusal.message()));
            render_page_with(&state, post.parts, echo, StatusCode::CONFLICT).await
        }
        Err(NotApplied::NotFound) => AppError::NotFound.into_response(),
        Err(NotApplied::Storage(error)) => AppError::from(error).into_response(),
    }
}

/// `POST /account/applications/{id}/withdraw`.
pub async fn withdraw(State(state): State<AppState>, Path(application_id): Path<i64>, request: Request) -> Response {
    let post = match read_candidate_post(request, true, MY_APPLICATIONS_PATH).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Some(response) = limited(&state, post.candidate.id) {
        return response;
    }
    match db::withdraw_application(&state.pool, post.candidate.id, application_id).await {
        Ok(true) => Redirect::to(&format!("{MY_APPLICATIONS_PATH}?withdrawn={application_id}")).into_response(),
        Ok(false) => Redirect::to(&format!("{MY_APPLICATIONS_PATH}?reviewed={application_id}")).into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// The posting a public page's form names, and where to go back to.
fn posting_of(pairs: &[(String, String)]) -> Option<i64> {
    field(pairs, "posting").and_then(|id| id.parse().ok()).filter(|id| *id > 0)
}

/// `POST /account/saved`: `posting` and `action` (`save`, `remove`). The save button is on public
/// pages, which every visitor is sent alike, so it carries no form token (the same-origin check
/// covers it); a signed-out visitor is sent to sign in first.
pub async fn saved(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, false, "/account/saved").await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Some(response) = limited(&state, post.candidate.id) {
        return response;
    }
    let Some(posting) = posting_of(&post.pairs) else {
        return AppError::BadRequest("no posting named".into()).into_response();
    };
    let done = match field(&post.pairs, "action") {
        Some("remove") => db::unsave_job(&state.pool, post.candidate.id, posting).await.map(|()| "removed"),
        _ => db::save_job(&state.pool, post.candidate.id, posting).await.map(|()| "saved"),
    };
    match done {
        Ok(done) => Redirect::to(&format!("/account/saved?{done}={posting}")).into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// `POST /account/planner`: `posting` and `action` (`add`, `remove`, `up`, `down`). "Add" is on the
/// public posting page (no form token, as for saving); the rest are on the planner.
pub async fn planner(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, false, "/account/planner").await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Some(response) = limited(&state, post.candidate.id) {
        return response;
    }
    let Some(posting) = posting_of(&post.pairs) else {
        return AppError::BadRequest("no posting named".into()).into_response();
    };
    let (pool, id) = (&state.pool, post.candidate.id);
    let done = match field(&post.pairs, "action") {
        Some("remove") => db::unplan_posting(pool, id, posting).await,
        Some("up") => db::move_planned_posting(pool, id, posting, true).await,
        Some("down") => db::move_planned_posting(pool, id, posting, false).await,
        _ => db::plan_posting(pool, id, posting).await,
    };
    match done {
        Ok(()) => Redirect::to("/account/planner").into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}
