//! Read-your-writes for the listing: whoever changes a posting through this server sees the change on
//! their next page, while nobody else waits. The write's response carries a short-lived cookie with a
//! change-feed position at or after the commit (`db::listing_feed_written`); a later request carrying it
//! waits (at most [`WAIT`]) until the listing index is there. Every other request goes straight on, and
//! the refresher, woken by the write, applies it within milliseconds for everybody.

use app::db::{self, ListingCache, Pool};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// The cookie's name.
pub const COOKIE_NAME: &str = "listing_seen";

/// How long the cookie lives: the refresher applies a change long before.
const COOKIE_SECONDS: u32 = 60;

/// The longest a request waits for the index to reach its writer's position.
pub const WAIT: Duration = Duration::from_secs(2);

/// After a write through this server: wakes the refresher, and makes `response` carry the position its
/// writer's next pages wait for. A position that cannot be read costs only the wait (the refresher
/// applies the change regardless).
pub async fn remember(pool: &Pool, cache: &ListingCache, secure: bool, response: &mut Response) {
    cache.wake();
    let position = match db::listing_feed_written(pool).await {
        Ok(position) => position,
        Err(error) => {
            tracing::warn!(%error, "reading the change feed's position failed");
            return;
        }
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{COOKIE_NAME}={position}; Path=/; Max-Age={COOKIE_SECONDS}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The position a request's cookie names, if any.
fn position_of(request: &Request) -> Option<i64> {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
        .filter_map(|value| value.parse::<i64>().ok())
        .max()
}

/// What the middleware reads: the listing's index and its database.
#[derive(Clone)]
pub struct OwnWrites {
    pub cache: ListingCache,
    pub pool: Pool,
}

/// Middleware: a request whose cookie names a position the index has not reached applies the change feed
/// itself (with the refresher, whichever comes first; at most [`WAIT`]); any other request passes at once.
pub async fn wait_for_own_writes(State(own): State<OwnWrites>, request: Request, next: Next) -> Response {
    if let Some(position) = position_of(&request)
        && own.cache.position() < position
    {
        own.cache.changed(&own.pool, WAIT).await;
        if own.cache.position() < position {
            tracing::debug!(position, "the listing index did not reach the writer's position in time");
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_cookie(header: &str) -> Request {
        axum::http::Request::get("/jobs").header(COOKIE, header).body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn the_position_is_read_from_among_other_cookies() {
        assert_eq!(position_of(&with_cookie("a=1; listing_seen=42; b=2")), Some(42));
        assert_eq!(position_of(&with_cookie("listing_seen=x")), None);
        assert_eq!(position_of(&with_cookie("listing_seen_other=5")), None);
    }

    proptest! {
        #[test]
        fn any_cookie_header_is_read_without_panic(header in "[ -~]{0,200}") {
            if let Ok(value) = HeaderValue::from_str(&header) {
                let mut request = with_cookie("");
                request.headers_mut().insert(COOKIE, value);
                let _ = position_of(&request);
            }
        }
    }
}
