//! A company's page: its profile and the benefits its postings offer.

use sqlx::{FromRow, QueryBuilder};

use super::Db;

use super::Error;
use super::Pool;
use super::postings::BenefitRow;
use crate::db::records::COMPANY_BENEFIT_POSTINGS;
use crate::domain::CompanyProfile;

#[derive(FromRow)]
pub(super) struct CompanyRow {
    id: i64,
    name: String,
    slug: String,
    about: String,
    website: Option<String>,
    application_limit: Option<i64>,
}

pub async fn get_company_profile(pool: &Pool, slug: &str, posting_ids: &[i64]) -> Result<CompanyProfile, Error> {
    let company: CompanyRow =
        sqlx::query_as("SELECT id, name, slug, about, website, application_limit FROM companies WHERE slug = $1")
            .bind(slug)
            .fetch_one(pool)
            .await?;
    let posting_ids = &posting_ids[..posting_ids.len().min(COMPANY_BENEFIT_POSTINGS)];
    let benefits: Vec<BenefitRow> = if posting_ids.is_empty() {
        Vec::new()
    } else {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT b.benefit_group, b.kind, MAX(b.days) AS days, NULL AS note FROM posting_benefits b \
             JOIN postings p ON p.id = b.posting_id WHERE p.company_id = ",
        );
        query.push_bind(company.id).push(" AND b.posting_id IN (");
        let mut ids = query.separated(", ");
        for id in posting_ids {
            ids.push_bind(*id);
        }
        query.push(") GROUP BY b.benefit_group, b.kind ORDER BY MIN(b.position), b.kind");
        query.build_query_as().fetch_all(pool).await?
    };
    Ok(CompanyProfile {
        name: company.name,
        slug: company.slug,
        about: company.about,
        website: company.website,
        application_limit: company.application_limit,
        benefits: benefits.into_iter().map(BenefitRow::into_benefit).collect::<Result<_, _>>()?,
    })
}
