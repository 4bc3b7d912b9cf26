//! The employer's pay range, in its own unit and annualised, with the place it applies to, and where it
//! sits against the reference estimate for the same career step in the same metro.

use leptos::prelude::*;

use crate::domain::pay::compact_annual;
use crate::domain::{Location, MarketEstimate, Pay, PayUnit};

/// The salary panel; says so plainly when the posting gives no pay.
#[component]
pub fn SalaryPanel(pay: Option<Pay>, pay_location: Option<Location>, market: Option<MarketEstimate>) -> impl IntoView {
    let body = match pay {
        None => view! {
            <p class="text-sm text-slate-600">"The employer did not post pay for this job."</p>
            {market.map(|market| view! {
                <p class="mt-2 text-sm text-slate-600">
                    {format!(
                        "Estimate for a {} in {}: {} - {} a year (a reference figure, not from the employer).",
                        market.step_title,
                        market.location_label,
                        compact_annual("$", market.min),
                        compact_annual("$", market.max),
                    )}
                </p>
            })}
        }
        .into_any(),
        Some(pay) => {
            let applies_to = pay_location
                .map(|location| format!("Base salary range for {}", location.city_region()))
                .unwrap_or_else(|| "Base salary range".to_owned());
            let annual = (pay.unit() != PayUnit::Year).then(|| pay.display_annual());
            let comparison = market
                .filter(|m| m.currency == pay.currency().as_str())
                .map(|m| view! { <RangeComparison pay=pay.clone() market=m /> });
            view! {
                <p class="text-sm text-slate-600">{applies_to}</p>
                <p class="salary-range mt-1 text-xl font-bold tracking-tight text-emerald-800">{pay.display()}</p>
                {annual.map(|annual| view! {
                    <p class="mt-1 text-sm text-slate-600">"About " <span class="font-medium">{annual}</span> " full time"</p>
                })}
                <p class="mt-2 text-xs text-slate-500">"Posted by the employer (" {pay.currency().as_str().to_owned()} ")."</p>
                {comparison}
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

/// Two bars on one annual axis: the employer's range and the reference estimate.
#[component]
fn RangeComparison(pay: Pay, market: MarketEstimate) -> impl IntoView {
    let lowest = pay.annual_min().min(market.min);
    let highest = pay.annual_max().max(market.max);
    let padding = ((highest - lowest) / 10).max(1);
    let (axis_min, axis_max) = (lowest - padding, highest + padding);
    let span = (axis_max - axis_min) as f64;
    let position = |value: i64| format!("{:.2}", (value - axis_min) as f64 / span * 100.0);
    let width = |low: i64, high: i64| format!("{:.2}", ((high - low) as f64 / span * 100.0).max(1.0));
    let symbol = pay.currency().symbol();
    let employer =
        format!("{} - {}", compact_annual(&symbol, pay.annual_min()), compact_annual(&symbol, pay.annual_max()));
    let estimate = format!("{} - {}", compact_annual(&symbol, market.min), compact_annual(&symbol, market.max));
    let summary = format!(
        "Employer-posted {employer} a year; the estimate for a {} in {} is {estimate} a year.",
        market.step_title, market.location_label
    );
    view! {
        <figure class="market-comparison mt-4 border-t border-slate-100 pt-3">
            <figcaption class="text-xs font-semibold text-slate-600">"Against the market (a year)"</figcaption>
            <p class="sr-only">{summary}</p>
            <div class="mt-2 space-y-2 text-xs" aria-hidden="true">
                <div>
                    <div class="flex justify-between text-slate-700"><span>"Employer-posted"</span><span class="whitespace-nowrap font-semibold">{employer}</span></div>
                    <svg viewBox="0 0 100 6" preserveAspectRatio="none" class="mt-1 h-2 w-full">
                        <rect x="0" y="0" width="100" height="6" rx="3" class="fill-slate-100" />
                        <rect x=position(pay.annual_min()) y="0" width=width(pay.annual_min(), pay.annual_max()) height="6" rx="3" class="fill-emerald-600" />
                    </svg>
                </div>
                <div>
                    <div class="flex justify-between text-slate-700">
                        <span>{format!("Estimate: {}, {}", market.step_title, market.location_label)}</span>
                        <span class="whitespace-nowrap font-semibold">{estimate}</span>
                    </div>
                    <svg viewBox="0 0 100 6" preserveAspectRatio="none" class="mt-1 h-2 w-full">
                        <rect x="0" y="0" width="100" height="6" rx="3" class="fill-slate-100" />
                        <rect x=position(market.min) y="0" width=width(market.min, market.max) height="6" rx="3" class="fill-indigo-400" />
                    </svg>
                </div>
            </div>
            <p class="mt-2 text-xs text-slate-500">"The estimate is a reference figure for the career step, not an offer."</p>
        </figure>
    }
}
