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
}

/// The admin signed in to `session`, if any.
pub async fn signed_in(session: &Session) -> Result<Option<SignedInAdmin>, AppError> {
    session.get::<SignedInAdmin>(SESSION_KEY).await.map_err(|error| {
        tracing::error!(%error, "could not read the session");
        AppError::Internal
    })
}

/// For server functions: the signed-in admin, or `Unauthorized` (401).
pub async fn require_admin() -> Result<SignedInAdmin, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in(&session).await?.ok_or(AppError::Unauthorized)
}
