//! Reading postings for the listing and the detail page.

use chrono::NaiveDate;
use sqlx::{FromRow, QueryBuilder, Sqlite};
use std::collections::HashMap;

use super::Error;
use super::Pool;
use super::open_postings::{OpenPostings, SimilarTo};
use crate::domain::filter::{FacetCount, Facets, PayHistogram, Sort};
use crate::domain::job::{CompanyRef, job_path};
use crate::domain::{
    Benefit, BenefitGroup, CompanyProfile, Currency, EmploymentType, ExperienceLevel, JobCard, JobDetail, JobFilter,
    JobStatus, LegalNotice, Location, MarketEstimate, Pay, PayUnit, Section, WorkMode,
};
use crate::markdown::to_safe_html;

/// How many cards "More from this company" and "Similar jobs near here" show.
const RELATED_LIMIT: i64 = 4;

/// Columns of a posting as a card: the posting, its company and its pay.
const CARD_COLUMNS: &str = "p.id, p.slug, p.title, p.employment_type, p.experience_level, p.status, \
     p.posted_at, p.valid_through, p.apply_url, c.name AS company_name, c.slug AS company_slug, \
     pay.min_amount, pay.max_amount, pay.currency, pay.unit, pay.location_id";

#[derive(FromRow)]
struct CardRow {
    id: i64,
    slug: String,
    title: String,
    employment_type: String,
    experience_level: String,
    status: String,
    posted_at: NaiveDate,
    valid_through: NaiveDate,
    apply_url: Option<String>,
    company_name: String,
    company_slug: String,
    min_amount: Option<i64>,
    max_amount: Option<i64>,
    currency: Option<String>,
    unit: Option<String>,
    location_id: Option<i64>,
}

#[derive(FromRow)]
struct LocationRow {
    id: i64,
    posting_id: i64,
    city: String,
    region: String,
    country: String,
    work_mode: String,
    applicant_location_requirement: Option<String>,
}

/// Maps a stored code that the schema's CHECK constraints guarantee; a mismatch is a corrupt row.
pub(super) fn decode<T, E: std::fmt::Display>(column: &str, parsed: Result<T, E>) -> Result<T, Error> {
    parsed.map_err(|error| Error::corrupt(column, error))
}

impl LocationRow {
    fn into_location(self) -> Result<Location, Error> {
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
    fn pay(&self) -> Result<Option<Pay>, Error> {
        match (self.min_amount, self.max_amount, &self.currency, &self.unit) {
            (Some(min), Some(max), Some(currency), Some(unit)) => {
                let currency = decode("currency", Currency::parse(currency))?;
                let unit = decode("unit", PayUnit::parse(unit))?;
                Ok(Some(decode("pay", Pay::from_storage(min, max, currency, unit))?))
            }
            _ => Ok(None),
        }
    }

    fn into_card(self, locations: Vec<Location>) -> Result<JobCard, Error> {
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

/// The FTS5 query for a person's keywords: each word quoted (so nothing typed acts as FTS syntax), all
/// required. `None` when no word is left.
pub fn fts_query(keywords: &str) -> Option<String> {
    let words: Vec<String> =
        crate::domain::filter::search_words(keywords).into_iter().map(|word| format!("\"{word}\"")).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The relevance of a full-text match (lower is better): bm25 with the title counting most, then company
/// and skills. Valid only in a query built by [`select_matching`] with keywords.
const RANK: &str = "bm25(postings_fts, 10.0, 4.0, 3.0, 1.0)";

/// `SELECT {select} FROM … WHERE …` over the open postings matching `filter`, ready for more conditions,
/// GROUP BY or ORDER BY. With keywords, the full-text matches drive the query: each match is looked up
/// in `postings` by primary key (CROSS JOIN keeps that order in SQLite), rather than every open posting
/// being probed against the index, which is very slow in FTS5. [`RANK`] may then be selected; it is
/// computed only for the rows that pass the other filters. The pay columns (`pay.…`) are there when
/// `select` names them or the filter is on pay; conditions pushed afterwards may use them only then.
fn select_matching(select: &str, filter: &JobFilter, today: NaiveDate) -> QueryBuilder<Sqlite> {
    select_matching_joined(select, filter, today, "")
}

/// [`select_matching`] with one more join (a constant SQL fragment) before the WHERE clause.
fn select_matching_joined(
    select: &str,
    filter: &JobFilter,
    today: NaiveDate,
    join: &'static str,
) -> QueryBuilder<Sqlite> {
    let keywords = filter.q.as_deref().and_then(fts_query);
    let mut query = QueryBuilder::<Sqlite>::new("SELECT ");
    query.push(select);
    query.push(if keywords.is_some() {
        " FROM postings_fts CROSS JOIN postings p ON p.id = postings_fts.rowid"
    } else {
        " FROM postings p"
    });
    // Pay is joined only when the selection or the filter reads it: counts and facets without a pay filter
    // then run on the postings' own indexes (the unfiltered count: 258 ms -> 10 ms in the sqlite3 shell).
    if select.contains("pay.") || filter.filters_pay() {
        query.push(" LEFT JOIN posting_pay pay ON pay.posting_id = p.id");
    }
    query.push(join);
    push_where(&mut query, filter, today);
    if let Some(keywords) = keywords {
        query.push(" AND postings_fts MATCH ").push_bind(keywords);
    }
    query
}

/// The WHERE clause of [`select_matching`].
fn push_where(query: &mut QueryBuilder<Sqlite>, filter: &JobFilter, today: NaiveDate) {
    query.push(" WHERE p.status = 'published' AND p.valid_through >= ").push_bind(today);
    let location_condition = |query: &mut QueryBuilder<Sqlite>, column: &str, values: Vec<String>| {
        if values.is_empty() {
            return;
        }
        query.push(" AND EXISTS (SELECT 1 FROM posting_locations l WHERE l.posting_id = p.id AND l.");
        query.push(column).push(" IN (");
        let mut list = query.separated(", ");
        for value in values {
            list.push_bind(value);
        }
        query.push("))");
    };
    location_condition(query, "location_slug", filter.location.iter().cloned().collect());
    location_condition(query, "region", filter.region.iter().cloned().collect());
    location_condition(query, "work_mode", filter.remote.iter().map(|m| m.code().to_owned()).collect());
    // Overlap: the posting's annual range reaches the minimum and starts below the maximum.
    if let Some(min_pay) = filter.min_pay {
        query.push(" AND pay.annual_max >= ").push_bind(min_pay);
    }
    if let Some(max_pay) = filter.max_pay {
        query.push(" AND pay.annual_min <= ").push_bind(max_pay);
    }
    if filter.filters_pay() {
        query.push(" AND pay.currency = 'USD'");
    }
    let code_list = |query: &mut QueryBuilder<Sqlite>, column: &str, codes: Vec<&'static str>| {
        if codes.is_empty() {
            return;
        }
        query.push(" AND ").push(column).push(" IN (");
        let mut list = query.separated(", ");
        for code in codes {
            list.push_bind(code);
        }
        query.push(")");
    };
    code_list(query, "p.employment_type", filter.types.iter().map(|t| t.code()).collect());
    code_list(query, "p.experience_level", filter.levels.iter().map(|l| l.code()).collect());
    if let Some(days) = filter.posted_within {
        query.push(" AND p.posted_at >= ").push_bind(today - chrono::Days::new(u64::from(days)));
    }
    if let Some(company) = &filter.company {
        query.push(" AND p.company_id = (SELECT id FROM companies WHERE slug = ").push_bind(company.clone()).push(")");
    }
}

/// The most locations the location facet lists.
pub(super) const LOCATION_FACET_LIMIT: i64 = 60;

/// Counts for each choice of each filter, each computed with the other filters kept.
pub async fn facets(pool: &Pool, filter: &JobFilter, today: NaiveDate) -> Result<Facets, Error> {
    let base = filter.matching_part();

    let without_location = JobFilter { location: None, ..base.clone() };
    let sql_from = " JOIN posting_locations fl ON fl.posting_id = p.id";
    let mut query = select_matching_joined(
        "fl.location_slug, MIN(fl.city) || ', ' || MIN(fl.region), COUNT(DISTINCT p.id) AS n",
        &without_location,
        today,
        sql_from,
    );
    query.push(" GROUP BY fl.location_slug ORDER BY n DESC, fl.location_slug LIMIT ").push_bind(LOCATION_FACET_LIMIT);
    let location = counts(query.build_query_as().fetch_all(pool).await?);

    let without_region = JobFilter { region: None, ..base.clone() };
    let mut query =
        select_matching_joined("fl.region, fl.region, COUNT(DISTINCT p.id) AS n", &without_region, today, sql_from);
    query.push(" GROUP BY fl.region ORDER BY n DESC, fl.region");
    let region = counts(query.build_query_as().fetch_all(pool).await?);

    let without_remote = JobFilter { remote: Vec::new(), ..base.clone() };
    let mut query =
        select_matching_joined("fl.work_mode, fl.work_mode, COUNT(DISTINCT p.id)", &without_remote, today, sql_from);
    query.push(" GROUP BY fl.work_mode");
    let remote =
        labelled(query.build_query_as().fetch_all(pool).await?, |code| WorkMode::parse(code).ok().map(|m| m.label()));

    let without_types = JobFilter { types: Vec::new(), ..base.clone() };
    let mut query = select_matching("p.employment_type, p.employment_type, COUNT(*)", &without_types, today);
    query.push(" GROUP BY p.employment_type");
    let employment_type = labelled(query.build_query_as().fetch_all(pool).await?, |code| {
        EmploymentType::parse(code).ok().map(|t| t.label())
    });

    let without_levels = JobFilter { levels: Vec::new(), ..base };
    let mut query = select_matching("p.experience_level, p.experience_level, COUNT(*)", &without_levels, today);
    query.push(" GROUP BY p.experience_level");
    let level = labelled(query.build_query_as().fetch_all(pool).await?, |code| {
        ExperienceLevel::parse(code).ok().map(|l| l.label())
    });

    Ok(Facets { location, region, remote, employment_type, level })
}

fn counts(rows: Vec<(String, String, i64)>) -> Vec<FacetCount> {
    rows.into_iter().map(|(value, label, count)| FacetCount { value, label, count }).collect()
}

fn labelled(rows: Vec<(String, String, i64)>, label: impl Fn(&str) -> Option<&'static str>) -> Vec<FacetCount> {
    rows.into_iter()
        .map(|(value, _, count)| FacetCount { label: label(&value).unwrap_or("Other").to_owned(), value, count })
        .collect()
}

/// The pay spread of the postings matching `filter` (those that post pay, in USD): the definition the
/// in-memory summary is held to.
pub async fn pay_histogram(pool: &Pool, filter: &JobFilter, today: NaiveDate) -> Result<PayHistogram, Error> {
    let base = filter.matching_part();
    let mut query = select_matching("(pay.annual_min + pay.annual_max) / 2", &base, today);
    query.push(" AND pay.currency = 'USD'");
    let mut midpoints: Vec<i64> = query.build_query_scalar().fetch_all(pool).await?;
    Ok(PayHistogram::from_midpoints(&mut midpoints))
}

/// A position in a sorted listing: the sort key of the last card shown and its id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Cursor {
    Newest { posted_at: NaiveDate, id: i64 },
    Pay { annual_max: i64, id: i64 },
    Relevance { rank: f64, id: i64 },
}

impl Cursor {
    pub(super) fn encode(self) -> String {
        match self {
            Self::Newest { posted_at, id } => format!("n.{posted_at}.{id}"),
            Self::Pay { annual_max, id } => format!("p.{annual_max}.{id}"),
            Self::Relevance { rank, id } => format!("r.{:x}.{id}", rank.to_bits()),
        }
    }

    /// Reads a cursor made for `sort`; anything else (forged, or from another sort) is `None`.
    pub(super) fn decode(text: &str, sort: Sort) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        let (kind, key, id) = (parts.next()?, parts.next()?, parts.next()?.parse::<i64>().ok()?);
        match (kind, sort) {
            ("n", Sort::Newest) => Some(Self::Newest { posted_at: key.parse().ok()?, id }),
            ("p", Sort::Pay) => Some(Self::Pay { annual_max: key.parse().ok()?, id }),
            ("r", Sort::Relevance) => {
                Some(Self::Relevance { rank: f64::from_bits(u64::from_str_radix(key, 16).ok()?), id })
            }
            _ => None,
        }
    }
}

/// One page of a listing.
pub struct ListPage {
    pub jobs: Vec<JobCard>,
    /// How many open postings match in all.
    pub total: i64,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

#[derive(FromRow)]
struct KeyRow {
    id: i64,
    posted_at: NaiveDate,
    pay_key: i64,
    rank: f64,
}

/// Open postings matching `filter` in its order, `limit` a page from its cursor (keyset paging: a deep
/// page costs about what the first does), with the total number of matches.
pub async fn list_open_jobs(pool: &Pool, filter: &JobFilter, today: NaiveDate, limit: i64) -> Result<ListPage, Error> {
    let total = count_open_jobs(pool, filter, today).await?;
    let (jobs, next_cursor) = open_jobs_page(pool, filter, today, limit).await?;
    Ok(ListPage { jobs, total, next_cursor })
}

/// How many open postings match `filter`.
pub async fn count_open_jobs(pool: &Pool, filter: &JobFilter, today: NaiveDate) -> Result<i64, Error> {
    select_matching("COUNT(*)", filter, today).build_query_scalar().fetch_one(pool).await.map_err(Error::from)
}

/// One page of the open postings matching `filter`, in its order from its cursor, and the next cursor.
pub async fn open_jobs_page(
    pool: &Pool,
    filter: &JobFilter,
    today: NaiveDate,
    limit: i64,
) -> Result<(Vec<JobCard>, Option<String>), Error> {
    let sort = listing_sort(filter);
    let rank = if sort == Sort::Relevance { RANK } else { "0.0" };
    let mut page = select_matching(
        &format!("p.id, p.posted_at, COALESCE(pay.annual_max, -1) AS pay_key, {rank} AS rank"),
        filter,
        today,
    );
    match filter.after.as_deref().and_then(|text| Cursor::decode(text, sort)) {
        // Row values, so that SQLite seeks the (status, posted_at, id) index straight to the cursor.
        Some(Cursor::Newest { posted_at, id }) => {
            page.push(" AND (p.posted_at, p.id) < (").push_bind(posted_at).push(", ").push_bind(id).push(")");
        }
        Some(Cursor::Pay { annual_max, id }) => {
            page.push(" AND (COALESCE(pay.annual_max, -1), p.id) < (").push_bind(annual_max);
            page.push(", ").push_bind(id).push(")");
        }
        Some(Cursor::Relevance { rank: last, id }) => {
            page.push(" AND (").push(RANK).push(", p.id) > (").push_bind(last).push(", ").push_bind(id).push(")");
        }
        None => {}
    }
    page.push(match sort {
        Sort::Newest => " ORDER BY p.posted_at DESC, p.id DESC",
        Sort::Pay => " ORDER BY pay_key DESC, p.id DESC",
        Sort::Relevance => " ORDER BY rank ASC, p.id ASC",
    });
    page.push(" LIMIT ").push_bind(limit + 1);
    let mut keys: Vec<KeyRow> = page.build_query_as().fetch_all(pool).await?;
    let more = keys.len() as i64 > limit;
    keys.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = more.then(|| keys.last()).flatten().map(|last| {
        match sort {
            Sort::Newest => Cursor::Newest { posted_at: last.posted_at, id: last.id },
            Sort::Pay => Cursor::Pay { annual_max: last.pay_key, id: last.id },
            Sort::Relevance => Cursor::Relevance { rank: last.rank, id: last.id },
        }
        .encode()
    });
    let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
    let jobs = load_cards(pool, &ids).await?;
    Ok((jobs, next_cursor))
}

/// The order a listing is in: the filter's sort, with relevance falling back to newest when there are no
/// keywords to rank by.
pub(super) fn listing_sort(filter: &JobFilter) -> Sort {
    match filter.effective_sort() {
        Sort::Relevance if filter.q.as_deref().and_then(fts_query).is_none() => Sort::Newest,
        sort => sort,
    }
}

/// One match of a keyword search: its relevance (lower is better) and its posting's id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedMatch {
    pub rank: f64,
    pub id: i64,
}

/// Every open posting matching `filter` (which has keywords), best first: the order and the cursors of
/// [`open_jobs_page`] by relevance, for all pages at once.
pub(super) async fn ranked_matches(
    pool: &Pool,
    filter: &JobFilter,
    today: NaiveDate,
) -> Result<Vec<RankedMatch>, Error> {
    let base = filter.matching_part();
    let mut query = select_matching(&format!("{RANK} AS rank, p.id"), &base, today);
    query.push(" ORDER BY rank ASC, p.id ASC");
    let rows: Vec<(f64, i64)> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(rank, id)| RankedMatch { rank, id }).collect())
}

/// The page of `ranked` after `filter`'s cursor (a relevance cursor; any other starts at the top), as
/// [`open_jobs_page`] would give it.
pub(super) async fn ranked_page(
    pool: &Pool,
    ranked: &[RankedMatch],
    filter: &JobFilter,
    limit: i64,
) -> Result<(Vec<JobCard>, Option<String>), Error> {
    let start = match filter.after.as_deref().and_then(|text| Cursor::decode(text, Sort::Relevance)) {
        Some(Cursor::Relevance { rank, id }) => {
            ranked.partition_point(|m| m.rank < rank || (m.rank == rank && m.id <= id))
        }
        _ => 0,
    };
    let limit = usize::try_from(limit).unwrap_or(0);
    let page = &ranked[start..ranked.len().min(start.saturating_add(limit))];
    let more = ranked.len() > start + page.len();
    let next_cursor =
        more.then(|| page.last()).flatten().map(|last| Cursor::Relevance { rank: last.rank, id: last.id }.encode());
    let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
    Ok((load_cards(pool, &ids).await?, next_cursor))
}

/// Cards for the given posting ids, in the order given (ids that do not exist are skipped).
pub async fn load_cards(pool: &Pool, ids: &[i64]) -> Result<Vec<JobCard>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Sqlite>::new("SELECT ");
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

/// Words of a title worth matching on: lower-case, three letters or more, not filler.
pub(super) fn title_words(title: &str) -> Vec<String> {
    const FILLER: [&str; 12] =
        ["and", "the", "for", "with", "from", "team", "start", "eng", "remote", "hybrid", "new", "all"];
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()) && !FILLER.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// How many of the closest titles a similar-jobs search considers.
const SIMILAR_CANDIDATES: i64 = 500;

/// Open postings of other companies with a similar title, in the same region or remote; the same metro
/// ranks first, then the same career path, then full-text relevance of the title. The definition (in SQL,
/// over the 500 closest titles) that [`OpenPostings::similar`] is held to by the tests; pages use that.
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
    // Each word is quoted, so nothing in a title can act as FTS5 syntax.
    let fts_query = words.iter().map(|w| format!("title:\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" OR ");
    // The closest titles are found first, in the full-text index alone; only they are then checked
    // for place and ranked, so the cost does not grow with the number of postings that share a word.
    let mut query = QueryBuilder::<Sqlite>::new(
        "WITH hits AS MATERIALIZED (SELECT rowid AS id, rank FROM postings_fts WHERE postings_fts MATCH ",
    );
    query.push_bind(fts_query).push(" ORDER BY rank LIMIT ").push_bind(SIMILAR_CANDIDATES).push(") ");
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
    let mut query = QueryBuilder::<Sqlite>::new(
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

#[derive(FromRow)]
struct CompanyRow {
    id: i64,
    name: String,
    slug: String,
    about: String,
    website: Option<String>,
    application_limit: Option<i64>,
}

/// How many of a company's newest open postings its page reads the benefits of.
pub const COMPANY_BENEFIT_POSTINGS: usize = 200;

/// A company with the benefits named by `posting_ids` (its newest open postings, at most
/// [`COMPANY_BENEFIT_POSTINGS`] of them are read); `Error::NotFound` for an unknown slug.
pub async fn get_company_profile(pool: &Pool, slug: &str, posting_ids: &[i64]) -> Result<CompanyProfile, Error> {
    let company: CompanyRow =
        sqlx::query_as("SELECT id, name, slug, about, website, application_limit FROM companies WHERE slug = ?")
            .bind(slug)
            .fetch_one(pool)
            .await?;
    let posting_ids = &posting_ids[..posting_ids.len().min(COMPANY_BENEFIT_POSTINGS)];
    let benefits: Vec<BenefitRow> = if posting_ids.is_empty() {
        Vec::new()
    } else {
        let mut query = QueryBuilder::<Sqlite>::new(
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

/// Paths and posted dates of the postings open on `today` with ids from `first` to `last`, by id, for
/// the sitemap.
pub async fn open_posting_paths(
    pool: &Pool,
    first: i64,
    last: i64,
    today: NaiveDate,
) -> Result<Vec<(String, NaiveDate)>, Error> {
    let rows: Vec<(i64, String, NaiveDate)> = sqlx::query_as(
        "SELECT id, slug, posted_at FROM postings WHERE id BETWEEN ? AND ? \
         AND status = 'published' AND valid_through >= ? ORDER BY id",
    )
    .bind(first)
    .bind(last)
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, slug, posted)| (job_path(id, &slug), posted)).collect())
}

/// Answers when the database answers (the health check).
pub async fn ping(pool: &Pool) -> Result<(), Error> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// True when a career path with this slug exists.
pub async fn career_path_exists(conn: &mut super::Connection, slug: &str) -> Result<bool, Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM career_paths WHERE slug = ?)")
        .bind(slug)
        .fetch_one(conn)
        .await
        .map_err(Error::from)
}

/// How many postings exist, in any status.
pub async fn count_postings(pool: &Pool) -> Result<i64, Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM postings").fetch_one(pool).await.map_err(Error::from)
}

#[derive(FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    card: CardRow,
    apply_email: Option<String>,
    company_about: String,
    company_website: Option<String>,
    application_limit: Option<i64>,
    career_path_id: Option<i64>,
    career_path_slug: Option<String>,
    career_step_title: Option<String>,
    estimate_min: Option<i64>,
    estimate_max: Option<i64>,
    estimate_currency: Option<String>,
    estimate_location_slug: Option<String>,
}

#[derive(FromRow)]
struct SectionRow {
    heading: String,
    body_markdown: String,
}

#[derive(FromRow)]
struct RenderedRow {
    heading: String,
    body_markdown: String,
    body_html: Option<String>,
}

impl RenderedRow {
    /// The HTML stored when the row was written; rendered now only for a row written without it.
    fn html(&self) -> String {
        self.body_html.clone().unwrap_or_else(|| to_safe_html(&self.body_markdown))
    }
}

#[derive(FromRow)]
struct BenefitRow {
    benefit_group: String,
    kind: String,
    days: Option<i64>,
    note: Option<String>,
}

impl BenefitRow {
    fn into_benefit(self) -> Result<Benefit, Error> {
        Ok(Benefit {
            group: decode("benefit_group", BenefitGroup::parse(&self.benefit_group))?,
            kind: self.kind,
            days: self.days.and_then(|d| u16::try_from(d).ok()),
            note: self.note,
        })
    }
}

/// A posting's sections as written (Markdown), in order.
pub(super) async fn posting_sections(pool: &Pool, id: i64) -> Result<Vec<crate::domain::NewSection>, Error> {
    let rows: Vec<SectionRow> =
        sqlx::query_as("SELECT heading, body_markdown FROM posting_sections WHERE posting_id = ? ORDER BY position")
            .bind(id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::domain::NewSection { heading: row.heading, body_markdown: row.body_markdown })
        .collect())
}

/// A posting's benefits, in order.
pub(super) async fn posting_benefits(pool: &Pool, id: i64) -> Result<Vec<Benefit>, Error> {
    let rows: Vec<BenefitRow> = sqlx::query_as(
        "SELECT benefit_group, kind, days, note FROM posting_benefits WHERE posting_id = ? ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(BenefitRow::into_benefit).collect()
}

/// A posting's skills, by name.
pub(super) async fn posting_skills(pool: &Pool, id: i64) -> Result<Vec<String>, Error> {
    sqlx::query_scalar(
        "SELECT s.name FROM posting_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.posting_id = ? ORDER BY s.name",
    )
    .bind(id)
    .fetch_all(pool)
    .await.map_err(Error::from)
}

/// One posting with everything its page shows; `Error::NotFound` when the id does not exist or is a draft.
pub async fn get_job_detail(pool: &Pool, id: i64, today: NaiveDate) -> Result<JobDetail, Error> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT ");
    query.push(CARD_COLUMNS).push(
        ", p.apply_email, c.about AS company_about, c.website AS company_website, c.application_limit, \
         cp.id AS career_path_id, cp.slug AS career_path_slug, cs.title AS career_step_title, \
         cs.estimate_min, cs.estimate_max, cs.estimate_currency, cs.estimate_location_slug \
         FROM postings p JOIN companies c ON c.id = p.company_id \
         LEFT JOIN posting_pay pay ON pay.posting_id = p.id \
         LEFT JOIN career_steps cs ON cs.id = p.career_step_id \
         LEFT JOIN career_paths cp ON cp.id = cs.career_path_id \
         WHERE p.status <> 'draft' AND p.id = ",
    );
    query.push_bind(id);
    let detail: DetailRow = query.build_query_as().fetch_one(pool).await?;
    let row = detail.card;

    let sections: Vec<RenderedRow> = sqlx::query_as(
        "SELECT heading, body_markdown, body_html FROM posting_sections WHERE posting_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let benefits = posting_benefits(pool, id).await?;
    let skills = posting_skills(pool, id).await?;
    let notices: Vec<(String, RenderedRow)> = sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT n.jurisdiction, n.title, n.body_markdown, n.body_html FROM posting_legal_notices pn \
         JOIN legal_notices n ON n.id = pn.notice_id WHERE pn.posting_id = ? ORDER BY n.jurisdiction",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(jurisdiction, heading, body_markdown, body_html)| {
        (jurisdiction, RenderedRow { heading, body_markdown, body_html })
    })
    .collect();

    let located = locations_of(pool, std::iter::once(id)).await?.remove(&id).unwrap_or_default();
    let pay_location = row
        .location_id
        .and_then(|pay_location_id| located.iter().find(|(loc_id, _)| *loc_id == pay_location_id))
        .map(|(_, location)| location.clone());
    let status = decode("status", JobStatus::parse(&row.status))?;
    let apply_url = row.apply_url.clone();
    let card = row.into_card(located.into_iter().map(|(_, l)| l).collect())?;

    // The estimate counts only where it is for a metro the posting is in.
    let market_estimate =
        match (&detail.career_step_title, detail.estimate_min, detail.estimate_max, &detail.estimate_location_slug) {
            (Some(title), Some(min), Some(max), Some(slug)) => {
                card.locations.iter().find(|l| &l.slug() == slug).map(|l| MarketEstimate {
                    step_title: title.clone(),
                    location_label: l.city_region(),
                    min,
                    max,
                    currency: detail.estimate_currency.clone().unwrap_or_else(|| "USD".to_owned()),
                })
            }
            _ => None,
        };

    let career_path_id = detail.career_path_id;
    Ok(JobDetail {
        card,
        status,
        apply_url,
        apply_email: detail.apply_email,
        company_about: detail.company_about,
        company_website: detail.company_website,
        application_limit: detail.application_limit,
        pay_location,
        sections: sections.iter().map(|s| Section { heading: s.heading.clone(), html: s.html() }).collect(),
        benefits,
        skills,
        legal_notices: notices
            .iter()
            .map(|(jurisdiction, n)| LegalNotice {
                jurisdiction: jurisdiction.clone(),
                title: n.heading.clone(),
                html: n.html(),
            })
            .collect(),
        career_step: detail.career_path_slug.zip(detail.career_step_title),
        market_estimate,
        career_path_id,
        more_from_company: Vec::new(),
        similar: Vec::new(),
        today,
    })
}

/// How many cards "More from this company" and "Similar jobs near here" show.
pub const RELATED_JOBS: usize = RELATED_LIMIT as usize;

/// Fills in `detail`'s related postings from `snapshot`: the company's newest other open postings, and
/// similar postings nearby (see [`OpenPostings::similar`]). Only their cards are read from the database.
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        #[test]
        fn a_cursor_decodes_to_what_was_encoded(days in 0_i64..100_000, id in any::<i64>(), max in any::<i64>(), rank in any::<f64>()) {
            let posted_at = NaiveDate::MIN + chrono::Days::new(days as u64);
            prop_assert_eq!(Cursor::decode(&Cursor::Newest { posted_at, id }.encode(), Sort::Newest), Some(Cursor::Newest { posted_at, id }));
            prop_assert_eq!(Cursor::decode(&Cursor::Pay { annual_max: max, id }.encode(), Sort::Pay), Some(Cursor::Pay { annual_max: max, id }));
            let decoded = Cursor::decode(&Cursor::Relevance { rank, id }.encode(), Sort::Relevance);
            let round_trips = matches!(decoded, Some(Cursor::Relevance { rank: back, id: same }) if back.to_bits() == rank.to_bits() && same == id);
            prop_assert!(round_trips, "rank {} id {}", rank, id);
            // A cursor of one sort means nothing to another.
            prop_assert_eq!(Cursor::decode(&Cursor::Pay { annual_max: max, id }.encode(), Sort::Newest), None);
        }

        #[test]
        fn any_text_decodes_without_panic(text in ".{0,120}") {
            for sort in [Sort::Newest, Sort::Pay, Sort::Relevance] {
                let _ = Cursor::decode(&text, sort);
            }
        }

        #[test]
        fn a_full_text_query_is_only_quoted_words(keywords in ".{0,300}") {
            if let Some(query) = fts_query(&keywords) {
                for word in query.split(' ') {
                    prop_assert!(word.len() >= 3 && word.starts_with('"') && word.ends_with('"'), "{}", word);
                    prop_assert!(word[1..word.len() - 1].chars().all(char::is_alphanumeric), "{}", word);
                }
            }
        }
    }
}
