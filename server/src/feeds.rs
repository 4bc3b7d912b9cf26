//! Atom feeds (RFC 4287): `/jobs/feed.atom?<the listing's query>` lists exactly the postings of that
//! listing page, in its order; `/companies/{slug}/feed.atom` those of the company page; and
//! `/careers/{path}/feed.atom` the newest open postings at the path's steps. Each entry carries the
//! company, place, pay and closing date in the board's own namespace. Answers carry a content `ETag` and
//! `Last-Modified` (the newest entry's day); a matching `If-None-Match` or `If-Modified-Since` gets 304.

use std::collections::BTreeMap;

use app::api::jobs::{PAGE_SIZE, load_listing};
use app::db;
use app::domain::JobCard;
use app::domain::career::career_path_url;
use app::domain::company::company_path;
use app::domain::filter::parse_query_string;
use app::error::AppError;
use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b, Digest, digest::consts::U16};
use chrono::{DateTime, NaiveDate, Utc};

use crate::page_cache::PUBLIC_MAX_AGE_SECONDS;
use crate::rate_limits::client_address;
use crate::state::AppState;

/// The namespace of the board's own entry elements (pay, place, company, closing date).
pub const JOB_NAMESPACE: &str = "urn:x-jobboard:posting";
const PREFIX: &str = "job";

/// `GET /jobs/feed.atom?…`: the listing page of the same query, as a feed.
pub async fn listing_feed(State(state): State<AppState>, RawQuery(query): RawQuery, request: Request) -> Response {
    let parsed = parse_query_string(query.as_deref().unwrap_or_default());
    if !state.listing_cache.is_cached(&parsed.filter)
        && let Err(limited) = state.rate_limits.listing_miss(client_address(request.extensions()))
    {
        return limited.response("Too many new searches from your address; try again in a little while.");
    }
    let page = match load_listing(&state.pool, &state.listing_cache, &parsed.filter).await {
        Ok(page) => page,
        Err(error) => return error.into_response(),
    };
    let canonical = parsed.filter.to_query_string();
    let suffix = if canonical.is_empty() { String::new() } else { format!("?{canonical}") };
    let title = app::domain::alert::describe_search(&parsed.filter.cache_key());
    let origin = state.public_origin();
    let feed = FeedParts {
        title: format!("{title} · {}", app::SITE_NAME),
        self_path: format!("/jobs/feed.atom{suffix}"),
        page_path: format!("/jobs{suffix}"),
        today: page.today,
    };
    answer(request.headers(), feed.build(origin, &page.jobs))
}

/// `GET /companies/{slug}/feed.atom`: the company page's postings.
pub async fn company_feed(State(state): State<AppState>, Path(slug): Path<String>, request: Request) -> Response {
    let found = async {
        let profile = db::get_company_profile(&state.pool, &slug, &[]).await?;
        let snapshot = state.listing_cache.snapshot(&state.pool).await?;
        let (ids, _) = snapshot.company_postings(&profile.slug, None, app::api::companies::COMPANY_PAGE_JOBS);
        let cards = db::load_cards(&state.pool, &ids).await?;
        let title = format!("Jobs at {} · {}", profile.name, app::SITE_NAME);
        Ok((title, company_path(&profile.slug), snapshot.day(), cards))
    };
    page_feed(&state, request.headers(), found.await)
}

/// `GET /careers/{path}/feed.atom`: the newest open postings at the path's steps.
pub async fn career_feed(State(state): State<AppState>, Path(slug): Path<String>, request: Request) -> Response {
    let today = Utc::now().date_naive();
    let found = async {
        let path = db::get_career_path(&state.pool, &slug).await?;
        let ids = db::career_path_postings(&state.pool, &path.slug, today, PAGE_SIZE).await?;
        let mut cards = db::load_cards(&state.pool, &ids).await?;
        cards.sort_by_key(|card| ids.iter().position(|id| *id == card.id));
        let title = format!("{} career path: new jobs · {}", path.name, app::SITE_NAME);
        Ok((title, career_path_url(&path.slug), today, cards))
    };
    page_feed(&state, request.headers(), found.await)
}

/// The feed of a page at `page_path` (its title, day and cards), served at `{page_path}/feed.atom`; the
/// error page when they could not be read (404 for an unknown company or path).
fn page_feed(
    state: &AppState,
    request: &HeaderMap,
    found: Result<(String, String, NaiveDate, Vec<JobCard>), db::Error>,
) -> Response {
    let (title, page_path, today, cards) = match found {
        Ok(found) => found,
        Err(error) => return AppError::from(error).into_response(),
    };
    let feed = FeedParts { title, self_path: format!("{page_path}/feed.atom"), page_path, today };
    answer(request, feed.build(state.public_origin(), &cards))
}

/// What a feed says about itself.
struct FeedParts {
    title: String,
    /// The feed's own path and query, and the page it mirrors.
    self_path: String,
    page_path: String,
    /// The day an empty feed was last updated.
    today: NaiveDate,
}

/// Midnight UTC of `day`, as Atom writes times.
fn day_start(day: NaiveDate) -> FixedDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().fixed_offset()
}

impl FeedParts {
    fn build(self, origin: &str, cards: &[JobCard]) -> Feed {
        let entries: Vec<Entry> = cards.iter().map(|card| entry(origin, card)).collect();
        let updated = cards.iter().map(|card| card.posted_at).max().unwrap_or(self.today);
        Feed {
            title: Text::plain(self.title),
            id: format!("{origin}{}", self.self_path),
            updated: day_start(updated),
            authors: vec![Person {
                name: app::SITE_NAME.to_owned(),
                uri: Some(origin.to_owned()),
                ..Person::default()
            }],
            links: vec![
                Link {
                    href: format!("{origin}{}", self.self_path),
                    rel: "self".to_owned(),
                    mime_type: Some("application/atom+xml".to_owned()),
                    ..Link::default()
                },
                Link {
                    href: format!("{origin}{}", self.page_path),
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..Link::default()
                },
            ],
            entries,
            namespaces: BTreeMap::from([(PREFIX.to_owned(), JOB_NAMESPACE.to_owned())]),
            ..Feed::default()
        }
    }
}

/// One of the board's own elements, `<job:name>value</job:name>`.
fn element(extensions: &mut ExtensionMap, name: &str, value: String) {
    let extension = Extension { name: format!("{PREFIX}:{name}"), value: Some(value), ..Extension::default() };
    extensions.entry(PREFIX.to_owned()).or_default().entry(name.to_owned()).or_default().push(extension);
}

fn entry(origin: &str, card: &JobCard) -> Entry {
    let link = format!("{origin}{}", card.path());
    let place = card.locations.first().map(|location| location.label()).unwrap_or_default();
    let pay = card.pay.as_ref().map(|pay| pay.display());
    let mut summary = format!("{} · {place}", card.company.name);
    if let Some(pay) = &pay {
        summary.push_str(&format!(" · {pay}"));
    }
    summary.push_str(&format!(" · apply before {}", card.valid_through));
    let mut extensions = ExtensionMap::new();
    element(&mut extensions, "company", card.company.name.clone());
    element(&mut extensions, "place", place);
    if let Some(pay) = &card.pay {
        element(&mut extensions, "pay", pay.display());
        element(&mut extensions, "payAnnualMin", pay.annual_min().to_string());
        element(&mut extensions, "payAnnualMax", pay.annual_max().to_string());
        element(&mut extensions, "payCurrency", pay.currency().as_str().to_owned());
    }
    element(&mut extensions, "validThrough", card.valid_through.to_string());
    Entry {
        title: Text::plain(card.title.clone()),
        id: link.clone(),
        updated: day_start(card.posted_at),
        published: Some(day_start(card.posted_at)),
        authors: vec![Person { name: card.company.name.clone(), ..Person::default() }],
        links: vec![Link { href: link, rel: "alternate".to_owned(), ..Link::default() }],
        summary: Some(Text::plain(summary)),
        extensions,
        ..Entry::default()
    }
}

/// The feed, or 304 when the client's copy is current.
fn answer(request: &HeaderMap, feed: Feed) -> Response {
    let body = feed.to_string();
    let tag = format!("\"{:x}\"", Blake2b::<U16>::digest(body.as_bytes()));
    let updated: DateTime<Utc> = feed.updated.with_timezone(&Utc);
    let last_modified = updated.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let matches_tag = request
        .get(IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|candidate| candidate.trim().trim_start_matches("W/") == tag));
    // If-Modified-Since counts only without If-None-Match (RFC 9110, 13.1.3).
    let not_modified_since = !request.contains_key(IF_NONE_MATCH)
        && request
            .get(IF_MODIFIED_SINCE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| DateTime::parse_from_rfc2822(value).ok())
            .is_some_and(|since| since.with_timezone(&Utc) >= updated);
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (ETAG, tag.as_str()),
        (LAST_MODIFIED, last_modified.as_str()),
        (CACHE_CONTROL, &format!("public, max-age={PUBLIC_MAX_AGE_SECONDS}")),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    if matches_tag || not_modified_since {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    (StatusCode::OK, headers, body).into_response()
}
