//! `/jobs/{id}-{slug}`: one posting in full, with its pay and benefits.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::use_params_map;

use super::not_found::{ErrorNotice, NotFound};
use crate::api::jobs::get_job;
use crate::components::benefits_panel::BenefitsPanel;
use crate::components::job_card::JobCardView;
use crate::components::job_card::locations_label;
use crate::components::salary_panel::SalaryPanel;
use crate::domain::career::career_path_url;
use crate::domain::company::company_path;
use crate::domain::job::parse_job_path_segment;
use crate::domain::seo::{job_posting, to_script_json};
use crate::domain::text::{closes_in, long_date, posted_age};
use crate::domain::{JobCard, JobDetail};
use crate::error::AppError;

/// The detail page; an unknown id renders the 404 page with status 404.
#[component]
pub fn JobDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get_str("id").and_then(parse_job_path_segment));
    let job = Resource::new_blocking(id, |id| async move {
        match id {
            Some(id) => get_job(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading the job…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(job) => view! { <JobView job /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A short plain-text description for search results and link previews.
fn describe(job: &JobDetail) -> String {
    let card = &job.card;
    let pay = card.pay.as_ref().map(|p| format!(" Pay: {}.", p.display())).unwrap_or_default();
    format!("{} at {} in {}.{pay}", card.title, card.company.name, locations_label(card))
}

#[component]
fn JobView(job: JobDetail) -> impl IntoView {
    let open = job.is_open();
    let card = job.card.clone();
    let description = describe(&job);
    let title = format!("{} at {}", card.title, card.company.name);
    let canonical = crate::absolute_url(&card.path());
    let indexable = job.is_indexable();
    let posted = format!("{} ({})", long_date(card.posted_at), posted_age(card.posted_at, job.today));
    let closes = format!("{} ({})", long_date(card.valid_through), closes_in(card.valid_through, job.today));
    let locations = card.locations.iter().map(|l| l.label()).collect::<Vec<_>>().join("; ");
    let structured_data = to_script_json(&job_posting(&job));
    let company_link = company_path(&card.company.slug);
    let limit = job.application_limit.map(|n| {
        let positions = if n == 1 { "one position".to_owned() } else if n == 2 { "two positions".to_owned() } else { format!("{n} positions") };
        format!("{} accepts applications to at most {positions} per candidate; you will be considered in the order you apply.", card.company.name)
    });
    // An e-mail address becomes a mailto: link; the address was checked when the posting was saved.
    let apply_link = job.apply_url.clone().or_else(|| job.apply_email.as_ref().map(|email| format!("mailto:{email}")));
    let apply_label = if job.apply_url.is_some() { "Apply on the company's site" } else { "Apply by e-mail" };
    let on_site = (open && job.applies_on_site).then(|| {
        view! {
            <div class="apply-on-site mb-3">
                <a href=format!("/jobs/{}/apply", card.id) class="apply-here inline-block rounded-lg bg-emerald-600 px-5 py-2.5 font-semibold text-white hover:bg-emerald-700">
                    "Apply here"
                </a>
                <p class="mt-1 text-sm text-slate-600">"Sign in to apply (or create an account): the apply page shows how many of your applications to the company are used."</p>
            </div>
        }
    });
    let plannable = job.application_limit.is_some() && job.applies_on_site && open;
    let keep = view! {
        <div class="keep-actions mt-3 flex flex-wrap gap-2 text-sm">
            <form method="post" action="/account/saved">
                <input type="hidden" name="posting" value=card.id.to_string() />
                <input type="hidden" name="action" value="save" />
                <button type="submit" class="save-job rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">"Save job"</button>
            </form>
            {plannable.then(|| view! {
                <form method="post" action="/account/planner">
                    <input type="hidden" name="posting" value=card.id.to_string() />
                    <input type="hidden" name="action" value="add" />
                    <button type="submit" class="plan-job rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">"Add to my slot planner"</button>
                </form>
            })}
        </div>
    };
    let apply = match (open, apply_link) {
        (true, Some(url)) => view! {
            <a href=url rel="noopener nofollow" class="apply-button inline-block rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">
                {apply_label}
            </a>
        }.into_any(),
        (true, None) => view! {
            <p class="text-sm text-slate-600">"See the posting text for how to apply."</p>
        }.into_any(),
        (false, _) => view! {
            <button type="button" disabled class="apply-button cursor-not-allowed rounded-lg bg-slate-300 px-5 py-2.5 font-semibold text-slate-600">
                "No longer accepting applications"
            </button>
        }.into_any(),
    };

    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Meta property="og:title" content=title />
        <Meta property="og:description" content=description />
        <Meta property="og:type" content="website" />
        <Link rel="canonical" href=canonical />
        // Closed for over a month: the page stays for people with the link, not for search results.
        {(!indexable).then(|| view! { <Meta name="robots" content="noindex" /> })}
        <script type="application/ld+json" inner_html=structured_data></script>
        <article class="grid gap-6 lg:grid-cols-[1fr_20rem]">
            <div class="min-w-0">
                <header class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <a href=company_link class="company-link text-sm font-medium text-indigo-700 hover:underline">{card.company.name.clone()}</a>
                    <h1 class="mt-1 text-2xl font-bold tracking-tight sm:text-3xl">{card.title.clone()}</h1>
                    <dl class="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                        <div><dt class="text-slate-500">"Location"</dt><dd class="job-location font-medium">{locations}</dd></div>
                        <div><dt class="text-slate-500">"Employment"</dt><dd class="font-medium">{card.employment_type.label()} " · " {card.level.label()}</dd></div>
                        <div><dt class="text-slate-500">"Posted"</dt><dd class="font-medium">{posted}</dd></div>
                        <div><dt class="text-slate-500">"Apply before"</dt><dd class="font-medium">{closes}</dd></div>
                    </dl>
                    <div class="mt-5">{on_site}{apply}</div>
                    {keep}
                    {limit.map(|text| view! { <p class="application-limit mt-3 text-sm text-slate-600">{text}</p> })}
                </header>
                <div class="mt-6 space-y-6">
                    {job.sections.into_iter().map(|section| view! {
                        <section class="job-section rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                            <h2 class="text-lg font-semibold">{section.heading}</h2>
                            <div class="prose prose-slate mt-2 max-w-none" inner_html=section.html></div>
                        </section>
                    }).collect_view()}
                    {job.legal_notices.into_iter().map(|notice| view! {
                        <section class="legal-notice rounded-xl border border-slate-200 bg-slate-100 p-5 text-sm">
                            <h2 class="font-semibold">{notice.title}</h2>
                            <div class="prose prose-sm prose-slate mt-2 max-w-none" inner_html=notice.html></div>
                        </section>
                    }).collect_view()}
                </div>
            </div>
            <aside class="space-y-4">
                <SalaryPanel pay=card.pay.clone() pay_location=job.pay_location.clone() market=job.market_estimate.clone() />
                <BenefitsPanel benefits=job.benefits.clone() />
                {job.career_step.clone().map(|(path, step)| view! {
                    <section class="career-link rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                        <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Career path"</h2>
                        <p class="mt-2 text-sm text-slate-700">{format!("This role is a {step}.")}</p>
                        <a href=career_path_url(&path) class="mt-2 inline-block text-sm font-semibold text-indigo-700 hover:underline">
                            "See where it leads and what each step pays"
                        </a>
                    </section>
                })}
                {(!job.skills.is_empty()).then(|| view! {
                    <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                        <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Skills"</h2>
                        <ul class="mt-2 flex flex-wrap gap-2 text-xs">
                            {job.skills.into_iter().map(|s| view! { <li class="rounded-full bg-slate-100 px-2.5 py-1">{s}</li> }).collect_view()}
                        </ul>
                    </section>
                })}
                <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"About " {card.company.name.clone()}</h2>
                    <p class="mt-2 text-sm text-slate-700">{job.company_about}</p>
                </section>
            </aside>
        </article>
        <RelatedJobs
            heading=format!("More from {}", card.company.name)
            class="more-from-company"
            jobs=job.more_from_company
            today=job.today
        />
        <RelatedJobs heading="Similar jobs near here".to_owned() class="similar-jobs" jobs=job.similar today=job.today />
    }
}

/// A short titled list of cards; nothing when the list is empty.
#[component]
fn RelatedJobs(heading: String, class: &'static str, jobs: Vec<JobCard>, today: chrono::NaiveDate) -> impl IntoView {
    (!jobs.is_empty()).then(|| {
        view! {
            <section class=format!("{class} mt-8")>
                <h2 class="text-lg font-semibold">{heading}</h2>
                <ul class="mt-3 grid gap-3 md:grid-cols-2">
                    {jobs.into_iter().map(|card| view! { <JobCardView card today /> }).collect_view()}
                </ul>
            </section>
        }
    })
}
