//! The benchmark's fairness check (`jobboard-bench check-references`, run by `bench/run.sh` before it
//! measures): the hand-written reference server writes the same bytes as the Leptos components it is
//! compared with, so the ratio measures the framework and nothing else. Not part of the test suite: it
//! guards the benchmark, not the product.

use crate::reference::{FOOTER, HEADER, card_html, filter_bar_html, pay_chart_html};
use app::components::filter_bar::FilterBar;
use app::components::job_card::JobCardView;
use app::components::layout::{SiteFooter, SiteHeader};
use app::components::pay_chart::PayChart;
use app::domain::JobCard;
use app::domain::filter::parse_query_string;
use app::domain::filter::{FacetCount, Facets, PayHistogram};
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

/// The hand-written card is the Leptos card, byte for byte.
fn the_reference_writes_the_same_card_as_the_leptos_component() -> Result<(), String> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
    let pay = Pay::new(4_500, 6_000, Currency::usd(), PayUnit::Hour).expect("pay");
    for card in [card(Some(pay), 1), card(None, 3), card(None, 0)] {
        let mut handwritten = String::new();
        card_html(&card, today, &mut handwritten);
        let owner = Owner::new();
        let rendered = owner.with(|| view! { <JobCardView card=card.clone() today /> }.to_html());
        same(&handwritten, &rendered, "card")?;
    }
    Ok(())
}

fn facet(value: &str, label: &str, count: i64) -> FacetCount {
    FacetCount { value: value.into(), label: label.into(), count }
}

/// The hand-written filter bar is the Leptos one, byte for byte.
fn the_reference_writes_the_same_filter_bar_as_the_leptos_component() -> Result<(), String> {
    let facets = Facets {
        location: vec![facet("san-jose-ca", "San Jose, CA", 12), facet("a-b", "A & <B>", 3)],
        region: vec![facet("CA", "CA", 15)],
        remote: vec![facet("remote", "Remote", 4)],
        employment_type: vec![facet("full_time", "Full time", 9), facet("contract", "Contract", 2)],
        level: vec![facet("senior", "Senior", 5)],
    };
    let queries = [
        "",
        "q=%22rust%22+%26+%3Cgo%3E&location=san-jose-ca&region=WA&remote=remote&remote=hybrid&min_pay=120000\
         &type=contract&level=senior&posted_within=7&sort=pay&company=smith-sons",
        "location=a-b&region=CA&max_pay=90000&sort=newest&posted_within=1",
    ];
    for query in queries {
        let filter = parse_query_string(query).filter;
        let mut handwritten = String::new();
        filter_bar_html(&filter, &facets, &mut handwritten);
        let owner = Owner::new();
        let rendered = owner.with(|| view! { <FilterBar filter=filter.clone() facets=facets.clone() /> }.to_html());
        same(&handwritten, &rendered, &format!("filter bar for {query:?}"))?;
    }
    Ok(())
}

/// The hand-written pay chart, header and footer are the Leptos ones, byte for byte.
fn the_reference_writes_the_same_pay_chart_header_and_footer_as_the_leptos_components() -> Result<(), String> {
    let histograms = [
        PayHistogram {
            bucket_width: 20_000,
            buckets: vec![(40_000, 3), (60_000, 0), (80_000, 11)],
            median: Some(81_500),
            paid: 14,
            below: 0,
            above: 0,
        },
        PayHistogram {
            bucket_width: 20_000,
            buckets: vec![(40_000, 3), (60_000, 0), (80_000, 11)],
            median: Some(81_500),
            paid: 17,
            below: 1,
            above: 2,
        },
        PayHistogram::default(),
    ];
    for histogram in histograms {
        let mut handwritten = String::new();
        pay_chart_html(&histogram, &mut handwritten);
        let owner = Owner::new();
        let rendered = owner.with(|| view! { <PayChart histogram=histogram.clone() /> }.to_html());
        same(&handwritten, &rendered, "pay chart")?;
    }
    let owner = Owner::new();
    same(HEADER, &owner.with(|| view! { <SiteHeader /> }.to_html()), "header")?;
    same(FOOTER, &owner.with(|| view! { <SiteFooter /> }.to_html()), "footer")
}

fn same(handwritten: &str, rendered: &str, what: &str) -> Result<(), String> {
    if handwritten == rendered {
        Ok(())
    } else {
        Err(format!(
            "the reference's {what} differs from Leptos's:\n  reference: {handwritten}\n  leptos:    {rendered}"
        ))
    }
}

/// Runs every check; the first difference is the error.
pub fn check_references() -> Result<(), String> {
    the_reference_writes_the_same_card_as_the_leptos_component()?;
    the_reference_writes_the_same_filter_bar_as_the_leptos_component()?;
    the_reference_writes_the_same_pay_chart_header_and_footer_as_the_leptos_components()
}
