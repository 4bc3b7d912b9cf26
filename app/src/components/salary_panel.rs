//! The employer's pay range, in its own unit and annualised, with the place it applies to.

use leptos::prelude::*;

use crate::domain::{Location, Pay, PayUnit};

/// The salary panel; says so plainly when the posting gives no pay.
#[component]
pub fn SalaryPanel(pay: Option<Pay>, pay_location: Option<Location>) -> impl IntoView {
    let body = match pay {
        None => view! {
            <p class="text-sm text-slate-600">"The employer did not post pay for this job."</p>
        }
        .into_any(),
        Some(pay) => {
            let applies_to = pay_location
                .map(|location| format!("Base salary range for {}", location.city_region()))
                .unwrap_or_else(|| "Base salary range".to_owned());
            let annual = (pay.unit() != PayUnit::Year).then(|| pay.display_annual());
            view! {
                <p class="text-sm text-slate-600">{applies_to}</p>
                <p class="salary-range mt-1 text-xl font-bold tracking-tight text-emerald-800">{pay.display()}</p>
                {annual.map(|annual| view! {
                    <p class="mt-1 text-sm text-slate-600">"About " <span class="font-medium">{annual}</span> " full time"</p>
                })}
                <p class="mt-3 text-xs text-slate-500">"Posted by the employer (" {pay.currency().as_str().to_owned()} ")."</p>
            }
            .into_any()
        }
    };
    view! {
        <section class="salary-panel rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-labelledby="salary-heading">
            <h2 id="salary-heading" class="text-sm font-semibold uppercase tracking-wide text-slate-500">"Pay"</h2>
            <div class="mt-2">{body}</div>
        </section>
    }
}
