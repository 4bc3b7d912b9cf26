//! The 404 page, for unknown paths and unknown postings.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::{set_error_response, set_response_status};

/// "Page not found", answered with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    set_response_status(404);
    view! {
        <Title text="Page not found" />
        <Meta name="robots" content="noindex" />
        <section class="mx-auto max-w-xl py-16 text-center">
            <p class="text-sm font-semibold uppercase tracking-wide text-indigo-600">"404"</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">"Page not found"</h1>
            <p class="mt-4 text-slate-600">
                "This page or job posting does not exist. It may have been removed, or the link may be mistyped."
            </p>
            <a href="/jobs" class="mt-8 inline-block rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">
                "Browse open jobs"
            </a>
        </section>
    }
}

/// A failure other than "not found", with its status set on the response.
#[component]
pub fn ErrorNotice(error: crate::error::AppError) -> impl IntoView {
    set_error_response(&error);
    view! {
        <Title text=ERROR_TITLE />
        <ErrorMessage error />
    }
}

/// The title of a page that failed.
pub const ERROR_TITLE: &str = "Something went wrong";

/// What a failed page says (the status is the caller's to set).
#[component]
pub fn ErrorMessage(error: crate::error::AppError) -> impl IntoView {
    view! {
        <section role="alert" class="mx-auto max-w-xl py-16 text-center">
            <h1 class="text-2xl font-bold">{ERROR_TITLE}</h1>
            <p class="mt-4 text-slate-600">{error.to_string()}</p>
        </section>
    }
}
