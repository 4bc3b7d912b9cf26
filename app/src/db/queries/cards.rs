//! Postings as cards: the columns, rows and locations every list of postings reads.

use chrono::NaiveDate;
use sqlx::{FromRow, QueryBuilder};

use super::Db;
use std::collections::HashMap;

use super::{Error, Pool};
use crate::domain::job::CompanyRef;
use crate::domain::{Currency, EmploymentType, ExperienceLevel, JobCard, Location, Pay, PayUnit, WorkMode};

/// Columns of a posting as a card: the posting, its company and its pay.
pub(super) const CARD_COLUMNS: &str = "p.id, p.slug, p.title, p.employment_type, p.experience_level, p.status, \
     p.posted_at, p.valid_through, p.apply_url, c.name AS company_name, c.slug AS company_slug, \
     pay.min_amount, pay.max_amount, pay.currency, pay.unit, pay.location_id";

#[derive(FromRow)]
pub(super) struct CardRow {
    pub(super) id: i64,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) employment_type: String,
    pub(super) experience_level: String,
    pub(super) status: String,
    pub(super) posted_at: NaiveDate,
    pub(super) valid_through: NaiveDate,
    pub(super) apply_url: Option<String>,
    pub(super) company_name: String,
    pub(super) company_slug: String,
    pub(super) min_amount: Option<i64>,
    pub(super) max_amount: Option<i64>,
    pub(super) currency: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) location_id: Option<i64>,
}

#[derive(FromRow)]
pub(super) struct LocationRow {
    pub(super) id: i64,
    pub(super) posting_id: i64,
    pub(super) city: String,
    pub(super) region: String,
    pub(super) country: String,
    pub(super) work_mode: String,
    pub(super) applicant_location_requirement: Option<String>,
}

pub(super) use crate::db::error::decode;

impl LocationRow {
    pub(super) fn into_location(self) -> Result<Location, Error> {
        Ok(Location {
            city: self.city,
            region: self.region,
            country: self.country,
            work_mode: decode("work_mode", WorkMode::parse(&self.work_mode))?,
            applicant_location_requirement: self.applicant_location_requirement,
        })
    }
}

impl CardRow {
    pub(super) fn pay(&self) -> Result<Option<Pay>, Error> {
        match (self.min_amount, self.max_amount, &self.currency, &self.unit) {
            (Some(min), Some(max), Some(currency), Some(unit)) => {
                let currency = decode("currency", Currency::parse(currency))?;
                let unit = decode("unit", PayUnit::parse(unit))?;
                Ok(Some(decode("pay", Pay::from_storage(min, max, currency, unit))?))
            }
            _ => Ok(None),
        }
    }

    pub(super) fn into_card(self, locations: Vec<Location>) -> Result<JobCard, Error> {
        Ok(JobCard {
            pay: self.pay()?,
            id: self.id,
            slug: self.slug,
            title: self.title,
            company: CompanyRef { name: self.company_name, slug: self.company_slug },
            employment_type: decode("employment_type", EmploymentType::parse(&self.employment_type))?,
            level: decode("experience_level", ExperienceLevel::parse(&self.experience_level))?,
            locations,
            posted_at: self.posted_at,
            valid_through: self.valid_through,
        })
    }
}

pub async fn load_cards(pool: &Pool, ids: &[i64]) -> Result<Vec<JobCard>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new("SELECT ");
    query.push(CARD_COLUMNS).push(
        " FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id WHERE p.id IN (",
    );
    let mut separated = query.separated(", ");
    for id in ids {
        separated.push_bind(*id);
    }
    query.push(")");
    let rows: Vec<CardRow> = query.build_query_as().fetch_all(pool).await?;
    let mut locations = locations_of(pool, ids.iter().copied()).await?;
    let mut by_id: HashMap<i64, JobCard> = HashMap::with_capacity(rows.len());
    for row in rows {
        let places = locations.remove(&row.id).unwrap_or_default();
        let card = row.into_card(places.into_iter().map(|(_, l)| l).collect())?;
        by_id.insert(card.id, card);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The locations of the given postings, in each posting's order, with their row ids.
pub(super) async fn locations_of(
    pool: &Pool,
    posting_ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Vec<(i64, Location)>>, Error> {
    let ids: Vec<i64> = posting_ids.collect();
    let mut by_posting: HashMap<i64, Vec<(i64, Location)>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_posting);
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT id, posting_id, city, region, country, work_mode, applicant_location_requirement \
         FROM posting_locations WHERE posting_id IN (",
    );
    let mut separated = query.separated(", ");
    for id in ids {
        separated.push_bind(id);
    }
    query.push(") ORDER BY posting_id, position");
    let rows: Vec<LocationRow> = query.build_query_as().fetch_all(pool).await?;
    for row in rows {
        let (id, posting_id) = (row.id, row.posting_id);
        by_posting.entry(posting_id).or_default().push((id, row.into_location()?));
    }
    Ok(by_posting)
}
