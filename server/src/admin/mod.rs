//! The admin side: sign-in and sessions, the gate in front of every admin page, and the form posts that
//! create, edit, publish and close postings. Pages themselves are Leptos routes (`app::pages::admin`).

pub mod applications;
pub mod password;
pub mod postings;
pub mod session_store;
pub mod sign_in;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::auth::{self, SignedInAdmin};

/// Sessions end after this long without a request.
pub const SESSION_IDLE_TIMEOUT: time::Duration = time::Duration::hours(2);

/// The sign-in page and form.
pub const SIGN_IN_PATH: &str = "/admin/sign-in";

/// The sign-out form.
pub const SIGN_OUT_PATH: &str = "/admin/sign-out";

/// Where a signed-in admin lands.
pub const HOME_PATH: &str = "/admin/jobs";

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "jobboard_session";

/// The form field carrying the session's token.
pub const CSRF_FIELD: &str = "csrf";

/// True for `/admin` and everything under it.
fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// The admin signed in to the request's session, if any.
pub async fn admin_of(extensions: &axum::http::Extensions) -> Option<SignedInAdmin> {
    let session = extensions.get::<Session>()?;
    let pool = extensions.get::<app::db::Pool>()?;
    auth::signed_in(pool, session).await.ok().flatten()
}

/// Sends signed-out visitors of admin pages to the sign-in page (with the page to come back to), and
/// answers 401 to a signed-out admin form post. Runs inside the session layer. Every admin answer and
/// every server function's answer carries `Cache-Control: no-store`.
pub async fn admin_gate(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let private = is_admin_path(path) || path.starts_with("/fn/");
    let mut response = gate(request, next).await;
    if private {
        response
            .headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

async fn gate(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !is_admin_path(path) || path == SIGN_IN_PATH || path == SIGN_OUT_PATH {
        return next.run(request).await;
    }
    if admin_of(request.extensions()).await.is_some() {
        return next.run(request).await;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let back = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(HOME_PATH);
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("next", back);
        return Redirect::to(&format!("{SIGN_IN_PATH}?{}", query.finish())).into_response();
    }
    plain_page(
        StatusCode::UNAUTHORIZED,
        "Sign in to continue",
        "You are not signed in, or your session has ended. Nothing was changed.",
    )
}

/// A small page for answers that are not rendered by the app (401, 403, 429).
pub fn plain_page(status: StatusCode, title: &str, message: &str) -> Response {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · {site}</title>\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body class=\"bg-slate-50 p-8 text-slate-900\"><main class=\"mx-auto max-w-lg\">\
         <h1 class=\"text-2xl font-bold\">{title}</h1><p class=\"mt-3\">{message}</p>\
         <p class=\"mt-3\"><a class=\"text-indigo-700 underline\" href=\"{SIGN_IN_PATH}\">Sign in</a></p>\
         </main></body></html>",
        title = escape(title),
        message = escape(message),
        stylesheet = app::assets::stylesheet_href(),
        site = app::SITE_NAME,
    );
    (status, Html(body)).into_response()
}

/// The `(name, value)` pairs of a urlencoded form body.
pub fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The value of the first field `name`.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// True when the form carries the session's token (compared in constant time).
pub fn token_matches(pairs: &[(String, String)], admin: &SignedInAdmin) -> bool {
    field(pairs, CSRF_FIELD).is_some_and(|sent| auth::same_secret(sent, &admin.csrf_token))
}

/// A sign-in redirect target is kept only when it is an admin path on this site, written in the
/// characters a path and query use (so that it is always a valid `Location`).
pub fn safe_next(next: Option<&str>) -> String {
    let safe_characters =
        |path: &str| path.len() <= 512 && path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b));
    match next {
        Some(path) if is_admin_path(path) && !path.starts_with("//") && safe_characters(path) => {
            match path.parse::<Uri>() {
                Ok(uri) if uri.scheme().is_none() && uri.authority().is_none() => path.to_owned(),
                _ => HOME_PATH.to_owned(),
            }
        }
        _ => HOME_PATH.to_owned(),
    }
}

/// Refuses (400) a request whose path would change under normalisation: dot segments, backslashes,
/// doubled slashes, percent-encoded characters that decode to something a router could read differently.
/// Browsers never send such paths; without this, `/x/../admin/jobs` reached an admin page's shell past
/// the gate, which compares the path as sent.
pub async fn refuse_unnormalised_paths(request: Request, next: Next) -> Response {
    if is_normalised(request.uri().path()) {
        return next.run(request).await;
    }
    (StatusCode::BAD_REQUEST, "The address is not in its plain form.").into_response()
}

/// True when `path` reads the same to every router: no `.` or `..` segment, no empty segment, no
/// backslash, and no percent-encoding (nothing on this site needs it in a path).
fn is_normalised(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('%')
        && path.split('/').skip(1).enumerate().all(|(index, segment)| {
            segment != "." && segment != ".." && (!segment.is_empty() || index == path.split('/').count() - 2)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_returns_only_to_admin_paths_on_this_site() {
        assert_eq!(safe_next(Some("/admin/jobs/new")), "/admin/jobs/new");
        assert_eq!(safe_next(Some("/admin/jobs?q=rust")), "/admin/jobs?q=rust");
        for hostile in [
            "https://evil.example/admin/",
            "//evil.example/admin/",
            "/jobs",
            "/admin\\evil",
            "",
            "/admin/jobs\u{7f}",
            "/admin/jobs\r\nSet-Cookie: x=1",
            "/admin/jobs<script>",
        ] {
            assert_eq!(safe_next(Some(hostile)), HOME_PATH, "{hostile}");
        }
        assert_eq!(safe_next(None), HOME_PATH);
    }

    #[test]
    fn paths_that_change_under_normalisation_are_told_apart() {
        for plain in ["/", "/jobs", "/jobs/12-rust", "/admin/jobs/3/edit", "/pkg/jobboard.css", "/admin/"] {
            assert!(is_normalised(plain), "{plain}");
        }
        for odd in [
            "/x/../admin/jobs",
            "/admin\\jobs",
            "/./admin",
            "//admin/jobs",
            "/admin//jobs",
            "/%61dmin/jobs",
            "/admin/..",
        ] {
            assert!(!is_normalised(odd), "{odd}");
        }
    }

    #[test]
    fn the_form_token_must_match_exactly() {
        let admin = SignedInAdmin {
            id: 1,
            email: "a@example.com".into(),
            csrf_token: "abc123".into(),
            signed_in_at: 0,
            epoch: String::new(),
        };
        let form = |token: &str| vec![(CSRF_FIELD.to_owned(), token.to_owned())];
        assert!(token_matches(&form("abc123"), &admin));
        assert!(!token_matches(&form("abc124"), &admin));
        assert!(!token_matches(&form("abc12"), &admin));
        assert!(!token_matches(&[], &admin));
    }
}
