//! The listing's filter bar: a plain GET form. With JavaScript, the listing's live-search island sends
//! it on every change and refreshes the counts shown beside each choice.

use leptos::prelude::*;

use crate::domain::filter::{FacetCount, Facets, POSTED_WITHIN_DAYS, Sort};
use crate::domain::{EmploymentType, ExperienceLevel, JobFilter, WorkMode};

const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm";
const LABEL: &str = "block text-sm font-medium text-slate-700";

/// A group of checkboxes sharing one repeatable parameter.
#[component]
fn CheckboxGroup(
    legend: &'static str,
    name: &'static str,
    /// (value, label, checked, count with the other filters kept)
    options: Vec<(&'static str, &'static str, bool, i64)>,
) -> impl IntoView {
    view! {
        <fieldset>
            <legend class=LABEL>{legend}</legend>
            <div class="mt-1 grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
                {options
                    .into_iter()
                    .map(|(code, label, checked, count)| {
                        let id = format!("filter-{name}-{code}");
                        let label_for = id.clone();
                        let count_key = format!("{name}={code}");
                        view! {
                            <label for=label_for class="flex items-center gap-2">
                                <input id=id type="checkbox" name=name value=code checked=checked class="h-4 w-4" />
                                {label}
                                <span class="facet-count text-xs text-slate-500" data-count-for=count_key>{format!("({count})")}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}

/// A single-choice filter as a select, each option with its count.
#[component]
fn FacetSelect(
    label: &'static str,
    name: &'static str,
    /// The label of the empty choice.
    any: &'static str,
    options: Vec<FacetCount>,
    selected: String,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div>
            <label for=id.clone() class=LABEL>{label}</label>
            <select id=id name=name class=INPUT>
                <option value="" selected=selected.is_empty()>{any}</option>
                {options
                    .into_iter()
                    .map(|option| {
                        let is_selected = option.value == selected;
                        view! {
                            <option value=option.value selected=is_selected>
                                {format!("{} ({})", option.label, option.count)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// Every filter of the listing. Submitting changes the URL, so a filtered page can be shared.
#[component]
pub fn FilterBar(filter: JobFilter, facets: Facets) -> impl IntoView {
    let selected = filter.location.clone().unwrap_or_default();
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let count = |list: &[FacetCount], code: &str| Facets::count(list, code);
    let modes = WorkMode::ALL
        .iter()
        .map(|m| (m.code(), m.label(), filter.remote.contains(m), count(&facets.remote, m.code())))
        .collect();
    let types = EmploymentType::ALL
        .iter()
        .map(|t| (t.code(), t.label(), filter.types.contains(t), count(&facets.employment_type, t.code())))
        .collect();
    let levels = ExperienceLevel::ALL
        .iter()
        .map(|l| (l.code(), l.label(), filter.levels.contains(l), count(&facets.level, l.code())))
        .collect();
    let locations = facets.location;
    let selected_region = filter.region.clone().unwrap_or_default();
    let mut regions = facets.region;
    // A region asked for by URL stays selectable even when nothing matches it.
    if !selected_region.is_empty() && !regions.iter().any(|r| r.value == selected_region) {
        regions.push(FacetCount { value: selected_region.clone(), label: selected_region.clone(), count: 0 });
    }
    let sort = filter.sort;
    let within = filter.posted_within;
    view! {
        <form id="filter-form" method="get" action="/jobs">
            <div class="filter-bar space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Filter"</h2>
                // Filters the bar has no control for are kept when it is submitted.
                {filter.company.clone().map(|company| view! { <input type="hidden" name="company" value=company /> })}
                <div>
                    <label for="filter-q" class=LABEL>"Keywords"</label>
                    <input id="filter-q" name="q" type="search" maxlength="200" placeholder="e.g. backend rust" value=filter.q.clone().unwrap_or_default() class=INPUT />
                </div>
                <FacetSelect label="Location" name="location" any="Anywhere" options=locations selected=selected />
                <FacetSelect label="State or region" name="region" any="All" options=regions selected=selected_region />
                <CheckboxGroup legend="Work mode" name="remote" options=modes />
                <div class="grid grid-cols-2 gap-3">
                    <div>
                        <label for="filter-min-pay" class=LABEL>"Minimum pay (a year, USD)"</label>
                        <input id="filter-min-pay" name="min_pay" type="number" min="0" step="1000" inputmode="numeric" placeholder="e.g. 120000" value=number(filter.min_pay) class=INPUT />
                    </div>
                    <div>
                        <label for="filter-max-pay" class=LABEL>"Maximum pay (a year, USD)"</label>
                        <input id="filter-max-pay" name="max_pay" type="number" min="0" step="1000" inputmode="numeric" value=number(filter.max_pay) class=INPUT />
                    </div>
                </div>
                <p class="text-xs text-slate-500">"Hourly pay counts as 2,080 hours a year. Jobs without posted pay are left out while pay is filtered."</p>
                <CheckboxGroup legend="Employment type" name="type" options=types />
                <CheckboxGroup legend="Experience level" name="level" options=levels />
                <div class="grid grid-cols-2 gap-3">
                    <div>
                        <label for="filter-posted" class=LABEL>"Posted within"</label>
                        <select id="filter-posted" name="posted_within" class=INPUT>
                            <option value="" selected=within.is_none()>"Any time"</option>
                            {POSTED_WITHIN_DAYS
                                .into_iter()
                                .map(|days| {
                                    let label = if days == 1 { "1 day".to_owned() } else { format!("{days} days") };
                                    view! { <option value=days.to_string() selected=within == Some(days)>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="filter-sort" class=LABEL>"Sort by"</label>
                        <select id="filter-sort" name="sort" class=INPUT>
                            <option value="" selected=sort.is_none()>"Best match"</option>
                            <option value=Sort::Newest.code() selected=sort == Some(Sort::Newest)>"Newest"</option>
                            <option value=Sort::Pay.code() selected=sort == Some(Sort::Pay)>"Highest pay"</option>
                        </select>
                    </div>
                </div>
                <div class="flex items-center gap-3">
                    <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
                        "Show jobs"
                    </button>
                    <a href="/jobs" data-live-link="" class="text-sm text-slate-600 hover:text-indigo-700">"Clear"</a>
                </div>
            </div>
        </form>
    }
}
