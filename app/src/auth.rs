//! Who is signed in: the admin kept in the server-side session (tower-sessions, stored in SQLite), and the
//! check every admin server function runs first.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::AppError;

/// The session key under which the signed-in admin is kept.
pub const SESSION_KEY: &str = "admin";

/// The admin a session belongs to, with the session's form token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInAdmin {
    pub id: i64,
    pub email: String,
    /// Sent back in every admin form and compared on the server (as well as the Origin check).
    pub csrf_token: String,
    /// When the admin signed in (unix seconds): a session ends [`ABSOLUTE_LIFETIME_SECONDS`] after it,
    /// however active. Sessions from before this field count as expired.
    #[serde(default)]
    pub signed_in_at: i64,
}

/// How long a session lasts after sign-in, active or not: 12 hours.
pub const ABSOLUTE_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

/// The session key holding the minute of the session's last request. It changes at most once a minute,
/// and a changed session is saved, which moves its idle expiry forward: so an active session is written
/// at most once a minute, and a request that does not read the session writes nothing.
pub const ACTIVE_MINUTE_KEY: &str = "active_minute";

/// The admin signed in to `session`, if any.
/// A session past its absolute lifetime is ended (deleted on the server) and counts as signed out.
pub async fn signed_in(session: &Session) -> Result<Option<SignedInAdmin>, AppError> {
    let failed = |error: tower_sessions::session::Error| {
        tracing::error!(%error, "could not read the session");
        AppError::Internal
    };
    let Some(admin) = session.get::<SignedInAdmin>(SESSION_KEY).await.map_err(failed)? else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    if now.saturating_sub(admin.signed_in_at) >= ABSOLUTE_LIFETIME_SECONDS {
        tracing::info!(admin = %admin.email, "session ended: past its absolute lifetime");
        session.flush().await.map_err(failed)?;
        return Ok(None);
    }
    session.insert(ACTIVE_MINUTE_KEY, now / 60).await.map_err(failed)?;
    Ok(Some(admin))
}

/// For server functions: the signed-in admin, or `Unauthorized` (401).
pub async fn require_admin() -> Result<SignedInAdmin, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in(&session).await?.ok_or(AppError::Unauthorized)
}
