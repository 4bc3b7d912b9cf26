//! E-mail addresses typed by people: alert sign-ups, admin accounts, a posting's apply address.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An e-mail address: trimmed, lower-cased domain, one `@`, a dot in the domain, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

/// Why a typed e-mail address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum EmailError {
    #[error("an e-mail address is required")]
    Missing,
    #[error("not an e-mail address like name@example.com")]
    Malformed,
}

impl EmailAddress {
    /// Parses an address typed by a person.
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EmailError::Missing);
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err(EmailError::Malformed);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        // No whitespace and no control or formatting characters (NUL, bell, a right-to-left override):
        // nothing a mail server would take, and nothing PostgreSQL can store in the case of NUL.
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(|c: char| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            });
        if text.len() > 254 || !domain_ok || !local_ok || local.contains('<') || local.contains('>') {
            return Err(EmailError::Malformed);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked() {
        assert_eq!(
            EmailAddress::parse(" Ana@Example.COM ").map(|e| e.as_str().to_owned()),
            Ok("Ana@example.com".to_owned())
        );
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Missing));
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@.example.com",
            "ana@example..com",
            "a b@x.com",
            "<a>@x.com",
            "ana\0@example.com",
            "a\u{7}b@x.com",
            "a\u{202e}b@x.com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            /// Whatever is typed, an accepted address has one `@`-separated local part and a dotted
            /// lower-case domain, and parses to itself again.
            #[test]
            fn an_accepted_address_is_well_formed_and_stable(text in "\\PC{0,40}(@\\PC{0,20})?") {
                if let Ok(email) = EmailAddress::parse(&text) {
                    let (local, domain) = email.as_str().split_once('@').expect("one @");
                    prop_assert!(!local.is_empty() && domain.contains('.'));
                    prop_assert_eq!(domain.to_lowercase(), domain);
                    prop_assert!(email.as_str().len() <= 254);
                    prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()));
                }
            }
        }
    }
}
