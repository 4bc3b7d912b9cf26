//! Related postings of a detail page: "More from this company" and "Similar jobs near here".

use chrono::NaiveDate;
use sqlx::QueryBuilder;

use super::Db;

use super::cards::load_cards;
use super::dialect;
use super::{Error, Pool};
use crate::db::open_postings::{OpenPostings, SimilarTo, title_words};
use crate::db::records::RELATED_JOBS;
use crate::domain::{JobCard, JobDetail};

/// How many of the closest titles a similar-jobs search considers.
pub(super) const SIMILAR_CANDIDATES: i64 = 500;

pub async fn similar_jobs_in_sql(
    pool: &Pool,
    to: &SimilarTo<'_>,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<JobCard>, Error> {
    let words = title_words(to.title);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // The closest titles are found first, in the full-text index alone; only they are then checked
    // for place and ranked, so the cost does not grow with the number of postings that share a word.
    let mut query = QueryBuilder::<Db>::new("");
    dialect::push_title_hits(&mut query, &words, SIMILAR_CANDIDATES);
    query.push("SELECT p.id FROM hits h JOIN postings p ON p.id = h.id WHERE p.id <> ").push_bind(to.id);
    query
        .push(" AND p.company_id <> (SELECT id FROM companies WHERE slug = ")
        .push_bind(to.company_slug.to_owned())
        .push(")");
    query.push(" AND p.status = 'published' AND p.valid_through >= ").push_bind(today);
    query.push(" AND EXISTS (SELECT 1 FROM posting_locations l WHERE l.posting_id = p.id AND (l.work_mode = 'remote' OR l.region IN (");
    let mut regions = query.separated(", ");
    for region in &to.regions {
        regions.push_bind(region.clone());
    }
    query.push(")))");
    // Nearest first (same metro), then the same career path, then the closest title.
    query
        .push(" ORDER BY EXISTS (SELECT 1 FROM posting_locations l WHERE l.posting_id = p.id AND l.location_slug IN (");
    let mut slugs = query.separated(", ");
    for slug in &to.location_slugs {
        slugs.push_bind(slug.clone());
    }
    query.push(")) DESC, (p.career_step_id IS NOT NULL AND p.career_step_id IN (SELECT id FROM career_steps WHERE career_path_id = ");
    query.push_bind(to.career_path.unwrap_or(-1));
    query.push(")) DESC, h.rank LIMIT ").push_bind(limit);
    let ids: Vec<i64> = query.build_query_scalar().fetch_all(pool).await?;
    let mut cards = load_cards(pool, &ids).await?;
    // Show the place that made the posting "near": the same metro, else the same region.
    for card in &mut cards {
        card.put_location_first_where(|l| to.regions.contains(&l.region));
        card.put_location_first_where(|l| to.location_slugs.contains(&l.slug()));
    }
    Ok(cards)
}

pub async fn add_related_jobs(pool: &Pool, snapshot: &OpenPostings, detail: &mut JobDetail) -> Result<(), Error> {
    let card = &detail.card;
    let (company_ids, _) = snapshot.company_postings(&card.company.slug, Some(card.id), RELATED_JOBS);
    let mut regions: Vec<String> = card.locations.iter().map(|l| l.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let to = SimilarTo {
        id: card.id,
        company_slug: &card.company.slug,
        title: &card.title,
        career_path: detail.career_path_id,
        location_slugs: card.locations.iter().map(|l| l.slug()).collect(),
        regions,
    };
    let similar_ids = snapshot.similar(&to, RELATED_JOBS);
    let mut cards = load_cards(pool, &[company_ids.as_slice(), similar_ids.as_slice()].concat()).await?;
    let similar = cards.split_off(cards.iter().take_while(|c| company_ids.contains(&c.id)).count());
    // Show the place that made the posting "near": the same metro, else the same region.
    let similar = similar
        .into_iter()
        .map(|mut similar| {
            similar.put_location_first_where(|l| to.regions.contains(&l.region));
            similar.put_location_first_where(|l| to.location_slugs.contains(&l.slug()));
            similar
        })
        .collect();
    (detail.more_from_company, detail.similar) = (cards, similar);
    Ok(())
}
