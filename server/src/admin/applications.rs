//! The employer's side of applications (the admin area for now): an application's status, and a
//! company's application limit and group. Each runs after the admin gate and checks the form token.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};

use app::db::{self, Actor};
use app::error::AppError;
use app::service::applications::{self, StatusNotChanged};

use super::field;
use super::postings::read_admin_post;
use crate::state::AppState;

/// `POST /admin/applications/{id}/status`: `status` (reviewed, shortlisted, rejected) and `posting`,
/// the page to go back to. The candidate is told by e-mail.
pub async fn change_status(State(state): State<AppState>, Path(id): Path<i64>, request: Request) -> Response {
    let post = match read_admin_post(request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let posting: i64 = field(&post.pairs, "posting").and_then(|id| id.parse().ok()).unwrap_or_default();
    let code = field(&post.pairs, "status").unwrap_or_default();
    match applications::set_status(&state.pool, &post.admin, id, code, state.public_origin()).await {
        Ok(changed) => {
            if changed.is_some() {
                state.mail_wake.notify_one();
                tracing::info!(admin = %post.admin.email, application = id, status = code, "application status changed");
            }
            Redirect::to(&format!("/admin/jobs/{posting}/applications?changed={id}")).into_response()
        }
        Err(StatusNotChanged::NotAllowed) => AppError::BadRequest("unknown status".into()).into_response(),
        Err(StatusNotChanged::NotFound) => AppError::NotFound.into_response(),
        Err(StatusNotChanged::Storage(error)) => AppError::from(error).into_response(),
    }
}

/// A limit as typed: blank for none, else a whole number from 1 to 1,000.
fn parse_limit(text: Option<&str>) -> Result<Option<i64>, AppError> {
    match text.map(str::trim).unwrap_or_default() {
        "" => Ok(None),
        text => text.parse::<i64>().ok().filter(|limit| (1..=1_000).contains(limit)).map(Some).ok_or_else(|| {
            AppError::BadRequest(format!("{text:?} is not a limit: give a whole number from 1 to 1000, or nothing"))
        }),
    }
}

/// `POST /admin/companies/{slug}/limit`: `limit`, `group` (a name, blank for none) and `group_limit`.
pub async fn set_limit(State(state): State<AppState>, Path(slug): Path<String>, request: Request) -> Response {
    let post = match read_admin_post(request).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let limits = parse_limit(field(&post.pairs, "limit"))
        .and_then(|limit| parse_limit(field(&post.pairs, "group_limit")).map(|group_limit| (limit, group_limit)));
    let (limit, group_limit) = match limits {
        Ok(limits) => limits,
        Err(error) => return error.into_response(),
    };
    let group: String = field(&post.pairs, "group").unwrap_or_default().trim().chars().take(200).collect();
    let group = Some(group.as_str()).filter(|name| !name.is_empty());
    let actor = Actor { admin_id: post.admin.id, email: &post.admin.email };
    match db::set_company_limit(&state.pool, &slug, limit, group, group_limit, actor).await {
        Ok(()) => Redirect::to(&format!("/admin/companies?changed={slug}")).into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}
