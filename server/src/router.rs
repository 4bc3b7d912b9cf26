//! The axum router: Leptos pages and server functions, the listing page, static files, health, and
//! middleware.

use app::db::Pool;
use app::error::AppError;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::LeptosOptions;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::admin::session_store::DatabaseSessionStore;
use crate::admin::{self, SESSION_COOKIE, SESSION_IDLE_TIMEOUT};
use crate::candidates;
use crate::security::{HeaderSettings, is_https_url, public_origin_of, same_origin_only, security_headers};
use crate::state::{AppState, BODY_LIMIT_BYTES, page_context};

/// How long a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The longest request id a caller may choose.
const REQUEST_ID_MAX_LEN: usize = 64;

/// Drops a caller's `X-Request-Id` unless it is a short plain token (at most 64 letters, digits, `-`,
/// `_`, `.`), so that a new one is made: logs and answers carry no more than that of what a caller sent.
async fn plain_request_id(mut request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let plain = request.headers().get("x-request-id").is_none_or(|value| {
        value.to_str().is_ok_and(|id| {
            !id.is_empty()
                && id.len() <= REQUEST_ID_MAX_LEN
                && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    });
    if !plain {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// The span every request is handled in: its id (set by `SetRequestIdLayer`), method and route (the
/// matched pattern, such as `/jobs/{id}`, so that logs group by page; the path where none matched).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|value| value.to_str().ok()).unwrap_or("-");
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| request.uri().path(), |matched| matched.as_str());
    tracing::info_span!("request", id = %id, method = %request.method(), route = %route)
}

/// `/healthz`: the process is up and serving (nothing else is checked, so a busy database does not get
/// the process restarted).
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// `/readyz`: ready for traffic once the database answers, every migration of this build is applied and
/// the listing snapshot is loaded; 503 with the reason before that.
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    let unready = |reason: String| (StatusCode::SERVICE_UNAVAILABLE, reason);
    if let Err(error) = app::db::ping(&state.pool).await {
        tracing::error!(%error, "readiness: the database does not answer");
        return unready("database unavailable".to_owned());
    }
    match app::db::pending_migrations(&state.pool).await {
        Ok(0) => {}
        Ok(pending) => return unready(format!("{pending} migrations not applied")),
        Err(error) => {
            tracing::error!(%error, "readiness: reading the applied migrations failed");
            return unready("migrations unknown".to_owned());
        }
    }
    if state.listing_cache.snapshot_loads() == 0 {
        return unready("listing snapshot not loaded yet".to_owned());
    }
    (StatusCode::OK, "ready".to_owned())
}

/// Server functions answer every error with 500; give the response the status of the `AppError` it
/// carries (404 for an unknown posting, 400 for arguments that do not parse).
async fn server_fn_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status_code();
        if error == AppError::Unavailable {
            parts.headers.insert(axum::http::header::RETRY_AFTER, app::error::RETRY_AFTER_SECONDS.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The answer to a request whose handler panicked: a plain 500, the panic logged.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(panic = %message, "a request handler panicked");
    let mut response = Response::new(Body::from("Something went wrong on our side; please try again."));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// The folder of the built CSS, JS and wasm, served under `/pkg`.
pub fn site_pkg_folder(options: &LeptosOptions) -> std::path::PathBuf {
    std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir)
}

/// The built CSS, JS and wasm under `/pkg`, from their precompressed `.br`/`.gz` copies when the browser
/// accepts them and they exist, with the caching [`crate::assets::cache_by_name`] gives their names.
fn static_files(options: &LeptosOptions) -> Router {
    let files = ServeDir::new(site_pkg_folder(options)).precompressed_br().precompressed_gzip();
    Router::new().fallback_service(files).layer(from_fn(crate::assets::cache_by_name))
}

/// The app's routes, generated once per process. Generating them stops every resource in the process from
/// loading while it runs (a process-global flag in leptos_server, leptos-rs/leptos#4773): a render that
/// started meanwhile would wait forever. Generated once, before the first router exists, no render can
/// overlap it, even with several routers in one process (the in-process tests build one per test).
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application router over `state`.
pub fn build_app(state: AppState) -> Router {
    let routes = app_routes();
    let page_context = page_context(&state);
    let render_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let router = crate::sitemap::file_routes(Router::new())
        // The listing, rendered outside the Leptos router (see `listing_page`); every other page is routed.
        .route("/", get(crate::listing_page::listing_page))
        .route("/jobs", get(crate::listing_page::listing_page))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/sitemap.xml", get(crate::sitemap::index))
        .route("/api/v1/jobs", get(crate::api_v1::list))
        .route("/api/v1/jobs/{id}", get(crate::api_v1::one))
        .route("/api/v1/openapi.json", get(crate::api_v1::openapi))
        .route("/careers/{path}/alerts", post(crate::alerts::forms::subscribe_career))
        .route("/alerts", post(crate::alerts::forms::subscribe_search))
        .route("/alerts/confirm", post(crate::alerts::forms::confirm))
        .route("/alerts/unsubscribe", post(crate::alerts::forms::unsubscribe))
        .route(crate::alerts::forms::MY_ALERTS_PATH, post(crate::alerts::forms::change))
        .route("/jobs/feed.atom", get(crate::feeds::listing_feed))
        .route("/companies/{slug}/feed.atom", get(crate::feeds::company_feed))
        .route("/careers/{path}/feed.atom", get(crate::feeds::career_feed))
        .route("/admin", get(|| async { Redirect::to(admin::HOME_PATH) }))
        .route(admin::SIGN_IN_PATH, post(admin::sign_in::sign_in))
        .route(admin::SIGN_OUT_PATH, post(admin::sign_in::sign_out))
        .route("/admin/jobs/new", post(admin::postings::create))
        .route("/admin/jobs/{id}/edit", post(admin::postings::edit))
        .route("/admin/jobs/{id}/status", post(admin::postings::change_status))
        .route("/admin/applications/{id}/status", post(admin::applications::change_status))
        .route("/admin/companies/{slug}/limit", post(admin::applications::set_limit))
        .route("/account/sign-up", post(candidates::accounts::sign_up))
        .route(candidates::SIGN_IN_PATH, post(candidates::accounts::sign_in))
        .route("/account/sign-out", post(candidates::accounts::sign_out))
        .route("/account/confirm", post(candidates::accounts::confirm))
        .route("/account/confirm/resend", post(candidates::accounts::resend_confirmation))
        .route("/account/forgot", post(candidates::accounts::forgot))
        .route("/account/reset", post(candidates::accounts::reset))
        .route("/account/password", post(candidates::accounts::change_password))
        .route("/account/profile", post(candidates::accounts::save_profile))
        .route("/account/delete", post(candidates::accounts::delete_account))
        .route("/account/applications/{id}/withdraw", post(candidates::applications::withdraw))
        .route("/account/saved", post(candidates::applications::saved))
        .route("/account/planner", post(candidates::applications::planner))
        .route("/jobs/{id}/apply", post(candidates::applications::apply))
        .nest_service("/pkg", static_files(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, page_context.clone(), render_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context, shell))
        // Inside compression: the page is tagged and hashed as written.
        .layer(from_fn(crate::valid_html::valid_pages))
        .layer(from_fn(crate::page_cache::public_page_cache))
        .layer(from_fn(crate::alerts::never_cached))
        .layer(from_fn_with_state(state.views.clone(), crate::views::count_views))
        .layer(from_fn_with_state(
            crate::own_writes::OwnWrites { cache: state.listing_cache.clone(), pool: state.pool.clone() },
            crate::own_writes::wait_for_own_writes,
        ));
    with_site_middleware(router, state.pool.clone(), &state.public_url).with_state(state)
}

/// Wraps `router` in the middleware every response of the site passes through: server-function error
/// statuses, the admin gate, sessions (stored in `pool`), the same-origin check for POSTs, compression,
/// the body limit, the timeout, the security headers and tracing. `public_url` decides the origin checked
/// and whether cookies are `Secure`. The benchmark serves its hand-written reference through it too, so
/// that a load test compares the page handlers alone.
pub fn with_site_middleware<S>(router: Router<S>, pool: Pool, public_url: &str) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let https = is_https_url(public_url);
    let sessions = SessionManagerLayer::new(DatabaseSessionStore::new(pool.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE_TIMEOUT))
        // Saved only when changed: the session is read (lazily) only by the admin gate, the admin forms and
        // the admin server functions, and reading a signed-in session changes its "active minute" at most
        // once a minute (`app::auth`), which moves the inactivity expiry forward. Every other request,
        // `/pkg` files and public pages included, does no session I/O.
        .with_always_save(false);
    let origin: Arc<str> = Arc::from(public_origin_of(public_url));
    router
        .layer(map_response(server_fn_error_status))
        .layer(from_fn(admin::admin_gate))
        .layer(from_fn(candidates::candidate_gate))
        // The gates compare each session with its account's epoch in the database.
        .layer(axum::Extension(pool))
        .layer(sessions)
        .layer(from_fn_with_state(origin, same_origin_only))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        // A panic in a handler answers 500 (with the headers below) and a log line, instead of a dropped
        // connection.
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(from_fn(admin::refuse_unnormalised_paths))
        // Outside the limit and the timeout, so that 413 and 408 answers carry the headers too.
        .layer(from_fn_with_state(HeaderSettings { https }, security_headers))
        // Every line logged while a request is handled carries its id, method and route; its end logs the
        // status and the time taken. The id is the caller's `X-Request-Id` or a new UUID, and the answer
        // carries it back.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Millis)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(from_fn(plain_request_id))
}
