//! Pay ranges and the one annualising rule used by display, filters and the API.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// The period a pay amount is quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PayUnit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl PayUnit {
    /// All units, shortest period first.
    pub const ALL: [PayUnit; 5] = [Self::Hour, Self::Day, Self::Week, Self::Month, Self::Year];

    /// How many of this unit make a working year: hour x 2080, day x 260, week x 52, month x 12.
    pub const fn periods_per_year(self) -> i64 {
        match self {
            Self::Hour => 2080,
            Self::Day => 260,
            Self::Week => 52,
            Self::Month => 12,
            Self::Year => 1,
        }
    }

    /// The schema.org / storage code: `HOUR` ... `YEAR`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Hour => "HOUR",
            Self::Day => "DAY",
            Self::Week => "WEEK",
            Self::Month => "MONTH",
            Self::Year => "YEAR",
        }
    }

    /// Parses a storage code such as `YEAR` (case-insensitive).
    pub fn parse(code: &str) -> Result<Self, PayError> {
        Self::ALL
            .into_iter()
            .find(|unit| unit.code().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| PayError::UnknownUnit(code.to_owned()))
    }

    /// "a year", "an hour": the phrase after an amount.
    pub const fn per_phrase(self) -> &'static str {
        match self {
            Self::Hour => "an hour",
            Self::Day => "a day",
            Self::Week => "a week",
            Self::Month => "a month",
            Self::Year => "a year",
        }
    }
}

/// An ISO 4217 currency code such as `USD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// US dollars, the board's default currency.
    pub fn usd() -> Self {
        Self("USD".to_owned())
    }

    /// Parses a three-letter code; lower case is accepted and upper-cased.
    pub fn parse(code: &str) -> Result<Self, PayError> {
        let code = code.trim();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(code.to_ascii_uppercase()))
        } else {
            Err(PayError::BadCurrency(code.to_owned()))
        }
    }

    /// The code, e.g. `USD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The symbol used before amounts (`$`, `€`, `£`), or the code followed by a space.
    pub fn symbol(&self) -> String {
        match self.0.as_str() {
            "USD" | "CAD" | "AUD" => "$".to_owned(),
            "EUR" => "€".to_owned(),
            "GBP" => "£".to_owned(),
            other => format!("{other} "),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = PayError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.0
    }
}

/// Why a pay range was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum PayError {
    #[error("pay must be more than zero")]
    NotPositive,
    #[error("the minimum pay must not be more than the maximum")]
    MinAboveMax,
    #[error("unknown pay unit {0:?}: use HOUR, DAY, WEEK, MONTH or YEAR")]
    UnknownUnit(String),
    #[error("{0:?} is not a three-letter currency code")]
    BadCurrency(String),
    #[error("the pay is too large")]
    TooLarge,
    #[error("more than $10,000,000 a year is not plausible pay")]
    ImplausiblyHigh,
    #[error("{amount} {per} looks like a yearly amount: choose \"a year\"")]
    LooksYearly { amount: String, per: &'static str },
}

/// The highest annualised maximum accepted in US dollars, whole dollars: above it, pay is a typo (the
/// database's CHECK on `posting_pay` holds the same bound).
pub const MAX_ANNUAL_USD: i64 = 10_000_000;

/// The most an hour, a day or a week may pay in a dollar-like currency (whole units) before the amount
/// is taken for a yearly one typed against the wrong period.
const fn plausible_per_period(unit: PayUnit) -> Option<i64> {
    match unit {
        PayUnit::Hour => Some(2_000),
        PayUnit::Day => Some(16_000),
        PayUnit::Week => Some(80_000),
        PayUnit::Month | PayUnit::Year => None,
    }
}

/// Currencies whose unit is worth roughly a dollar, where the per-period bounds above make sense.
const DOLLAR_LIKE: [&str; 7] = ["USD", "CAD", "AUD", "NZD", "EUR", "GBP", "CHF"];

/// The largest amount accepted, in minor units (100 million a period).
const MAX_MINOR_UNITS: i64 = 10_000_000_000;

/// An employer's pay range in its own unit and currency. Amounts are minor units (cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pay {
    min_minor: i64,
    max_minor: i64,
    currency: Currency,
    unit: PayUnit,
}

impl Pay {
    /// Builds a range from minor units (cents), checking that it is positive and ordered.
    pub fn new(min_minor: i64, max_minor: i64, currency: Currency, unit: PayUnit) -> Result<Self, PayError> {
        let pay = Self::from_storage(min_minor, max_minor, currency, unit)?;
        if max_minor > MAX_MINOR_UNITS {
            return Err(PayError::TooLarge);
        }
        if DOLLAR_LIKE.contains(&pay.currency.as_str())
            && let Some(bound) = plausible_per_period(unit)
            && max_minor > bound * 100
        {
            return Err(PayError::LooksYearly {
                amount: format!("{}{}", pay.currency.symbol(), format_minor(max_minor)),
                per: unit.per_phrase(),
            });
        }
        if pay.currency.as_str() == "USD" && pay.annual_max() > MAX_ANNUAL_USD {
            return Err(PayError::ImplausiblyHigh);
        }
        Ok(pay)
    }

    /// A range as stored: positive and ordered (the schema's CHECKs), without the plausibility rules that
    /// [`Pay::new`] applies to what is typed, so that a row stored under older rules still reads.
    pub fn from_storage(min_minor: i64, max_minor: i64, currency: Currency, unit: PayUnit) -> Result<Self, PayError> {
        if min_minor <= 0 || max_minor <= 0 {
            return Err(PayError::NotPositive);
        }
        if min_minor > max_minor {
            return Err(PayError::MinAboveMax);
        }
        Ok(Self { min_minor, max_minor, currency, unit })
    }

    /// Builds a range from whole currency units.
    pub fn from_whole(min: i64, max: i64, currency: Currency, unit: PayUnit) -> Result<Self, PayError> {
        let min_minor = min.checked_mul(100).ok_or(PayError::TooLarge)?;
        let max_minor = max.checked_mul(100).ok_or(PayError::TooLarge)?;
        Self::new(min_minor, max_minor, currency, unit)
    }

    /// Minimum in minor units.
    pub fn min_minor(&self) -> i64 {
        self.min_minor
    }

    /// Maximum in minor units.
    pub fn max_minor(&self) -> i64 {
        self.max_minor
    }

    /// The currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// The period the amounts are quoted for.
    pub fn unit(&self) -> PayUnit {
        self.unit
    }

    /// The minimum annualised, in whole currency units (rounded down).
    pub fn annual_min(&self) -> i64 {
        annualise_minor(self.min_minor, self.unit)
    }

    /// The maximum annualised, in whole currency units (rounded down).
    pub fn annual_max(&self) -> i64 {
        annualise_minor(self.max_minor, self.unit)
    }

    /// "$116,000 - $177,000 a year", "$45 - $60 an hour"; a single figure when min equals max.
    pub fn display(&self) -> String {
        let symbol = self.currency.symbol();
        let min = format_minor(self.min_minor);
        let max = format_minor(self.max_minor);
        if self.min_minor == self.max_minor {
            format!("{symbol}{min} {}", self.unit.per_phrase())
        } else {
            format!("{symbol}{min} - {symbol}{max} {}", self.unit.per_phrase())
        }
    }

    /// The annualised range, "$116,000 - $177,000 a year".
    pub fn display_annual(&self) -> String {
        let symbol = self.currency.symbol();
        format!(
            "{symbol}{} - {symbol}{} a year",
            group_thousands(self.annual_min()),
            group_thousands(self.annual_max())
        )
    }
}

impl fmt::Display for Pay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// Annualises an amount in minor units to whole currency units: the one rule of the board.
pub fn annualise_minor(amount_minor: i64, unit: PayUnit) -> i64 {
    amount_minor.saturating_mul(unit.periods_per_year()) / 100
}

/// Formats minor units as "116,000" or "45.50" (cents only when there are any).
pub fn format_minor(amount_minor: i64) -> String {
    let whole = group_thousands(amount_minor / 100);
    let cents = amount_minor % 100;
    if cents == 0 { whole } else { format!("{whole}.{cents:02}") }
}

/// "116000" -> "116,000".
pub fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "$116k": a compact annual figure for axes and chips.
pub fn compact_annual(symbol: &str, whole: i64) -> String {
    if whole >= 1_000 { format!("{symbol}{}k", (whole + 500) / 1_000) } else { format!("{symbol}{whole}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hourly_amount_that_looks_yearly_is_refused_with_the_unit_to_choose() {
        let typo = Pay::from_whole(150_000, 160_000, Currency::usd(), PayUnit::Hour);
        assert!(matches!(typo, Err(PayError::LooksYearly { per: "an hour", .. })), "{typo:?}");
        assert!(Pay::from_whole(60, 80, Currency::usd(), PayUnit::Hour).is_ok());
        // Other currencies are not held to dollar amounts per hour.
        assert!(Pay::from_whole(3_000, 4_000, Currency::parse("JPY").expect("JPY"), PayUnit::Hour).is_ok());
    }

    #[test]
    fn more_than_ten_million_dollars_a_year_is_refused() {
        assert_eq!(
            Pay::from_whole(9_000_000, 10_000_001, Currency::usd(), PayUnit::Year),
            Err(PayError::ImplausiblyHigh)
        );
        assert!(Pay::from_whole(9_000_000, 10_000_000, Currency::usd(), PayUnit::Year).is_ok());
        // A stored row is read whatever the rules it was written under.
        assert!(Pay::from_storage(15_000_000, 16_000_000, Currency::usd(), PayUnit::Hour).is_ok());
    }

    fn usd(min: i64, max: i64, unit: PayUnit) -> Pay {
        Pay::from_whole(min, max, Currency::usd(), unit).expect("valid pay")
    }

    #[test]
    fn yearly_range_displays_like_the_brief() {
        assert_eq!(usd(116_000, 177_000, PayUnit::Year).display(), "$116,000 - $177,000 a year");
    }

    #[test]
    fn hourly_range_displays_per_hour_and_annualises_with_2080_hours() {
        let pay = usd(45, 60, PayUnit::Hour);
        assert_eq!(pay.display(), "$45 - $60 an hour");
        assert_eq!(pay.annual_min(), 93_600);
        assert_eq!(pay.annual_max(), 124_800);
    }

    #[test]
    fn every_unit_annualises_by_its_factor() {
        for (unit, factor) in
            [(PayUnit::Hour, 2080), (PayUnit::Day, 260), (PayUnit::Week, 52), (PayUnit::Month, 12), (PayUnit::Year, 1)]
        {
            assert_eq!(usd(10, 10, unit).annual_min(), 10 * factor, "{unit:?}");
        }
    }

    #[test]
    fn cents_are_shown_only_when_present() {
        let pay = Pay::new(4550, 6000, Currency::usd(), PayUnit::Hour).expect("valid");
        assert_eq!(pay.display(), "$45.50 - $60 an hour");
        assert_eq!(pay.annual_min(), 94_640);
    }

    #[test]
    fn min_above_max_is_refused() {
        assert_eq!(Pay::from_whole(10, 5, Currency::usd(), PayUnit::Hour), Err(PayError::MinAboveMax));
    }

    #[test]
    fn zero_or_negative_pay_is_refused() {
        assert_eq!(Pay::from_whole(0, 5, Currency::usd(), PayUnit::Hour), Err(PayError::NotPositive));
        assert_eq!(Pay::from_whole(-3, 5, Currency::usd(), PayUnit::Hour), Err(PayError::NotPositive));
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(Currency::parse("usd").map(|c| c.as_str().to_owned()), Ok("USD".to_owned()));
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
    }

    #[test]
    fn units_parse_case_insensitively_and_reject_unknown() {
        assert_eq!(PayUnit::parse("year"), Ok(PayUnit::Year));
        assert!(PayUnit::parse("fortnight").is_err());
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(compact_annual("$", 116_400), "$116k");
    }
}
