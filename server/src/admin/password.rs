//! Admin passwords: the policy (12 to 128 characters, not easy to guess) and argon2id hashing with the
//! `argon2` crate's defaults (argon2id, 19 MiB, 2 passes), in PHC strings.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use std::sync::OnceLock;
use thiserror::Error;

/// Fewest characters in a password.
pub const MIN_LENGTH: usize = 12;
/// Most characters in a password.
pub const MAX_LENGTH: usize = 128;

/// Why a password was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password must have at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("the password is a common password or too easy to guess ({0}); choose a less predictable one")]
    Common(String),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
}

/// Checks the policy: length, and zxcvbn's guessability (its dictionaries hold the common-password lists;
/// scores below 3 of 4 are refused). `context` holds words an attacker knows, such as the e-mail address.
pub fn check_policy(password: &str, context: &[&str]) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let estimate = zxcvbn::zxcvbn(password, context);
    if u8::from(estimate.score()) < 3 {
        let reason = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map(|warning| warning.to_string())
            .unwrap_or_else(|| "score below 3 of 4".to_owned());
        return Err(PasswordError::Common(reason));
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt_bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|error| PasswordError::Hash(error.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hash(error.to_string()))
}

/// True when `password` matches the stored PHC string; false for a wrong password or a malformed hash.
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(error) => {
            tracing::error!(%error, "a stored password hash does not parse");
            false
        }
    }
}

/// Spends the same work as checking a real password, so an unknown e-mail address answers as slowly as a
/// wrong password.
pub fn verify_against_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not a password of anyone's").unwrap_or_default());
    let _ = verify_password(hash, password);
}

/// Checks `password` against the stored hash of the account found (`None`: no such account), off the
/// async workers and a few at a time (argon2 takes tens of milliseconds of CPU and 19 MiB). An unknown
/// account costs the same work as a wrong password. `Some(true)` when it matches; `None` when the check
/// did not finish.
pub async fn check_account_password(stored_hash: Option<String>, password: String) -> Option<bool> {
    run_bounded(move || match stored_hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            verify_against_nobody(&password);
            false
        }
    })
    .await
}

/// At most this many password hashes run at once (each takes 19 MiB and tens of milliseconds of a core):
/// as many as the machine has cores. More sign-ins wait their turn instead of taking all the memory.
fn hash_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(concurrent_hash_limit()))
}

/// Runs `check` (a password verification) on the blocking pool once a hash slot is free. `None` when the
/// check could not finish (the blocking task panicked or was cancelled).
pub async fn run_bounded<T: Send + 'static>(check: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _slot = hash_slots().acquire().await.ok()?;
    tokio::task::spawn_blocking(check).await.ok()
}

/// How many password checks may run at once.
pub fn concurrent_hash_limit() -> usize {
    std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(2)
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_password_checks_run_at_once_than_there_are_cores() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let checks = (0..4 * concurrent_hash_limit()).map(|_| {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            super::run_bounded(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            })
        });
        futures_util::future::join_all(checks).await;
        let most = most.load(Ordering::SeqCst);
        assert!(most >= 1 && most <= concurrent_hash_limit(), "{most} at once");
    }

    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert_eq!(check_policy("Sh0rt!pass", &[]), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"a".repeat(MAX_LENGTH + 1), &[]), Err(PasswordError::TooLong));
        for common in ["password1234", "123456789012", "qwertyuiop12", "iloveyou1234"] {
            assert!(matches!(check_policy(common, &[]), Err(PasswordError::Common(_))), "{common} passed");
        }
        assert!(matches!(check_policy("admin@example.com1", &["admin@example.com"]), Err(PasswordError::Common(_))));
    }

    #[test]
    fn a_long_unpredictable_password_passes() {
        assert_eq!(check_policy("correct horse battery staple 42", &[]), Ok(()));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let first = hash_password("correct horse battery staple").expect("hash");
        let second = hash_password("correct horse battery staple").expect("hash");
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert_ne!(first, second, "salts differ");
        assert!(verify_password(&first, "correct horse battery staple"));
        assert!(!verify_password(&first, "correct horse battery stapl"));
        assert!(!verify_password("not a hash", "anything"));
    }
}
