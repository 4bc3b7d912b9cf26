//! The job board's web app: the HTML shell, the root component and the router (one place lists every
//! routed page; the listing, rendered by the server outside it, is the one exception), plus the domain,
//! server functions and database layer beneath them.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
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
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use components::layout::{HydrationMark, SiteFooter, SiteHeader};
use pages::account::alerts::MyAlertsView;
use pages::account::applications::{ApplyPageView, MyApplicationsView, PlannerView, SavedJobsView};
use pages::account::forms::{
    CandidateSignInPage, ConfirmAddressPage, ForgotPasswordPage, ResetPasswordPage, SignUpPage,
};
use pages::account::home::AccountPage;
use pages::admin::applications::{CompanyLimitsView, OutboxView, PostingApplicationsView};
use pages::admin::editor::{EditPostingPage, NewPostingPage};
use pages::admin::jobs::AdminJobsPage;
use pages::admin::sign_in::AdminSignInPage;
use pages::alerts::{AlertDonePage, ConfirmAlertPage, NewAlertPage, UnsubscribePage};
use pages::career_path::CareerPathView;
use pages::company::CompanyPage;
use pages::job_detail::JobDetailPage;
use pages::not_found::NotFound;

/// The site's name, shown in the header and page titles.
pub const SITE_NAME: &str = "Jobboard";

/// The class of every page's `<body>`.
pub const BODY_CLASS: &str = "min-h-screen bg-slate-50 text-slate-900 antialiased";

/// The site's public origin (`https://jobs.example.com`, no trailing slash), which the server puts in
/// every page render's context: canonical links are absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(pub std::sync::Arc<str>);

/// `path` (`/jobs/1-backend`) as an absolute URL on the site's public origin; the path alone where no
/// origin is in the context (a render outside the server).
pub fn absolute_url(path: &str) -> String {
    match use_context::<PublicOrigin>() {
        Some(PublicOrigin(origin)) => format!("{}{path}", origin.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

/// A page's `<title>`: the page's own title, then the site's name.
pub fn page_title(text: &str) -> String {
    if text.is_empty() { SITE_NAME.to_owned() } else { format!("{text} · {SITE_NAME}") }
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <DocumentHead options />
                <MetaTags />
            </head>
            <body class=BODY_CLASS>
                <App />
            </body>
        </html>
    }
}

/// What every page's `<head>` starts with: charset, viewport, icon and the islands' hydration script.
/// The page's stylesheet, title and description follow it.
#[component]
pub fn DocumentHead(options: LeptosOptions) -> impl IntoView {
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <AutoReload options=options.clone() />
        // Islands: only the interactive parts (the listing's live search, the posting form) ship to
        // the browser; everything else is server-rendered HTML.
        <HydrationScripts options islands=true />
    }
}

/// What every page's `<body>` holds: header, `content` in the main column, footer, and the hydration mark.
/// A plain function rather than a component with children, so `content` keeps its type (type-erased
/// children would be copied into owned strings on every render).
pub fn page_frame(content: impl IntoView) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col">
            <SiteHeader />
            <main class="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6">{content}</main>
            <SiteFooter />
        </div>
        // Last on the page, so it is hydrated after every other island.
        <HydrationMark />
    }
}

/// The root component: meta context, header, routes and footer.
///
/// Every page is routed here but the listing (`/` and `/jobs`), the site's busiest page: the server
/// renders it without the router (see [`pages::job_list::listing_document`]), because the router's
/// per-request machinery cost more CPU than rendering the page (README, Performance).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href=assets::stylesheet_href() />
        <Title formatter=|text: String| page_title(&text) />
        <Router>
            // Async SSR: every page arrives complete, so it reads the same without JavaScript.
            {page_frame(view! {
                <Routes fallback=NotFound>
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
                    <Route
                        path=(StaticSegment("jobs"), ParamSegment("id"), StaticSegment("apply"))
                        view=ApplyPageView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("account")
                        view=AccountPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("sign-in"))
                        view=CandidateSignInPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("sign-up"))
                        view=SignUpPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("forgot"))
                        view=ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("reset"))
                        view=ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("confirm"))
                        view=ConfirmAddressPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("applications"))
                        view=MyApplicationsView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("saved"))
                        view=SavedJobsView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("planner"))
                        view=PlannerView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("alerts"))
                        view=MyAlertsView
                        ssr=SsrMode::Async
                    />
                    <Route path=(StaticSegment("alerts"), StaticSegment("new")) view=NewAlertPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("alerts"), StaticSegment("done")) view=AlertDonePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("alerts"), StaticSegment("confirm")) view=ConfirmAlertPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("alerts"), StaticSegment("unsubscribe")) view=UnsubscribePage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("jobs"), ParamSegment("id"), StaticSegment("applications"))
                        view=PostingApplicationsView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("companies"))
                        view=CompanyLimitsView
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("outbox"))
                        view=OutboxView
                        ssr=SsrMode::Async
                    />
                </Routes>
            })}
        </Router>
    }
}
