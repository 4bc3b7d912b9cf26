//! Who is signed in: the admin or the candidate kept in the server-side session (tower-sessions, stored in
//! the database; two separate roles under two keys), and the checks their server functions run first.

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

/// The session key under which the signed-in candidate is kept (a role apart from the admin's).
pub const CANDIDATE_KEY: &str = "candidate";

/// The candidate a session belongs to, with the session's form token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInCandidate {
    pub id: i64,
    pub email: String,
    /// Sent back in every form of the candidate's own pages and compared on the server.
    pub csrf_token: String,
    /// When the candidate signed in (unix seconds); the session ends [`ABSOLUTE_LIFETIME_SECONDS`] later.
    pub signed_in_at: i64,
}

/// Who a session holds under one key, and when they signed in.
trait SignedIn: serde::de::DeserializeOwned {
    fn signed_in_at(&self) -> i64;
}

impl SignedIn for SignedInAdmin {
    fn signed_in_at(&self) -> i64 {
        self.signed_in_at
    }
}

impl SignedIn for SignedInCandidate {
    fn signed_in_at(&self) -> i64 {
        self.signed_in_at
    }
}

/// Whoever `session` holds under `key`, if any. A session past its absolute lifetime is ended (deleted on
/// the server) and counts as signed out.
async fn signed_in_as<T: SignedIn>(session: &Session, key: &str) -> Result<Option<T>, AppError> {
    let failed = |error: tower_sessions::session::Error| {
        tracing::error!(%error, "could not read the session");
        AppError::Internal
    };
    let Some(who) = session.get::<T>(key).await.map_err(failed)? else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    if now.saturating_sub(who.signed_in_at()) >= ABSOLUTE_LIFETIME_SECONDS {
        tracing::info!(role = key, "session ended: past its absolute lifetime");
        session.flush().await.map_err(failed)?;
        return Ok(None);
    }
    session.insert(ACTIVE_MINUTE_KEY, now / 60).await.map_err(failed)?;
    Ok(Some(who))
}

/// The admin signed in to `session`, if any.
pub async fn signed_in(session: &Session) -> Result<Option<SignedInAdmin>, AppError> {
    signed_in_as(session, SESSION_KEY).await
}

/// The candidate signed in to `session`, if any.
pub async fn signed_in_candidate(session: &Session) -> Result<Option<SignedInCandidate>, AppError> {
    signed_in_as(session, CANDIDATE_KEY).await
}

/// For server functions: the signed-in candidate, or `Unauthorized` (401).
pub async fn require_candidate() -> Result<SignedInCandidate, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in_candidate(&session).await?.ok_or(AppError::Unauthorized)
}

/// For server functions: the signed-in admin, or `Unauthorized` (401).
pub async fn require_admin() -> Result<SignedInAdmin, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in(&session).await?.ok_or(AppError::Unauthorized)
}
