//! `/` and `/jobs`: the listing page, rendered outside the Leptos router.
//!
//! The listing is the site's busiest page. As a routed page it paid on every request for leptos_axum's
//! response pipeline, the router and its route match, and a resource under a suspense boundary, which
//! together cost more CPU than rendering the page. Here the handler loads the page's data first, then
//! renders the app's [`listing_document`] in one synchronous pass, in a reactive owner set up as
//! leptos_axum sets it up for an islands app (a server shared context that does not hydrate, and a
//! nonce), and adds the shared context's closing scripts that leptos_axum appends, but inside the body
//! (where `valid_html` moves them on routed pages). The HTML is otherwise what the routed page sent.

use app::api::jobs::load_listing;
use app::domain::filter::parse_query_string;
use app::pages::job_list::listing_document;
use axum::extract::{RawQuery, Request, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hydration_context::{SharedContext, SsrSharedContext};
use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::{Owner, RenderHtml};
use std::sync::Arc;

use crate::rate_limits::client_address;
use crate::security::page_policy;
use crate::state::AppState;

/// Answers `GET /` and `GET /jobs?…` with the listing page; a failure to load it answers with the error's
/// status and the error page.
pub async fn listing_page(State(state): State<AppState>, RawQuery(query): RawQuery, request: Request) -> Response {
    let parsed = parse_query_string(query.as_deref().unwrap_or_default());
    if !state.listing_cache.is_cached(&parsed.filter)
        && let Err(limited) = state.rate_limits.listing_miss(client_address(request.extensions()))
    {
        return limited.response("Too many new searches from your address; try again in a little while.");
    }
    let page = load_listing(&state.pool, &state.listing_cache, &parsed.filter).await;
    let status = match &page {
        Ok(_) => StatusCode::OK,
        Err(error) => error.status_code(),
    };
    let options = state.leptos_options.clone();
    let (html, nonce) = render_page(move || listing_document(options, parsed, page)).await;
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(RETRY_AFTER, HeaderValue::from(app::error::RETRY_AFTER_SECONDS));
    }
    response
}

/// Renders the document that `document` builds, as leptos_axum renders an islands app's page, and returns
/// it with the nonce its inline scripts carry.
async fn render_page<View: RenderHtml>(document: impl FnOnce() -> View) -> (String, String) {
    let shared_context = Arc::new(SsrSharedContext::new_islands());
    let owner = Owner::new_root(Some(Arc::clone(&shared_context) as Arc<dyn SharedContext + Send + Sync>));
    let (mut html, nonce) = owner.with(|| {
        provide_nonce();
        let nonce = use_nonce().map(|nonce| nonce.to_string()).unwrap_or_default();
        (document().to_html(), nonce)
    });
    // The hydration globals the browser's runtime reads (empty here: the page has no resources), each
    // chunk in a script of its own, as leptos_axum sends them, but before `</body>` so the page is valid.
    let mut scripts = String::new();
    if let Some(mut chunks) = owner.with(|| shared_context.pending_data()) {
        while let Some(chunk) = chunks.next().await {
            scripts.push_str(&format!("<script nonce=\"{nonce}\">{chunk}</script>"));
        }
    }
    match html.rfind("</body>") {
        Some(body_end) => html.insert_str(body_end, &scripts),
        None => html.push_str(&scripts),
    }
    // Run the render's cleanups now, as leptos_axum does once a page is sent.
    owner.unset_with_forced_cleanup();
    (html, nonce)
}
