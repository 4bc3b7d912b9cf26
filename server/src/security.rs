//! Site-wide protections: security headers on every response (errors included), a Content-Security-Policy
//! with the page's nonce on rendered pages, and the same-origin rule for every request that can change
//! state (form posts and server functions alike).

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERER, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The policy of rendered pages: the site's own scripts and styles, plus the inline hydration scripts that
/// carry this response's nonce, and WebAssembly compilation for hydration.
pub fn page_policy(nonce: &str) -> String {
    page_policy_allowing(&format!("'nonce-{nonce}'"))
}

/// The policy of a public page that proxies may cache: its inline scripts are allowed by their hashes
/// (`'sha256-…'` sources) rather than a nonce, so that the page is the same for everyone.
pub fn page_policy_with_hashes(hashes: &[String]) -> String {
    page_policy_allowing(&hashes.join(" "))
}

/// The nonce a page policy names (`'nonce-…'`), if it names one.
pub fn policy_nonce(policy: &HeaderValue) -> Option<String> {
    let policy = policy.to_str().ok()?;
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let end = start + policy[start..].find('\'')?;
    Some(policy[start..end].to_owned())
}

/// The page policy with `inline_scripts` as the script sources beside the site's own files.
fn page_policy_allowing(inline_scripts: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {inline_scripts} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// The policy of every other response (JSON, files): nothing may run.
pub const DEFAULT_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The policy of an HTML page that did not set its own (the plain 401/403/429 pages; and, should a render
/// ever miss its nonce policy, a page still loads its own files): the site's own files, no inline script.
pub const HTML_FALLBACK_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Called in every page render's context: puts the page policy with the render's nonce on the response.
pub fn provide_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// What the headers middleware needs to know.
#[derive(Debug, Clone, Copy)]
pub struct HeaderSettings {
    /// Served over https: send HSTS.
    pub https: bool,
}

/// Adds the security headers to every response that does not set them itself.
pub async fn security_headers(State(settings): State<HeaderSettings>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    let is_html = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|content_type| content_type.starts_with("text/html"));
    if is_html && status == StatusCode::OK && !headers.contains_key(CONTENT_SECURITY_POLICY) {
        // Every rendered page sets its nonce policy; say so if one ever does not (seen once in a CI run).
        tracing::warn!(%path, "an HTML page went out without its nonce policy; the fallback policy applies");
    }
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(CONTENT_SECURITY_POLICY, if is_html { HTML_FALLBACK_POLICY } else { DEFAULT_POLICY });
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(X_FRAME_OPTIONS, "DENY");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    if settings.https {
        set(STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    response
}

/// Where a state-changing request came from, judged from its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSite {
    /// The site's own pages.
    SameOrigin,
    /// Another site (or an opaque `null` origin).
    CrossSite,
    /// No header says (not a browser): only a form token can vouch for it.
    Unknown,
}

/// Judges a request by `Sec-Fetch-Site`, then `Origin`, then `Referer`, against the public origin and
/// the `Host` the request was sent to.
pub fn request_site(headers: &HeaderMap, public_origin: &str) -> RequestSite {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(site) = header("sec-fetch-site") {
        return if matches!(site, "same-origin" | "none") { RequestSite::SameOrigin } else { RequestSite::CrossSite };
    }
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let is_ours = |origin: &str| {
        origin.eq_ignore_ascii_case(public_origin)
            || host.is_some_and(|host| {
                origin.eq_ignore_ascii_case(&format!("http://{host}"))
                    || origin.eq_ignore_ascii_case(&format!("https://{host}"))
            })
    };
    let verdict = |ours: bool| if ours { RequestSite::SameOrigin } else { RequestSite::CrossSite };
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        return verdict(origin != "null" && is_ours(origin));
    }
    if let Some(referer) = headers.get(REFERER).and_then(|v| v.to_str().ok()) {
        return verdict(origin_of(referer).is_some_and(is_ours));
    }
    RequestSite::Unknown
}

/// `https://host:port` of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    Some(&url[..end])
}

/// The one-click unsubscribe address of alert e-mails.
const UNSUBSCRIBE_PATH: &str = "/alerts/unsubscribe";

/// Refuses (403) a state-changing request from another site. Requests that name no origin at all are
/// refused for server functions and let through to form handlers, which require the session's form token
/// for anything an admin does.
pub async fn same_origin_only(State(public_origin): State<Arc<str>>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let site = request_site(request.headers(), &public_origin);
    // A mail client's one-click unsubscribe (RFC 8058) comes from wherever the client runs; its signed
    // token is what authorises it.
    let token_authorised = request.uri().path() == UNSUBSCRIBE_PATH;
    let refused = match site {
        _ if token_authorised => false,
        RequestSite::SameOrigin => false,
        RequestSite::CrossSite => true,
        RequestSite::Unknown => request.uri().path().starts_with("/fn/"),
    };
    if refused {
        tracing::warn!(path = %request.uri().path(), ?site, "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site requests are refused.").into_response();
    }
    next.run(request).await
}

/// True when `url` is https.
pub fn is_https_url(url: &str) -> bool {
    url.to_ascii_lowercase().starts_with("https://")
}

/// The origin of the configured public URL (`https://host:port`): without a path or trailing slash.
pub fn public_origin_of(url: &str) -> &str {
    let url = url.trim_end_matches('/');
    origin_of(url).unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    const SITE: &str = "https://jobs.example.com";

    #[test]
    fn fetch_metadata_decides_first() {
        assert_eq!(request_site(&headers(&[("sec-fetch-site", "same-origin")]), SITE), RequestSite::SameOrigin);
        let cross = headers(&[("sec-fetch-site", "cross-site"), ("origin", SITE)]);
        assert_eq!(request_site(&cross, SITE), RequestSite::CrossSite);
        assert_eq!(request_site(&headers(&[("sec-fetch-site", "same-site")]), SITE), RequestSite::CrossSite);
    }

    #[test]
    fn origin_must_be_the_public_origin_or_the_host() {
        assert_eq!(request_site(&headers(&[("origin", SITE)]), SITE), RequestSite::SameOrigin);
        let local = headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert_eq!(request_site(&local, SITE), RequestSite::SameOrigin);
        assert_eq!(request_site(&headers(&[("origin", "https://evil.example")]), SITE), RequestSite::CrossSite);
        assert_eq!(request_site(&headers(&[("origin", "null")]), SITE), RequestSite::CrossSite);
        let lookalike = headers(&[("origin", "https://jobs.example.com.evil.example")]);
        assert_eq!(request_site(&lookalike, SITE), RequestSite::CrossSite);
    }

    #[test]
    fn referer_is_used_when_origin_is_missing() {
        let ours = headers(&[("referer", "https://jobs.example.com/admin/jobs/new?x=1")]);
        assert_eq!(request_site(&ours, SITE), RequestSite::SameOrigin);
        let theirs = headers(&[("referer", "https://jobs.example.com.evil.example/")]);
        assert_eq!(request_site(&theirs, SITE), RequestSite::CrossSite);
        assert_eq!(request_site(&HeaderMap::new(), SITE), RequestSite::Unknown);
    }
}
