//! Who is signed in: the admin or the candidate kept in the server-side session (tower-sessions, stored in
//! the database; two separate roles under two keys), and the checks their server functions run first.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::db::{self, Pool};
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
    /// The account's session epoch when the session began: a session whose epoch is no longer the
    /// account's (a password reset or change since, or a deleted account) is signed out.
    #[serde(default)]
    pub epoch: String,
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
    /// The account's session epoch when the session began (see [`SignedInAdmin::epoch`]).
    #[serde(default)]
    pub epoch: String,
}

/// Who a session holds under one key: when they signed in, and the account's epoch then.
trait SignedIn: serde::de::DeserializeOwned {
    fn signed_in_at(&self) -> i64;
    fn epoch(&self) -> &str;
    /// The account's epoch now; `None` when the account is gone.
    async fn current_epoch(&self, pool: &Pool) -> Result<Option<String>, db::Error>;
}

impl SignedIn for SignedInAdmin {
    fn signed_in_at(&self) -> i64 {
        self.signed_in_at
    }

    fn epoch(&self) -> &str {
        &self.epoch
    }

    async fn current_epoch(&self, pool: &Pool) -> Result<Option<String>, db::Error> {
        db::admin_session_epoch(pool, self.id).await
    }
}

impl SignedIn for SignedInCandidate {
    fn signed_in_at(&self) -> i64 {
        self.signed_in_at
    }

    fn epoch(&self) -> &str {
        &self.epoch
    }

    async fn current_epoch(&self, pool: &Pool) -> Result<Option<String>, db::Error> {
        db::candidate_session_epoch(pool, self.id).await
    }
}

/// True when two secrets (session epochs, form tokens) are the same, compared in constant time; an empty
/// one never matches.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    !a.is_empty() && a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whoever `session` holds under `key`, if any. A session past its absolute lifetime, or whose account's
/// epoch has changed since it began (or whose account is gone), is ended (deleted on the server) and
/// counts as signed out.
async fn signed_in_as<T: SignedIn>(pool: &Pool, session: &Session, key: &str) -> Result<Option<T>, AppError> {
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
    let current = who.current_epoch(pool).await?;
    if !current.is_some_and(|current| same_secret(&current, who.epoch())) {
        tracing::info!(role = key, "session ended: the account's sessions were ended, or it is gone");
        session.flush().await.map_err(failed)?;
        return Ok(None);
    }
    session.insert(ACTIVE_MINUTE_KEY, now / 60).await.map_err(failed)?;
    Ok(Some(who))
}

/// The admin signed in to `session`, if any.
pub async fn signed_in(pool: &Pool, session: &Session) -> Result<Option<SignedInAdmin>, AppError> {
    signed_in_as(pool, session, SESSION_KEY).await
}

/// The candidate signed in to `session`, if any.
pub async fn signed_in_candidate(pool: &Pool, session: &Session) -> Result<Option<SignedInCandidate>, AppError> {
    signed_in_as(pool, session, CANDIDATE_KEY).await
}

/// For server functions: the signed-in candidate, or `Unauthorized` (401).
pub async fn require_candidate() -> Result<SignedInCandidate, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in_candidate(&crate::api::pool()?, &session).await?.ok_or(AppError::Unauthorized)
}

/// For server functions: the signed-in admin, or `Unauthorized` (401).
pub async fn require_admin() -> Result<SignedInAdmin, AppError> {
    let session: Session = leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })?;
    signed_in(&crate::api::pool()?, &session).await?.ok_or(AppError::Unauthorized)
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal_and_never_when_empty() {
        assert!(same_secret("a1b2c3", "a1b2c3"));
        assert!(!same_secret("a1b2c3", "a1b2c4"));
        assert!(!same_secret("a1b2c3", "a1b2c"));
        assert!(!same_secret("", ""), "an empty epoch (a session from before epochs) never matches");
    }
}
