//! Public pages a proxy may keep for a short time. The anonymous listing, posting, company and career
//! pages are the same for everyone, so each answer carries `Cache-Control: public, max-age=…` and a
//! content `ETag` (a repeat gets `304 Not Modified`). For that the page must not carry a per-response
//! nonce: its inline scripts (the hydration bootstrap, the listing's closing scripts, JSON-LD) are
//! allowed by their SHA-256 hashes in the Content-Security-Policy instead, computed from the page itself.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, ETAG, IF_NONE_MATCH, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use blake2::{Blake2b, Digest, digest::consts::U16};
use sha2::Sha256;

use crate::security::{page_policy_with_hashes, policy_nonce};
use crate::valid_html::{PAGE_BYTES_LIMIT, is_html};

/// How long a proxy or browser may reuse a public page without asking: the listing snapshot is at most
/// this much older than the database for a cached visitor.
pub const PUBLIC_MAX_AGE_SECONDS: u32 = 30;

/// True for the paths of the public, anonymous pages.
fn is_public_page(path: &str) -> bool {
    path == "/"
        || path == "/jobs"
        || ["/jobs/", "/companies/", "/careers/"]
            .iter()
            .any(|prefix| path.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && !rest.contains('/')))
}

/// Makes a public page's successful GET answer cacheable (see the module's documentation); every other
/// answer passes unchanged.
pub async fn public_page_cache(request: Request, next: Next) -> Response {
    let cacheable = request.method() == Method::GET && is_public_page(request.uri().path());
    let if_none_match = request.headers().get(IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if !cacheable
        || response.status() != StatusCode::OK
        || !is_html(&response)
        || response.headers().contains_key(SET_COOKIE)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, PAGE_BYTES_LIMIT).await else {
        tracing::error!("a public page was larger than {PAGE_BYTES_LIMIT} bytes");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    if let Some(nonce) = parts.headers.get(CONTENT_SECURITY_POLICY).and_then(policy_nonce) {
        html = html.replace(&format!(" nonce=\"{nonce}\""), "");
    }
    let hashes: Vec<String> = inline_scripts(&html)
        .map(|script| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script))))
        .collect();
    let tag = format!("W/\"{:x}\"", Blake2b::<U16>::digest(html.as_bytes()));
    let headers = &mut parts.headers;
    if let Ok(policy) = HeaderValue::from_str(&page_policy_with_hashes(&hashes)) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE_SECONDS}")) {
        headers.insert(CACHE_CONTROL, value);
    }
    headers.remove(CONTENT_LENGTH);
    let unchanged = if_none_match
        .as_ref()
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|candidate| weakly_equal(candidate.trim(), &tag)));
    if unchanged {
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(html))
}

/// Weak comparison of entity tags (RFC 9110 8.8.3.2): the same tag, `W/` aside; `*` matches any.
fn weakly_equal(candidate: &str, tag: &str) -> bool {
    candidate == "*" || candidate.trim_start_matches("W/") == tag.trim_start_matches("W/")
}

/// The text of every inline `<script>` of a page (those without `src`), as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let open_end = start + rest[start..].find('>')? + 1;
            let close = open_end + rest[open_end..].find("</script>")?;
            let tag = &rest[start..open_end];
            let text = &rest[open_end..close];
            rest = &rest[close + "</script>".len()..];
            if !tag.contains(" src=") {
                return Some(text);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_files_are_not() {
        let html = r#"<head><script type="module" src="/pkg/a.js"></script><script>one()</script></head>
            <body><script type="application/ld+json">{"a":1}</script></body><script>two</script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), vec!["one()", r#"{"a":1}"#, "two"]);
        assert_eq!(inline_scripts("<script>never closed").count(), 0);
    }

    #[test]
    fn only_the_public_pages_are_made_cacheable() {
        for path in ["/", "/jobs", "/jobs/1-backend", "/companies/tiktok", "/careers/backend-software-engineering"] {
            assert!(is_public_page(path), "{path}");
        }
        for path in ["/admin/jobs", "/jobs/", "/jobs/1/edit", "/api/v1/jobs", "/careers/x/alerts", "/sitemap.xml"] {
            assert!(!is_public_page(path), "{path}");
        }
    }

    #[test]
    fn entity_tags_compare_weakly() {
        assert!(weakly_equal("W/\"ab\"", "W/\"ab\""));
        assert!(weakly_equal("\"ab\"", "W/\"ab\""));
        assert!(weakly_equal("*", "W/\"ab\""));
        assert!(!weakly_equal("W/\"ac\"", "W/\"ab\""));
    }
}
