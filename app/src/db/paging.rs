//! What both engines' listing queries share: the keyword query, the cursors of keyset pages, a page and
//! a ranked match as they are returned, and the facet rows' shapes.

use chrono::NaiveDate;

use crate::domain::JobCard;
use crate::domain::JobFilter;
use crate::domain::filter::{FacetCount, Sort};

/// The FTS5 query for a person's keywords: each word quoted (so nothing typed acts as FTS syntax), all
/// required. `None` when no word is left.
pub fn fts_query(keywords: &str) -> Option<String> {
    let words: Vec<String> =
        crate::domain::filter::search_words(keywords).into_iter().map(|word| format!("\"{word}\"")).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The most locations the location facet lists.
pub(crate) const LOCATION_FACET_LIMIT: i64 = 60;

/// A position in a sorted listing: the sort key of the last card shown and its id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cursor {
    Newest { posted_at: NaiveDate, id: i64 },
    Pay { annual_max: i64, id: i64 },
    Relevance { rank: f64, id: i64 },
}

impl Cursor {
    pub(crate) fn encode(self) -> String {
        match self {
            Self::Newest { posted_at, id } => format!("n.{posted_at}.{id}"),
            Self::Pay { annual_max, id } => format!("p.{annual_max}.{id}"),
            Self::Relevance { rank, id } => format!("r.{:x}.{id}", rank.to_bits()),
        }
    }

    /// Reads a cursor made for `sort`; anything else (forged, or from another sort) is `None`.
    pub(crate) fn decode(text: &str, sort: Sort) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        let (kind, key, id) = (parts.next()?, parts.next()?, parts.next()?.parse::<i64>().ok()?);
        match (kind, sort) {
            ("n", Sort::Newest) => Some(Self::Newest { posted_at: key.parse().ok()?, id }),
            ("p", Sort::Pay) => Some(Self::Pay { annual_max: key.parse().ok()?, id }),
            ("r", Sort::Relevance) => {
                Some(Self::Relevance { rank: f64::from_bits(u64::from_str_radix(key, 16).ok()?), id })
            }
            _ => None,
        }
    }
}

/// One page of a listing.
pub struct ListPage {
    pub jobs: Vec<JobCard>,
    /// How many open postings match in all.
    pub total: i64,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// The order a listing is in: the filter's sort, with relevance falling back to newest when there are no
/// keywords to rank by.
pub(crate) fn listing_sort(filter: &JobFilter) -> Sort {
    match filter.effective_sort() {
        Sort::Relevance if filter.q.as_deref().and_then(fts_query).is_none() => Sort::Newest,
        sort => sort,
    }
}

/// One match of a keyword search: its relevance (lower is better) and its posting's id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedMatch {
    pub rank: f64,
    pub id: i64,
}

pub(crate) fn counts(rows: Vec<(String, String, i64)>) -> Vec<FacetCount> {
    rows.into_iter().map(|(value, label, count)| FacetCount { value, label, count }).collect()
}

pub(crate) fn labelled(
    rows: Vec<(String, String, i64)>,
    label: impl Fn(&str) -> Option<&'static str>,
) -> Vec<FacetCount> {
    rows.into_iter()
        .map(|(value, _, count)| FacetCount { label: label(&value).unwrap_or("Other").to_owned(), value, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        #[test]
        fn a_cursor_decodes_to_what_was_encoded(days in 0_i64..100_000, id in any::<i64>(), max in any::<i64>(), rank in any::<f64>()) {
            let posted_at = NaiveDate::MIN + chrono::Days::new(days as u64);
            prop_assert_eq!(Cursor::decode(&Cursor::Newest { posted_at, id }.encode(), Sort::Newest), Some(Cursor::Newest { posted_at, id }));
            prop_assert_eq!(Cursor::decode(&Cursor::Pay { annual_max: max, id }.encode(), Sort::Pay), Some(Cursor::Pay { annual_max: max, id }));
            let decoded = Cursor::decode(&Cursor::Relevance { rank, id }.encode(), Sort::Relevance);
            let round_trips = matches!(decoded, Some(Cursor::Relevance { rank: back, id: same }) if back.to_bits() == rank.to_bits() && same == id);
            prop_assert!(round_trips, "rank {} id {}", rank, id);
            // A cursor of one sort means nothing to another.
            prop_assert_eq!(Cursor::decode(&Cursor::Pay { annual_max: max, id }.encode(), Sort::Newest), None);
        }

        #[test]
        fn any_text_decodes_without_panic(text in ".{0,120}") {
            for sort in [Sort::Newest, Sort::Pay, Sort::Relevance] {
                let _ = Cursor::decode(&text, sort);
            }
        }

        #[test]
        fn a_full_text_query_is_only_quoted_words(keywords in ".{0,300}") {
            // "İ" lower-cases to "i" and a combining dot: the dot is no part of a word.
            prop_assert_eq!(fts_query("İ"), Some("\"i\"".to_owned()));
            if let Some(query) = fts_query(&keywords) {
                for word in query.split(' ') {
                    prop_assert!(word.len() >= 3 && word.starts_with('"') && word.ends_with('"'), "{}", word);
                    prop_assert!(word[1..word.len() - 1].chars().all(char::is_alphanumeric), "{}", word);
                }
            }
        }
    }
}
