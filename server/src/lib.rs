//! The job board's HTTP server: settings, database start-up, the router and the seed commands.
//! `build_app` returns the whole router so tests can drive it in-process.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

pub mod admin;
pub mod alerts;
pub mod api_v1;
pub mod assets;
pub mod backups;
pub mod candidates;
pub mod cli;
pub mod feeds;
pub mod listing_page;
pub mod mail;
pub mod own_writes;
pub mod page_cache;
pub mod rate_limits;
pub mod router;
pub mod security;
pub mod seed;
pub mod serve;
pub mod sitemap;
pub mod startup;
pub mod state;
pub mod valid_html;
pub mod views;

pub use router::build_app;
pub use state::AppState;
