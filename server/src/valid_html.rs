//! Makes the HTML that Leptos writes valid to the Nu HTML Checker, without changing what a browser builds
//! from it. Every rendered page passes through [`valid_pages`]; three things in it are rewritten:
//!
//! - **Markers.** tachys (Leptos 0.8's renderer) writes `<!>` between adjacent text nodes and where an
//!   empty view or list ends, with no setting to turn it off, also outside islands where nothing
//!   hydrates (`tachys::view::strings`, `tuples`, `iterators`). HTML parses `<!>` as an empty comment but
//!   calls it a "bogus comment" (a parse error); `<!---->` is the same empty comment written validly, so
//!   the document tree, and with it hydration, is unchanged.
//! - **Closing scripts.** leptos_axum appends the hydration context's scripts after the streamed
//!   document, that is after `</html>` ("stray start tag"). They move to just before `</body>`, where a
//!   parser puts them anyway.
//! - **Preload links.** Leptos's `HydrationScripts` writes the CSP nonce as the preload links'
//!   `crossorigin` value; an unknown value means `anonymous`, which is written instead.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::security::policy_nonce;

/// The most bytes a page may have to be rewritten (the largest career path is well under 1 MB); a bigger
/// one is refused as a server error rather than read without bound.
pub const PAGE_BYTES_LIMIT: usize = 8 * 1024 * 1024;

/// The marker tachys writes, and the same empty comment written validly.
const BOGUS_MARKER: &str = "<!>";
const VALID_MARKER: &str = "<!---->";

/// Rewrites one document as the module's documentation says; `nonce` is the response's CSP nonce, if any.
pub fn make_valid(html: &str, nonce: Option<&str>) -> String {
    let mut page = html.replace(BOGUS_MARKER, VALID_MARKER);
    if let Some(nonce) = nonce.filter(|nonce| !nonce.is_empty()) {
        page = page.replace(&format!(" crossorigin=\"{nonce}\""), " crossorigin=\"anonymous\"");
    }
    move_trailing_content_into_body(page)
}

/// Moves whatever follows the last `</html>` to just before the last `</body>`.
fn move_trailing_content_into_body(mut page: String) -> String {
    let Some(html_end) = page.rfind("</html>") else {
        return page;
    };
    let trailing_start = html_end + "</html>".len();
    if page[trailing_start..].trim().is_empty() {
        return page;
    }
    let Some(body_end) = page[..html_end].rfind("</body>") else {
        return page;
    };
    let trailing = page.split_off(trailing_start);
    page.insert_str(body_end, trailing.trim());
    page
}

/// True for an answer whose body is an HTML page.
pub fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|content_type| content_type.starts_with("text/html"))
}

/// Middleware over every page: rewrites each HTML answer with [`make_valid`]; other answers pass unchanged.
pub async fn valid_pages(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !is_html(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, PAGE_BYTES_LIMIT).await else {
        tracing::error!("a page was larger than {PAGE_BYTES_LIMIT} bytes");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let nonce = parts.headers.get(CONTENT_SECURITY_POLICY).and_then(policy_nonce);
    let page = make_valid(&String::from_utf8_lossy(&bytes), nonce.as_deref());
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn markers_become_valid_empty_comments() {
        let page = make_valid("<p>Jobboard<!> · Pay</p><ul><!></ul>", None);
        assert_eq!(page, "<p>Jobboard<!----> · Pay</p><ul><!----></ul>");
    }

    #[test]
    fn closing_scripts_move_before_the_end_of_the_body() {
        let page = make_valid(
            "<html><head></head><body><main></main></body></html><script nonce=\"n1\">A=[];</script><script>B=[];</script>\n",
            Some("n1"),
        );
        assert_eq!(
            page,
            "<html><head></head><body><main></main><script nonce=\"n1\">A=[];</script><script>B=[];</script></body></html>"
        );
        let unchanged = "<html><body></body></html>\n";
        assert_eq!(make_valid(unchanged, None), unchanged);
    }

    #[test]
    fn the_nonce_leaves_the_crossorigin_attribute() {
        let page = make_valid(
            "<link rel=\"modulepreload\" href=\"/pkg/jobboard.js\" crossorigin=\"HSP3x\"><script nonce=\"HSP3x\"></script>",
            Some("HSP3x"),
        );
        assert_eq!(
            page,
            "<link rel=\"modulepreload\" href=\"/pkg/jobboard.js\" crossorigin=\"anonymous\"><script nonce=\"HSP3x\"></script>"
        );
    }

    proptest! {
        /// Whatever a page holds, nothing but markers, the nonce's `crossorigin` and trailing content
        /// changes: text without them comes back as it went in, and no bogus marker is left.
        #[test]
        fn only_markers_and_trailing_content_change(text in "[a-z<>!/ ]{0,80}") {
            let page = make_valid(&text, None);
            prop_assert!(!page.contains(BOGUS_MARKER), "{page}");
            if !text.contains(BOGUS_MARKER) && !text.contains("</html>") {
                prop_assert_eq!(page, text);
            }
        }
    }
}
