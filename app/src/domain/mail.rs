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

/// What stands in the stored copy of a message for a link that carried a token.
pub const REMOVED_LINK: &str = "[link removed after delivery]";

/// `body` with every link that carries a token (`token=` in its query) replaced by [`REMOVED_LINK`]: the
/// copy the outbox keeps once a message is delivered, and the one the admin area shows.
pub fn without_token_links(body: &str) -> String {
    let mut kept = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("http") {
        kept.push_str(&rest[..start]);
        let link_len = rest[start..].find(char::is_whitespace).unwrap_or(rest.len() - start);
        let link = &rest[start..start + link_len];
        kept.push_str(if link.contains("token=") { REMOVED_LINK } else { link });
        rest = &rest[start + link_len..];
    }
    kept.push_str(rest);
    kept
}

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

    /// To the owner of an address someone tried to sign up with again: no account was made.
    pub fn sign_up_attempted(to: &str, sign_in: &str, forgot: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: "Someone tried to sign up with your address".to_owned(),
            body: format!(
                "Someone tried to create a Jobboard account with this address, which already has one. No new \
                 account was made.\n\nIf it was you, sign in: {sign_in}\nForgot the password? Choose a new one: \
                 {forgot}\n\nIf it was not you, nothing needs doing.{SIGNATURE}"
            ),
            list_unsubscribe: None,
        }
    }

    /// To an account's owner, when wrong passwords for it keep coming.
    pub fn sign_in_guesses(to: &str, failures: u32, forgot: &str) -> Self {
        Self {
            to: to.to_owned(),
            subject: "Wrong passwords were tried for your account".to_owned(),
            body: format!(
                "{failures} wrong passwords were tried for your Jobboard account in the last hour. Your account \
                 is not locked: you can still sign in from where you usually do.\n\nIf it was not you, choose a \
                 long password that you use nowhere else: {forgot}{SIGNATURE}"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_copies_keep_no_token_link() {
        let body = "Confirm:\n\nhttps://jobs.example/account/confirm?token=abc123\n\nSee http://jobs.example/jobs too.";
        let kept = without_token_links(body);
        assert!(!kept.contains("abc123"), "{kept}");
        assert!(kept.contains(REMOVED_LINK));
        assert!(kept.contains("http://jobs.example/jobs too."), "{kept}");
        assert_eq!(without_token_links("no links"), "no links");
    }

    proptest::proptest! {
        /// Whatever the body, no link with a token survives, and nothing panics.
        #[test]
        fn no_token_survives(words in proptest::collection::vec("(https?://[a-z./?=&]{0,20}token=[a-z0-9]{1,10}|[a-zé ]{0,12})", 0..12)) {
            let body = words.join(" ");
            let kept = without_token_links(&body);
            for word in kept.split_whitespace() {
                proptest::prop_assert!(!(word.contains("http") && word.contains("token=")), "{}", kept);
            }
        }
    }
}
