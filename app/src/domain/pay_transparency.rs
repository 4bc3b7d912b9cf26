//! Pay-transparency laws: the places that require a pay range in job postings, and the check a posting
//! must pass before it is published there. The table is data, one row per jurisdiction with its source;
//! [`check`] is the only code that reads it.
//!
//! Coverage rule: a posting is covered by a jurisdiction when one of its on-site or hybrid locations is
//! inside it, or when it is remote and open to applicants there (no applicant area, the whole country, or
//! that region). Laws apply from their effective date, judged against the posting date.
//!
//! This is a publishing aid, not legal advice: employer-size thresholds (e.g. Hawaii's 50 employees) are not
//! known to the board, so those laws are applied as if the employer were covered.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::location::{Location, WorkMode, location_slug};

/// What the board does when a rule is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// Publishing is refused until it is fixed (saving a draft is still allowed).
    Block,
    /// Shown to the poster; publishing goes ahead.
    Warn,
}

/// One jurisdiction's requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jurisdiction {
    /// A stable key, e.g. `US-NY-NYC`.
    pub key: &'static str,
    /// The name shown to posters.
    pub name: &'static str,
    /// The two-letter region (state) it lies in; `DC` for the District of Columbia.
    pub region: &'static str,
    /// When set, only these cities (as `(city, region)` pairs) are covered, not the whole region.
    pub cities: &'static [&'static str],
    /// First day the law applies (`YYYY-MM-DD`).
    pub effective: &'static str,
    /// A pay range (minimum and maximum) must be in the posting.
    pub range_required: bool,
    /// An open-ended range ("$100,000 and up") is not accepted as a range.
    pub open_ended_allowed: bool,
    /// A general description of benefits must be in the posting.
    pub benefits_required: bool,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl Jurisdiction {
    /// The effective date as a date (every row's text is checked by a unit test).
    pub fn effective_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.effective, "%Y-%m-%d").ok()
    }

    /// True when `location` lies in this jurisdiction or, for remote work, is open to applicants there.
    pub fn covers(&self, location: &Location) -> bool {
        if location.country != "US" {
            return false;
        }
        if location.work_mode == WorkMode::Remote {
            return match location.applicant_location_requirement.as_deref().map(str::trim) {
                None | Some("") => true,
                Some(area) => area.eq_ignore_ascii_case("US") || area.eq_ignore_ascii_case(self.region),
            };
        }
        if !location.region.trim().eq_ignore_ascii_case(self.region) {
            return false;
        }
        let slug = location.slug();
        self.cities.is_empty() || self.cities.iter().any(|city| location_slug(city, self.region) == slug)
    }
}

/// The table. Sources are the statutes and the agencies' guidance pages as of 2026.
pub const JURISDICTIONS: &[Jurisdiction] = &[
    Jurisdiction {
        key: "US-CA",
        name: "California",
        region: "CA",
        cities: &[],
        effective: "2023-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "Cal. Labor Code § 432.3 (SB 1162), employers with 15+ employees; pay scale in every posting",
    },
    Jurisdiction {
        key: "US-CO",
        name: "Colorado",
        region: "CO",
        cities: &[],
        effective: "2021-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "Colorado Equal Pay for Equal Work Act, C.R.S. 8-5-201; range plus a general description of benefits",
    },
    Jurisdiction {
        key: "US-WA",
        name: "Washington",
        region: "WA",
        cities: &[],
        effective: "2023-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "RCW 49.58.110 (SB 5761), employers with 15+ employees; wage scale and a general description of benefits",
    },
    Jurisdiction {
        key: "US-NY",
        name: "New York State",
        region: "NY",
        cities: &[],
        effective: "2023-09-17",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "N.Y. Labor Law § 194-b, employers with 4+ employees; no open-ended ranges",
    },
    Jurisdiction {
        key: "US-NY-NYC",
        name: "New York City",
        region: "NY",
        cities: &["New York", "Manhattan", "Brooklyn", "Queens", "Bronx", "Staten Island"],
        effective: "2022-11-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "NYC Admin. Code § 8-107(32) (Local Law 32 of 2022); good-faith minimum and maximum",
    },
    Jurisdiction {
        key: "US-IL",
        name: "Illinois",
        region: "IL",
        cities: &[],
        effective: "2025-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "Illinois Equal Pay Act, 820 ILCS 112/10(b-25) (HB 3129), employers with 15+ employees",
    },
    Jurisdiction {
        key: "US-MN",
        name: "Minnesota",
        region: "MN",
        cities: &[],
        effective: "2025-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "Minn. Stat. § 181.173, employers with 30+ employees; no open-ended ranges",
    },
    Jurisdiction {
        key: "US-NJ",
        name: "New Jersey",
        region: "NJ",
        cities: &[],
        effective: "2025-06-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "N.J.S.A. 34:11-56a45 (S2310), employers with 10+ employees; range and a general description of benefits",
    },
    Jurisdiction {
        key: "US-VT",
        name: "Vermont",
        region: "VT",
        cities: &[],
        effective: "2025-07-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "21 V.S.A. § 495o (Act 155 of 2024), employers with 5+ employees",
    },
    Jurisdiction {
        key: "US-MD",
        name: "Maryland",
        region: "MD",
        cities: &[],
        effective: "2024-10-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: true,
        source: "Md. Code, Lab. & Empl. § 3-304.2 (SB 525 of 2024); range and a general description of benefits",
    },
    Jurisdiction {
        key: "US-HI",
        name: "Hawaii",
        region: "HI",
        cities: &[],
        effective: "2024-01-01",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "Haw. Rev. Stat. § 378-2.4 (Act 203 of 2023), employers with 50+ employees",
    },
    Jurisdiction {
        key: "US-MA",
        name: "Massachusetts",
        region: "MA",
        cities: &[],
        effective: "2025-10-29",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "M.G.L. c. 149 § 105E (Frances Perkins Workplace Equity Act), employers with 25+ employees",
    },
    Jurisdiction {
        key: "US-DC",
        name: "District of Columbia",
        region: "DC",
        cities: &[],
        effective: "2024-06-30",
        range_required: true,
        open_ended_allowed: false,
        benefits_required: false,
        source: "D.C. Code § 32-1451 (Wage Transparency Omnibus Amendment Act of 2023)",
    },
];

/// The pay as typed in the form, before it is known to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PayShape {
    pub has_min: bool,
    pub has_max: bool,
}

/// What is wrong in one jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// No pay at all.
    MissingRange,
    /// A minimum without a maximum ("and up"), or the reverse.
    OpenEndedRange,
    /// No benefits listed.
    MissingBenefits,
}

/// One finding of [`check`], fit to show to the poster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub jurisdiction: String,
    pub problem: Problem,
    pub severity: Severity,
    pub source: String,
}

impl Finding {
    /// The sentence shown to the poster.
    pub fn message(&self) -> String {
        let place = &self.jurisdiction;
        match self.problem {
            Problem::MissingRange => format!("{place} requires a pay range (minimum and maximum) in job postings."),
            Problem::OpenEndedRange => {
                format!("{place} does not accept an open-ended range (\"and up\"): give a minimum and a maximum.")
            }
            Problem::MissingBenefits => format!("{place} requires a general description of the benefits."),
        }
    }

    /// True when this finding stops publishing.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Block
    }
}

/// Checks a posting against every jurisdiction that covers one of its locations on `posted`.
/// Missing or open-ended pay blocks publishing; missing benefits warns.
pub fn check(locations: &[Location], pay: PayShape, has_benefits: bool, posted: NaiveDate) -> Vec<Finding> {
    let mut findings = Vec::new();
    for jurisdiction in JURISDICTIONS {
        let in_force = jurisdiction.effective_date().is_some_and(|date| posted >= date);
        if !in_force || !locations.iter().any(|location| jurisdiction.covers(location)) {
            continue;
        }
        let mut flag = |problem, severity| {
            findings.push(Finding {
                jurisdiction: jurisdiction.name.to_owned(),
                problem,
                severity,
                source: jurisdiction.source.to_owned(),
            })
        };
        if jurisdiction.range_required {
            match (pay.has_min, pay.has_max) {
                (false, false) => flag(Problem::MissingRange, Severity::Block),
                (true, true) => {}
                _ if !jurisdiction.open_ended_allowed => flag(Problem::OpenEndedRange, Severity::Block),
                _ => {}
            }
        }
        if jurisdiction.benefits_required && !has_benefits {
            flag(Problem::MissingBenefits, Severity::Warn);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(city: &str, region: &str, mode: WorkMode) -> Location {
        Location::new(city, region, "US", mode).expect("valid location")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    const RANGE: PayShape = PayShape { has_min: true, has_max: true };
    const NO_PAY: PayShape = PayShape { has_min: false, has_max: false };
    const AND_UP: PayShape = PayShape { has_min: true, has_max: false };

    #[test]
    fn every_row_has_a_date_a_source_and_a_unique_key() {
        let required = [
            "California",
            "Colorado",
            "Washington",
            "New York State",
            "New York City",
            "Illinois",
            "Minnesota",
            "New Jersey",
            "Vermont",
            "Maryland",
            "Hawaii",
            "Massachusetts",
            "District of Columbia",
        ];
        for name in required {
            assert!(JURISDICTIONS.iter().any(|j| j.name == name), "{name} is missing");
        }
        for (index, row) in JURISDICTIONS.iter().enumerate() {
            assert!(row.effective_date().is_some(), "{} has a bad date", row.key);
            assert!(!row.source.is_empty(), "{} has no source", row.key);
            assert!(JURISDICTIONS[index + 1..].iter().all(|other| other.key != row.key), "{} twice", row.key);
        }
    }

    #[test]
    fn a_covered_location_without_a_range_is_blocked() {
        let findings = check(&[place("San Jose", "CA", WorkMode::Onsite)], NO_PAY, true, day("2026-01-05"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].jurisdiction, "California");
        assert_eq!(findings[0].problem, Problem::MissingRange);
        assert!(findings[0].blocks());
    }

    #[test]
    fn an_and_up_range_is_blocked() {
        let findings = check(&[place("Denver", "CO", WorkMode::Hybrid)], AND_UP, true, day("2026-01-05"));
        assert_eq!(findings.iter().map(|f| f.problem).collect::<Vec<_>>(), vec![Problem::OpenEndedRange]);
        assert!(findings[0].blocks());
    }

    #[test]
    fn an_uncovered_location_is_not_flagged() {
        assert!(check(&[place("Austin", "TX", WorkMode::Onsite)], NO_PAY, false, day("2026-01-05")).is_empty());
        assert!(check(&[place("Austin", "TX", WorkMode::Onsite)], AND_UP, false, day("2026-01-05")).is_empty());
    }

    #[test]
    fn a_complete_posting_in_a_covered_place_passes() {
        assert!(check(&[place("Seattle", "WA", WorkMode::Onsite)], RANGE, true, day("2026-01-05")).is_empty());
    }

    #[test]
    fn missing_benefits_warn_only_where_the_law_asks_for_them() {
        let seattle = check(&[place("Seattle", "WA", WorkMode::Onsite)], RANGE, false, day("2026-01-05"));
        assert_eq!(seattle.len(), 1);
        assert_eq!(seattle[0].problem, Problem::MissingBenefits);
        assert_eq!(seattle[0].severity, Severity::Warn);
        assert!(check(&[place("San Jose", "CA", WorkMode::Onsite)], RANGE, false, day("2026-01-05")).is_empty());
    }

    #[test]
    fn a_law_applies_from_its_effective_date() {
        let boston = [place("Boston", "MA", WorkMode::Onsite)];
        assert!(check(&boston, NO_PAY, true, day("2025-10-28")).is_empty());
        assert_eq!(check(&boston, NO_PAY, true, day("2025-10-29")).len(), 1);
    }

    #[test]
    fn new_york_city_is_covered_by_the_city_and_the_state() {
        let findings = check(&[place("Brooklyn", "NY", WorkMode::Onsite)], NO_PAY, true, day("2026-01-05"));
        let names: Vec<_> = findings.iter().map(|f| f.jurisdiction.as_str()).collect();
        assert_eq!(names, vec!["New York State", "New York City"]);
        let buffalo = check(&[place("Buffalo", "NY", WorkMode::Onsite)], NO_PAY, true, day("2026-01-05"));
        assert_eq!(buffalo.len(), 1);
    }

    #[test]
    fn remote_work_counts_where_applicants_may_live() {
        let anywhere = place("Austin", "TX", WorkMode::Remote);
        assert_eq!(check(std::slice::from_ref(&anywhere), NO_PAY, true, day("2026-01-05")).len(), 13);
        let mut texas_only = anywhere.clone();
        texas_only.applicant_location_requirement = Some("TX".into());
        assert!(check(&[texas_only], NO_PAY, true, day("2026-01-05")).is_empty());
        let mut colorado_only = anywhere;
        colorado_only.applicant_location_requirement = Some("CO".into());
        let findings = check(&[colorado_only], NO_PAY, true, day("2026-01-05"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].jurisdiction, "Colorado");
    }

    #[test]
    fn a_location_outside_the_country_is_not_covered() {
        let toronto = Location::new("Toronto", "ON", "CA", WorkMode::Onsite).expect("valid");
        assert!(check(&[toronto], NO_PAY, false, day("2026-01-05")).is_empty());
    }
}
