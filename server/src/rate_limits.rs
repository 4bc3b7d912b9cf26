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
    /// Sign-in attempts (admin and candidate) a client address may make per minute, whatever the account.
    #[arg(long, env = "JOBBOARD_SIGN_INS_PER_ADDRESS_PER_MINUTE", default_value_t = ATTEMPTS_PER_MINUTE)]
    pub sign_ins_per_address_per_minute: u32,
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
            sign_ins_per_address_per_minute: ATTEMPTS_PER_MINUTE,
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
        check(&self.account_mails_per_email, &mailbox_key(email))
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
        check(&self.alerts_per_email, &mailbox_key(email))
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

/// The address that counts against a limit: the TCP peer, or for IPv6 its /64 network (one subscriber's
/// line gets a whole /64, and picking a new address in it must not buy new attempts). Behind a reverse
/// proxy every client shares the proxy's address; see the README.
pub fn client_address(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| limit_source(addr.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// `address` as a limit counts it: an IPv4 address as it is (an IPv4-mapped IPv6 address as IPv4), an
/// IPv6 address as its /64 network.
pub fn limit_source(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// The mailbox an address reaches, as limits count it: lower case, without a `+tag` in its local part
/// (`Ana+1@x.com` and `ana+2@x.com` are one mailbox), at most 254 characters.
pub fn mailbox_key(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let key = match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(base, _)| base);
            format!("{local}@{domain}")
        }
        None => email,
    };
    key.chars().take(254).collect()
}

/// Sign-in attempts allowed per client address per minute, by default.
pub const ATTEMPTS_PER_MINUTE: u32 = 5;

/// Sign-in attempts allowed per account from one source (client address) in a burst; after them, one
/// more every [`ACCOUNT_REFILL`].
pub const ACCOUNT_BURST: u32 = 10;

/// How often one more attempt on an account from one source is allowed once its burst is spent.
pub const ACCOUNT_REFILL: std::time::Duration = std::time::Duration::from_secs(90);

/// Sign-in attempts allowed per account from all sources together in a burst, then one more every
/// [`ACCOUNT_CEILING_REFILL`]: only guesses from many sources reach it, and even then a source that
/// signed in to the account before is not held back by it.
pub const ACCOUNT_CEILING: u32 = 100;

/// How often one more attempt on an account is allowed once its ceiling is reached (100 an hour).
pub const ACCOUNT_CEILING_REFILL: std::time::Duration = std::time::Duration::from_secs(36);

/// Wrong passwords for one account in an hour that make the board tell its owner (once an hour at most).
pub const GUESSES_BEFORE_OWNER_IS_TOLD: u32 = 20;

/// Sign-in attempts per client address.
pub type SignInLimiter = DefaultKeyedRateLimiter<IpAddr>;

/// How a guessed sign-in is limited, per account: the account with the source together (a stranger's
/// guesses never slow the owner down from another source), a high ceiling over all sources (which a
/// source the account signed in from before skips), and the count of wrong passwords that tells the
/// owner. Accounts are keyed by role and [`mailbox_key`].
pub struct SignInGuard {
    per_account_and_source: DefaultKeyedRateLimiter<(String, IpAddr)>,
    per_account: DefaultKeyedRateLimiter<String>,
    /// (account, source) pairs that signed in before, bounded in number.
    known_sources: quick_cache::sync::Cache<(String, IpAddr), ()>,
    wrong_passwords: DefaultKeyedRateLimiter<String>,
    owner_told: DefaultKeyedRateLimiter<String>,
}

/// The most (account, source) pairs remembered as having signed in (about 100 bytes each).
const KNOWN_SOURCES: usize = 100_000;

impl SignInGuard {
    /// The guard with this instance's share of each limit.
    pub fn new(settings: &RateLimitSettings) -> Self {
        let instances = settings.instances.max(1);
        let burst = |count: u32| NonZeroU32::new(settings.share(count)).unwrap_or(NonZeroU32::MIN);
        let refilled = |every: Duration, count: u32| {
            Quota::with_period(every * instances)
                .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
                .allow_burst(burst(count))
        };
        Self {
            per_account_and_source: RateLimiter::keyed(refilled(ACCOUNT_REFILL, ACCOUNT_BURST)),
            per_account: RateLimiter::keyed(refilled(ACCOUNT_CEILING_REFILL, ACCOUNT_CEILING)),
            known_sources: quick_cache::sync::Cache::new(KNOWN_SOURCES),
            wrong_passwords: RateLimiter::keyed(quota(
                settings.share(GUESSES_BEFORE_OWNER_IS_TOLD),
                Duration::from_secs(3_600),
            )),
            owner_told: RateLimiter::keyed(quota(1, Duration::from_secs(3_600))),
        }
    }

    /// The key of `email`'s account of `role` (`admin`, `candidate`).
    pub fn account_key(role: &str, email: &str) -> String {
        format!("{role}:{}", mailbox_key(email))
    }

    /// One sign-in attempt on `account` from `source`; the wait when it is over a limit.
    pub fn attempt(&self, account: &str, source: IpAddr) -> Result<(), Limited> {
        let pair = (account.to_owned(), source);
        check(&self.per_account_and_source, &pair)?;
        if self.known_sources.get(&pair).is_some() {
            return Ok(());
        }
        check(&self.per_account, &account.to_owned())
    }

    /// `source` signed in to `account`: later attempts from it skip the account's ceiling.
    pub fn signed_in(&self, account: &str, source: IpAddr) {
        self.known_sources.insert((account.to_owned(), source), ());
    }

    /// A wrong password for `account`: true when the owner should be told now (the hour's guesses
    /// crossed [`GUESSES_BEFORE_OWNER_IS_TOLD`], and the owner was not told in the last hour).
    pub fn wrong_password(&self, account: &str) -> bool {
        let key = account.to_owned();
        check(&self.wrong_passwords, &key).is_err() && check(&self.owner_told, &key).is_ok()
    }

    /// Forgets keys that have been idle long enough to be back at a full burst.
    pub fn retain_recent(&self) {
        self.per_account_and_source.retain_recent();
        self.per_account.retain_recent();
        self.wrong_passwords.retain_recent();
        self.owner_told.retain_recent();
    }
}

/// A limiter of this instance's share of the sign-in attempts per address and minute (a burst of that many,
/// then one every 60/N s).
pub fn sign_in_limiter(settings: &RateLimitSettings) -> SignInLimiter {
    let per_minute =
        NonZeroU32::new(settings.share(settings.sign_ins_per_address_per_minute)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(per_minute))
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
        let guard = SignInGuard::new(&two);
        assert_eq!((0..20).filter(|_| guard.attempt("a@b.c", address).is_ok()).count(), 5);
    }

    #[test]
    fn a_strangers_guesses_never_lock_the_owner_out() {
        let guard = SignInGuard::new(&RateLimitSettings::default());
        let account = SignInGuard::account_key("candidate", "Ana@Mail.example");
        let owner = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        guard.signed_in(&account, owner);
        let stranger = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
        let refused = (0..30).filter(|_| guard.attempt(&account, stranger).is_err()).count();
        assert_eq!(refused, 30 - ACCOUNT_BURST as usize, "the stranger is held back");
        assert!(guard.attempt(&account, owner).is_ok(), "the owner is not");
        // Many sources together reach the ceiling; the owner's known source still passes.
        for n in 0..200u32 {
            let _ = guard.attempt(&account, IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n)));
        }
        assert!(guard.attempt(&account, IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9))).is_err(), "a new source waits");
        assert!(guard.attempt(&account, owner).is_ok(), "the owner's known source does not");
    }

    #[test]
    fn the_owner_is_told_once_when_guesses_cross_the_threshold() {
        let guard = SignInGuard::new(&RateLimitSettings::default());
        let told = (0..100).filter(|_| guard.wrong_password("admin:a@b.c")).count();
        assert_eq!(told, 1);
    }

    #[test]
    fn limits_count_an_ipv6_network_and_a_mailbox_without_its_tag() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("address");
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("address");
        assert_eq!(limit_source(one), limit_source(other));
        assert_ne!(limit_source(one), limit_source("2001:db8:1:3::1".parse().expect("address")));
        let mapped: IpAddr = "::ffff:192.0.2.4".parse().expect("address");
        assert_eq!(limit_source(mapped), IpAddr::V4(Ipv4Addr::new(192, 0, 2, 4)));
        assert_eq!(mailbox_key(" Ana+jobs@Mail.Example "), "ana@mail.example");
        assert_eq!(mailbox_key("ana@mail.example"), "ana@mail.example");
    }

    proptest::proptest! {
        /// Every address of one /64 counts as one source; the key of a mailbox never keeps a tag.
        #[test]
        fn sources_and_mailboxes_fold(high: u64, low_a: u64, low_b: u64, local in "[a-z]{1,10}", tag in "[a-z0-9]{0,8}") {
            let a = IpAddr::V6(std::net::Ipv6Addr::from((u128::from(high) << 64) | u128::from(low_a)));
            let b = IpAddr::V6(std::net::Ipv6Addr::from((u128::from(high) << 64) | u128::from(low_b)));
            if a.to_canonical() == a && b.to_canonical() == b {
                proptest::prop_assert_eq!(limit_source(a), limit_source(b));
            }
            proptest::prop_assert_eq!(mailbox_key(&format!("{local}+{tag}@x.io")), format!("{local}@x.io"));
        }
    }
}
