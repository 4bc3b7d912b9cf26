//! The candidate's account: sign-up (with a confirmation e-mail), confirmation, sign-in and sign-out,
//! password change and reset by an e-mailed single-use link, the profile, and deletion. Passwords follow
//! the admins' rules (the same policy and argon2id hashing, the same sign-in limits); e-mails are
//! written to the outbox in the transaction that calls for them, and rate limited per client address
//! and per e-mail address.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use governor::clock::Clock;
use tower_sessions::Session;

use app::auth::{CANDIDATE_KEY, SignedInCandidate};
use app::db;
use app::domain::EmailAddress;
use app::domain::candidate::{CandidateProfile, FieldProblem, FormEcho};
use app::domain::mail::OutgoingMail;
use app::error::AppError;

use super::{HOME_PATH, SIGN_IN_PATH, read_candidate_post, safe_next, token_hash};
use crate::admin::password::{check_account_password, check_policy, hash_password, run_bounded};
use crate::admin::sign_in::{new_csrf_token, note_attempt, refused_attempt};
use crate::admin::{field, form_pairs};
use crate::rate_limits::{SignInGuard, client_address};
use crate::state::{AppState, BODY_LIMIT_BYTES, render_page_with};

/// How long a confirmation link works.
const CONFIRM_SECONDS: i64 = 24 * 60 * 60;
/// How long a reset link works.
const RESET_SECONDS: i64 = 60 * 60;
/// The longest password considered (the policy's own limit), checked before the policy's slower checks.
const MAX_PASSWORD_CHARS: usize = crate::admin::password::MAX_LENGTH;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A public form post: the session, the fields, and the request without its body.
async fn read_form(request: Request) -> Result<(Session, Vec<(String, String)>, Parts), Response> {
    let (parts, body) = request.into_parts();
    let Some(session) = parts.extensions.get::<Session>().cloned() else {
        tracing::error!("no session layer in front of a candidate form");
        return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let body = to_bytes(body, BODY_LIMIT_BYTES).await.map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    Ok((session, form_pairs(&body), parts))
}

/// The form's fields to show again: every one but passwords, tokens and the form token, within bounds.
fn echo(pairs: &[(String, String)], problems: Vec<FieldProblem>, refusal: Option<String>) -> FormEcho {
    let values = pairs
        .iter()
        .filter(|(name, _)| !name.contains("password") && name != "csrf")
        .take(20)
        .map(|(name, value)| (name.clone(), value.chars().take(20_000).collect()))
        .collect();
    FormEcho { values, problems, refusal }
}

/// The page of the request shown again with what was typed and what is wrong (422).
async fn refuse(state: &AppState, parts: Parts, echo: FormEcho) -> Response {
    render_page_with(state, parts, echo, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Starts a candidate's session under a new id (an id planted before sign-in is worthless after it),
/// bound to the account's session epoch.
async fn start_session(session: &Session, account: &db::CandidateAccount) -> Result<(), Response> {
    let candidate = SignedInCandidate {
        id: account.id,
        email: account.email.clone(),
        csrf_token: new_csrf_token(),
        signed_in_at: now(),
        epoch: account.session_epoch.clone(),
    };
    let started = async {
        session.cycle_id().await?;
        session.insert(CANDIDATE_KEY, &candidate).await
    };
    started.await.map_err(|error| {
        tracing::error!(%error, "could not start a session");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}

/// Hashes a password off the async workers, a few at a time.
async fn hash(password: String) -> Result<String, Response> {
    match run_bounded(move || hash_password(&password)).await {
        Some(Ok(hash)) => Ok(hash),
        Some(Err(error)) => {
            tracing::error!(%error, "could not hash a password");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        None => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

/// The policy's refusal of `password`, beside `field`.
fn password_problem(password: &str, context: &[&str], field_name: &str) -> Option<FieldProblem> {
    check_policy(password, context)
        .err()
        .map(|error| FieldProblem::new(field_name, format!("{}.", capitalised(&error.to_string()))))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The per-address limit of the forms that spend an e-mailed token (each may cost a password hash, or
/// guess at a token).
fn address_limited(state: &AppState, request: &Request) -> Option<Response> {
    let address = client_address(request.extensions());
    state.rate_limits.token_form(address).err().map(|limited| {
        tracing::warn!(%address, "token form rate limit reached");
        limited.response("Too many attempts from your address; try again shortly.")
    })
}

fn storage(error: db::Error) -> Response {
    AppError::from(error).into_response()
}

/// The page every sign-up, and every resend, lands on: the same whatever the address.
fn check_mail_page(notice: &str, next: &str) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("notice", notice);
    if next != HOME_PATH {
        query.append_pair("next", next);
    }
    Redirect::to(&format!("{SIGN_IN_PATH}?{}", query.finish())).into_response()
}

/// The confirmation link of a new account, coming back to `next` after sign-in.
fn confirmation_link(state: &AppState, token: &str, next: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("token", token);
    if next != HOME_PATH {
        query.append_pair("next", next);
    }
    format!("{}/account/confirm?{}", state.public_origin(), query.finish())
}

/// `POST /account/sign-up`: e-mail, password, name. The answer is the same whether or not the address
/// has an account, and so is the work on the request path (the password is hashed, one request is
/// queued); off it, a new address gets an unconfirmed account and the confirmation link, and an address
/// with an account gets an e-mail saying someone tried. Nobody is signed in: the account is entered once
/// its address is proved.
pub async fn sign_up(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    let (_, pairs, parts) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let typed_email = field(&pairs, "email").unwrap_or_default().to_owned();
    let password = field(&pairs, "password").unwrap_or_default().to_owned();
    let name = field(&pairs, "name").unwrap_or_default().trim().to_owned();
    let next = safe_next(field(&pairs, "next"));
    // Cheap checks first: the address, its length limits and the rate limits, then the password policy
    // (zxcvbn) and the hash.
    let mut problems = Vec::new();
    let email = EmailAddress::parse(&typed_email)
        .map_err(|error| problems.push(FieldProblem::new("email", format!("The address is {error}."))))
        .ok();
    if name.chars().count() > app::domain::candidate::MAX_NAME {
        problems.push(FieldProblem::new("name", "The name may have at most 200 characters."));
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        problems.push(FieldProblem::new("password", "The password may have at most 128 characters."));
    }
    let Some(email) = email.filter(|_| problems.is_empty()) else {
        return refuse(&state, parts, echo(&pairs, problems, None)).await;
    };
    if let Err(limited) = state.rate_limits.account_mail(address, email.as_str()) {
        tracing::warn!(%address, "account e-mail rate limit reached");
        return limited.response("Too many account e-mails asked for; try again later.");
    }
    if let Some(problem) = password_problem(&password, &[typed_email.as_str(), name.as_str()], "password") {
        return refuse(&state, parts, echo(&pairs, vec![problem], None)).await;
    }
    let password_hash = match hash(password).await {
        Ok(hash) => hash,
        Err(response) => return response,
    };
    let sign_up = (password_hash.as_str(), name.as_str(), next.as_str());
    if let Err(response) = queue_request(&state, "sign-up", &email, Some(sign_up)).await {
        return response;
    }
    tracing::info!(%address, "sign-up queued");
    check_mail_page("check-mail", &next)
}

/// `POST /account/sign-in`: the admins' rules (limits per address and per account, the same answer and
/// time for an unknown address and a wrong password, a new session id).
pub async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    if let Err(not_until) = state.sign_in_limiter.check_key(&address) {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now()).as_secs().max(1);
        return crate::admin::sign_in::too_many(wait, "from your address");
    }
    let (session, pairs, _) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let email = field(&pairs, "email").unwrap_or_default().trim().to_owned();
    let password = field(&pairs, "password").unwrap_or_default().to_owned();
    let next = safe_next(field(&pairs, "next"));
    let account_key = SignInGuard::account_key("candidate", &email);
    if let Some(response) = refused_attempt(&state, &account_key, address) {
        return response;
    }
    let account = match db::find_candidate(&state.pool, &email).await {
        Ok(account) => account,
        // Text the database cannot store (a NUL on PostgreSQL) names no account.
        Err(db::Error::Invalid(_)) => None,
        Err(error) => return storage(error),
    };
    let matches = check_account_password(account.as_ref().map(|a| a.password_hash.clone()), password).await;
    let owner = account.as_ref().map(|account| account.email.clone());
    note_attempt(&state, &account_key, address, matches == Some(true), owner.as_deref(), "/account/forgot").await;
    // An account whose address is not confirmed yet is not entered, and answers as a wrong password does:
    // otherwise signing up with someone's address and then signing in would tell whether it had an
    // account.
    let account = match (matches, account) {
        (Some(true), Some(account)) if account.confirmed => account,
        (Some(_), _) => {
            tracing::warn!(%address, "failed candidate sign-in");
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("error", "invalid");
            if email.len() <= 254 {
                query.append_pair("email", &email);
            }
            query.append_pair("next", &next);
            return Redirect::to(&format!("{SIGN_IN_PATH}?{}", query.finish())).into_response();
        }
        (None, _) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let Err(response) = start_session(&session, &account).await {
        return response;
    }
    tracing::info!(candidate = account.id, %address, "candidate signed in");
    Redirect::to(&next).into_response()
}

/// `POST /account/sign-out`: ends the session on the server.
pub async fn sign_out(request: Request) -> Response {
    if let Some(session) = request.extensions().get::<Session>().cloned()
        && let Err(error) = session.flush().await
    {
        tracing::error!(%error, "could not end a session");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Redirect::to(&format!("{SIGN_IN_PATH}?notice=signed-out")).into_response()
}

/// `POST /account/confirm`: spends the confirmation link's token (the e-mail's link opens a page with
/// this form: nothing changes on a GET).
pub async fn confirm(State(state): State<AppState>, request: Request) -> Response {
    if let Some(limited) = address_limited(&state, &request) {
        return limited;
    }
    let (_, pairs, parts) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let token = field(&pairs, "token").unwrap_or_default();
    let next = safe_next(field(&pairs, "next"));
    match db::confirm_candidate(&state.pool, &token_hash(token), now()).await {
        Ok(Some(id)) => {
            tracing::info!(candidate = id, "candidate address confirmed");
            let signed_in = crate::candidates::candidate_of(&parts.extensions).await.is_some();
            if signed_in {
                return Redirect::to(&format!("{HOME_PATH}?notice=confirmed")).into_response();
            }
            check_mail_page("confirmed", &next)
        }
        Ok(None) => {
            let refusal = "This link has been used or has expired. Sign in and ask for a new one.".to_owned();
            refuse(&state, parts, FormEcho { refusal: Some(refusal), ..FormEcho::default() }).await
        }
        Err(error) => storage(error),
    }
}

/// A queued request for an e-mailed link: the same write whatever the address, done off the request
/// path by [`process_account_requests`].
async fn queue_request(
    state: &AppState,
    purpose: &'static str,
    email: &EmailAddress,
    sign_up: Option<(&str, &str, &str)>,
) -> Result<(), Response> {
    db::queue_account_request(&state.pool, purpose, email.as_str(), sign_up, now()).await.map_err(storage)?;
    let worker = state.clone();
    tokio::spawn(async move { process_account_requests(&worker).await });
    Ok(())
}

/// `POST /account/confirm/resend`: a new confirmation link for the address typed (or the signed-in
/// candidate's), when it has an account still unconfirmed; the answer is the same either way.
pub async fn resend_confirmation(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    let (_, pairs, parts) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let typed = match crate::candidates::candidate_of(&parts.extensions).await {
        Some(candidate) => candidate.email,
        None => field(&pairs, "email").unwrap_or_default().to_owned(),
    };
    let email = match EmailAddress::parse(&typed) {
        Ok(email) => email,
        Err(_) => return check_mail_page("confirmation-sent", HOME_PATH),
    };
    if let Err(limited) = state.rate_limits.account_mail(address, email.as_str()) {
        return limited.response("Too many account e-mails asked for; try again later.");
    }
    if let Err(response) = queue_request(&state, "confirm", &email, None).await {
        return response;
    }
    check_mail_page("confirmation-sent", HOME_PATH)
}

/// Does the queued account requests: for each whose address has an account (an unconfirmed one, for a
/// new confirmation link), stores a new token and puts its e-mail in the outbox; then drops the request.
/// Runs after each request is queued, and in the periodic sweep for any a crash left.
pub async fn process_account_requests(state: &AppState) {
    const BATCH: i64 = 50;
    // In id order; one that fails is left for the sweep and the others go on.
    let mut after = 0;
    loop {
        let pending = match db::pending_account_requests(&state.pool, after, BATCH).await {
            Ok(pending) => pending,
            Err(error) => {
                tracing::warn!(%error, "could not read the account requests; the sweep tries again");
                return;
            }
        };
        if pending.is_empty() {
            return;
        }
        let mut mailed = false;
        for request in pending {
            after = request.id;
            match do_account_request(state, &request).await {
                Ok(sent) => mailed |= sent,
                Err(error) => {
                    tracing::warn!(%error, request = request.id, "an account request failed; the sweep tries again")
                }
            }
        }
        if mailed {
            state.mail_wake.notify_one();
        }
    }
}

/// One queued request; true when it put an e-mail in the outbox.
async fn do_account_request(state: &AppState, request: &db::AccountRequest) -> Result<bool, db::Error> {
    let token = new_csrf_token();
    let hashed = token_hash(&token);
    let origin = state.public_origin();
    if request.purpose == "sign-up" {
        let next = safe_next(Some(&request.next));
        let confirm = OutgoingMail::confirm_account(&request.email, &confirmation_link(state, &token, &next));
        let (sign_in_page, forgot_page) = (format!("{origin}{SIGN_IN_PATH}"), format!("{origin}/account/forgot"));
        let attempted = |owner: &str| OutgoingMail::sign_up_attempted(owner, &sign_in_page, &forgot_page);
        let new = db::NewCandidate {
            email: &request.email,
            password_hash: request.password_hash.as_deref().unwrap_or_default(),
            name: &request.name,
            token_hash: &hashed,
            expires_at: now() + CONFIRM_SECONDS,
        };
        let done = db::sign_up_candidate(&state.pool, request.id, &new, &confirm, &attempted).await?;
        match done {
            Some(db::SignedUp::Created(id)) => tracing::info!(candidate = id, "candidate signed up"),
            Some(db::SignedUp::AddressTaken) => tracing::info!("a sign-up with a taken address: its owner is told"),
            None => {}
        }
        return Ok(done.is_some());
    }
    let account = match db::find_candidate(&state.pool, &request.email).await {
        Ok(account) => account,
        Err(db::Error::Invalid(_)) => None,
        Err(error) => return Err(error),
    };
    let (mail, expires_at) = match (request.purpose.as_str(), &account) {
        ("reset", Some(account)) => (
            OutgoingMail::reset_password(&account.email, &format!("{origin}/account/reset?token={token}")),
            now() + RESET_SECONDS,
        ),
        ("confirm", Some(account)) if !account.confirmed => (
            OutgoingMail::confirm_account(&account.email, &confirmation_link(state, &token, HOME_PATH)),
            now() + CONFIRM_SECONDS,
        ),
        _ => return db::finish_account_request(&state.pool, request.id, None).await.map(|_| false),
    };
    let purpose = if request.purpose == "reset" { "reset" } else { "confirm" };
    let id = account.map(|account| account.id).unwrap_or_default();
    db::finish_account_request(&state.pool, request.id, Some((id, purpose, &hashed, expires_at, &mail))).await
}

/// `POST /account/forgot`: e-mails a reset link when the address has an account; the answer is the same
/// either way.
pub async fn forgot(State(state): State<AppState>, request: Request) -> Response {
    let address = client_address(request.extensions());
    let (_, pairs, parts) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let email = match EmailAddress::parse(field(&pairs, "email").unwrap_or_default()) {
        Ok(email) => email,
        Err(error) => {
            let problem = FieldProblem::new("email", format!("The address is {error}."));
            return refuse(&state, parts, echo(&pairs, vec![problem], None)).await;
        }
    };
    if let Err(limited) = state.rate_limits.account_mail(address, email.as_str()) {
        return limited.response("Too many account e-mails asked for; try again later.");
    }
    // The same write for every address; whether it has an account is looked at off the request path.
    if let Err(response) = queue_request(&state, "reset", &email, None).await {
        return response;
    }
    Redirect::to("/account/forgot?sent=1").into_response()
}

/// `POST /account/reset`: the reset link's token and a new password.
pub async fn reset(State(state): State<AppState>, request: Request) -> Response {
    if let Some(limited) = address_limited(&state, &request) {
        return limited;
    }
    let (_, pairs, parts) = match read_form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let token = field(&pairs, "token").unwrap_or_default().to_owned();
    let password = field(&pairs, "password").unwrap_or_default().to_owned();
    let spent = || {
        let refusal = "This link has been used or has expired. Ask for a new one.".to_owned();
        echo(&pairs, Vec::new(), Some(refusal))
    };
    // The token first (a look-up), then the policy and the hash: a guessed token costs no hashing.
    match db::reset_token_owner(&state.pool, &token_hash(&token), now()).await {
        Ok(Some(_)) => {}
        Ok(None) | Err(db::Error::Invalid(_)) => return refuse(&state, parts, spent()).await,
        Err(error) => return storage(error),
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        let problem = FieldProblem::new("password", "The password may have at most 128 characters.");
        return refuse(&state, parts, echo(&pairs, vec![problem], None)).await;
    }
    if let Some(problem) = password_problem(&password, &[], "password") {
        return refuse(&state, parts, echo(&pairs, vec![problem], None)).await;
    }
    let password_hash = match hash(password).await {
        Ok(hash) => hash,
        Err(response) => return response,
    };
    let new_epoch = new_csrf_token();
    match db::reset_candidate_password(&state.pool, &token_hash(&token), &password_hash, &new_epoch, now()).await {
        Ok(Some(id)) => {
            // Every session of the account ends, this browser's too: it signs in with the new password.
            tracing::info!(candidate = id, "candidate password reset; every session of the account ended");
            Redirect::to(&format!("{SIGN_IN_PATH}?notice=password-reset")).into_response()
        }
        Ok(None) => refuse(&state, parts, spent()).await,
        Err(error) => storage(error),
    }
}

/// `POST /account/password`: the current password and a new one.
pub async fn change_password(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, true, HOME_PATH).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Err(limited) = state.rate_limits.candidate_write(post.candidate.id) {
        return limited.response("Too many changes in a minute; try again shortly.");
    }
    let current = field(&post.pairs, "current_password").unwrap_or_default().to_owned();
    let new = field(&post.pairs, "new_password").unwrap_or_default().to_owned();
    if !password_matches(&state, post.candidate.id, current).await {
        let problem = FieldProblem::new("current_password", "The current password is wrong.");
        return refuse(&state, post.parts, echo(&post.pairs, vec![problem], None)).await;
    }
    if let Some(problem) = password_problem(&new, &[post.candidate.email.as_str()], "new_password") {
        return refuse(&state, post.parts, echo(&post.pairs, vec![problem], None)).await;
    }
    let password_hash = match hash(new).await {
        Ok(hash) => hash,
        Err(response) => return response,
    };
    let new_epoch = new_csrf_token();
    if let Err(error) = db::set_candidate_password(&state.pool, post.candidate.id, &password_hash, &new_epoch).await {
        return storage(error);
    }
    // Every other session of the account has ended; this one goes on under a new id and the new epoch.
    let renewed = match db::candidate_by_id(&state.pool, post.candidate.id).await {
        Ok(Some(account)) => account,
        Ok(None) => return AppError::NotFound.into_response(),
        Err(error) => return storage(error),
    };
    if let Some(session) = post.parts.extensions.get::<Session>()
        && let Err(response) = start_session(session, &renewed).await
    {
        return response;
    }
    tracing::info!(candidate = post.candidate.id, "password changed; every other session of the account ended");
    Redirect::to(&format!("{HOME_PATH}?notice=password-changed")).into_response()
}

/// True when `password` is the candidate's (checked off the async workers).
async fn password_matches(state: &AppState, id: i64, password: String) -> bool {
    let Ok(Some(account)) = db::candidate_by_id(&state.pool, id).await else {
        return false;
    };
    check_account_password(Some(account.password_hash), password).await.unwrap_or(false)
}

/// `POST /account/profile`: name, contact e-mail, CV link or text, note template.
pub async fn save_profile(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, true, HOME_PATH).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Err(limited) = state.rate_limits.candidate_write(post.candidate.id) {
        return limited.response("Too many changes in a minute; try again shortly.");
    }
    let read = |name: &str| field(&post.pairs, name).unwrap_or_default().to_owned();
    let profile = CandidateProfile {
        name: read("name"),
        contact_email: read("contact_email"),
        cv_url: read("cv_url"),
        cv_text: read("cv_text"),
        note_template: read("note_template"),
    };
    match profile.validate() {
        Ok(profile) => match db::save_candidate_profile(&state.pool, post.candidate.id, &profile).await {
            Ok(()) => Redirect::to(&format!("{HOME_PATH}?notice=profile-saved")).into_response(),
            Err(error) => storage(error),
        },
        Err(problems) => refuse(&state, post.parts, echo(&post.pairs, problems, None)).await,
    }
}

/// `POST /account/delete`: with the password. The applications are withdrawn and emptied of the
/// person's data first; the employer keeps that they existed.
pub async fn delete_account(State(state): State<AppState>, request: Request) -> Response {
    let post = match read_candidate_post(request, true, HOME_PATH).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if let Err(limited) = state.rate_limits.candidate_write(post.candidate.id) {
        return limited.response("Too many changes in a minute; try again shortly.");
    }
    let password = field(&post.pairs, "delete_password").unwrap_or_default().to_owned();
    if !password_matches(&state, post.candidate.id, password).await {
        let problem = FieldProblem::new("delete_password", "The password is wrong; the account was not deleted.");
        return refuse(&state, post.parts, echo(&post.pairs, vec![problem], None)).await;
    }
    let withdrawn = match db::delete_candidate(&state.pool, post.candidate.id).await {
        Ok(withdrawn) => withdrawn,
        Err(error) => return storage(error),
    };
    if let Some(session) = post.parts.extensions.get::<Session>()
        && let Err(error) = session.flush().await
    {
        tracing::error!(%error, "could not end the session of a deleted account");
    }
    tracing::info!(candidate = post.candidate.id, withdrawn, "candidate account deleted");
    Redirect::to(&format!("{SIGN_IN_PATH}?notice=deleted")).into_response()
}
