//! The candidate side: accounts (sign-up with a confirmed address, sign-in, sign-out, password change and
//! reset, deletion, the profile), applying under the company's limit, withdrawing, saved jobs and the slot
//! planner. Pages are Leptos routes (`app::pages::account`); these are their form posts, which work
//! without JavaScript. A candidate is a role apart from the admin: its own session key, its own gate.

pub mod accounts;
pub mod applications;

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::Digest;
use tower_sessions::Session;

use app::auth::{self, SignedInCandidate};

use crate::admin::{CSRF_FIELD, field, form_pairs, plain_page};
use crate::state::BODY_LIMIT_BYTES;

/// The candidate's sign-in page and form.
pub const SIGN_IN_PATH: &str = "/account/sign-in";
/// The sign-up page and form.
pub const SIGN_UP_PATH: &str = "/account/sign-up";
/// Where a signed-in candidate lands.
pub const HOME_PATH: &str = "/account";

/// The account pages anyone may open (the rest of `/account` needs a signed-in candidate).
const PUBLIC_ACCOUNT_PATHS: [&str; 5] =
    ["/account/sign-in", "/account/sign-up", "/account/forgot", "/account/reset", "/account/confirm"];

/// True for the candidate's own pages: `/account…` and a posting's apply page.
fn is_candidate_path(path: &str) -> bool {
    path == HOME_PATH || path.starts_with("/account/") || is_apply_path(path)
}

/// True for `/jobs/{id}/apply`.
fn is_apply_path(path: &str) -> bool {
    path.strip_prefix("/jobs/")
        .and_then(|rest| rest.strip_suffix("/apply"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// The candidate signed in to the request's session, if any.
pub async fn candidate_of(extensions: &axum::http::Extensions) -> Option<SignedInCandidate> {
    let session = extensions.get::<Session>()?;
    let pool = extensions.get::<app::db::Pool>()?;
    auth::signed_in_candidate(pool, session).await.ok().flatten()
}

/// Sends signed-out visitors of the candidate's pages to the candidate sign-in page (and back after it).
/// Every answer of those pages carries `Cache-Control: no-store`.
pub async fn candidate_gate(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !is_candidate_path(&path) {
        return next.run(request).await;
    }
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = if reading
        && !PUBLIC_ACCOUNT_PATHS.contains(&path.as_str())
        && candidate_of(request.extensions()).await.is_none()
    {
        let back = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(HOME_PATH);
        sign_in_redirect(back)
    } else {
        next.run(request).await
    };
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

/// The redirect to the candidate sign-in page that comes back to `back` after it.
pub fn sign_in_redirect(back: &str) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("next", &safe_next(Some(back)));
    Redirect::to(&format!("{SIGN_IN_PATH}?{}", query.finish())).into_response()
}

/// A redirect target after sign-in or sign-up is kept only when it is one of the candidate's pages or a
/// posting on this site, written in the characters a path and query use.
pub fn safe_next(next: Option<&str>) -> String {
    let plain = |path: &str| {
        path.len() <= 512
            && path.starts_with('/')
            && !path.starts_with("//")
            && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b))
    };
    match next {
        Some(path)
            if plain(path)
                && (is_candidate_path(path.split('?').next().unwrap_or_default()) || path.starts_with("/jobs/")) =>
        {
            path.to_owned()
        }
        _ => HOME_PATH.to_owned(),
    }
}

/// The SHA-256 of an e-mailed token, as stored (the token itself is never stored).
pub fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A checked form post of a signed-in candidate: who sent it, its fields, and the request without its
/// body.
pub struct CandidatePost {
    pub candidate: SignedInCandidate,
    pub pairs: Vec<(String, String)>,
    pub parts: Parts,
}

/// Reads the body and checks the session and, when `with_token`, the session's form token (forms on
/// public pages, which every visitor is sent alike, carry none; the same-origin check covers them).
/// A signed-out post is sent to sign in, and back to `back` after it.
pub async fn read_candidate_post(request: Request, with_token: bool, back: &str) -> Result<CandidatePost, Response> {
    let (parts, body) = request.into_parts();
    let Some(candidate) = candidate_of(&parts.extensions).await else {
        return Err(sign_in_redirect(back));
    };
    let body = to_bytes(body, BODY_LIMIT_BYTES).await.map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let pairs = form_pairs(&body);
    if with_token && !token_matches(&pairs, &candidate) {
        tracing::warn!(candidate = candidate.id, path = %parts.uri.path(), "refused a form post with a bad token");
        return Err(plain_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from this site or your session changed. Open the page again and resend.",
        ));
    }
    Ok(CandidatePost { candidate, pairs, parts })
}

/// True when the form carries the session's token (compared in constant time).
fn token_matches(pairs: &[(String, String)], candidate: &SignedInCandidate) -> bool {
    field(pairs, CSRF_FIELD).is_some_and(|sent| auth::same_secret(sent, &candidate.csrf_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_candidate_pages_are_told_apart_from_the_rest() {
        for own in ["/account", "/account/applications", "/jobs/12/apply"] {
            assert!(is_candidate_path(own), "{own}");
        }
        for other in ["/jobs/12-rust", "/jobs/x/apply", "/jobs//apply", "/accounts", "/admin/jobs"] {
            assert!(!is_candidate_path(other), "{other}");
        }
    }

    #[test]
    fn sign_in_returns_only_to_the_candidate_pages_and_postings() {
        assert_eq!(safe_next(Some("/jobs/3/apply")), "/jobs/3/apply");
        assert_eq!(safe_next(Some("/jobs/3-rust")), "/jobs/3-rust");
        assert_eq!(safe_next(Some("/account/saved")), "/account/saved");
        for hostile in ["https://evil.example/jobs/1", "//evil.example/jobs/1", "/admin/jobs", "/jobs/1\r\nX: y", ""] {
            assert_eq!(safe_next(Some(hostile)), HOME_PATH, "{hostile}");
        }
    }
}
