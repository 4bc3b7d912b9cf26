//! Small text and date rules shared by pages and server: slugs and "posted N days ago".

use chrono::NaiveDate;

/// Turns a title into a URL slug: lower-case ASCII letters and digits joined by single hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug.truncate(120);
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// "posted today", "posted yesterday", "posted 3 days ago", "posted 2 months ago".
pub fn posted_age(posted: NaiveDate, today: NaiveDate) -> String {
    let days = (today - posted).num_days();
    match days {
        i64::MIN..=0 => "posted today".to_owned(),
        1 => "posted yesterday".to_owned(),
        2..=30 => format!("posted {days} days ago"),
        31..=59 => "posted 1 month ago".to_owned(),
        _ => format!("posted {} months ago", days / 30),
    }
}

/// "closes today", "closes in 1 day", "closes in 12 days", or "closed" when the date has passed.
pub fn closes_in(valid_through: NaiveDate, today: NaiveDate) -> String {
    let days = (valid_through - today).num_days();
    match days {
        i64::MIN..=-1 => "no longer accepting applications".to_owned(),
        0 => "closes today".to_owned(),
        1 => "closes in 1 day".to_owned(),
        _ => format!("closes in {days} days"),
    }
}

/// "February 24, 2025".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%B %-d, %Y").to_string()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        #[test]
        fn a_slug_is_lower_case_letters_digits_and_single_inner_hyphens(text in "\\PC{0,300}") {
            let slug = slugify(&text);
            prop_assert!(slug.len() <= 120);
            prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", slug);
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{}", slug);
            prop_assert_eq!(slugify(&slug), slug.clone(), "a slug is its own slug");
        }
    }

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn slugify_keeps_words_and_drops_punctuation() {
        assert_eq!(
            slugify("Backend Software Engineer Graduate (TikTok Eng - Backend Online Infra Team) - 2025 Start (BS/MS)"),
            "backend-software-engineer-graduate-tiktok-eng-backend-online-infra-team-2025-start-bs-ms"
        );
        assert_eq!(slugify("  San José, CA "), "san-jos-ca");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn posted_age_reads_naturally() {
        let today = date(2025, 3, 1);
        assert_eq!(posted_age(today, today), "posted today");
        assert_eq!(posted_age(date(2025, 2, 28), today), "posted yesterday");
        assert_eq!(posted_age(date(2025, 2, 24), today), "posted 5 days ago");
        assert_eq!(posted_age(date(2024, 12, 1), today), "posted 3 months ago");
    }

    #[test]
    fn closes_in_counts_days_left() {
        let today = date(2025, 2, 24);
        assert_eq!(closes_in(date(2025, 4, 6), today), "closes in 41 days");
        assert_eq!(closes_in(today, today), "closes today");
        assert_eq!(closes_in(date(2025, 2, 23), today), "no longer accepting applications");
    }

    #[test]
    fn long_date_is_spelled_out() {
        assert_eq!(long_date(date(2025, 2, 24)), "February 24, 2025");
    }
}
