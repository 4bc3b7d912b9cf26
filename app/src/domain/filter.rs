//! The listing's filter, parsed from and rendered to a query string. One parser serves the page and the
//! API, so both speak the same names (`location`, `min_pay`).

use serde::{Deserialize, Serialize};

/// The largest annual pay a filter accepts, in whole currency units.
pub const MAX_FILTER_PAY: i64 = 10_000_000;

/// The longest location slug accepted.
const MAX_SLUG_LEN: usize = 120;

/// What a person asked the listing for. Unknown parameters are ignored; malformed values are dropped
/// with a warning, never an error page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobFilter {
    /// A location slug such as `san-jose-ca`.
    pub location: Option<String>,
    /// Minimum annual pay, whole currency units: a posting matches when its annualised range reaches it.
    pub min_pay: Option<i64>,
    /// A company slug such as `tiktok`.
    pub company: Option<String>,
}

/// A parsed filter and what was dropped from the query string, to tell the person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFilter {
    pub filter: JobFilter,
    pub warnings: Vec<String>,
}

impl JobFilter {
    /// Parses query-string pairs. Repeated single-valued parameters keep the last value.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ParsedFilter {
        let mut parsed = ParsedFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "location" => {
                    parsed.filter.location = None;
                    if value.is_empty() {
                        continue;
                    }
                    if is_slug(value) {
                        parsed.filter.location = Some(value.to_owned());
                    } else {
                        parsed.warnings.push("The location was not understood and was ignored.".to_owned());
                    }
                }
                "company" => {
                    parsed.filter.company = None;
                    if value.is_empty() {
                        continue;
                    }
                    if is_slug(value) {
                        parsed.filter.company = Some(value.to_owned());
                    } else {
                        parsed.warnings.push("The company was not understood and was ignored.".to_owned());
                    }
                }
                "min_pay" => {
                    parsed.filter.min_pay = None;
                    if value.is_empty() {
                        continue;
                    }
                    match parse_pay(value) {
                        Some(pay) => parsed.filter.min_pay = Some(pay),
                        None => parsed.warnings.push(format!(
                            "Minimum pay must be a whole number of dollars a year between 0 and {MAX_FILTER_PAY}; it was ignored."
                        )),
                    }
                }
                _ => {}
            }
        }
        parsed
    }

    /// The query string for this filter (without `?`), parameters in a fixed order.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(location) = &self.location {
            parts.push(format!("location={location}"));
        }
        if let Some(min_pay) = self.min_pay {
            parts.push(format!("min_pay={min_pay}"));
        }
        if let Some(company) = &self.company {
            parts.push(format!("company={company}"));
        }
        parts.join("&")
    }

    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A slug: lower-case ASCII letters, digits and hyphens.
fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_SLUG_LEN
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// "120000", "120,000" or "$120000" -> 120000; `None` when out of range or not a number.
fn parse_pay(value: &str) -> Option<i64> {
    let cleaned: String = value.chars().filter(|c| !matches!(c, ',' | '$' | '_')).collect();
    if cleaned.is_empty() || cleaned.len() > 12 || !cleaned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    cleaned.parse::<i64>().ok().filter(|pay| (0..=MAX_FILTER_PAY).contains(pay))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_and_min_pay_parse_and_render_back() {
        let parsed = JobFilter::parse([("location", "san-jose-ca"), ("min_pay", "120,000"), ("utm", "x")]);
        assert!(parsed.warnings.is_empty());
        assert_eq!(parsed.filter.location.as_deref(), Some("san-jose-ca"));
        assert_eq!(parsed.filter.min_pay, Some(120_000));
        assert_eq!(parsed.filter.to_query_string(), "location=san-jose-ca&min_pay=120000");
    }

    #[test]
    fn malformed_values_are_dropped_with_a_warning() {
        for (key, value) in
            [("min_pay", "abc"), ("min_pay", "-1"), ("min_pay", "99999999999999"), ("location", "<script>")]
        {
            let parsed = JobFilter::parse([(key, value)]);
            assert!(parsed.filter.is_empty(), "{key}={value}");
            assert_eq!(parsed.warnings.len(), 1, "{key}={value}");
        }
    }

    #[test]
    fn empty_values_mean_no_filter_without_a_warning() {
        let parsed = JobFilter::parse([("location", ""), ("min_pay", " ")]);
        assert!(parsed.filter.is_empty());
        assert!(parsed.warnings.is_empty());
        assert_eq!(parsed.filter.to_query_string(), "");
    }

    #[test]
    fn a_query_string_round_trips() {
        let parsed = JobFilter::parse([("company", "tiktok"), ("min_pay", "90000"), ("location", "seattle-wa")]);
        let rendered = parsed.filter.to_query_string();
        assert_eq!(rendered, "location=seattle-wa&min_pay=90000&company=tiktok");
        let pairs: Vec<(&str, &str)> = rendered.split('&').filter_map(|pair| pair.split_once('=')).collect();
        assert_eq!(JobFilter::parse(pairs).filter, parsed.filter);
    }

    #[test]
    fn a_very_long_location_is_ignored() {
        let long = "a".repeat(10_000);
        let parsed = JobFilter::parse([("location", long.as_str())]);
        assert_eq!(parsed.filter.location, None);
    }
}
