//! `POST /careers/{path}/alerts`: the career page's alert form. A plain form post (it works without
//! JavaScript) that answers with a redirect back to the page: `?subscribed=1` when stored, or the error
//! code with what was typed, so the page shows the message beside its field and keeps the input. What is
//! echoed is bounded: the e-mail address when it is of a plausible length, and only the path's own steps.
//! Sign-ups are rate limited per client address and per e-mail address (429 with `Retry-After`).

use app::db;
use app::domain::AlertRequest;
use app::domain::career::career_path_url;
use app::error::AppError;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::rate_limits::client_address;
use crate::state::{AppState, BODY_LIMIT_BYTES};

/// The longest e-mail address a refused form echoes back (the longest valid one).
const MAX_ECHOED_EMAIL: usize = 254;

/// Handles the alert form.
pub async fn subscribe(State(state): State<AppState>, Path(path_slug): Path<String>, request: Request) -> Response {
    let address = client_address(request.extensions());
    let Ok(body) = axum::body::to_bytes(request.into_body(), BODY_LIMIT_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
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
        Err(error) => return AppError::from(error).into_response(),
    };
    let page = career_path_url(&path.slug);
    let parsed = AlertRequest::parse(&email, &steps, &path);
    if parsed.is_ok()
        && let Err(limited) = state.rate_limits.alert_sign_up(address, &email)
    {
        tracing::warn!(%address, "alert sign-up rate limit reached");
        return limited.response("Too many alert sign-ups; try again later.");
    }
    match parsed {
        Ok(request) => match db::save_alert(&state.pool, &path.slug, &request).await {
            Ok(_) => {
                tracing::info!(path = %path.slug, steps = request.step_slugs.len(), "alert subscription saved");
                Redirect::to(&format!("{page}?subscribed=1")).into_response()
            }
            Err(error) => AppError::from(error).into_response(),
        },
        Err(error) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("alert_error", error.code());
            if email.trim().len() <= MAX_ECHOED_EMAIL {
                query.append_pair("email", email.trim());
            }
            for step in path.steps.iter().filter(|step| steps.contains(&step.slug)) {
                query.append_pair("step", &step.slug);
            }
            Redirect::to(&format!("{page}?{}", query.finish())).into_response()
        }
    }
}
