//! `POST /admin/sign-in` and `POST /admin/sign-out`. Sign-in is rate limited per client address, answers
//! the same for an unknown e-mail and a wrong password, and starts a new session id on success.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use governor::clock::{Clock, DefaultClock};
use rand::RngCore;
use tower_sessions::Session;

use app::auth::{SESSION_KEY, SignedInAdmin};
use app::db;
use app::domain::mail::OutgoingMail;

use super::password::check_account_password;
use super::{HOME_PATH, SIGN_IN_PATH, field, form_pairs, plain_page, safe_next};
use crate::rate_limits::{GUESSES_BEFORE_OWNER_IS_TOLD, SignInGuard, client_address};
use crate::state::{AppState, BODY_LIMIT_BYTES};

/// The 429 answer of a spent limit, with `Retry-After`.
pub fn too_many(wait: u64, whose: &str) -> Response {
    let mut response = plain_page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many sign-in attempts",
        &format!("Too many sign-in attempts {whose}. Try again in {wait} seconds."),
    );
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// A new random token (form tokens, e-mailed links): 256 random bits, hex.
pub fn new_csrf_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The per-account limits of a sign-in attempt on `account` (see [`SignInGuard`]) from `address`: the
/// 429 answer when one is spent.
pub fn refused_attempt(state: &AppState, account: &str, address: std::net::IpAddr) -> Option<Response> {
    let limited = state.sign_in_guard.attempt(account, address).err()?;
    tracing::warn!(%address, "sign-in rate limit of an account reached");
    Some(too_many(limited.retry_after.as_secs().max(1), "for this account from your address"))
}

/// Notes a sign-in attempt's outcome: a source that signed in is remembered; a wrong password for an
/// existing account (`owner`, its address) counts, and past [`GUESSES_BEFORE_OWNER_IS_TOLD`] an hour the
/// owner gets an e-mail (pointing to `reset_page`).
pub async fn note_attempt(
    state: &AppState,
    account: &str,
    address: std::net::IpAddr,
    signed_in: bool,
    owner: Option<&str>,
    reset_page: &str,
) {
    if signed_in {
        state.sign_in_guard.signed_in(account, address);
        return;
    }
    let Some(owner) = owner else { return };
    if state.sign_in_guard.wrong_password(account) {
        tracing::warn!(%address, "wrong passwords for one account crossed the threshold: its owner is told");
        let link = format!("{}{reset_page}", state.public_origin());
        let mail = OutgoingMail::sign_in_guesses(owner, GUESSES_BEFORE_OWNER_IS_TOLD, &link);
        match db::send_mail(&state.pool, &mail).await {
            Ok(()) => state.mail_wake.notify_one(),
            Err(error) => tracing::error!(%error, "could not tell an account's owner about wrong passwords"),
        }
    }
}

/// Handles the sign-in form.
pub async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    if let Err(not_until) = state.sign_in_limiter.check_key(&address) {
        let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        tracing::warn!(%address, "sign-in rate limit reached");
        return too_many(wait, "from your address");
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        tracing::error!("no session layer in front of the sign-in form");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(body) = to_bytes(request.into_body(), BODY_LIMIT_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let pairs = form_pairs(&body);
    let email = field(&pairs, "email").unwrap_or_default().trim().to_owned();
    let password = field(&pairs, "password").unwrap_or_default().to_owned();
    let next = safe_next(field(&pairs, "next"));
    let account_key = SignInGuard::account_key("admin", &email);
    if let Some(response) = refused_attempt(&state, &account_key, address) {
        return response;
    }

    let account = match db::find_admin(&state.pool, &email).await {
        Ok(account) => account,
        // Text the database cannot store (a NUL on PostgreSQL) names no account.
        Err(db::Error::Invalid(_)) => None,
        Err(error) => {
            tracing::error!(%error, "could not look up an admin");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let matches = check_account_password(account.as_ref().map(|a| a.password_hash.clone()), password).await;
    let owner = account.as_ref().map(|account| account.email.clone());
    note_attempt(&state, &account_key, address, matches == Some(true), owner.as_deref(), SIGN_IN_PATH).await;
    let account = match (matches, account) {
        (Some(true), Some(account)) => account,
        (Some(_), _) => {
            tracing::warn!(%address, "failed sign-in");
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("error", "invalid");
            // What was typed comes back, within an e-mail address's length (the body may be 64 KB).
            if email.len() <= 254 {
                query.append_pair("email", &email);
            }
            if next != HOME_PATH {
                query.append_pair("next", &next);
            }
            return Redirect::to(&format!("{SIGN_IN_PATH}?{}", query.finish())).into_response();
        }
        (None, _) => {
            tracing::error!("the password check did not finish");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };

    let admin = SignedInAdmin {
        id: account.id,
        email: account.email.clone(),
        csrf_token: new_csrf_token(),
        signed_in_at: chrono::Utc::now().timestamp(),
        epoch: account.session_epoch.clone(),
    };
    // A new id at sign-in: an id planted before sign-in is worthless after it.
    let started = async {
        session.cycle_id().await?;
        session.insert(SESSION_KEY, &admin).await
    };
    if let Err(error) = started.await {
        tracing::error!(%error, "could not start a session");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    tracing::info!(admin = %admin.email, %address, "signed in");
    Redirect::to(&next).into_response()
}

/// Ends the session on the server and removes the cookie.
pub async fn sign_out(request: Request) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return Redirect::to(SIGN_IN_PATH).into_response();
    };
    let who = super::admin_of(request.extensions()).await.map(|admin| admin.email);
    if let Err(error) = session.flush().await {
        tracing::error!(%error, "could not end a session");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Some(email) = who {
        tracing::info!(admin = %email, "signed out");
    }
    Redirect::to(&format!("{SIGN_IN_PATH}?signed_out=1")).into_response()
}
