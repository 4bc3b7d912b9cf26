//! The candidate's pages: sign-up and sign-in, the account, applying, "My applications", saved jobs
//! and the slot planner. The server sends signed-out visitors of the private ones to sign in before any
//! of these render; their server functions check again. Every form is a plain form post (see
//! `server::candidates`); a refused one is rendered again with a [`FormEcho`] in the context.

pub mod alerts;
pub mod applications;
pub mod forms;
pub mod home;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::not_found::ErrorNotice;
use crate::domain::candidate::FormEcho;
use crate::error::AppError;

/// The refused form of this render, if the page is shown again after one.
pub fn form_echo() -> FormEcho {
    use_context::<FormEcho>().unwrap_or_default()
}

/// A query-string value of the page's address (empty when absent).
pub fn query_value(key: &str) -> String {
    let query = use_query_map();
    query.with_untracked(|q| q.get_str(key).unwrap_or_default().to_owned())
}

/// A labelled input with what was typed and its problem beside it.
#[component]
pub fn EchoField(
    label: &'static str,
    name: &'static str,
    #[prop(into)] value: String,
    problem: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(default = "")] hint: &'static str,
) -> impl IntoView {
    let id = format!("field-{name}");
    let problem_id = format!("{id}-problem");
    let invalid = problem.is_some();
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <input id=id name=name type=kind value=value required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| problem_id.clone())
                class="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
            {(!hint.is_empty()).then(|| view! { <p class="mt-1 text-xs text-slate-500">{hint}</p> })}
            {problem.map(|message| view! { <p id=problem_id class="field-problem mt-1 text-sm text-red-700">{message}</p> })}
        </div>
    }
}

/// A labelled text area with what was typed and its problem beside it.
#[component]
pub fn EchoArea(
    label: &'static str,
    name: &'static str,
    #[prop(into)] value: String,
    problem: Option<String>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <textarea id=id name=name rows=rows aria-invalid=problem.is_some().then_some("true")
                class="mt-1 w-full rounded border border-slate-300 px-3 py-2">{value}</textarea>
            {problem.map(|message| view! { <p class="field-problem mt-1 text-sm text-red-700">{message}</p> })}
        </div>
    }
}

/// A green notice (`good`) or a red one.
#[component]
pub fn Notice(good: bool, #[prop(into)] text: String) -> impl IntoView {
    let class = if good {
        "account-notice mt-3 rounded border border-emerald-300 bg-emerald-50 p-2 text-sm text-emerald-900"
    } else {
        "account-refusal mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800"
    };
    view! { <p role=if good { "status" } else { "alert" } class=class>{text}</p> }
}

/// The candidate's pages' small header: where to go, and the sign-out button.
#[component]
pub fn CandidateBar() -> impl IntoView {
    view! {
        <div class="candidate-bar mb-4 flex flex-wrap items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white px-4 py-2 text-sm">
            <nav class="flex flex-wrap gap-4">
                <a href="/account" class="font-semibold text-indigo-700 hover:underline">"Account"</a>
                <a href="/account/applications" class="font-semibold text-indigo-700 hover:underline">"My applications"</a>
                <a href="/account/saved" class="font-semibold text-indigo-700 hover:underline">"Saved jobs"</a>
                <a href="/account/planner" class="font-semibold text-indigo-700 hover:underline">"Slot planner"</a>
                <a href="/account/alerts" class="font-semibold text-indigo-700 hover:underline">"My alerts"</a>
            </nav>
            <form method="post" action="/account/sign-out">
                <button type="submit" class="candidate-sign-out rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">"Sign out"</button>
            </form>
        </div>
    }
}

/// What a candidate page shows when its data could not be loaded.
#[component]
pub fn CandidateError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthorized => view! {
            <p class="candidate-signed-out rounded-lg border border-amber-300 bg-amber-50 p-4">
                "You are signed out. " <a href="/account/sign-in" rel="external" class="font-semibold text-indigo-700 underline">"Sign in"</a>
            </p>
        }
        .into_any(),
        error => view! { <ErrorNotice error /> }.into_any(),
    }
}

/// A hidden field with the session's form token.
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=token /> }
}
