//! The header and footer around every page.

use leptos::prelude::*;

/// The site name and navigation.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="border-b border-slate-200 bg-white">
            <nav class="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3 sm:px-6" aria-label="Main">
                <a href="/" class="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
                    <span aria-hidden="true" class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-white">"J"</span>
                    {crate::SITE_NAME}
                </a>
                <div class="flex items-center gap-4 text-sm font-medium text-slate-600">
                    <a href="/jobs" class="hover:text-indigo-700">"Browse jobs"</a>
                    // A full page load, so the server's sign-in gate answers for the admin pages.
                    <a href="/admin/jobs/new" rel="external" class="hover:text-indigo-700">"Post a job"</a>
                    <a href="/account" rel="external" class="account-link hover:text-indigo-700">"Your account"</a>
                </div>
            </nav>
        </header>
    }
}

/// The id of the footer's form that saves a job for a signed-in candidate.
pub const SAVE_JOB_FORM: &str = "save-job";

/// The footer.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="border-t border-slate-200 bg-white">
            <div class="mx-auto max-w-6xl px-4 py-6 text-sm text-slate-500 sm:px-6">
                <p>
                    {crate::SITE_NAME}
                    " · Pay is shown as posted by the employer; annual figures use 2,080 hours, 260 days, 52 weeks or 12 months a year."
                </p>
            </div>
            // The one form every card's "Save" button submits (`form="save-job"`): one element per card.
            <form id=SAVE_JOB_FORM method="post" action="/account/saved"></form>
        </footer>
    }
}

/// An empty island that marks `<body data-hydrated="true">` once the page's islands have hydrated
/// (islands hydrate in document order and this one comes last). Tests wait for the mark.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
