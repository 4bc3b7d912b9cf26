//! A posting as a card in a list.

use chrono::NaiveDate;
use leptos::either::Either;
use leptos::prelude::*;

use crate::components::layout::SAVE_JOB_FORM;
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

/// One result: title, company, location, type, level, pay and age, linking to the posting, and a button
/// that saves it for a signed-in candidate (a plain form post; a signed-out visitor is sent to sign in).
#[component]
pub fn JobCardView(card: JobCard, today: NaiveDate) -> impl IntoView {
    let path = card.path();
    let location = locations_label(&card);
    let pay = card.pay.as_ref().map(|pay| pay.display());
    let age = posted_age(card.posted_at, today);
    view! {
        <li class="job-card">
            <a href=path class="block focus:outline-none">
                <h2 class="job-card-title">{card.title.clone()}</h2>
                <p class="job-card-company">{card.company.name.clone()}</p>
                <p class="job-card-place">{location}</p>
                <div class="job-card-facts">
                    {match pay {
                        Some(pay) => Either::Left(view! { <span class="pay chip-pay">{pay}</span> }),
                        None => Either::Right(view! { <span class="chip text-slate-600">"Pay not posted"</span> }),
                    }}
                    <span class="chip">{card.employment_type.label()}</span>
                    <span class="chip">{card.level.label()}</span>
                    <span class="ml-auto text-slate-500">{age}</span>
                </div>
            </a>
            <button type="submit" form=SAVE_JOB_FORM name="posting" value=card.id.to_string() class="job-card-save" aria-label=format!("Save {}", card.title)>"Save"</button>
        </li>
    }
}
