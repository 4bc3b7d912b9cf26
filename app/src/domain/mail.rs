//! The e-mails the board sends, as plain text: one constructor per message, so that every message's
//! wording is in one place. They are stored in the outbox in the transaction of what they tell.

use serde::{Deserialize, Serialize};

use super::candidate::{ApplicationStatus, ordinal};

/// An e-mail waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
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
        }
    }
}
