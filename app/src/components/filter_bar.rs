//! The listing's filter bar: a plain GET form, enhanced to client-side navigation when JavaScript runs.

use leptos::prelude::*;
use leptos_router::components::Form;

use crate::domain::{JobFilter, LocationOption};

/// Location and minimum-pay filters. Submitting changes the URL, so a filtered page can be shared.
#[component]
pub fn FilterBar(filter: JobFilter, locations: Vec<LocationOption>) -> impl IntoView {
    let selected = filter.location.clone().unwrap_or_default();
    let min_pay = filter.min_pay.map(|pay| pay.to_string()).unwrap_or_default();
    view! {
        <Form method="GET" action="/jobs">
            <div class="filter-bar space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Filter"</h2>
                // Filters the bar has no control for are kept when it is submitted.
                {filter.company.clone().map(|company| view! { <input type="hidden" name="company" value=company /> })}
                <div>
                    <label for="filter-location" class="block text-sm font-medium text-slate-700">"Location"</label>
                    <select
                        id="filter-location"
                        name="location"
                        class="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm"
                    >
                        <option value="" selected=selected.is_empty()>"Anywhere"</option>
                        {locations
                            .into_iter()
                            .map(|option| {
                                let is_selected = option.slug == selected;
                                view! {
                                    <option value=option.slug selected=is_selected>
                                        {format!("{} ({})", option.label, option.open_postings)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div>
                    <label for="filter-min-pay" class="block text-sm font-medium text-slate-700">
                        "Minimum pay (a year, USD)"
                    </label>
                    <input
                        id="filter-min-pay"
                        name="min_pay"
                        type="number"
                        min="0"
                        step="1000"
                        inputmode="numeric"
                        placeholder="e.g. 120000"
                        value=min_pay
                        class="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm"
                    />
                    <p class="mt-1 text-xs text-slate-500">"Hourly pay counts as 2,080 hours a year. Jobs without posted pay are left out."</p>
                </div>
                <div class="flex items-center gap-3">
                    <button
                        type="submit"
                        class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700"
                    >
                        "Show jobs"
                    </button>
                    <a href="/jobs" class="text-sm text-slate-600 hover:text-indigo-700">"Clear"</a>
                </div>
            </div>
        </Form>
    }
}
