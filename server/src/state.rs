//! What every handler can reach (`AppState`), and what every page render and server function gets in its
//! context. Its own module so that handlers and the router both depend on it, not on each other.

use app::db::{ListingCache, Pool};
use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, provide_context};
use std::sync::Arc;

use crate::rate_limits::{RateLimitSettings, RateLimits, SignInGuard, SignInLimiter, sign_in_limiter};
use crate::security::{is_https_url, public_origin_of};
use crate::sitemap::{SitemapCache, SitemapSources};

/// Largest request body accepted (413 beyond it).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub leptos_options: LeptosOptions,
    /// The site's public origin, e.g. `https://jobs.example.com`, for absolute URLs (the sitemap), the
    /// same-origin check, and whether cookies are `Secure` and HSTS is sent (when it is https).
    pub public_url: String,
    /// Sign-in attempts per client address.
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// Sign-in attempts per account (with the source, and over all sources), and the owner's alarm.
    pub sign_in_guard: Arc<SignInGuard>,
    /// The listing's snapshot and what is cached over it, kept current by its refresher task.
    pub listing_cache: ListingCache,
    /// The built sitemap files.
    pub sitemaps: SitemapCache,
    /// Limits on public writes and on the listing's cache misses.
    pub rate_limits: Arc<RateLimits>,
    /// Wakes the outbox's sender (when one runs) after a write put an e-mail in the outbox.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// Views of posting pages not yet written.
    pub views: crate::views::ViewCounter,
    /// The links of alert e-mails, made at first use (their signing key is read from the database).
    alert_links: Arc<tokio::sync::OnceCell<app::service::alerts::Links>>,
}

impl AppState {
    /// The state for `pool`, `leptos_options` and `public_url`, with a fresh sign-in limiter, and the
    /// listing cache's refresher started (when called inside a tokio runtime).
    pub fn new(pool: Pool, leptos_options: LeptosOptions, public_url: String) -> Self {
        let listing_cache = ListingCache::default();
        listing_cache.spawn_refresher(pool.clone());
        Self {
            pool,
            leptos_options,
            public_url,
            sign_in_limiter: Arc::new(sign_in_limiter(&RateLimitSettings::default())),
            sign_in_guard: Arc::new(SignInGuard::new(&RateLimitSettings::default())),
            listing_cache,
            sitemaps: SitemapCache::default(),
            rate_limits: Arc::new(RateLimits::new(RateLimitSettings::default())),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            views: crate::views::ViewCounter::default(),
            alert_links: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The links of alert e-mails: absolute on the public origin, signed with the board's key.
    pub async fn alert_links(&self) -> Result<app::service::alerts::Links, app::db::Error> {
        self.alert_links.get_or_try_init(|| crate::alerts::links(&self.pool, self.public_origin())).await.cloned()
    }

    /// The same state with these rate limits (sign-in's included: its share of them).
    pub fn with_rate_limits(mut self, settings: RateLimitSettings) -> Self {
        self.sign_in_limiter = Arc::new(sign_in_limiter(&settings));
        self.sign_in_guard = Arc::new(SignInGuard::new(&settings));
        self.rate_limits = Arc::new(RateLimits::new(settings));
        self
    }

    /// True when the site is served over https.
    pub fn is_https(&self) -> bool {
        is_https_url(&self.public_url)
    }

    /// The public origin without a trailing slash or path.
    pub fn public_origin(&self) -> &str {
        public_origin_of(&self.public_url)
    }
}

/// What every page render and server function gets in its context: the database pool, the listing cache,
/// and (for pages) the security policy with the render's nonce.
pub fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let pool = state.pool.clone();
    let cache = state.listing_cache.clone();
    let origin = app::PublicOrigin(Arc::from(state.public_origin()));
    move || {
        provide_context(pool.clone());
        provide_context(cache.clone());
        provide_context(origin.clone());
        crate::security::provide_page_policy();
    }
}

impl FromRef<AppState> for SitemapSources {
    fn from_ref(state: &AppState) -> Self {
        Self {
            pool: state.pool.clone(),
            listing_cache: state.listing_cache.clone(),
            files: state.sitemaps.clone(),
            origin: Arc::from(state.public_origin()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Renders the page at the request's address (as for a GET of it) with `value` in its context, answered
/// with `status`: a refused form post shows its page again with what was typed and what is wrong.
pub async fn render_page_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: axum::http::request::Parts,
    value: T,
    status: axum::http::StatusCode,
) -> axum::response::Response {
    parts.method = axum::http::Method::GET;
    let context = page_context(state);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            context();
            provide_context(value.clone());
        },
        move || app::shell(options.clone()),
    );
    let mut response = render(axum::extract::Request::from_parts(parts, axum::body::Body::empty())).await;
    *response.status_mut() = status;
    response
}
