//! Legal notices that a place's law asks job postings to carry, with the places they cover. The table is
//! data, one row per jurisdiction with its source; [`for_locations`] is the only code that reads it.
//!
//! Coverage rule: a notice applies to a posting when one of its on-site or hybrid locations is in the
//! jurisdiction (remote work is not placed anywhere, so no local notice follows it). Employers may attach
//! notices of their own besides these (the brief's TikTok posting carries the Los Angeles County notice
//! for San Jose); those are kept through edits, while these follow the locations.
//!
//! This is a publishing aid, not legal advice: each row says where its rule comes from.

use super::location::{Location, WorkMode, location_slug};

/// One jurisdiction's notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeJurisdiction {
    /// A stable key, e.g. `US-CA-SAN-FRANCISCO`: the `legal_notices.jurisdiction` of its text.
    pub key: &'static str,
    /// The two-letter region (state) it lies in.
    pub region: &'static str,
    /// The cities (or unincorporated communities) it covers; never empty.
    pub places: &'static [&'static str],
    /// The notice's heading on the posting.
    pub title: &'static str,
    /// The notice (Markdown).
    pub body: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl NoticeJurisdiction {
    /// True when `location` is on-site or hybrid work in this jurisdiction.
    pub fn covers(&self, location: &Location) -> bool {
        if location.work_mode == WorkMode::Remote || location.country != "US" {
            return false;
        }
        if !location.region.trim().eq_ignore_ascii_case(self.region) {
            return false;
        }
        let slug = location.slug();
        self.places.iter().any(|place| location_slug(place, self.region) == slug)
    }
}

/// The table. Sources are the ordinances and the enforcing agencies' guidance as of 2026.
pub const NOTICE_JURISDICTIONS: &[NoticeJurisdiction] = &[
    NoticeJurisdiction {
        key: "US-CA-LOS-ANGELES-COUNTY",
        region: "CA",
        // The largest unincorporated communities of Los Angeles County (the ordinance covers work done
        // there; the incorporated cities have their own rules).
        places: &[
            "East Los Angeles",
            "Altadena",
            "Hacienda Heights",
            "Rowland Heights",
            "Marina del Rey",
            "Topanga",
            "Valinda",
            "Stevenson Ranch",
            "Ladera Heights",
            "Florence-Graham",
            "Willowbrook",
            "West Athens",
        ],
        title: "For Los Angeles County (unincorporated) Candidates",
        body: "Qualified applicants with arrest or conviction records will be considered for employment in \
               accordance with all federal, state, and local laws including the Los Angeles County Fair Chance \
               Ordinance for Employers and the California Fair Chance Act.",
        source: "Los Angeles County Code Chapter 8.300 (Fair Chance Ordinance for Employers), effective 2024-09-03: \
                 solicitations for jobs in unincorporated Los Angeles County state that qualified applicants with \
                 arrest or conviction records will be considered",
    },
    NoticeJurisdiction {
        key: "US-CA-LOS-ANGELES",
        region: "CA",
        places: &["Los Angeles"],
        title: "For City of Los Angeles Candidates",
        body: "We will consider for employment qualified applicants with criminal histories in a manner consistent \
               with the requirements of the Los Angeles Fair Chance Initiative for Hiring Ordinance.",
        source: "Los Angeles Municipal Code Article 9, Chapter XVIII (Fair Chance Initiative for Hiring, Ordinance \
                 184652): job postings state that qualified applicants with criminal histories will be considered",
    },
    NoticeJurisdiction {
        key: "US-CA-SAN-FRANCISCO",
        region: "CA",
        places: &["San Francisco"],
        title: "For San Francisco Candidates",
        body: "We will consider for employment qualified applicants with arrest and conviction records in a manner \
               consistent with the San Francisco Fair Chance Ordinance.",
        source: "San Francisco Police Code Article 49 (Fair Chance Ordinance), § 4905: job solicitations state that \
                 qualified applicants with arrest and conviction records will be considered",
    },
];

/// The keys of the notices that `locations` call for, in table order, each once.
pub fn for_locations(locations: &[Location]) -> Vec<&'static str> {
    NOTICE_JURISDICTIONS
        .iter()
        .filter(|notice| locations.iter().any(|location| notice.covers(location)))
        .map(|notice| notice.key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(city: &str, mode: WorkMode) -> Location {
        Location::new(city, "CA", "US", mode).expect("location")
    }

    #[test]
    fn a_notice_follows_on_site_and_hybrid_work_in_its_places_only() {
        assert_eq!(for_locations(&[at("San Francisco", WorkMode::Hybrid)]), vec!["US-CA-SAN-FRANCISCO"]);
        assert_eq!(for_locations(&[at("Los Angeles", WorkMode::Onsite)]), vec!["US-CA-LOS-ANGELES"]);
        assert_eq!(for_locations(&[at("Altadena", WorkMode::Onsite)]), vec!["US-CA-LOS-ANGELES-COUNTY"]);
        assert!(for_locations(&[at("San Jose", WorkMode::Onsite)]).is_empty());
        assert!(for_locations(&[at("San Francisco", WorkMode::Remote)]).is_empty(), "remote work is placed nowhere");
        let both = [
            at("Los Angeles", WorkMode::Onsite),
            at("San Francisco", WorkMode::Onsite),
            at("Los Angeles", WorkMode::Hybrid),
        ];
        assert_eq!(for_locations(&both), vec!["US-CA-LOS-ANGELES", "US-CA-SAN-FRANCISCO"], "each once, in table order");
        let elsewhere = Location::new("San Francisco", "TX", "US", WorkMode::Onsite).expect("location");
        assert!(for_locations(&[elsewhere]).is_empty(), "the region counts too");
    }

    #[test]
    fn every_row_is_complete_and_its_key_unique() {
        let mut keys: Vec<&str> = NOTICE_JURISDICTIONS.iter().map(|n| n.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), NOTICE_JURISDICTIONS.len());
        for notice in NOTICE_JURISDICTIONS {
            assert!(!notice.places.is_empty() && !notice.title.is_empty() && notice.body.len() > 40, "{}", notice.key);
            assert!(notice.key.starts_with(&format!("US-{}-", notice.region)), "{}", notice.key);
        }
    }
}
