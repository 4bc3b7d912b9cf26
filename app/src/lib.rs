//! The job board's web app: the HTML shell, the root component and the router (one place lists every
//! route), plus the domain, server functions and database layer beneath them.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod markdown;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use components::layout::{HydrationMark, SiteFooter, SiteHeader};
use pages::admin::editor::{EditPostingPage, NewPostingPage};
use pages::admin::jobs::AdminJobsPage;
use pages::admin::sign_in::AdminSignInPage;
use pages::career_path::CareerPathView;
use pages::company::CompanyPage;
use pages::job_detail::JobDetailPage;
use pages::job_list::JobListPage;
use pages::not_found::NotFound;

/// The site's name, shown in the header and page titles.
pub const SITE_NAME: &str = "Jobboard";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                // Islands: only the interactive parts (the listing's live search, the posting form) ship to
                // the browser; everything else is server-rendered HTML.
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The root component: meta context, header, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/jobboard.css" />
        <Title formatter=|text: String| {
            if text.is_empty() { SITE_NAME.to_owned() } else { format!("{text} · {SITE_NAME}") }
        } />
        <Router>
            <div class="flex min-h-screen flex-col">
                <SiteHeader />
                <main class="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6">
                    // Async SSR: every page arrives complete, so it reads the same without JavaScript.
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=JobListPage ssr=SsrMode::Async />
                        <Route path=StaticSegment("jobs") view=JobListPage ssr=SsrMode::Async />
                        <Route
                            path=(StaticSegment("jobs"), ParamSegment("id"))
                            view=JobDetailPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("careers"), ParamSegment("path"))
                            view=CareerPathView
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("companies"), ParamSegment("slug"))
                            view=CompanyPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("sign-in"))
                            view=AdminSignInPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("jobs"))
                            view=AdminJobsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("jobs"), StaticSegment("new"))
                            view=NewPostingPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("jobs"), ParamSegment("id"), StaticSegment("edit"))
                            view=EditPostingPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
                <SiteFooter />
            </div>
            // Last on the page, so it is hydrated after every other island.
            <HydrationMark />
        </Router>
    }
}
