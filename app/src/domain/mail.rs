//! The e-mails the board sends, as plain text: one constructor per message, so that every message's
//! wording is in one place. They are stored in the outbox in the transaction of what they tell.

use serde::{Deserialize, Serialize};

use super::alert::{DIGEST_POSTINGS, DigestPosting};
use super::candidate::{ApplicationStatus, ordinal};

/// An e-mail waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one-click unsubscribe address (`List-Unsubscribe`, RFC 8058) of a message about alerts.
    #[serde(default)]
    pub list_unsubscribe: Option<String>,
}

/// A message of the outbox as the admin area lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    /// When it was handed to the SMTP server; `None` while it waits (or when no SMTP is configured).
    pub sent_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

const SIGNATURE: &str = "\n\n-- \nJobboard";

impl OutgoingMail {
    /// The link that confirms a new account's address.
    pub fn confirm_account(to: &str, link: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: "Confirm your e-mail address".to_owned(),
            body: format!(
                "Welcome to Jobboard.\n\nConfirm your address to apply to jobs on the site:\n\n{link}\n\n\
                 The link works once and expires in 24 hours. If you did not sign up, ignore this e-mail.{SIGNATURE}"
            ),
            list_unsubscribe: None,
        }
    }

    /// The single-use link that sets a new password.
    pub fn reset_password(to: &str, link: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: "Reset your password".to_owned(),
            body: format!(
                "Someone asked to reset the password of your Jobboard account.\n\nChoose a new password here:\n\n\
                 {link}\n\nThe link works once and expires in 1 hour. If it was not you, ignore this e-mail: \
                 your password stays as it is.{SIGNATURE}"
            ),
            list_unsubscribe: None,
        }
    }

    /// The receipt of an application.
    pub fn application_received(to: &str, title: &str, company: &str, position: i64, link: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: format!("Application received: {title}"),
            body: format!(
                "Your application to \"{title}\" at {company} was received. It is your {} application to \
                 {company}.\n\nFollow it here: {link}{SIGNATURE}",
                ordinal(position)
            ),
            list_unsubscribe: None,
        }
    }

    /// An application's new status.
    pub fn status_changed(to: &str, title: &str, company: &str, status: ApplicationStatus, link: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: format!("Your application to {title}: {}", status.label().to_lowercase()),
            body: format!(
                "Your application to \"{title}\" at {company} is now: {}.\n\nFollow it here: {link}{SIGNATURE}",
                status.label().to_lowercase()
            ),
            list_unsubscribe: None,
        }
    }

    /// The one e-mail an unconfirmed alert sends: the link that confirms it.
    pub fn confirm_alert(to: &str, what: &str, confirm: &str, unsubscribe: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: "Confirm your job alert".to_owned(),
            body: format!(
                "Someone (we hope you) asked for job alerts at this address:\n\n  {what}\n\n\
                 Confirm to start them:\n\n{confirm}\n\nNothing more is sent to this address until then; \
                 unconfirmed alerts are deleted after 7 days. Not you? Ignore this e-mail, or stop it now: \
                 {unsubscribe}{SIGNATURE}"
            ),
            list_unsubscribe: Some(unsubscribe.to_owned()),
        }
    }

    /// A digest: the newest postings an alert matches (at most [`DIGEST_POSTINGS`]) and, when there are
    /// more, a link to all of them.
    pub fn alert_digest(
        to: &str,
        what: &str,
        postings: &[DigestPosting],
        total: usize,
        all: &str,
        unsubscribe: &str,
    ) -> Self {
        let mut body = format!("New jobs for your alert \"{what}\":\n");
        for posting in postings.iter().take(DIGEST_POSTINGS) {
            body.push_str(&format!(
                "\n{} at {}\n  {}\n  {}\n  Apply before {}\n  {}\n",
                posting.title,
                posting.company,
                posting.place,
                posting.pay.as_deref().unwrap_or("Pay not posted"),
                posting.closes,
                posting.link,
            ));
        }
        if total > postings.len().min(DIGEST_POSTINGS) {
            body.push_str(&format!("\n{} more: {all}\n", total - postings.len().min(DIGEST_POSTINGS)));
        }
        body.push_str(&format!("\nStop this alert: {unsubscribe}{SIGNATURE}"));
        let subject = match total {
            1 => format!("1 new job: {what}"),
            n => format!("{n} new jobs: {what}"),
        };
        Self { to: to.to_owned(), subject, body, list_unsubscribe: Some(unsubscribe.to_owned()) }
    }

    /// A followed posting changed: its pay, apply-before date or status, each before and after.
    pub fn posting_changed(
        to: &str,
        title: &str,
        company: &str,
        why: &str,
        changes: &[String],
        link: &str,
        unsubscribe: &str,
    ) -> Self {
        let lines: String = changes.iter().map(|line| format!("  {line}\n")).collect();
        Self {
            to: to.to_owned(),
            subject: format!("Changed: {title} at {company}"),
            body: format!(
                "\"{title}\" at {company}, which {why}, changed:\n\n{lines}\n{link}\n\n\
                 Stop these e-mails: {unsubscribe}{SIGNATURE}"
            ),
            list_unsubscribe: Some(unsubscribe.to_owned()),
        }
    }
}
