//! Structured benefits, grouped the way the benefits panel shows them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The panel's groups, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitGroup {
    Health,
    Money,
    Leave,
    Insurance,
    TimeOff,
    Wellbeing,
    Other,
}

impl BenefitGroup {
    /// All groups in display order.
    pub const ALL: [BenefitGroup; 7] =
        [Self::Health, Self::Money, Self::Leave, Self::Insurance, Self::TimeOff, Self::Wellbeing, Self::Other];

    /// Storage code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::Money => "money",
            Self::Leave => "leave",
            Self::Insurance => "insurance",
            Self::TimeOff => "time_off",
            Self::Wellbeing => "wellbeing",
            Self::Other => "other",
        }
    }

    /// Heading shown in the panel.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Health => "Health",
            Self::Money => "Money",
            Self::Leave => "Leave",
            Self::Insurance => "Insurance",
            Self::TimeOff => "Time off",
            Self::Wellbeing => "Wellbeing",
            Self::Other => "Other",
        }
    }

    /// Parses a storage code.
    pub fn parse(code: &str) -> Result<Self, BenefitError> {
        Self::ALL
            .into_iter()
            .find(|group| group.code() == code.trim())
            .ok_or_else(|| BenefitError::UnknownGroup(code.to_owned()))
    }
}

/// Why a benefit was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum BenefitError {
    #[error("unknown benefit group {0:?}")]
    UnknownGroup(String),
    #[error("a benefit needs a name")]
    MissingKind,
    #[error("a number of days must be between 1 and 366")]
    BadDays,
}

/// One benefit: "Paid holidays, 10 days a year".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefit {
    pub group: BenefitGroup,
    /// What it is: "Medical insurance", "Paid sick days".
    pub kind: String,
    /// Days a year, where the benefit is counted in days.
    pub days: Option<u16>,
    /// Free text: "prorated upon hire with increasing accruals by tenure".
    pub note: Option<String>,
}

impl Benefit {
    /// Builds a benefit, checking its name and day count.
    pub fn new(group: BenefitGroup, kind: &str, days: Option<u16>, note: Option<&str>) -> Result<Self, BenefitError> {
        let kind = kind.trim();
        if kind.is_empty() {
            return Err(BenefitError::MissingKind);
        }
        if matches!(days, Some(0) | Some(367..)) {
            return Err(BenefitError::BadDays);
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        Ok(Self { group, kind: kind.to_owned(), days, note })
    }

    /// "10 days a year" where the benefit is counted in days.
    pub fn days_label(&self) -> Option<String> {
        self.days.map(|d| if d == 1 { "1 day a year".to_owned() } else { format!("{d} days a year") })
    }
}

/// Benefits grouped in panel order, skipping empty groups.
pub fn grouped(benefits: &[Benefit]) -> Vec<(BenefitGroup, Vec<Benefit>)> {
    BenefitGroup::ALL
        .into_iter()
        .filter_map(|group| {
            let items: Vec<Benefit> = benefits.iter().filter(|b| b.group == group).cloned().collect();
            (!items.is_empty()).then_some((group, items))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benefits_group_in_panel_order_and_skip_empty_groups() {
        let benefits = vec![
            Benefit::new(BenefitGroup::TimeOff, "Paid holidays", Some(10), None).expect("valid"),
            Benefit::new(BenefitGroup::Health, "Medical insurance", None, None).expect("valid"),
        ];
        let groups: Vec<BenefitGroup> = grouped(&benefits).into_iter().map(|(g, _)| g).collect();
        assert_eq!(groups, vec![BenefitGroup::Health, BenefitGroup::TimeOff]);
    }

    #[test]
    fn day_counts_must_be_plausible() {
        assert_eq!(Benefit::new(BenefitGroup::TimeOff, "Sick days", Some(0), None), Err(BenefitError::BadDays));
        assert_eq!(Benefit::new(BenefitGroup::TimeOff, " ", None, None), Err(BenefitError::MissingKind));
        let ok = Benefit::new(BenefitGroup::TimeOff, "Sick days", Some(10), Some("  ")).expect("valid");
        assert_eq!(ok.note, None);
        assert_eq!(ok.days_label().as_deref(), Some("10 days a year"));
    }

    #[test]
    fn groups_round_trip_through_their_codes() {
        for group in BenefitGroup::ALL {
            assert_eq!(BenefitGroup::parse(group.code()), Ok(group));
        }
    }
}
