//! The listing's index of the open postings, in memory, patched change by change.
//!
//! [`OpenPostings`] holds what the listing's summaries, its pages in date or pay order, the detail page's
//! related postings, the company page and the career path read of every open posting (its company, date,
//! type, level, annual pay, places, title words and closing date). Every part of it is a persistent
//! structure ([`imbl`]'s B-trees and hash tries): a clone costs a few pointers and shares everything, and
//! a patch ([`OpenPostings::patched`]) copies only the paths to what it changes. So a change to one
//! posting costs a few microseconds whatever the board's size, and a request keeps reading the version it
//! took, whole, while the next one is made.
//!
//! A summary is one pass over the open postings, or over a keyword search's matches, that counts each
//! posting into every facet whose other filters it passes ([`Tally`]); a cached tally is then patched with
//! what a change removed and added ([`OpenPostings::patch_tally`]) rather than counted again. A page is cut
//! from one of the orders from its cursor, keeping the postings that pass the filter. The SQL statements
//! in the tests define what they must equal.

use chrono::NaiveDate;
use imbl::{HashMap as SharedMap, OrdMap, OrdSet, Vector};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::error::decode;
use super::paging::{Cursor, LOCATION_FACET_LIMIT, RankedMatch};
use super::{Error, Pool};
use crate::domain::filter::{FacetCount, Facets, ListingSummary, PayHistogram, Sort};
use crate::domain::{EmploymentType, ExperienceLevel, JobFilter, WorkMode};

/// One open posting as the snapshot queries read it: id, company id, posted date, employment type,
/// experience level, annual pay (minimum, maximum, whether in USD), career step and path, title, closing
/// date and places.
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
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Vec<PlaceJson<'a>>,
);

/// One place of a posting as the snapshot queries read it: location slug, city, region, work mode.
#[derive(Deserialize)]
struct PlaceJson<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
);

/// A posting's annualised pay range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AnnualPay {
    min: i64,
    max: i64,
    usd: bool,
}

/// What the index holds of one open posting.
#[derive(Debug, PartialEq, Eq)]
pub struct OpenPosting {
    id: i64,
    company_id: i64,
    posted_at: NaiveDate,
    /// Its apply-before date: it leaves the index the day after.
    valid_through: NaiveDate,
    employment_type: EmploymentType,
    level: ExperienceLevel,
    pay: Option<AnnualPay>,
    /// Its career step and that step's path.
    career_step: Option<i64>,
    career_path: Option<i64>,
    places: Box<[Place]>,
    /// Its title's words, as ids into the dictionary (ascending, distinct).
    words: Box<[u32]>,
}

/// What one open posting costs the index in memory, measured (the benchmark prints the resident memory the
/// index of its board takes, divided by its postings: 1,305 bytes on SQLite and 1,382 on PostgreSQL at
/// 100,000 postings, release build). Its orders and
/// lists, its places and title words included; the caches over it are bounded on their own.
pub const BYTES_PER_POSTING: u64 = 1_400;

/// A posting as the index shares it between its orders and versions.
type Shared = Arc<OpenPosting>;

/// One place a posting is at, its location and region interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    location: usize,
    region: usize,
    mode: WorkMode,
}

/// A location as the location facet shows it.
#[derive(Debug, Clone)]
struct LocationName {
    slug: String,
    /// The smallest city and region spelled under this slug, as SQL's `MIN(city), MIN(region)` gives.
    city: String,
    region: String,
}

/// The names the index interns: locations, regions and title words. Only ever added to, so an index
/// into it means the same in every version.
#[derive(Debug, Clone, Default)]
struct Dictionary {
    locations: Vector<LocationName>,
    location_ids: SharedMap<String, usize>,
    regions: Vector<String>,
    region_ids: SharedMap<String, usize>,
    word_ids: SharedMap<String, u32>,
    /// How many open postings have each word in their title.
    word_frequency: Vector<u32>,
}

/// What the career path page shows of one step: its open postings, newest first, and their pay spread.
#[derive(Debug, Clone, Default)]
struct StepPostings {
    newest: OrdSet<(NaiveDate, i64)>,
    /// How many paid postings have each annual minimum, and each annual maximum.
    minimums: OrdMap<i64, u32>,
    maximums: OrdMap<i64, u32>,
}

/// Every posting open on one day, indexed as the listing, the related postings, the company page and
/// the career path read them. Its size grows with the open postings (see the benchmark's bytes per
/// posting) and nothing else; cloning it is cheap (everything is shared).
#[derive(Debug, Clone)]
pub struct OpenPostings {
    day: NaiveDate,
    /// Where in the change feed it is current (`listing_changes`; see `db::read_listing_changes`).
    position: i64,
    /// By id.
    postings: OrdMap<i64, Shared>,
    /// By (posted date, id): newest first is this order backwards, as the listing sorts.
    newest: OrdMap<(NaiveDate, i64), Shared>,
    /// By (annual maximum or -1, id): highest pay first is this order backwards.
    by_pay: OrdMap<(i64, i64), Shared>,
    /// (Closing date, id): what the day's roll-over removes.
    closing: OrdSet<(NaiveDate, i64)>,
    dictionary: Dictionary,
    /// Company ids by slug, and slugs by id.
    companies: SharedMap<String, i64>,
    company_slugs: SharedMap<i64, String>,
    /// The postings at each location and in each region (by dictionary index), and the remote ones.
    at_location: SharedMap<usize, OrdMap<i64, Shared>>,
    in_region: SharedMap<usize, OrdMap<i64, Shared>>,
    remote: OrdMap<i64, Shared>,
    /// (Posted date, id) of each company's postings, by company id.
    by_company: SharedMap<i64, OrdSet<(NaiveDate, i64)>>,
    /// By career step id.
    steps: SharedMap<i64, StepPostings>,
}

/// One posting's change between two versions of the index: what it was and what it is (`None`: not
/// open).
#[derive(Debug, Clone)]
pub struct Patch {
    pub(crate) old: Option<Shared>,
    pub(crate) new: Option<Shared>,
}

impl Patch {
    /// The posting's id.
    pub fn id(&self) -> i64 {
        self.old.as_ref().or(self.new.as_ref()).map_or(0, |posting| posting.id)
    }
}

/// What changed since a version of the index, as the change feed names it.
#[derive(Debug, Clone, Default)]
pub struct FeedBatch {
    /// The feed position the patched version is current at.
    pub position: i64,
    pub postings: BTreeSet<i64>,
    pub companies: BTreeSet<i64>,
    pub career_steps: BTreeSet<i64>,
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
    id: i64,
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

/// A summary's counts before they are sorted and cut for showing: what a change patches.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    total: i64,
    /// By the dictionary's location and region indexes.
    locations: Vec<i64>,
    regions: Vec<i64>,
    modes: [i64; WorkMode::ALL.len()],
    /// By index in `EmploymentType::ALL` and `ExperienceLevel::ALL`.
    types: Vec<i64>,
    levels: Vec<i64>,
    /// How many matching postings paid in USD have each pay midpoint.
    midpoints: BTreeMap<i64, i64>,
}

impl Tally {
    /// The bytes it takes, roughly (for the cache's bound).
    pub fn bytes(&self) -> u64 {
        (std::mem::size_of::<Self>()
            + (self.locations.len() + self.regions.len() + self.types.len() + self.levels.len()) * 8
            + self.midpoints.len() * 40) as u64
    }
}

/// Adds `sign` to the count at `index`, growing the list when the index is new.
fn bump(counts: &mut Vec<i64>, index: usize, sign: i64) {
    if index >= counts.len() {
        counts.resize(index + 1, 0);
    }
    counts[index] += sign;
}

/// Where a counted posting's pay midpoint goes: a list sorted once at the end (a whole count), or the
/// tally's own counts (a patch).
enum Midpoints<'a> {
    Collect(&'a mut Vec<i64>),
    Patch,
}

impl OpenPostings {
    /// An index of no postings on `day`, current at feed position `position`.
    fn empty(day: NaiveDate, position: i64) -> Self {
        Self {
            day,
            position,
            postings: OrdMap::new(),
            newest: OrdMap::new(),
            by_pay: OrdMap::new(),
            closing: OrdSet::new(),
            dictionary: Dictionary::default(),
            companies: SharedMap::new(),
            company_slugs: SharedMap::new(),
            at_location: SharedMap::new(),
            in_region: SharedMap::new(),
            remote: OrdMap::new(),
            by_company: SharedMap::new(),
            steps: SharedMap::new(),
        }
    }

    /// Reads every posting open on `day` (published, not past its apply-before date) and the change
    /// feed's position, in one read transaction: the whole board (at start, or for an index that fell
    /// behind the feed's pruned horizon).
    pub async fn load(pool: &Pool, day: NaiveDate) -> Result<Self, Error> {
        let super::SnapshotSource { position, postings: document, companies } =
            super::snapshot_source(pool, day).await?;
        let mut index = Self::empty(day, position);
        for (slug, id) in companies {
            index.company_slugs.insert(id, slug.clone());
            index.companies.insert(slug, id);
        }
        index.add_rows(document.as_deref())?;
        Ok(index)
    }

    /// Decodes the JSON rows of open postings and adds each; returns them as added.
    fn add_rows(&mut self, document: Option<&str>) -> Result<Vec<Shared>, Error> {
        let rows: Vec<PostingJson> = match document {
            Some(document) => decode("open postings", serde_json::from_str(document))?,
            None => Vec::new(),
        };
        let mut added = Vec::with_capacity(rows.len());
        for row in rows {
            let posting = self.decode_posting(row)?;
            added.push(self.insert(posting));
        }
        Ok(added)
    }

    fn decode_posting(&mut self, row: PostingJson<'_>) -> Result<OpenPosting, Error> {
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
            valid_through,
            places,
        ) = row;
        let mut decoded = Vec::with_capacity(places.len());
        for PlaceJson(slug, city, region, mode) in places {
            let location = self.intern_location(&slug, &city, &region);
            let region = self.intern_region(&region);
            let mode = decode("work_mode", WorkMode::parse(&mode))?;
            decoded.push(Place { location, region, mode });
        }
        let mut words: Vec<u32> = title_stems(&title).iter().map(|word| self.intern_word(word)).collect();
        words.sort_unstable();
        words.dedup();
        Ok(OpenPosting {
            id,
            company_id,
            posted_at: decode("posted_at", posted_at.parse::<NaiveDate>())?,
            valid_through: decode("valid_through", valid_through.parse::<NaiveDate>())?,
            employment_type: decode("employment_type", EmploymentType::parse(&employment_type))?,
            level: decode("experience_level", ExperienceLevel::parse(&level))?,
            pay: match (annual_min, annual_max) {
                (Some(min), Some(max)) => Some(AnnualPay { min, max, usd: usd == Some(1) }),
                _ => None,
            },
            career_step,
            career_path,
            places: decoded.into_boxed_slice(),
            words: words.into_boxed_slice(),
        })
    }

    /// Adds an open posting to every order and list it belongs in.
    fn insert(&mut self, posting: OpenPosting) -> Shared {
        let shared = Arc::new(posting);
        let posting = &shared;
        self.postings.insert(posting.id, Arc::clone(posting));
        self.newest.insert(newest_key(posting), Arc::clone(posting));
        self.by_pay.insert(pay_key(posting), Arc::clone(posting));
        self.closing.insert((posting.valid_through, posting.id));
        for_each_distinct(
            &posting.places,
            |place| place.location,
            |location| {
                self.at_location.entry(location).or_default().insert(posting.id, Arc::clone(posting));
            },
        );
        for_each_distinct(
            &posting.places,
            |place| place.region,
            |region| {
                self.in_region.entry(region).or_default().insert(posting.id, Arc::clone(posting));
            },
        );
        if posting.places.iter().any(|place| place.mode == WorkMode::Remote) {
            self.remote.insert(posting.id, Arc::clone(posting));
        }
        self.by_company.entry(posting.company_id).or_default().insert(newest_key(posting));
        if let Some(step) = posting.career_step {
            let step = self.steps.entry(step).or_default();
            step.newest.insert(newest_key(posting));
            if let Some(pay) = posting.pay {
                *step.minimums.entry(pay.min).or_insert(0) += 1;
                *step.maximums.entry(pay.max).or_insert(0) += 1;
            }
        }
        for &word in &posting.words {
            if let Some(frequency) = self.dictionary.word_frequency.get_mut(word as usize) {
                *frequency += 1;
            }
        }
        shared
    }

    /// Takes a posting out of every order and list; what it was, when it was there.
    fn remove(&mut self, id: i64) -> Option<Shared> {
        let posting = self.postings.remove(&id)?;
        self.newest.remove(&newest_key(&posting));
        self.by_pay.remove(&pay_key(&posting));
        self.closing.remove(&(posting.valid_through, posting.id));
        for_each_distinct(
            &posting.places,
            |place| place.location,
            |location| {
                remove_from(&mut self.at_location, location, |list| list.remove(&id).is_some() && list.is_empty());
            },
        );
        for_each_distinct(
            &posting.places,
            |place| place.region,
            |region| {
                remove_from(&mut self.in_region, region, |list| list.remove(&id).is_some() && list.is_empty());
            },
        );
        self.remote.remove(&id);
        let key = newest_key(&posting);
        remove_from(&mut self.by_company, posting.company_id, |list| list.remove(&key).is_some() && list.is_empty());
        if let Some(step) = posting.career_step {
            remove_from(&mut self.steps, step, |step| {
                step.newest.remove(&key);
                if let Some(pay) = posting.pay {
                    decrement(&mut step.minimums, pay.min);
                    decrement(&mut step.maximums, pay.max);
                }
                step.newest.is_empty()
            });
        }
        for &word in &posting.words {
            if let Some(frequency) = self.dictionary.word_frequency.get_mut(word as usize) {
                *frequency = frequency.saturating_sub(1);
            }
        }
        Some(posting)
    }

    /// Takes out every posting whose apply-before date is before `day`, and moves to `day`.
    fn roll_over(&mut self, day: NaiveDate, patches: &mut Vec<Patch>) {
        if day <= self.day {
            return;
        }
        let closed: Vec<i64> = self.closing.range(..(day, i64::MIN)).map(|(_, id)| *id).collect();
        for id in closed {
            if let Some(old) = self.remove(id) {
                patches.push(Patch { old: Some(old), new: None });
            }
        }
        self.day = day;
    }

    /// A new version with what `batch` names read again from the database (and, when the day moved on,
    /// the postings it closed taken out): the postings named, those at the career steps named, and the
    /// companies named. Returns it with what changed, posting by posting. The work is proportional to the
    /// batch (and the postings the day closed), not to the board.
    pub async fn patched(&self, pool: &Pool, day: NaiveDate, batch: &FeedBatch) -> Result<(Self, Vec<Patch>), Error> {
        let mut next = self.clone();
        let mut patches = Vec::new();
        next.roll_over(day, &mut patches);
        let mut ids = batch.postings.clone();
        for step in &batch.career_steps {
            if let Some(step) = self.steps.get(step) {
                ids.extend(step.newest.iter().map(|(_, id)| *id));
            }
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        let companies: Vec<i64> = batch.companies.iter().copied().collect();
        let super::ChangedSource { postings: documents, companies: company_rows } =
            super::changed_postings(pool, next.day, &ids, &companies).await?;
        for id in &companies {
            if let Some(slug) = next.company_slugs.remove(id) {
                next.companies.remove(&slug);
            }
        }
        for (id, slug) in company_rows {
            next.company_slugs.insert(id, slug.clone());
            next.companies.insert(slug, id);
        }
        let mut removed: HashMap<i64, Shared> = HashMap::new();
        for id in &ids {
            if let Some(old) = next.remove(*id) {
                removed.insert(*id, old);
            }
        }
        for document in &documents {
            for new in next.add_rows(Some(document))? {
                let old = removed.remove(&new.id);
                if old.as_deref() != Some(&*new) {
                    patches.push(Patch { old, new: Some(new) });
                }
            }
        }
        patches.extend(removed.into_values().map(|old| Patch { old: Some(old), new: None }));
        next.position = batch.position;
        Ok((next, patches))
    }

    /// The same index moved on to `day` (the postings it closes taken out), with what that changed.
    pub fn rolled_over(&self, day: NaiveDate) -> (Self, Vec<Patch>) {
        let mut next = self.clone();
        let mut patches = Vec::new();
        next.roll_over(day, &mut patches);
        (next, patches)
    }

    /// The id of a title word, interned when new.
    fn intern_word(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.dictionary.word_ids.get(word) {
            return id;
        }
        let id = self.dictionary.word_frequency.len() as u32;
        self.dictionary.word_frequency.push_back(0);
        self.dictionary.word_ids.insert(word.to_owned(), id);
        id
    }

    /// The index of the location `slug`, keeping the smallest city and region spelled under it.
    fn intern_location(&mut self, slug: &str, city: &str, region: &str) -> usize {
        if let Some(&index) = self.dictionary.location_ids.get(slug) {
            if let Some(name) = self.dictionary.locations.get_mut(index) {
                if city < name.city.as_str() {
                    city.clone_into(&mut name.city);
                }
                if region < name.region.as_str() {
                    region.clone_into(&mut name.region);
                }
            }
            return index;
        }
        let index = self.dictionary.locations.len();
        self.dictionary.locations.push_back(LocationName {
            slug: slug.to_owned(),
            city: city.to_owned(),
            region: region.to_owned(),
        });
        self.dictionary.location_ids.insert(slug.to_owned(), index);
        index
    }

    /// The index of `region`.
    fn intern_region(&mut self, region: &str) -> usize {
        if let Some(&index) = self.dictionary.region_ids.get(region) {
            return index;
        }
        let index = self.dictionary.regions.len();
        self.dictionary.regions.push_back(region.to_owned());
        self.dictionary.region_ids.insert(region.to_owned(), index);
        index
    }

    /// The day it holds the open postings of.
    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// Where in the change feed it is current.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// The same listing, current at a later feed position (nothing it holds changed in between).
    pub fn set_position(&mut self, position: i64) {
        self.position = position;
    }

    /// How many open postings it holds.
    pub fn len(&self) -> usize {
        self.postings.len()
    }

    /// The memory it takes, estimated from [`BYTES_PER_POSTING`].
    pub fn estimated_bytes(&self) -> u64 {
        self.len() as u64 * BYTES_PER_POSTING
    }

    /// True when no posting is open.
    pub fn is_empty(&self) -> bool {
        self.postings.is_empty()
    }

    /// The ids of every open posting, ascending.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.postings.keys().copied()
    }

    /// The smallest and largest id of the `count` open postings from the `start`-th (in id order).
    pub fn id_range(&self, start: usize, count: usize) -> Option<(i64, i64)> {
        let mut part = self.postings.keys().skip(start).take(count);
        let first = *part.next()?;
        Some((first, part.fold(first, |_, id| *id)))
    }

    /// True when the open posting `id`, as this index holds it, equals `other`'s (both absent included):
    /// for the tests that hold a patched index to a loaded one.
    pub fn same_posting(&self, other: &Self, id: i64) -> bool {
        let describe = |index: &Self| {
            index.postings.get(&id).map(|posting| {
                let places: Vec<(String, String, WorkMode)> = posting
                    .places
                    .iter()
                    .map(|place| {
                        let slug = index.dictionary.locations.get(place.location).map(|name| name.slug.clone());
                        let region = index.dictionary.regions.get(place.region).cloned();
                        (slug.unwrap_or_default(), region.unwrap_or_default(), place.mode)
                    })
                    .collect();
                let words: BTreeSet<String> = index
                    .dictionary
                    .word_ids
                    .iter()
                    .filter(|(_, word)| posting.words.contains(word))
                    .map(|(text, _)| text.clone())
                    .collect();
                (
                    (posting.company_id, posting.posted_at, posting.valid_through, posting.employment_type),
                    (posting.level, posting.pay, posting.career_step, posting.career_path),
                    places,
                    words,
                )
            })
        };
        describe(self) == describe(other)
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
            .filter_map(|word| self.dictionary.word_ids.get(word.as_str()))
            .map(|&id| {
                let frequency = f64::from(self.dictionary.word_frequency.get(id as usize).copied().unwrap_or(0));
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
            to.location_slugs.iter().filter_map(|slug| self.dictionary.location_ids.get(slug)).copied().collect();
        let regions: Vec<usize> =
            to.regions.iter().filter_map(|region| self.dictionary.region_ids.get(region)).copied().collect();
        let mut best: Vec<Similar> = Vec::with_capacity(limit + 1);
        let consider = |posting: &OpenPosting, best: &mut Vec<Similar>| {
            if posting.id == to.id || Some(posting.company_id) == own_company {
                return;
            }
            let title_score = shared_weight(&posting.words, &wanted);
            if title_score <= 0.0 {
                return;
            }
            let places = &posting.places;
            if !places.iter().any(|place| place.mode == WorkMode::Remote || regions.contains(&place.region)) {
                return;
            }
            let candidate = Similar {
                id: posting.id,
                same_metro: places.iter().any(|place| metros.contains(&place.location)),
                same_path: to.career_path.is_some() && posting.career_path == to.career_path,
                title_score,
                newest: newest_key(posting),
            };
            if best.iter().any(|kept| kept.id == posting.id)
                || (best.len() == limit && best.last().is_some_and(|last| !candidate.ranks_before(last)))
            {
                return;
            }
            let at = best.iter().position(|kept| candidate.ranks_before(kept)).unwrap_or(best.len());
            best.insert(at, candidate);
            best.truncate(limit);
        };
        for metro in &metros {
            for posting in self.at_location.get(metro).into_iter().flat_map(|list| list.values()) {
                consider(posting, &mut best);
            }
        }
        // Anything found outside the metros ranks after everything in them.
        if best.len() < limit {
            for region in &regions {
                for posting in self.in_region.get(region).into_iter().flat_map(|list| list.values()) {
                    consider(posting, &mut best);
                }
            }
            for posting in self.remote.values() {
                consider(posting, &mut best);
            }
        }
        best.iter().map(|similar| similar.id).collect()
    }

    /// The newest `limit` open postings of the company `company_slug` other than `except`, and how many
    /// open postings it has in all.
    pub fn company_postings(&self, company_slug: &str, except: Option<i64>, limit: usize) -> (Vec<i64>, i64) {
        let Some(list) = self.companies.get(company_slug).and_then(|id| self.by_company.get(id)) else {
            return (Vec::new(), 0);
        };
        let ids = list.iter().rev().map(|(_, id)| *id).filter(|id| Some(*id) != except).take(limit).collect();
        (ids, list.len() as i64)
    }

    /// What the open postings at the career step `step_id` pay, how many there are, and the newest
    /// `examples` of them.
    pub fn step_observation(&self, step_id: i64, examples: usize) -> Option<StepObservation> {
        let step = self.steps.get(&step_id)?;
        Some(StepObservation {
            annual_min: step.minimums.get_min().map(|(min, _)| *min),
            annual_max: step.maximums.get_max().map(|(max, _)| *max),
            paid_postings: step.minimums.values().map(|count| i64::from(*count)).sum(),
            open_postings: step.newest.len() as i64,
            newest: step.newest.iter().rev().take(examples).map(|(_, id)| *id).collect(),
        })
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
    /// `matches` are the ids their search matches, ascending (without, `None`).
    pub fn summarize(&self, filter: &JobFilter, matches: Option<&[i64]>) -> ListingSummary {
        self.render(&self.tally(filter, matches))
    }

    /// The counts of [`summarize`](Self::summarize), before they are cut for showing.
    pub fn tally(&self, filter: &JobFilter, matches: Option<&[i64]>) -> Tally {
        let wanted = self.resolve(filter);
        let mut tally = Tally {
            locations: vec![0; self.dictionary.locations.len()],
            regions: vec![0; self.dictionary.regions.len()],
            types: vec![0; EmploymentType::ALL.len()],
            levels: vec![0; ExperienceLevel::ALL.len()],
            ..Tally::default()
        };
        let mut midpoints = Vec::new();
        match matches {
            Some(matches) => {
                for posting in matches.iter().filter_map(|id| self.postings.get(id)) {
                    count_into(&wanted, posting, 1, &mut tally, &mut Midpoints::Collect(&mut midpoints));
                }
            }
            None => {
                for posting in self.postings.values() {
                    count_into(&wanted, posting, 1, &mut tally, &mut Midpoints::Collect(&mut midpoints));
                }
            }
        }
        midpoints.sort_unstable();
        for midpoint in midpoints {
            *tally.midpoints.entry(midpoint).or_insert(0) += 1;
        }
        tally
    }

    /// `tally` (of `filter`, taken on the version `patches` start from) brought up to this version, or
    /// `None` when no patch touches it. `was_match` and `is_match` say whether a posting matched the
    /// filter's keywords before and after (always true without keywords).
    pub fn patch_tally(
        &self,
        tally: &Tally,
        filter: &JobFilter,
        patches: &[Patch],
        was_match: impl Fn(i64) -> bool,
        is_match: impl Fn(i64) -> bool,
    ) -> Option<Tally> {
        let wanted = self.resolve(filter);
        let mut patched: Option<Tally> = None;
        for patch in patches {
            if let Some(old) = patch.old.as_ref().filter(|old| was_match(old.id) && wanted.touches(old)) {
                count_into(&wanted, old, -1, patched.get_or_insert_with(|| tally.clone()), &mut Midpoints::Patch);
            }
            if let Some(new) = patch.new.as_ref().filter(|new| is_match(new.id) && wanted.touches(new)) {
                count_into(&wanted, new, 1, patched.get_or_insert_with(|| tally.clone()), &mut Midpoints::Patch);
            }
        }
        patched
    }

    /// A tally as the listing shows it: facets sorted and cut, the pay histogram drawn.
    pub fn render(&self, tally: &Tally) -> ListingSummary {
        let names = &self.dictionary;
        let mut location: Vec<FacetCount> = tally
            .locations
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .filter_map(|(index, count)| {
                let name = names.locations.get(index)?;
                Some(FacetCount {
                    value: name.slug.clone(),
                    label: format!("{}, {}", name.city, name.region),
                    count: *count,
                })
            })
            .collect();
        location.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        location.truncate(usize::try_from(LOCATION_FACET_LIMIT).unwrap_or(usize::MAX));
        let mut region: Vec<FacetCount> = tally
            .regions
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .filter_map(|(index, count)| {
                let region = names.regions.get(index)?;
                Some(FacetCount { value: region.clone(), label: region.clone(), count: *count })
            })
            .collect();
        region.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let coded = |all: &[(&'static str, &'static str)], counts: &[i64]| {
            coded_counts(all.iter().enumerate().map(|(index, code)| (*code, counts.get(index).copied().unwrap_or(0))))
        };
        let modes: Vec<(&str, &str)> = WorkMode::ALL.iter().map(|mode| (mode.code(), mode.label())).collect();
        let types: Vec<(&str, &str)> = EmploymentType::ALL.iter().map(|t| (t.code(), t.label())).collect();
        let levels: Vec<(&str, &str)> = ExperienceLevel::ALL.iter().map(|l| (l.code(), l.label())).collect();
        let facets = Facets {
            location,
            region,
            remote: coded_counts(modes.iter().copied().zip(tally.modes)),
            employment_type: coded(&types, &tally.types),
            level: coded(&levels, &tally.levels),
        };
        ListingSummary {
            total: tally.total,
            facets,
            pay: PayHistogram::from_counted(tally.midpoints.iter().map(|(midpoint, count)| (*midpoint, *count))),
        }
    }

    /// One page of the open postings matching `filter`, newest or highest pay first as `sort` says, from
    /// `filter`'s cursor: the ids of up to `limit` postings and the next cursor. With keywords, `matches`
    /// are the ids their search matches, ascending (without, `None`).
    pub fn page(
        &self,
        filter: &JobFilter,
        matches: Option<&[i64]>,
        sort: Sort,
        limit: usize,
    ) -> (Vec<i64>, Option<String>) {
        let wanted = self.resolve(filter);
        let cursor = filter.after.as_deref().and_then(|text| Cursor::decode(text, sort));
        let keep = |posting: &&Shared| {
            matches.is_none_or(|matches| matches.binary_search(&posting.id).is_ok())
                && wanted.keeps(posting)
                && wanted.passes(posting) == [true; 5]
        };
        let page: Vec<&Shared> = match (sort, cursor) {
            (Sort::Pay, cursor) => {
                let after = match cursor {
                    Some(Cursor::Pay { annual_max, id }) => (annual_max, id),
                    _ => (i64::MAX, i64::MAX),
                };
                self.by_pay.range(..after).rev().map(|(_, posting)| posting).filter(keep).take(limit + 1).collect()
            }
            (_, cursor) => {
                let after = match cursor {
                    Some(Cursor::Newest { posted_at, id }) => (posted_at, id),
                    _ => (NaiveDate::MAX, i64::MAX),
                };
                self.newest.range(..after).rev().map(|(_, posting)| posting).filter(keep).take(limit + 1).collect()
            }
        };
        let more = page.len() > limit;
        let page = &page[..page.len().min(limit)];
        let next_cursor = more.then(|| page.last()).flatten().map(|last| {
            match sort {
                Sort::Pay => Cursor::Pay { annual_max: pay_key(last).0, id: last.id },
                _ => Cursor::Newest { posted_at: last.posted_at, id: last.id },
            }
            .encode()
        });
        (page.iter().map(|posting| posting.id).collect(), next_cursor)
    }

    /// One page of the open postings matching `filter`, best match first: `ranked` is every match of its
    /// keywords in relevance order (lower rank first, then id), the page starts after `filter`'s cursor.
    pub fn ranked_page(&self, filter: &JobFilter, ranked: &[RankedMatch], limit: usize) -> (Vec<i64>, Option<String>) {
        let wanted = self.resolve(filter);
        let start = match filter.after.as_deref().and_then(|text| Cursor::decode(text, Sort::Relevance)) {
            Some(Cursor::Relevance { rank, id }) => {
                ranked.partition_point(|m| m.rank < rank || (m.rank == rank && m.id <= id))
            }
            _ => 0,
        };
        let page: Vec<&RankedMatch> = ranked[start..]
            .iter()
            .filter(|hit| {
                self.postings
                    .get(&hit.id)
                    .is_some_and(|posting| wanted.keeps(posting) && wanted.passes(posting) == [true; 5])
            })
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        let page = &page[..page.len().min(limit)];
        let next_cursor =
            more.then(|| page.last()).flatten().map(|last| Cursor::Relevance { rank: last.rank, id: last.id }.encode());
        (page.iter().map(|hit| hit.id).collect(), next_cursor)
    }

    fn resolve(&self, filter: &JobFilter) -> Resolved {
        Resolved {
            location: filter.location.as_deref().map(|slug| self.dictionary.location_ids.get(slug).copied()),
            region: filter.region.as_deref().map(|region| self.dictionary.region_ids.get(region).copied()),
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
}

/// Counts `posting` (`sign`: 1 in, -1 out) into `tally` against `wanted`: into the total and histogram
/// when it passes every filter, and into each facet when it passes all the others.
fn count_into(wanted: &Resolved, posting: &OpenPosting, sign: i64, tally: &mut Tally, midpoints: &mut Midpoints<'_>) {
    if !wanted.keeps(posting) {
        return;
    }
    let places = &posting.places;
    let passes = wanted.passes(posting);
    let failed = passes.iter().filter(|passed| !**passed).count();
    // A posting counts in a facet when it passes every other filter: all of them, or all but that one.
    let counts_in = |facet: usize| failed == 0 || (failed == 1 && !passes[facet]);
    if counts_in(LOCATION) {
        for_each_distinct(places, |place| place.location, |location| bump(&mut tally.locations, location, sign));
    }
    if counts_in(REGION) {
        for_each_distinct(places, |place| place.region, |region| bump(&mut tally.regions, region, sign));
    }
    if counts_in(MODE) {
        for_each_distinct(places, |place| mode_index(place.mode), |mode| tally.modes[mode] += sign);
    }
    if counts_in(TYPE) {
        bump(&mut tally.types, code_index(EmploymentType::ALL, posting.employment_type), sign);
    }
    if counts_in(LEVEL) {
        bump(&mut tally.levels, code_index(ExperienceLevel::ALL, posting.level), sign);
    }
    if failed == 0 {
        tally.total += sign;
        if let Some(pay) = posting.pay.filter(|pay| pay.usd) {
            let midpoint = (pay.min + pay.max) / 2;
            match midpoints {
                Midpoints::Collect(list) => list.push(midpoint),
                Midpoints::Patch => {
                    let count = tally.midpoints.entry(midpoint).or_insert(0);
                    *count += sign;
                    if *count == 0 {
                        tally.midpoints.remove(&midpoint);
                    }
                }
            }
        }
    }
}

/// Changes the entry `key` of `map` with `change`, and drops it when `change` says it is now empty.
fn remove_from<K: std::hash::Hash + Eq + Clone, V: Clone>(
    map: &mut SharedMap<K, V>,
    key: K,
    change: impl FnOnce(&mut V) -> bool,
) {
    if let Some(value) = map.get_mut(&key)
        && change(value)
    {
        map.remove(&key);
    }
}

/// One less of `key` in a count map, dropping it at zero.
fn decrement(counts: &mut OrdMap<i64, u32>, key: i64) {
    if let Some(count) = counts.get_mut(&key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

impl Resolved {
    /// Whether `posting` passes each faceted filter, in the order of [`LOCATION`] to [`LEVEL`].
    fn passes(&self, posting: &OpenPosting) -> [bool; 5] {
        let places = &posting.places;
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

    /// True when `posting` counts anywhere in the summary: in the total or in a facet.
    fn touches(&self, posting: &OpenPosting) -> bool {
        self.keeps(posting) && self.passes(posting).iter().filter(|passed| !**passed).count() <= 1
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
