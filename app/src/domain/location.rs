//! Where a job is done: city, region, country and work mode.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::text::slugify;

/// On-site, hybrid or remote work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkMode {
    Onsite,
    Hybrid,
    Remote,
}

impl WorkMode {
    /// All modes.
    pub const ALL: [WorkMode; 3] = [Self::Onsite, Self::Hybrid, Self::Remote];

    /// Storage and query-string code: `onsite`, `hybrid`, `remote`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Onsite => "onsite",
            Self::Hybrid => "hybrid",
            Self::Remote => "remote",
        }
    }

    /// Human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Onsite => "On-site",
            Self::Hybrid => "Hybrid",
            Self::Remote => "Remote",
        }
    }

    /// Parses a code (`on-site` and `on_site` are accepted too).
    pub fn parse(code: &str) -> Result<Self, LocationError> {
        match code.trim().to_ascii_lowercase().as_str() {
            "onsite" | "on-site" | "on_site" => Ok(Self::Onsite),
            "hybrid" => Ok(Self::Hybrid),
            "remote" => Ok(Self::Remote),
            other => Err(LocationError::UnknownWorkMode(other.to_owned())),
        }
    }
}

/// Longest city name.
pub const MAX_CITY: usize = 80;

/// True for a region (or applicant-area) code: two or three ASCII letters.
fn is_region_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Why a location was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum LocationError {
    #[error("the city is required")]
    MissingCity,
    #[error("the region (state) is required")]
    MissingRegion,
    #[error("the city is at most {MAX_CITY} characters")]
    CityTooLong,
    #[error("{0:?} is not a region code of two or three letters, such as CA")]
    BadRegion(String),
    #[error("{0:?} is not a two-letter country code")]
    BadCountry(String),
    #[error("unknown work mode {0:?}: use onsite, hybrid or remote")]
    UnknownWorkMode(String),
}

/// A place a posting is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub city: String,
    pub region: String,
    pub country: String,
    pub work_mode: WorkMode,
    /// For remote work: where applicants must be (a country or region code), if anywhere.
    pub applicant_location_requirement: Option<String>,
}

impl Location {
    /// Builds a location, trimming text (codes upper-cased) and checking every part (see [`check`](Self::check)).
    pub fn new(city: &str, region: &str, country: &str, work_mode: WorkMode) -> Result<Self, LocationError> {
        let location = Self {
            city: city.trim().to_owned(),
            region: region.trim().to_ascii_uppercase(),
            country: country.trim().to_ascii_uppercase(),
            work_mode,
            applicant_location_requirement: None,
        };
        location.check()?;
        Ok(location)
    }

    /// The rules every stored location obeys: a city of at most [`MAX_CITY`] characters, a region code
    /// of two or three letters, a two-letter country code, and an applicant area (remote work) that is a
    /// region or country code.
    pub fn check(&self) -> Result<(), LocationError> {
        let city = self.city.trim();
        if city.is_empty() {
            return Err(LocationError::MissingCity);
        }
        if city.chars().count() > MAX_CITY {
            return Err(LocationError::CityTooLong);
        }
        let region = self.region.trim();
        if region.is_empty() {
            return Err(LocationError::MissingRegion);
        }
        if !is_region_code(region) {
            return Err(LocationError::BadRegion(region.to_owned()));
        }
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(LocationError::BadCountry(self.country.clone()));
        }
        if let Some(area) = &self.applicant_location_requirement
            && !is_region_code(area.trim())
        {
            return Err(LocationError::BadRegion(area.clone()));
        }
        Ok(())
    }

    /// The filter slug, `san-jose-ca`.
    pub fn slug(&self) -> String {
        location_slug(&self.city, &self.region)
    }

    /// "San Jose, CA".
    pub fn city_region(&self) -> String {
        format!("{}, {}", self.city, self.region)
    }

    /// What a card shows: "San Jose, CA", "San Jose, CA · Remote", "Austin, TX · Hybrid".
    pub fn label(&self) -> String {
        match self.work_mode {
            WorkMode::Onsite => self.city_region(),
            mode => format!("{} · {}", self.city_region(), mode.label()),
        }
    }
}

/// The slug of a city and region, `san-jose-ca`.
pub fn location_slug(city: &str, region: &str) -> String {
    slugify(&format!("{city} {region}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_slug_joins_city_and_region() {
        let location = Location::new(" San Jose ", "CA", "us", WorkMode::Remote).expect("valid");
        assert_eq!(location.slug(), "san-jose-ca");
        assert_eq!(location.country, "US");
        assert_eq!(location.label(), "San Jose, CA · Remote");
    }

    #[test]
    fn location_requires_city_region_and_country() {
        assert_eq!(Location::new("", "CA", "US", WorkMode::Onsite), Err(LocationError::MissingCity));
        assert_eq!(Location::new("Fremont", " ", "US", WorkMode::Onsite), Err(LocationError::MissingRegion));
        assert!(matches!(Location::new("Fremont", "CA", "USA", WorkMode::Onsite), Err(LocationError::BadCountry(_))));
    }

    #[test]
    fn a_region_is_a_code_of_two_or_three_letters_and_a_city_has_a_bound() {
        assert_eq!(Location::new("Fremont", "ca", "US", WorkMode::Onsite).map(|l| l.region), Ok("CA".to_owned()));
        for bad in ["C", "CALI", "C4", "Calif."] {
            assert!(
                matches!(Location::new("Fremont", bad, "US", WorkMode::Onsite), Err(LocationError::BadRegion(_))),
                "{bad}"
            );
        }
        let long = "x".repeat(MAX_CITY + 1);
        assert_eq!(Location::new(&long, "CA", "US", WorkMode::Onsite), Err(LocationError::CityTooLong));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            /// Whatever is typed, a location that is accepted obeys every stored rule, and one that is
            /// refused says why without panicking.
            #[test]
            fn an_accepted_location_obeys_the_rules(city in "\\PC{0,90}", region in "\\PC{0,5}", country in "\\PC{0,3}") {
                if let Ok(location) = Location::new(&city, &region, &country, WorkMode::Hybrid) {
                    prop_assert!(location.check().is_ok());
                    prop_assert!(!location.city.is_empty() && location.city.chars().count() <= MAX_CITY);
                    prop_assert!((2..=3).contains(&location.region.len()));
                    prop_assert!(location.region.bytes().all(|b| b.is_ascii_uppercase()));
                    prop_assert_eq!(location.country.len(), 2);
                    prop_assert!(!location.slug().is_empty() || location.city.chars().all(|c| !c.is_alphanumeric()));
                }
            }
        }
    }

    #[test]
    fn work_mode_parses_common_spellings() {
        assert_eq!(WorkMode::parse("On-Site"), Ok(WorkMode::Onsite));
        assert_eq!(WorkMode::parse("remote"), Ok(WorkMode::Remote));
        assert!(WorkMode::parse("moon").is_err());
    }
}
