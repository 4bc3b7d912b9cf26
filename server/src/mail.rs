//! Delivering the outbox. Every e-mail is first written to the `outbox` table in the transaction of
//! what it tells (an account, an application, a status change), so nothing acknowledged is lost. When
//! an SMTP server is configured, the sender task claims due messages, hands each to the server with
//! lettre, and marks it sent; a failure is recorded and retried a minute later. Without SMTP, messages
//! stay in the outbox, which the admin area shows. Delivery is at least once: a crash between the
//! SMTP server's acceptance and the mark sends that message again.

use app::db::{self, Pool};
use app::domain::mail::OutgoingMail;
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::Notify;

/// How the board sends e-mail.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct MailSettings {
    /// The SMTP server, as `smtp://host:port` (plain, for a relay on loopback),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://host:465` (TLS). Without it,
    /// e-mail stays in the outbox (shown at /admin/outbox).
    #[arg(long, env = "JOBBOARD_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of every e-mail.
    #[arg(long, env = "JOBBOARD_MAIL_FROM", default_value = "Jobboard <no-reply@jobboard.invalid>")]
    pub mail_from: String,
}

/// How often the sender looks for due messages when nothing wakes it.
const POLL: Duration = Duration::from_secs(2);
/// How long a claimed message waits before another attempt when this one does not finish.
const RETRY_SECONDS: i64 = 60;
/// Messages claimed at once.
const BATCH: i64 = 20;

/// Why the sender could not start, or a message could not be sent.
#[derive(Debug, Error)]
pub enum MailError {
    #[error("the SMTP URL is not usable: {0}")]
    BadUrl(String),
    #[error("the sender address {0:?} is not an address")]
    BadFrom(String),
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("the SMTP server refused or failed: {0}")]
    Smtp(String),
}

/// The SMTP side: the transport and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `settings`, or `None` when no SMTP server is configured.
    pub fn new(settings: &MailSettings) -> Result<Option<Self>, MailError> {
        let Some(url) = settings.smtp_url.as_deref().filter(|url| !url.is_empty()) else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| MailError::BadUrl(error.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = settings.mail_from.parse().map_err(|_| MailError::BadFrom(settings.mail_from.clone()))?;
        Ok(Some(Self { transport, from }))
    }

    /// Sends one message.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let to: Mailbox =
            mail.to.parse().map_err(|error: lettre::address::AddressError| MailError::Build(error.to_string()))?;
        let mut message = Message::builder().from(self.from.clone()).to(to).subject(&mail.subject);
        if let Some(address) = &mail.list_unsubscribe {
            message = message.header(ListUnsubscribe(format!("<{address}>"))).header(ListUnsubscribePost);
        }
        let message = message
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|error| MailError::Build(error.to_string()))?;
        self.transport.send(message).await.map(|_| ()).map_err(|error| MailError::Smtp(error.to_string()))
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369): where a mail client unsubscribes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the address takes a one-click POST.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Sends what is due in the outbox once: claims up to a batch, sends each, records the outcome.
/// Returns how many were sent.
pub async fn send_due(pool: &Pool, mailer: &Mailer) -> Result<usize, db::Error> {
    let now = chrono::Utc::now().timestamp();
    let claimed = db::claim_outbox(pool, now, now + RETRY_SECONDS, BATCH).await?;
    let mut sent = 0;
    for (id, mail) in claimed {
        match mailer.send(&mail).await {
            Ok(()) => {
                // The stored copy keeps no live link once the message is out.
                db::mark_sent(pool, id, &app::domain::mail::without_token_links(&mail.body)).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(message = id, %error, "an e-mail could not be sent; it is tried again in a minute");
                db::mark_failed(pool, id, &error.to_string()).await?;
            }
        }
    }
    Ok(sent)
}

/// Runs the sender until the pool closes: every [`POLL`], or at once when `wake` is notified.
pub async fn run_sender(pool: Pool, mailer: Mailer, wake: Arc<Notify>) {
    while !pool.is_closed() {
        match send_due(&pool, &mailer).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "e-mails sent"),
            Err(error) => tracing::warn!(%error, "the outbox could not be read"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
