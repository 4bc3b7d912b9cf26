//! The admin posting form: what it holds exactly as typed ([`PostingForm`], every field text, so a refused
//! form comes back unchanged), the one parser from form pairs (used by the server on a plain POST and by the
//! browser on `FormData`), and [`PostingForm::validate`], the rules both sides run.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::benefits::{Benefit, BenefitGroup};
use super::email::EmailAddress;
use super::job::{EmploymentType, ExperienceLevel, JobError, JobStatus, NewJob, NewSection, PostingParts, is_http_url};
use super::location::{Location, LocationError, WorkMode};
use super::pay::{Currency, Pay, PayError, PayUnit};
use super::pay_transparency::{self, Finding, PayShape};

/// How many location rows a new form offers.
pub const LOCATION_ROWS: usize = 3;
// The rules of a stored posting, which the form checks field by field.
pub use super::job::{MAX_HEADING, MAX_OPEN_DAYS, MAX_SECTION_BODY, MAX_TITLE};
pub use super::location::MAX_CITY;

/// How many section rows a new form offers.
pub const SECTION_ROWS: usize = 4;
/// Most location rows a form may have (an edit shows every stored location plus a blank row).
pub const MAX_LOCATION_ROWS: usize = 8;
/// Most section rows a form may have (an edit shows every stored section plus a blank row).
pub const MAX_SECTION_ROWS: usize = 16;
/// Longest company name.
pub const MAX_COMPANY: usize = 120;
/// Most benefits in one group; longest benefit line.
pub const MAX_BENEFITS_PER_GROUP: usize = 20;
pub const MAX_BENEFIT_LINE: usize = 120;
/// Most skills; longest skill.
pub const MAX_SKILLS: usize = 20;
pub const MAX_SKILL: usize = 40;
/// Longest apply URL or address.
pub const MAX_APPLY: usize = 500;

/// One location row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationInput {
    pub city: String,
    pub region: String,
    pub country: String,
    pub work_mode: String,
    /// For remote work: where applicants must live (`US`, a state code), empty for anywhere.
    pub applicant_area: String,
}

impl LocationInput {
    /// An empty row with the form's defaults (US, on-site).
    pub fn blank_row() -> Self {
        Self { country: "US".into(), work_mode: "onsite".into(), ..Default::default() }
    }

    fn is_blank(&self) -> bool {
        self.city.trim().is_empty() && self.region.trim().is_empty() && self.applicant_area.trim().is_empty()
    }
}

/// One section row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionInput {
    pub heading: String,
    pub body: String,
}

/// The form exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingForm {
    pub title: String,
    /// Slug of an existing company, or empty.
    pub company: String,
    /// Name of a company to create, or empty.
    pub new_company: String,
    pub locations: Vec<LocationInput>,
    pub employment_type: String,
    pub level: String,
    /// `path-slug/step-slug`, or empty.
    pub career_step: String,
    pub pay_min: String,
    pub pay_max: String,
    pub currency: String,
    pub pay_unit: String,
    /// One text per benefit group (in [`BenefitGroup::ALL`] order): a benefit a line, "(10 days)" optional.
    pub benefits: Vec<String>,
    pub sections: Vec<SectionInput>,
    /// An http(s) URL or an e-mail address.
    pub apply: String,
    /// Candidates may also apply on this site (a checkbox).
    pub applies_on_site: bool,
    pub posted_at: String,
    pub valid_through: String,
    /// Comma-separated.
    pub skills: String,
}

impl Default for PostingForm {
    fn default() -> Self {
        Self {
            title: String::new(),
            company: String::new(),
            new_company: String::new(),
            locations: vec![LocationInput::blank_row(); LOCATION_ROWS],
            employment_type: EmploymentType::FullTime.code().into(),
            level: ExperienceLevel::Mid.code().into(),
            career_step: String::new(),
            pay_min: String::new(),
            pay_max: String::new(),
            currency: "USD".into(),
            pay_unit: PayUnit::Year.code().into(),
            benefits: vec![String::new(); BenefitGroup::ALL.len()],
            sections: vec![SectionInput::default(); SECTION_ROWS],
            apply: String::new(),
            applies_on_site: false,
            posted_at: String::new(),
            valid_through: String::new(),
            skills: String::new(),
        }
    }
}

/// The names of the form's fields: the HTML `name`s and the keys of [`FormErrors`].
pub mod field {
    use super::BenefitGroup;

    pub const TITLE: &str = "title";
    pub const COMPANY: &str = "company";
    pub const NEW_COMPANY: &str = "new_company";
    pub const EMPLOYMENT_TYPE: &str = "employment_type";
    pub const LEVEL: &str = "level";
    pub const CAREER_STEP: &str = "career_step";
    pub const PAY_MIN: &str = "pay_min";
    pub const PAY_MAX: &str = "pay_max";
    pub const CURRENCY: &str = "currency";
    pub const PAY_UNIT: &str = "pay_unit";
    pub const SECTIONS: &str = "sections";
    pub const APPLY: &str = "apply";
    pub const APPLIES_ON_SITE: &str = "applies_on_site";
    pub const POSTED_AT: &str = "posted_at";
    pub const VALID_THROUGH: &str = "valid_through";
    pub const SKILLS: &str = "skills";
    /// Where the error goes when the pay-transparency check blocks publishing.
    pub const PAY_TRANSPARENCY: &str = "pay_transparency";

    /// `city_1`, `region_2`, ...: a field of location row `index` (0-based).
    pub fn location(part: &str, index: usize) -> String {
        format!("{part}_{}", index + 1)
    }

    /// `heading_1`, `body_1`, ...: a field of section row `index` (0-based).
    pub fn section(part: &str, index: usize) -> String {
        format!("{part}_{}", index + 1)
    }

    /// `benefits_health`, ...
    pub fn benefits(group: BenefitGroup) -> String {
        format!("benefits_{}", group.code())
    }
}

/// Why a field was refused; each message is fit to show beside its field.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum FieldError {
    #[error("This is required.")]
    Required,
    #[error("Remove the invisible control characters (they break feeds and e-mails).")]
    ControlCharacter,
    #[error("Use at most {0} characters.")]
    TooLong(usize),
    #[error("Pick a company or enter a new one, not both.")]
    CompanyTwice,
    #[error("Pick a company or enter the name of a new one.")]
    NoCompany,
    #[error("Unknown company.")]
    UnknownCompany,
    #[error("A company with this name already exists: pick it from the list above.")]
    CompanyExists,
    #[error("Enter a city for this location.")]
    MissingCity,
    #[error("Enter a state or region code, such as CA.")]
    BadRegion,
    #[error("Use a two-letter country code, such as US.")]
    BadCountry,
    #[error("Choose on-site, hybrid or remote.")]
    BadWorkMode,
    #[error("Choose from the list.")]
    BadChoice,
    #[error("Enter an amount such as 116000 or 45.50.")]
    BadAmount,
    #[error("Pay must be more than zero.")]
    NotPositive,
    #[error("The minimum must not be more than the maximum.")]
    MinAboveMax,
    #[error("Enter the maximum too: open-ended (\"and up\") ranges are not accepted.")]
    OpenEnded,
    #[error("Enter the minimum too.")]
    MissingMin,
    #[error("The pay is too large.")]
    PayTooLarge,
    #[error("More than $10,000,000 a year is not plausible pay: check the amounts.")]
    ImplausiblePay,
    #[error("{0} looks like a yearly amount: choose \"a year\", or check the amount.")]
    LooksYearly(String),
    #[error("Use a three-letter currency code, such as USD.")]
    BadCurrency,
    #[error("Add at least one section with a heading and text.")]
    NoSection,
    #[error("Give this section a heading.")]
    MissingHeading,
    #[error("Give this section some text.")]
    MissingBody,
    #[error("Write a benefit a line, with an optional day count such as \"Paid holidays (10 days)\".")]
    BadBenefit,
    #[error("Enter an http:// or https:// link, or an e-mail address.")]
    BadApply,
    #[error("This is already taken by another entry: choose another.")]
    Taken,
    #[error("Enter a date as YYYY-MM-DD.")]
    BadDate,
    #[error("The apply-before date must be after the posted date.")]
    ClosesBeforePosted,
    #[error("The apply-before date must be within {MAX_OPEN_DAYS} days of the posted date.")]
    OpenTooLong,
    #[error("Use at most {MAX_SKILLS} skills of at most {MAX_SKILL} characters each.")]
    BadSkills,
}

/// Field name -> what is wrong with it. Empty when the form is valid.
pub type FormErrors = BTreeMap<String, FieldError>;

/// Where applications go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyTarget {
    Url(String),
    Email(String),
}

/// The company of a valid form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompanyChoice {
    /// An existing company's slug.
    Existing(String),
    /// A company to create with this name.
    New(String),
}

/// A form that passed every rule: the parts of a posting, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidPosting {
    pub title: String,
    pub company: CompanyChoice,
    pub locations: Vec<Location>,
    pub employment_type: EmploymentType,
    pub level: ExperienceLevel,
    pub career_step: Option<(String, String)>,
    pub pay: Option<Pay>,
    pub benefits: Vec<Benefit>,
    pub sections: Vec<NewSection>,
    pub apply: ApplyTarget,
    pub applies_on_site: bool,
    pub posted_at: NaiveDate,
    pub valid_through: NaiveDate,
    pub skills: Vec<String>,
}

impl ValidPosting {
    /// The posting to store, once the company's slug is known; checked against the rules of a stored
    /// posting (which the form's own checks imply, so an error here is a rule the form is missing).
    pub fn into_new_job(
        self,
        company_slug: String,
        status: JobStatus,
        legal_notices: Vec<String>,
    ) -> Result<NewJob, JobError> {
        let (apply_url, apply_email) = match self.apply {
            ApplyTarget::Url(url) => (Some(url), None),
            ApplyTarget::Email(email) => (None, Some(email)),
        };
        let pay_location = self.pay.as_ref().map(|_| 0);
        NewJob::new(PostingParts {
            title: self.title,
            company_slug,
            employment_type: self.employment_type,
            level: self.level,
            status,
            posted_at: self.posted_at,
            valid_through: self.valid_through,
            apply_url,
            apply_email,
            applies_on_site: self.applies_on_site,
            locations: self.locations,
            pay: self.pay,
            pay_location,
            sections: self.sections,
            benefits: self.benefits,
            skills: self.skills,
            career_step: self.career_step,
            legal_notices,
        })
    }
}

impl PostingForm {
    /// Reads the form from its fields (`name`, `value`) pairs; unknown names are ignored.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            let value: String = value.into();
            let name = name.as_ref();
            match name {
                field::TITLE => form.title = value,
                field::COMPANY => form.company = value,
                field::NEW_COMPANY => form.new_company = value,
                field::EMPLOYMENT_TYPE => form.employment_type = value,
                field::LEVEL => form.level = value,
                field::CAREER_STEP => form.career_step = value,
                field::PAY_MIN => form.pay_min = value,
                field::PAY_MAX => form.pay_max = value,
                field::CURRENCY => form.currency = value,
                field::PAY_UNIT => form.pay_unit = value,
                field::APPLY => form.apply = value,
                field::APPLIES_ON_SITE => form.applies_on_site = !value.is_empty(),
                field::POSTED_AT => form.posted_at = value,
                field::VALID_THROUGH => form.valid_through = value,
                field::SKILLS => form.skills = value,
                _ => form.set_row_field(name, value),
            }
        }
        form
    }

    /// Every text field as typed: its name, its value, and whether it may hold line breaks.
    fn texts(&self) -> Vec<(String, &str, bool)> {
        let mut texts: Vec<(String, &str, bool)> = [
            (field::TITLE, &self.title),
            (field::COMPANY, &self.company),
            (field::NEW_COMPANY, &self.new_company),
            (field::EMPLOYMENT_TYPE, &self.employment_type),
            (field::LEVEL, &self.level),
            (field::CAREER_STEP, &self.career_step),
            (field::PAY_MIN, &self.pay_min),
            (field::PAY_MAX, &self.pay_max),
            (field::CURRENCY, &self.currency),
            (field::PAY_UNIT, &self.pay_unit),
            (field::APPLY, &self.apply),
            (field::POSTED_AT, &self.posted_at),
            (field::VALID_THROUGH, &self.valid_through),
            (field::SKILLS, &self.skills),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.as_str(), false))
        .collect();
        for (index, row) in self.locations.iter().enumerate() {
            for (part, value) in [
                ("city", &row.city),
                ("region", &row.region),
                ("country", &row.country),
                ("work_mode", &row.work_mode),
                ("area", &row.applicant_area),
            ] {
                texts.push((field::location(part, index), value.as_str(), false));
            }
        }
        for (index, row) in self.sections.iter().enumerate() {
            texts.push((field::section("heading", index), row.heading.as_str(), false));
            texts.push((field::section("body", index), row.body.as_str(), true));
        }
        for (group, text) in BenefitGroup::ALL.into_iter().zip(&self.benefits) {
            texts.push((field::benefits(group), text.as_str(), true));
        }
        texts
    }

    /// Every field name the form has (for reading it back from the page in the browser).
    pub fn field_names() -> Vec<String> {
        let mut names: Vec<String> = [
            field::TITLE,
            field::COMPANY,
            field::NEW_COMPANY,
            field::EMPLOYMENT_TYPE,
            field::LEVEL,
            field::CAREER_STEP,
            field::PAY_MIN,
            field::PAY_MAX,
            field::CURRENCY,
            field::PAY_UNIT,
            field::APPLY,
            field::APPLIES_ON_SITE,
            field::POSTED_AT,
            field::VALID_THROUGH,
            field::SKILLS,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for index in 0..MAX_LOCATION_ROWS {
            names.extend(["city", "region", "country", "work_mode", "area"].map(|part| field::location(part, index)));
        }
        for index in 0..MAX_SECTION_ROWS {
            names.extend(["heading", "body"].map(|part| field::section(part, index)));
        }
        names.extend(BenefitGroup::ALL.map(field::benefits));
        names
    }

    fn set_row_field(&mut self, name: &str, value: String) {
        if let Some(code) = name.strip_prefix("benefits_") {
            if let Some(index) = BenefitGroup::ALL.iter().position(|group| group.code() == code) {
                self.benefits[index] = value;
            }
            return;
        }
        let Some((part, number)) = name.rsplit_once('_') else { return };
        let Some(index) = number.parse::<usize>().ok().and_then(|n| n.checked_sub(1)) else { return };
        let is_location = matches!(part, "city" | "region" | "country" | "work_mode" | "area");
        if is_location && index < MAX_LOCATION_ROWS && index >= self.locations.len() {
            self.locations.resize_with(index + 1, LocationInput::blank_row);
        }
        if matches!(part, "heading" | "body") && index < MAX_SECTION_ROWS && index >= self.sections.len() {
            self.sections.resize_with(index + 1, SectionInput::default);
        }
        if let Some(row) = self.locations.get_mut(index) {
            match part {
                "city" => return row.city = value,
                "region" => return row.region = value,
                "country" => return row.country = value,
                "work_mode" => return row.work_mode = value,
                "area" => return row.applicant_area = value,
                _ => {}
            }
        }
        if let Some(row) = self.sections.get_mut(index) {
            match part {
                "heading" => row.heading = value,
                "body" => row.body = value,
                _ => {}
            }
        }
    }

    /// The form filled from a stored posting, for editing.
    pub fn from_job(job: &PostingParts) -> Self {
        let mut form = Self {
            title: job.title.clone(),
            company: job.company_slug.clone(),
            employment_type: job.employment_type.code().into(),
            level: job.level.code().into(),
            career_step: job.career_step.as_ref().map(|(path, step)| format!("{path}/{step}")).unwrap_or_default(),
            apply: job.apply_url.clone().or_else(|| job.apply_email.clone()).unwrap_or_default(),
            applies_on_site: job.applies_on_site,
            posted_at: job.posted_at.to_string(),
            valid_through: job.valid_through.to_string(),
            skills: job.skills.join(", "),
            ..Self::default()
        };
        // Every stored row, and a blank one to add another (within the form's limits).
        let location_rows = (job.locations.len() + 1).clamp(LOCATION_ROWS, MAX_LOCATION_ROWS.max(job.locations.len()));
        form.locations.resize_with(location_rows, LocationInput::blank_row);
        let section_rows = (job.sections.len() + 1).clamp(SECTION_ROWS, MAX_SECTION_ROWS.max(job.sections.len()));
        form.sections.resize_with(section_rows, SectionInput::default);
        for (row, location) in form.locations.iter_mut().zip(&job.locations) {
            *row = LocationInput {
                city: location.city.clone(),
                region: location.region.clone(),
                country: location.country.clone(),
                work_mode: location.work_mode.code().into(),
                applicant_area: location.applicant_location_requirement.clone().unwrap_or_default(),
            };
        }
        if let Some(pay) = &job.pay {
            form.pay_min = minor_to_text(pay.min_minor());
            form.pay_max = minor_to_text(pay.max_minor());
            form.currency = pay.currency().as_str().into();
            form.pay_unit = pay.unit().code().into();
        }
        for (index, group) in BenefitGroup::ALL.iter().enumerate() {
            let lines: Vec<String> = job
                .benefits
                .iter()
                .filter(|b| b.group == *group)
                .map(|b| match b.days {
                    Some(days) => format!("{} ({days} days)", b.kind),
                    None => b.kind.clone(),
                })
                .collect();
            form.benefits[index] = lines.join("\n");
        }
        for (row, section) in form.sections.iter_mut().zip(&job.sections) {
            *row = SectionInput { heading: section.heading.clone(), body: section.body_markdown.clone() };
        }
        form
    }

    /// Checks every rule; `today` is the default posted date. On failure, every wrong field is named.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidPosting, FormErrors> {
        let mut errors = FormErrors::new();
        let mut fail = |name: &str, error: FieldError| {
            errors.entry(name.to_owned()).or_insert(error);
        };

        for (name, value, multi_line) in self.texts() {
            let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
            if value.chars().any(|c| c.is_control() && !allowed(c)) {
                fail(&name, FieldError::ControlCharacter);
            }
        }

        let title = self.title.trim();
        if title.is_empty() {
            fail(field::TITLE, FieldError::Required);
        } else if title.chars().count() > MAX_TITLE {
            fail(field::TITLE, FieldError::TooLong(MAX_TITLE));
        }

        let company = match (self.company.trim(), self.new_company.trim()) {
            ("", "") => {
                fail(field::COMPANY, FieldError::NoCompany);
                None
            }
            (slug, "") => Some(CompanyChoice::Existing(slug.to_owned())),
            ("", name) if name.chars().count() > MAX_COMPANY => {
                fail(field::NEW_COMPANY, FieldError::TooLong(MAX_COMPANY));
                None
            }
            ("", name) => Some(CompanyChoice::New(name.to_owned())),
            _ => {
                fail(field::NEW_COMPANY, FieldError::CompanyTwice);
                None
            }
        };

        let mut locations = Vec::new();
        for (index, row) in self.locations.iter().enumerate() {
            if index > 0 && row.is_blank() {
                continue;
            }
            match parse_location(row) {
                Ok(location) => locations.push(location),
                Err((part, error)) => fail(&field::location(part, index), error),
            }
        }

        let employment_type = EmploymentType::parse(&self.employment_type)
            .map_err(|_| fail(field::EMPLOYMENT_TYPE, FieldError::BadChoice))
            .ok();
        let level = ExperienceLevel::parse(&self.level).map_err(|_| fail(field::LEVEL, FieldError::BadChoice)).ok();
        let career_step = match self.career_step.trim() {
            "" => None,
            value => match value.split_once('/') {
                Some((path, step)) if !path.is_empty() && !step.is_empty() => Some((path.to_owned(), step.to_owned())),
                _ => {
                    fail(field::CAREER_STEP, FieldError::BadChoice);
                    None
                }
            },
        };

        let pay = match self.parse_pay() {
            Ok(pay) => pay,
            Err((name, error)) => {
                fail(name, error);
                None
            }
        };

        let mut benefits = Vec::new();
        for (group, text) in BenefitGroup::ALL.iter().zip(&self.benefits) {
            match parse_benefit_lines(*group, text) {
                Ok(mut parsed) => benefits.append(&mut parsed),
                Err(error) => fail(&field::benefits(*group), error),
            }
        }

        let mut sections = Vec::new();
        for (index, row) in self.sections.iter().enumerate() {
            let (heading, body) = (row.heading.trim(), row.body.trim());
            match (heading.is_empty(), body.is_empty()) {
                (true, true) => {}
                (true, false) => fail(&field::section("heading", index), FieldError::MissingHeading),
                (false, true) => fail(&field::section("body", index), FieldError::MissingBody),
                _ if heading.chars().count() > MAX_HEADING => {
                    fail(&field::section("heading", index), FieldError::TooLong(MAX_HEADING))
                }
                _ if body.chars().count() > MAX_SECTION_BODY => {
                    fail(&field::section("body", index), FieldError::TooLong(MAX_SECTION_BODY))
                }
                _ => sections.push(NewSection { heading: heading.to_owned(), body_markdown: body.to_owned() }),
            }
        }
        if self.sections.iter().all(|row| row.heading.trim().is_empty() && row.body.trim().is_empty()) {
            fail(field::SECTIONS, FieldError::NoSection);
        }

        let apply = parse_apply(&self.apply).map_err(|error| fail(field::APPLY, error)).ok();

        let posted_at = match self.posted_at.trim() {
            "" => Some(today),
            text => parse_date(text).map_err(|error| fail(field::POSTED_AT, error)).ok(),
        };
        let valid_through = match self.valid_through.trim() {
            "" => {
                fail(field::VALID_THROUGH, FieldError::Required);
                None
            }
            text => parse_date(text).map_err(|error| fail(field::VALID_THROUGH, error)).ok(),
        };
        if let (Some(posted), Some(closes)) = (posted_at, valid_through) {
            if closes <= posted {
                fail(field::VALID_THROUGH, FieldError::ClosesBeforePosted);
            } else if (closes - posted).num_days() > MAX_OPEN_DAYS {
                fail(field::VALID_THROUGH, FieldError::OpenTooLong);
            }
        }

        let skills = parse_skills(&self.skills).map_err(|error| fail(field::SKILLS, error)).ok();

        match (company, employment_type, level, apply, posted_at, valid_through, skills) {
            (
                Some(company),
                Some(employment_type),
                Some(level),
                Some(apply),
                Some(posted_at),
                Some(valid_through),
                Some(skills),
            ) if errors.is_empty() => Ok(ValidPosting {
                title: title.to_owned(),
                company,
                locations,
                employment_type,
                level,
                career_step,
                pay,
                benefits,
                sections,
                apply,
                applies_on_site: self.applies_on_site,
                posted_at,
                valid_through,
                skills,
            }),
            _ => Err(errors),
        }
    }

    /// True when the pay-transparency check refuses to publish what is typed (a draft still saves).
    pub fn blocks_publishing(&self, today: NaiveDate) -> bool {
        self.transparency_findings(today).iter().any(Finding::blocks)
    }

    /// The company the form names: an existing one's slug, else the new name typed (maybe empty).
    pub fn company_choice(&self) -> CompanyChoice {
        match (self.company.trim(), self.new_company.trim()) {
            (slug, "") if !slug.is_empty() => CompanyChoice::Existing(slug.to_owned()),
            (_, name) => CompanyChoice::New(name.to_owned()),
        }
    }

    /// The pay-transparency findings for what is typed (locations that do not parse are left out).
    pub fn transparency_findings(&self, today: NaiveDate) -> Vec<Finding> {
        let locations: Vec<Location> = self
            .locations
            .iter()
            .enumerate()
            .filter(|(index, row)| *index == 0 || !row.is_blank())
            .filter_map(|(_, row)| parse_location(row).ok())
            .collect();
        let shape = PayShape { has_min: !self.pay_min.trim().is_empty(), has_max: !self.pay_max.trim().is_empty() };
        let has_benefits = self.benefits.iter().any(|text| !text.trim().is_empty());
        let posted = parse_date(self.posted_at.trim()).unwrap_or(today);
        pay_transparency::check(&locations, shape, has_benefits, posted)
    }

    fn parse_pay(&self) -> Result<Option<Pay>, (&'static str, FieldError)> {
        let (min_text, max_text) = (self.pay_min.trim(), self.pay_max.trim());
        let min = parse_amount(min_text).map_err(|e| (field::PAY_MIN, e))?;
        let max = parse_amount(max_text).map_err(|e| (field::PAY_MAX, e))?;
        let (min, max) = match (min, max) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err((field::PAY_MAX, FieldError::OpenEnded)),
            (None, Some(_)) => return Err((field::PAY_MIN, FieldError::MissingMin)),
            (Some(min), Some(max)) => (min, max),
        };
        let currency = Currency::parse(&self.currency).map_err(|_| (field::CURRENCY, FieldError::BadCurrency))?;
        let unit = PayUnit::parse(&self.pay_unit).map_err(|_| (field::PAY_UNIT, FieldError::BadChoice))?;
        Pay::new(min, max, currency, unit).map(Some).map_err(|error| match error {
            PayError::NotPositive => (field::PAY_MIN, FieldError::NotPositive),
            PayError::MinAboveMax => (field::PAY_MAX, FieldError::MinAboveMax),
            PayError::ImplausiblyHigh => (field::PAY_MAX, FieldError::ImplausiblePay),
            PayError::LooksYearly { amount, per } => {
                (field::PAY_UNIT, FieldError::LooksYearly(format!("{amount} {per}")))
            }
            _ => (field::PAY_MAX, FieldError::PayTooLarge),
        })
    }
}

fn parse_location(row: &LocationInput) -> Result<Location, (&'static str, FieldError)> {
    let city = row.city.trim();
    let region = row.region.trim();
    if city.is_empty() {
        return Err(("city", FieldError::MissingCity));
    }
    let mode = WorkMode::parse(&row.work_mode).map_err(|_| ("work_mode", FieldError::BadWorkMode))?;
    let country = if row.country.trim().is_empty() { "US" } else { row.country.trim() };
    let mut location = Location::new(city, region, country, mode).map_err(|error| match error {
        LocationError::MissingCity => ("city", FieldError::MissingCity),
        LocationError::CityTooLong => ("city", FieldError::TooLong(MAX_CITY)),
        LocationError::MissingRegion | LocationError::BadRegion(_) => ("region", FieldError::BadRegion),
        LocationError::BadCountry(_) | LocationError::UnknownWorkMode(_) => ("country", FieldError::BadCountry),
    })?;
    let area = row.applicant_area.trim();
    if mode == WorkMode::Remote && !area.is_empty() {
        location.applicant_location_requirement = Some(area.to_ascii_uppercase());
        location.check().map_err(|_| ("area", FieldError::BadRegion))?;
    }
    Ok(location)
}

/// "116,000", "116000", "45.50" -> minor units; empty -> `None`.
fn parse_amount(text: &str) -> Result<Option<i64>, FieldError> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | ' ' | '$')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    if cleaned.starts_with('-') {
        return Err(FieldError::NotPositive);
    }
    let (whole, cents) = match cleaned.split_once('.') {
        Some((whole, fraction))
            if !fraction.is_empty() && fraction.len() <= 2 && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let cents: i64 = fraction.parse().map_err(|_| FieldError::BadAmount)?;
            (whole, if fraction.len() == 1 { cents * 10 } else { cents })
        }
        Some(_) => return Err(FieldError::BadAmount),
        None => (cleaned.as_str(), 0),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
        return Err(if whole.len() > 12 { FieldError::PayTooLarge } else { FieldError::BadAmount });
    }
    let whole: i64 = whole.parse().map_err(|_| FieldError::BadAmount)?;
    whole.checked_mul(100).and_then(|minor| minor.checked_add(cents)).map(Some).ok_or(FieldError::PayTooLarge)
}

/// Minor units as the form shows them: "116000" or "45.50".
fn minor_to_text(minor: i64) -> String {
    if minor % 100 == 0 { (minor / 100).to_string() } else { format!("{}.{:02}", minor / 100, minor % 100) }
}

/// "Paid holidays (10 days)" a line.
fn parse_benefit_lines(group: BenefitGroup, text: &str) -> Result<Vec<Benefit>, FieldError> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    if lines.len() > MAX_BENEFITS_PER_GROUP {
        return Err(FieldError::BadBenefit);
    }
    lines
        .into_iter()
        .map(|line| {
            if line.chars().count() > MAX_BENEFIT_LINE {
                return Err(FieldError::TooLong(MAX_BENEFIT_LINE));
            }
            let (kind, days) = match line.strip_suffix(')').and_then(|rest| rest.rsplit_once('(')) {
                Some((kind, count)) => {
                    let number = count.trim().trim_end_matches("days").trim_end_matches("day").trim();
                    let days: u16 = number.parse().map_err(|_| FieldError::BadBenefit)?;
                    (kind.trim(), Some(days))
                }
                None => (line, None),
            };
            Benefit::new(group, kind, days, None).map_err(|_| FieldError::BadBenefit)
        })
        .collect()
}

fn parse_apply(text: &str) -> Result<ApplyTarget, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::Required);
    }
    if text.chars().count() > MAX_APPLY {
        return Err(FieldError::TooLong(MAX_APPLY));
    }
    if is_http_url(text) {
        return Ok(ApplyTarget::Url(text.to_owned()));
    }
    if text.contains('@') && !text.contains(':') {
        return EmailAddress::parse(text)
            .map(|email| ApplyTarget::Email(email.as_str().to_owned()))
            .map_err(|_| FieldError::BadApply);
    }
    Err(FieldError::BadApply)
}

fn parse_date(text: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| FieldError::BadDate)
}

fn parse_skills(text: &str) -> Result<Vec<String>, FieldError> {
    let mut skills: Vec<String> = Vec::new();
    for skill in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if skill.chars().count() > MAX_SKILL {
            return Err(FieldError::BadSkills);
        }
        if !skills.iter().any(|known| known.eq_ignore_ascii_case(skill)) {
            skills.push(skill.to_owned());
        }
    }
    if skills.len() > MAX_SKILLS {
        return Err(FieldError::BadSkills);
    }
    Ok(skills)
}

#[cfg(test)]
mod tests {
    use super::*;

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3_000))]

            #[test]
            fn an_amount_is_a_number_of_cents_or_refused(text in "[-+0-9., $a-z]{0,20}") {
                if let Ok(Some(cents)) = parse_amount(&text) {
                    prop_assert!(cents >= 0);
                    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | ' ' | '$')).collect();
                    prop_assert!(cleaned.bytes().all(|b| b.is_ascii_digit() || b == b'.'), "{}", text);
                }
            }

            #[test]
            fn whole_dollars_and_cents_read_back(whole in 0_i64..1_000_000_000, cents in 0_i64..100) {
                prop_assert_eq!(parse_amount(&format!("{whole}.{cents:02}")), Ok(Some(whole * 100 + cents)));
                prop_assert_eq!(parse_amount(&minor_to_text(whole * 100 + cents)), Ok(Some(whole * 100 + cents)));
            }

            #[test]
            fn any_form_validates_without_panic(pairs in proptest::collection::vec(("[a-z_]{1,16}(_[1-3])?", ".{0,60}"), 0..40)) {
                let form = PostingForm::from_pairs(pairs);
                let _ = form.validate(today());
                let _ = form.transparency_findings(today());
            }

            #[test]
            fn a_good_form_with_one_field_changed_validates_without_panic(field in "[a-z_]{3,16}(_[1-3])?", value in ".{0,200}") {
                let mut pairs = good_pairs();
                pairs.push((field, value));
                let _ = PostingForm::from_pairs(pairs).validate(today());
            }

            /// One rule set: every form the form's checks accept is a posting the storage layer accepts,
            /// so no typed value passes the form only to be refused (or stored wrongly) below it.
            #[test]
            fn a_form_that_validates_is_a_posting_that_obeys_the_rules(
                changes in proptest::collection::vec((
                    prop::sample::select(vec![
                        "title", "city_1", "region_1", "country_1", "work_mode_1", "city_2", "region_2",
                        "work_mode_2", "area_2", "pay_min", "pay_max", "currency", "pay_unit", "heading_1",
                        "body_1", "heading_2", "body_2", "apply", "posted_at", "valid_through", "skills",
                        "benefits_leave",
                    ]),
                    prop_oneof![
                        ".{0,12}",
                        "[A-Za-z]{1,4}",
                        "[0-9]{1,7}(\\.[0-9]{1,2})?",
                        "2026-0[1-9]-[0-2][1-9]",
                        "2027-0[1-9]-[0-2][1-9]",
                        "(onsite|hybrid|remote|HOUR|YEAR|WEEK|USD|EUR)",
                        "株式会社.{0,4}",
                    ],
                ), 0..6),
            ) {
                let mut pairs = good_pairs();
                for (name, value) in changes {
                    pairs.retain(|(key, _)| key != name);
                    pairs.push((name.to_owned(), value));
                }
                if let Ok(valid) = PostingForm::from_pairs(pairs).validate(today()) {
                    let job = valid.into_new_job("tiktok".into(), JobStatus::Draft, vec![]);
                    prop_assert!(job.is_ok(), "{:?}", job.err());
                }
            }
        }
    }

    #[test]
    fn an_amount_takes_digits_only_after_its_point() {
        for bad in ["10.-5", "10.+5", "10.a", "10.", ".5.5", "1.234"] {
            assert_eq!(parse_amount(bad), Err(FieldError::BadAmount), "{bad}");
        }
        assert_eq!(parse_amount("10.5"), Ok(Some(1_050)));
        assert_eq!(parse_amount("$116,000"), Ok(Some(11_600_000)));
        assert_eq!(parse_amount(""), Ok(None));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")
    }

    /// The fields of a form that passes every rule.
    fn good_pairs() -> Vec<(String, String)> {
        [
            ("title", "Backend Software Engineer Graduate"),
            ("company", "tiktok"),
            ("city_1", "San Jose"),
            ("region_1", "CA"),
            ("country_1", "US"),
            ("work_mode_1", "onsite"),
            ("employment_type", "full_time"),
            ("level", "entry"),
            ("career_step", "backend-engineering/software-engineer"),
            ("pay_min", "116,000"),
            ("pay_max", "177000"),
            ("currency", "USD"),
            ("pay_unit", "YEAR"),
            ("benefits_health", "Medical insurance\nDental insurance"),
            ("benefits_time_off", "Paid holidays (10 days)"),
            ("heading_1", "Responsibilities"),
            ("body_1", "Build **services**."),
            ("apply", "https://careers.example.com/apply"),
            ("posted_at", "2026-03-02"),
            ("valid_through", "2026-04-12"),
            ("skills", "Go, Python, go"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// A form that passes every rule.
    fn good_form() -> PostingForm {
        PostingForm::from_pairs(good_pairs())
    }

    fn errors_of(form: &PostingForm) -> FormErrors {
        form.validate(today()).expect_err("the form should be refused")
    }

    #[test]
    fn a_yearly_amount_typed_as_hourly_is_refused_beside_the_unit() {
        let mut form = good_form();
        (form.pay_min, form.pay_max, form.pay_unit) = ("150,000".into(), "160,000".into(), "HOUR".into());
        let errors = errors_of(&form);
        assert!(matches!(errors.get("pay_unit"), Some(FieldError::LooksYearly(_))), "{errors:?}");
        (form.pay_min, form.pay_max, form.pay_unit) = ("9,000,000".into(), "12,000,000".into(), "YEAR".into());
        assert_eq!(errors_of(&form).get("pay_max"), Some(&FieldError::ImplausiblePay));
    }

    #[test]
    fn a_complete_form_is_valid() {
        let valid = good_form().validate(today()).expect("valid");
        assert_eq!(valid.title, "Backend Software Engineer Graduate");
        assert_eq!(valid.company, CompanyChoice::Existing("tiktok".into()));
        assert_eq!(valid.locations.len(), 1);
        let pay = valid.pay.expect("pay");
        assert_eq!((pay.annual_min(), pay.annual_max()), (116_000, 177_000));
        assert_eq!(valid.benefits.len(), 3);
        assert_eq!(valid.benefits[2].days, Some(10));
        assert_eq!(valid.skills, vec!["Go".to_owned(), "Python".to_owned()]);
        assert_eq!(valid.apply, ApplyTarget::Url("https://careers.example.com/apply".into()));
    }

    #[test]
    fn required_fields_are_named_when_missing() {
        let errors = errors_of(&PostingForm::default());
        for name in [field::TITLE, field::COMPANY, "city_1", field::SECTIONS, field::APPLY, field::VALID_THROUGH] {
            assert!(errors.contains_key(name), "{name} should be required: {errors:?}");
        }
    }

    #[test]
    fn control_characters_are_refused_in_every_text_field() {
        for (name, value) in [
            ("title", "Engineer\u{1b}[31m"),
            ("body_1", "Line one\u{0}"),
            ("city_1", "San\u{7f} Jose"),
            ("benefits_health", "Dental\u{8}"),
        ] {
            let mut pairs = good_pairs();
            pairs.retain(|(field, _)| field != name);
            pairs.push((name.to_owned(), value.to_owned()));
            let errors = errors_of(&PostingForm::from_pairs(pairs));
            assert_eq!(errors.get(name), Some(&FieldError::ControlCharacter), "{name}: {errors:?}");
        }
        let mut pairs = good_pairs();
        pairs.retain(|(field, _)| field != "body_1");
        pairs.push(("body_1".to_owned(), "Two\r\nlines\tand a tab".to_owned()));
        assert!(PostingForm::from_pairs(pairs).validate(today()).is_ok(), "line breaks and tabs stay in a body");
    }

    #[test]
    fn lengths_are_bounded() {
        let mut form = good_form();
        form.title = "x".repeat(MAX_TITLE + 1);
        form.sections[0].body = "y".repeat(MAX_SECTION_BODY + 1);
        let errors = errors_of(&form);
        assert_eq!(errors.get(field::TITLE), Some(&FieldError::TooLong(MAX_TITLE)));
        assert_eq!(errors.get("body_1"), Some(&FieldError::TooLong(MAX_SECTION_BODY)));
    }

    #[test]
    fn minimum_must_not_exceed_maximum() {
        let mut form = good_form();
        form.pay_min = "200000".into();
        assert_eq!(errors_of(&form).get(field::PAY_MAX), Some(&FieldError::MinAboveMax));
    }

    #[test]
    fn pay_must_be_positive_and_numeric() {
        let mut form = good_form();
        form.pay_min = "0".into();
        assert_eq!(errors_of(&form).get(field::PAY_MIN), Some(&FieldError::NotPositive));
        form.pay_min = "-5".into();
        assert_eq!(errors_of(&form).get(field::PAY_MIN), Some(&FieldError::NotPositive));
        form.pay_min = "lots".into();
        assert_eq!(errors_of(&form).get(field::PAY_MIN), Some(&FieldError::BadAmount));
    }

    #[test]
    fn an_open_ended_range_is_refused_and_hourly_cents_are_kept() {
        let mut form = good_form();
        form.pay_max = String::new();
        assert_eq!(errors_of(&form).get(field::PAY_MAX), Some(&FieldError::OpenEnded));
        form.pay_min = "45.5".into();
        form.pay_max = "60.25".into();
        form.pay_unit = "HOUR".into();
        let pay = form.validate(today()).expect("valid").pay.expect("pay");
        assert_eq!((pay.min_minor(), pay.max_minor()), (4550, 6025));
        assert_eq!(pay.annual_min(), 94_640);
    }

    #[test]
    fn no_pay_at_all_is_allowed_by_validation() {
        let mut form = good_form();
        form.pay_min = String::new();
        form.pay_max = String::new();
        assert_eq!(form.validate(today()).expect("valid").pay, None);
    }

    #[test]
    fn apply_before_must_follow_the_posted_date() {
        let mut form = good_form();
        form.valid_through = "2026-03-02".into();
        assert_eq!(errors_of(&form).get(field::VALID_THROUGH), Some(&FieldError::ClosesBeforePosted));
        form.valid_through = "2027-12-01".into();
        assert_eq!(errors_of(&form).get(field::VALID_THROUGH), Some(&FieldError::OpenTooLong));
        form.valid_through = "next week".into();
        assert_eq!(errors_of(&form).get(field::VALID_THROUGH), Some(&FieldError::BadDate));
    }

    #[test]
    fn posted_date_defaults_to_today() {
        let mut form = good_form();
        form.posted_at = String::new();
        assert_eq!(form.validate(today()).expect("valid").posted_at, today());
    }

    #[test]
    fn only_http_links_or_email_addresses_are_accepted() {
        let mut form = good_form();
        for bad in ["javascript:alert(1)", "ftp://example.com", "example.com/apply", "mailto:a@b.co", "a@b"] {
            form.apply = bad.into();
            assert_eq!(errors_of(&form).get(field::APPLY), Some(&FieldError::BadApply), "{bad}");
        }
        form.apply = "jobs@Example.COM".into();
        assert_eq!(form.validate(today()).expect("valid").apply, ApplyTarget::Email("jobs@example.com".into()));
    }

    #[test]
    fn company_is_picked_or_created_not_both() {
        let mut form = good_form();
        form.new_company = "Acme".into();
        assert_eq!(errors_of(&form).get(field::NEW_COMPANY), Some(&FieldError::CompanyTwice));
        form.company = String::new();
        assert_eq!(form.validate(today()).expect("valid").company, CompanyChoice::New("Acme".into()));
    }

    #[test]
    fn a_half_filled_location_row_is_refused_and_blank_rows_are_skipped() {
        let mut form = good_form();
        form.locations[1].region = "WA".into();
        assert_eq!(errors_of(&form).get("city_2"), Some(&FieldError::MissingCity));
        form.locations[1].city = "Seattle".into();
        form.locations[1].work_mode = "teleport".into();
        assert_eq!(errors_of(&form).get("work_mode_2"), Some(&FieldError::BadWorkMode));
        form.locations[1].work_mode = "hybrid".into();
        assert_eq!(form.validate(today()).expect("valid").locations.len(), 2);
    }

    #[test]
    fn a_section_needs_both_heading_and_text() {
        let mut form = good_form();
        form.sections[1].body = "Text without a heading".into();
        assert_eq!(errors_of(&form).get("heading_2"), Some(&FieldError::MissingHeading));
    }

    #[test]
    fn malformed_benefit_days_are_refused() {
        let mut form = good_form();
        form.benefits[4] = "Paid holidays (lots)".into();
        assert_eq!(errors_of(&form).get("benefits_time_off"), Some(&FieldError::BadBenefit));
    }

    #[test]
    fn too_many_skills_are_refused() {
        let mut form = good_form();
        form.skills = (0..=MAX_SKILLS).map(|n| format!("skill{n}")).collect::<Vec<_>>().join(",");
        assert_eq!(errors_of(&form).get(field::SKILLS), Some(&FieldError::BadSkills));
    }

    #[test]
    fn a_stored_posting_round_trips_through_the_form() {
        let valid = good_form().validate(today()).expect("valid");
        let job =
            valid.clone().into_new_job("tiktok".into(), JobStatus::Draft, vec![]).expect("the posting's rules hold");
        let again = PostingForm::from_job(job.parts()).validate(today()).expect("valid again");
        assert_eq!(again, valid);
    }

    #[test]
    fn every_field_name_is_read_back() {
        let names = PostingForm::field_names();
        let pairs: Vec<(String, String)> = names.iter().map(|name| (name.clone(), format!("v-{name}"))).collect();
        let form = PostingForm::from_pairs(pairs);
        assert_eq!(form.title, "v-title");
        assert_eq!(form.locations[2].applicant_area, "v-area_3");
        assert_eq!(form.sections[3].body, "v-body_4");
        assert_eq!(form.benefits[6], "v-benefits_other");
        assert!(form.applies_on_site, "a ticked box reads as true");
        assert_eq!(names.len(), 15 + 5 * MAX_LOCATION_ROWS + 2 * MAX_SECTION_ROWS + BenefitGroup::ALL.len());
    }

    #[test]
    fn an_edit_keeps_every_stored_section_and_location() {
        let mut job = good_form()
            .validate(today())
            .expect("valid")
            .into_new_job("tiktok".into(), JobStatus::Draft, vec![])
            .expect("the posting's rules hold")
            .parts()
            .clone();
        job.sections =
            (1..=7).map(|n| NewSection { heading: format!("Part {n}"), body_markdown: format!("Text {n}") }).collect();
        let form = PostingForm::from_job(&job);
        assert_eq!(form.sections.len(), 8, "seven stored and one blank");
        assert_eq!(form.locations.len(), LOCATION_ROWS);
        // What the page sends back for those rows is read back whole.
        let pairs: Vec<(String, String)> = (0..7)
            .flat_map(|i| {
                [
                    (field::section("heading", i), format!("Part {}", i + 1)),
                    (field::section("body", i), format!("Text {}", i + 1)),
                ]
            })
            .collect();
        let read = PostingForm::from_pairs(pairs);
        assert_eq!(read.sections.iter().filter(|s| !s.heading.is_empty()).count(), 7);
        let beyond = PostingForm::from_pairs([(field::section("heading", MAX_SECTION_ROWS), "ignored".to_owned())]);
        assert_eq!(beyond.sections.len(), SECTION_ROWS, "rows beyond the limit are ignored");
    }

    #[test]
    fn transparency_findings_follow_the_typed_locations() {
        let mut form = good_form();
        assert!(form.transparency_findings(today()).is_empty());
        form.pay_max = String::new();
        let findings = form.transparency_findings(today());
        assert_eq!(findings.len(), 1);
        assert!(findings[0].blocks());
        form.locations[0].region = "TX".into();
        form.locations[0].city = "Austin".into();
        assert!(form.transparency_findings(today()).is_empty());
    }
}
