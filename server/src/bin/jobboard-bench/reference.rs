//! The hand-written HTML of the benchmark's second reference: `std::fmt::Write` into one `String`, no
//! framework. Each piece writes exactly what the app's Leptos component renders for the same data,
//! including tachys's `<!>` placeholders for empty optional children and list ends (tests compare them
//! byte for byte), so the load test compares the same bytes produced two ways.

use std::fmt::Write;

use app::components::job_card::locations_label;
use app::domain::filter::{FacetCount, Facets, ListingSummary, POSTED_WITHIN_DAYS, PayHistogram, Sort};
use app::domain::pay::{compact_annual, group_thousands};
use app::domain::text::posted_age;
use app::domain::{EmploymentType, ExperienceLevel, JobCard, JobFilter, WorkMode};

const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm";
const LABEL: &str = "block text-sm font-medium text-slate-700";

/// Text in an element, escaped as Leptos escapes it.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A double-quoted attribute value.
pub fn escape_attribute(text: &str) -> String {
    escape_text(text).replace('"', "&quot;")
}

/// ` selected` or ` checked` when `on`.
fn flag(name: &str, on: bool) -> String {
    if on { format!(" {name}") } else { String::new() }
}

/// `app::components::job_card::JobCardView`.
pub fn card_html(card: &JobCard, today: chrono::NaiveDate, out: &mut String) {
    let pay = match &card.pay {
        Some(pay) => format!("<span class=\"pay chip-pay\">{}</span>", escape_text(&pay.display())),
        None => "<span class=\"chip text-slate-600\">Pay not posted</span>".to_owned(),
    };
    // Writing to a String cannot fail (here and below).
    let _ = write!(
        out,
        "<li class=\"job-card\"><a href=\"{}\" class=\"block focus:outline-none\">\
         <h2 class=\"job-card-title\">{}</h2><p class=\"job-card-company\">{}</p>\
         <p class=\"job-card-place\">{}</p><div class=\"job-card-facts\">{pay}\
         <span class=\"chip\">{}</span><span class=\"chip\">{}</span>\
         <span class=\"ml-auto text-slate-500\">{}</span></div></a>\
         <button type=\"submit\" form=\"save-job\" name=\"posting\" value=\"{}\" aria-label=\"Save {}\" \
         class=\"job-card-save\">Save</button></li>",
        escape_attribute(&card.path()),
        escape_text(&card.title),
        escape_text(&card.company.name),
        escape_text(&locations_label(card)),
        card.employment_type.label(),
        card.level.label(),
        posted_age(card.posted_at, today),
        card.id,
        escape_attribute(&card.title),
    );
}

/// The filter bar's `CheckboxGroup`: (value, label, checked, count) per box.
fn checkbox_group(legend: &str, name: &str, options: &[(&str, &str, bool, i64)], out: &mut String) {
    let _ = write!(
        out,
        "<fieldset><legend class=\"{LABEL}\">{legend}</legend><div class=\"mt-1 grid grid-cols-2 gap-x-3 gap-y-1 text-sm\">"
    );
    for (code, label, checked, count) in options {
        let _ = write!(
            out,
            "<label for=\"filter-{name}-{code}\" class=\"flex items-center gap-2\"><input id=\"filter-{name}-{code}\" \
             type=\"checkbox\" name=\"{name}\" value=\"{code}\"{} class=\"h-4 w-4\">{}<span \
             data-count-for=\"{name}={code}\" class=\"facet-count text-xs text-slate-500\">({count})</span></label>",
            flag("checked", *checked),
            escape_text(label),
        );
    }
    out.push_str("<!></div></fieldset>");
}

/// The filter bar's `FacetSelect`.
fn facet_select(label: &str, name: &str, any: &str, options: &[FacetCount], selected: &str, out: &mut String) {
    let _ = write!(
        out,
        "<div><label for=\"filter-{name}\" class=\"{LABEL}\">{label}</label><select id=\"filter-{name}\" name=\"{name}\" \
         class=\"{INPUT}\"><option value=\"\"{}>{any}</option>",
        flag("selected", selected.is_empty()),
    );
    for option in options {
        let _ = write!(
            out,
            "<option value=\"{}\"{}>{} ({})</option>",
            escape_attribute(&option.value),
            flag("selected", option.value == selected),
            escape_text(&option.label),
            option.count
        );
    }
    out.push_str("<!></select></div>");
}

/// `app::components::filter_bar::FilterBar`.
pub fn filter_bar_html(filter: &JobFilter, facets: &Facets, out: &mut String) {
    let count = |list: &[FacetCount], code: &str| Facets::count(list, code);
    let number = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        "<form id=\"filter-form\" method=\"get\" action=\"/jobs\"><div class=\"filter-bar space-y-4 rounded-xl border \
         border-slate-200 bg-white p-4 shadow-sm\"><h2 class=\"text-sm font-semibold uppercase tracking-wide \
         text-slate-500\">Filter</h2>{}<div><label for=\"filter-q\" class=\"{LABEL}\">Keywords</label><input \
         id=\"filter-q\" name=\"q\" type=\"search\" maxlength=\"200\" placeholder=\"e.g. backend rust\" value=\"{}\" \
         class=\"{INPUT}\"></div>",
        match &filter.company {
            Some(company) =>
                format!("<input type=\"hidden\" name=\"company\" value=\"{}\">", escape_attribute(company)),
            None => "<!>".to_owned(),
        },
        escape_attribute(filter.q.as_deref().unwrap_or_default()),
    );
    let location = filter.location.as_deref().unwrap_or_default();
    facet_select("Location", "location", "Anywhere", &facets.location, location, out);
    let region = filter.region.as_deref().unwrap_or_default();
    let mut regions = facets.region.clone();
    if !region.is_empty() && !regions.iter().any(|r| r.value == region) {
        regions.push(FacetCount { value: region.to_owned(), label: region.to_owned(), count: 0 });
    }
    facet_select("State or region", "region", "All", &regions, region, out);
    let modes: Vec<_> = WorkMode::ALL
        .iter()
        .map(|m| (m.code(), m.label(), filter.remote.contains(m), count(&facets.remote, m.code())))
        .collect();
    checkbox_group("Work mode", "remote", &modes, out);
    let _ = write!(
        out,
        "<div class=\"grid grid-cols-2 gap-3\"><div><label for=\"filter-min-pay\" class=\"{LABEL}\">Minimum pay (a year, \
         USD)</label><input id=\"filter-min-pay\" name=\"min_pay\" type=\"number\" min=\"0\" step=\"1000\" \
         inputmode=\"numeric\" placeholder=\"e.g. 120000\" value=\"{}\" class=\"{INPUT}\"></div><div><label \
         for=\"filter-max-pay\" class=\"{LABEL}\">Maximum pay (a year, USD)</label><input id=\"filter-max-pay\" \
         name=\"max_pay\" type=\"number\" min=\"0\" step=\"1000\" inputmode=\"numeric\" value=\"{}\" \
         class=\"{INPUT}\"></div></div><p class=\"text-xs text-slate-500\">Hourly pay counts as 2,080 hours a year. \
         Jobs without posted pay are left out while pay is filtered.</p>",
        number(filter.min_pay),
        number(filter.max_pay),
    );
    let types: Vec<_> = EmploymentType::ALL
        .iter()
        .map(|t| (t.code(), t.label(), filter.types.contains(t), count(&facets.employment_type, t.code())))
        .collect();
    checkbox_group("Employment type", "type", &types, out);
    let levels: Vec<_> = ExperienceLevel::ALL
        .iter()
        .map(|l| (l.code(), l.label(), filter.levels.contains(l), count(&facets.level, l.code())))
        .collect();
    checkbox_group("Experience level", "level", &levels, out);
    let within = filter.posted_within;
    let _ = write!(
        out,
        "<div class=\"grid grid-cols-2 gap-3\"><div><label for=\"filter-posted\" class=\"{LABEL}\">Posted within</label>\
         <select id=\"filter-posted\" name=\"posted_within\" class=\"{INPUT}\"><option value=\"\"{}>Any time</option>",
        flag("selected", within.is_none())
    );
    for days in POSTED_WITHIN_DAYS {
        let label = if days == 1 { "1 day".to_owned() } else { format!("{days} days") };
        let _ = write!(out, "<option value=\"{days}\"{}>{label}</option>", flag("selected", within == Some(days)));
    }
    let sort = filter.sort;
    let _ = write!(
        out,
        "<!></select></div><div><label for=\"filter-sort\" class=\"{LABEL}\">Sort by</label><select id=\"filter-sort\" \
         name=\"sort\" class=\"{INPUT}\"><option value=\"\"{}>Best match</option><option value=\"{}\"{}>Newest</option>\
         <option value=\"{}\"{}>Highest pay</option></select></div></div><div class=\"flex items-center gap-3\"><button \
         type=\"submit\" class=\"rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white \
         hover:bg-indigo-700\">Show jobs</button><a href=\"/jobs\" data-live-link=\"\" class=\"text-sm text-slate-600 \
         hover:text-indigo-700\">Clear</a></div></div></form>",
        flag("selected", sort.is_none()),
        Sort::Newest.code(),
        flag("selected", sort == Some(Sort::Newest)),
        Sort::Pay.code(),
        flag("selected", sort == Some(Sort::Pay)),
    );
}

/// `app::components::pay_chart::PayChart`.
pub fn pay_chart_html(histogram: &PayHistogram, out: &mut String) {
    let Some(median) = histogram.median else {
        out.push_str("<!>");
        return;
    };
    let bars = histogram.bars();
    let highest = bars.iter().map(|(n, _)| *n).max().unwrap_or(1).max(1);
    let width = 100.0 / bars.len().max(1) as f64;
    let _ = write!(
        out,
        "<figure class=\"pay-chart mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm\"><figcaption \
         class=\"pay-summary text-sm text-slate-700\">Median pay ${} a year across {} matching jobs that post \
         pay.</figcaption><svg viewBox=\"0 0 100 40\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Histogram \
         of annual pay\" class=\"mt-2 h-16 w-full\">",
        group_thousands(median),
        group_thousands(histogram.paid)
    );
    for (index, (count, label)) in bars.iter().enumerate() {
        let height = *count as f64 / highest as f64 * 38.0;
        let _ = write!(
            out,
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" class=\"fill-emerald-500\"><title>{}\
             </title></rect>",
            index as f64 * width + width * 0.1,
            40.0 - height,
            width * 0.8,
            height.max(0.5),
            escape_text(label),
        );
    }
    let first = histogram.buckets.first().map(|(low, _)| *low).unwrap_or_default();
    let last = histogram.buckets.last().map(|(low, _)| low + histogram.bucket_width).unwrap_or_default();
    let _ = write!(
        out,
        "<!></svg><div class=\"mt-1 flex justify-between text-xs text-slate-500\"><span>{}</span><span>{}</span></div>\
         </figure>",
        compact_annual("$", first),
        compact_annual("$", last)
    );
}

/// What one listing page shows.
pub struct ListingPage<'a> {
    pub filter: &'a JobFilter,
    pub warnings: &'a [String],
    pub summary: &'a ListingSummary,
    pub jobs: &'a [JobCard],
    pub next_cursor: Option<String>,
    pub today: chrono::NaiveDate,
}

/// The whole listing page as the Leptos server renders it, less the framework's own parts (the hydration
/// script, island markers and resource bookkeeping): head, header, filter bar, results with histogram
/// and pager, footer.
pub fn listing_page_html(page: &ListingPage<'_>) -> String {
    let mut out = String::with_capacity(40 * 1024);
    out.push_str(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"/favicon.svg\" \
         type=\"image/svg+xml\"><link id=\"leptos\" rel=\"stylesheet\" href=\"/pkg/jobboard.css\"><meta \
         name=\"description\" content=\"Browse open jobs with their pay, benefits and location.\"><title>Open jobs · \
         Jobboard</title></head><body class=\"min-h-screen bg-slate-50 text-slate-900 antialiased\"><div class=\"flex \
         min-h-screen flex-col\">",
    );
    out.push_str(HEADER);
    out.push_str(
        "<main class=\"mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6\"><div id=\"job-search\" class=\"grid gap-6 \
         lg:grid-cols-[18rem_1fr]\"><p id=\"job-search-status\" aria-live=\"polite\" class=\"sr-only\"></p><aside \
         id=\"job-filters\">",
    );
    filter_bar_html(page.filter, &page.summary.facets, &mut out);
    let heading = match page.summary.total {
        0 => "No open jobs match".to_owned(),
        1 => "1 open job".to_owned(),
        n => format!("{} open jobs", group_thousands(n)),
    };
    let _ = write!(
        out,
        "</aside><section id=\"job-results\" aria-labelledby=\"results-heading\" class=\"transition-opacity \
         aria-busy:opacity-60\"><h1 id=\"results-heading\" class=\"text-2xl font-bold tracking-tight\">{heading}</h1>"
    );
    if page.warnings.is_empty() {
        out.push_str("<!>");
    } else {
        out.push_str(
            "<ul role=\"alert\" class=\"filter-warnings mt-3 rounded-lg border border-amber-300 bg-amber-50 p-3 \
             text-sm text-amber-900\">",
        );
        for warning in page.warnings {
            let _ = write!(out, "<li>{}</li>", escape_text(warning));
        }
        out.push_str("<!></ul>");
    }
    out.push_str(if page.filter.filters_pay() {
        "<p class=\"mt-2 text-sm text-slate-600\">Jobs that do not post pay are not shown while a pay filter is set.</p>"
    } else {
        "<!>"
    });
    pay_chart_html(&page.summary.pay, &mut out);
    out.push_str("<ul class=\"job-list mt-4 grid gap-3\">");
    for card in page.jobs {
        card_html(card, page.today, &mut out);
    }
    out.push_str("<!></ul><nav aria-label=\"Pages\" class=\"pager mt-6 flex items-center justify-between text-sm\">");
    match page.filter.after {
        Some(_) => {
            let href = format!("/jobs?{}", page.filter.with_cursor(None).to_query_string());
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"first\" data-live-link=\"\" class=\"text-indigo-700 hover:underline\">First page</a>",
                escape_attribute(&href)
            );
        }
        None => out.push_str("<!>"),
    }
    match &page.next_cursor {
        Some(cursor) => {
            let href = format!("/jobs?{}", page.filter.with_cursor(Some(cursor.clone())).to_query_string());
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"next\" data-live-link=\"\" class=\"ml-auto rounded-lg border border-slate-300 \
                 bg-white px-4 py-2 font-semibold text-indigo-700 hover:border-indigo-400\">Next page</a>",
                escape_attribute(&href)
            );
        }
        None => out.push_str("<!>"),
    }
    out.push_str("</nav></section></div></main>");
    out.push_str(FOOTER);
    out.push_str("</div></body></html>");
    out
}

/// `app::components::layout::SiteHeader`.
pub const HEADER: &str = "<header class=\"border-b border-slate-200 bg-white\"><nav aria-label=\"Main\" class=\"mx-auto \
     flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6\"><a href=\"/\" class=\"flex items-center \
     gap-2 text-lg font-bold tracking-tight text-slate-900\"><span aria-hidden=\"true\" class=\"grid h-8 w-8 \
     place-items-center rounded-lg bg-indigo-600 text-white\">J</span>Jobboard</a><div class=\"flex items-center gap-4 \
     text-sm font-medium text-slate-600\"><a href=\"/jobs\" class=\"hover:text-indigo-700\">Browse jobs</a><a \
     href=\"/admin/jobs/new\" rel=\"external\" class=\"hover:text-indigo-700\">Post a job</a><a href=\"/account\" \
     rel=\"external\" class=\"account-link hover:text-indigo-700\">Your account</a></div></nav></header>";

/// `app::components::layout::SiteFooter`.
pub const FOOTER: &str = "<footer class=\"border-t border-slate-200 bg-white\"><div class=\"mx-auto max-w-6xl px-4 py-6 \
     text-sm text-slate-500 sm:px-6\"><p>Jobboard<!> · Pay is shown as posted by the employer; annual figures use \
     2,080 hours, 260 days, 52 weeks or 12 months a year.</p></div><form id=\"save-job\" method=\"post\" \
     action=\"/account/saved\"></form></footer>";
