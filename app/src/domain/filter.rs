//! The listing's filter, parsed from and rendered to a query string. One parser serves the page and the
//! API, so both speak the same names: `q`, `location`, `region`, `remote`, `min_pay`, `max_pay`, `type`,
//! `level`, `posted_within`, `company`, `sort`, `after`.

use serde::{Deserialize, Serialize};

use super::job::{EmploymentType, ExperienceLevel};
use super::location::WorkMode;

/// The largest annual pay a filter accepts, in whole currency units.
pub const MAX_FILTER_PAY: i64 = 10_000_000;

/// The longest slug accepted.
const MAX_SLUG_LEN: usize = 120;

/// The longest keyword query accepted, in characters.
pub const MAX_KEYWORDS_LEN: usize = 200;

/// The "posted within" choices, in days.
pub const POSTED_WITHIN_DAYS: [u16; 4] = [1, 3, 7, 30];

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best keyword match first (newest when there is no keyword).
    Relevance,
    /// Newest first.
    #[default]
    Newest,
    /// Highest annual pay first; postings without pay last.
    Pay,
}

impl Sort {
    /// Query-string code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
            Self::Pay => "pay",
        }
    }
}

/// What a person asked the listing for. Unknown parameters are ignored; malformed values are dropped
/// with a warning, never an error page.
///
/// Serialised, it is its query string, and it deserialises only through [`JobFilter::parse`]: no entry
/// point that decodes one (a server function, an island's props) can skip the parser's bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub struct JobFilter {
    /// Keywords, matched against title, company, skills and description.
    pub q: Option<String>,
    /// A location slug such as `san-jose-ca`.
    pub location: Option<String>,
    /// A two-letter region (state) code such as `CA`.
    pub region: Option<String>,
    /// Work modes; empty means any.
    pub remote: Vec<WorkMode>,
    /// Minimum annual pay, whole currency units. With `max_pay`, a posting matches when its annualised
    /// range overlaps the range asked for; postings without pay are left out while either is set.
    pub min_pay: Option<i64>,
    /// Maximum annual pay, whole currency units.
    pub max_pay: Option<i64>,
    /// Employment types (`type`); empty means any.
    pub types: Vec<EmploymentType>,
    /// Experience levels (`level`); empty means any.
    pub levels: Vec<ExperienceLevel>,
    /// Only postings from the last N days.
    pub posted_within: Option<u16>,
    /// A company slug such as `tiktok`.
    pub company: Option<String>,
    /// The order asked for; `None` means the default (relevance with keywords, else newest).
    pub sort: Option<Sort>,
    /// The opaque keyset cursor of the page to show (from a previous page's `next_cursor`).
    pub after: Option<String>,
}

impl From<JobFilter> for String {
    fn from(filter: JobFilter) -> Self {
        filter.to_query_string()
    }
}

impl From<String> for JobFilter {
    /// Parses a query string (what [`JobFilter`] serialises to); malformed parts are dropped.
    fn from(query: String) -> Self {
        parse_query_string(&query).filter
    }
}

/// A parsed filter and what was dropped from the query string, to tell the person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFilter {
    pub filter: JobFilter,
    pub warnings: Vec<String>,
}

/// The most warnings a parse gives: each different one once, the first [`MAX_WARNINGS`] of them.
pub const MAX_WARNINGS: usize = 10;

fn push_warning(warnings: &mut Vec<String>, message: impl Into<String>) {
    let message = message.into();
    if warnings.len() < MAX_WARNINGS && !warnings.contains(&message) {
        warnings.push(message);
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

impl JobFilter {
    /// Parses query-string pairs (already percent-decoded). Single-valued parameters keep the last value;
    /// `remote`, `type` and `level` may repeat.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ParsedFilter {
        let mut parsed = ParsedFilter::default();
        let filter = &mut parsed.filter;
        let warnings = &mut parsed.warnings;
        for (key, value) in pairs {
            let value = value.trim();
            let empty = value.is_empty();
            match key {
                "q" => {
                    filter.q = None;
                    if empty {
                        continue;
                    }
                    let cleaned: String = value.chars().filter(|c| !c.is_control()).collect();
                    if !cleaned.chars().any(char::is_alphanumeric) {
                        push_warning(warnings, "Keywords need letters or digits; they were ignored.".to_owned());
                        continue;
                    }
                    if cleaned.chars().count() > MAX_KEYWORDS_LEN {
                        push_warning(
                            warnings,
                            format!("Keywords are limited to {MAX_KEYWORDS_LEN} characters; the rest was ignored."),
                        );
                    }
                    filter.q = Some(cleaned.chars().take(MAX_KEYWORDS_LEN).collect::<String>().trim().to_owned())
                        .filter(|q| !q.is_empty());
                }
                "location" | "company" => {
                    let slot = if key == "location" { &mut filter.location } else { &mut filter.company };
                    *slot = None;
                    if empty {
                        continue;
                    }
                    if is_slug(value) {
                        *slot = Some(value.to_owned());
                    } else {
                        push_warning(warnings, format!("The {key} was not understood and was ignored."));
                    }
                }
                "region" => {
                    filter.region = None;
                    if empty {
                        continue;
                    }
                    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
                        filter.region = Some(value.to_ascii_uppercase());
                    } else {
                        push_warning(
                            warnings,
                            "The region must be a two-letter code such as CA; it was ignored.".to_owned(),
                        );
                    }
                }
                "remote" if !empty => match WorkMode::parse(value) {
                    Ok(mode) => push_unique(&mut filter.remote, mode),
                    Err(_) => push_warning(
                        warnings,
                        "Work mode must be remote, hybrid or onsite; one was ignored.".to_owned(),
                    ),
                },
                "type" if !empty => match EmploymentType::parse(value) {
                    Ok(kind) => push_unique(&mut filter.types, kind),
                    Err(_) => {
                        push_warning(warnings, "An employment type was not understood and was ignored.".to_owned())
                    }
                },
                "level" if !empty => match ExperienceLevel::parse(value) {
                    Ok(level) => push_unique(&mut filter.levels, level),
                    Err(_) => {
                        push_warning(warnings, "An experience level was not understood and was ignored.".to_owned())
                    }
                },
                "min_pay" | "max_pay" => {
                    let slot = if key == "min_pay" { &mut filter.min_pay } else { &mut filter.max_pay };
                    *slot = None;
                    if empty {
                        continue;
                    }
                    match parse_pay(value) {
                        Some(pay) => *slot = Some(pay),
                        None => push_warning(
                            warnings,
                            format!(
                                "{} pay must be a whole number of dollars a year between 0 and {MAX_FILTER_PAY}; it was ignored.",
                                if key == "min_pay" { "Minimum" } else { "Maximum" }
                            ),
                        ),
                    }
                }
                "posted_within" => {
                    filter.posted_within = None;
                    if empty {
                        continue;
                    }
                    match value.parse::<u16>() {
                        Ok(days) if POSTED_WITHIN_DAYS.contains(&days) => filter.posted_within = Some(days),
                        _ => push_warning(
                            warnings,
                            "Posted within must be 1, 3, 7 or 30 days; it was ignored.".to_owned(),
                        ),
                    }
                }
                "sort" => {
                    filter.sort = match value {
                        "" => None,
                        "relevance" => Some(Sort::Relevance),
                        "newest" => Some(Sort::Newest),
                        "pay" => Some(Sort::Pay),
                        _ => {
                            push_warning(warnings, "Sort must be relevance, newest or pay; it was ignored.".to_owned());
                            None
                        }
                    }
                }
                "after" => {
                    filter.after = (!empty && value.len() <= 100 && value.bytes().all(|b| b.is_ascii_graphic()))
                        .then(|| value.to_owned());
                }
                _ => {}
            }
        }
        if let (Some(min), Some(max)) = (filter.min_pay, filter.max_pay)
            && min > max
        {
            push_warning(warnings, "The minimum pay was above the maximum; the two were swapped.".to_owned());
            filter.min_pay = Some(max);
            filter.max_pay = Some(min);
        }
        parsed
    }

    /// The order in effect: relevance needs keywords, so without them it is newest.
    pub fn effective_sort(&self) -> Sort {
        match (self.sort, &self.q) {
            (Some(Sort::Relevance), None) => Sort::Newest,
            (Some(sort), _) => sort,
            (None, Some(_)) => Sort::Relevance,
            (None, None) => Sort::Newest,
        }
    }

    /// The query string for this filter (without `?`), parameters in a fixed order, values encoded.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if let Some(location) = &self.location {
            pairs.push(("location", location.clone()));
        }
        if let Some(region) = &self.region {
            pairs.push(("region", region.clone()));
        }
        pairs.extend(self.remote.iter().map(|m| ("remote", m.code().to_owned())));
        if let Some(min_pay) = self.min_pay {
            pairs.push(("min_pay", min_pay.to_string()));
        }
        if let Some(max_pay) = self.max_pay {
            pairs.push(("max_pay", max_pay.to_string()));
        }
        pairs.extend(self.types.iter().map(|t| ("type", t.code().to_owned())));
        pairs.extend(self.levels.iter().map(|l| ("level", l.code().to_owned())));
        if let Some(days) = self.posted_within {
            pairs.push(("posted_within", days.to_string()));
        }
        if let Some(company) = &self.company {
            pairs.push(("company", company.clone()));
        }
        if let Some(sort) = self.sort {
            pairs.push(("sort", sort.code().to_owned()));
        }
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs {
            query.append_pair(key, &value);
        }
        query.finish()
    }

    /// The same filter on the page after `cursor`.
    pub fn with_cursor(&self, cursor: Option<String>) -> Self {
        Self { after: cursor, ..self.clone() }
    }

    /// What decides which postings match: this filter less its sort and its cursor.
    pub fn matching_part(&self) -> Self {
        Self { sort: None, after: None, ..self.clone() }
    }

    /// True when nothing narrows the list (order and page aside).
    pub fn is_empty(&self) -> bool {
        self.matching_part() == Self::default()
    }

    /// The key every listing cache files this filter's matches under: its matching part in canonical
    /// form, so that spellings that match the same postings share one entry (`q=Engineer!` and
    /// `q=engineer`, `type=a&type=b` and `type=b&type=a`). Keywords become their search words, lower
    /// case and in order; repeated choices are sorted.
    pub fn cache_key(&self) -> String {
        let mut canonical = self.matching_part();
        canonical.q = self.q.as_deref().map(|q| search_words(q).join(" ")).filter(|q| !q.is_empty());
        canonical.remote.sort_by_key(|mode| mode.code());
        canonical.types.sort_by_key(|kind| kind.code());
        canonical.levels.sort_by_key(|level| level.code());
        canonical.to_query_string()
    }

    /// True when a pay bound is set (postings without pay are then left out).
    pub fn filters_pay(&self) -> bool {
        self.min_pay.is_some() || self.max_pay.is_some()
    }

    /// Each filter in effect, one per chosen value, with the filter that removing it leaves (back on the
    /// first page, order kept). `location_label` names a location slug (`San Jose, CA`) where it can.
    pub fn active_filters(&self, location_label: impl Fn(&str) -> Option<String>) -> Vec<ActiveFilter> {
        let base = self.with_cursor(None);
        let mut active = Vec::new();
        let mut push = |label: String, without: JobFilter| active.push(ActiveFilter { label, without });
        if let Some(q) = &self.q {
            push(format!("Keywords: {q}"), JobFilter { q: None, ..base.clone() });
        }
        if let Some(slug) = &self.location {
            let label = location_label(slug).unwrap_or_else(|| slug.clone());
            push(format!("Location: {label}"), JobFilter { location: None, ..base.clone() });
        }
        if let Some(region) = &self.region {
            push(format!("Region: {region}"), JobFilter { region: None, ..base.clone() });
        }
        for mode in &self.remote {
            let remote = base.remote.iter().copied().filter(|m| m != mode).collect();
            push(mode.label().to_owned(), JobFilter { remote, ..base.clone() });
        }
        if let Some(min) = self.min_pay {
            push(
                format!("Pay from ${}", super::pay::group_thousands(min)),
                JobFilter { min_pay: None, ..base.clone() },
            );
        }
        if let Some(max) = self.max_pay {
            push(
                format!("Pay up to ${}", super::pay::group_thousands(max)),
                JobFilter { max_pay: None, ..base.clone() },
            );
        }
        for kind in &self.types {
            let types = base.types.iter().copied().filter(|t| t != kind).collect();
            push(kind.label().to_owned(), JobFilter { types, ..base.clone() });
        }
        for level in &self.levels {
            let levels = base.levels.iter().copied().filter(|l| l != level).collect();
            push(level.label().to_owned(), JobFilter { levels, ..base.clone() });
        }
        if let Some(days) = self.posted_within {
            let label = if days == 1 { "Posted within 1 day".to_owned() } else { format!("Posted within {days} days") };
            push(label, JobFilter { posted_within: None, ..base.clone() });
        }
        if let Some(company) = &self.company {
            push(format!("Company: {company}"), JobFilter { company: None, ..base.clone() });
        }
        active
    }
}

/// One filter in effect, as the listing shows it: a removable chip.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveFilter {
    /// What it narrows to, in words: "Remote", "Pay from $120,000".
    pub label: String,
    /// The filter without it.
    pub without: JobFilter,
}

impl ActiveFilter {
    /// The listing's address without this filter.
    pub fn remove_href(&self) -> String {
        let query = self.without.to_query_string();
        if query.is_empty() { "/jobs".to_owned() } else { format!("/jobs?{query}") }
    }
}

/// The most search words a keyword query uses; the rest are ignored.
pub const MAX_SEARCH_WORDS: usize = 16;

/// The words a keyword search looks for: runs of letters and digits, lower case, at most
/// [`MAX_SEARCH_WORDS`]. Everything else typed (punctuation, quotes, operators) only separates words.
pub fn search_words(keywords: &str) -> Vec<String> {
    keywords
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_SEARCH_WORDS)
        // Lower case can add marks that are not letters ("İ" becomes "i" and a combining dot): dropped.
        .map(|word| word.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|word| !word.is_empty())
        .collect()
}

/// Parses a query string such as `location=fremont-ca&min_pay=100000` (percent-decoding it).
pub fn parse_query_string(query: &str) -> ParsedFilter {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    JobFilter::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
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
    fn every_parameter_round_trips_through_the_query_string() {
        let query = "q=rust+%26+go&location=seattle-wa&region=wa&remote=remote&remote=hybrid&min_pay=90000&max_pay=150000&type=full_time&type=contract&level=senior&posted_within=7&company=tiktok&sort=pay&after=abc.12";
        let parsed = parse_query_string(query);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let filter = parsed.filter;
        assert_eq!(filter.q.as_deref(), Some("rust & go"));
        assert_eq!(filter.region.as_deref(), Some("WA"));
        assert_eq!(filter.remote, [WorkMode::Remote, WorkMode::Hybrid]);
        assert_eq!(filter.types, [EmploymentType::FullTime, EmploymentType::Contract]);
        assert_eq!(filter.levels, [ExperienceLevel::Senior]);
        assert_eq!(filter.posted_within, Some(7));
        assert_eq!(filter.sort, Some(Sort::Pay));
        let rendered = filter.to_query_string();
        assert_eq!(parse_query_string(&rendered).filter, filter);
        assert_eq!(parse_query_string(&rendered).filter.to_query_string(), rendered);
    }

    #[test]
    fn malformed_values_are_dropped_with_a_warning() {
        for (key, value) in [
            ("min_pay", "abc"),
            ("min_pay", "-1"),
            ("max_pay", "99999999999999"),
            ("location", "<script>"),
            ("region", "California"),
            ("remote", "moon"),
            ("type", "forever"),
            ("level", "wizard"),
            ("posted_within", "-1"),
            ("posted_within", "5"),
            ("sort", "random"),
            ("q", "\"(*)"),
        ] {
            let parsed = JobFilter::parse([(key, value)]);
            assert!(parsed.filter.is_empty() && parsed.filter.sort.is_none(), "{key}={value}");
            assert_eq!(parsed.warnings.len(), 1, "{key}={value}");
        }
    }

    #[test]
    fn empty_values_mean_no_filter_without_a_warning() {
        let parsed = JobFilter::parse([("location", ""), ("min_pay", " "), ("q", ""), ("remote", ""), ("sort", "")]);
        assert!(parsed.filter.is_empty());
        assert!(parsed.warnings.is_empty());
        assert_eq!(parsed.filter.to_query_string(), "");
    }

    #[test]
    fn long_keywords_are_cut_and_long_slugs_ignored() {
        let long = "a".repeat(10_000);
        let parsed = JobFilter::parse([("location", long.as_str()), ("q", long.as_str())]);
        assert_eq!(parsed.filter.location, None);
        assert_eq!(parsed.filter.q.map(|q| q.len()), Some(MAX_KEYWORDS_LEN));
        assert_eq!(parsed.warnings.len(), 2);
    }

    #[test]
    fn repeated_malformed_values_warn_once_and_warnings_are_capped() {
        let pairs: Vec<(&str, &str)> = (0..5_000).map(|_| ("q", "!")).collect();
        assert_eq!(JobFilter::parse(pairs).warnings.len(), 1);
        let mixed = [
            ("q", "!"),
            ("location", "<x>"),
            ("company", "<x>"),
            ("region", "xyz"),
            ("remote", "moon"),
            ("type", "x"),
            ("level", "x"),
            ("min_pay", "x"),
            ("max_pay", "x"),
            ("posted_within", "x"),
            ("sort", "x"),
            ("q", "a".repeat(300).leak()),
        ];
        let parsed = JobFilter::parse(mixed.iter().copied().cycle().take(1_000));
        assert_eq!(parsed.warnings.len(), MAX_WARNINGS);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Keys the parser knows, and some it does not.
        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("q"),
                Just("location"),
                Just("region"),
                Just("remote"),
                Just("min_pay"),
                Just("max_pay"),
                Just("type"),
                Just("level"),
                Just("posted_within"),
                Just("company"),
                Just("sort"),
                Just("after"),
                Just("utm_source"),
            ]
            .prop_map(str::to_owned)
        }

        /// Values near the valid ones, hostile ones, and anything at all.
        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("remote".to_owned()),
                Just("full_time".to_owned()),
                Just("senior".to_owned()),
                Just("CA".to_owned()),
                Just("san-jose-ca".to_owned()),
                Just("120,000".to_owned()),
                Just("pay".to_owned()),
                Just("7".to_owned()),
                Just("n.2026-01-01.5".to_owned()),
                "[a-z0-9-]{0,12}",
                "[0-9$,]{0,14}",
                "\\PC{0,40}",
                ".{0,300}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            #[test]
            fn any_query_parses_without_panic_to_a_bounded_filter(pairs in proptest::collection::vec((key(), value()), 0..40)) {
                let parsed = JobFilter::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                prop_assert!(parsed.warnings.len() <= MAX_WARNINGS);
                let filter = &parsed.filter;
                prop_assert!(filter.q.as_ref().is_none_or(|q| q.chars().count() <= MAX_KEYWORDS_LEN));
                prop_assert!(filter.remote.len() <= WorkMode::ALL.len());
                prop_assert!(filter.types.len() <= EmploymentType::ALL.len());
                prop_assert!(filter.levels.len() <= ExperienceLevel::ALL.len());
                prop_assert!(filter.min_pay.is_none_or(|pay| (0..=MAX_FILTER_PAY).contains(&pay)));
                if let (Some(min), Some(max)) = (filter.min_pay, filter.max_pay) {
                    prop_assert!(min <= max);
                }
            }

            #[test]
            fn a_parsed_filter_round_trips_through_its_query_string(pairs in proptest::collection::vec((key(), value()), 0..20)) {
                let filter = JobFilter::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).filter;
                let again = parse_query_string(&filter.to_query_string());
                prop_assert_eq!(&again.filter, &filter);
                prop_assert!(again.warnings.is_empty(), "{:?}", again.warnings);
                // The cache key is that of the canonical form: parsing it gives the same key.
                let keyed = parse_query_string(&filter.cache_key()).filter;
                prop_assert_eq!(keyed.cache_key(), filter.cache_key());
            }

            /// Removing any chip leaves a filter with exactly the other chips, on the first page, and its
            /// link reads back as that filter.
            #[test]
            fn removing_a_chip_removes_that_filter_alone(pairs in proptest::collection::vec((key(), value()), 0..20)) {
                let filter = JobFilter::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).filter;
                let chips = filter.active_filters(|_| None);
                prop_assert_eq!(chips.is_empty(), filter.is_empty());
                for (index, chip) in chips.iter().enumerate() {
                    let linked = parse_query_string(chip.remove_href().trim_start_matches("/jobs").trim_start_matches('?')).filter;
                    prop_assert_eq!(&linked, &chip.without);
                    prop_assert!(linked.after.is_none());
                    prop_assert_eq!(linked.sort, filter.sort);
                    let mut others: Vec<String> = chips.iter().map(|c| c.label.clone()).collect();
                    others.remove(index);
                    let left: Vec<String> = linked.active_filters(|_| None).into_iter().map(|c| c.label).collect();
                    prop_assert_eq!(left, others);
                }
            }

            #[test]
            fn any_raw_query_string_parses_without_panic(raw in ".{0,500}") {
                let parsed = parse_query_string(&raw);
                prop_assert!(parsed.warnings.len() <= MAX_WARNINGS);
            }
        }
    }

    #[test]
    fn active_filters_name_each_choice_and_link_to_the_rest() {
        let filter = parse_query_string("region=CA&min_pay=120000&remote=remote&remote=hybrid&after=abc").filter;
        let chips = filter.active_filters(|_| None);
        let labels: Vec<&str> = chips.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["Region: CA", "Remote", "Hybrid", "Pay from $120,000"]);
        assert_eq!(chips[0].remove_href(), "/jobs?remote=remote&remote=hybrid&min_pay=120000");
        assert_eq!(chips[3].remove_href(), "/jobs?region=CA&remote=remote&remote=hybrid");
        let only = parse_query_string("location=san-jose-ca").filter;
        let chips = only.active_filters(|slug| (slug == "san-jose-ca").then(|| "San Jose, CA".to_owned()));
        assert_eq!(chips[0].label, "Location: San Jose, CA");
        assert_eq!(chips[0].remove_href(), "/jobs");
    }

    #[test]
    fn a_filter_deserialises_only_through_the_parser() {
        let repeated = format!("\"{}\"", "remote=remote&".repeat(3_000));
        let filter: JobFilter = serde_json::from_str(&repeated).expect("a query string");
        assert_eq!(filter.remote, [WorkMode::Remote]);
        let long: JobFilter = serde_json::from_str(&format!("\"q={}\"", "a".repeat(60_000))).expect("query");
        assert_eq!(long.q.map(|q| q.len()), Some(MAX_KEYWORDS_LEN));
        let filter = parse_query_string("q=rust&region=CA&type=contract&min_pay=90000").filter;
        let json = serde_json::to_string(&filter).expect("serialises");
        assert_eq!(serde_json::from_str::<JobFilter>(&json).expect("deserialises"), filter);
        // The struct form a serde decoder used to take is refused.
        assert!(serde_json::from_str::<JobFilter>("{\"remote\": [\"remote\"]}").is_err());
    }

    #[test]
    fn a_reversed_pay_range_is_swapped() {
        let parsed = JobFilter::parse([("min_pay", "150000"), ("max_pay", "90000")]);
        assert_eq!((parsed.filter.min_pay, parsed.filter.max_pay), (Some(90_000), Some(150_000)));
        assert_eq!(parsed.warnings.len(), 1);
    }

    #[test]
    fn relevance_needs_keywords() {
        let mut filter = JobFilter { sort: Some(Sort::Relevance), ..JobFilter::default() };
        assert_eq!(filter.effective_sort(), Sort::Newest);
        filter.q = Some("rust".into());
        assert_eq!(filter.effective_sort(), Sort::Relevance);
        filter.sort = None;
        assert_eq!(filter.effective_sort(), Sort::Relevance);
    }
}

/// How many open postings one filter choice would give, the other filters kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The query-string value, e.g. `san-jose-ca` or `remote`.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// Counts beside each choice of the filter bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub location: Vec<FacetCount>,
    /// States and regions (two-letter codes), most postings first.
    #[serde(default)]
    pub region: Vec<FacetCount>,
    pub remote: Vec<FacetCount>,
    #[serde(rename = "type")]
    pub employment_type: Vec<FacetCount>,
    pub level: Vec<FacetCount>,
}

impl Facets {
    /// The count for `value` in one facet (0 when absent).
    pub fn count(list: &[FacetCount], value: &str) -> i64 {
        list.iter().find(|f| f.value == value).map_or(0, |f| f.count)
    }
}

/// What a listing shows about all its matches, whatever the page: the total, the facets and the pay spread.
/// It depends only on the filter (not on the sort or the cursor), so it is computed once per filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingSummary {
    pub total: i64,
    pub facets: Facets,
    pub pay: PayHistogram,
}

/// The most bars the pay histogram draws, open-ended end bars included.
pub const MAX_PAY_BARS: usize = 40;

/// The narrowest bar of the pay histogram, a year.
pub const PAY_BAR_WIDTH: i64 = 20_000;

/// The spread of annual pay (each posting's range midpoint) over the matching postings that post pay.
/// Its axis spans the 1st to the 99th percentile, so one odd posting cannot stretch it: what lies outside
/// is counted in the open-ended `below` and `above` bars. At most [`MAX_PAY_BARS`] bars in all, whatever
/// the data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayHistogram {
    /// Width of each bucket, whole currency units a year: a multiple of [`PAY_BAR_WIDTH`].
    pub bucket_width: i64,
    /// (lower bound, count), lowest first, with empty buckets in between filled in.
    pub buckets: Vec<(i64, i64)>,
    /// Postings under the first bucket's lower bound.
    #[serde(default)]
    pub below: i64,
    /// Postings at or over the last bucket's upper bound.
    #[serde(default)]
    pub above: i64,
    pub median: Option<i64>,
    /// How many matching postings post pay.
    pub paid: i64,
}

impl PayHistogram {
    /// The histogram of these midpoints (annual pay, in any order; reordered in place).
    pub fn from_midpoints(midpoints: &mut [i64]) -> Self {
        midpoints.sort_unstable();
        let mut counted: Vec<(i64, i64)> = Vec::new();
        for &midpoint in midpoints.iter() {
            match counted.last_mut() {
                Some((last, count)) if *last == midpoint => *count += 1,
                _ => counted.push((midpoint, 1)),
            }
        }
        Self::from_counted(counted)
    }

    /// The histogram of midpoints given as (midpoint, how many), ascending by midpoint, each count
    /// positive: what a summary patched change by change keeps.
    pub fn from_counted(counted: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let counted: Vec<(i64, i64)> = counted.into_iter().filter(|(_, count)| *count > 0).collect();
        let paid: i64 = counted.iter().map(|(_, count)| count).sum();
        let (Some(&(smallest, _)), Some(&(largest, _))) = (counted.first(), counted.last()) else {
            return Self { bucket_width: PAY_BAR_WIDTH, paid, ..Self::default() };
        };
        // The midpoint at a rank (from 0) in ascending order.
        let at_rank = |rank: i64| {
            let mut seen = 0;
            for &(midpoint, count) in &counted {
                seen += count;
                if rank < seen {
                    return midpoint;
                }
            }
            largest
        };
        let last_index = paid - 1;
        let median = at_rank(paid / 2);
        // The robust range: the 1st to the 99th percentile (nearest rank).
        let low = at_rank(last_index / 100);
        let high = at_rank(last_index - last_index / 100);
        // Two bars are kept for the open ends when anything lies outside the range.
        let outside = smallest < low || largest > high;
        let inner_bars = if outside { MAX_PAY_BARS - 2 } else { MAX_PAY_BARS } as i64;
        let mut width = PAY_BAR_WIDTH;
        let bars = |width: i64| high.div_euclid(width) - low.div_euclid(width) + 1;
        if bars(width) > inner_bars {
            let narrow = bars(PAY_BAR_WIDTH);
            width = PAY_BAR_WIDTH.saturating_mul((narrow + inner_bars - 2) / (inner_bars - 1)).max(PAY_BAR_WIDTH);
            while bars(width) > inner_bars {
                width = width.saturating_add(PAY_BAR_WIDTH);
            }
        }
        let (first, last) = (low.div_euclid(width), high.div_euclid(width));
        let mut counts = vec![0_i64; usize::try_from(last - first + 1).unwrap_or(0)];
        let (mut below, mut above) = (0, 0);
        for &(midpoint, count) in &counted {
            let bucket = midpoint.div_euclid(width);
            if bucket < first {
                below += count;
            } else if bucket > last {
                above += count;
            } else if let Some(slot) = usize::try_from(bucket - first).ok().and_then(|index| counts.get_mut(index)) {
                *slot += count;
            }
        }
        let buckets =
            counts.into_iter().enumerate().map(|(index, count)| ((first + index as i64) * width, count)).collect();
        Self { bucket_width: width, buckets, below, above, median: Some(median), paid }
    }

    /// How many bars a chart of it draws, the open ends included.
    pub fn bar_count(&self) -> usize {
        self.buckets.len() + usize::from(self.below > 0) + usize::from(self.above > 0)
    }

    /// The bars a chart draws, lowest first: an open-ended one for the postings below the axis (when any),
    /// one per bucket, and an open-ended one for those above it (when any); each with its count and the
    /// words a screen reader or a tooltip gives it.
    pub fn bars(&self) -> Vec<(i64, String)> {
        let dollars = |amount: i64| super::pay::compact_annual("$", amount);
        let mut bars = Vec::with_capacity(self.bar_count());
        if let Some((first, _)) = self.buckets.first().filter(|_| self.below > 0) {
            bars.push((self.below, format!("Under {}: {} jobs", dollars(*first), self.below)));
        }
        for (low, count) in &self.buckets {
            bars.push((*count, format!("{} - {}: {count} jobs", dollars(*low), dollars(low + self.bucket_width))));
        }
        if let Some((last, _)) = self.buckets.last().filter(|_| self.above > 0) {
            let top = last + self.bucket_width;
            bars.push((self.above, format!("{} and up: {} jobs", dollars(top), self.above)));
        }
        bars
    }
}

#[cfg(test)]
mod histogram_tests {
    use super::*;

    #[test]
    fn a_small_spread_keeps_twenty_thousand_dollar_bars_with_gaps_filled() {
        let histogram = PayHistogram::from_midpoints(&mut [90_000, 145_600, 175_000]);
        assert_eq!(histogram.buckets, vec![(80_000, 1), (100_000, 0), (120_000, 0), (140_000, 1), (160_000, 1)]);
        assert_eq!((histogram.below, histogram.above, histogram.median, histogram.paid), (0, 0, Some(145_600), 3));
    }

    #[test]
    fn one_posting_paid_by_the_hour_as_if_by_the_year_cannot_stretch_the_axis() {
        // 300 ordinary postings and one at $150,000 - $160,000 "an hour": $322 million a year.
        let mut midpoints: Vec<i64> = (0..300).map(|i| 60_000 + i * 500).collect();
        midpoints.push(322_400_000);
        let histogram = PayHistogram::from_midpoints(&mut midpoints);
        assert!(histogram.bar_count() <= MAX_PAY_BARS, "{}", histogram.bar_count());
        assert_eq!(histogram.above, 1);
        assert_eq!(histogram.bucket_width, PAY_BAR_WIDTH);
        assert_eq!(histogram.buckets.iter().map(|(_, n)| n).sum::<i64>() + histogram.below + histogram.above, 301);
    }

    #[test]
    fn any_spread_gives_at_most_forty_bars_counting_every_posting() {
        for spread in [1_i64, 7, 1_000, 1_000_000, 1_000_000_000_000] {
            let mut midpoints: Vec<i64> = (0..1_000).map(|i| i * spread).collect();
            let histogram = PayHistogram::from_midpoints(&mut midpoints);
            assert!(histogram.bar_count() <= MAX_PAY_BARS, "spread {spread}: {} bars", histogram.bar_count());
            let counted: i64 =
                histogram.buckets.iter().map(|(_, n)| n).sum::<i64>() + histogram.below + histogram.above;
            assert_eq!(counted, 1_000, "spread {spread}");
        }
    }
}
