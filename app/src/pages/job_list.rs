//! `/` and `/jobs`: open postings, newest first, with the filter bar.
//!
//! The listing is the site's busiest page, so it is not a route of the Leptos router: the server loads
//! its data first and then renders [`listing_document`] in one synchronous pass (see the server's
//! `listing_page` module). The document has the same head, frame and islands as every routed page; the
//! request skips leptos_axum's response pipeline, the router and a resource, which together cost more CPU
//! per request than rendering the page itself.

use leptos::either::Either;
use leptos::prelude::*;

use super::not_found::{ERROR_TITLE, ErrorMessage};
use crate::api::jobs::JobListPage as ListData;
use crate::assets::stylesheet_href;
use crate::components::filter_bar::FilterBar;
use crate::components::job_card::JobCardView;
use crate::components::live_search::{LiveSearch, SEARCH_ID, STATUS_ID};
use crate::components::pay_chart::PayChart;
use crate::domain::alert::Frequency;
use crate::domain::filter::ParsedFilter;
use crate::domain::pay::group_thousands;
use crate::error::AppError;
use crate::pages::alerts::FrequencySelect;
use crate::{BODY_CLASS, DocumentHead, page_frame, page_title};

/// The listing page's title (before the site's name).
pub const LISTING_TITLE: &str = "Open jobs";

/// The listing page's description for search engines and link previews.
pub const LISTING_DESCRIPTION: &str = "Browse open jobs with their pay, benefits and location.";

/// The whole listing document for `parsed` and its loaded `page` (or the error that stopped it).
pub fn listing_document(
    options: LeptosOptions,
    parsed: ParsedFilter,
    page: Result<ListData, AppError>,
) -> impl IntoView {
    let feed = feed_path(&parsed.filter.cache_key());
    let (title, body) = match page {
        Ok(data) => (page_title(LISTING_TITLE), Either::Left(view! { <Listing parsed data /> })),
        // `Either`, not `into_any`: erasing the type would copy every static string of the listing into
        // an owned one on each render.
        Err(error) => (page_title(ERROR_TITLE), Either::Right(view! { <ErrorMessage error /> })),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <DocumentHead options />
                <link id="leptos" rel="stylesheet" href=stylesheet_href() />
                <meta name="description" content=LISTING_DESCRIPTION />
                <link rel="alternate" type="application/atom+xml" title="New jobs of this search" href=feed />
                <title>{title}</title>
            </head>
            <body class=BODY_CLASS>{page_frame(body)}</body>
        </html>
    }
}

/// The Atom feed of the listing with this canonical query.
pub fn feed_path(query: &str) -> String {
    if query.is_empty() { "/jobs/feed.atom".to_owned() } else { format!("/jobs/feed.atom?{query}") }
}

/// Under the results: save this search as an e-mail alert, or follow its feed. Inside the results, so
/// the live search swaps it with them and it always names the search shown.
#[component]
fn SaveSearch(query: String, feed: String) -> impl IntoView {
    view! {
        <form method="post" action="/alerts" class="save-search mt-6 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm">
            <input type="hidden" name="query" value=query />
            <p class="font-semibold">"Get new jobs of this search by e-mail"</p>
            <div class="mt-2 flex flex-wrap items-end gap-2">
                <label for="save-search-email" class="sr-only">"E-mail address"</label>
                <input id="save-search-email" name="email" type="email" required placeholder="you@example.com" autocomplete="email"
                    class="min-w-0 flex-1 rounded border border-slate-300 px-3 py-2" />
                <label for="save-search-frequency" class="sr-only">"How often"</label>
                <FrequencySelect id="save-search-frequency" selected=Frequency::Daily />
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Create alert"</button>
            </div>
            <p class="mt-2 text-slate-600">"Or follow the " <a href=feed type="application/atom+xml" class="feed-link text-indigo-700 underline">"Atom feed"</a> " of this search."</p>
        </form>
    }
}

/// The filter bar beside the results: the count, any warnings, the pay chart, the cards and the pager.
#[component]
fn Listing(parsed: ParsedFilter, data: ListData) -> impl IntoView {
    let ParsedFilter { filter, warnings } = parsed;
    let today = data.today;
    let count = data.total;
    let heading = match count {
        0 => "No open jobs match".to_owned(),
        1 => "1 open job".to_owned(),
        n => format!("{} open jobs", group_thousands(n)),
    };
    let pay_note = filter.filters_pay().then_some("Jobs that do not post pay are not shown while a pay filter is set.");
    let next_page =
        data.next_cursor.clone().map(|cursor| format!("/jobs?{}", filter.with_cursor(Some(cursor)).to_query_string()));
    let first_page = filter.after.is_some().then(|| format!("/jobs?{}", filter.with_cursor(None).to_query_string()));
    let alert_query = filter.cache_key();
    let feed = feed_path(&alert_query);
    let location_labels = data.facets.location.clone();
    let chips = filter.active_filters(|slug| {
        location_labels.iter().find(|option| option.value == slug).map(|option| option.label.clone())
    });
    let active_count = match chips.len() {
        0 => String::new(),
        n => format!("({n} active)"),
    };
    view! {
        <div id=SEARCH_ID class="grid gap-6 lg:grid-cols-[18rem_1fr]">
            // Outside the swapped parts, so screen readers hear the new count after each change.
            <p id=STATUS_ID class="sr-only" aria-live="polite"></p>
            // On a narrow screen the filters wait behind "Filters" (a `<details>`, so it opens without
            // JavaScript) and the results come first; on a wide one the style sheet keeps them open as a
            // sidebar and hides the toggle.
            <aside id="job-filters" aria-label="Filters">
                <details class="filters-panel">
                    <summary class="filters-toggle">
                        "Filters " <span class="text-slate-500" data-count-for="active-filters">{active_count}</span>
                    </summary>
                    <FilterBar filter=filter.clone() facets=data.facets />
                </details>
            </aside>
            <section id="job-results" aria-labelledby="results-heading" class="transition-opacity aria-busy:opacity-60">
                <h1 id="results-heading" class="text-2xl font-bold tracking-tight">{heading}</h1>
                {(!chips.is_empty()).then(|| view! {
                    <ul class="active-filters mt-2 flex flex-wrap gap-2 text-sm" aria-label="Filters in use">
                        {chips.into_iter().map(|chip| {
                            let href = chip.remove_href();
                            view! {
                            <li>
                                // Named by its text ("Remove filter: Region: CA"), not by a label, so that
                                // it is not taken for the filter form's own labelled control.
                                <a href=href data-live-link="" class="filter-chip">
                                    <span class="sr-only">"Remove filter: "</span>
                                    {chip.label} <span aria-hidden="true">" ×"</span>
                                </a>
                            </li>
                        }}).collect_view()}
                    </ul>
                })}
                {(!warnings.is_empty()).then(|| view! {
                    <ul role="alert" class="filter-warnings mt-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                })}
                {pay_note.map(|note| view! { <p class="mt-2 text-sm text-slate-600">{note}</p> })}
                <PayChart histogram=data.pay />
                <ul class="job-list mt-4 grid gap-3">
                    {data.jobs.into_iter().map(|card| view! { <JobCardView card today /> }).collect_view()}
                </ul>
                <nav class="pager mt-6 flex items-center justify-between text-sm" aria-label="Pages">
                    {first_page.map(|href| view! { <a href=href rel="first" data-live-link="" class="text-indigo-700 hover:underline">"First page"</a> })}
                    {next_page.map(|href| view! {
                        <a href=href rel="next" data-live-link="" class="ml-auto rounded-lg border border-slate-300 bg-white px-4 py-2 font-semibold text-indigo-700 hover:border-indigo-400">
                            "Next page"
                        </a>
                    })}
                </nav>
                <SaveSearch query=alert_query feed />
            </section>
        </div>
        <LiveSearch />
    }
}
