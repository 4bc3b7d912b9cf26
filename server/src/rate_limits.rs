//! Rate limits on public writes and on the listing's expensive work, per client address (the TCP peer)
//! and, for the alert form, per e-mail address. Each limit is a setting (`jobboard serve --help`), so that
//! the end-to-end tests can raise them. Counted per instance, in memory (governor's keyed limiters; idle
//! keys are forgotten by the periodic sweep). Behind a proxy that spreads clients over several instances,
//! each instance is told how many there are (`--instances`) and enforces its share of every limit, so
//! that the board as a whole allows what one instance would.

use axum::extract::ConnectInfo;
use axum::http::header::RETRY_AFTER;
use axum::http::{Extensions, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// How many of each thing a client may do, as bursts that refill evenly over the period named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct RateLimitSettings {
    /// Alert sign-ups a client address may send per hour.
    #[arg(long, env = "JOBBOARD_ALERTS_PER_ADDRESS_PER_HOUR", default_value_t = 20)]
    pub alerts_per_address_per_hour: u32,
    /// Alert sign-ups one e-mail address may receive per day (stops anyone flooding a mailbox).
    #[arg(long, env = "JOBBOARD_ALERTS_PER_EMAIL_PER_DAY", default_value_t = 5)]
    pub alerts_per_email_per_day: u32,
    /// Listing requests a client address may make per minute that the listing's caches cannot answer
    /// (a new keyword search or filter): generous for a person, tight for a script.
    #[arg(long, env = "JOBBOARD_LISTING_MISSES_PER_MINUTE", default_value_t = 120)]
    pub listing_misses_per_minute: u32,
    /// Account e-mails a client address may ask for per hour: sign-ups, password resets, new
    /// confirmation links.
    #[arg(long, env = "JOBBOARD_ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR", default_value_t = 10)]
    pub account_mails_per_address_per_hour: u32,
    /// Account e-mails one e-mail address may receive per day.
    #[arg(long, env = "JOBBOARD_ACCOUNT_MAILS_PER_EMAIL_PER_DAY", default_value_t = 5)]
    pub account_mails_per_email_per_day: u32,
    /// Confirmation and password-reset forms (which spend an e-mailed token) a client address may send
    /// per minute.
    #[arg(long, env = "JOBBOARD_TOKEN_FORMS_PER_MINUTE", default_value_t = 10)]
    pub token_forms_per_minute: u32,
    /// Writes a signed-in candidate may make per minute: applying, withdrawing, saving, planning, the
    /// profile.
    #[arg(long, env = "JOBBOARD_CANDIDATE_WRITES_PER_MINUTE", default_value_t = 30)]
    pub candidate_writes_per_minute: u32,
    /// How many instances serve the board behind one proxy: each enforces its share of every limit
    /// (rounded up), sign-in attempts included.
    #[arg(long, env = "JOBBOARD_INSTANCES", default_value_t = 1)]
    pub instances: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            alerts_per_address_per_hour: 20,
            alerts_per_email_per_day: 5,
            listing_misses_per_minute: 120,
            account_mails_per_address_per_hour: 10,
            account_mails_per_email_per_day: 5,
            candidate_writes_per_minute: 30,
            token_forms_per_minute: 10,
            instances: 1,
        }
    }
}

impl RateLimitSettings {
    /// This instance's share of `count` (rounded up, at least one).
    pub fn share(&self, count: u32) -> u32 {
        count.div_ceil(self.instances.max(1)).max(1)
    }
}

/// The limiters.
pub struct RateLimits {
    alerts_per_address: DefaultKeyedRateLimiter<IpAddr>,
    alerts_per_email: DefaultKeyedRateLimiter<String>,
    listing_misses: DefaultKeyedRateLimiter<IpAddr>,
    account_mails_per_address: DefaultKeyedRateLimiter<IpAddr>,
    account_mails_per_email: DefaultKeyedRateLimiter<String>,
    candidate_writes: DefaultKeyedRateLimiter<i64>,
    token_forms: DefaultKeyedRateLimiter<IpAddr>,
}

/// `count` a `period`, as a burst of `count` refilled evenly (at least one).
fn quota(count: u32, period: Duration) -> Quota {
    let count = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period / count.get()).unwrap_or_else(|| Quota::per_second(count)).allow_burst(count)
}

/// A refusal: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// The 429 answer, with `Retry-After` in whole seconds (at least one).
    pub fn response(self, message: &'static str) -> Response {
        let seconds = self.retry_after.as_secs().max(1);
        let mut response = (StatusCode::TOO_MANY_REQUESTS, message).into_response();
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        response
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Limited> {
    limiter
        .check_key(key)
        .map_err(|not_until| Limited { retry_after: not_until.wait_time_from(DefaultClock::default().now()) })
}

impl RateLimits {
    /// Limiters with the given settings.
    pub fn new(settings: RateLimitSettings) -> Self {
        Self {
            alerts_per_address: RateLimiter::keyed(quota(
                settings.share(settings.alerts_per_address_per_hour),
                Duration::from_secs(3_600),
            )),
            alerts_per_email: RateLimiter::keyed(quota(
                settings.share(settings.alerts_per_email_per_day),
                Duration::from_secs(86_400),
            )),
            listing_misses: RateLimiter::keyed(quota(
                settings.share(settings.listing_misses_per_minute),
                Duration::from_secs(60),
            )),
            account_mails_per_address: RateLimiter::keyed(quota(
                settings.share(settings.account_mails_per_address_per_hour),
                Duration::from_secs(3_600),
            )),
            account_mails_per_email: RateLimiter::keyed(quota(
                settings.share(settings.account_mails_per_email_per_day),
                Duration::from_secs(86_400),
            )),
            candidate_writes: RateLimiter::keyed(quota(
                settings.share(settings.candidate_writes_per_minute),
                Duration::from_secs(60),
            )),
            token_forms: RateLimiter::keyed(quota(
                settings.share(settings.token_forms_per_minute),
                Duration::from_secs(60),
            )),
        }
    }

    /// One account e-mail (sign-up, reset, new confirmation link) asked for from `address` to `email`.
    pub fn account_mail(&self, address: IpAddr, email: &str) -> Result<(), Limited> {
        check(&self.account_mails_per_address, &address)?;
        let email: String = email.trim().to_lowercase().chars().take(254).collect();
        check(&self.account_mails_per_email, &email)
    }

    /// One confirmation or password-reset form from `address`.
    pub fn token_form(&self, address: IpAddr) -> Result<(), Limited> {
        check(&self.token_forms, &address)
    }

    /// One write by the signed-in candidate `candidate_id`.
    pub fn candidate_write(&self, candidate_id: i64) -> Result<(), Limited> {
        check(&self.candidate_writes, &candidate_id)
    }

    /// One alert sign-up from `address` for `email` (compared in lower case).
    pub fn alert_sign_up(&self, address: IpAddr, email: &str) -> Result<(), Limited> {
        check(&self.alerts_per_address, &address)?;
        let email: String = email.trim().to_lowercase().chars().take(254).collect();
        check(&self.alerts_per_email, &email)
    }

    /// One listing request from `address` that the caches cannot answer.
    pub fn listing_miss(&self, address: IpAddr) -> Result<(), Limited> {
        check(&self.listing_misses, &address)
    }

    /// Forgets keys that have been idle long enough to be back at a full burst.
    pub fn retain_recent(&self) {
        self.alerts_per_address.retain_recent();
        self.alerts_per_email.retain_recent();
        self.listing_misses.retain_recent();
        self.account_mails_per_address.retain_recent();
        self.account_mails_per_email.retain_recent();
        self.candidate_writes.retain_recent();
        self.token_forms.retain_recent();
    }
}

/// The address that counts against a limit: the TCP peer. (Behind a reverse proxy every client shares the
/// proxy's address; see the README.)
pub fn client_address(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Sign-in attempts allowed per client address per minute.
pub const ATTEMPTS_PER_MINUTE: u32 = 5;

/// Sign-in attempts allowed per account (e-mail address) in a burst; after them, one more every
/// [`ACCOUNT_REFILL`]: spreading guesses over many addresses does not speed up guessing one password.
pub const ACCOUNT_BURST: u32 = 10;

/// How often one more attempt on an account is allowed once its burst is spent.
pub const ACCOUNT_REFILL: std::time::Duration = std::time::Duration::from_secs(90);

/// Sign-in attempts per client address.
pub type SignInLimiter = DefaultKeyedRateLimiter<IpAddr>;

/// Sign-in attempts per account, by lower-cased e-mail address.
pub type AccountLimiter = DefaultKeyedRateLimiter<String>;

/// A limiter of this instance's share of [`ATTEMPTS_PER_MINUTE`] per address (a burst of that many,
/// then one every 60/N s).
pub fn sign_in_limiter(settings: &RateLimitSettings) -> SignInLimiter {
    let per_minute = NonZeroU32::new(settings.share(ATTEMPTS_PER_MINUTE)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(per_minute))
}

/// A limiter of this instance's share of [`ACCOUNT_BURST`] attempts per account, then one every
/// [`ACCOUNT_REFILL`] times the number of instances.
pub fn account_limiter(settings: &RateLimitSettings) -> AccountLimiter {
    let quota = Quota::with_period(ACCOUNT_REFILL * settings.instances.max(1))
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(settings.share(ACCOUNT_BURST)).unwrap_or(NonZeroU32::MIN));
    RateLimiter::keyed(quota)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_of_several_instances_enforces_its_share_of_a_limit() {
        let two = RateLimitSettings { instances: 2, listing_misses_per_minute: 5, ..RateLimitSettings::default() };
        assert_eq!(two.share(5), 3);
        assert_eq!(RateLimitSettings { instances: 0, ..two }.share(5), 5, "zero instances counts as one");
        assert_eq!(RateLimitSettings { instances: 100, ..two }.share(5), 1, "never below one");
        let limits = RateLimits::new(two);
        let address = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let allowed = (0..10).filter(|_| limits.listing_miss(address).is_ok()).count();
        assert_eq!(allowed, 3, "an instance of two allows its share of the burst");
        let sign_in = sign_in_limiter(&two);
        assert_eq!((0..10).filter(|_| sign_in.check_key(&address).is_ok()).count(), 3);
        let accounts = account_limiter(&two);
        assert_eq!((0..20).filter(|_| accounts.check_key(&"a@b.c".to_owned()).is_ok()).count(), 5);
    }
}
