//! The alert forms and the pages of e-mailed links, all plain form posts that work without JavaScript:
//!
//! - `POST /alerts`: the listing's "save this search" form. A refused one lands on `/alerts/new` with
//!   what was typed and the error.
//! - `POST /careers/{path}/alerts`: the career page's form; back to the page with `?subscribed=` or the
//!   error code and what was typed (bounded: the address when of a plausible length, and only the path's
//!   own steps).
//! - `POST /alerts/confirm`: the button of the confirmation link's page.
//! - `POST /alerts/unsubscribe?token=…`: the unsubscribe page's button, and RFC 8058's one-click POST
//!   (body `List-Unsubscribe=One-Click`), answered 200 without a redirect. No sign-in: the signed token
//!   is the authority, so the same-origin check lets it through.
//! - `POST /account/alerts`: "My alerts" (frequency, pause, resume, delete), the candidate's session and
//!   form token checked.
//!
//! Sign-ups are rate limited per client address and per e-mail address, the token forms per client
//! address, "My alerts" per candidate (429 with `Retry-After`).

use app::db::{self, AlertChange};
use app::domain::AlertRequest;
use app::domain::alert::{AlertFormError, Frequency, MAX_ALERT_QUERY, SearchAlertRequest, canonical_query};
use app::domain::career::career_path_url;
use app::error::AppError;
use app::service::alerts::{self as service, AlertsError, Links, Subscribed, Subscriber, Subscription, Unsubscribed};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::admin::{field, form_pairs, plain_page};
use crate::candidates::{candidate_of, read_candidate_post};
use crate::rate_limits::client_address;
use crate::state::{AppState, BODY_LIMIT_BYTES};

/// The longest e-mail address a refused form echoes back (the longest valid one).
const MAX_ECHOED_EMAIL: usize = 254;

/// Where "My alerts" is.
pub const MY_ALERTS_PATH: &str = "/account/alerts";

/// The request's form fields, or 413.
async fn read_form(request: Request) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT_BYTES)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    Ok((parts, form_pairs(&body)))
}

/// The board's alert links, or the 503 page.
async fn alert_links(state: &AppState) -> Result<Links, Response> {
    state.alert_links().await.map_err(|error| AppError::from(error).into_response())
}

/// The signed-in candidate sending the request, with whether their address is confirmed.
async fn subscriber_of(state: &AppState, extensions: &axum::http::Extensions) -> Result<Option<Subscriber>, Response> {
    let Some(candidate) = candidate_of(extensions).await else { return Ok(None) };
    let account =
        db::candidate_by_id(&state.pool, candidate.id).await.map_err(|error| AppError::from(error).into_response())?;
    Ok(account.map(|account| Subscriber {
        candidate_id: account.id,
        email: account.email,
        confirmed: account.confirmed,
    }))
}

/// Stores a checked subscription, rate limited per client and per address.
async fn store(
    state: &AppState,
    address: std::net::IpAddr,
    email: &str,
    subscription: &Subscription,
    subscriber: Option<&Subscriber>,
) -> Result<Result<Subscribed, AlertFormError>, Response> {
    if let Err(limited) = state.rate_limits.alert_sign_up(address, email) {
        tracing::warn!(%address, "alert sign-up rate limit reached");
        return Err(limited.response("Too many alert sign-ups; try again later."));
    }
    let links = alert_links(state).await?;
    match service::subscribe(&state.pool, &links, subscription, subscriber, chrono::Utc::now()).await {
        Ok(subscribed) => {
            if !subscribed.confirmed {
                state.mail_wake.notify_one();
            }
            tracing::info!(alert = subscribed.alert_id, confirmed = subscribed.confirmed, "alert saved");
            Ok(Ok(subscribed))
        }
        Err(AlertsError::TooMany) => Ok(Err(AlertFormError::TooMany)),
        Err(AlertsError::UnknownPath) => Err(AppError::NotFound.into_response()),
        Err(AlertsError::Storage(error)) => Err(AppError::from(error).into_response()),
    }
}

/// `POST /alerts`: the listing's form.
pub async fn subscribe_search(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    let (parts, pairs) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let email = field(&pairs, "email").unwrap_or_default().to_owned();
    let frequency = field(&pairs, "frequency").unwrap_or_default().to_owned();
    let query = field(&pairs, "query").unwrap_or_default().to_owned();
    let refused = |error: AlertFormError| {
        let mut echo = form_urlencoded::Serializer::new(String::new());
        echo.append_pair("alert_error", error.code());
        let canonical = canonical_query(&query);
        if canonical.len() <= MAX_ALERT_QUERY {
            echo.append_pair("query", &canonical);
        }
        if email.trim().len() <= MAX_ECHOED_EMAIL {
            echo.append_pair("email", email.trim());
        }
        if let Some(frequency) = Frequency::parse(&frequency) {
            echo.append_pair("frequency", frequency.code());
        }
        Redirect::to(&format!("/alerts/new?{}", echo.finish())).into_response()
    };
    let request = match SearchAlertRequest::parse(&email, &frequency, &query) {
        Ok(request) => request,
        Err(error) => return refused(error),
    };
    let subscriber = match subscriber_of(&state, &parts.extensions).await {
        Ok(subscriber) => subscriber,
        Err(response) => return response,
    };
    let subscription = Subscription::Search(request);
    match store(&state, address, &email, &subscription, subscriber.as_ref()).await {
        Ok(Ok(subscribed)) => {
            let what = if subscribed.confirmed { "saved" } else { "confirm-sent" };
            Redirect::to(&format!("/alerts/done?what={what}")).into_response()
        }
        Ok(Err(error)) => refused(error),
        Err(response) => response,
    }
}

/// `POST /careers/{path}/alerts`: the career page's form.
pub async fn subscribe_career(
    State(state): State<AppState>,
    Path(path_slug): Path<String>,
    request: Request,
) -> Response {
    let address = client_address(request.extensions());
    let (parts, pairs) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let email = field(&pairs, "email").unwrap_or_default().to_owned();
    let steps: Vec<String> = pairs.iter().filter(|(key, _)| key == "step").map(|(_, value)| value.clone()).collect();
    let frequency = Frequency::parse(field(&pairs, "frequency").unwrap_or_default()).unwrap_or_default();
    let path = match db::get_career_path(&state.pool, &path_slug).await {
        Ok(path) => path,
        Err(error) => return AppError::from(error).into_response(),
    };
    let page = career_path_url(&path.slug);
    let refused = |code: &str| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("alert_error", code);
        if email.trim().len() <= MAX_ECHOED_EMAIL {
            query.append_pair("email", email.trim());
        }
        query.append_pair("frequency", frequency.code());
        for step in path.steps.iter().filter(|step| steps.contains(&step.slug)) {
            query.append_pair("step", &step.slug);
        }
        Redirect::to(&format!("{page}?{}", query.finish())).into_response()
    };
    let request = match AlertRequest::parse(&email, &steps, &path) {
        Ok(request) => request,
        Err(error) => return refused(error.code()),
    };
    let subscriber = match subscriber_of(&state, &parts.extensions).await {
        Ok(subscriber) => subscriber,
        Err(response) => return response,
    };
    let subscription = Subscription::Career { request, path_slug: path.slug.clone(), frequency };
    match store(&state, address, &email, &subscription, subscriber.as_ref()).await {
        Ok(Ok(subscribed)) => {
            let subscribed = if subscribed.confirmed { "1" } else { "confirm" };
            Redirect::to(&format!("{page}?subscribed={subscribed}")).into_response()
        }
        // The career form has no place for this one: the alert page says it.
        Ok(Err(error)) => Redirect::to(&format!("/alerts/new?alert_error={}", error.code())).into_response(),
        Err(response) => response,
    }
}

/// `POST /alerts/confirm`: confirms the alert of the link's token.
pub async fn confirm(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    if let Err(limited) = state.rate_limits.token_form(address) {
        return limited.response("Too many attempts; try again in a minute.");
    }
    let (_, pairs) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let links = match alert_links(&state).await {
        Ok(links) => links,
        Err(response) => return response,
    };
    let token = field(&pairs, "token").unwrap_or_default();
    match service::confirm(&state.pool, &links, token, chrono::Utc::now()).await {
        Ok(Some(id)) => {
            tracing::info!(alert = id, "alert confirmed");
            Redirect::to("/alerts/done?what=confirmed").into_response()
        }
        Ok(None) => bad_link(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// The answer to a token that is not ours, or whose alert is gone.
fn bad_link() -> Response {
    plain_page(
        StatusCode::NOT_FOUND,
        "This link does not work",
        "The link is not valid, or its alert is gone (unconfirmed alerts are deleted after 7 days).",
    )
}

/// `POST /alerts/unsubscribe?token=…`: the unsubscribe button, and the one-click POST of RFC 8058.
pub async fn unsubscribe(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    if let Err(limited) = state.rate_limits.token_form(address) {
        return limited.response("Too many attempts; try again in a minute.");
    }
    let from_query: Option<String> = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "token").map(|(_, value)| value.into_owned())
    });
    let (_, pairs) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let one_click = field(&pairs, "List-Unsubscribe") == Some("One-Click");
    let Some(token) = from_query.or_else(|| field(&pairs, "token").map(str::to_owned)) else {
        return bad_link();
    };
    let links = match alert_links(&state).await {
        Ok(links) => links,
        Err(response) => return response,
    };
    let outcome = match service::unsubscribe(&state.pool, &links, &token).await {
        Ok(outcome) => outcome,
        Err(error) => return AppError::from(error).into_response(),
    };
    match outcome {
        Unsubscribed::BadToken => bad_link(),
        Unsubscribed::Stopped(what) | Unsubscribed::AlreadyStopped(what) if one_click => {
            tracing::info!(?what, "unsubscribed in one click");
            (StatusCode::OK, "Unsubscribed.").into_response()
        }
        Unsubscribed::Stopped(what) => {
            tracing::info!(?what, "unsubscribed");
            Redirect::to("/alerts/done?what=unsubscribed").into_response()
        }
        Unsubscribed::AlreadyStopped(_) => Redirect::to("/alerts/done?what=already").into_response(),
    }
}

/// `POST /account/alerts`: a change from "My alerts".
pub async fn change(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, true, MY_ALERTS_PATH).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Err(limited) = state.rate_limits.candidate_write(post.candidate.id) {
        return limited.response("Too many changes; try again in a minute.");
    }
    let alert_id = field(&post.pairs, "alert").and_then(|id| id.trim().parse::<i64>().ok());
    let change = match field(&post.pairs, "action").unwrap_or_default() {
        "frequency" => {
            Frequency::parse(field(&post.pairs, "frequency").unwrap_or_default()).map(AlertChange::Frequency)
        }
        "pause" => Some(AlertChange::Pause),
        "resume" => Some(AlertChange::Resume),
        "delete" => Some(AlertChange::Delete),
        _ => None,
    };
    let (Some(alert_id), Some(change)) = (alert_id, change) else {
        return plain_page(
            StatusCode::BAD_REQUEST,
            "That change is not possible",
            "Open My alerts again and choose a change.",
        );
    };
    match service::change(&state.pool, post.candidate.id, alert_id, change).await {
        Ok(true) => {
            let notice = if change == AlertChange::Delete { "deleted" } else { "changed" };
            Redirect::to(&format!("{MY_ALERTS_PATH}?notice={notice}")).into_response()
        }
        Ok(false) => AppError::NotFound.into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}
