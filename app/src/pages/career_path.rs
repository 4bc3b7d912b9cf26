//! `/careers/{path}`: a ladder of related titles on one shared pay axis, with the reference estimate and
//! what open postings pay at each step, and a form to ask for alerts about new postings at chosen steps.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::not_found::{ErrorNotice, NotFound};
use crate::api::careers::get_career_path;
use crate::domain::alert::Frequency;
use crate::domain::career::{AlertError, career_path_url};
use crate::domain::pay::compact_annual;
use crate::domain::{CareerPathPage, CareerStep};
use crate::error::AppError;
use crate::pages::alerts::FrequencySelect;

/// What the alert form came back with, read from the query string.
#[derive(Debug, Clone, Default, PartialEq)]
struct AlertFormState {
    /// `1` when the alert runs now, `confirm` when it waits for the address's confirmation.
    subscribed: Option<String>,
    frequency: Frequency,
    error: Option<AlertError>,
    email: String,
    steps: Vec<String>,
}

/// The career path page; an unknown path renders the 404 page with status 404.
#[component]
pub fn CareerPathView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("path").unwrap_or_default());
    let form = move || {
        query.with(|q| AlertFormState {
            subscribed: q.get("subscribed"),
            frequency: q.get_str("frequency").and_then(Frequency::parse).unwrap_or_default(),
            error: q.get_str("alert_error").and_then(AlertError::from_code),
            email: q.get("email").unwrap_or_default(),
            steps: q.get_all("step").unwrap_or_default(),
        })
    };
    let page = Resource::new_blocking(slug, get_career_path);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading the career path…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <CareerLadder page form=form() /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Left offset and width (in percent of the axis) of a range.
fn bar(range: (i64, i64), axis: (i64, i64)) -> (String, String) {
    let span = (axis.1 - axis.0).max(1) as f64;
    let left = (range.0 - axis.0) as f64 / span * 100.0;
    let width = ((range.1 - range.0) as f64 / span * 100.0).max(1.0);
    (format!("{left:.2}"), format!("{width:.2}"))
}

#[component]
fn CareerLadder(page: CareerPathPage, form: AlertFormState) -> impl IntoView {
    let axis = page.axis();
    let path = page.path.clone();
    let title = format!("{} career path", path.name);
    let action = format!("{}/alerts", career_path_url(&path.slug));
    let rows = page
        .ordered_steps()
        .into_iter()
        .map(|step| view! { <StepRow step=step.clone() page=page.clone() axis checked=form.steps.contains(&step.slug) /> })
        .collect_view();
    let (email_error, steps_error) = match &form.error {
        Some(error) if error.is_about_email() => (Some(error.to_string()), None),
        Some(error) => (None, Some(error.to_string())),
        None => (None, None),
    };
    let email_invalid = email_error.is_some().to_string();
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=format!("{} Income estimates and the pay of open jobs at each step.", path.description) />
        <Link rel="canonical" href=crate::absolute_url(&career_path_url(&path.slug)) />
        <Link rel="alternate" type_="application/atom+xml" title="New jobs on this career path" href=format!("{}/feed.atom", career_path_url(&path.slug)) />
        // No structured data: Google's Occupation rules allow one Occupation a page, and this page is a
        // ladder of many (the README, Search engines).
        <header>
            <p class="text-sm font-medium text-indigo-700">{path.job_family.clone()}</p>
            <h1 class="mt-1 text-2xl font-bold tracking-tight">{title}</h1>
            <p class="mt-2 max-w-3xl text-slate-700">{path.description.clone()}</p>
            <p class="mt-3 flex flex-wrap gap-4 text-xs text-slate-600">
                <span class="flex items-center gap-1"><span class="inline-block h-2 w-6 rounded bg-indigo-400"></span>"Reference income estimate"</span>
                <span class="flex items-center gap-1"><span class="inline-block h-2 w-6 rounded bg-emerald-600"></span>"Open jobs on this board (annual pay)"</span>
                <span>{format!("Axis: {} to {} a year", compact_annual("$", axis.0), compact_annual("$", axis.1))}</span>
            </p>
        </header>
        {form.subscribed.as_deref().map(|subscribed| view! {
            <p role="status" class="alert-confirmation mt-4 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900">
                {if subscribed == "confirm" {
                    "Almost done: we e-mailed you a link. Alerts about the positions you ticked start when you follow it."
                } else {
                    "You will get alerts about new jobs at the positions you ticked."
                }}
            </p>
        })}
        <form method="post" action=action class="mt-4">
            <ol class="career-steps space-y-3">{rows}</ol>
            <fieldset class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                <legend class="px-1 text-sm font-semibold">"Alerts about new jobs at the positions you ticked"</legend>
                {steps_error.map(|e| view! { <p id="steps-error" class="field-error text-sm text-red-700">{e}</p> })}
                <label for="alert-email" class="mt-2 block text-sm font-medium text-slate-700">"E-mail address"</label>
                <input
                    id="alert-email"
                    name="email"
                    type="email"
                    autocomplete="email"
                    value=form.email.clone()
                    aria-invalid=email_invalid
                    aria-describedby="email-error"
                    class="mt-1 block w-full max-w-sm rounded-lg border border-slate-300 px-3 py-2 text-sm"
                />
                {email_error.map(|e| view! { <p id="email-error" class="field-error mt-1 text-sm text-red-700">{e}</p> })}
                <label for="alert-frequency" class="mt-2 block text-sm font-medium text-slate-700">"How often"</label>
                <FrequencySelect id="alert-frequency" selected=form.frequency />
                <button type="submit" class="mt-3 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
                    "Send me alerts"
                </button>
                <p class="mt-3 text-sm text-slate-600">"Or follow the " <a href=format!("{}/feed.atom", career_path_url(&path.slug)) type="application/atom+xml" class="feed-link text-indigo-700 underline">"Atom feed"</a> " of this path's new jobs."</p>
            </fieldset>
        </form>
    }
}

#[component]
fn StepRow(step: CareerStep, page: CareerPathPage, axis: (i64, i64), checked: bool) -> impl IntoView {
    let observed = page.observed_at(&step.slug).cloned();
    let estimate = step.estimate_min.zip(step.estimate_max);
    let estimate_bar = estimate.map(|range| bar(range, axis));
    let observed_range = observed.as_ref().and_then(|o| o.min.zip(o.max));
    let observed_bar = observed_range.map(|range| bar(range, axis));
    let estimate_text = estimate
        .map(|(lo, hi)| format!("Estimate {} - {}", compact_annual("$", lo), compact_annual("$", hi)))
        .unwrap_or_else(|| "No estimate".to_owned());
    let observed_text = match (&observed, observed_range) {
        (Some(o), Some((lo, hi))) => format!(
            "Open jobs {} - {} ({} with pay)",
            compact_annual("$", lo),
            compact_annual("$", hi),
            o.paid_postings
        ),
        (Some(o), None) => format!("{} open jobs, none posting pay", o.open_postings),
        (None, _) => "No open jobs on the board".to_owned(),
    };
    let next: Vec<String> = step
        .next_steps
        .iter()
        .filter_map(|slug| page.path.steps.iter().find(|s| &s.slug == slug).map(|s| s.title.clone()))
        .collect();
    let kind = if step.ladder_rank.is_some() { "Ladder" } else { "Adjacent role" };
    let checkbox_id = format!("step-{}", step.slug);
    let label_for = checkbox_id.clone();
    let examples = observed.map(|o| o.examples).unwrap_or_default();
    view! {
        <li id=step.slug.clone() class="career-step rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <label for=label_for class="flex items-center gap-2 font-semibold">
                    <input id=checkbox_id type="checkbox" name="step" value=step.slug.clone() checked=checked class="h-4 w-4" />
                    {step.title.clone()}
                </label>
                <span class="text-xs text-slate-500">{kind} " · " {step.level.label()}</span>
            </div>
            <div class="mt-2 grid gap-1 text-xs sm:grid-cols-2">
                <p class="estimate text-slate-700">{estimate_text}</p>
                <p class="observed text-slate-700">{observed_text}</p>
            </div>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="mt-2 h-3 w-full" aria-hidden="true">
                <rect x="0" y="0" width="100" height="10" rx="2" class="fill-slate-100" />
                {estimate_bar.map(|(x, w)| view! { <rect x=x y="0" width=w height="4.5" rx="2" class="fill-indigo-400" /> })}
                {observed_bar.map(|(x, w)| view! { <rect x=x y="5.5" width=w height="4.5" rx="2" class="fill-emerald-600" /> })}
            </svg>
            {(!next.is_empty()).then(|| view! { <p class="mt-2 text-xs text-slate-600">"Often next: " {next.join(", ")}</p> })}
            {(!examples.is_empty()).then(|| view! {
                <ul class="mt-2 space-y-1 text-sm">
                    {examples.into_iter().map(|example| view! {
                        <li class="step-posting">
                            <a href=example.href class="text-indigo-700 hover:underline">{example.title}</a>
                            <span class="text-slate-600">{format!(" · {}", example.company)}</span>
                            {(!example.place.is_empty()).then(|| view! { <span class="text-slate-600">{format!(" · {}", example.place)}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}
