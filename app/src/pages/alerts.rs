//! The alert pages anyone may open: saving a search as an alert (`/alerts/new`, where a refused listing
//! form lands with what was typed), the outcome of a form (`/alerts/done`), and the pages of the e-mailed
//! links: confirming an alert and unsubscribing. A GET changes nothing: each link's page has the button
//! that does it (mail scanners open links), and the unsubscribe address also takes RFC 8058's one-click
//! POST.

use leptos::prelude::*;

use super::account::forms::FormCard;
use super::account::{Notice, query_value};
use crate::domain::alert::{AlertFormError, Frequency, describe_search};

/// A choice of how often, with `selected` chosen.
#[component]
pub fn FrequencySelect(
    #[prop(into)] id: String,
    selected: Frequency,
    #[prop(default = "frequency")] name: &'static str,
) -> impl IntoView {
    view! {
        <select id=id name=name class="rounded border border-slate-300 px-2 py-2 text-sm">
            {Frequency::ALL.into_iter().map(|frequency| view! {
                <option value=frequency.code() selected={frequency == selected}>{frequency.label()}</option>
            }).collect_view()}
        </select>
    }
}

/// `/alerts/new?query=…`: save a listing search as an alert.
#[component]
pub fn NewAlertPage() -> impl IntoView {
    let query = query_value("query");
    let error = AlertFormError::from_code(&query_value("alert_error"));
    let frequency = Frequency::parse(&query_value("frequency")).unwrap_or_default();
    let what = describe_search(&query);
    let listing = if query.is_empty() { "/jobs".to_owned() } else { format!("/jobs?{query}") };
    let email_problem = matches!(error, Some(AlertFormError::MissingEmail | AlertFormError::BadEmail));
    view! {
        <FormCard title="Get new jobs by e-mail">
            <p class="mt-2 text-sm">"Search: " <a href=listing class="alert-search font-semibold text-indigo-700 underline">{what}</a></p>
            {error.map(|error| view! { <Notice good=false text=error.to_string() /> })}
            <form method="post" action="/alerts" class="mt-4 space-y-3">
                <input type="hidden" name="query" value=query />
                <div>
                    <label for="alert-new-email" class="block text-sm font-medium text-slate-700">"E-mail address"</label>
                    <input id="alert-new-email" name="email" type="email" required value=query_value("email") autocomplete="email"
                        aria-invalid=email_problem.then_some("true")
                        class="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
                </div>
                <div>
                    <label for="alert-new-frequency" class="block text-sm font-medium text-slate-700">"How often"</label>
                    <FrequencySelect id="alert-new-frequency" selected=frequency />
                </div>
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Create the alert"</button>
            </form>
        </FormCard>
    }
}

/// What `/alerts/done?what=…` says.
fn outcome(code: &str) -> (&'static str, bool) {
    match code {
        "confirm-sent" => {
            ("Almost done: we e-mailed you a link. The alert starts when you follow it (within 7 days).", true)
        }
        "saved" => ("Your alert is saved. New jobs come to your address; manage it under My alerts.", true),
        "confirmed" => ("Your alert is confirmed. New jobs that match come to your address.", true),
        "unsubscribed" => ("Done: you will not get these e-mails any more.", true),
        "already" => ("There was nothing left to stop: you will not get these e-mails.", true),
        "bad-link" => {
            ("This link is not valid, or its alert is gone (unconfirmed alerts are deleted after 7 days).", false)
        }
        _ => ("Nothing to show here.", false),
    }
}

/// `/alerts/done`: what an alert form or link did.
#[component]
pub fn AlertDonePage() -> impl IntoView {
    let (text, good) = outcome(&query_value("what"));
    view! {
        <FormCard title="Job alerts">
            <div class="alert-outcome"><Notice good text /></div>
            <p class="mt-4 text-sm"><a href="/jobs" class="font-semibold text-indigo-700 underline">"Browse jobs"</a></p>
        </FormCard>
    }
}

/// `/alerts/confirm?token=…`: the confirmation e-mail's page; the button confirms.
#[component]
pub fn ConfirmAlertPage() -> impl IntoView {
    view! {
        <FormCard title="Confirm your job alert">
            <form method="post" action="/alerts/confirm" class="mt-4">
                <input type="hidden" name="token" value=query_value("token") />
                <button type="submit" class="confirm-alert w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Confirm the alert"</button>
            </form>
        </FormCard>
    }
}

/// `/alerts/unsubscribe?token=…`: the unsubscribe link's page; the button stops the e-mails.
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = query_value("token");
    let action = format!(
        "/alerts/unsubscribe?{}",
        form_urlencoded::Serializer::new(String::new()).append_pair("token", &token).finish()
    );
    view! {
        <FormCard title="Stop these e-mails">
            <p class="mt-2 text-sm text-slate-600">"No sign-in needed: the button stops the e-mails this link came in."</p>
            <form method="post" action=action class="mt-4">
                <input type="hidden" name="token" value=token />
                <button type="submit" class="unsubscribe w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Unsubscribe"</button>
            </form>
        </FormCard>
    }
}
