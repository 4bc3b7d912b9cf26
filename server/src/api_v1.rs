//! The public JSON API: `GET /api/v1/jobs` takes exactly the listing page's query parameters (one parser,
//! `app::domain::filter`), and `GET /api/v1/jobs/{id}` returns one posting. The answers are the typed
//! records below, and the OpenAPI 3.1 document at `/api/v1/openapi.json` is generated from them and
//! from the handlers' annotations (`utoipa`), so the description and the answers are one code.

use app::api::jobs::PAGE_SIZE;
use app::db;
use app::domain::filter::{FacetCount, Facets, parse_query_string};
use app::domain::job::job_path;
use app::domain::{JobCard, JobDetail, Pay};
use app::error::{AppError, JsonError};
use axum::Json;
use axum::extract::{Path, RawQuery, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::rate_limits::client_address;
use crate::state::AppState;

/// The API's description: `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jobboard API",
        version = "1",
        description = "Open job postings: the listing with the site's filters, facets and keyset paging, and one posting."
    ),
    paths(list, one),
    components(schemas(
        JobList, JobSummary, JobPosting, Company, Place, PayRange, FacetsJson, Facet, Section, Benefit, ApiError
    ))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of this API, written once.
pub async fn openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let document = DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], document.as_str()).into_response()
}

/// An error: what went wrong, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// E.g. "not found", or "too many new searches from your address; retry later".
    pub error: String,
}

/// The employer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Company {
    pub name: String,
    /// Its page is `/companies/{slug}`.
    pub slug: String,
}

/// A place of work.
#[derive(Debug, Serialize, ToSchema)]
pub struct Place {
    pub city: String,
    /// A two-letter state or region code, e.g. `CA`.
    pub region: String,
    /// A two-letter country code, e.g. `US`.
    pub country: String,
    /// `onsite`, `hybrid` or `remote`.
    pub work_mode: String,
}

/// The posted pay range.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayRange {
    /// In whole currency units (with cents when it has any).
    #[schema(value_type = f64)]
    pub min: serde_json::Number,
    #[schema(value_type = f64)]
    pub max: serde_json::Number,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
    /// `HOUR`, `DAY`, `WEEK`, `MONTH` or `YEAR`.
    pub unit: String,
    /// The range as a year's pay (what the `min_pay` and `max_pay` filters compare).
    pub annual_min: i64,
    pub annual_max: i64,
}

/// A posting as the listing shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobSummary {
    pub id: i64,
    /// The posting's page.
    pub url: String,
    pub title: String,
    pub company: Company,
    pub locations: Vec<Place>,
    /// E.g. `full_time`, `internship`.
    pub employment_type: String,
    /// E.g. `entry`, `mid`, `senior`.
    pub level: String,
    pub pay: Option<PayRange>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub posted_at: String,
    /// The last day to apply, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub valid_through: String,
}

/// One count beside a filter's choice.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facet {
    /// The query-string value that picks it, e.g. `san-jose-ca` or `remote`.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// The counts beside each choice of the filters, over all matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsJson {
    pub location: Vec<Facet>,
    pub region: Vec<Facet>,
    pub remote: Vec<Facet>,
    #[serde(rename = "type")]
    pub employment_type: Vec<Facet>,
    pub level: Vec<Facet>,
}

/// One page of the listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    /// How many postings match, on every page.
    pub total: i64,
    /// At most 20, in the listing's order.
    pub jobs: Vec<JobSummary>,
    pub facets: FacetsJson,
    /// Pass as `after` for the next page; null on the last.
    pub next_cursor: Option<String>,
    /// What was left out of the query, and why (unknown names, values out of range).
    pub warnings: Vec<String>,
}

/// A section of a posting's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct Section {
    pub heading: String,
    /// Sanitised HTML.
    pub html: String,
}

/// One benefit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Benefit {
    /// `health`, `money`, `leave`, `insurance`, `time_off`, `wellbeing` or `other`.
    pub group: String,
    pub kind: String,
    /// Days a year, for benefits counted in days.
    pub days: Option<u16>,
    pub note: Option<String>,
}

/// One posting, whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPosting {
    #[serde(flatten)]
    pub summary: JobSummary,
    /// False once it is closed or past its last day.
    pub open: bool,
    pub apply_url: Option<String>,
    pub apply_email: Option<String>,
    pub sections: Vec<Section>,
    pub benefits: Vec<Benefit>,
    pub skills: Vec<String>,
}

/// The listing's query parameters: those of the `/jobs` page. Unknown names and bad values are left out
/// with a warning, never refused.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// Keywords (title, company, skills, text).
    q: Option<String>,
    /// A place, as the location facet's values name it (`san-jose-ca`).
    location: Option<String>,
    /// A company's slug.
    company: Option<String>,
    /// A two-letter state or region code.
    region: Option<String>,
    /// Yearly pay from (whole units).
    min_pay: Option<String>,
    /// Yearly pay up to.
    max_pay: Option<String>,
    /// Posted within this many days.
    posted_within: Option<String>,
    /// `relevance`, `newest` or `pay`.
    sort: Option<String>,
    /// The `next_cursor` of the page before.
    after: Option<String>,
    /// An employment type, e.g. `full_time`.
    #[param(rename = "type")]
    employment_type: Option<String>,
    /// An experience level, e.g. `entry`.
    level: Option<String>,
    /// `onsite`, `hybrid` or `remote`.
    remote: Option<String>,
}

/// Amounts as JSON numbers in whole currency units (cents kept when there are any).
fn money(minor: i64) -> serde_json::Number {
    if minor % 100 == 0 {
        serde_json::Number::from(minor / 100)
    } else {
        serde_json::Number::from_f64(minor as f64 / 100.0).unwrap_or_else(|| serde_json::Number::from(minor / 100))
    }
}

impl From<&Pay> for PayRange {
    fn from(pay: &Pay) -> Self {
        Self {
            min: money(pay.min_minor()),
            max: money(pay.max_minor()),
            currency: pay.currency().as_str().to_owned(),
            unit: pay.unit().code().to_owned(),
            annual_min: pay.annual_min(),
            annual_max: pay.annual_max(),
        }
    }
}

impl JobSummary {
    fn of(card: &JobCard, public_url: &str) -> Self {
        Self {
            id: card.id,
            url: format!("{}{}", public_url.trim_end_matches('/'), job_path(card.id, &card.slug)),
            title: card.title.clone(),
            company: Company { name: card.company.name.clone(), slug: card.company.slug.clone() },
            locations: card
                .locations
                .iter()
                .map(|l| Place {
                    city: l.city.clone(),
                    region: l.region.clone(),
                    country: l.country.clone(),
                    work_mode: l.work_mode.code().to_owned(),
                })
                .collect(),
            employment_type: card.employment_type.code().to_owned(),
            level: card.level.code().to_owned(),
            pay: card.pay.as_ref().map(PayRange::from),
            posted_at: card.posted_at.to_string(),
            valid_through: card.valid_through.to_string(),
        }
    }
}

fn facets(list: &[FacetCount]) -> Vec<Facet> {
    list.iter().map(|f| Facet { value: f.value.clone(), label: f.label.clone(), count: f.count }).collect()
}

impl From<&Facets> for FacetsJson {
    fn from(all: &Facets) -> Self {
        Self {
            location: facets(&all.location),
            region: facets(&all.region),
            remote: facets(&all.remote),
            employment_type: facets(&all.employment_type),
            level: facets(&all.level),
        }
    }
}

impl JobPosting {
    fn of(job: &JobDetail, public_url: &str) -> Self {
        Self {
            summary: JobSummary::of(&job.card, public_url),
            open: job.is_open(),
            apply_url: job.apply_url.clone(),
            apply_email: job.apply_email.clone(),
            sections: job
                .sections
                .iter()
                .map(|s| Section { heading: s.heading.clone(), html: s.html.clone() })
                .collect(),
            benefits: job
                .benefits
                .iter()
                .map(|b| Benefit {
                    group: b.group.code().to_owned(),
                    kind: b.kind.clone(),
                    days: b.days,
                    note: b.note.clone(),
                })
                .collect(),
            skills: job.skills.clone(),
        }
    }
}

fn error_json(error: AppError) -> Response {
    JsonError(error).into_response()
}

/// The listing: one page of open postings that match, with the total and the facets.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the listing", body = JobList),
        (status = 400, description = "A path that is not in its plain form (dot segments, doubled slashes, encoded separators)", body = String, content_type = "text/plain"),
        (status = 429, description = "Too many new searches from this address", body = ApiError),
        (status = 503, description = "The database is busy; retry", body = ApiError),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(query): RawQuery, request: Request) -> Response {
    let parsed = parse_query_string(query.as_deref().unwrap_or_default());
    if !state.listing_cache.is_cached(&parsed.filter)
        && let Err(limited) = state.rate_limits.listing_miss(client_address(request.extensions()))
    {
        let mut response = limited.response("");
        let body = ApiError { error: "too many new searches from your address; retry later".into() };
        *response.body_mut() = axum::body::Body::from(serde_json::to_string(&body).unwrap_or_default());
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
    Json(JobList {
        total: summary.total,
        jobs: jobs.iter().map(|card| JobSummary::of(card, &state.public_url)).collect(),
        facets: FacetsJson::from(&summary.facets),
        next_cursor,
        warnings: parsed.warnings,
    })
    .into_response()
}

/// One posting with its sections (sanitised HTML), benefits and skills. It names no related postings,
/// so none are looked for.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    params((
        "id" = String,
        Path,
        description = "The posting's id, or its id and slug as in its page's address (`42-backend-engineer`)",
        pattern = "^[1-9][0-9]{0,17}(-[a-z0-9-]*)?$"
    )),
    responses(
        (status = 200, description = "The posting", body = JobPosting),
        (status = 400, description = "A path that is not in its plain form (dot segments, doubled slashes, encoded separators)", body = String, content_type = "text/plain"),
        (status = 404, description = "No such posting", body = ApiError),
        (status = 503, description = "The database is busy; retry", body = ApiError),
    )
)]
pub async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(id) = app::domain::job::parse_job_path_segment(&id) else {
        return error_json(AppError::NotFound);
    };
    match db::get_job_detail(&state.pool, id, chrono::Utc::now().date_naive()).await {
        Ok(job) => Json(JobPosting::of(&job, &state.public_url)).into_response(),
        Err(error) => error_json(error.into()),
    }
}
