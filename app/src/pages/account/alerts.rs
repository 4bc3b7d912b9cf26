//! "My alerts": the candidate's alerts with what each matches now; change how often, pause, resume,
//! delete. Each is a plain form post to `/account/alerts`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{CandidateBar, CandidateError, CsrfField, Notice, query_value};
use crate::api::account::load_my_alerts;
use crate::domain::alert::{MyAlert, MyAlertsPage};
use crate::pages::alerts::FrequencySelect;

/// The notices a redirect back to the page may ask for.
fn alerts_notice(code: &str) -> Option<&'static str> {
    match code {
        "changed" => Some("The alert is changed."),
        "deleted" => Some("The alert is deleted."),
        _ => None,
    }
}

/// `/account/alerts`.
#[component]
pub fn MyAlertsView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_my_alerts());
    private_page!(page, "Loading your alerts…", CandidateError, |page| view! { <MyAlertsList page /> })
}

#[component]
fn MyAlertsList(page: MyAlertsPage) -> impl IntoView {
    let MyAlertsPage { email, alerts, csrf_token } = page;
    let notice = alerts_notice(&query_value("notice"));
    let empty = alerts.is_empty();
    view! {
        <Title text="My alerts" />
        <CandidateBar />
        <h1 class="text-2xl font-bold">"My alerts"</h1>
        <p class="mt-1 text-sm text-slate-600">{format!("Sent to {email}. Save any search from the job list, or tick steps on a career path.")}</p>
        {notice.map(|text| view! { <Notice good=true text /> })}
        {empty.then(|| view! { <p class="no-alerts mt-4 text-slate-600">"No alerts yet. " <a href="/jobs" class="text-indigo-700 underline">"Find jobs"</a></p> })}
        <ul class="my-alerts mt-4 grid gap-3">
            {alerts.into_iter().map(|alert| view! { <AlertRow alert csrf_token=csrf_token.clone() /> }).collect_view()}
        </ul>
    }
}

#[component]
fn AlertRow(alert: MyAlert, csrf_token: String) -> impl IntoView {
    let MyAlert { id, target, frequency, paused, confirmed, matches_now } = alert;
    let state = match (confirmed, paused) {
        (false, _) => "Waiting for the address to confirm",
        (true, true) => "Paused",
        (true, false) => "Running",
    };
    let select_id = format!("alert-{id}-frequency");
    let pause = if paused { ("resume", "Resume") } else { ("pause", "Pause") };
    view! {
        <li class="alert-row rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <p><a href=target.page() class="alert-target font-semibold text-indigo-700 hover:underline">{target.describe()}</a></p>
            <p class="mt-1 text-sm text-slate-600">
                <span class="alert-matches">{format!("{matches_now} open jobs match now")}</span>
                " · " <span class="alert-state">{state}</span>
            </p>
            <div class="mt-2 flex flex-wrap items-end gap-2 text-sm">
                <form method="post" action="/account/alerts" class="flex items-end gap-2">
                    <CsrfField token=csrf_token.clone() />
                    <input type="hidden" name="alert" value=id.to_string() />
                    <input type="hidden" name="action" value="frequency" />
                    <label for=select_id.clone() class="sr-only">"How often"</label>
                    <FrequencySelect id=select_id selected=frequency />
                    <button type="submit" class="rounded border border-slate-300 px-3 py-2 hover:bg-slate-100">"Change"</button>
                </form>
                <form method="post" action="/account/alerts">
                    <CsrfField token=csrf_token.clone() />
                    <input type="hidden" name="alert" value=id.to_string() />
                    <button type="submit" name="action" value=pause.0 class="alert-pause rounded border border-slate-300 px-3 py-2 hover:bg-slate-100">{pause.1}</button>
                </form>
                <form method="post" action="/account/alerts">
                    <CsrfField token=csrf_token />
                    <input type="hidden" name="alert" value=id.to_string() />
                    <button type="submit" name="action" value="delete" class="alert-delete rounded border border-red-300 px-3 py-2 text-red-800 hover:bg-red-50">"Delete"</button>
                </form>
            </div>
        </li>
    }
}
