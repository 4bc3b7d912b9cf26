//! `jobboard-bench`: the measuring side of `bench/run.sh`.
//!
//! - `queries`: server-side time of the typical listing queries against a database (p50/p95 of N runs),
//!   measured through the same functions the server calls.
//! - `hello`: a bare axum "hello" server, the first reference for the HTTP load test.
//! - `handwritten`: a plain axum handler that runs the listing's queries on the same pool (and the same
//!   summary cache) and writes the same cards as hand-written HTML, the second reference.
// Leptos view types nest deeply; the default limit is too low for the app crate's pages.
#![recursion_limit = "256"]

use app::api::jobs::PAGE_SIZE;
use app::components::job_card::locations_label;
use app::db::{self, ListingCache, Pool};
use app::domain::filter::parse_query_string;
use app::domain::text::posted_age;
use app::domain::{JobCard, JobFilter};
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::{Parser, Subcommand};
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
    /// Times the typical listing queries: p50/p95 of --runs runs each.
    Queries {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Runs of the uncached summary (count, facets, histogram), which is slow at 100,000 postings.
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
const CASES: [(&str, &str); 3] = [
    ("no filter", ""),
    ("location + min pay", "location=san-jose-ca&min_pay=150000"),
    ("keyword + remote", "q=engineer&remote=remote"),
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
async fn measure<F, Fut>(label: &str, runs: usize, mut work: F) -> Result<(Duration, Duration), sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), sqlx::Error>>,
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

async fn queries(database_url: &str, runs: usize, summary_runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let pool = db::connect(database_url, 8).await?;
    let today = chrono::Utc::now().date_naive();
    let open = db::count_open_jobs(&pool, &JobFilter::default(), today).await?;
    println!("{open} open postings; times in ms\n");
    println!("| query | runs | p50 | p95 |");
    println!("|---|---|---|---|");
    let cache = ListingCache::default();
    for (name, query) in CASES {
        let filter = parse_query_string(query).filter;
        measure(&format!("{name}: page of {PAGE_SIZE} cards, uncached"), runs, || async {
            db::open_jobs_page(&pool, &filter, today, PAGE_SIZE).await.map(|_| ())
        })
        .await?;
        if filter.q.is_some() {
            measure(&format!("{name}: page of {PAGE_SIZE} cards, ranking every match (cold cache)"), runs, || async {
                ListingCache::default().page(&pool, &filter, today, PAGE_SIZE).await.map(|_| ())
            })
            .await?;
        }
        measure(&format!("{name}: summary, uncached (count, facets, histogram)"), summary_runs, || async {
            ListingCache::default().summary(&pool, &filter, today).await.map(|_| ())
        })
        .await?;
        measure(&format!("{name}: whole listing as served (cached summary and order + page)"), runs, || async {
            cache.summary(&pool, &filter, today).await?;
            cache.page(&pool, &filter, today, PAGE_SIZE).await.map(|_| ())
        })
        .await?;
    }
    // The deep page: walk to page 500 once, then time it against page 1.
    let first = JobFilter::default();
    let mut cursor = None;
    for _ in 1..DEEP_PAGE {
        let (_, next) = db::open_jobs_page(&pool, &first.with_cursor(cursor.clone()), today, PAGE_SIZE).await?;
        cursor = next;
    }
    let deep = first.with_cursor(cursor);
    let (page_one, _) = measure("no filter: page 1", runs, || async {
        db::open_jobs_page(&pool, &first, today, PAGE_SIZE).await.map(|_| ())
    })
    .await?;
    let (page_deep, _) = measure(&format!("no filter: page {DEEP_PAGE} (keyset)"), runs, || async {
        db::open_jobs_page(&pool, &deep, today, PAGE_SIZE).await.map(|_| ())
    })
    .await?;
    println!(
        "\ndeep page / page 1 (p50): {:.2}",
        page_deep.as_secs_f64() / page_one.as_secs_f64().max(f64::MIN_POSITIVE)
    );
    Ok(())
}

#[derive(Clone)]
struct Handwritten {
    pool: Pool,
    cache: ListingCache,
}

/// Text in an element, escaped as Leptos escapes it.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A double-quoted attribute value.
fn escape_attribute(text: &str) -> String {
    escape_text(text).replace('"', "&quot;")
}

/// The card as `app::components::job_card::JobCardView` renders it, byte for byte (a test checks), written
/// by hand.
fn card_html(card: &JobCard, today: chrono::NaiveDate, out: &mut String) {
    use std::fmt::Write;
    let pay = match &card.pay {
        Some(pay) => format!("<span class=\"pay chip-pay\">{}</span>", escape_text(&pay.display())),
        None => "<span class=\"chip text-slate-600\">Pay not posted</span>".to_owned(),
    };
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "<li class=\"job-card\"><a href=\"{}\" class=\"block focus:outline-none\">\
         <h2 class=\"job-card-title\">{}</h2><p class=\"job-card-company\">{}</p>\
         <p class=\"job-card-place\">{}</p><div class=\"job-card-facts\">{pay}\
         <span class=\"chip\">{}</span><span class=\"chip\">{}</span>\
         <span class=\"ml-auto text-slate-500\">{}</span></div></a></li>",
        escape_attribute(&card.path()),
        escape_text(&card.title),
        escape_text(&card.company.name),
        escape_text(&locations_label(card)),
        card.employment_type.label(),
        card.level.label(),
        posted_age(card.posted_at, today),
    );
}

async fn handwritten_jobs(State(state): State<Handwritten>, RawQuery(query): RawQuery) -> Response {
    let filter = parse_query_string(query.as_deref().unwrap_or_default()).filter;
    let today = chrono::Utc::now().date_naive();
    let summary = match state.cache.summary(&state.pool, &filter, today).await {
        Ok(summary) => summary,
        Err(error) => return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    };
    let (jobs, _) = match state.cache.page(&state.pool, &filter, today, PAGE_SIZE).await {
        Ok(page) => page,
        Err(error) => return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
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
        Command::Queries { database_url, runs, summary_runs } => queries(&database_url, runs, summary_runs).await,
        Command::Hello { addr } => serve(addr, axum::Router::new().route("/", get(|| async { "hello" }))).await,
        Command::Handwritten { addr, database_url } => match db::connect(&database_url, 8).await {
            Ok(pool) => {
                let state = Handwritten { pool, cache: ListingCache::default() };
                serve(addr, axum::Router::new().route("/jobs", get(handwritten_jobs)).with_state(state)).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use app::components::job_card::JobCardView;
    use app::domain::job::CompanyRef;
    use app::domain::{Currency, EmploymentType, ExperienceLevel, Location, Pay, PayUnit, WorkMode};
    use leptos::prelude::*;

    fn card(pay: Option<Pay>, places: usize) -> JobCard {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        let place = Location {
            city: "San Jose".into(),
            region: "CA".into(),
            country: "US".into(),
            work_mode: WorkMode::Hybrid,
            applicant_location_requirement: None,
        };
        JobCard {
            id: 7,
            slug: "r-d-lead".into(),
            title: "R&D <Lead> \"Platform\"".into(),
            company: CompanyRef { name: "Smith & Sons".into(), slug: "smith-sons".into() },
            employment_type: EmploymentType::Contract,
            level: ExperienceLevel::Senior,
            locations: vec![place; places],
            pay,
            posted_at: today,
            valid_through: today,
        }
    }

    #[test]
    fn the_reference_writes_the_same_card_as_the_leptos_component() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        let pay = Pay::new(4_500, 6_000, Currency::usd(), PayUnit::Hour).expect("pay");
        for card in [card(Some(pay), 1), card(None, 3), card(None, 0)] {
            let mut handwritten = String::new();
            card_html(&card, today, &mut handwritten);
            let owner = Owner::new();
            let rendered = owner.with(|| view! { <JobCardView card=card.clone() today /> }.to_html());
            assert_eq!(handwritten, rendered);
        }
    }
}
