//! `jobboard-bench`: the measuring side of `bench/run.sh`.
//!
//! - `queries`: server-side time of the typical listing queries against a database (p50/p95 of N runs),
//!   measured through the same functions the server calls.
//! - `hello`: a bare axum "hello" server, the first reference for the HTTP load test.
//! - `handwritten`: a plain axum server that runs the listing's queries on the same pool (and the same
//!   listing cache), served through the site's own middleware, and writes hand-written HTML (see
//!   [`reference`]), the second reference. `/jobs`
//!   writes the same cards as the Leptos page (the reference); `/jobs/full` writes the whole
//!   listing page byte for byte as Leptos renders it (filter bar, histogram, header and footer too), less
//!   the framework's own hydration script and island markers.

// Leptos view types nest deeply; the default limit is too low for the app crate's pages.
#![recursion_limit = "256"]

mod checks;
mod reference;

use app::api::jobs::PAGE_SIZE;
use app::db::{self, ListingCache, Pool};
use app::domain::JobFilter;
use app::domain::filter::parse_query_string;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::{Parser, Subcommand};
use reference::{ListingPage, card_html, listing_page_html};
use server::router::with_site_middleware;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The benchmark's helpers.
#[derive(Debug, Parser)]
#[command(name = "jobboard-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks that the hand-written reference writes the same bytes as the Leptos components.
    CheckReferences,
    /// Times the typical listing queries: p50/p95 of --runs runs each.
    Queries {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Runs of the slow measurements at 100,000 postings: loading the snapshot, and the summary in SQL.
        #[arg(long, default_value_t = 5)]
        summary_runs: usize,
    },
    /// Serves a bare axum "hello" handler.
    Hello {
        #[arg(long)]
        addr: SocketAddr,
    },
    /// Serves `/jobs` from a hand-written HTML handler over the same queries.
    Handwritten {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
}

/// The typical queries of the issue: (name, query string).
const CASES: [(&str, &str); 4] = [
    ("no filter", ""),
    ("location + min pay", "location=san-jose-ca&min_pay=150000"),
    ("keyword + remote", "q=engineer&remote=remote"),
    ("keyword by highest pay", "q=engineer&sort=pay"),
];

/// The deep page measured against page 1.
const DEEP_PAGE: usize = 500;

fn percentile(samples: &mut [Duration], fraction: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * fraction).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

/// Runs `work` `runs` times; prints and returns (p50, p95).
async fn measure<F, Fut>(label: &str, runs: usize, mut work: F) -> Result<(Duration, Duration), db::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), db::Error>>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work().await?;
        samples.push(started.elapsed());
    }
    let (p50, p95) = (percentile(&mut samples, 0.5), percentile(&mut samples, 0.95));
    println!("| {label} | {runs} | {} | {} |", ms(p50), ms(p95));
    Ok((p50, p95))
}

/// This process's resident memory, from `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn queries(database_url: &str, runs: usize, summary_runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let pool = db::connect(database_url, 8).await?;
    let today = chrono::Utc::now().date_naive();
    let open = db::count_open_jobs(&pool, &JobFilter::default(), today).await?;
    println!("{open} open postings; times in ms");
    let resident_before = resident_bytes();
    let snapshot = db::OpenPostings::load(&pool, today).await?;
    let resident_after = resident_bytes();
    if let (Some(before), Some(after)) = (resident_before, resident_after)
        && !snapshot.is_empty()
    {
        println!(
            "the listing index: {} postings, {} MiB resident, {} bytes a posting (the server's estimate: {})",
            snapshot.len(),
            after.saturating_sub(before) / (1024 * 1024),
            after.saturating_sub(before) / snapshot.len() as u64,
            db::BYTES_PER_POSTING
        );
    }
    println!("\n| query | runs | p50 | p95 |");
    println!("|---|---|---|---|");
    measure("the listing index of the open postings, loaded whole (at start)", summary_runs, || async {
        db::OpenPostings::load(&pool, today).await.map(|_| ())
    })
    .await?;
    // A patch of one posting, as the change feed brings it: the cost of a change at this board's size.
    let one = snapshot.ids().next().unwrap_or(0);
    let batch = db::FeedBatch {
        position: snapshot.position(),
        postings: std::iter::once(one).collect(),
        ..db::FeedBatch::default()
    };
    measure("the index patched with one changed posting (read again from the database)", runs, || async {
        snapshot.patched(&pool, today, &batch).await.map(|_| ())
    })
    .await?;
    let cache = ListingCache::default();
    for (name, query) in CASES {
        let filter = parse_query_string(query).filter;
        measure(&format!("{name}: page of {PAGE_SIZE} cards in SQL, uncached"), runs, || async {
            db::open_jobs_page(&pool, &filter, today, PAGE_SIZE).await.map(|_| ())
        })
        .await?;
        measure(&format!("{name}: summary of a new filter, counted in memory (snapshot loaded)"), runs, || async {
            let matches = match filter.q.as_deref().and_then(db::fts_query) {
                Some(keywords) => Some(db::OpenPostings::keyword_matches(&pool, &keywords).await?),
                None => None,
            };
            snapshot.summarize(&filter, matches.as_deref());
            Ok::<(), db::Error>(())
        })
        .await?;
        measure(
            &format!("{name}: the same summary in SQL (count, facets, histogram: the definition)"),
            summary_runs,
            || async {
                db::count_open_jobs(&pool, &filter, today).await?;
                db::facets(&pool, &filter, today).await?;
                db::pay_histogram(&pool, &filter, today).await.map(|_| ())
            },
        )
        .await?;
        measure(&format!("{name}: whole listing as served (cached summary and order + page)"), runs, || async {
            cache.listing(&pool, &filter, PAGE_SIZE).await.map(|_| ())
        })
        .await?;
    }
    // The deep page: walk to page 500 once, then time it against page 1, in SQL and as served.
    let first = JobFilter::default();
    let mut cursor = None;
    for _ in 1..DEEP_PAGE {
        let (_, next) = db::open_jobs_page(&pool, &first.with_cursor(cursor.clone()), today, PAGE_SIZE).await?;
        cursor = next;
    }
    let deep = first.with_cursor(cursor);
    for (how, served) in [("in SQL", false), ("as served (from the snapshot)", true)] {
        let page = |filter: &JobFilter| {
            let (pool, cache, filter) = (&pool, &cache, filter.clone());
            async move {
                if served {
                    cache.page(pool, &filter, PAGE_SIZE).await.map(|_| ())
                } else {
                    db::open_jobs_page(pool, &filter, today, PAGE_SIZE).await.map(|_| ())
                }
            }
        };
        let (page_one, _) = measure(&format!("no filter: page 1, {how}"), runs, || page(&first)).await?;
        let (page_deep, _) =
            measure(&format!("no filter: page {DEEP_PAGE} (keyset), {how}"), runs, || page(&deep)).await?;
        println!(
            "\ndeep page / page 1 (p50), {how}: {:.2}\n",
            page_deep.as_secs_f64() / page_one.as_secs_f64().max(f64::MIN_POSITIVE)
        );
    }
    Ok(())
}

#[derive(Clone)]
struct Handwritten {
    pool: Pool,
    cache: ListingCache,
}

/// The listing's data for one request, as the page's server function gathers it.
async fn listing_data(
    state: &Handwritten,
    filter: &JobFilter,
) -> Result<(std::sync::Arc<app::domain::filter::ListingSummary>, Vec<app::domain::JobCard>, Option<String>), Response>
{
    let failed = |error: db::Error| (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
    let listing = state.cache.listing(&state.pool, filter, PAGE_SIZE).await.map_err(failed)?;
    Ok((listing.summary, listing.jobs, listing.next_cursor))
}

/// `/jobs`: the same cards as the Leptos page under a minimal document (the reference).
async fn handwritten_jobs(State(state): State<Handwritten>, RawQuery(query): RawQuery) -> Response {
    let filter = parse_query_string(query.as_deref().unwrap_or_default()).filter;
    let today = chrono::Utc::now().date_naive();
    let (summary, jobs, _) = match listing_data(&state, &filter).await {
        Ok(data) => data,
        Err(response) => return response,
    };
    let mut html = String::with_capacity(32 * 1024);
    html.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Open jobs</title>\
         <link rel=\"stylesheet\" href=\"/pkg/jobboard.css\"></head><body><main>",
    );
    html.push_str(&format!("<h1>{} open jobs</h1><ul class=\"job-list mt-4 grid gap-3\">", summary.total));
    for card in &jobs {
        card_html(card, today, &mut html);
    }
    html.push_str("</ul></main></body></html>");
    Html(html).into_response()
}

/// `/jobs/full`: the whole listing page, as the Leptos page renders it.
async fn handwritten_full_page(State(state): State<Handwritten>, RawQuery(query): RawQuery) -> Response {
    let parsed = parse_query_string(query.as_deref().unwrap_or_default());
    let today = chrono::Utc::now().date_naive();
    let (summary, jobs, next_cursor) = match listing_data(&state, &parsed.filter).await {
        Ok(data) => data,
        Err(response) => return response,
    };
    Html(listing_page_html(&ListingPage {
        filter: &parsed.filter,
        warnings: &parsed.warnings,
        summary: &summary,
        jobs: &jobs,
        next_cursor,
        today,
    }))
    .into_response()
}

async fn serve(addr: SocketAddr, router: axum::Router) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router).await?;
    Ok(())
}

/// Page rendering makes many short-lived allocations; mimalloc serves them faster than the system
/// allocator (the benchmark's references use it too, so ratios stay fair).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::CheckReferences => checks::check_references()
            .map(|()| println!("the references match Leptos byte for byte"))
            .map_err(Into::into),
        Command::Queries { database_url, runs, summary_runs } => queries(&database_url, runs, summary_runs).await,
        Command::Hello { addr } => serve(addr, axum::Router::new().route("/", get(|| async { "hello" }))).await,
        Command::Handwritten { addr, database_url } => match db::connect(&database_url, 8).await {
            Ok(pool) => {
                let state = Handwritten { pool, cache: ListingCache::default() };
                let routes = axum::Router::new()
                    .route("/jobs", get(handwritten_jobs))
                    .route("/jobs/full", get(handwritten_full_page));
                // Behind the site's own middleware (sessions, security headers, compression, ...), so
                // that the load test compares page handlers and not middleware stacks.
                let pool = state.pool.clone();
                let router = with_site_middleware(routes, pool, &format!("http://{addr}")).with_state(state);
                serve(addr, router).await
            }
            Err(error) => Err(error.into()),
        },
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jobboard-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
