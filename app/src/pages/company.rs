//! `/companies/{slug}`: a company, its open postings and its benefits.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::use_params_map;

use super::not_found::{ErrorNotice, NotFound};
use crate::api::companies::{CompanyPage as CompanyData, get_company};
use crate::components::benefits_panel::BenefitsPanel;
use crate::components::job_card::JobCardView;
use crate::domain::company::company_path;
use crate::domain::pay::group_thousands;
use crate::error::AppError;

/// The company page; an unknown slug renders the 404 page with status 404.
#[component]
pub fn CompanyPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let company = Resource::new_blocking(slug, get_company);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading the company…"</p> }>
            {move || Suspend::new(async move {
                match company.await {
                    Ok(data) => view! { <CompanyView data /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CompanyView(data: CompanyData) -> impl IntoView {
    let CompanyData { profile, jobs, open_postings, today } = data;
    let heading = match open_postings {
        0 => "No open jobs right now".to_owned(),
        1 => "1 open job".to_owned(),
        n => format!("{} open jobs", group_thousands(n)),
    };
    let description = format!("{} is hiring: {heading}. {}", profile.name, profile.about);
    let limit = profile.application_limit.map(|n| format!("Candidates may apply to at most {n} of its positions."));
    view! {
        <Title text=format!("Jobs at {}", profile.name) />
        <Meta name="description" content=description />
        <Link rel="canonical" href=crate::absolute_url(&company_path(&profile.slug)) />
        <Link rel="alternate" type_="application/atom+xml" title="New jobs at this company" href=format!("{}/feed.atom", company_path(&profile.slug)) />
        <div class="grid gap-6 lg:grid-cols-[1fr_20rem]">
            <section>
                <header class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <h1 class="text-2xl font-bold tracking-tight">{profile.name.clone()}</h1>
                    <p class="mt-2 text-slate-700">{profile.about.clone()}</p>
                    {profile.website.clone().map(|url| {
                        let href = url.clone();
                        view! {
                            <a href=href rel="noopener nofollow" class="mt-2 inline-block text-sm text-indigo-700 hover:underline">{url}</a>
                        }
                    })}
                    {limit.map(|text| view! { <p class="application-limit mt-2 text-sm text-slate-600">{text}</p> })}
                </header>
                <h2 class="mt-6 text-lg font-semibold">{heading}</h2>
                <ul class="job-list mt-3 grid gap-3">
                    {jobs.into_iter().map(|card| view! { <JobCardView card today /> }).collect_view()}
                </ul>
            </section>
            <aside>
                <BenefitsPanel benefits=profile.benefits />
            </aside>
        </div>
    }
}
