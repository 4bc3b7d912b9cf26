//! The public JSON API: `GET /api/v1/jobs` takes exactly the listing page's query parameters (one parser,
//! `app::domain::filter`), and `GET /api/v1/jobs/{id}` returns one posting.

use app::api::jobs::PAGE_SIZE;
use app::db;
use app::domain::filter::parse_query_string;
use app::domain::job::job_path;
use app::domain::{JobCard, Pay};
use app::error::{AppError, JsonError};
use axum::Json;
use axum::extract::{Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::rate_limits::client_address;
use crate::state::AppState;

/// Amounts as JSON numbers in whole currency units (cents kept when there are any).
fn money(minor: i64) -> Value {
    if minor % 100 == 0 { json!(minor / 100) } else { json!(minor as f64 / 100.0) }
}

fn pay_json(pay: &Pay) -> Value {
    json!({
        "min": money(pay.min_minor()),
        "max": money(pay.max_minor()),
        "currency": pay.currency().as_str(),
        "unit": pay.unit().code(),
        "annual_min": pay.annual_min(),
        "annual_max": pay.annual_max(),
    })
}

/// A posting as the API shows it.
fn job_json(card: &JobCard, public_url: &str) -> Value {
    json!({
        "id": card.id,
        "url": format!("{}{}", public_url.trim_end_matches('/'), job_path(card.id, &card.slug)),
        "title": card.title,
        "company": { "name": card.company.name, "slug": card.company.slug },
        "locations": card.locations.iter().map(|l| json!({
            "city": l.city, "region": l.region, "country": l.country, "work_mode": l.work_mode.code(),
        })).collect::<Vec<_>>(),
        "employment_type": card.employment_type.code(),
        "level": card.level.code(),
        "pay": card.pay.as_ref().map(pay_json),
        "posted_at": card.posted_at.to_string(),
        "valid_through": card.valid_through.to_string(),
    })
}

fn error_json(error: AppError) -> Response {
    JsonError(error).into_response()
}

/// `GET /api/v1/jobs`: `{"total", "jobs", "facets", "next_cursor", "warnings"}`.
pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery, request: Request) -> Response {
    let parsed = parse_query_string(query.as_deref().unwrap_or_default());
    if !state.listing_cache.is_cached(&parsed.filter)
        && let Err(limited) = state.rate_limits.listing_miss(client_address(request.extensions()))
    {
        let mut response = limited.response("");
        *response.body_mut() = axum::body::Body::from(
            json!({ "error": "too many new searches from your address; retry later" }).to_string(),
        );
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        return response;
    }
    let app::db::Listing { summary, jobs, next_cursor, .. } =
        match state.listing_cache.listing(&state.pool, &parsed.filter, PAGE_SIZE).await {
            Ok(listing) => listing,
            Err(error) => return error_json(error.into()),
        };
    Json(json!({
        "total": summary.total,
        "jobs": jobs.iter().map(|card| job_json(card, &state.public_url)).collect::<Vec<_>>(),
        "facets": summary.facets,
        "next_cursor": next_cursor,
        "warnings": parsed.warnings,
    }))
    .into_response()
}

/// `GET /api/v1/jobs/{id}`: one posting with its sections (sanitised HTML) and benefits; 404 when unknown.
/// It names no related postings, so none are looked for.
pub async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(id) = app::domain::job::parse_job_path_segment(&id) else {
        return error_json(AppError::NotFound);
    };
    match db::get_job_detail(&state.pool, id, chrono::Utc::now().date_naive()).await {
        Ok(job) => {
            let mut value = job_json(&job.card, &state.public_url);
            value["open"] = json!(job.is_open());
            value["apply_url"] = json!(job.apply_url);
            value["apply_email"] = json!(job.apply_email);
            value["sections"] = json!(job.sections);
            value["benefits"] = json!(job.benefits);
            value["skills"] = json!(job.skills);
            Json(value).into_response()
        }
        Err(error) => error_json(error.into()),
    }
}
