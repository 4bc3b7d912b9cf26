//! The pay picture above the results: a server-rendered SVG histogram of annual pay, readable without
//! JavaScript, with a text summary. It draws at most `MAX_PAY_BARS` bars whatever the data (see
//! `PayHistogram`): what lies outside the 1st-99th percentile is one open-ended bar at each end.

use leptos::prelude::*;

use crate::domain::filter::PayHistogram;
use crate::domain::pay::{compact_annual, group_thousands};

/// The histogram, or nothing when no match posts pay.
#[component]
pub fn PayChart(histogram: PayHistogram) -> impl IntoView {
    let median = histogram.median?;
    let bars = histogram.bars();
    let highest = bars.iter().map(|(n, _)| *n).max().unwrap_or(1).max(1);
    let width = 100.0 / bars.len().max(1) as f64;
    let summary = format!(
        "Median pay {} a year across {} matching jobs that post pay.",
        format_args!("${}", group_thousands(median)),
        group_thousands(histogram.paid)
    );
    let first = histogram.buckets.first().map(|(low, _)| *low).unwrap_or_default();
    let last = histogram.buckets.last().map(|(low, _)| low + histogram.bucket_width).unwrap_or_default();
    let rects = bars
        .into_iter()
        .enumerate()
        .map(|(index, (count, label))| {
            let height = count as f64 / highest as f64 * 38.0;
            view! {
                <rect
                    x=format!("{:.2}", index as f64 * width + width * 0.1)
                    y=format!("{:.2}", 40.0 - height)
                    width=format!("{:.2}", width * 0.8)
                    height=format!("{:.2}", height.max(0.5))
                    class="fill-emerald-500"
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    Some(view! {
        <figure class="pay-chart mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <figcaption class="pay-summary text-sm text-slate-700">{summary}</figcaption>
            <svg viewBox="0 0 100 40" preserveAspectRatio="none" class="mt-2 h-16 w-full" role="img" aria-label="Histogram of annual pay">
                {rects}
            </svg>
            <div class="mt-1 flex justify-between text-xs text-slate-500">
                <span>{compact_annual("$", first)}</span>
                <span>{compact_annual("$", last)}</span>
            </div>
        </figure>
    })
}
