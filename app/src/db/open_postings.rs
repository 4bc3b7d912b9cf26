//! The listing's summaries (total, facets, pay histogram) and its pages in date or pay order, from memory.
//!
//! Counted in SQL, a summary scans every match once per count: eight scans, 0.4-1.2 s at 100,000
//! postings, paid by whoever first asks for a filter. [`OpenPostings`] holds what those counts read of
//! every open posting (its company, date, type, level, annual pay and places), loaded in one read
//! transaction. A summary is then one pass over the open postings, or over a keyword search's matches as
//! the full-text index lists them, that counts each posting into every facet whose other filters it
//! passes. The SQL statements [`facets`](super::read::facets) and
//! [`pay_histogram`](super::read::pay_histogram) define the counts; the tests hold the two to the same
//! answers.
//!
//! The snapshot also keeps the open postings in the listing's two orders other than relevance (newest,
//! highest pay). A page is cut from one from its cursor by binary search, keeping the postings that pass
//! the filter (and, with keywords, are among the search's matches), with the same cursors as
//! [`open_jobs_page`](super::read::open_jobs_page): a filtered page costs what an unfiltered one does,
//! where in SQL a narrow filter (one city and a pay floor) read thousands of rows, and a keyword search
//! sorted by pay sorted every match.

use chrono::NaiveDate;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::Pool;
use super::read::{Cursor, LOCATION_FACET_LIMIT, PAY_BUCKET, decode, fts_query};
use crate::domain::filter::{FacetCount, Facets, ListingSummary, PayHistogram, Sort};
use crate::domain::{EmploymentType, ExperienceLevel, JobFilter, WorkMode};

/// One open posting as [`OpenPostings::load`] reads it: id, company id, posted date, employment type,
/// experience level, annual pay (minimum, maximum, whether in USD) and places.
#[derive(Deserialize)]
struct PostingJson<'a>(
    i64,
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    #[serde(borrow)] Vec<PlaceJson<'a>>,
);

/// One place of a posting as [`OpenPostings::load`] reads it: location slug, city, region, work mode.
#[derive(Deserialize)]
struct PlaceJson<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
);

/// A posting's annualised pay range.
#[derive(Debug, Clone, Copy)]
struct AnnualPay {
    min: i64,
    max: i64,
    usd: bool,
}

/// What the summaries read of one open posting.
#[derive(Debug)]
struct OpenPosting {
    id: i64,
    company_id: i64,
    posted_at: NaiveDate,
    employment_type: EmploymentType,
    level: ExperienceLevel,
    pay: Option<AnnualPay>,
    /// Its places in [`OpenPostings::places`].
    places: Range<usize>,
}

/// One place a posting is at, its location and region interned.
#[derive(Debug, Clone, Copy)]
struct Place {
    location: usize,
    region: usize,
    mode: WorkMode,
}

/// A location as the location facet shows it.
#[derive(Debug)]
struct LocationName {
    slug: String,
    /// The smallest city and region spelled under this slug, as SQL's `MIN(city), MIN(region)` gives.
    city: String,
    region: String,
}

/// Every posting open on one day, as the listing's summaries read it.
#[derive(Debug)]
pub struct OpenPostings {
    day: NaiveDate,
    /// By id.
    postings: Vec<OpenPosting>,
    /// Indexes into `postings`, newest first (posted date, then id, descending), as the listing sorts.
    newest: Vec<usize>,
    /// Indexes into `postings`, highest pay first (annual maximum, then id, descending; no pay last).
    by_pay: Vec<usize>,
    places: Vec<Place>,
    locations: Vec<LocationName>,
    /// Indexes into `locations` by slug.
    location_ids: HashMap<String, usize>,
    regions: Vec<String>,
    /// Indexes into `regions` by code.
    region_ids: HashMap<String, usize>,
    /// Company ids by slug.
    companies: HashMap<String, i64>,
}

/// A filter's choices turned into the snapshot's terms. For a location, region or company, `Some(None)`
/// names one the snapshot does not know, which nothing matches.
struct Resolved {
    location: Option<Option<usize>>,
    region: Option<Option<usize>>,
    company: Option<Option<i64>>,
    modes: Vec<WorkMode>,
    types: Vec<EmploymentType>,
    levels: Vec<ExperienceLevel>,
    posted_since: Option<NaiveDate>,
    pay: Option<(Option<i64>, Option<i64>)>,
}

/// The facet filters, in the order of a posting's pass/fail flags.
const LOCATION: usize = 0;
const REGION: usize = 1;
const MODE: usize = 2;
const TYPE: usize = 3;
const LEVEL: usize = 4;

impl OpenPostings {
    /// Reads every posting open on `day` (published, not past its apply-before date).
    pub async fn load(pool: &Pool, day: NaiveDate) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        // One JSON document rather than a row per posting and place: sqlx hands SQLite's rows over one by
        // one, which cost 1.1 s for 170,000 rows against 0.5 s for the same data as one document.
        let document: Option<String> = sqlx::query_scalar(
            "SELECT json_group_array(json_array(p.id, p.company_id, p.posted_at, p.employment_type,              p.experience_level, pay.annual_min, pay.annual_max, pay.currency = 'USD',              (SELECT json_group_array(json_array(l.location_slug, l.city, l.region, l.work_mode))               FROM posting_locations l WHERE l.posting_id = p.id)))              FROM postings p LEFT JOIN posting_pay pay ON pay.posting_id = p.id              WHERE p.status = 'published' AND p.valid_through >= ?",
        )
        .bind(day)
        .fetch_one(&mut *tx)
        .await?;
        let companies: Vec<(String, i64)> =
            sqlx::query_as("SELECT slug, id FROM companies").fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut rows: Vec<PostingJson> = match document.as_deref() {
            Some(document) => decode("open postings", serde_json::from_str(document))?,
            None => Vec::new(),
        };
        rows.sort_unstable_by_key(|row| row.0);

        let mut snapshot = Self {
            day,
            postings: Vec::with_capacity(rows.len()),
            newest: Vec::new(),
            by_pay: Vec::new(),
            places: Vec::with_capacity(rows.len()),
            locations: Vec::new(),
            location_ids: HashMap::new(),
            regions: Vec::new(),
            region_ids: HashMap::new(),
            companies: companies.into_iter().collect(),
        };
        for PostingJson(id, company_id, posted_at, employment_type, level, annual_min, annual_max, usd, places) in rows
        {
            let first_place = snapshot.places.len();
            for PlaceJson(slug, city, region, mode) in places {
                let location = snapshot.intern_location(&slug, &city, &region);
                let region = snapshot.intern_region(&region);
                let mode = decode("work_mode", WorkMode::parse(&mode))?;
                snapshot.places.push(Place { location, region, mode });
            }
            snapshot.postings.push(OpenPosting {
                id,
                company_id,
                posted_at: decode("posted_at", posted_at.parse::<NaiveDate>())?,
                employment_type: decode("employment_type", EmploymentType::parse(&employment_type))?,
                level: decode("experience_level", ExperienceLevel::parse(&level))?,
                pay: match (annual_min, annual_max) {
                    (Some(min), Some(max)) => Some(AnnualPay { min, max, usd: usd == Some(1) }),
                    _ => None,
                },
                places: first_place..snapshot.places.len(),
            });
        }
        let postings = &snapshot.postings;
        let mut newest: Vec<usize> = (0..postings.len()).collect();
        newest.sort_unstable_by_key(|&index| std::cmp::Reverse(newest_key(&postings[index])));
        let mut by_pay: Vec<usize> = (0..postings.len()).collect();
        by_pay.sort_unstable_by_key(|&index| std::cmp::Reverse(pay_key(&postings[index])));
        (snapshot.newest, snapshot.by_pay) = (newest, by_pay);
        Ok(snapshot)
    }

    /// The index of the location `slug`, keeping the smallest city and region spelled under it.
    fn intern_location(&mut self, slug: &str, city: &str, region: &str) -> usize {
        if let Some(&index) = self.location_ids.get(slug) {
            let name = &mut self.locations[index];
            if city < name.city.as_str() {
                city.clone_into(&mut name.city);
            }
            if region < name.region.as_str() {
                region.clone_into(&mut name.region);
            }
            return index;
        }
        self.locations.push(LocationName { slug: slug.to_owned(), city: city.to_owned(), region: region.to_owned() });
        self.location_ids.insert(slug.to_owned(), self.locations.len() - 1);
        self.locations.len() - 1
    }

    /// The index of `region`.
    fn intern_region(&mut self, region: &str) -> usize {
        if let Some(&index) = self.region_ids.get(region) {
            return index;
        }
        self.regions.push(region.to_owned());
        self.region_ids.insert(region.to_owned(), self.regions.len() - 1);
        self.regions.len() - 1
    }

    /// The ids of every posting (open or not) whose text matches `keywords` (an FTS5 query from
    /// [`fts_query`]), ascending.
    pub async fn keyword_matches(pool: &Pool, keywords: &str) -> Result<Vec<i64>, sqlx::Error> {
        // One JSON array, not a row per match (35,000 matches: 5 ms against 30 ms).
        let document: Option<String> =
            sqlx::query_scalar("SELECT json_group_array(rowid) FROM postings_fts WHERE postings_fts MATCH ?")
                .bind(keywords)
                .fetch_one(pool)
                .await?;
        let mut matches: Vec<i64> = match document.as_deref() {
            Some(document) => decode("full-text matches", serde_json::from_str(document))?,
            None => Vec::new(),
        };
        matches.sort_unstable();
        Ok(matches)
    }

    /// The summary of the open postings matching `filter` (its sort and cursor ignored): with keywords,
    /// their matches are read from the full-text index first.
    pub async fn summarize(&self, pool: &Pool, filter: &JobFilter) -> Result<ListingSummary, sqlx::Error> {
        match filter.q.as_deref().and_then(fts_query) {
            Some(keywords) => {
                let matches = Self::keyword_matches(pool, &keywords).await?;
                Ok(self.count(filter, matches.iter().filter_map(|id| self.posting(*id))))
            }
            None => Ok(self.count(filter, self.postings.iter())),
        }
    }

    /// One page of the open postings matching `filter`, newest or highest pay first as `sort` says, from
    /// `filter`'s cursor: the ids of up to `limit` postings and the next cursor. With keywords, `matches`
    /// are their [`keyword_matches`](Self::keyword_matches) (without, `None`). The same pages and cursors
    /// as [`open_jobs_page`](super::read::open_jobs_page) gives.
    pub fn page(
        &self,
        filter: &JobFilter,
        matches: Option<&[i64]>,
        sort: Sort,
        limit: usize,
    ) -> (Vec<i64>, Option<String>) {
        let wanted = self.resolve(filter);
        let cursor = filter.after.as_deref().and_then(|text| Cursor::decode(text, sort));
        let (order, start) = match (sort, cursor) {
            (Sort::Pay, cursor) => {
                let after = match cursor {
                    Some(Cursor::Pay { annual_max, id }) => Some((annual_max, id)),
                    _ => None,
                };
                let start = after
                    .map_or(0, |after| self.by_pay.partition_point(|&index| pay_key(&self.postings[index]) >= after));
                (&self.by_pay, start)
            }
            (_, cursor) => {
                let after = match cursor {
                    Some(Cursor::Newest { posted_at, id }) => Some((posted_at, id)),
                    _ => None,
                };
                let start = after.map_or(0, |after| {
                    self.newest.partition_point(|&index| newest_key(&self.postings[index]) >= after)
                });
                (&self.newest, start)
            }
        };
        let mut page: Vec<&OpenPosting> = order[start..]
            .iter()
            .map(|&index| &self.postings[index])
            .filter(|posting| matches.is_none_or(|matches| matches.binary_search(&posting.id).is_ok()))
            .filter(|posting| wanted.keeps(posting) && wanted.passes(posting, self.places_of(posting)) == [true; 5])
            .take(limit.saturating_add(1))
            .collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let next_cursor = more.then(|| page.last()).flatten().map(|last| {
            match sort {
                Sort::Pay => Cursor::Pay { annual_max: pay_key(last).0, id: last.id },
                _ => Cursor::Newest { posted_at: last.posted_at, id: last.id },
            }
            .encode()
        });
        (page.iter().map(|posting| posting.id).collect(), next_cursor)
    }

    fn places_of(&self, posting: &OpenPosting) -> &[Place] {
        &self.places[posting.places.clone()]
    }

    fn posting(&self, id: i64) -> Option<&OpenPosting> {
        self.postings.binary_search_by_key(&id, |posting| posting.id).ok().map(|index| &self.postings[index])
    }

    fn resolve(&self, filter: &JobFilter) -> Resolved {
        Resolved {
            location: filter.location.as_deref().map(|slug| self.location_ids.get(slug).copied()),
            region: filter.region.as_deref().map(|region| self.region_ids.get(region).copied()),
            company: filter.company.as_deref().map(|slug| self.companies.get(slug).copied()),
            modes: filter.remote.clone(),
            types: filter.types.clone(),
            levels: filter.levels.clone(),
            posted_since: filter
                .posted_within
                .map(|days| self.day.checked_sub_days(chrono::Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN)),
            pay: filter.filters_pay().then_some((filter.min_pay, filter.max_pay)),
        }
    }

    /// Counts `candidates` (open postings) against `filter`: the total and histogram over those that pass
    /// every filter, and each facet over those that pass all the others.
    fn count<'a>(&self, filter: &JobFilter, candidates: impl Iterator<Item = &'a OpenPosting>) -> ListingSummary {
        let wanted = self.resolve(filter);
        let mut total = 0;
        let mut location_counts = vec![0_i64; self.locations.len()];
        let mut region_counts = vec![0_i64; self.regions.len()];
        let mut mode_counts = [0_i64; WorkMode::ALL.len()];
        let mut type_counts = vec![0_i64; EmploymentType::ALL.len()];
        let mut level_counts = vec![0_i64; ExperienceLevel::ALL.len()];
        let mut pay_midpoints = Vec::new();
        for posting in candidates {
            if !wanted.keeps(posting) {
                continue;
            }
            let places = self.places_of(posting);
            let passes = wanted.passes(posting, places);
            let failed = passes.iter().filter(|passed| !**passed).count();
            // A posting counts in a facet when it passes every other filter: all of them, or all but that one.
            let counts_in = |facet: usize| failed == 0 || (failed == 1 && !passes[facet]);
            if counts_in(LOCATION) {
                for_each_distinct(places, |place| place.location, |location| location_counts[location] += 1);
            }
            if counts_in(REGION) {
                for_each_distinct(places, |place| place.region, |region| region_counts[region] += 1);
            }
            if counts_in(MODE) {
                for_each_distinct(places, |place| mode_index(place.mode), |mode| mode_counts[mode] += 1);
            }
            if counts_in(TYPE) {
                type_counts[code_index(EmploymentType::ALL, posting.employment_type)] += 1;
            }
            if counts_in(LEVEL) {
                level_counts[code_index(ExperienceLevel::ALL, posting.level)] += 1;
            }
            if failed == 0 {
                total += 1;
                if let Some(pay) = posting.pay.filter(|pay| pay.usd) {
                    pay_midpoints.push((pay.min + pay.max) / 2);
                }
            }
        }

        let mut location: Vec<FacetCount> = self
            .locations
            .iter()
            .zip(location_counts)
            .filter(|(_, count)| *count > 0)
            .map(|(name, count)| FacetCount {
                value: name.slug.clone(),
                label: format!("{}, {}", name.city, name.region),
                count,
            })
            .collect();
        location.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        location.truncate(usize::try_from(LOCATION_FACET_LIMIT).unwrap_or(usize::MAX));
        let mut region: Vec<FacetCount> = self
            .regions
            .iter()
            .zip(region_counts)
            .filter(|(_, count)| *count > 0)
            .map(|(region, count)| FacetCount { value: region.clone(), label: region.clone(), count })
            .collect();
        region.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let facets = Facets {
            location,
            region,
            remote: coded_counts(WorkMode::ALL.iter().map(|mode| (mode.code(), mode.label())).zip(mode_counts)),
            employment_type: coded_counts(EmploymentType::ALL.iter().map(|t| (t.code(), t.label())).zip(type_counts)),
            level: coded_counts(ExperienceLevel::ALL.iter().map(|l| (l.code(), l.label())).zip(level_counts)),
        };
        ListingSummary { total, facets, pay: histogram(pay_midpoints) }
    }
}

impl Resolved {
    /// Whether `posting`, at `places`, passes each faceted filter, in the order of [`LOCATION`] to [`LEVEL`].
    fn passes(&self, posting: &OpenPosting, places: &[Place]) -> [bool; 5] {
        [
            self.location.is_none_or(|wanted| places.iter().any(|place| Some(place.location) == wanted)),
            self.region.is_none_or(|wanted| places.iter().any(|place| Some(place.region) == wanted)),
            self.modes.is_empty() || places.iter().any(|place| self.modes.contains(&place.mode)),
            self.types.is_empty() || self.types.contains(&posting.employment_type),
            self.levels.is_empty() || self.levels.contains(&posting.level),
        ]
    }

    /// True when `posting` passes the filters that have no facet: company, date and pay.
    fn keeps(&self, posting: &OpenPosting) -> bool {
        self.company.is_none_or(|company| company == Some(posting.company_id))
            && self.posted_since.is_none_or(|since| posting.posted_at >= since)
            && self.pay.is_none_or(|(min_pay, max_pay)| {
                posting.pay.is_some_and(|pay| {
                    pay.usd && min_pay.is_none_or(|min| pay.max >= min) && max_pay.is_none_or(|max| pay.min <= max)
                })
            })
    }
}

/// The newest-first sort key, descending: as SQL's `ORDER BY p.posted_at DESC, p.id DESC`.
fn newest_key(posting: &OpenPosting) -> (NaiveDate, i64) {
    (posting.posted_at, posting.id)
}

/// The highest-pay-first sort key, descending: as SQL's `ORDER BY COALESCE(pay.annual_max, -1) DESC, p.id
/// DESC` (in any currency, as the listing sorts).
fn pay_key(posting: &OpenPosting) -> (i64, i64) {
    (posting.pay.map_or(-1, |pay| pay.max), posting.id)
}

/// Calls `count` once for each distinct key among `places`.
fn for_each_distinct(places: &[Place], key: impl Fn(&Place) -> usize, mut count: impl FnMut(usize)) {
    for (index, place) in places.iter().enumerate() {
        let value = key(place);
        if !places[..index].iter().any(|earlier| key(earlier) == value) {
            count(value);
        }
    }
}

fn mode_index(mode: WorkMode) -> usize {
    code_index(&WorkMode::ALL, mode)
}

fn code_index<T: PartialEq>(all: &[T], value: T) -> usize {
    all.iter().position(|candidate| *candidate == value).unwrap_or(0)
}

/// The non-zero counts of a coded facet, by code (the order SQL's `GROUP BY` gives).
fn coded_counts(counts: impl Iterator<Item = ((&'static str, &'static str), i64)>) -> Vec<FacetCount> {
    let mut facet: Vec<FacetCount> = counts
        .filter(|(_, count)| *count > 0)
        .map(|((code, label), count)| FacetCount { value: code.to_owned(), label: label.to_owned(), count })
        .collect();
    facet.sort_by(|a, b| a.value.cmp(&b.value));
    facet
}

/// The pay histogram of the matching postings' range midpoints (annual, USD).
fn histogram(mut midpoints: Vec<i64>) -> PayHistogram {
    let mut buckets: BTreeMap<i64, i64> = BTreeMap::new();
    for midpoint in &midpoints {
        *buckets.entry(midpoint / PAY_BUCKET).or_default() += 1;
    }
    let middle = midpoints.len() / 2;
    let median = (!midpoints.is_empty()).then(|| *midpoints.select_nth_unstable(middle).1);
    let counts: Vec<(i64, i64)> = buckets.into_iter().collect();
    PayHistogram::from_counts(PAY_BUCKET, &counts, median)
}
