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
use std::collections::HashMap;
use std::ops::Range;

use super::error::decode;
use super::paging::{Cursor, LOCATION_FACET_LIMIT};
use super::{Error, Pool};
use crate::domain::filter::{FacetCount, Facets, ListingSummary, PayHistogram, Sort};
use crate::domain::{EmploymentType, ExperienceLevel, JobFilter, WorkMode};

/// One open posting as [`OpenPostings::load`] reads it: id, company id, posted date, employment type,
/// experience level, annual pay (minimum, maximum, whether in USD), career step and path, title and places.
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
    Option<i64>,
    Option<i64>,
    #[serde(borrow)] Cow<'a, str>,
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
    /// Its career step and that step's path.
    career_step: Option<i64>,
    career_path: Option<i64>,
    /// Its places in [`OpenPostings::places`].
    places: Range<usize>,
    /// Its title's words in [`OpenPostings::title_words`] (interned, ascending, distinct).
    words: Range<usize>,
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

/// What the career path page shows of one step: its open postings, newest first, and their pay spread.
#[derive(Debug, Default)]
struct StepPostings {
    /// Indexes into `postings`, newest first.
    newest: Vec<u32>,
    annual_min: Option<i64>,
    annual_max: Option<i64>,
    paid: i64,
}

/// Every posting open on one day, as the listing's summaries, the detail page's related postings, the
/// company page and the career path read it. Its size grows with the open postings (about 250 bytes
/// each, places and title words included) and nothing else.
#[derive(Debug)]
pub struct OpenPostings {
    day: NaiveDate,
    /// The listing version (`listing_version`) it was read at, in the same transaction.
    version: i64,
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
    /// Every posting's title words, as ids into `word_frequency`; each posting has a range.
    title_words: Vec<u32>,
    /// Word ids by word.
    word_ids: HashMap<String, u32>,
    /// How many open postings have each word in their title.
    word_frequency: Vec<u32>,
    /// Indexes into `postings` at each location (by location index), ascending.
    at_location: Vec<Vec<u32>>,
    /// Indexes into `postings` in each region (by region index), ascending.
    in_region: Vec<Vec<u32>>,
    /// Indexes into `postings` with a remote place, ascending.
    remote: Vec<u32>,
    /// Indexes into `postings` by company id, newest first.
    by_company: HashMap<i64, Vec<u32>>,
    /// By career step id.
    steps: HashMap<i64, StepPostings>,
}

/// What a similar-jobs search starts from: the posting whose page is shown.
#[derive(Debug, Clone)]
pub struct SimilarTo<'a> {
    pub id: i64,
    pub company_slug: &'a str,
    pub title: &'a str,
    pub career_path: Option<i64>,
    /// Its places' location slugs and regions.
    pub location_slugs: Vec<String>,
    pub regions: Vec<String>,
}

/// One candidate of a similar-jobs search, with what orders it: the same metro, then the same career
/// path, then how much of the title it shares (each shared word weighted by its rarity), then newest.
#[derive(Debug, Clone, Copy)]
struct Similar {
    index: u32,
    same_metro: bool,
    same_path: bool,
    title_score: f64,
    newest: (NaiveDate, i64),
}

impl Similar {
    fn ranks_before(&self, other: &Self) -> bool {
        (self.same_metro, self.same_path)
            .cmp(&(other.same_metro, other.same_path))
            .then_with(|| self.title_score.total_cmp(&other.title_score))
            .then_with(|| self.newest.cmp(&other.newest))
            .is_gt()
    }
}

/// What the career path page shows of a step from the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepObservation {
    pub annual_min: Option<i64>,
    pub annual_max: Option<i64>,
    pub paid_postings: i64,
    pub open_postings: i64,
    /// The newest few postings' ids.
    pub newest: Vec<i64>,
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
    /// Reads every posting open on `day` (published, not past its apply-before date), and the listing
    /// version, in one read transaction.
    pub async fn load(pool: &Pool, day: NaiveDate) -> Result<Self, Error> {
        let super::SnapshotSource { version, postings: document, companies } =
            super::snapshot_source(pool, day).await?;
        let mut rows: Vec<PostingJson> = match document.as_deref() {
            Some(document) => decode("open postings", serde_json::from_str(document))?,
            None => Vec::new(),
        };
        rows.sort_unstable_by_key(|row| row.0);

        let mut snapshot = Self {
            day,
            version,
            postings: Vec::with_capacity(rows.len()),
            newest: Vec::new(),
            by_pay: Vec::new(),
            places: Vec::with_capacity(rows.len()),
            locations: Vec::new(),
            location_ids: HashMap::new(),
            regions: Vec::new(),
            region_ids: HashMap::new(),
            companies: companies.into_iter().collect(),
            title_words: Vec::with_capacity(rows.len() * 4),
            word_ids: HashMap::new(),
            word_frequency: Vec::new(),
            at_location: Vec::new(),
            in_region: Vec::new(),
            remote: Vec::new(),
            by_company: HashMap::new(),
            steps: HashMap::new(),
        };
        for row in rows {
            let PostingJson(
                id,
                company_id,
                posted_at,
                employment_type,
                level,
                annual_min,
                annual_max,
                usd,
                career_step,
                career_path,
                title,
                places,
            ) = row;
            let first_place = snapshot.places.len();
            for PlaceJson(slug, city, region, mode) in places {
                let location = snapshot.intern_location(&slug, &city, &region);
                let region = snapshot.intern_region(&region);
                let mode = decode("work_mode", WorkMode::parse(&mode))?;
                snapshot.places.push(Place { location, region, mode });
            }
            let first_word = snapshot.title_words.len();
            let mut words: Vec<u32> = title_stems(&title).iter().map(|word| snapshot.intern_word(word)).collect();
            words.sort_unstable();
            words.dedup();
            for &word in &words {
                if let Some(frequency) = snapshot.word_frequency.get_mut(word as usize) {
                    *frequency += 1;
                }
            }
            snapshot.title_words.extend(words);
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
                career_step,
                career_path,
                places: first_place..snapshot.places.len(),
                words: first_word..snapshot.title_words.len(),
            });
        }
        let postings = &snapshot.postings;
        let mut newest: Vec<usize> = (0..postings.len()).collect();
        newest.sort_unstable_by_key(|&index| std::cmp::Reverse(newest_key(&postings[index])));
        let mut by_pay: Vec<usize> = (0..postings.len()).collect();
        by_pay.sort_unstable_by_key(|&index| std::cmp::Reverse(pay_key(&postings[index])));
        (snapshot.newest, snapshot.by_pay) = (newest, by_pay);
        snapshot.index_related();
        Ok(snapshot)
    }

    /// Builds the lists the related-postings searches read: postings by location, region, remote work,
    /// company and career step.
    fn index_related(&mut self) {
        let mut at_location = vec![Vec::new(); self.locations.len()];
        let mut in_region = vec![Vec::new(); self.regions.len()];
        let mut remote = Vec::new();
        for (index, posting) in self.postings.iter().enumerate() {
            let index = index as u32;
            let places = &self.places[posting.places.clone()];
            for_each_distinct(places, |place| place.location, |location| at_location[location].push(index));
            for_each_distinct(places, |place| place.region, |region| in_region[region].push(index));
            if places.iter().any(|place| place.mode == WorkMode::Remote) {
                remote.push(index);
            }
        }
        let mut by_company: HashMap<i64, Vec<u32>> = HashMap::new();
        let mut steps: HashMap<i64, StepPostings> = HashMap::new();
        for &index in &self.newest {
            let posting = &self.postings[index];
            by_company.entry(posting.company_id).or_default().push(index as u32);
            if let Some(step) = posting.career_step {
                let step = steps.entry(step).or_default();
                step.newest.push(index as u32);
                if let Some(pay) = posting.pay {
                    step.paid += 1;
                    step.annual_min = Some(step.annual_min.map_or(pay.min, |min| min.min(pay.min)));
                    step.annual_max = Some(step.annual_max.map_or(pay.max, |max| max.max(pay.max)));
                }
            }
        }
        (self.at_location, self.in_region, self.remote, self.by_company, self.steps) =
            (at_location, in_region, remote, by_company, steps);
    }

    /// The id of a title word, counted once more.
    fn intern_word(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.word_ids.get(word) {
            return id;
        }
        let id = self.word_frequency.len() as u32;
        self.word_frequency.push(0);
        self.word_ids.insert(word.to_owned(), id);
        id
    }

    /// The day it holds the open postings of.
    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// The listing version it was read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// How many open postings it holds.
    pub fn len(&self) -> usize {
        self.postings.len()
    }

    /// The smallest and largest id of the `count` open postings from the `start`-th (in id order).
    pub fn id_range(&self, start: usize, count: usize) -> Option<(i64, i64)> {
        let part = self.postings.get(start..self.postings.len().min(start.saturating_add(count)))?;
        Some((part.first()?.id, part.last()?.id))
    }

    /// True when no posting is open.
    pub fn is_empty(&self) -> bool {
        self.postings.is_empty()
    }

    /// Up to `limit` open postings similar to `to`, best first: postings of other companies that share a
    /// word of its title and are in one of its regions or remote, the same metro first, then the same
    /// career path, then the titles closest to its own (each shared word weighted by how rare it is),
    /// then the newest. The work is bounded by the postings at its metros, and only when those give too
    /// few, by those in its regions and the remote ones.
    pub fn similar(&self, to: &SimilarTo<'_>, limit: usize) -> Vec<i64> {
        let total = self.postings.len() as f64;
        let mut wanted: Vec<(u32, f64)> = title_stems(to.title)
            .iter()
            .filter_map(|word| self.word_ids.get(word.as_str()))
            .map(|&id| {
                let frequency = f64::from(self.word_frequency.get(id as usize).copied().unwrap_or(0));
                (id, (1.0 + (total - frequency + 0.5) / (frequency + 0.5)).ln())
            })
            .collect();
        wanted.sort_unstable_by_key(|(id, _)| *id);
        wanted.dedup_by_key(|(id, _)| *id);
        if wanted.is_empty() || limit == 0 {
            return Vec::new();
        }
        let own_company = self.companies.get(to.company_slug).copied();
        let metros: Vec<usize> =
            to.location_slugs.iter().filter_map(|slug| self.location_ids.get(slug)).copied().collect();
        let regions: Vec<usize> = to.regions.iter().filter_map(|region| self.region_ids.get(region)).copied().collect();
        let mut best: Vec<Similar> = Vec::with_capacity(limit + 1);
        let consider = |index: u32, best: &mut Vec<Similar>| {
            let Some(posting) = self.postings.get(index as usize) else { return };
            if posting.id == to.id || Some(posting.company_id) == own_company {
                return;
            }
            let title_score = shared_weight(&self.title_words[posting.words.clone()], &wanted);
            if title_score <= 0.0 {
                return;
            }
            let places = self.places_of(posting);
            if !places.iter().any(|place| place.mode == WorkMode::Remote || regions.contains(&place.region)) {
                return;
            }
            let candidate = Similar {
                index,
                same_metro: places.iter().any(|place| metros.contains(&place.location)),
                same_path: to.career_path.is_some() && posting.career_path == to.career_path,
                title_score,
                newest: newest_key(posting),
            };
            if best.iter().any(|kept| kept.index == index)
                || (best.len() == limit && best.last().is_some_and(|last| !candidate.ranks_before(last)))
            {
                return;
            }
            let at = best.iter().position(|kept| candidate.ranks_before(kept)).unwrap_or(best.len());
            best.insert(at, candidate);
            best.truncate(limit);
        };
        for &metro in &metros {
            for &index in &self.at_location[metro] {
                consider(index, &mut best);
            }
        }
        // Anything found outside the metros ranks after everything in them.
        if best.len() < limit {
            for &region in &regions {
                for &index in &self.in_region[region] {
                    consider(index, &mut best);
                }
            }
            for &index in &self.remote {
                consider(index, &mut best);
            }
        }
        best.iter().map(|similar| self.postings[similar.index as usize].id).collect()
    }

    /// The newest `limit` open postings of the company `company_slug` other than `except`, and how many
    /// open postings it has in all.
    pub fn company_postings(&self, company_slug: &str, except: Option<i64>, limit: usize) -> (Vec<i64>, i64) {
        let Some(list) = self.companies.get(company_slug).and_then(|id| self.by_company.get(id)) else {
            return (Vec::new(), 0);
        };
        let ids = list
            .iter()
            .map(|&index| self.postings[index as usize].id)
            .filter(|id| Some(*id) != except)
            .take(limit)
            .collect();
        (ids, list.len() as i64)
    }

    /// What the open postings at the career step `step_id` pay, how many there are, and the newest
    /// `examples` of them.
    pub fn step_observation(&self, step_id: i64, examples: usize) -> Option<StepObservation> {
        let step = self.steps.get(&step_id)?;
        Some(StepObservation {
            annual_min: step.annual_min,
            annual_max: step.annual_max,
            paid_postings: step.paid,
            open_postings: step.newest.len() as i64,
            newest: step.newest.iter().take(examples).map(|&index| self.postings[index as usize].id).collect(),
        })
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
    /// `read::fts_query`), ascending.
    pub async fn keyword_matches(pool: &Pool, keywords: &str) -> Result<Vec<i64>, Error> {
        let document = super::keyword_match_ids(pool, keywords).await?;
        let mut matches: Vec<i64> = match document.as_deref() {
            Some(document) => decode("full-text matches", serde_json::from_str(document))?,
            None => Vec::new(),
        };
        matches.sort_unstable();
        Ok(matches)
    }

    /// The summary of the open postings matching `filter` (its sort and cursor ignored). With keywords,
    /// `matches` are their [`keyword_matches`](Self::keyword_matches) (without, `None`).
    pub fn summarize(&self, filter: &JobFilter, matches: Option<&[i64]>) -> ListingSummary {
        match matches {
            Some(matches) => self.count(filter, matches.iter().filter_map(|id| self.posting(*id))),
            None => self.count(filter, self.postings.iter()),
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
    PayHistogram::from_midpoints(&mut midpoints)
}

/// The stems of a title's words worth matching on ([`title_words`]), as the full-text index's porter
/// tokenizer folds them ("operations", "operating" and "operator" are one), so that in-memory matching
/// finds the titles the index would.
fn title_stems(title: &str) -> Vec<String> {
    static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> =
        std::sync::LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English));
    title_words(title).iter().map(|word| STEMMER.stem(word).into_owned()).collect()
}

/// The summed weight of the words of `words` (ascending ids) that are in `wanted` (ascending ids).
fn shared_weight(words: &[u32], wanted: &[(u32, f64)]) -> f64 {
    let (mut score, mut w) = (0.0, 0);
    for &word in words {
        while w < wanted.len() && wanted[w].0 < word {
            w += 1;
        }
        match wanted.get(w) {
            Some(&(id, weight)) if id == word => score += weight,
            Some(_) => {}
            None => break,
        }
    }
    score
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
