//! Structured benefits grouped as health, money, leave, insurance, time off, wellbeing and other.

use leptos::prelude::*;

use crate::domain::Benefit;
use crate::domain::benefits::grouped;

/// The benefits panel; says so when the posting lists none.
#[component]
pub fn BenefitsPanel(benefits: Vec<Benefit>) -> impl IntoView {
    let groups = grouped(&benefits);
    let body = if groups.is_empty() {
        view! { <p class="text-sm text-slate-600">"No benefits are listed for this job."</p> }.into_any()
    } else {
        groups
            .into_iter()
            .map(|(group, items)| {
                view! {
                    <div class="benefit-group mt-3 first:mt-0">
                        <h3 class="text-sm font-semibold text-slate-800">{group.label()}</h3>
                        <ul class="mt-1 space-y-1 text-sm text-slate-700">
                            {items
                                .into_iter()
                                .map(|benefit| {
                                    let days = benefit.days_label();
                                    view! {
                                        <li class="benefit flex flex-wrap items-baseline gap-x-2">
                                            <span>{benefit.kind}</span>
                                            {days.map(|days| view! { <span class="font-semibold text-emerald-800">{days}</span> })}
                                            {benefit.note.map(|note| view! { <span class="w-full text-xs text-slate-500">{note}</span> })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="benefits-panel rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="benefits-heading">
            <h2 id="benefits-heading" class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Benefits"</h2>
            <div class="mt-2">{body}</div>
        </section>
    }
}
