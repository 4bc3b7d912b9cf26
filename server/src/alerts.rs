//! `POST /careers/{path}/alerts`: the career page's alert form. A plain form post (it works without
//! JavaScript) that answers with a redirect back to the page: `?subscribed=1` when stored, or the error
//! code with what was typed, so the page shows the message beside its field and keeps the input.

use app::db;
use app::domain::AlertRequest;
use app::domain::career::career_path_url;
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::router::AppState;

/// Handles the alert form.
pub async fn subscribe(State(state): State<AppState>, Path(path_slug): Path<String>, body: Bytes) -> Response {
    let mut email = String::new();
    let mut steps = Vec::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "email" => email = value.into_owned(),
            "step" => steps.push(value.into_owned()),
            _ => {}
        }
    }
    let path = match db::get_career_path(&state.pool, &path_slug).await {
        Ok(path) => path,
        Err(error) => return error_response(AppError::from(error)),
    };
    let page = career_path_url(&path.slug);
    match AlertRequest::parse(&email, &steps, &path) {
        Ok(request) => match db::save_alert(&state.pool, &path.slug, &request).await {
            Ok(_) => {
                tracing::info!(path = %path.slug, steps = request.step_slugs.len(), "alert subscription saved");
                Redirect::to(&format!("{page}?subscribed=1")).into_response()
            }
            Err(error) => error_response(AppError::from(error)),
        },
        Err(error) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("alert_error", error.code());
            query.append_pair("email", email.trim());
            for step in &steps {
                query.append_pair("step", step);
            }
            Redirect::to(&format!("{page}?{}", query.finish())).into_response()
        }
    }
}

fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
