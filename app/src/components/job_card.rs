//! A posting as a card in a list.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::domain::JobCard;
use crate::domain::text::posted_age;

/// "San Jose, CA · Remote" for the first location, with "+N more" when there are others.
pub fn locations_label(card: &JobCard) -> String {
    match card.locations.split_first() {
        None => "Location not given".to_owned(),
        Some((first, [])) => first.label(),
        Some((first, rest)) => format!("{} +{} more", first.label(), rest.len()),
    }
}

/// One result: title, company, location, type, level, pay and age, linking to the posting.
#[component]
pub fn JobCardView(card: JobCard, today: NaiveDate) -> impl IntoView {
    let path = card.path();
    let location = locations_label(&card);
    let pay = card.pay.as_ref().map(|pay| pay.display());
    let age = posted_age(card.posted_at, today);
    view! {
        <li class="job-card rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-300 hover:shadow">
            <a href=path class="block focus:outline-none">
                <h2 class="text-base font-semibold text-slate-900 sm:text-lg">{card.title.clone()}</h2>
                <p class="mt-0.5 text-sm font-medium text-slate-700">{card.company.name.clone()}</p>
                <p class="mt-1 text-sm text-slate-600">{location}</p>
                <div class="mt-3 flex flex-wrap items-center gap-2 text-xs">
                    {match pay {
                        Some(pay) => view! {
                            <span class="pay rounded-full bg-emerald-50 px-2.5 py-1 font-semibold text-emerald-800">{pay}</span>
                        }.into_any(),
                        None => view! {
                            <span class="rounded-full bg-slate-100 px-2.5 py-1 text-slate-600">"Pay not posted"</span>
                        }.into_any(),
                    }}
                    <span class="rounded-full bg-slate-100 px-2.5 py-1 text-slate-700">{card.employment_type.label()}</span>
                    <span class="rounded-full bg-slate-100 px-2.5 py-1 text-slate-700">{card.level.label()}</span>
                    <span class="ml-auto text-slate-500">{age}</span>
                </div>
            </a>
        </li>
    }
}
