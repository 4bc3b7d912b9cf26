//! Alerts as workflows: subscribing (with confirmed opt-in), confirming, unsubscribing by a signed link,
//! and the sweep that sends what is due: confirmations not yet in the outbox, one digest per alert and
//! period, and the notices about changed postings. Every e-mail goes to the outbox in the transaction of
//! the fact it tells (a run, a change told), so a crash mid-sweep neither loses nor doubles one.

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use crate::db::{self, AlertChange, ListingCache, NewAlert, Pool, StoredAlert};
use crate::domain::alert::{
    AlertTarget, DIGEST_POSTINGS, DigestPosting, Frequency, MyAlert, SearchAlertRequest, UNCONFIRMED_LIFETIME_SECONDS,
    Unsubscribe, alert_filter,
};
use crate::domain::job::job_path;
use crate::domain::mail::OutgoingMail;
use crate::domain::{AlertRequest, JobCard};

/// The most postings a run considers (and marks told): the digest lists the first
/// [`DIGEST_POSTINGS`], and links to the listing for the rest.
const RUN_POSTINGS: i64 = 200;
/// Alerts read at once by the sweep.
const SWEEP_BATCH: i64 = 200;
/// Changes told per sweep, and followers told per change.
const CHANGES_PER_SWEEP: i64 = 100;
const FOLLOWERS_PER_CHANGE: i64 = 10_000;
/// How long the run log keeps a run: past the longest period (a week), so a period's run is always seen.
const RUN_LOG_SECONDS: i64 = 8 * 24 * 3600;
/// How long a told change, and a told posting after it closed, are kept.
const HISTORY_DAYS: u64 = 30;

/// Why an alert workflow stopped.
#[derive(Debug, Error)]
pub enum AlertsError {
    #[error("the address already has {} alerts", db::MAX_ALERTS_PER_ADDRESS)]
    TooMany,
    #[error("no such career path")]
    UnknownPath,
    #[error(transparent)]
    Storage(#[from] db::Error),
}

/// Signs and checks the tokens of e-mailed links, with a key kept in the database (made at first use,
/// shared by every instance).
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Signer(..)")
    }
}

/// The signing key's name in `signing_keys`.
const KEY_NAME: &str = "alert-links";

impl Signer {
    /// The board's signer: its stored key, or a new random one stored now.
    pub async fn load(pool: &Pool) -> Result<Self, db::Error> {
        use rand::RngCore;
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let fresh: String = fresh.iter().map(|byte| format!("{byte:02x}")).collect();
        let key = db::signing_key(pool, KEY_NAME, &fresh).await?;
        Ok(Self { key: key.into_bytes() })
    }

    fn mac(&self, purpose: &str, subject: &str) -> Hmac<Sha256> {
        // A key of any length is accepted by HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(purpose.as_bytes());
        mac.update(b"\n");
        mac.update(subject.as_bytes());
        mac
    }

    /// A token for `subject` and `purpose`: the subject and its signature.
    pub fn sign(&self, purpose: &str, subject: &str) -> String {
        let signature: String =
            self.mac(purpose, subject).finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{subject}.{signature}")
    }

    /// The subject of `token` when its signature for `purpose` holds.
    pub fn verify<'t>(&self, purpose: &str, token: &'t str) -> Option<&'t str> {
        let (subject, signature) = token.trim().rsplit_once('.')?;
        if signature.len() != 64 || subject.len() > 100 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..32)
            .map(|index| signature.get(index * 2..index * 2 + 2).and_then(|hex| u8::from_str_radix(hex, 16).ok()))
            .collect();
        self.mac(purpose, subject).verify_slice(&bytes?).ok().map(|()| subject)
    }
}

/// The purposes a token is signed for.
const UNSUBSCRIBE: &str = "unsubscribe";
const CONFIRM: &str = "confirm";
/// How long a confirmation link works: as long as an unconfirmed alert is kept.
const CONFIRM_LINK_SECONDS: i64 = UNCONFIRMED_LIFETIME_SECONDS;
/// How long an unsubscribe link works (each e-mail carries a new one).
const UNSUBSCRIBE_LINK_SECONDS: i64 = 180 * 24 * 3600;

/// What a genuine, unexpired link names: a row, and the secret it had when the link was made. The row
/// must still have that secret for the link to act, so a link of a deleted row never acts on another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub what: Unsubscribe,
    pub secret: String,
}

/// The signed subject of a link: the row, its secret, and when the link expires (unix seconds).
fn link_subject(what: Unsubscribe, secret: &str, expires_at: i64) -> String {
    format!("{}:{secret}:{expires_at}", what.subject())
}

/// Reads what [`link_subject`] wrote, when the link has not expired at `now`.
fn read_link_subject(subject: &str, now: i64) -> Option<LinkTarget> {
    let (rest, expires_at) = subject.rsplit_once(':')?;
    let (what, secret) = rest.rsplit_once(':')?;
    let expires_at: i64 = expires_at.parse().ok()?;
    let plain_secret = !secret.is_empty() && secret.len() <= 64 && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    if expires_at <= now || !plain_secret {
        return None;
    }
    Some(LinkTarget { what: Unsubscribe::from_subject(what)?, secret: secret.to_owned() })
}

/// Builds the absolute links of alert e-mails.
#[derive(Debug, Clone)]
pub struct Links {
    /// The public origin, without a trailing slash.
    pub origin: String,
    pub signer: Signer,
}

impl Links {
    /// The one-click unsubscribe address for `what`, whose row has link secret `secret` (a page, and the
    /// target of RFC 8058's POST); it works for [`UNSUBSCRIBE_LINK_SECONDS`].
    pub fn unsubscribe(&self, what: Unsubscribe, secret: &str) -> String {
        let expires_at = Utc::now().timestamp() + UNSUBSCRIBE_LINK_SECONDS;
        let token = self.signer.sign(UNSUBSCRIBE, &link_subject(what, secret, expires_at));
        format!("{}/alerts/unsubscribe?{}", self.origin, token_query(&token))
    }

    /// The address that confirms alert `id`, whose link secret is `secret`; it works for
    /// [`CONFIRM_LINK_SECONDS`].
    pub fn confirm(&self, id: i64, secret: &str) -> String {
        let expires_at = Utc::now().timestamp() + CONFIRM_LINK_SECONDS;
        let token = self.signer.sign(CONFIRM, &link_subject(Unsubscribe::Alert(id), secret, expires_at));
        format!("{}/alerts/confirm?{}", self.origin, token_query(&token))
    }

    /// What an unsubscribe token stops, when it is genuine and unexpired at `now`.
    pub fn read_unsubscribe(&self, token: &str, now: i64) -> Option<LinkTarget> {
        self.signer.verify(UNSUBSCRIBE, token).and_then(|subject| read_link_subject(subject, now))
    }

    /// The alert (and its secret) a confirmation token confirms, when it is genuine and unexpired.
    pub fn read_confirm(&self, token: &str, now: i64) -> Option<(i64, String)> {
        match self.signer.verify(CONFIRM, token).and_then(|subject| read_link_subject(subject, now)) {
            Some(LinkTarget { what: Unsubscribe::Alert(id), secret }) => Some((id, secret)),
            _ => None,
        }
    }

    fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

fn token_query(token: &str) -> String {
    form_urlencoded::Serializer::new(String::new()).append_pair("token", token).finish()
}

/// A signed-in candidate subscribing: their id, account address and whether it is confirmed.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub candidate_id: i64,
    pub email: String,
    pub confirmed: bool,
}

/// What a subscription asks for.
#[derive(Debug, Clone)]
pub enum Subscription {
    Search(SearchAlertRequest),
    Career { request: AlertRequest, path_slug: String, frequency: Frequency },
}

/// What subscribing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscribed {
    pub alert_id: i64,
    /// True when the alert runs now; false when it waits for the address to confirm (an e-mail went).
    pub confirmed: bool,
}

/// Stores `subscription`. A signed-in candidate's own confirmed address needs no confirmation; any other
/// address gets one e-mail with the link, and nothing else until it is followed.
pub async fn subscribe(
    pool: &Pool,
    links: &Links,
    subscription: &Subscription,
    subscriber: Option<&Subscriber>,
    now: DateTime<Utc>,
) -> Result<Subscribed, AlertsError> {
    let (email, search, career, frequency) = match subscription {
        Subscription::Search(request) => {
            (request.email.as_str().to_lowercase(), Some(request.query.as_str()), None, request.frequency)
        }
        Subscription::Career { request, path_slug, frequency } => (
            request.email.as_str().to_lowercase(),
            None,
            Some((path_slug.as_str(), request.step_slugs.as_slice())),
            *frequency,
        ),
    };
    let own = subscriber.filter(|subscriber| subscriber.email.to_lowercase() == email);
    let alert = NewAlert {
        email: &email,
        candidate_id: own.map(|subscriber| subscriber.candidate_id),
        search,
        career,
        frequency,
        confirmed: own.is_some_and(|subscriber| subscriber.confirmed),
        now: now.timestamp(),
    };
    let saved = db::save_alert(pool, &alert).await.map_err(|error| match error {
        db::Error::NotFound => AlertsError::UnknownPath,
        other => AlertsError::Storage(other),
    })?;
    if saved.over_limit {
        // Told only to the address's own confirmed account: anyone else gets the answer of a new alert.
        return if alert.confirmed {
            Err(AlertsError::TooMany)
        } else {
            Ok(Subscribed { alert_id: 0, confirmed: false })
        };
    }
    if !saved.confirmed
        && let Some(stored) = db::alert_by_id(pool, saved.id).await?
    {
        send_confirmation(pool, links, &stored, now).await?;
    }
    Ok(Subscribed { alert_id: saved.id, confirmed: saved.confirmed })
}

async fn send_confirmation(
    pool: &Pool,
    links: &Links,
    alert: &StoredAlert,
    now: DateTime<Utc>,
) -> Result<(), db::Error> {
    // A search is named by a link to it, never by its words: whoever types an address must not be able
    // to put words of their own in that person's mailbox.
    let what = match &alert.target {
        AlertTarget::Search { .. } => format!("new jobs of this search: {}", links.absolute(&alert.target.page())),
        AlertTarget::Career { .. } => alert.target.describe(),
    };
    let mail = OutgoingMail::confirm_alert(
        &alert.email,
        &what,
        &links.confirm(alert.id, &alert.link_secret),
        &links.unsubscribe(Unsubscribe::Alert(alert.id), &alert.link_secret),
    );
    db::send_alert_confirmation(pool, alert.id, &mail, now.timestamp()).await
}

/// Confirms the alert a confirmation token names; `None` when the token is not genuine or the alert is
/// gone (expired or unsubscribed).
pub async fn confirm(pool: &Pool, links: &Links, token: &str, now: DateTime<Utc>) -> Result<Option<i64>, db::Error> {
    let Some((id, secret)) = links.read_confirm(token, now.timestamp()) else {
        return Ok(None);
    };
    Ok(db::confirm_alert(pool, id, &secret, now.timestamp()).await?.then_some(id))
}

/// What an unsubscribe did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribed {
    /// Stopped now.
    Stopped(Unsubscribe),
    /// The link is genuine, and there was nothing left to stop.
    AlreadyStopped(Unsubscribe),
    /// The token is not one of ours, has expired, or names a row that is gone.
    BadToken,
}

/// Stops what an unsubscribe token names.
pub async fn unsubscribe(pool: &Pool, links: &Links, token: &str) -> Result<Unsubscribed, db::Error> {
    let Some(target) = links.read_unsubscribe(token, Utc::now().timestamp()) else {
        return Ok(Unsubscribed::BadToken);
    };
    Ok(match db::unsubscribe(pool, target.what, &target.secret).await? {
        Some(true) => Unsubscribed::Stopped(target.what),
        Some(false) => Unsubscribed::AlreadyStopped(target.what),
        None => Unsubscribed::BadToken,
    })
}

/// The candidate's alerts, each with what it matches now (a search's count from the listing's cached
/// summaries, as the listing page shows it).
pub async fn my_alerts(pool: &Pool, cache: &ListingCache, candidate_id: i64) -> Result<Vec<MyAlert>, db::Error> {
    let mut alerts = Vec::new();
    let today = cache.snapshot(pool).await?.day();
    for alert in db::candidate_alerts(pool, candidate_id).await? {
        let matches_now = match &alert.target {
            AlertTarget::Search { query } => cache.summary(pool, &alert_filter(query)).await?.total,
            AlertTarget::Career { .. } => db::career_alert_matches(pool, alert.id, today).await?,
        };
        alerts.push(MyAlert {
            id: alert.id,
            target: alert.target,
            frequency: alert.frequency,
            paused: alert.paused,
            confirmed: alert.confirmed,
            matches_now,
        });
    }
    Ok(alerts)
}

/// Changes one of the candidate's alerts; false when it is not theirs.
pub async fn change(pool: &Pool, candidate_id: i64, alert_id: i64, change: AlertChange) -> Result<bool, db::Error> {
    db::change_alert(pool, candidate_id, alert_id, change).await
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Unconfirmed alerts deleted after their week.
    pub expired: u64,
    /// Confirmation e-mails put in the outbox (alerts whose confirmation had not gone).
    pub confirmations: usize,
    /// Digests put in the outbox.
    pub digests: usize,
    /// Alerts that ran with nothing new.
    pub quiet: usize,
    /// Notices of changed postings put in the outbox.
    pub notices: usize,
    /// Rows of history forgotten (old runs, told changes, told postings closed long ago).
    pub pruned: u64,
}

/// One sweep at `now`: expires unconfirmed alerts, forgets old history, sends missing confirmations,
/// runs every due alert once for its period, and tells followers about changed postings.
pub async fn sweep(pool: &Pool, links: &Links, now: DateTime<Utc>) -> Result<SweepReport, db::Error> {
    let today = now.date_naive();
    let mut report = SweepReport {
        expired: db::expire_unconfirmed_alerts(pool, now.timestamp() - UNCONFIRMED_LIFETIME_SECONDS).await?,
        pruned: db::prune_alert_history(
            pool,
            now.timestamp() - RUN_LOG_SECONDS,
            now.timestamp() - HISTORY_DAYS as i64 * 24 * 3600,
            today - chrono::Days::new(HISTORY_DAYS),
        )
        .await?,
        ..SweepReport::default()
    };
    let mut after = 0;
    loop {
        let waiting = db::alerts_awaiting_confirmation(pool, after, SWEEP_BATCH).await?;
        let Some(last) = waiting.last() else { break };
        after = last.id;
        for alert in &waiting {
            send_confirmation(pool, links, alert, now).await?;
            report.confirmations += 1;
        }
    }
    let periods = Frequency::ALL.map(|frequency| frequency.period(now));
    let periods = [periods[0].as_str(), periods[1].as_str(), periods[2].as_str()];
    let mut after = 0;
    loop {
        let due = db::due_alerts(pool, periods, after, SWEEP_BATCH).await?;
        let Some(last) = due.last() else { break };
        after = last.id;
        for alert in &due {
            match run_alert(pool, links, alert, now, today).await? {
                Some(true) => report.digests += 1,
                Some(false) => report.quiet += 1,
                None => {}
            }
        }
    }
    for change in db::pending_posting_changes(pool, CHANGES_PER_SWEEP).await? {
        let lines = change.before.changes_to(&change.after);
        let link = links.absolute(&job_path(change.posting_id, &change.slug));
        let notices: Vec<OutgoingMail> = db::posting_followers(pool, change.posting_id, FOLLOWERS_PER_CHANGE)
            .await?
            .into_iter()
            .map(|follower| {
                OutgoingMail::posting_changed(
                    &follower.email,
                    &change.title,
                    &change.company,
                    follower.why,
                    &lines,
                    &link,
                    &links.unsubscribe(follower.unsubscribe, &follower.link_secret),
                )
            })
            .collect();
        if db::record_change_notices(pool, change.change_id, now.timestamp(), &notices).await? {
            report.notices += notices.len();
        }
    }
    Ok(report)
}

/// Runs one alert for its current period: `Some(true)` when a digest went, `Some(false)` when nothing was
/// new, `None` when another sweep ran it first.
async fn run_alert(
    pool: &Pool,
    links: &Links,
    alert: &StoredAlert,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Option<bool>, db::Error> {
    let since = DateTime::from_timestamp(alert.created_at, 0).map_or(today, |created| created.date_naive());
    let (untold, mut cards, all) = match &alert.target {
        AlertTarget::Search { query } => {
            let (cards, _) = db::open_jobs_page(pool, &alert_filter(query), today, RUN_POSTINGS).await?;
            let new: Vec<JobCard> = cards.into_iter().filter(|card| card.posted_at >= since).collect();
            let ids: Vec<i64> = new.iter().map(|card| card.id).collect();
            let untold = db::untold_postings(pool, alert.id, &ids).await?;
            let cards: Vec<JobCard> = new.into_iter().filter(|card| untold.contains(&card.id)).collect();
            (untold, cards, alert.target.page())
        }
        AlertTarget::Career { .. } => {
            let untold = db::career_alert_postings(pool, alert.id, since, today, RUN_POSTINGS).await?;
            let first: Vec<i64> = untold.iter().copied().take(DIGEST_POSTINGS).collect();
            let mut cards = db::load_cards(pool, &first).await?;
            cards.sort_by_key(|card| first.iter().position(|id| *id == card.id));
            (untold, cards, alert.target.page())
        }
    };
    cards.truncate(DIGEST_POSTINGS);
    let period = alert.frequency.period(now);
    let digest = (!untold.is_empty()).then(|| {
        let postings: Vec<DigestPosting> = cards.iter().map(|card| digest_posting(links, card)).collect();
        OutgoingMail::alert_digest(
            &alert.email,
            &alert.target.describe(),
            &postings,
            untold.len(),
            &links.absolute(&all),
            &links.unsubscribe(Unsubscribe::Alert(alert.id), &alert.link_secret),
        )
    });
    let ran = db::record_alert_run(pool, alert.id, &period, now.timestamp(), &untold, digest.as_ref()).await?;
    Ok(ran.then_some(digest.is_some()))
}

fn digest_posting(links: &Links, card: &JobCard) -> DigestPosting {
    DigestPosting {
        title: card.title.clone(),
        company: card.company.name.clone(),
        place: card.locations.first().map(|location| location.label()).unwrap_or_default(),
        pay: card.pay.as_ref().map(|pay| pay.display()),
        closes: card.valid_through,
        link: links.absolute(&card.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn signer() -> Signer {
        Signer { key: b"0123456789abcdef0123456789abcdef".to_vec() }
    }

    #[test]
    fn a_token_holds_for_its_purpose_only() {
        let signer = signer();
        let token = signer.sign(UNSUBSCRIBE, "alert:7");
        assert_eq!(signer.verify(UNSUBSCRIBE, &token), Some("alert:7"));
        assert_eq!(signer.verify(CONFIRM, &token), None);
        let other = Signer { key: b"another key, as long as the first".to_vec() };
        assert_eq!(other.verify(UNSUBSCRIBE, &token), None);
        assert_eq!(signer.verify(UNSUBSCRIBE, &token.replace("alert:7", "alert:8")), None);
    }

    fn links() -> Links {
        Links { origin: "https://jobs.example".to_owned(), signer: signer() }
    }

    fn token_of(link: &str) -> String {
        let query = link.split_once('?').map(|(_, query)| query).unwrap_or_default();
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "token")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn a_link_names_its_row_and_secret_and_expires() {
        let links = links();
        let now = Utc::now().timestamp();
        let confirm = token_of(&links.confirm(7, "a1b2"));
        assert_eq!(links.read_confirm(&confirm, now), Some((7, "a1b2".to_owned())));
        assert_eq!(links.read_confirm(&confirm, now + CONFIRM_LINK_SECONDS + 1), None, "expired");
        assert_eq!(links.read_unsubscribe(&confirm, now), None, "a confirmation does not unsubscribe");
        let unsubscribe = token_of(&links.unsubscribe(Unsubscribe::Notices(9), "c3d4"));
        let target = LinkTarget { what: Unsubscribe::Notices(9), secret: "c3d4".to_owned() };
        assert_eq!(links.read_unsubscribe(&unsubscribe, now), Some(target));
        assert_eq!(links.read_unsubscribe(&unsubscribe, now + UNSUBSCRIBE_LINK_SECONDS + 1), None);
        // The links of the old format (no secret, no expiry) no longer work.
        assert_eq!(links.read_confirm(&links.signer.sign(CONFIRM, "alert:7"), now), None);
        assert_eq!(links.read_unsubscribe(&links.signer.sign(UNSUBSCRIBE, "alert:7"), now), None);
    }

    proptest! {
        /// Nothing typed verifies unless it was signed, and nothing panics.
        #[test]
        fn forged_tokens_fail(token in ".{0,200}") {
            let signer = signer();
            prop_assert_eq!(signer.verify(UNSUBSCRIBE, &token), None);
        }

        /// Whatever is signed reads back as the same row and secret before it expires, and never after.
        #[test]
        fn link_subjects_read_back(id in 1i64.., notices: bool, secret in "[a-f0-9]{1,64}", left in 1i64..1_000_000) {
            let what = if notices { Unsubscribe::Notices(id) } else { Unsubscribe::Alert(id) };
            let now = 1_800_000_000;
            let subject = link_subject(what, &secret, now + left);
            prop_assert_eq!(read_link_subject(&subject, now), Some(LinkTarget { what, secret: secret.clone() }));
            prop_assert_eq!(read_link_subject(&subject, now + left), None);
        }

        /// Any text reads as a link subject or not, without a panic; one that reads has a plain secret.
        #[test]
        fn typed_link_subjects_never_panic(subject in ".{0,120}", now: i64) {
            if let Some(target) = read_link_subject(&subject, now) {
                prop_assert!(target.secret.bytes().all(|b| b.is_ascii_alphanumeric()));
            }
        }
    }
}
