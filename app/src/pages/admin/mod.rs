//! The admin pages: sign-in, the posting list, and the posting editor. The server sends signed-out
//! visitors to the sign-in page before any of these render; their server functions check again.

pub mod applications;
pub mod editor;
pub mod jobs;
pub mod sign_in;

use leptos::prelude::*;

use crate::error::AppError;

/// The admin pages' small header: where you are, and the sign-out button.
#[component]
pub fn AdminBar(#[prop(into)] email: String) -> impl IntoView {
    view! {
        <div class="admin-bar mb-4 flex flex-wrap items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white px-4 py-2 text-sm">
            <nav class="flex gap-4">
                <a href="/admin/jobs" class="font-semibold text-indigo-700 hover:underline">"Postings"</a>
                <a href="/admin/jobs/new" class="font-semibold text-indigo-700 hover:underline">"New posting"</a>
                <a href="/admin/companies" class="font-semibold text-indigo-700 hover:underline">"Application limits"</a>
                <a href="/admin/outbox" class="font-semibold text-indigo-700 hover:underline">"Outbox"</a>
            </nav>
            <form method="post" action="/admin/sign-out" class="flex items-center gap-3">
                <span class="text-slate-600">"Signed in as " <strong class="admin-email">{email}</strong></span>
                <button type="submit" class="sign-out rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">"Sign out"</button>
            </form>
        </div>
    }
}

/// What an admin page shows when its data could not be loaded (signed out in the browser, or an error).
#[component]
pub fn AdminError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthorized => view! {
            <p class="admin-signed-out rounded-lg border border-amber-300 bg-amber-50 p-4">
                "You are signed out. " <a href="/admin/sign-in" rel="external" class="font-semibold text-indigo-700 underline">"Sign in"</a>
            </p>
        }
        .into_any(),
        error => view! { <super::not_found::ErrorNotice error /> }.into_any(),
    }
}
